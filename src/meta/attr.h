/* Attribute (de)serialisation between file bytes and exrqoi_attribute. */
#ifndef EXRQOI_ATTR_H
#define EXRQOI_ATTR_H

#include "common/internal.h"
#include "exrqoi/meta.h"

/* Parses one attribute value of `size` bytes at `data` (the bytes after
 * name, type and size in the file) into *out, which receives deep copies of
 * name and type. Known types with a wrong size or invalid content are
 * EXRQOI_ERR_BAD_ATTRIBUTE with a message naming the attribute; unknown
 * types become EXRQOI_ATTR_OPAQUE. `limits` bounds allocations. */
EXRQOI_INTERNAL exrqoi_result exrqoi__attr_parse(const exrqoi_allocator *alloc,
                                                 const exrqoi_limits *limits, const char *name,
                                                 const char *type_name, const uint8_t *data,
                                                 size_t size, exrqoi_attribute *out,
                                                 exrqoi__err *err);

/* Size in bytes of the attribute's value as serialised (without name/type/size). */
EXRQOI_INTERNAL size_t exrqoi__attr_value_size(const exrqoi_attribute *a);
/* Writes the value bytes (exactly exrqoi__attr_value_size bytes) to dst. */
EXRQOI_INTERNAL void exrqoi__attr_serialize(const exrqoi_attribute *a, uint8_t *dst);

/* Deep copy (name, type_name and value). */
EXRQOI_INTERNAL exrqoi_result exrqoi__attr_copy(const exrqoi_allocator *alloc, exrqoi_attribute *dst,
                                                const exrqoi_attribute *src);

#endif
