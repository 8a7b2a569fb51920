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

#define QBITS 12
#define QN (1u << QBITS)

static float qtable[QN + 1];

/* Phi^-1 (p) by bisection on erfc: once, at first use */
static double
normal_quantile (double p)
{
  double lo = -10.0, hi = 10.0;
  for (guint i = 0; i < 100; i++) {
    double mid = 0.5 * (lo + hi);
    if (0.5 * erfc (-mid / G_SQRT2) < p)
      lo = mid;
    else
      hi = mid;
  }
  return 0.5 * (lo + hi);
}

static gpointer
qtable_init (gpointer unused)
{
  double q[QN + 1], var = 0.0;
  for (guint k = 0; k <= QN; k++) {
    double p =
        CLAMP ((double) k / QN, 1.0 / (4.0 * QN), 1.0 - 1.0 / (4.0 * QN));
    q[k] = normal_quantile (p);
  }
  /* each interval is equally likely and uniform between its ends */
  for (guint k = 0; k < QN; k++)
    var += (q[k] * q[k] + q[k] * q[k + 1] + q[k + 1] * q[k + 1]) / 3.0;
  var /= QN;
  for (guint k = 0; k <= QN; k++)
    qtable[k] = (float) (q[k] / sqrt (var));
  return NULL;
}

/* quantize8 without a call to nearbyintf (not inlined before SSE4.1):
 * adding and taking away 1.5 * 2^23 rounds to the nearest integer, ties
 * to even, as nearbyintf does in the default rounding mode, for |x| <
 * 2^22 (the clamp first keeps x there; the project never builds with
 * -ffast-math, which would fold the two away) */
static inline float
quantize8_fast (float v)
{
  const float magic = 12582912.0f;
  float x = CLAMP (v * 255.0f, -1.0f, 256.0f);
  x = (x + magic) - magic;
  return CLAMP (x, 0.0f, 255.0f) * (1.0f / 255.0f);
}

static inline float
table_gauss (guint32 u)
{
  guint k = u >> (32 - QBITS);
  float f = (float) (u & ((1u << (32 - QBITS)) - 1))
      * (1.0f / (float) (1u << (32 - QBITS)));
  return qtable[k] + f * (qtable[k + 1] - qtable[k]);
}

void
aenn_synth_gaussian_fast (Rng * r, const float *clean, float *noisy, gsize n,
    double sigma, gboolean quantize)
{
  static GOnce once = G_ONCE_INIT;
  float s = (float) (sigma / 255.0);
  gsize i;

  g_once (&once, qtable_init, NULL);
  for (i = 0; i + 1 < n; i += 2) {
    guint64 u = rng_next (r);
    float a = clean[i] + s * table_gauss ((guint32) u);
    float b = clean[i + 1] + s * table_gauss ((guint32) (u >> 32));
    noisy[i] = quantize ? quantize8_fast (a) : a;
    noisy[i + 1] = quantize ? quantize8_fast (b) : b;
  }
  if (i < n) {
    float a = clean[i] + s * table_gauss ((guint32) rng_next (r));
    noisy[i] = quantize ? quantize8_fast (a) : a;
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
