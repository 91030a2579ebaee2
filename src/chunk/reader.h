/* The reader object: its internal interface (the struct itself is in
 * chunk/reader_impl.h). */
#ifndef EXRQOI_READER_H
#define EXRQOI_READER_H

#include "chunk/workers.h"
#include "codec/codec.h"
#include "io/stream.h"
#include "meta/file.h"
#include "thread/pool.h"

/* The reader's fields are seen only by its own module (src/chunk) and the
 * read drivers (src/read), through chunk/reader_impl.h; the layers above
 * use these accessors. */
EXRQOI_INTERNAL const exrqoi_allocator *exrqoi__reader_alloc(const exrqoi_reader *r);
EXRQOI_INTERNAL const exrqoi_limits *exrqoi__reader_limits(const exrqoi_reader *r);
/* The reader's error record (failures of calls on the reader go there). */
EXRQOI_INTERNAL exrqoi__err *exrqoi__reader_err(exrqoi_reader *r);
/* A fresh error record whose messages go where the reader's go. */
EXRQOI_INTERNAL void exrqoi__reader_err_init(const exrqoi_reader *r, exrqoi__err *err);
/* The pool the reader has now (the caller's, its own once made, or NULL)
 * and its `threads` option. */
EXRQOI_INTERNAL void exrqoi__reader_threading(const exrqoi_reader *r, exrqoi_pool **pool, int *threads);
/* Part `part` as validated at open; NULL when there is no such part. */
EXRQOI_INTERNAL const exrqoi__part *exrqoi__reader_part(const exrqoi_reader *r, int part);
EXRQOI_INTERNAL exrqoi__source *exrqoi__reader_source(exrqoi_reader *r);

/* The chunk payload fetch every driver uses: the `n` bytes at `off`, which
 * the leader parser (exrqoi__read_chunk_leader) has checked lie in the
 * file. Memory sources give a pointer into the file (no copy); others are
 * read into *buf (capacity *cap, grown as needed). The caller applies its
 * memory budget before. */
EXRQOI_INTERNAL exrqoi_result exrqoi__chunk_payload(exrqoi_reader *r, uint64_t off, uint64_t n, void **buf,
                                                    size_t *cap, const uint8_t **out, exrqoi__err *err);
/* exrqoi__chunk_payload into a worker's packed buffer. */
EXRQOI_INTERNAL exrqoi_result exrqoi__worker_payload(exrqoi_reader *r, exrqoi__worker *w, uint64_t off, uint64_t n,
                                                     const uint8_t **out, exrqoi__err *err);

/* Reads a chunk's leader and validates it against the part. On success
 * *data_off is where the packed bytes start. */
EXRQOI_INTERNAL exrqoi_result exrqoi__read_chunk_leader(exrqoi_reader *r, int part, uint64_t index,
                                                        exrqoi_chunk_info *ci, uint64_t *data_off,
                                                        exrqoi__err *err);
/* The read driver's check of a flat chunk's leader: it must name `part`
 * (multi-part files) and the chunk's coordinates `want` (scanline: its
 * first y; tiled: tx, ty, lx, ly), which the caller worked out from its
 * chunk grid, so nothing is derived here; anything else goes through
 * exrqoi__read_chunk_leader for its error. Sets the packed size and
 * where the packed bytes start. */
EXRQOI_INTERNAL exrqoi_result exrqoi__read_chunk_leader_quick(exrqoi_reader *r, int part, uint64_t index,
                                                              const int32_t want[4], uint64_t *packed_size,
                                                              uint64_t *data_off, exrqoi__err *err);
/* ---- evidence before allocation (chunk/evidence.c) ----
 * Output of at most EXRQOI__EVIDENCE_FREE_BYTES, or of at most
 * EXRQOI__EVIDENCE_FILE_RATIO times the size of a source whose size is
 * known, is justified by the file alone; anything larger is allocated
 * only once the chunks it needs are found in the file and each can
 * decode to its block. */
#define EXRQOI__EVIDENCE_FREE_BYTES ((uint64_t)32 << 20)
#define EXRQOI__EVIDENCE_FILE_RATIO 1024u
/* Largest deep count table a short raw table (zero-filled) may stand for. */
#define EXRQOI__DEEP_ZERO_FILL_MAX ((uint64_t)1 << 20)

EXRQOI_INTERNAL bool exrqoi__output_justified(const exrqoi_reader *r, uint64_t bytes);
/* Whether chunk `ci` (its leader read) can decode to its block: its packed
 * bytes within the codec's maximum expansion (exrqoi__check_expansion),
 * for deep chunks both the count table and the sample data. `strict`: a
 * short raw deep count table (zero-filled when read) is no evidence for
 * the bytes it lacks. EXRQOI_ERR_CORRUPT naming the chunk otherwise. */
EXRQOI_INTERNAL exrqoi_result exrqoi__chunk_evidence(const exrqoi_reader *r, int part, const exrqoi_chunk_info *ci,
                                                     bool strict, exrqoi__err *err);
/* Before a read allocates `out_bytes` of output for `region` (NULL = the
 * whole level) of level (lx, ly) of `part`: unless the file justifies that
 * much by itself, reads the leader of every chunk the region needs and
 * checks it with exrqoi__chunk_evidence. Arguments the read itself
 * rejects are left to it (EXRQOI_OK). */
EXRQOI_INTERNAL exrqoi_result exrqoi__region_evidence(exrqoi_reader *r, int part, int lx, int ly,
                                                      const exrqoi_box2i *region, uint64_t out_bytes,
                                                      exrqoi__err *err);
EXRQOI_INTERNAL exrqoi_result exrqoi__read_offsets(exrqoi_reader *r, exrqoi__err *err);

#endif
