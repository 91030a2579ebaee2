/* The library's operating-system calls on Windows (see platform.h): UTF-8
 * paths converted to UTF-16 for the W calls; files opened with
 * CreateFileW (sharing delete, so that a reader never stops a writer
 * from replacing the file) and handed out as C runtime descriptors;
 * positioned reads with an OVERLAPPED offset; outputs written to a
 * temporary file in the target's directory and moved over the target
 * with MoveFileExW(MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH). */
#ifdef _WIN32
#include "common/internal.h"
#include "io/platform.h"

#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <windows.h>

/* UTF-16 path buffers (no allocation in the I/O layer; longer paths are
 * ENAMETOOLONG). */
#define WPATH_MAX 4096

/* errno from GetLastError() for what the library reports. */
static int errno_of(DWORD e)
{
    switch (e) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_INVALID_DRIVE:
    case ERROR_BAD_NETPATH:
    case ERROR_BAD_NET_NAME: return ENOENT;
    case ERROR_ACCESS_DENIED:
    case ERROR_SHARING_VIOLATION:
    case ERROR_LOCK_VIOLATION:
    case ERROR_WRITE_PROTECT: return EACCES;
    case ERROR_FILE_EXISTS:
    case ERROR_ALREADY_EXISTS: return EEXIST;
    case ERROR_DISK_FULL:
    case ERROR_HANDLE_DISK_FULL: return ENOSPC;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY: return ENOMEM;
    case ERROR_FILENAME_EXCED_RANGE: return ENAMETOOLONG;
    case ERROR_INVALID_NAME:
    case ERROR_INVALID_PARAMETER: return EINVAL;
    case ERROR_DIRECTORY: return ENOTDIR;
    case ERROR_BROKEN_PIPE:
    case ERROR_NO_DATA: return EPIPE;
    default: return EIO;
    }
}

static int fail_last(void)
{
    errno = errno_of(GetLastError());
    return -1;
}

static bool widen(const char *path, wchar_t *w)
{
    if (MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, path, -1, w, WPATH_MAX) > 0) return true;
    errno = GetLastError() == ERROR_INSUFFICIENT_BUFFER ? ENAMETOOLONG : EINVAL;
    return false;
}

static HANDLE handle_of(int fd)
{
    return (HANDLE)_get_osfhandle(fd);
}

/* A C runtime descriptor owning `h` (closed with it). */
static int adopt(HANDLE h, int flags)
{
    if (h == INVALID_HANDLE_VALUE) return fail_last();
    int fd = _open_osfhandle((intptr_t)h, flags | _O_BINARY | _O_NOINHERIT);
    if (fd < 0) {
        CloseHandle(h);
        errno = EMFILE;
    }
    return fd;
}

#define SHARE_ALL (FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE)

static int info_of(HANDLE h, exrqoi__file_info *fi)
{
    memset(fi, 0, sizeof *fi);
    DWORD type = GetFileType(h);
    if (type != FILE_TYPE_DISK) {
        if (type == FILE_TYPE_UNKNOWN && GetLastError() != NO_ERROR) return fail_last();
        fi->kind = EXRQOI__FILE_OTHER;
        return 0;
    }
    BY_HANDLE_FILE_INFORMATION bh;
    if (!GetFileInformationByHandle(h, &bh)) {
        /* some handles answer only the standard information (Wine's for
         * a redirected standard input): kind and size, identity unknown
         * (dev and ino 0) */
        FILE_STANDARD_INFO si;
        if (!GetFileInformationByHandleEx(h, FileStandardInfo, &si, sizeof si)) return fail_last();
        fi->kind = si.Directory ? EXRQOI__FILE_DIRECTORY : EXRQOI__FILE_REGULAR;
        if (!si.Directory) fi->size = (uint64_t)si.EndOfFile.QuadPart;
        return 0;
    }
    fi->kind = bh.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY ? EXRQOI__FILE_DIRECTORY : EXRQOI__FILE_REGULAR;
    if (fi->kind == EXRQOI__FILE_REGULAR) fi->size = (uint64_t)bh.nFileSizeHigh << 32 | bh.nFileSizeLow;
    fi->dev = bh.dwVolumeSerialNumber;
    fi->ino = (uint64_t)bh.nFileIndexHigh << 32 | bh.nFileIndexLow;
    return 0;
}

/* BACKUP_SEMANTICS opens directories too; the handle asks for no access
 * (attributes only), so pipes and devices are not disturbed. */
static HANDLE open_query(const wchar_t *w)
{
    return CreateFileW(w, 0, SHARE_ALL, NULL, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
}

int exrqoi__os_info(const char *path, exrqoi__file_info *fi)
{
    wchar_t w[WPATH_MAX];
    if (!widen(path, w)) return -1;
    HANDLE h = open_query(w);
    if (h == INVALID_HANDLE_VALUE) return fail_last();
    int rc = info_of(h, fi);
    CloseHandle(h);
    return rc;
}

int exrqoi__os_info_fd(int fd, exrqoi__file_info *fi)
{
    HANDLE h = handle_of(fd);
    if (h == INVALID_HANDLE_VALUE) {
        errno = EBADF;
        return -1;
    }
    return info_of(h, fi);
}

int exrqoi__os_open_read(const char *path)
{
    wchar_t w[WPATH_MAX];
    if (!widen(path, w)) return -1;
    return adopt(CreateFileW(w, GENERIC_READ, SHARE_ALL, NULL, OPEN_EXISTING,
                             FILE_ATTRIBUTE_NORMAL | FILE_FLAG_BACKUP_SEMANTICS, NULL),
                 _O_RDONLY);
}

int exrqoi__os_open_write_existing(const char *path)
{
    wchar_t w[WPATH_MAX];
    if (!widen(path, w)) return -1;
    return adopt(CreateFileW(w, GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING,
                             FILE_ATTRIBUTE_NORMAL, NULL),
                 _O_WRONLY);
}

/* ReadFile with an OVERLAPPED offset on a synchronous handle reads at
 * that offset whatever other threads do with the file position. */
int64_t exrqoi__os_pread(int fd, void *buf, size_t size, uint64_t offset)
{
    HANDLE h = handle_of(fd);
    size_t done = 0;
    while (done < size) {
        DWORD want = size - done > (1u << 30) ? (1u << 30) : (DWORD)(size - done), got = 0;
        OVERLAPPED ov;
        memset(&ov, 0, sizeof ov);
        uint64_t at = offset + done;
        ov.Offset = (DWORD)at;
        ov.OffsetHigh = (DWORD)(at >> 32);
        if (!ReadFile(h, (char *)buf + done, want, &got, &ov)) {
            DWORD e = GetLastError();
            if (e == ERROR_HANDLE_EOF || e == ERROR_BROKEN_PIPE) break;
            errno = errno_of(e);
            return -1;
        }
        if (got == 0) break;
        done += got;
    }
    return (int64_t)done;
}

int64_t exrqoi__os_read(int fd, void *buf, size_t size)
{
    HANDLE h = handle_of(fd);
    DWORD want = size > (1u << 30) ? (1u << 30) : (DWORD)size, got = 0;
    if (GetFileType(h) == FILE_TYPE_DISK) {
        /* a file as standard input: read at its position (its handle may
         * not be one for plain synchronous reads) and move the position */
        LARGE_INTEGER zero, at;
        zero.QuadPart = 0;
        if (!SetFilePointerEx(h, zero, &at, FILE_CURRENT)) return fail_last();
        int64_t n = exrqoi__os_pread(fd, buf, want, (uint64_t)at.QuadPart);
        if (n > 0) {
            at.QuadPart += n;
            SetFilePointerEx(h, at, NULL, FILE_BEGIN);
        }
        return n;
    }
    if (ReadFile(h, buf, want, &got, NULL)) return got;
    DWORD e = GetLastError();
    if (e == ERROR_BROKEN_PIPE || e == ERROR_HANDLE_EOF) return 0; /* the writer closed its end */
    errno = errno_of(e);
    return -1;
}

int exrqoi__os_write(int fd, const void *buf, size_t size)
{
    HANDLE h = handle_of(fd);
    const char *p = (const char *)buf;
    while (size) {
        DWORD want = size > (1u << 30) ? (1u << 30) : (DWORD)size, put = 0;
        if (!WriteFile(h, p, want, &put, NULL)) return fail_last();
        if (put == 0) {
            errno = EIO;
            return -1;
        }
        p += put;
        size -= put;
    }
    return 0;
}

int exrqoi__os_seek(int fd, uint64_t offset)
{
    LARGE_INTEGER at;
    at.QuadPart = (LONGLONG)offset;
    return SetFilePointerEx(handle_of(fd), at, NULL, FILE_BEGIN) ? 0 : fail_last();
}

int exrqoi__os_sync(int fd)
{
    return FlushFileBuffers(handle_of(fd)) ? 0 : fail_last();
}

int exrqoi__os_close(int fd)
{
    return _close(fd);
}

int exrqoi__os_remove(const char *path)
{
    wchar_t w[WPATH_MAX];
    if (!widen(path, w)) return -1;
    return DeleteFileW(w) ? 0 : fail_last();
}

long exrqoi__os_pid(void)
{
    return (long)GetCurrentProcessId();
}

int exrqoi__os_cpu_count(void)
{
    DWORD n = GetActiveProcessorCount(ALL_PROCESSOR_GROUPS);
    return n < 1 ? 1 : (n > 1024 ? 1024 : (int)n);
}

/* A symbolic link (or junction) as the last component is replaced by the
 * final path of what it names, so that the temporary file is made, and
 * moved, beside the real file; any other path is kept as given. */
char *exrqoi__os_follow_links(const char *path, const exrqoi_allocator *alloc)
{
    wchar_t w[WPATH_MAX];
    if (!widen(path, w)) return NULL;
    DWORD attr = GetFileAttributesW(w);
    if (attr == INVALID_FILE_ATTRIBUTES || !(attr & FILE_ATTRIBUTE_REPARSE_POINT))
        return exrqoi__strdup(alloc, path);
    HANDLE h = open_query(w);
    if (h == INVALID_HANDLE_VALUE) return NULL;
    wchar_t fin[WPATH_MAX];
    DWORD n = GetFinalPathNameByHandleW(h, fin, WPATH_MAX, FILE_NAME_NORMALIZED | VOLUME_NAME_DOS);
    CloseHandle(h);
    if (n == 0 || n >= WPATH_MAX) return NULL;
    /* "\\?\C:\dir\file" -> "C:\dir\file" (the prefix is kept for UNC and
     * long paths, which need it) */
    const wchar_t *p = fin;
    if (n > 6 && !wcsncmp(fin, L"\\\\?\\", 4) && fin[5] == L':' && n < MAX_PATH) p = fin + 4;
    int len = WideCharToMultiByte(CP_UTF8, 0, p, -1, NULL, 0, NULL, NULL);
    if (len <= 0) return NULL;
    char *out = (char *)exrqoi__alloc(alloc, (size_t)len);
    if (out && WideCharToMultiByte(CP_UTF8, 0, p, -1, out, len, NULL, NULL) != len) {
        exrqoi__free(alloc, out);
        out = NULL;
    }
    return out;
}

/* Windows has no unnamed files: a named temporary file it is. (A file
 * opened with FILE_FLAG_DELETE_ON_CLOSE cannot be renamed into place.) */
int exrqoi__os_open_unnamed(const char *target)
{
    (void)target;
    return -1;
}

int exrqoi__os_link_unnamed(int fd, const char *target, const exrqoi_allocator *alloc)
{
    (void)fd;
    (void)target;
    (void)alloc;
    errno = ENOSYS;
    return -1;
}

/* CREATE_NEW settles collisions; the file gets the directory's default
 * security, as any new file. Shared for reading and deleting only. */
int exrqoi__os_open_temp(const char *target, char *name)
{
    LARGE_INTEGER t;
    QueryPerformanceCounter(&t);
    unsigned long salt = (unsigned long)((uintptr_t)&t ^ (uintptr_t)t.QuadPart);
    size_t n = strlen(target);
    for (int attempt = 0; attempt < 100; attempt++) {
        snprintf(name, n + EXRQOI__OS_TEMP_EXTRA, "%s.tmp%ld.%lx.%d", target, exrqoi__os_pid(), salt, attempt);
        wchar_t w[WPATH_MAX];
        if (!widen(name, w)) return -1;
        HANDLE h = CreateFileW(w, GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_DELETE, NULL, CREATE_NEW,
                               FILE_ATTRIBUTE_NORMAL, NULL);
        if (h != INVALID_HANDLE_VALUE) return adopt(h, _O_WRONLY);
        DWORD e = GetLastError();
        if (e != ERROR_FILE_EXISTS && e != ERROR_ALREADY_EXISTS) {
            errno = errno_of(e);
            return -1;
        }
    }
    errno = EEXIST;
    return -1;
}

int exrqoi__os_replace(const char *from, const char *to)
{
    wchar_t wf[WPATH_MAX], wt[WPATH_MAX];
    if (!widen(from, wf) || !widen(to, wt)) return -1;
    return MoveFileExW(wf, wt, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH) ? 0 : fail_last();
}

#else
/* ISO C wants at least one declaration in a translation unit. */
typedef int exrqoi__platform_win_unused;
#endif
