/* DWA encoder: OpenEXR 3.1's DwaCompressor (version 2 chunks with the
 * default channel rules), producing the same bytes as OpenEXR. */
#include "codec/dwa.h"
#include "codec/dwa_simd.h"
#include "codec/huf.h"
#include "codec/predict.h"
#include "common/half.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define ENC_SSE2 1
#include <emmintrin.h>
#else
#define ENC_SSE2 0
#endif
#if defined(__aarch64__) && defined(__ARM_NEON)
#define ENC_NEON 1
#include <arm_neon.h>
#else
#define ENC_NEON 0
#endif

#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

/* Deflate levels on libdeflate's scale (OpenEXR 3.2+ deflates DWA with
 * libdeflate too). Chunks whose AC data is Huffman-coded (scanlines,
 * DWAB): every stream at OpenEXR's 9, so the stored and RLE streams are
 * the bytes OpenEXR main writes; DC too, where OpenEXR uses its ZIP level
 * (4): the DC stream is 1/64 of the samples, so 9 costs ~0.3% of the
 * encode and makes files smaller than OpenEXR 3.1's (zlib) and main's. */
#define DWA_ZLIB_LEVEL 9
/* Except the stored channels' raw bytes (not RGB/Y/A: depth, vectors,
 * masks): lazy parsing (7), where OpenEXR's 9 takes ~2.4x the time for
 * no smaller data (Beachball's are 0.7% smaller at 7; docs/benchmarks.md,
 * "DWAA encode of Fog and Beachball"). */
#define DWA_UNKNOWN_LEVEL 7
/* Chunks whose AC data is deflated (DWAA tiles), where that deflate is
 * ~80% of the encode: every stream of a chunk at one level (two
 * compressors per context), lazy parsing (7) for three chunks in four and
 * near-optimal parsing (10) for the fourth. OpenEXR's 9 takes 2.6x the
 * time of 7 for 0.2% less AC data; 10 takes 1.25x the time of 9 for ~4.5%
 * less, so the mix is smaller than 9 at about 0.75x 8's time (and 0.6x
 * OpenEXR's 9); docs/benchmarks.md, "DWAA encode of tiled images". The
 * fourth is picked by a hash of the chunk's AC value count: deterministic,
 * the same for any number of threads, and not tied to where tiles are. */
#define DWA_TILE_LAZY_LEVEL 7
#define DWA_TILE_OPTIMAL_LEVEL 10

static int tile_level(size_t nac)
{
    return ((uint32_t)nac * 0x9E3779B1u) >> 30 == 0 ? DWA_TILE_OPTIMAL_LEVEL : DWA_TILE_LAZY_LEVEL;
}

typedef struct enc_state {
    const exrqoi__block_layout *b;
    const uint8_t *src;
    const size_t *rows, *first;
    uint16_t *ac;
    size_t nac;
    uint16_t *dc;
    size_t ndc;
    const uint16_t *to_nonlinear; /* set when some lossy channel needs it */
    float base_error;
    int half_path; /* block half<->float: ctx->k.dwa on x86, else 0 (scalar) */
    int quant_path; /* ctx->k.dwa: 4 candidates per compare unless EXRQOI__PATH_C */
    const uint16_t *cand; /* quantiser candidates (exrqoi__dwa_candidates) */
    const uint32_t *cand_off;
    const float *cand_f;
    float tol_y[64], tol_c[64]; /* error allowed per coefficient (row-major) */
    uint8_t zig_of[64]; /* row-major index -> zig-zag position */
} enc_state;

/* A float sample as the half OpenEXR codes: clamped to the half range
 * first (NaN becomes the maximum, as std::min/max order it). */
static inline uint16_t float_half(const uint8_t *p)
{
    float f = exrqoi__lef32(p);
    f = (f < 65504.0f) ? f : 65504.0f;
    f = (f < -65504.0f) ? -65504.0f : f;
    return exrqoi__f2h(f);
}

/* The 8 sample indices of a block starting at `start` in a line of n,
 * mirrored at the edge: 2n-1-v, and the last sample when even that
 * falls outside. */
static inline void mirror8(int32_t start, int32_t n, int32_t *out)
{
    for (int i = 0; i < 8; i++) {
        int32_t v = start + i;
        if (v >= n) v = n - (v - (n - 1));
        if (v < 0) v = n - 1;
        out[i] = v;
    }
}

static bool any_lossy(const dwa_plan *plan)
{
    for (int c = 0; c < plan->nchan; c++)
        if (plan->scheme[c] == DWA_SCHEME_LOSSY_DCT) return true;
    return false;
}

/* dwa_quantize_tab with v = exrqoi__h2f(h) already known. */
static inline uint16_t quantize_v(const enc_state *s, uint16_t h, float v, float tolerance)
{
    if ((h & 0x7c00) == 0x7c00) return h; /* inf/NaN: never within the error */
    /* every h but 0 has the 0-bit candidate +0 first (0 - v is -v), and
     * 0 itself quantises to 0: no table look-up for most coefficients */
    if ((v < 0 ? -v : v) < tolerance) return 0;
    for (uint32_t i = s->cand_off[h], e = s->cand_off[h + 1]; i < e; i++) {
        float d = s->cand_f[i] - v;
        if ((d < 0 ? -d : d) < tolerance) return exrqoi__f2h(s->cand_f[i]); /* = cand[i] */
    }
    return h;
}

/* quantize_v testing 4 candidates at once: the same subtraction and
 * compare per candidate (|d| by clearing the sign bit compares as the
 * scalar d < 0 ? -d : d does), the first hit in candidate order wins.
 * Reads up to 3 candidates past h's last: a finite h's candidates are
 * followed by at least those of the NaN patterns (exrqoi__dwa_candidates
 * has 16 for 0xffff at its end). The pick is converted back from its
 * float, which is exact for the finite candidates that can match: the
 * half table would be one more cache miss. */
#if ENC_SSE2 || ENC_NEON
static inline uint16_t quantize_v4(const enc_state *s, uint16_t h, float v, float tolerance)
{
    if ((h & 0x7c00) == 0x7c00) return h;
    /* every h but 0 has the 0-bit candidate +0 first, and 0 - v is -v:
     * most coefficients end here, without the tables' cache misses */
    if ((v < 0 ? -v : v) < tolerance) return 0;
    uint32_t i = s->cand_off[h], cnt = s->cand_off[h + 1] - i;
    const float *cf = s->cand_f + i;
#if ENC_SSE2
    const __m128 vv = _mm_set1_ps(v), vt = _mm_set1_ps(tolerance);
    const __m128 abs_mask = _mm_castsi128_ps(_mm_set1_epi32(0x7fffffff));
    for (uint32_t k = 0; k < cnt; k += 4) {
        __m128 d = _mm_and_ps(_mm_sub_ps(_mm_loadu_ps(cf + k), vv), abs_mask);
        unsigned m = (unsigned)_mm_movemask_ps(_mm_cmplt_ps(d, vt));
        if (cnt - k < 4) m &= (1u << (cnt - k)) - 1u;
        if (m) return exrqoi__f2h(cf[k + (uint32_t)__builtin_ctz(m)]);
    }
#else
    const float32x4_t vv = vdupq_n_f32(v), vt = vdupq_n_f32(tolerance);
    static const uint32_t lane_bit[4] = {1, 2, 4, 8};
    const uint32x4_t bits = vld1q_u32(lane_bit);
    for (uint32_t k = 0; k < cnt; k += 4) {
        float32x4_t d = vabsq_f32(vsubq_f32(vld1q_f32(cf + k), vv));
        unsigned m = vaddvq_u32(vandq_u32(vcltq_f32(d, vt), bits));
        if (cnt - k < 4) m &= (1u << (cnt - k)) - 1u;
        if (m) return exrqoi__f2h(cf[k + (uint32_t)__builtin_ctz(m)]);
    }
#endif
    return h;
}
#endif

#if DWA_X86
/* 64 little-endian halves -> floats, exactly (dwa_h2f_sse2 keeps NaN
 * payloads as exrqoi__h2f does). */
static void h2f64_sse2(const uint8_t *hb, float *out)
{
    const __m128i zero = _mm_setzero_si128();
    for (int k = 0; k < 8; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(hb + 16 * k));
        _mm_storeu_ps(out + 8 * k, dwa_h2f_sse2(_mm_unpacklo_epi16(v, zero)));
        _mm_storeu_ps(out + 8 * k + 4, dwa_h2f_sse2(_mm_unpackhi_epi16(v, zero)));
    }
}

/* 64 DCT coefficients -> little-endian halves. These kernels quiet NaNs
 * as F16C does, exrqoi__f2h keeps the payload: the same for the quiet NaNs
 * the DCT's arithmetic makes (every coefficient is a sum of products). */
static void f2h64_sse2(const float *in, uint8_t *hb)
{
    for (int k = 0; k < 8; k++) dwa_f2h8_sse2(in + 8 * k, (uint16_t *)(void *)(hb + 16 * k));
}

/* 64 DCT coefficients -> little-endian halves (F16C), and those halves
 * back as floats: exact for every finite half; a NaN's payload may differ
 * from exrqoi__h2f's, but the quantiser never reads an inf/NaN
 * coefficient's float. */
DWA_AVX static void f2h64_and_back_avx(const float *in, uint8_t *hb, float *out)
{
    for (int k = 0; k < 8; k++) {
        uint16_t *h = (uint16_t *)(void *)(hb + 16 * k);
        dwa_f2h8_avx(in + 8 * k, h);
        _mm256_storeu_ps(out + 8 * k, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(const void *)h)));
    }
}
#endif

static void h2f64(int path, const uint8_t *hb, float *out)
{
#if DWA_X86
    if (path != EXRQOI__PATH_C) {
        h2f64_sse2(hb, out);
        return;
    }
#endif
    (void)path;
    for (int i = 0; i < 64; i++) out[i] = exrqoi__h2f(exrqoi__le16(hb + 2 * i));
}

static void f2h64(int path, const float *in, uint8_t *hb)
{
#if DWA_X86
    if (path != EXRQOI__PATH_C) {
        f2h64_sse2(in, hb);
        return;
    }
#endif
    (void)path;
    for (int i = 0; i < 64; i++) exrqoi__put16(hb + 2 * i, exrqoi__f2h(in[i]));
}

/* The coefficients as the halves the quantiser codes (hb) and those
 * halves as floats (qf). */
static void quant_halves(int path, const float *in, uint8_t *hb, float *qf)
{
#if DWA_X86
    if (path == EXRQOI__PATH_AVX2) {
        f2h64_and_back_avx(in, hb, qf);
        return;
    }
#endif
    f2h64(path, in, hb);
    h2f64(path, hb, qf);
}

/* Bit j set where coefficient j (row-major) is not within the error of 0,
 * inf/NaN included: only those need the candidate search. Branch-free,
 * as whether a coefficient is small is close to random. */
static uint64_t search_mask(int path, const float *qf, const float *tol)
{
    uint64_t m = 0;
#if ENC_SSE2
    if (path != EXRQOI__PATH_C) {
        const __m128 abs_mask = _mm_castsi128_ps(_mm_set1_epi32(0x7fffffff));
        for (int k = 0; k < 16; k++) {
            __m128 a = _mm_and_ps(_mm_loadu_ps(qf + 4 * k), abs_mask);
            unsigned b = (unsigned)_mm_movemask_ps(_mm_cmpnlt_ps(a, _mm_loadu_ps(tol + 4 * k)));
            m |= (uint64_t)b << (4 * k);
        }
        return m;
    }
#elif ENC_NEON
    if (path != EXRQOI__PATH_C) {
        static const uint32_t lane_bit[4] = {1, 2, 4, 8};
        const uint32x4_t bits = vld1q_u32(lane_bit);
        for (int k = 0; k < 16; k++) {
            uint32x4_t lt = vcltq_f32(vabsq_f32(vld1q_f32(qf + 4 * k)), vld1q_f32(tol + 4 * k));
            m |= (uint64_t)vaddvq_u32(vbicq_u32(bits, lt)) << (4 * k);
        }
        return m;
    }
#endif
    (void)path;
    for (int j = 0; j < 64; j++) {
        float v = qf[j];
        m |= (uint64_t)!((v < 0 ? -v : v) < tol[j]) << j;
    }
    return m;
}

/* quantize_v, by the vector candidate search where the path has one. */
static inline uint16_t quantize_path(const enc_state *s, uint16_t h, float v, float tolerance)
{
#if ENC_SSE2 || ENC_NEON
    if (s->quant_path != EXRQOI__PATH_C) return quantize_v4(s, h, v, tolerance);
#endif
    return quantize_v(s, h, v, tolerance);
}

/* Quantises one block's coefficients (halves hb, as floats qf, row-major)
 * into zig-zag order; returns the nonzero mask (bit i: zig[i] != 0). The
 * candidates of every coefficient to search are prefetched first, so
 * that their look-ups overlap their misses. */
static uint64_t quantize_block(const enc_state *s, const uint8_t *hb, const float *qf,
                               const float *tol, uint16_t zig[64])
{
    uint64_t todo = search_mask(s->quant_path, qf, tol), nz = 0;
    memset(zig, 0, 64 * sizeof *zig);
#if defined(__GNUC__) || defined(__clang__)
    for (uint64_t t = todo; t; t &= t - 1)
        __builtin_prefetch(s->cand_f + s->cand_off[exrqoi__le16(hb + 2 * __builtin_ctzll(t))]);
#endif
    for (; todo; todo &= todo - 1) {
        int j = __builtin_ctzll(todo), i = s->zig_of[j];
        zig[i] = quantize_path(s, exrqoi__le16(hb + 2 * j), qf[j], tol[j]);
        nz |= (uint64_t)(zig[i] != 0) << i;
    }
    return nz;
}

/* One channel's 8x8 block as little-endian halves (through the nonlinear
 * curve when use_lut). */
static void gather_block(const enc_state *s, int chan, const int32_t *xs, const int32_t *ys,
                         bool use_lut, uint8_t hb[128])
{
    bool is_float = s->b->chans[chan].type == EXRQOI_PIXEL_FLOAT;
    const size_t *rows = s->rows + s->first[chan];
    for (int y = 0; y < 8; y++) {
        const uint8_t *row = s->src + rows[ys[y]];
        uint8_t *o = hb + 16 * y;
        if (is_float) {
            for (int x = 0; x < 8; x++) exrqoi__put16(o + 2 * x, float_half(row + 4 * (size_t)xs[x]));
        } else if (xs[7] == xs[0] + 7) {
            memcpy(o, row + 2 * (size_t)xs[0], 16); /* no mirrored sample */
        } else {
            for (int x = 0; x < 8; x++) memcpy(o + 2 * x, row + 2 * (size_t)xs[x], 2);
        }
    }
    if (use_lut)
        for (int i = 0; i < 64; i++) exrqoi__put16(hb + 2 * i, s->to_nonlinear[exrqoi__le16(hb + 2 * i)]);
}

static void encode_lossy(enc_state *s, const int *chans, int ncomp, bool use_lut)
{
    const exrqoi__block_layout *b = s->b;
    int32_t w = b->chans[chans[0]].width, h = b->chans[chans[0]].height;
    size_t nbx = dwa_blocks(w), nby = dwa_blocks(h);
    if (!nbx || !nby) return;
    uint16_t *dcp[3];
    for (int c = 0; c < ncomp; c++) dcp[c] = s->dc + s->ndc + (size_t)c * nbx * nby;
    s->ndc += (size_t)ncomp * nbx * nby;

    float blk[3][64] __attribute__((aligned(32)));
    float qf[64] __attribute__((aligned(32)));
    uint8_t hb[128] __attribute__((aligned(32)));
    uint16_t zig[64];
    int32_t xs[8], ys[8];
    const int hp = s->half_path;
    for (size_t by = 0; by < nby; by++) {
        mirror8((int32_t)by * 8, h, ys);
        for (size_t bx = 0; bx < nbx; bx++) {
            mirror8((int32_t)bx * 8, w, xs);
            for (int c = 0; c < ncomp; c++) {
                gather_block(s, chans[c], xs, ys, use_lut, hb);
                h2f64(hp, hb, blk[c]);
            }
            if (ncomp == 3) exrqoi__dwa_csc_forward(blk[0], blk[1], blk[2], 64);
            for (int c = 0; c < ncomp; c++) {
                exrqoi__dwa_fdct(blk[c]);
                quant_halves(hp, blk[c], hb, qf);
                uint64_t nz = quantize_block(s, hb, qf, c == 0 ? s->tol_y : s->tol_c, zig);
                *dcp[c]++ = zig[0];
                s->nac += exrqoi__dwa_rle_ac_mask(zig, nz, s->ac + s->nac);
            }
        }
    }
}

/* One line of samples -> the channel's byte planes (byte k of every
 * sample in plane k). */
static void to_planes(const uint8_t *row, uint8_t *planes, size_t plane, size_t at, int32_t w, int size)
{
    uint8_t *p0 = planes + at, *p1 = p0 + plane;
    if (size == 2) {
        for (int32_t x = 0; x < w; x++) {
            p0[x] = row[2 * x];
            p1[x] = row[2 * x + 1];
        }
        return;
    }
    uint8_t *p2 = p1 + plane, *p3 = p2 + plane;
    for (int32_t x = 0; x < w; x++) {
        p0[x] = row[4 * x];
        p1[x] = row[4 * x + 1];
        p2[x] = row[4 * x + 2];
        p3[x] = row[4 * x + 3];
    }
}

/* Per-stream worst cases, from the channel sizes alone. */
typedef struct enc_sizes {
    size_t bytes;  /* all channel bytes */
    size_t max_ac; /* 63 per block of every channel */
    size_t max_dc; /* one per block */
    size_t max_nbx;
} enc_sizes;

static void block_sizes(const exrqoi__block_layout *b, enc_sizes *z)
{
    memset(z, 0, sizeof *z);
    for (int c = 0; c < b->nchan; c++) {
        const exrqoi__chan_layout *ch = &b->chans[c];
        size_t nb = dwa_blocks(ch->width) * dwa_blocks(ch->height);
        z->bytes += (size_t)ch->width * (size_t)ch->height * ch->size;
        z->max_ac += nb * 63;
        z->max_dc += nb;
    }
}

static size_t rle_worst(size_t n) { return n + n / 127 + 2; }

size_t exrqoi__dwa_bound(const exrqoi__block_layout *b)
{
    enc_sizes z;
    block_sizes(b, &z);
    size_t ac = exrqoi__huf_bound(z.max_ac);
    size_t ac2 = exrqoi__dwa_zlib_bound(2 * z.max_ac);
    return DWA_HEADER_SIZE + DWA_MAX_RULES_SIZE + exrqoi__dwa_zlib_bound(z.bytes) +
           (ac > ac2 ? ac : ac2) + exrqoi__dwa_zlib_bound(2 * z.max_dc) +
           exrqoi__dwa_zlib_bound(rle_worst(z.bytes)) + 64;
}

exrqoi_result exrqoi__dwa_encode(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,
                                 const uint8_t *src, uint8_t *dst, size_t cap, size_t *out,
                                 int ac_coder)
{
    if (cap < exrqoi__dwa_bound(b))
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_BUFFER_TOO_SMALL, "DWA output buffer too small");
    dwa_rules rules;
    exrqoi__dwa_rules_default(&rules);

    enc_sizes z;
    block_sizes(b, &z);
    size_t rows_n = exrqoi__dwa_row_count(b), nchan = b->nchan > 0 ? (size_t)b->nchan : 1;
    size_t used = 0;
    dwa_carve(NULL, &used, exrqoi__dwa_plan_scratch(b->nchan));
    size_t o_rows = (used + 15) & ~(size_t)15;
    dwa_carve(NULL, &used, rows_n * sizeof(size_t));
    size_t o_first = (used + 15) & ~(size_t)15;
    dwa_carve(NULL, &used, nchan * sizeof(size_t));
    size_t o_planar = (used + 15) & ~(size_t)15; /* stored, then RLE byte planes */
    dwa_carve(NULL, &used, z.bytes);
    size_t o_tmp = (used + 15) & ~(size_t)15; /* packed RLE or predicted DC bytes */
    dwa_carve(NULL, &used, rle_worst(z.bytes) > 2 * z.max_dc ? rle_worst(z.bytes) : 2 * z.max_dc);
    size_t o_ac = (used + 15) & ~(size_t)15;
    dwa_carve(NULL, &used, z.max_ac * 2);
    size_t o_dc = (used + 15) & ~(size_t)15;
    dwa_carve(NULL, &used, z.max_dc * 2);
    void *mem;
    EXRQOI_TRY(exrqoi__codec_scratch(ctx, EXRQOI__SCRATCH_DWA_STATE, used + 16, &mem));
    uint8_t *base = (uint8_t *)mem;
    dwa_plan plan;
    exrqoi__dwa_classify(b, &rules, base, &plan);
    size_t *rows = (size_t *)(void *)(base + o_rows), *first = (size_t *)(void *)(base + o_first);
    EXRQOI_TRY(exrqoi__dwa_rows(ctx, b, rows, first));

    enc_state s;
    memset(&s, 0, sizeof s);
    s.b = b;
    s.src = src;
    s.rows = rows;
    s.first = first;
    s.ac = (uint16_t *)(void *)(base + o_ac);
    s.dc = (uint16_t *)(void *)(base + o_dc);
    s.half_path = DWA_X86 && ctx->k.dwa != EXRQOI__PATH_NEON ? ctx->k.dwa : EXRQOI__PATH_C;
    s.quant_path = ctx->k.dwa;
    s.base_error = ctx->dwa_level / 100000.0f;
    exrqoi__dwa_zigzag_inverse(s.zig_of);
    float qy[64], qc[64];
    exrqoi__dwa_quant_tables(qy, qc);
    for (int i = 0; i < 64; i++) {
        s.tol_y[i] = s.base_error * qy[i];
        s.tol_c[i] = s.base_error * qc[i];
    }
    if (plan.ncsc || any_lossy(&plan)) s.cand = exrqoi__dwa_candidates(&s.cand_off, &s.cand_f);
    bool any_lut = false;
    for (int c = 0; c < b->nchan; c++)
        if (plan.scheme[c] == DWA_SCHEME_LOSSY_DCT && (plan.in_csc[c] || !b->chans[c].p_linear))
            any_lut = true;
    if (any_lut) s.to_nonlinear = exrqoi__dwa_to_nonlinear_table();

    for (int k = 0; k < plan.ncsc; k++) encode_lossy(&s, plan.csc[k], 3, true);

    /* stored channels go first in the planar area, RLE planes after them */
    uint8_t *planar = base + o_planar;
    size_t unk_n = 0, rle_n = 0;
    for (int c = 0; c < b->nchan; c++)
        if (plan.scheme[c] == DWA_SCHEME_UNKNOWN)
            unk_n += (size_t)b->chans[c].width * (size_t)b->chans[c].height * b->chans[c].size;
    uint8_t *unk = planar, *rle = planar + unk_n;
    size_t unk_off = 0;
    for (int c = 0; c < b->nchan; c++) {
        const exrqoi__chan_layout *ch = &b->chans[c];
        size_t line = (size_t)ch->width * ch->size;
        if (plan.scheme[c] == DWA_SCHEME_LOSSY_DCT) {
            if (!plan.in_csc[c]) encode_lossy(&s, &c, 1, !ch->p_linear);
        } else if (plan.scheme[c] == DWA_SCHEME_RLE) {
            size_t plane = (size_t)ch->width * (size_t)ch->height;
            uint8_t *planes = rle + rle_n;
            for (int32_t r = 0; r < ch->height; r++)
                to_planes(src + rows[first[c] + (size_t)r], planes, plane,
                          (size_t)r * (size_t)ch->width, ch->width, ch->size);
            rle_n += plane * ch->size;
        } else {
            for (int32_t r = 0; r < ch->height; r++) {
                if (line) memcpy(unk + unk_off, src + rows[first[c] + (size_t)r], line);
                unk_off += line;
            }
        }
    }

    uint64_t hd[DWA_NUM_SIZES];
    memset(hd, 0, sizeof hd);
    hd[DWA_VERSION] = 2;
    hd[DWA_AC_COMPRESSION] = (uint64_t)ac_coder;
    size_t o = DWA_HEADER_SIZE;
    o += exrqoi__dwa_relevant_rules(b, dst + o);

    int level = ac_coder == DWA_AC_DEFLATE ? tile_level(s.nac) : DWA_ZLIB_LEVEL;
    size_t got;
    if (unk_n) {
        int unk_level = ac_coder == DWA_AC_DEFLATE ? level : DWA_UNKNOWN_LEVEL;
        EXRQOI_TRY(exrqoi__dwa_zlib(ctx, unk_level, unk, unk_n, dst + o, cap - o, &got));
        hd[DWA_UNKNOWN_UNCOMPRESSED_SIZE] = unk_n;
        hd[DWA_UNKNOWN_COMPRESSED_SIZE] = got;
        o += got;
    }
    if (s.nac) {
        if (ac_coder == DWA_AC_DEFLATE) {
            for (size_t i = 0; i < s.nac; i++) exrqoi__put16(&s.ac[i], s.ac[i]);
            EXRQOI_TRY(exrqoi__dwa_zlib(ctx, level, (const uint8_t *)s.ac, s.nac * 2,
                                        dst + o, cap - o, &got));
        } else {
            if (cap - o < exrqoi__huf_bound(s.nac))
                return exrqoi__fail(&ctx->err, EXRQOI_ERR_BUFFER_TOO_SMALL,
                                    "DWA output buffer too small");
            EXRQOI_TRY(exrqoi__huf_compress(ctx, s.ac, s.nac, dst + o, cap - o, &got));
        }
        hd[DWA_AC_UNCOMPRESSED_COUNT] = s.nac;
        hd[DWA_AC_COMPRESSED_SIZE] = got;
        o += got;
    }
    uint8_t *tmp = base + o_tmp;
    if (s.ndc) {
        for (size_t i = 0; i < s.ndc; i++) exrqoi__put16(&s.dc[i], s.dc[i]);
        exrqoi__zip_predict_path(ctx->k.zip, (const uint8_t *)s.dc, s.ndc * 2, tmp);
        EXRQOI_TRY(exrqoi__dwa_zlib(ctx, level, tmp, s.ndc * 2, dst + o, cap - o, &got));
        hd[DWA_DC_UNCOMPRESSED_COUNT] = s.ndc;
        hd[DWA_DC_COMPRESSED_SIZE] = got;
        o += got;
    }
    if (rle_n) {
        size_t packed = exrqoi__dwa_rle_bytes(rle, rle_n, tmp);
        EXRQOI_TRY(exrqoi__dwa_zlib(ctx, level, tmp, packed, dst + o, cap - o, &got));
        hd[DWA_RLE_RAW_SIZE] = rle_n;
        hd[DWA_RLE_UNCOMPRESSED_SIZE] = packed;
        hd[DWA_RLE_COMPRESSED_SIZE] = got;
        o += got;
    }
    for (int i = 0; i < DWA_NUM_SIZES; i++) exrqoi__put64(dst + 8 * i, hd[i]);
    *out = o;
    return EXRQOI_OK;
}
