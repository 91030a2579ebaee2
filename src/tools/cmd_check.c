/* exrqoi check: verifies every chunk of every part of each EXR file (or
 * the whole stream of a QOI file, strictly) and lists what is missing,
 * truncated or corrupt, on stdout. A file that cannot be opened, or is
 * neither EXR nor QOI, is an error on stderr. Exit status 0 only when
 * every file is whole. */
#include <stdlib.h>
#include <string.h>

#include "tools/files.h"
#include "tools/opts.h"
#include "tools/progress.h"
#include "tools/tool.h"

static int check_qoi(const tool_src *s, int quiet)
{
    tool_msg msg = {{0}};
    exrqoi_qoi_options qo = EXRQOI_QOI_OPTIONS_INIT;
    qo.struct_size = sizeof qo;
    qo.on_message = tool_on_message;
    qo.message_user = &msg;
    exrqoi_qoi_desc d;
    void *px = NULL;
    exrqoi_result rv = tool_src_decode_qoi(s, &qo, &d, &px);
    exrqoi_free(NULL, px);
    if (rv) {
        printf("%s: DAMAGED: QOI: %s (%s)\n", s->name, tool_error_text(&msg, rv), exrqoi_error_name(rv));
        return 1;
    }
    if (!quiet)
        printf("%s: OK: QOI %ux%u, %u channels, every pixel decoded, end marker in place\n", s->name, d.width,
               d.height, d.channels);
    return 0;
}

static int check_one(const tool_src *s, int threads, int quiet)
{
    if (s->fmt == FMT_QOI) return check_qoi(s, quiet);
    const char *path = s->name;
    exrqoi_read_options o = EXRQOI_READ_OPTIONS_INIT;
    o.threads = threads;
    exrqoi_check_report rep;
    exrqoi_result rv = s->in_memory ? exrqoi_check(exrqoi_source_memory(s->data, s->size), &o, &rep) : exrqoi_check(exrqoi_source_path(path), &o, &rep);
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
    static const char about[] =
        "EXR: reads and decodes every chunk of every part; prints one line per damaged\n"
        "chunk (part, chunk index, coordinates, byte offset, kind, reason) and a summary\n"
        "per file (OK or DAMAGED) on stdout. QOI: decodes the stream strictly (every\n"
        "pixel, the end marker, nothing after it). A file that cannot be opened or is\n"
        "neither EXR nor QOI is an error on stderr. Status 0 only when all are whole.";
    int threads = 0, quiet = 0, verbose = 0;
    const tool_opt opts[] = {
        {"quiet", 'q', OPT_FLAG, NULL, 0, 0, NULL, NULL, "print nothing for whole files", &quiet},
        TOOL_OPT_THREADS(&threads),
        {"verbose", 'v', OPT_FLAG, NULL, 0, 0, NULL, NULL, "a line on stderr per file checked", &verbose},
    };
    const tool_cmd cmd = {"check", "FILE...", about, opts, TOOL_OPT_COUNT(opts)};
    const char **pos;
    int npos, status;
    if (!tool_parse_inputs(&cmd, argc, argv, &pos, &npos, &status)) return status;
    tool_progress bar;
    uint64_t total = 0;
    for (int i = 0; i < npos; i++) total += tool_file_size(pos[i]);
    tool_progress_init(&bar, npos > 1, (size_t)npos, total);
    for (int i = 0; i < npos; i++) {
        tool_src s;
        char why[300];
        tool_progress_clear(&bar);
        if (!tool_src_open(&s, pos[i], why, sizeof why)) {
            fprintf(stderr, "exrqoi check: %s: %s\n", pos[i], why);
            status = TOOL_FAILED;
        } else if (s.fmt != FMT_EXR && s.fmt != FMT_QOI) {
            fprintf(stderr, "exrqoi check: %s: %s\n", pos[i], tool_fmt_not_exr_qoi(s.fmt));
            status = TOOL_FAILED;
        } else {
            int bad = check_one(&s, threads, quiet);
            if (bad) status = TOOL_FAILED;
            if (verbose) fprintf(stderr, "checked %s: %s\n", pos[i], bad ? "damaged" : "whole");
        }
        tool_src_close(&s);
        fflush(stdout);
        tool_progress_update(&bar, (size_t)i + 1, tool_file_size(pos[i]));
    }
    tool_progress_clear(&bar);
    free(pos);
    return status;
}
