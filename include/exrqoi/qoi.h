/*
 * exrqoi/qoi.h - QOI ("Quite OK Image") encoding and decoding.
 *
 * Pixels are 8-bit, interleaved RGB (3 channels) or RGBA (4 channels),
 * rows top to bottom. The default encoder produces exactly the bytes of the
 * reference encoder (qoi.h). Images can be coded whole or row by row
 * through the streaming encoder and decoder, from any exrqoi_source to any
 * exrqoi_sink (memory, a path, or the caller's callbacks); the streaming
 * calls need one row of memory besides the stream.
 *
 * Ownership: buffers returned to the caller are allocated with the
 * allocator of the options (NULL = malloc) and released with
 * exrqoi_free(allocator, p).
 *
 * Thread safety: all functions are reentrant; one encoder or decoder object
 * must be used by one thread at a time.
 */
#ifndef EXRQOI_QOI_H
#define EXRQOI_QOI_H

#include "exrqoi/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define EXRQOI_QOI_HEADER_SIZE 14 /**< bytes of the QOI file header */
#define EXRQOI_QOI_END_SIZE 8     /**< bytes of the end marker (7 x 0x00, 0x01) */

/** Colorspace byte of the header (informative only, never changes decoding). */
enum {
    EXRQOI_QOI_SRGB = 0,  /**< sRGB colour with linear alpha */
    EXRQOI_QOI_LINEAR = 1 /**< all channels linear */
};

/** What the 14-byte header says. */
typedef struct exrqoi_qoi_desc {
    uint32_t width;     /**< > 0 */
    uint32_t height;    /**< > 0 */
    uint8_t channels;   /**< 3 (RGB) or 4 (RGBA) */
    uint8_t colorspace; /**< EXRQOI_QOI_SRGB or EXRQOI_QOI_LINEAR */
} exrqoi_qoi_desc;

/** Options of every QOI call. Initialise with EXRQOI_QOI_OPTIONS_INIT (a
 * struct_size of 0 is EXRQOI_ERR_INVALID_ARGUMENT); a NULL pointer means
 * all defaults. */
typedef struct exrqoi_qoi_options {
    /** sizeof(exrqoi_qoi_options) of the caller's build: a library newer
     * than the caller reads only that many bytes. */
    size_t struct_size;
    /** Allocator for everything, including returned buffers (NULL = malloc). */
    const exrqoi_allocator *allocator;
    /** Limits; only max_qoi_pixels and max_alloc_bytes apply (NULL = defaults). */
    const exrqoi_limits *limits;
    /** Receives the detailed message of a failure (optional). */
    exrqoi_message_fn on_message;
    void *message_user;

    /* ---- decoding ---- */
    /** 0 = strict (default): the pixel data must end exactly with the end
     * marker and nothing may follow it; a stream that runs out of data
     * before the last pixel is EXRQOI_ERR_TRUNCATED.
     * Non-zero = lenient: accept exactly what the reference qoi.h decoder
     * accepts and produce the same pixels (the last 8 bytes of the data are
     * taken as the end marker whatever they hold, pixels missing at the end
     * repeat the last decoded pixel, bytes after the image are ignored). */
    int lenient;
    /** Channels to decode to: 0 = as in the file, 3 or 4. RGB to RGBA
     * gives the alpha the stream carries (255 unless it has RGBA ops);
     * RGBA to RGB drops alpha. */
    int channels;

    /* ---- encoding ---- */
    /** NULL (default): serial encoding, byte-identical to the reference.
     * Non-NULL: the image is cut into stripes of `stripe_rows` rows that are
     * encoded on this pool in parallel and joined into one valid stream
     * that any decoder reads. The bytes depend only on `stripe_rows`, never
     * on the number of threads. Applies to whole-image encoding, not to the
     * streaming encoder. */
    exrqoi_pool *pool;
    /** Threads to use from the pool (0 = all). */
    int threads;
    /** Rows per stripe of parallel encoding (0 = 256). */
    uint32_t stripe_rows;
    /** Non-zero: fsync a file written to a path before renaming it into place. */
    int fsync;
} exrqoi_qoi_options;

/** All defaults. */
#define EXRQOI_QOI_OPTIONS_INIT \
    {sizeof(exrqoi_qoi_options), NULL, NULL, NULL, NULL, 0, 0, NULL, 0, 0, 0}

/* ------------------------------------------------------------------ */
/* Whole images                                                        */
/* ------------------------------------------------------------------ */

/** Parses and validates the header at the start of `data` (at least 14
 * bytes). Errors: EXRQOI_ERR_TRUNCATED, _BAD_MAGIC, _BAD_HEADER (zero size,
 * channels not 3/4, colorspace not 0/1), _LIMIT (too many pixels). */
EXRQOI_API exrqoi_result exrqoi_qoi_read_header(const void *data, size_t size,
                                                const exrqoi_qoi_options *options,
                                                exrqoi_qoi_desc *desc);

/** Bytes of the largest possible encoding of an image (what the one-shot
 * encoders allocate). EXRQOI_ERR_INVALID_ARGUMENT for an invalid desc,
 * EXRQOI_ERR_LIMIT if it does not fit a size_t. */
EXRQOI_API exrqoi_result exrqoi_qoi_max_encoded_size(const exrqoi_qoi_desc *desc, size_t *size);

/** Decodes the QOI image `source` holds (a path or input is read front to
 * back from offset 0, never wholly in memory, so a pipe works). On
 * success *pixels (allocated with the options' allocator) holds
 * width*height*C bytes, C = options->channels or the file's channels, and
 * *desc the header (desc->channels is the file's). pixels_size may be
 * NULL. On failure *pixels is NULL. */
EXRQOI_API exrqoi_result exrqoi_qoi_decode(exrqoi_source source, const exrqoi_qoi_options *options,
                                           exrqoi_qoi_desc *desc, void **pixels,
                                           size_t *pixels_size);

/** Like exrqoi_qoi_decode into the caller's buffer: rows `stride` bytes
 * apart (0 = width*C), buffer_size bytes in all (EXRQOI_ERR_BUFFER_TOO_SMALL
 * if it cannot hold the image; exrqoi_qoi_read_header or a decoder's
 * exrqoi_qoi_decoder_desc tell the size first). */
EXRQOI_API exrqoi_result exrqoi_qoi_decode_into(exrqoi_source source,
                                                const exrqoi_qoi_options *options,
                                                exrqoi_qoi_desc *desc, void *pixels,
                                                size_t stride, size_t buffer_size);

/** Encodes width*height pixels of desc->channels bytes each (tightly
 * packed rows) to `sink`. A path is written to a temporary file in the
 * same directory that takes the name only when complete (fsynced first
 * with options->fsync), so `path` is never left half-written; an output
 * is written strictly front to back; a memory sink's buffer (the options'
 * allocator) may be larger than its *size (it is sized for the worst
 * case). */
EXRQOI_API exrqoi_result exrqoi_qoi_encode(exrqoi_sink sink, const void *pixels,
                                           const exrqoi_qoi_desc *desc,
                                           const exrqoi_qoi_options *options);

/* ------------------------------------------------------------------ */
/* Streaming                                                           */
/* ------------------------------------------------------------------ */

/** Row-by-row encoder (always serial, reference-identical output). */
typedef struct exrqoi_qoi_encoder exrqoi_qoi_encoder;

/** Starts encoding to `sink`; the header is written at once. A path's
 * temporary file takes the name in finish (close without a successful
 * finish removes it); a memory sink receives the buffer in finish; an
 * output's user pointer must stay valid until close. */
EXRQOI_API exrqoi_result exrqoi_qoi_encoder_open(exrqoi_sink sink, const exrqoi_qoi_desc *desc,
                                                 const exrqoi_qoi_options *options,
                                                 exrqoi_qoi_encoder **encoder);
/** Encodes the next `rows` rows of desc->channels bytes per pixel, `stride`
 * bytes apart (0 = width*channels). More rows than the image has is
 * EXRQOI_ERR_INVALID_ARGUMENT. After an error the encoder only accepts close. */
EXRQOI_API exrqoi_result exrqoi_qoi_encoder_write_rows(exrqoi_qoi_encoder *encoder,
                                                       const void *pixels, size_t stride,
                                                       uint32_t rows);
/** Writes the end marker (all rows must have been written, else
 * EXRQOI_ERR_BAD_STATE) and completes the sink (a path's file takes its
 * name, a memory sink's pointers receive the buffer). */
EXRQOI_API exrqoi_result exrqoi_qoi_encoder_finish(exrqoi_qoi_encoder *encoder);
/** Frees the encoder (NULL is fine); an unfinished file is removed. */
EXRQOI_API void exrqoi_qoi_encoder_close(exrqoi_qoi_encoder *encoder);

/** Row-by-row decoder. */
typedef struct exrqoi_qoi_decoder exrqoi_qoi_decoder;

/** Opens a decoder on `source` (read front to back from offset 0, so a
 * pipe works; memory is not copied and must outlive the decoder) and
 * reads the header. */
EXRQOI_API exrqoi_result exrqoi_qoi_decoder_open(exrqoi_source source,
                                                 const exrqoi_qoi_options *options,
                                                 exrqoi_qoi_decoder **decoder);
/** The header of the stream. */
EXRQOI_API exrqoi_result exrqoi_qoi_decoder_desc(const exrqoi_qoi_decoder *decoder,
                                                 exrqoi_qoi_desc *desc);
/** Channels of the rows read_rows delivers (options->channels or the file's). */
EXRQOI_API int exrqoi_qoi_decoder_channels(const exrqoi_qoi_decoder *decoder);
/** Decodes the next `rows` rows into `pixels`, `stride` bytes apart
 * (0 = width*channels). Reading past the last row is
 * EXRQOI_ERR_INVALID_ARGUMENT. In strict mode the call that delivers the
 * last row also checks the end marker and that nothing follows it. After an
 * error the decoder only accepts close. */
EXRQOI_API exrqoi_result exrqoi_qoi_decoder_read_rows(exrqoi_qoi_decoder *decoder, void *pixels,
                                                      size_t stride, uint32_t rows);
/** Frees the decoder (closing a file it opened). NULL is fine. */
EXRQOI_API void exrqoi_qoi_decoder_close(exrqoi_qoi_decoder *decoder);

#ifdef __cplusplus
}
#endif
#endif /* EXRQOI_QOI_H */
