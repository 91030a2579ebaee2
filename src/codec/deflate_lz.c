/* The LZ77 zlib encoder of deflate_enc.h for run-heavy chunks. Facts
 * from RFC 1950/1951: block layout, the length, distance and code-length
 * alphabets, the fixed code. libdeflate level 4 (OpenEXR's default) is
 * greedy with 16-deep hash chains, hashes every byte and clears 192 KiB
 * of hash tables per call; here runs and repeats of the last distance
 * are found by comparing bytes, long matches are hashed at their ends
 * only, the hash table is sized by the chunk, a large chunk's chain walk
 * is cut short once a match is good, a small chunk is one block, and the
 * block writer has no branch on the literal/match pattern. */
#include "codec/deflate_enc.h"

#include "codec/deflate_bits.h"

#include <string.h>

#define WSIZE 32768u /* deflate window */
#define WMASK (WSIZE - 1)
#define NO_PREV 0xffffu /* farther than any window position */
#define MAX_LEN EXRQOI__DEFLATE_MAX_LEN
#define MIN_HASHED 4     /* hashed matches: 4 bytes are hashed */
#define MIN_RUN 3        /* distance-1 runs */
#define HASH_MAX_BITS 15
#define HASH_MIN_BITS 8
#define CHAIN_DEPTH 16   /* as libdeflate level 4 */
#define GOOD_LEN 8       /* in chunks of SMALL_CHUNK or more, a match this long */
#define GOOD_DEPTH 8     /* cuts the rest of the chain walk to this many steps */
#define RUN_TAIL 3       /* positions hashed at the end of a run of MAX_LEN */
#define NREP 2           /* last distances tried before the chain */
#define SKIP_LEN 32      /* a match this long: only its ends are hashed */
#define HEAD_HASHED 4    /* positions hashed at the start of such a match */
#define SMALL_CHUNK 16384 /* below it: one block, no GOOD_LEN, fewer runs suit */
#define MAX_CODE_BITS EXRQOI__DEFLATE_MAX_CODE_BITS
#define NUM_LITLEN EXRQOI__DEFLATE_NUM_LITLEN
#define NUM_DIST EXRQOI__DEFLATE_NUM_DIST
#define LITLEN_SLOTS 288 /* the fixed code has 288 literal/length codes */
#define END_OF_BLOCK EXRQOI__DEFLATE_END_OF_BLOCK
#define MATCH_FLAG 0x80000000u
#define STORED_MAX EXRQOI__DEFLATE_STORED_MAX

static unsigned hash_bits_for(size_t n)
{
    unsigned b = HASH_MIN_BITS;
    while (b < HASH_MAX_BITS && ((size_t)2 << b) < n) b++;
    return b;
}

size_t exrqoi__deflate_lz_work_size(size_t n)
{
    /* head, prev, one sequence item per byte (+ end of block per block) */
    return 4 * ((size_t)1 << hash_bits_for(n)) + 2 * (size_t)WSIZE + 4 * (n + 4);
}

/* ---- the matcher ------------------------------------------------------ */

typedef struct {
    const uint8_t *s;
    size_t n;
    uint32_t *head; /* position + 1 of the newest 4 bytes of each hash, 0 = none */
    uint16_t *prev; /* distance back to the one before, by position mod WSIZE */
    unsigned shift;
    size_t good; /* a match this long cuts the rest of the chain walk to GOOD_DEPTH steps */
} matcher;

static inline uint32_t hash4(const matcher *m, size_t i)
{
    return (exrqoi__le32(m->s + i) * 0x9E3779B1u) >> m->shift;
}

/* Links i into its hash chain; returns the position + 1 it links to. */
static inline uint32_t insert(matcher *m, size_t i)
{
    uint32_t h = hash4(m, i);
    uint32_t cand = m->head[h];
    /* no candidate (0) gives d = i + 1 and one too far NO_PREV: both end
     * the chain walk before position 0 or the window */
    size_t d = i + 1 - cand;
    m->prev[i & WMASK] = (uint16_t)(d <= WSIZE ? d : NO_PREV);
    m->head[h] = (uint32_t)i + 1;
    return cand;
}

/* Bytes from 0 up to max where a and b agree. */
static inline size_t extend(const uint8_t *a, const uint8_t *b, size_t max)
{
    size_t l = 0;
    while (l + 8 <= max) {
        uint64_t x = exrqoi__le64(a + l) ^ exrqoi__le64(b + l);
        if (x) return l + (size_t)(__builtin_ctzll(x) >> 3);
        l += 8;
    }
    while (l < max && a[l] == b[l]) l++;
    return l;
}

/* Walks the hash chain of i (linking i in) for a match longer than
 * *best of at most max bytes; updates *best and *dist. */
static void search_chain(matcher *m, size_t i, size_t max, size_t *best, uint32_t *dist)
{
    const uint8_t *s = m->s;
    uint32_t cand = insert(m, i);
    if (!cand || i + 1 - cand > WSIZE) return;
    size_t c = cand - 1, b = *best;
    const ptrdiff_t lowest = i > WSIZE ? (ptrdiff_t)(i - WSIZE) : 0;
    const uint32_t v = exrqoi__le32(s + i);
    size_t t = b < MIN_HASHED ? 0 : b - 3; /* 4 bytes ending at the one that would make it longer */
    for (int depth = b >= m->good ? GOOD_DEPTH : CHAIN_DEPTH;;) {
        /* one test of the first 4 bytes and of those ending at the one
         * that would make it longer */
        if (((exrqoi__le32(s + c + t) ^ exrqoi__le32(s + i + t)) | (exrqoi__le32(s + c) ^ v)) == 0) {
            size_t l = MIN_HASHED + extend(s + c + MIN_HASHED, s + i + MIN_HASHED, max - MIN_HASHED);
            if (l > b) {
                b = l;
                *dist = (uint32_t)(i - c);
                if (l == max) break;
                if (l >= m->good && depth > GOOD_DEPTH) depth = GOOD_DEPTH;
                t = l - 3;
            }
        }
        ptrdiff_t next = (ptrdiff_t)c - (ptrdiff_t)m->prev[c & WMASK];
        if (next < lowest || --depth == 0) break;
        c = (size_t)next;
    }
    *best = b;
}

/* Links positions [from, to) into the hash chains (those with 4 bytes). */
static void insert_range(matcher *m, size_t from, size_t to)
{
    if (to + MIN_HASHED > m->n) to = m->n >= MIN_HASHED ? m->n - MIN_HASHED + 1 : 0;
    for (size_t j = from; j < to; j++) insert(m, j);
}

/* Items of src[start..end) into seq (a literal byte, or MATCH_FLAG |
 * length << 16 | distance - 1); returns their count. Greedy: the longest
 * of a run (distance 1, found by comparing bytes), a repeat of the last
 * other distance (the line above, in image rows) and the hash chain; a
 * run or repeat of the longest length possible skips the chain. Matches
 * stay inside [start, end) and reach back to any earlier byte. */
static size_t parse(matcher *m, size_t start, size_t end, uint32_t *seq)
{
    const uint8_t *s = m->s;
    size_t k = 0, i = start;
    uint32_t rep[NREP] = {0}; /* the last distances other than 1, newest first */
    while (i < end) {
        size_t max = end - i < MAX_LEN ? end - i : MAX_LEN;
        size_t len = 0;
        uint32_t dist = 1;
        if (i > 0 && s[i] == s[i - 1]) {
            len = extend(s + i, s + i - 1, max);
            if (len < MIN_RUN) len = 0;
            else if (len == max) {
                /* a run: its inside would hash to itself */
                seq[k++] = MATCH_FLAG | (uint32_t)len << 16;
                size_t tail = len > RUN_TAIL ? i + len - RUN_TAIL : i;
                insert_range(m, tail, i + len);
                i += len;
                continue;
            }
        }
        for (int r = 0; r < NREP && max >= MIN_HASHED; r++) {
            uint32_t d = rep[r];
            if (!d || d > i) break;
            size_t l = extend(s + i, s + i - d, max);
            if (l > len && l >= MIN_HASHED) len = l, dist = d;
        }
        if (i + MIN_HASHED <= m->n) {
            if (len == max) insert(m, i);
            else if (max >= MIN_HASHED) search_chain(m, i, max, &len, &dist);
        }
        if (!len) {
            seq[k++] = s[i++];
            continue;
        }
        seq[k++] = MATCH_FLAG | (uint32_t)len << 16 | (dist - 1);
        if (dist > 1 && dist != rep[0]) {
            int r = 1;
            while (r < NREP - 1 && rep[r] != dist) r++;
            for (; r > 0; r--) rep[r] = rep[r - 1];
            rep[0] = dist;
        }
        if (len >= SKIP_LEN) {
            insert_range(m, i + 1, i + HEAD_HASHED);
            insert_range(m, i + len - RUN_TAIL, i + len);
        } else {
            insert_range(m, i + 1, i + len);
        }
        i += len;
    }
    return k;
}

/* ---- symbols ---------------------------------------------------------- */

/* A match item once its block is counted: MATCH_FLAG, then the length
 * symbol - 257 (5 bits), its extra value (5), the distance symbol (5)
 * and its extra value (13), so that the writer only shifts and masks.
 * Literals stay as they are. */
#define PACK_LSYM 23
#define PACK_LEX 18
#define PACK_DSYM 13

/* Extra bits of length symbol 257 + s and of distance symbol d, per
 * symbol (RFC 1951's tables; exrqoi__deflate_length_sym and pack_match
 * give the same counts per item, which test_deflate_enc's every-length
 * and every-distance round trip holds them to). */
static inline unsigned length_extra_bits(unsigned s) { return s < 8 || s == 28 ? 0 : (s - 4) / 4; }
static inline unsigned dist_extra_bits(unsigned d) { return d < 4 ? 0 : d / 2 - 1; }

/* The packed form of match item v, without branches (the literal/match
 * pattern is data). */
static inline uint32_t pack_match(uint32_t v)
{
    unsigned ls, lnb, lex;
    exrqoi__deflate_length_sym((v >> 16) & 0x1ff, &ls, &lnb, &lex);
    unsigned x = v & 0xffff; /* distance - 1 */
    unsigned c = 31 - (unsigned)__builtin_clz(x | 2);
    unsigned ds = 2 * c + ((x >> (c - 1)) & 1) - 2 * (x < 2);
    unsigned dex = x & ((1u << (c - 1)) - 1);
    return MATCH_FLAG | (ls - 257) << PACK_LSYM | lex << PACK_LEX | ds << PACK_DSYM | dex;
}

/* The literal/length symbol of item v (m: all ones for a match). */
static inline unsigned lit_or_length_sym(uint32_t v, uint32_t m)
{
    return ((257 + (v >> PACK_LSYM & 31)) & m) | (v & ~m);
}

/* ---- blocks ----------------------------------------------------------- */

typedef struct {
    uint8_t len[LITLEN_SLOTS + NUM_DIST]; /* literal/length, then distance */
    uint16_t code[LITLEN_SLOTS + NUM_DIST];
    exrqoi__deflate_header head;
} block_codes;

static void fixed_lengths(uint8_t *len)
{
    int i = 0;
    for (; i < 144; i++) len[i] = 8;
    for (; i < 256; i++) len[i] = 9;
    for (; i < 280; i++) len[i] = 7;
    for (; i < LITLEN_SLOTS; i++) len[i] = 8;
    for (i = 0; i < NUM_DIST; i++) len[LITLEN_SLOTS + i] = 5;
}

/* Writes the items as one block (BFINAL = last) of the smallest kind;
 * raw = the bytes they stand for. Counting the symbols packs each match
 * item of seq in place (pack_match), which the writing loop then reads.
 * Returns the new output end, or NULL when it would pass `end` (8 bytes
 * of room kept for the bit writer). */
static uint8_t *write_block(exrqoi__bit_writer *w, uint32_t *seq, size_t k, const uint8_t *raw, size_t nraw,
                            int last, uint8_t *end)
{
    uint32_t lf[NUM_LITLEN] = {0}, df[NUM_DIST] = {0};
    for (size_t j = 0; j < k; j++) {
        uint32_t v = seq[j];
        uint32_t m = 0u - (v >> 31);
        v = (pack_match(v) & m) | (v & ~m);
        seq[j] = v;
        lf[lit_or_length_sym(v, m)]++;
        df[v >> PACK_DSYM & 31] += m & 1;
    }
    uint64_t extra = 0;
    for (unsigned s = 0; s < 29; s++) extra += (uint64_t)lf[257 + s] * length_extra_bits(s);
    for (unsigned d = 0; d < NUM_DIST; d++) extra += (uint64_t)df[d] * dist_extra_bits(d);
    lf[END_OF_BLOCK] = 1;

    block_codes dyn, fix;
    exrqoi__huff_lengths(lf, NUM_LITLEN, MAX_CODE_BITS, dyn.len);
    dyn.len[NUM_LITLEN] = dyn.len[NUM_LITLEN + 1] = 0; /* no codes 286, 287 */
    exrqoi__huff_lengths(df, NUM_DIST, MAX_CODE_BITS, dyn.len + LITLEN_SLOTS);
    int hlit = NUM_LITLEN;
    while (hlit > 257 && !dyn.len[hlit - 1]) hlit--;
    int hdist = NUM_DIST;
    while (hdist > 1 && !dyn.len[LITLEN_SLOTS + hdist - 1]) hdist--;
    uint64_t head_bits = exrqoi__deflate_plan_header(dyn.len, hlit, dyn.len + LITLEN_SLOTS, hdist, &dyn.head);
    uint64_t dyn_bits = 3 + head_bits + extra, fix_bits = 3 + extra;
    fixed_lengths(fix.len);
    for (int i = 0; i < NUM_LITLEN; i++) {
        dyn_bits += (uint64_t)lf[i] * dyn.len[i];
        fix_bits += (uint64_t)lf[i] * fix.len[i];
    }
    for (int i = 0; i < NUM_DIST; i++) {
        dyn_bits += (uint64_t)df[i] * dyn.len[LITLEN_SLOTS + i];
        fix_bits += (uint64_t)df[i] * 5;
    }
    /* stored: header bits, alignment, LEN/NLEN per 65535 bytes */
    uint64_t pieces = nraw ? (nraw + STORED_MAX - 1) / STORED_MAX : 1;
    uint64_t sto_bits = 3 + 7 + 8 * ((uint64_t)nraw + 4 * pieces + (pieces - 1));
    uint64_t best = dyn_bits < fix_bits ? dyn_bits : fix_bits;

    if (sto_bits <= best) {
        if ((uint64_t)(end - w->out) < (w->n + sto_bits + 7) / 8 + 8) return NULL;
        exrqoi__deflate_put_stored(w, raw, nraw, last);
        return w->out;
    }
    if ((uint64_t)(end - w->out) < (w->n + best + 7) / 8 + 8) return NULL;

    block_codes *b = dyn_bits < fix_bits ? &dyn : &fix;
    exrqoi__huff_codes(b->len, LITLEN_SLOTS, b->code);
    exrqoi__huff_codes(b->len + LITLEN_SLOTS, NUM_DIST, b->code + LITLEN_SLOTS);
    if (b == &dyn) {
        exrqoi__deflate_put_header(w, &b->head, last);
    } else {
        exrqoi__bits_put(w, (uint64_t)(last ? 1 : 0) | 1u << 1, 3); /* BTYPE 01 */
        exrqoi__bits_flush(w);
    }
    const uint8_t *ll = b->len;
    const uint16_t *lc = b->code;
    const uint8_t *dl = b->len + LITLEN_SLOTS;
    const uint16_t *dc = b->code + LITLEN_SLOTS;
    /* bits of each symbol with its extra bits */
    uint8_t lbits[LITLEN_SLOTS], dbits[NUM_DIST];
    for (int i = 0; i < LITLEN_SLOTS; i++) lbits[i] = ll[i];
    for (unsigned s = 0; s < 29; s++) lbits[257 + s] = (uint8_t)(ll[257 + s] + length_extra_bits(s));
    for (unsigned d = 0; d < NUM_DIST; d++) dbits[d] = (uint8_t)(dl[d] + dist_extra_bits(d));
    uint64_t buf = w->buf;
    unsigned nb = w->n;
    uint8_t *o = w->out;
    for (size_t j = 0; j < k; j++) {
        /* one path for literals and matches: a literal's distance part
         * is masked to no bits */
        uint32_t v = seq[j];
        uint32_t m = 0u - (v >> 31);
        unsigned sym = lit_or_length_sym(v, m);
        unsigned ds = v >> PACK_DSYM & 31;
        buf |= ((uint64_t)lc[sym] | (uint64_t)(v >> PACK_LEX & 31 & m) << ll[sym]) << nb;
        nb += lbits[sym];
        buf |= (((uint64_t)dc[ds] | (uint64_t)(v & 0x1fff) << dl[ds]) & (0 - (uint64_t)(v >> 31))) << nb;
        nb += dbits[ds] & m; /* at most 7 + 20 + 28 bits: both headers end flushed */
        exrqoi__put64(o, buf);
        o += nb >> 3;
        buf >>= nb & ~7u;
        nb &= 7;
    }
    w->buf = buf;
    w->n = nb;
    w->out = o;
    exrqoi__bits_put(w, lc[END_OF_BLOCK], ll[END_OF_BLOCK]);
    exrqoi__bits_flush(w);
    return w->out;
}

int exrqoi__deflate_lz_suits(exrqoi__deflate_sample s)
{
    if (s.n < 9) return 0;
    /* the share of bytes that repeat the one before; in large chunks
     * below 3/4 libdeflate level 4 is as fast */
    if (s.n >= SMALL_CHUNK) return s.repeats * 4 >= s.seen * 3;
    return s.repeats * 8 >= s.seen * 5;
}

size_t exrqoi__deflate_lz(void *work, const uint8_t *src, size_t n, uint8_t *dst, size_t dst_cap)
{
    if (dst_cap < 2 + 4 + 8) return 0;
    unsigned hb = hash_bits_for(n);
    matcher m = {src, n, (uint32_t *)work, (uint16_t *)((uint32_t *)work + ((size_t)1 << hb)), 32 - hb,
                 n >= SMALL_CHUNK ? GOOD_LEN : MAX_LEN + 1};
    uint32_t *seq = (uint32_t *)(m.prev + WSIZE);
    memset(m.head, 0, sizeof(uint32_t) << hb);

    exrqoi__deflate_put_zlib_header(dst);
    exrqoi__bit_writer w = {0, 0, dst + 2};
    uint8_t *end = dst + dst_cap - 4;
    /* two blocks, the low and the high bytes of the predicted values
     * (smaller), except in small chunks, where building a second pair of
     * codes costs more time than it saves bytes */
    size_t h = (n + 1) / 2;
    size_t cut[3] = {0, h < n && n >= SMALL_CHUNK ? h : 0, n};
    for (int part = 0; part < 2; part++) {
        if (part == 0 && cut[1] == 0) continue;
        size_t a = cut[part], z = cut[part + 1];
        size_t k = parse(&m, a, z, seq);
        if (!write_block(&w, seq, k, src + a, z - a, part == 1, end)) return 0;
    }
    uint8_t *o = w.out + (w.n ? 1 : 0);
    if (o + 4 > dst + dst_cap) return 0;
    return exrqoi__deflate_put_adler(src, n, dst, o);
}
