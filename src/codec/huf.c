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
 * Scratch: both directions keep their tables in EXRQOI__SCRATCH_HUF
 * (codec/services.h lists what shares it).
 */
#include "codec/huf.h"

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
    uint64_t code[NSYM + 1];
    uint64_t heap[NSYM + 1]; /* keys: frequency << SYM_BITS | symbol; + sentinel */
    uint32_t freq[NSYM + 1];
    uint32_t used[NSYM + 1];       /* symbols with a nonzero count, ascending */
    uint32_t node[NSYM + 1];       /* tree node a heap entry stands for */
    uint32_t parent[2 * NSYM + 2]; /* leaves are 0..NSYM, merges from NSYM + 1 */
    uint32_t depth[NSYM + 1];      /* of merge nodes */
    uint8_t len[NSYM + 1];
} huf_enc;

/* OpenEXR orders its heap by frequency, ties by symbol index: a total
 * order, so whatever the heap's shape the merge sequence (hence every code
 * length) is the same. Packing both into one integer key makes each
 * comparison a plain compare; frequencies stay below 2^33, so keys fit.
 * h[n] holds a sentinel (all ones), so picking the smaller child needs no
 * bounds branch. */
#define SYM_BITS 17
#define SENTINEL UINT64_MAX

static void heap_down(uint64_t *h, size_t n, size_t i)
{
    uint64_t v = h[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n) break;
        c += h[c + 1] < h[c];
        if (h[c] > v) break;
        h[i] = h[c];
        i = c;
    }
    h[i] = v;
}

/* Removes the top. The last key, put in its place, mostly belongs near
 * the bottom: walk the hole down along the smaller children first, then
 * let the key rise (fewer comparisons than sifting it down). */
static uint64_t heap_pop(uint64_t *h, size_t *pn)
{
    uint64_t top = h[0];
    size_t n = --*pn, i = 0;
    uint64_t v = h[n];
    h[n] = SENTINEL;
    if (n == 0) return top;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n) break;
        c += h[c + 1] < h[c];
        h[i] = h[c];
        i = c;
    }
    while (i > 0) {
        size_t q = (i - 1) / 2;
        if (h[q] < v) break;
        h[i] = h[q];
        i = q;
    }
    h[i] = v;
    return top;
}

/* Code lengths into e->len[im..iM] (zero for unused symbols) and the used
 * symbols into e->used; returns their count, or 0 if a code would exceed
 * 58 bits (cannot happen below ~10^11 values). Each merge makes a tree
 * node; a leaf's length is its depth. */
static uint32_t build_lengths(huf_enc *e, uint32_t im, uint32_t iM)
{
    uint64_t *h = e->heap;
    size_t nf = 0;
    /* the lengths cleared at once and the counts tested four at a time:
     * DWA's AC values span nearly all 65536 symbols but use a few
     * thousand, and this scan ran over the whole span for every chunk */
    memset(e->len + im, 0, (size_t)(iM - im) + 1);
    uint32_t i = im;
    for (; iM - i >= 4; i += 4) {
        uint64_t a, b;
        memcpy(&a, e->freq + i, sizeof a);
        memcpy(&b, e->freq + i + 2, sizeof b);
        if (!(a | b)) continue;
        for (uint32_t k = i; k < i + 4; k++)
            if (e->freq[k]) {
                e->used[nf] = k;
                e->node[k] = k;
                h[nf++] = (uint64_t)e->freq[k] << SYM_BITS | k;
            }
    }
    for (; i <= iM; i++)
        if (e->freq[i]) {
            e->used[nf] = i;
            e->node[i] = i;
            h[nf++] = (uint64_t)e->freq[i] << SYM_BITS | i;
        }
    uint32_t nused = (uint32_t)nf;
    h[nf] = SENTINEL;
    for (size_t i = nf / 2; i-- > 0;) heap_down(h, nf, i);
    const uint64_t sym_mask = ((uint64_t)1 << SYM_BITS) - 1;
    uint32_t id = NSYM + 1;
    while (nf > 1) {
        uint64_t kmm = heap_pop(h, &nf), km = h[0];
        uint32_t mm = (uint32_t)(kmm & sym_mask), m = (uint32_t)(km & sym_mask);
        /* m takes mm's frequency: its key only grows, so it sinks */
        h[0] = (((km >> SYM_BITS) + (kmm >> SYM_BITS)) << SYM_BITS) | m;
        heap_down(h, nf, 0);
        e->parent[e->node[m]] = id;
        e->parent[e->node[mm]] = id;
        e->node[m] = id++;
    }
    if (nused < 2) return nused; /* no merge: length 0, as OpenEXR */
    /* merge nodes come after their children: depths from the root down;
     * node ids start at NSYM + 1, so e->depth is indexed from there */
    uint32_t *depth = e->depth;
    const uint32_t base = NSYM + 1;
    uint32_t root = id - 1;
    depth[root - base] = 0;
    for (uint32_t k = root; k-- > base;) depth[k - base] = depth[e->parent[k] - base] + 1;
    for (uint32_t u = 0; u < nused; u++) {
        uint32_t i = e->used[u], l = depth[e->parent[i] - base] + 1;
        if (l > MAX_LEN) return 0;
        e->len[i] = (uint8_t)l;
    }
    return nused;
}

/* MSB-first bit writer; `acc` holds `nacc` (< 64) pending bits. */
typedef struct bitw {
    uint8_t *p, *end;
    uint64_t acc;
    int nacc;
    bool overflow;
} bitw;

static inline void store_be64(uint8_t *p, uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    memcpy(p, &v, 8);
}

static inline void bw_flush(bitw *w)
{
    /* all whole bytes with one store when 8 bytes of room remain (the
     * bytes past them are rewritten later or lie beyond the output) */
    if (EXRQOI_LIKELY(w->nacc > 0 && w->end - w->p >= 8)) {
        store_be64(w->p, w->acc << (64 - w->nacc));
        w->p += w->nacc >> 3;
        w->nacc &= 7;
        return;
    }
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

/* How many of len[i..end) are zero, at most max. */
static inline uint32_t zero_run(const uint8_t *len, uint32_t i, uint32_t end, uint32_t max)
{
    uint32_t j = i, stop = end - i > max ? i + max : end;
    while (stop - j >= 8) {
        uint64_t v;
        memcpy(&v, len + j, 8);
        if (v) break;
        j += 8;
    }
    while (j < stop && len[j] == 0) j++;
    return j - i;
}

static void pack_lengths(bitw *w, const uint8_t *len, uint32_t im, uint32_t iM)
{
    for (uint32_t i = im; i <= iM; i++) {
        if (len[i] == 0) {
            uint32_t run = zero_run(len, i, iM + 1, LONG_RUN_MAX);
            i += run - 1;
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

static inline void store_be32(uint8_t *p, uint32_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    v = __builtin_bswap32(v);
#endif
    memcpy(p, &v, 4);
}

/* Most bytes one run (send_run) can write: a code used for repeats is at
 * most ls + lr + 8 bits longer than the run code, so a run is at most
 * 2 * 58 + 58 + 8 bits, plus the 31 pending ones. */
#define RUN_MAX_BYTES 32

/* The values in[*pi..n) as send_run codes them, with the bit writer in
 * registers (pending bits stay below 32, flushed 32 at a time) while
 * RUN_MAX_BYTES of room remain; returns with *pi at the first value not
 * written and *w holding the pending bits. */
static void encode_runs_fast(bitw *w, const huf_enc *e, const uint16_t *in, size_t n, size_t *pi,
                             uint32_t rlc)
{
    if (w->nacc >= 32 || w->end - w->p < RUN_MAX_BYTES) return;
    uint8_t *p = w->p;
    const uint8_t *stop = w->end - RUN_MAX_BYTES;
    uint64_t acc = w->acc;
    int nacc = w->nacc;
    const int lr = e->len[rlc];
    const uint64_t cr = e->code[rlc];
#define PUT32(n_, v_)                                                                              \
    do {                                                                                           \
        acc = (acc << (n_)) | (v_);                                                                \
        nacc += (n_);                                                                              \
        if (nacc >= 32) {                                                                          \
            nacc -= 32;                                                                            \
            store_be32(p, (uint32_t)(acc >> nacc));                                                \
            p += 4;                                                                                \
        }                                                                                          \
    } while (0)
#define PUT(n_, v_)                                                                                \
    do {                                                                                           \
        if ((n_) > 32) {                                                                           \
            PUT32((n_)-32, (v_) >> 32);                                                            \
            PUT32(32, (v_)&0xffffffffu);                                                           \
        } else {                                                                                   \
            PUT32((n_), (v_));                                                                     \
        }                                                                                          \
    } while (0)
    size_t i = *pi;
    while (i < n && p <= stop) {
        uint32_t s = in[i];
        size_t j = i + 1, lim = n - i > 256 ? i + 256 : n;
        while (j < lim && in[j] == s) j++;
        int ls = e->len[s];
        uint64_t cs = e->code[s];
        uint32_t extra = (uint32_t)(j - i - 1);
        i = j;
        if (extra == 0) {
            PUT(ls, cs);
        } else if (ls + lr + 8 < ls * (int)extra) {
            PUT(ls, cs);
            PUT(lr, cr);
            PUT32(8, extra);
        } else {
            for (uint32_t k = 0; k <= extra; k++) PUT(ls, cs);
        }
    }
#undef PUT
#undef PUT32
    *pi = i;
    w->p = p;
    w->acc = acc;
    w->nacc = nacc;
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
    EXRQOI_TRY(exrqoi__codec_scratch(ctx, EXRQOI__SCRATCH_HUF, sizeof(huf_enc), &mem));
    huf_enc *e = (huf_enc *)mem;

    /* 32-bit counts (half the table to clear); OpenEXR's PIZ cannot make
     * blocks anywhere near 2^32 values */
    if (n >= UINT32_MAX)
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_LIMIT, "Huffman block of 2^32 values or more");
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
    uint32_t nused = build_lengths(e, im, iM);
    if (!nused)
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_LIMIT, "Huffman code longer than 58 bits");

    uint32_t cnt[MAX_LEN + 1] = {0};
    uint64_t first[MAX_LEN + 1];
    for (uint32_t u = 0; u < nused; u++) cnt[e->len[e->used[u]]]++;
    cnt[0] = 0;
    canonical_first(cnt, first);
    for (uint32_t u = 0; u < nused; u++) {
        uint32_t i = e->used[u];
        if (e->len[i]) e->code[i] = first[e->len[i]]++;
    }

    bitw w = {dst + HEADER, dst + dst_cap, 0, 0, false};
    pack_lengths(&w, e->len, im, iM);
    bw_finish(&w);
    if (w.overflow) return EXRQOI_ERR_BUFFER_TOO_SMALL;
    uint8_t *data = w.p;
    size_t table_len = (size_t)(data - (dst + HEADER));

    size_t at = 0;
    encode_runs_fast(&w, e, in, n, &at, iM);
    if (at < n) { /* the last RUN_MAX_BYTES of room: the careful writer */
        uint32_t s = in[at], extra = 0;
        for (size_t i = at + 1; i < n; i++) {
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
    }
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

/* Codes up to `tbits` long resolve with one lookup of the next tbits
 * stream bits. Small streams use the longest code length capped at
 * TABLE_BITS, so they build small tables; streams for decode_split use
 * TABLE_BITS (32 KB, stays in L1) or, when codes longer than that carry
 * much of the data, BIG_TABLE_BITS (fewer slow symbols beat the cache
 * misses then). Entry: len (bits 0..5), SLOW flag, symbol << 16. SLOW
 * marks the run symbol (len set) and prefixes of longer codes (len 0). */
#define TABLE_BITS 13
#define BIG_TABLE_BITS 14
#define SLOW 64u

/* When at most NARROW_MAX symbols have codes of up to TABLE_BITS (DWA's
 * AC data: under a thousand), the split decoder numbers them (rank ->
 * symbol in rsym) and uses two tables of TABLE_BITS:
 *  - tab16: one code per entry: len (bits 0..3), SLOW16, rank << 5;
 *  - tab2: up to two codes per entry, for the two-reader loop: total len
 *    (bits 0..4), PAIR, SLOW (same meaning and bits 0..5 as in tab),
 *    rank of the first code << 7, of the second << 18.
 * One lookup (the loop's critical path: shift, load, shift) then often
 * yields two symbols; the symbol loads are off that path. */
#define SLOW16 16u
#define PAIR 32u
#define NARROW_MAX 2048
#define PAIR_MIN_VALUES (1u << 17)

typedef struct huf_dec {
    uint32_t tab[1u << BIG_TABLE_BITS];
    uint32_t tab2[1u << TABLE_BITS];
    uint16_t tab16[1u << TABLE_BITS];
    uint16_t rsym[NARROW_MAX];
    bool narrow; /* tab16 / tab2 / rsym in use instead of tab */
    unsigned tbits;
    /* codes longer than tbits: for each used length (ascending), the
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
    uint32_t by_len[NSYM]; /* the same grouped by code length: code order */
    uint8_t len[NSYM];   /* their code lengths */
} huf_dec;

/* Stream bits from bit `bp` of p[0..avail), MSB first; at least 57 of
 * them are valid (zeros past the end). */
static inline uint64_t peek_bits(const uint8_t *p, size_t avail, uint64_t bp)
{
    size_t at = (size_t)(bp >> 3);
    uint64_t w;
    if (EXRQOI_LIKELY(avail >= 8 && at <= avail - 8)) {
        w = load_be64(p + at);
    } else {
        uint8_t tmp[8] = {0};
        if (at < avail) memcpy(tmp, p + at, avail - at);
        w = load_be64(tmp);
    }
    return w << (bp & 7);
}

/* Reads the lengths of im..iM: the symbols with a code go to d->used /
 * d->len in symbol order, their count per length to cnt. The table ends
 * at the byte holding its last bit. */
static exrqoi_result read_lengths(exrqoi__codec_ctx *ctx, huf_dec *d, const uint8_t *p,
                                  size_t avail, uint32_t im, uint32_t iM,
                                  uint32_t cnt[MAX_LEN + 1], size_t *table_bytes)
{
    const uint64_t nb = (uint64_t)avail * 8;
    uint64_t bp = 0;
    uint32_t nused = 0;
    /* Lengths and zero runs alternate at random, so each field is decoded
     * without a branch on its kind; a field takes at most 14 bits, so one
     * 57-bit peek serves four. */
    for (uint32_t i = im; i <= iM;) {
        uint64_t w = peek_bits(p, avail, bp);
        for (int k = 0; k < 4 && i <= iM; k++) {
            uint32_t l = (uint32_t)(w >> 58);
            bool is_long = l == LONG_RUN, is_run = l >= SHORT_RUN;
            unsigned nbits = is_long ? 14 : 6;
            uint32_t run = is_long ? (uint32_t)(w >> 50 & 0xff) + LONG_RUN_MIN
                                   : (is_run ? l - SHORT_RUN + 2 : 1);
            uint32_t code = is_run ? 0 : l;
            w <<= nbits;
            bp += nbits;
            if (EXRQOI_UNLIKELY(is_run && (bp > nb || run > iM - i + 1))) {
                if (bp > nb) return corrupt(ctx, "code length table is truncated");
                return corrupt(ctx, "zero run beyond the end of the code table");
            }
            /* written always, kept when the length is not zero (nused
             * stays below i - im + 1 <= NSYM here) */
            d->used[nused] = i;
            d->len[nused] = (uint8_t)code;
            nused += code != 0;
            cnt[code]++;
            i += run;
        }
    }
    cnt[0] = 0;
    if (bp > nb) return corrupt(ctx, "code length table is truncated");
    d->nused = nused;
    *table_bytes = (size_t)((bp + 7) >> 3);
    return EXRQOI_OK;
}

/* Canonical codes from the lengths; rejects overlapping or overfull
 * codes so every decoded prefix is unambiguous. `full` asks for a
 * TABLE_BITS or BIG_TABLE_BITS table whatever the code lengths (the
 * split decoder's loops are compiled for those two), `narrow` for the
 * ranked TABLE_BITS tables (tab16, tab2) when the symbols allow it. */
static exrqoi_result build_decoder(exrqoi__codec_ctx *ctx, huf_dec *d, const uint32_t cnt[],
                                   uint32_t iM, bool full, bool narrow)
{
    uint64_t first[MAX_LEN + 1];
    canonical_first(cnt, first);
    /* Each length's codes must end on an even boundary before any
     * shorter code exists (else the canonical rule overlaps them), and
     * fit in l bits. */
    bool odd = false;
    unsigned maxlen = 1;
    for (int l = MAX_LEN; l > 0; l--) {
        if (!cnt[l]) {
            if (first[l] & 1) odd = true;
            continue;
        }
        if (odd) return corrupt(ctx, "code lengths do not form a prefix code");
        if (first[l] + cnt[l] > ((uint64_t)1 << l))
            return corrupt(ctx, "code lengths oversubscribe the code space");
        if ((first[l] + cnt[l]) & 1) odd = true;
        if ((unsigned)l > maxlen) maxlen = (unsigned)l;
    }
    unsigned tb = maxlen < TABLE_BITS ? maxlen : TABLE_BITS;
    if (full) {
        /* share of the code space (~ of the symbols) in longer codes,
         * in units of 2^-58; the checks above bound it by 2^58 */
        uint64_t mass = 0;
        for (unsigned l = TABLE_BITS + 1; l <= MAX_LEN; l++)
            mass += (uint64_t)cnt[l] << (MAX_LEN - l);
        tb = mass > ((uint64_t)1 << MAX_LEN) / 20 ? BIG_TABLE_BITS : TABLE_BITS;
    }
    if (full && narrow) {
        uint32_t nshort = 0;
        for (unsigned l = 1; l <= TABLE_BITS; l++) nshort += cnt[l];
        narrow = nshort <= NARROW_MAX; /* the run symbol needs no rank: one spare is fine */
        if (narrow) tb = TABLE_BITS;
    } else {
        narrow = false;
    }
    d->tbits = tb;
    d->narrow = narrow;

    /* prefixes no short code claims go to the long search (which also
     * rejects those that no code claims at all) */
    if (narrow)
        for (uint32_t k = 0; k < (1u << tb); k++) d->tab16[k] = SLOW16;
    else
        for (uint32_t k = 0; k < (1u << tb); k++) d->tab[k] = SLOW;
    uint32_t rank = 0;
    d->nlong = 0;
    uint32_t start = 0;
    for (unsigned l = tb + 1; l <= MAX_LEN; l++) {
        if (!cnt[l]) continue;
        int k = d->nlong++;
        d->long_len[k] = (uint8_t)l;
        d->long_first[k] = first[l];
        d->long_lj[k] = first[l] << (64 - l);
        d->long_cnt[k] = cnt[l];
        d->long_start[k] = start;
        start += cnt[l];
    }
    d->rlc = iM;
    /* Symbols grouped by length (stable: symbol order is code order
     * within a length), then each length's codes fill their contiguous
     * part of the table: loops of a fixed count per length instead of a
     * branch on every symbol's length. */
    uint32_t at[MAX_LEN + 2];
    at[1] = 0;
    for (unsigned l = 1; l <= MAX_LEN; l++) at[l + 1] = at[l] + cnt[l];
    for (uint32_t u = 0; u < d->nused; u++) d->by_len[at[d->len[u]]++] = d->used[u];
    uint32_t pos = 0;
    for (unsigned l = 1; l <= tb; l++) {
        uint32_t m = 1u << (tb - l), n = cnt[l];
        const uint32_t *sym = d->by_len + pos;
        pos += n;
        if (narrow) {
            uint16_t *t = d->tab16 + (first[l] << (tb - l));
            for (uint32_t j = 0; j < n; j++, t += m) {
                uint16_t entry = (uint16_t)(SLOW16 | l);
                if (sym[j] != iM) {
                    d->rsym[rank] = (uint16_t)sym[j];
                    entry = (uint16_t)(rank++ << 5 | l);
                }
                for (uint32_t k = 0; k < m; k++) t[k] = entry;
            }
        } else {
            uint32_t *t = d->tab + (first[l] << (tb - l));
            for (uint32_t j = 0; j < n; j++, t += m) {
                /* the run symbol may be 65536: it needs no symbol bits */
                uint32_t entry = sym[j] == iM ? (SLOW | l) : ((sym[j] << 16) | l);
                for (uint32_t k = 0; k < m; k++) t[k] = entry;
            }
        }
    }
    /* longer codes: in code order per length, lengths ascending, as the
     * long_start offsets above */
    if (d->nused > pos) memcpy(d->syms, d->by_len + pos, (d->nused - pos) * sizeof *d->syms);
    if (narrow) {
        /* a second code joins an entry when all its bits are among the
         * entry's (the bits after the first code are the next lookup's
         * top bits, the unknown ones zero); never the run symbol */
        const uint32_t mask = (1u << TABLE_BITS) - 1;
        for (uint32_t k = 0; k <= mask; k++) {
            uint32_t e1 = d->tab16[k];
            if (e1 & SLOW16) {
                d->tab2[k] = SLOW | (e1 & 15);
                continue;
            }
            uint32_t l1 = e1 & 15, e2 = d->tab16[(k << l1) & mask], l2 = e2 & 15;
            uint32_t entry = l1 | (e1 >> 5) << 7;
            if (!(e2 & SLOW16) && l1 + l2 <= TABLE_BITS)
                entry = (l1 + l2) | PAIR | (e1 >> 5) << 7 | (e2 >> 5) << 18;
            d->tab2[k] = entry;
        }
    }
    return EXRQOI_OK;
}

/* Readable bytes needed past a span's last refill start (see the bounds
 * in decode_span and slow_step). */
#define MARGIN 48

/* The bit reader: `buf` holds the next stream bits MSB first, `cnt` of
 * them counted valid; the bits below are zero or the following stream
 * bits, so OR-ing in a fresh load at bit `cnt` is exact. A refill reads 8
 * bytes at p and leaves 56..63 valid bits; right after it all 64 bits of
 * buf are stream bits. */
#define REFILL(p, buf, cnt)                                                                \
    do {                                                                                   \
        buf |= load_be64(p) >> cnt;                                                        \
        p += (63 - cnt) >> 3;                                                              \
        cnt |= 56;                                                                         \
    } while (0)

/* Restarts a reader at stream bit `pos` of `base`. */
#define SEEK(pos, p, buf, cnt)                                                             \
    do {                                                                                   \
        p = base + ((pos) >> 3);                                                           \
        buf = 0;                                                                           \
        cnt = 0;                                                                           \
        REFILL(p, buf, cnt);                                                               \
        buf <<= (pos)&7;                                                                   \
        cnt -= (unsigned)((pos)&7);                                                        \
    } while (0)

/* Stream bit position of a reader. */
#define TELL(p, cnt) ((uint64_t)((p)-base) * 8 - (cnt))

/* One table-length code (>= 14 valid bits), or jump to `slow` with e in
 * the wide form's SLOW layout. `narrow` (a constant) picks the table. */
#define ONE(buf, cnt, out, o, slow)                                                        \
    do {                                                                                   \
        if (narrow) {                                                                      \
            e = tab16[buf >> shift];                                                       \
            if (EXRQOI_UNLIKELY(e & SLOW16)) {                                             \
                e = SLOW | (e & 15);                                                       \
                goto slow;                                                                 \
            }                                                                              \
            out[o++] = rsym[e >> 5];                                                       \
            buf <<= e & 15;                                                                \
            cnt -= e & 15;                                                                 \
        } else {                                                                           \
            e = tab[buf >> shift];                                                         \
            if (EXRQOI_UNLIKELY(e & SLOW)) goto slow;                                      \
            out[o++] = (uint16_t)(e >> 16);                                                \
            buf <<= e & 63;                                                                \
            cnt -= e & 63;                                                                 \
        }                                                                                  \
    } while (0)

/* One symbol whose table entry `e` is SLOW: a long code or the run
 * symbol. Returns false on a code or run error. Reads at most 24 bytes
 * past the p it is given. */
#define INLINE static inline __attribute__((always_inline))

INLINE bool slow_step(const huf_dec *restrict d, const uint8_t *restrict base,
                             const uint8_t **restrict pp, uint64_t *restrict pbuf,
                             unsigned *restrict pcnt, uint32_t e, uint16_t *restrict out,
                             size_t *restrict po, size_t n)
{
    const uint8_t *p = *pp;
    uint64_t buf = *pbuf;
    unsigned cnt = *pcnt;
    size_t o = *po;
    REFILL(p, buf, cnt);
    unsigned l = e & 63;
    uint32_t sym;
    if (l) {
        sym = d->rlc;
    } else {
        /* the first codes fall with the length: count those above buf
         * (no data-dependent branch) */
        int k = 0;
        for (int j = 0; j < d->nlong; j++) k += buf < d->long_lj[j];
        if (k == d->nlong) return false;
        l = d->long_len[k];
        uint64_t idx = (buf >> (64 - l)) - d->long_first[k];
        if (idx >= d->long_cnt[k]) return false;
        sym = d->syms[d->long_start[k] + (uint32_t)idx];
    }
    if (EXRQOI_LIKELY(l <= cnt)) {
        buf <<= l;
        cnt -= l;
    } else {
        /* a 57/58-bit code: all of it was in buf, but the count says 56 */
        uint64_t pos = TELL(p, cnt) + l;
        SEEK(pos, p, buf, cnt);
    }
    if (sym == d->rlc) {
        if (cnt < 8) REFILL(p, buf, cnt);
        uint32_t run = (uint32_t)(buf >> 56);
        buf <<= 8;
        cnt -= 8;
        if (o == 0 || run > n - o) return false;
        uint16_t v = out[o - 1];
        for (uint32_t k = 0; k < run; k++) out[o + k] = v;
        o += run;
    } else {
        out[o++] = (uint16_t)sym;
    }
    *pp = p;
    *pbuf = buf;
    *pcnt = cnt;
    *po = o;
    return true;
}

/* Decodes from stream bit *ppos of `base` while the refill pointer is at
 * most `pend` bytes in (base must be readable to pend + MARGIN) and output
 * is missing. Stops at a bit position <= pend * 8 + 66. Returns false on
 * a code error. */
INLINE bool span_impl(const huf_dec *restrict d, const uint8_t *restrict base,
                        uint64_t *restrict ppos, size_t pend, uint16_t *restrict out,
                        size_t *restrict po, size_t n, const bool narrow)
{
    const uint32_t *tab = d->tab;
    const uint16_t *tab16 = d->tab16, *rsym = d->rsym;
    const unsigned shift = 64 - d->tbits;
    const uint8_t *const pe = base + pend;
    const uint8_t *p;
    uint64_t buf;
    unsigned cnt;
    uint32_t e;
    size_t o = *po;
    if ((*ppos >> 3) > pend) return true;
    SEEK(*ppos, p, buf, cnt);
    while (p <= pe && o < n) {
        REFILL(p, buf, cnt);
        if (EXRQOI_LIKELY(n - o >= 4)) {
            /* >= 56 valid bits: four table-length codes fit */
            ONE(buf, cnt, out, o, slow);
            ONE(buf, cnt, out, o, slow);
            ONE(buf, cnt, out, o, slow);
            ONE(buf, cnt, out, o, slow);
            continue;
        }
        ONE(buf, cnt, out, o, slow);
        continue;
    slow:
        if (!slow_step(d, base, &p, &buf, &cnt, e, out, &o, n)) return false;
    }
    *ppos = TELL(p, cnt);
    *po = o;
    return true;
}

/* One tab2 entry: one or two codes (<= TABLE_BITS bits in all), or jump
 * to `slow`. Always stores two values: out needs room for both. */
#define ONE_PAIR(buf, cnt, out, o, slow)                                                   \
    do {                                                                                   \
        e = tab2[buf >> shift];                                                            \
        if (EXRQOI_UNLIKELY(e & SLOW)) goto slow;                                          \
        out[o] = rsym[(e >> 7) & (NARROW_MAX - 1)];                                        \
        out[o + 1] = rsym[e >> 18];                                                        \
        o += 1 + ((e >> 5) & 1);                                                           \
        buf <<= e & 31;                                                                    \
        cnt -= e & 31;                                                                     \
    } while (0)

/* Two readers at once, A and B on different parts of the stream, each as
 * decode_span (limits apend / bpend, outputs an / bn): the two decode
 * chains are independent, so their latencies overlap. Stops when either
 * reaches a limit. Returns 0, or 1 / 2 when A / B met a code error.
 * tb must be d->tbits (<= 14: four codes per refill). */
INLINE int dual_impl(const huf_dec *restrict d, const uint8_t *restrict base,
                     uint64_t *restrict apos, size_t apend, uint16_t *restrict aout,
                     size_t *restrict ao, size_t an, uint64_t *restrict bpos, size_t bpend,
                     uint16_t *restrict bout, size_t *restrict bo, size_t bn, const unsigned tb,
                     const bool pair)
{
    const uint32_t *tab = d->tab, *tab2 = d->tab2;
    const uint16_t *tab16 = d->tab16, *rsym = d->rsym;
    const bool narrow = false; /* one code per lookup: the wide table */
    const size_t room = pair ? 8 : 4; /* values four lookups may store */
    const unsigned shift = 64 - tb; /* a constant: one copy per table size */
    const uint8_t *const pea = base + apend, *const peb = base + bpend;
    const uint8_t *pa, *pb;
    uint64_t bufa, bufb;
    unsigned cnta, cntb;
    uint32_t e;
    size_t oa = *ao, ob = *bo;
    if ((*apos >> 3) > apend || (*bpos >> 3) > bpend) return 0;
    SEEK(*apos, pa, bufa, cnta);
    SEEK(*bpos, pb, bufb, cntb);
    while (pa <= pea && pb <= peb && an - oa >= room && bn - ob >= room) {
        REFILL(pa, bufa, cnta);
        REFILL(pb, bufb, cntb);
        if (pair) {
            ONE_PAIR(bufa, cnta, aout, oa, slow_a);
            ONE_PAIR(bufb, cntb, bout, ob, slow_b);
            ONE_PAIR(bufa, cnta, aout, oa, slow_a);
            ONE_PAIR(bufb, cntb, bout, ob, slow_b);
            ONE_PAIR(bufa, cnta, aout, oa, slow_a);
            ONE_PAIR(bufb, cntb, bout, ob, slow_b);
            ONE_PAIR(bufa, cnta, aout, oa, slow_a);
            ONE_PAIR(bufb, cntb, bout, ob, slow_b);
        } else {
            ONE(bufa, cnta, aout, oa, slow_a);
            ONE(bufb, cntb, bout, ob, slow_b);
            ONE(bufa, cnta, aout, oa, slow_a);
            ONE(bufb, cntb, bout, ob, slow_b);
            ONE(bufa, cnta, aout, oa, slow_a);
            ONE(bufb, cntb, bout, ob, slow_b);
            ONE(bufa, cnta, aout, oa, slow_a);
            ONE(bufb, cntb, bout, ob, slow_b);
        }
        continue;
    slow_a:
        if (!slow_step(d, base, &pa, &bufa, &cnta, e, aout, &oa, an)) return 1;
        continue;
    slow_b:
        if (!slow_step(d, base, &pb, &bufb, &cntb, e, bout, &ob, bn)) return 2;
    }
    *apos = TELL(pa, cnta);
    *bpos = TELL(pb, cntb);
    *ao = oa;
    *bo = ob;
    return 0;
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

/* Exactly one symbol at bit *ppos (needs 26 readable bytes past its
 * byte); *is_run tells whether it was the run symbol. */
static bool step_one(const huf_dec *d, const uint8_t *base, uint64_t *ppos, uint16_t *out,
                     size_t *po, size_t n, bool *is_run)
{
    uint64_t pos = *ppos, w = peek64(base, pos);
    size_t o = *po;
    uint32_t e, sym;
    if (d->narrow) {
        uint32_t e16 = d->tab16[w >> (64 - d->tbits)];
        e = (e16 & SLOW16) ? (SLOW | (e16 & 15)) : ((uint32_t)d->rsym[e16 >> 5] << 16 | (e16 & 15));
    } else {
        e = d->tab[w >> (64 - d->tbits)];
    }
    unsigned l = e & 63;
    if (!(e & SLOW)) {
        sym = e >> 16;
    } else if (l) {
        sym = d->rlc;
    } else {
        int k = 0;
        for (int j = 0; j < d->nlong; j++) k += w < d->long_lj[j];
        if (k == d->nlong) return false;
        l = d->long_len[k];
        uint64_t idx = (w >> (64 - l)) - d->long_first[k];
        if (idx >= d->long_cnt[k]) return false;
        sym = d->syms[d->long_start[k] + (uint32_t)idx];
    }
    pos += l;
    *is_run = sym == d->rlc;
    if (*is_run) {
        uint32_t run = (uint32_t)(peek64(base, pos) >> 56);
        pos += 8;
        if (o == 0 || run > n - o) return false;
        uint16_t v = out[o - 1];
        for (uint32_t k = 0; k < run; k++) out[o + k] = v;
        o += run;
    } else {
        if (o >= n) return false;
        out[o++] = (uint16_t)sym;
    }
    *ppos = pos;
    *po = o;
    return true;
}
#undef REFILL
#undef SEEK
#undef TELL
#undef ONE

/* Compiled twice: portable, and with BMI2's flag-free variable shifts
 * (shlx/shrx free the shift count register of x86's shl/shr), picked at
 * run time. Path numbers as exrqoi__huf_decompress_path. */
#define DUAL_ARGS                                                                          \
    const huf_dec *restrict d, const uint8_t *restrict base, uint64_t *restrict apos,      \
        size_t apend, uint16_t *restrict aout, size_t *restrict ao, size_t an,             \
        uint64_t *restrict bpos, size_t bpend, uint16_t *restrict bout, size_t *restrict bo, \
        size_t bn
#define DUAL_PASS d, base, apos, apend, aout, ao, an, bpos, bpend, bout, bo, bn
#define SPAN_ARGS                                                                          \
    const huf_dec *restrict d, const uint8_t *restrict base, uint64_t *restrict ppos,      \
        size_t pend, uint16_t *restrict out, size_t *restrict po, size_t n
#define SPAN_PASS d, base, ppos, pend, out, po, n

static bool span_c(SPAN_ARGS) { return span_impl(SPAN_PASS, false); }
static bool span_c_n(SPAN_ARGS) { return span_impl(SPAN_PASS, true); }
static int dual13_c(DUAL_ARGS) { return dual_impl(DUAL_PASS, TABLE_BITS, false); }
static int dual14_c(DUAL_ARGS) { return dual_impl(DUAL_PASS, BIG_TABLE_BITS, false); }
static int dual_pair_c(DUAL_ARGS) { return dual_impl(DUAL_PASS, TABLE_BITS, true); }

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#define HUF_BMI2 1
#define BMI2 __attribute__((target("bmi2")))
BMI2 static bool span_bmi2(SPAN_ARGS) { return span_impl(SPAN_PASS, false); }
BMI2 static bool span_bmi2_n(SPAN_ARGS) { return span_impl(SPAN_PASS, true); }
BMI2 static int dual13_bmi2(DUAL_ARGS) { return dual_impl(DUAL_PASS, TABLE_BITS, false); }
BMI2 static int dual14_bmi2(DUAL_ARGS) { return dual_impl(DUAL_PASS, BIG_TABLE_BITS, false); }
BMI2 static int dual_pair_bmi2(DUAL_ARGS) { return dual_impl(DUAL_PASS, TABLE_BITS, true); }
#else
#define HUF_BMI2 0
#endif

/* Paths 2 and 4 use BMI2 (see exrqoi__huf_decompress_path). */
#define PATH_BMI2(path) ((path) == 2 || (path) == 4)

static bool decode_span(int path, SPAN_ARGS)
{
#if HUF_BMI2
    if (PATH_BMI2(path)) return d->narrow ? span_bmi2_n(SPAN_PASS) : span_bmi2(SPAN_PASS);
#endif
    (void)path;
    return d->narrow ? span_c_n(SPAN_PASS) : span_c(SPAN_PASS);
}

static int decode_dual(int path, DUAL_ARGS)
{
    bool t13 = d->tbits == TABLE_BITS;
#if HUF_BMI2
    if (PATH_BMI2(path)) {
        if (d->narrow) return dual_pair_bmi2(DUAL_PASS);
        return t13 ? dual13_bmi2(DUAL_PASS) : dual14_bmi2(DUAL_PASS);
    }
#endif
    (void)path;
    if (d->narrow) return dual_pair_c(DUAL_PASS);
    return t13 ? dual13_c(DUAL_PASS) : dual14_c(DUAL_PASS);
}

/* The last (< MARGIN + 8) stream bytes from *ppos on, zero-padded so reads
 * stay in bounds. With exact set, stops at bit nbits (one symbol at a
 * time); otherwise when n values are out (the padding may be decoded
 * then: the caller checks the final position). */
static bool decode_tail(int path, const huf_dec *d, const uint8_t *data, size_t nbytes,
                        uint64_t nbits, uint64_t *ppos, uint16_t *out, size_t *po, size_t n,
                        bool exact)
{
    uint8_t tail[2 * MARGIN + 16];
    size_t from = (size_t)(*ppos >> 3);
    if (from > nbytes) return false;
    size_t rest = nbytes - from;
    if (rest > MARGIN + 8) return false; /* cannot happen; keeps the copy bounded */
    memset(tail, 0, sizeof tail);
    memcpy(tail, data + from, rest);
    uint64_t tpos = *ppos & 7, tend = nbits - (uint64_t)from * 8;
    if (exact) {
        bool run;
        while (tpos < tend)
            if (!step_one(d, tail, &tpos, out, po, n, &run)) return false;
    } else {
        /* may run 8 bytes past `rest` so every real bit is used */
        if (!decode_span(path, d, tail, &tpos, rest + 8, out, po, n)) return false;
    }
    *ppos = (uint64_t)from * 8 + tpos;
    return true;
}

/* Streams at least this long are decoded in two halves at once. */
#define SPLIT_MIN_BYTES 4096
/* Symbol starts recorded for the second half: where the first half's
 * decoder may join it. */
#define SYNC_SYMS 128

enum { SPLIT_DONE, SPLIT_FALLBACK, SPLIT_ERROR };

/* Decodes the two halves of the stream concurrently. Reader B starts at
 * the middle byte, most likely inside a code; Huffman codes resynchronise
 * within a few symbols, so once reader A (from the start) lands exactly on
 * a symbol start B recorded, B's output from there on is the true one.
 * B writes to `bout` (n values); on success its part is copied after A's.
 * Anything unusual (no meeting point, a run whose previous value differs,
 * an error in B, a count mismatch) returns SPLIT_FALLBACK with A's state
 * in *apos / *ao, and the caller finishes sequentially, so the result is
 * always the sequential one. SPLIT_ERROR: A found a real error. */
static int decode_split(int path, const huf_dec *d, const uint8_t *data, size_t nbytes,
                        uint64_t nbits, uint16_t *out, size_t n, uint16_t *bout, uint64_t *apos,
                        size_t *ao, const uint16_t **tail)
{
    uint64_t bstart = (uint64_t)(nbytes / 2) * 8, bpos = bstart;
    uint64_t bnd_pos[SYNC_SYMS];
    size_t bnd_out[SYNC_SYMS];
    bool bnd_run[SYNC_SYMS];
    size_t ob = 0;
    int nbnd = 0;
    /* <= 66 bits per symbol: the recorded symbols end far before the
     * stream's last MARGIN bytes */
    for (; nbnd < SYNC_SYMS; nbnd++) {
        bnd_pos[nbnd] = bpos;
        bnd_out[nbnd] = ob;
        if (!step_one(d, data, &bpos, bout, &ob, n, &bnd_run[nbnd])) return SPLIT_FALLBACK;
    }
    /* A stops at least 56 bits before B's first recorded start */
    size_t apend = (size_t)(bstart >> 3) - 16, bpend = nbytes - MARGIN;
    int r = decode_dual(path, d, data, apos, apend, out, ao, n, &bpos, bpend, bout, &ob, n);
    if (r == 1) return SPLIT_ERROR;
    if (!decode_span(path, d, data, apos, apend, out, ao, n)) return SPLIT_ERROR;
    if (r == 2) return SPLIT_FALLBACK;
    if (!decode_span(path, d, data, &bpos, bpend, bout, &ob, n)) return SPLIT_FALLBACK;
    if (!decode_tail(path, d, data, nbytes, nbits, &bpos, bout, &ob, n, true) || bpos != nbits)
        return SPLIT_FALLBACK;
    /* A one symbol at a time until it meets or passes B's records */
    int j = 0;
    for (;;) {
        while (j < nbnd && bnd_pos[j] < *apos) j++;
        if (j == nbnd) return SPLIT_FALLBACK;
        if (bnd_pos[j] == *apos) break;
        bool run;
        if (!step_one(d, data, apos, out, ao, n, &run)) return SPLIT_ERROR;
    }
    /* a run right at the meeting point repeated B's previous value */
    size_t a = *ao, from = bnd_out[j];
    if (bnd_run[j] && (a == 0 || from == 0 || bout[from - 1] != out[a - 1])) return SPLIT_FALLBACK;
    if (ob - from != n - a) return SPLIT_FALLBACK;
    if (tail && a >= HUF_OVERLAP) {
        /* B wrote HUF_OVERLAP entries into bout: the slots before its
         * output take A's last values instead of the whole copy */
        memcpy(bout + from - HUF_OVERLAP, out + a - HUF_OVERLAP, HUF_OVERLAP * sizeof *out);
        *tail = bout + from;
        return SPLIT_DONE;
    }
    memcpy(out + a, bout + from, (ob - from) * sizeof *out);
    return SPLIT_DONE;
}

static exrqoi_result huf_decode(int path, exrqoi__codec_ctx *ctx, const uint8_t *src,
                                size_t src_size, uint16_t *out, size_t n_out, const uint16_t **tail,
                                size_t *head);

/* A test's path the CPU lacks (or that the environment masks) falls back
 * to the one without BMI2; production calls take ctx->k.huf as it is. */
static int usable_path(int path)
{
    if (PATH_BMI2(path) && !(exrqoi__cpu_features() & EXRQOI__CPU_BMI2)) return path - 1;
#if !HUF_BMI2
    if (PATH_BMI2(path)) return path - 1;
#endif
    return path;
}

exrqoi_result exrqoi__huf_decompress_parts(exrqoi__codec_ctx *ctx, const uint8_t *src,
                                           size_t src_size, uint16_t *out, size_t n_out,
                                           const uint16_t **tail, size_t *head)
{
    return huf_decode(ctx->k.huf, ctx, src, src_size, out, n_out, tail, head);
}

exrqoi_result exrqoi__huf_decompress_parts_path(int path, exrqoi__codec_ctx *ctx,
                                                const uint8_t *src, size_t src_size,
                                                uint16_t *out, size_t n_out,
                                                const uint16_t **tail, size_t *head)
{
    return huf_decode(usable_path(path), ctx, src, src_size, out, n_out, tail, head);
}

exrqoi_result exrqoi__huf_decompress(exrqoi__codec_ctx *ctx, const uint8_t *src, size_t src_size,
                                     uint16_t *out, size_t n_out)
{
    return huf_decode(ctx->k.huf, ctx, src, src_size, out, n_out, NULL, NULL);
}

exrqoi_result exrqoi__huf_decompress_path(int path, exrqoi__codec_ctx *ctx, const uint8_t *src,
                                          size_t src_size, uint16_t *out, size_t n_out)
{
    return huf_decode(usable_path(path), ctx, src, src_size, out, n_out, NULL, NULL);
}

/* tail == NULL: all output in out. Otherwise *tail is set to NULL, or to
 * the second piece (see exrqoi__huf_decompress_parts) with *head values
 * in out. */
static exrqoi_result huf_decode(int path, exrqoi__codec_ctx *ctx, const uint8_t *src,
                                size_t src_size, uint16_t *out, size_t n_out, const uint16_t **tail,
                                size_t *head)
{
    if (tail) {
        *tail = NULL;
        *head = n_out;
    }
    if (n_out == 0) return EXRQOI_OK;
    if (src_size < HEADER) return corrupt(ctx, "stream shorter than its header");
    uint32_t im = exrqoi__le32(src), iM = exrqoi__le32(src + 4);
    uint32_t nbits = exrqoi__le32(src + 12);
    if (im >= NSYM || iM >= NSYM || im > iM)
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_CORRUPT,
                            "Huffman data: symbol range %u..%u is invalid", im, iM);

    size_t nbytes = ((size_t)nbits + 7) / 8;
    bool split =
        path >= 1 && nbytes >= SPLIT_MIN_BYTES && n_out <= (SIZE_MAX - sizeof(huf_dec)) / 2;
    void *mem;
    EXRQOI_TRY(exrqoi__codec_scratch(
        ctx, EXRQOI__SCRATCH_HUF, sizeof(huf_dec) + (split ? (n_out + HUF_OVERLAP) * 2 : 0), &mem));
    huf_dec *d = (huf_dec *)mem;
    size_t table_bytes = 0;
    uint32_t cnt[MAX_LEN + 1] = {0};
    EXRQOI_TRY(read_lengths(ctx, d, src + HEADER, src_size - HEADER, im, iM, cnt, &table_bytes));
    size_t avail = src_size - HEADER - table_bytes;
    if (nbytes > avail)
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_CORRUPT,
                            "Huffman data: %u bits announced, %zu bytes present", nbits, avail);
    /* the pair table costs ~25 instructions per entry to build: only
     * streams of many more values than its 8192 entries repay it */
    EXRQOI_TRY(build_decoder(ctx, d, cnt, iM, split, path <= 2 && n_out >= PAIR_MIN_VALUES));

    const uint8_t *data = src + HEADER + table_bytes;
    uint64_t pos = 0;
    size_t o = 0;
    if (split) {
        uint16_t *bout = (uint16_t *)(void *)((uint8_t *)mem + sizeof(huf_dec)) + HUF_OVERLAP;
        int r = decode_split(path, d, data, nbytes, nbits, out, n_out, bout, &pos, &o, tail);
        if (r == SPLIT_DONE) {
            if (tail && *tail) *head = o;
            return EXRQOI_OK;
        }
        if (r == SPLIT_ERROR) goto bad;
    }
    if (nbytes > MARGIN) {
        if (!decode_span(path, d, data, &pos, nbytes - MARGIN, out, &o, n_out)) goto bad;
    }
    if (o < n_out && !decode_tail(path, d, data, nbytes, nbits, &pos, out, &o, n_out, false))
        goto bad;
    if (o != n_out || pos != nbits) goto bad;
    return EXRQOI_OK;
bad:
    return exrqoi__fail(&ctx->err, EXRQOI_ERR_CORRUPT,
                        "Huffman data does not decode to %zu values in %u bits", n_out, nbits);
}
