/*
 * HTJ2K codestream decoding (T.800 Annexes A, B, E, F, G with the HT
 * block coder of T.814): markers, tiles and tile-parts, packets with
 * their tag trees, code-block decoding, inverse wavelet, inverse colour
 * transform, DC level shift and the type-3 NLT.
 *
 * Supported: one quality layer (every HT encoder for lossless data writes
 * one), any progression order, precincts, tiles, COC/QCC/tile-header
 * overrides, SOP/EPH, subsampled components. Refused with a clear error:
 * the irreversible 9/7 path, quantisation, non-HT or mixed block coders,
 * POC, PPM/PPT, RGN, more than one layer.
 */
#include "codec/htj2k_dec.h"
#include "common/cpu.h"

#include <stdlib.h>

#define MAX_LEVELS 32
#define MAX_KMAX 48

/* ---- small helpers ------------------------------------------------------- */

static inline uint32_t ceil_div_u(uint64_t a, uint64_t d) { return (uint32_t)((a + d - 1) / d); }

/* ceil(a / 2^s) for possibly negative a */
static inline int64_t ceil_shift_s(int64_t a, unsigned s)
{
    int64_t d = (int64_t)1 << s;
    return a >= 0 ? (a + d - 1) / d : -((-a) / d);
}

static inline uint32_t floor_log2_u(uint32_t v) { return v ? 31u - (uint32_t)__builtin_clz(v) : 0u; }

/* ---- arena: the caller's workspace, then allocations beyond it --------- */

typedef struct arena_block {
    struct arena_block *next;
    max_align_t data[];
} arena_block;

typedef exrqoi__htj2k_ws arena;

static void *arena_get(arena *a, size_t size)
{
    size = (size + 63) & ~(size_t)63;
    if (!size) size = 64;
    void *p;
    if (a->cap - a->used >= size && a->base) {
        p = a->base + a->used;
        a->used += size;
    } else {
        arena_block *b = exrqoi__alloc(a->alloc, sizeof *b + size);
        if (!b) return NULL;
        b->next = a->blocks;
        a->blocks = b;
        a->over += size;
        p = b->data;
    }
    if (a->used + a->over > a->peak) a->peak = a->used + a->over;
    return p;
}

void exrqoi__htj2k_ws_release(exrqoi__htj2k_ws *ws)
{
    arena_block *b = ws->blocks;
    while (b) {
        arena_block *n = b->next;
        exrqoi__free(ws->alloc, b);
        b = n;
    }
    ws->blocks = NULL;
    ws->used = ws->over = 0;
}

/* ---- parameters --------------------------------------------------------- */

typedef struct comp_params {
    uint8_t levels, xcb, ycb, cb_style, transform;
    uint8_t pp[MAX_LEVELS + 1]; /* PPx | PPy << 4, per resolution */
    uint8_t qstyle, guard;
    uint16_t neps;
    uint8_t eps[3 * MAX_LEVELS + 1];
    uint8_t main_coc, main_qcc, tile_coc, tile_qcc; /* precedence */
} comp_params;

typedef struct coding {
    uint8_t order, mct, scod;
    uint16_t layers;
    bool have_cod, have_qcd;
    comp_params *cp; /* per component */
} coding;

typedef struct tile_seg {
    const uint8_t *p;
    size_t n;
} tile_seg;

typedef struct tile_info {
    tile_seg *segs;
    uint32_t nsegs, cap;
    coding *cod; /* NULL: the main header's */
    int next_part;
} tile_info;

typedef struct siz_comp {
    uint8_t depth, is_signed, xr, yr;
} siz_comp;

typedef struct dec {
    const exrqoi_allocator *alloc;
    exrqoi__err *err;
    arena *ar;     /* everything, a tile's part released after the tile */
    uint32_t X1, Y1, X0, Y0, XT, YT, XT0, YT0, ncomp;
    uint32_t ntx, nty;
    siz_comp *sc;
    uint8_t *nlt; /* per component: NLT type */
    coding main;
    tile_info *tiles;
    exrqoi__htj2k_image *img;
    exrqoi__htj2k_block_scratch *bs;
    uint8_t *narrow; /* per component: 32-bit coefficients (decide_widths) */
    int dwt_path;    /* exrqoi__kernels.htdwt */
    bool raw;        /* leave the DC level shift, NLT and (one tile) RCT to the caller */
    exrqoi__htj2k_rows_fn rows_fn; /* strips (decode_tile_in); NULL: none */
    void *rows_arg;
    struct cb_job *jobs; /* the tile's code-blocks, njobs of at most jobcap */
    size_t njobs, jobcap;
    bool defer; /* jobs wait for the wavelet (else jobs[0] runs at once) */
} dec;

#define CORRUPT(...) exrqoi__fail(d->err, EXRQOI_ERR_CORRUPT, __VA_ARGS__)
#define UNSUPPORTED(...) exrqoi__fail(d->err, EXRQOI_ERR_UNSUPPORTED, __VA_ARGS__)

static exrqoi_result oom(dec *d, size_t n)
{
    return exrqoi__fail(d->err, EXRQOI_ERR_OUT_OF_MEMORY, "HTJ2K: cannot allocate %zu bytes", n);
}

/* ---- marker segment reader ---------------------------------------------- */

typedef struct seg {
    const uint8_t *p;
    size_t n, pos;
    bool bad;
} seg;

static inline uint32_t rd8(seg *s)
{
    if (s->pos + 1 > s->n) {
        s->bad = true;
        return 0;
    }
    return s->p[s->pos++];
}
static inline uint32_t rd16(seg *s)
{
    uint32_t a = rd8(s);
    return a << 8 | rd8(s);
}
static inline uint32_t rd32(seg *s)
{
    uint32_t a = rd16(s);
    return a << 16 | rd16(s);
}

static const char *marker_name(uint32_t m)
{
    switch (m) {
    case EXRQOI__J2K_SIZ: return "SIZ";
    case EXRQOI__J2K_CAP: return "CAP";
    case EXRQOI__J2K_COD: return "COD";
    case EXRQOI__J2K_COC: return "COC";
    case EXRQOI__J2K_QCD: return "QCD";
    case EXRQOI__J2K_QCC: return "QCC";
    case EXRQOI__J2K_NLT: return "NLT";
    case EXRQOI__J2K_SOT: return "SOT";
    default: return "marker";
    }
}

static exrqoi_result seg_end(dec *d, seg *s, uint32_t marker)
{
    if (s->bad || s->pos != s->n)
        return CORRUPT("HTJ2K %s marker segment: length %zu does not match its content", marker_name(marker),
                       s->n + 2);
    return EXRQOI_OK;
}

/* ---- SIZ, COD/COC, QCD/QCC, NLT, CAP ------------------------------------- */

static exrqoi_result parse_siz(dec *d, seg *s, uint64_t max_samples)
{
    (void)rd16(s); /* Rsiz: capabilities, checked through CAP/COD */
    d->X1 = rd32(s);
    d->Y1 = rd32(s);
    d->X0 = rd32(s);
    d->Y0 = rd32(s);
    d->XT = rd32(s);
    d->YT = rd32(s);
    d->XT0 = rd32(s);
    d->YT0 = rd32(s);
    d->ncomp = rd16(s);
    if (s->bad) return CORRUPT("HTJ2K SIZ marker segment is truncated");
    if (d->ncomp < 1 || d->ncomp > EXRQOI__HTJ2K_MAX_COMPONENTS)
        return CORRUPT("HTJ2K SIZ: %u components", d->ncomp);
    if (d->X1 <= d->X0 || d->Y1 <= d->Y0)
        return CORRUPT("HTJ2K SIZ: empty image area (%u,%u)-(%u,%u)", d->X0, d->Y0, d->X1, d->Y1);
    if (d->XT == 0 || d->YT == 0 || d->XT0 > d->X0 || d->YT0 > d->Y0 || (uint64_t)d->XT0 + d->XT <= d->X0 ||
        (uint64_t)d->YT0 + d->YT <= d->Y0)
        return CORRUPT("HTJ2K SIZ: invalid tiling %ux%u at (%u,%u)", d->XT, d->YT, d->XT0, d->YT0);
    d->ntx = ceil_div_u((uint64_t)d->X1 - d->XT0, d->XT);
    d->nty = ceil_div_u((uint64_t)d->Y1 - d->YT0, d->YT);
    if ((uint64_t)d->ntx * d->nty > 65535)
        return CORRUPT("HTJ2K SIZ: %ux%u tiles", d->ntx, d->nty);
    d->sc = arena_get(d->ar, sizeof *d->sc * d->ncomp);
    d->nlt = arena_get(d->ar, d->ncomp);
    if (!d->sc || !d->nlt) return oom(d, sizeof *d->sc * d->ncomp);
    memset(d->nlt, 0, d->ncomp);
    uint64_t total = 0;
    for (uint32_t c = 0; c < d->ncomp; c++) {
        uint32_t ss = rd8(s);
        d->sc[c].depth = (uint8_t)((ss & 0x7F) + 1);
        d->sc[c].is_signed = (uint8_t)(ss >> 7);
        d->sc[c].xr = (uint8_t)rd8(s);
        d->sc[c].yr = (uint8_t)rd8(s);
        if (s->bad) break;
        if (d->sc[c].depth > 38)
            return CORRUPT("HTJ2K SIZ: component %u has %u bits per sample", c, d->sc[c].depth);
        if (!d->sc[c].xr || !d->sc[c].yr)
            return CORRUPT("HTJ2K SIZ: component %u has sampling 0", c);
        uint64_t w = ceil_div_u(d->X1, d->sc[c].xr) - ceil_div_u(d->X0, d->sc[c].xr);
        uint64_t h = ceil_div_u(d->Y1, d->sc[c].yr) - ceil_div_u(d->Y0, d->sc[c].yr);
        total += w * h;
        if (total > max_samples)
            return exrqoi__fail(d->err, EXRQOI_ERR_LIMIT,
                                "HTJ2K SIZ: the image holds more than %llu samples",
                                (unsigned long long)max_samples);
    }
    EXRQOI_TRY(seg_end(d, s, EXRQOI__J2K_SIZ));
    d->main.cp = arena_get(d->ar, sizeof *d->main.cp * d->ncomp);
    if (!d->main.cp) return oom(d, sizeof *d->main.cp * d->ncomp);
    memset(d->main.cp, 0, sizeof *d->main.cp * d->ncomp);
    return EXRQOI_OK;
}

/* SPcod / SPcoc */
static exrqoi_result parse_spcod(dec *d, seg *s, bool precincts, comp_params *out)
{
    comp_params t = *out;
    t.levels = (uint8_t)rd8(s);
    t.xcb = (uint8_t)(rd8(s) + 2);
    t.ycb = (uint8_t)(rd8(s) + 2);
    t.cb_style = (uint8_t)rd8(s);
    t.transform = (uint8_t)rd8(s);
    if (s->bad) return CORRUPT("HTJ2K COD/COC marker segment is truncated");
    if (t.levels > MAX_LEVELS) return CORRUPT("HTJ2K COD/COC: %u decomposition levels", t.levels);
    if (t.xcb > 10 || t.ycb > 10 || t.xcb + t.ycb > 12)
        return CORRUPT("HTJ2K COD/COC: code-blocks of 2^%u x 2^%u", t.xcb, t.ycb);
    if (!(t.cb_style & 0x40))
        return UNSUPPORTED("HTJ2K COD/COC: the codestream uses the JPEG 2000 Part 1 block coder, not HT");
    if (t.cb_style & 0x80) return UNSUPPORTED("HTJ2K COD/COC: mixed HT and Part 1 code-blocks");
    if (t.transform != 1) {
        if (t.transform == 0)
            return UNSUPPORTED("HTJ2K: irreversible (9/7 wavelet) codestreams are not supported; "
                               "OpenEXR's HTJ2K is lossless");
        return UNSUPPORTED("HTJ2K COD/COC: wavelet transform %u", t.transform);
    }
    for (uint32_t r = 0; r <= t.levels; r++) {
        uint32_t v = precincts ? rd8(s) : 0xFF;
        if (precincts && r > 0 && ((v & 15) == 0 || (v >> 4) == 0))
            return CORRUPT("HTJ2K COD/COC: precinct exponent 0 at resolution %u", r);
        t.pp[r] = (uint8_t)(precincts ? v : 0xFF);
    }
    if (s->bad) return CORRUPT("HTJ2K COD/COC marker segment is truncated");
    *out = t;
    return EXRQOI_OK;
}

static exrqoi_result parse_cod(dec *d, seg *s, coding *cd, bool tile)
{
    uint32_t scod = rd8(s);
    cd->order = (uint8_t)rd8(s);
    cd->layers = (uint16_t)rd16(s);
    cd->mct = (uint8_t)rd8(s);
    cd->scod = (uint8_t)scod;
    if (s->bad) return CORRUPT("HTJ2K COD marker segment is truncated");
    if (scod & ~7u) return CORRUPT("HTJ2K COD: coding style 0x%02x", scod);
    if (cd->order > 4) return CORRUPT("HTJ2K COD: progression order %u", cd->order);
    if (cd->layers == 0) return CORRUPT("HTJ2K COD: zero quality layers");
    if (cd->layers > 1) return UNSUPPORTED("HTJ2K COD: %u quality layers (only one is supported)", cd->layers);
    if (cd->mct > 1) return UNSUPPORTED("HTJ2K COD: multiple component transform %u", cd->mct);
    comp_params t;
    memset(&t, 0, sizeof t);
    EXRQOI_TRY(parse_spcod(d, s, scod & 1, &t));
    EXRQOI_TRY(seg_end(d, s, EXRQOI__J2K_COD));
    for (uint32_t c = 0; c < d->ncomp; c++) {
        comp_params *p = &cd->cp[c];
        if (tile ? p->tile_coc : p->main_coc) continue;
        uint8_t keep[4] = {p->main_coc, p->main_qcc, p->tile_coc, p->tile_qcc};
        uint8_t qs = p->qstyle, g = p->guard;
        uint16_t ne = p->neps;
        uint8_t eps[sizeof p->eps];
        memcpy(eps, p->eps, sizeof eps);
        *p = t;
        p->main_coc = keep[0], p->main_qcc = keep[1], p->tile_coc = keep[2], p->tile_qcc = keep[3];
        p->qstyle = qs, p->guard = g, p->neps = ne;
        memcpy(p->eps, eps, sizeof eps);
    }
    cd->have_cod = true;
    return EXRQOI_OK;
}

static exrqoi_result read_comp_index(dec *d, seg *s, uint32_t *c)
{
    *c = d->ncomp < 257 ? rd8(s) : rd16(s);
    if (s->bad) return CORRUPT("HTJ2K marker segment is truncated");
    if (*c >= d->ncomp) return CORRUPT("HTJ2K: marker for component %u of %u", *c, d->ncomp);
    return EXRQOI_OK;
}

static exrqoi_result parse_coc(dec *d, seg *s, coding *cd, bool tile)
{
    uint32_t c;
    EXRQOI_TRY(read_comp_index(d, s, &c));
    uint32_t scoc = rd8(s);
    comp_params *p = &cd->cp[c];
    comp_params t = *p;
    EXRQOI_TRY(parse_spcod(d, s, scoc & 1, &t));
    EXRQOI_TRY(seg_end(d, s, EXRQOI__J2K_COC));
    *p = t;
    if (tile)
        p->tile_coc = 1;
    else
        p->main_coc = 1;
    return EXRQOI_OK;
}

static exrqoi_result parse_quant(dec *d, seg *s, comp_params *t, uint32_t marker)
{
    uint32_t sq = rd8(s);
    t->guard = (uint8_t)(sq >> 5);
    t->qstyle = (uint8_t)(sq & 0x1F);
    if (s->bad) return CORRUPT("HTJ2K %s marker segment is truncated", marker_name(marker));
    if (t->qstyle != 0) {
        if (t->qstyle == 1 || t->qstyle == 2)
            return UNSUPPORTED("HTJ2K %s: quantised (irreversible) codestreams are not supported",
                               marker_name(marker));
        return CORRUPT("HTJ2K %s: quantisation style %u", marker_name(marker), t->qstyle);
    }
    size_t n = s->n - s->pos;
    if (n > sizeof t->eps) return CORRUPT("HTJ2K %s: %zu subband exponents", marker_name(marker), n);
    t->neps = (uint16_t)n;
    for (size_t i = 0; i < n; i++) t->eps[i] = (uint8_t)(rd8(s) >> 3);
    return seg_end(d, s, marker);
}

static void apply_quant(comp_params *p, const comp_params *q)
{
    p->guard = q->guard;
    p->qstyle = q->qstyle;
    p->neps = q->neps;
    memcpy(p->eps, q->eps, sizeof p->eps);
}

static exrqoi_result parse_qcd(dec *d, seg *s, coding *cd, bool tile)
{
    comp_params t;
    memset(&t, 0, sizeof t);
    EXRQOI_TRY(parse_quant(d, s, &t, EXRQOI__J2K_QCD));
    for (uint32_t c = 0; c < d->ncomp; c++) {
        comp_params *p = &cd->cp[c];
        if (tile ? p->tile_qcc : p->main_qcc) continue;
        apply_quant(p, &t);
    }
    cd->have_qcd = true;
    return EXRQOI_OK;
}

static exrqoi_result parse_qcc(dec *d, seg *s, coding *cd, bool tile)
{
    uint32_t c;
    EXRQOI_TRY(read_comp_index(d, s, &c));
    comp_params t;
    memset(&t, 0, sizeof t);
    EXRQOI_TRY(parse_quant(d, s, &t, EXRQOI__J2K_QCC));
    apply_quant(&cd->cp[c], &t);
    if (tile)
        cd->cp[c].tile_qcc = 1;
    else
        cd->cp[c].main_qcc = 1;
    return EXRQOI_OK;
}

static exrqoi_result parse_nlt(dec *d, seg *s)
{
    uint32_t c = rd16(s);
    uint32_t bd = rd8(s);
    uint32_t type = rd8(s);
    if (s->bad) return CORRUPT("HTJ2K NLT marker segment is truncated");
    if (type != 0 && type != EXRQOI__J2K_NLT_BINARY_COMPLEMENT)
        return UNSUPPORTED("HTJ2K NLT: non-linearity type %u", type);
    EXRQOI_TRY(seg_end(d, s, EXRQOI__J2K_NLT));
    uint32_t first = c, last = c;
    if (c == 0xFFFF) {
        first = 0;
        last = d->ncomp - 1;
    } else if (c >= d->ncomp) {
        return CORRUPT("HTJ2K NLT for component %u of %u", c, d->ncomp);
    }
    for (uint32_t i = first; i <= last; i++) {
        if (type && ((bd & 0x7F) + 1 != d->sc[i].depth || (bd >> 7) != d->sc[i].is_signed))
            return CORRUPT("HTJ2K NLT: component %u is %u-bit %s in NLT, %u-bit %s in SIZ", i, (bd & 0x7F) + 1,
                           (bd >> 7) ? "signed" : "unsigned", d->sc[i].depth,
                           d->sc[i].is_signed ? "signed" : "unsigned");
        d->nlt[i] = (uint8_t)type;
    }
    return EXRQOI_OK;
}

/* Handles one marker segment of a main or tile-part header. */
static exrqoi_result header_marker(dec *d, uint32_t m, seg *s, coding *cd, bool tile)
{
    switch (m) {
    case EXRQOI__J2K_COD: return parse_cod(d, s, cd, tile);
    case EXRQOI__J2K_COC: return parse_coc(d, s, cd, tile);
    case EXRQOI__J2K_QCD: return parse_qcd(d, s, cd, tile);
    case EXRQOI__J2K_QCC: return parse_qcc(d, s, cd, tile);
    case EXRQOI__J2K_NLT:
        if (tile) return UNSUPPORTED("HTJ2K: NLT marker in a tile-part header");
        return parse_nlt(d, s);
    case EXRQOI__J2K_CAP:
    case EXRQOI__J2K_COM:
    case EXRQOI__J2K_TLM:
    case EXRQOI__J2K_PLM:
    case EXRQOI__J2K_PLT:
    case EXRQOI__J2K_CRG:
    case EXRQOI__J2K_CPF: return EXRQOI_OK; /* informative */
    case EXRQOI__J2K_POC: return UNSUPPORTED("HTJ2K: progression order changes (POC)");
    case EXRQOI__J2K_PPM:
    case EXRQOI__J2K_PPT: return UNSUPPORTED("HTJ2K: packed packet headers (PPM/PPT)");
    case EXRQOI__J2K_RGN: return UNSUPPORTED("HTJ2K: region of interest (RGN)");
    default:
        if (m >= 0xFF30 && m <= 0xFF3F) return EXRQOI_OK; /* reserved, no segment expected but skip */
        return CORRUPT("HTJ2K: unexpected marker 0x%04X in a %s header", m, tile ? "tile-part" : "main");
    }
}

/* ---- packet header bits (B.10.1: a 0 bit stuffed after 0xFF) ------------ */

typedef struct hdr_bits {
    const uint8_t *p, *end;
    uint32_t cur;
    int n;
    bool ff, bad;
} hdr_bits;

static inline uint32_t hbit(hdr_bits *h)
{
    if (!h->n) {
        if (h->p >= h->end) {
            h->bad = true;
            return 0;
        }
        h->cur = *h->p++;
        h->n = h->ff ? 7 : 8;
        h->ff = h->cur == 0xFF;
    }
    h->n--;
    return (h->cur >> h->n) & 1;
}

/* The next byte into cur when all its bits are used; false (and bad) at
 * the end of the data. */
static inline bool hfill(hdr_bits *h)
{
    if (h->n) return true;
    if (h->p >= h->end) {
        h->bad = true;
        return false;
    }
    h->cur = *h->p++;
    h->n = h->ff ? 7 : 8;
    h->ff = h->cur == 0xFF;
    return true;
}

/* k bits, MSB first, taken from the current byte as many at a time as it
 * has; past the end the missing bits read as 0 (as hbit's). */
static inline uint32_t hbits(hdr_bits *h, uint32_t k)
{
    uint32_t v = 0;
    while (k) {
        if (!hfill(h)) return k >= 32 ? 0 : v << k;
        const uint32_t t = k < (uint32_t)h->n ? k : (uint32_t)h->n;
        h->n -= (int)t;
        v = v << t | ((h->cur >> h->n) & ((1u << t) - 1));
        k -= t;
    }
    return v;
}

/* A unary run: reads 0 bits up to `max` of them, stopping after the first
 * 1 bit (*one set); returns the zeros read. A byte at a time: the zeros
 * before a 1 counted with clz. Bit for bit what hbit in a loop reads. */
static inline uint32_t hzeros(hdr_bits *h, uint32_t max, bool *one)
{
    uint32_t z = 0;
    *one = false;
    while (z < max) {
        if (!hfill(h)) return z;
        const uint32_t n = (uint32_t)h->n, bits = h->cur & ((1u << n) - 1); /* the unread bits */
        const uint32_t lz = bits ? (uint32_t)__builtin_clz(bits) - (32u - n) : n;
        if (lz >= max - z) {
            h->n -= (int)(max - z);
            return max;
        }
        if (bits) {
            h->n -= (int)(lz + 1);
            *one = true;
            return z + lz;
        }
        h->n = 0;
        z += n;
    }
    return z;
}

/* ---- tag trees (B.10.2) ------------------------------------------------- */

/* A node is one byte: its lower bound (the limits decoded are at most
 * 80, below TT_KNOWN) and TT_KNOWN once its value is decoded. */
#define TT_KNOWN 0x80u

typedef struct tagtree {
    uint32_t nlev;
    uint32_t w[34];
    uint32_t off[34];
    uint8_t *node;
} tagtree;

static bool tt_init(arena *a, tagtree *t, uint32_t w, uint32_t h)
{
    uint32_t total = 0, l = 0;
    for (;;) {
        t->w[l] = w;
        t->off[l] = total;
        total += w * h;
        l++;
        if (w == 1 && h == 1) break;
        w = (w + 1) / 2;
        h = (h + 1) / 2;
    }
    t->nlev = l;
    t->node = arena_get(a, total);
    if (!t->node) return false;
    memset(t->node, 0, total);
    return true;
}

/* Decodes leaf (x, y) up to `limit` (< TT_KNOWN): returns its value if
 * below limit, else limit. */
static uint32_t tt_decode(tagtree *t, hdr_bits *hb, uint32_t x, uint32_t y, uint32_t limit)
{
    uint32_t low = 0, known = 0;
    for (uint32_t l = t->nlev; l-- > 0;) {
        uint8_t *n = &t->node[t->off[l] + (y >> l) * t->w[l] + (x >> l)];
        uint32_t v = *n & ~TT_KNOWN;
        known = *n & TT_KNOWN;
        if (v < low) v = low;
        if (!known && v < limit) {
            /* 0 bits raise the lower bound, a 1 bit says it is the value */
            bool one;
            v += hzeros(hb, limit - v, &one);
            known = one ? TT_KNOWN : 0;
        }
        *n = (uint8_t)(v | known);
        if (hb->bad) return limit;
        low = v;
    }
    return known && low < limit ? low : limit;
}

/* ---- tile geometry ------------------------------------------------------ */

typedef struct band {
    uint32_t x0, y0, x1, y1;
    uint8_t type; /* 0 LL, 1 HL, 2 LH, 3 HH */
    uint8_t kmax;
    void *coef; /* int32_t or int64_t (tilecomp.narrow), pitch x1 - x0 */
} band;

typedef struct resolution {
    uint32_t x0, y0, x1, y1;
    uint32_t nbands;
    band b[3];
    uint8_t ppx, ppy, cbw, cbh;
    uint32_t npx, npy; /* precincts */
    uint32_t px0, py0; /* index of the first precinct: floor(x0 / 2^ppx) */
} resolution;

typedef struct tilecomp {
    uint32_t x0, y0, x1, y1;
    uint32_t levels;
    bool narrow; /* int32_t coefficients */
    const comp_params *cp;
    resolution res[MAX_LEVELS + 1];
    size_t first_job, last_job; /* its code-blocks (cb_job.next), NO_JOB: none */
} tilecomp;

/* A code-block read from a packet header, decoded (or, without data,
 * zeroed) only when the wavelet is about to read it, so that its
 * coefficients are still in cache then: packets interleave components
 * and resolutions, the synthesis goes component by component. */
/* What a packet says of one code-block: its rectangle and its passes. */
typedef struct cb_desc {
    uint32_t x0, y0, x1, y1; /* in band coordinates */
    uint32_t len1, len2, passes, missing;
} cb_desc;

typedef struct cb_job {
    const uint8_t *data; /* len1 + len2 bytes checked against the tile data */
    band *B;
    size_t next;
    cb_desc k;
    uint8_t r;
    bool done;
} cb_job;

#define NO_JOB SIZE_MAX

typedef struct packet {
    uint64_t key[4];
    uint32_t c, r, k;
} packet;

static int packet_cmp(const void *a, const void *b)
{
    const packet *p = a, *q = b;
    for (int i = 0; i < 4; i++)
        if (p->key[i] != q->key[i]) return p->key[i] < q->key[i] ? -1 : 1;
    return 0;
}

static exrqoi_result setup_tilecomp(dec *d, tilecomp *tc, uint32_t c, const comp_params *cp, uint32_t tx0,
                                    uint32_t ty0, uint32_t tx1, uint32_t ty1)
{
    const siz_comp *sc = &d->sc[c];
    tc->x0 = ceil_div_u(tx0, sc->xr);
    tc->y0 = ceil_div_u(ty0, sc->yr);
    tc->x1 = ceil_div_u(tx1, sc->xr);
    tc->y1 = ceil_div_u(ty1, sc->yr);
    tc->levels = cp->levels;
    tc->cp = cp;
    tc->narrow = d->narrow[c] != 0;
    const size_t esz = tc->narrow ? sizeof(int32_t) : sizeof(int64_t);
    const uint32_t NL = cp->levels;
    if (cp->neps < 3 * NL + 1)
        return CORRUPT("HTJ2K QCD/QCC: %u subband exponents for %u levels (component %u)", cp->neps, NL, c);
    for (uint32_t r = 0; r <= NL; r++) {
        resolution *R = &tc->res[r];
        const unsigned sh = NL - r;
        R->x0 = (uint32_t)ceil_shift_s(tc->x0, sh);
        R->y0 = (uint32_t)ceil_shift_s(tc->y0, sh);
        R->x1 = (uint32_t)ceil_shift_s(tc->x1, sh);
        R->y1 = (uint32_t)ceil_shift_s(tc->y1, sh);
        R->ppx = cp->pp[r] & 15;
        R->ppy = cp->pp[r] >> 4;
        uint32_t cw = r ? (uint32_t)R->ppx - 1 : R->ppx, ch = r ? (uint32_t)R->ppy - 1 : R->ppy;
        R->cbw = (uint8_t)(cp->xcb < cw ? cp->xcb : cw);
        R->cbh = (uint8_t)(cp->ycb < ch ? cp->ycb : ch);
        R->px0 = R->x0 >> R->ppx;
        R->py0 = R->y0 >> R->ppy;
        R->npx = R->x1 > R->x0 ? (uint32_t)(((uint64_t)R->x1 + ((uint64_t)1 << R->ppx) - 1) >> R->ppx) - R->px0 : 0;
        R->npy = R->y1 > R->y0 ? (uint32_t)(((uint64_t)R->y1 + ((uint64_t)1 << R->ppy) - 1) >> R->ppy) - R->py0 : 0;
        if (R->x1 <= R->x0 || R->y1 <= R->y0) R->npx = R->npy = 0;
        R->nbands = r ? 3 : 1;
        for (uint32_t i = 0; i < R->nbands; i++) {
            band *B = &R->b[i];
            B->type = (uint8_t)(r ? i + 1 : 0);
            const unsigned nb = r ? NL - r + 1 : NL;
            const int64_t xo = (B->type & 1) ? 1 : 0, yo = (B->type & 2) ? 1 : 0;
            const int64_t half = nb ? (int64_t)1 << (nb - 1) : 0;
            B->x0 = (uint32_t)ceil_shift_s((int64_t)tc->x0 - half * xo, nb);
            B->y0 = (uint32_t)ceil_shift_s((int64_t)tc->y0 - half * yo, nb);
            B->x1 = (uint32_t)ceil_shift_s((int64_t)tc->x1 - half * xo, nb);
            B->y1 = (uint32_t)ceil_shift_s((int64_t)tc->y1 - half * yo, nb);
            const uint32_t qi = r ? 1 + 3 * (r - 1) + i : 0;
            const uint32_t kmax = (uint32_t)cp->guard + cp->eps[qi];
            if (kmax < 2 || kmax - 1 > MAX_KMAX)
                return CORRUPT("HTJ2K: %u magnitude bit-planes in a subband of component %u", kmax - 1, c);
            B->kmax = (uint8_t)(kmax - 1);
            const size_t n = (size_t)(B->x1 - B->x0) * (B->y1 - B->y0);
            /* every code-block is decoded or zeroed by its packet */
            B->coef = arena_get(d->ar, n * esz);
            if (!B->coef) return oom(d, n * esz);
        }
    }
    return EXRQOI_OK;
}

/* Where a precinct starts on the reference grid (B.12.1.3), saturating. */
static uint64_t precinct_origin(uint32_t t0, uint32_t idx, uint32_t pp, uint32_t sub, uint32_t shift)
{
    uint64_t m = idx;
    uint32_t s = pp + shift;
    uint64_t v = m * sub; /* < 2^40 */
    if (v && (s >= 64 || v > (UINT64_MAX >> 1 >> s)))
        v = UINT64_MAX >> 1;
    else
        v <<= s;
    return v > t0 ? v : t0;
}

/* ---- one packet --------------------------------------------------------- */

/* Code-block (gx, gy) of the band's grid, clipped to the band. */
static void cb_rect(const band *B, const resolution *R, uint32_t gx, uint32_t gy, uint32_t *x0, uint32_t *y0,
                    uint32_t *x1, uint32_t *y1)
{
    const uint64_t bx = (uint64_t)gx << R->cbw, by = (uint64_t)gy << R->cbh;
    const uint64_t ex = bx + ((uint64_t)1 << R->cbw), ey = by + ((uint64_t)1 << R->cbh);
    *x0 = (uint32_t)(bx > B->x0 ? bx : B->x0);
    *y0 = (uint32_t)(by > B->y0 ? by : B->y0);
    *x1 = (uint32_t)(ex < B->x1 ? ex : B->x1);
    *y1 = (uint32_t)(ey < B->y1 ? ey : B->y1);
}

/* A code-block of component tc, resolution r, to decode later (run_jobs)
 * or, without d->defer, at once (submit_job); one per cell of a band's
 * code-block grid (count_jobs). */
static cb_job *add_job(dec *d, tilecomp *tc, uint32_t r, band *B)
{
    if (d->njobs >= d->jobcap) return NULL;
    const size_t i = d->defer ? d->njobs++ : 0;
    cb_job *j = &d->jobs[i];
    memset(j, 0, sizeof *j);
    j->B = B;
    j->r = (uint8_t)r;
    j->next = NO_JOB;
    if (!d->defer) return j;
    if (tc->last_job == NO_JOB)
        tc->first_job = i;
    else
        d->jobs[tc->last_job].next = i;
    tc->last_job = i;
    return j;
}

static exrqoi_result run_job(dec *d, tilecomp *tc, cb_job *j);

/* Without d->defer, the code-block add_job gave is decoded now. */
static exrqoi_result submit_job(dec *d, tilecomp *tc, cb_job *j) { return d->defer ? EXRQOI_OK : run_job(d, tc, j); }

/* A code-block without data: zeros. */
static exrqoi_result zero_cb(dec *d, tilecomp *tc, uint32_t r, band *B, uint32_t gx, uint32_t gy)
{
    cb_job *j = add_job(d, tc, r, B);
    if (!j) return CORRUPT("HTJ2K: more code-blocks than the tile's bands hold");
    cb_rect(B, &tc->res[r], gx, gy, &j->k.x0, &j->k.y0, &j->k.x1, &j->k.y1);
    return submit_job(d, tc, j);
}

/* Cells of the code-block grids of every band of the tile's components:
 * each is in one precinct, so one packet lists it once. */
static uint64_t count_jobs(const tilecomp *tcs, uint32_t ncomp)
{
    uint64_t n = 0;
    for (uint32_t c = 0; c < ncomp; c++)
        for (uint32_t r = 0; r <= tcs[c].levels; r++) {
            const resolution *R = &tcs[c].res[r];
            for (uint32_t i = 0; i < R->nbands; i++) {
                const band *B = &R->b[i];
                if (B->x1 <= B->x0 || B->y1 <= B->y0) continue;
                const uint64_t nx = ((B->x1 - 1u) >> R->cbw) - (B->x0 >> R->cbw) + 1u;
                const uint64_t ny = ((B->y1 - 1u) >> R->cbh) - (B->y0 >> R->cbh) + 1u;
                n += nx * ny;
            }
        }
    return n;
}

/* Decodes (or zeroes) one code-block. */
static exrqoi_result run_job(dec *d, tilecomp *tc, cb_job *j)
{
    const size_t esz = tc->narrow ? sizeof(int32_t) : sizeof(int64_t);
    j->done = true;
    band *B = j->B;
    const size_t pitch = B->x1 - B->x0;
    const size_t at = (size_t)(j->k.y0 - B->y0) * pitch + (j->k.x0 - B->x0);
    const uint32_t w = j->k.x1 - j->k.x0, h = j->k.y1 - j->k.y0;
    if (!j->k.len1 && !j->k.len2) {
        for (uint32_t y = 0; y < h; y++) memset((uint8_t *)B->coef + (at + (size_t)y * pitch) * esz, 0, w * esz);
        return EXRQOI_OK;
    }
    exrqoi__htj2k_cblk cb;
    cb.data = j->data;
    cb.len_cup = j->k.len1;
    cb.len_ref = j->k.len2;
    cb.passes = j->k.passes;
    cb.missing = j->k.missing;
    cb.p = B->kmax - 1 - j->k.missing;
    cb.width = w;
    cb.height = h;
    cb.stripe_causal = (tc->cp->cb_style & 0x08) != 0;
    if (tc->narrow)
        return exrqoi__htj2k_decode_block32_path(d->bs, &cb, (int32_t *)B->coef + at, pitch, d->err, d->dwt_path);
    return exrqoi__htj2k_decode_block(d->bs, &cb, (int64_t *)B->coef + at, pitch, d->err);
}

/* Asks for a code-block's bytes (the first 4 KiB, and the end of its
 * cleanup segment, where MEL and VLC start) before it runs (run_jobs: two
 * blocks ahead): jobs run in the wavelet's order, not the tile data's, so
 * the hardware prefetchers do not follow them, and a block's first read
 * (its last cleanup bytes) missed the cache. */
static void prefetch_job(const cb_job *j)
{
#if defined(__GNUC__) || defined(__clang__)
    const size_t n = (size_t)j->k.len1 + j->k.len2;
    for (size_t k = 0; k < n && k < 4096; k += 64) __builtin_prefetch(j->data + k);
    if (j->k.len1) __builtin_prefetch(j->data + j->k.len1 - 1);
#else
    (void)j;
#endif
}

/* Decodes (or zeroes) component tc's pending code-blocks of resolutions
 * below rmax, and those of resolution rmax that start above band row
 * ymax (band coordinates); the rest stay pending. */
static exrqoi_result run_jobs(dec *d, tilecomp *tc, uint32_t rmax, uint32_t ymax)
{
    if (!d->defer) return EXRQOI_OK;
    cb_job *due[2] = {NULL, NULL}; /* run once the next two's bytes are asked for */
    for (size_t i = tc->first_job; i != NO_JOB; i = d->jobs[i].next) {
        cb_job *j = &d->jobs[i];
        if (j->done || j->r > rmax || (j->r == rmax && j->k.y0 >= ymax)) continue;
        prefetch_job(j);
        if (due[0]) EXRQOI_TRY(run_job(d, tc, due[0]));
        due[0] = due[1];
        due[1] = j;
    }
    if (due[0]) EXRQOI_TRY(run_job(d, tc, due[0]));
    return due[1] ? run_job(d, tc, due[1]) : EXRQOI_OK;
}

typedef struct cb_rec {
    cb_desc k;
    uint8_t bi;
} cb_rec;

static exrqoi_result read_packet_in(dec *d, tilecomp *tc, uint32_t r, uint32_t k, const coding *cd,
                                    const uint8_t **pp, const uint8_t *end, uint32_t c)
{
    resolution *R = &tc->res[r];
    const uint32_t pxi = k % R->npx, pyi = k / R->npx;
    const uint8_t *p = *pp;
    if ((cd->scod & 2) && end - p >= 6 && p[0] == 0xFF && p[1] == 0x91) p += 6; /* SOP */

    /* code-block ranges of this precinct in each band */
    uint32_t cbx0[3], cby0[3], cbx1[3], cby1[3];
    size_t ncb = 0;
    for (uint32_t i = 0; i < R->nbands; i++) {
        const band *B = &R->b[i];
        const unsigned ex = r ? R->ppx - 1u : R->ppx, ey = r ? R->ppy - 1u : R->ppy;
        uint64_t ox = (uint64_t)(R->px0 + pxi) << ex, oy = (uint64_t)(R->py0 + pyi) << ey;
        uint64_t rx0 = ox > B->x0 ? ox : B->x0, ry0 = oy > B->y0 ? oy : B->y0;
        uint64_t rx1 = ox + ((uint64_t)1 << ex), ry1 = oy + ((uint64_t)1 << ey);
        if (rx1 > B->x1) rx1 = B->x1;
        if (ry1 > B->y1) ry1 = B->y1;
        if (rx1 <= rx0 || ry1 <= ry0) {
            cbx0[i] = cbx1[i] = cby0[i] = cby1[i] = 0;
            continue;
        }
        cbx0[i] = (uint32_t)(rx0 >> R->cbw);
        cby0[i] = (uint32_t)(ry0 >> R->cbh);
        cbx1[i] = (uint32_t)((rx1 + ((uint64_t)1 << R->cbw) - 1) >> R->cbw);
        cby1[i] = (uint32_t)((ry1 + ((uint64_t)1 << R->cbh) - 1) >> R->cbh);
        ncb += (size_t)(cbx1[i] - cbx0[i]) * (cby1[i] - cby0[i]);
    }

    hdr_bits hb = {p, end, 0, 0, false, false};
    cb_rec *recs = NULL;
    size_t nrec = 0;
    if (!hbit(&hb)) { /* empty packet */
        for (uint32_t i = 0; i < R->nbands; i++)
            for (uint32_t y = cby0[i]; y < cby1[i]; y++)
                for (uint32_t x = cbx0[i]; x < cbx1[i]; x++) EXRQOI_TRY(zero_cb(d, tc, r, &R->b[i], x, y));
    } else {
        recs = arena_get(d->ar, sizeof *recs * (ncb ? ncb : 1));
        if (!recs) return oom(d, sizeof *recs * ncb);
        for (uint32_t i = 0; i < R->nbands; i++) {
            const uint32_t nw = cbx1[i] - cbx0[i], nh = cby1[i] - cby0[i];
            if (!nw || !nh) continue;
            band *B = &R->b[i];
            tagtree inc, zbp;
            if (!tt_init(d->ar, &inc, nw, nh) || !tt_init(d->ar, &zbp, nw, nh))
                return oom(d, (size_t)nw * nh * 6);
            for (uint32_t y = 0; y < nh; y++)
                for (uint32_t x = 0; x < nw; x++) {
                    if (tt_decode(&inc, &hb, x, y, 1) != 0) { /* not included */
                        EXRQOI_TRY(zero_cb(d, tc, r, B, cbx0[i] + x, cby0[i] + y));
                        continue;
                    }
                    uint32_t z = tt_decode(&zbp, &hb, x, y, 80);
                    if (hb.bad) break;
                    if (z >= 80) return CORRUPT("HTJ2K packet header: zero bit-planes beyond 80");
                    /* number of coding passes (Table B.4) */
                    uint32_t passes = 1;
                    if (hbit(&hb)) {
                        passes = 2;
                        if (hbit(&hb)) {
                            uint32_t v = hbits(&hb, 2);
                            passes = 3 + v;
                            if (v == 3) {
                                v = hbits(&hb, 5);
                                passes = 6 + v;
                                if (v == 31) passes = 37 + hbits(&hb, 7);
                            }
                        }
                    }
                    uint32_t lblock = 3;
                    while (hbit(&hb) && !hb.bad) lblock++;
                    if (lblock > 32) return CORRUPT("HTJ2K packet header: Lblock %u", lblock);
                    const uint32_t phld = (passes - 1) / 3;
                    const uint32_t rest = passes - 3 * phld;
                    uint32_t bits = lblock + floor_log2_u(3 * phld + 1);
                    if (bits > 32) return CORRUPT("HTJ2K packet header: %u-bit segment length", bits);
                    cb_rec *cr = &recs[nrec++];
                    cr->k.len1 = hbits(&hb, bits);
                    cr->k.len2 = 0;
                    if (rest > 1) {
                        bits = lblock + (rest > 2 ? 1 : 0);
                        if (bits > 32) return CORRUPT("HTJ2K packet header: %u-bit segment length", bits);
                        cr->k.len2 = hbits(&hb, bits);
                    }
                    cr->k.passes = rest;
                    cr->k.missing = z + phld;
                    cr->bi = (uint8_t)i;
                    cb_rect(B, R, cbx0[i] + x, cby0[i] + y, &cr->k.x0, &cr->k.y0, &cr->k.x1, &cr->k.y1);
                    if (cr->k.missing >= B->kmax)
                        return CORRUPT("HTJ2K packet header: %u missing bit-planes of %u (component %u)",
                                       cr->k.missing, B->kmax, c);
                }
            if (hb.bad) break;
        }
    }
    if (hb.bad) return CORRUPT("HTJ2K packet header runs past the end of the tile data");
    /* end of header: byte aligned, plus the byte stuffed after a final 0xFF */
    p = hb.p;
    if (hb.ff) {
        if (p >= end) return CORRUPT("HTJ2K packet header runs past the end of the tile data");
        p++;
    }
    if (cd->scod & 4) {
        if (end - p < 2 || p[0] != 0xFF || p[1] != 0x92) return CORRUPT("HTJ2K: EPH marker missing after a packet header");
        p += 2;
    }
    /* bodies */
    for (size_t i = 0; i < nrec; i++) {
        cb_rec *cr = &recs[i];
        const uint64_t len = (uint64_t)cr->k.len1 + cr->k.len2;
        if (len > (uint64_t)(end - p))
            return CORRUPT("HTJ2K: code-block data of %llu bytes runs past the end of the tile data",
                           (unsigned long long)len);
        cb_job *j = add_job(d, tc, r, &R->b[cr->bi]);
        if (!j) return CORRUPT("HTJ2K: more code-blocks than the tile's bands hold");
        j->data = p;
        j->k = cr->k;
        EXRQOI_TRY(submit_job(d, tc, j));
        p += len;
    }
    *pp = p;
    return EXRQOI_OK;
}

/* A packet's tag trees and code-block records are released after it. */
static exrqoi_result read_packet(dec *d, tilecomp *tc, uint32_t r, uint32_t k, const coding *cd,
                                 const uint8_t **pp, const uint8_t *end, uint32_t c)
{
    const size_t mark = d->ar->used;
    exrqoi_result rv = read_packet_in(d, tc, r, k, cd, pp, end, c);
    d->ar->used = mark;
    return rv;
}

/* ---- one tile ----------------------------------------------------------- */

/* Rows of the last wavelet level synthesised before the caller writes
 * them out (strips): a few rows of every component stay in L1/L2. */
#define STRIP_ROWS 16u
/* The rows of the last level a strip decode keeps (exrqoi__htj2k_comp
 * ring_rows): a strip, the 3 rows before it its vertical lifting reads,
 * rounded up to a power of two. Writing the level into these few rows of
 * the image buffer again and again, not down the whole of it, keeps them
 * in cache. */
#define RING_ROWS 32u
_Static_assert(STRIP_ROWS + 3 <= RING_ROWS && (RING_ROWS & (RING_ROWS - 1)) == 0, "a strip and its 3 rows above");

/* Whether the tile is all of component c. */
static bool tile_is_whole(const dec *d, const tilecomp *tc, uint32_t c)
{
    const exrqoi__htj2k_comp *ic = &d->img->comps[c];
    return tc->x0 == ceil_div_u(d->X0, d->sc[c].xr) && tc->y0 == ceil_div_u(d->Y0, d->sc[c].yr) &&
           tc->x1 - tc->x0 == ic->width && tc->y1 - tc->y0 == ic->height;
}

static exrqoi_result decode_tile_in(dec *d, uint32_t t)
{
    tile_info *ti = &d->tiles[t];
    const coding *cd = ti->cod ? ti->cod : &d->main;
    if (!ti->nsegs) return CORRUPT("HTJ2K: tile %u has no data", t);
    if (!cd->have_cod || !cd->have_qcd) return CORRUPT("HTJ2K: COD or QCD marker missing");
    /* the tile's data, contiguous */
    const uint8_t *data = ti->segs[0].p;
    size_t size = ti->segs[0].n;
    if (ti->nsegs > 1) {
        size = 0;
        for (uint32_t i = 0; i < ti->nsegs; i++) size += ti->segs[i].n;
        uint8_t *buf = arena_get(d->ar, size);
        if (!buf) return oom(d, size);
        size_t o = 0;
        for (uint32_t i = 0; i < ti->nsegs; i++) {
            if (ti->segs[i].n) memcpy(buf + o, ti->segs[i].p, ti->segs[i].n);
            o += ti->segs[i].n;
        }
        data = buf;
    }

    const uint32_t tpx = t % d->ntx, tpy = t / d->ntx;
    const uint64_t ax0 = (uint64_t)d->XT0 + (uint64_t)tpx * d->XT, ay0 = (uint64_t)d->YT0 + (uint64_t)tpy * d->YT;
    const uint32_t tx0 = (uint32_t)(ax0 > d->X0 ? ax0 : d->X0), ty0 = (uint32_t)(ay0 > d->Y0 ? ay0 : d->Y0);
    const uint32_t tx1 = (uint32_t)(ax0 + d->XT < d->X1 ? ax0 + d->XT : d->X1);
    const uint32_t ty1 = (uint32_t)(ay0 + d->YT < d->Y1 ? ay0 + d->YT : d->Y1);

    tilecomp *tcs = arena_get(d->ar, sizeof *tcs * d->ncomp);
    if (!tcs) return oom(d, sizeof *tcs * d->ncomp);
    size_t npk = 0;
    for (uint32_t c = 0; c < d->ncomp; c++) {
        EXRQOI_TRY(setup_tilecomp(d, &tcs[c], c, &cd->cp[c], tx0, ty0, tx1, ty1));
        for (uint32_t r = 0; r <= tcs[c].levels; r++) npk += (size_t)tcs[c].res[r].npx * tcs[c].res[r].npy;
        tcs[c].first_job = tcs[c].last_job = NO_JOB;
    }
    /* code-blocks wait for the wavelet unless their records would take
     * more memory than the coefficients (code-blocks of < 16 samples) */
    {
        uint64_t samples = 0;
        for (uint32_t c = 0; c < d->ncomp; c++) samples += (uint64_t)(tcs[c].x1 - tcs[c].x0) * (tcs[c].y1 - tcs[c].y0);
        const uint64_t njobs = count_jobs(tcs, d->ncomp);
        d->defer = njobs <= 4096 || njobs <= samples / 16;
        d->njobs = 0;
        d->jobcap = d->defer ? (size_t)njobs : 1;
        d->jobs = arena_get(d->ar, sizeof *d->jobs * (d->jobcap ? d->jobcap : 1));
        if (!d->jobs) return oom(d, sizeof *d->jobs * d->jobcap);
    }

    /* packet order (B.12): one layer, so each precinct has one packet */
    packet *pk = arena_get(d->ar, sizeof *pk * (npk ? npk : 1));
    if (!pk) return oom(d, sizeof *pk * npk);
    size_t n = 0;
    for (uint32_t c = 0; c < d->ncomp; c++) {
        const tilecomp *tc = &tcs[c];
        for (uint32_t r = 0; r <= tc->levels; r++) {
            const resolution *R = &tc->res[r];
            const uint32_t shift = tc->levels - r;
            for (uint32_t j = 0; j < R->npy; j++)
                for (uint32_t i = 0; i < R->npx; i++) {
                    packet *q = &pk[n++];
                    q->c = c;
                    q->r = r;
                    q->k = j * R->npx + i;
                    uint64_t py = precinct_origin(ty0, R->py0 + j, R->ppy, d->sc[c].yr, shift);
                    uint64_t px = precinct_origin(tx0, R->px0 + i, R->ppx, d->sc[c].xr, shift);
                    switch (cd->order) {
                    case 0: /* LRCP */
                    case 1: /* RLCP */
                        q->key[0] = r, q->key[1] = c, q->key[2] = q->k, q->key[3] = 0;
                        break;
                    case 2: /* RPCL */
                        q->key[0] = r, q->key[1] = py, q->key[2] = px, q->key[3] = c;
                        break;
                    case 3: /* PCRL */
                        q->key[0] = py, q->key[1] = px, q->key[2] = c, q->key[3] = r;
                        break;
                    default: /* CPRL */
                        q->key[0] = c, q->key[1] = py, q->key[2] = px, q->key[3] = r;
                        break;
                    }
                }
        }
    }
    qsort(pk, n, sizeof *pk, packet_cmp);

    const uint8_t *p = data, *end = data + size;
    for (size_t i = 0; i < n; i++) {
        if (p >= end) return CORRUPT("HTJ2K: the data of tile %u ends after %zu of its %zu packets", t, i, n);
        EXRQOI_TRY(read_packet(d, &tcs[pk[i].c], pk[i].r, pk[i].k, cd, &p, end, pk[i].c));
    }

    /* inverse wavelet per component */
    void **outs = arena_get(d->ar, sizeof *outs * d->ncomp * 2);
    if (!outs) return oom(d, sizeof *outs * d->ncomp * 2);
    void **lls = outs + d->ncomp; /* strips: each component's input to its last level */
    /* Strips: with one tile, every component of it whole, of one size,
     * int32 and with at least one level, the last levels of all
     * components are synthesised together a strip of rows at a time,
     * each strip handed to the caller (rows_fn) while it is in cache. */
    bool strips = d->rows_fn && d->raw && d->ntx * d->nty == 1;
    for (uint32_t c = 0; c < d->ncomp && strips; c++) {
        const tilecomp *tc = &tcs[c];
        strips = tile_is_whole(d, tc, c) && tc->narrow && tc->levels >= 1 && tc->x0 == tcs[0].x0 &&
                 tc->x1 == tcs[0].x1 && tc->y0 == tcs[0].y0 && tc->y1 == tcs[0].y1;
    }
    for (uint32_t c = 0; c < d->ncomp; c++) {
        tilecomp *tc = &tcs[c];
        exrqoi__htj2k_comp *ic = &d->img->comps[c];
        const size_t esz = tc->narrow ? sizeof(int32_t) : sizeof(int64_t);
        /* a tile that is the whole component synthesises its last level
         * straight into the image */
        const bool whole = tile_is_whole(d, tc, c);
        void *image = tc->narrow ? (void *)ic->samples32 : (void *)ic->samples;
        void *cur = tc->res[0].b[0].coef;
        EXRQOI_TRY(run_jobs(d, tc, 0, UINT32_MAX));
        for (uint32_t r = 1; r <= tc->levels - (strips ? 1u : 0u); r++) {
            resolution *R = &tc->res[r];
            EXRQOI_TRY(run_jobs(d, tc, r, UINT32_MAX));
            const size_t rw = R->x1 - R->x0, rh = R->y1 - R->y0;
            void *o = r == tc->levels && whole ? image : arena_get(d->ar, rw * rh * esz + 8);
            if (!o) return oom(d, rw * rh * esz);
            if (tc->narrow)
                exrqoi__htj2k_idwt53_2d_32(d->dwt_path, o, R->x0, R->y0, (uint32_t)rw, (uint32_t)rh, cur,
                                           R->b[0].coef, R->b[1].coef, R->b[2].coef);
            else
                exrqoi__htj2k_idwt53_2d(o, R->x0, R->y0, (uint32_t)rw, (uint32_t)rh, cur, R->b[0].coef, R->b[1].coef,
                                        R->b[2].coef);
            cur = o;
        }
        lls[c] = cur;
        outs[c] = strips ? image : cur;
    }
    if (cd->mct && d->ncomp >= 3) {
        for (uint32_t c = 1; c < 3; c++)
            if (tcs[c].x0 != tcs[0].x0 || tcs[c].x1 != tcs[0].x1 || tcs[c].y0 != tcs[0].y0 || tcs[c].y1 != tcs[0].y1)
                return CORRUPT("HTJ2K: colour transform on components of different sizes");
        const size_t n = (size_t)(tcs[0].x1 - tcs[0].x0) * (tcs[0].y1 - tcs[0].y0);
        /* decide_widths gives the three the same width; with one tile the
         * caller of a raw decode does the RCT as it writes the samples out */
        if (d->raw && d->ntx * d->nty == 1)
            d->img->rct_pending = true;
        else if (tcs[0].narrow)
            exrqoi__htj2k_inverse_rct32(d->dwt_path, outs[0], outs[1], outs[2], n);
        else
            exrqoi__htj2k_inverse_rct(outs[0], outs[1], outs[2], n);
    }
    /* into the image */
    for (uint32_t c = 0; c < d->ncomp; c++) {
        const tilecomp *tc = &tcs[c];
        exrqoi__htj2k_comp *ic = &d->img->comps[c];
        const size_t esz = tc->narrow ? sizeof(int32_t) : sizeof(int64_t);
        uint8_t *image = tc->narrow ? (uint8_t *)ic->samples32 : (uint8_t *)ic->samples;
        if (outs[c] == image) continue;
        const uint32_t cx0 = ceil_div_u(d->X0, d->sc[c].xr), cy0 = ceil_div_u(d->Y0, d->sc[c].yr);
        const size_t w = tc->x1 - tc->x0;
        for (uint32_t y = tc->y0; y < tc->y1; y++)
            memcpy(image + ((size_t)(y - cy0) * ic->width + (tc->x0 - cx0)) * esz,
                   (const uint8_t *)outs[c] + (size_t)(y - tc->y0) * w * esz, w * esz);
    }
    if (strips) {
        const uint32_t h = tcs[0].y1 - tcs[0].y0;
        const uint32_t ring = h > RING_ROWS ? RING_ROWS : 0;
        for (uint32_t c = 0; c < d->ncomp; c++) d->img->comps[c].ring_rows = ring;
        for (uint32_t t0 = 0; t0 < h;) {
            const uint32_t t1 = h - t0 > STRIP_ROWS ? t0 + STRIP_ROWS : h;
            for (uint32_t c = 0; c < d->ncomp; c++) {
                const resolution *R = &tcs[c].res[tcs[c].levels];
                /* the band rows this strip reads: up to (R->y0 + t1 - 1) / 2 */
                EXRQOI_TRY(run_jobs(d, &tcs[c], tcs[c].levels, t1 < h ? (R->y0 + t1 - 1) / 2 + 1 : UINT32_MAX));
                exrqoi__htj2k_idwt53_2d_32_rows(d->dwt_path, d->img->comps[c].samples32, R->x0, R->y0, R->x1 - R->x0,
                                                R->y1 - R->y0, lls[c], R->b[0].coef, R->b[1].coef, R->b[2].coef, t0,
                                                t1, ring);
            }
            EXRQOI_TRY(d->rows_fn(d->rows_arg, t1 < h ? t1 - 2 : h));
            t0 = t1;
        }
    }
    return EXRQOI_OK;
}

/* The tile's working memory is released after it. */
static exrqoi_result decode_tile(dec *d, uint32_t t)
{
    const size_t mark = d->ar->used;
    exrqoi_result rv = decode_tile_in(d, t);
    d->ar->used = mark;
    return rv;
}

/* ---- the codestream ----------------------------------------------------- */

static exrqoi_result add_tile_seg(dec *d, tile_info *ti, const uint8_t *p, size_t n)
{
    if (ti->nsegs == ti->cap) {
        uint32_t cap = ti->cap ? ti->cap * 2 : 4;
        if (cap > 256) return CORRUPT("HTJ2K: more than 255 tile-parts in a tile");
        tile_seg *s = arena_get(d->ar, sizeof *s * cap);
        if (!s) return oom(d, sizeof *s * cap);
        if (ti->nsegs) memcpy(s, ti->segs, sizeof *s * ti->nsegs);
        ti->segs = s;
        ti->cap = cap;
    }
    ti->segs[ti->nsegs].p = p;
    ti->segs[ti->nsegs].n = n;
    ti->nsegs++;
    return EXRQOI_OK;
}

static exrqoi_result check_expect(dec *d, const exrqoi__htj2k_expect *e)
{
    if (!e) return EXRQOI_OK;
    if (e->width != d->X1 - d->X0 || e->height != d->Y1 - d->Y0)
        return CORRUPT("HTJ2K codestream is %ux%u, the header says %ux%u", d->X1 - d->X0, d->Y1 - d->Y0, e->width,
                       e->height);
    if (e->ncomp != d->ncomp)
        return CORRUPT("HTJ2K codestream has %u components, the header %u channels", d->ncomp, e->ncomp);
    for (uint32_t c = 0; c < d->ncomp; c++) {
        const exrqoi__htj2k_comp *x = &e->comps[c];
        const exrqoi__htj2k_comp *g = &d->img->comps[c];
        if (x->depth != g->depth || x->is_signed != g->is_signed)
            return CORRUPT("HTJ2K component %u is %u-bit %s, the header's channel needs %u-bit %s", c, g->depth,
                           g->is_signed ? "signed" : "unsigned", x->depth, x->is_signed ? "signed" : "unsigned");
        if (x->x_sampling != g->x_sampling || x->y_sampling != g->y_sampling)
            return CORRUPT("HTJ2K component %u has sampling %ux%u, the header's channel %ux%u", c, g->x_sampling,
                           g->y_sampling, x->x_sampling, x->y_sampling);
        if (x->width != g->width || x->height != g->height)
            return CORRUPT("HTJ2K component %u is %ux%u, the header's channel %ux%u", c, g->width, g->height,
                           x->width, x->height);
    }
    return EXRQOI_OK;
}

/* At most 30 magnitude bit-planes (M_b = guard bits + exponent - 1,
 * E.1.1) in every subband of component c under every coding in effect:
 * coefficients, their lifting sums and the RCT's fit in int32_t. */
static bool comp_fits_32(const coding *cd, uint32_t c)
{
    const comp_params *cp = &cd->cp[c];
    const uint32_t n = cp->neps < 3u * cp->levels + 1 ? cp->neps : 3u * cp->levels + 1;
    for (uint32_t i = 0; i < n; i++)
        if ((uint32_t)cp->guard + cp->eps[i] > 31) return false;
    return true;
}

/* The coefficient width of each component, for the whole image (a tile's
 * COD/QCC may differ); the RCT's three components share one. */
static exrqoi_result decide_widths(dec *d)
{
    d->narrow = arena_get(d->ar, d->ncomp);
    if (!d->narrow) return oom(d, d->ncomp);
    bool mct = d->main.mct != 0;
    for (uint32_t c = 0; c < d->ncomp; c++) d->narrow[c] = comp_fits_32(&d->main, c);
    for (uint32_t t = 0; t < d->ntx * d->nty; t++) {
        const coding *cd = d->tiles[t].cod;
        if (!cd) continue;
        mct = mct || cd->mct;
        for (uint32_t c = 0; c < d->ncomp; c++)
            if (!comp_fits_32(cd, c)) d->narrow[c] = 0;
    }
    if (mct && d->ncomp >= 3 && !(d->narrow[0] && d->narrow[1] && d->narrow[2]))
        d->narrow[0] = d->narrow[1] = d->narrow[2] = 0;
    return EXRQOI_OK;
}

static exrqoi_result decode(dec *d, const uint8_t *cs, size_t size, const exrqoi__htj2k_expect *expect,
                            uint64_t max_samples)
{
    if (size < 4 || exrqoi__htj2k_be16(cs) != EXRQOI__J2K_SOC || exrqoi__htj2k_be16(cs + 2) != EXRQOI__J2K_SIZ)
        return CORRUPT("HTJ2K codestream does not start with SOC and SIZ");
    size_t pos = 2;
    bool in_main = true;
    tile_info *cur_tile = NULL;
    size_t tp_end = 0; /* end of the current tile-part */
    for (;;) {
        if (pos + 2 > size) {
            if (in_main) return CORRUPT("HTJ2K codestream ends in its main header");
            break; /* missing EOC: accepted, like OpenJPH */
        }
        const uint32_t m = exrqoi__htj2k_be16(cs + pos);
        if (m == EXRQOI__J2K_EOC) break;
        if (m < 0xFF00) return CORRUPT("HTJ2K: expected a marker at byte %zu, found 0x%04X", pos, m);
        if (pos + 4 > size) return CORRUPT("HTJ2K codestream is truncated in a marker segment");
        const uint32_t len = exrqoi__htj2k_be16(cs + pos + 2);
        if (len < 2 || len > size - pos - 2)
            return CORRUPT("HTJ2K %s marker segment length %u at byte %zu runs past the end (%zu bytes)",
                           marker_name(m), len, pos, size);
        seg s = {cs + pos + 4, len - 2, 0, false};
        const size_t mpos = pos;
        pos += 2 + len;
        if (in_main && m == EXRQOI__J2K_SIZ && mpos == 2) {
            EXRQOI_TRY(parse_siz(d, &s, max_samples));
            d->tiles = arena_get(d->ar, sizeof *d->tiles * d->ntx * d->nty);
            if (!d->tiles) return oom(d, sizeof *d->tiles * d->ntx * d->nty);
            memset(d->tiles, 0, sizeof *d->tiles * d->ntx * d->nty);
            continue;
        }
        if (m == EXRQOI__J2K_SOT) {
            in_main = false;
            if (len != 10) return CORRUPT("HTJ2K SOT marker segment length %u", len);
            const uint32_t isot = rd16(&s), psot = rd32(&s), tpsot = rd8(&s);
            (void)rd8(&s);
            if (isot >= d->ntx * d->nty) return CORRUPT("HTJ2K SOT: tile %u of %u", isot, d->ntx * d->nty);
            if (psot != 0 && (psot < 14 || psot > size - mpos))
                return CORRUPT("HTJ2K SOT: tile-part length %u at byte %zu runs past the end (%zu bytes)", psot,
                               mpos, size);
            tp_end = psot ? mpos + psot : size;
            cur_tile = &d->tiles[isot];
            if ((int)tpsot != cur_tile->next_part)
                return CORRUPT("HTJ2K SOT: tile-part %u of tile %u out of order", tpsot, isot);
            cur_tile->next_part++;
            /* tile-part header */
            for (;;) {
                if (pos + 2 > tp_end) return CORRUPT("HTJ2K tile-part header of tile %u is truncated", isot);
                const uint32_t tm = exrqoi__htj2k_be16(cs + pos);
                if (tm == EXRQOI__J2K_SOD) {
                    pos += 2;
                    break;
                }
                if (pos + 4 > tp_end) return CORRUPT("HTJ2K tile-part header of tile %u is truncated", isot);
                const uint32_t tl = exrqoi__htj2k_be16(cs + pos + 2);
                if (tl < 2 || tl > tp_end - pos - 2)
                    return CORRUPT("HTJ2K %s marker segment length %u in tile %u runs past its tile-part",
                                   marker_name(tm), tl, isot);
                seg ts = {cs + pos + 4, tl - 2, 0, false};
                pos += 2 + tl;
                const bool coding_marker = tm == EXRQOI__J2K_COD || tm == EXRQOI__J2K_COC ||
                                           tm == EXRQOI__J2K_QCD || tm == EXRQOI__J2K_QCC;
                if (coding_marker && tpsot != 0)
                    return CORRUPT("HTJ2K: %s marker in a tile-part other than the first", marker_name(tm));
                if (coding_marker && !cur_tile->cod) {
                    coding *tc = arena_get(d->ar, sizeof *tc);
                    comp_params *cp = tc ? arena_get(d->ar, sizeof *cp * d->ncomp) : NULL;
                    if (!cp) return oom(d, sizeof *cp * d->ncomp);
                    *tc = d->main;
                    memcpy(cp, d->main.cp, sizeof *cp * d->ncomp);
                    tc->cp = cp;
                    cur_tile->cod = tc;
                }
                EXRQOI_TRY(header_marker(d, tm, &ts, cur_tile->cod ? cur_tile->cod : &d->main, true));
            }
            if (pos > tp_end) return CORRUPT("HTJ2K tile-part of tile %u is truncated", isot);
            size_t dend = tp_end;
            if (!psot && dend >= pos + 2 && exrqoi__htj2k_be16(cs + dend - 2) == EXRQOI__J2K_EOC) dend -= 2;
            EXRQOI_TRY(add_tile_seg(d, cur_tile, cs + pos, dend - pos));
            pos = tp_end;
            continue;
        }
        if (!in_main) return CORRUPT("HTJ2K: marker 0x%04X between tile-parts", m);
        if (!d->sc) return CORRUPT("HTJ2K: SIZ marker missing");
        EXRQOI_TRY(header_marker(d, m, &s, &d->main, false));
    }
    if (!d->sc) return CORRUPT("HTJ2K: SIZ marker missing");

    /* the image */
    exrqoi__htj2k_image *img = d->img;
    img->x0 = d->X0, img->y0 = d->Y0, img->x1 = d->X1, img->y1 = d->Y1;
    img->ncomp = d->ncomp;
    img->comps = exrqoi__calloc(d->alloc, d->ncomp, sizeof *img->comps);
    if (!img->comps) return oom(d, sizeof *img->comps * d->ncomp);
    for (uint32_t c = 0; c < d->ncomp; c++) {
        exrqoi__htj2k_comp *ic = &img->comps[c];
        ic->width = ceil_div_u(d->X1, d->sc[c].xr) - ceil_div_u(d->X0, d->sc[c].xr);
        ic->height = ceil_div_u(d->Y1, d->sc[c].yr) - ceil_div_u(d->Y0, d->sc[c].yr);
        ic->depth = d->sc[c].depth;
        ic->is_signed = d->sc[c].is_signed;
        ic->x_sampling = d->sc[c].xr;
        ic->y_sampling = d->sc[c].yr;
        ic->nlt_type = d->nlt[c];
    }
    EXRQOI_TRY(check_expect(d, expect));
    EXRQOI_TRY(decide_widths(d));
    for (uint32_t c = 0; c < d->ncomp; c++) {
        exrqoi__htj2k_comp *ic = &img->comps[c];
        const size_t n = (size_t)ic->width * ic->height;
        const size_t bytes = (n ? n : 1) * (d->narrow[c] ? sizeof(int32_t) : sizeof(int64_t));
        /* every sample is written by the tiles */
        void *m = img->own_samples ? exrqoi__alloc(d->alloc, bytes) : arena_get(d->ar, bytes);
        if (!m) return oom(d, bytes);
        if (d->narrow[c])
            ic->samples32 = m;
        else
            ic->samples = m;
    }
    d->bs = arena_get(d->ar, sizeof *d->bs);
    if (!d->bs) return oom(d, sizeof *d->bs);
    for (uint32_t t = 0; t < d->ntx * d->nty; t++) EXRQOI_TRY(decode_tile(d, t));
    if (d->raw) return EXRQOI_OK;

    /* 64-bit samples, inverse DC level shift, NLT */
    for (uint32_t c = 0; c < d->ncomp; c++) {
        exrqoi__htj2k_comp *ic = &img->comps[c];
        const size_t n = (size_t)ic->width * ic->height;
        if (ic->samples32) {
            ic->samples = img->own_samples ? exrqoi__alloc(d->alloc, (n ? n : 1) * sizeof(int64_t))
                                           : arena_get(d->ar, (n ? n : 1) * sizeof(int64_t));
            if (!ic->samples) return oom(d, n * sizeof(int64_t));
            for (size_t i = 0; i < n; i++) ic->samples[i] = ic->samples32[i];
            if (img->own_samples) exrqoi__free(d->alloc, ic->samples32);
            ic->samples32 = NULL;
        }
        const int64_t half = (int64_t)1 << (ic->depth - 1);
        int64_t *v = ic->samples;
        if (!ic->is_signed) {
            for (size_t i = 0; i < n; i++) v[i] = exrqoi__htj2k_add(v[i], half);
        } else if (ic->nlt_type == EXRQOI__J2K_NLT_BINARY_COMPLEMENT) {
            const int64_t s = half + 1;
            for (size_t i = 0; i < n; i++)
                if (v[i] < 0) v[i] = exrqoi__htj2k_sub(exrqoi__htj2k_sub(0, v[i]), s);
        }
    }
    return EXRQOI_OK;
}

void exrqoi__htj2k_image_free(const exrqoi_allocator *alloc, exrqoi__htj2k_image *img)
{
    if (!img) return;
    if (img->comps && img->own_samples)
        for (uint32_t c = 0; c < img->ncomp; c++) {
            exrqoi__free(alloc, img->comps[c].samples);
            exrqoi__free(alloc, img->comps[c].samples32);
        }
    exrqoi__free(alloc, img->comps);
    memset(img, 0, sizeof *img);
}

exrqoi_result exrqoi__htj2k_decode_codestream(const exrqoi_allocator *alloc, exrqoi__err *err, const uint8_t *cs,
                                              size_t cs_size, const exrqoi__htj2k_expect *expect,
                                              uint64_t max_samples, exrqoi__htj2k_ws *ws, exrqoi__htj2k_image *img)
{
    return exrqoi__htj2k_decode_codestream_raw(alloc, err, cs, cs_size, expect, max_samples, ws, img, false);
}

exrqoi_result exrqoi__htj2k_decode_codestream_raw(const exrqoi_allocator *alloc, exrqoi__err *err, const uint8_t *cs,
                                                  size_t cs_size, const exrqoi__htj2k_expect *expect,
                                                  uint64_t max_samples, exrqoi__htj2k_ws *ws, exrqoi__htj2k_image *img,
                                                  bool raw)
{
    return exrqoi__htj2k_decode_codestream_rows(alloc, err, cs, cs_size, expect, max_samples, ws, img, raw, NULL, NULL);
}

exrqoi_result exrqoi__htj2k_decode_codestream_rows(const exrqoi_allocator *alloc, exrqoi__err *err,
                                                   const uint8_t *cs, size_t cs_size,
                                                   const exrqoi__htj2k_expect *expect, uint64_t max_samples,
                                                   exrqoi__htj2k_ws *ws, exrqoi__htj2k_image *img, bool raw,
                                                   exrqoi__htj2k_rows_fn rows_fn, void *rows_arg)
{
    dec d;
    memset(&d, 0, sizeof d);
    memset(img, 0, sizeof *img);
    exrqoi__htj2k_ws local;
    memset(&local, 0, sizeof local);
    local.alloc = alloc;
    if (ws) ws->alloc = alloc;
    d.alloc = alloc;
    d.err = err;
    d.ar = ws ? ws : &local;
    d.img = img;
    d.raw = raw;
    d.rows_fn = rows_fn;
    d.rows_arg = rows_arg;
    d.dwt_path = ws ? ws->dwt_path : exrqoi__cpu_kernels().htdwt;
    img->own_samples = ws == NULL;
    exrqoi_result rv = decode(&d, cs, cs_size, expect, max_samples);
    exrqoi__htj2k_ws_release(&local);
    if (rv != EXRQOI_OK) exrqoi__htj2k_image_free(alloc, img);
    return rv;
}
