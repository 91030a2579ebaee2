/* The tool's operating-system helpers beyond the library's own
 * (src/io/platform.h, which the tool uses for files too): POSIX in
 * sys_posix.c, Windows in sys_win.c (each compiles to nothing on the
 * other system). Paths are UTF-8 on both. */
#ifndef EXRQOI_TOOL_SYS_H
#define EXRQOI_TOOL_SYS_H

#include <stdbool.h>
#include <stdio.h>

/* Made first thing in main(): on Windows the arguments become UTF-8 (from
 * the UTF-16 command line) and standard input and output binary; on
 * POSIX a closed pipe becomes a write error to report (SIGPIPE ignored). */
void tool_sys_init(int *argc, char ***argv);
/* Whether descriptor 0, 1 or 2 is a terminal (a Windows console). */
bool tool_sys_is_terminal(int fd);
/* fopen(path, "rb") for a UTF-8 path. */
FILE *tool_sys_fopen_read(const char *path);
int tool_sys_mkdir(const char *path);
/* Monotonic clock, milliseconds. */
double tool_sys_now_ms(void);
/* Removes the files in `dir` (ending with a separator, or "") whose names
 * start with `prefix`. */
void tool_sys_remove_prefixed(const char *dir, const char *prefix);
/* Interruption: SIGINT, SIGTERM and SIGHUP (Windows: Ctrl+C and
 * Ctrl+Break as SIGINT, closing the console or logging off as SIGHUP)
 * call `on` on a thread of their own; when it returns, the process ends
 * as interrupted (POSIX: by that signal; Windows: STATUS_CONTROL_C_EXIT).
 * Call before starting any other thread. */
void tool_sys_watch_interrupts(void (*on)(int sig));
/* The names of the signals `on` receives. */
const char *tool_sys_signal_name(int sig);

#endif
