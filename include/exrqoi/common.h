/*
 * exrqoi/common.h - version, result codes, allocator, limits and the
 * enumerations shared by every part of the API.
 *
 * Thread safety: everything declared here is either a pure function or a
 * plain data type; all of it may be used from any thread.
 */
#ifndef EXRQOI_COMMON_H
#define EXRQOI_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#include "exrqoi/version.h"

/* Symbols are exported only through this macro (the library is built with
 * hidden visibility by default). Static builds define EXRQOI_STATIC. */
#if defined(_WIN32) && !defined(EXRQOI_STATIC)
#  ifdef EXRQOI_BUILDING
#    define EXRQOI_API __declspec(dllexport)
#  else
#    define EXRQOI_API __declspec(dllimport)
#  endif
#elif defined(__GNUC__) || defined(__clang__)
#  define EXRQOI_API __attribute__((visibility("default")))
#else
#  define EXRQOI_API
#endif

/** Version of the library actually linked, e.g. "0.1.0". Never NULL. */
EXRQOI_API const char *exrqoi_version_string(void);
/** EXRQOI_VERSION_NUMBER of the linked library (major*10000+minor*100+patch). */
EXRQOI_API uint32_t exrqoi_version_number(void);

/* ------------------------------------------------------------------ */
/* Results                                                             */
/* ------------------------------------------------------------------ */

/** Every fallible call returns one of these. 0 is success; codes are grouped
 * by tens: caller errors, resources and limits, I/O, invalid file data,
 * unsupported features, aborted. */
typedef int32_t exrqoi_result;

enum {
    EXRQOI_OK = 0,

    /* the caller's mistake */
    EXRQOI_ERR_INVALID_ARGUMENT = 1, /**< NULL where not allowed, bad value */
    EXRQOI_ERR_BUFFER_TOO_SMALL = 2, /**< caller's buffer or stride too small */
    EXRQOI_ERR_NOT_FOUND = 3,        /**< no such part, channel, attribute, level, tile */
    EXRQOI_ERR_BAD_STATE = 4,        /**< call out of order (e.g. writer already finished) */
    EXRQOI_ERR_TYPE_MISMATCH = 5,    /**< attribute or sample type differs from the one asked */

    /* resources */
    EXRQOI_ERR_OUT_OF_MEMORY = 10,   /**< the allocator returned NULL */
    EXRQOI_ERR_LIMIT = 11,           /**< a configured limit (exrqoi_limits) would be exceeded */
    EXRQOI_ERR_THREAD = 12,          /**< a thread could not be created */

    /* input / output */
    EXRQOI_ERR_OPEN = 20,            /**< the file could not be opened or created */
    EXRQOI_ERR_READ = 21,            /**< a read callback or read(2) failed */
    EXRQOI_ERR_WRITE = 22,           /**< a write callback or write(2) failed */
    EXRQOI_ERR_TRUNCATED = 23,       /**< the data ends before the format says it does */
    EXRQOI_ERR_NOT_SEEKABLE = 24,    /**< an operation needs random access the stream lacks */

    /* invalid file data */
    EXRQOI_ERR_BAD_MAGIC = 30,       /**< not an EXR (or QOI) file */
    EXRQOI_ERR_BAD_VERSION = 31,     /**< unknown version or flags */
    EXRQOI_ERR_BAD_HEADER = 32,      /**< malformed header structure */
    EXRQOI_ERR_BAD_ATTRIBUTE = 33,   /**< attribute of the wrong size or invalid value */
    EXRQOI_ERR_MISSING_ATTRIBUTE = 34, /**< a required attribute is absent */
    EXRQOI_ERR_BAD_OFFSETS = 35,     /**< chunk offset table invalid and not rebuildable */
    EXRQOI_ERR_BAD_CHUNK = 36,       /**< chunk leader (part, y, tile, sizes) invalid */
    EXRQOI_ERR_CORRUPT = 37,         /**< compressed data does not decode */
    EXRQOI_ERR_BAD_SAMPLES = 38,     /**< deep sample counts inconsistent */

    /* valid but not supported */
    EXRQOI_ERR_UNSUPPORTED = 40,     /**< a feature this build cannot handle */
    EXRQOI_ERR_UNSUPPORTED_COMPRESSION = 41, /**< compression method not available */

    EXRQOI_ERR_ABORTED = 50          /**< a progress callback asked to stop */
};

/** Short English explanation of a result code. Never NULL. */
EXRQOI_API const char *exrqoi_strerror(exrqoi_result code);
/** Symbolic name of a result code, e.g. "EXRQOI_ERR_TRUNCATED". Never NULL. */
EXRQOI_API const char *exrqoi_error_name(exrqoi_result code);

/** Receives the detailed message of a failure (what and where: part,
 * attribute, chunk, byte offset) as it happens. Called on the thread that
 * detected it; must not call back into the library on the same object. */
typedef void (*exrqoi_message_fn)(void *user, exrqoi_result code, const char *message);

/* ------------------------------------------------------------------ */
/* Memory                                                              */
/* ------------------------------------------------------------------ */

/** Caller-provided allocator. Both functions must be thread-safe when the
 * library runs with more than one thread. alloc returns memory aligned for
 * any type, or NULL; free accepts NULL. A NULL allocator pointer anywhere
 * in the API means malloc/free. */
typedef struct exrqoi_allocator {
    void *(*alloc)(void *user, size_t size);
    void (*free)(void *user, void *ptr);
    void *user;
} exrqoi_allocator;

/** Releases memory the library returned to the caller (images, buffers,
 * strings) with the allocator it was made with. NULL allocator = free(). */
EXRQOI_API void exrqoi_free(const exrqoi_allocator *allocator, void *ptr);

/* ------------------------------------------------------------------ */
/* Streams                                                             */
/* ------------------------------------------------------------------ */

/** Caller-provided input, pread-style: read up to `size` bytes at `offset`
 * into buf and return how many were read (fewer only at the end of the
 * data), or -1 on error. When a reader runs with more than one thread and
 * `concurrent` is 0, the library serialises calls with a mutex. A
 * sequential-only source (a pipe) may ignore `offset` if it is only read
 * front to back (QOI streaming does that; EXR needs random access). */
typedef struct exrqoi_input {
    int64_t (*read)(void *user, void *buf, size_t size, uint64_t offset);
    int64_t size;   /**< total bytes, or -1 when unknown */
    int concurrent; /**< non-zero: read may be called from several threads at once */
    void *user;
} exrqoi_input;

/** Caller-provided output, sequential: write all `size` bytes, return 0 on
 * success, non-zero on failure. `seek` (optional) moves the write position
 * to an absolute offset; without it the writer buffers what it must patch
 * (the EXR offset table) and writes strictly front to back. */
typedef struct exrqoi_output {
    int (*write)(void *user, const void *buf, size_t size);
    int (*seek)(void *user, uint64_t offset);
    void *user;
} exrqoi_output;

/** Where the bytes of a file come from: a path, memory, or callbacks.
 * A plain value (build it with exrqoi_source_path, _memory or _input);
 * every operation that reads a file takes one, so no operation exists for
 * one kind of source only. Nothing is opened until an operation uses it.
 *   PATH   the file at `path` (read with pread, random access)
 *   MEMORY `size` bytes at `data`, not copied: they must stay valid and
 *          unchanged while anything opened from the source is in use
 *   INPUT  the caller's callbacks (copied; input.user must stay valid) */
typedef enum exrqoi_source_kind {
    EXRQOI_SOURCE_NONE = 0, /**< zero-initialised: rejected as EXRQOI_ERR_INVALID_ARGUMENT */
    EXRQOI_SOURCE_PATH = 1,
    EXRQOI_SOURCE_MEMORY = 2,
    EXRQOI_SOURCE_INPUT = 3
} exrqoi_source_kind;

typedef struct exrqoi_source {
    exrqoi_source_kind kind;
    const char *path;   /**< PATH */
    const void *data;   /**< MEMORY */
    size_t size;        /**< MEMORY */
    exrqoi_input input; /**< INPUT */
} exrqoi_source;

static inline exrqoi_source exrqoi_source_path(const char *path)
{
    exrqoi_source s = {EXRQOI_SOURCE_PATH, path, NULL, 0, {NULL, 0, 0, NULL}};
    return s;
}
static inline exrqoi_source exrqoi_source_memory(const void *data, size_t size)
{
    exrqoi_source s = {EXRQOI_SOURCE_MEMORY, NULL, data, size, {NULL, 0, 0, NULL}};
    return s;
}
static inline exrqoi_source exrqoi_source_input(const exrqoi_input *input)
{
    exrqoi_source s = {EXRQOI_SOURCE_INPUT, NULL, NULL, 0, {NULL, 0, 0, NULL}};
    if (input) s.input = *input;
    return s;
}

/** Where the bytes of a written file go: a path, a growing memory buffer,
 * or callbacks. A plain value (exrqoi_sink_path, _memory or _output);
 * every operation that writes a file takes one.
 *   PATH   written to a temporary file beside `path` that takes the name
 *          only when the file is complete, so a failed or abandoned write
 *          never destroys or truncates what was at `path`
 *   MEMORY on success *data receives the file (allocated with the
 *          operation's allocator; free with exrqoi_free) and *size its
 *          length; on failure *data is NULL and *size 0
 *   OUTPUT the caller's callbacks (copied; output.user must stay valid) */
typedef enum exrqoi_sink_kind {
    EXRQOI_SINK_NONE = 0, /**< zero-initialised: rejected as EXRQOI_ERR_INVALID_ARGUMENT */
    EXRQOI_SINK_PATH = 1,
    EXRQOI_SINK_MEMORY = 2,
    EXRQOI_SINK_OUTPUT = 3
} exrqoi_sink_kind;

typedef struct exrqoi_sink {
    exrqoi_sink_kind kind;
    const char *path;     /**< PATH */
    void **data;          /**< MEMORY: receives the buffer */
    size_t *size;         /**< MEMORY: receives its length */
    exrqoi_output output; /**< OUTPUT */
} exrqoi_sink;

static inline exrqoi_sink exrqoi_sink_path(const char *path)
{
    exrqoi_sink s = {EXRQOI_SINK_PATH, path, NULL, NULL, {NULL, NULL, NULL}};
    return s;
}
static inline exrqoi_sink exrqoi_sink_memory(void **data, size_t *size)
{
    exrqoi_sink s = {EXRQOI_SINK_MEMORY, NULL, data, size, {NULL, NULL, NULL}};
    return s;
}
static inline exrqoi_sink exrqoi_sink_output(const exrqoi_output *output)
{
    exrqoi_sink s = {EXRQOI_SINK_OUTPUT, NULL, NULL, NULL, {NULL, NULL, NULL}};
    if (output) s.output = *output;
    return s;
}

/** Writes `size` bytes to `sink` as one file (a path atomically, as
 * above; memory gets a copy made with `allocator`, NULL = malloc). For
 * files made by other means (a PNG, a report) that must land as safely as
 * the library's own. EXRQOI_ERR_OPEN / _WRITE / _OUT_OF_MEMORY. */
EXRQOI_API exrqoi_result exrqoi_sink_save(exrqoi_sink sink, const void *data, size_t size,
                                          const exrqoi_allocator *allocator);

/* ------------------------------------------------------------------ */
/* Limits                                                              */
/* ------------------------------------------------------------------ */

/** Guards against allocation bombs in hostile files. Every count, size and
 * window read from a file is checked against these before anything is
 * allocated for it; exceeding one gives EXRQOI_ERR_LIMIT. A field of 0
 * means "the default" (see exrqoi_limits_default). Initialise with
 * EXRQOI_LIMITS_INIT or exrqoi_limits_default (a struct_size of 0 is
 * EXRQOI_ERR_INVALID_ARGUMENT where the limits are used); fields added
 * later go at the end and keep their defaults for an older caller. */
typedef struct exrqoi_limits {
    size_t struct_size;            /**< sizeof(exrqoi_limits) of the caller's build */
    uint32_t max_width;            /**< data window width (default 1<<24) */
    uint32_t max_height;           /**< data window height (default 1<<24) */
    uint64_t max_pixels;           /**< width*height of one part/level (default 1<<30) */
    uint64_t max_alloc_bytes;      /**< bytes allocated for one read call (default 4 GiB) */
    uint32_t max_attribute_size;   /**< bytes of one attribute (default 64 MiB) */
    uint64_t max_chunk_size;       /**< packed or unpacked bytes of one chunk (default 2 GiB) */
    uint32_t max_deep_samples_per_pixel; /**< default 1<<24 */
    uint64_t max_deep_samples_total;     /**< per part and level (default 1<<32) */
    uint32_t max_parts;            /**< parts in a multipart file (default 1<<16) */
    uint32_t max_attributes;       /**< attributes in one header (default 1<<16) */
    uint64_t max_qoi_pixels;       /**< QOI width*height (default 400000000, like qoi.h) */
} exrqoi_limits;

/** All defaults (every limit 0). */
#define EXRQOI_LIMITS_INIT {sizeof(exrqoi_limits), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}

/** Fills *limits with the defaults, struct_size included. */
EXRQOI_API void exrqoi_limits_default(exrqoi_limits *limits);

/* ------------------------------------------------------------------ */
/* Enumerations with the values the EXR file format stores             */
/* ------------------------------------------------------------------ */

typedef enum exrqoi_pixel_type {
    EXRQOI_PIXEL_UINT = 0,
    EXRQOI_PIXEL_HALF = 1,
    EXRQOI_PIXEL_FLOAT = 2
} exrqoi_pixel_type;

/** "The default of this field" in options structs (what it means is said
 * where the field is); never a type a file stores. */
#define EXRQOI_PIXEL_DEFAULT ((exrqoi_pixel_type)0x7fffffff)

typedef enum exrqoi_compression {
    EXRQOI_COMPRESSION_NONE = 0,
    EXRQOI_COMPRESSION_RLE = 1,
    EXRQOI_COMPRESSION_ZIPS = 2,
    EXRQOI_COMPRESSION_ZIP = 3,
    EXRQOI_COMPRESSION_PIZ = 4,
    EXRQOI_COMPRESSION_PXR24 = 5,
    EXRQOI_COMPRESSION_B44 = 6,
    EXRQOI_COMPRESSION_B44A = 7,
    EXRQOI_COMPRESSION_DWAA = 8,
    EXRQOI_COMPRESSION_DWAB = 9,
    EXRQOI_COMPRESSION_HTJ2K256 = 10, /**< OpenEXR 3.4: lossless HTJ2K, 256 lines per chunk */
    EXRQOI_COMPRESSION_HTJ2K32 = 11,  /**< OpenEXR 3.4: lossless HTJ2K, 32 lines per chunk */
    EXRQOI_COMPRESSION_COUNT = 12
} exrqoi_compression;

/** "The default of this field" in options structs (what it means is said
 * where the field is); never a compression a file stores. */
#define EXRQOI_COMPRESSION_DEFAULT ((exrqoi_compression)0x7fffffff)

typedef enum exrqoi_line_order {
    EXRQOI_LINE_ORDER_INCREASING = 0,
    EXRQOI_LINE_ORDER_DECREASING = 1,
    EXRQOI_LINE_ORDER_RANDOM = 2
} exrqoi_line_order;

typedef enum exrqoi_level_mode {
    EXRQOI_LEVEL_ONE = 0,
    EXRQOI_LEVEL_MIPMAP = 1,
    EXRQOI_LEVEL_RIPMAP = 2
} exrqoi_level_mode;

typedef enum exrqoi_rounding_mode {
    EXRQOI_ROUND_DOWN = 0,
    EXRQOI_ROUND_UP = 1
} exrqoi_rounding_mode;

typedef enum exrqoi_part_type {
    EXRQOI_PART_SCANLINE = 0,
    EXRQOI_PART_TILED = 1,
    EXRQOI_PART_DEEP_SCANLINE = 2,
    EXRQOI_PART_DEEP_TILED = 3
} exrqoi_part_type;

/** Lower-case name used in files and on the command line ("zip", "dwaa"),
 * or NULL for an unknown value. */
EXRQOI_API const char *exrqoi_compression_name(exrqoi_compression c);
/** Parses a compression name (case-insensitive); EXRQOI_ERR_NOT_FOUND if unknown. */
EXRQOI_API exrqoi_result exrqoi_compression_from_name(const char *name, exrqoi_compression *out);
/** Scanlines per chunk of a compression method (1, 16, 32 or 256); 0 if unknown. */
EXRQOI_API int exrqoi_compression_lines(exrqoi_compression c);
/** Bytes of one sample of the type (2 or 4); 0 if unknown. */
EXRQOI_API int exrqoi_pixel_type_size(exrqoi_pixel_type t);

/* ------------------------------------------------------------------ */
/* Half floats                                                         */
/* ------------------------------------------------------------------ */

/** IEEE 754 binary16 to binary32, exact (NaN payloads kept). */
EXRQOI_API float exrqoi_half_to_float(uint16_t h);
/** binary32 to binary16, round to nearest even, as OpenEXR's Imath does
 * (overflow to infinity, NaN kept as NaN). */
EXRQOI_API uint16_t exrqoi_float_to_half(float f);

/** CRC-32 (zlib's polynomial; crc32(0, data, len) equals zlib's crc32()). */
EXRQOI_API uint32_t exrqoi_crc32(uint32_t crc, const void *data, size_t len);

/* ------------------------------------------------------------------ */
/* Worker pool                                                         */
/* ------------------------------------------------------------------ */

/** A pool of pthreads that (de)compresses chunks. One pool can serve many
 * readers and writers at once (it is thread-safe). It also keeps the
 * readers' and writers' scratch memory (codec working memory, chunk
 * buffers) from one read or write to the next until it is closed: pass one
 * pool to many readers and writers to keep their scratch. */
typedef struct exrqoi_pool exrqoi_pool;

/** Opens a pool with `threads` workers (0 = number of online cores).
 * The calling thread of each parallel job helps, so `threads` = 1 still
 * means "no extra thread". */
EXRQOI_API exrqoi_result exrqoi_pool_open(int threads, const exrqoi_allocator *allocator,
                                          exrqoi_pool **out);
/** Number of threads work is split over (including the caller). */
EXRQOI_API int exrqoi_pool_threads(const exrqoi_pool *pool);
/** Body of a parallel loop: item `index`, run by worker `worker`
 * (0 .. exrqoi_pool_threads - 1; the caller's thread is one of them). */
typedef void (*exrqoi_parallel_fn)(void *user, size_t index, int worker);
/** Runs fn(user, i, worker) for every i in [0, count) on the pool's
 * threads and the caller's, and returns when all have run. A NULL pool
 * runs them in order on the calling thread. Safe to call from several
 * threads on one pool; fn must not call back into the same pool. */
EXRQOI_API void exrqoi_pool_parallel_for(exrqoi_pool *pool, size_t count, exrqoi_parallel_fn fn,
                                         void *user);
/** Stops and joins the workers and frees the scratch it kept. Must not be
 * called while a job runs on it or a reader/writer using it is open. NULL is fine. */
EXRQOI_API void exrqoi_pool_close(exrqoi_pool *pool);
/** Number of online CPU cores (at least 1). */
EXRQOI_API int exrqoi_cpu_count(void);

#ifdef __cplusplus
}
#endif
#endif /* EXRQOI_COMMON_H */
