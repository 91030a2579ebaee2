/* B44's transfer for pLinear channels: 65536-entry half-to-half tables,
 * built once per process on first use and read-only afterwards. */
#ifndef EXRQOI_B44_TABLES_H
#define EXRQOI_B44_TABLES_H

#include "common/internal.h"

/* Encoder side: h -> exp(h / 8) (OpenEXR's "convertFromLinear"). */
EXRQOI_INTERNAL const uint16_t *exrqoi__b44_exp_table(void);
/* Decoder side: h -> 8 * log(h) (OpenEXR's "convertToLinear"). */
EXRQOI_INTERNAL const uint16_t *exrqoi__b44_log_table(void);

#endif
