/* Worker pool: threads wait for "loops"; each loop hands out item indices
 * through an atomic counter, so a loop's items spread over whichever
 * threads are free. Several callers may run loops on one pool at once.
 *
 * Fork/join latency matters for loops of a few hundred microseconds, so:
 * items are handed out in shrinking batches (one atomic operation and one
 * contended cache line per batch, not per item; neighbouring items, which
 * often write neighbouring memory, stay on one thread), the caller spins
 * briefly before sleeping at the join (the workers' last items usually
 * end within microseconds of its own), and idle workers spin briefly
 * before sleeping so that back-to-back loops need no wake-up. */
#include "common/internal.h"
#include "io/platform.h"
#include "thread/pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define cpu_relax() _mm_pause()
#else
#define cpu_relax() atomic_signal_fence(memory_order_seq_cst)
#endif

/* How long a caller waits for the workers' last items, and an idle worker
 * for the next loop, before sleeping (nanoseconds). */
#define JOIN_SPIN_NS 50000
#define IDLE_SPIN_NS 20000

typedef struct loop {
    struct loop *next;
    exrqoi__job_fn fn;
    void *ctx;
    size_t count;
    size_t grain_div; /* a batch is about remaining / grain_div items */
    atomic_int *stop;
    /* every batch bumps the counter: keep it off the line the workers
     * read fn/ctx/count from */
    _Alignas(64) atomic_size_t next_item;
    _Alignas(64) int width; /* worker slots, caller included */
    int joined;             /* slots handed out (under pool mutex) */
    atomic_int active;      /* pool threads still inside (changed under pool mutex) */
} loop;

typedef struct pool_row {
    const exrqoi_allocator *alloc; /* the pool's */
    void *buf[EXRQOI__POOL_SLOTS];
    size_t cap[EXRQOI__POOL_SLOTS];
} pool_row;

struct exrqoi__pool_lease {
    exrqoi__pool_lease *next; /* in the pool's list of free leases */
    int nrows;
    pool_row *rows;
};

struct exrqoi_pool {
    exrqoi_allocator alloc;
    bool has_alloc;
    int nthreads; /* pool threads, not counting callers */
    pthread_t *threads;
    pthread_mutex_t mutex;
    pthread_cond_t wake;
    pthread_cond_t done; /* a loop's last pool thread left it */
    loop *loops;         /* loops that still want helpers */
    atomic_int posted;   /* loops linked (changed under mutex; read by spinning workers) */
    bool quit;
    exrqoi__pool_lease *free_leases; /* under mutex; leases out are their takers' */
};

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void run_items(loop *l, int worker)
{
    for (;;) {
        /* guided batches: large while much is left, single items at the
         * end so the threads finish together */
        size_t seen = atomic_load_explicit(&l->next_item, memory_order_relaxed);
        if (seen >= l->count) break;
        size_t b = (l->count - seen) / l->grain_div;
        if (b == 0) b = 1;
        if (b > 65536) b = 65536; /* the counter overshoots count by at most width batches */
        size_t i = atomic_fetch_add_explicit(&l->next_item, b, memory_order_relaxed);
        if (i >= l->count) break;
        size_t end = l->count - i < b ? l->count : i + b;
        for (; i < end; i++) {
            if (l->stop && atomic_load_explicit(l->stop, memory_order_relaxed)) return;
            l->fn(l->ctx, i, worker);
        }
    }
}

static void unlink_loop(exrqoi_pool *p, loop *l)
{
    for (loop **pp = &p->loops; *pp; pp = &(*pp)->next) {
        if (*pp == l) {
            *pp = l->next;
            atomic_fetch_sub_explicit(&p->posted, 1, memory_order_relaxed);
            return;
        }
    }
}

static void *worker_main(void *arg)
{
    exrqoi_pool *p = (exrqoi_pool *)arg;
    bool worked = false;
    pthread_mutex_lock(&p->mutex);
    for (;;) {
        if (!p->quit && !p->loops && worked) {
            /* only after finishing a loop: a thread woken for a loop others
             * took goes straight back to sleep */
            pthread_mutex_unlock(&p->mutex);
            uint64_t t0 = now_ns();
            for (int k = 0; !atomic_load_explicit(&p->posted, memory_order_relaxed); k++) {
                cpu_relax();
                if ((k & 63) == 63 && now_ns() - t0 > IDLE_SPIN_NS) break;
            }
            pthread_mutex_lock(&p->mutex);
        }
        worked = false;
        while (!p->quit && !p->loops) pthread_cond_wait(&p->wake, &p->mutex);
        if (p->quit) break;
        loop *l = p->loops;
        int slot = l->joined++;
        atomic_fetch_add_explicit(&l->active, 1, memory_order_relaxed);
        if (l->joined >= l->width) unlink_loop(p, l);
        pthread_mutex_unlock(&p->mutex);

        run_items(l, slot);
        worked = true;

        pthread_mutex_lock(&p->mutex);
        /* no more items: stop advertising the loop */
        unlink_loop(p, l);
        /* the last touch of `l`: once active is 0 its caller may return
         * (release: the items' writes are visible to the caller) */
        if (atomic_fetch_sub_explicit(&l->active, 1, memory_order_release) == 1)
            pthread_cond_broadcast(&p->done);
    }
    pthread_mutex_unlock(&p->mutex);
    return NULL;
}

exrqoi_result exrqoi_pool_open(int threads, const exrqoi_allocator *allocator, exrqoi_pool **out)
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
    atomic_init(&p->posted, 0);
    if (pthread_mutex_init(&p->mutex, NULL) != 0) {
        exrqoi__free(a, p);
        return EXRQOI_ERR_THREAD;
    }
    if (pthread_cond_init(&p->wake, NULL) != 0) {
        pthread_mutex_destroy(&p->mutex);
        exrqoi__free(a, p);
        return EXRQOI_ERR_THREAD;
    }
    if (pthread_cond_init(&p->done, NULL) != 0) {
        pthread_cond_destroy(&p->wake);
        pthread_mutex_destroy(&p->mutex);
        exrqoi__free(a, p);
        return EXRQOI_ERR_THREAD;
    }
    if (p->nthreads > 0) {
        p->threads = (pthread_t *)exrqoi__calloc(a, (size_t)p->nthreads, sizeof(pthread_t));
        if (!p->threads) {
            p->nthreads = 0;
            exrqoi_pool_close(p);
            return EXRQOI_ERR_OUT_OF_MEMORY;
        }
        for (int i = 0; i < p->nthreads; i++) {
            if (pthread_create(&p->threads[i], NULL, worker_main, p) != 0) {
                p->nthreads = i;
                exrqoi_pool_close(p);
                return EXRQOI_ERR_THREAD;
            }
        }
    }
    *out = p;
    return EXRQOI_OK;
}

int exrqoi_pool_threads(const exrqoi_pool *pool) { return pool ? pool->nthreads + 1 : 1; }

void exrqoi_pool_close(exrqoi_pool *p)
{
    if (!p) return;
    pthread_mutex_lock(&p->mutex);
    p->quit = true;
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->mutex);
    for (int i = 0; i < p->nthreads; i++) pthread_join(p->threads[i], NULL);
    pthread_cond_destroy(&p->done);
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->mutex);
    const exrqoi_allocator *a = p->has_alloc ? &p->alloc : NULL;
    while (p->free_leases) {
        exrqoi__pool_lease *l = p->free_leases;
        p->free_leases = l->next;
        for (int r = 0; r < l->nrows; r++)
            for (int s = 0; s < EXRQOI__POOL_SLOTS; s++) exrqoi__free(a, l->rows[r].buf[s]);
        exrqoi__free(a, l->rows);
        exrqoi__free(a, l);
    }
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
    /* a quarter of each thread's fair share at most per batch */
    l.grain_div = (size_t)width * 4;
    l.stop = stop;
    atomic_init(&l.next_item, 0);
    atomic_init(&l.active, 0);
    l.width = width;
    l.joined = 1; /* slot 0 is the caller */

    pthread_mutex_lock(&pool->mutex);
    l.next = pool->loops;
    pool->loops = &l;
    atomic_fetch_add_explicit(&pool->posted, 1, memory_order_relaxed);
    /* wake as many threads as the loop has slots for (spinning ones
     * join without it) */
    if (width - 1 >= pool->nthreads)
        pthread_cond_broadcast(&pool->wake);
    else
        for (int i = 1; i < width; i++) pthread_cond_signal(&pool->wake);
    pthread_mutex_unlock(&pool->mutex);

    run_items(&l, 0);

    /* no thread may join from now on; wait for those inside */
    pthread_mutex_lock(&pool->mutex);
    unlink_loop(pool, &l);
    pthread_mutex_unlock(&pool->mutex);
    if (atomic_load_explicit(&l.active, memory_order_acquire) == 0) return;
    uint64_t t0 = now_ns();
    for (int k = 0; atomic_load_explicit(&l.active, memory_order_acquire) != 0; k++) {
        cpu_relax();
        if ((k & 63) == 63 && now_ns() - t0 > JOIN_SPIN_NS) break;
    }
    if (atomic_load_explicit(&l.active, memory_order_acquire) == 0) return;
    pthread_mutex_lock(&pool->mutex);
    while (atomic_load_explicit(&l.active, memory_order_acquire) != 0)
        pthread_cond_wait(&pool->done, &pool->mutex);
    pthread_mutex_unlock(&pool->mutex);
}

exrqoi__pool_lease *exrqoi__pool_lease_take(exrqoi_pool *pool, int rows)
{
    if (!pool || rows < 1) return NULL;
    const exrqoi_allocator *a = pool->has_alloc ? &pool->alloc : NULL;
    pthread_mutex_lock(&pool->mutex);
    exrqoi__pool_lease *l = pool->free_leases;
    if (l) pool->free_leases = l->next;
    pthread_mutex_unlock(&pool->mutex);
    if (!l) {
        l = (exrqoi__pool_lease *)exrqoi__calloc(a, 1, sizeof *l);
        if (!l) return NULL;
    }
    l->next = NULL;
    if (l->nrows < rows) {
        pool_row *r = (pool_row *)exrqoi__calloc(a, (size_t)rows, sizeof *r);
        if (!r) {
            exrqoi__pool_lease_give(pool, l);
            return NULL;
        }
        if (l->nrows) memcpy(r, l->rows, (size_t)l->nrows * sizeof *r);
        for (int i = l->nrows; i < rows; i++) r[i].alloc = a;
        exrqoi__free(a, l->rows);
        l->rows = r;
        l->nrows = rows;
    }
    return l;
}

void exrqoi__pool_lease_give(exrqoi_pool *pool, exrqoi__pool_lease *lease)
{
    if (!pool || !lease) return;
    pthread_mutex_lock(&pool->mutex);
    lease->next = pool->free_leases;
    pool->free_leases = lease;
    pthread_mutex_unlock(&pool->mutex);
}

void *exrqoi__pool_lease_row(exrqoi__pool_lease *lease, int row)
{
    return lease && row >= 0 && row < lease->nrows ? &lease->rows[row] : NULL;
}

void *exrqoi__scratch_grow(const exrqoi_allocator *a, void **buf, size_t *cap, size_t size, size_t keep)
{
    if (*buf && *cap >= size) return *buf;
    size_t ncap = size + size / 8 + 64;
    if (ncap < size) ncap = size;
    if (keep > *cap) keep = *cap;
    if (!keep) {
        exrqoi__free(a, *buf);
        *buf = NULL;
        *cap = 0;
        *buf = exrqoi__alloc(a, ncap);
        if (*buf) *cap = ncap;
        return *buf;
    }
    void *n = exrqoi__alloc(a, ncap);
    if (!n) return NULL;
    memcpy(n, *buf, keep);
    exrqoi__free(a, *buf);
    *buf = n;
    *cap = ncap;
    return n;
}

void *exrqoi__pool_row_reserve(void *row, int slot, size_t size, size_t keep)
{
    pool_row *r = (pool_row *)row;
    if (!r || slot < 0 || slot >= EXRQOI__POOL_SLOTS) return NULL;
    return exrqoi__scratch_grow(r->alloc, &r->buf[slot], &r->cap[slot], size, keep);
}

void *exrqoi__pool_row_scratch(void *row, int slot, size_t size, size_t *cap)
{
    void *b = exrqoi__pool_row_reserve(row, slot, size, 0);
    if (cap) *cap = exrqoi__pool_row_cap(row, slot);
    return b;
}

size_t exrqoi__pool_row_cap(const void *row, int slot)
{
    const pool_row *r = (const pool_row *)row;
    return r && slot >= 0 && slot < EXRQOI__POOL_SLOTS ? r->cap[slot] : 0;
}

void *exrqoi__pool_scratch(exrqoi__pool_lease *lease, int worker, int slot, size_t size)
{
    return exrqoi__pool_row_scratch(exrqoi__pool_lease_row(lease, worker), slot, size, NULL);
}

void exrqoi_pool_parallel_for(exrqoi_pool *pool, size_t count, exrqoi_parallel_fn fn, void *user)
{
    if (!fn) return;
    exrqoi__pool_for(pool, 0, count, fn, user, NULL);
}

int exrqoi_cpu_count(void)
{
    return exrqoi__os_cpu_count();
}
