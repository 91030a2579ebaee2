/*
 * A failed or interrupted write never leaves a truncated file at the
 * destination: an aborting progress callback leaves an existing file
 * untouched and creates nothing new, a write into a missing directory
 * fails cleanly, and no temporary file is left behind -- not even by a
 * process killed mid-write. A symbolic link as destination is written
 * through (its target replaced, the link kept); a FIFO is written in
 * place as a stream; a directory is refused before anything is written.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
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
    exrqoi_write_options o = EXRQOI_WRITE_OPTIONS_INIT;
    o.threads = 1;
    o.progress = progress;
    exrqoi_writer *w = NULL;
    exrqoi_result rv = exrqoi_writer_open(exrqoi_sink_path(path), &h, 1, &o, &w);
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
    assert_int_equal(exrqoi_check(exrqoi_source_path(path), NULL, &rep), EXRQOI_OK);
    exrqoi_check_report_free(&rep);
    assert_int_equal(write_image(path, abort_after_first), EXRQOI_ERR_ABORTED);
    assert_int_equal(stat(path, &st), 0);
    assert_true(st.st_size == good);
    assert_int_equal(exrqoi_check(exrqoi_source_path(path), NULL, &rep), EXRQOI_OK);
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

static int kill_self(void *user, uint64_t done, uint64_t total)
{
    (void)total;
    (void)user;
    if (done >= 1) raise(SIGKILL);
    return 0;
}

static bool same_bytes(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    bool same = fa && fb;
    while (same) {
        int ca = fgetc(fa), cb = fgetc(fb);
        if (ca != cb) same = false;
        if (ca == EOF || cb == EOF) break;
    }
    if (fa) fclose(fa);
    if (fb) fclose(fb);
    return same;
}

/* A process killed (SIGKILL, no handler can run) in the middle of writing
 * leaves the old destination as it was and no other file. */
static void test_killed_mid_write_leaves_nothing(void **state)
{
    (void)state;
    char dir[] = "/tmp/exrqoi-atomic-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256], ref[256];
    snprintf(path, sizeof path, "%s/out.exr", dir);
    snprintf(ref, sizeof ref, "%s/ref.exr", dir);
    assert_int_equal(write_image(path, NULL), EXRQOI_OK);
    assert_int_equal(write_image(ref, NULL), EXRQOI_OK);
    for (int round = 0; round < 2; round++) {
        if (round == 1) unlink(path); /* and with nothing there before */
        fflush(NULL);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            write_image(path, kill_self);
            _exit(0);
        }
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        if (round == 0) {
            assert_true(same_bytes(path, ref));
            assert_int_equal(count_entries(dir), 2);
        } else {
            struct stat st;
            assert_int_not_equal(stat(path, &st), 0);
            assert_int_equal(count_entries(dir), 1);
        }
    }
    unlink(ref);
    rmdir(dir);
}

/* A symbolic link is written through: the target gets the new file, the
 * link stays a link; a dangling link creates its target. */
static void test_symlink_written_through(void **state)
{
    (void)state;
    char dir[] = "/tmp/exrqoi-atomic-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char target[256], link[256], sub[256];
    snprintf(sub, sizeof sub, "%s/sub", dir);
    assert_int_equal(mkdir(sub, 0777), 0);
    snprintf(target, sizeof target, "%s/sub/target.exr", dir);
    snprintf(link, sizeof link, "%s/link.exr", dir);
    FILE *f = fopen(target, "wb");
    assert_non_null(f);
    fputs("old", f);
    fclose(f);
    assert_int_equal(symlink("sub/target.exr", link), 0);
    assert_int_equal(write_image(link, NULL), EXRQOI_OK);
    struct stat st;
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_int_equal(stat(target, &st), 0);
    assert_true(st.st_size > 100);
    assert_int_equal(count_entries(dir), 2);
    assert_int_equal(count_entries(sub), 1);
    /* dangling: the target is created */
    unlink(target);
    assert_int_equal(write_image(link, NULL), EXRQOI_OK);
    assert_int_equal(stat(target, &st), 0);
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    unlink(target);
    unlink(link);
    rmdir(sub);
    rmdir(dir);
}

/* A FIFO is written in place (the reader gets the file) and stays a FIFO;
 * a directory is refused up front. */
static void test_fifo_in_place_directory_refused(void **state)
{
    (void)state;
    char dir[] = "/tmp/exrqoi-atomic-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char fifo[256], ref[256];
    snprintf(fifo, sizeof fifo, "%s/pipe.exr", dir);
    snprintf(ref, sizeof ref, "%s/ref.exr", dir);
    assert_int_equal(write_image(ref, NULL), EXRQOI_OK);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    fflush(NULL);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* reader: copies the FIFO into the pipe back to the parent */
        close(fds[0]);
        FILE *in = fopen(fifo, "rb");
        if (!in) _exit(1);
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, in)) > 0)
            if (write(fds[1], buf, n) != (ssize_t)n) _exit(1);
        _exit(0);
    }
    close(fds[1]);
    assert_int_equal(write_image(fifo, NULL), EXRQOI_OK);
    static char got[1 << 20];
    size_t len = 0;
    ssize_t n;
    while ((n = read(fds[0], got + len, sizeof got - len)) > 0) len += (size_t)n;
    close(fds[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    exrqoi_check_report rep;
    assert_int_equal(exrqoi_check(exrqoi_source_memory(got, len), NULL, &rep), EXRQOI_OK);
    exrqoi_check_report_free(&rep);
    struct stat st;
    assert_int_equal(lstat(fifo, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
    assert_int_equal(count_entries(dir), 2);
    /* a directory */
    char sub[256];
    snprintf(sub, sizeof sub, "%s/d.exr", dir);
    assert_int_equal(mkdir(sub, 0777), 0);
    assert_int_equal(write_image(sub, NULL), EXRQOI_ERR_OPEN);
    assert_int_equal(count_entries(sub), 0);
    rmdir(sub);
    unlink(fifo);
    unlink(ref);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_abort_keeps_destination),
                                       cmocka_unit_test(test_killed_mid_write_leaves_nothing),
                                       cmocka_unit_test(test_symlink_written_through),
                                       cmocka_unit_test(test_fifo_in_place_directory_refused)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
