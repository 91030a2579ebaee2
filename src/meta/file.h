/* What parsing a file's headers finds: its version field, its parts
 * (each validated into an exrqoi__part) and where the offset tables end.
 * The reader (src/chunk/reader.c) stores it; nothing here knows the reader. */
#ifndef EXRQOI_META_FILE_H
#define EXRQOI_META_FILE_H

#include "io/stream.h"
#include "meta/part.h"

typedef struct exrqoi__parsed_file {
    uint32_t version;
    int nparts;
    exrqoi__part *parts; /* also on failure: the parts read so far, for the caller to free */
    uint64_t chunks_start; /* first byte after all offset tables */
} exrqoi__parsed_file;

/* Reads the magic number, the version field and every part header from
 * `src` within `limits`, and sets each part up (offset table positions
 * included). `out` starts zeroed; whatever the result, the caller owns and
 * frees the parts it holds. */
EXRQOI_INTERNAL exrqoi_result exrqoi__read_headers(exrqoi__source *src, const exrqoi_allocator *alloc,
                                                   const exrqoi_limits *limits, bool strict,
                                                   exrqoi__parsed_file *out, exrqoi__err *err);

#endif
