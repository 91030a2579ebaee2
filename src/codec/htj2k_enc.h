/*
 * HTJ2K encoder (OpenEXR 3.4's HTJ2K256 / HTJ2K32 compressions): one
 * chunk's unpacked bytes to OpenEXR's HTJ2K chunk payload, with the
 * choices OpenEXR makes through OpenJPH (reversible 5/3 wavelet with 5
 * levels, 128x32 code blocks, RCT on R,G,B of one type, NLT type 3 for
 * half and float, RPCL, one layer, one tile, HT cleanup pass only).
 */
#ifndef EXRQOI_HTJ2K_ENC_H
#define EXRQOI_HTJ2K_ENC_H

#include "codec/record.h"

/* Largest bytes one 128x32 code block can take (MagSgn at up to 38 bits
 * a sample with stuffing, VLC/U-VLC and MEL), plus slack. */
#define EXRQOI__HTJ2K_BLOCK_MAX 32768u
/* Work memory exrqoi__htj2k_encode_block needs. */
#define EXRQOI__HTJ2K_BLOCK_WORK (EXRQOI__HTJ2K_BLOCK_MAX + 1024u + 34u * 132u * 9u + 16u * EXRQOI__HTJ2K_QW * 4u + 64u)
/* Quads per row pair in exrqoi__htj2k_quads' output (64, with slack). */
#define EXRQOI__HTJ2K_QW 68u

/* The encoder's VLC lookup for the first line of quads ([0], initial_row
 * != 0) or the others ([1]): index (c_q << 8) | (rho << 4) | emb, entry
 * (codeword << 8) | (length << 4) | e_k. Constant (htj2k_enc_tables.c). */
EXRQOI_INTERNAL extern const uint16_t exrqoi__htj2k_vlc_enc[2][2048];
EXRQOI_INTERNAL const uint16_t *exrqoi__htj2k_vlc_enc_table(int initial_row);

/* HT cleanup-pass encoding of one code block of w x h coefficients
 * (1..128 x 1..32) at coef[y * stride + x], magnitudes taken modulo
 * 2^kmax. Writes the code block's bytes (MagSgn, MEL, VLC, with the Scup
 * locator) to out (EXRQOI__HTJ2K_BLOCK_MAX bytes), using `work`
 * (EXRQOI__HTJ2K_BLOCK_WORK bytes, 8-byte aligned), and returns their
 * count, or 0 when every magnitude is 0 (the block is left out of the
 * packet). */
EXRQOI_INTERNAL size_t exrqoi__htj2k_encode_block(const int64_t *coef, size_t stride, int w, int h, int kmax,
                                                  uint8_t *work, uint8_t *out);
/* The same from 32-bit coefficients (16-bit components, kmax at most 23;
 * larger gives 0), with the portable code or with SIMD path `path`
 * (exrqoi__htj2k_enc_path). */
EXRQOI_INTERNAL size_t exrqoi__htj2k_encode_block32(const int32_t *coef, size_t stride, int w, int h, int kmax,
                                                    uint8_t *work, uint8_t *out);
EXRQOI_INTERNAL size_t exrqoi__htj2k_encode_block32_path(int path, const int32_t *coef, size_t stride, int w, int h,
                                                         int kmax, uint8_t *work, uint8_t *out);
/* A block's exponents E (bits of 2 mu - 1, 0 for mu = 0) and MagSgn
 * values V (2 (mu - 1) + sign, 0 for mu = 0) at stride 132, with
 * mu = |coef| & mask, zero-padded to whole quad pairs (w rounded up to 4,
 * h to 2); mask < 2^23. Returns whether any mu is non-zero. Path as
 * exrqoi__htj2k_enc_path (htj2k_enc_simd.c). */
EXRQOI_INTERNAL int exrqoi__htj2k_prep32(int path, const int32_t *coef, size_t stride, int w, int h, uint32_t mask,
                                         uint8_t *E, uint32_t *V);
/* Each quad's coding inputs ahead of the serial coder, from exponents E
 * as exrqoi__htj2k_prep32 leaves them (w x h, stride 132): for row pair
 * j, quad k, Q[j * EXRQOI__HTJ2K_QW + k] = the VLC table index
 * (c_q << 8) | (rho << 4) | emb (emb 0 unless u_q > 0) | U_q << 16 |
 * u_q << 24. Zeroes E's columns (w rounded up to 4) to +4 of each row.
 * Every path gives the same words. */
EXRQOI_INTERNAL void exrqoi__htj2k_quads(int path, uint8_t *E, int w, int h, uint32_t *Q);

/* The SIMD path of the encoder's kernels for a set of CPU features
 * (common/cpu.h: EXRQOI__PATH_C, _SSE2, _AVX2 or _NEON; htj2k_enc_simd.c). */
EXRQOI_INTERNAL int exrqoi__htj2k_enc_path(uint32_t features);
/* Forward reversible 5/3 wavelet, 5 levels, in place on a w x h plane of
 * 32-bit samples (Mallat layout out); tmp holds (h / 2) * w + w samples. Every
 * path gives the same integers. */
EXRQOI_INTERNAL void exrqoi__htj2k_fwd53_i32(int path, int32_t *p, int w, int h, int32_t *tmp);

/* n little-endian half samples at src to NLT type 3 integers (v >= 0 ?
 * v : -v - 32769 of the sign-extended bits), and the reversible colour
 * transform in place on three planes of n 32-bit samples; every path
 * gives the same integers. */
EXRQOI_INTERNAL void exrqoi__htj2k_half_nlt(int path, const uint8_t *src, int32_t *row, size_t n);
EXRQOI_INTERNAL void exrqoi__htj2k_rct_i32(int path, int32_t *r, int32_t *g, int32_t *b, size_t n);

/* The codec-table hooks. compress: block->unpacked_size bytes of `src` in
 * the EXR unpacked layout (codec.h) to OpenEXR's HTJ2K chunk payload (magic
 * 0x4854, big-endian header length, channel map, J2K codestream) in dst.
 * When the payload would not be smaller than the unpacked bytes (or does
 * not fit dst_cap) *out_size is set to block->unpacked_size, which the
 * dispatcher stores raw, as OpenEXR does. The bytes are OpenEXR's except
 * that OpenJPH's COM marker segment ("OpenJPH Ver ...") is not written.
 * Channels must have power-of-two sampling that divides the block evenly,
 * the block at most 32768 wide and high (one precinct per resolution) and
 * at most 16384 channels; otherwise EXRQOI_ERR_UNSUPPORTED. Uses ctx
 * scratch slots 0-3. bound: the capacity compress needs. */
EXRQOI_INTERNAL size_t exrqoi__htj2k_bound(const exrqoi__block_layout *block);
EXRQOI_INTERNAL exrqoi_result exrqoi__htj2k_compress(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *block,
                                                     const uint8_t *src, uint8_t *dst, size_t dst_cap,
                                                     size_t *out_size);

/* The payload whatever its size (tests, tools): EXRQOI_ERR_BUFFER_TOO_SMALL
 * when it does not fit dst_cap. */
EXRQOI_INTERNAL exrqoi_result exrqoi__htj2k_encode_payload(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *block,
                                                           const uint8_t *src, uint8_t *dst, size_t dst_cap,
                                                           size_t *out_size);

#endif
