/* First failure of a parallel loop. */
#include "thread/job_status.h"

void exrqoi__job_status_init(exrqoi__job_status *s)
{
    atomic_init(&s->failed, 0);
    atomic_init(&s->stop, 0);
    s->rv = EXRQOI_OK;
}

void exrqoi__job_fail(exrqoi__job_status *s, exrqoi__err *target, exrqoi_result rv, const char *msg)
{
    int expected = 0;
    if (atomic_compare_exchange_strong(&s->failed, &expected, 1)) {
        s->rv = rv;
        exrqoi__fail(target, rv, "%s", msg); /* the first failure wins the message */
    }
    atomic_store(&s->stop, 1);
}

exrqoi_result exrqoi__job_result(exrqoi__job_status *s)
{
    return atomic_load(&s->failed) ? s->rv : EXRQOI_OK;
}
