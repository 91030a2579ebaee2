/* The shared option parser and help printer (see opts.h). */
#include "tools/opts.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "exrqoi/exrqoi.h"

int tool_usage_error(const tool_cmd *cmd, const char *fmt, ...)
{
    fprintf(stderr, "exrqoi %s: ", cmd->name);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see 'exrqoi %s --help')\n", cmd->name);
    return TOOL_USAGE;
}

static const tool_opt *find_long(const tool_cmd *cmd, const char *name, size_t len)
{
    for (int i = 0; i < cmd->opt_count; i++)
        if (strlen(cmd->opts[i].name) == len && !strncmp(cmd->opts[i].name, name, len)) return &cmd->opts[i];
    return NULL;
}

static const tool_opt *find_short(const tool_cmd *cmd, char c)
{
    for (int i = 0; i < cmd->opt_count; i++)
        if (cmd->opts[i].short_name == c) return &cmd->opts[i];
    return NULL;
}

/* Stores `value` for option `o`; a message and TOOL_USAGE when it is bad. */
static int set_value(const tool_cmd *cmd, const tool_opt *o, const char *value)
{
    switch (o->kind) {
    case OPT_FLAG: *(int *)o->dest = 1; return TOOL_OK;
    case OPT_STRING: *(const char **)o->dest = value; return TOOL_OK;
    case OPT_INT: {
        char *end;
        errno = 0;
        long v = strtol(value, &end, 10);
        if (end == value || *end || errno)
            return tool_usage_error(cmd, "--%s: '%s' is not a whole number", o->name, value);
        if (v < o->min || v > o->max)
            return tool_usage_error(cmd, "--%s: %ld is out of range (%.0f to %.0f)", o->name, v, o->min, o->max);
        *(int *)o->dest = (int)v;
        return TOOL_OK;
    }
    case OPT_FLOAT: {
        char *end;
        errno = 0;
        double v = strtod(value, &end);
        if (end == value || *end || errno || !isfinite(v))
            return tool_usage_error(cmd, "--%s: '%s' is not a number", o->name, value);
        if (v < o->min || v > o->max)
            return tool_usage_error(cmd, "--%s: %s is out of range (%g to %g)", o->name, value, o->min, o->max);
        *(float *)o->dest = (float)v;
        return TOOL_OK;
    }
    case OPT_CHOICE:
        for (int i = 0; o->choices[i]; i++)
            if (!strcmp(o->choices[i], value)) {
                *(int *)o->dest = i;
                return TOOL_OK;
            }
        break;
    case OPT_CODEC: {
        exrqoi_compression c;
        if (exrqoi_compression_from_name(value, &c) == EXRQOI_OK) {
            *(int *)o->dest = (int)c;
            return TOOL_OK;
        }
        break;
    }
    }
    return tool_usage_error(cmd, "--%s: unknown value '%s'", o->name, value);
}

int tool_parse(const tool_cmd *cmd, int argc, char **argv, const char **pos, int *npos)
{
    *npos = 0;
    bool options = true;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!options || a[0] != '-' || !a[1]) {
            pos[(*npos)++] = a;
            continue;
        }
        if (!strcmp(a, "--")) {
            options = false;
            continue;
        }
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            tool_help(cmd, stdout);
            return -1;
        }
        const tool_opt *o;
        const char *value = NULL;
        if (a[1] == '-') {
            const char *eq = strchr(a + 2, '=');
            size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
            o = find_long(cmd, a + 2, len);
            if (!o) return tool_usage_error(cmd, "unknown option '%.*s'", (int)(len + 2), a);
            if (eq) {
                if (o->kind == OPT_FLAG) return tool_usage_error(cmd, "--%s takes no value", o->name);
                value = eq + 1;
            }
        } else {
            o = a[2] ? NULL : find_short(cmd, a[1]);
            if (!o) return tool_usage_error(cmd, "unknown option '%s'", a);
        }
        if (o->kind != OPT_FLAG && !value) {
            if (i + 1 >= argc) return tool_usage_error(cmd, "--%s needs a value (%s)", o->name, o->arg);
            value = argv[++i];
        }
        int rc = set_value(cmd, o, value);
        if (rc) return rc;
    }
    return TOOL_OK;
}

void tool_help(const tool_cmd *cmd, FILE *f)
{
    const char *s = cmd->synopsis;
    bool first = true;
    while (*s) {
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        fprintf(f, "%s exrqoi %s [options] %.*s\n", first ? "usage:" : "      ", cmd->name, (int)len, s);
        first = false;
        s += len + (nl ? 1 : 0);
    }
    fprintf(f, "%s\noptions:\n", cmd->about);
    for (int i = 0; i < cmd->opt_count; i++) {
        const tool_opt *o = &cmd->opts[i];
        char head[64];
        if (o->short_name)
            snprintf(head, sizeof head, "-%c, --%s%s%s", o->short_name, o->name, o->arg ? " " : "",
                     o->arg ? o->arg : "");
        else
            snprintf(head, sizeof head, "    --%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        fprintf(f, "  %-24s %s", head, o->help);
        if (o->kind == OPT_INT) fprintf(f, " (%.0f to %.0f", o->min, o->max);
        if (o->kind == OPT_FLOAT) fprintf(f, " (%g to %g", o->min, o->max);
        if (o->kind == OPT_CHOICE) {
            fprintf(f, " (");
            for (int k = 0; o->choices[k]; k++) fprintf(f, "%s%s", k ? "|" : "", o->choices[k]);
        }
        if (o->kind == OPT_CODEC) {
            fprintf(f, " (");
            for (int c = 0; c < EXRQOI_COMPRESSION_COUNT; c++)
                fprintf(f, "%s%s", c ? "|" : "", exrqoi_compression_name((exrqoi_compression)c));
        }
        if (o->kind == OPT_INT || o->kind == OPT_FLOAT || o->kind == OPT_CHOICE || o->kind == OPT_CODEC)
            fprintf(f, o->def ? "; " : ")");
        else if (o->def)
            fprintf(f, " (");
        if (o->def) fprintf(f, "default %s)", o->def);
        fputc('\n', f);
    }
    fprintf(f, "  %-24s %s\n", "-h, --help", "print this help and exit");
    fprintf(f, "  %-24s %s\n", "--", "end of options (a later operand may start with '-')");
    fprintf(f, "exit status: 0 success, 1 the work failed (unreadable, damaged or unwritable\n"
               "file), 2 usage error (unknown option, bad value, wrong operands).\n");
}

bool tool_parse_inputs(const tool_cmd *cmd, int argc, char **argv, const char ***pos, int *npos,
                       int *status)
{
    *npos = 0;
    *pos = calloc((size_t)argc + 1, sizeof **pos);
    if (!*pos) {
        *status = TOOL_FAILED;
        return false;
    }
    *status = tool_parse(cmd, argc, argv, *pos, npos);
    if (*status < 0) *status = TOOL_OK;
    else if (!*status && !*npos) *status = tool_usage_error(cmd, "no input files");
    if (*status || !*npos) {
        free(*pos);
        *pos = NULL;
        return false;
    }
    return true;
}

bool tool_parse_json_inputs(const tool_cmd *cmd, int argc, char **argv, const char ***pos, int *npos,
                            int *status, const int *json, const int *json_lines)
{
    if (!tool_parse_inputs(cmd, argc, argv, pos, npos, status)) return false;
    if (*json && *json_lines) {
        free(*pos);
        *pos = NULL;
        *status = tool_usage_error(cmd, "--json and --json-lines exclude each other");
        return false;
    }
    return true;
}
