/* PIZ wavelet (see wavelet.h). The traversal order and both basis
 * variants follow OpenEXR's definition exactly: the output is part of the
 * file format. */
#include "codec/wavelet.h"

/* ---- 14-bit basis: plain average/difference on signed 16-bit values ---- */

static inline void enc14(int a, int b, int *l, int *h)
{
    int as = (int16_t)a, bs = (int16_t)b;
    /* >> on a negative int is an arithmetic shift with gcc/clang (floor) */
    *l = (as + bs) >> 1;
    *h = as - bs;
}

static inline void dec14(int l, int h, int *a, int *b)
{
    int ls = (int16_t)l, hs = (int16_t)h;
    int ai = ls + (hs & 1) + (hs >> 1);
    *a = ai;
    *b = ai - hs;
}

/* ---- 16-bit basis: the same idea modulo 2^16 ----------------------------- */

static inline void enc16(int a, int b, int *l, int *h)
{
    int ao = (a + 0x8000) & 0xffff;
    int m = (ao + b) >> 1;
    int d = ao - b;
    if (d < 0) m = (m + 0x8000) & 0xffff;
    *l = m;
    *h = d & 0xffff;
}

static inline void dec16(int l, int h, int *a, int *b)
{
    int bb = (l - (h >> 1)) & 0xffff;
    *b = bb;
    *a = (h + bb - 0x8000) & 0xffff;
}

#define U16(v) ((uint16_t)(v))

/* One level of the 2D transform (x step ox2 = 2 ox1, y step oy2 = 2 oy1).
 * Written once per basis so the inner loops carry no variant branch. */
#define WAV_LEVEL_ENC(ENC)                                                                 \
    do {                                                                                   \
        int y = 0, x = 0;                                                                  \
        for (; y + p2 <= ny; y += p2) {                                                    \
            uint16_t *row = in + (ptrdiff_t)y * oy;                                        \
            for (x = 0; x + p2 <= nx; x += p2) {                                           \
                uint16_t *p00 = row + (ptrdiff_t)x * ox, *p01 = p00 + ox1;                 \
                uint16_t *p10 = p00 + oy1, *p11 = p10 + ox1;                               \
                int i00, i01, i10, i11, a, b;                                              \
                ENC(*p00, *p01, &i00, &i01);                                               \
                ENC(*p10, *p11, &i10, &i11);                                               \
                ENC(i00, i10, &a, &b);                                                     \
                *p00 = U16(a);                                                             \
                *p10 = U16(b);                                                             \
                ENC(i01, i11, &a, &b);                                                     \
                *p01 = U16(a);                                                             \
                *p11 = U16(b);                                                             \
            }                                                                              \
            if (nx & p) { /* odd column */                                                 \
                uint16_t *p00 = row + (ptrdiff_t)x * ox, *p10 = p00 + oy1;                 \
                int a, b;                                                                  \
                ENC(*p00, *p10, &a, &b);                                                   \
                *p00 = U16(a);                                                             \
                *p10 = U16(b);                                                             \
            }                                                                              \
        }                                                                                  \
        if (ny & p) { /* odd line */                                                       \
            uint16_t *row = in + (ptrdiff_t)y * oy;                                        \
            for (x = 0; x + p2 <= nx; x += p2) {                                           \
                uint16_t *p00 = row + (ptrdiff_t)x * ox, *p01 = p00 + ox1;                 \
                int a, b;                                                                  \
                ENC(*p00, *p01, &a, &b);                                                   \
                *p00 = U16(a);                                                             \
                *p01 = U16(b);                                                             \
            }                                                                              \
        }                                                                                  \
    } while (0)

/* Inverse of one level: columns first, then rows, as OpenEXR does (the
 * 14-bit basis truncates to 16 bits between the two passes). */
#define WAV_LEVEL_DEC(DEC)                                                                 \
    do {                                                                                   \
        int y = 0, x = 0;                                                                  \
        for (; y + p2 <= ny; y += p2) {                                                    \
            uint16_t *row = in + (ptrdiff_t)y * oy;                                        \
            for (x = 0; x + p2 <= nx; x += p2) {                                           \
                uint16_t *p00 = row + (ptrdiff_t)x * ox, *p01 = p00 + ox1;                 \
                uint16_t *p10 = p00 + oy1, *p11 = p10 + ox1;                               \
                int i00, i01, i10, i11, a, b;                                              \
                DEC(*p00, *p10, &i00, &i10);                                               \
                DEC(*p01, *p11, &i01, &i11);                                               \
                DEC(U16(i00), U16(i01), &a, &b);                                           \
                *p00 = U16(a);                                                             \
                *p01 = U16(b);                                                             \
                DEC(U16(i10), U16(i11), &a, &b);                                           \
                *p10 = U16(a);                                                             \
                *p11 = U16(b);                                                             \
            }                                                                              \
            if (nx & p) {                                                                  \
                uint16_t *p00 = row + (ptrdiff_t)x * ox, *p10 = p00 + oy1;                 \
                int a, b;                                                                  \
                DEC(*p00, *p10, &a, &b);                                                   \
                *p00 = U16(a);                                                             \
                *p10 = U16(b);                                                             \
            }                                                                              \
        }                                                                                  \
        if (ny & p) {                                                                      \
            uint16_t *row = in + (ptrdiff_t)y * oy;                                        \
            for (x = 0; x + p2 <= nx; x += p2) {                                           \
                uint16_t *p00 = row + (ptrdiff_t)x * ox, *p01 = p00 + ox1;                 \
                int a, b;                                                                  \
                DEC(*p00, *p01, &a, &b);                                                   \
                *p00 = U16(a);                                                             \
                *p01 = U16(b);                                                             \
            }                                                                              \
        }                                                                                  \
    } while (0)

void exrqoi__wav_encode(uint16_t *in, int nx, int ox, int ny, int oy, uint16_t max_value)
{
    int n = nx < ny ? nx : ny;
    bool w14 = max_value < (1 << 14);
    for (int p = 1, p2 = 2; p2 <= n; p = p2, p2 <<= 1) {
        ptrdiff_t ox1 = (ptrdiff_t)ox * p, oy1 = (ptrdiff_t)oy * p;
        if (w14)
            WAV_LEVEL_ENC(enc14);
        else
            WAV_LEVEL_ENC(enc16);
    }
}

void exrqoi__wav_decode(uint16_t *in, int nx, int ox, int ny, int oy, uint16_t max_value)
{
    int n = nx < ny ? nx : ny;
    if (n < 2) return;
    bool w14 = max_value < (1 << 14);
    int top = 1; /* largest power of two <= n */
    while (top <= n / 2) top <<= 1;
    for (int p2 = top, p = top >> 1; p >= 1; p2 = p, p >>= 1) {
        ptrdiff_t ox1 = (ptrdiff_t)ox * p, oy1 = (ptrdiff_t)oy * p;
        if (w14)
            WAV_LEVEL_DEC(dec14);
        else
            WAV_LEVEL_DEC(dec16);
    }
}
