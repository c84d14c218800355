#ifndef IMAGE2TEXT_THREAD_POOL_H
#define IMAGE2TEXT_THREAD_POOL_H

#include <stddef.h>

/// One part of a parallel run: `part` is in [0, parts).
typedef void (*i2t_part_fn)(void *context, ptrdiff_t part);

/// Sets the number of threads runs use, the calling thread included (at least 1): starts or stops the pool's
/// persistent worker threads. Waits for a run in progress to end.
void i2t_pool_set_threads(int threads);

/// The number of threads runs use (1 before `i2t_pool_set_threads`).
int i2t_pool_threads(void);

/// Runs fn(context, part) for every part in [0, parts) and returns when all have returned. The parts are taken in
/// order, one at a time, by the calling thread and the idle workers. Called from inside a part, or while another
/// thread's run holds the pool, the parts run one after another on the calling thread: whatever a part calls runs
/// single-threaded. At most 2^30 parts.
void i2t_pool_run(ptrdiff_t parts, i2t_part_fn fn, void *context);

/// Whether the calling thread is running a part (so a run it starts would be serial).
int i2t_pool_inside_part(void);

/// A buffer of at least `bytes` bytes (64-byte aligned) owned by the calling thread, kept for its next calls: scratch
/// for one part. Valid until the thread's next call of this function; freed when the thread exits. NULL if out of
/// memory.
void *i2t_thread_scratch(size_t bytes);

#endif
