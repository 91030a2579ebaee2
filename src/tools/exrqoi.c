/* exrqoi: the command-line tool. Each subcommand lives in cmd_<name>.c. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/sys.h"
#include "tools/tool.h"

void tool_buf_printf(tool_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if (b->len + (size_t)n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->len + (size_t)n + 1) cap *= 2;
        char *d = realloc(b->data, cap);
        if (!d) return;
        b->data = d;
        b->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void tool_buf_free(tool_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

void tool_on_message(void *user, exrqoi_result code, const char *message)
{
    (void)code;
    tool_msg *m = (tool_msg *)user;
    /* keep the first (most specific) message */
    if (!m->text[0]) snprintf(m->text, sizeof m->text, "%s", message);
}

const char *tool_error_text(const tool_msg *m, exrqoi_result code)
{
    return m->text[0] ? m->text : exrqoi_strerror(code);
}

void tool_escape(tool_buf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p >= 0x21 && *p <= 0x7e && *p != '\\')
            tool_buf_printf(b, "%c", *p);
        else
            tool_buf_printf(b, "\\x%02x", *p);
    }
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: exrqoi <command> [options] FILE...\n"
            "commands:\n"
            "  info FILE...            print every part's header (EXR) or the header (QOI)\n"
            "  hash FILE...            print the canonical content listing (EXR or QOI)\n"
            "  convert IN OUT          convert EXR<->EXR, EXR->QOI, QOI->EXR, QOI->QOI\n"
            "  convert IN... -o DIR    convert many files into DIR\n"
            "  check FILE...           verify every chunk (EXR) or the whole stream (QOI)\n"
            "  flatten IN OUT          composite deep parts into flat RGBA(+Z)\n"
            "  bench FILE...           time decoding (and encoding) with this library\n"
            "  --version               print the library version\n"
            "'-' is standard input (or output). Run 'exrqoi <command> --help' for a\n"
            "command's options.\n"
            "exit status: 0 success, 1 the work failed (unreadable, damaged or unwritable\n"
            "file), 2 usage error (unknown option, bad value, wrong operands).\n");
}

int main(int argc, char **argv)
{
    tool_sys_init(&argc, &argv);
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        printf("exrqoi %s\n", exrqoi_version_string());
        return 0;
    }
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return 0;
    }
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } cmds[] = {{"info", cmd_info},   {"hash", cmd_hash},       {"convert", cmd_convert},
                {"check", cmd_check}, {"flatten", cmd_flatten}, {"bench", cmd_bench}};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (!strcmp(cmd, cmds[i].name)) {
            int rc = cmds[i].fn(argc - 1, argv + 1);
            /* results that could not be written are a failure too */
            if (fflush(stdout) != 0 && rc == 0) {
                fprintf(stderr, "exrqoi %s: cannot write the output: %s\n", cmd, strerror(errno));
                rc = 1;
            }
            return rc;
        }
    fprintf(stderr, "exrqoi: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}
