/*
 * exrqoi.h - the whole public API of libexrqoi.
 *
 * libexrqoi reads and writes OpenEXR images and encodes and decodes QOI
 * images. Every function is prefixed exrqoi_, every macro EXRQOI_.
 */
#ifndef EXRQOI_EXRQOI_H
#define EXRQOI_EXRQOI_H

#include "exrqoi/common.h"
#include "exrqoi/meta.h"
#include "exrqoi/part.h"
#include "exrqoi/read.h"
#include "exrqoi/write.h"
#include "exrqoi/image.h"
#include "exrqoi/deep.h"
#include "exrqoi/deep_read.h"
#include "exrqoi/deep_write.h"
#include "exrqoi/qoi.h"
#include "exrqoi/rgba.h"
#include "exrqoi/convert.h"
#include "exrqoi/check.h"

#endif
