/* QOI encoding front ends: the streaming encoder, the one-shot calls, and
 * parallel stripe encoding. */
#include "qoi/qoi_internal.h"
#include "thread/pool.h"

#define OUT_BUF_MIN ((size_t)256 * 1024)
/* room past a span's worst case: the encoder may store one byte beyond its
 * last op, and a pending run adds one */
#define SLACK 16

struct exrqoi_qoi_encoder {
    exrqoi__qoi_opts op;
    exrqoi__err err;
    exrqoi_qoi_desc desc;
    exrqoi__qoi_enc st;
    exrqoi_output out;
    exrqoi__sink file;
    int has_file;
    uint8_t *buf;
    size_t cap, len;
    uint32_t row;
    exrqoi_result failed;
    int finished;
    int heap;
};

typedef struct exrqoi_qoi_encoder encoder;

static void err_init(exrqoi__err *e, const exrqoi__qoi_opts *op)
{
    memset(e, 0, sizeof *e);
    e->on_message = op->o.on_message;
    e->user = op->o.message_user;
}

/* Validates a caller's description: an invalid one is the caller's mistake. */
static exrqoi_result check_desc(const exrqoi_qoi_desc *desc, const exrqoi__qoi_opts *op,
                                exrqoi__err *err)
{
    if (!desc) return exrqoi__fail(err, EXRQOI_ERR_INVALID_ARGUMENT, "QOI: NULL description");
    exrqoi_result r = exrqoi__qoi_check_desc(desc, &op->limits, err);
    if (r == EXRQOI_ERR_BAD_HEADER) {
        r = EXRQOI_ERR_INVALID_ARGUMENT;
        if (err) err->code = r;
    }
    return r;
}

/* ---- streaming encoder ------------------------------------------------- */

static exrqoi_result flush_buf(encoder *e)
{
    if (!e->len) return EXRQOI_OK;
    if (e->out.write(e->out.user, e->buf, e->len) != 0)
        return exrqoi__fail(&e->err, EXRQOI_ERR_WRITE, "QOI: write of %zu bytes failed", e->len);
    e->len = 0;
    return EXRQOI_OK;
}

static void enc_init(encoder *e, const exrqoi_qoi_options *options)
{
    memset(e, 0, sizeof *e);
    exrqoi__qoi_opts_resolve(options, &e->op);
    err_init(&e->err, &e->op);
    exrqoi__qoi_enc_init(&e->st);
}

static exrqoi_result enc_begin(encoder *e, const exrqoi_qoi_desc *desc)
{
    EXRQOI_TRY(check_desc(desc, &e->op, &e->err));
    e->desc = *desc;
    size_t row_worst = (size_t)desc->width * ((size_t)desc->channels + 1) + SLACK;
    e->cap = row_worst > OUT_BUF_MIN ? row_worst + EXRQOI_QOI_HEADER_SIZE + EXRQOI_QOI_END_SIZE
                                     : OUT_BUF_MIN;
    e->buf = (uint8_t *)exrqoi__alloc(e->op.a, e->cap);
    if (!e->buf) return exrqoi__fail(&e->err, EXRQOI_ERR_OUT_OF_MEMORY, "QOI: out of memory");
    exrqoi__qoi_write_header(e->buf, desc);
    e->len = EXRQOI_QOI_HEADER_SIZE;
    return EXRQOI_OK;
}

static void enc_release(encoder *e)
{
    exrqoi__free(e->op.a, e->buf);
    e->buf = NULL;
    if (e->has_file) exrqoi__sink_abort(&e->file);
    e->has_file = 0;
}

static exrqoi_result write_rows(encoder *e, const uint8_t *pixels, size_t stride, uint32_t rows)
{
    if (e->failed || e->finished)
        return exrqoi__fail(&e->err, EXRQOI_ERR_BAD_STATE, "QOI: encoder %s",
                            e->failed ? "failed before" : "already finished");
    const int ch = e->desc.channels;
    const size_t w = e->desc.width;
    size_t row_bytes = w * (size_t)ch;
    if (!stride) stride = row_bytes;
    if (rows > e->desc.height - e->row)
        return exrqoi__fail(&e->err, EXRQOI_ERR_INVALID_ARGUMENT, "QOI: %u rows given, %u left",
                            (unsigned)rows, (unsigned)(e->desc.height - e->row));
    if (stride < row_bytes || (rows && !pixels))
        return exrqoi__fail(&e->err, EXRQOI_ERR_INVALID_ARGUMENT, "QOI: bad pixels or stride");
    const size_t row_worst = w * ((size_t)ch + 1) + SLACK;
    for (uint32_t y = 0; y < rows; y++) {
        if (e->cap - e->len < row_worst) {
            exrqoi_result r = flush_buf(e);
            if (r != EXRQOI_OK) return e->failed = r;
        }
        e->len += exrqoi__qoi_encode_span(&e->st, pixels + y * stride, w, ch, e->buf + e->len);
    }
    e->row += rows;
    return EXRQOI_OK;
}

static exrqoi_result finish(encoder *e)
{
    if (e->failed || e->finished)
        return exrqoi__fail(&e->err, EXRQOI_ERR_BAD_STATE, "QOI: encoder %s",
                            e->failed ? "failed before" : "already finished");
    if (e->row != e->desc.height)
        return exrqoi__fail(&e->err, EXRQOI_ERR_BAD_STATE, "QOI: finish after %u of %u rows",
                            (unsigned)e->row, (unsigned)e->desc.height);
    exrqoi_result r = EXRQOI_OK;
    if (e->cap - e->len < SLACK) r = flush_buf(e);
    if (r == EXRQOI_OK) {
        e->len += exrqoi__qoi_encode_flush(&e->st, e->buf + e->len);
        memcpy(e->buf + e->len, exrqoi__qoi_end_marker, EXRQOI_QOI_END_SIZE);
        e->len += EXRQOI_QOI_END_SIZE;
        r = flush_buf(e);
    }
    if (r == EXRQOI_OK && e->has_file) {
        e->has_file = 0;
        r = exrqoi__sink_finish(&e->file, e->op.o.fsync != 0, &e->err);
        exrqoi__sink_abort(&e->file); /* frees what is left */
    }
    if (r != EXRQOI_OK) return e->failed = r;
    e->finished = 1;
    return EXRQOI_OK;
}

static exrqoi_result new_encoder(const exrqoi_qoi_options *options, encoder **out)
{
    if (!out) return EXRQOI_ERR_INVALID_ARGUMENT;
    *out = NULL;
    exrqoi__qoi_opts op;
    exrqoi__qoi_opts_resolve(options, &op);
    encoder *e = (encoder *)exrqoi__alloc(op.a, sizeof *e);
    if (!e) {
        exrqoi__err er;
        err_init(&er, &op);
        return exrqoi__fail(&er, EXRQOI_ERR_OUT_OF_MEMORY, "QOI: out of memory");
    }
    enc_init(e, options);
    e->heap = 1;
    *out = e;
    return EXRQOI_OK;
}

static exrqoi_result finish_create(encoder *e, exrqoi_result r, exrqoi_qoi_encoder **out)
{
    if (r != EXRQOI_OK) {
        exrqoi_qoi_encoder_close(e);
        *out = NULL;
    }
    return r;
}

/* Starts on a path or memory sink (written through the internal sink). */
static exrqoi_result begin_sink(encoder *e, const exrqoi_qoi_desc *desc, const exrqoi_sink *sink)
{
    EXRQOI_TRY(enc_begin(e, desc));
    EXRQOI_TRY(exrqoi__sink_open(&e->file, sink, e->op.a, &e->err));
    e->has_file = 1;
    e->out.write = exrqoi__sink_output_write;
    e->out.user = &e->file;
    return EXRQOI_OK;
}

/* Options and sink are usable (before anything is created). */
static exrqoi_result check_start(const exrqoi__qoi_opts *op, const exrqoi_sink *sink, exrqoi__err *err)
{
    if (op->status != EXRQOI_OK)
        return exrqoi__fail(err, op->status, EXRQOI__QOI_UNINIT_MSG);
    return exrqoi__sink_check(sink, err);
}

exrqoi_result exrqoi_qoi_encoder_open(exrqoi_sink sink, const exrqoi_qoi_desc *desc,
                                      const exrqoi_qoi_options *options,
                                      exrqoi_qoi_encoder **encoder_out)
{
    encoder *e;
    EXRQOI_TRY(new_encoder(options, &e));
    *encoder_out = e;
    exrqoi_result r = check_start(&e->op, &sink, &e->err);
    if (r == EXRQOI_OK && sink.kind == EXRQOI_SINK_OUTPUT) {
        e->out = sink.output;
        r = enc_begin(e, desc);
    } else if (r == EXRQOI_OK) {
        r = begin_sink(e, desc, &sink);
    }
    return finish_create(e, r, encoder_out);
}

exrqoi_result exrqoi_qoi_encoder_write_rows(exrqoi_qoi_encoder *e, const void *pixels,
                                            size_t stride, uint32_t rows)
{
    if (!e) return EXRQOI_ERR_INVALID_ARGUMENT;
    return write_rows(e, (const uint8_t *)pixels, stride, rows);
}

exrqoi_result exrqoi_qoi_encoder_finish(exrqoi_qoi_encoder *e)
{
    if (!e) return EXRQOI_ERR_INVALID_ARGUMENT;
    return finish(e);
}

void exrqoi_qoi_encoder_close(exrqoi_qoi_encoder *e)
{
    if (!e) return;
    enc_release(e);
    if (e->heap) {
        exrqoi_allocator a = e->op.alloc;
        exrqoi__free(e->op.a ? &a : NULL, e);
    }
}

/* ---- whole images in memory ------------------------------------------- */

typedef struct stripe_job {
    const uint8_t *pixels;
    exrqoi_qoi_desc desc;
    uint32_t stripe_rows;
    uint8_t *base;   /* stripe k writes at base + k*region */
    size_t region;
    size_t *lens;
} stripe_job;

/* Each stripe is encoded independently: see exrqoi__qoi_enc_init_stripe for
 * why the joined stream decodes correctly with any decoder. */
static void encode_stripe(void *ctx, size_t k, int worker)
{
    (void)worker;
    stripe_job *j = (stripe_job *)ctx;
    const int ch = j->desc.channels;
    const size_t row_bytes = (size_t)j->desc.width * (size_t)ch;
    uint32_t y0 = (uint32_t)k * j->stripe_rows;
    uint32_t rows = j->desc.height - y0 < j->stripe_rows ? j->desc.height - y0 : j->stripe_rows;
    const uint8_t *src = j->pixels + (size_t)y0 * row_bytes;
    exrqoi__qoi_enc st;
    if (k == 0)
        exrqoi__qoi_enc_init(&st);
    else
        exrqoi__qoi_enc_init_stripe(&st, exrqoi__qoi_pixel_at(src - ch, ch));
    uint8_t *o = j->base + k * j->region;
    size_t n = exrqoi__qoi_encode_span(&st, src, (size_t)rows * j->desc.width, ch, o);
    n += exrqoi__qoi_encode_flush(&st, o + n);
    j->lens[k] = n;
}

static exrqoi_result encode_parallel(const uint8_t *pixels, const exrqoi_qoi_desc *desc,
                                     const exrqoi__qoi_opts *op, exrqoi__err *err,
                                     uint8_t **out, size_t *out_size)
{
    const uint32_t sr = op->o.stripe_rows < desc->height ? op->o.stripe_rows : desc->height;
    const size_t nstripes = ((size_t)desc->height + sr - 1) / sr;
    size_t region, total;
    if (exrqoi__mul_size((size_t)sr * desc->width, (size_t)desc->channels + 1, &region) ||
        exrqoi__add_size(region, SLACK, &region) ||
        exrqoi__mul_size(region, nstripes, &total) ||
        exrqoi__add_size(total, EXRQOI_QOI_HEADER_SIZE + EXRQOI_QOI_END_SIZE, &total))
        return exrqoi__fail(err, EXRQOI_ERR_LIMIT, "QOI: image too large for memory");
    uint8_t *buf = (uint8_t *)exrqoi__alloc(op->a, total);
    size_t *lens = (size_t *)exrqoi__calloc(op->a, nstripes, sizeof *lens);
    if (!buf || !lens) {
        exrqoi__free(op->a, buf);
        exrqoi__free(op->a, lens);
        return exrqoi__fail(err, EXRQOI_ERR_OUT_OF_MEMORY, "QOI: out of memory (%zu bytes)",
                            total);
    }
    stripe_job job = {pixels, *desc, sr, buf + EXRQOI_QOI_HEADER_SIZE, region, lens};
    exrqoi__pool_for(op->o.pool, op->o.threads, nstripes, encode_stripe, &job, NULL);

    exrqoi__qoi_write_header(buf, desc);
    size_t len = EXRQOI_QOI_HEADER_SIZE;
    for (size_t k = 0; k < nstripes; k++) {
        memmove(buf + len, job.base + k * region, lens[k]);
        len += lens[k];
    }
    memcpy(buf + len, exrqoi__qoi_end_marker, EXRQOI_QOI_END_SIZE);
    len += EXRQOI_QOI_END_SIZE;
    exrqoi__free(op->a, lens);
    *out = buf;
    *out_size = len;
    return EXRQOI_OK;
}

static exrqoi_result encode_serial(const uint8_t *pixels, const exrqoi_qoi_desc *desc,
                                   const exrqoi__qoi_opts *op, exrqoi__err *err, uint8_t **out,
                                   size_t *out_size)
{
    /* check_desc made sure this cannot overflow */
    size_t n = (size_t)desc->width * desc->height;
    size_t cap = n * ((size_t)desc->channels + 1) + EXRQOI_QOI_HEADER_SIZE +
                 EXRQOI_QOI_END_SIZE + SLACK;
    uint8_t *buf = (uint8_t *)exrqoi__alloc(op->a, cap);
    if (!buf)
        return exrqoi__fail(err, EXRQOI_ERR_OUT_OF_MEMORY, "QOI: out of memory (%zu bytes)", cap);
    exrqoi__qoi_write_header(buf, desc);
    size_t len = EXRQOI_QOI_HEADER_SIZE;
    exrqoi__qoi_enc st;
    exrqoi__qoi_enc_init(&st);
    len += exrqoi__qoi_encode_span(&st, pixels, n, desc->channels, buf + len);
    len += exrqoi__qoi_encode_flush(&st, buf + len);
    memcpy(buf + len, exrqoi__qoi_end_marker, EXRQOI_QOI_END_SIZE);
    len += EXRQOI_QOI_END_SIZE;
    *out = buf;
    *out_size = len;
    return EXRQOI_OK;
}

static exrqoi_result encode_mem(const void *pixels, const exrqoi_qoi_desc *desc,
                                const exrqoi__qoi_opts *op, exrqoi__err *err, uint8_t **out,
                                size_t *out_size)
{
    EXRQOI_TRY(check_desc(desc, op, err));
    if (!pixels) return exrqoi__fail(err, EXRQOI_ERR_INVALID_ARGUMENT, "QOI: NULL pixels");
    if (op->o.pool)
        return encode_parallel((const uint8_t *)pixels, desc, op, err, out, out_size);
    return encode_serial((const uint8_t *)pixels, desc, op, err, out, out_size);
}

static exrqoi_result encode_memory(const void *pixels, const exrqoi_qoi_desc *desc,
                                   const exrqoi_qoi_options *options, void **out, size_t *out_size)
{
    exrqoi__qoi_opts op;
    exrqoi__qoi_opts_resolve(options, &op);
    exrqoi__err err;
    err_init(&err, &op);
    if (!out || !out_size)
        return exrqoi__fail(&err, EXRQOI_ERR_INVALID_ARGUMENT, "QOI: NULL output pointer");
    *out = NULL;
    *out_size = 0;
    if (op.status != EXRQOI_OK)
        return exrqoi__fail(&err, op.status, EXRQOI__QOI_UNINIT_MSG);
    *out_size = 0;
    uint8_t *buf;
    size_t len;
    EXRQOI_TRY(encode_mem(pixels, desc, &op, &err, &buf, &len));
    *out = buf;
    *out_size = len;
    return EXRQOI_OK;
}

/* Serial encoding streams through the encoder's buffer; parallel encoding
 * needs the whole result in memory first. */
static exrqoi_result encode_to(encoder *e, const void *pixels, const exrqoi_qoi_desc *desc)
{
    if (e->op.o.pool) {
        uint8_t *buf;
        size_t len;
        EXRQOI_TRY(encode_mem(pixels, desc, &e->op, &e->err, &buf, &len));
        exrqoi_result r = EXRQOI_OK;
        if (e->out.write(e->out.user, buf, len) != 0)
            r = exrqoi__fail(&e->err, EXRQOI_ERR_WRITE, "QOI: write of %zu bytes failed", len);
        exrqoi__free(e->op.a, buf);
        if (r == EXRQOI_OK && e->has_file) {
            e->has_file = 0;
            r = exrqoi__sink_finish(&e->file, e->op.o.fsync != 0, &e->err);
            exrqoi__sink_abort(&e->file); /* frees what is left */
        }
        return r;
    }
    if (!pixels) return exrqoi__fail(&e->err, EXRQOI_ERR_INVALID_ARGUMENT, "QOI: NULL pixels");
    EXRQOI_TRY(write_rows(e, (const uint8_t *)pixels, 0, desc->height));
    return finish(e);
}

static exrqoi_result encode_output(const void *pixels, const exrqoi_qoi_desc *desc,
                                   const exrqoi_qoi_options *options, const exrqoi_output *output)
{
    encoder e;
    enc_init(&e, options);
    exrqoi_result r = EXRQOI_OK;
    if (!output || !output->write)
        r = exrqoi__fail(&e.err, EXRQOI_ERR_INVALID_ARGUMENT, "QOI: NULL output");
    if (r == EXRQOI_OK) {
        e.out = *output;
        r = e.op.o.pool ? EXRQOI_OK : enc_begin(&e, desc);
    }
    if (r == EXRQOI_OK) r = encode_to(&e, pixels, desc);
    enc_release(&e);
    return r;
}

static exrqoi_result encode_file(const void *pixels, const exrqoi_qoi_desc *desc,
                                 const exrqoi_qoi_options *options, const char *path)
{
    encoder e;
    enc_init(&e, options);
    exrqoi_result r;
    if (e.op.o.pool) {
        /* validate before creating any file */
        r = check_desc(desc, &e.op, &e.err);
        if (r == EXRQOI_OK && !pixels)
            r = exrqoi__fail(&e.err, EXRQOI_ERR_INVALID_ARGUMENT, "QOI: NULL pixels");
        if (r == EXRQOI_OK && !path)
            r = exrqoi__fail(&e.err, EXRQOI_ERR_INVALID_ARGUMENT, "QOI: NULL path");
        if (r == EXRQOI_OK) r = exrqoi__sink_open_path(&e.file, path, e.op.a, &e.err);
        if (r == EXRQOI_OK) {
            e.has_file = 1;
            e.out.write = exrqoi__sink_output_write;
            e.out.user = &e.file;
        }
    } else {
        exrqoi_sink sink = exrqoi_sink_path(path);
        r = !pixels ? exrqoi__fail(&e.err, EXRQOI_ERR_INVALID_ARGUMENT, "QOI: NULL pixels")
                    : begin_sink(&e, desc, &sink);
    }
    if (r == EXRQOI_OK) r = encode_to(&e, pixels, desc);
    enc_release(&e);
    return r;
}

exrqoi_result exrqoi_qoi_encode(exrqoi_sink sink, const void *pixels, const exrqoi_qoi_desc *desc,
                                const exrqoi_qoi_options *options)
{
    exrqoi__qoi_opts op;
    exrqoi__qoi_opts_resolve(options, &op);
    exrqoi__err err;
    err_init(&err, &op);
    EXRQOI_TRY(check_start(&op, &sink, &err));
    switch (sink.kind) {
    case EXRQOI_SINK_MEMORY:
        return encode_memory(pixels, desc, options, sink.data, sink.size);
    case EXRQOI_SINK_PATH:
        return encode_file(pixels, desc, options, sink.path);
    default:
        return encode_output(pixels, desc, options, &sink.output);
    }
}
