/* The HT cleanup pass (ITU-T T.814 clause 7): quads of 2x2 samples coded
 * as a MEL bit stream (significance runs), a backward VLC stream
 * (context-coded significance and exponent bounds, U-VLC exponent
 * offsets) and a forward MagSgn stream (magnitude and sign bits), with
 * the byte stuffing and termination OpenJPH uses, so that our code blocks
 * are byte for byte the ones OpenEXR writes. Lossless: every magnitude
 * bit goes into the cleanup pass; no refinement passes. */
#include "codec/htj2k_enc.h"

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
    int used;
    unsigned tmp;
    int last_big; /* the byte before was above 0x8F */
} vlc_writer;

typedef struct ms_writer {
    uint8_t *buf;
    size_t pos;
    int max_bits, used;
    unsigned tmp;
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
 * 0x8F may hold only 7 bits, and then only if those 7 are all ones does
 * its top bit stay 0 (T.814 7.3.4's stuffing rule). */
static inline void vlc_put(vlc_writer *v, unsigned cwd, int len)
{
    while (len > 0) {
        int avail = 8 - v->last_big - v->used;
        int t = avail < len ? avail : len;
        v->tmp |= (cwd & ((1u << t) - 1)) << v->used;
        v->used += t;
        avail -= t;
        len -= t;
        cwd >>= t;
        if (avail == 0) {
            if (v->last_big && v->tmp != 0x7F) {
                v->last_big = 0;
                continue;
            }
            v->buf[v->pos++] = (uint8_t)v->tmp;
            v->last_big = v->tmp > 0x8F;
            v->tmp = 0;
            v->used = 0;
        }
    }
}

static inline void ms_put(ms_writer *s, uint64_t cwd, int len)
{
    while (len > 0) {
        int t = s->max_bits - s->used;
        if (t > len) t = len;
        s->tmp |= (unsigned)(cwd & ((1u << t) - 1)) << s->used;
        s->used += t;
        cwd >>= t;
        len -= t;
        if (s->used >= s->max_bits) {
            s->buf[s->pos++] = (uint8_t)s->tmp;
            s->max_bits = s->tmp == 0xFF ? 7 : 8;
            s->tmp = 0;
            s->used = 0;
        }
    }
}

static void ms_finish(ms_writer *s)
{
    if (s->used) {
        int t = s->max_bits - s->used;
        s->tmp |= (0xFFu & ((1u << t) - 1)) << s->used;
        if (s->tmp != 0xFF) s->buf[s->pos++] = (uint8_t)s->tmp;
    } else if (s->max_bits == 7) {
        s->pos--; /* a trailing 0xFF is not needed */
    }
}

/* MEL and VLC meet in the middle: their last bytes merge into one when
 * the bits agree. */
static void mel_vlc_finish(mel_writer *m, vlc_writer *v)
{
    if (m->run > 0) mel_bit(m, 1);
    m->tmp <<= m->room;
    unsigned mel_mask = (0xFFu << m->room) & 0xFF;
    unsigned vlc_mask = 0xFFu >> (8 - v->used);
    if ((mel_mask | vlc_mask) == 0) return;
    unsigned fuse = m->tmp | v->tmp;
    if ((((fuse ^ m->tmp) & mel_mask) | ((fuse ^ v->tmp) & vlc_mask)) == 0 && fuse != 0xFF && v->pos > 1) {
        m->buf[m->pos++] = (uint8_t)fuse;
    } else {
        m->buf[m->pos++] = (uint8_t)m->tmp;
        v->buf[v->pos++] = (uint8_t)v->tmp;
    }
}

/* U-VLC (T.814 Table 3): prefix, suffix and extension of u_q. */
static inline void uvlc_parts(int u, unsigned *pre, int *pre_len, unsigned *suf, int *suf_len, unsigned *ext,
                              int *ext_len)
{
    *ext = 0;
    *ext_len = 0;
    *suf = 0;
    *suf_len = 0;
    if (u <= 0) {
        *pre = 0;
        *pre_len = 0;
    } else if (u == 1) {
        *pre = 1;
        *pre_len = 1;
    } else if (u == 2) {
        *pre = 2;
        *pre_len = 2;
    } else if (u <= 4) {
        *pre = 4;
        *pre_len = 3;
        *suf = (unsigned)(u - 3);
        *suf_len = 1;
    } else if (u <= 32) {
        *pre = 0;
        *pre_len = 3;
        *suf = (unsigned)(u - 5);
        *suf_len = 5;
    } else {
        *pre = 0;
        *pre_len = 3;
        *suf = (unsigned)(28 + (u - 33) % 4);
        *suf_len = 5;
        *ext = (unsigned)((u - 33) / 4);
        *ext_len = 4;
    }
}

typedef struct uvlc_code {
    unsigned pre, suf, ext;
    int pre_len, suf_len, ext_len;
} uvlc_code;

static inline uvlc_code uvlc_of(int u)
{
    uvlc_code c;
    uvlc_parts(u, &c.pre, &c.pre_len, &c.suf, &c.suf_len, &c.ext, &c.ext_len);
    return c;
}

/* One quad's samples: significance pattern, exponents E_n (bits of
 * 2 mu - 1) and the MagSgn values 2 (mu - 1) + sign. */
typedef struct quad {
    int rho, emax;
    int e[4];
    uint64_t v[4];
} quad;

static inline void load_quad(quad *q, const int64_t *coef, size_t stride, int x, int y, int w, int h,
                             uint64_t mask)
{
    q->rho = 0;
    q->emax = 0;
    for (int n = 0; n < 4; n++) {
        int xx = x + (n >> 1), yy = y + (n & 1);
        q->e[n] = 0;
        q->v[n] = 0;
        if (xx >= w || yy >= h) continue;
        int64_t c = coef[(size_t)yy * stride + (size_t)xx];
        uint64_t mu = (c < 0 ? (uint64_t)0 - (uint64_t)c : (uint64_t)c) & mask;
        if (!mu) continue;
        q->rho |= 1 << n;
        q->e[n] = 64 - __builtin_clzll(2 * mu - 1);
        q->v[n] = 2 * (mu - 1) + (c < 0);
        if (q->e[n] > q->emax) q->emax = q->e[n];
    }
}

static inline int quad_emb(const quad *q, int u)
{
    if (u <= 0) return 0;
    int emb = 0;
    for (int n = 0; n < 4; n++)
        if (q->e[n] == q->emax) emb |= 1 << n;
    return emb & q->rho;
}

/* VLC codeword, MEL bit and MagSgn bits of one quad; returns nothing. */
static inline void code_quad(const quad *q, int c, int U, int u, const uint16_t *tbl, mel_writer *mel,
                             vlc_writer *vlc, ms_writer *ms)
{
    unsigned tup = tbl[(c << 8) | (q->rho << 4) | quad_emb(q, u)];
    vlc_put(vlc, tup >> 8, (tup >> 4) & 7);
    if (c == 0) mel_code(mel, q->rho != 0);
    for (int n = 0; n < 4; n++) {
        if (!(q->rho & (1 << n))) continue;
        int m = U - (int)((tup >> n) & 1);
        ms_put(ms, q->v[n] & (m >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << m) - 1)), m);
    }
}

static inline void put_uvlc_pair(vlc_writer *vlc, int u0, int u1)
{
    uvlc_code a = uvlc_of(u0), b = uvlc_of(u1);
    vlc_put(vlc, a.pre, a.pre_len);
    vlc_put(vlc, b.pre, b.pre_len);
    vlc_put(vlc, a.suf, a.suf_len);
    vlc_put(vlc, b.suf, b.suf_len);
    vlc_put(vlc, a.ext, a.ext_len);
    vlc_put(vlc, b.ext, b.ext_len);
}

size_t exrqoi__htj2k_encode_block(const int64_t *coef, size_t stride, int w, int h, int kmax, uint8_t *work,
                                  uint8_t *out)
{
    const uint64_t mask = kmax >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << kmax) - 1);
    uint64_t any = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int64_t c = coef[(size_t)y * stride + (size_t)x];
            any |= (c < 0 ? (uint64_t)0 - (uint64_t)c : (uint64_t)c) & mask;
        }
    if (!any) return 0;

    uint8_t *ms_buf = work, *mel_buf = work + MS_CAP, *vlc_buf = mel_buf + MEL_CAP;
    /* exponents and significance of the line above, per pair of columns
     * (2k-1, 2k): index k of quad k's left neighbour column */
    uint8_t *eline = vlc_buf + VLC_CAP, *cxline = eline + 80;
    int nq = (w + 1) / 2;
    memset(eline, 0, (size_t)nq + 2);
    memset(cxline, 0, (size_t)nq + 2);

    mel_writer mel = {mel_buf, 0, 8, 0, 0, 0, 1};
    vlc_writer vlc = {vlc_buf, 1, 4, 0xF, 1};
    vlc_buf[0] = 0xFF;
    ms_writer ms = {ms_buf, 0, 8, 0, 0};
    const uint16_t *tbl0 = exrqoi__htj2k_vlc_enc_table(1), *tbl1 = exrqoi__htj2k_vlc_enc_table(0);

    /* first line of quads: context from the quad on the left only */
    int rho_left = 0;
    for (int x = 0; x < w; x += 4) {
        quad q0, q1;
        int k = x >> 1;
        load_quad(&q0, coef, stride, x, 0, w, h, mask);
        int c0 = (rho_left >> 1) | (rho_left & 1);
        int U0 = q0.emax > 1 ? q0.emax : 1, u0 = U0 - 1, u1 = 0;
        if (q0.e[1] > eline[k]) eline[k] = (uint8_t)q0.e[1];
        eline[k + 1] = (uint8_t)q0.e[3];
        cxline[k] |= (uint8_t)((q0.rho >> 1) & 1);
        cxline[k + 1] = (uint8_t)((q0.rho >> 3) & 1);
        code_quad(&q0, c0, U0, u0, tbl0, &mel, &vlc, &ms);
        rho_left = q0.rho;
        if (x + 2 < w) {
            load_quad(&q1, coef, stride, x + 2, 0, w, h, mask);
            int c1 = (q0.rho >> 1) | (q0.rho & 1);
            int U1 = q1.emax > 1 ? q1.emax : 1;
            u1 = U1 - 1;
            if (q1.e[1] > eline[k + 1]) eline[k + 1] = (uint8_t)q1.e[1];
            eline[k + 2] = (uint8_t)q1.e[3];
            cxline[k + 1] |= (uint8_t)((q1.rho >> 1) & 1);
            cxline[k + 2] = (uint8_t)((q1.rho >> 3) & 1);
            code_quad(&q1, c1, U1, u1, tbl0, &mel, &vlc, &ms);
            rho_left = q1.rho;
        }
        if (u0 > 0 && u1 > 0) mel_code(&mel, (u0 < u1 ? u0 : u1) > 2);
        if (u0 > 2 && u1 > 2) {
            put_uvlc_pair(&vlc, u0 - 2, u1 - 2);
        } else if (u0 > 2 && u1 > 0) {
            uvlc_code a = uvlc_of(u0);
            vlc_put(&vlc, a.pre, a.pre_len);
            vlc_put(&vlc, (unsigned)(u1 - 1), 1);
            vlc_put(&vlc, a.suf, a.suf_len);
            vlc_put(&vlc, a.ext, a.ext_len);
        } else {
            put_uvlc_pair(&vlc, u0, u1);
        }
    }
    eline[nq + 1] = 0;

    for (int y = 2; y < h; y += 2) {
        int max_e = (eline[0] > eline[1] ? eline[0] : eline[1]) - 1;
        eline[0] = 0;
        int c = cxline[0] + (cxline[1] << 2);
        cxline[0] = 0;
        for (int x = 0; x < w; x += 4) {
            int u[2] = {0, 0};
            for (int half = 0; half < 2; half++) {
                int xx = x + 2 * half;
                if (xx >= w) break;
                int k = xx >> 1;
                quad q;
                load_quad(&q, coef, stride, xx, y, w, h, mask);
                int kappa = (q.rho & (q.rho - 1)) ? (max_e > 1 ? max_e : 1) : 1;
                int U = q.emax > kappa ? q.emax : kappa;
                u[half] = U - kappa;
                if (q.e[1] > eline[k]) eline[k] = (uint8_t)q.e[1];
                max_e = (eline[k + 1] > eline[k + 2] ? eline[k + 1] : eline[k + 2]) - 1;
                eline[k + 1] = (uint8_t)q.e[3];
                cxline[k] |= (uint8_t)((q.rho >> 1) & 1);
                int c_next = cxline[k + 1] + (cxline[k + 2] << 2);
                cxline[k + 1] = (uint8_t)((q.rho >> 3) & 1);
                c_next |= ((q.rho & 4) >> 1) | ((q.rho & 8) >> 2);
                code_quad(&q, c, U, u[half], tbl1, &mel, &vlc, &ms);
                c = c_next;
            }
            put_uvlc_pair(&vlc, u[0], u[1]);
        }
    }

    mel_vlc_finish(&mel, &vlc);
    ms_finish(&ms);

    size_t len = ms.pos + mel.pos + vlc.pos;
    memcpy(out, ms_buf, ms.pos);
    memcpy(out + ms.pos, mel_buf, mel.pos);
    for (size_t i = 0; i < vlc.pos; i++) out[ms.pos + mel.pos + i] = vlc_buf[vlc.pos - 1 - i];
    size_t scup = mel.pos + vlc.pos;
    out[len - 1] = (uint8_t)(scup >> 4);
    out[len - 2] = (uint8_t)((out[len - 2] & 0xF0) | (scup & 0xF));
    return len;
}
