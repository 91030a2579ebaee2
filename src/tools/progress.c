/* The batch progress bar (see progress.h). */
#define _POSIX_C_SOURCE 200809L
#include "tools/progress.h"

#include <stdio.h>

#include "tools/sys.h"

static double now_s(void)
{
    return tool_sys_now_ms() / 1e3;
}

static void draw(tool_progress *p, double t)
{
    const int width = 24;
    int filled = (int)(p->total_files ? p->done_files * (size_t)width / p->total_files : 0);
    char bar[32];
    for (int i = 0; i < width; i++) bar[i] = i < filled ? '#' : '.';
    bar[width] = 0;
    double elapsed = t - p->start;
    double mbs = elapsed > 0 ? (double)p->done_bytes / 1e6 / elapsed : 0;
    fprintf(stderr, "\r[%s] %zu/%zu files  %.1f MB/s", bar, p->done_files, p->total_files, mbs);
    if (p->done_bytes > 0 && p->total_bytes > p->done_bytes) {
        double left = elapsed * (double)(p->total_bytes - p->done_bytes) / (double)p->done_bytes;
        fprintf(stderr, "  %d:%02d left", (int)(left / 60), (int)left % 60);
    }
    fprintf(stderr, "\033[K");
    fflush(stderr);
    p->drawn = true;
    p->last_draw = t;
}

void tool_progress_init(tool_progress *p, bool wanted, size_t total_files, uint64_t total_bytes)
{
    p->on = wanted && tool_sys_is_terminal(2);
    p->drawn = false;
    p->total_files = total_files;
    p->total_bytes = total_bytes;
    p->done_files = 0;
    p->done_bytes = 0;
    p->start = now_s();
    p->last_draw = -1;
    if (p->on) draw(p, p->start);
}

void tool_progress_update(tool_progress *p, size_t done_files, uint64_t bytes)
{
    p->done_files = done_files;
    p->done_bytes += bytes;
    if (!p->on) return;
    double t = now_s();
    if (p->last_draw < 0 || t - p->last_draw >= 0.1 || done_files == p->total_files) draw(p, t);
}

void tool_progress_clear(tool_progress *p)
{
    if (!p->on || !p->drawn) return;
    fprintf(stderr, "\r\033[K");
    fflush(stderr);
    p->drawn = false;
}
