/* Exact Lloyd k-means over float samples with a fixed quadratic metric.
 *
 * The assignment step is the kernel table's argmin: with w_j = -2 A c_j and
 * b_j = c_j' A c_j, the squared distance is x'Ax + w_j.x + b_j, and x'Ax
 * (q, computed once per sample set) does not change which j is nearest.
 * Sums run in double over fixed blocks of KM_BLOCK samples and are added in
 * block order, so results do not depend on the thread count. */
#include "config.h"
#include "kmeans/kmeans.h"
#include "common/rng.h"

#include <math.h>
#include <string.h>

#define KM_BLOCK (16 * KM_CHUNK)
#define KM_INIT_WORK 4000000    /* distance evaluations for k-means++ */

struct _KmKMeans
{
  guint nf, nc, k;
  const KmKernels *kern;
  WorkerPool *pool;             /* not owned; NULL: run inline */
  KmRng rng;
  guint max_iterations;
  double tolerance;
  double cut_inertia;           /* first-pass inertia that aborts refine */
  double keep_inertia;          /* first-pass inertia that needs no refine */
  float a[KM_MAX_FEATURES * KM_MAX_FEATURES];   /* (nf, nf) metric */

  float *centroids;             /* (k, nf) */
  float *carried;               /* (k, nc) */
  guint64 *counts;              /* (k) */

  /* per-sample state of the last refine, grown to the largest set seen */
  guint cap;
  guint8 *labels;               /* (cap) */
  float *best;                  /* (cap) argmin minimum, without q */

  /* per-block accumulators */
  guint blocks_cap;
  double *sums;                 /* (blocks, k, nf + nc) */
  guint64 *bcounts;             /* (blocks, k) */
  double *binertia;             /* (blocks) */
  guint64 *bchanged;            /* (blocks) */
};

/* ---- random numbers ---- */

void
km_rng_seed (KmRng * rng, guint64 seed)
{
  guint64 x = seed;
  for (int i = 0; i < 4; i++)
    rng->s[i] = rng_splitmix64 (&x);
}

static inline guint64
rotl (guint64 x, int k)
{
  return (x << k) | (x >> (64 - k));
}

guint64
km_rng_next (KmRng * rng)
{
  guint64 *s = rng->s;
  guint64 r = rotl (s[1] * 5, 7) * 9;
  guint64 t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl (s[3], 45);
  return r;
}

double
km_rng_uniform (KmRng * rng)
{
  return (double) (km_rng_next (rng) >> 11) * 0x1.0p-53;
}

const gchar *
km_stop_name (KmStop stop)
{
  switch (stop) {
    case KM_STOP_CONVERGED:
      return "converged";
    case KM_STOP_TOLERANCE:
      return "tolerance";
    case KM_STOP_MAX_ITERATIONS:
      return "max-iterations";
    case KM_STOP_CUT:
      return "cut";
    case KM_STOP_UNCHANGED:
      return "unchanged";
  }
  return "unknown";
}

/* ---- state ---- */

KmKMeans *
km_kmeans_new (guint nf, guint nc, guint k, const KmKernels * kern)
{
  KmKMeans *km;

  g_return_val_if_fail (nf >= 1 && nf <= KM_MAX_FEATURES, NULL);
  g_return_val_if_fail (nc <= KM_MAX_CARRIED, NULL);
  g_return_val_if_fail (k >= 1 && k <= KM_MAX_K, NULL);
  g_return_val_if_fail (kern != NULL, NULL);

  km = g_new0 (KmKMeans, 1);
  km->nf = nf;
  km->nc = nc;
  km->k = k;
  km->kern = kern;
  km->max_iterations = 20;
  km->tolerance = 0.1;
  for (guint i = 0; i < nf; i++)
    km->a[i * nf + i] = 1.0f;
  km->centroids = g_new0 (float, (gsize) k * nf);
  km->carried = g_new0 (float, (gsize) k * MAX (nc, 1));
  km->counts = g_new0 (guint64, k);
  km_rng_seed (&km->rng, 0);
  return km;
}

void
km_kmeans_free (KmKMeans * km)
{
  if (km == NULL)
    return;
  g_free (km->centroids);
  g_free (km->carried);
  g_free (km->counts);
  g_free (km->labels);
  g_free (km->best);
  g_free (km->sums);
  g_free (km->bcounts);
  g_free (km->binertia);
  g_free (km->bchanged);
  g_free (km);
}

void
km_kmeans_set_pool (KmKMeans * km, WorkerPool * pool)
{
  km->pool = pool;
}

void
km_kmeans_set_seed (KmKMeans * km, guint64 seed)
{
  km_rng_seed (&km->rng, seed);
}

void
km_kmeans_set_max_iterations (KmKMeans * km, guint max_iterations)
{
  km->max_iterations = MAX (max_iterations, 1);
}

void
km_kmeans_set_tolerance (KmKMeans * km, double tolerance)
{
  km->tolerance = tolerance;
}

void
km_kmeans_set_cut_inertia (KmKMeans * km, double inertia)
{
  km->cut_inertia = inertia;
}

void
km_kmeans_set_keep_inertia (KmKMeans * km, double inertia)
{
  km->keep_inertia = inertia;
}

void
km_kmeans_set_metric (KmKMeans * km, const float *a)
{
  memcpy (km->a, a, sizeof (float) * km->nf * km->nf);
}

const float *
km_kmeans_get_metric (const KmKMeans * km)
{
  return km->a;
}

guint
km_kmeans_get_k (const KmKMeans * km)
{
  return km->k;
}

guint
km_kmeans_get_nf (const KmKMeans * km)
{
  return km->nf;
}

const float *
km_kmeans_get_centroids (const KmKMeans * km)
{
  return km->centroids;
}

void
km_kmeans_set_centroids (KmKMeans * km, const float *centroids)
{
  memcpy (km->centroids, centroids, sizeof (float) * km->k * km->nf);
}

const float *
km_kmeans_get_carried (const KmKMeans * km)
{
  return km->carried;
}

const guint64 *
km_kmeans_get_counts (const KmKMeans * km)
{
  return km->counts;
}

double
km_kmeans_distance (const KmKMeans * km, const float *x, const float *y)
{
  guint nf = km->nf;
  double d[KM_MAX_FEATURES], s = 0.0;

  for (guint i = 0; i < nf; i++)
    d[i] = (double) x[i] - y[i];
  for (guint i = 0; i < nf; i++)
    for (guint j = 0; j < nf; j++)
      s += d[i] * km->a[i * nf + j] * d[j];
  return s;
}

void
km_kmeans_compute_q (const KmKMeans * km, KmData * d, float *q)
{
  guint nf = km->nf, n = d->n;

  /* plane by plane, so that the compiler vectorizes the inner loops */
  memset (q, 0, n * sizeof (float));
  for (guint r = 0; r < nf; r++)
    for (guint c = r; c < nf; c++) {
      float arc = km->a[r * nf + c] * (r == c ? 1.0f : 2.0f);
      const float *restrict fr = d->f[r], *restrict fc = d->f[c];
      float *restrict qq = q;
      if (arc == 0.0f)
        continue;
      for (guint i = 0; i < n; i++)
        qq[i] += arc * fr[i] * fc[i];
    }
  d->q = q;
}

static void
weights_for (const KmKMeans * km, const float *c, guint k, float *w, float *b)
{
  guint nf = km->nf;

  for (guint j = 0; j < k; j++) {
    const float *cj = c + (gsize) j * nf;
    double bb = 0.0;
    for (guint r = 0; r < nf; r++) {
      double acr = 0.0;
      for (guint s = 0; s < nf; s++)
        acr += (double) km->a[r * nf + s] * cj[s];
      w[j * nf + r] = (float) (-2.0 * acr);
      bb += acr * cj[r];
    }
    b[j] = (float) bb;
  }
}

void
km_kmeans_get_weights (const KmKMeans * km, float *w, float *b)
{
  weights_for (km, km->centroids, km->k, w, b);
}

static void
ensure_capacity (KmKMeans * km, guint n)
{
  guint blocks = (n + KM_BLOCK - 1) / KM_BLOCK;

  if (n > km->cap) {
    g_free (km->labels);
    g_free (km->best);
    km->labels = g_new0 (guint8, n);
    km->best = g_new0 (float, n);
    km->cap = n;
  }
  if (blocks > km->blocks_cap) {
    guint stride = km->k * (km->nf + km->nc);
    g_free (km->sums);
    g_free (km->bcounts);
    g_free (km->binertia);
    g_free (km->bchanged);
    km->sums = g_new (double, (gsize) blocks * stride);
    km->bcounts = g_new (guint64, (gsize) blocks * km->k);
    km->binertia = g_new (double, blocks);
    km->bchanged = g_new (guint64, blocks);
    km->blocks_cap = blocks;
  }
}

/* ---- one assignment step over blocks ---- */

typedef struct
{
  KmKMeans *km;
  const KmData *d;
  const float *w, *b;
  guint k;
  gboolean accumulate;          /* sums and counts, not only inertia */
  gboolean compare;             /* count label changes against km->labels */
} AssignJob;

static void
assign_block (guint task, guint worker, gpointer user_data)
{
  AssignJob *job = user_data;
  KmKMeans *km = job->km;
  const KmData *d = job->d;
  guint nf = km->nf, nc = km->nc, stride = nf + nc;
  guint start = task * KM_BLOCK, end = MIN (d->n, start + KM_BLOCK);
  double *sums = km->sums + (gsize) task * job->k * stride;
  guint64 *counts = km->bcounts + (gsize) task * job->k;
  double inertia = 0.0;
  guint64 changed = 0;
  guint8 lab[KM_CHUNK];

  if (job->accumulate) {
    memset (sums, 0, sizeof (double) * job->k * stride);
    memset (counts, 0, sizeof (guint64) * job->k);
  }
  for (guint i0 = start; i0 < end; i0 += KM_CHUNK) {
    guint n = MIN (KM_CHUNK, end - i0);
    const float *f[KM_MAX_FEATURES];
    float *best = km->best + i0;

    for (guint c = 0; c < nf; c++)
      f[c] = d->f[c] + i0;
    km->kern->argmin (n, nf, f, job->k, job->w, job->b, lab, best);
    for (guint i = 0; i < n; i++) {
      float dist = d->q[i0 + i] + best[i];
      inertia += dist > 0.0f ? dist : 0.0f;
    }
    if (!job->accumulate)
      continue;
    for (guint i = 0; i < n; i++) {
      guint l = lab[i];
      double *s = sums + (gsize) l * stride;
      for (guint c = 0; c < nf; c++)
        s[c] += f[c][i];
      for (guint c = 0; c < nc; c++)
        s[nf + c] += d->c[c][i0 + i];
      counts[l]++;
    }
    if (job->compare)
      for (guint i = 0; i < n; i++)
        changed += km->labels[i0 + i] != lab[i];
    memcpy (km->labels + i0, lab, n);
  }
  km->binertia[task] = inertia;
  km->bchanged[task] = changed;
}

static guint
run_assign (KmKMeans * km, const KmData * d, const float *w, const float *b,
    guint k, gboolean accumulate, gboolean compare)
{
  AssignJob job = { km, d, w, b, k, accumulate, compare };
  guint blocks = (d->n + KM_BLOCK - 1) / KM_BLOCK;

  ensure_capacity (km, d->n);
  worker_pool_run (km->pool, blocks, assign_block, &job);
  return blocks;
}

double
km_kmeans_inertia (KmKMeans * km, const KmData * d)
{
  float w[KM_MAX_K * KM_MAX_FEATURES], b[KM_MAX_K];
  double inertia = 0.0;
  guint blocks;

  if (d->n == 0)
    return 0.0;
  weights_for (km, km->centroids, km->k, w, b);
  blocks = run_assign (km, d, w, b, km->k, FALSE, FALSE);
  for (guint t = 0; t < blocks; t++)
    inertia += km->binertia[t];
  return inertia;
}

/* An empty cluster takes the sample farthest from its centre (first on
 * ties); that sample cannot be taken twice. FALSE when every sample sits on
 * its centre (fewer distinct samples than clusters): nothing to take. */
static gboolean
reseed_empty (KmKMeans * km, const KmData * d, guint j)
{
  guint nf = km->nf, arg = 0;
  float far = -1.0f;

  for (guint i = 0; i < d->n; i++) {
    float dist = d->q[i] + km->best[i];
    if (km->best[i] != -G_MAXFLOAT && dist > far) {
      far = dist;
      arg = i;
    }
  }
  if (!(far > 0.0f))
    return FALSE;
  for (guint c = 0; c < nf; c++)
    km->centroids[j * nf + c] = d->f[c][arg];
  for (guint c = 0; c < km->nc; c++)
    km->carried[j * km->nc + c] = d->c[c][arg];
  km->best[arg] = -G_MAXFLOAT;
  return TRUE;
}

/* Adds the blocks' sums and counts into block 0's, in block order (the
 * same sums for any number of threads); returns the inertia and, in
 * *changed, the label changes. */
static double
reduce_blocks (KmKMeans * km, guint blocks, guint64 * changed)
{
  guint k = km->k, stride = km->nf + km->nc;
  double inertia = 0.0;

  for (guint t = 1; t < blocks; t++) {
    const double *src = km->sums + (gsize) t * k * stride;
    for (guint i = 0; i < k * stride; i++)
      km->sums[i] += src[i];
    for (guint j = 0; j < k; j++)
      km->bcounts[j] += km->bcounts[(gsize) t * k + j];
  }
  *changed = 0;
  for (guint t = 0; t < blocks; t++) {
    inertia += km->binertia[t];
    *changed += km->bchanged[t];
  }
  return inertia;
}

/* Counts and carried means of the last assignment; empty clusters keep
 * their carried means. Returns the number of empty clusters. */
static guint
store_counts (KmKMeans * km)
{
  guint nf = km->nf, nc = km->nc, k = km->k, stride = nf + nc, empty = 0;

  memcpy (km->counts, km->bcounts, sizeof (guint64) * k);
  for (guint j = 0; j < k; j++) {
    guint64 n = km->bcounts[j];
    const double *s = km->sums + (gsize) j * stride;
    if (n == 0) {
      empty++;
      continue;
    }
    for (guint c = 0; c < nc; c++)
      km->carried[j * nc + c] = (float) (s[nf + c] / (double) n);
  }
  return empty;
}

double
km_kmeans_assign (KmKMeans * km, const KmData * d)
{
  float w[KM_MAX_K * KM_MAX_FEATURES], b[KM_MAX_K];
  guint64 changed;
  double inertia;
  guint blocks;

  if (d->n == 0)
    return 0.0;
  weights_for (km, km->centroids, km->k, w, b);
  blocks = run_assign (km, d, w, b, km->k, TRUE, FALSE);
  inertia = reduce_blocks (km, blocks, &changed);
  store_counts (km);
  return inertia;
}

void
km_kmeans_refine (KmKMeans * km, const KmData * d, KmResult * res)
{
  guint nf = km->nf, nc = km->nc, k = km->k, stride = nf + nc;
  float w[KM_MAX_K * KM_MAX_FEATURES], b[KM_MAX_K];
  double tol2 = km->tolerance * km->tolerance;
  gboolean unfixable = FALSE;   /* empty clusters no sample can take */

  memset (res, 0, sizeof (*res));
  res->stop = KM_STOP_MAX_ITERATIONS;
  if (d->n == 0) {
    res->stop = KM_STOP_CONVERGED;
    return;
  }

  for (guint it = 0; it < km->max_iterations; it++) {
    guint blocks, empty;
    guint64 changed;
    double inertia, shift = 0.0;

    weights_for (km, km->centroids, k, w, b);
    blocks = run_assign (km, d, w, b, k, TRUE, it > 0);
    res->iterations = it + 1;
    inertia = reduce_blocks (km, blocks, &changed);
    res->inertia = inertia;
    if (it == 0 && km->cut_inertia > 0.0 && inertia > km->cut_inertia) {
      /* the centroids no longer fit the data: leave them to the caller */
      res->stop = KM_STOP_CUT;
      break;
    }
    if (it == 0 && km->keep_inertia > 0.0 && inertia <= km->keep_inertia) {
      /* the centroids fit as well as the caller asked: leave them */
      res->stop = KM_STOP_UNCHANGED;
      break;
    }
    empty = store_counts (km);

    if (it > 0 && changed == 0 && (empty == 0 || unfixable)) {
      /* the centroids are already the means of this assignment */
      res->stop = KM_STOP_CONVERGED;
      break;
    }

    for (guint j = 0; j < k; j++) {
      guint64 n = km->bcounts[j];
      const double *s = km->sums + (gsize) j * stride;
      float next[KM_MAX_FEATURES];
      double move;
      if (n == 0)
        continue;
      for (guint c = 0; c < nf; c++)
        next[c] = (float) (s[c] / (double) n);
      move = km_kmeans_distance (km, next, km->centroids + (gsize) j * nf);
      shift = MAX (shift, move);
      memcpy (km->centroids + (gsize) j * nf, next, sizeof (float) * nf);
    }
    if (empty > 0) {
      guint moved = 0;
      for (guint j = 0; j < k; j++)
        if (km->bcounts[j] == 0)
          moved += reseed_empty (km, d, j);
      res->reseeded += moved;
      unfixable = moved == 0;
      g_debug ("k-means: iteration %u reseeded %u of %u empty clusters",
          it + 1, moved, empty);
      if (moved > 0)
        continue;
    }
    if (shift <= tol2) {
      res->stop = KM_STOP_TOLERANCE;
      break;
    }
  }
  g_debug ("k-means: stopped after %u iterations (%s), inertia %g",
      res->iterations, km_stop_name (res->stop), res->inertia);
}

/* ---- k-means++ ---- */

typedef struct
{
  KmKMeans *km;
  const KmData *d;
  const float *w, *b;
  float *dist;                  /* (n) out */
} DistJob;

static void
dist_chunk (guint task, guint worker, gpointer user_data)
{
  DistJob *job = user_data;
  guint i0 = task * KM_CHUNK, n = MIN (KM_CHUNK, job->d->n - i0);
  const float *f[KM_MAX_FEATURES];
  guint8 lab[KM_CHUNK];

  for (guint c = 0; c < job->km->nf; c++)
    f[c] = job->d->f[c] + i0;
  job->km->kern->argmin (n, job->km->nf, f, 1, job->w, job->b, lab,
      job->dist + i0);
  for (guint i = 0; i < n; i++) {
    float v = job->dist[i0 + i] + job->d->q[i0 + i];
    job->dist[i0 + i] = v > 0.0f ? v : 0.0f;
  }
}

/* Squared distances of every sample to one point x (nf). */
static void
distances_to (KmKMeans * km, const KmData * d, const float *x, float *dist)
{
  float w[KM_MAX_FEATURES], b;
  DistJob job = { km, d, w, &b, dist };

  weights_for (km, x, 1, w, &b);
  worker_pool_run (km->pool, (d->n + KM_CHUNK - 1) / KM_CHUNK, dist_chunk,
      &job);
}

static guint
draw_weighted (KmKMeans * km, const double *cum, guint n)
{
  double total = cum[n - 1], r;
  guint lo = 0, hi = n - 1;

  if (!(total > 0.0))
    return (guint) (km_rng_next (&km->rng) % n);
  r = km_rng_uniform (&km->rng) * total;
  while (lo < hi) {             /* first i with cum[i] > r */
    guint mid = lo + (hi - lo) / 2;
    if (cum[mid] > r)
      hi = mid;
    else
      lo = mid + 1;
  }
  return lo;
}

void
km_kmeans_init_plusplus (KmKMeans * km, const KmData * full)
{
  guint nf = km->nf, k = km->k;
  guint trials = 2 + (guint) log ((double) k);
  guint n = MIN (full->n, MAX (4096u, KM_INIT_WORK / (k * trials)));
  KmData d = { 0 };
  float *planes, *q, *mind, *cand;
  double *cum;

  if (full->n == 0) {
    memset (km->centroids, 0, sizeof (float) * k * nf);
    return;
  }
  /* an even spread of the samples when there are too many */
  planes = g_new (float, (gsize) n * nf);
  q = g_new (float, n);
  for (guint c = 0; c < nf; c++)
    d.f[c] = planes + ((gsize) c) * n;
  for (guint i = 0; i < n; i++) {
    guint src = (guint) (((guint64) i * full->n) / n);
    for (guint c = 0; c < nf; c++)
      planes[(gsize) c * n + i] = full->f[c][src];
    q[i] = full->q[src];
  }
  d.n = n;
  d.nf = nf;
  d.q = q;

  mind = g_new (float, n);
  cand = g_new (float, (gsize) trials * n);
  cum = g_new (double, n);

  {
    guint first = (guint) (km_rng_next (&km->rng) % n);
    for (guint c = 0; c < nf; c++)
      km->centroids[c] = d.f[c][first];
    distances_to (km, &d, km->centroids, mind);
  }
  for (guint j = 1; j < k; j++) {
    double acc = 0.0, best_pot = G_MAXDOUBLE;
    guint best_t = 0;
    float x[KM_MAX_FEATURES * 16];

    for (guint i = 0; i < n; i++) {
      acc += mind[i];
      cum[i] = acc;
    }
    for (guint t = 0; t < trials; t++) {
      guint idx = draw_weighted (km, cum, n);
      double pot = 0.0;
      float *dt = cand + (gsize) t * n;
      for (guint c = 0; c < nf; c++)
        x[t * nf + c] = d.f[c][idx];
      distances_to (km, &d, x + t * nf, dt);
      for (guint i = 0; i < n; i++)
        pot += MIN (mind[i], dt[i]);
      if (pot < best_pot) {
        best_pot = pot;
        best_t = t;
      }
    }
    memcpy (km->centroids + (gsize) j * nf, x + best_t * nf,
        sizeof (float) * nf);
    {
      const float *dt = cand + (gsize) best_t * n;
      for (guint i = 0; i < n; i++)
        mind[i] = MIN (mind[i], dt[i]);
    }
  }
  g_free (planes);
  g_free (q);
  g_free (mind);
  g_free (cand);
  g_free (cum);
}

/* ---- Hungarian method (shortest augmenting paths, O(k^3)) ---- */

void
km_match_ids (guint k, const double *cost, guint * perm)
{
  /* 1-based potentials u (rows: new), v (columns: old) */
  double *u = g_new0 (double, k + 1), *v = g_new0 (double, k + 1);
  double *minv = g_new (double, k + 1);
  guint *p = g_new0 (guint, k + 1), *way = g_new0 (guint, k + 1);
  gboolean *used = g_new (gboolean, k + 1);

  for (guint i = 1; i <= k; i++) {
    guint j0 = 0;
    p[0] = i;
    for (guint j = 0; j <= k; j++) {
      minv[j] = G_MAXDOUBLE;
      used[j] = FALSE;
    }
    do {
      guint i0 = p[j0], j1 = 0;
      double delta = G_MAXDOUBLE;
      used[j0] = TRUE;
      for (guint j = 1; j <= k; j++) {
        if (used[j])
          continue;
        double cur = cost[(gsize) (i0 - 1) * k + (j - 1)] - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (guint j = 0; j <= k; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] != 0);
    do {
      guint j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 != 0);
  }
  for (guint j = 1; j <= k; j++)
    perm[p[j] - 1] = j - 1;

  g_free (u);
  g_free (v);
  g_free (minv);
  g_free (p);
  g_free (way);
  g_free (used);
}
