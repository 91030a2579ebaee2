/* DWA decoder: validates the chunk header, undoes the entropy stages and
 * rebuilds the lossy, RLE and stored channels.
 *
 * The lossy loop is written once and instantiated per kernel path
 * (portable, SSE2, AVX+F16C; dwa_simd.h), all giving identical bits. */
#include "codec/dwa.h"
#include "codec/dwa_simd.h"
#include "codec/huf.h"
#include "common/half.h"

#include <pthread.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define DWA_LE 1
#else
#define DWA_LE 0
#endif

typedef struct dec_state {
    exrqoi__codec_ctx *ctx;
    const exrqoi__block_layout *b;
    uint8_t *dst;
    const size_t *rows, *first;
    const uint16_t *ac;
    size_t nac, acpos;
    const uint16_t *dc;
    size_t dcpos;
    const uint16_t *to_linear; /* set when some lossy channel needs it */
} dec_state;

static exrqoi_result corrupt(exrqoi__codec_ctx *ctx, const char *what)
{
    return exrqoi__fail(&ctx->err, EXRQOI_ERR_CORRUPT, "corrupt DWA chunk: %s", what);
}

const uint8_t exrqoi__dwa_zigzag_t[64] = {
    0,  8,  1,  2,  9,  16, 24, 17, 10, 3,  4,  11, 18, 25, 32, 40, 33, 26, 19, 12, 5,  6,
    13, 20, 27, 34, 41, 48, 56, 49, 42, 35, 28, 21, 14, 7,  15, 22, 29, 36, 43, 50, 57, 58,
    51, 44, 37, 30, 23, 31, 38, 45, 52, 59, 60, 53, 46, 39, 47, 54, 61, 62, 55, 63,
};

/* Rows known to be zero follow from the last coded zig-zag slot. */
int exrqoi__dwa_live_rows(int last)
{
    if (last < 2) return 1;
    if (last < 3) return 2;
    if (last < 9) return 3;
    if (last < 10) return 4;
    if (last < 20) return 5;
    if (last < 21) return 6;
    if (last < 35) return 7;
    return 8;
}

/* AC symbols: 0xff00 ends the block, 0xffNN skips NN zero slots, anything
 * else is a coefficient (those bit patterns are NaNs, never produced).
 * Coefficients land column-major in `t` (pre-zeroed). Returns the last
 * coded slot (0: DC only) or -1 when the values run out. */
static inline int unrle_block(const uint16_t *ac, size_t n, size_t *pos, uint16_t *t)
{
    size_t p = *pos;
    int last = 0, comp = 1;
    if (EXRQOI_LIKELY(n - p >= 63)) {
        /* every symbol advances at least one slot: 63 are always enough */
        while (comp < 64) {
            unsigned v = ac[p++];
            if (v >= 0xff00u) {
                if (v == 0xff00u) break;
                comp += (int)(v & 0xffu);
            } else {
                last = comp;
                t[exrqoi__dwa_zigzag_t[comp++]] = (uint16_t)v;
            }
        }
    } else {
        while (comp < 64) {
            if (p >= n) return -1;
            unsigned v = ac[p++];
            if (v >= 0xff00u) {
                if (v == 0xff00u) break;
                comp += (int)(v & 0xffu);
            } else {
                last = comp;
                t[exrqoi__dwa_zigzag_t[comp++]] = (uint16_t)v;
            }
        }
    }
    *pos = p;
    return last;
}

/* ---- per-path kernels ------------------------------------------------------ */

static void idct_halves_c(const uint16_t *t, float *out, int L)
{
    for (int r = 0; r < 8; r++)
        for (int k = 0; k < 8; k++) out[8 * r + k] = exrqoi__h2f(t[8 * k + r]);
    exrqoi__dwa_idct(out, L);
}

#if DWA_X86
static void idct_halves_sse2(const uint16_t *t, float *out, int L)
{
    if (L <= 1)
        dwa_row0_sse2(exrqoi__h2f(t[0]), exrqoi__h2f(t[8]), out);
    else
        dwa_idct_sse2(t, out, L);
}

DWA_AVX static void idct_halves_avx(const uint16_t *t, float *out, int L)
{
    if (L <= 1)
        dwa_row0_sse2(exrqoi__h2f(t[0]), exrqoi__h2f(t[8]), out);
    else
        dwa_idct_avx(t, out, L);
}

DWA_AVX static void f2h64_avx(const float *in, uint16_t *out)
{
    for (int i = 0; i < 64; i += 8) dwa_f2h8_avx(in + i, out + i);
}

/* 8 halves -> 8 little-endian floats */
DWA_AVX static void h2f8_avx(const uint16_t *h, uint8_t *out)
{
    _mm256_storeu_ps((float *)(void *)out,
                     _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(const void *)h)));
}
#endif

/* Y'CbCr -> R'G'B' of 64 values, lane-wise as exrqoi__dwa_csc_inverse. */
static inline __attribute__((always_inline)) void csc64_vec(float *c0, float *c1, float *c2)
{
#if DWA_X86
    for (int i = 0; i < 64; i += 4) {
        dwa_v4 y = (dwa_v4)_mm_load_ps(c0 + i), cb = (dwa_v4)_mm_load_ps(c1 + i),
               cr = (dwa_v4)_mm_load_ps(c2 + i);
        _mm_store_ps(c0 + i, (__m128)(y + 1.5747f * cr));
        _mm_store_ps(c1 + i, (__m128)(y - 0.1873f * cb - 0.4682f * cr));
        _mm_store_ps(c2 + i, (__m128)(y + 1.8556f * cb));
    }
#else
    exrqoi__dwa_csc_inverse(c0, c1, c2, 64);
#endif
}

static inline __attribute__((always_inline)) void idct_path(int path, const uint16_t *t, float *out,
                                                             int L)
{
#if DWA_X86
    if (path == DWA_PATH_AVX) {
        idct_halves_avx(t, out, L);
        return;
    }
    if (path == DWA_PATH_SSE2) {
        idct_halves_sse2(t, out, L);
        return;
    }
#endif
    (void)path;
    idct_halves_c(t, out, L);
}

static inline __attribute__((always_inline)) void f2h64_path(int path, const float *in, uint16_t *out)
{
#if DWA_X86
    if (path == DWA_PATH_AVX) {
        f2h64_avx(in, out);
        return;
    }
    if (path == DWA_PATH_SSE2) {
        for (int i = 0; i < 64; i += 8) dwa_f2h8_sse2(in + i, out + i);
        return;
    }
#endif
    (void)path;
    for (int i = 0; i < 64; i++) out[i] = dwa_f2h(in[i]);
}

static inline void put_h(uint8_t *o, uint16_t v)
{
#if DWA_LE
    memcpy(o, &v, 2);
#else
    exrqoi__put16(o, v);
#endif
}

/* Writes one block's halves `hb` (row-major) as nx x ny samples, through
 * the transfer table `lut` when set (which then may rewrite `hb`). */
static inline __attribute__((always_inline)) void put_block(int path, uint8_t *const *rowp, size_t x0,
                                                             bool is_float, uint16_t *hb,
                                                             const uint16_t *lut, int nx, int ny)
{
    if (!is_float) {
        for (int yy = 0; yy < ny; yy++) {
            uint8_t *o = rowp[yy] + 2 * x0;
            const uint16_t *src = hb + 8 * yy;
            if (lut) {
                if (nx == 8) {
                    for (int x = 0; x < 8; x++) put_h(o + 2 * x, lut[src[x]]);
                } else {
                    for (int x = 0; x < nx; x++) put_h(o + 2 * x, lut[src[x]]);
                }
            } else if (DWA_LE && nx == 8) {
                memcpy(o, src, 16);
            } else {
                for (int x = 0; x < nx; x++) exrqoi__put16(o + 2 * x, src[x]);
            }
        }
        return;
    }
    if (lut)
        for (int i = 0; i < 64; i++) hb[i] = lut[hb[i]];
    for (int yy = 0; yy < ny; yy++) {
        uint8_t *o = rowp[yy] + 4 * x0;
        const uint16_t *src = hb + 8 * yy;
#if DWA_X86
        if (path == DWA_PATH_AVX && nx == 8) {
            h2f8_avx(src, o);
            continue;
        }
#endif
        (void)path;
        for (int x = 0; x < nx; x++) exrqoi__putf32(o + 4 * x, exrqoi__h2f(src[x]));
    }
}

static inline void put_const(uint8_t *const *rowp, size_t x0, bool is_float, uint16_t v, int nx, int ny)
{
    if (!is_float) {
        for (int yy = 0; yy < ny; yy++) {
            uint8_t *o = rowp[yy] + 2 * x0;
            for (int x = 0; x < nx; x++) exrqoi__put16(o + 2 * x, v);
        }
        return;
    }
    float f = exrqoi__h2f(v);
    for (int yy = 0; yy < ny; yy++) {
        uint8_t *o = rowp[yy] + 4 * x0;
        for (int x = 0; x < nx; x++) exrqoi__putf32(o + 4 * x, f);
    }
}

/* Decodes one lossy channel or Y'CbCr triple (chans[0..ncomp-1]). */
static inline __attribute__((always_inline)) exrqoi_result
decode_lossy_impl(dec_state *s, const int *chans, int ncomp, bool use_lut, const int path)
{
    const exrqoi__block_layout *b = s->b;
    int32_t w = b->chans[chans[0]].width, h = b->chans[chans[0]].height;
    size_t nbx = dwa_blocks(w), nby = dwa_blocks(h);
    if (!nbx || !nby) return EXRQOI_OK;
    const uint16_t *dcp[3];
    bool is_float[3];
    for (int c = 0; c < ncomp; c++) {
        dcp[c] = s->dc + s->dcpos + (size_t)c * nbx * nby;
        is_float[c] = b->chans[chans[c]].type == EXRQOI_PIXEL_FLOAT;
    }
    s->dcpos += (size_t)ncomp * nbx * nby;
    const uint16_t *lut = use_lut ? s->to_linear : NULL;

    uint16_t t[3][64] __attribute__((aligned(32)));
    float blk[3][64] __attribute__((aligned(32)));
    uint16_t hb[64] __attribute__((aligned(32)));
    float dcv[3];
    int last[3];
    uint8_t *rowp[3][8];
    for (size_t by = 0; by < nby; by++) {
        int ny = (by == nby - 1) ? (int)(h - 8 * (int32_t)(nby - 1)) : 8;
        for (int c = 0; c < ncomp; c++)
            for (int yy = 0; yy < ny; yy++)
                rowp[c][yy] = s->dst + s->rows[s->first[chans[c]] + by * 8 + (size_t)yy];
        for (size_t bx = 0; bx < nbx; bx++) {
            int nx = (bx == nbx - 1) ? (int)(w - 8 * (int32_t)(nbx - 1)) : 8;
            bool constant = true;
            for (int c = 0; c < ncomp; c++) {
                memset(t[c], 0, sizeof t[c]);
                t[c][0] = *dcp[c]++;
                last[c] = unrle_block(s->ac, s->nac, &s->acpos, t[c]);
                if (last[c] < 0) return corrupt(s->ctx, "AC data ends early");
                if (last[c] == 0) {
                    /* DC only: exrqoi__dwa_idct_dc's value */
                    dcv[c] = exrqoi__h2f(t[c][0]) * 3.535536e-01f * 3.535536e-01f;
                } else {
                    constant = false;
                    idct_path(path, t[c], blk[c], exrqoi__dwa_live_rows(last[c]));
                }
            }
            if (constant) {
                /* one value 64 times: transform it once */
                if (ncomp == 3) exrqoi__dwa_csc_inverse(&dcv[0], &dcv[1], &dcv[2], 1);
                for (int c = 0; c < ncomp; c++) {
                    uint16_t v = dwa_f2h(dcv[c]);
                    if (lut) v = lut[v];
                    put_const(rowp[c], bx * 8, is_float[c], v, nx, ny);
                }
                continue;
            }
            for (int c = 0; c < ncomp; c++)
                if (last[c] == 0)
                    for (int i = 0; i < 64; i++) blk[c][i] = dcv[c];
            if (ncomp == 3) {
                if (path == DWA_PATH_C)
                    exrqoi__dwa_csc_inverse(blk[0], blk[1], blk[2], 64);
                else
                    csc64_vec(blk[0], blk[1], blk[2]);
            }
            for (int c = 0; c < ncomp; c++) {
                f2h64_path(path, blk[c], hb);
                put_block(path, rowp[c], bx * 8, is_float[c], hb, lut, nx, ny);
            }
        }
    }
    return EXRQOI_OK;
}

static exrqoi_result decode_lossy_c(dec_state *s, const int *chans, int ncomp, bool use_lut)
{
    return decode_lossy_impl(s, chans, ncomp, use_lut, DWA_PATH_C);
}

#if DWA_X86
static exrqoi_result decode_lossy_sse2(dec_state *s, const int *chans, int ncomp, bool use_lut)
{
    return decode_lossy_impl(s, chans, ncomp, use_lut, DWA_PATH_SSE2);
}

DWA_AVX static exrqoi_result decode_lossy_avx(dec_state *s, const int *chans, int ncomp, bool use_lut)
{
    return decode_lossy_impl(s, chans, ncomp, use_lut, DWA_PATH_AVX);
}
#endif

static exrqoi_result decode_lossy(dec_state *s, const int *chans, int ncomp, bool use_lut, int path)
{
#if DWA_X86
    if (path == DWA_PATH_AVX) return decode_lossy_avx(s, chans, ncomp, use_lut);
    if (path == DWA_PATH_SSE2) return decode_lossy_sse2(s, chans, ncomp, use_lut);
#endif
    (void)path;
    return decode_lossy_c(s, chans, ncomp, use_lut);
}

/* ---- exported kernels (tests compare the paths) ---------------------------- */

/* CPUID traps to the hypervisor in a VM (tens of microseconds here), too
 * slow for every chunk: the answer is found once, then only read. */
static int g_best_path;
static pthread_once_t g_path_once = PTHREAD_ONCE_INIT;

static void find_best_path(void)
{
#if DWA_X86
    g_best_path = dwa_cpu_avx_f16c() ? DWA_PATH_AVX : DWA_PATH_SSE2;
#else
    g_best_path = DWA_PATH_C;
#endif
}

int exrqoi__dwa_best_path(void)
{
    pthread_once(&g_path_once, find_best_path);
    return g_best_path;
}

/* A requested path the CPU lacks falls back to a slower one. */
static int usable_path(int path)
{
    int best = exrqoi__dwa_best_path();
    return path < DWA_PATH_C ? DWA_PATH_C : path > best ? best : path;
}

void exrqoi__dwa_idct_halves(int path, const uint16_t *t, float *out, int live_rows)
{
    path = usable_path(path);
    if (path == DWA_PATH_C) {
        idct_halves_c(t, out, live_rows);
        return;
    }
    idct_path(path, t, out, live_rows);
}

void exrqoi__dwa_f2h_n(int path, const float *in, uint16_t *out, size_t n)
{
    path = usable_path(path);
    for (size_t i = 0; i < n; i += 64) {
        if (n - i >= 64) {
            f2h64_path(path, in + i, out + i);
        } else {
            for (size_t j = i; j < n; j++) out[j] = dwa_f2h(in[j]);
        }
    }
}

/* Channel bytes stored as byte planes -> interleaved samples of one line. */
static void unplane(uint8_t *row, const uint8_t *planes, size_t plane, size_t at, int32_t w, int size)
{
    const uint8_t *p0 = planes + at, *p1 = p0 + plane;
    if (size == 2) {
        for (int32_t x = 0; x < w; x++) {
            row[2 * x] = p0[x];
            row[2 * x + 1] = p1[x];
        }
        return;
    }
    const uint8_t *p2 = p1 + plane, *p3 = p2 + plane;
    for (int32_t x = 0; x < w; x++) {
        row[4 * x] = p0[x];
        row[4 * x + 1] = p1[x];
        row[4 * x + 2] = p2[x];
        row[4 * x + 3] = p3[x];
    }
}

exrqoi_result exrqoi__dwa_decode(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,
                                 const uint8_t *src, size_t n, uint8_t *dst)
{
    return exrqoi__dwa_decode_path(ctx, b, src, n, dst, exrqoi__dwa_best_path());
}

exrqoi_result exrqoi__dwa_decode_path(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,
                                      const uint8_t *src, size_t n, uint8_t *dst, int path)
{
    path = usable_path(path);
    if (n < DWA_HEADER_SIZE) return corrupt(ctx, "shorter than its header");
    uint64_t hd[DWA_NUM_SIZES];
    for (int i = 0; i < DWA_NUM_SIZES; i++) hd[i] = exrqoi__le64(src + 8 * i);
    for (int i = DWA_UNKNOWN_UNCOMPRESSED_SIZE; i <= DWA_DC_UNCOMPRESSED_COUNT; i++)
        if (hd[i] >> 62) return corrupt(ctx, "size field out of range");
    uint64_t packed = hd[DWA_UNKNOWN_COMPRESSED_SIZE] + hd[DWA_AC_COMPRESSED_SIZE] +
                      hd[DWA_DC_COMPRESSED_SIZE] + hd[DWA_RLE_COMPRESSED_SIZE];
    if (hd[DWA_VERSION] > 2) return corrupt(ctx, "unknown version");
    size_t pos = DWA_HEADER_SIZE;
    if (packed > n - pos) return corrupt(ctx, "stream sizes exceed the chunk");

    dwa_rules rules;
    if (hd[DWA_VERSION] == 2) {
        if (n - pos < 2) return corrupt(ctx, "missing channel rules");
        size_t rs = exrqoi__le16(src + pos);
        if (rs < 2 || rs > n - pos || packed > n - pos - rs)
            return corrupt(ctx, "channel rules exceed the chunk");
        EXRQOI_TRY(exrqoi__dwa_rules_parse(&ctx->err, src + pos + 2, rs - 2, &rules));
        pos += rs;
    } else {
        exrqoi__dwa_rules_legacy(&rules);
    }

    /* ---- classify and size everything from the header, not the stream */
    size_t rows_n = exrqoi__dwa_row_count(b), nchan = b->nchan > 0 ? (size_t)b->nchan : 1;
    size_t used = 0;
    dwa_carve(NULL, &used, exrqoi__dwa_plan_scratch(b->nchan));
    void *mem;
    EXRQOI_TRY(exrqoi__codec_scratch(ctx, 0, used + 16, &mem));
    dwa_plan plan;
    exrqoi__dwa_classify(b, &rules, mem, &plan);

    uint64_t unknown_bytes = 0, rle_bytes = 0, max_ac = 0, dc_need = 0;
    bool any_lossy_lut = false;
    for (int c = 0; c < b->nchan; c++) {
        const exrqoi__chan_layout *ch = &b->chans[c];
        uint64_t bytes = (uint64_t)ch->width * (uint64_t)ch->height * ch->size;
        if (plan.scheme[c] == DWA_SCHEME_LOSSY_DCT) {
            if (ch->type == EXRQOI_PIXEL_UINT)
                return corrupt(ctx, "lossy coding of a UINT channel");
            uint64_t nb = (uint64_t)dwa_blocks(ch->width) * dwa_blocks(ch->height);
            dc_need += nb;
            max_ac += nb * 63;
            if (!ch->p_linear || plan.in_csc[c]) any_lossy_lut = true;
        } else if (plan.scheme[c] == DWA_SCHEME_RLE) {
            rle_bytes += bytes;
        } else {
            unknown_bytes += bytes;
        }
    }
    for (int k = 0; k < plan.ncsc; k++) {
        const int *t = plan.csc[k];
        if (t[0] == t[1] || t[0] == t[2] || t[1] == t[2])
            return corrupt(ctx, "a channel appears twice in a colour triple");
        for (int j = 0; j < 3; j++)
            if (plan.scheme[t[j]] != DWA_SCHEME_LOSSY_DCT)
                return corrupt(ctx, "colour triple of a channel that is not lossy");
    }

    uint64_t unk_u = hd[DWA_UNKNOWN_UNCOMPRESSED_SIZE], unk_c = hd[DWA_UNKNOWN_COMPRESSED_SIZE];
    uint64_t ac_c = hd[DWA_AC_COMPRESSED_SIZE], dc_c = hd[DWA_DC_COMPRESSED_SIZE];
    uint64_t rle_c = hd[DWA_RLE_COMPRESSED_SIZE], rle_u = hd[DWA_RLE_UNCOMPRESSED_SIZE];
    uint64_t rle_raw = hd[DWA_RLE_RAW_SIZE];
    uint64_t n_ac = hd[DWA_AC_UNCOMPRESSED_COUNT], n_dc = hd[DWA_DC_UNCOMPRESSED_COUNT];

    if (unknown_bytes ? (unk_c == 0 || unk_u != unknown_bytes) : (unk_c != 0 || unk_u != 0))
        return corrupt(ctx, "stored-channel sizes do not match the channels");
    if (n_ac > max_ac || (n_ac && !ac_c) || (ac_c && !max_ac))
        return corrupt(ctx, "AC count does not match the channels");
    if (n_dc != dc_need || (n_dc && !dc_c) || (!n_dc && dc_c))
        return corrupt(ctx, "DC count does not match the channels");
    if (rle_bytes ? (rle_raw != rle_bytes || rle_u == 0 || rle_u > 2 * rle_bytes + 2 || !rle_c)
                  : (rle_raw != 0 || rle_c != 0))
        return corrupt(ctx, "RLE sizes do not match the channels");
    if (ac_c && hd[DWA_AC_COMPRESSION] != DWA_AC_HUFFMAN && hd[DWA_AC_COMPRESSION] != DWA_AC_DEFLATE)
        return corrupt(ctx, "unknown AC compression");

    /* ---- scratch layout (all sizes now bounded by the block's own) */
    used = 0;
    dwa_carve(NULL, &used, exrqoi__dwa_plan_scratch(b->nchan));
    size_t o_rows = (used + 15) & ~(size_t)15;
    dwa_carve(NULL, &used, rows_n * sizeof(size_t));
    size_t o_first = (used + 15) & ~(size_t)15;
    dwa_carve(NULL, &used, nchan * sizeof(size_t));
    size_t o_unk = (used + 15) & ~(size_t)15;
    dwa_carve(NULL, &used, (size_t)unknown_bytes);
    size_t o_rle = (used + 15) & ~(size_t)15;
    dwa_carve(NULL, &used, (size_t)rle_bytes + (size_t)rle_u);
    size_t o_ac = (used + 15) & ~(size_t)15;
    dwa_carve(NULL, &used, (size_t)n_ac * 2);
    size_t o_dc = (used + 15) & ~(size_t)15;
    dwa_carve(NULL, &used, (size_t)n_dc * 4);
    /* the plan lives at the start of slot 0 and survives the regrow only
     * if the slot is big enough already: re-classify after growing */
    EXRQOI_TRY(exrqoi__codec_scratch(ctx, 0, used + 16, &mem));
    exrqoi__dwa_classify(b, &rules, mem, &plan);
    uint8_t *base = (uint8_t *)mem;

    dec_state s;
    memset(&s, 0, sizeof s);
    s.ctx = ctx;
    s.b = b;
    s.dst = dst;
    size_t *rows = (size_t *)(void *)(base + o_rows), *first = (size_t *)(void *)(base + o_first);
    EXRQOI_TRY(exrqoi__dwa_rows(ctx, b, rows, first));
    s.rows = rows;
    s.first = first;

    const uint8_t *p = src + pos;
    /* stored channels */
    uint8_t *unk = base + o_unk;
    if (unknown_bytes) EXRQOI_TRY(exrqoi__inflate(ctx, p, (size_t)unk_c, unk, (size_t)unknown_bytes));
    p += unk_c;

    /* AC coefficients */
    uint16_t *ac = (uint16_t *)(void *)(base + o_ac);
    if (ac_c) {
        if (hd[DWA_AC_COMPRESSION] == DWA_AC_HUFFMAN) {
            EXRQOI_TRY(exrqoi__huf_decompress(ctx, p, (size_t)ac_c, ac, (size_t)n_ac));
        } else {
            EXRQOI_TRY(exrqoi__inflate(ctx, p, (size_t)ac_c, (uint8_t *)ac, (size_t)n_ac * 2));
            for (size_t i = 0; i < n_ac; i++) ac[i] = exrqoi__le16(&ac[i]);
        }
    }
    p += ac_c;

    /* DC coefficients: ZIP predictor + interleave over their bytes */
    uint16_t *dc = (uint16_t *)(void *)(base + o_dc);
    if (dc_c) {
        uint8_t *tmp = (uint8_t *)(dc + n_dc);
        EXRQOI_TRY(exrqoi__inflate(ctx, p, (size_t)dc_c, tmp, (size_t)n_dc * 2));
        exrqoi__zip_unpredict(tmp, (size_t)n_dc * 2, (uint8_t *)dc);
        for (size_t i = 0; i < n_dc; i++) dc[i] = exrqoi__le16(&dc[i]);
    }
    p += dc_c;

    /* RLE channels: zlib, then byte RLE into per-channel byte planes */
    uint8_t *rle = base + o_rle;
    if (rle_bytes) {
        uint8_t *packed_rle = rle + rle_bytes;
        EXRQOI_TRY(exrqoi__inflate(ctx, p, (size_t)rle_c, packed_rle, (size_t)rle_u));
        if (!exrqoi__dwa_unrle_bytes(packed_rle, (size_t)rle_u, rle, (size_t)rle_bytes))
            return corrupt(ctx, "RLE data does not match its size");
    }

    /* lossy channels: the triples first, then single channels */
    s.ac = ac;
    s.nac = (size_t)n_ac;
    s.dc = dc;
    if (any_lossy_lut) s.to_linear = exrqoi__dwa_to_linear_table();
    for (int k = 0; k < plan.ncsc; k++) EXRQOI_TRY(decode_lossy(&s, plan.csc[k], 3, true, path));

    size_t unk_off = 0, rle_off = 0;
    for (int c = 0; c < b->nchan; c++) {
        const exrqoi__chan_layout *ch = &b->chans[c];
        size_t line = (size_t)ch->width * ch->size;
        if (plan.scheme[c] == DWA_SCHEME_LOSSY_DCT) {
            if (!plan.in_csc[c]) EXRQOI_TRY(decode_lossy(&s, &c, 1, !ch->p_linear, path));
        } else if (plan.scheme[c] == DWA_SCHEME_RLE) {
            size_t plane = (size_t)ch->width * (size_t)ch->height;
            const uint8_t *planes = rle + rle_off;
            for (int32_t r = 0; r < ch->height; r++)
                unplane(dst + rows[first[c] + (size_t)r], planes, plane, (size_t)r * (size_t)ch->width,
                        ch->width, ch->size);
            rle_off += plane * ch->size;
        } else {
            for (int32_t r = 0; r < ch->height; r++) {
                if (line) memcpy(dst + rows[first[c] + (size_t)r], unk + unk_off, line);
                unk_off += line;
            }
        }
    }
    return EXRQOI_OK;
}
