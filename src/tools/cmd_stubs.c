/* Subcommands not written yet. */
#include "tools/tool.h"

static int not_yet(const char *name)
{
    fprintf(stderr, "exrqoi %s: not available in this version\n", name);
    return 2;
}
int cmd_check(int argc, char **argv) { (void)argc; (void)argv; return not_yet("check"); }
int cmd_flatten(int argc, char **argv) { (void)argc; (void)argv; return not_yet("flatten"); }
int cmd_bench(int argc, char **argv) { (void)argc; (void)argv; return not_yet("bench"); }
