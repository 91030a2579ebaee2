/* The one command-line grammar of every exrqoi command: a table of
 * options per command, parsed and described (--help) from that table. */
#ifndef EXRQOI_TOOL_OPTS_H
#define EXRQOI_TOOL_OPTS_H

#include <stdbool.h>
#include <stdio.h>

#include "tools/tool.h"

/* Exit statuses, the same for every command. */
enum {
    TOOL_OK = 0,     /* everything worked */
    TOOL_FAILED = 1, /* the work failed: unreadable or damaged input, write failure, ... */
    TOOL_USAGE = 2   /* the command line is wrong */
};

typedef enum tool_opt_kind {
    OPT_FLAG,   /* sets *(int *)dest to 1 */
    OPT_INT,    /* *(int *)dest, within [min, max] */
    OPT_FLOAT,  /* *(float *)dest, finite, within [min, max] */
    OPT_STRING, /* *(const char **)dest */
    OPT_CHOICE, /* *(int *)dest = index of the value in `choices` */
    OPT_CODEC   /* *(int *)dest = an exrqoi_compression, by its name */
} tool_opt_kind;

typedef struct tool_opt {
    const char *name;  /* long name, without "--" */
    char short_name;   /* 0: none */
    tool_opt_kind kind;
    const char *arg;   /* name of the value in the help ("N") */
    double min, max;   /* OPT_INT, OPT_FLOAT */
    const char *const *choices; /* OPT_CHOICE, NULL-terminated */
    const char *def;   /* default, as the help shows it (NULL: none) */
    const char *help;
    void *dest;
} tool_opt;

typedef struct tool_cmd {
    const char *name;     /* "convert" */
    const char *synopsis; /* operands, one usage line each ("IN OUT\nIN... -o DIR") */
    const char *about;    /* what the command does (may be several lines) */
    const tool_opt *opts;
    int opt_count;
} tool_cmd;

/* The number of entries of a command's option table (an array, not a pointer). */
#define TOOL_OPT_COUNT(opts) ((int)(sizeof(opts) / sizeof((opts)[0])))
/* The options several commands share, spelled and explained once. */
#define TOOL_OPT_THREADS(dest) {"threads", 0, OPT_INT, "N", 0, 1024, NULL, "0 = all cores", "worker threads", (dest)}
#define TOOL_OPT_JSON(dest) {"json", 0, OPT_FLAG, NULL, 0, 0, NULL, NULL, "JSON: one array with an object per file", (dest)}
#define TOOL_OPT_JSON_LINES(dest) \
    {"json-lines", 0, OPT_FLAG, NULL, 0, 0, NULL, NULL, "JSON: one object per file, one per line", (dest)}

/* Parses argv[1..argc-1]: options anywhere, "--opt value", "--opt=value",
 * "-x value", "--" ends the options, "-" is an operand. Operands are
 * stored in order in pos (argc entries). Returns TOOL_OK, or TOOL_USAGE
 * after a message on stderr, or -1 when --help/-h was printed (exit 0). */
int tool_parse(const tool_cmd *cmd, int argc, char **argv, const char **pos, int *npos);
/* tool_parse for a command that needs at least one input operand: *pos is
 * allocated (the caller frees it) and no operand is a usage error. Returns
 * true when the command goes on; otherwise it returns *status (pos freed). */
bool tool_parse_inputs(const tool_cmd *cmd, int argc, char **argv, const char ***pos, int *npos,
                       int *status);
/* tool_parse_inputs for a command with --json and --json-lines, which
 * exclude each other (a usage error, pos freed). */
bool tool_parse_json_inputs(const tool_cmd *cmd, int argc, char **argv, const char ***pos, int *npos,
                            int *status, const int *json, const int *json_lines);
/* The full help of a command (every option with its default and range). */
void tool_help(const tool_cmd *cmd, FILE *f);
/* "exrqoi CMD: <message> (see 'exrqoi CMD --help')" on stderr; TOOL_USAGE. */
int tool_usage_error(const tool_cmd *cmd, const char *fmt, ...) TOOL_PRINTF(2, 3);

#endif
