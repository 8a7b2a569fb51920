/* worker_pool: a fixed set of worker threads running one parallel-for at a time.
 * The caller's thread takes part, so a pool of one thread runs inline. */
#ifndef __WORKER_POOL_H__
#define __WORKER_POOL_H__

#include <glib.h>

G_BEGIN_DECLS

typedef struct _GuPool WorkerPool;

/* task: 0..n_tasks-1; worker: 0..n_threads-1, for per-thread scratch. */
typedef void (*WorkerPoolFunc) (guint task, guint worker, gpointer user_data);

WorkerPool *worker_pool_new (guint n_threads);
void worker_pool_free (WorkerPool * pool);
guint worker_pool_get_n_threads (const WorkerPool * pool);
void worker_pool_run (WorkerPool * pool, guint n_tasks, WorkerPoolFunc func,
    gpointer user_data);

G_END_DECLS

#endif
