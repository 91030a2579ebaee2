/* Header builders. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "test_support.h"

void ts_header_image(exrqoi_header *h, exrqoi_box2i dw, const exrqoi_box2i *display, exrqoi_compression c)
{
    int32_t w = dw.max.x - dw.min.x + 1, ht = dw.max.y - dw.min.y + 1;
    assert_int_equal(exrqoi_header_init_image(h, NULL, w, ht, c), EXRQOI_OK);
    assert_int_equal(exrqoi_header_set_box2i(h, "dataWindow", dw), EXRQOI_OK);
    if (display) assert_int_equal(exrqoi_header_set_box2i(h, "displayWindow", *display), EXRQOI_OK);
}

void ts_header_add_channels(exrqoi_header *h, int n, const char *const *names, const exrqoi_pixel_type *types)
{
    for (int k = 0; k < n; k++)
        assert_int_equal(exrqoi_header_add_channel(h, names[k], types[k], 1, 1, 0), EXRQOI_OK);
}
