/* The pLinear transfer tables of B44. Values depend only on rounding of the
 * final float to half: computing in double gives exactly the tables that
 * OpenEXR ships (verified entry by entry against OpenEXR 3.1.5's table). */
#include "codec/b44_tables.h"

#include <math.h>
#include <pthread.h>

#include "common/half.h"

/* Written once under pthread_once, constant afterwards. */
static uint16_t g_exp[65536];
static uint16_t g_log[65536];
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static uint16_t exp_entry(uint16_t h)
{
    if ((h & 0x7c00u) == 0x7c00u) return 0;            /* Inf/NaN -> 0 */
    if (h >= 0x558cu && h < 0x8000u) return 0x7bffu;    /* >= 8 ln(HALF_MAX) */
    return exrqoi__f2h((float)exp((double)exrqoi__h2f(h) / 8.0));
}

static uint16_t log_entry(uint16_t h)
{
    if ((h & 0x7c00u) == 0x7c00u) return 0; /* Inf/NaN -> 0 */
    if (h > 0x8000u) return 0;              /* negative (-0 passes: -inf) */
    return exrqoi__f2h((float)(8.0 * log((double)exrqoi__h2f(h))));
}

static void build_tables(void)
{
    for (uint32_t i = 0; i < 65536u; i++) {
        g_exp[i] = exp_entry((uint16_t)i);
        g_log[i] = log_entry((uint16_t)i);
    }
}

/* t, once both tables are built */
static const uint16_t *built(const uint16_t *t)
{
    pthread_once(&g_once, build_tables);
    return t;
}

const uint16_t *exrqoi__b44_exp_table(void) { return built(g_exp); }

const uint16_t *exrqoi__b44_log_table(void) { return built(g_log); }
