/* The public deep image container: allocation, offsets, lookup. */
#include "deep/deep_image.h"

static size_t sample_size(exrqoi_pixel_type t)
{
    return t == EXRQOI_PIXEL_HALF ? 2 : (t == EXRQOI_PIXEL_UINT || t == EXRQOI_PIXEL_FLOAT) ? 4 : 0;
}

void exrqoi_deep_image_free(exrqoi_deep_image *img)
{
    if (!img) return;
    const exrqoi_allocator *a = &img->alloc;
    if (img->channels) {
        for (int32_t c = 0; c < img->channel_count; c++) {
            exrqoi__free(a, img->channels[c].name);
            exrqoi__free(a, img->channels[c].samples);
        }
        exrqoi__free(a, img->channels);
    }
    exrqoi__free(a, img->counts);
    exrqoi__free(a, img->offsets);
    exrqoi_allocator keep = img->alloc;
    memset(img, 0, sizeof *img);
    img->alloc = keep;
}

static exrqoi_result image_init(exrqoi_deep_image *img, const exrqoi_allocator *allocator, int32_t width,
                                int32_t height, int32_t channel_count, const char *const *names,
                                const exrqoi_pixel_type *types, bool zero)
{
    if (!img) return EXRQOI_ERR_INVALID_ARGUMENT;
    memset(img, 0, sizeof *img);
    if (allocator) img->alloc = *allocator;
    if (width < 0 || height < 0 || channel_count < 0 || (channel_count > 0 && (!names || !types)))
        return EXRQOI_ERR_INVALID_ARGUMENT;
    for (int32_t c = 0; c < channel_count; c++)
        if (!names[c] || !sample_size(types[c])) return EXRQOI_ERR_INVALID_ARGUMENT;
    size_t npix, nofs;
    if (exrqoi__mul_size((size_t)width, (size_t)height, &npix) ||
        exrqoi__add_size(npix, 1, &nofs))
        return EXRQOI_ERR_LIMIT;
    const exrqoi_allocator *a = &img->alloc;
    if (zero) {
        img->counts = (uint32_t *)exrqoi__calloc(a, npix ? npix : 1, sizeof(uint32_t));
        img->offsets = (uint64_t *)exrqoi__calloc(a, nofs, sizeof(uint64_t));
    } else if (npix <= SIZE_MAX / sizeof(uint64_t) - 1) { /* both products fit */
        img->counts = (uint32_t *)exrqoi__alloc(a, (npix ? npix : 1) * sizeof(uint32_t));
        img->offsets = (uint64_t *)exrqoi__alloc(a, nofs * sizeof(uint64_t));
    }
    img->channels = (exrqoi_deep_channel *)exrqoi__calloc(
        a, channel_count ? (size_t)channel_count : 1, sizeof(exrqoi_deep_channel));
    if (!img->counts || !img->offsets || !img->channels) goto oom;
    img->pixel_capacity = npix;
    img->width = width;
    img->height = height;
    img->channel_count = channel_count;
    for (int32_t c = 0; c < channel_count; c++) {
        img->channels[c].type = types[c];
        img->channels[c].name = exrqoi__strdup(a, names[c]);
        if (!img->channels[c].name) goto oom;
    }
    return EXRQOI_OK;
oom:
    exrqoi_deep_image_free(img);
    return EXRQOI_ERR_OUT_OF_MEMORY;
}

exrqoi_result exrqoi_deep_image_init(exrqoi_deep_image *img, const exrqoi_allocator *allocator,
                                     int32_t width, int32_t height, int32_t channel_count,
                                     const char *const *names, const exrqoi_pixel_type *types)
{
    return image_init(img, allocator, width, height, channel_count, names, types, true);
}

exrqoi_result exrqoi__deep_image_init_unset(exrqoi_deep_image *img, const exrqoi_allocator *allocator,
                                           int32_t width, int32_t height, int32_t channel_count,
                                           const char *const *names, const exrqoi_pixel_type *types)
{
    return image_init(img, allocator, width, height, channel_count, names, types, false);
}

static bool same_allocator(const exrqoi_allocator *a, const exrqoi_allocator *b)
{
    return a->alloc == b->alloc && a->free == b->free && a->user == b->user;
}

/* Whether the image's channel list is exactly names/types (count, names). */
static bool same_channels(const exrqoi_deep_image *img, int32_t channel_count, const char *const *names)
{
    if (img->channel_count != channel_count || (channel_count > 0 && !img->channels)) return false;
    for (int32_t c = 0; c < channel_count; c++)
        if (!img->channels[c].name || !names[c] || strcmp(img->channels[c].name, names[c]) != 0) return false;
    return true;
}

exrqoi_result exrqoi__deep_image_reuse(exrqoi_deep_image *img, const exrqoi_allocator *allocator, int32_t width,
                                      int32_t height, int32_t channel_count, const char *const *names,
                                      const exrqoi_pixel_type *types)
{
    if (!img) return EXRQOI_ERR_INVALID_ARGUMENT;
    exrqoi_allocator want;
    memset(&want, 0, sizeof want);
    if (allocator) want = *allocator;
    size_t npix;
    bool keep = same_allocator(&img->alloc, &want) && img->counts && img->offsets && width >= 0 && height >= 0 &&
                !exrqoi__mul_size((size_t)width, (size_t)height, &npix) && npix <= img->pixel_capacity &&
                same_channels(img, channel_count, names);
    for (int32_t c = 0; keep && c < channel_count; c++)
        if (!sample_size(types[c])) keep = false;
    if (!keep) {
        exrqoi_deep_image_free(img);
        return image_init(img, allocator, width, height, channel_count, names, types, false);
    }
    img->width = width;
    img->height = height;
    img->total_samples = 0;
    for (int32_t c = 0; c < channel_count; c++) img->channels[c].type = types[c];
    return EXRQOI_OK;
}

exrqoi_result exrqoi__deep_image_alloc_samples_unset(exrqoi_deep_image *img)
{
    if (!img || (img->channel_count > 0 && !img->channels)) return EXRQOI_ERR_INVALID_ARGUMENT;
    uint64_t total = img->total_samples;
    const exrqoi_allocator *a = &img->alloc;
    for (int32_t c = 0; c < img->channel_count; c++) {
        exrqoi_deep_channel *ch = &img->channels[c];
        size_t bytes;
        if (total > (uint64_t)SIZE_MAX || exrqoi__mul_size((size_t)total, sample_size(ch->type), &bytes))
            return EXRQOI_ERR_LIMIT;
        if (ch->samples && ch->capacity >= bytes) continue; /* reused: its pages are mapped already */
        exrqoi__free(a, ch->samples);
        ch->capacity = 0;
        ch->samples = exrqoi__alloc(a, bytes ? bytes : 1);
        if (!ch->samples) return EXRQOI_ERR_OUT_OF_MEMORY;
        ch->capacity = bytes ? bytes : 1;
    }
    return EXRQOI_OK;
}

exrqoi_result exrqoi_deep_image_alloc_samples(exrqoi_deep_image *img, uint64_t max_total_samples)
{
    if (!img || !img->counts || !img->offsets || (img->channel_count > 0 && !img->channels))
        return EXRQOI_ERR_INVALID_ARGUMENT;
    size_t npix = (size_t)img->width * (size_t)img->height; /* checked by init */
    uint64_t total = 0;
    for (size_t i = 0; i < npix; i++) {
        img->offsets[i] = total;
        total += img->counts[i]; /* < 2^32 * 2^62: cannot wrap for any real size_t */
    }
    img->offsets[npix] = total;
    img->total_samples = total;
    if (max_total_samples && total > max_total_samples) return EXRQOI_ERR_LIMIT;
    const exrqoi_allocator *a = &img->alloc;
    for (int32_t c = 0; c < img->channel_count; c++) {
        exrqoi_deep_channel *ch = &img->channels[c];
        size_t bytes;
        if (total > (uint64_t)SIZE_MAX ||
            exrqoi__mul_size((size_t)total, sample_size(ch->type), &bytes))
            return EXRQOI_ERR_LIMIT;
        exrqoi__free(a, ch->samples);
        ch->capacity = 0;
        ch->samples = exrqoi__calloc(a, bytes ? bytes : 1, 1);
        if (!ch->samples) return EXRQOI_ERR_OUT_OF_MEMORY;
        ch->capacity = bytes ? bytes : 1;
    }
    return EXRQOI_OK;
}

int32_t exrqoi_deep_image_find_channel(const exrqoi_deep_image *img, const char *name)
{
    if (!img || !name) return -1;
    for (int32_t c = 0; c < img->channel_count; c++)
        if (img->channels[c].name && strcmp(img->channels[c].name, name) == 0) return c;
    return -1;
}
