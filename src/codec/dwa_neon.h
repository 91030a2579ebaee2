/*
 * NEON kernels of the DWA decoder (AArch64; included by dwa_decode.c after
 * dwa_simd.h, whose vector macros they share with the x86 kernels).
 * Bit-exact with the portable code for the same reason as those: every
 * output lane goes through exactly the scalar kernels' float operations,
 * in their order (no FMA: C11 mode leaves a*b+c unfused, the pragma in
 * dwa_simd.h covers clang).
 *
 * Halves become floats by integer operations (as the SSE2 kernel does):
 * a signalling-NaN half stays signalling, as exrqoi__h2f leaves it, so
 * NaN propagation through the IDCT is the scalar code's. Floats become
 * halves with FCVTN, which rounds as F16C and exrqoi__dwa_f2h do (nearest
 * even, overflow to infinity, NaNs quieted keeping their top payload
 * bits; test_dwa checks every kind of float).
 */
#ifndef EXRQOI_DWA_NEON_H
#define EXRQOI_DWA_NEON_H

#include "codec/dwa_simd.h"

#if DWA_NEON

/* Halves in the low 16 bits of 32-bit lanes -> floats, exactly. */
DWA_INLINE float32x4_t dwa_h2f_neon(uint32x4_t h)
{
    const uint32x4_t exp_mask = vdupq_n_u32(0x7c00u << 13);
    uint32x4_t sign = vshlq_n_u32(vandq_u32(h, vdupq_n_u32(0x8000u)), 16);
    uint32x4_t o = vshlq_n_u32(vandq_u32(h, vdupq_n_u32(0x7fffu)), 13);
    uint32x4_t e = vandq_u32(o, exp_mask);
    o = vaddq_u32(o, vdupq_n_u32((127u - 15u) << 23));
    uint32x4_t is_max = vceqq_u32(e, exp_mask);
    uint32x4_t is_sub = vceqq_u32(e, vdupq_n_u32(0));
    o = vaddq_u32(o, vandq_u32(is_max, vdupq_n_u32((128u - 16u) << 23)));
    /* subnormal (and zero): as 1.m * 2^-14, minus 2^-14 - exact */
    float32x4_t sub = vsubq_f32(vreinterpretq_f32_u32(vaddq_u32(o, vdupq_n_u32(1u << 23))),
                                vreinterpretq_f32_u32(vdupq_n_u32(113u << 23)));
    uint32x4_t f = vbslq_u32(is_sub, vreinterpretq_u32_f32(sub), o);
    return vreinterpretq_f32_u32(vorrq_u32(f, sign));
}

/* 8 floats -> 8 halves, F16C's rounding. */
DWA_INLINE void dwa_f2h8_neon(const float *in, uint16_t *out)
{
    float16x4_t lo = vcvt_f16_f32(vld1q_f32(in)), hi = vcvt_f16_f32(vld1q_f32(in + 4));
    vst1q_u16(out, vreinterpretq_u16_f16(vcombine_f16(lo, hi)));
}

DWA_INLINE void dwa_transpose4_neon(dwa_v4 *a, dwa_v4 *b, dwa_v4 *c, dwa_v4 *d)
{
    float32x4x2_t ab = vtrnq_f32((float32x4_t)*a, (float32x4_t)*b); /* a0 b0 a2 b2 | a1 b1 a3 b3 */
    float32x4x2_t cd = vtrnq_f32((float32x4_t)*c, (float32x4_t)*d);
    *a = (dwa_v4)vcombine_f32(vget_low_f32(ab.val[0]), vget_low_f32(cd.val[0]));
    *b = (dwa_v4)vcombine_f32(vget_low_f32(ab.val[1]), vget_low_f32(cd.val[1]));
    *c = (dwa_v4)vcombine_f32(vget_high_f32(ab.val[0]), vget_high_f32(cd.val[0]));
    *d = (dwa_v4)vcombine_f32(vget_high_f32(ab.val[1]), vget_high_f32(cd.val[1]));
}

/* Row 0 alone (L == 1), as dwa_row0_sse2: the four even / odd outputs in
 * lanes, the zero coefficients' products included (they decide the sign
 * of zero results); every output row is that row times a. */
DWA_INLINE void dwa_row0_neon(float x0, float x1, float *out)
{
    const dwa_v4 z = {0.0f, 0.0f, 0.0f, 0.0f};
    const dwa_v4 b0 = {x0, x0, x0, x0}, b1 = {x1, x1, x1, x1};
    const dwa_v4 m1c0 = {DWA_IA, DWA_IA, DWA_IA, DWA_IA};
    const dwa_v4 m1c1 = {DWA_IC, DWA_IF, -DWA_IF, -DWA_IC};
    const dwa_v4 m1c2 = {DWA_IA, -DWA_IA, -DWA_IA, DWA_IA};
    const dwa_v4 m1c3 = {DWA_IF, -DWA_IC, DWA_IC, -DWA_IF};
    const dwa_v4 m2c0 = {DWA_IB, DWA_ID, DWA_IE, DWA_IG};
    const dwa_v4 m2c1 = {DWA_ID, -DWA_IG, -DWA_IB, -DWA_IE};
    const dwa_v4 m2c2 = {DWA_IE, -DWA_IB, DWA_IG, DWA_ID};
    const dwa_v4 m2c3 = {DWA_IG, -DWA_IE, DWA_ID, -DWA_IB};
    const dwa_v4 a = {DWA_IA, DWA_IA, DWA_IA, DWA_IA};
    dwa_v4 e = (b0 * m1c0 + z * m1c1) + (z * m1c2 + z * m1c3);
    dwa_v4 o = (b1 * m2c0 + z * m2c1) + (z * m2c2 + z * m2c3);
    float32x4_t front = (float32x4_t)((e + o) * a);
    float32x4_t back = vrev64q_f32((float32x4_t)(e - o)); /* lanes 1 0 3 2 */
    back = vmulq_f32(vextq_f32(back, back, 2), (float32x4_t)a); /* 3 2 1 0 */
    for (int r = 0; r < 8; r++) {
        vst1q_f32(out + 8 * r, front);
        vst1q_f32(out + 8 * r + 4, back);
    }
}

/* IDCT for 2..8 live rows; `t` column-major halves, `out` row-major
 * (the SSE2 kernel's layout of the work: rows 0-3 and 4-7 in two
 * vectors per column). */
DWA_INLINE void dwa_idct_neon(const uint16_t *t, float *out, int L)
{
    dwa_v4 xl[8], xh[8], yl[8], yh[8], rl[8], rh[8];
    for (int k = 0; k < 8; k++) {
        uint16x8_t v = vld1q_u16(t + 8 * k);
        xl[k] = (dwa_v4)dwa_h2f_neon(vmovl_u16(vget_low_u16(v)));
        xh[k] = (dwa_v4)dwa_h2f_neon(vmovl_u16(vget_high_u16(v)));
    }
    DWA_ROW_PASS(xl, yl);
    if (L > 4) DWA_ROW_PASS(xh, yh);
    for (int k = 0; k < 4; k++) {
        rl[k] = yl[k];
        rh[k] = yl[k + 4];
    }
    dwa_transpose4_neon(&rl[0], &rl[1], &rl[2], &rl[3]);
    dwa_transpose4_neon(&rh[0], &rh[1], &rh[2], &rh[3]);
    if (L > 4) {
        for (int k = 0; k < 4; k++) {
            rl[k + 4] = yh[k];
            rh[k + 4] = yh[k + 4];
        }
        dwa_transpose4_neon(&rl[4], &rl[5], &rl[6], &rl[7]);
        dwa_transpose4_neon(&rh[4], &rh[5], &rh[6], &rh[7]);
    } else {
        const dwa_v4 z = {0.0f, 0.0f, 0.0f, 0.0f};
        for (int k = 4; k < 8; k++) rl[k] = rh[k] = z;
    }
    DWA_FOR_L(L, DWA_COL_PASS(rl, L_); DWA_COL_PASS(rh, L_));
    for (int j = 0; j < 8; j++) {
        vst1q_f32(out + 8 * j, (float32x4_t)rl[j]);
        vst1q_f32(out + 8 * j + 4, (float32x4_t)rh[j]);
    }
}

/* Y'CbCr -> R'G'B' of 64 values, lane-wise as exrqoi__dwa_csc_inverse. */
DWA_INLINE void dwa_csc64_neon(float *c0, float *c1, float *c2)
{
    for (int i = 0; i < 64; i += 4) {
        dwa_v4 y = (dwa_v4)vld1q_f32(c0 + i), cb = (dwa_v4)vld1q_f32(c1 + i), cr = (dwa_v4)vld1q_f32(c2 + i);
        vst1q_f32(c0 + i, (float32x4_t)(y + 1.5747f * cr));
        vst1q_f32(c1 + i, (float32x4_t)(y - 0.1873f * cb - 0.4682f * cr));
        vst1q_f32(c2 + i, (float32x4_t)(y + 1.8556f * cb));
    }
}

/* Lanes of a comparison result (all ones or zero) as bits 0..7. */
DWA_INLINE unsigned dwa_mask8_neon(uint16x8_t m)
{
    const uint16_t bits[8] = {1, 2, 4, 8, 16, 32, 64, 128};
    return vaddvq_u16(vandq_u16(m, vld1q_u16(bits)));
}

/* The AC walk of one block eight symbols at a time, as unrle_block_sse2
 * (dwa_decode.c): each symbol's slot is a prefix sum of the slots the
 * ones before it cover. The caller checks that 64 symbols are left;
 * `zz` maps slots 0..64 to `t`'s entries (64: the scratch entry). */
DWA_INLINE int dwa_unrle_block_neon(const uint16_t *ac, size_t *pos, uint16_t *t, const uint8_t *zz)
{
    size_t p = *pos;
    const uint16x8_t hi = vdupq_n_u16(0xff00u), lo = vdupq_n_u16(0xffu);
    const uint16x8_t one = vdupq_n_u16(1), c64 = vdupq_n_u16(64), zero = vdupq_n_u16(0);
    uint16x8_t comp = one;
    uint16_t idx[8];
    int last = 0;
    for (;;) {
        const uint16_t *a = ac + p;
        uint16x8_t v = vld1q_u16(a);
        uint16x8_t run = vceqq_u16(vandq_u16(v, hi), hi);
        /* slots covered: 1 for a value, NN for a run, 64 for the end mark */
        uint16x8_t adv = vbslq_u16(run, vandq_u16(v, lo), one);
        adv = vorrq_u16(adv, vandq_u16(vceqq_u16(v, hi), c64));
        uint16x8_t inc = vaddq_u16(adv, vextq_u16(zero, adv, 7));
        inc = vaddq_u16(inc, vextq_u16(zero, inc, 6));
        inc = vaddq_u16(inc, vextq_u16(zero, inc, 4));
        /* slots stay below 64 + 8 * 255 + 64: no 16-bit overflow */
        uint16x8_t start = vsubq_u16(vaddq_u16(comp, inc), adv);
        uint16x8_t live = vcltq_u16(start, c64);
        uint16x8_t put = vbicq_u16(live, run);
        vst1q_u16(idx, vbslq_u16(put, start, c64));
        for (int i = 0; i < 8; i++) t[zz[idx[i]]] = a[i];
        unsigned mlive = dwa_mask8_neon(live), mput = dwa_mask8_neon(put);
        if (mput) last = idx[31 - __builtin_clz(mput)];
        if (mlive != 0xffu) {
            p += (size_t)__builtin_ctz(~mlive);
            break;
        }
        p += 8;
        comp = vaddq_u16(comp, vdupq_laneq_u16(inc, 7));
    }
    *pos = p;
    return last;
}

#endif /* DWA_NEON */

#endif
