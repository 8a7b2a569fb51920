/* rng: the project's one random number generator, so that every seeded
 * result (k-means starts, training samples, dead leaves, initial weights,
 * calibration frames) is the same on every platform.
 *
 * splitmix64 (Steele, Lea and Flood 2014): a 64-bit counter stepped by the
 * golden ratio and passed through a mixing function. Rng is a stream of it
 * for a tuple (seed, a, b); k-means draws from xoshiro256** (kmeans.c),
 * which is seeded from rng_splitmix64 as its authors recommend. */
#ifndef __RNG_H__
#define __RNG_H__

#include <glib.h>

G_BEGIN_DECLS

/* splitmix64's finaliser: a bijection of 64-bit words that scatters
 * nearby inputs. */
static inline guint64
rng_mix64 (guint64 z)
{
  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

/* The next value of the splitmix64 stream whose state is *state. */
static inline guint64
rng_splitmix64 (guint64 * state)
{
  return rng_mix64 (*state += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));
}

typedef struct
{
  guint64 s;
  double spare;                 /* rng_gauss's second value */
  gboolean have_spare;
} Rng;

/* a stream for (seed, a, b): distinct inputs give unrelated streams */
void rng_init (Rng * r, guint64 seed, guint64 a, guint64 b);
guint64 rng_next (Rng * r);
double rng_uniform (Rng * r);   /* [0, 1) */
guint rng_below (Rng * r, guint n);     /* [0, n) */
double rng_gauss (Rng * r);     /* N(0, 1) */

G_END_DECLS

#endif
