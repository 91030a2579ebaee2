/*
 * A failed or interrupted write never leaves a truncated file at the
 * destination: an aborting progress callback leaves an existing file
 * untouched and creates nothing new, a write into a missing directory
 * fails cleanly, and no temporary file is left behind.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
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

#include "exrqoi/exrqoi.h"

#define W 64
#define H 64

static int abort_after_first(void *user, uint64_t done, uint64_t total)
{
    (void)total;
    (void)user;
    return done >= 1;
}

/* Writes a W x H half image with ZIP (4 chunks) to `path`. */
static exrqoi_result write_image(const char *path, exrqoi_progress_fn progress)
{
    exrqoi_header h;
    assert_int_equal(exrqoi_header_init_image(&h, NULL, W, H, EXRQOI_COMPRESSION_ZIP), EXRQOI_OK);
    assert_int_equal(exrqoi_header_add_channel(&h, "Y", EXRQOI_PIXEL_HALF, 1, 1, 0), EXRQOI_OK);
    exrqoi_write_options o;
    memset(&o, 0, sizeof o);
    o.threads = 1;
    o.progress = progress;
    exrqoi_writer *w = NULL;
    exrqoi_result rv = exrqoi_writer_open_path(path, &h, 1, &o, &w);
    exrqoi_header_free(&h);
    if (rv) return rv;
    static uint16_t px[W * H];
    for (int i = 0; i < W * H; i++) px[i] = (uint16_t)(0x3c00 + i % 512);
    exrqoi_slice s = {"Y", EXRQOI_PIXEL_HALF, px, 2, W * 2, 0.0};
    /* chunk by chunk, so the progress callback runs in between */
    for (int y = 0; y < H && !rv; y += 16) {
        exrqoi_box2i reg = {{0, y}, {W - 1, y + 15}};
        exrqoi_slice sy = s;
        sy.base = px + y * W;
        rv = exrqoi_writer_write_region(w, 0, 0, 0, &reg, &sy, 1);
    }
    if (!rv) rv = exrqoi_writer_finish(w);
    exrqoi_writer_close(w);
    return rv;
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(d);
    return n;
}

static void test_abort_keeps_destination(void **state)
{
    (void)state;
    char dir[] = "/tmp/exrqoi-atomic-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/out.exr", dir);

    /* nothing there: an aborted write creates nothing */
    assert_int_equal(write_image(path, abort_after_first), EXRQOI_ERR_ABORTED);
    struct stat st;
    assert_int_not_equal(stat(path, &st), 0);
    assert_int_equal(count_entries(dir), 0);

    /* a good file there: an aborted write leaves it as it was */
    assert_int_equal(write_image(path, NULL), EXRQOI_OK);
    assert_int_equal(stat(path, &st), 0);
    off_t good = st.st_size;
    exrqoi_check_report rep;
    assert_int_equal(exrqoi_check_path(path, NULL, &rep), EXRQOI_OK);
    exrqoi_check_report_free(&rep);
    assert_int_equal(write_image(path, abort_after_first), EXRQOI_ERR_ABORTED);
    assert_int_equal(stat(path, &st), 0);
    assert_true(st.st_size == good);
    assert_int_equal(exrqoi_check_path(path, NULL, &rep), EXRQOI_OK);
    exrqoi_check_report_free(&rep);
    assert_int_equal(count_entries(dir), 1);

    /* a directory that does not exist: a clean error, nothing created */
    char missing[300];
    snprintf(missing, sizeof missing, "%s/no/such/dir/out.exr", dir);
    exrqoi_result rv = write_image(missing, NULL);
    assert_int_not_equal(rv, EXRQOI_OK);
    assert_int_equal(count_entries(dir), 1);

    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_abort_keeps_destination)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
