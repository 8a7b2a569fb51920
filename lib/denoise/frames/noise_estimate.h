/* aenn_noise: estimates the standard deviation of the white noise in one
 * plane of an 8-bit frame, from that frame alone, in a few milliseconds.
 *
 * Method: Immerkaer's operator (1996), the separable second difference
 * [1 -2 1]' [1 -2 1] / 6, removes any image content that is linear along
 * rows or along columns, so that on white noise of deviation sigma its
 * output has deviation sigma. It is taken on every other row inside blocks
 * of 16x16 pixels, on every other row of blocks (fewer on large planes,
 * so that about 2000 blocks are read: every third at 1080p); each block
 * gives the mean square of its outputs. Blocks where more than 5% of the
 * samples sit at 0 or 255 are left out (clipping hides the noise there). Edges and texture only raise a block's value, so
 * the estimate is the 10th percentile of the blocks, divided by what that
 * percentile is on pure noise (0.786 sigma^2, measured on 5 frames of
 * 1920x1088 Gaussian noise). Measured accuracy: tests/lib/denoise/frames/test_noise_estimate.c
 * (generated frames with shapes, gradients and texture, sigma 5 to 50,
 * clipped and rounded: within 10%, in practice about 3%).
 *
 * Limits: the noise is assumed white and signal-independent; texture with
 * energy at the highest frequencies on more than about 90% of the frame
 * reads as noise. */
#ifndef __AENN_NOISE_H__
#define __AENN_NOISE_H__

#include <glib.h>

G_BEGIN_DECLS

#define AENN_NOISE_BLOCK 16

/* Floats of scratch aenn_noise_estimate needs for a plane of this size. */
gsize aenn_noise_scratch_size (guint width, guint height);

/* plane: (height) rows of (width) samples on the 0..1 scale (an 8-bit
 * sample s as s / 255), rows stride floats apart. Returns sigma on the
 * 0..255 scale, or -1 when the plane is too small (under 18x18 pixels) or
 * clipped nearly everywhere. */
float aenn_noise_estimate (const float *plane, gsize stride, guint width,
    guint height, float *scratch);

G_END_DECLS

#endif
