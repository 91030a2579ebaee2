/* DWA entropy stages: the AC run-length symbols, OpenEXR's byte RLE and
 * the deflate streams, identical to OpenEXR 3.2+'s (libdeflate). */
#include "codec/dwa.h"

#include <libdeflate.h>

size_t exrqoi__dwa_rle_ac_mask(const uint16_t *zig, uint64_t nz, uint16_t *out)
{
    /* zero runs from the mask: a run ends at the next set bit, or at 64 */
    size_t o = 0;
    int comp = 1;
    while (comp < 64) {
        uint64_t rest = nz >> comp;
        if (rest & 1) {
            out[o++] = zig[comp++];
            continue;
        }
        int run = rest ? __builtin_ctzll(rest) : 64 - comp;
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

size_t exrqoi__dwa_rle_ac(const uint16_t *zig, uint16_t *out)
{
    uint64_t nz = 0;
    for (int i = 0; i < 64; i++) nz |= (uint64_t)(zig[i] != 0) << i;
    return exrqoi__dwa_rle_ac_mask(zig, nz, out);
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
    /* libdeflate's bound for every level, plus slack */
    return libdeflate_zlib_compress_bound(NULL, n) + 16;
}

exrqoi_result exrqoi__dwa_zlib(exrqoi__codec_ctx *ctx, int level, const uint8_t *src, size_t n,
                               uint8_t *dst, size_t cap, size_t *out)
{
    /* libdeflate at OpenEXR's levels, as OpenEXR 3.2+ writes DWA (its
     * compress2 at level 9 was the slowest stage of the encoder) */
    return exrqoi__deflate_at(ctx, level, src, n, dst, cap, out);
}
