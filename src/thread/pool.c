/* Worker pool: threads wait for "loops"; each loop hands out item indices
 * through an atomic counter, so a loop's items spread over whichever
 * threads are free. Several callers may run loops on one pool at once. */
#include "common/internal.h"
#include "thread/pool.h"

#include <pthread.h>
#include <stdatomic.h>

typedef struct loop {
    struct loop *next;
    exrqoi__job_fn fn;
    void *ctx;
    size_t count;
    atomic_int *stop;
    /* every item bumps the counter: keep it off the line the workers
     * read fn/ctx/count from */
    _Alignas(64) atomic_size_t next_item;
    _Alignas(64) int width; /* worker slots, caller included */
    int joined;       /* slots handed out (under pool mutex) */
    int active;       /* pool threads still inside (under pool mutex) */
    pthread_cond_t finished;
} loop;

struct exrqoi_pool {
    exrqoi_allocator alloc;
    bool has_alloc;
    int nthreads; /* pool threads, not counting callers */
    pthread_t *threads;
    pthread_mutex_t mutex;
    pthread_cond_t wake;
    loop *loops; /* loops that still want helpers */
    bool quit;
};

static void run_items(loop *l, int worker)
{
    for (;;) {
        if (l->stop && atomic_load_explicit(l->stop, memory_order_relaxed)) break;
        size_t i = atomic_fetch_add_explicit(&l->next_item, 1, memory_order_relaxed);
        if (i >= l->count) break;
        l->fn(l->ctx, i, worker);
    }
}

static void unlink_loop(exrqoi_pool *p, loop *l)
{
    for (loop **pp = &p->loops; *pp; pp = &(*pp)->next) {
        if (*pp == l) {
            *pp = l->next;
            return;
        }
    }
}

static void *worker_main(void *arg)
{
    exrqoi_pool *p = (exrqoi_pool *)arg;
    pthread_mutex_lock(&p->mutex);
    for (;;) {
        while (!p->quit && !p->loops) pthread_cond_wait(&p->wake, &p->mutex);
        if (p->quit) break;
        loop *l = p->loops;
        int slot = l->joined++;
        l->active++;
        if (l->joined >= l->width) unlink_loop(p, l);
        pthread_mutex_unlock(&p->mutex);

        run_items(l, slot);

        pthread_mutex_lock(&p->mutex);
        /* no more items: stop advertising the loop */
        unlink_loop(p, l);
        if (--l->active == 0) pthread_cond_broadcast(&l->finished);
    }
    pthread_mutex_unlock(&p->mutex);
    return NULL;
}

exrqoi_result exrqoi_pool_create(int threads, const exrqoi_allocator *allocator, exrqoi_pool **out)
{
    if (!out || threads < 0) return EXRQOI_ERR_INVALID_ARGUMENT;
    *out = NULL;
    if (threads == 0) threads = exrqoi_cpu_count();
    if (threads > 1024) threads = 1024;
    exrqoi_pool *p = (exrqoi_pool *)exrqoi__calloc(allocator, 1, sizeof *p);
    if (!p) return EXRQOI_ERR_OUT_OF_MEMORY;
    if (allocator) {
        p->alloc = *allocator;
        p->has_alloc = true;
    }
    const exrqoi_allocator *a = p->has_alloc ? &p->alloc : NULL;
    p->nthreads = threads - 1;
    if (pthread_mutex_init(&p->mutex, NULL) != 0) {
        exrqoi__free(a, p);
        return EXRQOI_ERR_THREAD;
    }
    if (pthread_cond_init(&p->wake, NULL) != 0) {
        pthread_mutex_destroy(&p->mutex);
        exrqoi__free(a, p);
        return EXRQOI_ERR_THREAD;
    }
    if (p->nthreads > 0) {
        p->threads = (pthread_t *)exrqoi__calloc(a, (size_t)p->nthreads, sizeof(pthread_t));
        if (!p->threads) {
            p->nthreads = 0;
            exrqoi_pool_destroy(p);
            return EXRQOI_ERR_OUT_OF_MEMORY;
        }
        for (int i = 0; i < p->nthreads; i++) {
            if (pthread_create(&p->threads[i], NULL, worker_main, p) != 0) {
                p->nthreads = i;
                exrqoi_pool_destroy(p);
                return EXRQOI_ERR_THREAD;
            }
        }
    }
    *out = p;
    return EXRQOI_OK;
}

int exrqoi_pool_threads(const exrqoi_pool *pool) { return pool ? pool->nthreads + 1 : 1; }

void exrqoi_pool_destroy(exrqoi_pool *p)
{
    if (!p) return;
    pthread_mutex_lock(&p->mutex);
    p->quit = true;
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->mutex);
    for (int i = 0; i < p->nthreads; i++) pthread_join(p->threads[i], NULL);
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->mutex);
    const exrqoi_allocator *a = p->has_alloc ? &p->alloc : NULL;
    exrqoi_allocator copy = p->alloc;
    exrqoi__free(a, p->threads);
    exrqoi__free(p->has_alloc ? &copy : NULL, p);
}

int exrqoi__pool_width(const exrqoi_pool *pool, int max_threads)
{
    int w = exrqoi_pool_threads(pool);
    if (max_threads > 0 && max_threads < w) w = max_threads;
    return w;
}

void exrqoi__pool_for(exrqoi_pool *pool, int max_threads, size_t count, exrqoi__job_fn fn,
                      void *ctx, atomic_int *stop)
{
    if (count == 0) return;
    int width = exrqoi__pool_width(pool, max_threads);
    if ((size_t)width > count) width = (int)count;
    if (width <= 1) {
        for (size_t i = 0; i < count; i++) {
            if (stop && atomic_load_explicit(stop, memory_order_relaxed)) break;
            fn(ctx, i, 0);
        }
        return;
    }
    loop l;
    memset(&l, 0, sizeof l);
    l.fn = fn;
    l.ctx = ctx;
    l.count = count;
    l.stop = stop;
    atomic_init(&l.next_item, 0);
    l.width = width;
    l.joined = 1; /* slot 0 is the caller */
    pthread_cond_init(&l.finished, NULL);

    pthread_mutex_lock(&pool->mutex);
    l.next = pool->loops;
    pool->loops = &l;
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->mutex);

    run_items(&l, 0);

    pthread_mutex_lock(&pool->mutex);
    unlink_loop(pool, &l);
    while (l.active > 0) pthread_cond_wait(&l.finished, &pool->mutex);
    pthread_mutex_unlock(&pool->mutex);
    pthread_cond_destroy(&l.finished);
}
