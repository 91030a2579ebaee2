/* binary16 <-> binary32 conversions with the rounding Imath uses. */
#include "common/internal.h"
#include "common/half.h"

float exrqoi_half_to_float(uint16_t h) { return exrqoi__h2f(h); }
uint16_t exrqoi_float_to_half(float f) { return exrqoi__f2h(f); }
