/*
 * exrqoi/check.h - verifying EXR files chunk by chunk, and reading what is
 * left of a damaged one.
 *
 * A check opens the file, then reads and decodes every chunk of every part
 * (flat chunks are decompressed, deep chunks have their count table and
 * sample data unpacked and cross-checked) and lists each chunk that is
 * missing, truncated or corrupt. Nothing is written anywhere.
 *
 * Thread safety: a check uses only its own objects; exrqoi_check_reader
 * must not run while another thread uses the same reader.
 *
 * The lenient reads of a damaged file (exrqoi_reader_read_region_lenient,
 * exrqoi_reader_read_deep_lenient) are in read.h and deep_read.h.
 */
#ifndef EXRQOI_CHECK_H
#define EXRQOI_CHECK_H

#include "exrqoi/common.h"
#include "exrqoi/deep.h"
#include "exrqoi/meta.h"
#include "exrqoi/read.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What is wrong with a chunk (or with the file as a whole). */
typedef enum exrqoi_check_kind {
    EXRQOI_CHECK_UNREADABLE = 1, /**< the headers or offset tables cannot be read: nothing else is known */
    EXRQOI_CHECK_MISSING = 2,    /**< no valid offset for the chunk and no chunk found by scanning */
    EXRQOI_CHECK_TRUNCATED = 3,  /**< the chunk runs past the end of the file */
    EXRQOI_CHECK_BAD_LEADER = 4, /**< its leader is invalid or names another chunk */
    EXRQOI_CHECK_CORRUPT = 5,    /**< its data does not decompress (or deep counts do not add up) */
    EXRQOI_CHECK_LIMIT = 6,      /**< it exceeds a configured limit (exrqoi_limits) */
    EXRQOI_CHECK_UNSUPPORTED = 7 /**< it uses something this build cannot decode */
} exrqoi_check_kind;

/** One damaged chunk. */
typedef struct exrqoi_check_problem {
    exrqoi_check_kind kind;
    exrqoi_result code;   /**< the error the chunk gave */
    int part;             /**< -1 for a problem of the whole file */
    uint64_t chunk;       /**< chunk index in file-table order */
    exrqoi_box2i window;  /**< pixels the chunk should cover */
    int32_t tile_x, tile_y, level_x, level_y; /**< tiled parts; 0 otherwise */
    uint64_t file_offset; /**< where the chunk is or was expected (0 = unknown) */
    char reason[512];     /**< the detailed message */
} exrqoi_check_problem;

/** Result of a check. Zero-initialise; free with exrqoi_check_report_free. */
typedef struct exrqoi_check_report {
    int part_count;
    uint64_t chunk_count;      /**< chunks the headers declare, all parts */
    uint64_t chunks_ok;        /**< chunks that read and decoded */
    int offsets_rebuilt;       /**< a damaged offset table was repaired by scanning */
    size_t problem_count;      /**< entries in `problems` */
    exrqoi_check_problem *problems;
    uint64_t problems_dropped; /**< problems beyond EXRQOI_CHECK_MAX_PROBLEMS, only counted */
    exrqoi_allocator alloc;    /**< what `problems` was allocated with */
} exrqoi_check_report;

/** At most this many problems are stored; the rest are counted. */
#define EXRQOI_CHECK_MAX_PROBLEMS 4096

/** Checks the file `source` holds (opened with `opts`, NULL = defaults).
 * The report is always filled (free it even on failure). Returns
 * EXRQOI_OK when the file is whole, else the code of the first problem (or
 * EXRQOI_ERR_OUT_OF_MEMORY / _INVALID_ARGUMENT when the check could not
 * run: an unset source, options not initialised). */
EXRQOI_API exrqoi_result exrqoi_check(exrqoi_source source, const exrqoi_read_options *opts,
                                      exrqoi_check_report *report);
/** Same for a reader already open (its allocator is used for the report). */
EXRQOI_API exrqoi_result exrqoi_check_reader(exrqoi_reader *r, exrqoi_check_report *report);
/** Frees the problems array and zeroes the report. NULL is fine. */
EXRQOI_API void exrqoi_check_report_free(exrqoi_check_report *report);
/** Lower-case name of a kind ("missing", "truncated", ...); never NULL. */
EXRQOI_API const char *exrqoi_check_kind_name(exrqoi_check_kind kind);

#ifdef __cplusplus
}
#endif
#endif
