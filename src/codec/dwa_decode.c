/* DWA decoder: validates the chunk header, undoes the entropy stages and
 * rebuilds the lossy, RLE and stored channels.
 *
 * The lossy loop is written once and instantiated per kernel path
 * (portable, SSE2, AVX2+F16C: dwa_simd.h; NEON: dwa_neon.h), all giving
 * identical bits. */
#include "codec/dwa.h"
#include "codec/dwa_neon.h"
#include "codec/dwa_simd.h"
#include "codec/huf.h"
#include "codec/predict.h"
#include "codec/seg_cursor.h"
#include "common/half.h"


#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define DWA_LE 1
#else
#define DWA_LE 0
#endif

typedef struct dec_state {
    exrqoi__codec_ctx *ctx;
    const exrqoi__block_layout *b;
    uint8_t *const *lp; /* where channel c's line r goes: lp[first[c] + r] */
    const size_t *first;
    const uint16_t *ac;
    size_t nac, acpos;
    /* AC symbols in two pieces (exrqoi__huf_decompress_parts): from
     * acpos >= ac_switch on, read ac_next (ac_next_n values) instead,
     * whose first HUF_OVERLAP repeat ac's last ones; SIZE_MAX: one piece */
    size_t ac_switch, ac_next_n;
    const uint16_t *ac_next;
    const uint16_t *dc;
    size_t dcpos;
    const uint16_t *to_linear; /* set when some lossy channel needs it */
    uint16_t *row_t; /* a block row's coefficients: DWA_T_STRIDE per block and component */
    int *row_last;   /* and their last coded slots */
} dec_state;

/* Halves per block in dec_state.row_t: 64 coefficients, the scratch slot
 * of unrle_block_sse2, padding to 32 bytes. */
#define DWA_T_STRIDE 80

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

/* The AC run decoder loop of unrle_block, once with and once without the
 * bounds check `SHORT` (a macro so that each copy stays a tight loop). */
#define UNRLE_LOOP(SHORT)                                  \
    while (comp < 64) {                                    \
        if (SHORT) return -1;                              \
        unsigned v = ac[p++];                              \
        if (v >= 0xff00u) {                                \
            if (v == 0xff00u) break;                       \
            comp += (int)(v & 0xffu);                      \
        } else {                                           \
            last = comp;                                   \
            t[exrqoi__dwa_zigzag_t[comp++]] = (uint16_t)v; \
        }                                                  \
    }

/* AC symbols: 0xff00 ends the block, 0xffNN skips NN zero slots, anything
 * else is a coefficient (those bit patterns are NaNs, never produced).
 * Coefficients land column-major in `t` (pre-zeroed). Returns the last
 * coded slot (0: DC only) or -1 when the values run out. */
static inline int unrle_block(const uint16_t *ac, size_t n, size_t *pos, uint16_t *t)
{
    size_t p = *pos;
    int last = 0, comp = 1;
    /* every symbol advances at least one slot: with 63 left no check is needed */
    if (EXRQOI_LIKELY(n - p >= 63)) {
        UNRLE_LOOP(0);
    } else {
        UNRLE_LOOP(p >= n);
    }
    *pos = p;
    return last;
}

#if DWA_X86 || DWA_NEON
/* exrqoi__dwa_zigzag_t plus slot 64: a scratch entry past the block that
 * takes the stores of run symbols and of symbols past the block's end. */
static const uint8_t zz_scratch[65] = {
    0,  8,  1,  2,  9,  16, 24, 17, 10, 3,  4,  11, 18, 25, 32, 40, 33, 26, 19, 12, 5,  6,
    13, 20, 27, 34, 41, 48, 56, 49, 42, 35, 28, 21, 14, 7,  15, 22, 29, 36, 43, 50, 57, 58,
    51, 44, 37, 30, 23, 31, 38, 45, 52, 59, 60, 53, 46, 39, 47, 54, 61, 62, 55, 63, 64,
};
#endif

#if DWA_X86

/* unrle_block eight symbols at a time, with no branch per symbol (runs
 * and values alternate at random, so the scalar loop mispredicts): each
 * symbol's slot is a prefix sum of the slots the ones before it cover
 * (1 for a value, NN for a run, 64 for the end mark); symbols from slot
 * 64 on belong to the next block. `t` needs 65 entries (64 is scratch). */
static inline int unrle_block_sse2(const uint16_t *ac, size_t n, size_t *pos, uint16_t *t)
{
    size_t p = *pos;
    /* a block takes at most 63 symbols: the 8-wide loads stay below p + 64 */
    if (EXRQOI_UNLIKELY(n - p < 64)) return unrle_block(ac, n, pos, t);
    const __m128i hi = _mm_set1_epi16((short)0xff00), lo = _mm_set1_epi16(0xff);
    const __m128i one = _mm_set1_epi16(1), c64 = _mm_set1_epi16(64);
    __m128i comp = one;
    uint16_t idx[8] __attribute__((aligned(16)));
    /* per lane the highest slot stored to: their maximum is the last coded
     * slot, kept in a register instead of read back from idx per step */
    __m128i lastv = _mm_setzero_si128();
    for (;;) {
        const uint16_t *a = ac + p;
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)a);
        __m128i run = _mm_cmpeq_epi16(_mm_and_si128(v, hi), hi);
        __m128i adv = _mm_or_si128(_mm_and_si128(run, _mm_and_si128(v, lo)), _mm_andnot_si128(run, one));
        adv = _mm_or_si128(adv, _mm_and_si128(_mm_cmpeq_epi16(v, hi), c64));
        __m128i inc = _mm_add_epi16(adv, _mm_slli_si128(adv, 2));
        inc = _mm_add_epi16(inc, _mm_slli_si128(inc, 4));
        inc = _mm_add_epi16(inc, _mm_slli_si128(inc, 8));
        /* slots stay below 64 + 8 * 255 + 64: no 16-bit overflow */
        __m128i start = _mm_sub_epi16(_mm_add_epi16(comp, inc), adv);
        __m128i live = _mm_cmplt_epi16(start, c64);
        __m128i put = _mm_andnot_si128(run, live);
        _mm_store_si128((__m128i *)(void *)idx,
                        _mm_or_si128(_mm_and_si128(put, start), _mm_andnot_si128(put, c64)));
        for (int i = 0; i < 8; i++) t[zz_scratch[idx[i]]] = a[i];
        lastv = _mm_max_epi16(lastv, _mm_and_si128(put, start));
        unsigned mlive = (unsigned)_mm_movemask_epi8(live);
        if (mlive != 0xffffu) {
            p += (size_t)(__builtin_ctz(~mlive) >> 1);
            break;
        }
        p += 8;
        comp = _mm_add_epi16(comp, _mm_shuffle_epi32(_mm_shufflehi_epi16(inc, 0xff), 0xff));
    }
    lastv = _mm_max_epi16(lastv, _mm_shuffle_epi32(lastv, 0x4e));
    lastv = _mm_max_epi16(lastv, _mm_shuffle_epi32(lastv, 0xb1));
    lastv = _mm_max_epi16(lastv, _mm_shufflelo_epi16(lastv, 0xb1));
    *pos = p;
    return _mm_cvtsi128_si32(lastv) & 0xffff;
}
#endif

/* The AC walk of a path: the portable one for DWA_PATH_C. */
static inline __attribute__((always_inline)) int unrle_path(int path, const uint16_t *ac, size_t n,
                                                              size_t *pos, uint16_t *t)
{
#if DWA_X86
    if (path != DWA_PATH_C) return unrle_block_sse2(ac, n, pos, t);
#endif
#if DWA_NEON
    /* a block takes at most 63 symbols: the 8-wide loads stay below *pos + 64 */
    if (path == DWA_PATH_NEON && EXRQOI_LIKELY(n - *pos >= 64)) return dwa_unrle_block_neon(ac, pos, t, zz_scratch);
#endif
    (void)path;
    return unrle_block(ac, n, pos, t);
}

int exrqoi__dwa_unrle(int path, const uint16_t *ac, size_t n, size_t *pos, uint16_t *t)
{
    return unrle_path(path, ac, n, pos, t);
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

/* exrqoi__dwa_csc_inverse's arithmetic on vectors of any width, lane-wise
 * in the same order (no FMA: FP_CONTRACT is off in dwa_simd.h). */
#define DWA_CSC_INVERSE(y, cb, cr, r, g, b)          \
    do {                                             \
        (r) = (y) + 1.5747f * (cr);                  \
        (g) = (y) - 0.1873f * (cb) - 0.4682f * (cr); \
        (b) = (y) + 1.8556f * (cb);                  \
    } while (0)

/* One row of 8 IDCT outputs -> halves (F16C rounding) -> transfer table
 * (one gather: 32 bits at each half's entry, the low 16 kept) -> the
 * output samples, half or float. */
DWA_AVX static inline void lut_vec_avx2(__m256 in, const uint16_t *lut, uint8_t *o, bool is_float)
{
    __m128i h = _mm256_cvtps_ph(in, _MM_FROUND_TO_NEAREST_INT);
    __m256i g = _mm256_i32gather_epi32((const int *)(const void *)lut, _mm256_cvtepu16_epi32(h), 2);
    g = _mm256_and_si256(g, _mm256_set1_epi32(0xffff));
    __m128i v = _mm_packus_epi32(_mm256_castsi256_si128(g), _mm256_extracti128_si256(g, 1));
    if (is_float)
        _mm256_storeu_ps((float *)(void *)o, _mm256_cvtph_ps(v));
    else
        _mm_storeu_si128((__m128i *)(void *)o, v);
}

DWA_AVX static inline void lut_row_avx2(const float *in, const uint16_t *lut, uint8_t *o, bool is_float)
{
    lut_vec_avx2(_mm256_load_ps(in), lut, o, is_float);
}

/* Y'CbCr rows of three transformed blocks -> R'G'B' (lane-wise as
 * exrqoi__dwa_csc_inverse) -> lut_vec_avx2, row by row: the colour
 * transform's results go to the gather in registers, not through `blk`. */
DWA_AVX static inline void csc_lut_rows_avx2(float (*blk)[64], const uint16_t *lut, uint8_t *(*rowp)[8],
                                      size_t bx, const bool *is_float, int ny)
{
    for (int yy = 0; yy < ny; yy++) {
        dwa_v8 y = (dwa_v8)_mm256_load_ps(blk[0] + 8 * yy), cb = (dwa_v8)_mm256_load_ps(blk[1] + 8 * yy),
               cr = (dwa_v8)_mm256_load_ps(blk[2] + 8 * yy);
        dwa_v8 rgb[3];
        DWA_CSC_INVERSE(y, cb, cr, rgb[0], rgb[1], rgb[2]);
        for (int c = 0; c < 3; c++)
            lut_vec_avx2((__m256)rgb[c], lut, rowp[c][yy] + bx * 8 * (is_float[c] ? 4u : 2u), is_float[c]);
    }
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
#if DWA_NEON
    dwa_csc64_neon(c0, c1, c2);
#elif DWA_X86
    for (int i = 0; i < 64; i += 4) {
        dwa_v4 y = (dwa_v4)_mm_load_ps(c0 + i), cb = (dwa_v4)_mm_load_ps(c1 + i),
               cr = (dwa_v4)_mm_load_ps(c2 + i), r, g, b;
        DWA_CSC_INVERSE(y, cb, cr, r, g, b);
        _mm_store_ps(c0 + i, (__m128)r);
        _mm_store_ps(c1 + i, (__m128)g);
        _mm_store_ps(c2 + i, (__m128)b);
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
#if DWA_NEON
    if (path == DWA_PATH_NEON) {
        if (L <= 1)
            dwa_row0_neon(exrqoi__h2f(t[0]), exrqoi__h2f(t[8]), out);
        else
            dwa_idct_neon(t, out, L);
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
#if DWA_NEON
    if (path == DWA_PATH_NEON) {
        for (int i = 0; i < 64; i += 8) dwa_f2h8_neon(in + i, out + i);
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

    float blk[3][64] __attribute__((aligned(32)));
    uint16_t hb[64] __attribute__((aligned(32)));
    float dcv[3];
    int last[3];
    uint8_t *rowp[3][8];
    const size_t nt = nbx * (size_t)ncomp;
    /* The AC walk writes only a block's coded slots (and scratch slot 64,
     * never read): clearing each block that has any right after its
     * transform keeps the row buffer zero at every row start, with no
     * memset of the whole row per row. */
    memset(s->row_t, 0, nt * DWA_T_STRIDE * sizeof *s->row_t);
    for (size_t by = 0; by < nby; by++) {
        int ny = (by == nby - 1) ? (int)(h - 8 * (int32_t)(nby - 1)) : 8;
        for (int c = 0; c < ncomp; c++)
            for (int yy = 0; yy < ny; yy++)
                rowp[c][yy] = s->lp[s->first[chans[c]] + by * 8 + (size_t)yy];
        /* The whole row's AC walk first: the transform then reads blocks
         * whose scattered 16-bit stores have long left the store buffer
         * (a vector load right after them cannot be forwarded and stalls),
         * and the branchy walk and the vector code do not interleave. */
        for (size_t k = 0; k < nt;) {
            for (int c = 0; c < ncomp; c++, k++) {
                if (EXRQOI_UNLIKELY(s->acpos >= s->ac_switch)) {
                    /* a block starting before the switch reads at most 63 values
                     * past it: still within the first piece */
                    s->acpos -= s->ac_switch;
                    s->ac = s->ac_next;
                    s->nac = s->ac_next_n;
                    s->ac_switch = SIZE_MAX;
                }
                uint16_t *tk = s->row_t + k * DWA_T_STRIDE;
                tk[0] = *dcp[c]++;
                s->row_last[k] = unrle_path(path, s->ac, s->nac, &s->acpos, tk);
                if (s->row_last[k] < 0) return corrupt(s->ctx, "AC data ends early");
            }
        }
        for (size_t bx = 0; bx < nbx; bx++) {
            int nx = (bx == nbx - 1) ? (int)(w - 8 * (int32_t)(nbx - 1)) : 8;
            bool constant = true;
            uint16_t *t[3];
            for (int c = 0; c < ncomp; c++) {
                t[c] = s->row_t + (bx * (size_t)ncomp + (size_t)c) * DWA_T_STRIDE;
                last[c] = s->row_last[bx * (size_t)ncomp + (size_t)c];
                if (last[c] == 0) {
                    /* DC only: exrqoi__dwa_idct_dc's value */
                    dcv[c] = exrqoi__h2f(t[c][0]) * 3.535536e-01f * 3.535536e-01f;
                } else {
                    constant = false;
                    idct_path(path, t[c], blk[c], exrqoi__dwa_live_rows(last[c]));
                    memset(t[c], 0, 64 * sizeof *t[c]);
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
#if DWA_X86
            if (path == DWA_PATH_AVX && lut && nx == 8 && ncomp == 3) {
                csc_lut_rows_avx2(blk, lut, rowp, bx, is_float, ny);
                continue;
            }
#endif
            if (ncomp == 3) {
                if (path == DWA_PATH_C)
                    exrqoi__dwa_csc_inverse(blk[0], blk[1], blk[2], 64);
                else
                    csc64_vec(blk[0], blk[1], blk[2]);
            }
            for (int c = 0; c < ncomp; c++) {
#if DWA_X86
                if (path == DWA_PATH_AVX && lut && nx == 8) {
                    size_t x0 = bx * 8 * (is_float[c] ? 4u : 2u);
                    for (int yy = 0; yy < ny; yy++) lut_row_avx2(blk[c] + 8 * yy, lut, rowp[c][yy] + x0, is_float[c]);
                    continue;
                }
#endif
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

#if DWA_NEON
static exrqoi_result decode_lossy_neon(dec_state *s, const int *chans, int ncomp, bool use_lut)
{
    return decode_lossy_impl(s, chans, ncomp, use_lut, DWA_PATH_NEON);
}
#endif

static exrqoi_result decode_lossy(dec_state *s, const int *chans, int ncomp, bool use_lut, int path)
{
#if DWA_X86
    if (path == DWA_PATH_AVX) return decode_lossy_avx(s, chans, ncomp, use_lut);
    if (path == DWA_PATH_SSE2) return decode_lossy_sse2(s, chans, ncomp, use_lut);
#endif
#if DWA_NEON
    if (path == DWA_PATH_NEON) return decode_lossy_neon(s, chans, ncomp, use_lut);
#endif
    (void)path;
    return decode_lossy_c(s, chans, ncomp, use_lut);
}

/* ---- exported kernels (tests compare the paths) ---------------------------- */

/* The path the process's features allow (tests compare every path up to
 * it); decoding takes ctx->k.dwa. */
int exrqoi__dwa_best_path(void) { return exrqoi__cpu_kernels().dwa; }

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
    return exrqoi__dwa_decode_path(ctx, b, src, n, dst, ctx->k.dwa);
}

static exrqoi_result decode_core(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,
                                 const uint8_t *src, size_t n, uint8_t *dst,
                                 const exrqoi__segment *seg, size_t nseg, int path);

exrqoi_result exrqoi__dwa_decode_path(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,
                                      const uint8_t *src, size_t n, uint8_t *dst, int path)
{
    return decode_core(ctx, b, src, n, dst, NULL, 0, path);
}

exrqoi_result exrqoi__dwa_decode_segments_path(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,
                                               const uint8_t *src, size_t n,
                                               const exrqoi__segment *seg, size_t nseg, int path)
{
    return decode_core(ctx, b, src, n, NULL, seg, nseg, path);
}

exrqoi_result exrqoi__dwa_decompress_segments(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,
                                              const uint8_t *src, size_t n,
                                              const exrqoi__segment *seg, size_t nseg)
{
    return exrqoi__dwa_decode_segments_path(ctx, b, src, n, seg, nseg, ctx->k.dwa);
}

/* Shortest lines decoded straight into the caller's memory. */
#define DWA_DIRECT_LINE_BYTES 1024

/* Channel c's line r of the block is line first[c] + r: runs `body` for
 * each line in unpacked order, with its index `li` and byte count `lb`
 * (cnt: nchan counters). */
#define DWA_FOR_LINES(b, first, cnt, li, lb, body)                                                \
    do {                                                                                      \
        for (int c_ = 0; c_ < (b)->nchan; c_++) (cnt)[c_] = 0;                                 \
        for (int32_t yy_ = 0; yy_ < (b)->height; yy_++) {                                     \
            for (int c_ = 0; c_ < (b)->nchan; c_++) {                                         \
                const exrqoi__chan_layout *ch_ = &(b)->chans[c_];                             \
                if (exrqoi__mod((b)->y + yy_, ch_->y_sampling) != 0) continue;                 \
                size_t li = (first)[c_] + (cnt)[c_]++;                                        \
                size_t lb = (size_t)ch_->width * ch_->size;                                   \
                body;                                                                         \
            }                                                                                 \
        }                                                                                     \
    } while (0)

/* dst (the unpacked layout) or, when seg is set, the segments (their
 * coverage of the block checked before exrqoi__decompress_block_covered)
 * receive the decoded lines. */
static exrqoi_result decode_core(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,
                                 const uint8_t *src, size_t n, uint8_t *dst,
                                 const exrqoi__segment *seg, size_t nseg, int path)
{
    /* a path beyond the context's choice (a test asking) falls back */
    if (path < DWA_PATH_C || path > ctx->k.dwa) path = path < DWA_PATH_C ? DWA_PATH_C : ctx->k.dwa;
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
    EXRQOI_TRY(exrqoi__codec_scratch(ctx, EXRQOI__SCRATCH_DWA_STATE, used + 16, &mem));
    dwa_plan plan;
    exrqoi__dwa_classify(b, &rules, mem, &plan);

    uint64_t unknown_bytes = 0, rle_bytes = 0, max_ac = 0, dc_need = 0;
    size_t row_blocks = 0; /* most blocks (times components) in one block row */
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
            size_t rb = dwa_blocks(ch->width) * (plan.in_csc[c] ? 3u : 1u);
            if (rb > row_blocks) row_blocks = rb;
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
    size_t row_t_bytes;
    if (exrqoi__mul_size(row_blocks, DWA_T_STRIDE * sizeof(uint16_t) + sizeof(int), &row_t_bytes))
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_LIMIT, "DWA block row too wide");
    size_t o_row_t = (used + 15) & ~(size_t)15;
    dwa_carve(NULL, &used, row_blocks * DWA_T_STRIDE * sizeof(uint16_t));
    size_t o_row_last = (used + 15) & ~(size_t)15;
    dwa_carve(NULL, &used, row_blocks * sizeof(int));
    size_t o_lp = (used + 15) & ~(size_t)15;
    dwa_carve(NULL, &used, rows_n * sizeof(uint8_t *));
    /* segments: lines that are not wanted or not in one piece are decoded
     * into `spill` (at their unpacked offset); the latter copied out after */
    size_t o_spill = (used + 15) & ~(size_t)15;
    dwa_carve(NULL, &used, seg ? b->unpacked_size : 0);
    size_t o_cnt = (used + 15) & ~(size_t)15;
    dwa_carve(NULL, &used, seg ? nchan * sizeof(size_t) : 0);
    /* the plan lives at the start of the state buffer and survives the
     * regrow only if it is big enough already: re-classify after growing */
    EXRQOI_TRY(exrqoi__codec_scratch(ctx, EXRQOI__SCRATCH_DWA_STATE, used + 16, &mem));
    exrqoi__dwa_classify(b, &rules, mem, &plan);
    uint8_t *base = (uint8_t *)mem;

    dec_state s;
    memset(&s, 0, sizeof s);
    s.ctx = ctx;
    s.b = b;
    size_t *rows = (size_t *)(void *)(base + o_rows), *first = (size_t *)(void *)(base + o_first);
    EXRQOI_TRY(exrqoi__dwa_rows(ctx, b, rows, first));
    uint8_t **lp = (uint8_t **)(void *)(base + o_lp);
    uint8_t *spill = base + o_spill;
    size_t *lcnt = (size_t *)(void *)(base + o_cnt);
    if (!seg) {
        for (size_t i = 0; i < rows_n; i++) lp[i] = dst + rows[i];
    } else {
        /* 8x8 blocks write 16 or 32 bytes to each of 8 lines at a time:
         * into the caller's memory that pays off only along long lines
         * (measured: 2.5 KB lines faster, tiles' 256 B lines ~10% slower
         * than the compact scratch block and one copy) */
        size_t longest = 0;
        for (int c = 0; c < b->nchan; c++) {
            size_t lb = (size_t)b->chans[c].width * b->chans[c].size;
            if (lb > longest) longest = lb;
        }
        bool direct = longest >= DWA_DIRECT_LINE_BYTES;
        seg_cursor sc = {seg, nseg, 0, 0};
        DWA_FOR_LINES(b, first, lcnt, li, lb, {
            uint8_t *d = NULL;
            bool whole = direct && seg_whole(&sc, lb, &d);
            if (!whole) seg_scatter(&sc, NULL, lb); /* copied out at the end */
            lp[li] = whole && d ? d : spill + rows[li];
        });
    }
    s.lp = lp;
    s.first = first;
    s.row_t = (uint16_t *)(void *)(base + o_row_t);
    s.row_last = (int *)(void *)(base + o_row_last);

    const uint8_t *p = src + pos;
    /* stored channels */
    uint8_t *unk = base + o_unk;
    if (unknown_bytes) EXRQOI_TRY(exrqoi__inflate(ctx, p, (size_t)unk_c, unk, (size_t)unknown_bytes));
    p += unk_c;

    /* AC coefficients */
    uint16_t *ac = (uint16_t *)(void *)(base + o_ac);
    const uint16_t *ac_tail = NULL;
    size_t ac_head = (size_t)n_ac;
    if (ac_c) {
        if (hd[DWA_AC_COMPRESSION] == DWA_AC_HUFFMAN) {
            EXRQOI_TRY(exrqoi__huf_decompress_parts(ctx, p, (size_t)ac_c, ac, (size_t)n_ac, &ac_tail,
                                                    &ac_head));
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
        exrqoi__zip_unpredict_path(ctx->k.zip, tmp, (size_t)n_dc * 2, (uint8_t *)dc);
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
    s.nac = ac_head;
    s.ac_switch = SIZE_MAX;
    if (ac_tail) {
        s.ac_switch = ac_head - HUF_OVERLAP;
        s.ac_next = ac_tail - HUF_OVERLAP;
        s.ac_next_n = HUF_OVERLAP + ((size_t)n_ac - ac_head);
    }
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
                unplane(lp[first[c] + (size_t)r], planes, plane, (size_t)r * (size_t)ch->width,
                        ch->width, ch->size);
            rle_off += plane * ch->size;
        } else {
            for (int32_t r = 0; r < ch->height; r++) {
                if (line) memcpy(lp[first[c] + (size_t)r], unk + unk_off, line);
                unk_off += line;
            }
        }
    }
    if (seg) {
        /* the lines decoded into spill */
        seg_cursor sc = {seg, nseg, 0, 0};
        DWA_FOR_LINES(b, first, lcnt, li, lb, {
            if (lp[li] == spill + rows[li]) {
                seg_scatter(&sc, spill + rows[li], lb);
            } else {
                seg_scatter(&sc, NULL, lb);
            }
        });
    }
    return EXRQOI_OK;
}
