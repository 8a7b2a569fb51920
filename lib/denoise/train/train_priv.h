/* Shared between the trainer's files; not part of the API. */
#ifndef __AENN_TRAIN_PRIV_H__
#define __AENN_TRAIN_PRIV_H__

#include "denoise/train/train.h"

G_BEGIN_DECLS

/* One frame of an AennFrameSet. */
typedef struct
{
  guint8 *data;                 /* (channels, height, width) */
  guint width, height, sequence;
} Frame;

struct _AennFrameSet
{
  guint channels;
  GArray *frames;               /* of Frame */
};

/* Frame i and frame i + 1 form a Noise2Noise pair. */
gboolean aenn_frame_set_pair_at (const AennFrameSet * set, guint i);
/* The first frame of the k-th pair. */
guint aenn_frame_set_nth_pair (const AennFrameSet * set, guint k);

/* Frames smaller than the patch are refused; *n_pairs: Noise2Noise pairs. */
gboolean aenn_frame_set_check (const AennFrameSet * set, guint patch,
    guint * n_pairs, GError ** error);
/* The cache sampler's images. Slot j holds, at step s, generation
 * aenn_leaves_cache_gen (cfg, j, s) of its image, a pure function of (seed,
 * j, generation); two buffers per slot, so that the next generation is
 * rendered while the current one is cropped. */
typedef struct
{
  guint n, side, channels;
  float *buf;                   /* (n, 2, channels, side, side) */
  guint64 *gen;                 /* (n, 2); G_MAXUINT64: empty */
  const float **cur;            /* (n): this step's image of each slot */
} AennLeavesCache;

/* The side of a patch in luma (frame) pixels: the patch itself for the
 * plane layout, twice it for yuv420 (whose channels are at chroma
 * resolution). */
guint aenn_train_luma_patch (const AennTrainConfig * cfg,
    AennInputLayout layout);
/* Cached images are in frame pixels: RGB for yuv420 models. */
guint aenn_leaves_cache_side (const AennTrainConfig * cfg,
    AennInputLayout layout);
guint64 aenn_leaves_cache_gen (const AennTrainConfig * cfg, guint slot,
    guint64 step);
/* out: (channels, side, side) */
void aenn_leaves_cache_render (const AennTrainConfig * cfg,
    AennInputLayout layout, guint channels, guint slot, guint64 gen,
    float *out);
/* aenn_train_make_sample (plane layout) or aenn_train_make_sample_yuv420
 * with the images of step `step` (cache->cur), or rendering the one it
 * needs when cache is NULL. sigma: (C) each input channel's noise level. */
void aenn_train_make_sample_cached (const AennTrainConfig * cfg,
    const AennFrameSet * frames, const AennLeavesCache * cache,
    AennInputLayout layout, guint C, guint64 step, guint index, float *input,
    float *target, float *mask, float *sigma);

/* Blind-spot pixels per patch in n2v mode. */
guint aenn_n2v_count (const AennTrainConfig * cfg);

G_END_DECLS

#endif
