/* ZIPS (1 line per chunk) and ZIP (16 lines): predictor + interleave,
 * then zlib-format deflate (libdeflate, or codec/deflate_enc.c for
 * photographic chunks at the default level). */
#include "codec/dwa.h"
#include "codec/predict.h"

typedef exrqoi_result (*unpack_fn)(exrqoi__codec_ctx *ctx, const uint8_t *src, size_t n, uint8_t *out,
                                   size_t out_size);

/* Room the scratch has past the unpacked size. libdeflate decodes in its
 * fast loop only while at least ~300 bytes (FASTLOOP_MAX_BYTES_WRITTEN in
 * libdeflate 1.14: a longest match plus five words) of output room are
 * left; into an exact-size buffer every chunk's last ~300 bytes go through
 * its slow loop (Desk ZIPS, 5 KB lines: 6% of the bytes). */
#define UNPACK_SLACK 512

/* The entropy stage of ZIP (inflate) or RLE into the scratch buffer,
 * still predicted and interleaved; the buffer has UNPACK_SLACK more bytes. */
static inline exrqoi_result unpack_to_scratch(exrqoi__codec_ctx *ctx, unpack_fn unpack, const uint8_t *src,
                                              size_t n, size_t size, uint8_t **tmp)
{
    void *t;
    EXRQOI_TRY(exrqoi__codec_scratch(ctx, EXRQOI__SCRATCH_BYTES, size + UNPACK_SLACK, &t));
    *tmp = (uint8_t *)t;
    return unpack(ctx, src, n, *tmp, size);
}

/* Inflate of exactly out_size bytes into a buffer with UNPACK_SLACK bytes
 * of room after them (kept in libdeflate's fast loop to the end). */
static exrqoi_result zip_inflate(exrqoi__codec_ctx *ctx, const uint8_t *src, size_t n, uint8_t *out,
                                 size_t out_size)
{
    size_t got = 0;
    EXRQOI_TRY(exrqoi__inflate_any(ctx, src, n, out, out_size + UNPACK_SLACK, &got));
    if (got != out_size)
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_CORRUPT, "deflate data decodes to %zu bytes, %zu expected",
                            got, out_size);
    return EXRQOI_OK;
}

static exrqoi_result zip_encode_bytes(exrqoi__codec_ctx *ctx, const uint8_t *src, size_t n,
                                      uint8_t *dst, size_t cap, size_t *out)
{
    void *tmp;
    EXRQOI_TRY(exrqoi__codec_scratch(ctx, EXRQOI__SCRATCH_BYTES, n, &tmp));
    exrqoi__zip_predict_path(ctx->k.zip, src, n, (uint8_t *)tmp);
    return exrqoi__deflate_zip(ctx, (const uint8_t *)tmp, n, dst, cap, out);
}

/* Worst case of libdeflate's zlib wrapper, independent of the level. */
static size_t zip_bound_bytes(size_t n) { return n + n / 8 + 64 + 6 * (n / 65535 + 1); }

/* The predictor and interleave keep the size: zlib's bound. */
static uint64_t zip_max_unpacked(const exrqoi__block_layout *b, uint64_t n)
{
    (void)b;
    return exrqoi__inflate_max(n);
}


/* ---- RLE ---------------------------------------------------------------- */

/* OpenEXR's run-length scheme: a signed count byte; c >= 0 is a run of
 * c+1 copies of the next byte, c < 0 is -c literal bytes. Runs of at
 * least 3 are coded as runs; at most 127 (+1) bytes per op. */
static size_t rle_encode(const uint8_t *in, size_t n, uint8_t *out)
{
    size_t o = 0, r = 0;
    while (r < n) {
        size_t e = r + 1;
        while (e < n && in[e] == in[r] && e - r - 1 < 127) e++;
        size_t extra = e - r - 1; /* repeats after the first byte */
        if (extra >= 2) {
            out[o++] = (uint8_t)extra;
            out[o++] = in[r];
            r = e;
        } else {
            /* literals until a run of three starts or 127 bytes */
            size_t count = 1;
            e = r + 1;
            while (e < n && count < 127 &&
                   (e + 2 >= n || in[e] != in[e + 1] || in[e + 1] != in[e + 2])) {
                e++;
                count++;
            }
            out[o++] = (uint8_t)(-(int)count);
            memcpy(out + o, in + r, count);
            o += count;
            r = e;
        }
    }
    return o;
}

static exrqoi_result rle_decode(exrqoi__codec_ctx *ctx, const uint8_t *src, size_t n, uint8_t *out,
                                size_t out_size)
{
    /* DWA's RLE stage uses the same byte format */
    if (exrqoi__dwa_unrle_bytes(src, n, out, out_size)) return EXRQOI_OK;
    return exrqoi__fail(&ctx->err, EXRQOI_ERR_CORRUPT,
                        "RLE data does not decode to the expected %zu bytes", out_size);
}

/* p##_decode_bytes: unpack with `unpack`, then undo the predictor. */
#define BYTES_DECODER(p, unpack)                                                                          \
    static exrqoi_result p##_decode_bytes(exrqoi__codec_ctx *ctx, const uint8_t *src, size_t n,         \
                                          uint8_t *dst, size_t dst_size)                                \
    {                                                                                                     \
        uint8_t *tmp;                                                                                     \
        EXRQOI_TRY(unpack_to_scratch(ctx, unpack, src, n, dst_size, &tmp));                               \
        exrqoi__zip_unpredict_path(ctx->k.zip, tmp, dst_size, dst);                                       \
        return EXRQOI_OK;                                                                                 \
    }
BYTES_DECODER(zip, zip_inflate)
BYTES_DECODER(rle, rle_decode)

static size_t rle_bound_bytes(size_t n) { return n + n / 127 + 2; }

static exrqoi_result rle_encode_bytes(exrqoi__codec_ctx *ctx, const uint8_t *src, size_t n,
                                      uint8_t *dst, size_t cap, size_t *out)
{
    if (cap < rle_bound_bytes(n)) return EXRQOI_ERR_BUFFER_TOO_SMALL;
    void *tmp;
    EXRQOI_TRY(exrqoi__codec_scratch(ctx, EXRQOI__SCRATCH_BYTES, n, &tmp));
    exrqoi__zip_predict_path(ctx->k.zip, src, n, (uint8_t *)tmp);
    *out = rle_encode((const uint8_t *)tmp, n, dst);
    return EXRQOI_OK;
}

/* The whole-block entry points of codec p: its byte functions over the
 * block's unpacked size. */
#define BLOCK_ENTRIES(p)                                                                              \
    static exrqoi_result p##_decompress(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,        \
                                        const uint8_t *src, size_t n, uint8_t *dst)                   \
    {                                                                                                 \
        return p##_decode_bytes(ctx, src, n, dst, b->unpacked_size);                                  \
    }                                                                                                 \
    static size_t p##_bound(const exrqoi__block_layout *b) { return p##_bound_bytes(b->unpacked_size); } \
    static exrqoi_result p##_compress(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,          \
                                      const uint8_t *src, uint8_t *dst, size_t cap, size_t *out)      \
    {                                                                                                 \
        return p##_encode_bytes(ctx, src, b->unpacked_size, dst, cap, out);                           \
    }
BLOCK_ENTRIES(zip)
BLOCK_ENTRIES(rle)

/* A run is 2 bytes (count c in 0..127, value) giving c + 1 <= 128
 * bytes; a literal count byte -c precedes c bytes (no gain). */
static uint64_t rle_max_unpacked(const exrqoi__block_layout *b, uint64_t n)
{
    (void)b;
    return exrqoi__sat_mul(n / 2, 128);
}


/* ---- decoding into segments --------------------------------------------- */

/* p##_decompress_segments: unpack with `unpack`, then undo the predictor
 * straight into the caller's segments. */
#define SEGMENTS_ENTRY(p, unpack)                                                                         \
    static exrqoi_result p##_decompress_segments(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,   \
                                                 const uint8_t *src, size_t src_size,                     \
                                                 const exrqoi__segment *seg, size_t nseg)                 \
    {                                                                                                     \
        uint8_t *tmp;                                                                                     \
        EXRQOI_TRY(unpack_to_scratch(ctx, unpack, src, src_size, b->unpacked_size, &tmp));                \
        exrqoi__zip_unpredict_segments_path(ctx->k.zip, tmp, b->unpacked_size, seg, nseg);                \
        return EXRQOI_OK;                                                                                 \
    }
SEGMENTS_ENTRY(zip, zip_inflate)
SEGMENTS_ENTRY(rle, rle_decode)

/* ---- the records ---------------------------------------------------------- */

/* ZIPS and ZIP differ only in lines per chunk and deep writing. */
#define ZIP_FUNCTIONS                                                                                        \
    .decompress = zip_decompress, .bound = zip_bound, .compress = zip_compress, .max_unpacked = zip_max_unpacked, \
    .decompress_segments = zip_decompress_segments, .decode_bytes = zip_decode_bytes,                       \
    .bound_bytes = zip_bound_bytes, .encode_bytes = zip_encode_bytes
const exrqoi__codec exrqoi__codec_zips = {
    .id = EXRQOI_COMPRESSION_ZIPS, .name = "zips", .lines_per_chunk = 1,
    .flags = EXRQOI__CODEC_DEEP | EXRQOI__CODEC_DEEP_WRITE, .speed = 1000,
    ZIP_FUNCTIONS};
const exrqoi__codec exrqoi__codec_zip = {
    .id = EXRQOI_COMPRESSION_ZIP, .name = "zip", .lines_per_chunk = 16, .flags = EXRQOI__CODEC_DEEP, .speed = 1000,
    ZIP_FUNCTIONS};
const exrqoi__codec exrqoi__codec_rle = {
    .id = EXRQOI_COMPRESSION_RLE, .name = "rle", .lines_per_chunk = 1,
    .flags = EXRQOI__CODEC_DEEP | EXRQOI__CODEC_DEEP_WRITE, .speed = 1500,
    .decompress = rle_decompress, .bound = rle_bound, .compress = rle_compress, .max_unpacked = rle_max_unpacked,
    .decompress_segments = rle_decompress_segments, .decode_bytes = rle_decode_bytes,
    .bound_bytes = rle_bound_bytes, .encode_bytes = rle_encode_bytes};
