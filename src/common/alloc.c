/* Allocation through the caller's allocator (NULL = malloc/free). */
#include "common/internal.h"

#include <stdlib.h>

void *exrqoi__alloc(const exrqoi_allocator *a, size_t size)
{
    if (size == 0) size = 1;
    if (a && a->alloc) return a->alloc(a->user, size);
    return malloc(size);
}

void *exrqoi__calloc(const exrqoi_allocator *a, size_t n, size_t size)
{
    size_t total;
    if (exrqoi__mul_size(n, size, &total)) return NULL;
    void *p = exrqoi__alloc(a, total);
    if (p) memset(p, 0, total ? total : 1);
    return p;
}

void exrqoi__free(const exrqoi_allocator *a, void *p)
{
    if (!p) return;
    if (a && a->free)
        a->free(a->user, p);
    else
        free(p);
}

void exrqoi_free(const exrqoi_allocator *allocator, void *ptr)
{
    exrqoi__free(allocator, ptr);
}

exrqoi_result exrqoi__reserve(const exrqoi_allocator *a, void **p, size_t *cap, size_t size)
{
    if (*p && *cap >= size) return EXRQOI_OK;
    size_t ncap = *cap ? *cap : 64;
    while (ncap < size) {
        if (ncap > SIZE_MAX / 2) {
            ncap = size;
            break;
        }
        ncap *= 2;
    }
    if (*p && !(a && (a->alloc || a->free))) {
        /* malloc's own growth: large blocks move by remapping their pages,
         * without copying or touching them again (a memory sink's file) */
        void *r = realloc(*p, ncap);
        if (!r) return EXRQOI_ERR_OUT_OF_MEMORY;
        *p = r;
        *cap = ncap;
        return EXRQOI_OK;
    }
    void *n = exrqoi__alloc(a, ncap);
    if (!n) return EXRQOI_ERR_OUT_OF_MEMORY;
    if (*p) {
        memcpy(n, *p, *cap);
        exrqoi__free(a, *p);
    }
    *p = n;
    *cap = ncap;
    return EXRQOI_OK;
}

char *exrqoi__strndup(const exrqoi_allocator *a, const char *s, size_t n)
{
    char *d = (char *)exrqoi__alloc(a, n + 1);
    if (!d) return NULL;
    if (n) memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *exrqoi__strdup(const exrqoi_allocator *a, const char *s)
{
    return exrqoi__strndup(a, s, strlen(s));
}
