/*
 * exrqoi.h - the whole public API of libexrqoi.
 *
 * libexrqoi reads and writes OpenEXR images and encodes and decodes QOI
 * images. Every function is prefixed exrqoi_, every macro EXRQOI_.
 */
#ifndef EXRQOI_EXRQOI_H
#define EXRQOI_EXRQOI_H

#include "exrqoi/common.h"

#endif
