/* The HT cleanup pass (ITU-T T.814 clause 7): quads of 2x2 samples coded
 * as a MEL bit stream (significance runs), a backward VLC stream
 * (context-coded significance and exponent bounds, U-VLC exponent
 * offsets) and a forward MagSgn stream (magnitude and sign bits), with
 * the byte stuffing and termination OpenJPH uses, so that our code blocks
 * are byte for byte the ones OpenEXR writes. Lossless: every magnitude
 * bit goes into the cleanup pass; no refinement passes. */
#include "codec/htj2k_enc.h"

#include "common/cpu.h"

#define MS_CAP 26624u
#define MEL_CAP 1024u
#define VLC_CAP 5120u

typedef struct mel_writer {
    uint8_t *buf;
    size_t pos;
    int room; /* free bits in tmp */
    unsigned tmp;
    int run, k, threshold;
} mel_writer;

typedef struct vlc_writer {
    uint8_t *buf; /* bytes in the order they are made: reversed on output */
    size_t pos;
    int used;     /* bits waiting in acc */
    uint64_t acc;
    int last_big; /* the byte before was above 0x8F */
} vlc_writer;

typedef struct ms_writer {
    uint8_t *buf;
    size_t pos;
    int max_bits; /* bits the next byte takes: 7 after an 0xFF */
    int used;     /* bits waiting in acc */
    uint64_t acc;
} ms_writer;

/* MEL run-length exponents of the 13 states (T.814 Table 2) */
static const int mel_exp[13] = {0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 4, 5};

static inline void mel_bit(mel_writer *m, int b)
{
    m->tmp = (m->tmp << 1) | (unsigned)b;
    if (--m->room == 0) {
        m->buf[m->pos++] = (uint8_t)m->tmp;
        m->room = m->tmp == 0xFF ? 7 : 8;
        m->tmp = 0;
    }
}

static inline void mel_code(mel_writer *m, int bit)
{
    if (!bit) {
        if (++m->run >= m->threshold) {
            mel_bit(m, 1);
            m->run = 0;
            if (m->k < 12) m->k++;
            m->threshold = 1 << mel_exp[m->k];
        }
    } else {
        mel_bit(m, 0);
        for (int t = mel_exp[m->k]; t > 0;) mel_bit(m, (m->run >> --t) & 1);
        m->run = 0;
        if (m->k > 0) m->k--;
        m->threshold = 1 << mel_exp[m->k];
    }
}

/* Bits go in from the least significant end; a byte after one above
 * 0x8F takes 8 bits unless its low 7 are all ones, then it is 0x7F and
 * takes 7 (T.814's stuffing rule, as OpenJPH applies it). Leaves fewer
 * than 8 bits waiting. */
static void vlc_drain(vlc_writer *v)
{
    for (;;) {
        if (v->last_big && v->used >= 7 && (v->acc & 0x7F) == 0x7F) {
            v->buf[v->pos++] = 0x7F;
            v->acc >>= 7;
            v->used -= 7;
            v->last_big = 0;
        } else if (v->used >= 8) {
            unsigned byte = (unsigned)(v->acc & 0xFF);
            v->buf[v->pos++] = (uint8_t)byte;
            v->acc >>= 8;
            v->used -= 8;
            v->last_big = byte > 0x8F;
        } else {
            break;
        }
    }
}

/* Whole bytes leave only once 32 bits wait (len <= 24, so the
 * accumulator holds them): four at once when none of them is a stuffed
 * 0x7F (low 7 bits all ones after a byte above 0x8F), else through
 * vlc_drain; vlc_drain before the stream ends. */
static inline void vlc_put(vlc_writer *v, unsigned cwd, int len)
{
    v->acc |= (uint64_t)cwd << v->used;
    v->used += len;
    if (v->used < 32) return;
    const uint32_t w = (uint32_t)v->acc, x = ~w & 0x7F7F7F7Fu;
    const uint32_t big = w & ((w & 0x7F7F7F7Fu) + 0x70707070u) & 0x80808080u; /* bytes above 0x8F */
    const uint32_t sevens = (x - 0x01010101u) & ~x & 0x80808080u;           /* low 7 bits all ones */
    if (sevens & ((big << 8) | ((uint32_t)v->last_big << 7))) {
        vlc_drain(v);
        return;
    }
    exrqoi__put32(v->buf + v->pos, w);
    v->pos += 4;
    v->acc >>= 32;
    v->used -= 32;
    v->last_big = (int)(big >> 31);
}

/* Bytes out of the MagSgn accumulator one at a time: a byte after an 0xFF
 * takes only 7 bits. Leaves fewer than max_bits bits waiting. */
static void ms_drain(ms_writer *s)
{
    while (s->used >= s->max_bits) {
        unsigned byte = (unsigned)(s->acc & ((1u << s->max_bits) - 1));
        s->buf[s->pos++] = (uint8_t)byte;
        s->acc >>= s->max_bits;
        s->used -= s->max_bits;
        s->max_bits = byte == 0xFF ? 7 : 8;
    }
}

/* Four bytes at once when none of the first three is 0xFF (then no bit
 * is stuffed among them); else byte by byte. */
static inline void ms_flush32(ms_writer *s)
{
    uint32_t w = (uint32_t)s->acc, t = ~w;
    if (s->max_bits == 8 && ((t - 0x00010101u) & ~t & 0x00808080u) == 0) {
        exrqoi__put32(s->buf + s->pos, w);
        s->pos += 4;
        s->acc >>= 32;
        s->used -= 32;
        s->max_bits = (w >> 24) == 0xFF ? 7 : 8;
    } else {
        ms_drain(s);
    }
}

/* After up to 56 more bits (fewer than 8 waited): every whole byte out,
 * without a branch on the data unless a whole byte is 0xFF or follows one
 * (rare; then byte by byte). Bits above `used` are 0, so only whole bytes
 * can be 0xFF. Writes 8 bytes at pos (the buffer has room). */
static inline void ms_emit(ms_writer *s)
{
    const uint64_t a = s->acc, t = ~a;
    const uint64_t ff = (t - 0x0101010101010101ull) & ~t & 0x8080808080808080ull;
    if (ff | (uint64_t)(s->max_bits ^ 8)) {
        ms_drain(s);
        return;
    }
    exrqoi__put64(s->buf + s->pos, a);
    s->pos += (size_t)(s->used >> 3);
    s->acc = a >> (s->used & ~7);
    s->used &= 7;
}

/* Bits go in from the least significant end; at most 31 bits wait between
 * calls, so len <= 33 never overflows the accumulator; longer codes (only
 * with `wide`, for 32-bit components) go in two parts. */
__attribute__((always_inline)) static inline void ms_put(ms_writer *s, uint64_t cwd, int len, int wide)
{
    if (wide && len > 32) {
        s->acc |= (cwd & 0xFFFFFFFFu) << s->used;
        s->used += 32;
        ms_flush32(s);
        cwd >>= 32;
        len -= 32;
    }
    s->acc |= cwd << s->used;
    s->used += len;
    if (s->used >= 32) ms_flush32(s);
}

static void ms_finish(ms_writer *s)
{
    ms_drain(s);
    if (s->used) {
        unsigned tmp = (unsigned)s->acc | (0xFFu << s->used);
        tmp &= (1u << s->max_bits) - 1;
        if (tmp != 0xFF) s->buf[s->pos++] = (uint8_t)tmp;
    } else if (s->max_bits == 7) {
        s->pos--; /* a trailing 0xFF is not needed */
    }
}

/* MEL and VLC meet in the middle: their last bytes merge into one when
 * the bits agree. */
static void mel_vlc_finish(mel_writer *m, vlc_writer *v)
{
    vlc_drain(v);
    if (m->run > 0) mel_bit(m, 1);
    m->tmp <<= m->room;
    unsigned mel_mask = (0xFFu << m->room) & 0xFF;
    unsigned vlc_mask = 0xFFu >> (8 - v->used);
    unsigned vtmp = (unsigned)v->acc & 0xFF;
    if ((mel_mask | vlc_mask) == 0) return;
    unsigned fuse = m->tmp | vtmp;
    if ((((fuse ^ m->tmp) & mel_mask) | ((fuse ^ vtmp) & vlc_mask)) == 0 && fuse != 0xFF && v->pos > 1) {
        m->buf[m->pos++] = (uint8_t)fuse;
    } else {
        m->buf[m->pos++] = (uint8_t)m->tmp;
        v->buf[v->pos++] = (uint8_t)vtmp;
    }
}

/* U-VLC (T.814 Table 3) of u_q = 0..74: prefix, suffix and extension as
 * bit strings (first bit in bit 0) and their lengths. */
typedef struct uvlc_code {
    uint32_t bits_pre, bits_rest; /* prefix; suffix then extension */
    int len_pre, len_rest;
} uvlc_code;

/* u_q is at most 38 (kmax) here; the table covers the standard's 74. */
#define UVLC_N 75

/* the codes of u_q = 0..74: prefix 1 (u 1), 01 (2), 001 + 1 bit (3, 4),
 * 000 + 5 bits (5..32), 000 + 5 + 4 bits (33..74) */
static const uvlc_code k_uvlc[UVLC_N] = {
    {0, 0, 0, 0}, {1, 0, 1, 0}, {2, 0, 2, 0}, {4, 0, 3, 1}, {4, 1, 3, 1}, {0, 0, 3, 5},
    {0, 1, 3, 5}, {0, 2, 3, 5}, {0, 3, 3, 5}, {0, 4, 3, 5}, {0, 5, 3, 5}, {0, 6, 3, 5},
    {0, 7, 3, 5}, {0, 8, 3, 5}, {0, 9, 3, 5}, {0, 10, 3, 5}, {0, 11, 3, 5}, {0, 12, 3, 5},
    {0, 13, 3, 5}, {0, 14, 3, 5}, {0, 15, 3, 5}, {0, 16, 3, 5}, {0, 17, 3, 5}, {0, 18, 3, 5},
    {0, 19, 3, 5}, {0, 20, 3, 5}, {0, 21, 3, 5}, {0, 22, 3, 5}, {0, 23, 3, 5}, {0, 24, 3, 5},
    {0, 25, 3, 5}, {0, 26, 3, 5}, {0, 27, 3, 5}, {0, 28, 3, 9}, {0, 29, 3, 9}, {0, 30, 3, 9},
    {0, 31, 3, 9}, {0, 60, 3, 9}, {0, 61, 3, 9}, {0, 62, 3, 9}, {0, 63, 3, 9}, {0, 92, 3, 9},
    {0, 93, 3, 9}, {0, 94, 3, 9}, {0, 95, 3, 9}, {0, 124, 3, 9}, {0, 125, 3, 9}, {0, 126, 3, 9},
    {0, 127, 3, 9}, {0, 156, 3, 9}, {0, 157, 3, 9}, {0, 158, 3, 9}, {0, 159, 3, 9}, {0, 188, 3, 9},
    {0, 189, 3, 9}, {0, 190, 3, 9}, {0, 191, 3, 9}, {0, 220, 3, 9}, {0, 221, 3, 9}, {0, 222, 3, 9},
    {0, 223, 3, 9}, {0, 252, 3, 9}, {0, 253, 3, 9}, {0, 254, 3, 9}, {0, 255, 3, 9}, {0, 284, 3, 9},
    {0, 285, 3, 9}, {0, 286, 3, 9}, {0, 287, 3, 9}, {0, 316, 3, 9}, {0, 317, 3, 9}, {0, 318, 3, 9},
    {0, 319, 3, 9}, {0, 348, 3, 9}, {0, 349, 3, 9},
};

static inline uvlc_code uvlc_of(const uvlc_code *tbl, int u) { return tbl[u]; }

/* The block's samples as exponents and MagSgn values, padded with zeros
 * to whole quad pairs: stride EW, rows rounded up to even. */
#define EW 132
#define QW EXRQOI__HTJ2K_QW

/* Bit n of a nibble as byte n: 0x01 (ones) or 0xFF (bytes). */
static const uint32_t k_nibble_ones[16] = {
    0x00000000u, 0x00000001u, 0x00000100u, 0x00000101u, 0x00010000u, 0x00010001u, 0x00010100u, 0x00010101u,
    0x01000000u, 0x01000001u, 0x01000100u, 0x01000101u, 0x01010000u, 0x01010001u, 0x01010100u, 0x01010101u};
static const uint32_t k_nibble_bytes[16] = {
    0x00000000u, 0x000000FFu, 0x0000FF00u, 0x0000FFFFu, 0x00FF0000u, 0x00FF00FFu, 0x00FFFF00u, 0x00FFFFFFu,
    0xFF000000u, 0xFF0000FFu, 0xFF00FF00u, 0xFF00FFFFu, 0xFFFF0000u, 0xFFFF00FFu, 0xFFFFFF00u, 0xFFFFFFFFu};

/* VLC codeword, MEL bit and MagSgn bits of one quad from its word qi
 * (exrqoi__htj2k_quads) and its MagSgn values at V[a] (uint64_t when
 * `wide`, else uint32_t). */
__attribute__((always_inline)) static inline void code_quad(uint32_t qi, const void *V, size_t a, const uint16_t *tbl,
                                                            mel_writer *mel, vlc_writer *vlc, ms_writer *ms, int wide)
{
    const unsigned idx = qi & 0x7FF, tup = tbl[idx], rho = (idx >> 4) & 15;
    vlc_put(vlc, tup >> 8, (tup >> 4) & 7);
    if (idx < 256) mel_code(mel, rho != 0);
    if (!rho) return;
    const int U = (int)((qi >> 16) & 0xFF);
    /* a sample's value fits its exponent's bits; the top one goes when the
     * VLC says it is known (e_k); insignificant samples (value 0) take none */
    if (wide) {
        const uint64_t *v = (const uint64_t *)V;
        const uint64_t vv[4] = {v[a], v[a + EW], v[a + 1], v[a + EW + 1]};
        for (int n = 0; n < 4; n++) {
            int m = (U - (int)((tup >> n) & 1)) & -(int)((rho >> n) & 1);
            ms_put(ms, vv[n] & ((((uint64_t)1 << m) - 1)), m, 1);
        }
        return;
    }
    const uint32_t *v = (const uint32_t *)V;
    const uint32_t v0 = v[a], v1 = v[a + EW], v2 = v[a + 1], v3 = v[a + EW + 1];
    /* U <= 24 here (kmax <= 23): the four lengths as the bytes of one word;
     * two samples (at most 48 bits) between byte outputs, or all four when
     * U <= 14 (at most 56 bits; fewer than 8 wait, so they fit) */
    uint32_t mm = ((uint32_t)U * 0x01010101u - k_nibble_ones[tup & 15]) & k_nibble_bytes[rho];
    const int m0 = (int)(mm & 0xFF), m1 = (int)((mm >> 8) & 0xFF), m2 = (int)((mm >> 16) & 0xFF),
              m3 = (int)(mm >> 24);
    if (U <= 14) {
        const uint64_t bits = (v0 & ((1u << m0) - 1)) | ((uint64_t)(v1 & ((1u << m1) - 1)) << m0) |
                              ((uint64_t)(v2 & ((1u << m2) - 1)) << (m0 + m1)) |
                              ((uint64_t)(v3 & ((1u << m3) - 1)) << (m0 + m1 + m2));
        ms->acc |= bits << ms->used;
        ms->used += m0 + m1 + m2 + m3;
        ms_emit(ms);
        return;
    }
    uint64_t bits = (v0 & ((1u << m0) - 1)) | ((uint64_t)(v1 & ((1u << m1) - 1)) << m0);
    ms->acc |= bits << ms->used;
    ms->used += m0 + m1;
    ms_emit(ms);
    bits = (v2 & ((1u << m2) - 1)) | ((uint64_t)(v3 & ((1u << m3) - 1)) << m2);
    ms->acc |= bits << ms->used;
    ms->used += m2 + m3;
    ms_emit(ms);
}

/* Two quads' U-VLC in the standard's order: both prefixes, both suffixes,
 * both extensions (bits go out in sequence, so one call takes several). */
static inline void put_uvlc_pair(vlc_writer *vlc, const uvlc_code *tbl, int u0, int u1)
{
    if (!(u0 | u1)) return;
    uvlc_code a = uvlc_of(tbl, u0), b = uvlc_of(tbl, u1);
    uint32_t sa = a.bits_rest & 31, sb = b.bits_rest & 31;
    int la = a.len_rest > 5 ? 5 : a.len_rest, lb = b.len_rest > 5 ? 5 : b.len_rest;
    vlc_put(vlc, a.bits_pre | (b.bits_pre << a.len_pre) | (sa << (a.len_pre + b.len_pre)) |
                     (sb << (a.len_pre + b.len_pre + la)),
            a.len_pre + b.len_pre + la + lb);
    if (a.len_rest > 5 || b.len_rest > 5)
        vlc_put(vlc, (a.bits_rest >> 5) | ((b.bits_rest >> 5) << (a.len_rest - la)), a.len_rest - la + b.len_rest - lb);
}

/* Fills the exponent and MagSgn arrays from a block of T coefficients;
 * returns whether any magnitude (modulo 2^kmax) is non-zero. */
#define HTJ2K_PREP(T, VT)                                                                                     \
    static int prep_##T(const T *coef, size_t stride, int w, int h, uint64_t mask, uint8_t *E, VT *V)        \
    {                                                                                                         \
        const int hp = (h + 1) & ~1, wp = (w + 3) & ~3;                                                       \
        uint64_t any = 0;                                                                                     \
        for (int y = 0; y < hp; y++) {                                                                        \
            uint8_t *er = E + (size_t)y * EW;                                                                 \
            VT *vr = V + (size_t)y * EW;                                                                      \
            const T *cr = coef + (size_t)y * stride;                                                          \
            int x = 0;                                                                                        \
            if (y < h)                                                                                        \
                for (; x < w; x++) {                                                                          \
                    int64_t c = cr[x];                                                                        \
                    uint64_t mu = (c < 0 ? (uint64_t)0 - (uint64_t)c : (uint64_t)c) & mask;                  \
                    any |= mu;                                                                                \
                    er[x] = mu ? (uint8_t)(64 - __builtin_clzll(2 * mu - 1)) : 0;                             \
                    vr[x] = (VT)(mu ? 2 * (mu - 1) + (c < 0) : 0);                                            \
                }                                                                                             \
            for (; x < wp; x++) {                                                                             \
                er[x] = 0;                                                                                    \
                vr[x] = 0;                                                                                    \
            }                                                                                                 \
        }                                                                                                     \
        return any != 0;                                                                                      \
    }

HTJ2K_PREP(int32_t, uint32_t)
HTJ2K_PREP(int64_t, uint64_t)

/* The workspace layout: exponents, MagSgn values (uint64_t for 32-bit
 * components, else uint32_t), then the quads' words; 0 when the block
 * size is out of range. */
static int block_setup(int w, int h, int kmax, uint8_t *work, uint8_t **E, void **V, uint32_t **Q, uint64_t *mask)
{
    if (w < 1 || h < 1 || w > 128 || h > 32) return 0;
    *mask = kmax >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << kmax) - 1);
    *E = work + MS_CAP + MEL_CAP + VLC_CAP + 256;
    *V = (void *)(*E + 34 * EW);
    *Q = (uint32_t *)(void *)(*E + 34 * EW * 9);
    return 1;
}

static size_t code_block32(const uint32_t *Q, const void *V, int w, int h, uint8_t *work, uint8_t *out);
static size_t code_block64(const uint32_t *Q, const void *V, int w, int h, uint8_t *work, uint8_t *out);
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#define ENC_BMI2 1
static size_t code_block32_bmi2(const uint32_t *Q, const void *V, int w, int h, uint8_t *work, uint8_t *out);
#else
#define ENC_BMI2 0
#endif

size_t exrqoi__htj2k_encode_block(const int64_t *coef, size_t stride, int w, int h, int kmax, uint8_t *work,
                                  uint8_t *out)
{
    uint8_t *E;
    void *V;
    uint32_t *Q;
    uint64_t mask;
    if (!block_setup(w, h, kmax, work, &E, &V, &Q, &mask) ||
        !prep_int64_t(coef, stride, w, h, mask, E, (uint64_t *)V))
        return 0;
    exrqoi__htj2k_quads(EXRQOI__PATH_C, E, w, h, Q);
    return code_block64(Q, V, w, h, work, out);
}

size_t exrqoi__htj2k_encode_block32_path(int path, const int32_t *coef, size_t stride, int w, int h, int kmax,
                                         uint8_t *work, uint8_t *out)
{
    uint8_t *E;
    void *V;
    uint32_t *Q;
    uint64_t mask;
    /* kmax <= 23: exponents below 25, so the MagSgn lengths fit code_quad's
     * bytes and two samples fit ms_emit (16-bit components have at most 20) */
    if (kmax > 23 || !block_setup(w, h, kmax, work, &E, &V, &Q, &mask)) return 0;
    int any = path == EXRQOI__PATH_C ? prep_int32_t(coef, stride, w, h, mask, E, (uint32_t *)V)
                                     : exrqoi__htj2k_prep32(path, coef, stride, w, h, (uint32_t)mask, E, (uint32_t *)V);
    if (!any) return 0;
    exrqoi__htj2k_quads(path, E, w, h, Q);
#if ENC_BMI2
    if (path == EXRQOI__PATH_AVX2) return code_block32_bmi2(Q, V, w, h, work, out); /* AVX2 implies BMI2 here */
#endif
    return code_block32(Q, V, w, h, work, out);
}

size_t exrqoi__htj2k_encode_block32(const int32_t *coef, size_t stride, int w, int h, int kmax, uint8_t *work,
                                    uint8_t *out)
{
    return exrqoi__htj2k_encode_block32_path(EXRQOI__PATH_C, coef, stride, w, h, kmax, work, out);
}

/* One body for both value widths; `wide` is a constant in each caller.
 * MagSgn goes straight to out (it comes first there); MEL and the VLC
 * (made backwards) follow it. */
__attribute__((always_inline)) static inline size_t code_block(const uint32_t *Q, const void *V, int wide, int w, int h,
                                                               uint8_t *work, uint8_t *out)
{
    uint8_t *mel_buf = work + MS_CAP, *vlc_buf = mel_buf + MEL_CAP;
    mel_writer mel = {mel_buf, 0, 8, 0, 0, 0, 1};
    vlc_writer vlc = {vlc_buf, 1, 4, 0xF, 1};
    vlc_buf[0] = 0xFF;
    const uvlc_code *uv = k_uvlc;
    ms_writer ms = {out, 0, 8, 0, 0};
    const uint16_t *tbl0 = exrqoi__htj2k_vlc_enc_table(1), *tbl1 = exrqoi__htj2k_vlc_enc_table(0);

    /* first line of quads: U-VLC with the MEL's choice of the pair's form */
    for (int x = 0; x < w; x += 4) {
        const int k = x >> 1;
        const uint32_t q0 = Q[k];
        code_quad(q0, V, (size_t)x, tbl0, &mel, &vlc, &ms, wide);
        int u0 = (int)(q0 >> 24), u1 = 0;
        if (x + 2 < w) {
            const uint32_t q1 = Q[k + 1];
            code_quad(q1, V, (size_t)x + 2, tbl0, &mel, &vlc, &ms, wide);
            u1 = (int)(q1 >> 24);
        }
        if (u0 > 0 && u1 > 0) mel_code(&mel, (u0 < u1 ? u0 : u1) > 2);
        if (u0 > 2 && u1 > 2) {
            put_uvlc_pair(&vlc, uv, u0 - 2, u1 - 2);
        } else if (u0 > 2 && u1 > 0) {
            uvlc_code a = uvlc_of(uv, u0);
            vlc_put(&vlc, a.bits_pre | ((uint32_t)(u1 - 1) << a.len_pre), a.len_pre + 1);
            vlc_put(&vlc, a.bits_rest, a.len_rest);
        } else {
            put_uvlc_pair(&vlc, uv, u0, u1);
        }
    }

    for (int y = 2; y < h; y += 2) {
        const uint32_t *qr = Q + (size_t)(y / 2) * QW;
        const size_t row = (size_t)y * EW;
        for (int x = 0; x < w; x += 4) {
            const int k = x >> 1;
            const uint32_t q0 = qr[k];
            code_quad(q0, V, row + (size_t)x, tbl1, &mel, &vlc, &ms, wide);
            int u0 = (int)(q0 >> 24), u1 = 0;
            if (x + 2 < w) {
                const uint32_t q1 = qr[k + 1];
                code_quad(q1, V, row + (size_t)x + 2, tbl1, &mel, &vlc, &ms, wide);
                u1 = (int)(q1 >> 24);
            }
            put_uvlc_pair(&vlc, uv, u0, u1);
        }
    }

    mel_vlc_finish(&mel, &vlc);
    ms_finish(&ms);

    size_t len = ms.pos + mel.pos + vlc.pos;
    memcpy(out + ms.pos, mel_buf, mel.pos);
    uint8_t *vo = out + ms.pos + mel.pos;
    size_t i = 0, nv = vlc.pos;
    for (; i + 8 <= nv; i += 8) { /* the VLC bytes reversed, eight at a time */
        uint64_t t;
        memcpy(&t, vlc_buf + nv - 8 - i, 8);
        t = __builtin_bswap64(t);
        memcpy(vo + i, &t, 8);
    }
    for (; i < nv; i++) vo[i] = vlc_buf[nv - 1 - i];
    size_t scup = mel.pos + vlc.pos;
    out[len - 1] = (uint8_t)(scup >> 4);
    out[len - 2] = (uint8_t)((out[len - 2] & 0xF0) | (scup & 0xF));
    return len;
}

static size_t code_block32(const uint32_t *Q, const void *V, int w, int h, uint8_t *work, uint8_t *out)
{
    return code_block(Q, V, 0, w, h, work, out);
}

static size_t code_block64(const uint32_t *Q, const void *V, int w, int h, uint8_t *work, uint8_t *out)
{
    return code_block(Q, V, 1, w, h, work, out);
}

#if ENC_BMI2
/* The same compiled with BMI2 (flag-free variable shifts, bzhi for the
 * MagSgn masks): the AVX2 path's CPUs have it (exrqoi__htj2k_enc_path). */
__attribute__((target("bmi,bmi2"))) static size_t code_block32_bmi2(const uint32_t *Q, const void *V, int w, int h,
                                                                     uint8_t *work, uint8_t *out)
{
    return code_block(Q, V, 0, w, h, work, out);
}
#endif
