/* aenn_heldout: validation of self-supervised training on frames of the
 * user's own footage that training never sees.
 *
 * With no clean frame, two noisy frames a and b of a static scene, with
 * independent zero-mean noise of variance s^2, still tell how far a
 * denoised f(a) is from the clean x: E|f(a) - b|^2 = E|f(a) - x|^2 + s^2
 * and E|a - b|^2 = 2 s^2, so mse(f(a), b) - mse(a, b) / 2 estimates the
 * output's squared error and mse(a, b) / 2 the input's (Noise2Noise's
 * argument, applied to the score instead of the loss). Movement between
 * the two frames counts as error in both, so the gain is a lower bound. */
#ifndef __AENN_HELDOUT_H__
#define __AENN_HELDOUT_H__

#include <glib.h>
#include "denoise/train/train.h"
#include "common/kernel_path.h"

G_BEGIN_DECLS

typedef struct
{
  guint n_pairs;
  double psnr_in;               /* dB: of a against the estimated clean */
  double psnr_out;              /* dB: of f(a), estimated likewise */
  double psnr_next_in;          /* dB: plain PSNR of a against b */
  double psnr_next_out;         /* dB: plain PSNR of f(a) against b */
} AennHeldOutScore;

/* Moves the pairs (i, i + 1) with i % every == every - 2 whose two frames
 * share a sequence number out of *set, which is replaced by a new set of
 * the other frames in their order; returns them (pairs of consecutive
 * frames), or NULL when none qualifies (then *set is unchanged). every
 * must be at least 4. */
AennFrameSet *aenn_held_out_split (AennFrameSet ** set, guint every);

/* Denoises the first frame of every held-back pair with model on path
 * (KERNEL_PATH_AUTO: the default) at noise level sigma (0..255) and scores it
 * against the second. */
gboolean aenn_held_out_score (const AennFrameSet * held,
    const AennModel * model, KernelPath path, double sigma,
    AennHeldOutScore * score, GError ** error);

G_END_DECLS

#endif
