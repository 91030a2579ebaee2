/* The status of one parallel loop (every driver, reading and writing):
 * its first failure and the flag that stops the loop. */
#ifndef EXRQOI_JOB_STATUS_H
#define EXRQOI_JOB_STATUS_H

#include "common/internal.h"

#include <stdatomic.h>

/* First failure of a parallel loop; `stop` goes to exrqoi__pool_for. */
typedef struct exrqoi__job_status {
    atomic_int failed;
    atomic_int stop;
    exrqoi_result rv;
} exrqoi__job_status;

EXRQOI_INTERNAL void exrqoi__job_status_init(exrqoi__job_status *s);
/* Records `rv` if it is the loop's first failure (its message goes to
 * `target`, the reader's or writer's error record) and stops the loop. */
EXRQOI_INTERNAL void exrqoi__job_fail(exrqoi__job_status *s, exrqoi__err *target, exrqoi_result rv,
                                      const char *msg);
/* EXRQOI_OK, or the first failure. */
EXRQOI_INTERNAL exrqoi_result exrqoi__job_result(exrqoi__job_status *s);

#endif
