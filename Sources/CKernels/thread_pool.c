// The kernels' persistent thread pool. A run publishes one job (function, context, part count) and hands out parts
// through one atomic ticket, so a run costs a few atomic operations instead of a thread wake-up per call: workers
// spin briefly between runs (a forward pass issues runs back to back) and sleep on a condition variable after that.
#include "thread_pool.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define cpu_relax() _mm_pause()
#elif defined(__aarch64__)
#define cpu_relax() __asm__ __volatile__("yield")
#else
#define cpu_relax() ((void)0)
#endif

// The ticket holds the job's part count (high half) and the next part to hand out (low half). Whoever takes a ticket
// whose part is below the count runs that part, whichever job it belongs to: a job ends only when all its parts have
// run, so a ticket taken late from an ended job is past its count, and the current job's function and context were
// published before its ticket. The first ticket past the count sends a thread back to waiting; each thread takes at
// most one such ticket per job, so the low half cannot overflow.
#define PART_BITS 32
#define PART_MASK ((UINT64_C(1) << PART_BITS) - 1)
#define MAXIMUM_PARTS (1 << 30)

// Workers spin this long for the next run before sleeping; a waiting caller spins this long before yielding its core.
#define SPIN_NANOSECONDS 100000

static struct {
    pthread_mutex_t mutex;  // guards sleepers, workers, stopping and the condition
    pthread_cond_t wake;
    int sleepers;
    int stopping;
    int workers;
    pthread_t *threads;
    _Atomic int threadCount;  // the caller included
    _Atomic int busy;         // a run (or a resize) holds the pool
    _Atomic uint64_t generation;
    _Atomic uint64_t ticket;
    _Atomic ptrdiff_t unfinished;
    i2t_part_fn fn;  // of the current job; written before its ticket is published
    void *context;
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};

static _Thread_local int insidePart;

int i2t_pool_inside_part(void) { return insidePart; }

int i2t_pool_threads(void) { return atomic_load_explicit(&pool.threadCount, memory_order_relaxed); }

static uint64_t nanoseconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

static void run_parts(void) {
    for (;;) {
        const uint64_t ticket = atomic_fetch_add_explicit(&pool.ticket, 1, memory_order_acq_rel);
        const ptrdiff_t parts = (ptrdiff_t)(ticket >> PART_BITS), part = (ptrdiff_t)(ticket & PART_MASK);
        if (part >= parts) return;
        insidePart = 1;
        pool.fn(pool.context, part);
        insidePart = 0;
        atomic_fetch_sub_explicit(&pool.unfinished, 1, memory_order_acq_rel);
    }
}

// Returns the next generation after `seen`, or `seen` when the pool is stopping.
static uint64_t wait_for_job(uint64_t seen) {
    const uint64_t start = nanoseconds();
    for (unsigned spins = 1;; spins++) {
        const uint64_t generation = atomic_load_explicit(&pool.generation, memory_order_acquire);
        if (generation != seen) return generation;
        cpu_relax();
        if (spins % 64 == 0 && nanoseconds() - start > SPIN_NANOSECONDS) break;
    }
    pthread_mutex_lock(&pool.mutex);
    pool.sleepers++;
    uint64_t generation;
    while ((generation = atomic_load_explicit(&pool.generation, memory_order_acquire)) == seen && !pool.stopping)
        pthread_cond_wait(&pool.wake, &pool.mutex);
    pool.sleepers--;
    pthread_mutex_unlock(&pool.mutex);
    return generation;
}

static void *worker_main(void *argument) {
    uint64_t seen = (uint64_t)(uintptr_t)argument;
    for (;;) {
        const uint64_t generation = wait_for_job(seen);
        if (generation == seen) return 0;  // stopping
        seen = generation;
        run_parts();
    }
}

static void acquire(void) {
    int expected = 0;
    while (!atomic_compare_exchange_weak_explicit(&pool.busy, &expected, 1, memory_order_acquire, memory_order_relaxed)) {
        expected = 0;
        sched_yield();
    }
}

static void release(void) { atomic_store_explicit(&pool.busy, 0, memory_order_release); }

void i2t_pool_set_threads(int threads) {
    if (threads < 1) threads = 1;
    acquire();
    if (threads == i2t_pool_threads()) {
        release();
        return;
    }
    pthread_mutex_lock(&pool.mutex);
    pool.stopping = 1;
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.mutex);
    for (int i = 0; i < pool.workers; i++) pthread_join(pool.threads[i], 0);
    free(pool.threads);
    pool.threads = 0;
    pool.workers = 0;
    pool.stopping = 0;
    const uint64_t generation = atomic_load_explicit(&pool.generation, memory_order_relaxed);
    pthread_t *created = (pthread_t *)calloc((size_t)threads, sizeof(pthread_t));
    int started = 0;
    if (created) {
        while (started < threads - 1 &&
               pthread_create(&created[started], 0, worker_main, (void *)(uintptr_t)generation) == 0)
            started++;
    }
    pool.threads = created;
    pool.workers = started;
    atomic_store_explicit(&pool.threadCount, started + 1, memory_order_relaxed);
    release();
}

void i2t_pool_run(ptrdiff_t parts, i2t_part_fn fn, void *context) {
    int expected = 0;
    if (parts <= 1 || insidePart || i2t_pool_threads() == 1 || parts > MAXIMUM_PARTS ||
        !atomic_compare_exchange_strong_explicit(&pool.busy, &expected, 1, memory_order_acquire, memory_order_relaxed)) {
        const int outer = insidePart;
        insidePart = 1;
        for (ptrdiff_t part = 0; part < parts; part++) fn(context, part);
        insidePart = outer;
        return;
    }
    pool.fn = fn;
    pool.context = context;
    atomic_store_explicit(&pool.unfinished, parts, memory_order_relaxed);
    atomic_store_explicit(&pool.ticket, (uint64_t)parts << PART_BITS, memory_order_release);
    atomic_fetch_add_explicit(&pool.generation, 1, memory_order_release);
    pthread_mutex_lock(&pool.mutex);
    if (pool.sleepers) pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.mutex);
    run_parts();
    const uint64_t start = nanoseconds();
    for (unsigned spins = 1; atomic_load_explicit(&pool.unfinished, memory_order_acquire) != 0; spins++) {
        cpu_relax();
        if (spins % 64 == 0 && nanoseconds() - start > SPIN_NANOSECONDS) sched_yield();
    }
    release();
}

// MARK: - Per-thread scratch

struct scratch {
    void *bytes;
    size_t size;
};

static pthread_key_t scratchKey;
static pthread_once_t scratchKeyOnce = PTHREAD_ONCE_INIT;

static void free_scratch(void *value) {
    struct scratch *scratch = (struct scratch *)value;
    free(scratch->bytes);
    free(scratch);
}

static void make_scratch_key(void) { pthread_key_create(&scratchKey, free_scratch); }

void *i2t_thread_scratch(size_t bytes) {
    pthread_once(&scratchKeyOnce, make_scratch_key);
    struct scratch *scratch = (struct scratch *)pthread_getspecific(scratchKey);
    if (!scratch) {
        scratch = (struct scratch *)calloc(1, sizeof *scratch);
        if (!scratch) return 0;
        pthread_setspecific(scratchKey, scratch);
    }
    if (scratch->size < bytes) {
        free(scratch->bytes);
        const size_t size = (bytes + 63) / 64 * 64;
        scratch->bytes = aligned_alloc(64, size);
        scratch->size = scratch->bytes ? size : 0;
    }
    return scratch->bytes;
}
