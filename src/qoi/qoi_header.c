/* QOI header parsing and writing, option defaults. */
#include "qoi/qoi_internal.h"

const uint8_t exrqoi__qoi_end_marker[EXRQOI_QOI_END_SIZE] = {0, 0, 0, 0, 0, 0, 0, 1};

void exrqoi__qoi_opts_resolve(const exrqoi_qoi_options *in, exrqoi__qoi_opts *out)
{
    memset(out, 0, sizeof *out);
    exrqoi_qoi_options def = EXRQOI_QOI_OPTIONS_INIT;
    out->o = def;
    /* An older caller's struct is shorter: read only what it has. */
    out->status = exrqoi__options_copy(&out->o, sizeof out->o, in);
    if (out->o.allocator) {
        out->alloc = *out->o.allocator;
        out->a = &out->alloc;
    }
    const exrqoi_result lr = exrqoi__limits_resolve(out->o.limits, &out->limits);
    if (out->status == EXRQOI_OK) out->status = lr;
    if (!out->o.stripe_rows) out->o.stripe_rows = 256;
}

exrqoi_result exrqoi__qoi_check_desc(const exrqoi_qoi_desc *d, const exrqoi_limits *limits,
                                     exrqoi__err *err)
{
    if (d->width == 0 || d->height == 0)
        return exrqoi__fail(err, EXRQOI_ERR_BAD_HEADER, "QOI: image size %ux%u is empty",
                            (unsigned)d->width, (unsigned)d->height);
    if (d->channels != 3 && d->channels != 4)
        return exrqoi__fail(err, EXRQOI_ERR_BAD_HEADER, "QOI: %u channels (must be 3 or 4)",
                            (unsigned)d->channels);
    if (d->colorspace > 1)
        return exrqoi__fail(err, EXRQOI_ERR_BAD_HEADER, "QOI: colorspace %u (must be 0 or 1)",
                            (unsigned)d->colorspace);
    uint64_t n = (uint64_t)d->width * d->height;
    if (n > limits->max_qoi_pixels)
        return exrqoi__fail(err, EXRQOI_ERR_LIMIT,
                            "QOI: %ux%u = %llu pixels exceeds the limit of %llu",
                            (unsigned)d->width, (unsigned)d->height, (unsigned long long)n,
                            (unsigned long long)limits->max_qoi_pixels);
    /* the worst-case encoding must fit a size_t */
    size_t bytes;
    if (n > SIZE_MAX || exrqoi__mul_size((size_t)n, (size_t)d->channels + 1, &bytes) ||
        exrqoi__add_size(bytes, EXRQOI_QOI_HEADER_SIZE + EXRQOI_QOI_END_SIZE + 64, &bytes))
        return exrqoi__fail(err, EXRQOI_ERR_LIMIT, "QOI: %ux%u image too large for memory",
                            (unsigned)d->width, (unsigned)d->height);
    return EXRQOI_OK;
}

static uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

exrqoi_result exrqoi__qoi_parse_header(const uint8_t *h, size_t size, const exrqoi_limits *limits,
                                       exrqoi_qoi_desc *d, exrqoi__err *err)
{
    if (size < 4 || memcmp(h, "qoif", 4) != 0) {
        if (size < 4 && memcmp(h, "qoif", size) == 0)
            return exrqoi__fail(err, EXRQOI_ERR_TRUNCATED,
                                "QOI: only %zu bytes, the header needs %d", size,
                                EXRQOI_QOI_HEADER_SIZE);
        return exrqoi__fail(err, EXRQOI_ERR_BAD_MAGIC, "QOI: bad magic (not \"qoif\")");
    }
    if (size < EXRQOI_QOI_HEADER_SIZE)
        return exrqoi__fail(err, EXRQOI_ERR_TRUNCATED, "QOI: only %zu bytes, the header needs %d",
                            size, EXRQOI_QOI_HEADER_SIZE);
    d->width = be32(h + 4);
    d->height = be32(h + 8);
    d->channels = h[12];
    d->colorspace = h[13];
    return exrqoi__qoi_check_desc(d, limits, err);
}

void exrqoi__qoi_write_header(uint8_t h[EXRQOI_QOI_HEADER_SIZE], const exrqoi_qoi_desc *d)
{
    memcpy(h, "qoif", 4);
    put_be32(h + 4, d->width);
    put_be32(h + 8, d->height);
    h[12] = d->channels;
    h[13] = d->colorspace;
}

exrqoi_result exrqoi_qoi_read_header(const void *data, size_t size,
                                     const exrqoi_qoi_options *options, exrqoi_qoi_desc *desc)
{
    exrqoi__qoi_opts op;
    exrqoi__qoi_opts_resolve(options, &op);
    exrqoi__err err = {0};
    err.on_message = op.o.on_message;
    err.user = op.o.message_user;
    if (op.status != EXRQOI_OK)
        return exrqoi__fail(&err, op.status, EXRQOI__QOI_UNINIT_MSG);
    if (!desc || (!data && size))
        return exrqoi__fail(&err, EXRQOI_ERR_INVALID_ARGUMENT, "QOI: NULL argument");
    if (!data) return exrqoi__fail(&err, EXRQOI_ERR_TRUNCATED, "QOI: no data");
    return exrqoi__qoi_parse_header((const uint8_t *)data, size, &op.limits, desc, &err);
}

exrqoi_result exrqoi_qoi_max_encoded_size(const exrqoi_qoi_desc *desc, size_t *size)
{
    if (!desc || !size) return EXRQOI_ERR_INVALID_ARGUMENT;
    exrqoi_limits lim;
    exrqoi_limits_default(&lim);
    lim.max_qoi_pixels = UINT64_MAX;
    exrqoi_result r = exrqoi__qoi_check_desc(desc, &lim, NULL);
    if (r != EXRQOI_OK) return r == EXRQOI_ERR_BAD_HEADER ? EXRQOI_ERR_INVALID_ARGUMENT : r;
    *size = (size_t)desc->width * desc->height * ((size_t)desc->channels + 1) +
            EXRQOI_QOI_HEADER_SIZE + EXRQOI_QOI_END_SIZE;
    return EXRQOI_OK;
}
