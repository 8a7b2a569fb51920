/* km_kmeans: recovery of known clusters, determinism across threads, data
 * sizes and kernel paths, reseeding of empty clusters, stopping criteria,
 * the metric, a lone assignment, the Hungarian matching and the private
 * generator. */
#include "config.h"
#include "kmeans/kmeans.h"

#include <math.h>
#include <string.h>

#define NF 3
#define NBLOB 5
#define KM_BLOCK_SAMPLES (16 * KM_CHUNK)        /* kmeans/kmeans.c's KM_BLOCK */

static const float blob_centre[NBLOB][NF] = {
  {30, 40, 50}, {200, 60, 90}, {100, 200, 30}, {60, 120, 220},
  {220, 220, 200},
};

typedef struct
{
  guint n, nf;
  float *f[KM_MAX_FEATURES];
  float *q;
  guint *truth;                 /* (n) blob of each sample */
  KmData d;
} Samples;

static double
gauss (GRand * r)
{
  double u = g_rand_double_range (r, 1e-12, 1.0), v = g_rand_double (r);
  return sqrt (-2.0 * log (u)) * cos (2.0 * G_PI * v);
}

/* n samples from the five blobs, interleaved in a random order */
static Samples *
blobs_new (guint n, guint32 seed, double sigma)
{
  Samples *s = g_new0 (Samples, 1);
  GRand *r = g_rand_new_with_seed (seed);

  s->n = n;
  s->nf = NF;
  for (guint c = 0; c < NF; c++)
    s->f[c] = g_new (float, n);
  s->q = g_new (float, n);
  s->truth = g_new (guint, n);
  for (guint i = 0; i < n; i++) {
    guint b = i < NBLOB ? i : (guint) g_rand_int_range (r, 0, NBLOB);
    s->truth[i] = b;
    for (guint c = 0; c < NF; c++)
      s->f[c][i] = (float) (blob_centre[b][c] + sigma * gauss (r));
  }
  s->d.n = n;
  s->d.nf = NF;
  for (guint c = 0; c < NF; c++)
    s->d.f[c] = s->f[c];
  g_rand_free (r);
  return s;
}

static void
samples_free (Samples * s)
{
  for (guint c = 0; c < s->nf; c++)
    g_free (s->f[c]);
  g_free (s->q);
  g_free (s->truth);
  g_free (s);
}

/* nearest centroid of each sample under metric a, in double */
static void
assign (const KmKMeans * km, const Samples * s, guint * lab)
{
  guint k = km_kmeans_get_k (km), nf = km_kmeans_get_nf (km);
  const float *c = km_kmeans_get_centroids (km), *a = km_kmeans_get_metric (km);

  for (guint i = 0; i < s->n; i++) {
    double best = G_MAXDOUBLE;
    for (guint j = 0; j < k; j++) {
      double d[KM_MAX_FEATURES], v = 0.0;
      for (guint r = 0; r < nf; r++)
        d[r] = (double) s->f[r][i] - c[j * nf + r];
      for (guint r = 0; r < nf; r++)
        for (guint q = 0; q < nf; q++)
          v += d[r] * a[r * nf + q] * d[q];
      if (v < best) {
        best = v;
        lab[i] = j;
      }
    }
  }
}

/* The labels are the truth up to a one-to-one renaming; returns it. */
static void
assert_partition (const guint * lab, const guint * truth, guint n, guint k,
    guint * map)
{
  gboolean used[KM_MAX_K] = { FALSE };

  for (guint b = 0; b < k; b++)
    map[b] = G_MAXUINT;
  for (guint i = 0; i < n; i++) {
    if (map[truth[i]] == G_MAXUINT) {
      g_assert_false (used[lab[i]]);
      used[lab[i]] = TRUE;
      map[truth[i]] = lab[i];
    }
    g_assert_cmpuint (lab[i], ==, map[truth[i]]);
  }
}

static KmKMeans *
fit (const Samples * s, guint k, guint64 seed, const KmKernels * kern,
    WorkerPool * pool, KmResult * res)
{
  KmKMeans *km = km_kmeans_new (s->nf, 0, k, kern);
  KmData *d = (KmData *) & s->d;

  km_kmeans_set_pool (km, pool);
  km_kmeans_set_seed (km, seed);
  km_kmeans_set_max_iterations (km, 50);
  km_kmeans_compute_q (km, d, s->q);
  km_kmeans_init_plusplus (km, d);
  km_kmeans_refine (km, d, res);
  return km;
}

static void
test_recover_blobs (void)
{
  Samples *s = blobs_new (20000, 11, 4.0);
  guint *lab = g_new (guint, s->n), map[NBLOB];
  KmResult res;
  KmKMeans *km = fit (s, NBLOB, 7, km_kernels_get (KERNEL_PATH_AUTO), NULL, &res);
  const float *c = km_kmeans_get_centroids (km);
  const guint64 *counts = km_kmeans_get_counts (km);

  g_assert_cmpint (res.stop, !=, KM_STOP_MAX_ITERATIONS);
  g_assert_cmpuint (res.reseeded, ==, 0);
  assign (km, s, lab);
  assert_partition (lab, s->truth, s->n, NBLOB, map);

  for (guint b = 0; b < NBLOB; b++) {
    double mean[NF] = { 0 };
    guint nb = 0;
    for (guint i = 0; i < s->n; i++)
      if (s->truth[i] == b) {
        nb++;
        for (guint r = 0; r < NF; r++)
          mean[r] += s->f[r][i];
      }
    g_assert_cmpuint (counts[map[b]], ==, nb);
    for (guint r = 0; r < NF; r++) {
      /* the centroid is the blob's sample mean, near its true centre */
      g_assert_cmpfloat (fabs (c[map[b] * NF + r] - mean[r] / nb), <, 1e-3);
      g_assert_cmpfloat (fabs (c[map[b] * NF + r] - blob_centre[b][r]), <,
          0.5);
    }
  }
  /* inertia: about 3 sigma^2 per sample, and km_kmeans_inertia agrees */
  g_assert_cmpfloat (res.inertia / s->n, >, 0.8 * 3 * 16);
  g_assert_cmpfloat (res.inertia / s->n, <, 1.2 * 3 * 16);
  g_assert_cmpfloat (fabs (km_kmeans_inertia (km, &s->d) - res.inertia), <=,
      1e-4 * res.inertia);

  km_kmeans_free (km);
  g_free (lab);
  samples_free (s);
}

/* Same seed: bit-identical centroids, counts and inertia for 1, 2 and 3
 * threads, at sizes on both sides of the block size; and across paths
 * whose argmin is exact (C and ORC). */
static void
test_determinism (void)
{
  static const guint sizes[] = { 1000, KM_BLOCK_SAMPLES - 1,
    KM_BLOCK_SAMPLES, KM_BLOCK_SAMPLES + 1, 3 * KM_BLOCK_SAMPLES + 77
  };
  WorkerPool *pools[3];

  for (guint t = 0; t < 3; t++)
    pools[t] = worker_pool_new (t + 1);
  for (guint si = 0; si < G_N_ELEMENTS (sizes); si++) {
    /* wide blobs that touch: many iterations, many reassignments */
    Samples *s = blobs_new (sizes[si], 100 + si, 40.0);
    float c_path[8 * NF];
    for (gint p = KERNEL_PATH_C; p < KERNEL_PATH_LAST; p++) {
      const KmKernels *kern = km_kernels_get ((KernelPath) p);
      float ref[8 * NF];
      guint64 ref_counts[8];
      KmResult ref_res = { 0 };
      if (kern == NULL)
        continue;
      for (guint t = 0; t < 3; t++) {
        KmResult res;
        KmKMeans *km = fit (s, 8, 5, kern, pools[t], &res);
        if (t == 0) {
          memcpy (ref, km_kmeans_get_centroids (km), sizeof (ref));
          memcpy (ref_counts, km_kmeans_get_counts (km), sizeof (ref_counts));
          ref_res = res;
          g_assert_cmpuint (res.iterations, >, 2);
        } else {
          g_assert_cmpmem (km_kmeans_get_centroids (km), sizeof (ref), ref,
              sizeof (ref));
          g_assert_cmpmem (km_kmeans_get_counts (km), sizeof (ref_counts),
              ref_counts, sizeof (ref_counts));
          g_assert_cmpuint (res.iterations, ==, ref_res.iterations);
          g_assert_cmpint (res.stop, ==, ref_res.stop);
          g_assert_true (res.inertia == ref_res.inertia);
        }
        km_kmeans_free (km);
      }
      /* the ORC argmin is bit-exact with the C twins, so is k-means */
      if (p == KERNEL_PATH_C)
        memcpy (c_path, ref, sizeof (ref));
      else if (p == KERNEL_PATH_ORC)
        g_assert_cmpmem (ref, sizeof (ref), c_path, sizeof (ref));
    }
    samples_free (s);
  }
  for (guint t = 0; t < 3; t++)
    worker_pool_free (pools[t]);
}

/* Another seed starts elsewhere but ends in the same partition. */
static void
test_other_seed (void)
{
  Samples *s = blobs_new (5000, 12, 4.0);
  guint *lab = g_new (guint, s->n), map[NBLOB];
  gboolean init_differs = FALSE;
  float first[NBLOB * NF];
  const KmKernels *kern = km_kernels_get (KERNEL_PATH_AUTO);

  for (guint64 seed = 1; seed <= 6; seed++) {
    KmKMeans *km = km_kmeans_new (NF, 0, NBLOB, kern);
    KmResult res;
    km_kmeans_set_seed (km, seed);
    km_kmeans_compute_q (km, &s->d, s->q);
    km_kmeans_init_plusplus (km, &s->d);
    if (seed == 1)
      memcpy (first, km_kmeans_get_centroids (km), sizeof (first));
    else if (memcmp (first, km_kmeans_get_centroids (km), sizeof (first)))
      init_differs = TRUE;
    km_kmeans_refine (km, &s->d, &res);
    assign (km, s, lab);
    assert_partition (lab, s->truth, s->n, NBLOB, map);
    km_kmeans_free (km);
  }
  g_assert_true (init_differs);
  g_free (lab);
  samples_free (s);
}

/* A centroid far from every sample, and two identical ones, leave clusters
 * empty: they are reseeded and the blobs still come out. */
static void
test_reseed (void)
{
  Samples *s = blobs_new (4000, 13, 4.0);
  guint *lab = g_new (guint, s->n), map[NBLOB];
  const KmKernels *kern = km_kernels_get (KERNEL_PATH_AUTO);
  float start[2][NBLOB * NF];

  for (guint j = 0; j < NBLOB; j++)
    for (guint r = 0; r < NF; r++) {
      start[0][j * NF + r] = blob_centre[j][r];
      start[1][j * NF + r] = blob_centre[j][r];
    }
  for (guint r = 0; r < NF; r++) {
    start[0][4 * NF + r] = 5000.0f;     /* far from all data */
    start[1][4 * NF + r] = blob_centre[0][r];   /* a duplicate of id 0 */
  }
  for (guint v = 0; v < 2; v++) {
    KmKMeans *km = km_kmeans_new (NF, 0, NBLOB, kern);
    KmResult res;
    const guint64 *counts;
    guint64 total = 0;

    km_kmeans_set_max_iterations (km, 30);
    km_kmeans_compute_q (km, &s->d, s->q);
    km_kmeans_set_centroids (km, start[v]);
    km_kmeans_refine (km, &s->d, &res);
    g_assert_cmpuint (res.reseeded, >=, 1);
    counts = km_kmeans_get_counts (km);
    for (guint j = 0; j < NBLOB; j++) {
      g_assert_cmpuint (counts[j], >, 0);
      total += counts[j];
    }
    g_assert_cmpuint (total, ==, s->n);
    g_assert_cmpint (res.stop, !=, KM_STOP_MAX_ITERATIONS);
    assign (km, s, lab);
    assert_partition (lab, s->truth, s->n, NBLOB, map);
    km_kmeans_free (km);
  }
  g_free (lab);
  samples_free (s);
}

static void
test_stop (void)
{
  Samples *s = blobs_new (5000, 14, 30.0);
  const KmKernels *kern = km_kernels_get (KERNEL_PATH_AUTO);
  KmKMeans *km = km_kmeans_new (NF, 0, NBLOB, kern);
  KmResult res;
  float init[NBLOB * NF];

  km_kmeans_set_seed (km, 3);
  km_kmeans_compute_q (km, &s->d, s->q);
  km_kmeans_init_plusplus (km, &s->d);
  memcpy (init, km_kmeans_get_centroids (km), sizeof (init));

  /* one step from samples as centres cannot be a fixed point */
  km_kmeans_set_max_iterations (km, 1);
  km_kmeans_refine (km, &s->d, &res);
  g_assert_cmpint (res.stop, ==, KM_STOP_MAX_ITERATIONS);
  g_assert_cmpuint (res.iterations, ==, 1);

  /* no tolerance: only an unchanged assignment stops it */
  km_kmeans_set_centroids (km, init);
  km_kmeans_set_tolerance (km, 0.0);
  km_kmeans_set_max_iterations (km, 500);
  km_kmeans_refine (km, &s->d, &res);
  g_assert_cmpint (res.stop, ==, KM_STOP_CONVERGED);
  g_assert_cmpuint (res.iterations, >=, 2);
  g_assert_cmpuint (res.iterations, <, 500);
  {
    /* converged: one more refine moves nothing and stops at once */
    float c[NBLOB * NF];
    guint it = res.iterations;
    memcpy (c, km_kmeans_get_centroids (km), sizeof (c));
    km_kmeans_refine (km, &s->d, &res);
    g_assert_cmpint (res.stop, ==, KM_STOP_TOLERANCE);
    g_assert_cmpuint (res.iterations, ==, 1);
    g_assert_cmpmem (c, sizeof (c), km_kmeans_get_centroids (km), sizeof (c));
    g_assert_cmpuint (it, >, 2);
  }

  /* a large tolerance stops before convergence */
  km_kmeans_set_centroids (km, init);
  km_kmeans_set_tolerance (km, 50.0);
  km_kmeans_refine (km, &s->d, &res);
  g_assert_cmpint (res.stop, ==, KM_STOP_TOLERANCE);

  /* a first-pass inertia above the cut threshold stops at once and
   * leaves the centroids; 0 turns the check off */
  km_kmeans_set_tolerance (km, 0.0);
  km_kmeans_set_centroids (km, init);
  km_kmeans_set_cut_inertia (km, 1.0);
  km_kmeans_refine (km, &s->d, &res);
  g_assert_cmpint (res.stop, ==, KM_STOP_CUT);
  g_assert_cmpuint (res.iterations, ==, 1);
  g_assert_cmpfloat (res.inertia, >, 1.0);
  g_assert_cmpmem (km_kmeans_get_centroids (km), sizeof (init), init,
      sizeof (init));
  km_kmeans_set_cut_inertia (km, 1e30);
  km_kmeans_refine (km, &s->d, &res);
  g_assert_cmpint (res.stop, ==, KM_STOP_CONVERGED);
  km_kmeans_set_centroids (km, init);
  km_kmeans_set_cut_inertia (km, 0.0);
  km_kmeans_refine (km, &s->d, &res);
  g_assert_cmpint (res.stop, ==, KM_STOP_CONVERGED);

  /* a first-pass inertia at most the keep threshold stops at once and
   * leaves the centroids; below it, refine runs */
  {
    double fitted = res.inertia;
    km_kmeans_set_centroids (km, init);
    km_kmeans_set_keep_inertia (km, 1e30);
    km_kmeans_refine (km, &s->d, &res);
    g_assert_cmpint (res.stop, ==, KM_STOP_UNCHANGED);
    g_assert_cmpuint (res.iterations, ==, 1);
    g_assert_cmpmem (km_kmeans_get_centroids (km), sizeof (init), init,
        sizeof (init));
    km_kmeans_set_keep_inertia (km, fitted * 0.5);
    km_kmeans_refine (km, &s->d, &res);
    g_assert_cmpint (res.stop, ==, KM_STOP_CONVERGED);
    km_kmeans_set_keep_inertia (km, 0.0);
  }

  /* no samples: nothing to do */
  {
    KmData empty = { 0 };
    empty.nf = NF;
    km_kmeans_refine (km, &empty, &res);
    g_assert_cmpuint (res.iterations, ==, 0);
    g_assert_cmpint (res.stop, ==, KM_STOP_CONVERGED);
  }
  km_kmeans_free (km);
  samples_free (s);
}

/* Four groups at (0,0), (10,0), (0,3), (10,3): in plain distance k = 2
 * splits along x; with y weighted 100 (y scaled by 10) along y. */
static void
test_metric (void)
{
  const KmKernels *kern = km_kernels_get (KERNEL_PATH_AUTO);
  GRand *r = g_rand_new_with_seed (15);
  guint n = 4000;
  Samples *s = g_new0 (Samples, 1);
  guint *lab = g_new (guint, n);
  static const float ident[4] = { 1, 0, 0, 1 }, scaled[4] = { 1, 0, 0, 100 };
  static const float start[4] = { 0, 0, 10, 3 };

  s->n = n;
  s->nf = 2;
  s->f[0] = g_new (float, n);
  s->f[1] = g_new (float, n);
  s->q = g_new (float, n);
  s->truth = g_new (guint, n);
  for (guint i = 0; i < n; i++) {
    s->truth[i] = i % 4;
    s->f[0][i] = (float) ((i & 1) * 10 + 0.2 * gauss (r));
    s->f[1][i] = (float) (((i >> 1) & 1) * 3 + 0.05 * gauss (r));
  }
  s->d.n = n;
  s->d.nf = 2;
  s->d.f[0] = s->f[0];
  s->d.f[1] = s->f[1];

  for (guint v = 0; v < 2; v++) {
    KmKMeans *km = km_kmeans_new (2, 0, 2, kern);
    KmResult res;
    float w[4], b[2];
    const float *c;

    km_kmeans_set_metric (km, v ? scaled : ident);
    km_kmeans_compute_q (km, &s->d, s->q);
    for (guint i = 0; i < n; i += 97) {
      double x = s->f[0][i], y = s->f[1][i];
      g_assert_cmpfloat (fabs (s->q[i] - (x * x + (v ? 100 : 1) * y * y)),
          <=, 1e-3);
    }
    km_kmeans_set_centroids (km, start);
    km_kmeans_refine (km, &s->d, &res);
    assign (km, s, lab);
    for (guint i = 0; i < n; i++) {
      /* x group is i & 1, y group (i >> 1) & 1 */
      guint want = v ? (i >> 1) & 1 : i & 1;
      g_assert_cmpuint (lab[i], ==, want);
    }
    /* the argmin weights give (x-c)'A(x-c) once q is added */
    km_kmeans_get_weights (km, w, b);
    c = km_kmeans_get_centroids (km);
    for (guint i = 0; i < n; i += 131)
      for (guint j = 0; j < 2; j++) {
        double dx = s->f[0][i] - c[j * 2], dy = s->f[1][i] - c[j * 2 + 1];
        double want = dx * dx + (v ? 100 : 1) * dy * dy;
        double got = s->q[i] + w[j * 2] * s->f[0][i]
            + w[j * 2 + 1] * s->f[1][i] + b[j];
        g_assert_cmpfloat (fabs (got - want), <=, 1e-2 + 1e-5 * want);
      }
    /* inertia in the metric: y spread 0.05 (A=I, x split) against x
     * spread 0.2 and y spread 0.5 weighted 100 (scaled, y split) */
    {
      double in = km_kmeans_inertia (km, &s->d) / n;
      if (v)
        g_assert_cmpfloat (fabs (in - 25.0 - 0.04 - 100 * 0.0025), <, 0.5);
      else
        g_assert_cmpfloat (fabs (in - 0.04 - 2.25), <, 0.2);
    }
    km_kmeans_free (km);
  }
  g_free (lab);
  g_rand_free (r);
  samples_free (s);
}

/* carried planes are averaged per cluster without moving the centroids */
static void
test_carried (void)
{
  Samples *s = blobs_new (3000, 16, 4.0);
  float *carry = g_new (float, s->n);
  const KmKernels *kern = km_kernels_get (KERNEL_PATH_AUTO);
  KmKMeans *km = km_kmeans_new (NF, 1, NBLOB, kern);
  guint *lab = g_new (guint, s->n), map[NBLOB];
  KmResult res;

  for (guint i = 0; i < s->n; i++)
    carry[i] = (float) (1000 * s->truth[i] + 1);
  s->d.nc = 1;
  s->d.c[0] = carry;
  km_kmeans_set_seed (km, 2);
  km_kmeans_compute_q (km, &s->d, s->q);
  km_kmeans_init_plusplus (km, &s->d);
  km_kmeans_refine (km, &s->d, &res);
  assign (km, s, lab);
  assert_partition (lab, s->truth, s->n, NBLOB, map);
  for (guint b = 0; b < NBLOB; b++)
    g_assert_cmpfloat (km_kmeans_get_carried (km)[map[b]], ==, 1000 * b + 1);
  km_kmeans_free (km);
  g_free (lab);
  g_free (carry);
  samples_free (s);
}

static double
perm_cost (guint k, const double *cost, const guint * perm)
{
  double c = 0.0;
  for (guint i = 0; i < k; i++)
    c += cost[i * k + perm[i]];
  return c;
}

/* minimum over all permutations (Heap's algorithm) */
static double
brute_force (guint k, const double *cost)
{
  guint p[8], c[8] = { 0 }, i = 1;
  double best;

  for (guint j = 0; j < k; j++)
    p[j] = j;
  best = perm_cost (k, cost, p);
  while (i < k) {
    if (c[i] < i) {
      guint a = i % 2 ? c[i] : 0, t = p[a];
      p[a] = p[i];
      p[i] = t;
      best = MIN (best, perm_cost (k, cost, p));
      c[i]++;
      i = 1;
    } else {
      c[i] = 0;
      i++;
    }
  }
  return best;
}

static void
assert_is_perm (guint k, const guint * perm)
{
  gboolean seen[KM_MAX_K] = { FALSE };
  for (guint i = 0; i < k; i++) {
    g_assert_cmpuint (perm[i], <, k);
    g_assert_false (seen[perm[i]]);
    seen[perm[i]] = TRUE;
  }
}

/* assign: one assignment to given centroids, which it leaves alone; its
 * counts, carried means and inertia are those of the nearest-centroid
 * partition, the same for any number of threads. */
static void
test_assign (void)
{
  Samples *s = blobs_new (3 * KM_BLOCK_SAMPLES + 77, 23, 40.0);
  float *carry = g_new (float, s->n), cent[NBLOB * NF];
  guint *lab = g_new (guint, s->n);
  const KmKernels *kern = km_kernels_get (KERNEL_PATH_AUTO);
  guint64 want_counts[NBLOB] = { 0 }, ref_counts[NBLOB];
  double want_carry[NBLOB] = { 0 }, want_inertia = 0.0, ref_inertia = 0.0;
  float ref_carried[NBLOB];
  GRand *r = g_rand_new_with_seed (5);

  for (guint i = 0; i < s->n; i++)
    carry[i] = (float) g_rand_double_range (r, -50.0, 50.0);
  s->d.nc = 1;
  s->d.c[0] = carry;
  /* off the blobs' means, so that a Lloyd step would move them */
  for (guint j = 0; j < NBLOB; j++)
    for (guint c = 0; c < NF; c++)
      cent[j * NF + c] = blob_centre[j][c] + 7.0f * (c + 1) - 3.0f * j;

  for (guint t = 1; t <= 3; t++) {
    WorkerPool *pool = worker_pool_new (t);
    KmKMeans *km = km_kmeans_new (NF, 1, NBLOB, kern);
    double inertia;

    km_kmeans_set_pool (km, pool);
    km_kmeans_set_centroids (km, cent);
    km_kmeans_compute_q (km, &s->d, s->q);
    inertia = km_kmeans_assign (km, &s->d);
    g_assert_cmpmem (km_kmeans_get_centroids (km), sizeof (cent), cent,
        sizeof (cent));
    g_assert_true (inertia == km_kmeans_inertia (km, &s->d));
    if (t == 1) {
      guint64 total = 0, off = 0;
      assign (km, s, lab);
      for (guint i = 0; i < s->n; i++) {
        double d2 = 0.0;
        for (guint c = 0; c < NF; c++) {
          double d = (double) s->f[c][i] - cent[lab[i] * NF + c];
          d2 += d * d;
        }
        want_inertia += d2;
        want_counts[lab[i]]++;
        want_carry[lab[i]] += carry[i];
      }
      /* float against double near a bisector: a few samples may differ */
      for (guint j = 0; j < NBLOB; j++) {
        guint64 got = km_kmeans_get_counts (km)[j];
        g_assert_cmpuint (want_counts[j], >, 1000);
        off += got > want_counts[j] ? got - want_counts[j]
            : want_counts[j] - got;
        total += got;
        g_assert_cmpfloat_with_epsilon (km_kmeans_get_carried (km)[j],
            want_carry[j] / want_counts[j], 0.05);
      }
      g_assert_cmpuint (total, ==, s->n);
      g_assert_cmpuint (off, <=, 10);
      g_assert_cmpfloat (fabs (inertia - want_inertia), <=,
          1e-4 * want_inertia);
      memcpy (ref_counts, km_kmeans_get_counts (km), sizeof (ref_counts));
      memcpy (ref_carried, km_kmeans_get_carried (km), sizeof (ref_carried));
      ref_inertia = inertia;
    } else {
      g_assert_cmpmem (km_kmeans_get_counts (km), sizeof (ref_counts),
          ref_counts, sizeof (ref_counts));
      g_assert_cmpmem (km_kmeans_get_carried (km), sizeof (ref_carried),
          ref_carried, sizeof (ref_carried));
      g_assert_true (inertia == ref_inertia);
    }
    km_kmeans_free (km);
    worker_pool_free (pool);
  }
  g_rand_free (r);
  g_free (carry);
  g_free (lab);
  samples_free (s);
}

static void
test_match_ids (void)
{
  GRand *r = g_rand_new_with_seed (17);
  guint perm[KM_MAX_K];
  double *cost = g_new (double, KM_MAX_K * KM_MAX_K);

  for (guint k = 1; k <= 6; k++) {
    for (guint trial = 0; trial < 200; trial++) {
      for (guint i = 0; i < k * k; i++) {
        /* integer costs give many equal-cost optima; real ones few */
        cost[i] = trial % 2 ? g_rand_double_range (r, 0, 1000)
            : g_rand_int_range (r, 0, 5);
      }
      km_match_ids (k, cost, perm);
      assert_is_perm (k, perm);
      g_assert_cmpfloat (fabs (perm_cost (k, cost, perm) -
              brute_force (k, cost)), <=, 1e-9);
    }
  }

  /* a known answer at full size: squared distances of shuffled points */
  {
    guint k = KM_MAX_K, sh[KM_MAX_K];
    for (guint i = 0; i < k; i++)
      sh[i] = i;
    for (guint i = k - 1; i > 0; i--) {
      guint j = g_rand_int_range (r, 0, i + 1), t = sh[i];
      sh[i] = sh[j];
      sh[j] = t;
    }
    for (guint i = 0; i < k; i++)
      for (guint j = 0; j < k; j++) {
        double d = (double) sh[i] - j;
        cost[i * k + j] = d * d;
      }
    km_match_ids (k, cost, perm);
    for (guint i = 0; i < k; i++)
      g_assert_cmpuint (perm[i], ==, sh[i]);
  }
  g_free (cost);
  g_rand_free (r);
}

static void
test_rng (void)
{
  KmRng a, b;
  double sum = 0.0;
  gboolean differ = FALSE;

  /* seeded by splitmix64: its first output from 0 is a published value */
  km_rng_seed (&a, 0);
  g_assert_cmpuint (a.s[0], ==, G_GUINT64_CONSTANT (0xe220a8397b1dcdaf));
  km_rng_seed (&a, 42);
  km_rng_seed (&b, 42);
  for (guint i = 0; i < 1000; i++)
    g_assert_cmpuint (km_rng_next (&a), ==, km_rng_next (&b));
  km_rng_seed (&b, 43);
  for (guint i = 0; i < 10; i++)
    differ |= km_rng_next (&a) != km_rng_next (&b);
  g_assert_true (differ);
  for (guint i = 0; i < 100000; i++) {
    double u = km_rng_uniform (&a);
    g_assert_cmpfloat (u, >=, 0.0);
    g_assert_cmpfloat (u, <, 1.0);
    sum += u;
  }
  g_assert_cmpfloat (fabs (sum / 100000 - 0.5), <, 0.01);

  /* the k-means seed is the generator's: same seed, same k-means++ */
  {
    Samples *s = blobs_new (2000, 18, 30.0);
    const KmKernels *kern = km_kernels_get (KERNEL_PATH_AUTO);
    KmKMeans *x = km_kmeans_new (NF, 0, 6, kern), *y =
        km_kmeans_new (NF, 0, 6, kern);
    km_kmeans_set_seed (x, 9);
    km_kmeans_set_seed (y, 9);
    km_kmeans_compute_q (x, &s->d, s->q);
    km_kmeans_init_plusplus (x, &s->d);
    km_kmeans_init_plusplus (y, &s->d);
    g_assert_cmpmem (km_kmeans_get_centroids (x), 6 * NF * sizeof (float),
        km_kmeans_get_centroids (y), 6 * NF * sizeof (float));
    km_kmeans_free (x);
    km_kmeans_free (y);
    samples_free (s);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/km/kmeans/recover-blobs", test_recover_blobs);
  g_test_add_func ("/km/kmeans/determinism", test_determinism);
  g_test_add_func ("/km/kmeans/other-seed", test_other_seed);
  g_test_add_func ("/km/kmeans/reseed", test_reseed);
  g_test_add_func ("/km/kmeans/stop", test_stop);
  g_test_add_func ("/km/kmeans/metric", test_metric);
  g_test_add_func ("/km/kmeans/carried", test_carried);
  g_test_add_func ("/km/kmeans/assign", test_assign);
  g_test_add_func ("/km/kmeans/match-ids", test_match_ids);
  g_test_add_func ("/km/kmeans/rng", test_rng);
  return g_test_run ();
}
