/* Hostile HTJ2K chunks against our decoder, made from our encoder's own
 * chunks (so the test needs no files): huge declared image and tile
 * sizes, component counts and sampling that disagree with the header,
 * code-block lengths that run past the end of the data, and
 * irreversible or otherwise unsupported coding parameters. Every case
 * must end in a clean error (an error code and a message), never a
 * crash, a read past the end (the chunk is copied to an exact-size
 * buffer for ASan), an overflow (UBSan) or a huge allocation.
 * Usage: htj2k_hostile (no arguments). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/codec.h"
#include "codec/htj2k_enc.h"

static int g_fail, g_cases;

#define FAIL(...)                                                                                            \
    do {                                                                                                     \
        fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                                 \
        fprintf(stderr, __VA_ARGS__);                                                                        \
        fputc('\n', stderr);                                                                                 \
        g_fail++;                                                                                            \
    } while (0)

static uint32_t be16(const uint8_t *p) { return ((uint32_t)p[0] << 8) | p[1]; }
static uint32_t be32(const uint8_t *p) { return (be16(p) << 16) | be16(p + 2); }
static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v & 0xFFFF);
}

/* Decodes n bytes of p (copied to an exact-size buffer). */
static exrqoi_result decode(const uint8_t *p, size_t n, const exrqoi__block_layout *b, uint8_t *out, char *msg,
                            size_t msg_cap)
{
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    uint8_t *copy = malloc(n ? n : 1);
    if (n) memcpy(copy, p, n);
    exrqoi_result r = exrqoi__decompress_block(&ctx, b, copy, n, out);
    snprintf(msg, msg_cap, "%s", ctx.err.msg);
    free(copy);
    exrqoi__codec_ctx_free(&ctx);
    return r;
}

/* One hostile variant: must fail with a message. */
static void expect_error(const char *what, const uint8_t *p, size_t n, const exrqoi__block_layout *b, uint8_t *out)
{
    char msg[512];
    g_cases++;
    exrqoi_result r = decode(p, n, b, out, msg, sizeof msg);
    if (r == EXRQOI_OK)
        FAIL("%s: decoded without an error", what);
    else if (!msg[0])
        FAIL("%s: error %d without a message", what, (int)r);
}

/* Offset of the first marker segment m of the codestream at cs (n bytes)
 * before SOD, or 0. */
static size_t find_marker(const uint8_t *cs, size_t n, uint32_t m)
{
    size_t p = 2;
    while (p + 4 <= n) {
        uint32_t mk = be16(cs + p);
        if (mk == m) return p;
        if (mk == 0xFF93) break;
        p += 2 + (mk == 0xFF90 ? 10 : be16(cs + p + 2));
    }
    return 0;
}

static void run(int w, int h, int nc, const char *const *names)
{
    exrqoi__chan_layout ch[8];
    for (int i = 0; i < nc; i++) ch[i] = (exrqoi__chan_layout){names[i], EXRQOI_PIXEL_HALF, 2, 0, 1, 1, w, h};
    exrqoi__block_layout b = {0, 0, w, h, nc, ch, (size_t)w * h * nc * 2, EXRQOI_COMPRESSION_HTJ2K32, 0};
    uint8_t *src = malloc(b.unpacked_size), *out = malloc(b.unpacked_size), *chunk = malloc(4 * b.unpacked_size + 4096);
    uint8_t *mut = malloc(4 * b.unpacked_size + 4096);
    uint64_t rng = 0x9E3779B97F4A7C15ull;
    for (size_t i = 0; i < b.unpacked_size; i += 2) {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        uint16_t v = (uint16_t)(0x3800 + ((i / 2) % 97) * 5 + (rng & 0x3F)); /* compressible, noisy */
        src[i] = (uint8_t)v;
        src[i + 1] = (uint8_t)(v >> 8);
    }
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    size_t n = 0;
    exrqoi_result r = exrqoi__htj2k_encode_payload(&ctx, &b, src, chunk, 4 * b.unpacked_size + 4096, &n);
    exrqoi__codec_ctx_free(&ctx);
    char msg[512], what[128];
    if (r != EXRQOI_OK || decode(chunk, n, &b, out, msg, sizeof msg) != EXRQOI_OK ||
        memcmp(out, src, b.unpacked_size) != 0) {
        FAIL("%dx%d x%d: our own chunk does not round-trip", w, h, nc);
        goto done;
    }
    const size_t cs0 = 6 + be32(chunk + 2);
    const uint8_t *cs = chunk + cs0;
    const size_t csn = n - cs0;
    const size_t siz = find_marker(cs, csn, 0xFF51), cod = find_marker(cs, csn, 0xFF52);
    const size_t sot = find_marker(cs, csn, 0xFF90);
    if (!siz || !cod || !sot) {
        FAIL("%dx%d: SIZ, COD or SOT missing", w, h);
        goto done;
    }
    /* SIZ: Xsiz, Ysiz (+6, +10), XTsiz, YTsiz (+22, +26), Csiz (+38), then
     * per component Ssiz, XRsiz, YRsiz. Huge image sizes (tiles larger
     * than the image are legal, so only the image's) */
    static const uint32_t huge[] = {0xFFFFFFFFu, 0x80000000u, 0x7FFFFFFFu, 0x10000u, 0x1000000u};
    static const int fields[] = {6, 10};
    for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++)
        for (size_t k = 0; k < sizeof huge / sizeof huge[0]; k++) {
            memcpy(mut, chunk, n);
            put32(mut + cs0 + siz + fields[f], huge[k]);
            snprintf(what, sizeof what, "%dx%d: SIZ field +%d = 0x%08X", w, h, fields[f], huge[k]);
            expect_error(what, mut, n, &b, out);
        }
    /* tiles of width or height 0 */
    for (int f = 22; f <= 26; f += 4) {
        memcpy(mut, chunk, n);
        put32(mut + cs0 + siz + f, 0);
        expect_error("a tile size of 0", mut, n, &b, out);
    }
    /* image offset past the image, components: count, depth, sampling */
    memcpy(mut, chunk, n);
    put32(mut + cs0 + siz + 14, be32(cs + siz + 6));
    expect_error("XOsiz = Xsiz", mut, n, &b, out);
    static const uint32_t counts[] = {0, 16385, 0xFFFF};
    for (size_t k = 0; k < 3; k++) {
        memcpy(mut, chunk, n);
        put16(mut + cs0 + siz + 38, counts[k]);
        snprintf(what, sizeof what, "Csiz = %u", counts[k]);
        expect_error(what, mut, n, &b, out);
    }
    for (int c = 0; c < nc; c++) {
        static const uint8_t bad[][3] = {{0x7F, 1, 1}, {0x8F, 0, 1}, {0x8F, 1, 0}, {0x8F, 2, 2}, {0xA5, 1, 1}};
        for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
            memcpy(mut, chunk, n);
            memcpy(mut + cs0 + siz + 40 + 3 * c, bad[k], 3);
            snprintf(what, sizeof what, "component %d: Ssiz 0x%02X, sampling %d x %d", c, bad[k][0], bad[k][1],
                     bad[k][2]);
            expect_error(what, mut, n, &b, out);
        }
    }
    /* COD (from its marker): +5 progression order, +9 levels, +10/+11
     * code-block size exponents, +12 style, +13 transform (0 = irreversible 9/7) */
    static const struct {
        int at;
        uint8_t v;
        const char *name;
    } cods[] = {{13, 0, "irreversible 9/7 wavelet"}, {13, 7, "unknown wavelet"},   {12, 0x00, "no HT code blocks"},
                {12, 0xC0, "mixed HT and Part 1 code blocks"}, {9, 33, "33 decomposition levels"},
                {10, 9, "code blocks 2048 wide"}, {11, 9, "code blocks 2048 high"},
                {10, 8, "code blocks of 4096+ samples"}, {5, 9, "unknown progression order"}};
    for (size_t k = 0; k < sizeof cods / sizeof cods[0]; k++) {
        memcpy(mut, chunk, n);
        mut[cs0 + cod + cods[k].at] = cods[k].v;
        expect_error(cods[k].name, mut, n, &b, out);
    }
    /* code-block lengths past the end of the data: the tile part cut
     * short but its length (Psot) made to agree, without EOC */
    const uint32_t psot = be32(cs + sot + 6);
    const size_t body = sot + 12; /* SOD and the packets */
    for (int cut = 1; cut <= 9; cut++) {
        size_t keep = cs0 + body + (size_t)((psot - 12) * (uint64_t)(10 - cut) / 10);
        if (keep <= cs0 + body + 2) continue;
        memcpy(mut, chunk, keep);
        put32(mut + cs0 + sot + 6, (uint32_t)(keep - cs0 - sot));
        snprintf(what, sizeof what, "%dx%d: tile part cut to %d0%% with a matching Psot", w, h, 10 - cut);
        expect_error(what, mut, keep, &b, out);
        /* the same with Psot 0 ("to the end of the codestream") */
        put32(mut + cs0 + sot + 6, 0);
        expect_error(what, mut, keep, &b, out);
    }
    /* a Psot larger than what is there */
    memcpy(mut, chunk, n);
    put32(mut + cs0 + sot + 6, psot + 1000);
    expect_error("Psot past the end", mut, n, &b, out);
done:
    free(src);
    free(out);
    free(chunk);
    free(mut);
}

int main(void)
{
    static const char *const rgba[] = {"A", "B", "G", "R"};
    static const char *const y[] = {"Y"};
    run(64, 32, 4, rgba);
    run(129, 17, 4, rgba);
    run(300, 32, 1, y);
    printf("htj2k_hostile: %d hostile chunks, %d not refused cleanly\n", g_cases, g_fail);
    return g_fail ? 1 : 0;
}
