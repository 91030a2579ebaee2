/* qoi2exr: QOI -> EXR with the library's conversion (sRGB decoded to
 * linear, alpha premultiplied, half RGB(A), chromaticities attribute).
 *   usage: qoi2exr IN.qoi OUT.exr [COMPRESSION]   (default zip) */
#include <stdio.h>
#include <string.h>

#include <exrqoi/exrqoi.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: qoi2exr IN.qoi OUT.exr [COMPRESSION]\n");
        return 2;
    }
    exrqoi_qoi_to_exr_options o = EXRQOI_QOI_TO_EXR_OPTIONS_INIT;
    if (argc > 3) {
        if (exrqoi_compression_from_name(argv[3], &o.compression) != EXRQOI_OK) {
            fprintf(stderr, "qoi2exr: unknown compression '%s'\n", argv[3]);
            return 2;
        }
    }
    exrqoi_result rv = exrqoi_convert_qoi_to_exr(exrqoi_source_path(argv[1]), exrqoi_sink_path(argv[2]), &o);
    if (rv != EXRQOI_OK) {
        fprintf(stderr, "qoi2exr: %s -> %s: %s\n", argv[1], argv[2], exrqoi_strerror(rv));
        return 1;
    }
    return 0;
}
