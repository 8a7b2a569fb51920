/* aedenoise's temporal mode. See denoise/frames/temporal.h.
 *
 * A frame runs in two parallel passes over bands of BAND_ROWS rows of each
 * plane: the weights (motion statistics, their 5x5 box sums, the ramps;
 * each band computes the statistics of its rows and of the RADIUS rows
 * either side again, so that bands need no other band) and the input's
 * hash; then, once a repeat or a cut is decided, the update and the
 * fusion, in place (a plane that starts again is hashed there). */
#include "config.h"
#include "denoise/frames/temporal.h"

#include <math.h>
#include <string.h>

#define BAND_ROWS 32            /* even: 4:2:0 chroma rows pair up */
#define ALIGN_FLOATS 16
#define R AENN_TEMPORAL_RADIUS
#define BOX ((2 * R + 1) * (2 * R + 1))

/* tools/aenn-temporal-fit --photos DIR --per-kind 3 --frames 40 --rounds 2
 * --start tau0=1.2,tau1=2.4,rho0=1.5,rho1=3.5,cr=12,nmax=60,c=100,cut=0.6
 * with DIR from tools/aenn-photos --out DIR --scales 3,4 --use train
 * (docs/performance.md, "Temporal mode") */
const AennTemporalParams aenn_temporal_default_params = {
  .tau0 = 2.123f,.tau1 = 4.245f,
  .rho0 = 0.844f,.rho1 = 4.655f,
  .cr = 12.0f,
  .nmax = 15.0f,
  .c = 225.0f,
  .cut = 0.6f,
};

struct _AennTemporal
{
  const AennTemporalKernels *k;
  AennTemporalParams p;
  guint n_planes;
  guint w[AENN_TEMPORAL_MAX_PLANES], h[AENN_TEMPORAL_MAX_PLANES];
  guint xs[AENN_TEMPORAL_MAX_PLANES], ys[AENN_TEMPORAL_MAX_PLANES];
  gsize stride[AENN_TEMPORAL_MAX_PLANES];       /* floats per state row */
  gsize wstride;                /* the widest plane's */
  float *a[AENN_TEMPORAL_MAX_PLANES], *tm[AENN_TEMPORAL_MAX_PLANES];
  float *n[AENN_TEMPORAL_MAX_PLANES];
  guint8 *wt[AENN_TEMPORAL_MAX_PLANES]; /* weights, in 255ths */
  guint n_bands[AENN_TEMPORAL_MAX_PLANES];
  guint64 *band_hash;           /* (n_planes, max_bands) */
  guint *band_moved;            /* luma bands */
  guint max_bands;

  /* per thread: the band's statistics rows, then the row scratch */
  guint n_threads;
  gsize scratch_floats;
  float *scratch;

  gboolean have_state;
  guint64 hash;                 /* of the last frame's input */
  float sigma[AENN_TEMPORAL_MAX_PLANES];        /* the last frame's levels */

  /* the frame in flight */
  const float *const *x;
  const gsize *x_stride;
  float *const *s;
  const gsize *s_stride;
  guint plane;
  gboolean restart[AENN_TEMPORAL_MAX_PLANES];
  gboolean repeat;
  float aq, bq, ar, br;
};

const AennTemporalKernels *
aenn_temporal_kernels_get (KernelPath path)
{
  /* a row per float path: C and ORC share the portable build */
  static const AennTemporalKernels *const tables[KERNEL_PATH_LAST] = {
    [KERNEL_PATH_C] = &aenn_tr_generic,
    [KERNEL_PATH_ORC] = &aenn_tr_generic,
#ifdef HAVE_AVX2_KERNELS
    [KERNEL_PATH_AVX2] = &aenn_tr_avx2,
#endif
#ifdef HAVE_AVX512_KERNELS
    [KERNEL_PATH_AVX512] = &aenn_tr_avx512,
#endif
  };
  KernelPath row;

  if (!kernel_path_resolve (path, FALSE, &row))
    return NULL;
  return tables[row];
}

static inline float *
srow (float *plane, gsize stride, guint y)
{
  return plane + (gsize) y *stride;
}

static inline guint8 *
wrow (guint8 * plane, gsize stride, guint y)
{
  return plane + (gsize) y *stride;
}

/* The hash of rows [y0, y1) of plane c's input, into its band's slot. */
static void
hash_rows (AennTemporal * t, guint c, guint band, guint y0, guint y1)
{
  guint64 hash = 0;

  for (guint y = y0; y < y1; y++)
    hash = t->k->hash (hash, t->x[c] + y * t->x_stride[c], (int) t->w[c]);
  t->band_hash[c * t->max_bands + band] = hash;
}

AennTemporal *
aenn_temporal_new (KernelPath path, guint n_planes, const guint width[],
    const guint height[])
{
  AennTemporal *t;
  guint wmax = 0;

  g_return_val_if_fail (n_planes >= 1
      && n_planes <= AENN_TEMPORAL_MAX_PLANES, NULL);
  g_return_val_if_fail (aenn_temporal_kernels_get (path) != NULL, NULL);
  t = g_new0 (AennTemporal, 1);
  t->k = aenn_temporal_kernels_get (path);
  t->p = aenn_temporal_default_params;
  t->n_planes = n_planes;
  for (guint c = 0; c < n_planes; c++) {
    t->w[c] = width[c];
    t->h[c] = height[c];
    wmax = MAX (wmax, width[c]);
    /* the subsampling of plane c from plane 0: 1 where it is about half */
    t->xs[c] = width[c] < width[0] ? 1 : 0;
    t->ys[c] = height[c] < height[0] ? 1 : 0;
    t->n_bands[c] = (height[c] + BAND_ROWS - 1) / BAND_ROWS;
    t->max_bands = MAX (t->max_bands, t->n_bands[c]);
  }
  /* + 1: a luma weight row of odd width repeats its last weight, so that
   * its pairs cover the chroma row */
  for (guint c = 0; c < n_planes; c++)
    t->stride[c] = (width[c] + 1 + ALIGN_FLOATS - 1) / ALIGN_FLOATS
        * ALIGN_FLOATS;
  t->wstride = (wmax + 1 + ALIGN_FLOATS - 1) / ALIGN_FLOATS * ALIGN_FLOATS;
  for (guint c = 0; c < n_planes; c++) {
    gsize sz = t->stride[c] * t->h[c];
    t->a[c] = g_aligned_alloc0 (sz, sizeof (float), 64);
    t->tm[c] = g_aligned_alloc0 (sz, sizeof (float), 64);
    t->n[c] = g_aligned_alloc0 (sz, sizeof (float), 64);
    t->wt[c] = g_aligned_alloc0 (sz, 1, 64);
  }
  t->band_hash = g_new0 (guint64, (gsize) n_planes * t->max_bands);
  t->band_moved = g_new0 (guint, t->max_bands);
  /* the weights pass: 2 x (BAND_ROWS + 2R) statistics rows and 2 padded
   * sums; the update pass: a chroma weight row */
  t->scratch_floats = (2 * (BAND_ROWS + 2 * R) + 2) * (t->wstride
      + ALIGN_FLOATS);
  return t;
}

void
aenn_temporal_free (AennTemporal * t)
{
  if (t == NULL)
    return;
  for (guint c = 0; c < t->n_planes; c++) {
    g_aligned_free (t->a[c]);
    g_aligned_free (t->tm[c]);
    g_aligned_free (t->n[c]);
    g_aligned_free (t->wt[c]);
  }
  g_free (t->band_hash);
  g_free (t->band_moved);
  g_aligned_free (t->scratch);
  g_free (t);
}

void
aenn_temporal_set_params (AennTemporal * t, const AennTemporalParams * p)
{
  g_return_if_fail (p->tau1 > p->tau0 && p->rho1 > p->rho0 && p->cr > 0.0f
      && p->nmax >= 1.0f && p->c > 0.0f);
  t->p = *p;
}

void
aenn_temporal_reset (AennTemporal * t)
{
  t->have_state = FALSE;
}

gsize
aenn_temporal_get_size (const AennTemporal * t)
{
  gsize floats = t->scratch_floats * t->n_threads;

  for (guint c = 0; c < t->n_planes; c++)
    floats += 3 * t->stride[c] * t->h[c] + t->stride[c] * t->h[c] / 4;
  return floats * sizeof (float) + sizeof (guint64) * t->n_planes
      * t->max_bands + sizeof (guint) * t->max_bands + sizeof (*t);
}

/* ---- pass 1: the weights ---- */

/* Row y's padded box input: d[-R .. w + R) with the ends repeated. */
static void
pad_row (float *d, guint w)
{
  for (guint i = 1; i <= R; i++) {
    d[-(gint) i] = d[0];
    d[w - 1 + i] = d[w - 1];
  }
}

static void
weights_band (guint task, guint worker, gpointer user_data)
{
  AennTemporal *t = user_data;
  const AennTemporalKernels *k = t->k;
  guint c = t->plane, w = t->w[c], h = t->h[c];
  guint y0 = task * BAND_ROWS, y1 = MIN (y0 + BAND_ROWS, h);
  gsize rs = t->wstride + ALIGN_FLOATS; /* scratch row floats */
  float *base = t->scratch + worker * t->scratch_floats;
  float *q = base, *r = base + (BAND_ROWS + 2 * R) * rs;
  float *row = r + (BAND_ROWS + 2 * R) * rs;
  float *vq = row + R, *vr = row + rs + R;
  const float *x = t->x[c], *s = t->s[c];
  gsize xst = t->x_stride[c], sst = t->s_stride[c];
  guint moved = 0;

  /* the statistics of rows y0 - R .. y1 + R, edges repeated */
  for (gint yy = (gint) y0 - R; yy < (gint) y1 + R; yy++) {
    guint src = (guint) CLAMP (yy, 0, (gint) h - 1);
    guint slot = (guint) (yy - ((gint) y0 - R));
    k->stats (q + slot * rs, r + slot * rs, x + src * xst, s + src * sst,
        srow (t->tm[c], t->stride[c], src), (int) w);
  }
  for (guint y = y0; y < y1; y++) {
    const float *q0 = q + (y - y0) * rs, *r0 = r + (y - y0) * rs;
    guint8 *wr = wrow (t->wt[c], t->stride[c], y);
    k->sum5 (vq, q0, q0 + rs, q0 + 2 * rs, q0 + 3 * rs, q0 + 4 * rs, (int) w);
    k->sum5 (vr, r0, r0 + rs, r0 + 2 * rs, r0 + 3 * rs, r0 + 4 * rs, (int) w);
    pad_row (vq, w);
    pad_row (vr, w);
    moved += k->weight (wr, vq, vr, srow (t->n[c], t->stride[c], y), t->aq,
        t->bq, t->ar, t->br, (int) w);
    wr[w] = wr[w - 1];
  }
  hash_rows (t, c, task, y0, y1);
  if (c == 0)
    t->band_moved[task] = moved;
}

/* The ramp clamp ((hi - z) / (hi - lo)) of z = S k / (BOX var) as
 * clamp (b + a S k), S a box sum. */
static void
ramp_coefficients (float lo, float hi, float var, float *a, float *b)
{
  *a = -1.0f / ((float) BOX * var * (hi - lo));
  *b = hi / (hi - lo);
}

/* ---- pass 2: update and fusion ---- */

static void
update_band (guint task, guint worker, gpointer user_data)
{
  AennTemporal *t = user_data;
  const AennTemporalKernels *k = t->k;
  guint c = t->plane, w = t->w[c], h = t->h[c];
  guint y0 = task * BAND_ROWS, y1 = MIN (y0 + BAND_ROWS, h);
  guint8 *wc = (guint8 *) (t->scratch + worker * t->scratch_floats);

  /* a plane that starts again had no weights pass: its hash here */
  if (t->restart[c])
    hash_rows (t, c, task, y0, y1);
  for (guint y = y0; y < y1; y++) {
    const float *x = t->x[c] + y * t->x_stride[c];
    float *s = t->s[c] + y * t->s_stride[c];
    float *a = srow (t->a[c], t->stride[c], y), *tm = srow (t->tm[c],
        t->stride[c], y), *n = srow (t->n[c], t->stride[c], y);
    guint8 *wr = wrow (t->wt[c], t->stride[c], y);

    if (t->restart[c]) {
      k->restart (a, tm, n, x, s, (int) w);
      continue;
    }
    if (t->repeat) {
      k->fuse (s, a, tm, n, t->p.c, (int) w);
      continue;
    }
    if (c > 0) {
      /* the smaller of this weight and its luma block's */
      guint ly = y << t->ys[c];
      const guint8 *lw = wrow (t->wt[0], t->stride[0], ly);
      const guint8 *lw1 = t->ys[c] && ly + 1 < t->h[0] ?
          wrow (t->wt[0], t->stride[0], ly + 1) : lw;
      memcpy (wc, wr, w);
      if (t->xs[c]) {
        k->min_pairs (wc, lw, (int) w);
        k->min_pairs (wc, lw1, (int) w);
      } else {
        k->min_row (wc, lw, (int) w);
        k->min_row (wc, lw1, (int) w);
      }
      wr = wc;
    }
    k->update (a, tm, n, s, x, wr, t->p.nmax, t->p.c, (int) w);
  }
}

static void
ensure_scratch (AennTemporal * t, WorkerPool * pool)
{
  guint n = worker_pool_get_n_threads (pool);

  if (n == t->n_threads)
    return;
  g_aligned_free (t->scratch);
  t->n_threads = n;
  t->scratch = g_aligned_alloc0 (t->scratch_floats * n, sizeof (float), 64);
}

/* The input's hash from its bands' (bands past a plane's last are empty). */
static guint64
frame_hash (const AennTemporal * t)
{
  guint64 hash = 0;

  for (guint c = 0; c < t->n_planes; c++)
    for (guint b = 0; b < t->n_bands[c]; b++)
      hash = (hash ^ t->band_hash[c * t->max_bands + b]) * 0x100000001b3ull
          + c * t->max_bands + b;
  return hash;
}

/* A repeated frame keeps the state only at (about) the levels it was made
 * at: the same samples at another noise level (a property changed, say)
 * are denoised again. */
static gboolean
same_levels (const AennTemporal * t, const float sigma[])
{
  for (guint c = 0; c < t->n_planes; c++)
    if (fabsf (sigma[c] - t->sigma[c]) > 0.1f * t->sigma[c])
      return FALSE;
  return TRUE;
}

AennTemporalEvent
aenn_temporal_step (AennTemporal * t, WorkerPool * pool,
    const float *const x[], const gsize x_stride[], float *const s[],
    const gsize s_stride[], const float sigma[])
{
  AennTemporalEvent ev = AENN_TEMPORAL_FUSED;
  guint64 moved = 0;

  ensure_scratch (t, pool);
  t->x = x;
  t->x_stride = x_stride;
  t->s = s;
  t->s_stride = s_stride;
  t->repeat = FALSE;

  if (!t->have_state || sigma[0] <= 0.0f) {
    ev = AENN_TEMPORAL_START;
  } else {
    gboolean all = TRUE;
    for (guint c = 0; c < t->n_planes; c++) {
      float s2 = (sigma[c] / 255.0f) * (sigma[c] / 255.0f);
      t->restart[c] = sigma[c] <= 0.0f;
      all = all && !t->restart[c];
      if (t->restart[c])
        continue;
      ramp_coefficients (t->p.tau0, t->p.tau1, s2, &t->aq, &t->bq);
      ramp_coefficients (t->p.rho0, t->p.rho1, s2 / t->p.cr, &t->ar, &t->br);
      t->plane = c;
      worker_pool_run (pool, t->n_bands[c], weights_band, t);
    }
    for (guint b = 0; b < t->n_bands[0]; b++)
      moved += t->band_moved[b];
    /* a repeated frame is not a new look (every plane hashed, in the
     * weights pass) */
    if (all && frame_hash (t) == t->hash) {
      t->repeat = same_levels (t, sigma);
      ev = t->repeat ? AENN_TEMPORAL_REPEAT : AENN_TEMPORAL_START;
    } else if ((double) moved > t->p.cut * (double) t->w[0] * t->h[0]) {
      ev = AENN_TEMPORAL_CUT;
    }
  }
  for (guint c = 0; c < t->n_planes; c++)
    if (ev == AENN_TEMPORAL_START || ev == AENN_TEMPORAL_CUT)
      t->restart[c] = TRUE;
    else if (ev == AENN_TEMPORAL_REPEAT)
      t->restart[c] = FALSE;
  for (guint c = 0; c < t->n_planes; c++) {
    t->plane = c;
    worker_pool_run (pool, t->n_bands[c], update_band, t);
  }
  t->hash = frame_hash (t);
  memcpy (t->sigma, sigma, t->n_planes * sizeof (float));
  t->have_state = TRUE;
  t->x = NULL;
  t->s = NULL;
  return ev;
}
