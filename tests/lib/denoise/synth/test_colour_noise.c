/* Colour noise (lib/denoise/synth/colour_noise.c): the matrix is BT.601's
 * as JFIF publishes it (and its studio-range scaling); the sample
 * covariance of RGB Gaussian noise converted to YCbCr matches the analytic
 * sigma^2 M M^T, in 4:4:4 and 4:2:0 (chroma a quarter, luma-chroma
 * covariance a quarter); per-plane noise is independent with its own
 * levels; rounding gives 8-bit values. */
#include "config.h"
#include "denoise/synth/colour_noise.h"

#include <math.h>

/* JFIF (ITU-T T.871) full-range BT.601, as published */
static const double jfif[3][3] = {
  {0.299, 0.587, 0.114},
  {-0.168736, -0.331264, 0.5},
  {0.5, -0.418688, -0.081312},
};

/* the analytic covariance from the published matrix, for RGB noise of
 * sigma, scaled per plane (studio range) */
static void
analytic (double sigma, const double scale[3], double cov[3][3])
{
  for (guint k = 0; k < 3; k++)
    for (guint l = 0; l < 3; l++) {
      double c = 0;
      for (guint j = 0; j < 3; j++)
        c += jfif[k][j] * jfif[l][j];
      cov[k][l] = sigma * sigma * c * scale[k] * scale[l];
    }
}

/* sample covariance (0..255 scale) of noisy - clean over n values */
static void
sample_cov (const float *const clean[3], float *const noisy[3], gsize n,
    double cov[3][3], double mean[3])
{
  for (guint k = 0; k < 3; k++) {
    mean[k] = 0;
    for (gsize i = 0; i < n; i++)
      mean[k] += 255.0 * (noisy[k][i] - clean[k][i]);
    mean[k] /= n;
  }
  for (guint k = 0; k < 3; k++)
    for (guint l = 0; l < 3; l++) {
      double c = 0;
      for (gsize i = 0; i < n; i++)
        c += (255.0 * (noisy[k][i] - clean[k][i]) - mean[k])
            * (255.0 * (noisy[l][i] - clean[l][i]) - mean[l]);
      cov[k][l] = c / (n - 1);
    }
}

/* each entry within 5 standard errors of the analytic one:
 * var(s_kl) = (c_kk c_ll + c_kl^2) / n for Gaussian samples */
static void
assert_cov (double got[3][3], double want[3][3], gsize n)
{
  for (guint k = 0; k < 3; k++)
    for (guint l = 0; l < 3; l++) {
      double se = sqrt ((want[k][k] * want[l][l] + want[k][l] * want[k][l])
          / n);
      if (fabs (got[k][l] - want[k][l]) > 5 * se)
        g_error ("cov[%u][%u] = %.4f, analytic %.4f (se %.4f)", k, l,
            got[k][l], want[k][l], se);
    }
}

static void
test_matrix (void)
{
  double m[3][3], ms[3][3], cov[3][3], want[3][3];
  const double one[3] = { 1, 1, 1 };

  aenn_colour_noise_matrix (AENN_YCBCR_FULL, m);
  aenn_colour_noise_matrix (AENN_YCBCR_STUDIO, ms);
  for (guint k = 0; k < 3; k++) {
    double sc = k == 0 ? 219.0 / 255.0 : 224.0 / 255.0;
    for (guint j = 0; j < 3; j++) {
      g_assert_cmpfloat_with_epsilon (m[k][j], jfif[k][j], 1e-6);
      g_assert_cmpfloat_with_epsilon (ms[k][j], sc * jfif[k][j], 1e-6);
    }
  }
  /* grey stays grey: equal noise on R, G and B leaves Cb and Cr alone */
  g_assert_cmpfloat_with_epsilon (m[1][0] + m[1][1] + m[1][2], 0, 1e-12);
  g_assert_cmpfloat_with_epsilon (m[2][0] + m[2][1] + m[2][2], 0, 1e-12);
  aenn_colour_noise_covariance (AENN_YCBCR_FULL, 25, cov);
  analytic (25, one, want);
  for (guint k = 0; k < 3; k++)
    for (guint l = 0; l < 3; l++)
      /* the published coefficients have 6 decimals */
      g_assert_cmpfloat_with_epsilon (cov[k][l], want[k][l], 2e-3);
  /* the magnitudes: luma noise 0.669 of the RGB level, Cb 0.623, Cr
   * 0.657 of it; correlation Y-Cb -0.45, Y-Cr -0.24, Cb-Cr +0.03: far from
   * the independent planes a per-plane noise model assumes */
  g_assert_cmpfloat_with_epsilon (sqrt (cov[0][0]) / 25, 0.6686, 1e-3);
  g_assert_cmpfloat_with_epsilon (sqrt (cov[1][1]) / 25, 0.6232, 1e-3);
  g_assert_cmpfloat_with_epsilon (sqrt (cov[2][2]) / 25, 0.6572, 1e-3);
  g_assert_cmpfloat_with_epsilon (cov[0][1] / sqrt (cov[0][0] * cov[1][1]),
      -0.4511, 1e-3);
  g_assert_cmpfloat_with_epsilon (cov[1][2] / sqrt (cov[1][1] * cov[2][2]),
      0.0334, 1e-3);
}

static void
test_rgb_444 (void)
{
  const gsize n = 200000;
  const double studio[3] = { 219.0 / 255.0, 224.0 / 255.0, 224.0 / 255.0 };
  float *buf = g_new (float, 6 * n);
  const float *clean[3] = { buf, buf + n, buf + 2 * n };
  float *noisy[3] = { buf + 3 * n, buf + 4 * n, buf + 5 * n };
  double cov[3][3], want[3][3], mean[3], levels[3];
  Rng r;

  for (gsize i = 0; i < 3 * n; i++)
    buf[i] = 0.5f;
  for (guint range = 0; range < 2; range++) {
    const double one[3] = { 1, 1, 1 };
    double sigma = range ? 30 : 15;
    rng_init (&r, 7, range, 0);
    aenn_colour_noise_rgb (&r, clean, noisy, n, sigma, range, FALSE, levels);
    sample_cov (clean, noisy, n, cov, mean);
    analytic (sigma, range ? studio : one, want);
    assert_cov (cov, want, n);
    for (guint k = 0; k < 3; k++) {
      g_assert_cmpfloat (fabs (mean[k]), <, 5 * sqrt (want[k][k] / n));
      g_assert_cmpfloat_with_epsilon (levels[k], sqrt (want[k][k]), 1e-3);
    }
  }
  /* rounded: every value a multiple of 1/255 */
  rng_init (&r, 7, 9, 0);
  aenn_colour_noise_rgb (&r, clean, noisy, n, 10, AENN_YCBCR_FULL, TRUE, NULL);
  for (gsize i = 0; i < 3 * n; i++) {
    float v = buf[3 * n + i] * 255.0f;
    g_assert_cmpfloat (fabsf (v - nearbyintf (v)), <, 1e-3f);
  }
  g_free (buf);
}

static void
test_rgb_420 (void)
{
  const guint w = 640, h = 480;
  const gsize n = (gsize) w * h, nc = n / 4;
  const double one[3] = { 1, 1, 1 };
  float *buf = g_new (float, 3 * n);
  const float *clean[3] = { buf, buf + n, buf + n + nc };
  float *noisy[3] = { buf + n + 2 * nc, buf + 2 * n + 2 * nc,
    buf + 2 * n + 3 * nc
  };
  double want[3][3], levels[3], v[3] = { 0, 0, 0 }, yc[3] = { 0, 0, 0 };
  Rng r;

  for (gsize i = 0; i < n + 2 * nc; i++)
    buf[i] = 0.25f + 0.5f * (i % 7) / 7.0f;
  rng_init (&r, 3, 0, 0);
  aenn_colour_noise_rgb_420 (&r, clean, noisy, w, h, 20, AENN_YCBCR_FULL,
      FALSE, levels);
  analytic (20, one, want);
  /* luma variance as in 4:4:4; chroma a quarter; each luma pixel's noise
   * and its block's chroma noise: a quarter of the 4:4:4 covariance */
  for (gsize i = 0; i < n; i++) {
    double e = 255.0 * (noisy[0][i] - clean[0][i]);
    gsize c = (i / w / 2) * (w / 2) + (i % w) / 2;
    v[0] += e * e;
    for (guint k = 1; k < 3; k++)
      yc[k] += e * 255.0 * (noisy[k][c] - clean[k][c]);
  }
  for (guint k = 1; k < 3; k++)
    for (gsize c = 0; c < nc; c++) {
      double e = 255.0 * (noisy[k][c] - clean[k][c]);
      v[k] += e * e;
    }
  v[0] /= n;
  g_assert_cmpfloat (fabs (v[0] - want[0][0]), <,
      5 * sqrt (2.0 / n) * want[0][0]);
  g_assert_cmpfloat_with_epsilon (levels[0], sqrt (want[0][0]), 1e-3);
  for (guint k = 1; k < 3; k++) {
    double q = want[k][k] / 4, se;
    v[k] /= nc;
    g_assert_cmpfloat (fabs (v[k] - q), <, 5 * sqrt (2.0 / nc) * q);
    g_assert_cmpfloat_with_epsilon (levels[k], sqrt (q), 1e-3);
    yc[k] /= n;
    se = sqrt ((want[0][0] * q + want[0][k] * want[0][k] / 16) / nc);
    g_assert_cmpfloat (fabs (yc[k] - want[0][k] / 4), <, 5 * se);
  }
  g_free (buf);
}

static void
test_planes (void)
{
  const gsize n = 100000;
  const double sigma[3] = { 5, 12, 20 };
  float *buf = g_new0 (float, 6 * n);
  const float *clean[3] = { buf, buf + n, buf + 2 * n };
  float *noisy[3] = { buf + 3 * n, buf + 4 * n, buf + 5 * n };
  double cov[3][3], want[3][3] = { {0} }, mean[3];
  Rng r;

  for (gsize i = 0; i < 3 * n; i++)
    buf[i] = 0.5f;
  for (guint k = 0; k < 3; k++)
    want[k][k] = sigma[k] * sigma[k];
  rng_init (&r, 11, 0, 0);
  aenn_colour_noise_planes (&r, clean, noisy, n, sigma, FALSE);
  sample_cov (clean, noisy, n, cov, mean);
  assert_cov (cov, want, n);
  g_free (buf);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/aenn/colour-noise/matrix", test_matrix);
  g_test_add_func ("/aenn/colour-noise/rgb-444", test_rgb_444);
  g_test_add_func ("/aenn/colour-noise/rgb-420", test_rgb_420);
  g_test_add_func ("/aenn/colour-noise/planes", test_planes);
  return g_test_run ();
}
