/*
 * The HT block decoder (ITU-T T.814 clause 7): the cleanup pass (MEL,
 * CxtVLC, U-VLC and MagSgn segments) and the SigProp and MagRef
 * refinement passes.
 *
 * Magnitudes are kept doubled ("mag2", bit 0 is the bin centre of plane
 * -1), so the same arithmetic serves every cleanup bit-plane p; the
 * coefficient is mag2 / 2 with the sign of bit 63.
 */
#include "codec/htj2k_dec.h"
#include "common/cpu.h"

#define SIGN_BIT ((uint64_t)1 << 63)
#define INLINE static inline __attribute__((always_inline))
#define NOINLINE static __attribute__((noinline))

/* ---- MEL: forward, MSB first, a bit stuffed after 0xFF ------------------ */

void exrqoi__htj2k_mel_init(exrqoi__htj2k_mel *m, const uint8_t *data, uint32_t size)
{
    memset(m, 0, sizeof *m);
    m->data = data;
    m->left = size;
    m->next = 8;
}

/* Tops acc up to at least 57 bits, a byte at a time (7 bits after 0xFF;
 * past the end ones). */
NOINLINE void mel_fill(exrqoi__htj2k_mel *m)
{
    uint64_t acc = m->acc;
    int n = m->nbits;
    if (m->left > 8 && !m->unstuff) {
        /* fast path: the whole bytes that fit, from 8 loaded at once
         * (none of them the last), when none of the 8 is 0xFF; the bits of
         * a byte that only partly fits are the same the next fill puts there */
        uint64_t x;
        memcpy(&x, m->data, 8);
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_BIG_ENDIAN__
        x = __builtin_bswap64(x); /* the first byte in the top bits */
#endif
        const uint64_t c = ~x;
        if (((c - 0x0101010101010101u) & ~c & 0x8080808080808080u) == 0) {
            const unsigned k = (unsigned)(64 - n) >> 3;
            m->acc = acc | x >> n;
            m->nbits = n + (int)(8 * k);
            m->data += k;
            m->left -= k;
            return;
        }
    }
    while (n <= 56) {
        uint32_t b = 0xFF;
        if (m->left) {
            b = *m->data++;
            /* the last MEL byte shares its low nibble with the VLC segment */
            if (--m->left == 0) b |= 0x0F;
        }
        const int nb = m->unstuff ? 7 : 8;
        acc |= (uint64_t)(b & ((1u << nb) - 1)) << (64 - n - nb);
        n += nb;
        m->unstuff = b == 0xFF;
    }
    m->acc = acc;
    m->nbits = n;
}

/* The next MEL symbol as a run code: 2 * (its zero events) + 1 when a one
 * event ends it; never 0. A symbol takes at most 6 bits. */
NOINLINE uint32_t mel_run(exrqoi__htj2k_mel *m)
{
    if (m->nbits < 6) mel_fill(m);
    const uint32_t e = exrqoi__htj2k_mel_tbl[(uint32_t)m->k << 6 | (uint32_t)(m->acc >> 58)];
    const uint32_t used = e >> 7 & 7;
    m->acc <<= used;
    m->nbits -= (int)used;
    m->k = (int)(e >> 10);
    return e & 127;
}

/* Decodes the next 8 run codes into m->runs (the state in registers
 * meanwhile) and returns the first: the cleanup pass takes them from
 * there, a call per 8 symbols. Past the segment's end the runs are of
 * ones, so decoding ahead of the last symbol used reads nothing more. */
NOINLINE uint32_t mel_batch(exrqoi__htj2k_mel *m)
{
    uint64_t acc = m->acc;
    int n = m->nbits;
    uint32_t k = (uint32_t)m->k;
    for (int i = 0; i < 8; i++) {
        if (n < 6) {
            m->acc = acc;
            m->nbits = n;
            mel_fill(m);
            acc = m->acc;
            n = m->nbits;
        }
        const uint32_t e = exrqoi__htj2k_mel_tbl[k << 6 | (uint32_t)(acc >> 58)];
        const uint32_t used = e >> 7 & 7;
        acc <<= used;
        n -= (int)used;
        k = e >> 10;
        m->runs[i] = (uint8_t)(e & 127);
    }
    m->acc = acc;
    m->nbits = n;
    m->k = (int)k;
    m->next = 1;
    return m->runs[0];
}

int exrqoi__htj2k_mel_event(exrqoi__htj2k_mel *m)
{
    if (m->run == 0 && !m->one) {
        const uint32_t q = mel_run(m);
        m->run = q >> 1;
        m->one = q & 1;
    }
    if (m->run) {
        m->run--;
        return 0;
    }
    m->one = false;
    return 1;
}

/* ---- backward readers (VLC, MagRef): LSB first, bytes read downwards;
 *      after a byte > 0x8F a byte whose low 7 bits are all set carries 7 --- */

typedef struct rev_reader {
    const uint8_t *base;
    int64_t pos;   /* index of the next byte to read, moving down */
    uint32_t left; /* bytes left */
    uint64_t acc;
    int n;         /* valid bits in acc */
    bool unstuff;
} rev_reader;

/* The fast refill: the whole bytes that fit above the n bits of *acc,
 * from 8 loaded at once, when none of the 8 has its low 7 bits set (so
 * none is unstuffed, whatever came before it); the bits of a byte that
 * only partly fits are the same the next refill puts there. False: the
 * byte-wise path (rev_fill_bytes). acc and n by pointer, so the cleanup
 * pass's copies in registers need no round trip through the reader. */
INLINE bool rev_fill_fast(rev_reader *r, uint64_t *acc, int *n)
{
    if (r->left < 8) return false;
    uint64_t x;
    memcpy(&x, r->base + r->pos - 7, 8);
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_BIG_ENDIAN__
    x = __builtin_bswap64(x); /* the byte at pos first (lowest) */
#endif
    const uint64_t c = ~(x | 0x8080808080808080u);
    if (((c - 0x0101010101010101u) & ~c & 0x8080808080808080u) != 0) return false;
    const unsigned k = (unsigned)(64 - *n) >> 3; /* whole bytes that fit */
    if (k) {
        *acc |= x << *n;
        *n += (int)(8 * k);
        r->pos -= k;
        r->left -= k;
        r->unstuff = ((x >> (8 * (k - 1))) & 0xFF) > 0x8F;
    }
    return true;
}

NOINLINE void rev_fill_bytes(rev_reader *r)
{
    while (r->n <= 56) {
        uint32_t b = 0; /* past the end: zeros */
        if (r->left) {
            b = r->base[r->pos--];
            r->left--;
        }
        uint32_t v = b;
        int nb = 8;
        if (r->unstuff && (b & 0x7F) == 0x7F) {
            v = b & 0x7F;
            nb = 7;
        }
        r->acc |= (uint64_t)v << r->n;
        r->n += nb;
        r->unstuff = b > 0x8F;
    }
}

static inline void rev_fill(rev_reader *r)
{
    if (!rev_fill_fast(r, &r->acc, &r->n)) rev_fill_bytes(r);
}

static inline uint64_t rev_peek(rev_reader *r)
{
    if (r->n < 32) rev_fill(r);
    return r->acc;
}

static inline void rev_skip(rev_reader *r, int bits)
{
    r->acc >>= bits;
    r->n -= bits;
}

static inline uint32_t rev_bits(rev_reader *r, int bits)
{
    uint32_t v = (uint32_t)(rev_peek(r) & ((1u << bits) - 1));
    rev_skip(r, bits);
    return v;
}

/* ---- forward readers (MagSgn, SigProp): LSB first, after 0xFF a byte
 *      carries 7 bits ---------------------------------------------------- */

typedef struct fwd_reader {
    const uint8_t *base; /* the segment's start */
    const uint8_t *p;
    uint32_t left;
    uint32_t fill; /* byte fed past the end */
    uint64_t acc;
    int n;
    bool unstuff;
    /* the segment's last 16 bytes (fewer: zeros in front), then 16 fill
     * bytes: what a 16-byte load from p reads when left < 16 (at
     * tail + 16 - left), so the AVX2 MagSgn kernel stays in place to the
     * segment's end without reading past it */
    uint8_t tail[32];
} fwd_reader;

static void fwd_init(fwd_reader *f, const uint8_t *p, uint32_t size, uint32_t fill)
{
    f->base = p;
    f->p = p;
    f->left = size;
    f->fill = fill;
    f->acc = 0;
    f->n = 0;
    f->unstuff = false;
    const uint32_t k = size < 16 ? size : 16;
    memset(f->tail, 0, 16 - k);
    if (k) memcpy(f->tail + 16 - k, p + size - k, k);
    memset(f->tail + 16, (int)fill, 16);
}

/* The fast refill: when the byte before was not 0xFF and none of the next
 * 8 is (so none needs unstuffing after it), adds the whole bytes that fit
 * above the n bits of *acc (1..8 when n <= 56) from one little-endian load
 * and returns true; the bits of the byte that only partly fits are the
 * same the next refill puts there. Else false: the byte-wise path. */
INLINE bool fwd_fill_fast(fwd_reader *f, uint64_t *acc, int *n)
{
    if (f->unstuff || f->left < 8) return false;
    const uint64_t v = exrqoi__le64(f->p);
    /* a byte equals 0xFF iff its complement is zero */
    const uint64_t c = ~v;
    if (((c - 0x0101010101010101u) & ~c & 0x8080808080808080u) != 0) return false;
    const unsigned k = (unsigned)(64 - *n) >> 3; /* whole bytes that fit */
    *acc |= v << *n;
    *n += (int)(8 * k);
    f->p += k;
    f->left -= k;
    return true;
}

NOINLINE void fwd_fill(fwd_reader *f)
{
    if (fwd_fill_fast(f, &f->acc, &f->n)) return;
    while (f->n <= 56) {
        uint32_t b = f->fill;
        if (f->left) {
            b = *f->p++;
            f->left--;
        }
        uint32_t v = f->unstuff ? (b & 0x7F) : b;
        f->acc |= (uint64_t)v << f->n;
        f->n += f->unstuff ? 7 : 8;
        f->unstuff = b == 0xFF;
    }
}

/* up to 32 bits */
static inline uint64_t fwd_bits(fwd_reader *f, int bits)
{
    if (f->n < 32) fwd_fill(f);
    uint64_t v = f->acc & (((uint64_t)1 << bits) - 1);
    f->acc >>= bits;
    f->n -= bits;
    return v;
}

/* The cleanup pass keeps a reader's bits in a local bitregs (so they
 * stay in registers: the reader itself escapes to its refill function)
 * and hands them back only around a refill. */
typedef struct bitregs {
    uint64_t acc;
    int n;
} bitregs;

/* The VLC bits of a quad pair on its usual path: two codewords (7 bits
 * each at most) and the U-VLC of both quads from the short table (8),
 * read without refilling in between; a pair that needs the long table
 * (24 bits of U-VLC) refills before it (uvlc_long). */
#define VLC_PAIR_BITS 22
#define UVLC_LONG_BITS 24

INLINE uint64_t vlc_peek(rev_reader *r, bitregs *b)
{
    if (b->n < VLC_PAIR_BITS && !rev_fill_fast(r, &b->acc, &b->n)) { /* both leave at least 57 */
        r->acc = b->acc;
        r->n = b->n;
        rev_fill_bytes(r);
        b->acc = r->acc;
        b->n = r->n;
    }
    return b->acc;
}

INLINE void regs_skip(bitregs *b, uint32_t bits)
{
    b->acc >>= bits;
    b->n -= (int)bits;
}

/* ---- U-VLC (T.814 7.3.6) ------------------------------------------------ */

/* The u of both quads of a pair from the next bits (at most 24, first bit
 * in the LSB) by one lookup in exrqoi__htj2k_uvlc_short or, after a "000"
 * prefix, exrqoi__htj2k_uvlc_tbl (htj2k_dec.h) in mode8 / 256 (the
 * mode, shifted as the short table's index takes it); returns the
 * bits used and sets *u01 to quad 0's u | quad 1's << 8 (each below 256:
 * at most 100). u_ext (4 more bits, in units of 4, when prefix + suffix
 * exceed 32) follows both suffixes, quad 0's first. */
/* The short table's entry (bit 31: the pair needs uvlc_long_bits). */
INLINE uint32_t uvlc_short(uint64_t bits, uint32_t mode8)
{
    return exrqoi__htj2k_uvlc_short[mode8 | (uint32_t)(bits & 255)];
}

/* The pairs with a "000" prefix, from exrqoi__htj2k_uvlc_tbl. */
INLINE uint32_t uvlc_long_bits(uint64_t bits, uint32_t mode8, uint32_t *u01, bool first)
{
    const uint32_t e = exrqoi__htj2k_uvlc_tbl[mode8 >> 2 | (uint32_t)(bits & 63)];
    const uint32_t l0 = e >> 4 & 15, l1 = e >> 8 & 15;
    bits >>= e & 15;
    uint32_t a = (e >> 16 & 0xFF) + (uint32_t)(bits & ((1u << l0) - 1));
    bits >>= l0;
    uint32_t b = (e >> 24) + (uint32_t)(bits & ((1u << l1) - 1));
    bits >>= l1;
    uint32_t used = (e & 15) + l0 + l1;
    if (__builtin_expect(a > 32 || b > 32, 0)) {
        if (a > 32) {
            a += 4 * (uint32_t)(bits & 15);
            bits >>= 4;
            used += 4;
        }
        if (b > 32) {
            b += 4 * (uint32_t)(bits & 15);
            used += 4;
        }
    }
    const uint32_t add = first ? e >> 12 & 15 : 0; /* mode 5 only */
    *u01 = (a + add) | (b + add) << 8;
    return used;
}

INLINE uint32_t uvlc_pair(uint64_t bits, uint32_t mode8, uint32_t *u01, bool first)
{
    const uint32_t f = uvlc_short(bits, mode8);
    if (__builtin_expect(!(f >> 31), 1)) {
        *u01 = f >> 8;
        return f & 63;
    }
    return uvlc_long_bits(bits, mode8, u01, first);
}

uint32_t exrqoi__htj2k_uvlc_pair(uint64_t bits, uint32_t mode, uint32_t *u0, uint32_t *u1, bool first)
{
    uint32_t u01;
    const uint32_t used = uvlc_pair(bits, mode << 8, &u01, first);
    *u0 = u01 & 0xFF;
    *u1 = u01 >> 8;
    return used;
}

/* ---- cleanup pass ------------------------------------------------------- */

/* Where the cleanup pass puts its samples: signed int64 / int32
 * coefficients straight (no refinement pass follows), or mag2 with the
 * sign in bit 63 for the refinement passes. */
enum { OUT_MAG2 = 0, OUT_I64 = 1, OUT_I32 = 2 };

/* Refills the MagSgn bits (b->n <= 56): the fast path inline, else
 * through fwd_fill. */
INLINE void ms_refill(fwd_reader *ms, bitregs *b)
{
    if (fwd_fill_fast(ms, &b->acc, &b->n)) return;
    ms->acc = b->acc;
    ms->n = b->n;
    fwd_fill(ms);
    b->acc = ms->acc;
    b->n = ms->n;
}

/* One MagSgn sample from the low m bits of `bits`: `sig` 0 or 1, m bits
 * (0 when not significant) with the implicit bit e1 (0 when not
 * significant) above them. Stores the coefficient (0 when not
 * significant) and returns its exponent (for the next quad row's kappa). */
INLINE uint32_t ms_value(uint64_t bits, uint32_t sig, uint32_t m, uint32_t e1, uint32_t p, void *dst, size_t i,
                         int mode)
{
    const uint64_t v = (bits & (((uint64_t)1 << m) - 1)) | (uint64_t)e1 << m;
    /* mu = (v >> 1) + 1, the coefficient ((2 mu + 1) << p) / 2; all 0
     * when not significant (v is 0 then) */
    const uint64_t mu = (v >> 1) + sig, mag2 = (2 * mu + sig) << p;
    const uint64_t a = p ? mag2 >> 1 : mu;
    if (mode == OUT_I32) {
        /* p + U <= 31 was checked, so the magnitude fits */
        const uint32_t neg = 0 - (uint32_t)(v & 1);
        ((uint32_t *)dst)[i] = ((uint32_t)a ^ neg) - neg;
    } else if (mode == OUT_I64) {
        const uint64_t neg = 0 - (v & 1);
        ((uint64_t *)dst)[i] = (a ^ neg) - neg;
    } else {
        ((uint64_t *)dst)[i] = mag2 | (v & 1) << 63;
    }
    return (uint32_t)(63 ^ __builtin_clzll(v | 1)) + sig; /* bit length of v | 1, or 0 */
}

/* One MagSgn sample read from the stream (m <= 49: U <= umax was
 * checked, so one refill suffices). */
INLINE uint32_t ms_sample(fwd_reader *ms, bitregs *b, uint32_t sig, uint32_t m, uint32_t e1, uint32_t p, void *dst,
                          size_t i, int mode)
{
    if (b->n < (int)m) ms_refill(ms, b);
    const uint32_t e = ms_value(b->acc, sig, m, e1, p, dst, i, mode);
    regs_skip(b, m);
    return e;
}

/* The 4 bits of a nibble spread to the low bits of 4 bytes. */
static const uint32_t k_spread[16] = {
    0x00000000, 0x00000001, 0x00000100, 0x00000101, 0x00010000, 0x00010001, 0x00010100, 0x00010101,
    0x01000000, 0x01000001, 0x01000100, 0x01000101, 0x01010000, 0x01010001, 0x01010100, 0x01010101};

/* A quad whose bits are not all in the register (rare: refills between
 * its samples), sample by sample; mode and p are not constants here. */
NOINLINE void decode_quad_slow(fwd_reader *ms, uint32_t sp, uint32_t mp, uint32_t e1, uint32_t p, void *dst,
                               size_t i, size_t pitch, uint8_t *exp_cur, int mode)
{
    bitregs b = {ms->acc, ms->n};
    ms_sample(ms, &b, sp & 1, mp & 0xFF, e1 & 1, p, dst, i, mode);
    exp_cur[0] = (uint8_t)ms_sample(ms, &b, sp >> 8 & 1, mp >> 8 & 0xFF, e1 >> 8 & 1, p, dst, i + pitch, mode);
    ms_sample(ms, &b, sp >> 16 & 1, mp >> 16 & 0xFF, e1 >> 16 & 1, p, dst, i + 1, mode);
    exp_cur[1] = (uint8_t)ms_sample(ms, &b, sp >> 24, mp >> 24, e1 >> 24, p, dst, i + pitch + 1, mode);
    ms->acc = b.acc;
    ms->n = b.n;
}

/* Decodes the MagSgn values of one quad, top-left sample at dst[i], the
 * bottom row `pitch` further; samples in the order of rho's bits. */
INLINE void decode_quad(fwd_reader *ms, bitregs *b, uint32_t qinf, uint32_t U, uint32_t p, void *dst, size_t i,
                        size_t pitch, uint8_t *exp_cur, int mode)
{
    const uint32_t rho = qinf >> 4 & 15;
    if (!rho) {
        /* no significant sample, no bits: zeros (in every mode) */
        if (mode == OUT_I32) {
            ((uint32_t *)dst)[i] = ((uint32_t *)dst)[i + 1] = 0;
            ((uint32_t *)dst)[i + pitch] = ((uint32_t *)dst)[i + pitch + 1] = 0;
        } else {
            ((uint64_t *)dst)[i] = ((uint64_t *)dst)[i + 1] = 0;
            ((uint64_t *)dst)[i + pitch] = ((uint64_t *)dst)[i + pitch + 1] = 0;
        }
        exp_cur[0] = exp_cur[1] = 0;
        return;
    }
    const uint32_t sp = k_spread[rho], e1 = k_spread[qinf >> 8 & rho];
    /* per byte: m = U - e_k when significant, else 0 (U >= 1, no borrow) */
    const uint32_t mp = (U * 0x01010101u - k_spread[qinf >> 12]) & (sp * 0xFFu);
    /* m <= 49, so the byte sums below do not carry */
    const uint32_t need = (mp * 0x01010101u) >> 24;
    if (b->n < (int)need && b->n <= 56) ms_refill(ms, b);
    if (__builtin_expect(need <= (uint32_t)b->n, 1)) {
        /* the whole quad is in the register: no refill check per sample
         * (each shift by m serves the mask, the implicit bit and the
         * next sample at once) */
        uint64_t acc = b->acc;
        ms_value(acc, sp & 1, mp & 0xFF, e1 & 1, p, dst, i, mode);
        acc >>= mp & 0xFF;
        exp_cur[0] = (uint8_t)ms_value(acc, sp >> 8 & 1, mp >> 8 & 0xFF, e1 >> 8 & 1, p, dst, i + pitch, mode);
        acc >>= mp >> 8 & 0xFF;
        ms_value(acc, sp >> 16 & 1, mp >> 16 & 0xFF, e1 >> 16 & 1, p, dst, i + 1, mode);
        acc >>= mp >> 16 & 0xFF;
        exp_cur[1] = (uint8_t)ms_value(acc, sp >> 24, mp >> 24, e1 >> 24, p, dst, i + pitch + 1, mode);
        b->acc = acc >> (mp >> 24);
        b->n -= (int)need;
        return;
    }
    ms->acc = b->acc;
    ms->n = b->n;
    decode_quad_slow(ms, sp, mp, e1, p, dst, i, pitch, exp_cur, mode);
    b->acc = ms->acc;
    b->n = ms->n;
}

/* Pass 2 of a quad row: the MagSgn values of its qw quads. */
INLINE void magsgn_row(fwd_reader *ms, const uint16_t *qinf, const uint8_t *uq, uint32_t qw, uint32_t p, void *dst,
                       size_t row, size_t pitch, uint8_t *exp_cur, int mode)
{
    bitregs mb = {ms->acc, ms->n};
    for (uint32_t q = 0; q < qw; q++)
        decode_quad(ms, &mb, qinf[q], uq[q], p, dst, row + 2 * q, pitch, exp_cur + 2 * q, mode);
    ms->acc = mb.acc;
    ms->n = mb.n;
}

/* magsgn_row compiled on its own for each mode, and for p == 0 (lossless:
 * a constant) and any p, so its registers do not compete with pass 1's. */
#define MAGSGN_ROW_FN(name, P, MODE)                                                                           \
    NOINLINE void name(fwd_reader *ms, const uint16_t *qinf, const uint8_t *uq, uint32_t qw, uint32_t p,       \
                       void *dst, size_t row, size_t pitch, uint8_t *exp_cur)                                 \
    {                                                                                                          \
        (void)p;                                                                                               \
        magsgn_row(ms, qinf, uq, qw, P, dst, row, pitch, exp_cur, MODE);                                       \
    }
MAGSGN_ROW_FN(magsgn_row_i32_p0, 0, OUT_I32)
MAGSGN_ROW_FN(magsgn_row_i32, p, OUT_I32)
MAGSGN_ROW_FN(magsgn_row_i64_p0, 0, OUT_I64)
MAGSGN_ROW_FN(magsgn_row_i64, p, OUT_I64)
MAGSGN_ROW_FN(magsgn_row_mag2, p, OUT_MAG2)

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define MS_AVX2 1

/* The AVX2 kernel reads the MagSgn bytes in place while none of them is
 * 0xFF (so no bit is stuffed): the stream at bit `bitoff` (0..7) of
 * f->p, 16 bytes of it one vector. ms_enter turns the reader's state into
 * that form when it can (the bits in acc are whole bytes before p, none
 * of them 7-bit), ms_leave back. */
INLINE bool ms_enter(fwd_reader *f, uint32_t *bitoff)
{
    if (f->unstuff || f->left == 0) return false; /* left > 0: no fill bits in acc */
    const uint32_t nb = (uint32_t)(f->n + 7) >> 3; /* bytes the n bits came from */
    if (nb > (size_t)(f->p - f->base)) return false;
    const uint8_t *q = f->p - nb;
    /* the byte before each of them (and they) not 0xFF: all 8-bit */
    for (const uint8_t *b = q > f->base ? q - 1 : q; b < f->p; b++)
        if (*b == 0xFF) return false;
    f->p = q;
    f->left += nb;
    *bitoff = 8 * nb - (uint32_t)f->n;
    f->acc = 0;
    f->n = 0;
    return true;
}

INLINE void ms_leave(fwd_reader *f, uint32_t bitoff)
{
    if (!bitoff) return; /* acc empty, n 0 */
    uint32_t b = f->fill; /* partly read: in the segment, or its first fill byte */
    if (f->left) {
        b = *f->p++;
        f->left--;
    }
    f->acc = b >> bitoff;
    f->n = (int)(8 - bitoff);
    f->unstuff = b == 0xFF;
}

/* The 8 bits of a byte spread to the low bits of 8 bytes (k_spread of
 * both nibbles of a quad pair). */
#define SPREAD8(x)                                                                                             \
    ((uint64_t)((x) & 1) | (uint64_t)((x) >> 1 & 1) << 8 | (uint64_t)((x) >> 2 & 1) << 16 |                     \
     (uint64_t)((x) >> 3 & 1) << 24 | (uint64_t)((x) >> 4 & 1) << 32 | (uint64_t)((x) >> 5 & 1) << 40 |         \
     (uint64_t)((x) >> 6 & 1) << 48 | (uint64_t)((x) >> 7 & 1) << 56)
#define SPREAD8_4(x) SPREAD8(x), SPREAD8((x) + 1), SPREAD8((x) + 2), SPREAD8((x) + 3)
#define SPREAD8_16(x) SPREAD8_4(x), SPREAD8_4((x) + 4), SPREAD8_4((x) + 8), SPREAD8_4((x) + 12)
#define SPREAD8_64(x) SPREAD8_16(x), SPREAD8_16((x) + 16), SPREAD8_16((x) + 32), SPREAD8_16((x) + 48)
static const uint64_t k_spread8[256] = {SPREAD8_64(0), SPREAD8_64(64), SPREAD8_64(128), SPREAD8_64(192)};
#undef SPREAD8_64
#undef SPREAD8_16
#undef SPREAD8_4
#undef SPREAD8

/* The MagSgn kernel's per-sample inputs for a chunk of MS_CHUNK quads of
 * a row, 8 bytes per quad pair, in lane order (top samples 0, 2, 4, 6,
 * then bottom 1, 3, 5, 7, numbered in rho's order): the bit offset of
 * each sample from the pair's first bit, its m, whether it is
 * significant and its implicit bit e_1; `sums` in rho's order, so byte 7
 * of a pair is the bits it takes. ms_prep8 makes them 8 quads a step, so
 * the pair loop only loads them. */
#define MS_CHUNK 32
typedef struct ms_lanes {
    uint8_t off[4 * MS_CHUNK], m[4 * MS_CHUNK], sig[4 * MS_CHUNK], imp[4 * MS_CHUNK], sums[4 * MS_CHUNK];
} ms_lanes;
/* a pair's bytes in each array, from its bytes in off */
enum { MS_OFF = 0, MS_M = 4 * MS_CHUNK, MS_SIG = 8 * MS_CHUNK, MS_IMP = 12 * MS_CHUNK, MS_SUMS = 16 * MS_CHUNK };

/* The AVX2 kernel's reader: while `fast`, the stream at bit bitoff (0..7)
 * of bp, `left` bytes from bp to the segment's end (ms_enter); else in
 * the fwd_reader. */
typedef struct ms_pos {
    const uint8_t *bp;
    uint32_t left, bitoff;
    bool fast;
} ms_pos;

/* ms_lanes of quads q .. q + 7 at index 4 k (k a multiple of 8). Quads
 * past the row's qw read what the scratch holds there (inside qinf and
 * uq: q + 7 < 512); only qinf[qw], which the last single quad pairs with,
 * is read as a quad, and it is 0 (no significant sample: m, sig and imp
 * 0). U <= 31 (32-bit coefficients), so 8 m sum to a byte. */
__attribute__((target("avx2"))) INLINE void ms_prep8(const uint16_t *qinf, const uint8_t *uq, uint32_t q,
                                                    ms_lanes *L, uint32_t k)
{
    /* each 128-bit half: 4 quads, 4 bytes each (sample s of quad j at
     * byte 4 j + s), from their low byte (rho in bits 4-7) and high byte
     * (e_1 in bits 0-3, e_k in 4-7) */
    const __m256i inf = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)(qinf + q)));
    const __m256i lo_idx = _mm256_setr_epi8(0, 0, 0, 0, 2, 2, 2, 2, 4, 4, 4, 4, 6, 6, 6, 6, 8, 8, 8, 8, 10, 10, 10,
                                            10, 12, 12, 12, 12, 14, 14, 14, 14);
    const __m256i lo = _mm256_shuffle_epi8(inf, lo_idx);
    const __m256i hi = _mm256_shuffle_epi8(inf, _mm256_add_epi8(lo_idx, _mm256_set1_epi8(1)));
    const __m256i bit4 = _mm256_set1_epi32(0x80402010), bit0 = _mm256_set1_epi32(0x08040201);
    const __m256i one = _mm256_set1_epi8(1);
    const __m256i sig = _mm256_cmpeq_epi8(_mm256_and_si256(lo, bit4), bit4);
    const __m256i ek = _mm256_cmpeq_epi8(_mm256_and_si256(hi, bit4), bit4);
    const __m256i sig1 = _mm256_and_si256(sig, one);
    const __m256i imp = _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_and_si256(hi, bit0), bit0), sig1);
    const __m256i u = _mm256_shuffle_epi8(
        _mm256_broadcastq_epi64(_mm_loadl_epi64((const __m128i *)(const void *)(uq + q))),
        _mm256_setr_epi8(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 6, 6, 6, 6, 7, 7,
                         7, 7));
    /* m = U - e_k when significant (ek is -1 or 0), else 0 */
    const __m256i m = _mm256_and_si256(_mm256_add_epi8(u, ek), sig);
    /* inclusive sums over each pair's 8 bytes */
    __m256i s = _mm256_add_epi8(m, _mm256_slli_epi64(m, 8));
    s = _mm256_add_epi8(s, _mm256_slli_epi64(s, 16));
    s = _mm256_add_epi8(s, _mm256_slli_epi64(s, 32));
    const __m256i lanes = _mm256_setr_epi8(0, 2, 4, 6, 1, 3, 5, 7, 8, 10, 12, 14, 9, 11, 13, 15, 0, 2, 4, 6, 1, 3,
                                           5, 7, 8, 10, 12, 14, 9, 11, 13, 15);
    _mm256_storeu_si256((__m256i *)(void *)(L->off + 4 * k), _mm256_shuffle_epi8(_mm256_sub_epi8(s, m), lanes));
    _mm256_storeu_si256((__m256i *)(void *)(L->m + 4 * k), _mm256_shuffle_epi8(m, lanes));
    _mm256_storeu_si256((__m256i *)(void *)(L->sig + 4 * k), _mm256_shuffle_epi8(sig1, lanes));
    _mm256_storeu_si256((__m256i *)(void *)(L->imp + 4 * k), _mm256_shuffle_epi8(imp, lanes));
    _mm256_storeu_si256((__m256i *)(void *)(L->sums + 4 * k), s);
}

/* ms_lanes of quads q0 .. qe - 1 (qe - q0 <= MS_CHUNK), on its own so
 * its constants leave the pair loop's registers free */
__attribute__((target("avx2"))) NOINLINE void ms_prep(const uint16_t *qinf, const uint8_t *uq, uint32_t q0,
                                                     uint32_t qe, ms_lanes *L)
{
    for (uint32_t k = 0; q0 + k < qe; k += 8) ms_prep8(qinf, uq, q0 + k, L, k);
}

/* The 16 bytes x of a pair whose bytes read to their end hold one 0xFF
 * (the first set bit of ffs): the byte after it carries 7 bits, its top
 * bit stuffed. Drops that bit from x and moves *end (the pair's end in
 * the bits kept) to the end in the stream's bits. False when the pair
 * ends before the stuffed bit (the next pair would start in a 7-bit
 * byte), needs more than the 16 bytes, or reads another 0xFF to its end. */
__attribute__((target("avx2"))) INLINE bool ms_unstuff_one(__m128i *x, uint32_t ffs, uint32_t *end)
{
    const uint32_t stuffed = 8 * (uint32_t)__builtin_ctz(ffs) + 15;
    const uint32_t raw_end = *end + 1;
    if (*end < stuffed || raw_end > 128) return false;
    const uint32_t ffs2 = ffs & (ffs - 1);
    if ((uint32_t)__builtin_ctz(ffs2 | 0x10000) < (raw_end >> 3)) return false;
    uint64_t lo = (uint64_t)_mm_cvtsi128_si64(*x), hi = (uint64_t)_mm_extract_epi64(*x, 1);
    /* the bits above the stuffed one, down one place */
    const uint64_t lo1 = lo >> 1 | hi << 63, hi1 = hi >> 1;
    if (stuffed < 64) {
        const uint64_t keep = ((uint64_t)1 << stuffed) - 1;
        lo = (lo & keep) | (lo1 & ~keep);
        hi = hi1;
    } else {
        const uint64_t keep = ((uint64_t)1 << (stuffed - 64)) - 1;
        hi = (hi & keep) | (hi1 & ~keep);
    }
    *x = _mm_set_epi64x((long long)hi, (long long)lo);
    *end = raw_end;
    return true;
}

/* One quad pair (nq 2) or a last quad (nq 1) of magsgn_row_i32_p0_avx2,
 * its inputs at lp (see MS_OFF); false when it is not for the fast
 * path (more than one 0xFF among its bytes, or one it cannot unstuff
 * (ms_unstuff_one), whole bytes past the segment's end, or more than 128
 * bits). With fewer than 16 bytes left it reads them from `tail`
 * (fwd_reader), whose fill bytes past the end read as the portable
 * reader's: 0xFF, so a pair reading whole bytes of them fails the 0xFF
 * test, and the bits of a first fill byte read in part are its 8 ones. */
__attribute__((target("avx2"))) INLINE bool pair_fast(ms_pos *pos, const uint8_t *tail, const uint8_t *lp,
                                                     int32_t *out, size_t pitch, uint8_t *exp, uint32_t nq,
                                                     bool narrow)
{
    uint32_t end = pos->bitoff + lp[MS_SUMS + 7];
    const uint8_t *src = pos->bp;
    if (__builtin_expect(pos->left < 16, 0)) {
        if ((end >> 3) > pos->left) return false;
        src = tail + 16 - pos->left;
    }
    if (end > 128) return false;
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)src);
    /* a 0xFF among the bytes read to their end: the next byte is stuffed
     * (the byte read in part may be one, the next pair stops at it then) */
    const uint32_t ffs = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8(-1)));
    if (__builtin_expect((uint32_t)__builtin_ctz(ffs | 0x10000) < (end >> 3), 0)) {
        if (!ms_unstuff_one(&x, ffs, &end)) return false;
        if (pos->left < 16 && (end >> 3) > pos->left) return false;
    }
    /* the 16 bytes, in both halves (narrow lanes shuffle them) */
    const __m256i xx = _mm256_broadcastsi128_si256(x);
    const __m256i ones = _mm256_set1_epi32(-1);
#define LANES8(a) _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(const void *)(lp + (a))))
    const __m256i off = _mm256_add_epi32(LANES8(MS_OFF), _mm256_set1_epi32((int)pos->bitoff));
    const __m256i m = LANES8(MS_M), sig = LANES8(MS_SIG), imp = LANES8(MS_IMP);
#undef LANES8
    __m256i bits;
    if (narrow) {
        /* each lane the 4 bytes from its offset's byte (of the 16 in both
         * halves), shifted by the offset's low 3 bits: 25 bits or more, as
         * m (<= 24) needs (byte indices past 15 wrap, but give bits past the
         * pair's end only, which the mask drops) */
        const __m256i ob = _mm256_srli_epi32(off, 3);
        const __m256i byte0 = _mm256_shuffle_epi8(
            ob,
            _mm256_setr_epi8(0, 0, 0, 0, 4, 4, 4, 4, 8, 8, 8, 8, 12, 12, 12, 12, 0, 0, 0, 0, 4, 4, 4, 4, 8, 8, 8, 8,
                             12, 12, 12, 12));
        const __m256i idx = _mm256_add_epi8(byte0, _mm256_set1_epi32(0x03020100));
        bits = _mm256_srlv_epi32(_mm256_shuffle_epi8(xx, idx), _mm256_sub_epi32(off, _mm256_slli_epi32(ob, 3)));
    } else {
        /* the 16 bytes as 4 words, and from the second word on: lanes 4-7
         * zero (an offset in word 3 has all its bits there, so what the
         * word after gives is masked off) */
        const __m256i w0 = _mm256_zextsi128_si256(x);
        const __m256i w1 = _mm256_zextsi128_si256(_mm_srli_si128(x, 4));
        const __m256i wi = _mm256_srli_epi32(off, 5), sh = _mm256_and_si256(off, _mm256_set1_epi32(31));
        const __m256i lo = _mm256_srlv_epi32(_mm256_permutevar8x32_epi32(w0, wi), sh);
        const __m256i hi = _mm256_sllv_epi32(_mm256_permutevar8x32_epi32(w1, wi),
                                             _mm256_sub_epi32(_mm256_set1_epi32(32), sh));
        bits = _mm256_or_si256(lo, hi);
    }
    /* the low m bits, the implicit bit above them */
    const __m256i v = _mm256_or_si256(_mm256_andnot_si256(_mm256_sllv_epi32(ones, m), bits),
                                      _mm256_sllv_epi32(imp, m));
    const __m256i xs = _mm256_srli_epi32(v, 1);
    /* mu negated when the sign bit v & 1 is set; 0 stays 0 (sig 0) */
    const __m256i c = _mm256_sign_epi32(_mm256_add_epi32(xs, sig), _mm256_or_si256(_mm256_slli_epi32(v, 31), sig));
    /* exponent: floor(log2(v | 1)) + sig = the bit length of v >> 1, plus
     * sig, from the float of v >> 1: exact when narrow (below 2^24), else
     * with the bit below its top cleared (no rounding up); 16-bit
     * saturation gives the 0 of x = 0 (exponent field 0) */
    const __m256i xf = narrow ? xs : _mm256_andnot_si256(_mm256_srli_epi32(xs, 1), xs);
    const __m256i f = _mm256_castps_si256(_mm256_cvtepi32_ps(xf));
    const __m256i e =
        _mm256_add_epi32(_mm256_subs_epu16(_mm256_srli_epi32(f, 23), _mm256_set1_epi32(126)), sig);
    /* the bottom lanes' low bytes */
    const __m128i e8 = _mm_shuffle_epi8(_mm256_extracti128_si256(e, 1),
                                        _mm_setr_epi8(0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1));
    const uint32_t e4 = (uint32_t)_mm_cvtsi128_si32(e8);
    if (nq == 2) {
        _mm_storeu_si128((__m128i *)out, _mm256_castsi256_si128(c));
        _mm_storeu_si128((__m128i *)(out + pitch), _mm256_extracti128_si256(c, 1));
        memcpy(exp, &e4, 4);
    } else {
        _mm_storel_epi64((__m128i *)out, _mm256_castsi256_si128(c));
        _mm_storel_epi64((__m128i *)(out + pitch), _mm256_extracti128_si256(c, 1));
        memcpy(exp, &e4, 2);
    }
    pos->bp += end >> 3;
    pos->left -= end >> 3;
    pos->bitoff = end & 7;
    return true;
}

/* A quad pair (or last quad) of magsgn_row_avx2 that pair_fast does not
 * take: quad by quad through decode_quad_slow, the reader left and
 * entered again (pos). */
NOINLINE void pair_slow(fwd_reader *ms, ms_pos *pos, const uint16_t *qinf, const uint8_t *uq, uint32_t q,
                        int32_t *out, size_t pitch, uint8_t *exp, uint32_t nq)
{
    if (pos->fast) {
        ms->p = pos->bp;
        ms->left = pos->left;
        ms_leave(ms, pos->bitoff);
    }
    /* rho, e_1 and e_k of both quads, one nibble each (of quad 1: 0 when
     * nq is 1) */
    const uint32_t q0 = qinf[q], q1 = nq == 2 ? qinf[q + 1] : 0;
    const uint32_t rho = (q0 >> 4 & 15) | (q1 & 0xF0);
    const uint32_t u0 = uq[q], u1 = nq == 2 ? uq[q + 1] : 0;
    const uint64_t sp = k_spread8[rho];
    const uint64_t e1 = k_spread8[((q0 >> 8 & 15) | (q1 >> 4 & 0xF0)) & rho];
    const uint64_t ek = k_spread8[(q0 >> 12) | (q1 >> 8 & 0xF0)];
    const uint64_t U = (u0 | (uint64_t)u1 << 32) * 0x01010101u;
    /* per byte: m = U - e_k when significant, else 0 (U >= 1, no borrow) */
    const uint64_t mp = (U - ek) & (sp * 0xFFu);
    decode_quad_slow(ms, (uint32_t)sp, (uint32_t)mp, (uint32_t)e1, 0, out, 0, pitch, exp, OUT_I32);
    if (nq == 2)
        decode_quad_slow(ms, (uint32_t)(sp >> 32), (uint32_t)(mp >> 32), (uint32_t)(e1 >> 32), 0, out, 2, pitch,
                         exp + 2, OUT_I32);
    pos->fast = ms_enter(ms, &pos->bitoff);
    pos->bp = ms->p;
    pos->left = ms->left;
}

/* One quad pair (nq 2) or last quad (nq 1) of magsgn_row_avx2, its inputs
 * at lp (those of quad q0 at l0): zeros, pair_fast or pair_slow. */
__attribute__((target("avx2"))) INLINE void pair_i32_p0(fwd_reader *ms, ms_pos *pos, const uint16_t *qinf,
                                                       const uint8_t *uq, const uint8_t *l0, uint32_t q0,
                                                       const uint8_t *lp, int32_t *out, size_t pitch, uint8_t *exp,
                                                       uint32_t nq, bool narrow)
{
    uint64_t sig8;
    memcpy(&sig8, lp + MS_SIG, 8);
    if (!sig8) {
        /* no significant sample (so no bits): zeros, and the reader stays
         * as it is, in either form (ms_enter would fail again) */
        memset(out, 0, 2 * nq * sizeof *out);
        memset(out + pitch, 0, 2 * nq * sizeof *out);
        memset(exp, 0, 2 * nq);
        return;
    }
    if (pos->fast && pair_fast(pos, ms->tail, lp, out, pitch, exp, nq, narrow)) return;
    ms_pos t = *pos; /* *pos stays in registers */
    pair_slow(ms, &t, qinf, uq, q0 + (uint32_t)(lp - l0) / 4, out, pitch, exp, nq);
    *pos = t;
}

/* magsgn_row_i32_p0 two quads (8 samples) per step, one sample per 32-bit
 * lane (top row in lanes 0-3, bottom row in 4-7): the per-sample inputs
 * (bit offsets, m, sig, e_1) come from ms_prep, a chunk of the row ahead,
 * each lane takes its bits from the 16 stream bytes at its offset, and
 * the exponents for the next row's kappa come from a float conversion.
 * Pairs with no significant sample only store zeros; the last 16 bytes of
 * the segment come from fwd_reader.tail. Pairs whose bytes hold a 0xFF (or
 * that need more than the 16 bytes, or whole bytes past the segment's end)
 * go quad by quad through decode_quad_slow. */
__attribute__((target("avx2"))) INLINE void magsgn_row_avx2(fwd_reader *ms, const uint16_t *qinf, const uint8_t *uq,
                                                           uint32_t qw, void *dst, size_t row, size_t pitch,
                                                           uint8_t *exp_cur, bool narrow)
{
    ms_pos pos;
    pos.bitoff = 0;
    pos.fast = ms_enter(ms, &pos.bitoff);
    pos.bp = ms->p;
    pos.left = ms->left;
    int32_t *const out = (int32_t *)dst + row;
    ms_lanes L;
    for (uint32_t q0 = 0; q0 < qw; q0 += MS_CHUNK) {
        const uint32_t n = qw - q0 < MS_CHUNK ? qw - q0 : MS_CHUNK;
        ms_prep(qinf, uq, q0, q0 + n, &L);
        const uint8_t *lp = L.off, *const pairs_end = L.off + 4 * (n & ~1u);
        int32_t *o = out + 2 * q0;
        uint8_t *e = exp_cur + 2 * q0;
        for (; lp < pairs_end; lp += 8, o += 4, e += 4)
            pair_i32_p0(ms, &pos, qinf, uq, L.off, q0, lp, o, pitch, e, 2, narrow);
        if (n & 1) pair_i32_p0(ms, &pos, qinf, uq, L.off, q0, lp, o, pitch, e, 1, narrow);
    }
    if (pos.fast) {
        ms->p = pos.bp;
        ms->left = pos.left;
        ms_leave(ms, pos.bitoff);
    }
}

/* narrow: U <= 24 in the block, so a sample's m bits and its offset's
 * low 3 bits fit a 32-bit lane, and v >> 1 a float's mantissa */
__attribute__((target("avx2"))) NOINLINE void magsgn_row_i32_p0_avx2(fwd_reader *ms, const uint16_t *qinf,
                                                                   const uint8_t *uq, uint32_t qw, void *dst,
                                                                   size_t row, size_t pitch, uint8_t *exp_cur)
{
    magsgn_row_avx2(ms, qinf, uq, qw, dst, row, pitch, exp_cur, false);
}

__attribute__((target("avx2"))) NOINLINE void magsgn_row_i32_p0_narrow_avx2(fwd_reader *ms, const uint16_t *qinf,
                                                                          const uint8_t *uq, uint32_t qw, void *dst,
                                                                          size_t row, size_t pitch, uint8_t *exp_cur)
{
    magsgn_row_avx2(ms, qinf, uq, qw, dst, row, pitch, exp_cur, true);
}
#endif

INLINE void magsgn_row_for(fwd_reader *ms, const uint16_t *qinf, const uint8_t *uq, uint32_t qw, uint32_t p,
                           uint32_t umax, void *dst, size_t row, size_t pitch, uint8_t *exp_cur, int mode, int path)
{
#ifdef MS_AVX2
    if (mode == OUT_I32 && p == 0 && path == EXRQOI__PATH_AVX2)
        (umax <= 24 ? magsgn_row_i32_p0_narrow_avx2 : magsgn_row_i32_p0_avx2)(ms, qinf, uq, qw, dst, row, pitch,
                                                                              exp_cur);
    else
#else
    (void)path;
    (void)umax;
#endif
    if (mode == OUT_I32)
        (p ? magsgn_row_i32 : magsgn_row_i32_p0)(ms, qinf, uq, qw, p, dst, row, pitch, exp_cur);
    else if (mode == OUT_I64)
        (p ? magsgn_row_i64 : magsgn_row_i64_p0)(ms, qinf, uq, qw, p, dst, row, pitch, exp_cur);
    else
        magsgn_row_mag2(ms, qinf, uq, qw, p, dst, row, pitch, exp_cur);
}

/* The cleanup pass's MEL events: the run code of the current symbol
 * (from mel_batch) stays in a local, 0 when used up, so an event touches
 * no memory. */
typedef struct mel_queue {
    exrqoi__htj2k_mel *m;
    uint32_t q;
} mel_queue;

INLINE uint32_t mel_next(mel_queue *mq)
{
    uint32_t q = mq->q;
    if (q == 0) {
        exrqoi__htj2k_mel *m = mq->m;
        q = m->next < 8 ? m->runs[m->next++] : mel_batch(m);
    }
    const uint32_t ev = q < 2; /* 1: the one event that ends the run */
    mq->q = q - 2 + ev;        /* q - 2 after a zero event, 0 after the one */
    return ev;
}

/* One quad's CxtVLC codeword from `bits` in context ctx7 >> 7 (after a MEL
 * event when ctx is 0): its table entry, 0 for a quad with no significant
 * sample (bits >> (entry & 63) skips the codeword). Every 7-bit pattern
 * is a codeword in every context (each table entry has a length, which
 * test_htj2k checks), so there is no invalid codeword to refuse. */
INLINE uint32_t vlc_quad(uint64_t bits, mel_queue *mel, const uint32_t *tbl, uint32_t ctx7)
{
    if (ctx7 == 0 && !mel_next(mel)) return 0;
    return tbl[ctx7 | (uint32_t)(bits & 0x7F)];
}

/* Context of a quad (T.814 7.3.5), shifted left by 7, from its left
 * neighbour's table entry t (which carries its part in bits 7-9: the
 * first row's, or bit 8 below it) and `up7`, the part from the previous
 * quad row (bits 7 and 9, see row_finish). */
INLINE uint32_t quad_ctx7(uint32_t t, uint32_t up7, bool first)
{
    return first ? t & 0x380 : up7 | (t & 0x100);
}

INLINE uint32_t max_u32(uint32_t a, uint32_t b) { return a > b ? a : b; }

/* After a quad row's VLC decoding (qinf its entries, uq its u), per quad
 * q: uq[q] becomes U = u + kappa (T.814 7.3.7; kappa from rho and the
 * largest exponent E of the four samples above, exp_prev columns 2q-1 ..
 * 2q+2, all 0 above the first row, where kappa is 1), and pre[q] the
 * context bits 0 and 2 the quad below takes from this row (bit 0:
 * bottom-right of quad q-1 or bottom-left of q; bit 2: bottom-right of q
 * or bottom-left of q+1; qinf[-1] and qinf[qw] are 0), already shifted
 * to bits 7 and 9 of the CxtVLC index. Returns the largest U. One pass
 * over the row, so the VLC loop neither reloads nor combines these. */
static uint32_t row_finish_c(const uint16_t *qinf, const uint8_t *exp_prev, uint8_t *uq, uint16_t *pre, uint32_t q,
                             uint32_t qw, uint32_t umx)
{
    for (; q < qw; q++) {
        const uint8_t *ep = exp_prev + 2 * (size_t)q;
        const uint32_t e = max_u32(max_u32(ep[-1], ep[0]), max_u32(ep[1], ep[2]));
        const uint16_t *r = qinf + q;
        const uint32_t U = uq[q] + exrqoi__htj2k_kappa[(r[0] & 0xF0u) << 2 | (e < 63 ? e : 63)];
        uq[q] = (uint8_t)U;
        umx = max_u32(umx, U);
        const uint32_t up = ((r[-1] >> 7 | r[0] >> 5) & 1) | ((r[0] >> 7 | r[1] >> 5) & 1) << 2;
        pre[q] = (uint16_t)(up << 7);
    }
    return umx;
}

#if (defined(__x86_64__) || defined(__i386__)) && defined(__SSE2__)
#include <emmintrin.h>
#define ROW_FINISH_SSE2 1
/* row_finish_c, 8 quads a step: kappa = 1 + (E - 2 when rho has two or
 * more bits and E > 2, else 0), as exrqoi__htj2k_kappa; U < 256 (u <= 98,
 * kappa <= 62), so the 16-bit lanes pack without saturating. The last
 * step runs past qw up to a multiple of 8 (qw <= 512): it reads exp_prev
 * up to column 2 qw + 15 and qinf up to entry 512, inside the scratch
 * arrays, and writes uq and pre entries that are never read; the max
 * leaves those lanes out. */
/* 8 quads of row_finish_sse2 from q; returns their U. */
INLINE __m128i finish8_sse2(const uint16_t *qinf, const uint8_t *exp_prev, uint8_t *uq, uint16_t *pre, uint32_t q)
{
    const __m128i zero = _mm_setzero_si128(), one = _mm_set1_epi16(1);
    const uint8_t *ep = exp_prev + 2 * (size_t)q;
    const __m128i m = _mm_max_epu8(_mm_max_epu8(_mm_loadu_si128((const __m128i *)(const void *)(ep - 1)),
                                                _mm_loadu_si128((const __m128i *)(const void *)ep)),
                                   _mm_max_epu8(_mm_loadu_si128((const __m128i *)(const void *)(ep + 1)),
                                                _mm_loadu_si128((const __m128i *)(const void *)(ep + 2))));
    /* the even columns: one per quad */
    const __m128i e = _mm_min_epi16(_mm_and_si128(m, _mm_set1_epi16(0xFF)), _mm_set1_epi16(63));
    const __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(qinf + q - 1));
    const __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(qinf + q));
    const __m128i c = _mm_loadu_si128((const __m128i *)(const void *)(qinf + q + 1));
    const __m128i rho = _mm_and_si128(_mm_srli_epi16(b, 4), _mm_set1_epi16(15));
    const __m128i single = _mm_cmpeq_epi16(_mm_and_si128(rho, _mm_sub_epi16(rho, one)), zero);
    const __m128i k = _mm_andnot_si128(single, _mm_subs_epu16(e, _mm_set1_epi16(2)));
    const __m128i u = _mm_unpacklo_epi8(_mm_loadl_epi64((const __m128i *)(const void *)(uq + q)), zero);
    const __m128i U = _mm_add_epi16(_mm_add_epi16(u, k), one);
    _mm_storel_epi64((__m128i *)(void *)(uq + q), _mm_packus_epi16(U, U));
    const __m128i u0 = _mm_and_si128(_mm_or_si128(_mm_srli_epi16(a, 7), _mm_srli_epi16(b, 5)), one);
    const __m128i u2 = _mm_and_si128(_mm_or_si128(_mm_srli_epi16(b, 7), _mm_srli_epi16(c, 5)), one);
    const __m128i up = _mm_or_si128(u0, _mm_slli_epi16(u2, 2));
    _mm_storeu_si128((__m128i *)(void *)(pre + q), _mm_slli_epi16(up, 7));
    return U;
}

static uint32_t row_finish_sse2(const uint16_t *qinf, const uint8_t *exp_prev, uint8_t *uq, uint16_t *pre,
                                uint32_t qw)
{
    __m128i mx = _mm_setzero_si128();
    uint32_t q = 0;
    for (; q + 8 < qw; q += 8) mx = _mm_max_epi16(mx, finish8_sse2(qinf, exp_prev, uq, pre, q));
    /* the last 1 to 8 quads: the lanes past qw out of the max */
    const __m128i in = _mm_cmplt_epi16(_mm_setr_epi16(0, 1, 2, 3, 4, 5, 6, 7), _mm_set1_epi16((short)(qw - q)));
    mx = _mm_max_epi16(mx, _mm_and_si128(finish8_sse2(qinf, exp_prev, uq, pre, q), in));
    mx = _mm_max_epi16(mx, _mm_srli_si128(mx, 8));
    mx = _mm_max_epi16(mx, _mm_srli_si128(mx, 4));
    mx = _mm_max_epi16(mx, _mm_srli_si128(mx, 2));
    return (uint32_t)_mm_cvtsi128_si32(mx) & 0xFFFF;
}
#endif

#ifdef MS_AVX2
#define ROW_FINISH_AVX2 1
/* finish8_sse2 for 16 quads from q (same bounds as row_finish_sse2 with
 * steps of 16: qw <= 512 keeps the reads inside exps and qinf and the
 * writes inside uq and pre); returns their U. */
__attribute__((target("avx2"))) INLINE __m256i finish16_avx2(const uint16_t *qinf, const uint8_t *exp_prev,
                                                            uint8_t *uq, uint16_t *pre, uint32_t q)
{
    const __m256i one = _mm256_set1_epi16(1);
    const uint8_t *ep = exp_prev + 2 * (size_t)q;
#define LOAD256(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))
    const __m256i m = _mm256_max_epu8(_mm256_max_epu8(LOAD256(ep - 1), LOAD256(ep)),
                                      _mm256_max_epu8(LOAD256(ep + 1), LOAD256(ep + 2)));
    const __m256i e = _mm256_min_epi16(_mm256_and_si256(m, _mm256_set1_epi16(0xFF)), _mm256_set1_epi16(63));
    const __m256i a = LOAD256(qinf + q - 1), b = LOAD256(qinf + q), c = LOAD256(qinf + q + 1);
#undef LOAD256
    const __m256i rho = _mm256_and_si256(_mm256_srli_epi16(b, 4), _mm256_set1_epi16(15));
    const __m256i single =
        _mm256_cmpeq_epi16(_mm256_and_si256(rho, _mm256_sub_epi16(rho, one)), _mm256_setzero_si256());
    const __m256i k = _mm256_andnot_si256(single, _mm256_subs_epu16(e, _mm256_set1_epi16(2)));
    const __m256i u = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(const void *)(uq + q)));
    const __m256i U = _mm256_add_epi16(_mm256_add_epi16(u, k), one);
    _mm_storeu_si128((__m128i *)(void *)(uq + q),
                     _mm_packus_epi16(_mm256_castsi256_si128(U), _mm256_extracti128_si256(U, 1)));
    const __m256i u0 = _mm256_and_si256(_mm256_or_si256(_mm256_srli_epi16(a, 7), _mm256_srli_epi16(b, 5)), one);
    const __m256i u2 = _mm256_and_si256(_mm256_or_si256(_mm256_srli_epi16(b, 7), _mm256_srli_epi16(c, 5)), one);
    const __m256i up = _mm256_or_si256(u0, _mm256_slli_epi16(u2, 2));
    _mm256_storeu_si256((__m256i *)(void *)(pre + q), _mm256_slli_epi16(up, 7));
    return U;
}

__attribute__((target("avx2"))) NOINLINE uint32_t row_finish_avx2(const uint16_t *qinf, const uint8_t *exp_prev,
                                                                 uint8_t *uq, uint16_t *pre, uint32_t qw)
{
    __m256i mx = _mm256_setzero_si256();
    uint32_t q = 0;
    for (; q + 16 < qw; q += 16) mx = _mm256_max_epi16(mx, finish16_avx2(qinf, exp_prev, uq, pre, q));
    /* the last 1 to 16 quads: the lanes past qw out of the max */
    const __m256i in = _mm256_cmpgt_epi16(_mm256_set1_epi16((short)(qw - q)),
                                          _mm256_setr_epi16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
    mx = _mm256_max_epi16(mx, _mm256_and_si256(finish16_avx2(qinf, exp_prev, uq, pre, q), in));
    __m128i m = _mm_max_epi16(_mm256_castsi256_si128(mx), _mm256_extracti128_si256(mx, 1));
    m = _mm_max_epi16(m, _mm_srli_si128(m, 8));
    m = _mm_max_epi16(m, _mm_srli_si128(m, 4));
    m = _mm_max_epi16(m, _mm_srli_si128(m, 2));
    return (uint32_t)_mm_cvtsi128_si32(m) & 0xFFFF;
}
#endif


static uint32_t row_finish(const uint16_t *qinf, const uint8_t *exp_prev, uint8_t *uq, uint16_t *pre, uint32_t qw,
                           int path)
{
#ifdef ROW_FINISH_SSE2
#ifdef ROW_FINISH_AVX2
    if (path == EXRQOI__PATH_AVX2) return row_finish_avx2(qinf, exp_prev, uq, pre, qw);
#endif
    if (path != EXRQOI__PATH_C) return row_finish_sse2(qinf, exp_prev, uq, pre, qw);
#else
    (void)path;
#endif
    return row_finish_c(qinf, exp_prev, uq, pre, 0, qw, 0);
}

/* uq[0] = u01's low byte, uq[1] its next: one store (gcc does not merge
 * the byte stores here) */
INLINE void store_u_pair(uint8_t *uq, uint32_t u01)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint16_t u = (uint16_t)u01;
    memcpy(uq, &u, 2);
#else
    exrqoi__put16(uq, (uint16_t)u01);
#endif
}

/* A pair's U-VLC through the long table, from the reader (refilled
 * first when it holds fewer than the 24 bits that may take); returns u01
 * as uvlc_pair. Out of line: rare, and its refill stays out of the loop. */
INLINE uint32_t uvlc_long(rev_reader *r, uint32_t mode8, bool first)
{
    if (r->n < UVLC_LONG_BITS) rev_fill(r);
    uint32_t u01;
    rev_skip(r, (int)uvlc_long_bits(r->acc, mode8, &u01, first));
    return u01;
}
NOINLINE uint32_t uvlc_long_first(rev_reader *r, uint32_t mode8) { return uvlc_long(r, mode8, true); }
NOINLINE uint32_t uvlc_long_next(rev_reader *r, uint32_t mode8) { return uvlc_long(r, mode8, false); }

/* One pair of quads (qx, and qx + 1 when `pair`) of a quad row; returns
 * the entry of the last, the left neighbour of the next pair. Stores u;
 * row_finish adds kappa. */
INLINE uint32_t vlc_pair(rev_reader *vlc, bitregs *vb, mel_queue *mel, const uint32_t *tbl, const uint16_t *pre,
                         uint16_t *qinf, uint8_t *uq, uint32_t qx, uint32_t left, bool first, bool pair)
{
    uint32_t p0 = 0, p1 = 0;
    if (!first) {
        p0 = pre[qx];
        if (pair) p1 = pre[qx + 1];
    }
    const uint32_t ctx0 = quad_ctx7(left, p0, first);
    if (pair && ctx0 == 0 && p1 == 0 && mel->q >= 4) {
        /* both quads in context 0 (quad 1's since quad 0 is then empty)
         * and two zero events left in the run: both empty, no VLC bits */
        mel->q -= 4;
        qinf[qx] = qinf[qx + 1] = 0;
        store_u_pair(uq + qx, 0);
        return 0;
    }
    /* the chain from one pair to the next is the bit position: each step
     * shifts by a table entry as it is (its low 6 bits the length) */
    uint64_t bits = vlc_peek(vlc, vb);
    const uint32_t t0 = vlc_quad(bits, mel, tbl, ctx0);
    qinf[qx] = (uint16_t)(t0 >> 16);
    bits >>= t0 & 63;
    uint32_t t1 = 0;
    if (pair) {
        t1 = vlc_quad(bits, mel, tbl, quad_ctx7(t0, p1, first));
        qinf[qx + 1] = (uint16_t)(t1 >> 16);
        bits >>= t1 & 63;
    }
    const uint32_t used = (t0 & 63) + (t1 & 63);
    /* U-VLC mode: 0 none, 1 quad 0, 2 quad 1, 3 both; both in the first
     * row: 4 after a MEL 0, 5 after a MEL 1 */
    uint32_t mode8 = (t0 >> 3 & 0x100) | (t1 >> 2 & 0x200); /* mode * 256 from the u_off bits 11 */
    if (first && mode8 == 3 << 8) mode8 = (4 + mel_next(mel)) << 8;
    uint32_t u01;
    const uint32_t f = uvlc_short(bits, mode8);
    if (__builtin_expect(!(f >> 31), 1)) {
        u01 = f >> 8;
        vb->acc = bits >> (f & 63);
        vb->n -= (int)(used + (f & 63));
    } else {
        regs_skip(vb, used);
        vlc->acc = vb->acc;
        vlc->n = vb->n;
        u01 = first ? uvlc_long_first(vlc, mode8) : uvlc_long_next(vlc, mode8);
        vb->acc = vlc->acc;
        vb->n = vlc->n;
    }
    if (pair)
        store_u_pair(uq + qx, u01);
    else
        uq[qx] = (uint8_t)u01;
    return pair ? t1 : t0;
}

/* Pass 1 of a quad row: MEL, CxtVLC and U-VLC into qinf (table entries)
 * and uq (exponent bounds U), and pre for the row below (row_finish).
 * Returns 0 or the largest U when it exceeds umax: such a row is decoded
 * to its end (the readers stay within their segments, U within uint8)
 * and then refused. */
INLINE uint32_t vlc_row(rev_reader *vlc, mel_queue *mel, const uint8_t *exp_prev, uint16_t *pre, uint16_t *qinf,
                        uint8_t *uq, uint32_t qw, uint32_t umax, bool first, int path)
{
    const uint32_t *tbl = first ? exrqoi__htj2k_vlc_tbl0 : exrqoi__htj2k_vlc_tbl1;
    bitregs vb = {vlc->acc, vlc->n};
    mel_queue mq = *mel;
    uint32_t left = 0, qx = 0;
    for (; qx + 1 < qw; qx += 2)
        left = vlc_pair(vlc, &vb, &mq, tbl, pre, qinf, uq, qx, left, first, true);
    if (qx < qw) vlc_pair(vlc, &vb, &mq, tbl, pre, qinf, uq, qx, left, first, false);
    vlc->acc = vb.acc;
    vlc->n = vb.n;
    *mel = mq;
    const uint32_t umx = row_finish(qinf, exp_prev, uq, pre, qw, path);
    return umx > umax ? umx : 0;
}

/* vlc_row compiled on its own for the first quad row and the others,
 * portable and (the AVX2 path) with BMI2's flag-free variable shifts,
 * which most of pass 1's bit extraction is. */
#define VLC_ROW_FN(name, FIRST, ATTR)                                                                          \
    ATTR NOINLINE uint32_t name(rev_reader *vlc, mel_queue *mel, const uint8_t *exp_prev, uint16_t *pre,       \
                                uint16_t *qinf, uint8_t *uq, uint32_t qw, uint32_t umax, int path)             \
    {                                                                                                          \
        return vlc_row(vlc, mel, exp_prev, pre, qinf, uq, qw, umax, FIRST, path);                              \
    }
VLC_ROW_FN(vlc_row_first, true, )
VLC_ROW_FN(vlc_row_next, false, )
#ifdef MS_AVX2
#define VLC_BMI2 1
VLC_ROW_FN(vlc_row_first_bmi2, true, __attribute__((target("bmi,bmi2"))))
VLC_ROW_FN(vlc_row_next_bmi2, false, __attribute__((target("bmi,bmi2"))))
#endif

/* Pass 1 of quad row qy through the variant for `path` (the AVX2 path
 * implies BMI2: exrqoi__kernels_for). */
INLINE uint32_t vlc_row_for(rev_reader *vlc, mel_queue *mel, const uint8_t *exp_prev, uint16_t *pre,
                            uint16_t *qinf, uint8_t *uq, uint32_t qw, uint32_t umax, uint32_t qy, int path)
{
#ifdef VLC_BMI2
    if (path == EXRQOI__PATH_AVX2)
        return (qy ? vlc_row_next_bmi2 : vlc_row_first_bmi2)(vlc, mel, exp_prev, pre, qinf, uq, qw, umax, path);
#endif
    return (qy ? vlc_row_next : vlc_row_first)(vlc, mel, exp_prev, pre, qinf, uq, qw, umax, path);
}

INLINE exrqoi_result cleanup_pass(exrqoi__htj2k_block_scratch *s, const exrqoi__htj2k_cblk *cb, void *dst,
                                  size_t pitch, exrqoi__err *err, int mode, int path)
{
    const uint8_t *d = cb->data;
    const uint32_t lcup = cb->len_cup;
    if (lcup < 2)
        return exrqoi__fail(err, EXRQOI_ERR_CORRUPT, "HT code-block: cleanup segment of %u bytes", lcup);
    const uint32_t scup = ((uint32_t)d[lcup - 1] << 4) | (d[lcup - 2] & 0x0F);
    if (scup < 2 || scup > lcup || scup > 4079)
        return exrqoi__fail(err, EXRQOI_ERR_CORRUPT,
                            "HT code-block: MEL+VLC length %u does not fit the %u-byte cleanup segment", scup,
                            lcup);
    const uint32_t w = cb->width, h = cb->height;
    const uint32_t qw = (w + 1) / 2, qh = (h + 1) / 2;
    const uint32_t umax = cb->missing + 2;
    const uint32_t p = cb->p;

    fwd_reader ms;
    fwd_init(&ms, d, lcup - scup, 0xFF);
    exrqoi__htj2k_mel mel_state;
    exrqoi__htj2k_mel_init(&mel_state, d + lcup - scup, scup - 1);
    mel_queue mel = {&mel_state, 0};

    /* VLC: backwards from the high nibble of byte lcup - 2 */
    rev_reader vlc;
    vlc.base = d;
    vlc.pos = (int64_t)lcup - 3;
    vlc.left = scup - 2;
    {
        uint32_t nib = d[lcup - 2] >> 4;
        int nb = (nib & 7) == 7 ? 3 : 4;
        vlc.acc = nib & ((1u << nb) - 1);
        vlc.n = nb;
        vlc.unstuff = (d[lcup - 2] | 0x0F) > 0x8F;
    }

    uint8_t *exp_prev = s->exps[0] + 1, *exp_cur = s->exps[1] + 1; /* index -1 valid */
    uint16_t *qinf = s->qinf + 1; /* entries -1 and qw stay 0 (row_finish reads them) */
    uint8_t *uq = s->uq;
    uint16_t *pre = s->pre;
    qinf[-1] = 0;
    qinf[qw] = 0;
    /* only the span the block uses (2 qw columns, one border entry each side) */
    memset(s->exps[0], 0, 2 * (size_t)qw + 3);
    memset(s->exps[1], 0, 2 * (size_t)qw + 3);

    for (uint32_t qy = 0; qy < qh; qy++) {
        /* pass 1: MEL, CxtVLC and U-VLC of the whole quad row into qinf
         * and uq (the exponent bound U of each quad) */
        const uint32_t bad = vlc_row_for(&vlc, &mel, exp_prev, pre, qinf, uq, qw, umax, qy, path);
        if (bad)
            return exrqoi__fail(err, EXRQOI_ERR_CORRUPT,
                                "HT code-block: magnitude exponent %u exceeds the %u bit-planes coded", bad, umax);
        /* pass 2: MagSgn */
        const size_t row = (size_t)(2 * qy) * pitch;
        exp_cur[-1] = 0;
        magsgn_row_for(&ms, qinf, uq, qw, p, umax, dst, row, pitch, exp_cur, mode, path);
        exp_cur[2 * qw] = 0;
        exp_cur[2 * qw + 1] = 0;
        uint8_t *t8 = exp_prev;
        exp_prev = exp_cur;
        exp_cur = t8;
    }
    return EXRQOI_OK;
}

/* ---- refinement passes -------------------------------------------------- */

/* sig: 1 = significant after cleanup, 2 = became significant in SigProp;
 * one border sample of 0 around the block (pitch w + 2). */
static void sigprop_pass(const exrqoi__htj2k_cblk *cb, uint64_t *mag, size_t pitch, uint8_t *sig,
                         size_t spitch)
{
    const uint32_t w = cb->width, h = cb->height;
    fwd_reader sp;
    fwd_init(&sp, cb->data + cb->len_cup, cb->len_ref, 0);
    const uint64_t newval = (uint64_t)3 << (cb->p - 1);
    for (uint32_t y0 = 0; y0 < h; y0 += 4) {
        const uint32_t y1 = y0 + 4 < h ? y0 + 4 : h;
        for (uint32_t x0 = 0; x0 < w; x0 += 4) {
            const uint32_t x1 = x0 + 4 < w ? x0 + 4 : w;
            for (uint32_t x = x0; x < x1; x++)
                for (uint32_t y = y0; y < y1; y++) {
                    uint8_t *c = sig + (size_t)(y + 1) * spitch + x + 1;
                    if (*c) continue;
                    const uint8_t *a = c - spitch, *b = c + spitch;
                    uint32_t nb = a[-1] | a[0] | a[1] | c[-1] | c[1];
                    if (!(cb->stripe_causal && y == y1 - 1 && y1 == y0 + 4)) nb |= b[-1] | b[0] | b[1];
                    if (nb && fwd_bits(&sp, 1)) *c = 2;
                }
            for (uint32_t x = x0; x < x1; x++)
                for (uint32_t y = y0; y < y1; y++) {
                    uint8_t *c = sig + (size_t)(y + 1) * spitch + x + 1;
                    if (*c != 2) continue;
                    *c = 3; /* signed: no longer "new" for the next group */
                    mag[(size_t)y * pitch + x] = newval | fwd_bits(&sp, 1) << 63;
                }
        }
    }
}

static void magref_pass(const exrqoi__htj2k_cblk *cb, uint64_t *mag, size_t pitch, const uint8_t *sig,
                        size_t spitch)
{
    const uint32_t w = cb->width, h = cb->height;
    rev_reader r;
    r.base = cb->data;
    r.pos = (int64_t)cb->len_cup + cb->len_ref - 1;
    r.left = cb->len_ref;
    r.acc = 0;
    r.n = 0;
    r.unstuff = true;
    const uint32_t p = cb->p;
    const uint64_t half = (uint64_t)1 << (p - 1);
    for (uint32_t y0 = 0; y0 < h; y0 += 4) {
        const uint32_t y1 = y0 + 4 < h ? y0 + 4 : h;
        for (uint32_t x = 0; x < w; x++)
            for (uint32_t y = y0; y < y1; y++) {
                if (sig[(size_t)(y + 1) * spitch + x + 1] != 1) continue;
                uint64_t bit = rev_bits(&r, 1);
                mag[(size_t)y * pitch + x] ^= ((1 - bit) << p) | half;
            }
    }
}

/* The block decoder for int64 (`out32` false) or int32 coefficients. */
INLINE exrqoi_result decode_block(exrqoi__htj2k_block_scratch *s, const exrqoi__htj2k_cblk *cb, void *out,
                                  size_t stride, exrqoi__err *err, bool out32, int path)
{
    const uint32_t w = cb->width, h = cb->height;
    if (w == 0 || h == 0) return EXRQOI_OK;
    if (w > EXRQOI__HTJ2K_CB_MAX_SIDE || h > EXRQOI__HTJ2K_CB_MAX_SIDE ||
        (size_t)w * h > EXRQOI__HTJ2K_CB_MAX_AREA)
        return exrqoi__fail(err, EXRQOI_ERR_CORRUPT, "HT code-block of %ux%u samples", w, h);
    if (cb->passes < 1 || cb->passes > 3)
        return exrqoi__fail(err, EXRQOI_ERR_CORRUPT, "HT code-block with %u coding passes", cb->passes);
    if (cb->passes > 1 && cb->p == 0)
        return exrqoi__fail(err, EXRQOI_ERR_CORRUPT,
                            "HT code-block: refinement passes below bit-plane 0");
    if (cb->p > 40)
        return exrqoi__fail(err, EXRQOI_ERR_CORRUPT, "HT code-block: cleanup bit-plane %u", cb->p);
    /* as the codestream allows: so U <= 49 and one refill serves a sample */
    if (cb->missing > 47)
        return exrqoi__fail(err, EXRQOI_ERR_CORRUPT, "HT code-block: %u missing bit-planes", cb->missing);
    /* the largest magnitude, below 2^(p + missing + 2), must fit int32 */
    if (out32 && (uint64_t)cb->p + cb->missing + 2 > 31)
        return exrqoi__fail(err, EXRQOI_ERR_CORRUPT,
                            "HT code-block codes %u bit-planes, more than 32-bit coefficients hold",
                            cb->p + cb->missing + 2);
    const bool refine = cb->passes > 1 && cb->len_ref > 0;
    const size_t pitch = ((size_t)w + 1) & ~(size_t)1;
    if (!refine) {
        /* cleanup only: signed coefficients straight into `out` when the
         * quads tile the block exactly, else through the scratch */
        if (!(w & 1) && !(h & 1))
            return out32 ? cleanup_pass(s, cb, out, stride, err, OUT_I32, path)
                         : cleanup_pass(s, cb, out, stride, err, OUT_I64, path);
        if (out32) {
            /* 32-bit coefficients in the scratch (pitch even), the rows
             * the block has copied out */
            int32_t *m32 = (int32_t *)(void *)s->mag;
            EXRQOI_TRY(cleanup_pass(s, cb, m32, pitch, err, OUT_I32, path));
            for (uint32_t y = 0; y < h; y++)
                memcpy((int32_t *)out + (size_t)y * stride, m32 + (size_t)y * pitch, w * sizeof(int32_t));
            return EXRQOI_OK;
        }
        EXRQOI_TRY(cleanup_pass(s, cb, s->mag, pitch, err, OUT_I64, path));
        for (uint32_t y = 0; y < h; y++)
            memcpy((int64_t *)out + (size_t)y * stride, s->mag + (size_t)y * pitch, w * sizeof(int64_t));
        return EXRQOI_OK;
    }
    uint64_t *mag = s->mag;
    EXRQOI_TRY(cleanup_pass(s, cb, mag, pitch, err, OUT_MAG2, path));
    {
        const size_t spitch = (size_t)w + 2;
        uint8_t *sig = s->sig;
        memset(sig, 0, spitch * ((size_t)h + 2));
        for (uint32_t y = 0; y < h; y++)
            for (uint32_t x = 0; x < w; x++)
                sig[(size_t)(y + 1) * spitch + x + 1] = mag[(size_t)y * pitch + x] != 0;
        sigprop_pass(cb, mag, pitch, sig, spitch);
        if (cb->passes > 2) magref_pass(cb, mag, pitch, sig, spitch);
    }
    for (uint32_t y = 0; y < h; y++) {
        const uint64_t *m = mag + (size_t)y * pitch;
        for (uint32_t x = 0; x < w; x++) {
            int64_t v = (int64_t)((m[x] & ~SIGN_BIT) >> 1);
            v = (m[x] & SIGN_BIT) ? -v : v;
            if (out32)
                ((int32_t *)out)[(size_t)y * stride + x] = (int32_t)v;
            else
                ((int64_t *)out)[(size_t)y * stride + x] = v;
        }
    }
    return EXRQOI_OK;
}

exrqoi_result exrqoi__htj2k_decode_block(exrqoi__htj2k_block_scratch *s, const exrqoi__htj2k_cblk *cb,
                                         int64_t *out, size_t stride, exrqoi__err *err)
{
    return decode_block(s, cb, out, stride, err, false, EXRQOI__PATH_C);
}

exrqoi_result exrqoi__htj2k_decode_block32(exrqoi__htj2k_block_scratch *s, const exrqoi__htj2k_cblk *cb,
                                           int32_t *out, size_t stride, exrqoi__err *err)
{
    return decode_block(s, cb, out, stride, err, true, EXRQOI__PATH_C);
}

exrqoi_result exrqoi__htj2k_decode_block32_path(exrqoi__htj2k_block_scratch *s, const exrqoi__htj2k_cblk *cb,
                                                int32_t *out, size_t stride, exrqoi__err *err, int path)
{
    return decode_block(s, cb, out, stride, err, true, path);
}
