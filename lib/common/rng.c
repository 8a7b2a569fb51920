/* The project's random numbers. See rng.h. */
#include "config.h"
#include "common/rng.h"

#include <math.h>

void
rng_init (Rng * r, guint64 seed, guint64 a, guint64 b)
{
  guint64 z = rng_mix64 (seed + G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));

  z = rng_mix64 (z ^ (a + G_GUINT64_CONSTANT (0x632be59bd9b4e019)));
  r->s = rng_mix64 (z ^ (b + G_GUINT64_CONSTANT (0x85157af5a2b4c3e1)));
  r->have_spare = FALSE;
  r->spare = 0.0;
}

guint64
rng_next (Rng * r)
{
  return rng_splitmix64 (&r->s);
}

double
rng_uniform (Rng * r)
{
  return (double) (rng_next (r) >> 11) * (1.0 / 9007199254740992.0);
}

guint
rng_below (Rng * r, guint n)
{
  return (guint) (rng_uniform (r) * n);
}

double
rng_gauss (Rng * r)
{
  /* Marsaglia's polar method: no trigonometry, and the second value of
   * each pair is kept for the next call */
  double u, v, s;
  if (r->have_spare) {
    r->have_spare = FALSE;
    return r->spare;
  }
  do {
    u = 2.0 * rng_uniform (r) - 1.0;
    v = 2.0 * rng_uniform (r) - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  s = sqrt (-2.0 * log (s) / s);
  r->spare = v * s;
  r->have_spare = TRUE;
  return u * s;
}
