/* DWA decoder: validates the chunk header, undoes the entropy stages and
 * rebuilds the lossy, RLE and stored channels. */
#include "codec/dwa.h"
#include "codec/huf.h"
#include "common/half.h"

typedef struct dec_state {
    exrqoi__codec_ctx *ctx;
    const exrqoi__block_layout *b;
    uint8_t *dst;
    const size_t *rows, *first;
    const uint16_t *ac;
    size_t nac, acpos;
    const uint16_t *dc;
    size_t dcpos;
    uint16_t *rowblk; /* 3 x blocks_x x 64 halves */
    dwa_lut to_linear;
} dec_state;

static exrqoi_result corrupt(exrqoi__codec_ctx *ctx, const char *what)
{
    return exrqoi__fail(&ctx->err, EXRQOI_ERR_CORRUPT, "corrupt DWA chunk: %s", what);
}

/* Rows known to be zero follow from the last coded zig-zag slot. */
static int live_rows(int last)
{
    if (last < 2) return 1;
    if (last < 3) return 2;
    if (last < 9) return 3;
    if (last < 10) return 4;
    if (last < 20) return 5;
    if (last < 21) return 6;
    if (last < 35) return 7;
    return 8;
}

/* Decodes one lossy channel or Y'CbCr triple (chans[0..ncomp-1]). */
static exrqoi_result decode_lossy(dec_state *s, const int *chans, int ncomp, bool use_lut)
{
    const exrqoi__block_layout *b = s->b;
    int32_t w = b->chans[chans[0]].width, h = b->chans[chans[0]].height;
    size_t nbx = dwa_blocks(w), nby = dwa_blocks(h);
    if (!nbx || !nby) return EXRQOI_OK;
    const uint16_t *dcp[3];
    for (int c = 0; c < ncomp; c++) dcp[c] = s->dc + s->dcpos + (size_t)c * nbx * nby;
    s->dcpos += (size_t)ncomp * nbx * nby;

    float blk[3][64] __attribute__((aligned(32)));
    uint16_t zig[64];
    for (size_t by = 0; by < nby; by++) {
        for (size_t bx = 0; bx < nbx; bx++) {
            bool constant = true;
            for (int c = 0; c < ncomp; c++) {
                memset(zig, 0, sizeof zig);
                zig[0] = *dcp[c]++;
                int last = exrqoi__dwa_unrle_ac(s->ac, s->nac, &s->acpos, zig);
                if (last < 0) return corrupt(s->ctx, "AC data ends early");
                if (last == 0) {
                    blk[c][0] = exrqoi__h2f(zig[0]);
                    exrqoi__dwa_idct_dc(blk[c]);
                } else {
                    constant = false;
                    for (int i = 0; i < 64; i++)
                        blk[c][exrqoi__dwa_zigzag[i]] = exrqoi__h2f(zig[i]);
                    exrqoi__dwa_idct(blk[c], live_rows(last));
                }
            }
            /* constant blocks hold one value 64 times: transform it once */
            int n = constant ? 1 : 64;
            if (ncomp == 3) exrqoi__dwa_csc_inverse(blk[0], blk[1], blk[2], n);
            for (int c = 0; c < ncomp; c++) {
                uint16_t *o = s->rowblk + ((size_t)c * nbx + bx) * 64;
                if (constant) {
                    uint16_t v = exrqoi__dwa_f2h(blk[c][0]);
                    for (int i = 0; i < 64; i++) o[i] = v;
                } else {
                    for (int i = 0; i < 64; i++) o[i] = exrqoi__dwa_f2h(blk[c][i]);
                }
            }
        }
        /* unblock this row of blocks into the output lines */
        int maxy = (by == nby - 1) ? (int)(h - 8 * (int32_t)(nby - 1)) : 8;
        for (int c = 0; c < ncomp; c++) {
            const exrqoi__chan_layout *ch = &b->chans[chans[c]];
            const uint16_t *blkrow = s->rowblk + (size_t)c * nbx * 64;
            for (int yy = 0; yy < maxy; yy++) {
                uint8_t *row = s->dst + s->rows[s->first[chans[c]] + by * 8 + (size_t)yy];
                const uint16_t *srow = blkrow + yy * 8;
                for (int32_t x = 0; x < w; x++) {
                    uint16_t v = srow[((size_t)x >> 3) * 64 + (x & 7)];
                    if (use_lut) v = dwa_lut_get(&s->to_linear, v);
                    if (ch->type == EXRQOI_PIXEL_FLOAT)
                        exrqoi__putf32(row + 4 * (size_t)x, exrqoi__h2f(v));
                    else
                        exrqoi__put16(row + 2 * (size_t)x, v);
                }
            }
        }
    }
    return EXRQOI_OK;
}

exrqoi_result exrqoi__dwa_decode(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,
                                 const uint8_t *src, size_t n, uint8_t *dst)
{
    if (n < DWA_HEADER_SIZE) return corrupt(ctx, "shorter than its header");
    uint64_t hd[DWA_NUM_SIZES];
    for (int i = 0; i < DWA_NUM_SIZES; i++) hd[i] = exrqoi__le64(src + 8 * i);
    for (int i = DWA_UNKNOWN_UNCOMPRESSED_SIZE; i <= DWA_DC_UNCOMPRESSED_COUNT; i++)
        if (hd[i] >> 62) return corrupt(ctx, "size field out of range");
    uint64_t packed = hd[DWA_UNKNOWN_COMPRESSED_SIZE] + hd[DWA_AC_COMPRESSED_SIZE] +
                      hd[DWA_DC_COMPRESSED_SIZE] + hd[DWA_RLE_COMPRESSED_SIZE];
    if (hd[DWA_VERSION] > 2) return corrupt(ctx, "unknown version");
    size_t pos = DWA_HEADER_SIZE;
    if (packed > n - pos) return corrupt(ctx, "stream sizes exceed the chunk");

    dwa_rules rules;
    if (hd[DWA_VERSION] == 2) {
        if (n - pos < 2) return corrupt(ctx, "missing channel rules");
        size_t rs = exrqoi__le16(src + pos);
        if (rs < 2 || rs > n - pos || packed > n - pos - rs)
            return corrupt(ctx, "channel rules exceed the chunk");
        EXRQOI_TRY(exrqoi__dwa_rules_parse(&ctx->err, src + pos + 2, rs - 2, &rules));
        pos += rs;
    } else {
        exrqoi__dwa_rules_legacy(&rules);
    }

    /* ---- classify and size everything from the header, not the stream */
    size_t rows_n = exrqoi__dwa_row_count(b), nchan = b->nchan > 0 ? (size_t)b->nchan : 1;
    size_t used = 0;
    dwa_carve(NULL, &used, exrqoi__dwa_plan_scratch(b->nchan));
    void *mem;
    EXRQOI_TRY(exrqoi__codec_scratch(ctx, 0, used + 16, &mem));
    dwa_plan plan;
    exrqoi__dwa_classify(b, &rules, mem, &plan);

    uint64_t unknown_bytes = 0, rle_bytes = 0, max_ac = 0, dc_need = 0;
    size_t max_nbx = 0;
    bool any_lossy_lut = false;
    for (int c = 0; c < b->nchan; c++) {
        const exrqoi__chan_layout *ch = &b->chans[c];
        uint64_t bytes = (uint64_t)ch->width * (uint64_t)ch->height * ch->size;
        if (plan.scheme[c] == DWA_SCHEME_LOSSY_DCT) {
            if (ch->type == EXRQOI_PIXEL_UINT)
                return corrupt(ctx, "lossy coding of a UINT channel");
            uint64_t nb = (uint64_t)dwa_blocks(ch->width) * dwa_blocks(ch->height);
            dc_need += nb;
            max_ac += nb * 63;
            if (dwa_blocks(ch->width) > max_nbx) max_nbx = dwa_blocks(ch->width);
            if (!ch->p_linear || plan.in_csc[c]) any_lossy_lut = true;
        } else if (plan.scheme[c] == DWA_SCHEME_RLE) {
            rle_bytes += bytes;
        } else {
            unknown_bytes += bytes;
        }
    }
    for (int k = 0; k < plan.ncsc; k++) {
        const int *t = plan.csc[k];
        if (t[0] == t[1] || t[0] == t[2] || t[1] == t[2])
            return corrupt(ctx, "a channel appears twice in a colour triple");
        for (int j = 0; j < 3; j++)
            if (plan.scheme[t[j]] != DWA_SCHEME_LOSSY_DCT)
                return corrupt(ctx, "colour triple of a channel that is not lossy");
    }

    uint64_t unk_u = hd[DWA_UNKNOWN_UNCOMPRESSED_SIZE], unk_c = hd[DWA_UNKNOWN_COMPRESSED_SIZE];
    uint64_t ac_c = hd[DWA_AC_COMPRESSED_SIZE], dc_c = hd[DWA_DC_COMPRESSED_SIZE];
    uint64_t rle_c = hd[DWA_RLE_COMPRESSED_SIZE], rle_u = hd[DWA_RLE_UNCOMPRESSED_SIZE];
    uint64_t rle_raw = hd[DWA_RLE_RAW_SIZE];
    uint64_t n_ac = hd[DWA_AC_UNCOMPRESSED_COUNT], n_dc = hd[DWA_DC_UNCOMPRESSED_COUNT];

    if (unknown_bytes ? (unk_c == 0 || unk_u != unknown_bytes) : (unk_c != 0 || unk_u != 0))
        return corrupt(ctx, "stored-channel sizes do not match the channels");
    if (n_ac > max_ac || (n_ac && !ac_c) || (ac_c && !max_ac))
        return corrupt(ctx, "AC count does not match the channels");
    if (n_dc != dc_need || (n_dc && !dc_c) || (!n_dc && dc_c))
        return corrupt(ctx, "DC count does not match the channels");
    if (rle_bytes ? (rle_raw != rle_bytes || rle_u == 0 || rle_u > 2 * rle_bytes + 2 || !rle_c)
                  : (rle_raw != 0 || rle_c != 0))
        return corrupt(ctx, "RLE sizes do not match the channels");
    if (ac_c && hd[DWA_AC_COMPRESSION] != DWA_AC_HUFFMAN && hd[DWA_AC_COMPRESSION] != DWA_AC_DEFLATE)
        return corrupt(ctx, "unknown AC compression");

    /* ---- scratch layout (all sizes now bounded by the block's own) */
    used = 0;
    dwa_carve(NULL, &used, exrqoi__dwa_plan_scratch(b->nchan));
    size_t o_rows = (used + 15) & ~(size_t)15;
    dwa_carve(NULL, &used, rows_n * sizeof(size_t));
    size_t o_first = (used + 15) & ~(size_t)15;
    dwa_carve(NULL, &used, nchan * sizeof(size_t));
    size_t o_unk = (used + 15) & ~(size_t)15;
    dwa_carve(NULL, &used, (size_t)unknown_bytes);
    size_t o_rle = (used + 15) & ~(size_t)15;
    dwa_carve(NULL, &used, (size_t)rle_bytes + (size_t)rle_u);
    size_t o_ac = (used + 15) & ~(size_t)15;
    dwa_carve(NULL, &used, (size_t)n_ac * 2);
    size_t o_dc = (used + 15) & ~(size_t)15;
    dwa_carve(NULL, &used, (size_t)n_dc * 4);
    size_t o_blk = (used + 15) & ~(size_t)15;
    dwa_carve(NULL, &used, max_nbx * 3 * 64 * 2);
    /* the plan lives at the start of slot 0 and survives the regrow only
     * if the slot is big enough already: re-classify after growing */
    EXRQOI_TRY(exrqoi__codec_scratch(ctx, 0, used + 16, &mem));
    exrqoi__dwa_classify(b, &rules, mem, &plan);
    uint8_t *base = (uint8_t *)mem;

    dec_state s;
    memset(&s, 0, sizeof s);
    s.ctx = ctx;
    s.b = b;
    s.dst = dst;
    size_t *rows = (size_t *)(void *)(base + o_rows), *first = (size_t *)(void *)(base + o_first);
    EXRQOI_TRY(exrqoi__dwa_rows(ctx, b, rows, first));
    s.rows = rows;
    s.first = first;

    const uint8_t *p = src + pos;
    /* stored channels */
    uint8_t *unk = base + o_unk;
    if (unknown_bytes) EXRQOI_TRY(exrqoi__inflate(ctx, p, (size_t)unk_c, unk, (size_t)unknown_bytes));
    p += unk_c;

    /* AC coefficients */
    uint16_t *ac = (uint16_t *)(void *)(base + o_ac);
    if (ac_c) {
        if (hd[DWA_AC_COMPRESSION] == DWA_AC_HUFFMAN) {
            EXRQOI_TRY(exrqoi__huf_decompress(ctx, p, (size_t)ac_c, ac, (size_t)n_ac));
        } else {
            EXRQOI_TRY(exrqoi__inflate(ctx, p, (size_t)ac_c, (uint8_t *)ac, (size_t)n_ac * 2));
            for (size_t i = 0; i < n_ac; i++) ac[i] = exrqoi__le16(&ac[i]);
        }
    }
    p += ac_c;

    /* DC coefficients: ZIP predictor + interleave over their bytes */
    uint16_t *dc = (uint16_t *)(void *)(base + o_dc);
    if (dc_c) {
        uint8_t *tmp = (uint8_t *)(dc + n_dc);
        EXRQOI_TRY(exrqoi__inflate(ctx, p, (size_t)dc_c, tmp, (size_t)n_dc * 2));
        exrqoi__zip_unpredict(tmp, (size_t)n_dc * 2, (uint8_t *)dc);
        for (size_t i = 0; i < n_dc; i++) dc[i] = exrqoi__le16(&dc[i]);
    }
    p += dc_c;

    /* RLE channels: zlib, then byte RLE into per-channel byte planes */
    uint8_t *rle = base + o_rle;
    if (rle_bytes) {
        uint8_t *packed_rle = rle + rle_bytes;
        EXRQOI_TRY(exrqoi__inflate(ctx, p, (size_t)rle_c, packed_rle, (size_t)rle_u));
        if (!exrqoi__dwa_unrle_bytes(packed_rle, (size_t)rle_u, rle, (size_t)rle_bytes))
            return corrupt(ctx, "RLE data does not match its size");
    }

    /* lossy channels: the triples first, then single channels */
    s.ac = ac;
    s.nac = (size_t)n_ac;
    s.dc = dc;
    s.rowblk = (uint16_t *)(void *)(base + o_blk);
    if (any_lossy_lut) {
        void *lut;
        EXRQOI_TRY(exrqoi__codec_scratch(ctx, 1, 65536 * sizeof(uint16_t), &lut));
        memset(lut, 0xff, 65536 * sizeof(uint16_t));
        s.to_linear.v = (uint16_t *)lut;
        s.to_linear.fn = exrqoi__dwa_to_linear;
    }
    for (int k = 0; k < plan.ncsc; k++) EXRQOI_TRY(decode_lossy(&s, plan.csc[k], 3, true));

    size_t unk_off = 0, rle_off = 0;
    for (int c = 0; c < b->nchan; c++) {
        const exrqoi__chan_layout *ch = &b->chans[c];
        size_t line = (size_t)ch->width * ch->size;
        if (plan.scheme[c] == DWA_SCHEME_LOSSY_DCT) {
            if (!plan.in_csc[c]) EXRQOI_TRY(decode_lossy(&s, &c, 1, !ch->p_linear));
        } else if (plan.scheme[c] == DWA_SCHEME_RLE) {
            size_t plane = (size_t)ch->width * (size_t)ch->height;
            const uint8_t *planes = rle + rle_off;
            for (int32_t r = 0; r < ch->height; r++) {
                uint8_t *row = dst + rows[first[c] + (size_t)r];
                size_t at = (size_t)r * (size_t)ch->width;
                for (int32_t x = 0; x < ch->width; x++)
                    for (int k = 0; k < ch->size; k++)
                        row[(size_t)x * ch->size + (size_t)k] = planes[(size_t)k * plane + at + (size_t)x];
            }
            rle_off += plane * ch->size;
        } else {
            for (int32_t r = 0; r < ch->height; r++) {
                if (line) memcpy(dst + rows[first[c] + (size_t)r], unk + unk_off, line);
                unk_off += line;
            }
        }
    }
    return EXRQOI_OK;
}
