/* Colour noise for training a model whose input is YCbCr: sensor noise is
 * (nearly) independent per R, G and B photosite, and reaches Y, Cb and Cr
 * through the RGB -> YCbCr matrix, so that the three planes' noise is
 * correlated and of unequal strength. aenn_colour_noise_rgb draws it that
 * way; aenn_colour_noise_planes draws the other kind the trainer needs
 * (independent per plane, each plane its own level: a codec's or an ISP's
 * chroma noise). Values on the 0..1 scale, levels (sigma) on the 0..255
 * scale; every draw comes from the caller's Rng, as in noise.h.
 *
 * With the conversion of clean RGB to studio-range 4:2:0 and the yuv420
 * layout's six channels: the trainer's yuv420 samples
 * (denoise/train/samples.c) and the engine's int8 calibration of a yuv420
 * model come from here. */
#ifndef __AENN_SYNTH_COLOUR_NOISE_H__
#define __AENN_SYNTH_COLOUR_NOISE_H__

#include <glib.h>
#include "common/rng.h"

G_BEGIN_DECLS

typedef enum
{
  /* full range (JPEG, JFIF): Y, Cb, Cr each span 0..255 */
  AENN_YCBCR_FULL,
  /* studio range (video, I420 from videoconvert): Y 16..235, Cb and Cr
   * 16..240, that is 219/255 and 224/255 of the full-range values */
  AENN_YCBCR_STUDIO,
} AennYCbCrRange;

/* The linear part of ITU-R BT.601's RGB -> YCbCr (Kr 0.299, Kb 0.114; the
 * offsets do not touch zero-mean noise): m[k][j] is plane k's (Y, Cb, Cr)
 * weight of channel j (R, G, B). */
void aenn_colour_noise_matrix (AennYCbCrRange range, double m[3][3]);

/* The covariance (0..255 scale, levels squared) of the Y, Cb, Cr noise
 * that independent N(0, sigma^2) noise on R, G and B becomes:
 * sigma^2 M M^T. */
void aenn_colour_noise_covariance (AennYCbCrRange range, double sigma,
    double cov[3][3]);

/* noisy[k] = clean[k] + M n for each of the n pixels, n ~ N(0, sigma^2 I)
 * in RGB; clean and noisy are three planes of n values (Y, Cb, Cr), rounded
 * to 8 bits if quantize. levels (may be NULL): each plane's noise level,
 * the root of its variance (0..255), what the network is told. */
void aenn_colour_noise_rgb (Rng * rng, const float *const clean[3],
    float *const noisy[3], gsize n, double sigma, AennYCbCrRange range,
    gboolean quantize, double levels[3]);

/* The same for 4:2:0: the RGB noise is drawn per luma pixel (width x
 * height, both even), Y takes each pixel's, Cb and Cr (width/2 x height/2)
 * the mean of their 2x2 block's, as a box-filtered chroma subsampling
 * does: the chroma noise variance is a quarter of the 4:4:4 one. levels as
 * above. */
void aenn_colour_noise_rgb_420 (Rng * rng, const float *const clean[3],
    float *const noisy[3], guint width, guint height, double sigma,
    AennYCbCrRange range, gboolean quantize, double levels[3]);

/* noisy[k] = clean[k] + N(0, sigma[k]^2), independent per plane and
 * pixel, n values per plane. */
void aenn_colour_noise_planes (Rng * rng, const float *const clean[3],
    float *const noisy[3], gsize n, const double sigma[3],
    gboolean quantize);

/* The same for 4:2:0: clean[0] and noisy[0] width x height, the chroma
 * planes width/2 x height/2 (width and height even). */
void aenn_colour_noise_planes_420 (Rng * rng, const float *const clean[3],
    float *const noisy[3], guint width, guint height, const double sigma[3],
    gboolean quantize);

/* RGB (3, height, width) on 0..1 to studio-range BT.601 Y'CbCr 4:2:0 on
 * 0..1 (Y 16..235, Cb and Cr 16..240 of 255), the chroma of each 2x2
 * block from its mean (a box filter); width and height even. y: (height,
 * width), cb and cr: (height / 2, width / 2). */
void aenn_colour_rgb_to_yuv420 (const float *rgb, guint width, guint height,
    float *y, float *cb, float *cr);
/* Planes of 4:2:0 (luma 2cw x 2ch) to the yuv420 layout's six channels,
 * out: (6, ch, cw). */
void aenn_colour_yuv420_to_channels (const float *y, const float *cb,
    const float *cr, guint cw, guint ch, float *out);

G_END_DECLS

#endif
