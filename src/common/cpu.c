/* CPU feature detection, the environment's mask, and the kernel choice.
 *
 * Detection uses the compiler's own means (gcc and clang, also MinGW-w64):
 * __builtin_cpu_supports, which libgcc / compiler-rt fill once at start
 * (including the OS check of the YMM state for AVX), and CPUID for F16C,
 * for which clang 14 has no __builtin_cpu_supports name. On AArch64 the
 * Advanced SIMD unit is part of the base architecture, so NEON follows
 * from the build target; no OS query is needed.
 *
 * The features are cached process-wide in one atomic word (see
 * docs/architecture.md, "CPU features"): the value written is the same in
 * every thread that computes it, so racing first calls are harmless. */
#include "common/cpu.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdlib.h>

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define CPU_X86 1
#include <cpuid.h>
#else
#define CPU_X86 0
#endif

#define NFEATURES 6
static const char *const names[NFEATURES] = {"sse2", "avx", "avx2", "f16c", "bmi2", "neon"};

const char *exrqoi__cpu_feature_name(int i) { return i >= 0 && i < NFEATURES ? names[i] : NULL; }

uint32_t exrqoi__cpu_detect(void)
{
    uint32_t f = 0;
#if CPU_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("sse2")) f |= EXRQOI__CPU_SSE2;
    if (__builtin_cpu_supports("avx")) f |= EXRQOI__CPU_AVX;
    if (__builtin_cpu_supports("avx2")) f |= EXRQOI__CPU_AVX2;
    if (__builtin_cpu_supports("bmi2")) f |= EXRQOI__CPU_BMI2;
    unsigned a, b, c, d;
    /* F16C instructions are VEX-encoded: usable only with the AVX state */
    if ((f & EXRQOI__CPU_AVX) && __get_cpuid(1, &a, &b, &c, &d) && (c & bit_F16C)) f |= EXRQOI__CPU_F16C;
#elif defined(__aarch64__) && defined(__ARM_NEON)
    f |= EXRQOI__CPU_NEON;
#endif
    return f;
}

static bool name_is(const char *s, size_t n, const char *name)
{
    if (strlen(name) != n) return false;
    for (size_t i = 0; i < n; i++)
        if (tolower((unsigned char)s[i]) != name[i]) return false;
    return true;
}

uint32_t exrqoi__cpu_disabled_by(const char *list)
{
    uint32_t off = 0;
    if (!list) return 0;
    const char *p = list;
    while (*p) {
        while (*p == ',' || *p == ' ' || *p == '\t') p++;
        const char *s = p;
        while (*p && *p != ',' && *p != ' ' && *p != '\t') p++;
        size_t n = (size_t)(p - s);
        if (n == 0) continue;
        if (name_is(s, n, "all")) off |= EXRQOI__CPU_ALL;
        for (int i = 0; i < NFEATURES; i++)
            if (name_is(s, n, names[i])) off |= 1u << i;
    }
    return off;
}

/* 0: not found yet; else the features with KNOWN set. */
#define KNOWN (1u << 31)
static _Atomic uint32_t cached_features;

uint32_t exrqoi__cpu_features(void)
{
    uint32_t f = atomic_load_explicit(&cached_features, memory_order_relaxed);
    if (EXRQOI_UNLIKELY(f == 0)) {
        f = (exrqoi__cpu_detect() & ~exrqoi__cpu_disabled_by(getenv("EXRQOI_DISABLE_CPU_FEATURES"))) | KNOWN;
        atomic_store_explicit(&cached_features, f, memory_order_relaxed);
    }
    return f & ~KNOWN;
}

exrqoi__kernels exrqoi__kernels_for(uint32_t f)
{
    exrqoi__kernels k;
    memset(&k, 0, sizeof k);
    k.features = f;
    const uint8_t sse2 = (f & EXRQOI__CPU_SSE2) ? EXRQOI__PATH_SSE2 : EXRQOI__PATH_C;
    const bool neon = (f & EXRQOI__CPU_NEON) != 0;
    k.zip = (f & EXRQOI__CPU_AVX2) && sse2 ? EXRQOI__PATH_AVX2 : neon ? EXRQOI__PATH_NEON : sse2;
    k.half = (f & EXRQOI__CPU_AVX) && (f & EXRQOI__CPU_F16C) && sse2 ? EXRQOI__PATH_AVX2
             : neon                                                ? EXRQOI__PATH_NEON
                                                                   : sse2;
    k.huf = (f & EXRQOI__CPU_BMI2) ? 2 : 1;
    k.dwa = (f & EXRQOI__CPU_AVX2) && (f & EXRQOI__CPU_F16C) && sse2 ? EXRQOI__PATH_AVX2 : neon ? EXRQOI__PATH_NEON : sse2;
    k.b44 = neon ? EXRQOI__PATH_NEON : sse2;
    k.piz = neon ? EXRQOI__PATH_NEON : sse2;
    k.pxr24 = (f & EXRQOI__CPU_AVX2) && sse2 ? EXRQOI__PATH_AVX2 : neon ? EXRQOI__PATH_NEON : sse2;
    k.qoi = neon ? EXRQOI__PATH_NEON : sse2;
    /* the AVX2 path's block decoder also runs its VLC step with BMI2 */
    k.htdwt = (f & EXRQOI__CPU_AVX2) && (f & EXRQOI__CPU_BMI2) && sse2 ? EXRQOI__PATH_AVX2
              : neon                                                  ? EXRQOI__PATH_NEON
                                                                      : sse2;
    return k;
}

exrqoi__kernels exrqoi__cpu_kernels(void) { return exrqoi__kernels_for(exrqoi__cpu_features()); }
