/*
 * OpenEXR's Huffman coder over 16-bit symbols (PIZ, DWA).
 *
 * Stream: 20-byte header (LE u32: im, iM, table bytes, nBits, 0), then the
 * code lengths of symbols im..iM in 6-bit fields (59..62 = runs of 2..5
 * zero lengths, 63 + 8 bits = runs of 6..261), then nBits of codes, all
 * bit-packed MSB first. Symbol iM is a pseudo-symbol meaning "repeat the
 * previous value n more times", n in the next 8 bits. Codes are canonical:
 * longer codes are numerically smaller, same-length codes increase with
 * the symbol, at most 58 bits.
 *
 * Scratch: both directions use codec scratch slot HUF_SLOT for their
 * tables, so a caller must not keep data in that slot across a call.
 */
#include "codec/huf.h"

#define HUF_SLOT 4
#define NSYM 65537 /* 65536 values + the run pseudo-symbol */
#define MAX_LEN 58
#define SHORT_RUN 59 /* 59..62: 2..5 zero lengths */
#define LONG_RUN 63  /* 63, then 8 bits: 6..261 zero lengths */
#define LONG_RUN_MIN 6
#define LONG_RUN_MAX (255 + LONG_RUN_MIN)
#define HEADER 20

static exrqoi_result corrupt(exrqoi__codec_ctx *ctx, const char *what)
{
    return exrqoi__fail(&ctx->err, EXRQOI_ERR_CORRUPT, "Huffman data: %s", what);
}

/* Big-endian 64-bit load (the bit stream is MSB first). */
static inline uint64_t load_be64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

/* Canonical first code of each length from the per-length counts: the
 * format's definition (longest codes start at 0). */
static void canonical_first(const uint32_t cnt[MAX_LEN + 1], uint64_t first[MAX_LEN + 1])
{
    uint64_t c = 0;
    for (int l = MAX_LEN; l > 0; l--) {
        first[l] = c;
        c = (c + cnt[l]) >> 1;
    }
    first[0] = 0;
}

/* ======================================================================
 * Encoder
 * ====================================================================== */

typedef struct huf_enc {
    uint64_t freq[NSYM + 1];
    uint64_t code[NSYM + 1];
    uint32_t heap[NSYM + 1];
    uint32_t link[NSYM + 1];
    uint8_t len[NSYM + 1];
} huf_enc;

/* Heap order: by frequency, ties by symbol index. This is a total order,
 * so the merge sequence (hence every code length) matches OpenEXR's. */
static inline bool heap_less(const uint64_t *f, uint32_t a, uint32_t b)
{
    return f[a] < f[b] || (f[a] == f[b] && a < b);
}

static void heap_down(uint32_t *h, size_t n, size_t i, const uint64_t *f)
{
    uint32_t v = h[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && heap_less(f, h[c + 1], h[c])) c++;
        if (!heap_less(f, h[c], v)) break;
        h[i] = h[c];
        i = c;
    }
    h[i] = v;
}

static void heap_up(uint32_t *h, size_t i, const uint64_t *f)
{
    uint32_t v = h[i];
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!heap_less(f, v, h[p])) break;
        h[i] = h[p];
        i = p;
    }
    h[i] = v;
}

static uint32_t heap_pop(uint32_t *h, size_t *n, const uint64_t *f)
{
    uint32_t top = h[0];
    h[0] = h[--*n];
    if (*n) heap_down(h, *n, 0, f);
    return top;
}

/* Code lengths into e->len[im..iM]; returns false if a code would exceed
 * 58 bits (cannot happen below ~10^11 values). */
static bool build_lengths(huf_enc *e, uint32_t im, uint32_t iM)
{
    uint64_t *f = e->freq;
    size_t nf = 0;
    bool ok = true;
    for (uint32_t i = im; i <= iM; i++) {
        e->link[i] = i;
        e->len[i] = 0;
        if (f[i]) e->heap[nf++] = i;
    }
    for (size_t i = nf / 2; i-- > 0;) heap_down(e->heap, nf, i, f);
    while (nf > 1) {
        uint32_t mm = heap_pop(e->heap, &nf, f);
        uint32_t m = heap_pop(e->heap, &nf, f);
        f[m] += f[mm];
        e->heap[nf++] = m;
        heap_up(e->heap, nf - 1, f);
        /* every leaf under both subtrees gets one bit deeper; the lists
         * are joined so the merged node's leaves stay reachable from m */
        uint32_t j = m;
        for (;;) {
            if (++e->len[j] > MAX_LEN) ok = false;
            if (e->link[j] == j) break;
            j = e->link[j];
        }
        e->link[j] = mm;
        for (j = mm;;) {
            if (++e->len[j] > MAX_LEN) ok = false;
            if (e->link[j] == j) break;
            j = e->link[j];
        }
    }
    return ok;
}

/* MSB-first bit writer; `acc` holds `nacc` (< 64) pending bits. */
typedef struct bitw {
    uint8_t *p, *end;
    uint64_t acc;
    int nacc;
    bool overflow;
} bitw;

static inline void bw_flush(bitw *w)
{
    while (w->nacc >= 8) {
        if (EXRQOI_UNLIKELY(w->p >= w->end)) {
            w->overflow = true;
            w->nacc = 0;
            return;
        }
        w->nacc -= 8;
        *w->p++ = (uint8_t)(w->acc >> w->nacc);
    }
}

/* Appends the low n (<= 32) bits of v. */
static inline void bw_put32(bitw *w, int n, uint64_t v)
{
    if (w->nacc > 32) bw_flush(w);
    w->acc = (w->acc << n) | v;
    w->nacc += n;
}

/* Appends the low n (<= 58) bits of v. */
static inline void bw_put(bitw *w, int n, uint64_t v)
{
    if (n > 32) {
        bw_put32(w, n - 32, v >> 32);
        n = 32;
        v &= 0xffffffffu;
    }
    bw_put32(w, n, v);
}

/* Pads the last byte with zero bits. */
static inline void bw_finish(bitw *w)
{
    bw_flush(w);
    if (w->nacc > 0 && !w->overflow) {
        if (w->p >= w->end) {
            w->overflow = true;
            return;
        }
        *w->p++ = (uint8_t)(w->acc << (8 - w->nacc));
        w->nacc = 0;
    }
}

static void pack_lengths(bitw *w, const uint8_t *len, uint32_t im, uint32_t iM)
{
    for (uint32_t i = im; i <= iM; i++) {
        if (len[i] == 0) {
            uint32_t run = 1;
            while (i < iM && run < LONG_RUN_MAX && len[i + 1] == 0) {
                i++;
                run++;
            }
            if (run >= LONG_RUN_MIN) {
                bw_put32(w, 6, LONG_RUN);
                bw_put32(w, 8, run - LONG_RUN_MIN);
                continue;
            }
            if (run >= 2) {
                bw_put32(w, 6, SHORT_RUN + run - 2);
                continue;
            }
        }
        bw_put32(w, 6, len[i]);
    }
}

/* One run: value s, then `extra` more copies of it (extra <= 255). Uses
 * the run code only when that is strictly shorter, as OpenEXR does. */
static inline void send_run(bitw *w, const huf_enc *e, uint32_t s, uint32_t extra, uint32_t rlc)
{
    int ls = e->len[s], lr = e->len[rlc];
    uint64_t cs = e->code[s];
    if (ls + lr + 8 < ls * (int)extra) {
        bw_put(w, ls, cs);
        bw_put(w, lr, e->code[rlc]);
        bw_put32(w, 8, extra);
    } else if (ls <= 32) {
        for (uint32_t k = 0; k <= extra; k++) bw_put32(w, ls, cs);
    } else {
        for (uint32_t k = 0; k <= extra; k++) bw_put(w, ls, cs);
    }
}

size_t exrqoi__huf_bound(size_t n)
{
    /* header + full length table + 58 bits per value; saturates */
    size_t table = (NSYM * 6 + 7) / 8 + 1;
    size_t bits;
    if (exrqoi__mul_size(n, MAX_LEN, &bits)) return SIZE_MAX;
    size_t total = HEADER + table + bits / 8 + 2;
    return total < bits / 8 ? SIZE_MAX : total;
}

exrqoi_result exrqoi__huf_compress(exrqoi__codec_ctx *ctx, const uint16_t *in, size_t n,
                                   uint8_t *dst, size_t dst_cap, size_t *out_size)
{
    *out_size = 0;
    if (n == 0) return EXRQOI_OK;
    /* Too small a dst is reported without a message: PIZ gives a
     * capacity of about the raw size and stores the block raw then. */
    if (dst_cap < HEADER) return EXRQOI_ERR_BUFFER_TOO_SMALL;
    void *mem;
    EXRQOI_TRY(exrqoi__codec_scratch(ctx, HUF_SLOT, sizeof(huf_enc), &mem));
    huf_enc *e = (huf_enc *)mem;

    memset(e->freq, 0, sizeof e->freq);
    for (size_t i = 0; i < n; i++) e->freq[in[i]]++;
    uint32_t im = 0, iM = 0;
    while (!e->freq[im]) im++;
    for (uint32_t i = 65535; i > 0; i--)
        if (e->freq[i]) {
            iM = i;
            break;
        }
    /* the run pseudo-symbol, counted once */
    iM++;
    e->freq[iM] = 1;
    if (!build_lengths(e, im, iM))
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_LIMIT, "Huffman code longer than 58 bits");

    uint32_t cnt[MAX_LEN + 1] = {0};
    uint64_t first[MAX_LEN + 1];
    for (uint32_t i = im; i <= iM; i++) cnt[e->len[i]]++;
    cnt[0] = 0;
    canonical_first(cnt, first);
    for (uint32_t i = im; i <= iM; i++)
        if (e->len[i]) e->code[i] = first[e->len[i]]++;

    bitw w = {dst + HEADER, dst + dst_cap, 0, 0, false};
    pack_lengths(&w, e->len, im, iM);
    bw_finish(&w);
    if (w.overflow) return EXRQOI_ERR_BUFFER_TOO_SMALL;
    uint8_t *data = w.p;
    size_t table_len = (size_t)(data - (dst + HEADER));

    uint32_t s = in[0], extra = 0;
    for (size_t i = 1; i < n; i++) {
        uint32_t v = in[i];
        if (v != s || extra == 255) {
            send_run(&w, e, s, extra, iM);
            s = v;
            extra = 0;
        } else {
            extra++;
        }
        if (EXRQOI_UNLIKELY(w.overflow)) break;
    }
    send_run(&w, e, s, extra, iM);
    bw_flush(&w);
    size_t tail = (size_t)w.nacc;
    bw_finish(&w);
    if (w.overflow) return EXRQOI_ERR_BUFFER_TOO_SMALL;
    size_t data_len = (size_t)(w.p - data);
    uint64_t nbits = (uint64_t)data_len * 8 - (tail ? 8 - tail : 0);
    if (nbits > UINT32_MAX || table_len > UINT32_MAX)
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_LIMIT, "Huffman stream longer than 2^32 bits");

    exrqoi__put32(dst, im);
    exrqoi__put32(dst + 4, iM);
    exrqoi__put32(dst + 8, (uint32_t)table_len);
    exrqoi__put32(dst + 12, (uint32_t)nbits);
    exrqoi__put32(dst + 16, 0);
    *out_size = HEADER + table_len + data_len;
    return EXRQOI_OK;
}

/* ======================================================================
 * Decoder
 * ====================================================================== */

/* Codes up to FAST_BITS long resolve with one lookup of the next
 * FAST_BITS stream bits. Entry: len (bits 0..5), SLOW flag, symbol << 8.
 * SLOW marks the run symbol and prefixes of longer codes (len 0). */
#define FAST_BITS 12
#define SLOW 64u

typedef struct huf_dec {
    uint32_t fast[1u << FAST_BITS];
    /* like fast, plus a second short non-run code when both fit in
     * FAST_BITS: bit 7 set, second symbol at bit 24, len = both */
    uint64_t pair[1u << FAST_BITS];
    /* codes longer than FAST_BITS: for each used length (ascending), the
     * left-justified first code, the code range and where its symbols
     * (in code order) start in `syms` */
    int nlong;
    uint8_t long_len[MAX_LEN + 1];
    uint64_t long_lj[MAX_LEN + 1];
    uint64_t long_first[MAX_LEN + 1];
    uint32_t long_cnt[MAX_LEN + 1];
    uint32_t long_start[MAX_LEN + 1];
    uint32_t rlc;
    uint32_t nused;
    uint32_t syms[NSYM];
    uint32_t used[NSYM]; /* symbols with a code, ascending */
    uint8_t len[NSYM];   /* their code lengths */
} huf_dec;

/* MSB-first reader for the length table; reads whole bytes only when
 * needed, so the bytes consumed are those the table occupies. */
typedef struct bitr {
    const uint8_t *p, *end;
    uint64_t buf;
    int nb;
} bitr;

static inline bool br_get(bitr *r, int n, uint32_t *v)
{
    while (r->nb < n) {
        if (r->p >= r->end) return false;
        r->buf = (r->buf << 8) | *r->p++;
        r->nb += 8;
    }
    r->nb -= n;
    *v = (uint32_t)(r->buf >> r->nb) & ((1u << n) - 1);
    return true;
}

/* Reads the lengths of im..iM: the symbols with a code go to d->used /
 * d->len in symbol order, their count per length to cnt. */
static exrqoi_result read_lengths(exrqoi__codec_ctx *ctx, huf_dec *d, const uint8_t *p,
                                  size_t avail, uint32_t im, uint32_t iM,
                                  uint32_t cnt[MAX_LEN + 1], size_t *table_bytes)
{
    bitr r = {p, p + avail, 0, 0};
    uint32_t nused = 0;
    for (uint32_t i = im; i <= iM; i++) {
        uint32_t l;
        if (!br_get(&r, 6, &l)) return corrupt(ctx, "code length table is truncated");
        if (l < SHORT_RUN) {
            if (l) {
                d->used[nused] = i;
                d->len[nused++] = (uint8_t)l;
                cnt[l]++;
            }
            continue;
        }
        uint32_t run;
        if (l == LONG_RUN) {
            if (!br_get(&r, 8, &run)) return corrupt(ctx, "code length table is truncated");
            run += LONG_RUN_MIN;
        } else {
            run = l - SHORT_RUN + 2;
        }
        if (run > iM - i + 1) return corrupt(ctx, "zero run beyond the end of the code table");
        i += run - 1;
    }
    d->nused = nused;
    *table_bytes = (size_t)(r.p - p);
    return EXRQOI_OK;
}

/* Canonical codes from the lengths; rejects overlapping or overfull
 * codes so every decoded prefix is unambiguous. */
static exrqoi_result build_decoder(exrqoi__codec_ctx *ctx, huf_dec *d, const uint32_t cnt[],
                                   uint32_t iM)
{
    uint64_t first[MAX_LEN + 1], next[MAX_LEN + 1];
    canonical_first(cnt, first);
    /* Each length's codes must end on an even boundary before any
     * shorter code exists (else the canonical rule overlaps them), and
     * fit in l bits. */
    bool odd = false;
    for (int l = MAX_LEN; l > 0; l--) {
        if (!cnt[l]) {
            if (first[l] & 1) odd = true;
            continue;
        }
        if (odd) return corrupt(ctx, "code lengths do not form a prefix code");
        if (first[l] + cnt[l] > ((uint64_t)1 << l))
            return corrupt(ctx, "code lengths oversubscribe the code space");
        if ((first[l] + cnt[l]) & 1) odd = true;
    }

    /* prefixes no short code claims go to the long search (which also
     * rejects those that no code claims at all) */
    for (uint32_t k = 0; k < (1u << FAST_BITS); k++) d->fast[k] = SLOW;
    d->nlong = 0;
    uint32_t start = 0;
    int kl[MAX_LEN + 1] = {0};
    for (int l = FAST_BITS + 1; l <= MAX_LEN; l++) {
        if (!cnt[l]) continue;
        int k = d->nlong++;
        kl[l] = k;
        d->long_len[k] = (uint8_t)l;
        d->long_first[k] = first[l];
        d->long_lj[k] = first[l] << (64 - l);
        d->long_cnt[k] = cnt[l];
        d->long_start[k] = start;
        start += cnt[l];
    }
    memcpy(next, first, sizeof next);
    d->rlc = iM;
    for (uint32_t u = 0; u < d->nused; u++) {
        uint32_t i = d->used[u];
        int l = d->len[u];
        uint64_t c = next[l]++;
        if (l <= FAST_BITS) {
            uint32_t entry = (i << 8) | (uint32_t)l | (i == iM ? SLOW : 0u);
            uint32_t *t = d->fast + (c << (FAST_BITS - l));
            for (uint32_t k = 0, m = 1u << (FAST_BITS - l); k < m; k++) t[k] = entry;
        } else {
            int k = kl[l];
            d->syms[d->long_start[k] + (uint32_t)(c - first[l])] = i;
        }
    }
    const uint32_t mask = (1u << FAST_BITS) - 1;
    for (uint32_t k = 0; k <= mask; k++) {
        uint32_t e = d->fast[k];
        uint64_t pe = e;
        if (!(e & SLOW)) {
            unsigned l1 = e & 63;
            uint32_t e2 = d->fast[(k << l1) & mask];
            unsigned l2 = e2 & 63;
            /* the second code must lie entirely in the known bits */
            if (!(e2 & SLOW) && l1 + l2 <= FAST_BITS)
                pe = ((uint64_t)(e2 >> 8) << 24) | ((uint64_t)(e >> 8) << 8) | 128u | (l1 + l2);
        }
        d->pair[k] = pe;
    }
    return EXRQOI_OK;
}

/* 64 stream bits starting at bit `pos` of `p` (needs 9 readable bytes). */
static inline uint64_t peek64(const uint8_t *p, uint64_t pos)
{
    const uint8_t *b = p + (pos >> 3);
    unsigned s = (unsigned)(pos & 7);
    uint64_t w = load_be64(b);
    if (s) w = (w << s) | (uint64_t)(b[8] >> (8 - s));
    return w;
}

/* Bytes that must stay readable after the byte holding `pos`: a 58-bit
 * code plus its 8-bit run count, read with 9-byte peeks. */
#define MARGIN 17

/* The symbol at `pos` whose fast entry `e` is SLOW: the run symbol or a
 * long code. Returns false on a code or run error. */
static inline bool step_slow(const huf_dec *restrict d, const uint8_t *restrict buf,
                             uint64_t *restrict ppos, uint32_t e, uint16_t *restrict out,
                             size_t *restrict po, size_t n)
{
    uint64_t pos = *ppos;
    size_t o = *po;
    uint64_t w = peek64(buf, pos);
    uint32_t sym;
    unsigned l = e & 63;
    if (l) {
        sym = e >> 8;
    } else {
        int k = 0;
        while (k < d->nlong && w < d->long_lj[k]) k++;
        if (k == d->nlong) return false;
        l = d->long_len[k];
        uint64_t idx = (w >> (64 - l)) - d->long_first[k];
        if (idx >= d->long_cnt[k]) return false;
        sym = d->syms[d->long_start[k] + (uint32_t)idx];
    }
    pos += l;
    if (sym == d->rlc) {
        uint32_t run = (uint32_t)(peek64(buf, pos) >> 56);
        pos += 8;
        if (o == 0 || run > n - o) return false;
        uint16_t v = out[o - 1];
        for (uint32_t k = 0; k < run; k++) out[o + k] = v;
        o += run;
    } else {
        out[o++] = (uint16_t)sym;
    }
    *ppos = pos;
    *po = o;
    return true;
}

/* Decodes from `buf` while pos < limit (so peeks stay inside) and output
 * is missing. Returns false on a code error. */
static inline bool decode_span(const huf_dec *restrict d, const uint8_t *restrict buf,
                               uint64_t *restrict ppos, uint64_t limit, uint16_t *restrict out,
                               size_t *restrict po, size_t n)
{
    uint64_t pos = *ppos;
    size_t o = *po;
    const uint64_t *pair = d->pair;
    /* Pairs of short codes per lookup while two outputs are missing. */
    while (o + 1 < n && pos < limit) {
        uint64_t w = peek64(buf, pos);
        int left = 64;
        uint64_t e = pair[w >> (64 - FAST_BITS)];
        while (!(e & SLOW)) {
            unsigned l = (unsigned)e & 63;
            out[o] = (uint16_t)(e >> 8);
            out[o + 1] = (uint16_t)(e >> 24); /* overwritten later if single */
            o += 1 + ((e >> 7) & 1);
            pos += l;
            w <<= l;
            left -= (int)l;
            if (left < FAST_BITS || o + 1 >= n) goto next;
            e = pair[w >> (64 - FAST_BITS)];
        }
        if (!step_slow(d, buf, &pos, (uint32_t)e, out, &o, n)) return false;
    next:;
    }
    /* the last value (or a span end): one code at a time */
    while (o < n && pos < limit) {
        uint32_t e = d->fast[peek64(buf, pos) >> (64 - FAST_BITS)];
        if (!(e & SLOW)) {
            out[o++] = (uint16_t)(e >> 8);
            pos += e & 63;
        } else if (!step_slow(d, buf, &pos, e, out, &o, n)) {
            return false;
        }
    }
    *ppos = pos;
    *po = o;
    return true;
}

exrqoi_result exrqoi__huf_decompress(exrqoi__codec_ctx *ctx, const uint8_t *src, size_t src_size,
                                     uint16_t *out, size_t n_out)
{
    if (n_out == 0) return EXRQOI_OK;
    if (src_size < HEADER) return corrupt(ctx, "stream shorter than its header");
    uint32_t im = exrqoi__le32(src), iM = exrqoi__le32(src + 4);
    uint32_t nbits = exrqoi__le32(src + 12);
    if (im >= NSYM || iM >= NSYM || im > iM)
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_CORRUPT,
                            "Huffman data: symbol range %u..%u is invalid", im, iM);

    void *mem;
    EXRQOI_TRY(exrqoi__codec_scratch(ctx, HUF_SLOT, sizeof(huf_dec), &mem));
    huf_dec *d = (huf_dec *)mem;
    size_t table_bytes = 0;
    uint32_t cnt[MAX_LEN + 1] = {0};
    EXRQOI_TRY(read_lengths(ctx, d, src + HEADER, src_size - HEADER, im, iM, cnt, &table_bytes));
    size_t avail = src_size - HEADER - table_bytes;
    size_t nbytes = ((size_t)nbits + 7) / 8;
    if (nbytes > avail)
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_CORRUPT,
                            "Huffman data: %u bits announced, %zu bytes present", nbits, avail);
    EXRQOI_TRY(build_decoder(ctx, d, cnt, iM));

    const uint8_t *data = src + HEADER + table_bytes;
    uint64_t pos = 0;
    size_t o = 0;
    if (nbytes > MARGIN) {
        uint64_t limit = (uint64_t)(nbytes - MARGIN) * 8;
        if (!decode_span(d, data, &pos, limit, out, &o, n_out)) goto bad;
    }
    if (o < n_out) {
        /* the last bytes, zero-padded so the peeks stay in bounds */
        uint8_t tail[2 * MARGIN + 8];
        size_t from = (size_t)(pos >> 3), rest = nbytes - from;
        memset(tail, 0, sizeof tail);
        memcpy(tail, data + from, rest);
        uint64_t tpos = pos & 7;
        if (!decode_span(d, tail, &tpos, (uint64_t)(MARGIN + 8) * 8, out, &o, n_out)) goto bad;
        pos = (uint64_t)from * 8 + tpos;
    }
    if (o != n_out || pos != nbits) goto bad;
    return EXRQOI_OK;
bad:
    return exrqoi__fail(&ctx->err, EXRQOI_ERR_CORRUPT,
                        "Huffman data does not decode to %zu values in %u bits", n_out, nbits);
}
