/*
 * 8x8 DCTs and the Rec. 709 colour transform of DWA.
 *
 * Decoded pixels must match OpenEXR bit for bit, so every float operation
 * here follows the order of OpenEXR's kernels (the AVX inverse DCT and the
 * SSE2 forward DCT that Debian's OpenEXR 3.1 runs on x86-64). Each output
 * is computed lane-wise, so the compiler may vectorise the loops freely;
 * it must not contract a*b+c into FMA (ISO C mode keeps it off in GCC;
 * the pragma covers clang).
 */
#include "codec/dwa.h"

#include <math.h>

#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

#define IA DWA_IA
#define IB DWA_IB
#define IC DWA_IC
#define ID DWA_ID
#define IE DWA_IE
#define IF DWA_IF
#define IG DWA_IG

/* Row pass: x = (even cols) * M1 + (odd cols) * M2, pairwise sums as the
 * broadcast-multiply-accumulate of the AVX kernel. */
static inline void idct_row(float *x)
{
    const float a = IA, b = IB, c = IC, d = ID, e = IE, f = IF, g = IG;
    float x0 = x[0], x1 = x[1], x2 = x[2], x3 = x[3], x4 = x[4], x5 = x[5], x6 = x[6], x7 = x[7];
    float e0 = (x0 * a + x2 * c) + (x4 * a + x6 * f);
    float e1 = (x0 * a + x2 * f) + (x4 * -a + x6 * -c);
    float e2 = (x0 * a + x2 * -f) + (x4 * -a + x6 * c);
    float e3 = (x0 * a + x2 * -c) + (x4 * a + x6 * -f);
    float o0 = (x1 * b + x3 * d) + (x5 * e + x7 * g);
    float o1 = (x1 * d + x3 * -g) + (x5 * -b + x7 * -e);
    float o2 = (x1 * e + x3 * -b) + (x5 * g + x7 * d);
    float o3 = (x1 * g + x3 * -e) + (x5 * d + x7 * -b);
    x[0] = e0 + o0;
    x[1] = e1 + o1;
    x[2] = e2 + o2;
    x[3] = e3 + o3;
    x[4] = e3 - o3;
    x[5] = e2 - o2;
    x[6] = e1 - o1;
    x[7] = e0 - o0;
}

/* Column pass; terms of rows >= L are skipped exactly where the kernel
 * skips them (which matters for the sign of zero results). */
static inline void idct_cols(float *blk, const int L)
{
    const float a = IA, b = IB, c = IC, d = ID, e = IE, f = IF, g = IG;
    for (int col = 0; col < 8; col++) {
        float *p = blk + col;
        float r0 = p[0], r1 = p[8], r2 = p[16], r3 = p[24];
        float r4 = p[32], r5 = p[40], r6 = p[48], r7 = p[56];
        float o0, o1, o2, o3;
        if (L > 5) {
            o0 = L > 7 ? (r1 * b + r3 * d) + (r5 * e + r7 * g) : (r1 * b + r3 * d) + r5 * e;
            o1 = r1 * d - (r3 * g + r5 * b);
            if (L > 7) o1 = o1 - r7 * e;
            o2 = (r1 * e - r3 * b) + r5 * g;
            if (L > 7) o2 = o2 + r7 * d;
            o3 = L > 7 ? (r1 * g + r5 * d) - (r3 * e + r7 * b) : (r1 * g + r5 * d) - r3 * e;
        } else if (L > 3) {
            o0 = r1 * b + r3 * d;
            o1 = r1 * d - r3 * g;
            o2 = r1 * e - r3 * b;
            o3 = r1 * g - r3 * e;
        } else {
            o0 = r1 * b;
            o1 = r1 * d;
            o2 = r1 * e;
            o3 = r1 * g;
        }
        float s = r0 * a, t = r0 * a; /* s = a r0 + a r4, t = a r0 - a r4 */
        if (L > 4) {
            float r4a = r4 * a;
            s = s + r4a;
            t = t - r4a;
        }
        float e0 = s, e1 = t, e2 = t, e3 = s;
        if (L > 2) {
            float u = r2 * c, v = r2 * f;
            if (L > 6) {
                u = u + r6 * f;
                v = v - r6 * c;
            }
            e0 = s + u;
            e3 = s - u;
            e1 = t + v;
            e2 = t - v;
        }
        p[0] = e0 + o0;
        p[8] = e1 + o1;
        p[16] = e2 + o2;
        p[24] = e3 + o3;
        p[32] = e3 - o3;
        p[40] = e2 - o2;
        p[48] = e1 - o1;
        p[56] = e0 - o0;
    }
}

static inline void idct_n(float *blk, const int L)
{
    /* the kernel transforms rows in pairs; rows >= L are never read */
    for (int r = 0; r < L; r++) idct_row(blk + 8 * r);
    idct_cols(blk, L);
}

void exrqoi__dwa_idct(float *blk, int live_rows)
{
    switch (live_rows) {
    case 1: {
        /* only row 0 can be non-zero: the column transform is a scale */
        idct_row(blk);
        for (int i = 0; i < 8; i++) blk[i] = blk[i] * IA;
        for (int r = 1; r < 8; r++) memcpy(blk + 8 * r, blk, 8 * sizeof(float));
        break;
    }
    case 2: idct_n(blk, 2); break;
    case 3: idct_n(blk, 3); break;
    case 4: idct_n(blk, 4); break;
    case 5: idct_n(blk, 5); break;
    case 6: idct_n(blk, 6); break;
    case 7: idct_n(blk, 7); break;
    default: idct_n(blk, 8); break;
    }
}

void exrqoi__dwa_idct_dc(float *blk)
{
    float v = blk[0] * 3.535536e-01f * 3.535536e-01f;
    for (int i = 0; i < 64; i++) blk[i] = v;
}

/* One 1D forward DCT over 8 values at stride s (OpenEXR's SSE2 kernel). */
static inline void fdct_1d(float *p, int s)
{
    const float c4 = .70710678f, nc4 = -.70710678f, c1h = .490392640f, c2h = .461939770f,
                c3h = .415734810f, c5h = .277785120f, c6h = .191341720f, c7h = .097545161f;
    float a0 = p[0] + p[7 * s], a1 = p[s] + p[2 * s], a3 = p[3 * s] + p[4 * s],
          a5 = p[5 * s] + p[6 * s];
    float a7 = p[0] - p[7 * s], a2 = p[s] - p[2 * s], a4 = p[3 * s] - p[4 * s],
          a6 = p[5 * s] - p[6 * s];
    float k0 = c4 * (a0 + a3), k1 = c4 * (a1 + a5);
    p[0] = (k0 + k1) * .5f;
    p[4 * s] = (k0 - k1) * .5f;
    k0 = a2 - a6;
    k1 = a0 - a3;
    p[2 * s] = c6h * k0 + c2h * k1;
    p[6 * s] = c6h * k1 - c2h * k0;
    k0 = (a1 - a5) * c4;
    k1 = (a2 + a6) * nc4;
    float rx = a7 - k0, ry = a4 + k1;
    p[3 * s] = c3h * rx - c5h * ry;
    p[5 * s] = c5h * rx + c3h * ry;
    rx = a7 + k0;
    ry = k1 - a4;
    p[1 * s] = c1h * rx - c7h * ry;
    p[7 * s] = c7h * rx + c1h * ry;
}

void exrqoi__dwa_fdct(float *blk)
{
    /* columns first, then rows, as the kernel's two transpose passes */
    for (int c = 0; c < 8; c++) fdct_1d(blk + c, 8);
    for (int r = 0; r < 8; r++) fdct_1d(blk + 8 * r, 1);
}

void exrqoi__dwa_csc_inverse(float *c0, float *c1, float *c2, int n)
{
    for (int i = 0; i < n; i++) {
        float y = c0[i], cb = c1[i], cr = c2[i];
        c0[i] = y + 1.5747f * cr;
        c1[i] = y - 0.1873f * cb - 0.4682f * cr;
        c2[i] = y + 1.8556f * cb;
    }
}

void exrqoi__dwa_csc_forward(float *c0, float *c1, float *c2, int n)
{
    for (int i = 0; i < n; i++) {
        float r = c0[i], g = c1[i], b = c2[i];
        c0[i] = 0.2126f * r + 0.7152f * g + 0.0722f * b;
        c1[i] = -0.1146f * r - 0.3854f * g + 0.5000f * b;
        c2[i] = 0.5000f * r - 0.4542f * g - 0.0458f * b;
    }
}

/* ---- reference transforms for tests ------------------------------------ */

static double basis(int k, int n)
{
    const double pi = 3.14159265358979323846;
    double scale = k == 0 ? sqrt(0.125) : 0.5;
    return scale * cos((2 * n + 1) * k * pi / 16.0);
}

void exrqoi__dwa_ref_fdct(const double *in, double *out)
{
    for (int v = 0; v < 8; v++)
        for (int u = 0; u < 8; u++) {
            double acc = 0;
            for (int y = 0; y < 8; y++)
                for (int x = 0; x < 8; x++) acc += in[8 * y + x] * basis(v, y) * basis(u, x);
            out[8 * v + u] = acc;
        }
}

void exrqoi__dwa_ref_idct(const double *in, double *out)
{
    for (int y = 0; y < 8; y++)
        for (int x = 0; x < 8; x++) {
            double acc = 0;
            for (int v = 0; v < 8; v++)
                for (int u = 0; u < 8; u++) acc += in[8 * v + u] * basis(v, y) * basis(u, x);
            out[8 * y + x] = acc;
        }
}
