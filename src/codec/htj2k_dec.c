/*
 * HTJ2K256 / HTJ2K32 chunks: the OpenEXR chunk header (htj2k.h), the
 * codestream decoded by htj2k_dec_stream.c, and its components written
 * into the chunk's unpacked layout through the channel map.
 */
#include "codec/htj2k_dec.h"
#include "codec/htj2k_enc.h"
#include "codec/seg_cursor.h"
#include "common/cpu.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HTOUT_SSE2 1
#include <immintrin.h>
#else
#define HTOUT_SSE2 0
#endif

static exrqoi_result chunk_corrupt(exrqoi__codec_ctx *ctx, const char *what, size_t a, size_t b)
{
    return exrqoi__fail(&ctx->err, EXRQOI_ERR_CORRUPT, "HTJ2K chunk: %s (%zu, %zu)", what, a, b);
}

/* One line of raw samples (before the inverse DC level shift and NLT,
 * applied here), truncated to the channel's 16 or 32 bits (as OpenEXR
 * stores OpenJPH's integers), little-endian. Only additions, so 32-bit
 * arithmetic gives the truncated bits of the codestream decoder's own
 * (wrapping) pass. The NLT of a negative sample, 0 - v - (half + 1), is
 * ~v - half, which in the channel's bits is v with all but its top bit
 * flipped: v ^ (half - 1), one xor. Instantiated per coefficient width. */
typedef struct out_params {
    uint32_t add;  /* the DC level shift: half for unsigned channels */
    uint32_t flip; /* the NLT's bits of a negative sample: half - 1, or 0 */
} out_params;

static out_params out_params_of(const exrqoi__htj2k_comp *c)
{
    const uint32_t half = (uint32_t)((uint64_t)1 << (c->depth - 1));
    out_params p = {c->is_signed ? 0 : half,
                    c->is_signed && c->nlt_type == EXRQOI__J2K_NLT_BINARY_COMPLEMENT ? half - 1 : 0};
    return p;
}

static inline __attribute__((always_inline)) uint32_t out_value(int64_t v, out_params p)
{
    return ((uint32_t)v + p.add) ^ (v < 0 ? p.flip : 0);
}

static inline __attribute__((always_inline)) uint8_t *put_line_w(uint8_t *o, const void *src, bool narrow, uint32_t x,
                                                                 uint32_t n, int size, out_params p)
{
    const int32_t *s32 = src;
    const int64_t *s64 = src;
    if (size == 2) {
        for (; x < n; x++) {
            const uint32_t u = out_value(narrow ? s32[x] : s64[x], p);
            o[2 * (size_t)x] = (uint8_t)u;
            o[2 * (size_t)x + 1] = (uint8_t)(u >> 8);
        }
        return o + 2 * (size_t)n;
    }
    for (; x < n; x++) {
        const uint32_t u = out_value(narrow ? s32[x] : s64[x], p);
        o[4 * (size_t)x] = (uint8_t)u;
        o[4 * (size_t)x + 1] = (uint8_t)(u >> 8);
        o[4 * (size_t)x + 2] = (uint8_t)(u >> 16);
        o[4 * (size_t)x + 3] = (uint8_t)(u >> 24);
    }
    return o + 4 * (size_t)n;
}

#if HTOUT_SSE2
/* 32-bit samples, 8 at a time; x86 is little-endian, so the lanes are the
 * file's bytes. The 16-bit case keeps the low half of each word
 * (sign-extended so that the saturating pack is exact). Each step reads
 * s and writes o only, so a row's last step may overlap the one before:
 * rows of at least one step have no scalar tail. */
static inline __attribute__((always_inline)) void put8_sse2(uint8_t *o, const int32_t *s, uint32_t x, int size,
                                                            out_params p)
{
    const __m128i add = _mm_set1_epi32((int32_t)p.add), flip = _mm_set1_epi32((int32_t)p.flip);
    const __m128i v0 = _mm_loadu_si128((const __m128i *)(s + x)), v1 = _mm_loadu_si128((const __m128i *)(s + x + 4));
    __m128i u0 = _mm_xor_si128(_mm_add_epi32(v0, add), _mm_and_si128(_mm_srai_epi32(v0, 31), flip));
    __m128i u1 = _mm_xor_si128(_mm_add_epi32(v1, add), _mm_and_si128(_mm_srai_epi32(v1, 31), flip));
    if (size == 2) {
        u0 = _mm_srai_epi32(_mm_slli_epi32(u0, 16), 16);
        u1 = _mm_srai_epi32(_mm_slli_epi32(u1, 16), 16);
        _mm_storeu_si128((__m128i *)(o + 2 * (size_t)x), _mm_packs_epi32(u0, u1));
    } else {
        _mm_storeu_si128((__m128i *)(o + 4 * (size_t)x), u0);
        _mm_storeu_si128((__m128i *)(o + 4 * (size_t)x + 16), u1);
    }
}

static uint8_t *put_line32_sse2(uint8_t *o, const int32_t *s, uint32_t n, int size, out_params p)
{
    if (n < 8) return put_line_w(o, s, true, 0, n, size, p);
    uint32_t x = 0;
    for (; x + 8 <= n; x += 8) put8_sse2(o, s, x, size, p);
    if (x < n) put8_sse2(o, s, n - 8, size, p);
    return o + (size_t)size * n;
}

/* The same 16 at a time. 16-bit: the low halves (exact through the
 * unsigned pack of the masked words) and the signs (kept by the signed
 * pack) first, then the NLT on 16-bit lanes; the in-lane packs leave the
 * 64-bit quarters in the order 0 2 1 3. */
__attribute__((target("avx2"))) static inline __attribute__((always_inline)) void
put16_avx2(uint8_t *o, const int32_t *s, uint32_t x, int size, out_params p)
{
    const __m256i v0 = _mm256_loadu_si256((const __m256i *)(s + x)), v1 = _mm256_loadu_si256((const __m256i *)(s + x + 8));
    if (size == 2) {
        const __m256i lo16 = _mm256_set1_epi32(0xFFFF);
        const __m256i add = _mm256_set1_epi16((short)p.add), flip = _mm256_set1_epi16((short)p.flip);
        const __m256i t = _mm256_packus_epi32(_mm256_and_si256(v0, lo16), _mm256_and_si256(v1, lo16));
        const __m256i m = _mm256_and_si256(_mm256_srai_epi16(_mm256_packs_epi32(v0, v1), 15), flip);
        const __m256i u = _mm256_xor_si256(_mm256_add_epi16(t, add), m);
        _mm256_storeu_si256((__m256i *)(o + 2 * (size_t)x), _mm256_permute4x64_epi64(u, 0xD8));
    } else {
        const __m256i add = _mm256_set1_epi32((int32_t)p.add), flip = _mm256_set1_epi32((int32_t)p.flip);
        const __m256i u0 = _mm256_xor_si256(_mm256_add_epi32(v0, add), _mm256_and_si256(_mm256_srai_epi32(v0, 31), flip));
        const __m256i u1 = _mm256_xor_si256(_mm256_add_epi32(v1, add), _mm256_and_si256(_mm256_srai_epi32(v1, 31), flip));
        _mm256_storeu_si256((__m256i *)(o + 4 * (size_t)x), u0);
        _mm256_storeu_si256((__m256i *)(o + 4 * (size_t)x + 32), u1);
    }
}

__attribute__((target("avx2"))) static uint8_t *put_line32_avx2(uint8_t *o, const int32_t *s, uint32_t n, int size,
                                                                 out_params p)
{
    if (n < 16) return put_line32_sse2(o, s, n, size, p);
    uint32_t x = 0;
    for (; x + 16 <= n; x += 16) put16_avx2(o, s, x, size, p);
    if (x < n) put16_avx2(o, s, n - 16, size, p);
    return o + (size_t)size * n;
}
#endif

/* One channel's output state in a chunk: its next row and how its
 * samples are written. */
typedef struct out_chan {
    const int32_t *s32;
    const int32_t *s32_first, *s32_end; /* a ring of rows (exrqoi__htj2k_comp ring_rows), else NULL */
    const int64_t *s64;
    uint32_t row, height, width;
    int32_t ysamp;
    int size;
    bool rct; /* one of the three components with the RCT pending */
    size_t bytes; /* of one line */
    out_params p;
} out_chan;

typedef uint8_t *(*put32_fn)(uint8_t *o, const int32_t *s, uint32_t n, int size, out_params p);

static uint8_t *put_line32_c(uint8_t *o, const int32_t *s, uint32_t n, int size, out_params p)
{
    return put_line_w(o, s, true, 0, n, size, p);
}

/* The put_line32 kernel of a path, chosen once per chunk. */
static put32_fn put32_of(int path)
{
    (void)path;
#if HTOUT_SSE2
    if (path == EXRQOI__PATH_AVX2) return put_line32_avx2;
    if (path != EXRQOI__PATH_C) return put_line32_sse2;
#endif
    return put_line32_c;
}

uint8_t *exrqoi__htj2k_put_line32(uint8_t *o, const int32_t *s, uint32_t n, int size, const exrqoi__htj2k_comp *c,
                                  int path)
{
    return put32_of(path)(o, s, n, size, out_params_of(c));
}

/* The inverse RCT a one-tile raw decode left (img->rct_pending), done a
 * row at a time just before the row is written out, while it is in
 * cache. */
static void rct_row(exrqoi__htj2k_image *img, size_t row, int path)
{
    exrqoi__htj2k_comp *c = img->comps;
    const size_t at = (c[0].ring_rows ? row & (c[0].ring_rows - 1) : row) * c[0].width;
    if (c[0].samples32)
        exrqoi__htj2k_inverse_rct32(path, c[0].samples32 + at, c[1].samples32 + at, c[2].samples32 + at, c[0].width);
    else
        exrqoi__htj2k_inverse_rct(c[0].samples + at, c[1].samples + at, c[2].samples + at, c[0].width);
}

/* Writing a chunk's lines: to the unpacked buffer (o), or with o NULL
 * through the segments (sc), `left` bytes of the block still to come. */
typedef struct out_state {
    exrqoi__codec_ctx *ctx;
    const exrqoi__block_layout *block;
    exrqoi__htj2k_image *img;
    out_chan *oc;
    const uint32_t *inv; /* component of each channel */
    uint8_t *linebuf;    /* a line, for runs the segments split */
    uint8_t *o;
    seg_cursor sc;
    size_t left;
    size_t rct_next; /* rows below have had the pending RCT */
    int32_t yy;      /* next line */
    put32_fn put32;
    bool ready; /* oc set up from the decoded image */
} out_state;

static void out_init(out_state *st)
{
    for (int f = 0; f < st->block->nchan; f++) {
        const exrqoi__htj2k_comp *c = &st->img->comps[st->inv[f]];
        out_chan *q = &st->oc[f];
        q->s32 = c->samples32;
        q->s32_first = c->ring_rows ? c->samples32 : NULL;
        q->s32_end = c->ring_rows ? c->samples32 + (size_t)c->ring_rows * c->width : NULL;
        q->s64 = c->samples;
        q->row = 0;
        q->height = c->height;
        q->width = c->width;
        q->size = st->block->chans[f].size;
        q->ysamp = st->block->chans[f].y_sampling;
        q->bytes = (size_t)c->width * q->size;
        q->rct = st->img->rct_pending && st->inv[f] < 3 && c->width;
        q->p = out_params_of(c);
    }
    st->ready = true;
}

/* Lines up to `upto` (not included). */
static exrqoi_result out_lines(out_state *st, int32_t upto)
{
    const exrqoi__block_layout *block = st->block;
    const int path = st->ctx->k.htdwt;
    for (; st->yy < upto; st->yy++) {
        const int32_t y = block->y + st->yy;
        size_t tail = 0; /* bytes of this line in linebuf, from a run the segments split */
        for (int f = 0; f < block->nchan; f++) {
            out_chan *q = &st->oc[f];
            if (q->ysamp != 1 && y % q->ysamp != 0) continue;
            if (q->row >= q->height || q->bytes > st->left)
                return exrqoi__fail(&st->ctx->err, EXRQOI_ERR_CORRUPT, "HTJ2K chunk: channel %d has too many lines",
                                    f);
            st->left -= q->bytes;
            uint8_t *to;
            if (st->o) {
                to = st->o;
                st->o += q->bytes;
            } else if (tail || !seg_whole(&st->sc, q->bytes, &to)) {
                to = st->linebuf + tail;
                tail += q->bytes;
            }
            if (q->rct)
                for (; st->rct_next <= q->row; st->rct_next++) rct_row(st->img, st->rct_next, path);
            if (to) {
                if (q->s32)
                    st->put32(to, q->s32, q->width, q->size, q->p);
                else
                    put_line_w(to, q->s64, false, 0, q->width, q->size, q->p);
            }
            if (q->s32) {
                q->s32 += q->width;
                if (q->s32 == q->s32_end) q->s32 = q->s32_first;
            } else
                q->s64 += q->width;
            q->row++;
        }
        if (tail) seg_scatter(&st->sc, st->linebuf, tail);
    }
    return EXRQOI_OK;
}

/* exrqoi__htj2k_rows_fn: the lines whose rows the decoder has finished. */
static exrqoi_result out_rows(void *arg, uint32_t rows)
{
    out_state *st = arg;
    if (!st->ready) out_init(st);
    return out_lines(st, rows < (uint32_t)st->block->height ? (int32_t)rows : st->block->height);
}

/* The chunk into the unpacked buffer `dst` or, with dst NULL, through the
 * segments (which cover block->unpacked_size bytes). */
static exrqoi_result decode_chunk(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *block, const uint8_t *src,
                                  size_t src_size, uint8_t *dst, const exrqoi__segment *seg, size_t nseg)
{
    if (src_size < EXRQOI__HTJ2K_PREFIX + 2)
        return chunk_corrupt(ctx, "too short for its header: bytes, minimum", src_size, EXRQOI__HTJ2K_PREFIX + 2);
    if (exrqoi__htj2k_be16(src) != EXRQOI__HTJ2K_MAGIC)
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_CORRUPT, "HTJ2K chunk does not start with the magic 0x4854");
    const uint32_t plen = exrqoi__htj2k_be32(src + 2);
    if (plen > src_size - EXRQOI__HTJ2K_PREFIX || plen < 2)
        return chunk_corrupt(ctx, "header payload length does not fit the chunk: payload, chunk", plen, src_size);
    const uint8_t *pl = src + EXRQOI__HTJ2K_PREFIX;
    const uint32_t nch = exrqoi__htj2k_be16(pl);
    if ((size_t)nch * 2 + 2 > plen)
        return chunk_corrupt(ctx, "channel map longer than the header payload: channels, payload", nch, plen);
    if ((int)nch != block->nchan)
        return chunk_corrupt(ctx, "channel map size differs from the channel count: map, channels", nch,
                             (size_t)block->nchan);
    const size_t cs_off = EXRQOI__HTJ2K_PREFIX + (size_t)plen;
    if (cs_off >= src_size) return chunk_corrupt(ctx, "no codestream after the header: header, chunk", cs_off, src_size);

    /* a line of every channel, for segments that split a run */
    size_t line_max = 0;
    if (!dst)
        for (uint32_t f = 0; f < nch; f++) line_max += (size_t)block->chans[f].width * block->chans[f].size;
    /* map[i]: file channel of component i; inv[f]: component of channel f */
    size_t need = (size_t)nch * (sizeof(exrqoi__htj2k_comp) + sizeof(out_chan) + 2 * sizeof(uint32_t)) + line_max;
    uint8_t *mem = exrqoi__alloc(ctx->alloc, need ? need : 1);
    if (!mem) return exrqoi__fail(&ctx->err, EXRQOI_ERR_OUT_OF_MEMORY, "cannot allocate %zu bytes", need);
    exrqoi__htj2k_comp *ex = (exrqoi__htj2k_comp *)mem;
    out_chan *oc = (out_chan *)(ex + nch);
    uint32_t *map = (uint32_t *)(oc + nch);
    uint32_t *inv = map + nch;
    uint8_t *linebuf = (uint8_t *)(inv + nch);
    exrqoi_result rv = EXRQOI_OK;
    uint64_t max_samples = 0;
    for (uint32_t f = 0; f < nch; f++) inv[f] = UINT32_MAX;
    for (uint32_t i = 0; i < nch && rv == EXRQOI_OK; i++) {
        const uint32_t f = exrqoi__htj2k_be16(pl + 2 + 2 * i);
        if (f >= nch || inv[f] != UINT32_MAX) {
            rv = exrqoi__fail(&ctx->err, EXRQOI_ERR_CORRUPT,
                              "HTJ2K chunk: channel map entry %u names channel %u twice or out of range", i, f);
            break;
        }
        map[i] = f;
        inv[f] = i;
        const exrqoi__chan_layout *ch = &block->chans[f];
        memset(&ex[i], 0, sizeof ex[i]);
        ex[i].width = (uint32_t)ch->width;
        ex[i].height = (uint32_t)ch->height;
        ex[i].depth = ch->type == EXRQOI_PIXEL_HALF ? 16 : 32;
        ex[i].is_signed = ch->type != EXRQOI_PIXEL_UINT;
        ex[i].x_sampling = (uint8_t)ch->x_sampling;
        ex[i].y_sampling = (uint8_t)ch->y_sampling;
        if (ch->x_sampling > 255 || ch->y_sampling > 255)
            rv = exrqoi__fail(&ctx->err, EXRQOI_ERR_CORRUPT, "HTJ2K cannot code sampling %dx%d",
                              (int)ch->x_sampling, (int)ch->y_sampling);
        max_samples += (uint64_t)ch->width * (uint64_t)ch->height;
    }
    exrqoi__htj2k_image img;
    memset(&img, 0, sizeof img);
    /* the decoder's working memory: EXRQOI__SCRATCH_HTJ2K_WORK, kept between chunks */
    exrqoi__htj2k_ws ws;
    memset(&ws, 0, sizeof ws);
    if (rv == EXRQOI_OK && ctx->scratch_cap[EXRQOI__SCRATCH_HTJ2K_WORK]) {
        void *mem = NULL;
        rv = exrqoi__codec_scratch(ctx, EXRQOI__SCRATCH_HTJ2K_WORK, ctx->scratch_cap[EXRQOI__SCRATCH_HTJ2K_WORK], &mem);
        ws.base = mem;
        ws.cap = ctx->scratch_cap[EXRQOI__SCRATCH_HTJ2K_WORK];
    }
    ws.dwt_path = ctx->k.htdwt;
    /* the output, written strip by strip as the decoder finishes rows when
     * every line holds every channel (rows are lines), else at the end */
    out_state st = {ctx, block, &img, oc, inv, linebuf, dst, {seg, nseg, 0, 0}, block->unpacked_size, 0, 0,
                    put32_of(ctx->k.htdwt), false};
    bool by_rows = true;
    for (uint32_t f = 0; f < nch; f++)
        if (block->chans[f].y_sampling != 1 || block->chans[f].x_sampling != 1) by_rows = false;
    if (rv == EXRQOI_OK) {
        exrqoi__htj2k_expect e = {(uint32_t)block->width, (uint32_t)block->height, nch, ex};
        rv = exrqoi__htj2k_decode_codestream_rows(ctx->alloc, &ctx->err, src + cs_off, src_size - cs_off, &e,
                                                  max_samples, &ws, &img, true, by_rows ? out_rows : NULL, &st);
    }
    if (rv == EXRQOI_OK) {
        if (!st.ready) out_init(&st);
        rv = out_lines(&st, block->height);
    }
    if (rv == EXRQOI_OK && st.left)
        rv = exrqoi__fail(&ctx->err, EXRQOI_ERR_CORRUPT, "HTJ2K chunk decodes to %zu bytes, %zu expected",
                          block->unpacked_size - st.left, block->unpacked_size);
    exrqoi__htj2k_image_free(ctx->alloc, &img);
    exrqoi__htj2k_ws_release(&ws);
    exrqoi__free(ctx->alloc, mem);
    /* grow the buffer to what this chunk needed: the next one fits */
    if (ws.peak > ctx->scratch_cap[EXRQOI__SCRATCH_HTJ2K_WORK]) {
        void *grown = NULL;
        exrqoi_result g = exrqoi__codec_scratch(ctx, EXRQOI__SCRATCH_HTJ2K_WORK, ws.peak, &grown);
        if (rv == EXRQOI_OK) rv = g;
    }
    return rv;
}

exrqoi_result exrqoi__htj2k_decompress(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *block, const uint8_t *src,
                                       size_t src_size, uint8_t *dst)
{
    return decode_chunk(ctx, block, src, src_size, dst, NULL, 0);
}

/* Straight into the caller's slices: no unpacked buffer, no copy out of
 * it, and nothing written for the channels not wanted. */
static exrqoi_result htj2k_decompress_segments(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *block,
                                               const uint8_t *src, size_t src_size, const exrqoi__segment *seg,
                                               size_t nseg)
{
    return decode_chunk(ctx, block, src, src_size, NULL, seg, nseg);
}

/* The fewest bytes a chunk for `block` can have (docs/security.md): the
 * chunk header and channel map, the marker segments every codestream
 * needs at their shortest (SOC; SIZ with C components; COD without
 * precinct sizes; QCD of a reversible stream with no decomposition; one
 * SOT and SOD; CAP, COM and EOC are not counted as the decoder does not
 * require them), and one byte per packet: every packet header takes at
 * least one byte, and the highest resolution of a component of w x h
 * samples has at least ceil(w / 2^15) * ceil(h / 2^15) non-empty
 * precincts (precincts are at most 2^15 on a side there), whatever the
 * tiling, levels and layers. */
#define HTJ2K_MIN_FIXED (EXRQOI__HTJ2K_PREFIX + 2u + 2u + (2u + 38u) + (2u + 12u) + (2u + 4u) + (2u + 10u) + 2u)
#define HTJ2K_MIN_PER_CHANNEL (2u + 3u) /* channel map entry, SIZ component */
#define HTJ2K_MAX_PRECINCT 32768u

static uint64_t htj2k_min_packed(const exrqoi__block_layout *b)
{
    if (!b) return HTJ2K_MIN_FIXED + HTJ2K_MIN_PER_CHANNEL + 1u; /* one channel, one packet */
    uint64_t n = HTJ2K_MIN_FIXED + (uint64_t)HTJ2K_MIN_PER_CHANNEL * (uint64_t)(b->nchan > 0 ? b->nchan : 0);
    for (int c = 0; c < b->nchan; c++) {
        const exrqoi__chan_layout *ch = &b->chans[c];
        if (ch->width <= 0 || ch->height <= 0) continue; /* an empty component has no packets */
        uint64_t px = ((uint64_t)ch->width + HTJ2K_MAX_PRECINCT - 1) / HTJ2K_MAX_PRECINCT;
        uint64_t py = ((uint64_t)ch->height + HTJ2K_MAX_PRECINCT - 1) / HTJ2K_MAX_PRECINCT;
        n += px * py;
    }
    return n;
}

/* A codestream decodes to exactly the layout's samples (a mismatch is an
 * error), so a chunk of at least the minimum size can hold the layout's
 * bytes and nothing more, and a shorter one nothing. Without a layout
 * any size is possible once the smallest chunk's bytes are there. */
static uint64_t htj2k_max_unpacked(const exrqoi__block_layout *b, uint64_t n)
{
    if (n < htj2k_min_packed(b)) return 0;
    if (!b) return UINT64_MAX;
    uint64_t bytes = 0;
    for (int c = 0; c < b->nchan; c++) {
        const exrqoi__chan_layout *ch = &b->chans[c];
        if (ch->width <= 0 || ch->height <= 0) continue;
        bytes = exrqoi__sat_add(bytes, exrqoi__sat_mul(exrqoi__sat_mul((uint64_t)ch->width, (uint64_t)ch->height),
                                                       ch->size));
    }
    return bytes;
}

const exrqoi__codec exrqoi__codec_htj2k256 = {
    .id = EXRQOI_COMPRESSION_HTJ2K256, .name = "htj2k256", .lines_per_chunk = 256, .speed = 250,
    .decompress = exrqoi__htj2k_decompress, .bound = exrqoi__htj2k_bound, .compress = exrqoi__htj2k_compress,
    .max_unpacked = htj2k_max_unpacked, .decompress_segments = htj2k_decompress_segments};
const exrqoi__codec exrqoi__codec_htj2k32 = {
    .id = EXRQOI_COMPRESSION_HTJ2K32, .name = "htj2k32", .lines_per_chunk = 32, .speed = 250,
    .decompress = exrqoi__htj2k_decompress, .bound = exrqoi__htj2k_bound, .compress = exrqoi__htj2k_compress,
    .max_unpacked = htj2k_max_unpacked, .decompress_segments = htj2k_decompress_segments};
