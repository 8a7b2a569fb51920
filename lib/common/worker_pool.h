/* gu_pool: a fixed set of worker threads running one parallel-for at a time.
 * The caller's thread takes part, so a pool of one thread runs inline. */
#ifndef __GU_POOL_H__
#define __GU_POOL_H__

#include <glib.h>

G_BEGIN_DECLS

typedef struct _GuPool GuPool;

/* task: 0..n_tasks-1; worker: 0..n_threads-1, for per-thread scratch. */
typedef void (*GuPoolFunc) (guint task, guint worker, gpointer user_data);

GuPool *gu_pool_new (guint n_threads);
void gu_pool_free (GuPool * pool);
guint gu_pool_get_n_threads (const GuPool * pool);
void gu_pool_run (GuPool * pool, guint n_tasks, GuPoolFunc func,
    gpointer user_data);

G_END_DECLS

#endif
