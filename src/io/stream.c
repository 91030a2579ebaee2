/* File, memory and callback sources and sinks. */
#include "common/internal.h"
#include "io/stream.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "io/platform.h"

/* ---- sources ----------------------------------------------------------- */

static int64_t fd_pread(void *user, void *buf, size_t size, uint64_t offset)
{
    return exrqoi__os_pread((int)(intptr_t)user, buf, size, offset);
}

static void source_init(exrqoi__source *s)
{
    memset(s, 0, sizeof *s);
    s->fd = -1;
    s->size = UINT64_MAX;
}

exrqoi_result exrqoi__source_open_path(exrqoi__source *s, const char *path, exrqoi__err *err)
{
    source_init(s);
    int fd = exrqoi__os_open_read(path);
    if (fd < 0) return exrqoi__fail(err, EXRQOI_ERR_OPEN, "cannot open '%s': %s", path, strerror(errno));
    exrqoi__file_info st;
    if (exrqoi__os_info_fd(fd, &st) != 0 || st.kind != EXRQOI__FILE_REGULAR) {
        /* pipes and devices are read like callbacks without a known size */
        if (exrqoi__os_info_fd(fd, &st) == 0 && st.kind == EXRQOI__FILE_DIRECTORY) {
            exrqoi__os_close(fd);
            return exrqoi__fail(err, EXRQOI_ERR_OPEN, "'%s' is a directory", path);
        }
    } else {
        s->size = st.size;
    }
    s->fd = fd;
    s->in.read = fd_pread;
    s->in.user = (void *)(intptr_t)fd;
    s->in.concurrent = 1;
    s->in.size = s->size == UINT64_MAX ? -1 : (int64_t)s->size;
    return EXRQOI_OK;
}

void exrqoi__source_open_memory(exrqoi__source *s, const void *data, size_t size)
{
    source_init(s);
    s->mem = (const uint8_t *)data;
    s->size = size;
}

exrqoi_result exrqoi__source_open_input(exrqoi__source *s, const exrqoi_input *in, exrqoi__err *err)
{
    source_init(s);
    if (!in || !in->read) return exrqoi__fail(err, EXRQOI_ERR_INVALID_ARGUMENT, "input has no read callback");
    s->in = *in;
    if (in->size >= 0) s->size = (uint64_t)in->size;
    if (!in->concurrent) {
        if (pthread_mutex_init(&s->lock, NULL) != 0)
            return exrqoi__fail(err, EXRQOI_ERR_THREAD, "cannot create input mutex");
        s->serialize = true;
    }
    return EXRQOI_OK;
}

void exrqoi__source_close(exrqoi__source *s)
{
    if (s->fd >= 0) exrqoi__os_close(s->fd);
    if (s->serialize) pthread_mutex_destroy(&s->lock);
    source_init(s);
}

exrqoi_result exrqoi__source_read_some(exrqoi__source *s, uint64_t offset, void *buf, size_t n,
                                       size_t *got, exrqoi__err *err)
{
    *got = 0;
    if (s->mem) {
        if (offset >= s->size) return EXRQOI_OK;
        uint64_t avail = s->size - offset;
        size_t take = avail < n ? (size_t)avail : n;
        memcpy(buf, s->mem + offset, take);
        *got = take;
        return EXRQOI_OK;
    }
    if (s->size != UINT64_MAX) {
        if (offset >= s->size) return EXRQOI_OK;
        if (s->size - offset < n) n = (size_t)(s->size - offset);
    }
    if (n == 0) return EXRQOI_OK;
    int64_t r;
    if (s->serialize) pthread_mutex_lock(&s->lock);
    r = s->in.read(s->in.user, buf, n, offset);
    if (s->serialize) pthread_mutex_unlock(&s->lock);
    if (r < 0 || (uint64_t)r > n)
        return exrqoi__fail(err, EXRQOI_ERR_READ, "read of %zu bytes at offset %llu failed", n,
                            (unsigned long long)offset);
    *got = (size_t)r;
    return EXRQOI_OK;
}

exrqoi_result exrqoi__source_read(exrqoi__source *s, uint64_t offset, void *buf, size_t n,
                                  exrqoi__err *err)
{
    size_t got;
    EXRQOI_TRY(exrqoi__source_read_some(s, offset, buf, n, &got, err));
    if (got != n)
        return exrqoi__fail(err, EXRQOI_ERR_TRUNCATED,
                            "file ends at byte %llu, %zu bytes needed at offset %llu",
                            (unsigned long long)(offset + got), n, (unsigned long long)offset);
    return EXRQOI_OK;
}

/* ---- sinks ------------------------------------------------------------- */

static int fd_write(void *user, const void *buf, size_t size)
{
    return exrqoi__os_write((int)(intptr_t)user, buf, size);
}

static int fd_seek(void *user, uint64_t offset)
{
    return exrqoi__os_seek((int)(intptr_t)user, offset);
}

static void sink_init(exrqoi__sink *s, const exrqoi_allocator *alloc)
{
    memset(s, 0, sizeof *s);
    s->fd = -1;
    s->alloc = alloc;
}

exrqoi_result exrqoi__sink_open_path(exrqoi__sink *s, const char *path, const exrqoi_allocator *alloc,
                                     exrqoi__err *err)
{
    sink_init(s, alloc);
    exrqoi__file_info st;
    bool exists = exrqoi__os_info(path, &st) == 0;
    if (exists && st.kind == EXRQOI__FILE_DIRECTORY)
        return exrqoi__fail(err, EXRQOI_ERR_OPEN, "'%s' is a directory", path);
    if (exists && st.kind != EXRQOI__FILE_REGULAR) {
        /* a pipe, FIFO or device: written in place as a stream (renaming
         * a file over it would replace it and its reader would get nothing) */
        int fd = exrqoi__os_open_write_existing(path);
        if (fd < 0)
            return exrqoi__fail(err, EXRQOI_ERR_OPEN, "cannot open '%s': %s", path, strerror(errno));
        s->path = exrqoi__strdup(alloc, path);
        if (!s->path) {
            exrqoi__os_close(fd);
            return exrqoi__fail(err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
        }
        s->fd = fd;
        s->in_place = true;
        s->out.write = fd_write;
        s->out.user = (void *)(intptr_t)fd;
        s->seekable = false;
        return EXRQOI_OK;
    }
    s->path = exrqoi__os_follow_links(path, alloc);
    if (!s->path) {
        exrqoi__sink_abort(s);
        return exrqoi__fail(err, EXRQOI_ERR_OPEN, "cannot follow the links of '%s'", path);
    }
    exrqoi__file_info tst;
    if (exists && (exrqoi__os_info(s->path, &tst) != 0 || tst.dev != st.dev || tst.ino != st.ino)) {
        /* e.g. a /proc/self/fd link to a deleted file: no directory to write beside */
        exrqoi__sink_abort(s);
        return exrqoi__fail(err, EXRQOI_ERR_OPEN, "cannot find the directory of '%s'", path);
    }
    int fd = exrqoi__os_open_unnamed(s->path);
    if (fd >= 0) {
        s->unnamed = true;
    } else {
        size_t n = strlen(s->path);
        s->tmp_path = (char *)exrqoi__alloc(alloc, n + EXRQOI__OS_TEMP_EXTRA);
        if (!s->tmp_path) {
            exrqoi__sink_abort(s);
            return exrqoi__fail(err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
        }
        fd = exrqoi__os_open_temp(s->path, s->tmp_path);
        if (fd < 0) {
            int e = errno;
            exrqoi__free(alloc, s->tmp_path);
            s->tmp_path = NULL;
            exrqoi__sink_abort(s);
            return exrqoi__fail(err, EXRQOI_ERR_OPEN, "cannot create a file beside '%s': %s", path,
                                strerror(e));
        }
    }
    s->fd = fd;
    s->out.write = fd_write;
    s->out.seek = fd_seek;
    s->out.user = (void *)(intptr_t)fd;
    s->seekable = true;
    return EXRQOI_OK;
}

void exrqoi__sink_open_memory(exrqoi__sink *s, const exrqoi_allocator *alloc)
{
    sink_init(s, alloc);
    s->is_mem = true;
    s->seekable = true;
}

void exrqoi__sink_open_output(exrqoi__sink *s, const exrqoi_output *out, const exrqoi_allocator *alloc)
{
    sink_init(s, alloc);
    s->out = *out;
    s->seekable = out->seek != NULL;
}

exrqoi_result exrqoi__sink_write(exrqoi__sink *s, const void *buf, size_t n, exrqoi__err *err)
{
    if (s->failed) return exrqoi__fail(err, EXRQOI_ERR_BAD_STATE, "output failed earlier");
    if (s->is_mem) {
        uint64_t end = s->mem_pos + n;
        if (end < s->mem_pos || end > SIZE_MAX) goto fail_mem;
        if (end > s->mem_cap) {
            void *p = s->mem;
            size_t cap = s->mem_cap;
            if (exrqoi__reserve(s->alloc, &p, &cap, (size_t)end) != EXRQOI_OK) goto fail_mem;
            s->mem = (uint8_t *)p;
            s->mem_cap = cap;
        }
        if (n) memcpy(s->mem + s->mem_pos, buf, n);
        s->mem_pos = end;
        if (end > s->mem_size) s->mem_size = (size_t)end;
        s->pos = s->mem_pos;
        return EXRQOI_OK;
    fail_mem:
        s->failed = true;
        return exrqoi__fail(err, EXRQOI_ERR_OUT_OF_MEMORY, "cannot grow output buffer");
    }
    if (n && s->out.write(s->out.user, buf, n) != 0) {
        s->failed = true;
        return exrqoi__fail(err, EXRQOI_ERR_WRITE, "write of %zu bytes at offset %llu failed%s%s", n,
                            (unsigned long long)s->pos, s->path ? ": " : "",
                            s->path ? strerror(errno) : "");
    }
    s->pos += n;
    return EXRQOI_OK;
}

exrqoi_result exrqoi__sink_seek(exrqoi__sink *s, uint64_t pos, exrqoi__err *err)
{
    if (s->failed) return exrqoi__fail(err, EXRQOI_ERR_BAD_STATE, "output failed earlier");
    if (!s->seekable) return exrqoi__fail(err, EXRQOI_ERR_NOT_SEEKABLE, "output is not seekable");
    if (s->is_mem) {
        if (pos > s->mem_size) return exrqoi__fail(err, EXRQOI_ERR_INVALID_ARGUMENT, "seek past end");
        s->mem_pos = pos;
        s->pos = pos;
        return EXRQOI_OK;
    }
    if (s->out.seek(s->out.user, pos) != 0) {
        s->failed = true;
        return exrqoi__fail(err, EXRQOI_ERR_WRITE, "seek to %llu failed", (unsigned long long)pos);
    }
    s->pos = pos;
    return EXRQOI_OK;
}

exrqoi_result exrqoi__sink_commit(exrqoi__sink *s, bool sync, exrqoi__err *err)
{
    if (s->failed) return exrqoi__fail(err, EXRQOI_ERR_BAD_STATE, "output failed earlier");
    if (s->fd >= 0) {
        int fd = s->fd;
        if (sync && !s->in_place && exrqoi__os_sync(fd) != 0) {
            int e = errno;
            s->failed = true;
            return exrqoi__fail(err, EXRQOI_ERR_WRITE, "cannot sync '%s': %s", s->path, strerror(e));
        }
        int e = 0;
        /* the unnamed file (already synced as asked) takes the name */
        if (s->unnamed && exrqoi__os_link_unnamed(fd, s->path, s->alloc) != 0) {
            e = errno;
            s->failed = true;
            return exrqoi__fail(err, EXRQOI_ERR_WRITE, "cannot create '%s': %s", s->path, strerror(e));
        }
        s->fd = -1;
        if (exrqoi__os_close(fd) != 0) {
            e = errno;
            s->failed = true;
            return exrqoi__fail(err, EXRQOI_ERR_WRITE, "cannot finish '%s': %s", s->path, strerror(e));
        }
        if (s->tmp_path && exrqoi__os_replace(s->tmp_path, s->path) != 0) {
            e = errno;
            s->failed = true;
            return exrqoi__fail(err, EXRQOI_ERR_WRITE, "cannot rename to '%s': %s", s->path,
                                strerror(e));
        }
        exrqoi__free(s->alloc, s->tmp_path);
        s->tmp_path = NULL;
        exrqoi__free(s->alloc, s->path);
        s->path = NULL;
    }
    return EXRQOI_OK;
}

int exrqoi__sink_output_write(void *user, const void *buf, size_t size)
{
    return exrqoi__sink_write((exrqoi__sink *)user, buf, size, NULL) == EXRQOI_OK ? 0 : -1;
}

void exrqoi__sink_abort(exrqoi__sink *s)
{
    if (s->fd >= 0) exrqoi__os_close(s->fd);
    s->fd = -1;
    if (s->tmp_path) {
        exrqoi__os_remove(s->tmp_path);
        exrqoi__free(s->alloc, s->tmp_path);
        s->tmp_path = NULL;
    }
    exrqoi__free(s->alloc, s->path);
    s->path = NULL;
    exrqoi__free(s->alloc, s->mem);
    s->mem = NULL;
    s->mem_size = s->mem_cap = 0;
}

void exrqoi__sink_take_memory(exrqoi__sink *s, void **data, size_t *size)
{
    *data = s->mem;
    *size = s->mem_size;
    s->mem = NULL;
    s->mem_size = s->mem_cap = 0;
}

/* ---- the public exrqoi_source / exrqoi_sink values ---- */

exrqoi_result exrqoi__source_check(const exrqoi_source *src, exrqoi__err *err)
{
    if (!src) return exrqoi__fail(err, EXRQOI_ERR_INVALID_ARGUMENT, "no source given");
    switch (src->kind) {
    case EXRQOI_SOURCE_PATH:
        if (!src->path) return exrqoi__fail(err, EXRQOI_ERR_INVALID_ARGUMENT, "source path is NULL");
        return EXRQOI_OK;
    case EXRQOI_SOURCE_MEMORY:
        if (!src->data && src->size)
            return exrqoi__fail(err, EXRQOI_ERR_INVALID_ARGUMENT, "source memory is NULL");
        return EXRQOI_OK;
    case EXRQOI_SOURCE_INPUT:
        if (!src->input.read)
            return exrqoi__fail(err, EXRQOI_ERR_INVALID_ARGUMENT, "input has no read callback");
        return EXRQOI_OK;
    case EXRQOI_SOURCE_NONE:
        break;
    }
    return exrqoi__fail(err, EXRQOI_ERR_INVALID_ARGUMENT, "source kind %d is not set", (int)src->kind);
}

exrqoi_result exrqoi__source_open(exrqoi__source *s, const exrqoi_source *src, exrqoi__err *err)
{
    source_init(s);
    EXRQOI_TRY(exrqoi__source_check(src, err));
    switch (src->kind) {
    case EXRQOI_SOURCE_PATH:
        return exrqoi__source_open_path(s, src->path, err);
    case EXRQOI_SOURCE_MEMORY:
        exrqoi__source_open_memory(s, src->data, src->size);
        return EXRQOI_OK;
    default:
        return exrqoi__source_open_input(s, &src->input, err);
    }
}

exrqoi_result exrqoi__sink_check(const exrqoi_sink *dst, exrqoi__err *err)
{
    if (!dst) return exrqoi__fail(err, EXRQOI_ERR_INVALID_ARGUMENT, "no sink given");
    switch (dst->kind) {
    case EXRQOI_SINK_PATH:
        if (!dst->path) return exrqoi__fail(err, EXRQOI_ERR_INVALID_ARGUMENT, "sink path is NULL");
        return EXRQOI_OK;
    case EXRQOI_SINK_MEMORY:
        if (!dst->data || !dst->size)
            return exrqoi__fail(err, EXRQOI_ERR_INVALID_ARGUMENT, "memory sink without data/size pointers");
        return EXRQOI_OK;
    case EXRQOI_SINK_OUTPUT:
        if (!dst->output.write)
            return exrqoi__fail(err, EXRQOI_ERR_INVALID_ARGUMENT, "output has no write callback");
        return EXRQOI_OK;
    case EXRQOI_SINK_NONE:
        break;
    }
    return exrqoi__fail(err, EXRQOI_ERR_INVALID_ARGUMENT, "sink kind %d is not set", (int)dst->kind);
}

exrqoi_result exrqoi__sink_open(exrqoi__sink *s, const exrqoi_sink *dst, const exrqoi_allocator *alloc,
                                exrqoi__err *err)
{
    sink_init(s, alloc);
    EXRQOI_TRY(exrqoi__sink_check(dst, err));
    switch (dst->kind) {
    case EXRQOI_SINK_PATH:
        return exrqoi__sink_open_path(s, dst->path, alloc, err);
    case EXRQOI_SINK_MEMORY:
        exrqoi__sink_open_memory(s, alloc);
        *dst->data = NULL;
        *dst->size = 0;
        s->give_data = dst->data;
        s->give_size = dst->size;
        return EXRQOI_OK;
    default:
        exrqoi__sink_open_output(s, &dst->output, alloc);
        return EXRQOI_OK;
    }
}

exrqoi_result exrqoi__sink_finish(exrqoi__sink *s, bool sync, exrqoi__err *err)
{
    EXRQOI_TRY(exrqoi__sink_commit(s, sync, err));
    if (s->is_mem && s->give_data) {
        exrqoi__sink_take_memory(s, s->give_data, s->give_size);
        s->give_data = NULL;
        s->give_size = NULL;
    }
    return EXRQOI_OK;
}

exrqoi_result exrqoi_sink_save(exrqoi_sink sink, const void *data, size_t size,
                               const exrqoi_allocator *allocator)
{
    if (!data && size) return EXRQOI_ERR_INVALID_ARGUMENT;
    exrqoi__sink s;
    exrqoi__err err;
    memset(&err, 0, sizeof err);
    exrqoi_result rv = exrqoi__sink_open(&s, &sink, allocator, &err);
    if (rv == EXRQOI_OK) rv = exrqoi__sink_write(&s, data, size, &err);
    if (rv == EXRQOI_OK) rv = exrqoi__sink_finish(&s, false, &err);
    exrqoi__sink_abort(&s);
    return rv;
}
