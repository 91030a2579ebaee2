/*
 * CPU features and the SIMD kernels chosen from them: the one place that
 * knows which instruction sets the machine has and which kernel of each
 * hot loop runs on it.
 *
 * exrqoi__cpu_features() detects the features once per process and masks
 * off those named in the environment variable EXRQOI_DISABLE_CPU_FEATURES
 * (read at the first call). Contexts (the codec worker state, QOI coders)
 * take an exrqoi__kernels when they are created and call the kernel paths
 * it holds; nothing asks the CPU inside a loop.
 */
#ifndef EXRQOI_CPU_H
#define EXRQOI_CPU_H

#include "common/internal.h"

/* Feature bits. */
#define EXRQOI__CPU_SSE2 (1u << 0)
#define EXRQOI__CPU_AVX (1u << 1) /* with OS support for the YMM state */
#define EXRQOI__CPU_AVX2 (1u << 2)
#define EXRQOI__CPU_F16C (1u << 3)
#define EXRQOI__CPU_BMI2 (1u << 4)
#define EXRQOI__CPU_NEON (1u << 5) /* AArch64 Advanced SIMD */
#define EXRQOI__CPU_ALL ((1u << 6) - 1)

/* The name of feature bit i (0 <= i < 6) as the environment variable
 * spells it ("sse2", "avx", "avx2", "f16c", "bmi2", "neon"). */
EXRQOI_INTERNAL const char *exrqoi__cpu_feature_name(int i);

/* What the CPU (and the build) has, without the environment's mask. */
EXRQOI_INTERNAL uint32_t exrqoi__cpu_detect(void);

/* The features a comma- (or space-) separated list of names turns off:
 * names as exrqoi__cpu_feature_name, or "all"; case does not matter and
 * unknown names are ignored. NULL or "" turns off nothing. */
EXRQOI_INTERNAL uint32_t exrqoi__cpu_disabled_by(const char *list);

/* exrqoi__cpu_detect() without the features EXRQOI_DISABLE_CPU_FEATURES
 * turns off. Found at the first call, then only read (see cpu.c). */
EXRQOI_INTERNAL uint32_t exrqoi__cpu_features(void);

/* Kernel paths. Every hot loop numbers its paths alike: the portable C
 * code is path 0 and always present. */
enum {
    EXRQOI__PATH_C = 0,
    EXRQOI__PATH_SSE2 = 1,
    EXRQOI__PATH_AVX2 = 2, /* the AVX-class path: AVX2, or AVX+F16C for halves */
    EXRQOI__PATH_NEON = 3
};

/* The path of each hot loop for a set of features. */
typedef struct exrqoi__kernels {
    uint32_t features;
    uint8_t zip;   /* predict.h: C, SSE2, AVX2, NEON */
    uint8_t half;  /* block/half_simd.h: C, SSE2, AVX2 (= F16C), NEON */
    uint8_t huf;   /* huf.h's path number: 1 portable, 2 BMI2 */
    uint8_t dwa;   /* dwa.h: C, SSE2, AVX2 (AVX2 + F16C), NEON */
    uint8_t b44;   /* b44.h: C, SSE2, NEON (decoding) */
    uint8_t piz;   /* piz.c and wavelet.h: C, SSE2, NEON */
    uint8_t pxr24; /* pxr24.h: C, SSE2, AVX2, NEON */
    uint8_t qoi;   /* qoi_internal.h: C, SSE2, NEON (decoding; encoding: C, SSE2) */
    uint8_t htdwt; /* htj2k_dec.h: 32-bit 5/3 synthesis, the chunk output and the block decoder's kernels: C,
                      SSE2, AVX2 (AVX2 + BMI2), NEON */
} exrqoi__kernels;

EXRQOI_INTERNAL exrqoi__kernels exrqoi__kernels_for(uint32_t features);

/* exrqoi__kernels_for(exrqoi__cpu_features()). */
EXRQOI_INTERNAL exrqoi__kernels exrqoi__cpu_kernels(void);

#endif
