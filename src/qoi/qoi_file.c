/* Files for the QOI front ends: an input reading a file descriptor, and an
 * output that writes a temporary file renamed into place only when
 * complete, so the destination is never seen half-written. */
#include "qoi/qoi_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int64_t fd_read(void *user, void *buf, size_t size, uint64_t offset)
{
    int fd = (int)(intptr_t)user;
    size_t done = 0;
    while (done < size) {
        ssize_t n = pread(fd, (uint8_t *)buf + done, size - done, (off_t)(offset + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (n == 0) break;
        done += (size_t)n;
    }
    return (int64_t)done;
}

exrqoi_result exrqoi__qoi_open_input(const char *path, exrqoi_input *in, int *fd,
                                     exrqoi__err *err)
{
    int f = open(path, O_RDONLY | O_CLOEXEC);
    if (f < 0)
        return exrqoi__fail(err, EXRQOI_ERR_OPEN, "QOI: cannot open '%s': %s", path,
                            strerror(errno));
    struct stat sb;
    memset(in, 0, sizeof *in);
    in->read = fd_read;
    in->size = (fstat(f, &sb) == 0 && S_ISREG(sb.st_mode)) ? (int64_t)sb.st_size : -1;
    in->concurrent = 1;
    in->user = (void *)(intptr_t)f;
    *fd = f;
    return EXRQOI_OK;
}

exrqoi_result exrqoi__atomic_open(exrqoi__atomic_file *f, const char *path,
                                  const exrqoi_allocator *a, exrqoi__err *err)
{
    memset(f, 0, sizeof *f);
    f->fd = -1;
    f->a = a;
    size_t n = strlen(path);
    f->path = exrqoi__strdup(a, path);
    f->tmp_path = (char *)exrqoi__alloc(a, n + 64);
    if (!f->path || !f->tmp_path) {
        exrqoi__atomic_abort(f);
        return exrqoi__fail(err, EXRQOI_ERR_OUT_OF_MEMORY, "QOI: out of memory");
    }
    /* A name unlikely to collide, without global state: pid, a stack
     * address, the clock, and a retry counter; O_EXCL settles the rest.
     * open() applies the umask, unlike mkstemp's fixed 0600. */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    unsigned long salt = (unsigned long)(uintptr_t)&ts ^ (unsigned long)ts.tv_nsec;
    for (int attempt = 0; attempt < 100; attempt++) {
        snprintf(f->tmp_path, n + 64, "%s.tmp%ld.%lx.%d", path, (long)getpid(), salt, attempt);
        f->fd = open(f->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (f->fd >= 0) return EXRQOI_OK;
        if (errno != EEXIST) break;
    }
    int e = errno;
    exrqoi__free(a, f->tmp_path);
    f->tmp_path = NULL;
    exrqoi__atomic_abort(f);
    return exrqoi__fail(err, EXRQOI_ERR_OPEN, "QOI: cannot create a temporary file for '%s': %s",
                        path, strerror(e));
}

exrqoi_result exrqoi__atomic_write(exrqoi__atomic_file *f, const void *buf, size_t size,
                                   exrqoi__err *err)
{
    const uint8_t *p = (const uint8_t *)buf;
    while (size) {
        ssize_t n = write(f->fd, p, size);
        if (n < 0) {
            if (errno == EINTR) continue;
            return exrqoi__fail(err, EXRQOI_ERR_WRITE, "QOI: writing '%s': %s", f->tmp_path,
                                strerror(errno));
        }
        p += n;
        size -= (size_t)n;
    }
    return EXRQOI_OK;
}

int exrqoi__atomic_output_write(void *user, const void *buf, size_t size)
{
    return exrqoi__atomic_write((exrqoi__atomic_file *)user, buf, size, NULL) == EXRQOI_OK ? 0
                                                                                         : -1;
}

exrqoi_result exrqoi__atomic_commit(exrqoi__atomic_file *f, int do_fsync, exrqoi__err *err)
{
    exrqoi_result r = EXRQOI_OK;
    if (do_fsync && fsync(f->fd) != 0)
        r = exrqoi__fail(err, EXRQOI_ERR_WRITE, "QOI: fsync '%s': %s", f->tmp_path,
                         strerror(errno));
    if (close(f->fd) != 0 && r == EXRQOI_OK)
        r = exrqoi__fail(err, EXRQOI_ERR_WRITE, "QOI: closing '%s': %s", f->tmp_path,
                         strerror(errno));
    f->fd = -1;
    if (r == EXRQOI_OK && rename(f->tmp_path, f->path) != 0)
        r = exrqoi__fail(err, EXRQOI_ERR_WRITE, "QOI: renaming '%s' to '%s': %s", f->tmp_path,
                         f->path, strerror(errno));
    if (r == EXRQOI_OK) {
        exrqoi__free(f->a, f->tmp_path);
        f->tmp_path = NULL;
    }
    exrqoi__atomic_abort(f);
    return r;
}

void exrqoi__atomic_abort(exrqoi__atomic_file *f)
{
    if (f->fd >= 0) close(f->fd);
    f->fd = -1;
    if (f->tmp_path) {
        unlink(f->tmp_path);
        exrqoi__free(f->a, f->tmp_path);
        f->tmp_path = NULL;
    }
    exrqoi__free(f->a, f->path);
    f->path = NULL;
}
