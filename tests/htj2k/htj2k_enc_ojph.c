/* Interop test of the HTJ2K encoder against OpenJPH's ojph_expand
 * (Debian's openjph-tools, test-only):
 *   1. synthetic blocks (random and smooth, 1..6 half channels, odd sizes
 *      1x1 .. 1000x3, with and without R,G,B): our codestream, decoded by
 *      ojph_expand, gives back exactly the samples (ojph_expand ignores the
 *      NLT marker, so it returns the NLT-domain values, which we map back);
 *   2. the shared HTJ2K corpus written by OpenEXR: each chunk's codestream
 *      is decoded by ojph_expand, the samples are encoded again by us, and
 *      the chunk must come out byte for byte as OpenEXR wrote it, apart from
 *      OpenJPH's COM marker segment (which we do not write);
 *   3. the same corpus files from their sources in ../openexr-images, read
 *      by us (float and subsampled channels, which ojph_expand 0.9 cannot
 *      decode): every chunk encoded by us equals OpenEXR's (COM aside), and
 *      chunks OpenEXR stored raw we store raw too.
 * Usage: htj2k_enc_ojph SHARED_DIR WORK_DIR. Exit 77 when ojph_expand is
 * absent. htj2k_enc_ojph --pair HTJ2K.exr SOURCE.exr... runs check 3 on
 * files written by OpenEXR 3.4 or later (not in ctest: Debian has 3.1).
 * htj2k_enc_ojph --ours EXRQOI WORK_DIR SOURCE... converts each source
 * with our tool to HTJ2K256 and HTJ2K32 and has ojph_expand decode every
 * chunk codestream it can (half channels, unsampled, at most 4), which
 * must give the source's samples (ctest interop_htj2k_ojph). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <exrqoi/image.h>

#include "codec/htj2k_enc.h"
#include "test_support.h"

static int g_fail;
static char g_work[4096];

#define CHECK(cond, ...)                                                                                     \
    do {                                                                                                     \
        if (!(cond)) {                                                                                       \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                             \
            fprintf(stderr, __VA_ARGS__);                                                                    \
            fputc('\n', stderr);                                                                             \
            g_fail++;                                                                                        \
            return -1;                                                                                       \
        }                                                                                                    \
    } while (0)

/* ---- TIFF as ojph_expand writes it: one IFD, chunky, uncompressed -------- */

typedef struct image {
    uint32_t w, h, spp, bits;
    uint8_t *data; /* chunky samples, little-endian */
    size_t size;
} image;

/* The image API holds samples in host order; a chunk's unpacked bytes are
 * the file's little-endian order. */
static void to_file_order(uint8_t *p, size_t n, int size)
{
    const uint16_t one = 1;
    uint8_t first;
    memcpy(&first, &one, 1);
    if (first) return; /* little-endian host */
    for (size_t i = 0; i + (size_t)size <= n; i += (size_t)size)
        for (int a = 0, b = size - 1; a < b; a++, b--) {
            uint8_t t = p[i + (size_t)a];
            p[i + (size_t)a] = p[i + (size_t)b];
            p[i + (size_t)b] = t;
        }
}

static uint32_t le16(const uint8_t *p) { return (uint32_t)p[0] | ((uint32_t)p[1] << 8); }
static uint32_t le32(const uint8_t *p) { return le16(p) | (le16(p + 2) << 16); }

static int read_tiff(const char *path, image *im)
{
    size_t n;
    uint8_t *d = ts_read_file(path, &n);
    if (!d || n < 8 || memcmp(d, "II*", 4) != 0) {
        free(d);
        return -1;
    }
    uint32_t off = le32(d + 4), so = 0, sc = 0, nso = 0, bits_cnt = 0, bits_val = 0;
    memset(im, 0, sizeof *im);
    uint32_t nt = le16(d + off);
    for (uint32_t i = 0; i < nt; i++) {
        const uint8_t *e = d + off + 2 + 12 * i;
        uint32_t tag = le16(e), type = le16(e + 2), cnt = le32(e + 4);
        uint32_t val = type == 3 && cnt == 1 ? le16(e + 8) : le32(e + 8);
        if (tag == 256) im->w = val;
        if (tag == 257) im->h = val;
        if (tag == 258) {
            bits_cnt = cnt;
            bits_val = val;
        }
        if (tag == 277) im->spp = val;
        if (tag == 273) {
            so = val;
            nso = cnt;
        }
        if (tag == 279) sc = val;
    }
    im->bits = bits_cnt == 1 ? bits_val : (bits_cnt <= 2 ? bits_val & 0xffff : le16(d + bits_val));
    if (nso != 1 || (size_t)so + sc > n) {
        free(d);
        return -1;
    }
    im->size = sc;
    im->data = malloc(sc ? sc : 1);
    memcpy(im->data, d + so, sc);
    free(d);
    return 0;
}

/* ---- run ojph_expand on a codestream ------------------------------------- */

/* The components are declared unsigned for ojph_expand: it then adds
 * 32768 to each NLT-domain value instead of clipping negatives to 0 (the
 * coded data do not depend on the signedness). */
static int expand(const uint8_t *cs_in, size_t n, image *im)
{
    uint8_t *cs = malloc(n);
    memcpy(cs, cs_in, n);
    if (n > 42 && cs[2] == 0xFF && cs[3] == 0x51) {
        unsigned nc = ((unsigned)cs[40] << 8) | cs[41];
        for (unsigned i = 0; i < nc && 42 + 3 * i < n; i++) cs[42 + 3 * i] &= 0x7F;
    }
    char in[4200], outp[4200], cmd[9000];
    snprintf(in, sizeof in, "%s/cs.j2c", g_work);
    snprintf(outp, sizeof outp, "%s/cs.tif", g_work);
    bool written = ts_write_file(in, cs, n);
    free(cs);
    if (!written) return -1;
    remove(outp);
    snprintf(cmd, sizeof cmd, "ojph_expand -i '%s' -o '%s' >/dev/null 2>&1", in, outp);
    if (system(cmd) != 0) return -1;
    return read_tiff(outp, im);
}

/* The codestream inside a chunk payload, and the channel map. */
static const uint8_t *payload_cs(const uint8_t *p, size_t n, size_t *cs_n, int *map, int nc)
{
    if (n < 8 || p[0] != 0x48 || p[1] != 0x54) return NULL;
    uint32_t plen = ((uint32_t)p[2] << 24) | ((uint32_t)p[3] << 16) | ((uint32_t)p[4] << 8) | p[5];
    if (6 + (size_t)plen > n || ((p[6] << 8) | p[7]) != nc) return NULL;
    for (int i = 0; i < nc; i++) map[i] = (p[8 + 2 * i] << 8) | p[9 + 2 * i];
    *cs_n = n - 6 - plen;
    return p + 6 + plen;
}

/* ---- expected decoder output of one sample -------------------------------- */

/* What ojph_expand gives for a half: the NLT-domain value (-v - 32769
 * for v, the sign-extended bits, negative: 0x8000..0xFFFF map to
 * -1..-32768) plus 32768 (see expand). */
static uint16_t half_as_decoded(uint16_t bits)
{
    int32_t v = (int16_t)bits;
    int32_t d = v >= 0 ? v : -v - 32769;
    return (uint16_t)(d + 32768);
}

/* Compare a decoded image with the block (half channels only). */
static int compare_half(const exrqoi__block_layout *b, const uint8_t *src, const int *map, const image *im,
                        const char *what)
{
    CHECK(im->w == (uint32_t)b->width && im->h == (uint32_t)b->height && im->spp == (uint32_t)b->nchan &&
              im->bits == 16,
          "%s: decoded %ux%u x%u %u bits", what, im->w, im->h, im->spp, im->bits);
    size_t line = 0;
    for (int c = 0; c < b->nchan; c++) line += (size_t)b->chans[c].width * 2;
    for (int y = 0; y < b->height; y++)
        for (int i = 0; i < b->nchan; i++) {
            int f = map[i];
            size_t off = (size_t)y * line;
            for (int c = 0; c < f; c++) off += (size_t)b->chans[c].width * 2;
            for (int x = 0; x < b->width; x++) {
                uint16_t bits = (uint16_t)le16(src + off + 2 * (size_t)x);
                uint16_t got = (uint16_t)le16(im->data + 2 * (((size_t)y * im->w + (size_t)x) * im->spp + (size_t)i));
                CHECK(got == half_as_decoded(bits), "%s: comp %d (%s) at %d,%d: got %04x want %04x (bits %04x)",
                      what, i, b->chans[f].name, x, y, got, half_as_decoded(bits), bits);
            }
        }
    return 0;
}

/* ---- synthetic blocks ----------------------------------------------------- */

/* Whether OpenJPH round-trips its own 5-level reversible codestream of a
 * w x h image: 0.9 does not for many small sizes (2x2, 3x5, 16x16...),
 * where it cannot judge ours either. */
static int ojph_selfcheck_run(int w, int h)
{
    char in[4200], cs[4200], outp[4200], cmd[26000];
    snprintf(in, sizeof in, "%s/self.pgm", g_work);
    snprintf(cs, sizeof cs, "%s/self.j2c", g_work);
    snprintf(outp, sizeof outp, "%s/self_out.pgm", g_work);
    FILE *f = fopen(in, "wb");
    if (!f) return 0;
    fprintf(f, "P5\n%d %d\n65535\n", w, h);
    for (int i = 0; i < 2 * w * h; i++) fputc((int)(((unsigned)i * 2654435761u) >> 13) & 0xff, f);
    fclose(f);
    remove(outp);
    snprintf(cmd, sizeof cmd,
             "ojph_compress -i '%s' -o '%s' -num_decomps 5 -reversible true >/dev/null 2>&1 && "
             "ojph_expand -i '%s' -o '%s' >/dev/null 2>&1 && cmp -s '%s' '%s'",
             in, cs, cs, outp, in, outp);
    return system(cmd) == 0;
}

static int ojph_selfcheck(int w, int h)
{
    static int known[64][3]; /* w, h, 1 + result */
    static int n_known;
    for (int i = 0; i < n_known; i++)
        if (known[i][0] == w && known[i][1] == h) return known[i][2] - 1;
    int r = ojph_selfcheck_run(w, h);
    if (n_known < 64) {
        known[n_known][0] = w;
        known[n_known][1] = h;
        known[n_known++][2] = 1 + r;
    }
    return r;
}

static uint64_t g_rng = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void) { return (uint32_t)(ts_xorshift64(&g_rng) >> 16); }

static int synthetic(exrqoi__codec_ctx *ctx, int w, int h, int nc, const char *const *names, int kind)
{
    exrqoi__chan_layout ch[8];
    for (int i = 0; i < nc; i++) {
        ch[i] = (exrqoi__chan_layout){names[i], EXRQOI_PIXEL_HALF, 2, 0, 1, 1, w, h};
    }
    exrqoi__block_layout b = {0, 0, w, h, nc, ch, (size_t)w * h * nc * 2, EXRQOI_COMPRESSION_NONE, 0};
    size_t cap = b.unpacked_size * 4 + 4096;
    uint8_t *src = malloc(b.unpacked_size), *dst = malloc(cap);
    size_t o = 0;
    for (int y = 0; y < h; y++)
        for (int c = 0; c < nc; c++)
            for (int x = 0; x < w; x++, o += 2) {
                uint16_t v;
                if (kind == 0) /* random, both signs, any bits */
                    v = (uint16_t)rnd();
                else if (kind == 1) /* smooth positive ramp with a little noise */
                    v = (uint16_t)(0x3000 + ((x * 37 + y * 91 + c * 500) & 0x7ff) + (rnd() & 3));
                else /* smooth, signed */
                    v = (uint16_t)((((x + 2 * y) / 40) & 1 ? 0x8000 : 0) | (0x3c00 + ((x * 5 + y * 3 + c) & 0x3ff)));
                src[o] = (uint8_t)v;
                src[o + 1] = (uint8_t)(v >> 8);
            }
    size_t n = 0;
    char what[256];
    snprintf(what, sizeof what, "synthetic %dx%d %d ch kind %d", w, h, nc, kind);
    if (!ojph_selfcheck(w, h)) {
        printf("skip %s: OpenJPH does not round-trip its own codestream of this size\n", what);
        free(src);
        free(dst);
        return 0;
    }
    /* the payload even where the chunk would be stored raw */
    exrqoi_result r = exrqoi__htj2k_encode_payload(ctx, &b, src, dst, cap, &n);
    int rc = 0;
    if (r != EXRQOI_OK) {
        fprintf(stderr, "FAIL %s: encode returned %d\n", what, (int)r);
        g_fail++;
        rc = -1;
    } else {
        int map[8];
        size_t cs_n;
        const uint8_t *cs = payload_cs(dst, n, &cs_n, map, nc);
        image im = {0};
        if (!cs) {
            fprintf(stderr, "FAIL %s: bad chunk header\n", what);
            g_fail++;
            rc = -1;
        } else if (expand(cs, cs_n, &im) != 0) {
            fprintf(stderr, "FAIL %s: ojph_expand failed\n", what);
            g_fail++;
            rc = -1;
        } else {
            rc = compare_half(&b, src, map, &im, what);
            if (!rc) printf("ok %s: %zu -> %zu bytes\n", what, b.unpacked_size, n);
        }
        free(im.data);
    }
    free(src);
    free(dst);
    return rc;
}

/* ---- the OpenEXR corpus ---------------------------------------------------- */

typedef struct exr_chan {
    char name[256];
    int type, xs, ys;
} exr_chan;

/* Chunks of a single-part scan-line file: returns the count, or -1. */
typedef struct tiling {
    int tiled, tw, th, mode; /* mode: 0 one level, 1 mipmap */
    int round_up;
} tiling;

static int parse_exr_tiled(const uint8_t *d, size_t n, exr_chan *ch, int *nch, int32_t dw[4], int *comp,
                           uint64_t **offsets, tiling *t)
{
    size_t p = 8;
    memset(t, 0, sizeof *t);
    if (n < 8 || le32(d) != 20000630u || (d[5] & 0x1c)) return -1; /* single part, flat */
    t->tiled = (d[5] & 0x02) != 0;
    *nch = 0;
    *comp = -1;
    while (p < n && d[p]) {
        const char *name = (const char *)d + p;
        p += strlen(name) + 1;
        const char *type = (const char *)d + p;
        p += strlen(type) + 1;
        uint32_t sz = le32(d + p);
        p += 4;
        if (p + sz > n) return -1;
        if (!strcmp(name, "channels")) {
            size_t q = p;
            while (q < p + sz && d[q]) {
                exr_chan *c = &ch[(*nch)++];
                snprintf(c->name, sizeof c->name, "%s", (const char *)d + q);
                q += strlen((const char *)d + q) + 1;
                c->type = (int)le32(d + q);
                c->xs = (int)le32(d + q + 8);
                c->ys = (int)le32(d + q + 12);
                q += 16;
                if (*nch >= 64) return -1;
            }
        } else if (!strcmp(name, "compression")) {
            *comp = d[p];
        } else if (!strcmp(name, "dataWindow")) {
            for (int i = 0; i < 4; i++) dw[i] = (int32_t)le32(d + p + 4 * i);
        } else if (!strcmp(name, "tiles")) {
            t->tw = (int)le32(d + p);
            t->th = (int)le32(d + p + 4);
            t->mode = d[p + 8] & 0x0f;
            t->round_up = (d[p + 8] >> 4) & 1;
        }
        p += sz;
    }
    p++;
    int lines = *comp == 10 ? 256 : 32;
    int count = (dw[3] - dw[1] + lines) / lines;
    if (t->tiled) {
        if (t->tw < 1 || t->th < 1 || (t->mode != 0 && t->mode != 1)) return -1;
        int w = dw[2] - dw[0] + 1, h = dw[3] - dw[1] + 1;
        count = 0;
        for (int l = 0;; l++) {
            int lw = t->round_up ? (int)(((int64_t)w + (1 << l) - 1) >> l) : w >> l;
            int lh = t->round_up ? (int)(((int64_t)h + (1 << l) - 1) >> l) : h >> l;
            if (lw < 1) lw = 1;
            if (lh < 1) lh = 1;
            count += ((lw + t->tw - 1) / t->tw) * ((lh + t->th - 1) / t->th);
            if (t->mode == 0 || (lw == 1 && lh == 1)) break;
        }
    }
    *offsets = malloc(sizeof(uint64_t) * (size_t)count);
    for (int i = 0; i < count; i++)
        (*offsets)[i] = (uint64_t)le32(d + p + 8 * (size_t)i) | ((uint64_t)le32(d + p + 8 * (size_t)i + 4) << 32);
    return count;
}

/* Chunks of a single-part scan-line file: returns the count, or -1. */
static int parse_exr(const uint8_t *d, size_t n, exr_chan *ch, int *nch, int32_t dw[4], int *comp,
                     uint64_t **offsets)
{
    tiling t;
    int count = parse_exr_tiled(d, n, ch, nch, dw, comp, offsets, &t);
    if (count > 0 && t.tiled) {
        free(*offsets);
        *offsets = NULL;
        return -1;
    }
    return count;
}

/* The codestream without its COM marker segments. */
static size_t strip_com(const uint8_t *cs, size_t n, uint8_t *out)
{
    size_t p = 2, o = 0;
    memcpy(out, cs, 2);
    o = 2;
    while (p + 4 <= n) {
        unsigned m = (cs[p] << 8) | cs[p + 1], len = (cs[p + 2] << 8) | cs[p + 3];
        if (m == 0xFF90) break;
        if (m != 0xFF64) {
            memcpy(out + o, cs + p, 2 + len);
            o += 2 + len;
        }
        p += 2 + len;
    }
    memcpy(out + o, cs + p, n - p);
    return o + n - p;
}

static int corpus_file(exrqoi__codec_ctx *ctx, const char *path, int *chunks_same, int *chunks_total)
{
    size_t n;
    uint8_t *d = ts_read_file(path, &n);
    if (!d) return 0;
    exr_chan ch[64];
    int nch, comp;
    int32_t dw[4] = {0, 0, -1, -1};
    uint64_t *offs = NULL;
    int count = parse_exr(d, n, ch, &nch, dw, &comp, &offs);
    int ok = count > 0;
    for (int i = 0; i < nch && ok; i++) ok = ch[i].type == 1 && ch[i].xs == 1 && ch[i].ys == 1;
    if (!ok) { /* only half, unsampled: what ojph_expand 0.9 writes to TIFF */
        free(offs);
        free(d);
        return 0;
    }
    int lines = comp == 10 ? 256 : 32, rc = 0;
    for (int k = 0; k < count; k++) {
        uint64_t o = offs[k];
        int32_t y = (int32_t)le32(d + o);
        uint32_t sz = le32(d + o + 4);
        const uint8_t *chunk = d + o + 8;
        int h = dw[3] - y + 1 < lines ? dw[3] - y + 1 : lines, w = dw[2] - dw[0] + 1;
        exrqoi__chan_layout cl[64];
        for (int i = 0; i < nch; i++) cl[i] = (exrqoi__chan_layout){ch[i].name, EXRQOI_PIXEL_HALF, 2, 0, 1, 1, w, h};
        exrqoi__block_layout b = {dw[0], y, w, h, nch, cl, (size_t)w * h * nch * 2, EXRQOI_COMPRESSION_NONE, 0};
        if (sz >= b.unpacked_size) continue; /* stored raw */
        int map[64];
        size_t cs_n;
        const uint8_t *cs = payload_cs(chunk, sz, &cs_n, map, nch);
        image im = {0};
        char what[8400];
        snprintf(what, sizeof what, "%s chunk %d", path, k);
        if (!cs || expand(cs, cs_n, &im) != 0 || im.spp != (uint32_t)nch || im.w != (uint32_t)w ||
            im.h != (uint32_t)h) {
            fprintf(stderr, "FAIL %s: cannot decode with ojph_expand\n", what);
            g_fail++;
            free(im.data);
            continue;
        }
        /* back to the EXR layout: undo the NLT view ojph_expand gives */
        uint8_t *src = malloc(b.unpacked_size), *dst = malloc(exrqoi__htj2k_bound(&b));
        for (int yy = 0; yy < h; yy++)
            for (int i = 0; i < nch; i++)
                for (int x = 0; x < w; x++) {
                    int32_t dv = (int32_t)le16(im.data + 2 * (((size_t)yy * (size_t)w + (size_t)x) * (size_t)nch + (size_t)i)) - 32768;
                    int32_t v = dv >= 0 ? dv : -dv - 32769;
                    size_t at = ((size_t)yy * (size_t)nch + (size_t)map[i]) * (size_t)w * 2 + 2 * (size_t)x;
                    src[at] = (uint8_t)v;
                    src[at + 1] = (uint8_t)((uint16_t)v >> 8);
                }
        size_t got = 0;
        exrqoi_result r = exrqoi__htj2k_compress(ctx, &b, src, dst, exrqoi__htj2k_bound(&b), &got);
        (*chunks_total)++;
        uint8_t *ref = malloc(sz);
        size_t hdr = sz - cs_n, ref_n = hdr + strip_com(cs, cs_n, ref + hdr);
        memcpy(ref, chunk, hdr);
        if (r != EXRQOI_OK || got != ref_n || memcmp(ref, dst, got) != 0) {
            size_t at = 0;
            while (at < got && at < ref_n && ref[at] == dst[at]) at++;
            fprintf(stderr, "FAIL %s: ours %zu bytes, OpenEXR's %zu (without COM), first difference at %zu\n", what,
                    got, ref_n, at);
            g_fail++;
            rc = -1;
        } else {
            (*chunks_same)++;
        }
        free(ref);
        free(src);
        free(dst);
        free(im.data);
    }
    free(offs);
    free(d);
    return rc;
}

/* Chunks of --ours files that ojph_expand 0.9 cannot judge: float and
 * uint components (it stops at 32-bit code blocks), subsampled ones, more
 * than 4 components (its TIFF writer), sizes at which it does not
 * round-trip its own codestreams; and chunks stored raw, whose
 * payload (made, then dropped for being larger) is judged instead. */
static int g_unjudged, g_raw;

/* ojph_expand's samples of one of our chunks against the source's: 0
 * equal, -1 not, 1 not judged. */
static int ours_chunk(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b, const uint8_t *src,
                      const uint8_t *chunk, size_t sz, const char *what)
{
    int judged = b->nchan <= 4;
    for (int i = 0; i < b->nchan; i++)
        judged &= b->chans[i].type == EXRQOI_PIXEL_HALF && b->chans[i].x_sampling == 1 &&
                  b->chans[i].y_sampling == 1;
    if (!judged || !ojph_selfcheck(b->width, b->height)) { /* see synthetic() */
        g_unjudged++;
        return 1;
    }
    uint8_t *payload = NULL;
    if (sz == b->unpacked_size) { /* stored raw: judge the payload the encoder made and dropped */
        size_t cap = b->unpacked_size * 4 + 4096;
        payload = malloc(cap);
        CHECK(payload && exrqoi__htj2k_encode_payload(ctx, b, src, payload, cap, &sz) == EXRQOI_OK,
              "%s: the encoder fails on a chunk it stored raw", what);
        chunk = payload;
        g_raw++;
    }
    int map[64];
    size_t cs_n;
    const uint8_t *cs = payload_cs(chunk, sz, &cs_n, map, b->nchan);
    image im = {0};
    int rc = -1;
    if (!cs)
        fprintf(stderr, "FAIL %s: not an HTJ2K chunk payload\n", what);
    else if (expand(cs, cs_n, &im) != 0)
        fprintf(stderr, "FAIL %s: ojph_expand cannot decode our codestream\n", what);
    else
        rc = compare_half(b, src, map, &im, what);
    free(im.data);
    free(payload);
    return rc;
}

/* Part 3: the chunks of `htj2k` from the samples of `source`. With `ours`
 * (--ours), `htj2k` is our conversion of `source` and each chunk's
 * codestream is decoded by ojph_expand and compared with the source's
 * samples instead. */
static int from_source(exrqoi__codec_ctx *ctx, const char *htj2k, const char *source, int ours, int *same,
                       int *total)
{
    size_t n;
    uint8_t *d = ts_read_file(htj2k, &n);
    exrqoi_image img;
    memset(&img, 0, sizeof img);
    if (!d || exrqoi_image_read(exrqoi_source_path(source), NULL, &img) != EXRQOI_OK) {
        printf("%s %s: cannot read it or its source\n", ours ? "FAIL" : "skip", htj2k);
        g_fail += ours;
        free(d);
        return 0;
    }
    exr_chan ch[64];
    int nch, comp, rc = 0;
    int32_t dw[4] = {0, 0, -1, -1};
    uint64_t *offs = NULL;
    tiling t;
    int count = parse_exr_tiled(d, n, ch, &nch, dw, &comp, &offs, &t);
    const exrqoi_image_level *lev = &img.parts[0].levels[0];
    if (count <= 0 || lev->channel_count != nch) {
        fprintf(stderr, "FAIL %s: cannot match it with %s\n", htj2k, source);
        g_fail++;
        free(offs);
        free(d);
        exrqoi_image_free(&img);
        return -1;
    }
    int lines = comp == 10 ? 256 : 32, W = dw[2] - dw[0] + 1;
    for (int k = 0; k < count; k++) {
        uint64_t o = offs[k];
        int32_t y = (int32_t)le32(d + o), x0 = dw[0], ly0 = dw[1];
        uint32_t sz = le32(d + o + 4);
        int h = dw[3] - y + 1 < lines ? dw[3] - y + 1 : lines;
        const uint8_t *chunk = d + o + 8;
        lev = &img.parts[0].levels[0];
        if (t.tiled) { /* tile (tx, ty) of level l: its own block */
            int tx = (int)le32(d + o), ty = (int)le32(d + o + 4), l = (int)le32(d + o + 8);
            sz = le32(d + o + 16);
            chunk = d + o + 20;
            lev = NULL;
            for (int j = 0; j < img.parts[0].level_count; j++)
                if (img.parts[0].levels[j].lx == l && img.parts[0].levels[j].ly == l) lev = &img.parts[0].levels[j];
            if (!lev) {
                fprintf(stderr, "FAIL %s: no level %d in %s\n", htj2k, l, source);
                g_fail++;
                rc = -1;
                break;
            }
            int lw = lev->window.max.x - lev->window.min.x + 1, lh = lev->window.max.y - lev->window.min.y + 1;
            W = lw - tx * t.tw < t.tw ? lw - tx * t.tw : t.tw;
            h = lh - ty * t.th < t.th ? lh - ty * t.th : t.th;
            x0 = lev->window.min.x + tx * t.tw;
            y = lev->window.min.y + ty * t.th;
            ly0 = lev->window.min.y;
        }
        int lw_full = lev->window.max.x - lev->window.min.x + 1;
        exrqoi__chan_layout cl[64];
        size_t unpacked = 0;
        for (int i = 0; i < nch; i++) {
            int rows = 0;
            for (int yy = y; yy < y + h; yy++) rows += yy % ch[i].ys == 0;
            int size = ch[i].type == 1 ? 2 : 4;
            cl[i] = (exrqoi__chan_layout){ch[i].name, (uint8_t)ch[i].type, (uint8_t)size, 0, ch[i].xs, ch[i].ys,
                                          W / ch[i].xs, rows};
            unpacked += (size_t)cl[i].width * (size_t)rows * (size_t)size;
        }
        exrqoi__block_layout b = {x0, y, W, h, nch, cl, unpacked, EXRQOI_COMPRESSION_NONE, (uint8_t)t.tiled};
        uint8_t *src = malloc(unpacked ? unpacked : 1), *dst = malloc(exrqoi__htj2k_bound(&b));
        size_t at = 0;
        for (int yy = y; yy < y + h; yy++)
            for (int i = 0; i < nch; i++) {
                if (yy % ch[i].ys) continue;
                const exrqoi_image_channel *sc = &lev->channels[i];
                size_t row = (size_t)((yy - ly0) / ch[i].ys), bytes = (size_t)cl[i].width * cl[i].size;
                size_t stride = (size_t)(lw_full / ch[i].xs) * cl[i].size;
                memcpy(src + at, (const uint8_t *)sc->data + row * stride + (size_t)((x0 - lev->window.min.x) / ch[i].xs) * cl[i].size, bytes);
                to_file_order(src + at, bytes, cl[i].size);
                at += bytes;
            }
        size_t got = 0;
        int ok;
        exrqoi_result r = EXRQOI_OK;
        if (!ours) r = exrqoi__htj2k_compress(ctx, &b, src, dst, exrqoi__htj2k_bound(&b), &got);
        if (ours) {
            char what[8400];
            snprintf(what, sizeof what, "%s chunk %d (ours, from %s)", htj2k, k, source);
            int before = g_fail, oc = ours_chunk(ctx, &b, src, chunk, sz, what);
            g_fail = before; /* counted below */
            if (oc == 1) {
                free(src);
                free(dst);
                continue;
            }
            ok = oc == 0;
        } else if (sz == unpacked) {
            ok = r == EXRQOI_OK && got == unpacked;
        } else {
            int map[64];
            size_t cs_n = 0;
            const uint8_t *cs = payload_cs(chunk, sz, &cs_n, map, nch);
            uint8_t *ref = malloc(sz);
            size_t hdr = sz - cs_n, ref_n = cs ? hdr + strip_com(cs, cs_n, ref + hdr) : 0;
            memcpy(ref, chunk, hdr);
            ok = cs && r == EXRQOI_OK && got == ref_n && memcmp(ref, dst, got) == 0;
            if (!ok) {
                size_t at2 = 0;
                while (at2 < got && at2 < ref_n && ref[at2] == dst[at2]) at2++;
                fprintf(stderr, "FAIL %s chunk %d from %s: ours %zu bytes, OpenEXR's %zu, first difference at %zu\n",
                        htj2k, k, source, got, ref_n, at2);
            }
            free(ref);
        }
        (*total)++;
        if (ok)
            (*same)++;
        else {
            g_fail++;
            rc = -1;
        }
        free(src);
        free(dst);
    }
    free(offs);
    free(d);
    exrqoi_image_free(&img);
    return rc;
}

/* --ours EXRQOI WORK_DIR SOURCE...: each source converted by the tool to
 * HTJ2K256 and HTJ2K32; ojph_expand decodes every chunk it can judge. */
static int ours_main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: htj2k_enc_ojph --ours EXRQOI WORK_DIR SOURCE...\n");
        return 2;
    }
    snprintf(g_work, sizeof g_work, "%s", argv[3]);
    mkdir(g_work, 0777);
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    int same = 0, total = 0, files = 0;
    for (int i = 4; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            printf("skip %s: absent\n", argv[i]);
            continue;
        }
        const char *base = strrchr(argv[i], '/');
        base = base ? base + 1 : argv[i];
        for (int c = 0; c < 2; c++) {
            const char *codec = c ? "htj2k32" : "htj2k256";
            char out[8400], cmd[26000];
            snprintf(out, sizeof out, "%s/ours.%s.%s", g_work, codec, base);
            snprintf(cmd, sizeof cmd, "'%s' convert '%s' '%s' --compression %s", argv[2], argv[i], out, codec);
            if (system(cmd) != 0) {
                fprintf(stderr, "FAIL converting %s to %s\n", argv[i], codec);
                g_fail++;
                continue;
            }
            int s0 = same, t0 = total, u0 = g_unjudged, r0 = g_raw;
            from_source(&ctx, out, argv[i], 1, &same, &total);
            printf("%s %s: ojph_expand gives the source's samples in %d of %d chunks (%d it cannot judge; %d stored "
                   "raw, judged on the payload made for them)\n",
                   base, codec, same - s0, total - t0, g_unjudged - u0,
                   g_raw - r0);
            files++;
        }
    }
    int judged = same;
    printf("ours: %d files, %d of %d chunks decoded by ojph_expand to the source's samples, %d it cannot judge, %d "
           "raw\n",
           files, same, total, g_unjudged, g_raw);
    exrqoi__codec_ctx_free(&ctx);
    if (g_fail) fprintf(stderr, "%d failures\n", g_fail);
    return g_fail || judged <= 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: htj2k_enc_ojph SHARED_DIR WORK_DIR | --pair HTJ2K.exr SOURCE.exr... | --ours EXRQOI WORK_DIR SOURCE...\n");
        return 2;
    }
    if (!strcmp(argv[1], "--pair")) {
        exrqoi__codec_ctx pctx;
        exrqoi__codec_ctx_init(&pctx, NULL);
        int same = 0, total = 0;
        for (int i = 2; i + 1 < argc; i += 2) {
            int s0 = same, t0 = total;
            from_source(&pctx, argv[i], argv[i + 1], 0, &same, &total);
            printf("%s: %d of %d chunks identical\n", argv[i], same - s0, total - t0);
        }
        exrqoi__codec_ctx_free(&pctx);
        return g_fail ? 1 : 0;
    }
    if (system("ojph_expand >/dev/null 2>&1; command -v ojph_expand >/dev/null") != 0) {
        printf("ojph_expand not found: skipped\n");
        return 77;
    }
    if (!strcmp(argv[1], "--ours")) return ours_main(argc, argv);
    snprintf(g_work, sizeof g_work, "%s", argv[2]);
    mkdir(g_work, 0777);
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);

    static const char *const rgb[] = {"R", "G", "B", "A", "Z", "X"};
    static const char *const plain[] = {"Y", "a.u", "b", "c", "d", "e"};
    static const char *const named[] = {"beauty.blue", "beauty.Green", "beauty.RED", "alpha"};
    static const int sizes[][2] = {{1, 1}, {2, 2}, {3, 5}, {65, 3}, {17, 33}, {1000, 3}, {3, 300}, {129, 64}, {300, 256}};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
        for (int kind = 0; kind < 3; kind++)
            for (int nc = 1; nc <= 4; nc++) { /* ojph_expand 0.9 writes TIFF up to 4 */
                if (sizes[s][0] * sizes[s][1] > 10000 && nc != 3) continue;
                synthetic(&ctx, sizes[s][0], sizes[s][1], nc, nc == 3 || (nc == 4 && kind == 1) ? rgb : plain, kind);
            }
    synthetic(&ctx, 64, 32, 4, named, 1);

    int same = 0, total = 0;
    static const char *const files[] = {"Desk", "AllHalfValues", "Flowers", "Fog", "Bonita", "scan_1x1_zip",
                                        "scan_1000x3_zip", "scan_17x33_zip"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        for (int c = 0; c < 2; c++) {
            char path[8192];
            snprintf(path, sizeof path, "%s/corpus/htj2k/%s.htj2k%s.exr", argv[1], files[i], c ? "32" : "256");
            corpus_file(&ctx, path, &same, &total);
        }
    printf("corpus: %d of %d re-encoded chunks byte-identical to OpenEXR's (COM aside)\n", same, total);

    static const char *const sources[][2] = {{"Desk", "ScanLines/Desk.exr"},
                                             {"WideFloatRange", "TestImages/WideFloatRange.exr"},
                                             {"AllHalfValues", "TestImages/AllHalfValues.exr"},
                                             {"Flowers", "LuminanceChroma/Flowers.exr"},
                                             {"GoldenGate", "Tiles/GoldenGate.exr"},
                                             {"Bonita", "MultiResolution/Bonita.exr"},
                                             {"Fog", "MultiView/Fog.exr"}};
    same = total = 0;
    for (size_t i = 0; i < sizeof sources / sizeof sources[0]; i++)
        for (int c = 0; c < 2; c++) {
            char path[8192], src[8192];
            snprintf(path, sizeof path, "%s/corpus/htj2k/%s.htj2k%s.exr", argv[1], sources[i][0], c ? "32" : "256");
            snprintf(src, sizeof src, "%s/corpus/openexr-images/%s", argv[1], sources[i][1]);
            from_source(&ctx, path, src, 0, &same, &total);
        }
    printf("sources: %d of %d chunks encoded from the source samples byte-identical to OpenEXR's (COM aside)\n",
           same, total);
    exrqoi__codec_ctx_free(&ctx);
    if (g_fail) fprintf(stderr, "%d failures\n", g_fail);
    return g_fail ? 1 : 0;
}
