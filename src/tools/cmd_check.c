/* exrqoi check: verifies every chunk of every part of each file and lists
 * what is missing, truncated or corrupt. Exit status 0 only when every file
 * is whole. */
#include <stdlib.h>
#include <string.h>

#include "tools/tool.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: exrqoi check [--quiet] [--threads N] FILE...\n"
               "Reads and decodes every chunk of every part; prints one line per damaged\n"
               "chunk (part, chunk index, coordinates, byte offset, reason) and a summary\n"
               "per file. Exit status: 0 all files whole, 1 a file is damaged, 2 usage.\n");
}

static int check_one(const char *path, int threads, int quiet)
{
    exrqoi_read_options o;
    memset(&o, 0, sizeof o);
    o.threads = threads;
    exrqoi_check_report rep;
    exrqoi_result rv = exrqoi_check_path(path, &o, &rep);
    for (size_t i = 0; i < rep.problem_count; i++) {
        const exrqoi_check_problem *p = &rep.problems[i];
        if (p->part < 0) {
            printf("%s: %s: %s\n", path, exrqoi_check_kind_name(p->kind), p->reason);
            continue;
        }
        printf("%s: part %d chunk %llu", path, p->part, (unsigned long long)p->chunk);
        if (p->level_x || p->level_y || p->tile_x || p->tile_y)
            printf(" tile %d,%d level %d,%d", p->tile_x, p->tile_y, p->level_x, p->level_y);
        printf(" pixels %d,%d-%d,%d", p->window.min.x, p->window.min.y, p->window.max.x,
               p->window.max.y);
        if (p->file_offset)
            printf(" at byte %llu", (unsigned long long)p->file_offset);
        else
            printf(" at no known byte");
        printf(": %s: %s\n", exrqoi_check_kind_name(p->kind), p->reason);
    }
    if (rep.problems_dropped)
        printf("%s: ... and %llu more damaged chunks\n", path,
               (unsigned long long)rep.problems_dropped);
    int whole = rv == EXRQOI_OK;
    if (!quiet || !whole) {
        if (rep.part_count == 0 && !whole)
            printf("%s: DAMAGED (%s)\n", path, exrqoi_error_name(rv));
        else
            printf("%s: %s: %d part(s), %llu of %llu chunks whole%s\n", path,
                   whole ? "OK" : "DAMAGED", rep.part_count, (unsigned long long)rep.chunks_ok,
                   (unsigned long long)rep.chunk_count,
                   rep.offsets_rebuilt ? ", offset table damaged (rebuilt by scanning)" : "");
    }
    /* a rebuilt offset table means the file itself is not whole */
    if (rep.offsets_rebuilt) whole = 0;
    exrqoi_check_report_free(&rep);
    return whole ? 0 : 1;
}

int cmd_check(int argc, char **argv)
{
    int threads = 0, quiet = 0, status = 0, files = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
            threads = atoi(argv[++i]);
            continue;
        }
        if (!strcmp(argv[i], "--quiet") || !strcmp(argv[i], "-q")) {
            quiet = 1;
            continue;
        }
        files++;
        if (check_one(argv[i], threads, quiet)) status = 1;
    }
    if (!files) {
        usage(stderr);
        return 2;
    }
    fflush(stdout);
    return status;
}
