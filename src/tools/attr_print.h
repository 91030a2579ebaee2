/* Printing attribute values for the command-line tool. */
#ifndef EXRQOI_TOOLS_ATTR_PRINT_H
#define EXRQOI_TOOLS_ATTR_PRINT_H

#include <stdio.h>

#include "exrqoi/meta.h"

/* One attribute in the style of OpenEXR's exrheader, newline included:
 * "dataWindow (type box2i): (0 0) - (609 405)\n". Multi-line values
 * (channels, matrices, ...) continue on lines indented by four spaces. */
void exrqoi_tool_print_attr(FILE *f, const exrqoi_attribute *a);

/* One attribute as a JSON object {"name":...,"type":...,"value":...}, no
 * newline. Floats print with enough digits to round-trip (%.9g / %.17g),
 * NaN and infinities as the strings "NaN", "Infinity", "-Infinity"; raw
 * bytes as lower-case hex strings; a preview as {"width":..,"height":..}. */
void exrqoi_tool_print_attr_json(FILE *f, const exrqoi_attribute *a);

#endif
