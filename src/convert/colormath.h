/* Pure colour math for EXR <-> QOI conversion: the sRGB transfer curves,
 * tone curves, exposure, (un)premultiplication and a chromaticity matrix.
 * Nothing here allocates or keeps state; tables live in caller storage. */
#ifndef EXRQOI_COLORMATH_H
#define EXRQOI_COLORMATH_H

#include "common/internal.h"

/* ---- sRGB transfer (IEC 61966-2-1) -------------------------------------- */

/* Linear -> sRGB-encoded, both in [0,1] (input clamped to [0,1], NaN -> 0). */
EXRQOI_INTERNAL float exrqoi__srgb_oetf(float linear);
/* sRGB-encoded -> linear (input clamped to [0,1], NaN -> 0). */
EXRQOI_INTERNAL float exrqoi__srgb_eotf(float encoded);
/* Linear float -> 8-bit sRGB code: round(oetf(clamp(x)) * 255), computed in
 * double. NaN -> 0. */
EXRQOI_INTERNAL uint8_t exrqoi__srgb_encode8(float linear);
/* Float in [0,1] -> 8-bit without a curve (alpha, linear QOI):
 * round(clamp(x) * 255). NaN -> 0. */
EXRQOI_INTERNAL uint8_t exrqoi__unorm_encode8(float v);
/* The same at 16 bits: round(oetf(clamp(x)) * 65535) and
 * round(clamp(x) * 65535), in double. NaN -> 0. */
EXRQOI_INTERNAL uint16_t exrqoi__srgb_encode16(float linear);
EXRQOI_INTERNAL uint16_t exrqoi__unorm_encode16(float v);
/* Decoding of an integer code out of `max` (255, 65535): eotf(code / max)
 * and (code / max)^exponent, in double, rounded to float once. */
EXRQOI_INTERNAL float exrqoi__srgb_decode_code(uint32_t code, uint32_t max);
EXRQOI_INTERNAL float exrqoi__gamma_decode_code(uint32_t code, uint32_t max, double exponent);
/* table[i] = eotf(i / 255) as a correctly rounded float, for i = 0..255. */
EXRQOI_INTERNAL void exrqoi__srgb_decode_table(float table[256]);

/* Fast float -> 8-bit sRGB: threshold[k] is the smallest float that
 * exrqoi__srgb_encode8 maps to k+1, found by bisection over float bit
 * patterns, so the lookup gives exactly exrqoi__srgb_encode8's result. */
typedef struct exrqoi__srgb8_encoder {
    float threshold[255];
} exrqoi__srgb8_encoder;

EXRQOI_INTERNAL void exrqoi__srgb8_encoder_init(exrqoi__srgb8_encoder *e);

static inline uint8_t exrqoi__srgb8_encode_fast(const exrqoi__srgb8_encoder *e, float x)
{
    if (!(x > 0.0f)) return 0; /* also NaN */
    unsigned i = 0;
    /* binary search for the number of thresholds <= x */
    for (unsigned step = 128; step; step >>= 1)
        if (i + step <= 255 && x >= e->threshold[i + step - 1]) i += step;
    return (uint8_t)i;
}

/* ---- tone curves (input linear scene values, output in [0,1]) ----------- */

/* NaN and negatives -> 0. */
EXRQOI_INTERNAL float exrqoi__tone_clamp(float x);
/* x / (1 + x). */
EXRQOI_INTERNAL float exrqoi__tone_reinhard(float x);
/* Narkowicz 2015 ACES filmic fit:
 * (x(2.51x + 0.03)) / (x(2.43x + 0.59) + 0.14), clamped to [0,1]. */
EXRQOI_INTERNAL float exrqoi__tone_aces(float x);
/* Scale factor of an exposure change of `ev` stops: 2^ev. */
EXRQOI_INTERNAL float exrqoi__exposure_scale(float ev);

/* ---- alpha --------------------------------------------------------------- */

/* rgb *= a. */
EXRQOI_INTERNAL void exrqoi__premultiply(float rgb[3], float a);
/* rgb /= a for a > 0; with a <= 0 (or NaN) rgb is left as it is (it holds
 * no recoverable colour, or emission meant to be added). */
EXRQOI_INTERNAL void exrqoi__unpremultiply(float rgb[3], float a);

/* ---- chromaticities ------------------------------------------------------ */

/* CIE xy of the red, green, blue primaries and the white point, in the
 * order of OpenEXR's "chromaticities" attribute. */
typedef struct exrqoi__chroma {
    float red_x, red_y, green_x, green_y, blue_x, blue_y, white_x, white_y;
} exrqoi__chroma;

/* Rec. 709 / sRGB primaries with the D65 white point (also OpenEXR's
 * default when a file has no chromaticities). */
EXRQOI_INTERNAL void exrqoi__chroma_rec709(exrqoi__chroma *c);

/* 3x3 row-major matrix taking linear RGB with primaries `c` to XYZ (Y of
 * white = 1). Returns false if the chromaticities are degenerate. */
EXRQOI_INTERNAL bool exrqoi__rgb_to_xyz(const exrqoi__chroma *c, double m[9]);

/* Row-major matrix taking linear RGB with chromaticities `src` to linear
 * Rec. 709/sRGB RGB: src RGB -> XYZ -> (Bradford adaptation from the source
 * white to D65, only when the white points differ) -> Rec. 709 RGB.
 * Returns false if `src` is degenerate. */
EXRQOI_INTERNAL bool exrqoi__chroma_to_rec709(const exrqoi__chroma *src, double m[9]);

/* Row-major matrix taking linear RGB with chromaticities `src` to linear
 * RGB with chromaticities `dst`, through XYZ, with a Bradford adaptation
 * when the white points differ. False if either is degenerate. */
EXRQOI_INTERNAL bool exrqoi__chroma_convert(const exrqoi__chroma *src, const exrqoi__chroma *dst,
                                            double m[9]);

/* ACES AP0 primaries with the ACES white point (SMPTE ST 2065-1). */
EXRQOI_INTERNAL void exrqoi__chroma_aces_ap0(exrqoi__chroma *c);

/* out = a * b (row-major, 3x3). out may be a or b. */
EXRQOI_INTERNAL void exrqoi__mat3_mul(const double a[9], const double b[9], double out[9]);

/* out = m * in (row-major, 3x3). in and out may be the same. */
EXRQOI_INTERNAL void exrqoi__mat3_apply(const double m[9], const float in[3], float out[3]);

#endif
