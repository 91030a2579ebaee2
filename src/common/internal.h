/*
 * Internal header every .c file of the library includes first.
 * Shared-but-internal symbols are named exrqoi__* and are hidden by the
 * default visibility; everything else is static.
 */
#ifndef EXRQOI_INTERNAL_H
#define EXRQOI_INTERNAL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <float.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "exrqoi/common.h"

/* PE (Windows) has no visibility: there the DLL exports what EXRQOI_API
 * marks dllexport and nothing else. */
#if defined(_WIN32)
#define EXRQOI_INTERNAL
#else
#define EXRQOI_INTERNAL __attribute__((visibility("hidden")))
#endif

/* Our float maths must round as OpenEXR's does (bit-exact DWA, colour):
 * each float operation in float. gcc's ISO C mode evaluates float in double
 * on s390x; CMakeLists.txt passes -fexcess-precision=fast there. */
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD != 0 && FLT_EVAL_METHOD != -1
#error "float expressions must be evaluated in float (FLT_EVAL_METHOD 0): gcc -fexcess-precision=fast"
#endif

#if defined(__GNUC__) || defined(__clang__)
#define EXRQOI_LIKELY(x) __builtin_expect(!!(x), 1)
#define EXRQOI_UNLIKELY(x) __builtin_expect(!!(x), 0)
#if defined(__MINGW32__)
/* MinGW's C99 printf (__USE_MINGW_ANSI_STDIO, which _GNU_SOURCE turns
 * on) takes %zu and %llu; the attribute must say so */
#define EXRQOI_PRINTF(f, a) __attribute__((format(gnu_printf, f, a)))
#else
#define EXRQOI_PRINTF(f, a) __attribute__((format(printf, f, a)))
#endif
#else
#define EXRQOI_LIKELY(x) (x)
#define EXRQOI_UNLIKELY(x) (x)
#define EXRQOI_PRINTF(f, a)
#endif

/* ---- allocation (always through the caller's allocator) ---------------- */

/* NULL `a` means malloc/free. Returns NULL on failure or size 0 overflow. */
EXRQOI_INTERNAL void *exrqoi__alloc(const exrqoi_allocator *a, size_t size);
EXRQOI_INTERNAL void *exrqoi__calloc(const exrqoi_allocator *a, size_t n, size_t size);
EXRQOI_INTERNAL void exrqoi__free(const exrqoi_allocator *a, void *p);
/* Grows (or allocates) *p to hold at least `size` bytes, keeping contents
 * up to *cap. Doubles to amortise. */
EXRQOI_INTERNAL exrqoi_result exrqoi__reserve(const exrqoi_allocator *a, void **p, size_t *cap,
                                              size_t size);
EXRQOI_INTERNAL char *exrqoi__strdup(const exrqoi_allocator *a, const char *s);
EXRQOI_INTERNAL char *exrqoi__strndup(const exrqoi_allocator *a, const char *s, size_t n);

/* ---- errors with detail ------------------------------------------------ */

/* Holds the last failure of a context. The message is also sent to the
 * caller's callback, if any. */
typedef struct exrqoi__err {
    exrqoi_result code;
    exrqoi_message_fn on_message;
    void *user;
    char msg[512];
} exrqoi__err;

/* Records `code` with a printf-style message and returns `code`. `e` may be
 * NULL (the code is still returned). Never prints. */
EXRQOI_INTERNAL exrqoi_result exrqoi__fail(exrqoi__err *e, exrqoi_result code, const char *fmt, ...)
    EXRQOI_PRINTF(3, 4);
EXRQOI_INTERNAL exrqoi_result exrqoi__vfail(exrqoi__err *e, exrqoi_result code, const char *fmt,
                                            va_list ap);
EXRQOI_INTERNAL void exrqoi__err_clear(exrqoi__err *e);

/* Evaluate, return the error if it failed. */
#define EXRQOI_TRY(expr)                                                                      \
    do {                                                                                      \
        exrqoi_result exrqoi__rv_ = (expr);                                                   \
        if (EXRQOI_UNLIKELY(exrqoi__rv_ != EXRQOI_OK)) return exrqoi__rv_;                     \
    } while (0)

/* ---- overflow-checked arithmetic (true = overflowed) ------------------- */

static inline bool exrqoi__mul_size(size_t a, size_t b, size_t *out)
{
    return __builtin_mul_overflow(a, b, out);
}
static inline bool exrqoi__add_size(size_t a, size_t b, size_t *out)
{
    return __builtin_add_overflow(a, b, out);
}
static inline bool exrqoi__mul_u64(uint64_t a, uint64_t b, uint64_t *out)
{
    return __builtin_mul_overflow(a, b, out);
}
static inline bool exrqoi__add_u64(uint64_t a, uint64_t b, uint64_t *out)
{
    return __builtin_add_overflow(a, b, out);
}

/* Mathematical modulo/division for possibly negative coordinates. */
static inline int32_t exrqoi__mod(int32_t a, int32_t b)
{
    int32_t m = a % b;
    return (m < 0) ? m + b : m;
}
static inline int32_t exrqoi__floor_div(int32_t a, int32_t b)
{
    int32_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}
/* Number of integers y in [lo, hi] (inclusive) with y mod s == 0. */
static inline int32_t exrqoi__count_sampled(int32_t lo, int32_t hi, int32_t s)
{
    if (hi < lo) return 0;
    if (s <= 1) return hi - lo + 1;
    return exrqoi__floor_div(hi, s) - exrqoi__floor_div(lo - 1, s);
}

/* ---- little-endian access (file byte order) ---------------------------- */

static inline uint16_t exrqoi__le16(const void *p)
{
    const uint8_t *b = (const uint8_t *)p;
    return (uint16_t)(b[0] | (b[1] << 8));
}
static inline uint32_t exrqoi__le32(const void *p)
{
    const uint8_t *b = (const uint8_t *)p;
    return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
}
static inline uint64_t exrqoi__le64(const void *p)
{
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && defined(__ORDER_BIG_ENDIAN__)
    /* one load: gcc does not always merge the bytes' loads (at p - 1, say) */
    uint64_t v;
    memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
#else
    return (uint64_t)exrqoi__le32(p) | ((uint64_t)exrqoi__le32((const uint8_t *)p + 4) << 32);
#endif
}
static inline float exrqoi__lef32(const void *p)
{
    uint32_t u = exrqoi__le32(p);
    float f;
    memcpy(&f, &u, 4);
    return f;
}
static inline double exrqoi__lef64(const void *p)
{
    uint64_t u = exrqoi__le64(p);
    double d;
    memcpy(&d, &u, 8);
    return d;
}
static inline void exrqoi__put16(void *p, uint16_t v)
{
    uint8_t *b = (uint8_t *)p;
    b[0] = (uint8_t)v;
    b[1] = (uint8_t)(v >> 8);
}
static inline void exrqoi__put32(void *p, uint32_t v)
{
    uint8_t *b = (uint8_t *)p;
    b[0] = (uint8_t)v;
    b[1] = (uint8_t)(v >> 8);
    b[2] = (uint8_t)(v >> 16);
    b[3] = (uint8_t)(v >> 24);
}
static inline void exrqoi__put64(void *p, uint64_t v)
{
    exrqoi__put32(p, (uint32_t)v);
    exrqoi__put32((uint8_t *)p + 4, (uint32_t)(v >> 32));
}
static inline void exrqoi__putf32(void *p, float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    exrqoi__put32(p, u);
}
static inline void exrqoi__putf64(void *p, double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    exrqoi__put64(p, u);
}

/* ---- limits ------------------------------------------------------------ */

/* Copies `in` (NULL = defaults; only its struct_size bytes) to `out`,
 * replacing zero fields by defaults. A struct_size of 0 is
 * EXRQOI_ERR_INVALID_ARGUMENT, with `out` holding the defaults. */
EXRQOI_INTERNAL exrqoi_result exrqoi__limits_resolve(const exrqoi_limits *in, exrqoi_limits *out);

/* Reads a caller's options struct, whose first field is its size_t
 * struct_size, over `dst` (full bytes, holding the defaults): only the
 * bytes the caller's build has are copied, so fields added later keep
 * their defaults. NULL `src` leaves the defaults; a struct_size of 0 (not
 * initialised with the ..._INIT macro) is EXRQOI_ERR_INVALID_ARGUMENT. */
EXRQOI_INTERNAL exrqoi_result exrqoi__options_copy(void *dst, size_t full, const void *src);

/* The memory budget, computed here only: max_alloc_bytes bounds what one
 * call allocates; a call running on `workers` threads gives each worker an
 * equal share (workers < 1: one). */
static inline uint64_t exrqoi__budget(const exrqoi_limits *l, int workers)
{
    return l->max_alloc_bytes / (uint64_t)(workers > 0 ? workers : 1);
}
/* Whether `bytes` fit in one worker's share. */
static inline bool exrqoi__budget_fits(const exrqoi_limits *l, int workers, uint64_t bytes)
{
    return bytes <= exrqoi__budget(l, workers);
}
/* How many items of `each` bytes fit the budget of one thread (each > 0). */
static inline uint64_t exrqoi__budget_count(const exrqoi_limits *l, uint64_t each)
{
    return exrqoi__budget(l, 1) / each;
}

/* ---- CRC-32 (zlib polynomial, for the canonical hash) ------------------ */
EXRQOI_INTERNAL uint32_t exrqoi__crc32(uint32_t crc, const void *data, size_t len);

#endif /* EXRQOI_INTERNAL_H */
