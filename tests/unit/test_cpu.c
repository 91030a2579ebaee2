/* The CPU-feature module: parsing EXRQOI_DISABLE_CPU_FEATURES, masking,
 * and the kernel choice that follows (masked features -> portable
 * kernels), also as the contexts take it. ctest runs this once as it is
 * and once as test_cpu_masked with the variable set to "all". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "codec/codec.h"
#include "common/cpu.h"
#include "qoi/qoi_internal.h"

static void test_parse(void **state)
{
    (void)state;
    assert_int_equal(exrqoi__cpu_disabled_by(NULL), 0);
    assert_int_equal(exrqoi__cpu_disabled_by(""), 0);
    assert_int_equal(exrqoi__cpu_disabled_by(" , ,"), 0);
    assert_int_equal(exrqoi__cpu_disabled_by("all"), EXRQOI__CPU_ALL);
    assert_int_equal(exrqoi__cpu_disabled_by(" ALL "), EXRQOI__CPU_ALL);
    assert_int_equal(exrqoi__cpu_disabled_by("avx2"), EXRQOI__CPU_AVX2);
    assert_int_equal(exrqoi__cpu_disabled_by("AVX2, f16c"), EXRQOI__CPU_AVX2 | EXRQOI__CPU_F16C);
    assert_int_equal(exrqoi__cpu_disabled_by("sse2,,neon"), EXRQOI__CPU_SSE2 | EXRQOI__CPU_NEON);
    assert_int_equal(exrqoi__cpu_disabled_by("bmi2 avx"), EXRQOI__CPU_BMI2 | EXRQOI__CPU_AVX);
    /* unknown names are ignored, and names match whole */
    assert_int_equal(exrqoi__cpu_disabled_by("sse4.1,bmi2"), EXRQOI__CPU_BMI2);
    assert_int_equal(exrqoi__cpu_disabled_by("avx2x,avx22,av"), 0);
    /* every feature has a name that turns exactly it off */
    uint32_t all = 0;
    for (int i = 0; exrqoi__cpu_feature_name(i); i++) {
        assert_int_equal(exrqoi__cpu_disabled_by(exrqoi__cpu_feature_name(i)), 1u << i);
        all |= 1u << i;
    }
    assert_int_equal(all, EXRQOI__CPU_ALL);
    assert_null(exrqoi__cpu_feature_name(-1));
}

static void assert_portable(const exrqoi__kernels *k)
{
    assert_int_equal(k->zip, EXRQOI__PATH_C);
    assert_int_equal(k->half, EXRQOI__PATH_C);
    assert_int_equal(k->huf, 1); /* huf.h: portable, no BMI2 */
    assert_int_equal(k->dwa, EXRQOI__PATH_C);
    assert_int_equal(k->b44, EXRQOI__PATH_C);
    assert_int_equal(k->piz, EXRQOI__PATH_C);
    assert_int_equal(k->pxr24, EXRQOI__PATH_C);
    assert_int_equal(k->qoi, EXRQOI__PATH_C);
}

static void test_kernel_choice(void **state)
{
    (void)state;
    exrqoi__kernels k = exrqoi__kernels_for(0);
    assert_portable(&k);
    /* everything masked off: the portable kernels, whatever the CPU */
    k = exrqoi__kernels_for(exrqoi__cpu_detect() & ~exrqoi__cpu_disabled_by("all"));
    assert_portable(&k);

    k = exrqoi__kernels_for(EXRQOI__CPU_SSE2);
    assert_int_equal(k.zip, EXRQOI__PATH_SSE2);
    assert_int_equal(k.half, EXRQOI__PATH_SSE2);
    assert_int_equal(k.dwa, EXRQOI__PATH_SSE2);
    assert_int_equal(k.qoi, EXRQOI__PATH_SSE2);
    assert_int_equal(k.huf, 1);

    const uint32_t avx2 = EXRQOI__CPU_SSE2 | EXRQOI__CPU_AVX | EXRQOI__CPU_AVX2 | EXRQOI__CPU_F16C |
                          EXRQOI__CPU_BMI2;
    k = exrqoi__kernels_for(avx2);
    assert_int_equal(k.zip, EXRQOI__PATH_AVX2);
    assert_int_equal(k.half, EXRQOI__PATH_AVX2);
    assert_int_equal(k.dwa, EXRQOI__PATH_AVX2);
    assert_int_equal(k.pxr24, EXRQOI__PATH_AVX2);
    assert_int_equal(k.qoi, EXRQOI__PATH_SSE2);
    assert_int_equal(k.huf, 2);
    assert_int_equal(k.htdwt, EXRQOI__PATH_AVX2);
    /* BMI2 masked: the HTJ2K decoder's AVX2 path (its VLC step uses BMI2) steps down */
    k = exrqoi__kernels_for(avx2 & ~exrqoi__cpu_disabled_by("bmi2"));
    assert_int_equal(k.htdwt, EXRQOI__PATH_SSE2);
    assert_int_equal(k.zip, EXRQOI__PATH_AVX2);
    /* F16C masked: the half and DWA kernels step down, the predictor not
     * (one detection for F16C whatever the compiler) */
    k = exrqoi__kernels_for(avx2 & ~exrqoi__cpu_disabled_by("f16c"));
    assert_int_equal(k.half, EXRQOI__PATH_SSE2);
    assert_int_equal(k.dwa, EXRQOI__PATH_SSE2);
    assert_int_equal(k.zip, EXRQOI__PATH_AVX2);
    k = exrqoi__kernels_for(avx2 & ~exrqoi__cpu_disabled_by("avx2,bmi2"));
    assert_int_equal(k.zip, EXRQOI__PATH_SSE2);
    assert_int_equal(k.pxr24, EXRQOI__PATH_SSE2);
    assert_int_equal(k.half, EXRQOI__PATH_AVX2); /* AVX + F16C suffice */
    assert_int_equal(k.dwa, EXRQOI__PATH_SSE2);
    assert_int_equal(k.huf, 1);
    /* AVX without SSE2 (only when masked): no x86 vector kernel */
    k = exrqoi__kernels_for(avx2 & ~EXRQOI__CPU_SSE2 & ~EXRQOI__CPU_BMI2);
    assert_portable(&k);

    k = exrqoi__kernels_for(EXRQOI__CPU_NEON);
    assert_int_equal(k.zip, EXRQOI__PATH_NEON);
    assert_int_equal(k.half, EXRQOI__PATH_NEON);
    assert_int_equal(k.piz, EXRQOI__PATH_NEON);
    assert_int_equal(k.b44, EXRQOI__PATH_NEON);
    assert_int_equal(k.dwa, EXRQOI__PATH_NEON);
    assert_int_equal(k.qoi, EXRQOI__PATH_NEON);
    assert_int_equal(k.pxr24, EXRQOI__PATH_NEON);
}

/* The process's features are the detected ones less the environment's. */
static void test_environment(void **state)
{
    (void)state;
    const char *env = getenv("EXRQOI_DISABLE_CPU_FEATURES");
    uint32_t want = exrqoi__cpu_detect() & ~exrqoi__cpu_disabled_by(env);
    assert_int_equal(exrqoi__cpu_features(), want);
    assert_int_equal(exrqoi__cpu_features(), want); /* cached: the same again */
    exrqoi__kernels k = exrqoi__cpu_kernels();
    assert_int_equal(k.features, want);
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    if (!env) assert_true(exrqoi__cpu_features() & EXRQOI__CPU_SSE2); /* x86-64 baseline */
#elif defined(__aarch64__) && defined(__ARM_NEON)
    if (!env) assert_true(exrqoi__cpu_features() & EXRQOI__CPU_NEON);
#endif
    if (env && exrqoi__cpu_disabled_by(env) == EXRQOI__CPU_ALL) assert_portable(&k);
}

/* Contexts take the kernels once, when they are made. */
static void test_contexts(void **state)
{
    (void)state;
    exrqoi__kernels want = exrqoi__cpu_kernels();
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    assert_memory_equal(&ctx.k, &want, sizeof want);
    exrqoi__codec_ctx_free(&ctx);
    exrqoi__qoi_dec d;
    exrqoi__qoi_dec_init(&d);
    exrqoi__qoi_enc e;
    exrqoi__qoi_enc_init(&e);
    if (want.qoi == EXRQOI__PATH_C) {
        assert_int_equal(d.path, 1); /* the fast loop in portable C */
        assert_int_equal(e.path, 0);
    } else {
        assert_int_not_equal(d.path, 1);
        /* the encoder has an SSE2 path only (NEON: portable) */
        assert_int_equal(e.path != 0, want.qoi == EXRQOI__PATH_SSE2);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_kernel_choice),
        cmocka_unit_test(test_environment),
        cmocka_unit_test(test_contexts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
