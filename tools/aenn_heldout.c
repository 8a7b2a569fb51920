/* aenn_heldout: noisy-to-noisy validation on held-back frames (see the
 * header for the estimator). */
#include "config.h"
#include "aenn_heldout.h"
#include "denoise/engine/engine.h"

#include <math.h>

static gboolean
copy_frame (AennFrameSet * dst, const AennFrameSet * src, guint i)
{
  guint w, h, seq, C = aenn_frame_set_get_channels (src);
  const guint8 *f = aenn_frame_set_get_frame (src, i, &w, &h, &seq);
  const guint8 *planes[4];

  for (guint c = 0; c < C; c++)
    planes[c] = f + (gsize) c * w * h;
  return aenn_frame_set_add (dst, planes, w, w, h, seq, NULL);
}

AennFrameSet *
aenn_held_out_split (AennFrameSet ** set, guint every)
{
  AennFrameSet *src = *set, *train, *held;
  guint n = aenn_frame_set_get_n_frames (src);
  guint C = aenn_frame_set_get_channels (src);
  gboolean *out = g_new0 (gboolean, MAX (n, 1));
  guint n_held = 0;

  g_return_val_if_fail (every >= 4, NULL);
  for (guint i = every - 2; i + 1 < n; i += every) {
    guint s0, s1, w0, h0, w1, h1;
    aenn_frame_set_get_frame (src, i, &w0, &h0, &s0);
    aenn_frame_set_get_frame (src, i + 1, &w1, &h1, &s1);
    if (s0 == s1 && w0 == w1 && h0 == h1) {
      out[i] = out[i + 1] = TRUE;
      n_held += 2;
    }
  }
  if (n_held == 0) {
    g_free (out);
    return NULL;
  }
  train = aenn_frame_set_new (C);
  held = aenn_frame_set_new (C);
  /* the sizes were accepted once: copies cannot fail */
  for (guint i = 0; i < n; i++)
    copy_frame (out[i] ? held : train, src, i);
  g_free (out);
  aenn_frame_set_free (src);
  *set = train;
  return held;
}

static double
psnr_of (double mse)
{
  return 10.0 * log10 (1.0 / MAX (mse, 1e-12));
}

gboolean
aenn_held_out_score (const AennFrameSet * held, const AennModel * model,
    KernelPath path, double sigma, AennHeldOutScore * score, GError ** error)
{
  guint n = aenn_frame_set_get_n_frames (held);
  guint C = model->in_channels;
  AennPlan *plan;
  double se_in = 0.0, se_out = 0.0, count = 0.0;

  if (aenn_frame_set_get_channels (held) != C || n < 2) {
    g_set_error (error, AENN_ERROR, AENN_ERROR_DATA, "held-back frames: %u "
        "frames of %u channels for a model of %u", n,
        aenn_frame_set_get_channels (held), C);
    return FALSE;
  }
  plan = aenn_plan_new (model, path, error);
  if (plan == NULL)
    return FALSE;
  for (guint i = 0; i + 1 < n; i += 2) {
    guint w, h, seq, w1, h1, seq1;
    const guint8 *a = aenn_frame_set_get_frame (held, i, &w, &h, &seq);
    const guint8 *b = aenn_frame_set_get_frame (held, i + 1, &w1, &h1, &seq1);
    gsize plane = (gsize) w * h;
    float *in = g_new (float, C * plane), *res = g_new (float, C * plane);
    const float *src[4];
    float *dst[4];

    if (!aenn_plan_prepare (plan, w, h, NULL, 0, error)) {
      g_free (in);
      g_free (res);
      aenn_plan_free (plan);
      return FALSE;
    }
    for (gsize j = 0; j < C * plane; j++)
      in[j] = a[j] / 255.0f;
    for (guint c = 0; c < C; c++) {
      src[c] = in + c * plane;
      dst[c] = res + c * plane;
    }
    aenn_plan_process (plan, src, w, dst, w, (float) sigma);
    for (gsize j = 0; j < C * plane; j++) {
      /* the element stores 8-bit samples: score what it would output */
      double o = CLAMP (round (res[j] * 255.0), 0.0, 255.0);
      double di = ((double) a[j] - b[j]) / 255.0, d = (o - b[j]) / 255.0;
      se_in += di * di;
      se_out += d * d;
    }
    count += (double) C * plane;
    g_free (in);
    g_free (res);
  }
  aenn_plan_free (plan);
  score->n_pairs = n / 2;
  score->psnr_next_in = psnr_of (se_in / count);
  score->psnr_next_out = psnr_of (se_out / count);
  score->psnr_in = psnr_of (se_in / count / 2.0);
  score->psnr_out = psnr_of (se_out / count - se_in / count / 2.0);
  if (!isfinite (se_out)) {
    g_set_error (error, AENN_ERROR, AENN_ERROR_DIVERGED, "held-back frames: "
        "the output is not finite");
    return FALSE;
  }
  return TRUE;
}
