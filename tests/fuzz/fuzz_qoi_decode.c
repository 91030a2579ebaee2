/* Fuzz target: the QOI decoder (whole and streaming, strict and lenient). */
#include "../hardening/read_all.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint32_t crc = 0;
    (void)hard_read_qoi(data, size, &crc);
    return 0;
}
