/*
 * exrqoi/read.h - reading EXR files.
 *
 * Open a reader from a source (a path, memory or callbacks); it parses every header and
 * offset table at open and is immutable afterwards, so one reader may be
 * used from several threads at once (each call reads what it needs).
 * Pixels are read through "slices": per channel, where in the caller's
 * memory each sample goes and in which type.
 */
#ifndef EXRQOI_READ_H
#define EXRQOI_READ_H

#include "exrqoi/common.h"
#include "exrqoi/meta.h"
#include "exrqoi/part.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct exrqoi_reader exrqoi_reader;

/** Options for opening a reader. Initialise with EXRQOI_READ_OPTIONS_INIT
 * (a struct_size of 0 is EXRQOI_ERR_INVALID_ARGUMENT); fields added later
 * go at the end, and a library newer than the caller reads only
 * struct_size bytes. NULL options = all defaults. */
typedef struct exrqoi_read_options {
    size_t struct_size;                /**< sizeof(exrqoi_read_options) of the caller's build */
    const exrqoi_allocator *allocator; /**< NULL = malloc/free */
    const exrqoi_limits *limits;       /**< NULL = exrqoi_limits_default */
    exrqoi_pool *pool;  /**< shared worker pool; NULL = the reader makes its own */
    int threads;        /**< threads when the reader makes its own pool: 0 = all cores, 1 = none */
    int strict;         /**< non-zero: reject headers OpenEXR would only warn about */
    exrqoi_message_fn on_message; /**< receives detailed failure messages */
    void *message_user;           /**< passed to on_message */
} exrqoi_read_options;

/** All defaults. */
#define EXRQOI_READ_OPTIONS_INIT {sizeof(exrqoi_read_options), NULL, NULL, NULL, 0, 0, NULL, NULL}

/** Opens an EXR from `source` (exrqoi_source_path, _memory or _input):
 * reads and validates every header and offset table (a damaged table is
 * rebuilt from the chunks unless `strict`). A memory source is not
 * copied: it must stay valid and unchanged until exrqoi_reader_close;
 * an input's user pointer likewise.
 * Returns EXRQOI_ERR_INVALID_ARGUMENT (out NULL, an unset source, a NULL
 * path or options not initialised), EXRQOI_ERR_OPEN,
 * EXRQOI_ERR_READ, EXRQOI_ERR_TRUNCATED, the invalid-data codes
 * (EXRQOI_ERR_BAD_MAGIC ... EXRQOI_ERR_BAD_OFFSETS), EXRQOI_ERR_LIMIT,
 * EXRQOI_ERR_UNSUPPORTED(_COMPRESSION) or EXRQOI_ERR_OUT_OF_MEMORY. On
 * failure *out is NULL and the detail went to on_message. */
EXRQOI_API exrqoi_result exrqoi_reader_open(exrqoi_source source, const exrqoi_read_options *opts,
                                            exrqoi_reader **out);
/** Closes the reader and frees everything it owns. NULL is fine. */
EXRQOI_API void exrqoi_reader_close(exrqoi_reader *r);
/** Message of the last failure on this reader ("" if none). When several
 * threads use the reader at once, use on_message instead. */
EXRQOI_API const char *exrqoi_reader_error(const exrqoi_reader *r);

/** Flags of the file's version field. */
#define EXRQOI_VERSION_FLAG_TILED 0x200
#define EXRQOI_VERSION_FLAG_LONG_NAMES 0x400
#define EXRQOI_VERSION_FLAG_NON_IMAGE 0x800
#define EXRQOI_VERSION_FLAG_MULTIPART 0x1000

/** The file's 32-bit version field (version number in the low 8 bits). */
EXRQOI_API uint32_t exrqoi_reader_version(const exrqoi_reader *r);
/** Number of parts (1 for single-part files). */
EXRQOI_API int exrqoi_reader_part_count(const exrqoi_reader *r);
/** Header of part `part` (all attributes in file order), or NULL if r is
 * NULL or part out of range. Owned by the reader. */
EXRQOI_API const exrqoi_header *exrqoi_reader_header(const exrqoi_reader *r, int part);
/** Index of the part named `name`, or -1. */
EXRQOI_API int exrqoi_reader_find_part(const exrqoi_reader *r, const char *name);


/** Fills *out with part `part`'s facts. EXRQOI_ERR_INVALID_ARGUMENT for
 * NULL arguments, EXRQOI_ERR_NOT_FOUND for a part out of range. */
EXRQOI_API exrqoi_result exrqoi_reader_part_info(const exrqoi_reader *r, int part,
                                                 exrqoi_part_info *out);

/** Data window of level (lx, ly) of a part (level 0,0 = the part's data
 * window; levels start at the data window's min corner).
 * EXRQOI_ERR_NOT_FOUND for a level the part does not have. */
EXRQOI_API exrqoi_result exrqoi_reader_level_window(const exrqoi_reader *r, int part, int lx, int ly,
                                                    exrqoi_box2i *out);



/** Reads region `region` (NULL = the whole level) of level (lx, ly) of a
 * flat part into the slices. Scanline parts have only level (0,0); the
 * region may be any sub-rectangle of the level's window. Chunks are
 * decoded on the worker pool; the last decoded chunk is cached, so reading
 * line by line does not decode a chunk more than once. Safe to call from
 * several threads on one reader (with slices that do not overlap).
 * Returns EXRQOI_ERR_INVALID_ARGUMENT (bad slice, region outside the
 * level, deep part), EXRQOI_ERR_NOT_FOUND (no such part or level), or the
 * read, truncation, chunk and codec errors of the chunks involved; on
 * failure the slices may be partly written. */
EXRQOI_API exrqoi_result exrqoi_reader_read_region(exrqoi_reader *r, int part, int lx, int ly,
                                                   const exrqoi_box2i *region,
                                                   const exrqoi_slice *slices, int slice_count);
/** One region of one level of one flat part, for exrqoi_reader_read_regions.
 * Zero-initialised it means part 0, level (0, 0), the whole level, no
 * slices (nothing read). */
typedef struct exrqoi_region_request {
    int part;                   /**< part index */
    int lx, ly;                 /**< level; (0, 0) for scanline parts */
    const exrqoi_box2i *region; /**< NULL = the whole level */
    const exrqoi_slice *slices; /**< where the samples go, as for exrqoi_reader_read_region */
    int slice_count;            /**< 0 = nothing to read (the request is still checked) */
} exrqoi_region_request;

/** Reads several regions (levels and/or parts) as one parallel job: the
 * chunks of all `count` requests are decoded together on the worker pool,
 * so reading every level of a mipmap or every part of a file pays one
 * fork/join instead of one per request. Each request behaves as the
 * matching exrqoi_reader_read_region call; every request is checked
 * before any chunk is read, so a bad request reads nothing.
 * The requests' slices must not overlap each other (chunks of different
 * requests are written concurrently). A call that needs a single chunk
 * in all goes through the reader's chunk cache as exrqoi_reader_read_region
 * does; otherwise each chunk a request needs is decoded for that request.
 * max_alloc_bytes bounds the working memory of the whole call, as for one
 * region. count 0 does nothing. Safe to call from several threads on one
 * reader. Returns EXRQOI_ERR_INVALID_ARGUMENT (NULL reader, NULL requests
 * with count > 0, a bad slice or slice count, a region outside its level,
 * a deep part), EXRQOI_ERR_NOT_FOUND (no such part or level), or the first
 * error of the chunks involved (the others stop being started); the
 * message names the request index for request errors. On failure the
 * slices may be partly written. */
EXRQOI_API exrqoi_result exrqoi_reader_read_regions(exrqoi_reader *r,
                                                    const exrqoi_region_request *requests,
                                                    size_t count);
/** Reads scanlines y_min..y_max (inclusive) of a flat scanline or tiled part's level 0. */
EXRQOI_API exrqoi_result exrqoi_reader_read_scanlines(exrqoi_reader *r, int part, int32_t y_min,
                                                      int32_t y_max, const exrqoi_slice *slices,
                                                      int slice_count);


/** Reads a region like exrqoi_reader_read_region, but a chunk that is
 * missing, truncated or corrupt (or over a limit) does not fail the read:
 * its pixels inside the region get each slice's `fill` value instead, and
 * its chunk index is listed in *filled (sorted; allocated with the
 * reader's allocator, free with exrqoi_free; NULL when none) with
 * *filled_count entries. filled / filled_count may be NULL. Returns
 * EXRQOI_OK when every pixel of the region was written (decoded or
 * filled); errors only for invalid arguments and lack of memory. */
EXRQOI_API exrqoi_result exrqoi_reader_read_region_lenient(exrqoi_reader *r, int part, int lx,
                                                           int ly, const exrqoi_box2i *region,
                                                           const exrqoi_slice *slices,
                                                           int slice_count, uint64_t **filled,
                                                           size_t *filled_count);

/** Chunk index of the chunk holding scanline y (scanline parts). */
EXRQOI_API exrqoi_result exrqoi_reader_scanline_chunk(const exrqoi_reader *r, int part, int32_t y,
                                                      uint64_t *index);
/** Chunk index of tile (tx, ty) of level (lx, ly) (tiled parts). */
EXRQOI_API exrqoi_result exrqoi_reader_tile_chunk(const exrqoi_reader *r, int part, int tx, int ty,
                                                  int lx, int ly, uint64_t *index);
/** Describes a chunk, reading only its leader. */
EXRQOI_API exrqoi_result exrqoi_reader_chunk_info(exrqoi_reader *r, int part, uint64_t index,
                                                  exrqoi_chunk_info *out);
/** Reads a chunk's packed bytes (after the leader; for deep chunks the
 * packed count table followed by the packed sample data) into a buffer
 * allocated with the reader's allocator; free it with exrqoi_free. */
EXRQOI_API exrqoi_result exrqoi_reader_read_raw_chunk(exrqoi_reader *r, int part, uint64_t index,
                                                      exrqoi_chunk_info *info, void **data,
                                                      size_t *size);

#ifdef __cplusplus
}
#endif
#endif
