/* Deep levels through the reader and writer: placeholder until wired. */
#include "chunk/reader.h"
#include "exrqoi/image.h"

exrqoi_result exrqoi_reader_read_deep(exrqoi_reader *r, int part, int lx, int ly, exrqoi_deep_image *out)
{
    (void)part; (void)lx; (void)ly; (void)out;
    return exrqoi__fail(r ? &r->err : NULL, EXRQOI_ERR_UNSUPPORTED, "deep reading is not available yet");
}

exrqoi_result exrqoi_writer_write_deep(exrqoi_writer *w, int part, int lx, int ly, const exrqoi_deep_image *img)
{
    (void)w; (void)part; (void)lx; (void)ly; (void)img;
    return EXRQOI_ERR_UNSUPPORTED;
}
