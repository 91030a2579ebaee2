/* The DWA transfer curves and the quantiser's candidates as full tables.
 * Like OpenEXR's own tables they are built once per process, on first
 * use, and shared read-only: computing them per chunk (or per value)
 * cost more than the rest of the codec. */
#include "codec/dwa.h"

#include <pthread.h>

#include "common/half.h"

/* Written once under pthread_once, constant afterwards. */
/* two entries past the end: the AVX2 decoder gathers 32 bits per half */
static uint16_t g_to_linear[65536 + 2];
static uint16_t g_to_nonlinear[65536];
static pthread_once_t g_linear_once = PTHREAD_ONCE_INIT;
static pthread_once_t g_nonlinear_once = PTHREAD_ONCE_INIT;
/* every h's candidates by increasing bit count: popcount(h) entries at
 * g_cand_off[h]; 16 bits x 32768 = 524288 entries in all */
static uint32_t g_cand_off[65537];
static uint16_t g_cand[524288];
static float g_cand_f[524288]; /* their values, saving a conversion per test */
static pthread_once_t g_cand_once = PTHREAD_ONCE_INIT;

static void build_linear(void)
{
    for (uint32_t h = 0; h < 65536u; h++) g_to_linear[h] = exrqoi__dwa_to_linear((uint16_t)h);
}

static void build_nonlinear(void)
{
    for (uint32_t h = 0; h < 65536u; h++) g_to_nonlinear[h] = exrqoi__dwa_to_nonlinear((uint16_t)h);
}

const uint16_t *exrqoi__dwa_to_linear_table(void)
{
    pthread_once(&g_linear_once, build_linear);
    return g_to_linear;
}

const uint16_t *exrqoi__dwa_to_nonlinear_table(void)
{
    pthread_once(&g_nonlinear_once, build_nonlinear);
    return g_to_nonlinear;
}

static void build_candidates(void)
{
    /* g_cand_f starts as every half's value, for the fill's distances */
    for (uint32_t h = 0; h < 65536u; h++) g_cand_f[h] = exrqoi__h2f((uint16_t)h);
    exrqoi__dwa_candidates_fill(g_cand_off, g_cand, g_cand_f);
    for (uint32_t i = 65536u; i < 524288u; i++) g_cand_f[i] = g_cand_f[g_cand[i]];
    for (uint32_t i = 0; i < 65536u; i++) g_cand_f[i] = exrqoi__h2f(g_cand[i]);
}

const uint16_t *exrqoi__dwa_candidates(const uint32_t **offsets, const float **values)
{
    pthread_once(&g_cand_once, build_candidates);
    *offsets = g_cand_off;
    *values = g_cand_f;
    return g_cand;
}
