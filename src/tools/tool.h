/* Shared pieces of the exrqoi command-line tool. */
#ifndef EXRQOI_TOOL_H
#define EXRQOI_TOOL_H

#include <stdbool.h>
#include <stdio.h>

#include "exrqoi/exrqoi.h"

/* printf-style checking of the tool's own formatting functions; MinGW's
 * C99 printf (__USE_MINGW_ANSI_STDIO, the Windows toolchain file turns it
 * on) takes %zu and %llu as glibc does */
#ifdef __MINGW32__
#define TOOL_PRINTF(f, a) __attribute__((format(gnu_printf, f, a)))
#else
#define TOOL_PRINTF(f, a) __attribute__((format(printf, f, a)))
#endif

/* Growable text buffer: output is printed only once a file succeeded. */
typedef struct tool_buf {
    char *data;
    size_t len, cap;
} tool_buf;

void tool_buf_printf(tool_buf *b, const char *fmt, ...) TOOL_PRINTF(2, 3);
void tool_buf_free(tool_buf *b);

/* Collects the library's detailed messages for error lines. */
typedef struct tool_msg {
    char text[600];
} tool_msg;
void tool_on_message(void *user, exrqoi_result code, const char *message);
/* "message" if the library gave one, else strerror(code). */
const char *tool_error_text(const tool_msg *m, exrqoi_result code);

/* Options common to the subcommands. */
typedef struct tool_common {
    int threads; /* 0 = all cores */
} tool_common;

int cmd_info(int argc, char **argv);
int cmd_hash(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_flatten(int argc, char **argv);
int cmd_bench(int argc, char **argv);

/* Escapes a name as the canonical listing does (bytes 0x21..0x7e except
 * backslash as themselves, all else \xHH). */
void tool_escape(tool_buf *b, const char *s);

/* CRC-32 continued from crc over n values of `size` (1, 2 or 4) bytes each,
 * taken as little-endian bytes whatever the host's order (cmd_hash.c). */
uint32_t exrqoi_tool_crc_le(uint32_t crc, const void *data, size_t n, size_t size);
/* Deep levels: counts and deepchan lines (cmd_hash_deep.c). */
exrqoi_result exrqoi_tool_hash_deep_level(exrqoi_reader *r, int part, const exrqoi_part_info *pi,
                                          int lx, int ly, tool_buf *out);

#endif
