/* QOI decoding front ends: the streaming decoder (memory, file or the
 * caller's input) and the one-shot calls built on it. Input streams are
 * read through a fixed buffer, so memory use is one buffer plus the rows
 * the caller asks for. */
#include "qoi/qoi_internal.h"


#define BUF_SIZE ((size_t)64 * 1024)

struct exrqoi_qoi_decoder {
    exrqoi__qoi_opts op;
    exrqoi__err err;
    exrqoi_qoi_desc desc;
    int out_ch;
    exrqoi__qoi_dec st;
    /* data[pos, end) is what is at hand; final: nothing follows `end` */
    const uint8_t *data;
    size_t pos, end;
    int final;
    exrqoi_input in;
    int has_input;
    uint64_t in_off; /* stream offset of data[end] */
    uint8_t *buf;
    exrqoi__source file; /* an opened path (has_file) */
    int has_file;
    uint32_t row;
    exrqoi_result failed;
    int heap; /* allocated by create (vs. on a one-shot call's stack) */
};

typedef struct exrqoi_qoi_decoder decoder;

static void dec_init(decoder *d, const exrqoi_qoi_options *options)
{
    memset(d, 0, sizeof *d);
    exrqoi__qoi_opts_resolve(options, &d->op);
    d->err.on_message = d->op.o.on_message;
    d->err.user = d->op.o.message_user;
    exrqoi__qoi_dec_init(&d->st);
}

static void dec_release(decoder *d)
{
    exrqoi__free(d->op.a, d->buf);
    d->buf = NULL;
    if (d->has_file) exrqoi__source_close(&d->file);
    d->has_file = 0;
}

static uint64_t stream_offset(const decoder *d)
{
    return d->has_input ? d->in_off - (d->end - d->pos) : (uint64_t)d->pos;
}

/* Keeps the unread bytes and appends as much as the buffer holds. */
static exrqoi_result refill(decoder *d)
{
    if (d->final) return EXRQOI_OK;
    size_t rem = d->end - d->pos;
    memmove(d->buf, d->buf + d->pos, rem);
    d->pos = 0;
    d->end = rem;
    size_t want = BUF_SIZE - rem;
    int64_t n = d->in.read(d->in.user, d->buf + rem, want, d->in_off);
    if (n < 0 || (uint64_t)n > want)
        return exrqoi__fail(&d->err, EXRQOI_ERR_READ, "QOI: read failed at offset %llu",
                            (unsigned long long)d->in_off);
    d->end += (size_t)n;
    d->in_off += (uint64_t)n;
    if ((size_t)n < want || (d->in.size >= 0 && d->in_off >= (uint64_t)d->in.size)) d->final = 1;
    return EXRQOI_OK;
}

static exrqoi_result begin(decoder *d)
{
    exrqoi_result r = exrqoi__qoi_parse_header(d->data + d->pos, d->end - d->pos, &d->op.limits,
                                               &d->desc, &d->err);
    if (r != EXRQOI_OK) return r;
    d->pos += EXRQOI_QOI_HEADER_SIZE;
    /* the reference rejects data too short to hold the end marker */
    if (d->final && d->end - d->pos < EXRQOI_QOI_END_SIZE)
        return exrqoi__fail(&d->err, EXRQOI_ERR_TRUNCATED,
                            "QOI: %zu bytes after the header, the end marker alone needs %d",
                            d->end - d->pos, EXRQOI_QOI_END_SIZE);
    int ch = d->op.o.channels;
    if (ch != 0 && ch != 3 && ch != 4)
        return exrqoi__fail(&d->err, EXRQOI_ERR_INVALID_ARGUMENT,
                            "QOI: cannot decode to %d channels (0, 3 or 4)", ch);
    d->out_ch = ch ? ch : d->desc.channels;
    return EXRQOI_OK;
}

static exrqoi_result begin_memory(decoder *d, const void *data, size_t size)
{
    if (!data && size)
        return exrqoi__fail(&d->err, EXRQOI_ERR_INVALID_ARGUMENT, "QOI: NULL data");
    d->data = data ? (const uint8_t *)data : (const uint8_t *)"";
    d->end = size;
    d->final = 1;
    return begin(d);
}

static exrqoi_result begin_input(decoder *d, const exrqoi_input *in)
{
    if (!in || !in->read)
        return exrqoi__fail(&d->err, EXRQOI_ERR_INVALID_ARGUMENT, "QOI: NULL input");
    d->in = *in;
    d->has_input = 1;
    d->buf = (uint8_t *)exrqoi__alloc(d->op.a, BUF_SIZE);
    if (!d->buf) return exrqoi__fail(&d->err, EXRQOI_ERR_OUT_OF_MEMORY, "QOI: out of memory");
    d->data = d->buf;
    EXRQOI_TRY(refill(d));
    return begin(d);
}

/* Starts on what a public source describes. */
static exrqoi_result begin_source(decoder *d, const exrqoi_source *src)
{
    if (d->op.status != EXRQOI_OK)
        return exrqoi__fail(&d->err, d->op.status, EXRQOI__QOI_UNINIT_MSG);
    EXRQOI_TRY(exrqoi__source_check(src, &d->err));
    switch (src->kind) {
    case EXRQOI_SOURCE_MEMORY:
        return begin_memory(d, src->data, src->size);
    case EXRQOI_SOURCE_PATH: {
        EXRQOI_TRY(exrqoi__source_open_path(&d->file, src->path, &d->err));
        d->has_file = 1;
        exrqoi_input in = d->file.in;
        return begin_input(d, &in);
    }
    default:
        return begin_input(d, &src->input);
    }
}

/* Bytes of the output rows (width*height*out_ch), checked against limits. */
static exrqoi_result output_size(decoder *d, size_t *size)
{
    size_t n;
    if (exrqoi__mul_size((size_t)d->desc.width * d->desc.height, (size_t)d->out_ch, &n) ||
        !exrqoi__budget_fits(&d->op.limits, 1, n))
        return exrqoi__fail(&d->err, EXRQOI_ERR_LIMIT,
                            "QOI: %ux%u image needs more memory than the limit allows",
                            (unsigned)d->desc.width, (unsigned)d->desc.height);
    *size = n;
    return EXRQOI_OK;
}

/* Decodes npix pixels to out, refilling as needed. `first` is the index of
 * out's first pixel in the image, for messages. */
static exrqoi_result decode_pixels(decoder *d, uint8_t *out, size_t npix, uint64_t first)
{
    const int ch = d->out_ch;
    size_t done = 0;
    for (;;) {
        size_t lim = d->end >= EXRQOI_QOI_END_SIZE ? d->end - EXRQOI_QOI_END_SIZE : 0;
        done += exrqoi__qoi_decode_span(&d->st, d->data, &d->pos, lim, out + done * (size_t)ch,
                                        npix - done, ch);
        if (done == npix) return EXRQOI_OK;
        if (!d->final) {
            EXRQOI_TRY(refill(d));
            continue;
        }
        if (!d->op.o.lenient) {
            uint64_t at = first + done;
            return exrqoi__fail(&d->err, EXRQOI_ERR_TRUNCATED,
                                "QOI: pixel data ends at pixel (%llu, %llu) of %ux%u",
                                (unsigned long long)(at % d->desc.width),
                                (unsigned long long)(at / d->desc.width),
                                (unsigned)d->desc.width, (unsigned)d->desc.height);
        }
        /* as the reference decoder: the missing pixels repeat the last one */
        uint32_t px = d->st.px;
        for (uint8_t *o = out + done * (size_t)ch, *e = out + npix * (size_t)ch; o < e; o += ch) {
            o[0] = (uint8_t)EXRQOI__QR(px);
            o[1] = (uint8_t)EXRQOI__QG(px);
            o[2] = (uint8_t)EXRQOI__QB(px);
            if (ch == 4) o[3] = (uint8_t)EXRQOI__QA(px);
        }
        return EXRQOI_OK;
    }
}

/* Strict mode, after the last pixel: exactly the end marker, then nothing. */
static exrqoi_result check_end(decoder *d)
{
    if (d->st.run)
        return exrqoi__fail(&d->err, EXRQOI_ERR_CORRUPT,
                            "QOI: a run continues %u pixels past the last pixel",
                            (unsigned)d->st.run);
    while (!d->final && d->end - d->pos <= EXRQOI_QOI_END_SIZE) EXRQOI_TRY(refill(d));
    size_t avail = d->end - d->pos;
    uint64_t at = stream_offset(d);
    if (avail < EXRQOI_QOI_END_SIZE)
        return exrqoi__fail(&d->err, EXRQOI_ERR_TRUNCATED,
                            "QOI: end marker missing (%zu bytes left at offset %llu)", avail,
                            (unsigned long long)at);
    if (memcmp(d->data + d->pos, exrqoi__qoi_end_marker, EXRQOI_QOI_END_SIZE) != 0)
        return exrqoi__fail(&d->err, EXRQOI_ERR_CORRUPT,
                            "QOI: wrong end marker at offset %llu (pixel data too long?)",
                            (unsigned long long)at);
    if (avail > EXRQOI_QOI_END_SIZE)
        return exrqoi__fail(&d->err, EXRQOI_ERR_CORRUPT,
                            "QOI: data after the end marker at offset %llu",
                            (unsigned long long)(at + EXRQOI_QOI_END_SIZE));
    return EXRQOI_OK;
}

static exrqoi_result read_rows(decoder *d, uint8_t *pixels, size_t stride, uint32_t rows)
{
    if (d->failed) return exrqoi__fail(&d->err, EXRQOI_ERR_BAD_STATE, "QOI: decoder failed before");
    size_t row_bytes = (size_t)d->desc.width * (size_t)d->out_ch;
    if (!stride) stride = row_bytes;
    if (rows > d->desc.height - d->row)
        return exrqoi__fail(&d->err, EXRQOI_ERR_INVALID_ARGUMENT,
                            "QOI: %u rows asked, %u left", (unsigned)rows,
                            (unsigned)(d->desc.height - d->row));
    if (stride < row_bytes)
        return exrqoi__fail(&d->err, EXRQOI_ERR_BUFFER_TOO_SMALL, "QOI: stride %zu < row %zu",
                            stride, row_bytes);
    if (rows && !pixels)
        return exrqoi__fail(&d->err, EXRQOI_ERR_INVALID_ARGUMENT, "QOI: NULL pixels");
    exrqoi_result r = EXRQOI_OK;
    uint64_t first = (uint64_t)d->row * d->desc.width;
    if (stride == row_bytes) {
        r = decode_pixels(d, pixels, (size_t)rows * d->desc.width, first);
    } else {
        for (uint32_t y = 0; y < rows && r == EXRQOI_OK; y++)
            r = decode_pixels(d, pixels + y * stride, d->desc.width, first + (uint64_t)y * d->desc.width);
    }
    if (r == EXRQOI_OK) {
        d->row += rows;
        if (rows && d->row == d->desc.height && !d->op.o.lenient) r = check_end(d);
    }
    if (r != EXRQOI_OK) d->failed = r;
    return r;
}

/* ---- streaming API ---------------------------------------------------- */

static exrqoi_result new_decoder(const exrqoi_qoi_options *options, decoder **out)
{
    if (!out) return EXRQOI_ERR_INVALID_ARGUMENT;
    *out = NULL;
    exrqoi__qoi_opts op;
    exrqoi__qoi_opts_resolve(options, &op);
    decoder *d = (decoder *)exrqoi__alloc(op.a, sizeof *d);
    if (!d) {
        exrqoi__err e = {0};
        e.on_message = op.o.on_message;
        e.user = op.o.message_user;
        return exrqoi__fail(&e, EXRQOI_ERR_OUT_OF_MEMORY, "QOI: out of memory");
    }
    dec_init(d, options);
    d->heap = 1;
    *out = d;
    return EXRQOI_OK;
}

static exrqoi_result finish_create(decoder *d, exrqoi_result r, exrqoi_qoi_decoder **out)
{
    if (r != EXRQOI_OK) {
        exrqoi_qoi_decoder_close(d);
        *out = NULL;
    }
    return r;
}

exrqoi_result exrqoi_qoi_decoder_open(exrqoi_source source, const exrqoi_qoi_options *options,
                                      exrqoi_qoi_decoder **decoder_out)
{
    decoder *d;
    EXRQOI_TRY(new_decoder(options, &d));
    *decoder_out = d;
    return finish_create(d, begin_source(d, &source), decoder_out);
}

exrqoi_result exrqoi_qoi_decoder_desc(const exrqoi_qoi_decoder *d, exrqoi_qoi_desc *desc)
{
    if (!d || !desc) return EXRQOI_ERR_INVALID_ARGUMENT;
    *desc = d->desc;
    return EXRQOI_OK;
}

int exrqoi_qoi_decoder_channels(const exrqoi_qoi_decoder *d)
{
    return d ? d->out_ch : 0;
}

exrqoi_result exrqoi_qoi_decoder_read_rows(exrqoi_qoi_decoder *d, void *pixels, size_t stride,
                                           uint32_t rows)
{
    if (!d) return EXRQOI_ERR_INVALID_ARGUMENT;
    return read_rows(d, (uint8_t *)pixels, stride, rows);
}

void exrqoi_qoi_decoder_close(exrqoi_qoi_decoder *d)
{
    if (!d) return;
    dec_release(d);
    if (d->heap) {
        exrqoi_allocator a = d->op.alloc;
        exrqoi__free(d->op.a ? &a : NULL, d);
    }
}

/* ---- one-shot calls ---------------------------------------------------- */

/* Strict decoding of a source whose size is known: the pixel data can
 * hold the image at all. No op gives more than 62 pixels per byte (a run
 * byte), and the header and end marker hold none. Lenient decoding fills
 * what is missing, as the reference does: the caller asked for that. */
#define QOI_MAX_PIXELS_PER_BYTE 62u

static exrqoi_result check_evidence(decoder *d)
{
    uint64_t total;
    if (d->op.o.lenient) return EXRQOI_OK;
    if (d->has_input) {
        if (d->in.size < 0) return EXRQOI_OK; /* read_rows fails as the bytes run out */
        total = (uint64_t)d->in.size;
    } else {
        total = d->end;
    }
    uint64_t data = total > EXRQOI_QOI_HEADER_SIZE + EXRQOI_QOI_END_SIZE
                        ? total - EXRQOI_QOI_HEADER_SIZE - EXRQOI_QOI_END_SIZE
                        : 0;
    uint64_t npix = (uint64_t)d->desc.width * d->desc.height;
    if (npix <= data * QOI_MAX_PIXELS_PER_BYTE) return EXRQOI_OK;
    return exrqoi__fail(&d->err, EXRQOI_ERR_TRUNCATED,
                        "QOI: %llu bytes of pixel data cannot hold a %ux%u image (at most %llu pixels)",
                        (unsigned long long)data, (unsigned)d->desc.width, (unsigned)d->desc.height,
                        (unsigned long long)(data * QOI_MAX_PIXELS_PER_BYTE));
}

/* A stream of unknown size: the output grows with the rows decoded (from
 * 1 MiB, doubling), so a header alone allocates little. */
#define QOI_GROW_STEP ((size_t)1 << 20)

static exrqoi_result read_growing(decoder *d, size_t n, uint8_t **out)
{
    size_t row = (size_t)d->desc.width * (size_t)d->out_ch, have = 0, cap = 0;
    uint32_t done = 0;
    uint8_t *p = NULL;
    exrqoi_result r = EXRQOI_OK;
    while (done < d->desc.height) {
        size_t want = have > n / 2 ? n : have >= QOI_GROW_STEP ? 2 * have : QOI_GROW_STEP;
        if (want < have + row) want = have + row;
        if (want > n) want = n;
        if (want > cap) {
            uint8_t *q = (uint8_t *)exrqoi__alloc(d->op.a, want);
            if (!q) {
                r = exrqoi__fail(&d->err, EXRQOI_ERR_OUT_OF_MEMORY, "QOI: out of memory (%zu bytes)", want);
                break;
            }
            if (have) memcpy(q, p, have);
            exrqoi__free(d->op.a, p);
            p = q;
            cap = want;
        }
        uint32_t k = (uint32_t)(cap / row) - done;
        if (k > d->desc.height - done) k = d->desc.height - done;
        r = read_rows(d, p + have, 0, k);
        if (r != EXRQOI_OK) break;
        done += k;
        have += (size_t)k * row;
    }
    if (r != EXRQOI_OK) {
        exrqoi__free(d->op.a, p);
        p = NULL;
    }
    *out = p;
    return r;
}

/* Allocates the output and decodes every row. */
static exrqoi_result decode_all(decoder *d, exrqoi_qoi_desc *desc, void **pixels,
                                size_t *pixels_size)
{
    size_t n = 0;
    EXRQOI_TRY(output_size(d, &n));
    EXRQOI_TRY(check_evidence(d));
    uint8_t *p = NULL;
    exrqoi_result r;
    if (d->has_input && d->in.size < 0 && !d->op.o.lenient) {
        r = read_growing(d, n, &p);
    } else {
        p = (uint8_t *)exrqoi__alloc(d->op.a, n);
        if (!p) return exrqoi__fail(&d->err, EXRQOI_ERR_OUT_OF_MEMORY, "QOI: out of memory (%zu bytes)", n);
        r = read_rows(d, p, 0, d->desc.height);
    }
    if (r != EXRQOI_OK) {
        exrqoi__free(d->op.a, p);
        return r;
    }
    if (desc) *desc = d->desc;
    *pixels = p;
    if (pixels_size) *pixels_size = n;
    return EXRQOI_OK;
}

static exrqoi_result check_out(void **pixels, decoder *d)
{
    if (!pixels)
        return exrqoi__fail(&d->err, EXRQOI_ERR_INVALID_ARGUMENT, "QOI: NULL pixels pointer");
    *pixels = NULL;
    return EXRQOI_OK;
}

exrqoi_result exrqoi_qoi_decode(exrqoi_source source, const exrqoi_qoi_options *options,
                                exrqoi_qoi_desc *desc, void **pixels, size_t *pixels_size)
{
    decoder d;
    dec_init(&d, options);
    exrqoi_result r = check_out(pixels, &d);
    if (r == EXRQOI_OK) r = begin_source(&d, &source);
    if (r == EXRQOI_OK) r = decode_all(&d, desc, pixels, pixels_size);
    dec_release(&d);
    return r;
}

exrqoi_result exrqoi_qoi_decode_into(exrqoi_source source, const exrqoi_qoi_options *options,
                                     exrqoi_qoi_desc *desc, void *pixels, size_t stride,
                                     size_t buffer_size)
{
    decoder d;
    dec_init(&d, options);
    exrqoi_result r = begin_source(&d, &source);
    if (r == EXRQOI_OK) {
        size_t row = (size_t)d.desc.width * (size_t)d.out_ch, need;
        if (!stride) stride = row;
        if (stride < row || exrqoi__mul_size(stride, (size_t)d.desc.height - 1, &need) ||
            exrqoi__add_size(need, row, &need) || need > buffer_size)
            r = exrqoi__fail(&d.err, EXRQOI_ERR_BUFFER_TOO_SMALL,
                             "QOI: buffer of %zu bytes too small for %ux%u", buffer_size,
                             (unsigned)d.desc.width, (unsigned)d.desc.height);
    }
    if (r == EXRQOI_OK) r = read_rows(&d, (uint8_t *)pixels, stride, d.desc.height);
    if (r == EXRQOI_OK && desc) *desc = d.desc;
    dec_release(&d);
    return r;
}
