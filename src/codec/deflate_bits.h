/*
 * What the two own zlib encoders (deflate_enc.c, deflate_lz.c) share:
 * the LSB-first bit writer, the length alphabet, the dynamic block
 * header (code lengths run-length coded with symbols 16/17/18 and their
 * own Huffman code) and stored blocks. Facts from RFC 1951 3.2.5-3.2.7.
 */
#ifndef EXRQOI_CODEC_DEFLATE_BITS_H
#define EXRQOI_CODEC_DEFLATE_BITS_H

#include "common/internal.h"

#include <string.h>

#define EXRQOI__DEFLATE_MAX_LEN 258     /* longest match */
#define EXRQOI__DEFLATE_NUM_LITLEN 286  /* 0..255 literals, 256 end of block, 257..285 lengths */
#define EXRQOI__DEFLATE_NUM_DIST 30
#define EXRQOI__DEFLATE_END_OF_BLOCK 256
#define EXRQOI__DEFLATE_MAX_CODE_BITS 15 /* literal/length and distance codes */
#define EXRQOI__DEFLATE_NUM_CLEN 19
#define EXRQOI__DEFLATE_STORED_MAX 65535 /* bytes in one stored block */

typedef struct {
    uint64_t buf;
    unsigned n; /* bits in buf, < 8 between flushes */
    uint8_t *out;
} exrqoi__bit_writer;

/* Adds up to 57 - n bits; flush_bytes then writes the whole bytes. */
static inline void exrqoi__bits_put(exrqoi__bit_writer *w, uint64_t v, unsigned nbits)
{
    w->buf |= v << w->n;
    w->n += nbits;
}

static inline void exrqoi__bits_flush(exrqoi__bit_writer *w)
{
    /* 8 bytes stored: the caller keeps 8 bytes of room past the end;
     * little-endian: the bits deflate wants first come first */
    exrqoi__put64(w->out, w->buf);
    w->out += w->n >> 3;
    w->buf >>= w->n & ~7u;
    w->n &= 7;
}

/* Length symbol (257..285), its extra bit count and value for a match of
 * 3..258 bytes. Without branches: the LZ77 encoder's block writer runs it
 * on every item, literals too (then len is anything and the results are
 * masked off). */
static inline void exrqoi__deflate_length_sym(unsigned len, unsigned *sym, unsigned *nbits, unsigned *extra)
{
    unsigned y = len - 3;
    unsigned b = 31 - (unsigned)__builtin_clz(y | 4); /* y's top bit, 2..7; y < 4 corrected below */
    unsigned top = len == EXRQOI__DEFLATE_MAX_LEN; /* 258: symbol 285, no extra bits */
    *sym = 257 + 4 * (b - 1) + ((y >> (b - 2)) & 3) - 4 * (y < 4) + top;
    *nbits = (b - 2) & (top - 1);
    *extra = y & ((1u << (b - 2)) - 1) & (top - 1);
}

/* Bit 7 of byte k set where s[k] == s[k-1], k = 0..7. */
static inline uint64_t exrqoi__deflate_repeats_mask(const uint8_t *s)
{
    const uint64_t low7 = 0x7f7f7f7f7f7f7f7full;
    uint64_t d = exrqoi__le64(s) ^ exrqoi__le64(s - 1);
    return ~(((d & low7) + low7) | d | low7); /* bit 7 of each byte: that byte is zero */
}

/* The zlib header (RFC 1950) at dst[0..2). */
EXRQOI_INTERNAL void exrqoi__deflate_put_zlib_header(uint8_t *dst);

/* The Adler-32 of src[0..n) at end[0..4); returns the stream's size
 * (from dst to past it). */
EXRQOI_INTERNAL size_t exrqoi__deflate_put_adler(const uint8_t *src, size_t n, uint8_t *dst, uint8_t *end);

/* The code-length part of a dynamic block's header. */
typedef struct {
    int hlit, hdist, hclen, nrle;
    uint8_t clen_len[EXRQOI__DEFLATE_NUM_CLEN];
    uint16_t clen_code[EXRQOI__DEFLATE_NUM_CLEN];
    /* code-length symbols with their repeat counts */
    uint8_t rle_sym[EXRQOI__DEFLATE_NUM_LITLEN + EXRQOI__DEFLATE_NUM_DIST];
    uint8_t rle_extra[EXRQOI__DEFLATE_NUM_LITLEN + EXRQOI__DEFLATE_NUM_DIST];
} exrqoi__deflate_header;

/* Plans the header of lit_len[0..hlit) and dist_len[0..hdist) into *h;
 * returns its bits after BFINAL/BTYPE (HLIT, HDIST, HCLEN, the
 * code-length code and the coded lengths). */
EXRQOI_INTERNAL uint64_t exrqoi__deflate_plan_header(const uint8_t *lit_len, int hlit, const uint8_t *dist_len,
                                                     int hdist, exrqoi__deflate_header *h);

/* BFINAL (final), BTYPE 10 and the planned header. */
EXRQOI_INTERNAL void exrqoi__deflate_put_header(exrqoi__bit_writer *w, const exrqoi__deflate_header *h, int final);

/* s[0..n) as stored blocks (at least one, so n = 0 writes the empty
 * block that brings the stream to a byte boundary; s may then be NULL);
 * `final` sets BFINAL on the last. */
EXRQOI_INTERNAL void exrqoi__deflate_put_stored(exrqoi__bit_writer *w, const uint8_t *s, size_t n, int final);

/* Huffman code lengths of at most max_bits for freq[0..n) (n <= 286; at
 * least two symbols get a code) and their canonical codes, bit-reversed
 * for LSB-first output. */
EXRQOI_INTERNAL void exrqoi__huff_lengths(const uint32_t *freq, int n, int max_bits, uint8_t *lens);
EXRQOI_INTERNAL void exrqoi__huff_codes(const uint8_t *lens, int n, uint16_t *codes);

#endif
