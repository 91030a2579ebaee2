/* Internal byte sources and sinks behind one small vtable each, so the
 * readers and writers do not care whether they talk to a file, memory or
 * the caller's callbacks. */
#ifndef EXRQOI_STREAM_H
#define EXRQOI_STREAM_H

#include "common/internal.h"

#include <pthread.h>

typedef struct exrqoi__source {
    exrqoi_input in;      /* the effective pread-style callback */
    uint64_t size;        /* total size, UINT64_MAX when unknown */
    bool serialize;       /* calls must be made under `lock` */
    pthread_mutex_t lock;
    int fd;               /* owned file descriptor or -1 */
    const uint8_t *mem;   /* memory source (zero-copy access), or NULL */
} exrqoi__source;

EXRQOI_INTERNAL exrqoi_result exrqoi__source_open_path(exrqoi__source *s, const char *path,
                                                       exrqoi__err *err);
EXRQOI_INTERNAL void exrqoi__source_open_memory(exrqoi__source *s, const void *data, size_t size);
EXRQOI_INTERNAL exrqoi_result exrqoi__source_open_input(exrqoi__source *s, const exrqoi_input *in,
                                                        exrqoi__err *err);
EXRQOI_INTERNAL void exrqoi__source_close(exrqoi__source *s);
/* Reads exactly n bytes at offset; fewer is EXRQOI_ERR_TRUNCATED. */
EXRQOI_INTERNAL exrqoi_result exrqoi__source_read(exrqoi__source *s, uint64_t offset, void *buf,
                                                  size_t n, exrqoi__err *err);
/* Reads up to n bytes; *got receives the count (short at end of data). */
EXRQOI_INTERNAL exrqoi_result exrqoi__source_read_some(exrqoi__source *s, uint64_t offset, void *buf,
                                                       size_t n, size_t *got, exrqoi__err *err);

/* Reads exactly n bytes at offset into *buf, grown (exrqoi__reserve with
 * `a`, keeping its capacity in *cap) to hold them: at once when the
 * source's size is known (the caller has checked n against it), else in
 * steps that double what has arrived (from EXRQOI__SOURCE_STEP), so a
 * size read from the file takes at most about twice the memory of the
 * bytes that are really there (source_grow.c). */
#define EXRQOI__SOURCE_STEP ((size_t)1 << 20)
EXRQOI_INTERNAL exrqoi_result exrqoi__source_read_grow(exrqoi__source *s, const exrqoi_allocator *a,
                                                       uint64_t offset, void **buf, size_t *cap, size_t n,
                                                       exrqoi__err *err);

/* A sink writes front to back; `seekable` sinks can go back to patch. */
typedef struct exrqoi__sink {
    exrqoi_output out;
    uint64_t pos;      /* bytes written so far (current position when not seeking) */
    bool seekable;
    bool failed;       /* poisoned after the first error */
    /* path output: an unnamed file linked in on commit, or (where the
     * filesystem has no unnamed files) a temporary file renamed over the
     * destination; pipes and devices are written in place */
    int fd;
    char *path;     /* the destination, symbolic links followed */
    char *tmp_path; /* the named temporary file, or NULL */
    bool unnamed;
    bool in_place;
    /* memory output */
    uint8_t *mem;
    size_t mem_size, mem_cap;
    uint64_t mem_pos;
    bool is_mem;
    const exrqoi_allocator *alloc;
    /* memory output opened from a public exrqoi_sink: where the caller
     * wants the buffer once the sink is finished */
    void **give_data;
    size_t *give_size;
} exrqoi__sink;

EXRQOI_INTERNAL exrqoi_result exrqoi__sink_open_path(exrqoi__sink *s, const char *path,
                                                     const exrqoi_allocator *alloc, exrqoi__err *err);
EXRQOI_INTERNAL void exrqoi__sink_open_memory(exrqoi__sink *s, const exrqoi_allocator *alloc);
EXRQOI_INTERNAL void exrqoi__sink_open_output(exrqoi__sink *s, const exrqoi_output *out,
                                              const exrqoi_allocator *alloc);
EXRQOI_INTERNAL exrqoi_result exrqoi__sink_write(exrqoi__sink *s, const void *buf, size_t n,
                                                 exrqoi__err *err);
EXRQOI_INTERNAL exrqoi_result exrqoi__sink_seek(exrqoi__sink *s, uint64_t pos, exrqoi__err *err);
/* Finishes: a path sink is closed (after fsync when `sync`) and takes
 * the destination's name (atomically replacing what was there). */
EXRQOI_INTERNAL exrqoi_result exrqoi__sink_commit(exrqoi__sink *s, bool sync, exrqoi__err *err);
/* exrqoi_output write callback writing into a sink (user = exrqoi__sink*). */
EXRQOI_INTERNAL int exrqoi__sink_output_write(void *user, const void *buf, size_t size);
/* Abandons: a path sink's temporary file is removed; memory is freed. */
EXRQOI_INTERNAL void exrqoi__sink_abort(exrqoi__sink *s);
/* Memory sink: hands the buffer to the caller (after commit). */
EXRQOI_INTERNAL void exrqoi__sink_take_memory(exrqoi__sink *s, void **data, size_t *size);

/* ---- the public exrqoi_source / exrqoi_sink values ---- */

/* Checks a public source before anything is opened for it. */
EXRQOI_INTERNAL exrqoi_result exrqoi__source_check(const exrqoi_source *src, exrqoi__err *err);
/* Opens what a public source describes (EXRQOI_ERR_INVALID_ARGUMENT for
 * an unset kind or a NULL path). */
EXRQOI_INTERNAL exrqoi_result exrqoi__source_open(exrqoi__source *s, const exrqoi_source *src,
                                                  exrqoi__err *err);
/* Checks a public sink before anything is opened for it. */
EXRQOI_INTERNAL exrqoi_result exrqoi__sink_check(const exrqoi_sink *dst, exrqoi__err *err);
/* Opens what a public sink describes; a memory sink's caller pointers
 * are set to NULL/0 now and receive the buffer in exrqoi__sink_finish. */
EXRQOI_INTERNAL exrqoi_result exrqoi__sink_open(exrqoi__sink *s, const exrqoi_sink *dst,
                                                const exrqoi_allocator *alloc, exrqoi__err *err);
/* exrqoi__sink_commit, then a memory sink's buffer goes to the caller. */
EXRQOI_INTERNAL exrqoi_result exrqoi__sink_finish(exrqoi__sink *s, bool sync, exrqoi__err *err);

#endif
