# The source files of every target, relative to this folder: the one list a new
# or moved .c file is added to (CMake globs nothing). One file a line, sorted
# (LC_ALL=C order); the ctest test source_list (tests/repo/check_sources.cmake)
# fails when a .c file under src/ is missing here or listed but absent.

# the library: every .c outside tools/
set(EXRQOI_LIB_SOURCES
  block/half_simd.c
  block/lines.c
  check/check.c
  check/lenient.c
  chunk/evidence.c
  chunk/offsets.c
  chunk/reader.c
  chunk/workers.c
  codec/b44.c
  codec/b44_tables.c
  codec/codec.c
  codec/deflate_enc.c
  codec/deflate_lz.c
  codec/dwa.c
  codec/dwa_classify.c
  codec/dwa_dct.c
  codec/dwa_decode.c
  codec/dwa_encode.c
  codec/dwa_entropy.c
  codec/dwa_quant.c
  codec/dwa_tables.c
  codec/htj2k_dec.c
  codec/htj2k_dec_block.c
  codec/htj2k_dec_stream.c
  codec/htj2k_dec_vlc.c
  codec/htj2k_dec_wavelet.c
  codec/htj2k_enc.c
  codec/htj2k_enc_block.c
  codec/htj2k_enc_simd.c
  codec/htj2k_enc_tables.c
  codec/huf.c
  codec/none.c
  codec/piz.c
  codec/predict.c
  codec/pxr24.c
  codec/services.c
  codec/wavelet.c
  codec/zip.c
  common/alloc.c
  common/cpu.c
  common/error.c
  common/half.c
  common/misc.c
  convert/colormath.c
  convert/exr_to_qoi.c
  convert/qoi_to_exr.c
  deep/deep_chunk.c
  deep/deep_image.c
  deep/flatten.c
  image/image.c
  image/levels_build.c
  image/rgba_read.c
  image/rgba_write.c
  image/rgba_yca.c
  io/platform_posix.c
  io/platform_win.c
  io/source_grow.c
  io/stream.c
  meta/attr.c
  meta/header.c
  meta/header_read.c
  meta/levels.c
  meta/validate.c
  qoi/qoi_decode_core.c
  qoi/qoi_decoder.c
  qoi/qoi_encode_core.c
  qoi/qoi_encoder.c
  qoi/qoi_header.c
  read/deep_level.c
  read/deep_region.c
  read/job.c
  read/read_part.c
  thread/job_status.c
  thread/pool.c
  write/deep_write.c
  write/write_part.c
  write/writer.c
)

# the tool's image file formats (PNG, camera raw): the static library
# exrqoi_tool_io, which tests/tool_io/ links too
set(EXRQOI_TOOL_IO_SOURCES
  tools/png_io.c
  tools/raw_io.c
  tools/tool_image.c
)

# the exrqoi command-line tool (with exrqoi_tool_io)
set(EXRQOI_TOOL_SOURCES
  tools/attr_print.c
  tools/cmd_bench.c
  tools/cmd_check.c
  tools/cmd_convert.c
  tools/cmd_flatten.c
  tools/cmd_hash.c
  tools/cmd_hash_deep.c
  tools/cmd_info.c
  tools/convert_exr.c
  tools/convert_formats.c
  tools/exrqoi.c
  tools/files.c
  tools/opts.c
  tools/progress.c
  tools/sys_posix.c
  tools/sys_win.c
)
