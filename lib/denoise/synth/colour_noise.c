/* Colour noise converted from RGB to YCbCr. See colour_noise.h. */
#include "config.h"
#include "denoise/synth/colour_noise.h"

#include <math.h>
#include <string.h>

#define KR 0.299
#define KB 0.114

static inline float
quantize8 (float v)
{
  return CLAMP (nearbyintf (v * 255.0f), 0.0f, 255.0f) * (1.0f / 255.0f);
}

void
aenn_colour_noise_matrix (AennYCbCrRange range, double m[3][3])
{
  const double kg = 1.0 - KR - KB;
  double sy = 1.0, sc = 1.0;

  if (range == AENN_YCBCR_STUDIO) {
    sy = 219.0 / 255.0;
    sc = 224.0 / 255.0;
  }
  m[0][0] = sy * KR;
  m[0][1] = sy * kg;
  m[0][2] = sy * KB;
  /* Cb = (B - Y) / (2 (1 - Kb)), Cr = (R - Y) / (2 (1 - Kr)) */
  m[1][0] = sc * -KR / (2.0 * (1.0 - KB));
  m[1][1] = sc * -kg / (2.0 * (1.0 - KB));
  m[1][2] = sc * 0.5;
  m[2][0] = sc * 0.5;
  m[2][1] = sc * -kg / (2.0 * (1.0 - KR));
  m[2][2] = sc * -KB / (2.0 * (1.0 - KR));
}

void
aenn_colour_noise_covariance (AennYCbCrRange range, double sigma,
    double cov[3][3])
{
  double m[3][3];

  aenn_colour_noise_matrix (range, m);
  for (guint k = 0; k < 3; k++)
    for (guint l = 0; l < 3; l++)
      cov[k][l] = sigma * sigma * (m[k][0] * m[l][0] + m[k][1] * m[l][1]
          + m[k][2] * m[l][2]);
}

static void
levels_of (AennYCbCrRange range, double sigma, double chroma_share,
    double levels[3])
{
  double cov[3][3];

  if (levels == NULL)
    return;
  aenn_colour_noise_covariance (range, sigma, cov);
  levels[0] = sqrt (cov[0][0]);
  levels[1] = sqrt (cov[1][1] * chroma_share);
  levels[2] = sqrt (cov[2][2] * chroma_share);
}

void
aenn_colour_noise_rgb (Rng * r, const float *const clean[3],
    float *const noisy[3], gsize n, double sigma, AennYCbCrRange range,
    gboolean quantize, double levels[3])
{
  double m[3][3];
  double s = sigma / 255.0;

  aenn_colour_noise_matrix (range, m);
  for (gsize i = 0; i < n; i++) {
    double e[3];
    for (guint j = 0; j < 3; j++)
      e[j] = s * rng_gauss (r);
    for (guint k = 0; k < 3; k++) {
      float v = clean[k][i] + (float) (m[k][0] * e[0] + m[k][1] * e[1]
          + m[k][2] * e[2]);
      noisy[k][i] = quantize ? quantize8 (v) : v;
    }
  }
  levels_of (range, sigma, 1.0, levels);
}

void
aenn_colour_noise_rgb_420 (Rng * r, const float *const clean[3],
    float *const noisy[3], guint width, guint height, double sigma,
    AennYCbCrRange range, gboolean quantize, double levels[3])
{
  double m[3][3];
  double s = sigma / 255.0;
  guint cw = width / 2;

  g_return_if_fail (width % 2 == 0 && height % 2 == 0);
  aenn_colour_noise_matrix (range, m);
  for (guint by = 0; by < height / 2; by++)
    for (guint bx = 0; bx < cw; bx++) {
      double sum[3] = { 0, 0, 0 };
      for (guint p = 0; p < 4; p++) {
        gsize i = (gsize) (2 * by + p / 2) * width + 2 * bx + p % 2;
        double e[3];
        float v;
        for (guint j = 0; j < 3; j++) {
          e[j] = s * rng_gauss (r);
          sum[j] += e[j];
        }
        v = clean[0][i] + (float) (m[0][0] * e[0] + m[0][1] * e[1]
            + m[0][2] * e[2]);
        noisy[0][i] = quantize ? quantize8 (v) : v;
      }
      for (guint k = 1; k < 3; k++) {
        gsize c = (gsize) by * cw + bx;
        float v = clean[k][c] + (float) (0.25 * (m[k][0] * sum[0]
                + m[k][1] * sum[1] + m[k][2] * sum[2]));
        noisy[k][c] = quantize ? quantize8 (v) : v;
      }
    }
  levels_of (range, sigma, 0.25, levels);
}

void
aenn_colour_noise_planes (Rng * r, const float *const clean[3],
    float *const noisy[3], gsize n, const double sigma[3], gboolean quantize)
{
  for (guint k = 0; k < 3; k++) {
    float s = (float) (sigma[k] / 255.0);
    for (gsize i = 0; i < n; i++) {
      float v = clean[k][i] + s * (float) rng_gauss (r);
      noisy[k][i] = quantize ? quantize8 (v) : v;
    }
  }
}

void
aenn_colour_noise_planes_420 (Rng * r, const float *const clean[3],
    float *const noisy[3], guint width, guint height, const double sigma[3],
    gboolean quantize)
{
  g_return_if_fail (width % 2 == 0 && height % 2 == 0);
  for (guint k = 0; k < 3; k++) {
    float s = (float) (sigma[k] / 255.0);
    gsize n = k == 0 ? (gsize) width * height : (gsize) (width / 2)
        * (height / 2);
    for (gsize i = 0; i < n; i++) {
      float v = clean[k][i] + s * (float) rng_gauss (r);
      noisy[k][i] = quantize ? quantize8 (v) : v;
    }
  }
}

void
aenn_colour_rgb_to_yuv420 (const float *rgb, guint width, guint height,
    float *y, float *cb, float *cr)
{
  double m[3][3];
  gsize plane = (gsize) width * height;
  guint cw = width / 2;

  g_return_if_fail (width % 2 == 0 && height % 2 == 0);
  aenn_colour_noise_matrix (AENN_YCBCR_STUDIO, m);
  for (gsize i = 0; i < plane; i++)
    y[i] = (float) (16.0 / 255.0 + m[0][0] * rgb[i] + m[0][1] * rgb[plane
            + i] + m[0][2] * rgb[2 * plane + i]);
  /* box filter: the mean of each 2x2 block's RGB, through the matrix */
  for (guint by = 0; by < height / 2; by++)
    for (guint bx = 0; bx < cw; bx++) {
      double a[3] = { 0.0, 0.0, 0.0 };
      for (guint j = 0; j < 3; j++)
        for (guint p = 0; p < 4; p++)
          a[j] += rgb[j * plane + (gsize) (2 * by + p / 2) * width + 2 * bx
              + p % 2];
      for (guint k = 1; k < 3; k++) {
        float v = (float) (128.0 / 255.0 + 0.25 * (m[k][0] * a[0]
                + m[k][1] * a[1] + m[k][2] * a[2]));
        (k == 1 ? cb : cr)[(gsize) by * cw + bx] = v;
      }
    }
}

void
aenn_colour_yuv420_to_channels (const float *y, const float *cb,
    const float *cr, guint cw, guint chh, float *out)
{
  gsize np = (gsize) cw * chh;
  for (guint k = 0; k < 4; k++)
    for (guint r = 0; r < chh; r++)
      for (guint x = 0; x < cw; x++)
        out[k * np + (gsize) r * cw + x] = y[(gsize) (2 * r + k / 2) * 2 * cw
            + 2 * x + k % 2];
  memcpy (out + 4 * np, cb, np * sizeof (float));
  memcpy (out + 5 * np, cr, np * sizeof (float));
}
