/* Reads the magic number, version field and every part header. */
#include "meta/file.h"
#include "meta/attr.h"

#define EXR_MAGIC 20000630u
#define ATTR_STEP ((size_t)1 << 20)

/* What parsing reads with. */
typedef struct parse_in {
    exrqoi__source *src;
    const exrqoi_allocator *alloc;
    exrqoi_limits limits;
    bool strict;
} parse_in;

#define CURSOR_BUF ((size_t)65536)

/* Sequential cursor over the source for header parsing: over the bytes of
 * a memory source in place (a small file's header parse would otherwise
 * copy the whole file, up to CURSOR_BUF bytes, on every open), else over
 * `buf`, refilled from the source. */
typedef struct cursor {
    const parse_in *r;
    uint64_t pos;        /* file offset of data[0] */
    const uint8_t *data; /* buf, or the memory source's bytes */
    size_t len, at;
    exrqoi__err *err;
    uint8_t buf[];       /* CURSOR_BUF bytes, for sources not in memory */
} cursor;

static exrqoi_result ends_inside(cursor *c)
{
    return exrqoi__fail(c->err, EXRQOI_ERR_TRUNCATED, "file ends inside the header at byte %llu",
                        (unsigned long long)(c->pos + c->len));
}

static exrqoi_result fill(cursor *c, size_t want)
{
    if (c->len - c->at >= want) return EXRQOI_OK;
    if (c->data != c->buf) return ends_inside(c); /* a memory source has every byte from the start */
    size_t keep = c->len - c->at;
    memmove(c->buf, c->buf + c->at, keep);
    c->pos += c->at;
    c->at = 0;
    c->len = keep;
    size_t got;
    EXRQOI_TRY(exrqoi__source_read_some(c->r->src, c->pos + c->len, c->buf + c->len, CURSOR_BUF - c->len,
                                        &got, c->err));
    c->len += got;
    return c->len < want ? ends_inside(c) : EXRQOI_OK;
}

static uint64_t tell(const cursor *c) { return c->pos + c->at; }

/* Reads a NUL-terminated name of at most maxlen characters into out. */
static exrqoi_result read_name(cursor *c, char *out, size_t maxlen, const char *what)
{
    for (size_t n = 0;; n++) {
        EXRQOI_TRY(fill(c, 1));
        char ch = (char)c->data[c->at++];
        if (ch == '\0') {
            out[n] = '\0';
            return EXRQOI_OK;
        }
        if (n >= maxlen)
            return exrqoi__fail(c->err, EXRQOI_ERR_BAD_HEADER,
                                "%s at byte %llu is longer than %zu characters", what,
                                (unsigned long long)tell(c), maxlen);
        out[n] = ch;
    }
}

static exrqoi_result read_bytes(cursor *c, uint8_t *dst, size_t n)
{
    while (n) {
        if (c->at == c->len) EXRQOI_TRY(fill(c, 1));
        size_t take = c->len - c->at;
        if (take > n) take = n;
        memcpy(dst, c->data + c->at, take);
        c->at += take;
        dst += take;
        n -= take;
    }
    return EXRQOI_OK;
}

/* Parses attributes until the terminating empty name. *empty tells whether
 * the header had no attribute at all (the end of a multipart header list). */
static exrqoi_result read_header(cursor *c, exrqoi_header *h, size_t maxname, int index, bool *empty)
{
    const parse_in *r = c->r;
    char name[256], type[256];
    uint8_t *tmp = NULL;
    size_t tmp_cap = 0;
    exrqoi_result rv = EXRQOI_OK;
    *empty = true;
    for (;;) {
        uint64_t at = tell(c);
        if ((rv = read_name(c, name, maxname, "attribute name")) != EXRQOI_OK) break;
        if (name[0] == '\0') break;
        *empty = false;
        if ((rv = read_name(c, type, maxname, "attribute type name")) != EXRQOI_OK) break;
        if ((rv = fill(c, 4)) != EXRQOI_OK) break;
        int32_t size = (int32_t)exrqoi__le32(c->data + c->at);
        c->at += 4;
        if (size < 0) {
            rv = exrqoi__fail(c->err, EXRQOI_ERR_BAD_ATTRIBUTE,
                              "part %d: attribute '%s' at byte %llu has negative size %d", index,
                              name, (unsigned long long)at, size);
            break;
        }
        if ((uint32_t)size > r->limits.max_attribute_size) {
            rv = exrqoi__fail(c->err, EXRQOI_ERR_LIMIT,
                              "part %d: attribute '%s' is %d bytes, over the %u byte limit", index,
                              name, size, r->limits.max_attribute_size);
            break;
        }
        if (r->src->size != UINT64_MAX && (uint64_t)size > r->src->size - tell(c) &&
            tell(c) <= r->src->size) {
            rv = exrqoi__fail(c->err, EXRQOI_ERR_TRUNCATED,
                              "part %d: attribute '%s' (%d bytes) runs past the end of the file",
                              index, name, size);
            break;
        }
        if ((uint32_t)h->count >= r->limits.max_attributes) {
            rv = exrqoi__fail(c->err, EXRQOI_ERR_LIMIT, "part %d: more than %u attributes", index,
                              r->limits.max_attributes);
            break;
        }
        const uint8_t *bytes;
        if (c->data != c->buf) {
            /* a memory source's value is parsed where it is (the check
             * above keeps it inside the source) */
            if ((rv = fill(c, (size_t)size)) != EXRQOI_OK) break;
            bytes = c->data + c->at;
            c->at += (size_t)size;
        } else {
            /* the buffer grows with the bytes that arrive: the declared
             * size alone sizes nothing (sources of unknown size) */
            size_t have = 0;
            do {
                size_t step = have > ATTR_STEP ? have : ATTR_STEP, next = (size_t)size;
                if (next - have > step) next = have + step;
                void *p = tmp;
                if ((rv = exrqoi__reserve(r->alloc, &p, &tmp_cap, next + 1)) != EXRQOI_OK) break;
                tmp = (uint8_t *)p;
                if ((rv = read_bytes(c, tmp + have, next - have)) != EXRQOI_OK) break;
                have = next;
            } while (have < (size_t)size);
            if (rv != EXRQOI_OK) break;
            bytes = tmp;
        }
        if (exrqoi_header_find(h, name)) {
            if (r->strict) {
                rv = exrqoi__fail(c->err, EXRQOI_ERR_BAD_HEADER,
                                  "part %d: attribute '%s' appears twice", index, name);
                break;
            }
            continue; /* lenient: the first one wins */
        }
        exrqoi_attribute a;
        memset(&a, 0, sizeof a);
        rv = exrqoi__attr_parse(r->alloc, &r->limits, name, type, bytes, (size_t)size, &a, c->err);
        if (rv != EXRQOI_OK) break;
        rv = exrqoi_header_set(h, &a);
        exrqoi_attribute_free(r->alloc, &a);
        if (rv != EXRQOI_OK) {
            exrqoi__fail(c->err, rv, "part %d: cannot store attribute '%s'", index, name);
            break;
        }
    }
    exrqoi__free(r->alloc, tmp);
    return rv;
}

exrqoi_result exrqoi__read_headers(exrqoi__source *src, const exrqoi_allocator *alloc,
                                   const exrqoi_limits *limits, bool strict, exrqoi__parsed_file *f,
                                   exrqoi__err *err)
{
    const parse_in in = {src, alloc, *limits, strict};
    const parse_in *r = &in;
    const bool in_memory = src->mem != NULL;
    cursor *c = (cursor *)exrqoi__alloc(r->alloc, sizeof(cursor) + (in_memory ? 0 : CURSOR_BUF));
    if (!c) return exrqoi__fail(err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
    memset(c, 0, sizeof(cursor));
    c->r = r;
    c->err = err;
    c->data = in_memory ? src->mem : c->buf;
    if (in_memory) c->len = (size_t)src->size;
    exrqoi_result rv = fill(c, 8);
    if (rv != EXRQOI_OK) {
        if (rv == EXRQOI_ERR_TRUNCATED)
            rv = exrqoi__fail(err, EXRQOI_ERR_BAD_MAGIC, "file too short to be an EXR file");
        goto done;
    }
    if (exrqoi__le32(c->data) != EXR_MAGIC) {
        rv = exrqoi__fail(err, EXRQOI_ERR_BAD_MAGIC, "not an OpenEXR file (bad magic number)");
        goto done;
    }
    f->version = exrqoi__le32(c->data + 4);
    c->at = 8;
    uint32_t ver = f->version & 0xff;
    uint32_t flags = f->version & ~0xffu;
    const uint32_t known = EXRQOI_VERSION_FLAG_TILED | EXRQOI_VERSION_FLAG_LONG_NAMES |
                           EXRQOI_VERSION_FLAG_NON_IMAGE | EXRQOI_VERSION_FLAG_MULTIPART;
    if (ver != 2) {
        rv = exrqoi__fail(err, EXRQOI_ERR_BAD_VERSION, "unsupported EXR version %u", ver);
        goto done;
    }
    if (flags & ~known) {
        rv = exrqoi__fail(err, EXRQOI_ERR_BAD_VERSION, "unknown version flags 0x%x", flags & ~known);
        goto done;
    }
    bool multipart = (flags & EXRQOI_VERSION_FLAG_MULTIPART) != 0;
    if (multipart && (flags & EXRQOI_VERSION_FLAG_TILED)) {
        rv = exrqoi__fail(err, EXRQOI_ERR_BAD_VERSION, "the tiled flag is not valid in a multipart file");
        goto done;
    }
    size_t maxname = (flags & EXRQOI_VERSION_FLAG_LONG_NAMES) ? 255 : 31;
    /* OpenEXR reads files whose names are long without the flag; so do we unless strict */
    if (!r->strict) maxname = 255;

    int cap = 0;
    for (;;) {
        if (f->nparts == cap) {
            int ncap = cap ? cap * 2 : 1;
            /* one slot past the limit: the empty header that ends the list */
            uint64_t most = (uint64_t)r->limits.max_parts + 1;
            if (most > INT32_MAX / 2) most = INT32_MAX / 2;
            if ((uint64_t)ncap > most) ncap = (int)most;
            if (ncap <= cap) {
                rv = exrqoi__fail(err, EXRQOI_ERR_LIMIT, "more than %u parts", r->limits.max_parts);
                goto done;
            }
            exrqoi__part *np = (exrqoi__part *)exrqoi__calloc(r->alloc, (size_t)ncap, sizeof *np);
            if (!np) {
                rv = exrqoi__fail(err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
                goto done;
            }
            if (f->nparts) memcpy(np, f->parts, (size_t)f->nparts * sizeof *np);
            exrqoi__free(r->alloc, f->parts);
            f->parts = np;
            cap = ncap;
        }
        exrqoi__part *p = &f->parts[f->nparts];
        exrqoi_header_init(&p->header, r->alloc);
        bool empty;
        rv = read_header(c, &p->header, maxname, f->nparts, &empty);
        if (rv != EXRQOI_OK) {
            exrqoi_header_free(&p->header);
            goto done;
        }
        if (empty) {
            exrqoi_header_free(&p->header);
            if (f->nparts == 0) {
                rv = exrqoi__fail(err, EXRQOI_ERR_BAD_HEADER, "the file has an empty header");
                goto done;
            }
            break;
        }
        if ((uint32_t)f->nparts >= r->limits.max_parts) {
            exrqoi_header_free(&p->header);
            rv = exrqoi__fail(err, EXRQOI_ERR_LIMIT, "more than %u parts", r->limits.max_parts);
            goto done;
        }
        f->nparts++;
        if (!multipart) break;
    }
    for (int k = 0; k < f->nparts; k++) {
        rv = exrqoi__part_setup(&f->parts[k], k, f->version, r->strict, &r->limits, err);
        if (rv != EXRQOI_OK) goto done;
        if (multipart) {
            for (int j = 0; j < k; j++) {
                const char *a = f->parts[j].info.name, *b = f->parts[k].info.name;
                if (a && b && strcmp(a, b) == 0 && r->strict) {
                    rv = exrqoi__fail(err, EXRQOI_ERR_BAD_HEADER, "parts %d and %d are both named '%s'",
                                      j, k, a);
                    goto done;
                }
            }
        } else if (f->parts[k].deep && !(flags & EXRQOI_VERSION_FLAG_NON_IMAGE) && r->strict) {
            rv = exrqoi__fail(err, EXRQOI_ERR_BAD_VERSION, "deep part without the non-image flag");
            goto done;
        }
    }
    /* offset tables follow the headers */
    uint64_t pos = tell(c);
    for (int k = 0; k < f->nparts; k++) {
        f->parts[k].table_pos = pos;
        uint64_t bytes;
        if (exrqoi__mul_u64(f->parts[k].info.chunk_count, 8, &bytes) || exrqoi__add_u64(pos, bytes, &pos)) {
            rv = exrqoi__fail(err, EXRQOI_ERR_LIMIT, "part %d: offset table too large", k);
            goto done;
        }
    }
    f->chunks_start = pos;
    rv = EXRQOI_OK;
done:
    exrqoi__free(r->alloc, c);
    return rv;
}
