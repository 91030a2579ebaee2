/* Luminance/chroma (Y, RY, BY) to RGBA, reproducing OpenEXR's
 * RgbaInputFile step by step (including where it rounds to half). */
#ifndef EXRQOI_RGBA_YCA_H
#define EXRQOI_RGBA_YCA_H

#include "common/internal.h"
#include "exrqoi/meta.h"

/* Luminance weights of the chromaticities, computed in float the way
 * OpenEXR's computeYw does (second column of RGBtoXYZ, normalised).
 * False if the chromaticities are degenerate. */
EXRQOI_INTERNAL bool exrqoi__yca_weights(const exrqoi_chromaticities *c, float yw[3]);

/* Converts a w x h luminance/chroma image (w, h even; the window's min
 * corner even) to RGBA. y, a: w*h half samples; ry, by: (w/2)*(h/2) half
 * samples. out: w*h*4 half samples (R,G,B,A). */
EXRQOI_INTERNAL exrqoi_result exrqoi__yca_to_rgba(const exrqoi_allocator *alloc, int32_t w,
                                                  int32_t h, const uint16_t *y, const uint16_t *a,
                                                  const uint16_t *ry, const uint16_t *by,
                                                  const float yw[3], uint16_t *out);

#endif
