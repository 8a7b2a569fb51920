/* The ORC row kernels against their C twins on random data at odd
 * lengths, and the conv row of each path against the C path. */
#include "config.h"
#include "denoise/kernels/kernels.h"
#include "aenn_orc.h"

#include <math.h>
#include <string.h>

static const int lengths[] = { 1, 3, 7, 15, 16, 17, 31, 255, 256, 257, 1023 };

static GRand *rng;

static float *
rnd (int n)
{
  /* readable at -1 and n; 8-byte aligned, as ORC wants its 64-bit
   * arrays (the engine's rows are 64-byte aligned) */
  float *p = g_new (float, n + 4) + 2;
  for (int i = -1; i <= n; i++)
    p[i] = (float) g_rand_double_range (rng, -2.0, 2.0);
  return p;
}

static void
unrnd (float *p)
{
  g_free (p - 2);
}

static void
assert_close (const float *a, const float *b, int n)
{
  for (int i = 0; i < n; i++)
    if (!(fabsf (a[i] - b[i]) <= 1e-6f * (1.0f + fabsf (b[i]))))
      g_error ("element %d of %d: %.9g vs %.9g", i, n, a[i], b[i]);
}

static void
test_orc_twins (void)
{
  for (guint li = 0; li < G_N_ELEMENTS (lengths); li++) {
    int n = lengths[li];
    float *s[2], *a = rnd (n), *d0 = rnd (2 * n), *d1 = rnd (2 * n);
    float *e0 = rnd (2 * n), *e1 = rnd (2 * n), *big = rnd (2 * n);
    for (int j = 0; j < 2; j++)
      s[j] = rnd (n);

    /* one row here; several in the 2D test below */
    aenn_orc_add_f32 (d0, 0, a, 0, s[0], 0, n, 1);
    aenn_ref_add_f32 (e0, 0, a, 0, s[0], 0, n, 1);
    assert_close (d0, e0, n);
    aenn_orc_sub_f32 (d0, 0, a, 0, s[0], 0, n, 1);
    aenn_ref_sub_f32 (e0, 0, a, 0, s[0], 0, n, 1);
    assert_close (d0, e0, n);
    aenn_orc_deinterleave2_f32 (d0, 0, d1, 0, big, 0, n, 1);
    aenn_ref_deinterleave2_f32 (e0, 0, e1, 0, big, 0, n, 1);
    g_assert_cmpmem (d0, n * 4, e0, n * 4);
    g_assert_cmpmem (d1, n * 4, e1, n * 4);
    aenn_orc_interleave2_f32 (d0, 0, a, 0, s[1], 0, n, 1);
    aenn_ref_interleave2_f32 (e0, 0, a, 0, s[1], 0, n, 1);
    g_assert_cmpmem (d0, 2 * n * 4, e0, 2 * n * 4);
    g_assert_cmpfloat (e0[1], ==, s[1][0]);

    for (int j = 0; j < 2; j++)
      unrnd (s[j]);
    unrnd (a);
    unrnd (d0);
    unrnd (d1);
    unrnd (e0);
    unrnd (e1);
    unrnd (big);
  }
}

/* The 2D kernels against their twins: m rows at odd strides, summing in
 * place as the engine does, each form in turn. */
static void
test_orc_twins_2d (void)
{
  for (guint li = 0; li < G_N_ELEMENTS (lengths); li++)
    for (int m = 1; m <= 3; m++) {
      /* rows 8-byte aligned for the pair kernels */
      int n = lengths[li], st = (n + 6) & ~1, bs = st * 4;
      float *s[4], *d = rnd (st * m), *e = rnd (st * m), w[8];
      for (int j = 0; j < 4; j++)
        s[j] = rnd (st * m + 2);
      for (int j = 0; j < 8; j++)
        w[j] = (float) g_rand_double_range (rng, -1.0, 1.0);
      memcpy (e - 1, d - 1, (st * m + 2) * sizeof (float));

#define CHECK(orc, ref) orc; ref; assert_close (d, e, st * m)
#define ARGS3(x) x, bs, s[0], bs, s[1], bs, w[0], w[1], w[2], w[3], w[4], w[5]
#define ARGS1(x) x, bs, s[0], bs, s[1], bs, s[2], bs, s[3], bs, w[0], w[1], \
        w[2], w[3]
      CHECK (aenn_orc_conv3x2b_f32 (ARGS3 (d), w[6], n, m),
          aenn_ref_conv3x2b_f32 (ARGS3 (e), w[6], n, m));
      CHECK (aenn_orc_conv3x2_f32 (ARGS3 (d), n, m),
          aenn_ref_conv3x2_f32 (ARGS3 (e), n, m));
      CHECK (aenn_orc_conv3x2a_f32 (ARGS3 (d), 0.1f, n, m),
          aenn_ref_conv3x2a_f32 (ARGS3 (e), 0.1f, n, m));
      CHECK (aenn_orc_conv3x2ba_f32 (ARGS3 (d), w[7], 0.0f, n, m),
          aenn_ref_conv3x2ba_f32 (ARGS3 (e), w[7], 0.0f, n, m));
      CHECK (aenn_orc_conv1x4b_f32 (ARGS1 (d), w[6], n, m),
          aenn_ref_conv1x4b_f32 (ARGS1 (e), w[6], n, m));
      CHECK (aenn_orc_conv1x4_f32 (ARGS1 (d), n, m),
          aenn_ref_conv1x4_f32 (ARGS1 (e), n, m));
      CHECK (aenn_orc_conv1x4a_f32 (ARGS1 (d), 0.25f, n, m),
          aenn_ref_conv1x4a_f32 (ARGS1 (e), 0.25f, n, m));
      CHECK (aenn_orc_conv1x4ba_f32 (ARGS1 (d), w[7], 0.0f, n, m),
          aenn_ref_conv1x4ba_f32 (ARGS1 (e), w[7], 0.0f, n, m));
#undef ARGS3
#undef ARGS1
      /* the last form was a ReLU (slope 0): nothing negative is left */
      for (int y = 0; y < m; y++)
        for (int x = 0; x < n; x++)
          g_assert_cmpfloat (d[y * st + x], >=, 0.0f);
      CHECK (aenn_orc_add_f32 (d, bs, s[0], bs, s[1], bs, n, m),
          aenn_ref_add_f32 (e, bs, s[0], bs, s[1], bs, n, m));
      CHECK (aenn_orc_sub_f32 (d, bs, s[0], bs, s[1], bs, n, m),
          aenn_ref_sub_f32 (e, bs, s[0], bs, s[1], bs, n, m));
      /* pairs: half the width, rows of 2n */
      CHECK (aenn_orc_interleave2_f32 (d, bs, s[0], bs, s[1], bs, n / 2, m),
          aenn_ref_interleave2_f32 (e, bs, s[0], bs, s[1], bs, n / 2, m));
      CHECK (aenn_orc_deinterleave2_f32 (d, bs, d + n / 2, bs, s[2], bs,
              n / 2, m), aenn_ref_deinterleave2_f32 (e, bs, e + n / 2, bs,
              s[2], bs, n / 2, m));
#undef CHECK

      for (int j = 0; j < 4; j++)
        unrnd (s[j]);
      unrnd (d);
      unrnd (e);
    }
}

/* The convolution of every path (conv_row, or conv_rows over three rows
 * at odd strides) against a direct sum in double, odd widths and channel
 * counts (the vector blocks' remainders). */
static void
test_conv_rows (void)
{
  static const int chans[][2] = { {1, 1}, {3, 5}, {17, 16}, {16, 7}, {9, 13} };
  const int rows = 3;
  for (gint p = 0; p < KERNEL_PATH_LAST; p++) {
    const AennKernels *k = aenn_kernels_get ((KernelPath) p);
    if (k == NULL)
      continue;
    for (guint li = 0; li < G_N_ELEMENTS (lengths); li++)
      for (guint ci = 0; ci < G_N_ELEMENTS (chans); ci++)
        for (int ks = 1; ks <= 3; ks += 2)
          for (int act = 0; act < 3; act++) {
            int n = lengths[li], ic = chans[ci][0], oc = chans[ci][1];
            gsize st = (gsize) n + 9;   /* row stride of every buffer */
            float **in = g_new (float *, ic * ks);
            float **out = g_new (float *, oc);
            float *w = rnd (oc * ic * ks * ks), *b = rnd (oc);
            for (int j = 0; j < ic * ks; j++)
              in[j] = rnd ((int) st * rows);
            for (int j = 0; j < oc; j++)
              out[j] = rnd ((int) st * rows);
            if (k->conv_rows)
              k->conv_rows (out, st, (const float *const *) in, st, rows, n,
                  ic, oc, ks, w, b, (AennAct) act, 0.25f);
            else
              for (int y = 0; y < rows; y++) {
                const float **iy = g_new (const float *, ic * ks);
                float **oy = g_new (float *, oc);
                for (int j = 0; j < ic * ks; j++)
                  iy[j] = in[j] + y * st;
                for (int j = 0; j < oc; j++)
                  oy[j] = out[j] + y * st;
                k->conv_row (oy, iy, n, ic, oc, ks, w, b, (AennAct) act,
                    0.25f);
                g_free (iy);
                g_free (oy);
              }
            for (int y = 0; y < rows; y++)
              for (int o = 0; o < oc; o++)
                for (int x = 0; x < n; x++) {
                  /* float sums of many terms: the error scales with the
                   * sum of magnitudes, not with the result */
                  double s = b[o], mag = fabs (b[o]);
                  float got = out[o][y * st + x];
                  for (int c = 0; c < ic; c++)
                    for (int dy = 0; dy < ks; dy++)
                      for (int dx = 0; dx < ks; dx++) {
                        double t = (double) w[((o * ic + c) * ks + dy) * ks
                            + dx] * in[c * ks + dy][y * st + x + dx - ks / 2];
                        s += t;
                        mag += fabs (t);
                      }
                  if (act == AENN_ACT_RELU && s < 0)
                    s = 0;
                  if (act == AENN_ACT_LEAKY_RELU && s < 0)
                    s *= 0.25;
                  if (!(fabs (got - s) <= 2e-6 * (1.0 + mag)))
                    g_error ("%s: n %d ic %d oc %d k %d act %d: out[%d] row "
                        "%d [%d] %g, expected %g", kernel_path_name ((KernelPath) p),
                        n, ic, oc, ks, act, o, y, x, got, s);
                }
            for (int j = 0; j < ic * ks; j++)
              unrnd (in[j]);
            for (int j = 0; j < oc; j++)
              unrnd (out[j]);
            unrnd (w);
            unrnd (b);
            g_free (in);
            g_free (out);
          }
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  rng = g_rand_new_with_seed (1234);
  g_test_add_func ("/aenn/kernels/orc-twins", test_orc_twins);
  g_test_add_func ("/aenn/kernels/orc-twins-2d", test_orc_twins_2d);
  g_test_add_func ("/aenn/kernels/conv-rows", test_conv_rows);
  return g_test_run ();
}
