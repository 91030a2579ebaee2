/* Colour math for conversion; see colormath.h. Computations run in double
 * so that the 8-bit results are correctly rounded. */
#include "convert/colormath.h"
#include "exrqoi/meta.h"

#include <math.h>

static double clamp01(double x)
{
    if (!(x > 0.0)) return 0.0; /* also NaN */
    return x < 1.0 ? x : 1.0;
}

static double oetf(double v)
{
    return v <= 0.0031308 ? v * 12.92 : 1.055 * pow(v, 1.0 / 2.4) - 0.055;
}

static double eotf(double v)
{
    return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
}

float exrqoi__srgb_oetf(float linear)
{
    return (float)oetf(clamp01(linear));
}

float exrqoi__srgb_eotf(float encoded)
{
    return (float)eotf(clamp01(encoded));
}

uint8_t exrqoi__srgb_encode8(float linear)
{
    return (uint8_t)floor(oetf(clamp01(linear)) * 255.0 + 0.5);
}

uint8_t exrqoi__unorm_encode8(float v)
{
    return (uint8_t)floor(clamp01(v) * 255.0 + 0.5);
}

uint16_t exrqoi__srgb_encode16(float linear)
{
    return (uint16_t)floor(oetf(clamp01(linear)) * 65535.0 + 0.5);
}

uint16_t exrqoi__unorm_encode16(float v)
{
    return (uint16_t)floor(clamp01(v) * 65535.0 + 0.5);
}

float exrqoi__srgb_decode_code(uint32_t code, uint32_t max)
{
    return (float)eotf((double)code / max);
}

float exrqoi__gamma_decode_code(uint32_t code, uint32_t max, double exponent)
{
    return (float)pow((double)code / max, exponent);
}

void exrqoi__srgb_decode_table(float table[256])
{
    for (int i = 0; i < 256; i++) table[i] = (float)eotf(i / 255.0);
}

static float float_of_bits(uint32_t u)
{
    float f;
    memcpy(&f, &u, 4);
    return f;
}

void exrqoi__srgb8_encoder_init(exrqoi__srgb8_encoder *e)
{
    /* Non-negative floats order like their bit patterns, and the encoding
     * never decreases, so each threshold is found by bisection on bits. */
    const uint32_t one = 0x3f800000u;
    uint32_t lo = 0;
    for (unsigned k = 1; k <= 255; k++) {
        uint32_t a = lo, b = one; /* enc(a) < k <= enc(b) */
        while (b - a > 1) {
            uint32_t mid = a + (b - a) / 2;
            if (exrqoi__srgb_encode8(float_of_bits(mid)) >= k)
                b = mid;
            else
                a = mid;
        }
        e->threshold[k - 1] = float_of_bits(b);
        lo = a;
    }
}

float exrqoi__tone_clamp(float x)
{
    return (float)clamp01(x);
}

float exrqoi__tone_reinhard(float x)
{
    if (!(x > 0.0f)) return 0.0f;
    if (isinf(x)) return 1.0f;
    return (float)((double)x / (1.0 + (double)x));
}

float exrqoi__tone_aces(float x)
{
    if (!(x > 0.0f)) return 0.0f;
    if (isinf(x)) return 1.0f;
    double v = x;
    return (float)clamp01((v * (2.51 * v + 0.03)) / (v * (2.43 * v + 0.59) + 0.14));
}

float exrqoi__exposure_scale(float ev)
{
    return (float)exp2((double)ev);
}

void exrqoi__premultiply(float rgb[3], float a)
{
    rgb[0] *= a;
    rgb[1] *= a;
    rgb[2] *= a;
}

void exrqoi__unpremultiply(float rgb[3], float a)
{
    if (!(a > 0.0f)) return;
    rgb[0] /= a;
    rgb[1] /= a;
    rgb[2] /= a;
}

void exrqoi__chroma_rec709(exrqoi__chroma *c)
{
    static const exrqoi__chroma rec709 = {0.64f, 0.33f, 0.30f, 0.60f, 0.15f, 0.06f, 0.3127f, 0.3290f};
    *c = rec709;
}

static void mat_mul(const double a[9], const double b[9], double out[9])
{
    double t[9];
    for (int r = 0; r < 3; r++)
        for (int c = 0; c < 3; c++)
            t[r * 3 + c] = a[r * 3] * b[c] + a[r * 3 + 1] * b[3 + c] + a[r * 3 + 2] * b[6 + c];
    memcpy(out, t, sizeof t);
}

static bool mat_inv(const double m[9], double out[9])
{
    double c0 = m[4] * m[8] - m[5] * m[7];
    double c1 = m[5] * m[6] - m[3] * m[8];
    double c2 = m[3] * m[7] - m[4] * m[6];
    double det = m[0] * c0 + m[1] * c1 + m[2] * c2;
    if (!(fabs(det) > 1e-12) || !isfinite(det)) return false;
    double t[9] = {c0,
                   m[2] * m[7] - m[1] * m[8],
                   m[1] * m[5] - m[2] * m[4],
                   c1,
                   m[0] * m[8] - m[2] * m[6],
                   m[2] * m[3] - m[0] * m[5],
                   c2,
                   m[1] * m[6] - m[0] * m[7],
                   m[0] * m[4] - m[1] * m[3]};
    for (int i = 0; i < 9; i++) out[i] = t[i] / det;
    return true;
}

static void mat_vec(const double m[9], const double v[3], double out[3])
{
    double t[3];
    for (int r = 0; r < 3; r++) t[r] = m[r * 3] * v[0] + m[r * 3 + 1] * v[1] + m[r * 3 + 2] * v[2];
    memcpy(out, t, sizeof t);
}

/* XYZ (Y = 1) of a chromaticity; false if y is 0 or not finite. */
static bool xy_to_xyz(double x, double y, double out[3])
{
    if (!(fabs(y) > 1e-9) || !isfinite(x) || !isfinite(y)) return false;
    out[0] = x / y;
    out[1] = 1.0;
    out[2] = (1.0 - x - y) / y;
    return true;
}

bool exrqoi__rgb_to_xyz(const exrqoi__chroma *c, double m[9])
{
    double r[3], g[3], b[3], w[3];
    if (!xy_to_xyz(c->red_x, c->red_y, r) || !xy_to_xyz(c->green_x, c->green_y, g) ||
        !xy_to_xyz(c->blue_x, c->blue_y, b) || !xy_to_xyz(c->white_x, c->white_y, w))
        return false;
    double p[9] = {r[0], g[0], b[0], r[1], g[1], b[1], r[2], g[2], b[2]};
    double pi[9], s[3];
    if (!mat_inv(p, pi)) return false;
    /* scale each primary so that RGB (1,1,1) is the white point */
    mat_vec(pi, w, s);
    for (int row = 0; row < 3; row++)
        for (int col = 0; col < 3; col++) m[row * 3 + col] = p[row * 3 + col] * s[col];
    return true;
}

/* Bradford cone response matrix (Lam 1985). */
static const double k_bradford[9] = {0.8951, 0.2664, -0.1614, -0.7502, 1.7135,
                                     0.0367, 0.0389, -0.0685, 1.0296};

bool exrqoi__chroma_to_rec709(const exrqoi__chroma *src, double m[9])
{
    exrqoi__chroma dst;
    exrqoi__chroma_rec709(&dst);
    return exrqoi__chroma_convert(src, &dst, m);
}

void exrqoi__chroma_aces_ap0(exrqoi__chroma *c)
{
    static const exrqoi__chroma ap0 = {0.7347f, 0.2653f, 0.0f, 1.0f, 0.0001f, -0.0770f, 0.32168f, 0.33767f};
    *c = ap0;
}

void exrqoi__mat3_mul(const double a[9], const double b[9], double out[9])
{
    mat_mul(a, b, out);
}

bool exrqoi__chroma_convert(const exrqoi__chroma *src, const exrqoi__chroma *dst_c, double m[9])
{
    const exrqoi__chroma dst = *dst_c;
    double to_xyz[9], dst_to_xyz[9], from_xyz[9];
    if (!exrqoi__rgb_to_xyz(src, to_xyz)) return false;
    if (!exrqoi__rgb_to_xyz(&dst, dst_to_xyz) || !mat_inv(dst_to_xyz, from_xyz)) return false;

    if (fabs((double)src->white_x - dst.white_x) > 1e-6 ||
        fabs((double)src->white_y - dst.white_y) > 1e-6) {
        double ws[3], wd[3], cs[3], cd[3], binv[9];
        if (!xy_to_xyz(src->white_x, src->white_y, ws) || !xy_to_xyz(dst.white_x, dst.white_y, wd))
            return false;
        mat_vec(k_bradford, ws, cs);
        mat_vec(k_bradford, wd, cd);
        if (!mat_inv(k_bradford, binv)) return false;
        for (int i = 0; i < 3; i++)
            if (!(fabs(cs[i]) > 1e-12)) return false;
        double scale[9] = {cd[0] / cs[0], 0, 0, 0, cd[1] / cs[1], 0, 0, 0, cd[2] / cs[2]};
        double adapt[9];
        mat_mul(scale, k_bradford, adapt);
        mat_mul(binv, adapt, adapt);
        mat_mul(adapt, to_xyz, to_xyz);
    }
    mat_mul(from_xyz, to_xyz, m);
    return true;
}

void exrqoi__mat3_apply(const double m[9], const float in[3], float out[3])
{
    double v[3] = {in[0], in[1], in[2]}, r[3];
    mat_vec(m, v, r);
    out[0] = (float)r[0];
    out[1] = (float)r[1];
    out[2] = (float)r[2];
}

/* ---- public wrappers (exrqoi/meta.h) ---- */

exrqoi_chromaticities exrqoi_chromaticities_aces_ap0(void)
{
    exrqoi__chroma c;
    exrqoi__chroma_aces_ap0(&c);
    exrqoi_chromaticities out;
    memcpy(&out, &c, sizeof out);
    return out;
}

exrqoi_result exrqoi_chromaticities_matrix(const exrqoi_chromaticities *src,
                                           const exrqoi_chromaticities *dst, double matrix[9])
{
    if (!src || !dst || !matrix) return EXRQOI_ERR_INVALID_ARGUMENT;
    exrqoi__chroma s, d;
    memcpy(&s, src, sizeof s);
    memcpy(&d, dst, sizeof d);
    return exrqoi__chroma_convert(&s, &d, matrix) ? EXRQOI_OK : EXRQOI_ERR_INVALID_ARGUMENT;
}
