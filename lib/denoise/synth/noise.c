/* Synthetic noise for training and calibration. See noise.h. */
#include "config.h"
#include "denoise/synth/noise.h"

#include <math.h>

static inline float
quantize8 (float v)
{
  return CLAMP (nearbyintf (v * 255.0f), 0.0f, 255.0f) * (1.0f / 255.0f);
}

void
aenn_synth_gaussian (Rng * r, const float *clean, float *noisy, gsize n,
    double sigma, gboolean quantize)
{
  float s = (float) (sigma / 255.0);
  for (gsize i = 0; i < n; i++) {
    float v = clean[i] + s * (float) rng_gauss (r);
    noisy[i] = quantize ? quantize8 (v) : v;
  }
}

float
aenn_synth_poisson_gaussian (Rng * r, double sigma_min, double sigma_max,
    const float *clean, float *noisy, gsize n, gboolean quantize)
{
  double s = (sigma_min + rng_uniform (r) * (sigma_max - sigma_min)) / 255.0;
  double f = rng_uniform (r);
  double a = 2.0 * f * s * s, b2 = (1.0 - f) * s * s, sum = 0.0;
  for (gsize i = 0; i < n; i++) {
    double var = a * MAX (clean[i], 0.0f) + b2;
    float v = clean[i] + (float) (sqrt (var) * rng_gauss (r));
    sum += var;
    noisy[i] = quantize ? quantize8 (v) : v;
  }
  return (float) (sqrt (sum / MAX (n, 1)) * 255.0);
}
