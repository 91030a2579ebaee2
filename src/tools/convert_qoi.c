/* exrqoi convert for QOI inputs/outputs: placeholder until the converter lands. */
#include "tools/tool.h"

int exrqoi_tool_convert_qoi(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "exrqoi convert: QOI conversion is not available in this version\n");
    return 2;
}
