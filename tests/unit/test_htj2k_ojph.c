/* HTJ2K codestreams made by OpenJPH's ojph_compress (Debian openjph-tools,
 * test-only) with parameters OpenEXR does not use: code-block sizes from
 * 4 to 1024 wide, 0 to 6 decomposition levels, every progression order
 * with precincts, tiles with offsets, image offsets, odd sizes down to
 * 1x1, 8- and 16-bit samples, 1 and 3 components, colour transform on and
 * off, subsampled components. Our decoder must give back exactly the
 * source samples; irreversible codestreams are refused cleanly.
 * Skips (77) when ojph_compress is not installed. */
#define _GNU_SOURCE 1 /* mkdtemp */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "codec/htj2k.h"
#include "test_support.h"

static char g_dir[256];
static uint32_t rng_state = 777u;
static uint32_t rnd(void) { return ts_xorshift32(&rng_state); }

typedef struct image {
    uint32_t w, h, ncomp, depth;
    uint32_t cw[3], ch[3]; /* component sizes */
    uint32_t *s[3];
} image;

/* Smooth ramps plus noise: exercises both small and large magnitudes. */
static void make_image(image *im, uint32_t w, uint32_t h, uint32_t ncomp, uint32_t depth, uint32_t sub)
{
    memset(im, 0, sizeof *im);
    im->w = w, im->h = h, im->ncomp = ncomp, im->depth = depth;
    const uint32_t maxv = (1u << depth) - 1;
    for (uint32_t c = 0; c < ncomp; c++) {
        uint32_t d = (c > 0 && sub) ? 2 : 1;
        im->cw[c] = (w + d - 1) / d;
        im->ch[c] = (h + d - 1) / d;
        im->s[c] = malloc(sizeof(uint32_t) * im->cw[c] * im->ch[c] + 4);
        assert_non_null(im->s[c]);
        for (uint32_t y = 0; y < im->ch[c]; y++)
            for (uint32_t x = 0; x < im->cw[c]; x++) {
                uint32_t v = (x * 37 + y * 11 + c * 1000) * (maxv / 255 + 1) + rnd() % (maxv / 8 + 2);
                im->s[c][y * im->cw[c] + x] = v % (maxv + 1);
            }
    }
}

static void free_image(image *im)
{
    for (uint32_t c = 0; c < 3; c++) free(im->s[c]);
}

/* PGM/PPM (big-endian above 8 bits) or planar YUV (little-endian). */
static void write_image(const image *im, const char *path, int yuv)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    const int two = im->depth > 8;
    if (!yuv) {
        fprintf(f, "P%c\n%u %u\n%u\n", im->ncomp == 3 ? '6' : '5', im->w, im->h, (1u << im->depth) - 1);
        for (uint32_t i = 0; i < im->w * im->h; i++)
            for (uint32_t c = 0; c < im->ncomp; c++) {
                uint32_t v = im->s[c][i];
                if (two) fputc((int)(v >> 8), f);
                fputc((int)(v & 255), f);
            }
    } else {
        for (uint32_t c = 0; c < im->ncomp; c++)
            for (uint32_t i = 0; i < im->cw[c] * im->ch[c]; i++) {
                uint32_t v = im->s[c][i];
                fputc((int)(v & 255), f);
                if (two) fputc((int)(v >> 8), f);
            }
    }
    fclose(f);
}

/* Compresses `im` with ojph_compress and the extra arguments, decodes the
 * codestream with our decoder; returns its result (samples compared). */
static exrqoi_result run_case(const image *im, int yuv, const char *args)
{
    char in[400], out[400], cmd[2048];
    snprintf(in, sizeof in, "%s/in.%s", g_dir, yuv ? "yuv" : im->ncomp == 3 ? "ppm" : "pgm");
    snprintf(out, sizeof out, "%s/out.j2c", g_dir);
    write_image(im, in, yuv);
    unlink(out);
    if (yuv) {
        char extra[512];
        snprintf(extra, sizeof extra,
                 "-dims '{%u,%u}' -num_comps %u -signed false,false,false -bit_depth %u,%u,%u "
                 "-downsamp '{1,1},{%u,%u},{%u,%u}'",
                 im->w, im->h, im->ncomp, im->depth, im->depth, im->depth, im->cw[0] / im->cw[1],
                 im->ch[0] / im->ch[1], im->cw[0] / im->cw[2], im->ch[0] / im->ch[2]);
        snprintf(cmd, sizeof cmd, "ojph_compress -i '%s' -o '%s' %s %s >/dev/null 2>&1", in, out, extra, args);
    } else {
        snprintf(cmd, sizeof cmd, "ojph_compress -i '%s' -o '%s' %s >/dev/null 2>&1", in, out, args);
    }
    if (system(cmd) != 0) fail_msg("ojph_compress failed: %s", cmd);
    size_t n = 0;
    uint8_t *cs = ts_read_file(out, &n);
    assert_non_null(cs);
    exrqoi__err err;
    memset(&err, 0, sizeof err);
    exrqoi__htj2k_image img;
    exrqoi_result rv = exrqoi__htj2k_decode_codestream(NULL, &err, cs, n, NULL, (uint64_t)1 << 26, NULL, &img);
    free(cs);
    if (rv != EXRQOI_OK) {
        assert_true(err.msg[0] != 0);
        return rv;
    }
    if (img.ncomp != im->ncomp) fail_msg("%s: %u components", args, img.ncomp);
    for (uint32_t c = 0; c < im->ncomp; c++) {
        const exrqoi__htj2k_comp *g = &img.comps[c];
        if (g->width != im->cw[c] || g->height != im->ch[c] || g->depth != im->depth || g->is_signed)
            fail_msg("%s: component %u is %ux%u %u-bit", args, c, g->width, g->height, g->depth);
        for (size_t i = 0; i < (size_t)g->width * g->height; i++)
            if (g->samples[i] != (int64_t)im->s[c][i])
                fail_msg("%s: %ux%u comp %u sample %zu is %lld, expected %u", args, im->w, im->h, c, i,
                         (long long)g->samples[i], im->s[c][i]);
    }
    exrqoi__htj2k_image_free(NULL, &img);
    return EXRQOI_OK;
}

static void expect_ok(const image *im, int yuv, const char *args)
{
    char full[1024];
    snprintf(full, sizeof full, "-reversible true %s", args);
    exrqoi_result rv = run_case(im, yuv, full);
    if (rv != EXRQOI_OK) fail_msg("%s on %ux%u: result %d", full, im->w, im->h, (int)rv);
}

static void test_gray(void **state)
{
    (void)state;
    static const char *const args[] = {
        "",
        "-num_decomps 0",
        "-num_decomps 1",
        "-num_decomps 6",
        "-block_size '{4,4}'",
        "-block_size '{8,128}'",
        "-block_size '{128,8}'",
        "-block_size '{4,1024}' -num_decomps 2",
        "-block_size '{32,128}'",
        "-prog_order LRCP -precincts '{4,4},{8,8},{16,16}' -block_size '{8,8}'",
        "-prog_order RLCP -precincts '{8,8},{16,16}' -block_size '{4,4}'",
        "-prog_order RPCL -precincts '{4,4},{8,8},{16,16}' -block_size '{8,8}'",
        "-prog_order PCRL -precincts '{16,16},{8,8}' -block_size '{4,4}'",
        "-prog_order CPRL -precincts '{2,2},{4,4},{8,8}' -block_size '{4,4}' -num_decomps 3",
        "-tile_size '{32,24}'",
        "-tile_size '{20,16}' -tile_offset '{3,5}' -image_offset '{7,11}'",
        "-image_offset '{5,3}' -num_decomps 4",
        "-image_offset '{1,1}' -tile_size '{16,16}' -tile_offset '{1,1}' -prog_order PCRL",
    };
    const uint32_t dims[][2] = {{37, 29}, {64, 64}, {75, 61}};
    for (uint32_t depth = 8; depth <= 16; depth += 8)
        for (size_t d = 0; d < sizeof dims / sizeof dims[0]; d++) {
            image im;
            make_image(&im, dims[d][0], dims[d][1], 1, depth, 0);
            for (size_t a = 0; a < sizeof args / sizeof args[0]; a++) expect_ok(&im, 0, args[a]);
            free_image(&im);
        }
}

static void test_odd_sizes(void **state)
{
    (void)state;
    const uint32_t dims[][2] = {{1, 1}, {1, 9}, {9, 1}, {2, 3}, {3, 2}, {5, 7}, {130, 3}, {3, 130}};
    for (size_t d = 0; d < sizeof dims / sizeof dims[0]; d++) {
        image im;
        make_image(&im, dims[d][0], dims[d][1], 1, 16, 0);
        expect_ok(&im, 0, "");
        expect_ok(&im, 0, "-num_decomps 2 -block_size '{4,4}'");
        expect_ok(&im, 0, "-image_offset '{3,1}' -tile_offset '{3,1}' -num_decomps 3");
        free_image(&im);
    }
}

static void test_colour(void **state)
{
    (void)state;
    static const char *const args[] = {
        "", "-colour_trans false", "-prog_order CPRL", "-prog_order LRCP -block_size '{16,16}'",
        "-prog_order PCRL -precincts '{8,8},{16,16}' -block_size '{4,8}'", "-tile_size '{24,24}'",
    };
    for (uint32_t depth = 8; depth <= 16; depth += 8) {
        image im;
        make_image(&im, 61, 45, 3, depth, 0);
        for (size_t a = 0; a < sizeof args / sizeof args[0]; a++) expect_ok(&im, 0, args[a]);
        free_image(&im);
    }
}

static void test_subsampled(void **state)
{
    (void)state;
    static const char *const args[] = {
        "", "-prog_order RPCL -precincts '{8,8},{16,16}' -block_size '{8,8}'", "-prog_order PCRL",
        "-prog_order CPRL -num_decomps 2", "-prog_order LRCP -num_decomps 0",
    };
    for (uint32_t depth = 8; depth <= 12; depth += 4) {
        image im;
        make_image(&im, 40, 28, 3, depth, 1);
        for (size_t a = 0; a < sizeof args / sizeof args[0]; a++) expect_ok(&im, 1, args[a]);
        free_image(&im);
    }
}

static void test_irreversible_refused(void **state)
{
    (void)state;
    image im;
    make_image(&im, 33, 17, 1, 8, 0);
    assert_int_equal(run_case(&im, 0, "-reversible false"), EXRQOI_ERR_UNSUPPORTED);
    free_image(&im);
    make_image(&im, 33, 17, 3, 8, 0);
    assert_int_equal(run_case(&im, 0, "-reversible false -qstep 0.01"), EXRQOI_ERR_UNSUPPORTED);
    free_image(&im);
}

int main(void)
{
    if (system("command -v ojph_compress >/dev/null 2>&1") != 0) {
        printf("SKIP: ojph_compress (Debian openjph-tools) is not installed\n");
        return 77;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/exrqoi_htj2k_XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(g_dir)) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gray),       cmocka_unit_test(test_odd_sizes),
        cmocka_unit_test(test_colour),     cmocka_unit_test(test_subsampled),
        cmocka_unit_test(test_irreversible_refused),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0) rc = rc ? rc : 1;
    return rc;
}
