/* Block <-> slice copies. The file stores samples little-endian; the hot
 * paths assume a little-endian host and fall back to byte assembly
 * otherwise. Conversions follow OpenEXR's rules (half<->uint saturating,
 * NaN and negatives to 0). */
#include "block/lines.h"
#include "block/half_simd.h"
#include "common/half.h"

#include <math.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HOST_LE 1
#else
#define HOST_LE 0
#endif

/* exrqoi_pixel_type_size without the call: block_layout_for runs per
 * channel per chunk. */
static inline int sample_size(exrqoi_pixel_type t)
{
    return t == EXRQOI_PIXEL_HALF ? 2 : (t == EXRQOI_PIXEL_UINT || t == EXRQOI_PIXEL_FLOAT) ? 4 : 0;
}

exrqoi_result exrqoi__block_layout_for(const exrqoi__part *p, const exrqoi_box2i *win,
                                       exrqoi__chan_layout *chans, exrqoi__block_layout *out)
{
    size_t total = 0;
    for (int32_t c = 0; c < p->info.channel_count; c++) {
        const exrqoi_channel *ch = &p->info.channels[c];
        exrqoi__chan_layout *L = &chans[c];
        L->name = ch->name;
        L->type = (uint8_t)ch->type;
        L->size = (uint8_t)sample_size(ch->type);
        L->p_linear = ch->p_linear;
        L->x_sampling = ch->x_sampling;
        L->y_sampling = ch->y_sampling;
        /* run per chunk per channel: skip the call (and its divisions) in the usual case */
        if (ch->x_sampling == 1 && ch->y_sampling == 1) {
            L->width = win->max.x < win->min.x ? 0 : win->max.x - win->min.x + 1;
            L->height = win->max.y < win->min.y ? 0 : win->max.y - win->min.y + 1;
        } else {
            exrqoi_sample_extent(win, ch->x_sampling, ch->y_sampling, &L->width, &L->height);
        }
        size_t n;
        if (exrqoi__mul_size((size_t)L->width * (size_t)L->height, L->size, &n) ||
            exrqoi__add_size(total, n, &total))
            return EXRQOI_ERR_LIMIT;
    }
    out->x = win->min.x;
    out->y = win->min.y;
    out->width = win->max.x - win->min.x + 1;
    out->height = win->max.y - win->min.y + 1;
    out->nchan = p->info.channel_count;
    out->chans = chans;
    out->unpacked_size = total;
    out->compression = p->info.compression;
    out->tiled = (uint8_t)(p->info.tiled != 0);
    return EXRQOI_OK;
}

static inline uint32_t half_to_uint(uint16_t h)
{
    if ((h & 0x7c00u) == 0x7c00u) return (h & 0x3ffu) ? 0 : ((h & 0x8000u) ? 0 : UINT32_MAX);
    if (h & 0x8000u) return 0;
    return (uint32_t)exrqoi__h2f(h);
}
static inline uint32_t float_to_uint(float f)
{
    if (!(f >= 0.0f)) return 0; /* negatives and NaN */
    if (f >= 4294967296.0f) return UINT32_MAX;
    return (uint32_t)f;
}
static inline uint16_t uint_to_half(uint32_t u)
{
    if (u > 65504u) return 0x7c00u;
    return exrqoi__f2h((float)u);
}

static inline uint16_t ld16(const uint8_t *p)
{
#if HOST_LE
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
#else
    return exrqoi__le16(p);
#endif
}
static inline uint32_t ld32(const uint8_t *p)
{
#if HOST_LE
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
#else
    return exrqoi__le32(p);
#endif
}

/* The bits of a sample of type st (half in the low 16) as type dt. */
static inline uint32_t convert_bits(exrqoi_pixel_type st, exrqoi_pixel_type dt, uint32_t v)
{
    float f;
    switch (st * 3 + dt) {
    case EXRQOI_PIXEL_HALF * 3 + EXRQOI_PIXEL_FLOAT:
        f = exrqoi__h2f((uint16_t)v);
        memcpy(&v, &f, 4);
        break;
    case EXRQOI_PIXEL_HALF * 3 + EXRQOI_PIXEL_UINT: v = half_to_uint((uint16_t)v); break;
    case EXRQOI_PIXEL_FLOAT * 3 + EXRQOI_PIXEL_HALF:
        memcpy(&f, &v, 4);
        v = exrqoi__f2h(f);
        break;
    case EXRQOI_PIXEL_FLOAT * 3 + EXRQOI_PIXEL_UINT:
        memcpy(&f, &v, 4);
        v = float_to_uint(f);
        break;
    case EXRQOI_PIXEL_UINT * 3 + EXRQOI_PIXEL_HALF: v = uint_to_half(v); break;
    case EXRQOI_PIXEL_UINT * 3 + EXRQOI_PIXEL_FLOAT:
        f = (float)v;
        memcpy(&v, &f, 4);
        break;
    default: break; /* the same type */
    }
    return v;
}

static inline bool valid_type(exrqoi_pixel_type t) { return (unsigned)t <= EXRQOI_PIXEL_FLOAT; }

/* Reads file-layout (LE) samples of type st and writes native samples of dt. */
static void file_to_native(int hpath, const uint8_t *src, exrqoi_pixel_type st, uint8_t *dst,
                           exrqoi_pixel_type dt, ptrdiff_t dstride, size_t n)
{
    size_t ss = (size_t)exrqoi_pixel_type_size(st);
    if (st == dt && HOST_LE && (size_t)dstride == ss) {
        memcpy(dst, src, n * ss);
        return;
    }
    if (st == EXRQOI_PIXEL_HALF && dt == EXRQOI_PIXEL_FLOAT && HOST_LE) {
        if (dstride == 4) {
            exrqoi__h2f_n_path(hpath, src, dst, n);
            return;
        }
        /* strided (e.g. interleaved RGBA): convert in bulk, then spread */
        uint8_t tmp[4 * 64];
        for (size_t i = 0; i < n; i += 64) {
            size_t k = n - i < 64 ? n - i : 64;
            exrqoi__h2f_n_path(hpath, src + 2 * i, tmp, k);
            for (size_t j = 0; j < k; j++) memcpy(dst + (ptrdiff_t)(i + j) * dstride, tmp + 4 * j, 4);
        }
        return;
    }
    if (!valid_type(st) || !valid_type(dt)) return;
    for (size_t i = 0; i < n; i++, src += ss, dst += dstride) {
        const uint32_t v = convert_bits(st, dt, st == EXRQOI_PIXEL_HALF ? ld16(src) : ld32(src));
        if (dt == EXRQOI_PIXEL_HALF) {
            const uint16_t h = (uint16_t)v;
            memcpy(dst, &h, 2);
        } else {
            memcpy(dst, &v, 4);
        }
    }
}

/* Reads native samples of st (stride sstride) and writes file-layout samples of dt. */
static void native_to_file(int hpath, const uint8_t *src, exrqoi_pixel_type st, ptrdiff_t sstride,
                           uint8_t *dst, exrqoi_pixel_type dt, size_t n)
{
    size_t ds = (size_t)exrqoi_pixel_type_size(dt);
    if (st == dt && HOST_LE && (size_t)sstride == ds) {
        memcpy(dst, src, n * ds);
        return;
    }
    if (st == EXRQOI_PIXEL_FLOAT && dt == EXRQOI_PIXEL_HALF && HOST_LE) {
        if (sstride == 4) {
            exrqoi__f2h_n_path(hpath, src, dst, n);
            return;
        }
        uint8_t tmp[4 * 64];
        for (size_t i = 0; i < n; i += 64) {
            size_t k = n - i < 64 ? n - i : 64;
            for (size_t j = 0; j < k; j++) memcpy(tmp + 4 * j, src + (ptrdiff_t)(i + j) * sstride, 4);
            exrqoi__f2h_n_path(hpath, tmp, dst + 2 * i, k);
        }
        return;
    }
    if (!valid_type(st) || !valid_type(dt)) return;
    for (size_t i = 0; i < n; i++, src += sstride, dst += ds) {
        uint32_t v;
        if (st == EXRQOI_PIXEL_HALF) {
            uint16_t h;
            memcpy(&h, src, 2);
            v = h;
        } else {
            memcpy(&v, src, 4);
        }
        v = convert_bits(st, dt, v);
        if (dt == EXRQOI_PIXEL_HALF)
            exrqoi__put16(dst, (uint16_t)v);
        else
            exrqoi__put32(dst, v);
    }
}

void exrqoi__convert_samples(const void *src, exrqoi_pixel_type st, ptrdiff_t sstride, void *dst,
                             exrqoi_pixel_type dt, ptrdiff_t dstride, size_t n)
{
    /* native -> file layout of st' = dt through a small bounce buffer */
    uint8_t tmp[4 * 256];
    const uint8_t *s = (const uint8_t *)src;
    uint8_t *d = (uint8_t *)dst;
    size_t ds = (size_t)exrqoi_pixel_type_size(dt);
    const int hpath = exrqoi__cpu_kernels().half;
    while (n) {
        size_t k = n > 256 ? 256 : n;
        native_to_file(hpath, s, st, sstride, tmp, dt, k);
        file_to_native(hpath, tmp, dt, d, dt, dstride, k);
        s += (ptrdiff_t)k * sstride;
        d += (ptrdiff_t)k * dstride;
        n -= k;
        (void)ds;
    }
}

/* First multiple of s at or after v. Sampling is nearly always 1, and
 * the division costs tens of cycles on a path run per channel per chunk. */
static inline int32_t first_sampled(int32_t v, int32_t s)
{
    if (s == 1) return v;
    int32_t m = exrqoi__mod(v, s);
    return m ? v + (s - m) : v;
}

/* a / s (truncating), without the division when s is 1. */
static inline int32_t sdiv(int32_t a, int32_t s) { return s == 1 ? a : a / s; }


/* Walks the block's lines and channels; for every sampled line inside
 * the region calls the transfer for each slot. `to_slices` picks the direction. */
static void transfer(const exrqoi__block_layout *bl, uint8_t *block, const exrqoi_box2i *region,
                     const exrqoi__slot *slots, int nslots, bool to_slices)
{
    int32_t y0 = bl->y, y1 = bl->y + bl->height - 1;
    int32_t x0 = bl->x, x1 = bl->x + bl->width - 1;
    int32_t ry0 = region->min.y > y0 ? region->min.y : y0;
    int32_t ry1 = region->max.y < y1 ? region->max.y : y1;
    int32_t rx0 = region->min.x > x0 ? region->min.x : x0;
    int32_t rx1 = region->max.x < x1 ? region->max.x : x1;
    if (ry0 > ry1 || rx0 > rx1) return;
    /* the slice copy has no context of its own: the process's kernel
     * choice, read once per block */
    const int hpath = exrqoi__cpu_kernels().half;

    /* byte offset of each channel within the current line */
    size_t off = 0;
    for (int32_t yy = y0; yy <= y1; yy++) {
        size_t line_off = off;
        bool in_region = yy >= ry0 && yy <= ry1;
        for (int c = 0; c < bl->nchan; c++) {
            const exrqoi__chan_layout *L = &bl->chans[c];
            if (L->y_sampling != 1 && exrqoi__mod(yy, L->y_sampling) != 0) continue;
            size_t line_bytes = (size_t)L->width * L->size;
            if (in_region) {
                for (int s = 0; s < nslots; s++) {
                    const exrqoi__slot *sl = &slots[s];
                    if (sl->chan != c) continue;
                    int32_t cx0 = first_sampled(rx0, L->x_sampling);
                    if (cx0 > rx1) continue;
                    size_t count = (size_t)(sdiv(rx1 - cx0, L->x_sampling) + 1);
                    /* index of cx0 among the block's sampled columns */
                    size_t bi = (size_t)sdiv(cx0 - first_sampled(x0, L->x_sampling), L->x_sampling);
                    /* destination indices counted from the region's first sampled column/row */
                    int64_t di = sdiv(cx0 - first_sampled(region->min.x, sl->xs), sl->xs);
                    int64_t dj = sdiv(yy - first_sampled(region->min.y, sl->ys), sl->ys);
                    uint8_t *dp = (uint8_t *)sl->slice->base + di * sl->slice->x_stride +
                                  dj * sl->slice->y_stride;
                    uint8_t *bp = block + line_off + bi * L->size;
                    if (to_slices)
                        file_to_native(hpath, bp, (exrqoi_pixel_type)L->type, dp, sl->slice->type,
                                       sl->slice->x_stride, count);
                    else
                        native_to_file(hpath, dp, sl->slice->type, sl->slice->x_stride, bp,
                                       (exrqoi_pixel_type)L->type, count);
                }
            }
            line_off += line_bytes;
        }
        off = line_off;
    }
}

void exrqoi__block_to_slices(const exrqoi__block_layout *bl, const uint8_t *block,
                             const exrqoi_box2i *region, const exrqoi__slot *slots, int nslots)
{
    transfer(bl, (uint8_t *)(uintptr_t)block, region, slots, nslots, true);
}

void exrqoi__slices_to_block(const exrqoi__block_layout *bl, uint8_t *block, const exrqoi_box2i *region,
                             const exrqoi__slot *slots, int nslots)
{
    transfer(bl, block, region, slots, nslots, false);
}

/* Appends a run to the segment list, merging it into the previous one
 * when both are unwanted or the destinations are contiguous (and, when
 * `chan_of` records each segment's channel, of the same channel, so a
 * caller may move each channel's segments by its own offset). */
static inline bool seg_push(exrqoi__segment *seg, int16_t *chan_of, size_t cap, size_t *n, uint8_t *dst,
                            size_t len, int c)
{
    if (!len) return true;
    if (*n) {
        exrqoi__segment *last = &seg[*n - 1];
        if ((!dst && !last->dst) ||
            (dst && last->dst && last->dst + last->len == dst && (!chan_of || chan_of[*n - 1] == c))) {
            last->len += len;
            return true;
        }
    }
    if (*n == cap) return false;
    seg[*n].dst = dst;
    seg[*n].len = len;
    if (chan_of) chan_of[*n] = (int16_t)(dst ? c : -1);
    (*n)++;
    return true;
}

/* What a channel's lines contribute to the segment list, the same on
 * every line: worked out once per block rather than once per line (a
 * 64-line tile has 64 lines per channel, each needing divisions). */
typedef struct seg_chan {
    uint8_t *base;       /* destination of the block's first wanted sample on line dj = 0 */
    ptrdiff_t y_stride;
    size_t line_bytes, pre, mid;
    int32_t ys, fy;      /* slot's y sampling and its first sampled line of the region */
    int32_t y_sampling;  /* channel's */
    bool wanted;
} seg_chan;

bool exrqoi__block_segments(const exrqoi__block_layout *bl, const exrqoi_box2i *region,
                            const exrqoi__slot *slots, int nslots, exrqoi__segment *seg, size_t cap,
                            size_t *nseg)
{
    return exrqoi__block_segments_chans(bl, region, slots, nslots, seg, NULL, cap, nseg);
}

bool exrqoi__block_segments_chans(const exrqoi__block_layout *bl, const exrqoi_box2i *region,
                                  const exrqoi__slot *slots, int nslots, exrqoi__segment *seg,
                                  int16_t *chan_of, size_t cap, size_t *nseg)
{
    if (!HOST_LE) return false;
    /* the slot of each channel: every wanted channel must map 1:1 without conversion */
    int chan_slot[64];
    if (bl->nchan > 64) return false;
    for (int c = 0; c < bl->nchan; c++) chan_slot[c] = -1;
    for (int s = 0; s < nslots; s++) {
        int c = slots[s].chan;
        if (c < 0) continue;
        if (c >= bl->nchan || chan_slot[c] >= 0) return false;
        const exrqoi_slice *sl = slots[s].slice;
        if ((int)sl->type != bl->chans[c].type || sl->x_stride != (ptrdiff_t)bl->chans[c].size) return false;
        chan_slot[c] = s;
    }
    int32_t y0 = bl->y, y1 = bl->y + bl->height - 1;
    int32_t x0 = bl->x, x1 = bl->x + bl->width - 1;
    int32_t ry0 = region->min.y > y0 ? region->min.y : y0;
    int32_t ry1 = region->max.y < y1 ? region->max.y : y1;
    int32_t rx0 = region->min.x > x0 ? region->min.x : x0;
    int32_t rx1 = region->max.x < x1 ? region->max.x : x1;
    bool any = ry0 <= ry1 && rx0 <= rx1;
    seg_chan sc[64];
    for (int c = 0; c < bl->nchan; c++) {
        const exrqoi__chan_layout *L = &bl->chans[c];
        seg_chan *k = &sc[c];
        k->line_bytes = (size_t)L->width * L->size;
        k->y_sampling = L->y_sampling;
        int s = chan_slot[c];
        int32_t cx0 = first_sampled(rx0, L->x_sampling);
        k->wanted = any && s >= 0 && cx0 <= rx1;
        if (!k->wanted) continue;
        const exrqoi__slot *sl = &slots[s];
        size_t count = (size_t)(sdiv(rx1 - cx0, L->x_sampling) + 1);
        size_t bi = (size_t)sdiv(cx0 - first_sampled(x0, L->x_sampling), L->x_sampling);
        int64_t di = sdiv(cx0 - first_sampled(region->min.x, sl->xs), sl->xs);
        k->base = (uint8_t *)sl->slice->base + di * sl->slice->x_stride;
        k->y_stride = sl->slice->y_stride;
        k->ys = sl->ys;
        k->fy = first_sampled(region->min.y, sl->ys);
        k->pre = bi * L->size;
        k->mid = count * L->size;
    }
    size_t n = 0;
    for (int32_t yy = y0; yy <= y1; yy++) {
        bool in_region = any && yy >= ry0 && yy <= ry1;
        for (int c = 0; c < bl->nchan; c++) {
            const seg_chan *k = &sc[c];
            if (k->y_sampling != 1 && exrqoi__mod(yy, k->y_sampling) != 0) continue;
            if (!in_region || !k->wanted) {
                if (!seg_push(seg, chan_of, cap, &n, NULL, k->line_bytes, -1)) return false;
                continue;
            }
            int64_t dj = k->ys == 1 ? (int64_t)yy - k->fy : (int64_t)((yy - k->fy) / k->ys);
            uint8_t *dp = k->base + dj * k->y_stride;
            if (!seg_push(seg, chan_of, cap, &n, NULL, k->pre, -1) ||
                !seg_push(seg, chan_of, cap, &n, dp, k->mid, c) ||
                !seg_push(seg, chan_of, cap, &n, NULL, k->line_bytes - k->pre - k->mid, -1))
                return false;
        }
    }
    *nseg = n;
    return true;
}

int32_t exrqoi__slice_channel(const exrqoi_part_info *pi, const char *name)
{
    for (int32_t c = 0; c < pi->channel_count; c++)
        if (strcmp(pi->channels[c].name, name) == 0) return c;
    return -1;
}

void exrqoi__match_slices(const exrqoi_part_info *pi, const exrqoi_slice *slices, int n, exrqoi__slot *slots)
{
    for (int s = 0; s < n; s++) {
        int32_t c = exrqoi__slice_channel(pi, slices[s].name);
        slots[s].slice = &slices[s];
        slots[s].chan = c;
        slots[s].xs = c < 0 ? 1 : pi->channels[c].x_sampling;
        slots[s].ys = c < 0 ? 1 : pi->channels[c].y_sampling;
    }
}

void exrqoi__fill_value(uint8_t *dst, exrqoi_pixel_type t, double v)
{
    switch (t) {
    case EXRQOI_PIXEL_HALF: {
        uint16_t h = exrqoi__f2h((float)v);
        memcpy(dst, &h, 2);
    } break;
    case EXRQOI_PIXEL_FLOAT: {
        float f = (float)v;
        memcpy(dst, &f, 4);
    } break;
    default: {
        uint32_t u = (v <= 0 || isnan(v)) ? 0 : (v >= 4294967295.0 ? UINT32_MAX : (uint32_t)v);
        memcpy(dst, &u, 4);
    } break;
    }
}

void exrqoi__fill_slices(const exrqoi_box2i *win, const exrqoi_box2i *region, const exrqoi__slot *slots,
                         int nslots)
{
    int32_t ry0 = region->min.y > win->min.y ? region->min.y : win->min.y;
    int32_t ry1 = region->max.y < win->max.y ? region->max.y : win->max.y;
    int32_t rx0 = region->min.x > win->min.x ? region->min.x : win->min.x;
    int32_t rx1 = region->max.x < win->max.x ? region->max.x : win->max.x;
    if (ry0 > ry1 || rx0 > rx1) return;
    for (int s = 0; s < nslots; s++) {
        const exrqoi__slot *sl = &slots[s];
        if (sl->chan >= 0) continue;
        uint8_t v[4];
        exrqoi__fill_value(v, sl->slice->type, sl->slice->fill);
        size_t vs = (size_t)exrqoi_pixel_type_size(sl->slice->type);
        int32_t fy = first_sampled(ry0, sl->ys), fx = first_sampled(rx0, sl->xs);
        for (int32_t y = fy; y <= ry1; y += sl->ys) {
            int64_t dj = (y - first_sampled(region->min.y, sl->ys)) / sl->ys;
            for (int32_t x = fx; x <= rx1; x += sl->xs) {
                int64_t di = (x - first_sampled(region->min.x, sl->xs)) / sl->xs;
                memcpy((uint8_t *)sl->slice->base + di * sl->slice->x_stride + dj * sl->slice->y_stride,
                       v, vs);
            }
        }
    }
}
