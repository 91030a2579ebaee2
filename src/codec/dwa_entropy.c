/* DWA entropy stages: the AC run-length symbols, OpenEXR's byte RLE and
 * zlib output identical to OpenEXR's compress2 calls. */
#include "codec/dwa.h"

#include <zlib.h>

size_t exrqoi__dwa_rle_ac(const uint16_t *zig, uint16_t *out)
{
    size_t o = 0;
    int comp = 1;
    while (comp < 64) {
        if (zig[comp] != 0) {
            out[o++] = zig[comp++];
            continue;
        }
        int run = 1;
        while (comp + run < 64 && zig[comp + run] == 0) run++;
        if (run == 1)
            out[o++] = 0; /* a lone zero is cheaper verbatim */
        else if (comp + run == 64)
            out[o++] = 0xff00u;
        else
            out[o++] = (uint16_t)(0xff00u | (unsigned)run);
        comp += run;
    }
    return o;
}

/* ImfRle: runs of 3..128 equal bytes as (len-1, byte), else up to 127
 * literals as (-count, bytes...). */
size_t exrqoi__dwa_rle_bytes(const uint8_t *in, size_t n, uint8_t *out)
{
    size_t o = 0, start = 0, end = 1;
    while (start < n) {
        while (end < n && in[start] == in[end] && end - start - 1 < 127) end++;
        if (end - start >= 3) {
            out[o++] = (uint8_t)(end - start - 1);
            out[o++] = in[start];
            start = end;
        } else {
            while (end < n &&
                   ((end + 1 >= n || in[end] != in[end + 1]) ||
                    (end + 2 >= n || in[end + 1] != in[end + 2])) &&
                   end - start < 127)
                end++;
            out[o++] = (uint8_t)(-(int)(end - start));
            memcpy(out + o, in + start, end - start);
            o += end - start;
            start = end;
        }
        end++;
    }
    return o;
}

bool exrqoi__dwa_unrle_bytes(const uint8_t *in, size_t n, uint8_t *out, size_t out_n)
{
    size_t i = 0, o = 0;
    while (i < n) {
        int c = (int8_t)in[i++];
        if (c < 0) {
            size_t count = (size_t)(-c);
            if (count > n - i || count > out_n - o) return false;
            memcpy(out + o, in + i, count);
            i += count;
            o += count;
        } else {
            size_t count = (size_t)c + 1;
            if (i >= n || count > out_n - o) return false;
            memset(out + o, in[i++], count);
            o += count;
        }
    }
    return o == out_n;
}

size_t exrqoi__dwa_zlib_bound(size_t n)
{
    /* zlib's compressBound plus slack */
    return n + (n >> 12) + (n >> 14) + (n >> 25) + 13 + 16;
}

static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
    size_t bytes;
    if (exrqoi__mul_size(items, size, &bytes)) return Z_NULL;
    return exrqoi__alloc((const exrqoi_allocator *)opaque, bytes);
}

static void z_free(voidpf opaque, voidpf p) { exrqoi__free((const exrqoi_allocator *)opaque, p); }

exrqoi_result exrqoi__dwa_zlib(exrqoi__codec_ctx *ctx, int level, const uint8_t *src, size_t n,
                               uint8_t *dst, size_t cap, size_t *out)
{
    /* zlib rather than libdeflate: these are the bytes OpenEXR writes */
    z_stream s;
    memset(&s, 0, sizeof s);
    s.zalloc = z_alloc;
    s.zfree = z_free;
    s.opaque = (voidpf)(uintptr_t)ctx->alloc;
    int rc = deflateInit(&s, level);
    if (rc != Z_OK)
        return exrqoi__fail(&ctx->err, rc == Z_MEM_ERROR ? EXRQOI_ERR_OUT_OF_MEMORY
                                                         : EXRQOI_ERR_INVALID_ARGUMENT,
                            "cannot start zlib (%d)", rc);
    s.next_in = (Bytef *)(uintptr_t)src;
    s.next_out = dst;
    size_t left_in = n, left_out = cap;
    do {
        /* feed in uInt-sized pieces */
        uInt in_now = left_in > 0x40000000u ? 0x40000000u : (uInt)left_in;
        uInt out_now = left_out > 0x40000000u ? 0x40000000u : (uInt)left_out;
        s.avail_in = in_now;
        s.avail_out = out_now;
        rc = deflate(&s, left_in == in_now ? Z_FINISH : Z_NO_FLUSH);
        left_in -= in_now - s.avail_in;
        left_out -= out_now - s.avail_out;
        if (rc != Z_STREAM_END && rc != Z_OK && rc != Z_BUF_ERROR) break;
        if (rc != Z_STREAM_END && left_out == 0) break;
    } while (rc != Z_STREAM_END);
    deflateEnd(&s);
    if (rc != Z_STREAM_END)
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_BUFFER_TOO_SMALL,
                            "zlib output exceeds %zu bytes", cap);
    *out = cap - left_out;
    return EXRQOI_OK;
}
