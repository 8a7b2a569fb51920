/* Caller frames for the trainer: images or video, 8-bit planes, with the
 * Noise2Noise pairs among them. */
#include "config.h"
#include "denoise/train/train_priv.h"
#include "common/limits.h"

#include <string.h>

AennFrameSet *
aenn_frame_set_new (guint channels)
{
  AennFrameSet *s;
  g_return_val_if_fail (channels >= 1 && channels <= 4, NULL);
  s = g_new0 (AennFrameSet, 1);
  s->channels = channels;
  s->frames = g_array_new (FALSE, FALSE, sizeof (Frame));
  return s;
}

void
aenn_frame_set_free (AennFrameSet * s)
{
  if (s == NULL)
    return;
  for (guint i = 0; i < s->frames->len; i++)
    g_free (g_array_index (s->frames, Frame, i).data);
  g_array_free (s->frames, TRUE);
  g_free (s);
}

gboolean
aenn_frame_set_add (AennFrameSet * s, const guint8 * const *planes,
    gsize stride, guint width, guint height, guint sequence, GError ** error)
{
  Frame f;
  gsize plane;

  if (width == 0 || height == 0 || width > MAX_FRAME_SIDE
      || height > MAX_FRAME_SIDE || stride < width) {
    g_set_error (error, AENN_ERROR, AENN_ERROR_SIZE, "frame %u: size %ux%u "
        "(stride %" G_GSIZE_FORMAT ") not within 1x1..%ux%u with "
        "stride >= width", s->frames->len, width, height, stride,
        MAX_FRAME_SIDE, MAX_FRAME_SIDE);
    return FALSE;
  }
  plane = ((gsize) width) * height;
  f.data = g_malloc ((gsize) s->channels * plane);
  f.width = width;
  f.height = height;
  f.sequence = sequence;
  for (guint c = 0; c < s->channels; c++)
    for (guint y = 0; y < height; y++)
      memcpy (f.data + c * plane + (gsize) y * width, planes[c] + y * stride,
          width);
  g_array_append_val (s->frames, f);
  return TRUE;
}

guint
aenn_frame_set_get_n_frames (const AennFrameSet * s)
{
  return s->frames->len;
}

const guint8 *
aenn_frame_set_get_frame (const AennFrameSet * s, guint i, guint * width,
    guint * height, guint * sequence)
{
  const Frame *f;
  if (i >= s->frames->len)
    return NULL;
  f = &g_array_index (s->frames, Frame, i);
  *width = f->width;
  *height = f->height;
  *sequence = f->sequence;
  return f->data;
}

guint
aenn_frame_set_get_channels (const AennFrameSet * s)
{
  return s->channels;
}

gboolean
aenn_frame_set_pair_at (const AennFrameSet * s, guint i)
{
  return i + 1 < s->frames->len
      && g_array_index (s->frames, Frame, i + 1).sequence
      == g_array_index (s->frames, Frame, i).sequence;
}

gboolean
aenn_frame_set_check (const AennFrameSet * s, guint patch, guint * n_pairs,
    GError ** error)
{
  *n_pairs = 0;
  for (guint i = 0; i < s->frames->len; i++) {
    const Frame *f = &g_array_index (s->frames, Frame, i);
    if (f->width < patch || f->height < patch) {
      g_set_error (error, AENN_ERROR, AENN_ERROR_SIZE, "frame %u is %ux%u, "
          "smaller than the %u-pixel patch", i, f->width, f->height, patch);
      return FALSE;
    }
    if (aenn_frame_set_pair_at (s, i)) {
      const Frame *g = f + 1;
      if (g->width != f->width || g->height != f->height) {
        g_set_error (error, AENN_ERROR, AENN_ERROR_SIZE, "frames %u (%ux%u) "
            "and %u (%ux%u) of sequence %u differ in size", i, f->width,
            f->height, i + 1, g->width, g->height, f->sequence);
        return FALSE;
      }
      (*n_pairs)++;
    }
  }
  return TRUE;
}

guint
aenn_frame_set_nth_pair (const AennFrameSet * s, guint k)
{
  for (guint i = 0; i < s->frames->len; i++)
    if (aenn_frame_set_pair_at (s, i) && k-- == 0)
      return i;
  g_return_val_if_reached (0);
}
