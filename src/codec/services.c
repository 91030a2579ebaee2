/* Codec services: per-thread state, named scratch memory, zlib-format
 * inflate and deflate with the automatic level choice. */
#include "codec/services.h"

#include "codec/deflate_enc.h"
#include "thread/pool.h"

#include <libdeflate.h>

void exrqoi__codec_ctx_init(exrqoi__codec_ctx *ctx, const exrqoi_allocator *alloc)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->alloc = alloc;
    ctx->zip_level = 0; /* each codec's default */
    ctx->dwa_level = 45.0f;
    ctx->k = exrqoi__cpu_kernels();
}

void exrqoi__codec_ctx_free(exrqoi__codec_ctx *ctx)
{
    if (!ctx) return;
    if (ctx->inflater) libdeflate_free_decompressor(ctx->inflater);
    for (int i = 0; i < 2; i++)
        if (ctx->deflater[i]) libdeflate_free_compressor(ctx->deflater[i]);
    exrqoi__codec_scratch_unlend(ctx);
    for (int i = 0; i < EXRQOI__SCRATCH_BUFFERS; i++) exrqoi__free(ctx->alloc, ctx->scratch[i]);
    memset(ctx, 0, sizeof *ctx);
}

void exrqoi__codec_scratch_lend(exrqoi__codec_ctx *ctx, void *(*fn)(void *, int, size_t, size_t *), void *user,
                                const size_t *caps)
{
    if (ctx->scratch_fn || !fn) return;
    for (int i = 0; i < EXRQOI__SCRATCH_BUFFERS; i++) {
        ctx->own_scratch[i] = ctx->scratch[i];
        ctx->own_cap[i] = ctx->scratch_cap[i];
        ctx->scratch[i] = NULL;
        ctx->scratch_cap[i] = caps ? caps[i] : 0;
    }
    ctx->scratch_fn = fn;
    ctx->scratch_user = user;
}

void exrqoi__codec_scratch_unlend(exrqoi__codec_ctx *ctx)
{
    if (!ctx->scratch_fn) return;
    for (int i = 0; i < EXRQOI__SCRATCH_BUFFERS; i++) {
        ctx->scratch[i] = ctx->own_scratch[i];
        ctx->scratch_cap[i] = ctx->own_cap[i];
        ctx->own_scratch[i] = NULL;
        ctx->own_cap[i] = 0;
    }
    ctx->scratch_fn = NULL;
    ctx->scratch_user = NULL;
}

exrqoi_result exrqoi__codec_scratch(exrqoi__codec_ctx *ctx, exrqoi__scratch_name name, size_t size, void **out)
{
    const int slot = (int)name;
    if (slot < 0 || slot >= EXRQOI__SCRATCH_BUFFERS) return EXRQOI_ERR_INVALID_ARGUMENT;
    if (ctx->scratch_fn) {
        size_t cap = 0;
        *out = ctx->scratch_fn(ctx->scratch_user, slot, size, &cap);
        ctx->scratch_cap[slot] = *out ? cap : 0;
        return *out ? EXRQOI_OK
                    : exrqoi__fail(&ctx->err, EXRQOI_ERR_OUT_OF_MEMORY, "cannot allocate %zu bytes of codec scratch",
                                   size);
    }
    if (ctx->scratch_cap[slot] < size) {
        if (!exrqoi__scratch_grow(ctx->alloc, &ctx->scratch[slot], &ctx->scratch_cap[slot], size, 0))
            return exrqoi__fail(&ctx->err, EXRQOI_ERR_OUT_OF_MEMORY, "cannot allocate %zu bytes of codec scratch",
                                size);
    }
    *out = ctx->scratch[slot];
    return EXRQOI_OK;
}

/* libdeflate 1.14 has no per-instance allocator (and its global setter must
 * not be used by a library), so its small state comes from malloc. */
static exrqoi_result need_inflater(exrqoi__codec_ctx *ctx)
{
    if (!ctx->inflater) ctx->inflater = libdeflate_alloc_decompressor();
    if (!ctx->inflater)
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_OUT_OF_MEMORY, "cannot create inflater");
    return EXRQOI_OK;
}

exrqoi_result exrqoi__inflate_any(exrqoi__codec_ctx *ctx, const uint8_t *src, size_t src_size,
                                  uint8_t *dst, size_t dst_cap, size_t *out_size)
{
    EXRQOI_TRY(need_inflater(ctx));
    size_t got = 0;
    enum libdeflate_result r =
        libdeflate_zlib_decompress(ctx->inflater, src, src_size, dst, dst_cap, &got);
    if (r != LIBDEFLATE_SUCCESS)
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_CORRUPT,
                            r == LIBDEFLATE_INSUFFICIENT_SPACE
                                ? "deflate data decodes to more than %zu bytes"
                                : "invalid deflate data (%zu bytes expected)",
                            dst_cap);
    *out_size = got;
    return EXRQOI_OK;
}

exrqoi_result exrqoi__inflate(exrqoi__codec_ctx *ctx, const uint8_t *src, size_t src_size,
                              uint8_t *dst, size_t dst_size)
{
    size_t got = 0;
    EXRQOI_TRY(exrqoi__inflate_any(ctx, src, src_size, dst, dst_size, &got));
    if (got != dst_size)
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_CORRUPT,
                            "deflate data decodes to %zu bytes, %zu expected", got, dst_size);
    return EXRQOI_OK;
}

/* Keeps the compressors of the two levels used last: the default ZIP
 * level alternates between two levels, and a compressor is costly to make. */
static exrqoi_result need_deflater(exrqoi__codec_ctx *ctx, int level, struct libdeflate_compressor **out)
{
    if (level <= 0) level = EXRQOI__DEFLATE_DEFAULT_LEVEL;
    if (level > 12) level = 12;
    for (int i = 0; i < 2; i++)
        if (ctx->deflater[i] && ctx->deflate_level[i] == level) {
            ctx->deflate_last = i;
            *out = ctx->deflater[i];
            return EXRQOI_OK;
        }
    int i = ctx->deflater[0] ? 1 - ctx->deflate_last : 0;
    if (ctx->deflater[i]) libdeflate_free_compressor(ctx->deflater[i]);
    ctx->deflater[i] = libdeflate_alloc_compressor(level);
    if (!ctx->deflater[i])
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_OUT_OF_MEMORY, "cannot create deflater");
    ctx->deflate_level[i] = level;
    ctx->deflate_last = i;
    *out = ctx->deflater[i];
    return EXRQOI_OK;
}

/* log2(x) in 16.16 fixed point, 8 fraction bits exact, for 1 <= x <= 2^16;
 * reproducible (no floating point): the integer part from the top bit,
 * then one fraction bit per squaring of the mantissa. */
static uint32_t log2_q16(uint32_t x)
{
#if defined(__GNUC__) || defined(__clang__)
    uint32_t k = 31u - (uint32_t)__builtin_clz(x);
#else
    uint32_t k = 0;
    while (x >> (k + 1)) k++;
#endif
    uint32_t r = k << 16;
    uint64_t m = ((uint64_t)x << 31) >> k; /* x / 2^k in [1, 2), 31 fraction bits */
    for (int b = 15; b >= 8; b--) {
        m = (m * m) >> 31;
        if (m >> 32) {
            m >>= 1;
            r |= 1u << b;
        }
    }
    return r;
}

/* Entropy is estimated from 128 runs of 64 bytes spread over the chunk
 * (2^13 samples): runs keep the byte order a line has, and the cost is a
 * small fraction of deflating the >= 16 KB the estimate is made for. */
#define SAMPLE_RUNS 128
#define SAMPLE_RUN 64
#define SAMPLE_LOG2 13

int exrqoi__deflate_auto_level(const uint8_t *src, size_t n)
{
    if (n < EXRQOI__DEFLATE_FAST_MIN_SIZE) return EXRQOI__DEFLATE_DEFAULT_LEVEL;
    uint32_t h[4][256];
    memset(h, 0, sizeof h);
    size_t step = n / SAMPLE_RUNS;
    for (size_t r = 0; r < SAMPLE_RUNS; r++) {
        const uint8_t *p = src + r * step;
        /* four tables: runs of one value do not chain on one counter */
        for (size_t j = 0; j < SAMPLE_RUN; j += 4) {
            h[0][p[j]]++;
            h[1][p[j + 1]]++;
            h[2][p[j + 2]]++;
            h[3][p[j + 3]]++;
        }
    }
    /* N*H = N*log2(N) - sum(c*log2(c)), N = 2^13, in 16.16 bits */
    uint64_t sum = 0;
    for (int v = 0; v < 256; v++) {
        uint32_t c = h[0][v] + h[1][v] + h[2][v] + h[3][v];
        if (c > 1) sum += (uint64_t)c * log2_q16(c);
    }
    uint64_t total = ((uint64_t)SAMPLE_LOG2 << 16 << SAMPLE_LOG2) - sum;
    uint64_t min_bits = ((uint64_t)EXRQOI__DEFLATE_FAST_MIN_BITS << 14) << SAMPLE_LOG2; /* quarters -> 16.16 */
    return total >= min_bits ? EXRQOI__DEFLATE_FAST_LEVEL : EXRQOI__DEFLATE_DEFAULT_LEVEL;
}

size_t exrqoi__deflate_bound(exrqoi__codec_ctx *ctx, size_t src_size)
{
    (void)ctx;
    return libdeflate_zlib_compress_bound(NULL, src_size); /* valid for every level */
}

exrqoi_result exrqoi__deflate(exrqoi__codec_ctx *ctx, const uint8_t *src, size_t src_size,
                              uint8_t *dst, size_t dst_cap, size_t *out_size)
{
    int level = ctx->zip_level > 0 ? ctx->zip_level : exrqoi__deflate_auto_level(src, src_size);
    return exrqoi__deflate_at(ctx, level, src, src_size, dst, dst_cap, out_size);
}

exrqoi_result exrqoi__deflate_at(exrqoi__codec_ctx *ctx, int level, const uint8_t *src, size_t src_size,
                                 uint8_t *dst, size_t dst_cap, size_t *out_size)
{
    struct libdeflate_compressor *c = NULL;
    EXRQOI_TRY(need_deflater(ctx, level, &c));
    size_t n = libdeflate_zlib_compress(c, src, src_size, dst, dst_cap);
    if (n == 0)
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_BUFFER_TOO_SMALL,
                            "deflate output exceeds %zu bytes", dst_cap);
    *out_size = n;
    return EXRQOI_OK;
}

exrqoi_result exrqoi__deflate_zip(exrqoi__codec_ctx *ctx, const uint8_t *src, size_t src_size, uint8_t *dst,
                                  size_t dst_cap, size_t *out_size)
{
    if (ctx->zip_level > 0) return exrqoi__deflate_at(ctx, ctx->zip_level, src, src_size, dst, dst_cap, out_size);
    size_t n = 0;
    const exrqoi__deflate_sample sample = exrqoi__deflate_sample_of(src, src_size);
    if (exrqoi__deflate_lz_suits(sample)) {
        void *work;
        EXRQOI_TRY(exrqoi__codec_scratch(ctx, EXRQOI__SCRATCH_DEFLATE_LZ, exrqoi__deflate_lz_work_size(src_size),
                                         &work));
        n = exrqoi__deflate_lz(work, src, src_size, dst, dst_cap);
    } else {
        /* photographs: both halves as literals and runs; long chunks of
         * the fast level that this refuses: the low half so, the high half
         * by libdeflate */
        const int long_chunk = src_size >= EXRQOI__DEFLATE_FAST_MIN_SIZE;
        if (long_chunk ? exrqoi__deflate_auto_level(src, src_size) == EXRQOI__DEFLATE_FAST_LEVEL
                       : src_size >= EXRQOI__DEFLATE_RUNS_MIN_SIZE) {
            const int runs = exrqoi__deflate_runs_suits(sample);
            if ((runs || long_chunk) && exrqoi__deflate_split_suits(src, src_size)) {
                n = runs ? exrqoi__deflate_runs(src, src_size, dst, dst_cap) : 0;
                if (!n && long_chunk) {
                    struct libdeflate_compressor *c = NULL;
                    EXRQOI_TRY(need_deflater(ctx, EXRQOI__DEFLATE_SPLIT_HIGH_LEVEL, &c));
                    n = exrqoi__deflate_split(c, src, src_size, dst, dst_cap);
                }
            }
        }
    }
    if (n) {
        *out_size = n;
        return EXRQOI_OK;
    }
    /* libdeflate, also when ours refused or had too little room (its bound
     * may still fit) */
    return exrqoi__deflate_at(ctx, EXRQOI__DEFLATE_ZIP_LEVEL, src, src_size, dst, dst_cap, out_size);
}
