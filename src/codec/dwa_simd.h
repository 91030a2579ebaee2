/*
 * SSE2 and AVX2+F16C kernels of the DWA decoder, and the vector macros the
 * NEON ones (dwa_neon.h) share (included by dwa_decode.c only). Bit-exactness with the portable code holds because every output
 * lane goes through exactly the float operations, in exactly the order,
 * of the scalar kernels in dwa_dct.c: the vectors only run 4 or 8 rows
 * (or columns) side by side. Nothing may contract a*b+c into FMA (no FMA
 * target is enabled here; the pragma covers clang).
 *
 * The IDCT takes its coefficients transposed (column-major, as the
 * decoder's un-zig-zag writes them), so the row pass runs lane-per-row
 * without a transpose; one transpose then feeds the column pass.
 */
#ifndef EXRQOI_DWA_SIMD_H
#define EXRQOI_DWA_SIMD_H

#include "codec/dwa.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define DWA_X86 1
#include <immintrin.h>
#else
#define DWA_X86 0
#endif
#if defined(__aarch64__) && defined(__ARM_NEON) && (defined(__GNUC__) || defined(__clang__))
#define DWA_NEON 1 /* the kernels are in dwa_neon.h */
#include <arm_neon.h>
#else
#define DWA_NEON 0
#endif

#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

#if DWA_X86 || DWA_NEON

#define DWA_INLINE static inline __attribute__((always_inline))

typedef float dwa_v4 __attribute__((vector_size(16)));

/* The last butterfly of both passes: the even (e*_) and odd (o*_) halves
 * into outputs 0..7. */
#define DWA_IDCT_OUT(y)                                                                           \
    do {                                                                                          \
        (y)[0] = e0_ + o0_;                                                                       \
        (y)[1] = e1_ + o1_;                                                                       \
        (y)[2] = e2_ + o2_;                                                                       \
        (y)[3] = e3_ + o3_;                                                                       \
        (y)[4] = e3_ - o3_;                                                                       \
        (y)[5] = e2_ - o2_;                                                                       \
        (y)[6] = e1_ - o1_;                                                                       \
        (y)[7] = e0_ - o0_;                                                                       \
    } while (0)

/* Row pass of the AVX kernel over vectors x[k] = column k of several
 * rows; y[k] gets output column k. Same expressions as idct_row. */
#define DWA_ROW_PASS(x, y)                                                                        \
    do {                                                                                          \
        __typeof__((x)[0]) x0a_ = (x)[0] * DWA_IA;                                                \
        __typeof__((x)[0]) e0_ = (x0a_ + (x)[2] * DWA_IC) + ((x)[4] * DWA_IA + (x)[6] * DWA_IF);  \
        __typeof__((x)[0]) e1_ = (x0a_ + (x)[2] * DWA_IF) + ((x)[4] * -DWA_IA + (x)[6] * -DWA_IC); \
        __typeof__((x)[0]) e2_ = (x0a_ + (x)[2] * -DWA_IF) + ((x)[4] * -DWA_IA + (x)[6] * DWA_IC); \
        __typeof__((x)[0]) e3_ = (x0a_ + (x)[2] * -DWA_IC) + ((x)[4] * DWA_IA + (x)[6] * -DWA_IF); \
        __typeof__((x)[0]) o0_ = ((x)[1] * DWA_IB + (x)[3] * DWA_ID) +                           \
                                 ((x)[5] * DWA_IE + (x)[7] * DWA_IG);                             \
        __typeof__((x)[0]) o1_ = ((x)[1] * DWA_ID + (x)[3] * -DWA_IG) +                          \
                                 ((x)[5] * -DWA_IB + (x)[7] * -DWA_IE);                           \
        __typeof__((x)[0]) o2_ = ((x)[1] * DWA_IE + (x)[3] * -DWA_IB) +                          \
                                 ((x)[5] * DWA_IG + (x)[7] * DWA_ID);                             \
        __typeof__((x)[0]) o3_ = ((x)[1] * DWA_IG + (x)[3] * -DWA_IE) +                          \
                                 ((x)[5] * DWA_ID + (x)[7] * -DWA_IB);                            \
        DWA_IDCT_OUT(y);                                                                          \
    } while (0)

/* Column pass over vectors r[j] = row j of several columns, in place;
 * rows >= L are zero and, as in the kernel, never read (idct_cols). */
#define DWA_COL_PASS(r, L)                                                                        \
    do {                                                                                          \
        __typeof__((r)[0]) o0_, o1_, o2_, o3_;                                                    \
        if ((L) > 5) {                                                                            \
            o0_ = (L) > 7 ? ((r)[1] * DWA_IB + (r)[3] * DWA_ID) + ((r)[5] * DWA_IE + (r)[7] * DWA_IG) \
                          : ((r)[1] * DWA_IB + (r)[3] * DWA_ID) + (r)[5] * DWA_IE;                \
            o1_ = (r)[1] * DWA_ID - ((r)[3] * DWA_IG + (r)[5] * DWA_IB);                          \
            if ((L) > 7) o1_ = o1_ - (r)[7] * DWA_IE;                                             \
            o2_ = ((r)[1] * DWA_IE - (r)[3] * DWA_IB) + (r)[5] * DWA_IG;                          \
            if ((L) > 7) o2_ = o2_ + (r)[7] * DWA_ID;                                             \
            o3_ = (L) > 7 ? ((r)[1] * DWA_IG + (r)[5] * DWA_ID) - ((r)[3] * DWA_IE + (r)[7] * DWA_IB) \
                          : ((r)[1] * DWA_IG + (r)[5] * DWA_ID) - (r)[3] * DWA_IE;                \
        } else if ((L) > 3) {                                                                     \
            o0_ = (r)[1] * DWA_IB + (r)[3] * DWA_ID;                                              \
            o1_ = (r)[1] * DWA_ID - (r)[3] * DWA_IG;                                              \
            o2_ = (r)[1] * DWA_IE - (r)[3] * DWA_IB;                                              \
            o3_ = (r)[1] * DWA_IG - (r)[3] * DWA_IE;                                              \
        } else {                                                                                  \
            o0_ = (r)[1] * DWA_IB;                                                                \
            o1_ = (r)[1] * DWA_ID;                                                                \
            o2_ = (r)[1] * DWA_IE;                                                                \
            o3_ = (r)[1] * DWA_IG;                                                                \
        }                                                                                         \
        __typeof__((r)[0]) s_ = (r)[0] * DWA_IA, t_ = s_;                                         \
        if ((L) > 4) {                                                                            \
            __typeof__((r)[0]) r4a_ = (r)[4] * DWA_IA;                                            \
            s_ = s_ + r4a_;                                                                       \
            t_ = t_ - r4a_;                                                                       \
        }                                                                                         \
        __typeof__((r)[0]) e0_ = s_, e1_ = t_, e2_ = t_, e3_ = s_;                                \
        if ((L) > 2) {                                                                            \
            __typeof__((r)[0]) u_ = (r)[2] * DWA_IC, v_ = (r)[2] * DWA_IF;                        \
            if ((L) > 6) {                                                                        \
                u_ = u_ + (r)[6] * DWA_IF;                                                        \
                v_ = v_ - (r)[6] * DWA_IC;                                                        \
            }                                                                                     \
            e0_ = s_ + u_;                                                                        \
            e3_ = s_ - u_;                                                                        \
            e1_ = t_ + v_;                                                                        \
            e2_ = t_ - v_;                                                                        \
        }                                                                                         \
        DWA_IDCT_OUT(r);                                                                          \
    } while (0)

/* Runs `body` with a compile-time L for each live-row count 2..8. */
#define DWA_FOR_L(L, body)                                                                        \
    switch (L) {                                                                                  \
    case 2: { const int L_ = 2; body; } break;                                                    \
    case 3: { const int L_ = 3; body; } break;                                                    \
    case 4: { const int L_ = 4; body; } break;                                                    \
    case 5: { const int L_ = 5; body; } break;                                                    \
    case 6: { const int L_ = 6; body; } break;                                                    \
    case 7: { const int L_ = 7; body; } break;                                                    \
    default: { const int L_ = 8; body; } break;                                                   \
    }

#endif /* DWA_X86 || DWA_NEON */

#if DWA_X86

#define DWA_AVX __attribute__((target("avx2,f16c")))

typedef float dwa_v8 __attribute__((vector_size(32)));

/* Row 0 alone (L == 1: only coefficients 0 and 1 can be set), as the
 * kernel's broadcast form: lanes are the four even / odd outputs. Every
 * output row is that row times a. */
DWA_INLINE void dwa_row0_sse2(float x0, float x1, float *out)
{
    const __m128 z = _mm_setzero_ps();
    const __m128 b0 = _mm_set1_ps(x0), b1 = _mm_set1_ps(x1);
    /* columns of M1 and M2 (see idct_row): e = (x0 c0 + x2 c1) + (x4 c2 + x6 c3) */
    const __m128 m1c0 = _mm_setr_ps(DWA_IA, DWA_IA, DWA_IA, DWA_IA);
    const __m128 m1c1 = _mm_setr_ps(DWA_IC, DWA_IF, -DWA_IF, -DWA_IC);
    const __m128 m1c2 = _mm_setr_ps(DWA_IA, -DWA_IA, -DWA_IA, DWA_IA);
    const __m128 m1c3 = _mm_setr_ps(DWA_IF, -DWA_IC, DWA_IC, -DWA_IF);
    const __m128 m2c0 = _mm_setr_ps(DWA_IB, DWA_ID, DWA_IE, DWA_IG);
    const __m128 m2c1 = _mm_setr_ps(DWA_ID, -DWA_IG, -DWA_IB, -DWA_IE);
    const __m128 m2c2 = _mm_setr_ps(DWA_IE, -DWA_IB, DWA_IG, DWA_ID);
    const __m128 m2c3 = _mm_setr_ps(DWA_IG, -DWA_IE, DWA_ID, -DWA_IB);
    __m128 e = _mm_add_ps(_mm_add_ps(_mm_mul_ps(b0, m1c0), _mm_mul_ps(z, m1c1)),
                          _mm_add_ps(_mm_mul_ps(z, m1c2), _mm_mul_ps(z, m1c3)));
    __m128 o = _mm_add_ps(_mm_add_ps(_mm_mul_ps(b1, m2c0), _mm_mul_ps(z, m2c1)),
                          _mm_add_ps(_mm_mul_ps(z, m2c2), _mm_mul_ps(z, m2c3)));
    const __m128 a = _mm_set1_ps(DWA_IA);
    __m128 front = _mm_mul_ps(_mm_add_ps(e, o), a);
    __m128 back = _mm_sub_ps(e, o);
    back = _mm_mul_ps(_mm_shuffle_ps(back, back, 0x1b), a);
    for (int r = 0; r < 8; r++) {
        _mm_store_ps(out + 8 * r, front);
        _mm_store_ps(out + 8 * r + 4, back);
    }
}

/* ---- SSE2 ---------------------------------------------------------------- */

/* Halves in the low 16 bits of 32-bit lanes -> floats, exactly (NaN
 * payloads are kept unquieted; the IDCT's arithmetic quiets them). */
DWA_INLINE __m128 dwa_h2f_sse2(__m128i h)
{
    const __m128i exp_mask = _mm_set1_epi32(0x7c00 << 13);
    __m128i sign = _mm_slli_epi32(_mm_and_si128(h, _mm_set1_epi32(0x8000)), 16);
    __m128i o = _mm_slli_epi32(_mm_and_si128(h, _mm_set1_epi32(0x7fff)), 13);
    __m128i e = _mm_and_si128(o, exp_mask);
    o = _mm_add_epi32(o, _mm_set1_epi32((127 - 15) << 23));
    __m128i is_max = _mm_cmpeq_epi32(e, exp_mask);
    __m128i is_sub = _mm_cmpeq_epi32(e, _mm_setzero_si128());
    o = _mm_add_epi32(o, _mm_and_si128(is_max, _mm_set1_epi32((128 - 16) << 23)));
    /* subnormal (and zero): as 1.m * 2^-14, minus 2^-14 - exact */
    __m128 sub = _mm_sub_ps(_mm_castsi128_ps(_mm_add_epi32(o, _mm_set1_epi32(1 << 23))),
                            _mm_castsi128_ps(_mm_set1_epi32(113 << 23)));
    __m128 f = _mm_or_ps(_mm_and_ps(_mm_castsi128_ps(is_sub), sub),
                         _mm_andnot_ps(_mm_castsi128_ps(is_sub), _mm_castsi128_ps(o)));
    return _mm_or_ps(f, _mm_castsi128_ps(sign));
}

static inline __m128i dwa_select(__m128i m, __m128i a, __m128i b)
{
    return _mm_or_si128(_mm_and_si128(m, a), _mm_andnot_si128(m, b));
}

/* Floats -> halves in 32-bit lanes (sign-extended), rounding as F16C:
 * nearest even, overflow to infinity, NaN quieted with its top payload. */
DWA_INLINE __m128i dwa_f2h_sse2(__m128 f)
{
    __m128i x = _mm_castps_si128(f);
    __m128i ax = _mm_and_si128(x, _mm_set1_epi32(0x7fffffff));
    __m128i sign = _mm_and_si128(_mm_srli_epi32(x, 16), _mm_set1_epi32(0x8000));
    /* normal results: rebias, then round at bit 13 to nearest even */
    __m128i odd = _mm_and_si128(_mm_srli_epi32(ax, 13), _mm_set1_epi32(1));
    __m128i nrm = _mm_add_epi32(ax, _mm_set1_epi32((int)(((uint32_t)(15 - 127) << 23) + 0xfffu)));
    nrm = _mm_srli_epi32(_mm_add_epi32(nrm, odd), 13);
    /* subnormal results: adding 0.5 rounds at the half subnormal step */
    __m128i sub = _mm_sub_epi32(
        _mm_castps_si128(_mm_add_ps(_mm_castsi128_ps(ax), _mm_castsi128_ps(_mm_set1_epi32(126 << 23)))),
        _mm_set1_epi32(126 << 23));
    __m128i nan = _mm_or_si128(_mm_set1_epi32(0x7e00),
                               _mm_and_si128(_mm_srli_epi32(ax, 13), _mm_set1_epi32(0x3ff)));
    __m128i r = dwa_select(_mm_cmplt_epi32(ax, _mm_set1_epi32(0x38800000)), sub, nrm);
    r = dwa_select(_mm_cmpgt_epi32(ax, _mm_set1_epi32(0x477fefff)), _mm_set1_epi32(0x7c00), r);
    r = dwa_select(_mm_cmpgt_epi32(ax, _mm_set1_epi32(0x7f800000)), nan, r);
    r = _mm_or_si128(r, sign);
    return _mm_srai_epi32(_mm_slli_epi32(r, 16), 16);
}

DWA_INLINE void dwa_f2h8_sse2(const float *in, uint16_t *out)
{
    __m128i lo = dwa_f2h_sse2(_mm_loadu_ps(in)), hi = dwa_f2h_sse2(_mm_loadu_ps(in + 4));
    _mm_storeu_si128((__m128i *)(void *)out, _mm_packs_epi32(lo, hi));
}

DWA_INLINE void dwa_transpose4(dwa_v4 *a, dwa_v4 *b, dwa_v4 *c, dwa_v4 *d)
{
    __m128 r0 = (__m128)*a, r1 = (__m128)*b, r2 = (__m128)*c, r3 = (__m128)*d;
    _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
    *a = (dwa_v4)r0;
    *b = (dwa_v4)r1;
    *c = (dwa_v4)r2;
    *d = (dwa_v4)r3;
}

/* IDCT for 2..8 live rows; `t` column-major halves, `out` row-major. */
DWA_INLINE void dwa_idct_sse2(const uint16_t *t, float *out, int L)
{
    dwa_v4 xl[8], xh[8], yl[8], yh[8], rl[8], rh[8];
    const __m128i zero = _mm_setzero_si128();
    for (int k = 0; k < 8; k++) {
        __m128i v = _mm_load_si128((const __m128i *)(const void *)(t + 8 * k));
        xl[k] = (dwa_v4)dwa_h2f_sse2(_mm_unpacklo_epi16(v, zero));
        xh[k] = (dwa_v4)dwa_h2f_sse2(_mm_unpackhi_epi16(v, zero));
    }
    /* rows 0-3 in the low vectors, 4-7 in the high ones (zero when L <= 4) */
    DWA_ROW_PASS(xl, yl);
    if (L > 4) DWA_ROW_PASS(xh, yh);
    for (int k = 0; k < 4; k++) {
        rl[k] = yl[k];
        rh[k] = yl[k + 4];
    }
    /* yl[k] holds rows 0-3 of column k: transpose to rows of columns 0-3 / 4-7 */
    dwa_transpose4(&rl[0], &rl[1], &rl[2], &rl[3]);
    dwa_transpose4(&rh[0], &rh[1], &rh[2], &rh[3]);
    if (L > 4) {
        for (int k = 0; k < 4; k++) {
            rl[k + 4] = yh[k];
            rh[k + 4] = yh[k + 4];
        }
        dwa_transpose4(&rl[4], &rl[5], &rl[6], &rl[7]);
        dwa_transpose4(&rh[4], &rh[5], &rh[6], &rh[7]);
    } else {
        for (int k = 4; k < 8; k++) rl[k] = rh[k] = (dwa_v4)_mm_setzero_ps();
    }
    DWA_FOR_L(L, DWA_COL_PASS(rl, L_); DWA_COL_PASS(rh, L_));
    for (int j = 0; j < 8; j++) {
        _mm_store_ps(out + 8 * j, (__m128)rl[j]);
        _mm_store_ps(out + 8 * j + 4, (__m128)rh[j]);
    }
}

/* ---- AVX2 + F16C ------------------------------------------------------------ */

DWA_AVX DWA_INLINE void dwa_transpose8(dwa_v8 *r)
{
    __m256 t0 = _mm256_unpacklo_ps((__m256)r[0], (__m256)r[1]);
    __m256 t1 = _mm256_unpackhi_ps((__m256)r[0], (__m256)r[1]);
    __m256 t2 = _mm256_unpacklo_ps((__m256)r[2], (__m256)r[3]);
    __m256 t3 = _mm256_unpackhi_ps((__m256)r[2], (__m256)r[3]);
    __m256 t4 = _mm256_unpacklo_ps((__m256)r[4], (__m256)r[5]);
    __m256 t5 = _mm256_unpackhi_ps((__m256)r[4], (__m256)r[5]);
    __m256 t6 = _mm256_unpacklo_ps((__m256)r[6], (__m256)r[7]);
    __m256 t7 = _mm256_unpackhi_ps((__m256)r[6], (__m256)r[7]);
    __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xee);
    __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xee);
    __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xee);
    __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xee);
    r[0] = (dwa_v8)_mm256_permute2f128_ps(u0, u4, 0x20);
    r[1] = (dwa_v8)_mm256_permute2f128_ps(u1, u5, 0x20);
    r[2] = (dwa_v8)_mm256_permute2f128_ps(u2, u6, 0x20);
    r[3] = (dwa_v8)_mm256_permute2f128_ps(u3, u7, 0x20);
    r[4] = (dwa_v8)_mm256_permute2f128_ps(u0, u4, 0x31);
    r[5] = (dwa_v8)_mm256_permute2f128_ps(u1, u5, 0x31);
    r[6] = (dwa_v8)_mm256_permute2f128_ps(u2, u6, 0x31);
    r[7] = (dwa_v8)_mm256_permute2f128_ps(u3, u7, 0x31);
}

DWA_AVX DWA_INLINE void dwa_idct_avx(const uint16_t *t, float *out, int L)
{
    dwa_v8 x[8], r[8];
    for (int k = 0; k < 8; k++)
        x[k] = (dwa_v8)_mm256_cvtph_ps(_mm_load_si128((const __m128i *)(const void *)(t + 8 * k)));
    DWA_ROW_PASS(x, r);
    dwa_transpose8(r);
    DWA_FOR_L(L, DWA_COL_PASS(r, L_));
    for (int j = 0; j < 8; j++) _mm256_store_ps(out + 8 * j, (__m256)r[j]);
}

DWA_AVX DWA_INLINE void dwa_f2h8_avx(const float *in, uint16_t *out)
{
    _mm_storeu_si128((__m128i *)(void *)out,
                     _mm256_cvtps_ph(_mm256_loadu_ps(in), _MM_FROUND_TO_NEAREST_INT));
}

#endif /* DWA_X86 */

#endif
