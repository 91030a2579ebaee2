/* File, memory and callback sources and sinks. */
#include "common/internal.h"
#include "io/stream.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- sources ----------------------------------------------------------- */

static int64_t fd_pread(void *user, void *buf, size_t size, uint64_t offset)
{
    int fd = (int)(intptr_t)user;
    size_t done = 0;
    while (done < size) {
        ssize_t n = pread(fd, (char *)buf + done, size - done, (off_t)(offset + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (n == 0) break;
        done += (size_t)n;
    }
    return (int64_t)done;
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
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return exrqoi__fail(err, EXRQOI_ERR_OPEN, "cannot open '%s': %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        /* pipes and devices are read like callbacks without a known size */
        if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
            close(fd);
            return exrqoi__fail(err, EXRQOI_ERR_OPEN, "'%s' is a directory", path);
        }
    } else {
        s->size = (uint64_t)st.st_size;
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
    if (s->fd >= 0) close(s->fd);
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
    int fd = (int)(intptr_t)user;
    const char *p = (const char *)buf;
    while (size) {
        ssize_t n = write(fd, p, size);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += n;
        size -= (size_t)n;
    }
    return 0;
}

static int fd_seek(void *user, uint64_t offset)
{
    return lseek((int)(intptr_t)user, (off_t)offset, SEEK_SET) == (off_t)-1 ? -1 : 0;
}

static void sink_init(exrqoi__sink *s, const exrqoi_allocator *alloc)
{
    memset(s, 0, sizeof *s);
    s->fd = -1;
    s->alloc = alloc;
}

/* Follows symbolic links of the last path component (each hop relative to
 * the link's directory), so the output is written beside the file a link
 * names and the link itself stays. Returns an allocated path or NULL. */
static char *follow_links(const char *path, const exrqoi_allocator *alloc)
{
    char *cur = exrqoi__strdup(alloc, path);
    for (int hop = 0; cur && hop < 40; hop++) {
        struct stat st;
        if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode)) return cur;
        char link[4096];
        ssize_t n = readlink(cur, link, sizeof link - 1);
        if (n <= 0) break;
        link[n] = 0;
        const char *slash = strrchr(cur, '/');
        size_t dir_len = link[0] == '/' || !slash ? 0 : (size_t)(slash - cur) + 1;
        char *next = (char *)exrqoi__alloc(alloc, dir_len + (size_t)n + 1);
        if (!next) break;
        memcpy(next, cur, dir_len);
        memcpy(next + dir_len, link, (size_t)n + 1);
        exrqoi__free(alloc, cur);
        cur = next;
    }
    exrqoi__free(alloc, cur);
    return NULL;
}

/* An unnamed file in the destination's directory (Linux O_TMPFILE): it
 * has no name until commit links it in, so a killed process leaves
 * nothing behind. -1 where the filesystem or kernel lacks it, or when
 * /proc (needed to link it without privileges) is not there. */
static int open_unnamed(const char *target)
{
#ifdef O_TMPFILE
    const char *slash = strrchr(target, '/');
    char dir[4096];
    if (!slash) snprintf(dir, sizeof dir, ".");
    else if (slash == target) snprintf(dir, sizeof dir, "/");
    else if ((size_t)(slash - target) < sizeof dir) snprintf(dir, sizeof dir, "%.*s", (int)(slash - target), target);
    else return -1;
    int fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
    if (fd < 0) return -1;
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    struct stat st;
    if (stat(proc, &st) != 0) {
        close(fd);
        return -1;
    }
    return fd;
#else
    (void)target;
    return -1;
#endif
}

/* A named temporary file beside the destination (the fallback): its name
 * comes from the pid, a stack address and the clock, with O_EXCL settling
 * collisions; open()'s 0666 honours the umask (mkstemp would force 0600,
 * and changing the umask is process-global). `name` holds n + 64 bytes. */
static int open_named(const char *target, char *name, size_t n, int *e)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    unsigned long salt = (unsigned long)(uintptr_t)&ts ^ (unsigned long)ts.tv_nsec;
    int fd = -1;
    *e = 0;
    for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
        snprintf(name, n + 64, "%s.tmp%ld.%lx.%d", target, (long)getpid(), salt, attempt);
        fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        *e = errno;
        if (fd < 0 && *e != EEXIST) break;
    }
    return fd;
}

exrqoi_result exrqoi__sink_open_path(exrqoi__sink *s, const char *path, const exrqoi_allocator *alloc,
                                     exrqoi__err *err)
{
    sink_init(s, alloc);
    struct stat st;
    bool exists = stat(path, &st) == 0;
    if (exists && S_ISDIR(st.st_mode))
        return exrqoi__fail(err, EXRQOI_ERR_OPEN, "'%s' is a directory", path);
    if (exists && !S_ISREG(st.st_mode)) {
        /* a pipe, FIFO or device: written in place as a stream (renaming
         * a file over it would replace it and its reader would get nothing) */
        int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
            return exrqoi__fail(err, EXRQOI_ERR_OPEN, "cannot open '%s': %s", path, strerror(errno));
        s->path = exrqoi__strdup(alloc, path);
        if (!s->path) {
            close(fd);
            return exrqoi__fail(err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
        }
        s->fd = fd;
        s->in_place = true;
        s->out.write = fd_write;
        s->out.user = (void *)(intptr_t)fd;
        s->seekable = false;
        return EXRQOI_OK;
    }
    s->path = follow_links(path, alloc);
    if (!s->path) {
        exrqoi__sink_abort(s);
        return exrqoi__fail(err, EXRQOI_ERR_OPEN, "cannot follow the links of '%s'", path);
    }
    struct stat tst;
    if (exists && (stat(s->path, &tst) != 0 || tst.st_dev != st.st_dev || tst.st_ino != st.st_ino)) {
        /* e.g. a /proc/self/fd link to a deleted file: no directory to write beside */
        exrqoi__sink_abort(s);
        return exrqoi__fail(err, EXRQOI_ERR_OPEN, "cannot find the directory of '%s'", path);
    }
    int fd = open_unnamed(s->path);
    if (fd >= 0) {
        s->unnamed = true;
    } else {
        size_t n = strlen(s->path);
        s->tmp_path = (char *)exrqoi__alloc(alloc, n + 64);
        if (!s->tmp_path) {
            exrqoi__sink_abort(s);
            return exrqoi__fail(err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
        }
        int e;
        fd = open_named(s->path, s->tmp_path, n, &e);
        if (fd < 0) {
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

/* Gives the unnamed file (already synced as asked) the destination's
 * name: linked straight in when the name is free, else linked under a
 * temporary name and renamed over the old file (link cannot replace). */
static int link_unnamed(exrqoi__sink *s, int *e)
{
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", s->fd);
    if (linkat(AT_FDCWD, proc, AT_FDCWD, s->path, AT_SYMLINK_FOLLOW) == 0) return 0;
    if (errno != EEXIST) {
        *e = errno;
        return -1;
    }
    size_t n = strlen(s->path);
    char *tmp = (char *)exrqoi__alloc(s->alloc, n + 64);
    if (!tmp) {
        *e = ENOMEM;
        return -1;
    }
    int rc = -1;
    for (int attempt = 0; attempt < 100; attempt++) {
        snprintf(tmp, n + 64, "%s.tmp%ld.%d", s->path, (long)getpid(), attempt);
        if (linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) == 0) {
            rc = 0;
            break;
        }
        if (errno != EEXIST) break;
    }
    if (rc == 0 && rename(tmp, s->path) != 0) {
        *e = errno;
        unlink(tmp);
        rc = -1;
    } else if (rc != 0) {
        *e = errno;
    }
    exrqoi__free(s->alloc, tmp);
    return rc;
}

exrqoi_result exrqoi__sink_commit(exrqoi__sink *s, bool sync, exrqoi__err *err)
{
    if (s->failed) return exrqoi__fail(err, EXRQOI_ERR_BAD_STATE, "output failed earlier");
    if (s->fd >= 0) {
        int fd = s->fd;
        if (sync && !s->in_place && fsync(fd) != 0) {
            int e = errno;
            s->failed = true;
            return exrqoi__fail(err, EXRQOI_ERR_WRITE, "cannot sync '%s': %s", s->path, strerror(e));
        }
        int e = 0;
        if (s->unnamed && link_unnamed(s, &e) != 0) {
            s->failed = true;
            return exrqoi__fail(err, EXRQOI_ERR_WRITE, "cannot create '%s': %s", s->path, strerror(e));
        }
        s->fd = -1;
        if (close(fd) != 0) {
            e = errno;
            s->failed = true;
            return exrqoi__fail(err, EXRQOI_ERR_WRITE, "cannot finish '%s': %s", s->path, strerror(e));
        }
        if (s->tmp_path && rename(s->tmp_path, s->path) != 0) {
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
    if (s->fd >= 0) close(s->fd);
    s->fd = -1;
    if (s->tmp_path) {
        unlink(s->tmp_path);
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
