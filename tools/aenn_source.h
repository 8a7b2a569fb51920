/* aenn_source: frames for the trainer from what GStreamer can decode: a
 * folder of images, a video file or URI, or a pipeline description. */
#ifndef __AENN_SOURCE_H__
#define __AENN_SOURCE_H__

#include <glib.h>
#include "denoise/train/train.h"

G_BEGIN_DECLS

typedef struct
{
  guint max_frames;             /* stop after this many frames (0: all) */
  guint frame_step;             /* keep every frame_step-th frame (>= 1) */
  /* a video's frames share a sequence number (the Noise2Noise pairs)
   * until the mean absolute difference of two consecutive kept frames
   * exceeds what their noise explains (about 1.13 sigma for two
   * independent noisy copies) by more than cut_levels (0..255 scale) */
  double cut_levels;
  /* if not NULL, each added frame's noise level (double, 0..255 scale,
   * lib/denoise/frames/noise_estimate averaged over channels; -1 where it gives none) is
   * appended here */
  GArray *sigmas;
} AennSourceOptions;

void aenn_source_options_init (AennSourceOptions * opt);

/* Adds the images of folder dir (every regular file, in name order, each
 * image its own sequence) to set, converted to grey or RGB to match the
 * set's channels (1 or 3). Files GStreamer cannot decode are an error that
 * names them. *n_added: images added. */
gboolean aenn_source_add_images (AennFrameSet * set, const gchar * dir,
    const AennSourceOptions * opt, guint * n_added, GError ** error);

/* Adds the frames of a video: src is a pipeline description when it holds
 * a '!' (its last element's output is converted and taken), else a URI
 * when GStreamer takes it as one, else a file name. *sequence is the
 * sequence number to start from and is advanced past the last one used;
 * *n_added frames added, *n_scenes sequences they form. */
gboolean aenn_source_add_video (AennFrameSet * set, const gchar * src,
    const AennSourceOptions * opt, guint * sequence, guint * n_added,
    guint * n_scenes, GError ** error);

/* Adds the photograph training set in folder dir, as tools/aenn-photos
 * writes it (the photos of models/photos.tsv, each at several downscales:
 * the scale augmentation; crops, flips and rotations come from the
 * sampler). When dir does not exist or holds no PNG, runs the builder
 * first: builder, else $AENN_PHOTOS, else the source tree's
 * tools/aenn-photos, else the installed one; its own messages (what it
 * wrote, or which package is missing) go to the terminal. Every image is
 * taken (opt->max_frames does not apply). *n_added: images added. */
gboolean aenn_source_add_photos (AennFrameSet * set, const gchar * dir,
    const gchar * builder, const AennSourceOptions * opt, guint * n_added,
    GError ** error);

/* The median of the estimates in sigmas (options' array) that are not -1;
 * -1 if there is none. */
double aenn_source_median_sigma (GArray * sigmas);

G_END_DECLS

#endif
