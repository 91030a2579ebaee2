/* The split zlib encoder of deflate_enc.h, and what deflate_bits.h shares
 * with deflate_lz.c. Facts from RFC 1950/1951: block and header layout,
 * the length and code-length alphabets. */
#include "codec/deflate_enc.h"

#include "codec/deflate_bits.h"

#include <libdeflate.h>
#include <string.h>

#define MAX_RUN EXRQOI__DEFLATE_MAX_LEN
#define MAX_CODE_BITS EXRQOI__DEFLATE_MAX_CODE_BITS
#define MAX_CLEN_BITS 7   /* code-length codes */
#define NUM_LITLEN EXRQOI__DEFLATE_NUM_LITLEN
#define NUM_DIST EXRQOI__DEFLATE_NUM_DIST
#define END_OF_BLOCK EXRQOI__DEFLATE_END_OF_BLOCK
#define NUM_CLEN EXRQOI__DEFLATE_NUM_CLEN
#define STORED_MAX EXRQOI__DEFLATE_STORED_MAX
#define STORED_COST 5     /* header byte (after alignment) + LEN + NLEN */

/* ---- the probe ------------------------------------------------------- */

/* Windows of the first half searched for repeats with a one-entry hash
 * of 4 bytes. Photographs cover < 1% of them with repeats of >= 6 bytes
 * that are not runs, synthetic images and float data 35-95%, so the
 * line at 3% is far from both (measured on the corpus, see the docs). */
#define PROBE_WINDOWS 4
#define PROBE_WINDOW 2048
#define PROBE_HASH_BITS 11
#define PROBE_MIN_MATCH 6
#define PROBE_LIMIT_PER_1024 30

static inline uint32_t load32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

int exrqoi__deflate_split_suits(const uint8_t *src, size_t n)
{
    size_t h = (n + 1) / 2;
    size_t nwin = h / PROBE_WINDOW;
    if (nwin > PROBE_WINDOWS) nwin = PROBE_WINDOWS;
    if (nwin == 0) nwin = 1;
    size_t step = h / nwin;
    size_t planned = nwin * (h < PROBE_WINDOW ? h : PROBE_WINDOW);
    size_t limit = planned * PROBE_LIMIT_PER_1024 / 1024;
    size_t covered = 0;
    uint16_t last[1u << PROBE_HASH_BITS]; /* offset in the window + 1, 0 = none */
    for (size_t w = 0; w < nwin; w++) {
        const uint8_t *p = src + w * step;
        size_t len = h - w * step < PROBE_WINDOW ? h - w * step : PROBE_WINDOW;
        memset(last, 0, sizeof last);
        for (size_t i = 1; i + 8 <= len;) {
            uint32_t v = load32(p + i);
            uint32_t k = (v * 0x9E3779B1u) >> (32 - PROBE_HASH_BITS);
            size_t c = last[k];
            last[k] = (uint16_t)(i + 1);
            /* a run is coded as a run anyway: only other repeats count */
            if (c && p[i] != p[i - 1] && load32(p + c - 1) == v) {
                const uint8_t *a = p + c - 1;
                size_t l = 4;
                while (i + l < len && a[l] == p[i + l] && l < MAX_RUN) l++;
                if (l >= PROBE_MIN_MATCH) {
                    covered += l;
                    if (covered > limit) return 0;
                    i += l;
                    continue;
                }
            }
            i++;
        }
    }
    return 1;
}

/* ---- Huffman codes --------------------------------------------------- */

/* Sorts keys (frequency << 9 | symbol, made in symbol order) ascending.
 * Runs once or twice per block: qsort's calls and mispredicted compares
 * cost more than the rest of a short block's codes. Insertion for few
 * keys, else a stable radix sort on the frequency, 8 bits a pass (the
 * input's symbol order breaks the ties, as comparing whole keys would). */
static void sort_keys(uint64_t *key, int cnt)
{
    if (cnt <= 24) {
        for (int i = 1; i < cnt; i++) {
            uint64_t k = key[i];
            int j = i;
            for (; j > 0 && key[j - 1] > k; j--) key[j] = key[j - 1];
            key[j] = k;
        }
        return;
    }
    uint64_t max = 0, tmp[NUM_LITLEN], *from = key, *to = tmp;
    for (int i = 0; i < cnt; i++) max |= key[i];
    for (unsigned shift = 9; (max >> shift) != 0; shift += 8) {
        int start[257] = {0};
        for (int i = 0; i < cnt; i++) start[((from[i] >> shift) & 255) + 1]++;
        for (int d = 0; d < 256; d++) start[d + 1] += start[d];
        for (int i = 0; i < cnt; i++) to[start[(from[i] >> shift) & 255]++] = from[i];
        uint64_t *t = from;
        from = to, to = t;
    }
    if (from != key) memcpy(key, from, (size_t)cnt * sizeof key[0]);
}

/* Code lengths of at most max_bits for freq[0..n) (n <= NUM_LITLEN): the
 * depths of a Huffman tree, depths over the limit clamped and the code
 * made complete again (below), longest codes to the least frequent
 * symbols. At least two symbols get
 * a code, so that every tree is complete. */
void exrqoi__huff_lengths(const uint32_t *freq, int n, int max_bits, uint8_t *lens)
{
    uint64_t key[NUM_LITLEN];
    int cnt = 0;
    memset(lens, 0, (size_t)n);
    for (int i = 0; i < n; i++)
        if (freq[i]) key[cnt++] = (uint64_t)freq[i] << 9 | (uint64_t)i;
    if (cnt < 2) {
        int only = cnt ? (int)(key[0] & 511) : 0;
        lens[only] = 1;
        lens[only ? 0 : 1] = 1;
        return;
    }
    sort_keys(key, cnt);
    /* two queues: the sorted leaves and the internal nodes in the order
     * made (their weights never decrease) */
    uint64_t weight[NUM_LITLEN];
    int parent[2 * NUM_LITLEN];
    int leaf = 0, node = 0, made = 0;
    for (int k = 0; k < cnt - 1; k++) {
        uint64_t w = 0;
        for (int t = 0; t < 2; t++) {
            int pick;
            if (leaf < cnt && (node >= made || (key[leaf] >> 9) <= weight[node])) {
                w += key[leaf] >> 9;
                pick = leaf++;
            } else {
                w += weight[node];
                pick = cnt + node++;
            }
            parent[pick] = cnt + made;
        }
        weight[made++] = w;
    }
    int depth[2 * NUM_LITLEN];
    int root = cnt + made - 1;
    depth[root] = 0;
    for (int k = root - 1; k >= cnt; k--) depth[k] = depth[parent[k]] + 1;
    int count[MAX_CODE_BITS + 1] = {0};
    for (int i = 0; i < cnt; i++) {
        int d = depth[parent[i]] + 1;
        count[d > max_bits ? max_bits : d]++;
    }
    /* the clamped leaves oversubscribe the code: each step takes one
     * code of max_bits away (Kraft sum - 1) and makes a shorter leaf two
     * one level down (sum unchanged), until the code is complete */
    uint32_t kraft = 0;
    for (int b = 1; b <= max_bits; b++) kraft += (uint32_t)count[b] << (max_bits - b);
    while (kraft > (1u << max_bits)) {
        count[max_bits]--;
        for (int b = max_bits - 1; b > 0; b--)
            if (count[b]) {
                count[b]--;
                count[b + 1] += 2;
                break;
            }
        kraft--;
    }
    int i = 0;
    for (int b = max_bits; b >= 1; b--)
        for (int k = 0; k < count[b]; k++) lens[key[i++] & 511] = (uint8_t)b;
}

/* Canonical codes of `lens`, bit-reversed for LSB-first output. */
void exrqoi__huff_codes(const uint8_t *lens, int n, uint16_t *codes)
{
    int count[MAX_CODE_BITS + 1] = {0}, next[MAX_CODE_BITS + 1];
    for (int i = 0; i < n; i++) count[lens[i]]++;
    count[0] = 0;
    int c = 0;
    for (int b = 1; b <= MAX_CODE_BITS; b++) {
        c = (c + count[b - 1]) << 1;
        next[b] = c;
    }
    for (int i = 0; i < n; i++) {
        if (!lens[i]) continue;
        unsigned v = (unsigned)next[lens[i]]++;
        /* reverse all 16 bits, then drop the 16 - len unused ones */
        v = (v >> 1 & 0x5555u) | (v & 0x5555u) << 1;
        v = (v >> 2 & 0x3333u) | (v & 0x3333u) << 2;
        v = (v >> 4 & 0x0f0fu) | (v & 0x0f0fu) << 4;
        v = (v >> 8 & 0x00ffu) | (v & 0x00ffu) << 8;
        codes[i] = (uint16_t)(v >> (16 - lens[i]));
    }
}

/* ---- the dynamic header and stored blocks (deflate_bits.h) ---------- */

/* RFC 1951 3.2.7: the order of the code-length code's lengths, and the
 * extra bits of symbols 16, 17, 18 */
static const uint8_t clen_order[NUM_CLEN] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
static const uint8_t clen_extra_bits[NUM_CLEN] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 7};

uint64_t exrqoi__deflate_plan_header(const uint8_t *lit_len, int hlit, const uint8_t *dist_len, int hdist,
                                     exrqoi__deflate_header *h)
{
    /* one sequence: runs may cross from literal/length to distance lengths */
    uint8_t all[NUM_LITLEN + NUM_DIST];
    memcpy(all, lit_len, (size_t)hlit);
    memcpy(all + hlit, dist_len, (size_t)hdist);
    int total = hlit + hdist, nr = 0;
    uint32_t cfreq[NUM_CLEN] = {0};
    for (int i = 0; i < total;) {
        int v = all[i], r = 1;
        while (i + r < total && all[i + r] == v) r++;
        if (v == 0 && r >= 3) {
            if (r > 138) r = 138;
            h->rle_sym[nr] = (uint8_t)(r >= 11 ? 18 : 17);
            h->rle_extra[nr] = (uint8_t)(r >= 11 ? r - 11 : r - 3);
            cfreq[h->rle_sym[nr++]]++;
            i += r;
        } else if (v != 0 && r >= 4) {
            int rep = r - 1 > 6 ? 6 : r - 1; /* 16 repeats the previous 3..6 times */
            h->rle_sym[nr] = (uint8_t)v;
            h->rle_extra[nr++] = 0;
            h->rle_sym[nr] = 16;
            h->rle_extra[nr++] = (uint8_t)(rep - 3);
            cfreq[v]++;
            cfreq[16]++;
            i += 1 + rep;
        } else {
            h->rle_sym[nr] = (uint8_t)v;
            h->rle_extra[nr++] = 0;
            cfreq[v]++;
            i++;
        }
    }
    h->hlit = hlit;
    h->hdist = hdist;
    h->nrle = nr;
    exrqoi__huff_lengths(cfreq, NUM_CLEN, MAX_CLEN_BITS, h->clen_len);
    exrqoi__huff_codes(h->clen_len, NUM_CLEN, h->clen_code);
    int hclen = NUM_CLEN;
    while (hclen > 4 && !h->clen_len[clen_order[hclen - 1]]) hclen--;
    h->hclen = hclen;
    uint64_t bits = 5 + 5 + 4 + 3 * (uint64_t)hclen;
    for (int i = 0; i < nr; i++) bits += h->clen_len[h->rle_sym[i]] + clen_extra_bits[h->rle_sym[i]];
    return bits;
}

void exrqoi__deflate_put_header(exrqoi__bit_writer *w, const exrqoi__deflate_header *h, int final)
{
    exrqoi__bits_put(w, 2u << 1 | (unsigned)final, 3); /* BTYPE 10 (dynamic) */
    exrqoi__bits_put(w, (unsigned)(h->hlit - 257), 5);
    exrqoi__bits_put(w, (unsigned)(h->hdist - 1), 5);
    exrqoi__bits_put(w, (unsigned)(h->hclen - 4), 4);
    exrqoi__bits_flush(w);
    for (int i = 0; i < h->hclen; i++) {
        exrqoi__bits_put(w, h->clen_len[clen_order[i]], 3);
        exrqoi__bits_flush(w);
    }
    for (int i = 0; i < h->nrle; i++) {
        int sym = h->rle_sym[i];
        exrqoi__bits_put(w, h->clen_code[sym], h->clen_len[sym]);
        exrqoi__bits_put(w, h->rle_extra[i], clen_extra_bits[sym]);
        exrqoi__bits_flush(w);
    }
}

void exrqoi__deflate_put_stored(exrqoi__bit_writer *w, const uint8_t *s, size_t n, int final)
{
    size_t p = 0;
    do {
        size_t k = n - p < STORED_MAX ? n - p : STORED_MAX;
        exrqoi__bits_put(w, (unsigned)(final && p + k == n), 3); /* BTYPE 00, then align */
        exrqoi__bits_flush(w);
        uint8_t *o = w->out + (w->n ? 1 : 0);
        w->buf = 0, w->n = 0;
        o[0] = (uint8_t)k, o[1] = (uint8_t)(k >> 8);
        o[2] = (uint8_t)~k, o[3] = (uint8_t)(~k >> 8);
        if (k) memcpy(o + 4, s + p, k);
        w->out = o + 4 + k;
        p += k;
    } while (p < n);
}

/* Where the next distance-1 run of at least 3 starts at or after i
 * (i >= 1): the first j with s[j-1] == s[j] == s[j+1] == s[j+2], or n.
 * Every earlier byte is a literal, so this is the greedy parse. Eight
 * bytes a step; three repeating bytes in a row within the word end the
 * search (k <= 5, so that k + 2 is in the word). */
static size_t next_run(const uint8_t *s, size_t i, size_t n)
{
    for (; i + 8 <= n; i += 6) {
        uint64_t zero = exrqoi__deflate_repeats_mask(s + i);
        uint64_t three = zero & zero >> 8 & zero >> 16;
        if (three) return i + (size_t)__builtin_ctzll(three) / 8;
    }
    for (; i + 3 <= n; i++)
        if (s[i] == s[i - 1] && s[i + 1] == s[i] && s[i + 2] == s[i]) return i;
    return n;
}

/* 8 bytes of every 32 sampled: on the corpus, chunks the literal/run
 * coder takes repeat the byte before in <= 53% of their bytes, flat CG
 * chunks (which it would refuse after planning) mostly in more. */
#define RUNS_MAX_REPEAT_PERCENT 60

int exrqoi__deflate_runs_suits(exrqoi__deflate_sample s)
{
    return s.repeats * 100 <= s.seen * RUNS_MAX_REPEAT_PERCENT;
}

#define SAMPLE_STEP 32 /* bytes per sampled word */

exrqoi__deflate_sample exrqoi__deflate_sample_of(const uint8_t *src, size_t n)
{
    exrqoi__deflate_sample s = {n, 0, 0};
    for (size_t i = 1; i + 8 <= n; i += SAMPLE_STEP) {
        /* bit 7 of each byte to bit 0, the sum in the top byte */
        s.repeats += (size_t)(((exrqoi__deflate_repeats_mask(src + i) >> 7) * 0x0101010101010101ull) >> 56);
        s.seen += 8;
    }
    return s;
}

/* Length of the run that next_run found at i (3..258). */
static size_t run_length(const uint8_t *s, size_t i, size_t n)
{
    uint8_t b = s[i - 1];
    size_t max = n - i < MAX_RUN ? n - i : MAX_RUN, l = 3;
    const uint64_t all_b = b * 0x0101010101010101ull;
    for (; l + 8 <= max; l += 8) {
        uint64_t d = exrqoi__le64(s + i + l) ^ all_b; /* byte k nonzero: s[i+l+k] differs */
        if (d) return l + (size_t)__builtin_ctzll(d) / 8;
    }
    while (l < max && s[i + l] == b) l++;
    return l;
}

/* ---- a half as one literal/run block -------------------------------- */

typedef struct {
    uint8_t lit_len[NUM_LITLEN];
    uint16_t lit_code[NUM_LITLEN];
    exrqoi__deflate_header head;
    uint64_t bits; /* the whole block, header to end of block */
} run_block;

/* Codes of the literal/run block of s[0..n) and its size in bits. The
 * distance code is fixed: symbols 0 and 1 with one bit each. */
static void plan_block(const uint8_t *s, size_t n, run_block *b)
{
    uint32_t freq[NUM_LITLEN] = {0};
    uint64_t extra_bits = 0, dist_bits = 0;
    for (size_t i = 0; i < n;) {
        size_t r = next_run(s, i ? i : 1, n);
        for (; i < r; i++) freq[s[i]]++;
        if (r == n) break;
        size_t l = run_length(s, r, n);
        unsigned sym, nb, ex;
        exrqoi__deflate_length_sym((unsigned)l, &sym, &nb, &ex);
        freq[sym]++;
        extra_bits += nb;
        dist_bits += 1;
        i = r + l;
    }
    freq[END_OF_BLOCK] = 1;
    exrqoi__huff_lengths(freq, NUM_LITLEN, MAX_CODE_BITS, b->lit_len);
    exrqoi__huff_codes(b->lit_len, NUM_LITLEN, b->lit_code);
    int hlit = NUM_LITLEN;
    while (hlit > 257 && !b->lit_len[hlit - 1]) hlit--;
    static const uint8_t dist_len[2] = {1, 1};
    uint64_t bits = 3 + exrqoi__deflate_plan_header(b->lit_len, hlit, dist_len, 2, &b->head);
    for (int i = 0; i < NUM_LITLEN; i++) bits += (uint64_t)freq[i] * b->lit_len[i];
    b->bits = bits + extra_bits + dist_bits;
}

static inline void put_literal(exrqoi__bit_writer *w, uint32_t code_len)
{
    exrqoi__bits_put(w, code_len & 0xffff, code_len >> 16);
}

/* Literals s[0..n), each lit[] entry a code | its length << 16: four per
 * flush when no code is longer than 14 bits (`four`), else three (<= 45
 * bits). */
static void put_literals(exrqoi__bit_writer *w, const uint32_t *lit, int four, const uint8_t *s, size_t n)
{
    size_t i = 0;
    if (four)
        for (; i + 4 <= n; i += 4) {
            put_literal(w, lit[s[i]]);
            put_literal(w, lit[s[i + 1]]);
            put_literal(w, lit[s[i + 2]]);
            put_literal(w, lit[s[i + 3]]);
            exrqoi__bits_flush(w);
        }
    for (; i + 3 <= n; i += 3) {
        put_literal(w, lit[s[i]]);
        put_literal(w, lit[s[i + 1]]);
        put_literal(w, lit[s[i + 2]]);
        exrqoi__bits_flush(w);
    }
    for (; i < n; i++) {
        put_literal(w, lit[s[i]]);
        exrqoi__bits_flush(w);
    }
}

/* The planned block; `final` sets BFINAL. Ends mid-byte. */
static void put_block(exrqoi__bit_writer *w, const run_block *b, const uint8_t *s, size_t n, int final)
{
    exrqoi__deflate_put_header(w, &b->head, final);
    /* code and length of each literal in one word */
    uint32_t lit[256];
    int longest = 0;
    for (int i = 0; i < 256; i++) {
        lit[i] = b->lit_code[i] | (uint32_t)b->lit_len[i] << 16;
        if (b->lit_len[i] > longest) longest = b->lit_len[i];
    }
    const int four = longest <= 14;
    for (size_t i = 0; i < n;) {
        size_t r = next_run(s, i ? i : 1, n);
        put_literals(w, lit, four, s + i, r - i);
        if (r == n) break;
        size_t l = run_length(s, r, n);
        unsigned sym, nb, ex;
        exrqoi__deflate_length_sym((unsigned)l, &sym, &nb, &ex);
        exrqoi__bits_put(w, b->lit_code[sym], b->lit_len[sym]);
        exrqoi__bits_put(w, ex, nb);
        exrqoi__bits_put(w, 0, 1); /* distance symbol 0 (distance 1): code 0 */
        exrqoi__bits_flush(w);
        i = r + l;
    }
    exrqoi__bits_put(w, b->lit_code[END_OF_BLOCK], b->lit_len[END_OF_BLOCK]);
    exrqoi__bits_flush(w);
}

static size_t stored_size(size_t n) { return n + STORED_COST * (n / STORED_MAX + 1); }

/* Bytes of s[0..n) as one half: a literal/run block or stored blocks,
 * whichever is smaller, its plan in *b. Counts the block's last partial
 * byte as whole (an upper bound at any bit offset). */
static size_t plan_half(const uint8_t *s, size_t n, run_block *b, int *stored)
{
    plan_block(s, n, b);
    size_t dyn = (size_t)((b->bits + 7) / 8) + 1;
    size_t sto = stored_size(n) + 1;
    *stored = sto <= dyn;
    return *stored ? sto : dyn;
}

static void put_half(exrqoi__bit_writer *w, const run_block *b, int stored, const uint8_t *s, size_t n, int final)
{
    if (stored)
        exrqoi__deflate_put_stored(w, s, n, final);
    else
        put_block(w, b, s, n, final);
}

size_t exrqoi__deflate_split_bound(size_t n)
{
    size_t h = (n + 1) / 2;
    /* zlib header, first half (never above its stored size) with room
     * for the 8-byte stores, second half, Adler-32 */
    return 2 + stored_size(h) + 8 + libdeflate_deflate_compress_bound(NULL, n - h) + 4;
}

void exrqoi__deflate_put_zlib_header(uint8_t *dst)
{
    dst[0] = 0x78; /* CM 8, 32 KiB window */
    dst[1] = 0x5e; /* FLEVEL 1 (fast), FCHECK: 0x785e % 31 == 0 */
}

size_t exrqoi__deflate_put_adler(const uint8_t *src, size_t n, uint8_t *dst, uint8_t *end)
{
    uint32_t a = libdeflate_adler32(1, src, n);
    end[0] = (uint8_t)(a >> 24), end[1] = (uint8_t)(a >> 16), end[2] = (uint8_t)(a >> 8), end[3] = (uint8_t)a;
    return (size_t)(end + 4 - dst);
}

size_t exrqoi__deflate_split(struct libdeflate_compressor *high, const uint8_t *src, size_t n,
                             uint8_t *dst, size_t dst_cap)
{
    size_t h = (n + 1) / 2;
    if (dst_cap < 2 + 4) return 0;
    exrqoi__deflate_put_zlib_header(dst);
    exrqoi__bit_writer w = {0, 0, dst + 2};
    if (h) {
        run_block b;
        plan_block(src, h, &b);
        size_t dyn = (size_t)((b.bits + 3 + 7) / 8) + 4; /* with the empty stored block */
        size_t sto = stored_size(h);
        if (dst_cap - 4 < 2 + (sto <= dyn ? sto : dyn) + 8) return 0;
        if (sto <= dyn) {
            exrqoi__deflate_put_stored(&w, src, h, 0);
        } else {
            put_block(&w, &b, src, h, 0);
            exrqoi__deflate_put_stored(&w, NULL, 0, 0); /* libdeflate starts on a byte boundary */
        }
    }
    uint8_t *o = w.out;
    size_t room = dst_cap - (size_t)(o - dst) - 4;
    size_t z = libdeflate_deflate_compress(high, src + h, n - h, o, room);
    if (z == 0) return 0;
    return exrqoi__deflate_put_adler(src, n, dst, o + z);
}

size_t exrqoi__deflate_runs(const uint8_t *src, size_t n, uint8_t *dst, size_t dst_cap)
{
    size_t h = (n + 1) / 2;
    run_block lo, hi;
    int lo_stored = 0, hi_stored;
    size_t need = 2 + (h ? plan_half(src, h, &lo, &lo_stored) : 0) + plan_half(src + h, n - h, &hi, &hi_stored);
    /* quarter bits: fewer means repeats a matcher would code smaller */
    if ((uint64_t)need * 8 * 4 < (uint64_t)n * EXRQOI__DEFLATE_RUNS_MIN_BITS) return 0;
    if (dst_cap < need + 8 + 4) return 0;
    exrqoi__deflate_put_zlib_header(dst);
    exrqoi__bit_writer w = {0, 0, dst + 2};
    if (h) put_half(&w, &lo, lo_stored, src, h, 0);
    put_half(&w, &hi, hi_stored, src + h, n - h, 1);
    uint8_t *o = w.out + (w.n ? 1 : 0);
    return exrqoi__deflate_put_adler(src, n, dst, o);
}
