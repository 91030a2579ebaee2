/* The reader's pool, per-call worker leases and region checks. */
#include "chunk/reader_impl.h"
#include "read/job.h"

exrqoi_pool *exrqoi__reader_pool(exrqoi_reader *r)
{
    if (r->pool) return r->pool;
    int t = r->threads ? r->threads : exrqoi_cpu_count();
    if (t <= 1) return NULL;
    pthread_mutex_lock(&r->lock);
    if (!r->pool && exrqoi_pool_open(t, r->alloc, &r->pool) == EXRQOI_OK) r->own_pool = true;
    pthread_mutex_unlock(&r->lock);
    return r->pool;
}

void exrqoi__lease_acquire(exrqoi_reader *r, int width, exrqoi__lease *l)
{
    memset(l, 0, sizeof *l);
    l->width = width;
    l->locked = pthread_mutex_trylock(&r->lock) == 0;
    if (l->locked) {
        if (r->nworkers < width) {
            exrqoi__workers_free(r->alloc, r->workers, r->nworkers);
            r->workers = exrqoi__workers_new(r->alloc, width);
            r->nworkers = r->workers ? width : 0;
        }
        l->workers = r->workers;
    } else {
        l->temp = exrqoi__workers_new(r->alloc, width);
        l->workers = l->temp;
    }
    if (l->workers) l->scratch = exrqoi__reader_lend(r, l->workers, width);
}

void exrqoi__lease_release(exrqoi_reader *r, exrqoi__lease *l)
{
    exrqoi__reader_unlend(r, l->workers, l->width, l->scratch);
    if (l->locked) pthread_mutex_unlock(&r->lock);
    exrqoi__workers_free(r->alloc, l->temp, l->width);
    memset(l, 0, sizeof *l);
}

exrqoi__pool_lease *exrqoi__reader_lend(exrqoi_reader *r, exrqoi__worker *w, int n)
{
    /* a pool the reader made itself lives as long as its workers: nothing to gain */
    if (!r->pool || r->own_pool || !w || n < 1) return NULL;
    exrqoi__pool_lease *lease = exrqoi__pool_lease_take(r->pool, n);
    exrqoi__workers_lend(w, n, lease);
    return lease;
}

void exrqoi__reader_unlend(exrqoi_reader *r, exrqoi__worker *w, int n, exrqoi__pool_lease *lease)
{
    if (!lease) return;
    exrqoi__workers_unlend(w, n);
    exrqoi__pool_lease_give(r->pool, lease);
}

exrqoi_result exrqoi__region_check(exrqoi_reader *r, int part, int lx, int ly, const exrqoi_box2i *region,
                                   bool deep, const exrqoi__level **level, exrqoi_box2i *out)
{
    return exrqoi__region_check_err(r, &r->err, part, lx, ly, region, deep, level, out);
}

exrqoi_result exrqoi__region_check_err(exrqoi_reader *r, exrqoi__err *err, int part, int lx, int ly,
                                       const exrqoi_box2i *region, bool deep, const exrqoi__level **level,
                                       exrqoi_box2i *out)
{
    if (part < 0 || part >= r->nparts) return exrqoi__fail(err, EXRQOI_ERR_NOT_FOUND, "no part %d", part);
    const exrqoi__part *p = &r->parts[part];
    if (p->deep != deep)
        return exrqoi__fail(err, EXRQOI_ERR_INVALID_ARGUMENT,
                            deep ? "part %d holds flat data: use exrqoi_reader_read_region"
                                 : "part %d holds deep data: use the deep reading calls",
                            part);
    const exrqoi__level *L = exrqoi__part_level(p, lx, ly);
    if (!L) return exrqoi__fail(err, EXRQOI_ERR_NOT_FOUND, "part %d has no level (%d, %d)", part, lx, ly);
    exrqoi_box2i reg = region ? *region : L->window;
    if (reg.min.x < L->window.min.x || reg.min.y < L->window.min.y || reg.max.x > L->window.max.x ||
        reg.max.y > L->window.max.y || reg.min.x > reg.max.x || reg.min.y > reg.max.y)
        return exrqoi__fail(err, EXRQOI_ERR_INVALID_ARGUMENT,
                            "region (%d %d) - (%d %d) is not inside part %d level (%d, %d)", reg.min.x,
                            reg.min.y, reg.max.x, reg.max.y, part, lx, ly);
    *level = L;
    *out = reg;
    return EXRQOI_OK;
}
