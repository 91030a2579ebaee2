/* A progress bar on stderr for batch work: files done/total, MB/s and
 * time left, redrawn at most ten times a second, and only when stderr is
 * a terminal (nothing at all otherwise). Callers serialise the calls. */
#ifndef EXRQOI_TOOL_PROGRESS_H
#define EXRQOI_TOOL_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct tool_progress {
    bool on, drawn;
    size_t total_files, done_files;
    uint64_t total_bytes, done_bytes;
    double start, last_draw; /* seconds */
} tool_progress;

/* `wanted`: batch work (the bar still needs stderr to be a terminal). */
void tool_progress_init(tool_progress *p, bool wanted, size_t total_files, uint64_t total_bytes);
/* One more file finished (`bytes` of input). */
void tool_progress_update(tool_progress *p, size_t done_files, uint64_t bytes);
/* Erases the bar (before other output, and at the end). */
void tool_progress_clear(tool_progress *p);

#endif
