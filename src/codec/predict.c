/* The byte shuffle shared by ZIP, ZIPS and RLE: bytes at even offsets go
 * to the first half, odd offsets to the second; then each byte becomes its
 * difference from the previous one, biased by 128. */
#include "codec/codec.h"

void exrqoi__zip_predict(const uint8_t *in, size_t n, uint8_t *out)
{
    if (n == 0) return;
    uint8_t *t1 = out;
    uint8_t *t2 = out + (n + 1) / 2;
    size_t i = 0;
    for (; i + 1 < n; i += 2) {
        *t1++ = in[i];
        *t2++ = in[i + 1];
    }
    if (i < n) *t1 = in[i];
    uint8_t prev = out[0];
    for (size_t k = 1; k < n; k++) {
        uint8_t cur = out[k];
        out[k] = (uint8_t)(cur - prev + 128);
        prev = cur;
    }
}

/* Undo the predictor in place in `buf`, then interleave the halves into `out`. */
void exrqoi__zip_unpredict(uint8_t *buf, size_t n, uint8_t *out)
{
    if (n == 0) return;
    uint8_t acc = buf[0];
    for (size_t k = 1; k < n; k++) {
        acc = (uint8_t)(acc + buf[k] - 128);
        buf[k] = acc;
    }
    const uint8_t *t1 = buf;
    const uint8_t *t2 = buf + (n + 1) / 2;
    size_t i = 0;
    for (; i + 1 < n; i += 2) {
        out[i] = *t1++;
        out[i + 1] = *t2++;
    }
    if (i < n) out[i] = *t1;
}
