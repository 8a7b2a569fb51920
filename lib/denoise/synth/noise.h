/* Synthetic camera noise added to clean samples: what the trainer learns
 * to remove and what the int8 path calibrates on. Values on the 0..1
 * scale, levels (sigma) on the 0..255 scale; every draw comes from the
 * caller's Rng, so a sample is a pure function of its stream. */
#ifndef __AENN_SYNTH_NOISE_H__
#define __AENN_SYNTH_NOISE_H__

#include <glib.h>
#include "common/rng.h"

G_BEGIN_DECLS

/* noisy = clean + N(0, sigma/255), rounded to 8 bits if quantize. */
void aenn_synth_gaussian (Rng * rng, const float *clean, float *noisy,
    gsize n, double sigma, gboolean quantize);

/* The same, with N(0, 1) from a table instead of the polar method: the
 * quantile function at 4097 points, linear between them, rescaled to unit
 * variance and cut near 3.8 sigma (values beyond happen 1 in 7,000 and
 * hardly matter after 8-bit rounding); two values from each 64-bit draw, a
 * few nanoseconds each where rng_gauss takes about 20. The trainer's
 * "cache" sampler uses it. */
void aenn_synth_gaussian_fast (Rng * rng, const float *clean, float *noisy,
    gsize n, double sigma, gboolean quantize);

/* var = a x + b^2: a total level s drawn from [sigma_min, sigma_max], a
 * share f of its variance signal-dependent (equal to s^2 at x = 1/2).
 * Returns the level the network is told: the root of the mean variance
 * over the n values, 0..255 scale. */
float aenn_synth_poisson_gaussian (Rng * rng, double sigma_min,
    double sigma_max, const float *clean, float *noisy, gsize n,
    gboolean quantize);

G_END_DECLS

#endif
