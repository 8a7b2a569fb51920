/* Row kernels against their plain C twins.
 *
 * Every ORC function of kmeans/km_orc.orc runs beside its km_ref_* twin on the
 * same random data at odd lengths; the outputs, and the bytes just past
 * them (a canary), must match exactly: the float kernels too, since the
 * twins round a*b + c twice as ORC's mulf/addf do. Then the argmin of every
 * supported path against km_ref_argmin, where only FMA (one rounding
 * instead of two) may flip a near-tie. The palette lookups of every path
 * and every per-ISA variant the CPU runs against their C twins. */
#include "config.h"
#include "kmeans/kernels.h"
#include "km_orc.h"

#include <math.h>
#include <string.h>

#define GUARD 32                /* elements past the end, canary-filled */
#define CANARY 0xa5

static const int lengths[] = { 1, 3, 7, 255, 257, 1023, 1024 };

/* a buffer of n elements of size esz plus GUARD, canary-filled */
static gpointer
buf_new (gsize n, gsize esz)
{
  gpointer p = g_malloc ((n + GUARD) * esz);
  memset (p, CANARY, (n + GUARD) * esz);
  return p;
}

static void
fill_u8 (GRand * r, guint8 * d, gsize n)
{
  for (gsize i = 0; i < n; i++)
    d[i] = (guint8) g_rand_int_range (r, 0, 256);
}

static void
fill_f32 (GRand * r, float *d, gsize n, double lo, double hi)
{
  for (gsize i = 0; i < n; i++)
    d[i] = (float) g_rand_double_range (r, lo, hi);
}

/* integer-valued floats as the unpackers make them, or any value */
static void
fill_feat (GRand * r, float *d, gsize n)
{
  for (gsize i = 0; i < n; i++)
    d[i] = g_rand_boolean (r) ? (float) g_rand_int_range (r, 0, 256)
        : (float) g_rand_double_range (r, 0.0, 255.0);
}

/* Byte-exact comparison of two outputs including their guard zone. */
static void
assert_same (const char *what, int n, gconstpointer a, gconstpointer b,
    gsize len_bytes)
{
  const guint8 *x = a, *y = b;
  for (gsize i = 0; i < len_bytes; i++) {
    if (x[i] != y[i]) {
      g_test_message ("%s n=%d: first difference at byte %" G_GSIZE_FORMAT
          " of %" G_GSIZE_FORMAT " (kernel 0x%02x, ref 0x%02x)", what, n, i,
          len_bytes, x[i], y[i]);
      g_test_fail ();
      return;
    }
  }
}

/* four distinct byte shifts */
static void
random_shifts (GRand * r, int s[4])
{
  int v[4] = { 0, 8, 16, 24 };
  for (int i = 3; i > 0; i--) {
    int j = g_rand_int_range (r, 0, i + 1), t = v[i];
    v[i] = v[j];
    v[j] = t;
  }
  memcpy (s, v, sizeof (v));
}

static void
test_unpack (void)
{
  GRand *r = g_rand_new_with_seed (1);

  for (guint li = 0; li < G_N_ELEMENTS (lengths); li++) {
    int n = lengths[li], s[4];
    guint32 *src = buf_new (n, 4);
    guint8 *u8 = buf_new (n, 1);
    guint16 *u16 = buf_new (n, 2);
    float *o[3], *e[3];

    fill_u8 (r, (guint8 *) src, (gsize) n * 4);
    fill_u8 (r, u8, n);
    fill_u8 (r, (guint8 *) u16, (gsize) n * 2);
    for (int c = 0; c < 3; c++) {
      o[c] = buf_new (2 * n, 4);
      e[c] = buf_new (2 * n, 4);
    }

    for (int rep = 0; rep < 4; rep++) {
      random_shifts (r, s);
      km_orc_unpack4_f32 (o[0], o[1], o[2], src, s[0], s[1], s[2], n);
      km_ref_unpack4_f32 (e[0], e[1], e[2], src, s[0], s[1], s[2], n);
      for (int c = 0; c < 3; c++)
        assert_same ("unpack4_f32", n, o[c], e[c], (gsize) (2 * n + GUARD) * 4);
      /* the reference itself: channel c is byte s[c] / 8 of each word */
      for (int i = 0; i < n; i++)
        for (int c = 0; c < 3; c++)
          g_assert_cmpfloat (e[c][i], ==,
              (float) ((const guint8 *) &src[i])[s[c] / 8]);

      km_orc_yuv422_to_f32 (o[0], o[1], o[2], src, s[0], s[1], s[2], s[3],
          n);
      km_ref_yuv422_to_f32 (e[0], e[1], e[2], src, s[0], s[1], s[2], s[3],
          n);
      for (int c = 0; c < 3; c++)
        assert_same ("yuv422_to_f32", n, o[c], e[c],
            (gsize) (2 * n + GUARD) * 4);
      for (int i = 0; i < n; i++) {
        const guint8 *m = (const guint8 *) &src[i];
        g_assert_cmpfloat (e[0][2 * i], ==, m[s[0] / 8]);
        g_assert_cmpfloat (e[0][2 * i + 1], ==, m[s[1] / 8]);
        g_assert_cmpfloat (e[1][2 * i + 1], ==, m[s[2] / 8]);
        g_assert_cmpfloat (e[2][2 * i], ==, m[s[3] / 8]);
      }
    }

    km_orc_u8_to_f32 (o[0], u8, n);
    km_ref_u8_to_f32 (e[0], u8, n);
    assert_same ("u8_to_f32", n, o[0], e[0], (gsize) (2 * n + GUARD) * 4);
    for (int i = 0; i < n; i++)
      g_assert_cmpfloat (e[0][i], ==, u8[i]);

    km_orc_u8_to_f32_dup2 (o[1], u8, n);
    km_ref_u8_to_f32_dup2 (e[1], u8, n);
    assert_same ("u8_to_f32_dup2", n, o[1], e[1], (gsize) (2 * n + GUARD) * 4);
    for (int i = 0; i < n; i++)
      g_assert_true (e[1][2 * i] == u8[i] && e[1][2 * i + 1] == u8[i]);

    km_orc_uv_to_f32_dup2 (o[0], o[2], u16, n);
    km_ref_uv_to_f32_dup2 (e[0], e[2], u16, n);
    assert_same ("uv_to_f32_dup2 u", n, o[0], e[0],
        (gsize) (2 * n + GUARD) * 4);
    assert_same ("uv_to_f32_dup2 v", n, o[2], e[2],
        (gsize) (2 * n + GUARD) * 4);
    for (int i = 0; i < n; i++) {
      const guint8 *m = (const guint8 *) &u16[i];
      g_assert_true (e[0][2 * i] == m[0] && e[0][2 * i + 1] == m[0]);
      g_assert_true (e[2][2 * i] == m[1] && e[2][2 * i + 1] == m[1]);
    }

    for (int c = 0; c < 3; c++) {
      g_free (o[c]);
      g_free (e[c]);
    }
    g_free (src);
    g_free (u8);
    g_free (u16);
  }
  g_rand_free (r);
}

static void
test_bytes (void)
{
  GRand *r = g_rand_new_with_seed (2);

  for (guint li = 0; li < G_N_ELEMENTS (lengths); li++) {
    int n = lengths[li], s[4];
    guint32 *pal = buf_new (n, 4), *src = buf_new (n, 4);
    guint16 *a = buf_new (n, 2), *b = buf_new (n, 2);
    guint8 *u = buf_new (n, 1), *v = buf_new (n, 1);
    gint32 *s32 = buf_new (n, 4);
    guint8 *o = buf_new (4 * n, 1), *e = buf_new (4 * n, 1);
    gsize ob = (gsize) 4 * n + GUARD;

    fill_u8 (r, (guint8 *) pal, (gsize) n * 4);
    fill_u8 (r, (guint8 *) src, (gsize) n * 4);
    fill_u8 (r, (guint8 *) a, (gsize) n * 2);
    fill_u8 (r, (guint8 *) b, (gsize) n * 2);
    fill_u8 (r, u, n);
    fill_u8 (r, v, n);
    for (int i = 0; i < n; i++)
      s32[i] = (gint32) g_rand_int (r);

    for (int p = 0; p < 4; p++) {
      int keep = (int) (0xffu << (8 * p));
      km_orc_merge_u32 ((guint32 *) o, pal, src, keep, n);
      km_ref_merge_u32 ((guint32 *) e, pal, src, keep, n);
      assert_same ("merge_u32", n, o, e, ob);
      for (int i = 0; i < n; i++)
        for (int c = 0; c < 4; c++)
          g_assert_cmpuint (e[4 * i + c], ==, c == p ?
              ((guint8 *) src)[4 * i + c] : ((guint8 *) pal)[4 * i + c]);
    }
    memset (o, CANARY, ob);
    memset (e, CANARY, ob);

    km_orc_s32_to_u8 (o, s32, n);
    km_ref_s32_to_u8 (e, s32, n);
    assert_same ("s32_to_u8", n, o, e, ob);
    for (int i = 0; i < n; i++)
      g_assert_cmpuint (e[i], ==, (guint32) s32[i] & 0xff);

    km_orc_avg2x2_u8 (o, a, b, n);
    km_ref_avg2x2_u8 (e, a, b, n);
    assert_same ("avg2x2_u8", n, o, e, ob);
    for (int i = 0; i < n; i++) {
      const guint8 *x = (const guint8 *) &a[i], *y = (const guint8 *) &b[i];
      g_assert_cmpuint (e[i], ==, (x[0] + x[1] + y[0] + y[1] + 2) / 4);
    }

    km_orc_avg2_u8 (o, a, n);
    km_ref_avg2_u8 (e, a, n);
    assert_same ("avg2_u8", n, o, e, ob);
    for (int i = 0; i < n; i++) {
      const guint8 *x = (const guint8 *) &a[i];
      g_assert_cmpuint (e[i], ==, (x[0] + x[1] + 1) / 2);
    }

    km_orc_interleave_u8 ((guint16 *) o, u, v, n);
    km_ref_interleave_u8 ((guint16 *) e, u, v, n);
    assert_same ("interleave_u8", n, o, e, ob);
    for (int i = 0; i < n; i++)
      g_assert_true (e[2 * i] == u[i] && e[2 * i + 1] == v[i]);

    for (int rep = 0; rep < 4; rep++) {
      random_shifts (r, s);
      memset (o, CANARY, ob);
      memset (e, CANARY, ob);
      km_orc_pack_yuv422_u8 ((guint32 *) o, a, u, v, s[0], s[1], s[2], s[3],
          n);
      km_ref_pack_yuv422_u8 ((guint32 *) e, a, u, v, s[0], s[1], s[2], s[3],
          n);
      assert_same ("pack_yuv422_u8", n, o, e, ob);
      for (int i = 0; i < n; i++) {
        const guint8 *y = (const guint8 *) &a[i];
        g_assert_cmpuint (e[4 * i + s[0] / 8], ==, y[0]);
        g_assert_cmpuint (e[4 * i + s[1] / 8], ==, y[1]);
        g_assert_cmpuint (e[4 * i + s[2] / 8], ==, u[i]);
        g_assert_cmpuint (e[4 * i + s[3] / 8], ==, v[i]);
      }
    }

    g_free (pal);
    g_free (src);
    g_free (a);
    g_free (b);
    g_free (u);
    g_free (v);
    g_free (s32);
    g_free (o);
    g_free (e);
  }
  g_rand_free (r);
}

/* argmin3/argmin4/dot5/minsel: one centroid step from a random running
 * best (some lanes certain to win, some to lose, some equal). */
static void
test_argmin_steps (void)
{
  GRand *r = g_rand_new_with_seed (3);

  for (guint li = 0; li < G_N_ELEMENTS (lengths); li++) {
    int n = lengths[li];
    float *f[5], *sbest = buf_new (n, 4), *d = buf_new (n, 4);
    gint32 *slab = buf_new (n, 4);
    float *ob = buf_new (n, 4), *eb = buf_new (n, 4);
    gint32 *ol = buf_new (n, 4), *el = buf_new (n, 4);
    gsize nb = (gsize) (n + GUARD) * 4;

    for (int c = 0; c < 5; c++) {
      f[c] = buf_new (n, 4);
      fill_feat (r, f[c], n);
    }
    for (int rep = 0; rep < 8; rep++) {
      float w[5], b = (float) g_rand_double_range (r, -2e5, 2e5);
      int j = g_rand_int_range (r, 0, 256);

      fill_f32 (r, w, 5, -600.0, 600.0);
      for (int i = 0; i < n; i++) {
        slab[i] = g_rand_int_range (r, 0, 256);
        sbest[i] = (float) g_rand_double_range (r, -3e5, 3e5);
      }

      memset (ob, CANARY, nb);
      memset (eb, CANARY, nb);
      memset (ol, CANARY, nb);
      memset (el, CANARY, nb);
      km_orc_argmin3_f32 (ob, ol, sbest, slab, f[0], f[1], f[2], w[0], w[1],
          w[2], b, j, n);
      km_ref_argmin3_f32 (eb, el, sbest, slab, f[0], f[1], f[2], w[0], w[1],
          w[2], b, j, n);
      assert_same ("argmin3_f32 best", n, ob, eb, nb);
      assert_same ("argmin3_f32 label", n, ol, el, nb);

      /* lanes where this centroid ties the best exactly keep the old id */
      km_ref_dot5_f32 (d, f[0], f[1], f[2], f[3], f[4], w[0], w[1], w[2],
          w[3], w[4], b, n);
      for (int i = 0; i < n; i += 3)
        sbest[i] = d[i];
      memset (ob, CANARY, nb);
      memset (eb, CANARY, nb);
      memset (ol, CANARY, nb);
      memset (el, CANARY, nb);
      km_orc_argmin4_f32 (ob, ol, sbest, slab, f[0], f[1], f[2], f[3], w[0],
          w[1], w[2], w[3], b, j, n);
      km_ref_argmin4_f32 (eb, el, sbest, slab, f[0], f[1], f[2], f[3], w[0],
          w[1], w[2], w[3], b, j, n);
      assert_same ("argmin4_f32 best", n, ob, eb, nb);
      assert_same ("argmin4_f32 label", n, ol, el, nb);

      memset (ob, CANARY, nb);
      memset (eb, CANARY, nb);
      km_orc_dot5_f32 (ob, f[0], f[1], f[2], f[3], f[4], w[0], w[1], w[2],
          w[3], w[4], b, n);
      km_ref_dot5_f32 (eb, f[0], f[1], f[2], f[3], f[4], w[0], w[1], w[2],
          w[3], w[4], b, n);
      assert_same ("dot5_f32", n, ob, eb, nb);
      /* and the twin is the plain two-rounding sum, to double accuracy */
      for (int i = 0; i < n; i++) {
        double x = b, mag = fabs (b);
        for (int c = 0; c < 5; c++) {
          x += (double) f[c][i] * w[c];
          mag += fabs ((double) f[c][i] * w[c]);
        }
        g_assert_cmpfloat (fabs (eb[i] - x), <=, 1e-6 * mag + 1e-3);
      }

      memset (ob, CANARY, nb);
      memset (eb, CANARY, nb);
      memset (ol, CANARY, nb);
      memset (el, CANARY, nb);
      km_orc_minsel_f32 (ob, ol, sbest, slab, d, j, n);
      km_ref_minsel_f32 (eb, el, sbest, slab, d, j, n);
      assert_same ("minsel_f32 best", n, ob, eb, nb);
      assert_same ("minsel_f32 label", n, ol, el, nb);
      for (int i = 0; i < n; i++) {
        if (d[i] < sbest[i])
          g_assert_true (el[i] == j && eb[i] == d[i]);
        else
          g_assert_true (el[i] == slab[i] && eb[i] == sbest[i]);
      }
    }
    for (int c = 0; c < 5; c++)
      g_free (f[c]);
    g_free (sbest);
    g_free (d);
    g_free (slab);
    g_free (ob);
    g_free (eb);
    g_free (ol);
    g_free (el);
  }
  g_rand_free (r);
}

/* Exact distance of sample i to centroid j (without x'x) in double, and
 * the sum of magnitudes of its terms: the scale of float rounding. */
static double
dist_exact (guint nf, const float *const *f, guint i, const float *w,
    const float *b, guint j, double *mag)
{
  double d = b[j];
  *mag = fabs (b[j]);
  for (guint c = 0; c < nf; c++) {
    double t = (double) f[c][i] * w[j * nf + c];
    d += t;
    *mag += fabs (t);
  }
  return d;
}

static void
test_argmin_paths (void)
{
  static const guint ks[] = { 1, 2, 3, 8, 16, 255, 256 };
  static const guint ns[] = { 1, 7, 17, 1023 };
  GRand *r = g_rand_new_with_seed (4);
  float *f[KM_MAX_FEATURES];
  float *w = g_new (float, 256 * KM_MAX_FEATURES), *b = g_new (float, 256);
  guint8 *el = g_malloc (KM_CHUNK + GUARD), *ol = g_malloc (KM_CHUNK + GUARD);
  float *eb = g_new (float, KM_CHUNK + GUARD);
  float *ob = g_new (float, KM_CHUNK + GUARD);
  guint n_paths = 0;

  for (guint c = 0; c < KM_MAX_FEATURES; c++)
    f[c] = g_new (float, KM_CHUNK);

  for (gint p = KERNEL_PATH_C; p < KERNEL_PATH_LAST; p++) {
    const KmKernels *kern = km_kernels_get ((KernelPath) p);
    guint ties = 0, checked = 0;

    if (!kernel_path_supported ((KernelPath) p)) {
      g_assert_null (kern);
      g_test_message ("path %s: not supported here", kernel_path_name (p));
      continue;
    }
    g_assert_nonnull (kern);
    g_assert_cmpint (kern->path, ==, kernel_path_float ((KernelPath) p));
    n_paths++;

    for (guint nf = 1; nf <= KM_MAX_FEATURES; nf++) {
      for (guint ki = 0; ki < G_N_ELEMENTS (ks); ki++) {
        for (guint ni = 0; ni < G_N_ELEMENTS (ns); ni++) {
          guint k = ks[ki], n = ns[ni];

          /* centroids and samples on the 0..255 scale, weights as
           * km_kmeans makes them: w = -2c, b = |c|^2 */
          for (guint c = 0; c < nf; c++)
            fill_feat (r, f[c], n);
          for (guint j = 0; j < k; j++) {
            double bb = 0.0;
            for (guint c = 0; c < nf; c++) {
              /* some centroids equal to samples: exact ties on the id */
              float cv = j % 5 == 4 ? f[c][j % n]
                  : (float) g_rand_double_range (r, 0.0, 255.0);
              w[j * nf + c] = -2.0f * cv;
              bb += (double) cv *cv;
            }
            b[j] = (float) bb;
          }
          if (k >= 8) {
            /* a duplicated centroid: the first id must win */
            memcpy (w + (k - 1) * nf, w + (k / 2) * nf, nf * sizeof (float));
            b[k - 1] = b[k / 2];
          }

          memset (el, CANARY, KM_CHUNK + GUARD);
          memset (ol, CANARY, KM_CHUNK + GUARD);
          memset (ob, CANARY, (KM_CHUNK + GUARD) * sizeof (float));
          km_ref_argmin (n, nf, (const float *const *) f, k, w, b, el, eb);
          kern->argmin (n, nf, (const float *const *) f, k, w, b, ol, ob);
          for (guint i = n; i < n + GUARD; i++) {
            g_assert_cmpuint (ol[i], ==, CANARY);
            g_assert_cmpuint (((guint8 *) ob)[i * 4], ==, CANARY);
          }
          /* and without best */
          {
            guint8 lab2[KM_CHUNK + GUARD];
            memset (lab2, CANARY, sizeof (lab2));
            kern->argmin (n, nf, (const float *const *) f, k, w, b, lab2,
                NULL);
            g_assert_cmpmem (lab2, n, ol, n);
            g_assert_cmpuint (lab2[n], ==, CANARY);
          }

          for (guint i = 0; i < n; i++) {
            double me, mo, de, dd, tol;
            checked++;
            g_assert_cmpuint (ol[i], <, k);
            de = dist_exact (nf, (const float *const *) f, i, w, b, el[i],
                &me);
            dd = dist_exact (nf, (const float *const *) f, i, w, b, ol[i],
                &mo);
            tol = 1e-5 * MAX (me, mo);
            /* best: within rounding of each other and of the truth */
            g_assert_cmpfloat (fabs ((double) ob[i] - eb[i]), <=, tol);
            g_assert_cmpfloat (fabs ((double) ob[i] - dd), <=, tol);
            if (p == KERNEL_PATH_C || p == KERNEL_PATH_ORC) {
              /* same operations in the same order: bit-exact */
              g_assert_cmpuint (ol[i], ==, el[i]);
              g_assert_true (memcmp (&ob[i], &eb[i], 4) == 0);
            } else if (ol[i] != el[i]) {
              /* FMA rounds once: only a near-tie may pick another id */
              ties++;
              g_assert_cmpfloat (fabs (dd - de), <=, tol);
              /* but a duplicated centroid is an exact tie: first id */
              g_assert_false (b[ol[i]] == b[el[i]] && memcmp (w + ol[i] * nf,
                      w + el[i] * nf, nf * sizeof (float)) == 0);
            }
          }
        }
      }
    }
    g_test_message ("path %s: %u of %u labels differ by near-ties",
        kernel_path_name (p), ties, checked);
    /* near-ties are rare on random data; many would mean a wrong kernel */
    g_assert_cmpuint (ties, <=, checked / 1000 + 8);
  }
  /* the C and ORC paths exist everywhere */
  g_assert_cmpuint (n_paths, >=, 2);

  for (guint c = 0; c < KM_MAX_FEATURES; c++)
    g_free (f[c]);
  g_free (w);
  g_free (b);
  g_free (el);
  g_free (ol);
  g_free (eb);
  g_free (ob);
  g_rand_free (r);
}

/* ---- palette lookups ---- */

typedef void (*LutU8Func) (guint8 * d, const guint8 * lab,
    const guint8 * table, guint k, int n);
typedef void (*LutMergeFunc) (guint32 * d, const guint8 * lab,
    const guint32 * pal, const guint32 * src, guint32 keep, guint k, int n);

typedef struct
{
  gchar name[32];
  LutU8Func lut;
  LutMergeFunc merge;           /* NULL: a byte-only variant */
} LutImpl;

/* Each supported path's table entries, and every per-ISA variant this CPU
 * runs, whether or not a table picks it here (the AVX-512 lookup without
 * VBMI runs on VBMI CPUs too). */
static guint
lut_impls (LutImpl * impls)
{
  guint n = 0;

  for (gint p = KERNEL_PATH_C; p < KERNEL_PATH_LAST; p++) {
    const KmKernels *kern = km_kernels_get ((KernelPath) p);
    if (kern == NULL)
      continue;
    g_snprintf (impls[n].name, sizeof (impls[n].name), "path %s",
        kernel_path_name ((KernelPath) p));
    impls[n].lut = kern->lut_u8;
    impls[n++].merge = kern->lut_merge_u32;
  }
#ifdef HAVE_AVX2_KERNELS
  if (kernel_path_supported (KERNEL_PATH_AVX2))
    impls[n++] = (LutImpl) {
    "avx2", km_avx2_lut_u8, km_avx2_lut_merge_u32};
#endif
#ifdef HAVE_AVX512_KERNELS
  if (kernel_path_supported (KERNEL_PATH_AVX512)) {
    impls[n++] = (LutImpl) {
    "avx512 (bw)", km_avx512_lut_u8, km_avx512_lut_merge_u32};
    if (__builtin_cpu_supports ("avx512vbmi"))
      impls[n++] = (LutImpl) {
      "avx512 (vbmi)", km_avx512vbmi_lut_u8, NULL};
    else
      g_test_message ("no AVX512_VBMI here: its lookup is not tested");
  }
#endif
  return n;
}

/* Random labels below k with 0 and k - 1 both present. */
static void
fill_labels (GRand * r, guint8 * lab, int n, guint k)
{
  for (int i = 0; i < n; i++)
    lab[i] = (guint8) g_rand_int_range (r, 0, (gint32) k);
  lab[g_rand_int_range (r, 0, n)] = (guint8) (k - 1);
  lab[g_rand_int_range (r, 0, n)] = 0;
}

static void
test_lut (void)
{
  static const int ns[] = { 1, 3, 15, 16, 17, 31, 33, 63, 64, 65, 127, 129,
    1000, 1023, 1024, 1920
  };
  static const guint ks[] = { 2, 8, 9, 16, 17, 32, 33, 64, 65, 128, 129,
    255, 256
  };
  LutImpl impls[KERNEL_PATH_LAST + 4];
  guint n_impls = lut_impls (impls), checked = 0;
  GRand *r = g_rand_new_with_seed (5);
  guint8 table[256];
  guint32 pal[256];

  g_assert_cmpuint (n_impls, >=, 2);
  for (guint ni = 0; ni < G_N_ELEMENTS (ns); ni++) {
    for (guint ki = 0; ki < G_N_ELEMENTS (ks); ki++) {
      int n = ns[ni];
      guint k = ks[ki];
      /* one byte in: the kernels must not need aligned rows */
      guint8 *lab = buf_new (n + 1, 1), *l = lab + 1;
      guint32 *src = buf_new (n, 4);
      guint8 *e = buf_new (n + 1, 1), *o = buf_new (n + 1, 1);
      guint32 *e32 = buf_new (n, 4), *o32 = buf_new (n, 4);
      gsize ob = (gsize) n + GUARD, ob32 = ((gsize) n + GUARD) * 4;

      /* the whole table random: an entry at or past k read by mistake
       * shows */
      fill_u8 (r, table, sizeof (table));
      fill_u8 (r, (guint8 *) pal, sizeof (pal));
      fill_u8 (r, (guint8 *) src, (gsize) n * 4);
      fill_labels (r, l, n, k);

      km_ref_lut_u8 (e + 1, l, table, k, n);
      for (int i = 0; i < n; i++)
        g_assert_cmpuint (e[1 + i], ==, table[l[i]]);
      for (guint p = 0; p < 4; p++) {
        guint32 keep = 0xffu << (8 * p);
        km_ref_lut_merge_u32 (e32, l, pal, src, keep, k, n);
        for (int i = 0; i < n; i++)
          g_assert_cmphex (e32[i], ==, (pal[l[i]] & ~keep) | (src[i] & keep));

        for (guint m = 0; m < n_impls; m++) {
          gchar what[64];
          if (impls[m].merge == NULL)
            continue;
          g_snprintf (what, sizeof (what), "lut_merge_u32 %s k=%u byte %u",
              impls[m].name, k, p);
          memset (o32, CANARY, ob32);
          impls[m].merge (o32, l, pal, src, keep, k, n);
          assert_same (what, n, o32, e32, ob32);
          checked++;
        }
      }
      for (guint m = 0; m < n_impls; m++) {
        gchar what[64];
        g_snprintf (what, sizeof (what), "lut_u8 %s k=%u", impls[m].name, k);
        memset (o, CANARY, ob + 1);
        impls[m].lut (o + 1, l, table, k, n);
        assert_same (what, n, o, e, ob + 1);
        checked++;
      }

      g_free (lab);
      g_free (src);
      g_free (e);
      g_free (o);
      g_free (e32);
      g_free (o32);
    }
  }
  for (guint m = 0; m < n_impls; m++)
    g_test_message ("palette lookups tested: %s", impls[m].name);
  g_test_message ("%u kernel calls checked", checked);
  g_rand_free (r);
}

/* The tables: every entry filled, and the generic argmin of each path
 * really is that path's (the AVX kernels fill it, the rest use ORC). */
static void
test_tables (void)
{
  KernelPath p;

  g_assert_null (km_kernels_get (KERNEL_PATH_LAST));
  g_assert_null (km_kernels_get ((KernelPath) 99));
  g_assert_nonnull (km_kernels_get (KERNEL_PATH_AUTO));
  g_assert_true (kernel_path_from_name ("orc", &p) && p == KERNEL_PATH_ORC);
  g_assert_true (kernel_path_from_name ("auto", &p) && p == KERNEL_PATH_AUTO);
  g_assert_false (kernel_path_from_name ("sse9", &p));
  g_assert_cmpstr (kernel_path_name (KERNEL_PATH_AVX512), ==, "avx512");
  for (gint i = KERNEL_PATH_C; i < KERNEL_PATH_LAST; i++) {
    const KmKernels *k = km_kernels_get ((KernelPath) i);
    if (k == NULL)
      continue;
    g_assert_nonnull (k->argmin);
    g_assert_nonnull (k->unpack4_f32);
    g_assert_nonnull (k->u8_to_f32);
    g_assert_nonnull (k->u8_to_f32_dup2);
    g_assert_nonnull (k->uv_to_f32_dup2);
    g_assert_nonnull (k->yuv422_to_f32);
    g_assert_nonnull (k->lut_u8);
    g_assert_nonnull (k->lut_merge_u32);
    g_assert_nonnull (k->avg2x2_u8);
    g_assert_nonnull (k->avg2_u8);
    g_assert_nonnull (k->interleave_u8);
    g_assert_nonnull (k->pack_yuv422_u8);
  }
  g_assert_true (km_kernels_get (KERNEL_PATH_C)->argmin == km_ref_argmin);
  g_assert_true (km_kernels_get (KERNEL_PATH_ORC)->argmin == km_orc_argmin);
  g_assert_true (km_kernels_get (KERNEL_PATH_C)->lut_u8 == km_ref_lut_u8);
#ifdef HAVE_AVX512_KERNELS
  /* the byte permutes wherever the CPU has them, chosen with the table */
  if (kernel_path_supported (KERNEL_PATH_AVX512))
    g_assert_true (km_kernels_get (KERNEL_PATH_AVX512)->lut_u8 ==
        (__builtin_cpu_supports ("avx512vbmi") ? km_avx512vbmi_lut_u8 :
            km_avx512_lut_u8));
#endif
  g_test_message ("ORC target: %s", kernel_path_orc_target ());
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/km/kernels/tables", test_tables);
  g_test_add_func ("/km/kernels/unpack", test_unpack);
  g_test_add_func ("/km/kernels/bytes", test_bytes);
  g_test_add_func ("/km/kernels/argmin-steps", test_argmin_steps);
  g_test_add_func ("/km/kernels/argmin-paths", test_argmin_paths);
  g_test_add_func ("/km/kernels/lut", test_lut);
  return g_test_run ();
}
