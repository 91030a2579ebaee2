/* The one place the library meets the operating system: files, the
 * temporary-file-and-rename of path outputs, the process id and the
 * processor count. POSIX in platform_posix.c, Windows in platform_win.c
 * (each file compiles to nothing on the other system). Paths are UTF-8
 * everywhere; Windows converts them to UTF-16 for its W calls. A file is
 * a small int: a POSIX descriptor, or a C runtime descriptor wrapping a
 * Windows handle. Calls that fail return -1 and leave the reason in errno
 * (strerror explains it). */
#ifndef EXRQOI_PLATFORM_H
#define EXRQOI_PLATFORM_H

#include "common/internal.h"

typedef enum exrqoi__file_kind {
    EXRQOI__FILE_REGULAR,
    EXRQOI__FILE_DIRECTORY,
    EXRQOI__FILE_OTHER /* pipe, FIFO, device, console */
} exrqoi__file_kind;

/* What the library asks about a file. (dev, ino) identify it: device and
 * inode on POSIX, volume serial number and file index on Windows; both 0
 * when the system does not say. */
typedef struct exrqoi__file_info {
    exrqoi__file_kind kind;
    uint64_t size; /* regular files */
    uint64_t dev, ino;
} exrqoi__file_info;

/* Information on a path (links followed) or an open file. */
EXRQOI_INTERNAL int exrqoi__os_info(const char *path, exrqoi__file_info *fi);
EXRQOI_INTERNAL int exrqoi__os_info_fd(int fd, exrqoi__file_info *fi);

/* Opens for reading (directories open too, so that the caller can say
 * what they are); opens an existing pipe or device for writing in place. */
EXRQOI_INTERNAL int exrqoi__os_open_read(const char *path);
EXRQOI_INTERNAL int exrqoi__os_open_write_existing(const char *path);
/* Reads up to n bytes at offset (retrying short reads): the count read,
 * short only at the end of the file, or -1. Safe from several threads. */
EXRQOI_INTERNAL int64_t exrqoi__os_pread(int fd, void *buf, size_t n, uint64_t offset);
/* Reads up to n bytes from a stream (a pipe, standard input): the count,
 * 0 at its end, or -1. */
EXRQOI_INTERNAL int64_t exrqoi__os_read(int fd, void *buf, size_t n);
/* Writes all n bytes at the current position, or returns -1. */
EXRQOI_INTERNAL int exrqoi__os_write(int fd, const void *buf, size_t n);
EXRQOI_INTERNAL int exrqoi__os_seek(int fd, uint64_t offset);
EXRQOI_INTERNAL int exrqoi__os_sync(int fd);
EXRQOI_INTERNAL int exrqoi__os_close(int fd);
EXRQOI_INTERNAL int exrqoi__os_remove(const char *path);

/* Follows symbolic links of the path's last component, so that an
 * output is written beside the file a link names and the link itself
 * stays. An allocated path (the path itself when it is no link), or NULL. */
EXRQOI_INTERNAL char *exrqoi__os_follow_links(const char *path, const exrqoi_allocator *a);

/* An unnamed file in the directory of `target` (Linux O_TMPFILE), given
 * its name by exrqoi__os_link_unnamed after it was written: a killed
 * process leaves nothing behind. -1 where the system or filesystem has
 * none (then the caller uses a named temporary file). */
EXRQOI_INTERNAL int exrqoi__os_open_unnamed(const char *target);
EXRQOI_INTERNAL int exrqoi__os_link_unnamed(int fd, const char *target, const exrqoi_allocator *a);

/* A new temporary file beside `target`, named "<target>.tmp<pid>.<salt>.<n>"
 * into `name` (EXRQOI__OS_TEMP_EXTRA bytes more than target's length).
 * Its permissions are the ones a new file gets (the umask on POSIX). */
#define EXRQOI__OS_TEMP_EXTRA 64
EXRQOI_INTERNAL int exrqoi__os_open_temp(const char *target, char *name);
/* Gives `from` the name `to` in one step, replacing what was there
 * (rename; MoveFileExW with MOVEFILE_REPLACE_EXISTING on Windows). */
EXRQOI_INTERNAL int exrqoi__os_replace(const char *from, const char *to);

EXRQOI_INTERNAL long exrqoi__os_pid(void);
/* Processors online, at least 1. */
EXRQOI_INTERNAL int exrqoi__os_cpu_count(void);

#endif
