/*
 * PIZ's 2D Haar-like wavelet on 16-bit words, in place, as OpenEXR
 * defines it. The nx*ny samples start at `in`, ox words apart along x and
 * oy words apart along y (PIZ passes ox = words per sample, so the two
 * halves of a 32-bit sample are transformed independently). max_value
 * picks the variant: below 1<<14 the non-modular one (better
 * compression), otherwise the modular 16-bit one.
 */
#ifndef EXRQOI_WAVELET_H
#define EXRQOI_WAVELET_H

#include "common/internal.h"

EXRQOI_INTERNAL void exrqoi__wav_encode(uint16_t *in, int nx, int ox, int ny, int oy,
                                        uint16_t max_value);
EXRQOI_INTERNAL void exrqoi__wav_decode(uint16_t *in, int nx, int ox, int ny, int oy,
                                        uint16_t max_value);

/* The same with a chosen implementation (PIZ passes its context's
 * exrqoi__kernels.piz): EXRQOI__PATH_C, EXRQOI__PATH_SSE2 (x86) or
 * EXRQOI__PATH_NEON (AArch64). A path the build lacks falls back to the
 * portable one; every path gives identical words. */
EXRQOI_INTERNAL void exrqoi__wav_encode_path(int path, uint16_t *in, int nx, int ox, int ny,
                                             int oy, uint16_t max_value);
EXRQOI_INTERNAL void exrqoi__wav_decode_path(int path, uint16_t *in, int nx, int ox, int ny,
                                             int oy, uint16_t max_value);

#endif
