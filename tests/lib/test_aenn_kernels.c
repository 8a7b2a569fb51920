/* The ORC row kernels against their C twins on random data at odd
 * lengths, and the conv row of each path against the C path. */
#include "config.h"
#include "aenn_kernels.h"
#include "aenn_orc.h"

#include <math.h>

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
    float *s[6], *a = rnd (n), *d0 = rnd (2 * n), *d1 = rnd (2 * n);
    float *e0 = rnd (2 * n), *e1 = rnd (2 * n), *big = rnd (2 * n);
    float w[7];
    for (int j = 0; j < 6; j++)
      s[j] = rnd (n);
    for (int j = 0; j < 7; j++)
      w[j] = (float) g_rand_double_range (rng, -1.0, 1.0);

    aenn_orc_mac6_f32 (d0, a, s[0], s[1], s[2], s[3], s[4], s[5], w[0], w[1],
        w[2], w[3], w[4], w[5], n);
    aenn_ref_mac6_f32 (e0, a, s[0], s[1], s[2], s[3], s[4], s[5], w[0], w[1],
        w[2], w[3], w[4], w[5], n);
    assert_close (d0, e0, n);
    aenn_orc_mac6b_f32 (d0, s[0], s[1], s[2], s[3], s[4], s[5], w[0], w[1],
        w[2], w[3], w[4], w[5], w[6], n);
    aenn_ref_mac6b_f32 (e0, s[0], s[1], s[2], s[3], s[4], s[5], w[0], w[1],
        w[2], w[3], w[4], w[5], w[6], n);
    assert_close (d0, e0, n);
    aenn_orc_relu_f32 (d0, a, n);
    aenn_ref_relu_f32 (e0, a, n);
    assert_close (d0, e0, n);
    aenn_orc_lrelu_f32 (d0, a, 0.1f, n);
    aenn_ref_lrelu_f32 (e0, a, 0.1f, n);
    assert_close (d0, e0, n);
    aenn_orc_add_f32 (d0, a, s[0], n);
    aenn_ref_add_f32 (e0, a, s[0], n);
    assert_close (d0, e0, n);
    aenn_orc_sub_f32 (d0, a, s[0], n);
    aenn_ref_sub_f32 (e0, a, s[0], n);
    assert_close (d0, e0, n);
    aenn_orc_deinterleave2_f32 (d0, d1, big, n);
    aenn_ref_deinterleave2_f32 (e0, e1, big, n);
    g_assert_cmpmem (d0, n * 4, e0, n * 4);
    g_assert_cmpmem (d1, n * 4, e1, n * 4);
    aenn_orc_interleave2_f32 (d0, a, s[1], n);
    aenn_ref_interleave2_f32 (e0, a, s[1], n);
    g_assert_cmpmem (d0, 2 * n * 4, e0, 2 * n * 4);
    g_assert_cmpfloat (e0[1], ==, s[1][0]);

    for (int j = 0; j < 6; j++)
      unrnd (s[j]);
    unrnd (a);
    unrnd (d0);
    unrnd (d1);
    unrnd (e0);
    unrnd (e1);
    unrnd (big);
  }
}

/* conv_row of every path against a direct sum in double, odd widths and
 * channel counts (the vector blocks' remainders). */
static void
test_conv_rows (void)
{
  static const int chans[][2] = { {1, 1}, {3, 5}, {17, 16}, {16, 7}, {9, 13} };
  for (gint p = 0; p < GU_PATH_LAST; p++) {
    const AennKernels *k = aenn_kernels_get ((GuPath) p);
    if (k == NULL)
      continue;
    for (guint li = 0; li < G_N_ELEMENTS (lengths); li++)
      for (guint ci = 0; ci < G_N_ELEMENTS (chans); ci++)
        for (int ks = 1; ks <= 3; ks += 2)
          for (int act = 0; act < 3; act++) {
            int n = lengths[li], ic = chans[ci][0], oc = chans[ci][1];
            float **in = g_new (float *, ic * ks);
            float **out = g_new (float *, oc);
            float *w = rnd (oc * ic * ks * ks), *b = rnd (oc);
            for (int j = 0; j < ic * ks; j++)
              in[j] = rnd (n);
            for (int j = 0; j < oc; j++)
              out[j] = rnd (n);
            k->conv_row (out, (const float *const *) in, n, ic, oc, ks, w, b,
                (AennAct) act, 0.25f);
            for (int o = 0; o < oc; o++)
              for (int x = 0; x < n; x++) {
                /* float sums of many terms: the error scales with the
                 * sum of magnitudes, not with the result */
                double s = b[o], mag = fabs (b[o]);
                for (int c = 0; c < ic; c++)
                  for (int dy = 0; dy < ks; dy++)
                    for (int dx = 0; dx < ks; dx++)
                      {
                        double t = (double) w[((o * ic + c) * ks + dy) * ks
                            + dx] * in[c * ks + dy][x + dx - ks / 2];
                        s += t;
                        mag += fabs (t);
                      }
                if (act == AENN_ACT_RELU && s < 0)
                  s = 0;
                if (act == AENN_ACT_LEAKY_RELU && s < 0)
                  s *= 0.25;
                if (!(fabs (out[o][x] - s) <= 2e-6 * (1.0 + mag)))
                  g_error ("%s: n %d ic %d oc %d k %d act %d: out[%d][%d] %g,"
                      " expected %g", gu_path_name ((GuPath) p), n, ic, oc, ks,
                      act, o, x, out[o][x], s);
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
  g_test_add_func ("/aenn/kernels/conv-rows", test_conv_rows);
  return g_test_run ();
}
