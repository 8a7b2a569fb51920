/* worker_pool: workers sleep on a condition variable between jobs; a job is a
 * range of task indices that every thread (the caller too) claims one at a
 * time with an atomic counter, so uneven tasks balance themselves. */
#include "config.h"
#include "common/worker_pool.h"
#include "common/limits.h"

struct _GuPool
{
  guint n_threads;
  GThread **threads;            /* (n_threads - 1) workers */

  GMutex lock;
  GCond wake;                   /* workers wait for a new generation */
  GCond done;                   /* caller waits for busy == 0 */
  /* the fields below are guarded by lock, except next (atomic) */
  guint64 generation;
  gboolean quit;
  guint busy;                   /* workers still inside the current job */
  WorkerPoolFunc func;
  gpointer user_data;
  guint n_tasks;
  gint next;                    /* next task to claim, atomic */
};

typedef struct
{
  WorkerPool *pool;
  guint index;
} PoolWorker;

static void
worker_pool_work (WorkerPool * pool, guint worker, WorkerPoolFunc func,
    gpointer data, guint n_tasks)
{
  for (;;) {
    gint t = g_atomic_int_add (&pool->next, 1);
    if (t < 0 || (guint) t >= n_tasks)
      break;
    func ((guint) t, worker, data);
  }
}

static gpointer
worker_pool_thread (gpointer data)
{
  PoolWorker *w = data;
  WorkerPool *pool = w->pool;
  guint64 seen = 0;

  g_mutex_lock (&pool->lock);
  for (;;) {
    while (!pool->quit && pool->generation == seen)
      g_cond_wait (&pool->wake, &pool->lock);
    if (pool->quit)
      break;
    seen = pool->generation;
    WorkerPoolFunc func = pool->func;
    gpointer ud = pool->user_data;
    guint n = pool->n_tasks;
    g_mutex_unlock (&pool->lock);

    worker_pool_work (pool, w->index, func, ud, n);

    g_mutex_lock (&pool->lock);
    if (--pool->busy == 0)
      g_cond_signal (&pool->done);
  }
  g_mutex_unlock (&pool->lock);
  g_free (w);
  return NULL;
}

WorkerPool *
worker_pool_new (guint n_threads)
{
  WorkerPool *pool = g_new0 (WorkerPool, 1);

  if (n_threads == 0)
    n_threads = g_get_num_processors ();
  pool->n_threads = CLAMP (n_threads, 1, MAX_THREADS);
  g_mutex_init (&pool->lock);
  g_cond_init (&pool->wake);
  g_cond_init (&pool->done);
  pool->threads = g_new0 (GThread *, pool->n_threads);
  for (guint i = 1; i < pool->n_threads; i++) {
    PoolWorker *w = g_new (PoolWorker, 1);
    w->pool = pool;
    w->index = i;
    pool->threads[i - 1] = g_thread_new ("worker-pool", worker_pool_thread, w);
  }
  return pool;
}

void
worker_pool_free (WorkerPool * pool)
{
  if (pool == NULL)
    return;
  g_mutex_lock (&pool->lock);
  pool->quit = TRUE;
  g_cond_broadcast (&pool->wake);
  g_mutex_unlock (&pool->lock);
  for (guint i = 0; i + 1 < pool->n_threads; i++)
    g_thread_join (pool->threads[i]);
  g_free (pool->threads);
  g_mutex_clear (&pool->lock);
  g_cond_clear (&pool->wake);
  g_cond_clear (&pool->done);
  g_free (pool);
}

guint
worker_pool_get_n_threads (const WorkerPool * pool)
{
  return pool ? pool->n_threads : 1;
}

void
worker_pool_run (WorkerPool * pool, guint n_tasks, WorkerPoolFunc func,
    gpointer user_data)
{
  if (n_tasks == 0)
    return;
  if (pool == NULL || pool->n_threads == 1 || n_tasks == 1) {
    for (guint t = 0; t < n_tasks; t++)
      func (t, 0, user_data);
    return;
  }

  g_mutex_lock (&pool->lock);
  pool->func = func;
  pool->user_data = user_data;
  pool->n_tasks = n_tasks;
  g_atomic_int_set (&pool->next, 0);
  pool->busy = pool->n_threads - 1;
  pool->generation++;
  g_cond_broadcast (&pool->wake);
  g_mutex_unlock (&pool->lock);

  worker_pool_work (pool, 0, func, user_data, n_tasks);

  g_mutex_lock (&pool->lock);
  while (pool->busy > 0)
    g_cond_wait (&pool->done, &pool->lock);
  g_mutex_unlock (&pool->lock);
}
