/* km_kmeans: exact k-means (Lloyd) on a set of float samples, in the shape
 * of VLFeat's vl_kmeans: an opaque state with new/free/set_*, then
 * init (k-means++), refine, and assignment through the kernel table.
 *
 * Distances use a fixed metric A (nf x nf, symmetric positive definite):
 * d(x, c) = (x - c)' A (x - c), so a stream can be clustered in its own
 * channels while distances are measured in another linear colour space.
 * Results depend on the seed and the data only: the samples are split into
 * fixed blocks whose sums are added in block order, whatever the number of
 * threads. */
#ifndef __KM_KMEANS_H__
#define __KM_KMEANS_H__

#include <glib.h>
#include "common/worker_pool.h"
#include "kmeans/kernels.h"

G_BEGIN_DECLS

#define KM_MAX_K 256
#define KM_MAX_CARRIED 3

/* n samples in planes; carried planes are averaged per cluster but take no
 * part in distances (e.g. native colour when clustering in CIE Lab). */
typedef struct
{
  guint n;
  guint nf;
  const float *f[KM_MAX_FEATURES];      /* (n) each */
  const float *q;               /* (n): x' A x, see km_kmeans_compute_q */
  guint nc;
  const float *c[KM_MAX_CARRIED];       /* (n) each */
} KmData;

typedef enum
{
  KM_STOP_CONVERGED,            /* no sample changed cluster */
  KM_STOP_TOLERANCE,            /* largest centroid move below tolerance
                                 * (default 0.1, in feature units) */
  KM_STOP_MAX_ITERATIONS,
  KM_STOP_CUT,                  /* first inertia above the cut threshold */
  KM_STOP_UNCHANGED,            /* first inertia at most the keep threshold */
} KmStop;

const gchar *km_stop_name (KmStop stop);

typedef struct
{
  guint iterations;             /* assignment steps run */
  KmStop stop;
  double inertia;               /* sum of squared distances, last assignment */
  guint reseeded;               /* empty clusters reseeded */
} KmResult;

typedef struct _KmKMeans KmKMeans;

KmKMeans *km_kmeans_new (guint nf, guint nc, guint k, const KmKernels * kern);
void km_kmeans_free (KmKMeans * km);
void km_kmeans_set_pool (KmKMeans * km, WorkerPool * pool);
void km_kmeans_set_seed (KmKMeans * km, guint64 seed);
void km_kmeans_set_max_iterations (KmKMeans * km, guint max_iterations);
void km_kmeans_set_tolerance (KmKMeans * km, double tolerance);
void km_kmeans_set_metric (KmKMeans * km, const float *a);
/* When the first assignment of a refine has a larger inertia than this,
 * refine stops there with KM_STOP_CUT and leaves the centroids (0: off). */
void km_kmeans_set_cut_inertia (KmKMeans * km, double inertia);
/* When it is at most this (and not a cut), refine stops there with
 * KM_STOP_UNCHANGED and leaves the centroids, counts and carried means of
 * the last refine (0: off). */
void km_kmeans_set_keep_inertia (KmKMeans * km, double inertia);
guint km_kmeans_get_k (const KmKMeans * km);
guint km_kmeans_get_nf (const KmKMeans * km);
const float *km_kmeans_get_metric (const KmKMeans * km);

/* (k, nf) */
const float *km_kmeans_get_centroids (const KmKMeans * km);
void km_kmeans_set_centroids (KmKMeans * km, const float *centroids);
/* (k, nc): carried means from the last refine; (k): its cluster sizes */
const float *km_kmeans_get_carried (const KmKMeans * km);
const guint64 *km_kmeans_get_counts (const KmKMeans * km);

/* Squared distance (x - y)' A (x - y) of two points (nf) in the metric. */
double km_kmeans_distance (const KmKMeans * km, const float *x,
    const float *y);

/* Fills d->q from the features and the metric; q: (d->n). */
void km_kmeans_compute_q (const KmKMeans * km, KmData * d, float *q);

/* argmin weights for the current centroids: w (k, nf), b (k), so that
 * d(x, c_j) = x'Ax + w_j.x + b_j. */
void km_kmeans_get_weights (const KmKMeans * km, float *w, float *b);

/* Greedy k-means++ seeding (2 + ln k candidates per centre), on at most a
 * bounded subset of the data. */
void km_kmeans_init_plusplus (KmKMeans * km, const KmData * d);
/* Lloyd iterations from the current centroids. */
void km_kmeans_refine (KmKMeans * km, const KmData * d, KmResult * res);
/* One assignment to the current centroids, which it leaves as they are:
 * the counts and carried means of its clusters; returns its inertia. */
double km_kmeans_assign (KmKMeans * km, const KmData * d);
/* Sum of squared distances to the current centroids. */
double km_kmeans_inertia (KmKMeans * km, const KmData * d);

/* Optimal one-to-one matching (Hungarian method) of new centroids to old
 * ones; perm[new] = old id. cost: (k, k) row-major, cost[new * k + old]. */
void km_match_ids (guint k, const double *cost, guint * perm);

/* Deterministic private generator (xoshiro256**). */
typedef struct
{
  guint64 s[4];
} KmRng;

void km_rng_seed (KmRng * rng, guint64 seed);
guint64 km_rng_next (KmRng * rng);
double km_rng_uniform (KmRng * rng);    /* [0, 1) */

G_END_DECLS

#endif
