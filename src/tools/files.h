/* Where the tool reads from and writes to: files, "-" (standard input or
 * output), pipes and devices, with the checks that keep a command from
 * destroying its own input or another output. */
#ifndef EXRQOI_TOOL_FILES_H
#define EXRQOI_TOOL_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exrqoi/exrqoi.h"

/* FMT_RAW (camera raw) is an input format only. */
typedef enum tool_fmt { FMT_NONE, FMT_EXR, FMT_QOI, FMT_PNG, FMT_RAW } tool_fmt;

/* The format an extension names (any case): .exr, .qoi, .png, and the
 * camera raw extensions LibRaw reads (.dng, .cr2, .cr3, .nef, .arw, .raf,
 * .orf, .rw2, .pef, ...); else FMT_NONE. */
tool_fmt tool_fmt_of_name(const char *path);
/* "exr" / "qoi" / "png" / "raw" / "unknown" (also the output extension). */
const char *tool_fmt_name(tool_fmt f);
/* Length of the format extension ending `name` (".exr" = 4), or 0. */
size_t tool_fmt_ext_len(const char *name);
/* "not an EXR or QOI file", saying what it is when known (PNG, camera
 * raw): the error of the commands that read EXR and QOI only. */
const char *tool_fmt_not_exr_qoi(tool_fmt f);

/* An input: a regular file read by path, or (standard input, a pipe, a
 * device) its whole content in memory. */
typedef struct tool_src {
    const char *name; /* as given ("-" = standard input) */
    bool in_memory;
    void *data;
    size_t size;
    tool_fmt fmt; /* from the first bytes (camera raw: or the name's extension) */
} tool_src;

/* Opens an input and detects its format; on failure *why says what is
 * wrong (a missing file, a directory, ...) and false is returned. */
bool tool_src_open(tool_src *s, const char *name, char *why, size_t why_size);
void tool_src_close(tool_src *s);
exrqoi_result tool_src_open_exr(const tool_src *s, const exrqoi_read_options *ro, exrqoi_reader **r);
exrqoi_result tool_src_decode_qoi(const tool_src *s, const exrqoi_qoi_options *qo, exrqoi_qoi_desc *d,
                                  void **px);

/* An output: a path (written atomically; pipes and devices in place) or
 * "-" (standard output, streamed). */
bool tool_is_stdout(const char *path);
exrqoi_result tool_dst_writer(const char *path, const exrqoi_header *h, int n, const exrqoi_write_options *wo,
                              exrqoi_writer **w);
exrqoi_result tool_dst_image(const char *path, const exrqoi_image *img, const exrqoi_write_options *wo);
exrqoi_result tool_dst_qoi(const char *path, const void *px, const exrqoi_qoi_desc *d, const exrqoi_qoi_options *qo);
/* A whole file held in memory (PNG), through the same safe sink. */
exrqoi_result tool_dst_bytes(const char *path, const void *data, size_t size, char *msg, size_t msg_size);
exrqoi_result tool_dst_rgba(const char *path, int32_t w, int32_t h, const void *px,
                            const exrqoi_rgba_write_options *o);

/* Size of a regular file (0 otherwise), for progress. */
uint64_t tool_file_size(const char *path);

/* Identity of a file (device, inode), following links; "-" is standard
 * input or output as `in_side` says. False when it does not exist. */
typedef struct tool_id {
    uint64_t dev; /* Windows: volume serial number */
    uint64_t ino; /* Windows: file index (MinGW's ino_t is 16 bits) */
} tool_id;
bool tool_file_id(const char *path, bool in_side, tool_id *id);

/* Output checks made before anything is read: an existing directory is
 * refused, and so is a file that is one of the inputs. Prints the error
 * and returns false. */
bool tool_check_output(const char *cmd, const char *out, const char *const *inputs, int n);

/* Interruption: SIGINT, SIGTERM and SIGHUP are taken by a watcher thread
 * (call before starting any other thread). When one comes, `report` runs
 * (it says what was done), temporary files of the outputs being written
 * are removed, and the process ends by that signal. */
void tool_signals_start(void (*report)(void *user, int sig), void *user);
/* The report callback's data is going away: no report any more. */
void tool_signals_stop(void);
/* Outputs being written now (so their temporary files can be removed). */
void tool_signals_track(const char *out);
void tool_signals_untrack(const char *out);

#endif
