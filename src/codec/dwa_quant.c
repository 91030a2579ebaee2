/*
 * DWA quantisation (OpenEXR's "fewest set bits within the error"
 * search), the zig-zag order, and the perceptual transfer curves.
 *
 * OpenEXR precomputes, for every half h, the closest half with k set bits
 * for each k < popcount(h); here the same candidates are computed on
 * demand from the bit patterns (positive halves are ordered like their
 * bit patterns, so only the neighbours of h need to be looked at).
 */
#include "codec/dwa.h"
#include "common/half.h"

#include <math.h>

#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

/* zig-zag position -> row-major index (the JPEG scan order) */
const uint8_t exrqoi__dwa_zigzag[64] = {
    0,  1,  8,  16, 9,  2,  3,  10, 17, 24, 32, 25, 18, 11, 4,  5,  12, 19, 26, 33, 40, 48,
    41, 34, 27, 20, 13, 6,  7,  14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23,
    30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
};

void exrqoi__dwa_zigzag_inverse(uint8_t out[64])
{
    for (int i = 0; i < 64; i++) out[exrqoi__dwa_zigzag[i]] = (uint8_t)i;
}

void exrqoi__dwa_quant_tables(float y[64], float cbcr[64])
{
    /* the example tables of the JPEG standard (Annex K) */
    static const uint8_t jy[64] = {
        16, 11, 10, 16, 24,  40,  51,  61,  12, 12, 14, 19, 26,  58,  60,  55,
        14, 13, 16, 24, 40,  57,  69,  56,  14, 17, 22, 29, 51,  87,  80,  62,
        18, 22, 37, 56, 68,  109, 103, 77,  24, 35, 55, 64, 81,  104, 113, 92,
        49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
    };
    uint8_t ymin = 255, cmin = 255;
    for (int i = 0; i < 64; i++) {
        int r = i / 8, c = i % 8;
        /* chroma table: 99 outside the top-left corner */
        static const uint8_t jc[4][4] = {
            {17, 18, 24, 47}, {18, 21, 26, 66}, {24, 26, 56, 99}, {47, 66, 99, 99}};
        uint8_t cv = (r < 4 && c < 4) ? jc[r][c] : 99;
        if (jy[i] < ymin) ymin = jy[i];
        if (cv < cmin) cmin = cv;
        cbcr[i] = (float)cv;
        y[i] = (float)jy[i];
    }
    for (int i = 0; i < 64; i++) {
        y[i] = y[i] / (float)ymin;
        cbcr[i] = cbcr[i] / (float)cmin;
    }
}

/* SWAR: without -mpopcnt __builtin_popcount is a library call, and the
 * quantiser counts bits a lot. */
static inline int popcount16(unsigned v)
{
    v &= 0xffffu;
    v = v - ((v >> 1) & 0x5555u);
    v = (v & 0x3333u) + ((v >> 2) & 0x3333u);
    v = (v + (v >> 4)) & 0x0f0fu;
    return (int)((v + (v >> 8)) & 0x1fu);
}

/* Largest p <= s with `t` set bits, or -1. */
static int prev_with_bits(int s, int t)
{
    if (s < 0) return -1;
    int total = popcount16((unsigned)s);
    if (total == t) return s;
    /* p keeps s above some set bit k, clears k, and packs the remaining
     * bits right below k; the lowest feasible k gives the largest p */
    int upto = 0; /* set bits of s at or below k */
    for (int k = 0; k < 16; k++) {
        if (!(s & (1 << k))) continue;
        upto++;
        int need = t - (total - upto);
        if (need < 0 || need > k) continue;
        return (s & ~((2 << k) - 1)) | (((1 << need) - 1) << (k - need));
    }
    return -1;
}

/* Smallest p >= s (p <= limit) with `t` set bits, or -1. */
static int next_with_bits(int s, int t, int limit)
{
    if (s > limit) return -1;
    int total = popcount16((unsigned)s);
    if (total == t) return s;
    int below = 0; /* set bits of s below j */
    for (int j = 0; j < 16; j++) {
        if (s & (1 << j)) {
            below++;
            continue;
        }
        int need = t - (total - below) - 1;
        if (need < 0 || need > j) continue;
        int p = (s & ~((2 << j) - 1)) | (1 << j) | ((1 << need) - 1);
        return p <= limit ? p : -1;
    }
    return -1;
}

#define MAX_FINITE 0x7bff

/* Among magnitudes with `t` bits, the one at the smallest float distance
 * from `mag` (ties: the lowest pattern); *dist gets the distance. */
static int closest_magnitude(int mag, int t, float *dist)
{
    float v = exrqoi__h2f((uint16_t)mag);
    int lo = prev_with_bits(mag, t);
    int hi = next_with_bits(mag, t, MAX_FINITE);
    float dlo = lo >= 0 ? fabsf(v - exrqoi__h2f((uint16_t)lo)) : INFINITY;
    float dhi = hi >= 0 ? fabsf(v - exrqoi__h2f((uint16_t)hi)) : INFINITY;
    if (lo >= 0 && dlo <= dhi) {
        /* float rounding can make farther values tie; the lowest wins */
        for (;;) {
            int lo2 = prev_with_bits(lo - 1, t);
            if (lo2 < 0 || fabsf(v - exrqoi__h2f((uint16_t)lo2)) != dlo) break;
            lo = lo2;
        }
        *dist = dlo;
        return lo;
    }
    *dist = dhi;
    return hi;
}

/* OpenEXR's pick for a finite h and 1 <= bits <= 14, given m, the closest
 * magnitude with `bits` (h positive) or bits - 1 (h negative) set bits,
 * at distance dm. */
static uint16_t pick(uint16_t h, int bits, int m, float dm, const float *hf)
{
    float v = hf ? hf[h] : exrqoi__h2f(h);
    if (!(h & 0x8000)) {
        int neg = 0x8000 | ((1 << (bits - 1)) - 1);
        float dneg = fabsf(v - (hf ? hf[neg] : exrqoi__h2f((uint16_t)neg)));
        /* positive patterns are lower, so they win ties */
        return (uint16_t)((m >= 0 && dm <= dneg) ? m : neg);
    }
    int pos = (1 << bits) - 1;
    float dpos = fabsf(v - (hf ? hf[pos] : exrqoi__h2f((uint16_t)pos)));
    if (m < 0 || dpos <= dm) return (uint16_t)pos;
    return (uint16_t)(0x8000 | m);
}

/* Inf/NaN inputs (and 15 bits, whose first candidate is a NaN) keep
 * OpenEXR's first candidate: no distance compares below a NaN/inf one. */
static bool trivial(uint16_t h, int bits) { return bits <= 0 || bits >= 15 || (h & 0x7c00) == 0x7c00; }

uint16_t exrqoi__dwa_closest(uint16_t h, int bits)
{
    if (trivial(h, bits)) return bits <= 0 ? 0 : (uint16_t)((1 << bits) - 1);
    float dm;
    int m = closest_magnitude(h & 0x7fff, (h & 0x8000) ? bits - 1 : bits, &dm);
    return pick(h, bits, m, dm, NULL);
}

/* Next larger number with the same count of set bits (v > 0). */
static uint32_t next_same_bits(uint32_t v)
{
    uint32_t low = v & (0u - v);
    uint32_t r = v + low;
    return r | (((v ^ r) >> 2) / low);
}

void exrqoi__dwa_candidates_fill(uint32_t *off, uint16_t *cand, const float *hf)
{
    uint32_t o = 0;
    for (uint32_t h = 0; h < 65536u; h++) {
        off[h] = o;
        int n = popcount16(h);
        o += (uint32_t)n;
        for (int t = 0; t < n; t++)
            if (trivial((uint16_t)h, t)) cand[off[h] + (uint32_t)t] = exrqoi__dwa_closest((uint16_t)h, t);
    }
    off[65536] = o;
    /* The rest: closest_magnitude(mag, t) for every finite magnitude with
     * more than t bits, found by walking the t-bit patterns upwards with
     * mag instead of searching for each. Serves h = mag with t bits and
     * h = -mag with t + 1 bits. */
    for (int t = 0; t <= 14; t++) {
        uint32_t cur = (1u << t) - 1, prev = 0;
        bool have_prev = false;
        for (int mag = 0; mag <= MAX_FINITE; mag++) {
            int pc = popcount16((unsigned)mag);
            while (t > 0 && cur < (uint32_t)mag) {
                prev = cur;
                have_prev = true;
                cur = next_same_bits(cur);
            }
            if (pc <= t) continue;
            int lo, hi;
            if (t == 0) { /* the one 0-bit pattern lies below every mag here */
                lo = 0;
                hi = -1;
            } else {
                lo = cur == (uint32_t)mag ? (int)cur : have_prev ? (int)prev : -1;
                hi = cur <= MAX_FINITE ? (int)cur : -1; /* cur >= mag */
            }
            float v = hf[mag], dm;
            float dlo = lo >= 0 ? fabsf(v - hf[lo]) : INFINITY;
            float dhi = hi >= 0 ? fabsf(v - hf[hi]) : INFINITY;
            int m;
            if (lo >= 0 && dlo <= dhi) {
                for (;;) { /* ties with farther values, as closest_magnitude */
                    int lo2 = prev_with_bits(lo - 1, t);
                    if (lo2 < 0 || fabsf(v - hf[lo2]) != dlo) break;
                    lo = lo2;
                }
                m = lo;
                dm = dlo;
            } else {
                m = hi;
                dm = dhi;
            }
            if (t >= 1) cand[off[mag] + (uint32_t)t] = pick((uint16_t)mag, t, m, dm, hf);
            uint32_t neg = 0x8000u | (uint32_t)mag;
            if (t + 1 <= 14) cand[off[neg] + (uint32_t)t + 1] = pick((uint16_t)neg, t + 1, m, dm, hf);
        }
    }
}

uint16_t exrqoi__dwa_quantize(uint16_t h, float tolerance)
{
    if ((h & 0x7c00) == 0x7c00) return h; /* inf/NaN: never within the error */
    int n = popcount16(h);
    float v = exrqoi__h2f(h);
    for (int t = 0; t < n; t++) {
        uint16_t c = exrqoi__dwa_closest(h, t);
        if (fabsf(exrqoi__h2f(c) - v) < tolerance) return c;
    }
    return h;
}

uint16_t exrqoi__dwa_f2h(float f) { return dwa_f2h(f); }

/* Sign and magnitude of h for the curves; false for infinities, NaNs and
 * +0 (the curves map them to 0). */
static bool curve_input(uint16_t h, float *sign, float *af)
{
    if ((h & 0x7c00) == 0x7c00 || h == 0) return false;
    float f = exrqoi__h2f(h);
    *sign = f < 0 ? -1.0f : 1.0f;
    *af = fabsf(f);
    return true;
}

/* The curves as OpenEXR 3.1 evaluates them when building its tables:
 * gamma 2.2 up to 1, a matching logarithm above. */
uint16_t exrqoi__dwa_to_linear(uint16_t h)
{
    float sign, af, z;
    if (!curve_input(h, &sign, &af)) return 0;
    if (af <= 1.0f) {
        z = sign * powf(af, 2.2f);
    } else {
        float log_base = (float)pow(2.7182818, 2.2);
        z = sign * powf(log_base, (float)((double)af - 1.0));
    }
    return exrqoi__f2h(z);
}

uint16_t exrqoi__dwa_to_nonlinear(uint16_t h)
{
    float sign, af, z;
    if (!curve_input(h, &sign, &af)) return 0;
    if (af <= 1.0f) {
        z = sign * powf(af, 1.0f / 2.2f);
    } else {
        float log_base = (float)pow(2.7182818, 2.2);
        float q = logf(af) / logf(log_base);
        z = (float)((double)sign * ((double)q + 1.0));
    }
    return exrqoi__f2h(z);
}
