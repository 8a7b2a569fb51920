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
/* Blind-spot pixels per patch in n2v mode. */
guint aenn_n2v_count (const AennTrainConfig * cfg);

G_END_DECLS

#endif
