/* The tool's Windows helpers (see sys.h). */
#ifdef _WIN32
#include "tools/sys.h"

#include <fcntl.h>
#include <io.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>
#include <shellapi.h>

#define WPATH_MAX 4096

static bool widen(const char *s, wchar_t *w)
{
    return MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, WPATH_MAX) > 0;
}

static char *narrow(const wchar_t *w)
{
    int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
    char *s = n > 0 ? malloc((size_t)n) : NULL;
    if (s && WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL) != n) {
        free(s);
        s = NULL;
    }
    return s;
}

/* The arguments as UTF-8 (main's are in the ANSI code page, which cannot
 * name every file); they live as long as the process. */
void tool_sys_init(int *argc, char ***argv)
{
    _setmode(0, _O_BINARY);
    _setmode(1, _O_BINARY);
    int n = 0;
    wchar_t **wargv = CommandLineToArgvW(GetCommandLineW(), &n);
    if (!wargv) return;
    char **args = calloc((size_t)n + 1, sizeof *args);
    for (int i = 0; args && i < n; i++)
        if (!(args[i] = narrow(wargv[i]))) {
            args = NULL; /* keep main's: a conversion that fails is no reason to stop */
            break;
        }
    LocalFree(wargv);
    if (!args) return;
    *argc = n;
    *argv = args;
}

/* A console, not the NUL device (which _isatty also calls a character device). */
bool tool_sys_is_terminal(int fd)
{
    HANDLE h = (HANDLE)_get_osfhandle(fd);
    DWORD mode;
    return h != INVALID_HANDLE_VALUE && GetFileType(h) == FILE_TYPE_CHAR && GetConsoleMode(h, &mode);
}

FILE *tool_sys_fopen_read(const char *path)
{
    wchar_t w[WPATH_MAX];
    return widen(path, w) ? _wfopen(w, L"rb") : NULL;
}

int tool_sys_mkdir(const char *path)
{
    wchar_t w[WPATH_MAX];
    return widen(path, w) && CreateDirectoryW(w, NULL) ? 0 : -1;
}

double tool_sys_now_ms(void)
{
    LARGE_INTEGER t, f;
    QueryPerformanceCounter(&t);
    QueryPerformanceFrequency(&f);
    return (double)t.QuadPart * 1e3 / (double)f.QuadPart;
}

void tool_sys_remove_prefixed(const char *dir, const char *prefix)
{
    char pattern[8400];
    snprintf(pattern, sizeof pattern, "%s%s*", dir, prefix);
    wchar_t w[WPATH_MAX];
    if (!widen(pattern, w)) return;
    WIN32_FIND_DATAW fd;
    HANDLE h = FindFirstFileW(w, &fd);
    if (h == INVALID_HANDLE_VALUE) return;
    do {
        char *name = narrow(fd.cFileName);
        if (name) {
            char full[8400];
            snprintf(full, sizeof full, "%s%s", dir, name);
            wchar_t wf[WPATH_MAX];
            if (widen(full, wf)) DeleteFileW(wf);
            free(name);
        }
    } while (FindNextFileW(h, &fd));
    FindClose(h);
}

/* The signal numbers the POSIX tool reports (SIGHUP has none here). */
enum { TOOL_SIGHUP = 1, TOOL_SIGINT = 2, TOOL_SIGTERM = 15 };

static void (*on_interrupt)(int sig);

/* Runs on a thread the system starts for the event. */
static BOOL WINAPI on_console(DWORD event)
{
    int sig = event == CTRL_C_EVENT || event == CTRL_BREAK_EVENT ? TOOL_SIGINT : TOOL_SIGHUP;
    on_interrupt(sig);
    ExitProcess(0xC000013AU); /* STATUS_CONTROL_C_EXIT, what Ctrl+C ends a program with */
    return TRUE;
}

void tool_sys_watch_interrupts(void (*on)(int sig))
{
    on_interrupt = on;
    SetConsoleCtrlHandler(on_console, TRUE);
}

const char *tool_sys_signal_name(int sig)
{
    return sig == TOOL_SIGINT ? "SIGINT" : sig == TOOL_SIGTERM ? "SIGTERM" : sig == TOOL_SIGHUP ? "SIGHUP" : "a signal";
}

#else
typedef int tool_sys_win_unused;
#endif
