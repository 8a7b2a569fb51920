/* aedenoise's temporal mode (denoise/frames/temporal.c): every build of
 * the row loops against the portable one on random data at odd lengths
 * (the same floats); the whole
 * step, on every path and thread count, against a naive per-pixel
 * reference written from temporal.h; and its promises: the first frame
 * and a scene cut give the spatial result, a still scene converges, a
 * moving one does not ghost, a repeated frame changes nothing, a reset
 * starts again, the state does not grow. */
#include "config.h"
#include "denoise/frames/temporal.h"

#include <math.h>
#include <string.h>

static const int lengths[] = { 1, 2, 3, 7, 15, 16, 17, 31, 255, 257, 1921 };

static GRand *rng;

static float *
rnd (int n, float lo, float hi)
{
  float *p = g_new (float, n);
  for (int i = 0; i < n; i++)
    p[i] = (float) g_rand_double_range (rng, lo, hi);
  return p;
}

static void
check_same (const float *a, const float *b, int n, const gchar * what,
    const gchar * path)
{
  if (memcmp (a, b, n * sizeof (float)))
    for (int i = 0; i < n; i++)
      if (a[i] != b[i])
        g_error ("%s on %s: element %d of %d: %.9g vs %.9g (generic)", what,
            path, i, n, a[i], b[i]);
}

/* Every build of the row loops against the portable one: the same floats. */
static void
test_kernels (void)
{
  static const KernelPath paths[] = { KERNEL_PATH_AVX2, KERNEL_PATH_AVX512 };
  const AennTemporalKernels *g = aenn_temporal_kernels_get (KERNEL_PATH_C);

  g_assert_true (g != NULL);
  g_assert_true (aenn_temporal_kernels_get (KERNEL_PATH_ORC) == g);
  for (guint pi = 0; pi < G_N_ELEMENTS (paths); pi++) {
    const AennTemporalKernels *o;
    const gchar *name = kernel_path_name (paths[pi]);
    if (!kernel_path_supported (paths[pi])) {
      g_test_message ("%s: not on this CPU", name);
      continue;
    }
    o = aenn_temporal_kernels_get (paths[pi]);
    g_assert_true (o != NULL);
    for (guint li = 0; li < G_N_ELEMENTS (lengths); li++) {
      int n = lengths[li];
      float *x = rnd (n, 0, 1), *s = rnd (n, 0, 1), *t = rnd (n, 0, 1);
      float *cnt = rnd (n, 1, 60), *w = rnd (n, 0, 1);
      (void) w;
      float *l = rnd (2 * n, 0, 1);
      float *vq = rnd (n + 4, 0, 30), *vr = rnd (n + 4, 0, 30);
      float *st[2][4];
      float *d[4];
      guint8 *wb[2], *wq = g_new (guint8, 2 * n);
      for (int k = 0; k < 4; k++)
        d[k] = g_new0 (float, n);
      for (int k = 0; k < 2; k++)
        wb[k] = g_new0 (guint8, n);
      for (int i = 0; i < 2 * n; i++)
        wq[i] = (guint8) g_rand_int_range (rng, 0, 256);

      o->stats (d[0], d[1], x, s, t, n);
      g->stats (d[2], d[3], x, s, t, n);
      check_same (d[0], d[2], n, "stats e", name);
      check_same (d[1], d[3], n, "stats f", name);
      o->sum5 (d[0], x, s, t, cnt, w, n);
      g->sum5 (d[1], x, s, t, cnt, w, n);
      check_same (d[0], d[1], n, "sum5", name);
      g_assert_cmpuint (o->weight (wb[0], vq + 2, vr + 2, cnt, -0.004f, 2.0f,
              -0.005f, 1.5f, n), ==, g->weight (wb[1], vq + 2, vr + 2, cnt,
              -0.004f, 2.0f, -0.005f, 1.5f, n));
      g_assert_cmpmem (wb[0], n, wb[1], n);
      {
        /* min_pairs and min_row: bytes */
        guint8 *m0 = g_memdup2 (wq, n), *m1 = g_memdup2 (wq, n);
        o->min_pairs (m0, wq, n);
        g->min_pairs (m1, wq, n);
        g_assert_cmpmem (m0, n, m1, n);
        for (int i = 0; i < n; i++)
          g_assert_cmpuint (m1[i], ==, MIN (wq[i], MIN (wq[2 * i],
                      wq[2 * i + 1])));
        o->min_row (m0, wb[0], n);
        g->min_row (m1, wb[0], n);
        g_assert_cmpmem (m0, n, m1, n);
        g_free (m0);
        g_free (m1);
      }
      /* in place: two copies of (a, t, n, s) */
      for (int b = 0; b < 2; b++) {
        st[b][0] = g_memdup2 (x, n * sizeof (float));
        st[b][1] = g_memdup2 (t, n * sizeof (float));
        st[b][2] = g_memdup2 (cnt, n * sizeof (float));
        st[b][3] = g_memdup2 (s, n * sizeof (float));
      }
      o->update (st[0][0], st[0][1], st[0][2], st[0][3], l, wq, 40.0f,
          100.0f, n);
      g->update (st[1][0], st[1][1], st[1][2], st[1][3], l, wq, 40.0f,
          100.0f, n);
      for (int k = 0; k < 4; k++)
        check_same (st[0][k], st[1][k], n, "update", name);
      o->fuse (st[0][3], x, t, cnt, 100.0f, n);
      g->fuse (st[1][3], x, t, cnt, 100.0f, n);
      check_same (st[0][3], st[1][3], n, "fuse", name);
      g_assert_cmpuint (o->hash (7, x, n), ==, g->hash (7, x, n));
      for (int b = 0; b < 2; b++)
        for (int k = 0; k < 4; k++)
          g_free (st[b][k]);
      g_free (x);
      g_free (s);
      g_free (t);
      g_free (cnt);
      g_free (w);
      g_free (l);
      g_free (vq);
      g_free (vr);
      for (int k = 0; k < 4; k++)
        g_free (d[k]);
      for (int k = 0; k < 2; k++)
        g_free (wb[k]);
      g_free (wq);
    }
  }
}

/* ---- the naive reference: temporal.h, pixel by pixel ---- */

typedef struct
{
  guint n_planes, w[3], h[3];
  float *A[3], *T[3], *n[3];
  float *last[3];               /* the last input, for repeats */
  float sigma[3];
  gboolean have;
} Naive;

/* clamp ((hi - z) / (hi - lo), 0, 1) as the C computes it: a S k + b */
static float
naive_ramp (float sum, float k, float var, float lo, float hi)
{
  float a = -1.0f / (25.0f * var * (hi - lo)), b = hi / (hi - lo);
  float v = b + a * (sum * k);
  return v < 0.0f ? 0.0f : v > 1.0f ? 1.0f : v;
}

/* The box sum of e (x - t)^2 or (s - t)^2 around (y, i), edges repeated:
 * each column's five rows, then the five columns, in that order. */
static float
naive_box (const float *v, const float *t, guint w, guint h, guint y, guint i)
{
  float col[5];
  for (int dx = -2; dx <= 2; dx++) {
    guint xx = CLAMP ((gint) i + dx, 0, (gint) w - 1);
    float sum = 0;
    for (int dy = -2; dy <= 2; dy++) {
      guint yy = CLAMP ((gint) y + dy, 0, (gint) h - 1);
      float d = v[yy * w + xx] - t[yy * w + xx];
      sum = dy == -2 ? d * d : sum + d * d;
    }
    col[dx + 2] = sum;
  }
  return (((col[0] + col[1]) + col[2]) + col[3]) + col[4];
}

/* temporal.h, pixel by pixel, in the same float operations as the C (so
 * that the weights round to the same bytes) but with none of its bands,
 * threads, hash or row loops */
static AennTemporalEvent
naive_step (Naive * nv, const AennTemporalParams * p, float *const x[],
    float *const s[], const float sigma[])
{
  guint8 *wt[3];
  gboolean restart = FALSE, repeat = nv->have;
  AennTemporalEvent ev = AENN_TEMPORAL_FUSED;

  for (guint c = 0; c < nv->n_planes && nv->have; c++) {
    if (memcmp (nv->last[c], x[c], nv->w[c] * nv->h[c] * sizeof (float))
        || sigma[c] <= 0)
      repeat = FALSE;
  }
  if (!nv->have || sigma[0] <= 0) {
    restart = TRUE;
    repeat = FALSE;
    ev = AENN_TEMPORAL_START;
  } else if (repeat) {
    for (guint c = 0; c < nv->n_planes; c++)
      if (fabsf (sigma[c] - nv->sigma[c]) > 0.1f * nv->sigma[c])
        repeat = FALSE;
    ev = repeat ? AENN_TEMPORAL_REPEAT : AENN_TEMPORAL_START;
    restart = !repeat;
  }
  for (guint c = 0; c < nv->n_planes; c++) {
    guint w = nv->w[c], h = nv->h[c];
    float s2 = (sigma[c] / 255.0f) * (sigma[c] / 255.0f);
    wt[c] = g_new0 (guint8, w * h);
    if (restart || repeat || sigma[c] <= 0)
      continue;
    for (guint y = 0; y < h; y++)
      for (guint i = 0; i < w; i++) {
        float n = nv->n[c][y * w + i], k = n / (n + 1.0f);
        float v = naive_ramp (naive_box (x[c], nv->T[c], w, h, y, i), k, s2,
            p->tau0, p->tau1) * naive_ramp (naive_box (s[c], nv->T[c], w, h,
                y, i), k, s2 / p->cr, p->rho0, p->rho1);
        wt[c][y * w + i] = (guint8) (v * 255.0f + 0.5f);
      }
  }
  if (!restart && !repeat) {
    guint moved = 0;
    for (guint k = 0; k < nv->w[0] * nv->h[0]; k++)
      moved += wt[0][k] < 128;
    if (moved > p->cut * nv->w[0] * nv->h[0]) {
      restart = TRUE;
      ev = AENN_TEMPORAL_CUT;
    }
  }
  for (guint c = 0; c < nv->n_planes; c++) {
    guint w = nv->w[c], h = nv->h[c];
    guint xs = w < nv->w[0], ys = h < nv->h[0];
    for (guint y = 0; y < h; y++)
      for (guint i = 0; i < w; i++) {
        gsize k = y * w + i;
        float g, kk, *A = &nv->A[c][k], *T = &nv->T[c][k], *n = &nv->n[c][k];
        guint8 wk = wt[c][k];
        if (restart || sigma[c] <= 0) {
          *A = x[c][k];
          *T = s[c][k];
          *n = 1;
          continue;
        }
        if (!repeat) {
          float m, r;
          for (guint dy = 0; c > 0 && dy <= ys; dy++)
            for (guint dx = 0; dx <= xs; dx++) {
              guint ly = MIN ((y << ys) + dy, nv->h[0] - 1);
              guint lx = MIN ((i << xs) + dx, nv->w[0] - 1);
              wk = MIN (wk, wt[0][ly * nv->w[0] + lx]);
            }
          m = (wk * (1.0f / 255.0f)) * *n + 1.0f;
          *n = MIN (m, p->nmax);
          r = 1.0f / *n;
          *A = *A + (x[c][k] - *A) * r;
          *T = *T + (s[c][k] - *T) * r;
        }
        kk = *n - 1.0f;
        g = kk / (kk + p->c);
        s[c][k] = *T + g * (*A - *T);
      }
    memcpy (nv->last[c], x[c], w * h * sizeof (float));
    nv->sigma[c] = sigma[c];
  }
  for (guint c = 0; c < nv->n_planes; c++)
    g_free (wt[c]);
  nv->have = TRUE;
  return ev;
}

/* ---- sequences ---- */

static double
gauss (void)
{
  double u = g_rand_double (rng), v = g_rand_double (rng);
  return sqrt (-2.0 * log (1.0 - u)) * cos (2.0 * G_PI * v);
}

/* a smooth scene with a square; shift moves the square */
static float
scene (guint c, guint y, guint i, gint shift)
{
  float v = 0.3f + 0.2f * sinf (0.11f * i + 0.07f * y + c);
  if ((gint) i - shift > 6 && (gint) i - shift < 16 && y > 5 && y < 15)
    v = 0.9f - 0.2f * c;
  return v;
}

typedef struct
{
  guint w[3], h[3];
  float *clean[3], *x[3], *s[3];
} Frame;

/* noisy input of sigma and a "spatial result": the clean plane with a
 * third of the noise */
static void
make_frame (Frame * f, guint n_planes, gint shift, float sigma)
{
  for (guint c = 0; c < n_planes; c++)
    for (guint y = 0; y < f->h[c]; y++)
      for (guint i = 0; i < f->w[c]; i++) {
        gsize k = y * f->w[c] + i;
        guint sc = f->w[c] < f->w[0] ? 2 : 1;
        f->clean[c][k] = scene (c, y * sc, i * sc, shift);
        f->x[c][k] = f->clean[c][k] + (float) (sigma / 255 * gauss ());
        f->s[c][k] = f->clean[c][k] + (float) (sigma / 255 / 3 * gauss ());
      }
}

static void
frame_alloc (Frame * f, guint n_planes, guint w, guint h)
{
  for (guint c = 0; c < n_planes; c++) {
    f->w[c] = c ? (w + 1) / 2 : w;
    f->h[c] = c ? (h + 1) / 2 : h;
    f->clean[c] = g_new (float, f->w[c] * f->h[c]);
    f->x[c] = g_new (float, f->w[c] * f->h[c]);
    f->s[c] = g_new (float, f->w[c] * f->h[c]);
  }
}

static void
frame_free (Frame * f, guint n_planes)
{
  for (guint c = 0; c < n_planes; c++) {
    g_free (f->clean[c]);
    g_free (f->x[c]);
    g_free (f->s[c]);
  }
}

static double
mse (const float *a, const float *b, gsize n)
{
  double e = 0;
  for (gsize i = 0; i < n; i++)
    e += (a[i] - b[i]) * (a[i] - b[i]);
  return e / n;
}

/* The step against the naive reference: a 4:2:0 sequence at an odd size
 * with a still part, motion, a repeat, a scene cut, a plane at sigma 0 and
 * a reset, on each path and thread count. */
static void
test_against_naive (void)
{
  static const KernelPath paths[] = { KERNEL_PATH_C, KERNEL_PATH_AVX2,
    KERNEL_PATH_AVX512
  };
  const guint w = 45, h = 37, np = 3;

  for (guint pi = 0; pi < G_N_ELEMENTS (paths); pi++)
    for (guint nt = 1; nt <= 3 && kernel_path_supported (paths[pi]); nt += 2) {
      WorkerPool *pool = worker_pool_new (nt);
      Frame f;
      Naive nv = { 0 };
      AennTemporal *t;
      float *s2[3];
      gsize st[3];

      frame_alloc (&f, np, w, h);
      t = aenn_temporal_new (paths[pi], np, f.w, f.h);
      nv.n_planes = np;
      for (guint c = 0; c < np; c++) {
        nv.w[c] = f.w[c];
        nv.h[c] = f.h[c];
        nv.A[c] = g_new0 (float, f.w[c] * f.h[c]);
        nv.T[c] = g_new0 (float, f.w[c] * f.h[c]);
        nv.n[c] = g_new0 (float, f.w[c] * f.h[c]);
        nv.last[c] = g_new0 (float, f.w[c] * f.h[c]);
        s2[c] = g_new (float, f.w[c] * f.h[c]);
        st[c] = f.w[c];
      }
      for (guint i = 0; i < 24; i++) {
        float sigma[3] = { 20, 12, 12 };
        gint shift = i < 8 ? 0 : (gint) (i - 8) * 2;
        AennTemporalEvent e1, e2;
        if (i == 15)
          sigma[2] = 0;         /* one plane at 0: it starts again */
        if (i != 11)            /* 11 repeats 10 */
          make_frame (&f, np, shift, sigma[0]);
        if (i == 18)            /* a new scene */
          for (guint c = 0; c < np; c++)
            for (guint k = 0; k < f.w[c] * f.h[c]; k++) {
              f.x[c][k] = 1.0f - f.x[c][k];
              f.s[c][k] = 1.0f - f.s[c][k];
            }
        if (i == 21) {
          aenn_temporal_reset (t);
          nv.have = FALSE;
        }
        for (guint c = 0; c < np; c++)
          memcpy (s2[c], f.s[c], f.w[c] * f.h[c] * sizeof (float));
        e1 = aenn_temporal_step (t, pool, (const float *const *) f.x, st,
            f.s, st, sigma);
        e2 = naive_step (&nv, &aenn_temporal_default_params, f.x, s2, sigma);
        g_assert_cmpint (e1, ==, e2);
        if (i == 0 || i == 21)
          g_assert_cmpint (e1, ==, AENN_TEMPORAL_START);
        if (i == 11)
          g_assert_cmpint (e1, ==, AENN_TEMPORAL_REPEAT);
        if (i == 18)
          g_assert_cmpint (e1, ==, AENN_TEMPORAL_CUT);
        if (i > 1 && i < 8)
          g_assert_cmpint (e1, ==, AENN_TEMPORAL_FUSED);
        /* the same floats */
        for (guint c = 0; c < np; c++)
          for (guint k = 0; k < f.w[c] * f.h[c]; k++)
            if (f.s[c][k] != s2[c][k])
              g_error ("path %u, %u threads, frame %u plane %u sample %u: "
                  "%.7f vs naive %.7f", pi, nt, i, c, (guint) k, f.s[c][k],
                  s2[c][k]);
      }
      for (guint c = 0; c < np; c++) {
        g_free (nv.A[c]);
        g_free (nv.T[c]);
        g_free (nv.n[c]);
        g_free (nv.last[c]);
        g_free (s2[c]);
      }
      frame_free (&f, np);
      aenn_temporal_free (t);
      worker_pool_free (pool);
    }
}

/* What the mode promises, on one grey plane. */
static void
test_promises (void)
{
  const guint w = 64, h = 48;
  WorkerPool *pool = worker_pool_new (2);
  Frame f;
  AennTemporal *t;
  gsize st[1] = { w };
  float sigma[1] = { 25 };
  float *spatial = g_new (float, w * h), *out = g_new (float, w * h);
  double e_sp = 0, e_t = 0;
  gsize size = 0;

  frame_alloc (&f, 1, w, h);
  t = aenn_temporal_new (KERNEL_PATH_AUTO, 1, f.w, f.h);
  /* the first frame: the spatial result, bit for bit */
  make_frame (&f, 1, 0, sigma[0]);
  memcpy (spatial, f.s[0], w * h * sizeof (float));
  g_assert_cmpint (aenn_temporal_step (t, pool, (const float *const *) f.x,
          st, f.s, st, sigma), ==, AENN_TEMPORAL_START);
  g_assert_cmpmem (f.s[0], w * h * sizeof (float), spatial,
      w * h * sizeof (float));
  /* a still scene: after 30 looks the error is far below one look's */
  for (guint i = 1; i < 30; i++) {
    make_frame (&f, 1, 0, sigma[0]);
    e_sp = mse (f.s[0], f.clean[0], w * h);
    aenn_temporal_step (t, pool, (const float *const *) f.x, st, f.s, st,
        sigma);
    e_t = mse (f.s[0], f.clean[0], w * h);
    if (i == 1)
      size = aenn_temporal_get_size (t);
    /* the state does not grow */
    g_assert_cmpuint (aenn_temporal_get_size (t), ==, size);
  }
  g_assert_cmpfloat (e_t, <, e_sp / 8);
  g_assert_cmpuint (size, >=, 4 * w * h * sizeof (float));
  /* a repeated frame: the same output, and the state unchanged */
  memcpy (out, f.s[0], w * h * sizeof (float));
  for (guint k = 0; k < w * h; k++)
    f.s[0][k] = f.clean[0][k];
  g_assert_cmpint (aenn_temporal_step (t, pool, (const float *const *) f.x,
          st, f.s, st, sigma), ==, AENN_TEMPORAL_REPEAT);
  g_assert_cmpmem (f.s[0], w * h * sizeof (float), out, w * h * sizeof (float));
  /* the square moves by 6 pixels a frame: no ghost where it was or is */
  for (guint i = 1; i <= 4; i++) {
    double err = 0, err_sp = 0;
    guint n = 0;
    make_frame (&f, 1, (gint) (6 * i), sigma[0]);
    memcpy (spatial, f.s[0], w * h * sizeof (float));
    aenn_temporal_step (t, pool, (const float *const *) f.x, st, f.s, st,
        sigma);
    for (guint y = 5; y < 15; y++)
      for (guint x = 6; x < 16 + 6 * i + 2 && x < w; x++) {
        gsize k = y * w + x;
        err += (f.s[0][k] - f.clean[0][k]) * (f.s[0][k] - f.clean[0][k]);
        err_sp += (spatial[k] - f.clean[0][k]) * (spatial[k] - f.clean[0][k]);
        n++;
      }
    /* the moving square's area is within 20% of the spatial error */
    g_assert_cmpfloat (err / n, <, 1.2 * err_sp / n);
  }
  /* a reset: the spatial result again */
  aenn_temporal_reset (t);
  make_frame (&f, 1, 0, sigma[0]);
  memcpy (spatial, f.s[0], w * h * sizeof (float));
  g_assert_cmpint (aenn_temporal_step (t, pool, (const float *const *) f.x,
          st, f.s, st, sigma), ==, AENN_TEMPORAL_START);
  g_assert_cmpmem (f.s[0], w * h * sizeof (float), spatial,
      w * h * sizeof (float));
  /* noise level 0: the spatial result */
  sigma[0] = 0;
  make_frame (&f, 1, 0, 25);
  memcpy (spatial, f.s[0], w * h * sizeof (float));
  g_assert_cmpint (aenn_temporal_step (t, pool, (const float *const *) f.x,
          st, f.s, st, sigma), ==, AENN_TEMPORAL_START);
  g_assert_cmpmem (f.s[0], w * h * sizeof (float), spatial,
      w * h * sizeof (float));

  frame_free (&f, 1);
  g_free (spatial);
  g_free (out);
  aenn_temporal_free (t);
  worker_pool_free (pool);
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  rng = g_rand_new_with_seed (7);
  g_test_add_func ("/temporal/kernels", test_kernels);
  g_test_add_func ("/temporal/against-naive", test_against_naive);
  g_test_add_func ("/temporal/promises", test_promises);
  ret = g_test_run ();
  g_rand_free (rng);
  return ret;
}
