/* Result codes, their names and explanations, and detailed messages. */
#include "common/internal.h"

#include <stdio.h>

typedef struct {
    exrqoi_result code;
    const char *name;
    const char *text;
} result_info;

static const result_info k_results[] = {
    {EXRQOI_OK, "EXRQOI_OK", "success"},
    {EXRQOI_ERR_INVALID_ARGUMENT, "EXRQOI_ERR_INVALID_ARGUMENT", "invalid argument"},
    {EXRQOI_ERR_BUFFER_TOO_SMALL, "EXRQOI_ERR_BUFFER_TOO_SMALL", "buffer too small"},
    {EXRQOI_ERR_NOT_FOUND, "EXRQOI_ERR_NOT_FOUND", "not found"},
    {EXRQOI_ERR_BAD_STATE, "EXRQOI_ERR_BAD_STATE", "call not valid in the current state"},
    {EXRQOI_ERR_TYPE_MISMATCH, "EXRQOI_ERR_TYPE_MISMATCH", "type mismatch"},
    {EXRQOI_ERR_OUT_OF_MEMORY, "EXRQOI_ERR_OUT_OF_MEMORY", "out of memory"},
    {EXRQOI_ERR_LIMIT, "EXRQOI_ERR_LIMIT", "a configured limit would be exceeded"},
    {EXRQOI_ERR_THREAD, "EXRQOI_ERR_THREAD", "thread creation failed"},
    {EXRQOI_ERR_OPEN, "EXRQOI_ERR_OPEN", "cannot open file"},
    {EXRQOI_ERR_READ, "EXRQOI_ERR_READ", "read error"},
    {EXRQOI_ERR_WRITE, "EXRQOI_ERR_WRITE", "write error"},
    {EXRQOI_ERR_TRUNCATED, "EXRQOI_ERR_TRUNCATED", "data truncated"},
    {EXRQOI_ERR_NOT_SEEKABLE, "EXRQOI_ERR_NOT_SEEKABLE", "stream is not seekable"},
    {EXRQOI_ERR_BAD_MAGIC, "EXRQOI_ERR_BAD_MAGIC", "not a file of the expected format (bad magic number)"},
    {EXRQOI_ERR_BAD_VERSION, "EXRQOI_ERR_BAD_VERSION", "unsupported file version or flags"},
    {EXRQOI_ERR_BAD_HEADER, "EXRQOI_ERR_BAD_HEADER", "malformed header"},
    {EXRQOI_ERR_BAD_ATTRIBUTE, "EXRQOI_ERR_BAD_ATTRIBUTE", "invalid attribute"},
    {EXRQOI_ERR_MISSING_ATTRIBUTE, "EXRQOI_ERR_MISSING_ATTRIBUTE", "required attribute missing"},
    {EXRQOI_ERR_BAD_OFFSETS, "EXRQOI_ERR_BAD_OFFSETS", "invalid chunk offset table"},
    {EXRQOI_ERR_BAD_CHUNK, "EXRQOI_ERR_BAD_CHUNK", "invalid chunk"},
    {EXRQOI_ERR_CORRUPT, "EXRQOI_ERR_CORRUPT", "corrupt compressed data"},
    {EXRQOI_ERR_BAD_SAMPLES, "EXRQOI_ERR_BAD_SAMPLES", "inconsistent deep sample counts"},
    {EXRQOI_ERR_UNSUPPORTED, "EXRQOI_ERR_UNSUPPORTED", "unsupported feature"},
    {EXRQOI_ERR_UNSUPPORTED_COMPRESSION, "EXRQOI_ERR_UNSUPPORTED_COMPRESSION",
     "unsupported compression method"},
    {EXRQOI_ERR_ABORTED, "EXRQOI_ERR_ABORTED", "aborted by the caller"},
};

static const result_info *find(exrqoi_result code)
{
    for (size_t i = 0; i < sizeof k_results / sizeof k_results[0]; i++)
        if (k_results[i].code == code) return &k_results[i];
    return NULL;
}

const char *exrqoi_strerror(exrqoi_result code)
{
    const result_info *r = find(code);
    return r ? r->text : "unknown error";
}

const char *exrqoi_error_name(exrqoi_result code)
{
    const result_info *r = find(code);
    return r ? r->name : "EXRQOI_ERR_UNKNOWN";
}

exrqoi_result exrqoi__vfail(exrqoi__err *e, exrqoi_result code, const char *fmt, va_list ap)
{
    if (!e) return code;
    e->code = code;
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    if (e->on_message) e->on_message(e->user, code, e->msg);
    return code;
}

exrqoi_result exrqoi__fail(exrqoi__err *e, exrqoi_result code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    exrqoi__vfail(e, code, fmt, ap);
    va_end(ap);
    return code;
}

void exrqoi__err_clear(exrqoi__err *e)
{
    if (!e) return;
    e->code = EXRQOI_OK;
    e->msg[0] = '\0';
}
