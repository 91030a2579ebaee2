/*
 * exrqoi/write.h - writing EXR files.
 *
 * Open a writer with the headers of every part (they are copied and
 * completed with what the format requires: type/name/chunkCount for
 * multipart and deep parts, version flags), write pixels through slices
 * region by region, then finish. Chunks are compressed on the worker pool.
 *
 * A file is written to a temporary beside the destination and renamed
 * over it by exrqoi_writer_finish, so a failed or abandoned write never
 * leaves a truncated file where a good one was. Output to a non-seekable
 * stream holds the compressed chunks in memory until the offset table can
 * be written first.
 *
 * Thread safety: one writer must be used by one thread at a time.
 */
#ifndef EXRQOI_WRITE_H
#define EXRQOI_WRITE_H

#include "exrqoi/common.h"
#include "exrqoi/meta.h"
#include "exrqoi/part.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct exrqoi_writer exrqoi_writer;

/** Called after each batch of chunks: return non-zero to abort the write
 * (the call then fails with EXRQOI_ERR_ABORTED and nothing is left at the
 * destination). */
typedef int (*exrqoi_progress_fn)(void *user, uint64_t chunks_done, uint64_t chunks_total);

/** Options for opening a writer. Initialise with EXRQOI_WRITE_OPTIONS_INIT
 * (a struct_size of 0 is EXRQOI_ERR_INVALID_ARGUMENT); a library newer
 * than the caller reads only struct_size bytes. NULL options = defaults. */
typedef struct exrqoi_write_options {
    size_t struct_size; /**< sizeof(exrqoi_write_options) of the caller's build */
    const exrqoi_allocator *allocator;
    exrqoi_pool *pool;  /**< shared pool; NULL = the writer makes its own */
    int threads;        /**< 0 = all cores, 1 = none */
    int zip_level;      /**< deflate level for ZIP/ZIPS/PXR24/deep ZIP, 1..12 (libdeflate's
                             scale), used for every chunk; 0 = defaults chosen to write
                             files no larger than OpenEXR's, faster: ZIP/ZIPS/deep ZIP
                             pick per chunk, from its bytes alone (so the output does
                             not depend on the thread count): ZIP/ZIPS 4 (photograph-like
                             chunks of 16 KiB or more: the library's own encoder for the
                             low bytes, 4 for the high bytes); deep ZIP 4 for
                             photograph-like chunks of 16 KiB or more and 6 for the
                             others; PXR24 uses 8; docs/api.md */
    float dwa_level;    /**< DWA quality; 0 = the header's dwaCompressionLevel, else 45 */
    exrqoi_progress_fn progress;
    void *progress_user;
    exrqoi_message_fn on_message;
    void *message_user; /**< passed to on_message */
} exrqoi_write_options;

/** All defaults. */
#define EXRQOI_WRITE_OPTIONS_INIT \
    {sizeof(exrqoi_write_options), NULL, NULL, 0, 0, 0.0f, NULL, NULL, NULL, NULL}

/** Opens a writer for `part_count` parts described by `headers` (copied;
 * each needs channels, compression and dataWindow, plus name for
 * multipart files and tiles for tiled parts) that writes to `sink`
 * (exrqoi_sink_path, _memory or _output). A path gets the file only when
 * exrqoi_writer_finish succeeds; a memory sink's pointers receive it
 * then; an output without seek is written strictly front to back (chunks
 * are held until finish). Returns EXRQOI_ERR_INVALID_ARGUMENT (an unset
 * sink, options not initialised) / EXRQOI_ERR_MISSING_ATTRIBUTE /
 * EXRQOI_ERR_BAD_ATTRIBUTE for unusable headers, EXRQOI_ERR_OPEN when the
 * temporary file cannot be created, EXRQOI_ERR_OUT_OF_MEMORY. */
EXRQOI_API exrqoi_result exrqoi_writer_open(exrqoi_sink sink, const exrqoi_header *headers,
                                            int part_count, const exrqoi_write_options *opts,
                                            exrqoi_writer **out);

/** The validated facts of a part as it will be written. */
EXRQOI_API exrqoi_result exrqoi_writer_part_info(const exrqoi_writer *w, int part,
                                                 exrqoi_part_info *out);
/** Data window of a level of a part being written. */
EXRQOI_API exrqoi_result exrqoi_writer_level_window(const exrqoi_writer *w, int part, int lx, int ly,
                                                    exrqoi_box2i *out);

/** Writes every chunk inside `region` (NULL = the whole level) of level
 * (lx, ly) from the slices (strides and indexing as for reading; a slice's
 * fill value is used for a channel no slice names). The region must be made
 * of whole chunks: full-width scanline chunks, whole tiles. Each chunk may
 * be written once. */
EXRQOI_API exrqoi_result exrqoi_writer_write_region(exrqoi_writer *w, int part, int lx, int ly,
                                                    const exrqoi_box2i *region,
                                                    const exrqoi_slice *slices, int slice_count);
/** Writes one chunk's already-compressed bytes (as exrqoi_reader_read_raw_chunk
 * gives them; for deep chunks, count table then sample data, with the sizes
 * in *info). Lets a converter copy chunks without recompressing. */
EXRQOI_API exrqoi_result exrqoi_writer_write_raw_chunk(exrqoi_writer *w, int part,
                                                       const exrqoi_chunk_info *info,
                                                       const void *data, size_t size);
/** Completes the file: every chunk of every part must have been written.
 * A path sink's file takes its name now; a memory sink's *data (allocated
 * with the writer's allocator, free with exrqoi_free) and *size receive
 * the file. */
EXRQOI_API exrqoi_result exrqoi_writer_finish(exrqoi_writer *w);
/** Frees the writer. If it was not finished, the output is abandoned (a
 * path's temporary file removed). NULL is fine. */
EXRQOI_API void exrqoi_writer_close(exrqoi_writer *w);
/** Message of the last failure ("" if none). */
EXRQOI_API const char *exrqoi_writer_error(const exrqoi_writer *w);

#ifdef __cplusplus
}
#endif
#endif
