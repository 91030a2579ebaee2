/* The reference QOI codec (Debian's libqoi-dev /usr/include/qoi.h),
 * compiled here and nowhere else, and the allocator both QOI codecs use
 * in the benchmark. */
#include <stdlib.h>
#include <string.h>

#include "bench_internal.h"

#define QOI_MALLOC(sz) bench_qoi_alloc(NULL, sz)
#define QOI_FREE(p) bench_qoi_free(NULL, p)
#define QOI_IMPLEMENTATION
#include <qoi.h>

/* A few freed blocks are kept and handed out again, so that a decode's
 * output buffer is memory already mapped, as in a program that decodes
 * image after image. With plain malloc, glibc gives a buffer of megabytes
 * back to the kernel on free (mmap, or trimming the heap's top), and the
 * next decode takes a page fault per 4 KiB: on the shared VM that cost
 * 10-40 ms per dice/wikipedia_008 decode, for both codecs alike, and
 * swamped the decoders' own 1-10 ms. Single-threaded use only. */
enum { KEEP = 8, HEAD = 16 };
static struct {
    unsigned char *block[KEEP]; /* each starts with its capacity */
    int n;
} kept;

void *bench_qoi_alloc(void *user, size_t size)
{
    (void)user;
    int best = -1;
    for (int i = 0; i < kept.n; i++) {
        size_t cap;
        memcpy(&cap, kept.block[i], sizeof cap);
        size_t best_cap = 0;
        if (best >= 0) memcpy(&best_cap, kept.block[best], sizeof best_cap);
        if (cap >= size && (best < 0 || cap < best_cap)) best = i;
    }
    unsigned char *b;
    if (best >= 0) {
        b = kept.block[best];
        kept.block[best] = kept.block[--kept.n];
    } else {
        if (size > (size_t)-1 - HEAD || !(b = malloc(size + HEAD))) return NULL;
        memcpy(b, &size, sizeof size);
    }
    return b + HEAD;
}

void bench_qoi_free(void *user, void *p)
{
    (void)user;
    if (!p) return;
    unsigned char *b = (unsigned char *)p - HEAD;
    if (kept.n < KEEP)
        kept.block[kept.n++] = b;
    else
        free(b);
}

void bench_qoi_release_kept(void)
{
    while (kept.n) free(kept.block[--kept.n]);
}

void *bench_qoiref_decode(const void *data, int size, unsigned *w, unsigned *h, int *channels)
{
    qoi_desc d;
    void *px = qoi_decode(data, size, &d, 0);
    if (!px) return NULL;
    *w = d.width;
    *h = d.height;
    *channels = d.channels;
    return px;
}

void *bench_qoiref_encode(const void *pixels, unsigned w, unsigned h, int channels, int colorspace,
                          int *out_len)
{
    qoi_desc d = {w, h, (unsigned char)channels, (unsigned char)colorspace};
    return qoi_encode(pixels, &d, out_len);
}

void bench_qoiref_free(void *p) { bench_qoi_free(NULL, p); }
