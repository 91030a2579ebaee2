/* Inline half conversions for hot loops. */
#ifndef EXRQOI_HALF_H
#define EXRQOI_HALF_H

#include <stdint.h>
#include <string.h>

static inline uint32_t exrqoi__h2f_bits(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu;
    uint32_t mant = h & 0x3ffu;
    if (exp == 0) {
        if (mant == 0) return sign;
        /* subnormal: normalise */
        int e = -1;
        do {
            e++;
            mant <<= 1;
        } while ((mant & 0x400u) == 0);
        return sign | ((uint32_t)(127 - 15 - e) << 23) | ((mant & 0x3ffu) << 13);
    }
    if (exp == 31) return sign | 0x7f800000u | (mant << 13);
    return sign | ((exp + (127 - 15)) << 23) | (mant << 13);
}

static inline float exrqoi__h2f(uint16_t h)
{
    uint32_t b = exrqoi__h2f_bits(h);
    float f;
    memcpy(&f, &b, 4);
    return f;
}

/* Round to nearest, ties to even; NaN stays NaN (top payload bits kept,
 * at least one set), overflow goes to infinity - the behaviour of Imath's half(float). */
static inline uint16_t exrqoi__f2h(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    uint16_t sign = (uint16_t)((x >> 16) & 0x8000u);
    uint32_t ax = x & 0x7fffffffu;
    if (ax >= 0x7f800000u) {
        if (ax == 0x7f800000u) return sign | 0x7c00u;
        uint16_t m = (uint16_t)((ax & 0x7fffffu) >> 13);
        return (uint16_t)(sign | 0x7c00u | m | (m == 0));
    }
    if (ax >= 0x477ff000u) return sign | 0x7c00u; /* rounds to >= 65520: inf */
    if (ax < 0x38800000u) {
        /* result is subnormal or zero */
        if (ax < 0x33000000u) return sign; /* < 2^-25: rounds to 0 */
        uint32_t e = ax >> 23;
        uint32_t m = (ax & 0x7fffffu) | 0x800000u;
        uint32_t shift = 126 - e; /* 14..24 */
        uint32_t r = m >> shift;
        uint32_t rem = m & ((1u << shift) - 1);
        uint32_t half = 1u << (shift - 1);
        if (rem > half || (rem == half && (r & 1u))) r++;
        return (uint16_t)(sign | r);
    }
    uint32_t r = ax - 0x38000000u; /* rebias exponent */
    uint32_t base = r >> 13;
    uint32_t rem = r & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (base & 1u))) base++;
    return (uint16_t)(sign | base);
}

#endif
