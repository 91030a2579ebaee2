/* The library's operating-system calls on POSIX systems (see platform.h).
 * Linux-only calls (O_TMPFILE, linking through /proc) have fallbacks, so
 * this builds and works on any POSIX system (macOS, the BSDs). */
#ifndef _WIN32
#include "common/internal.h"
#include "io/platform.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif

static void info_of(const struct stat *st, exrqoi__file_info *fi)
{
    fi->kind = S_ISREG(st->st_mode)   ? EXRQOI__FILE_REGULAR
               : S_ISDIR(st->st_mode) ? EXRQOI__FILE_DIRECTORY
                                      : EXRQOI__FILE_OTHER;
    fi->size = S_ISREG(st->st_mode) ? (uint64_t)st->st_size : 0;
    fi->dev = (uint64_t)st->st_dev;
    fi->ino = (uint64_t)st->st_ino;
}

int exrqoi__os_info(const char *path, exrqoi__file_info *fi)
{
    struct stat st;
    if (stat(path, &st) != 0) return -1;
    info_of(&st, fi);
    return 0;
}

int exrqoi__os_info_fd(int fd, exrqoi__file_info *fi)
{
    struct stat st;
    if (fstat(fd, &st) != 0) return -1;
    info_of(&st, fi);
    return 0;
}

int exrqoi__os_open_read(const char *path)
{
    return open(path, O_RDONLY | O_CLOEXEC);
}

int exrqoi__os_open_write_existing(const char *path)
{
    return open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
}

int64_t exrqoi__os_pread(int fd, void *buf, size_t size, uint64_t offset)
{
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

int64_t exrqoi__os_read(int fd, void *buf, size_t size)
{
    for (;;) {
        ssize_t n = read(fd, buf, size > ((size_t)1 << 30) ? ((size_t)1 << 30) : size);
        if (n < 0 && errno == EINTR) continue;
        return (int64_t)n;
    }
}

int exrqoi__os_write(int fd, const void *buf, size_t size)
{
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

int exrqoi__os_seek(int fd, uint64_t offset)
{
    return lseek(fd, (off_t)offset, SEEK_SET) == (off_t)-1 ? -1 : 0;
}

int exrqoi__os_sync(int fd) { return fsync(fd); }
int exrqoi__os_close(int fd) { return close(fd); }
int exrqoi__os_remove(const char *path) { return unlink(path); }
long exrqoi__os_pid(void) { return (long)getpid(); }

int exrqoi__os_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : (n > 1024 ? 1024 : (int)n);
}

/* Each hop is relative to the link's directory. */
char *exrqoi__os_follow_links(const char *path, const exrqoi_allocator *alloc)
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

/* Linux O_TMPFILE; it is linked in through /proc (linkat with
 * AT_EMPTY_PATH needs a privilege), so it is not used without /proc.
 * Elsewhere (macOS, the BSDs) there is no O_TMPFILE: -1, and the caller
 * falls back to a named temporary file. */
int exrqoi__os_open_unnamed(const char *target)
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

/* Linked straight in when the name is free, else linked under a
 * temporary name and renamed over the old file (link cannot replace). */
int exrqoi__os_link_unnamed(int fd, const char *target, const exrqoi_allocator *alloc)
{
#ifdef O_TMPFILE
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    if (linkat(AT_FDCWD, proc, AT_FDCWD, target, AT_SYMLINK_FOLLOW) == 0) return 0;
    if (errno != EEXIST) return -1;
    size_t n = strlen(target);
    char *tmp = (char *)exrqoi__alloc(alloc, n + 64);
    if (!tmp) {
        errno = ENOMEM;
        return -1;
    }
    int rc = -1, e = 0;
    for (int attempt = 0; attempt < 100; attempt++) {
        snprintf(tmp, n + 64, "%s.tmp%ld.%d", target, (long)getpid(), attempt);
        if (linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) == 0) {
            rc = 0;
            break;
        }
        if (errno != EEXIST) break;
    }
    if (rc == 0 && rename(tmp, target) != 0) {
        e = errno;
        unlink(tmp);
        rc = -1;
    } else if (rc != 0) {
        e = errno;
    }
    exrqoi__free(alloc, tmp);
    errno = e;
    return rc;
#else
    (void)fd;
    (void)target;
    (void)alloc;
    errno = ENOSYS;
    return -1;
#endif
}

/* The name comes from the pid, a stack address and the clock, with
 * O_EXCL settling collisions; open()'s 0666 honours the umask (mkstemp
 * would force 0600, and changing the umask is process-global). */
int exrqoi__os_open_temp(const char *target, char *name)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    unsigned long salt = (unsigned long)(uintptr_t)&ts ^ (unsigned long)ts.tv_nsec;
    size_t n = strlen(target);
    int fd = -1, e = 0;
    for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
        snprintf(name, n + EXRQOI__OS_TEMP_EXTRA, "%s.tmp%ld.%lx.%d", target, (long)getpid(), salt, attempt);
        fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        e = errno;
        if (fd < 0 && e != EEXIST) break;
    }
    errno = e;
    return fd;
}

int exrqoi__os_replace(const char *from, const char *to)
{
    return rename(from, to);
}

#else
/* ISO C wants at least one declaration in a translation unit. */
typedef int exrqoi__platform_posix_unused;
#endif
