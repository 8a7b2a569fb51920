/* Frames through the denoiser. See denoise/frames/denoiser.h.
 *
 * Loads and stores run over bands of BAND_ROWS frame rows spread over the
 * pool (each band converts the luma rows and the chroma rows that go with
 * them); the network runs plane after plane, each spread over the pool by
 * the engine. */
#include "config.h"
#include "denoise/frames/denoiser.h"
#include "common/limits.h"
#include "denoise/engine/engine.h"
#include "denoise/frames/pack.h"
#include "denoise/kernels/kernels.h"
#include "denoise/frames/noise_estimate.h"
#include "denoise/frames/temporal.h"

#include <string.h>

#define BAND_ROWS 32            /* even: 4:2:0 chroma rows pair up */
#define ALIGN_FLOATS 16         /* plane rows start 64 bytes apart */

struct _AennDenoiser
{
  const AennModel *model;
  KernelPath path;
  const AennPackKernels *pk;
  const AennKernels *k;
  WorkerPool *pool;
  guint n_threads;
  AennPlan *plan[2];            /* luma size, chroma size (if it differs) */

  /* set by set_format */
  gboolean have_format;
  const VideoFormat *fmt;
  guint width, height;
  guint cw[3], ch[3];           /* channel sizes */
  gsize fs[3];                  /* float plane row strides */
  float *src[3], *dst[3];       /* (ch, fs) each */
  gsize row_floats;
  float *rows;                  /* (n_threads, row_floats) scratch rows */
  float *zero;                  /* (row_floats) zeros, never written */
  float *noise_scratch[3];      /* one per channel */
  float noise[3];               /* estimates of the frame in flight */
  guint n_bands;

  /* joint models (layout yuv420): the luma's 2x2 phases at chroma size,
   * input and output, rows fs[1] floats apart; which channel holds Cb */
  gboolean joint;
  float *phase_src[4], *phase_dst[4];   /* (ch[1], fs[1]) each */
  guint cb_channel;

  /* temporal mode: the state of the frames before (set_format makes it) */
  gboolean temporal_on;
  AennTemporal *temporal;
  AennTemporalEvent temporal_event;

  /* the frame in flight */
  const VideoImage *in;
  VideoImage *out;
  float strength;
};

/* ---- life cycle ---- */

static void
free_format (AennDenoiser * den)
{
  for (guint c = 0; c < 3; c++) {
    g_clear_pointer (&den->src[c], g_aligned_free);
    g_clear_pointer (&den->dst[c], g_aligned_free);
  }
  g_clear_pointer (&den->rows, g_aligned_free);
  g_clear_pointer (&den->zero, g_aligned_free);
  for (guint c = 0; c < 3; c++)
    g_clear_pointer (&den->noise_scratch[c], g_free);
  for (guint i = 0; i < 4; i++) {
    g_clear_pointer (&den->phase_src[i], g_aligned_free);
    g_clear_pointer (&den->phase_dst[i], g_aligned_free);
  }
  g_clear_pointer (&den->temporal, aenn_temporal_free);
}

static guint
resolve_threads (guint n_threads)
{
  if (n_threads == 0)
    n_threads = g_get_num_processors ();
  return CLAMP (n_threads, 1, MAX_THREADS);
}

AennDenoiser *
aenn_denoiser_new (const AennModel * model, KernelPath path, guint n_threads,
    GError ** error)
{
  AennDenoiser *den;

  if (model->in_channels != 1 && model->layout != AENN_INPUT_YUV420) {
    g_set_error (error, AENN_ERROR, AENN_ERROR_ARCHITECTURE,
        "the model takes %u channels and no frame layout; aedenoise runs "
        "models of one plane (in_channels 1) or of layout yuv420",
        model->in_channels);
    return NULL;
  }
  if (path == KERNEL_PATH_AUTO)
    path = kernel_path_default ();
  den = g_new0 (AennDenoiser, 1);
  den->model = model;
  den->path = path;
  den->pk = aenn_pack_kernels_get (path);
  den->k = aenn_kernels_get (path);
  /* luma size, and chroma size where it differs */
  for (guint i = 0; i < 2; i++) {
    den->plan[i] = aenn_plan_new (model, path, error);
    if (den->plan[i] == NULL) {
      aenn_denoiser_free (den);
      return NULL;
    }
  }
  den->n_threads = resolve_threads (n_threads);
  den->pool = worker_pool_new (den->n_threads);
  return den;
}

void
aenn_denoiser_free (AennDenoiser * den)
{
  if (den == NULL)
    return;
  free_format (den);
  aenn_plan_free (den->plan[0]);
  aenn_plan_free (den->plan[1]);
  worker_pool_free (den->pool);
  g_free (den);
}

KernelPath
aenn_denoiser_get_path (const AennDenoiser * den)
{
  return den->path;
}

guint
aenn_denoiser_get_n_threads (const AennDenoiser * den)
{
  return den->n_threads;
}

guint
aenn_denoiser_get_n_channels (const AennDenoiser * den)
{
  return den->have_format ? den->fmt->n_channels : 0;
}

static gboolean
chroma_has_own_plan (const AennDenoiser * den)
{
  return !den->joint && den->fmt->n_channels > 1 && (den->cw[1] != den->cw[0]
      || den->ch[1] != den->ch[0]);
}

static gboolean
prepare_plans (AennDenoiser * den, GError ** error)
{
  /* a joint model runs once, at chroma size */
  if (den->joint)
    return aenn_plan_prepare (den->plan[0], den->cw[1], den->ch[1],
        den->pool, 0, error);
  if (!aenn_plan_prepare (den->plan[0], den->width, den->height, den->pool,
          0, error))
    return FALSE;
  if (chroma_has_own_plan (den)
      && !aenn_plan_prepare (den->plan[1], den->cw[1], den->ch[1], den->pool,
          0, error))
    return FALSE;
  return TRUE;
}

gboolean
aenn_denoiser_set_n_threads (AennDenoiser * den, guint n_threads,
    GError ** error)
{
  n_threads = resolve_threads (n_threads);
  if (n_threads == den->n_threads)
    return TRUE;
  worker_pool_free (den->pool);
  den->n_threads = n_threads;
  den->pool = worker_pool_new (n_threads);
  if (!den->have_format)
    return TRUE;
  /* the scratch rows are per thread */
  g_clear_pointer (&den->rows, g_aligned_free);
  den->rows = g_aligned_alloc0 (den->row_floats * n_threads, sizeof (float),
      64);
  if (!prepare_plans (den, error)) {
    den->have_format = FALSE;
    return FALSE;
  }
  return TRUE;
}

gboolean
aenn_denoiser_set_format (AennDenoiser * den, const VideoFormat * fmt,
    guint width, guint height, GError ** error)
{
  free_format (den);
  den->have_format = FALSE;
  /* the engine's limit; it also keeps every product below in range */
  if (width == 0 || height == 0 || width > MAX_FRAME_SIDE
      || height > MAX_FRAME_SIDE) {
    g_set_error (error, AENN_ERROR, AENN_ERROR_SIZE,
        "frame size %ux%u not within 1x1..%ux%u", width, height,
        MAX_FRAME_SIDE, MAX_FRAME_SIDE);
    return FALSE;
  }
  den->joint = den->model->layout == AENN_INPUT_YUV420;
  if (den->joint && !((fmt->layout == VIDEO_LAYOUT_PLANAR
              || fmt->layout == VIDEO_LAYOUT_SEMIPLANAR) && fmt->x_sub == 1
          && fmt->y_sub == 1)) {
    g_set_error (error, AENN_ERROR, AENN_ERROR_ARCHITECTURE,
        "a model of layout yuv420 takes 4:2:0 frames (I420, YV12, NV12, "
        "NV21), not %s", fmt->name);
    return FALSE;
  }
  den->fmt = fmt;
  den->width = width;
  den->height = height;
  for (guint c = 0; c < fmt->n_channels; c++)
    video_format_channel_size (fmt, width, height, c, &den->cw[c], &den->ch[c]);
  for (guint c = 0; c < fmt->n_channels; c++) {
    /* packed 4:2:2 loads whole pairs: the luma of an odd width's last,
     * half-used pair too */
    den->fs[c] = den->cw[c];
    /* packed 4:2:2 and joint 4:2:0: a column past an odd width */
    if (c == 0 && (fmt->layout == VIDEO_LAYOUT_PACKED422 || den->joint))
      den->fs[c] = 2 * den->cw[1];
    den->fs[c] = (den->fs[c] + ALIGN_FLOATS - 1) / ALIGN_FLOATS * ALIGN_FLOATS;
    den->src[c] = g_aligned_alloc0 (den->fs[c] * den->ch[c], sizeof (float),
        64);
    den->dst[c] = g_aligned_alloc0 (den->fs[c] * den->ch[c], sizeof (float),
        64);
    den->noise_scratch[c] = g_new (float,
        aenn_noise_scratch_size (den->cw[c], den->ch[c]));
  }
  den->row_floats = den->fs[0] + ALIGN_FLOATS;
  den->rows = g_aligned_alloc0 (den->row_floats * den->n_threads,
      sizeof (float), 64);
  den->zero = g_aligned_alloc0 (den->row_floats, sizeof (float), 64);
  if (den->joint) {
    /* memory order of the chroma channels: Cb first but in YV12 and NV21 */
    den->cb_channel = fmt->layout == VIDEO_LAYOUT_PLANAR ? fmt->plane[1]
        : fmt->v_first ? 2 : 1;
    for (guint i = 0; i < 4; i++) {
      den->phase_src[i] = g_aligned_alloc0 (den->fs[1] * den->ch[1],
          sizeof (float), 64);
      den->phase_dst[i] = g_aligned_alloc0 (den->fs[1] * den->ch[1],
          sizeof (float), 64);
    }
  }
  den->n_bands = (height + BAND_ROWS - 1) / BAND_ROWS;
  if (den->temporal_on)
    den->temporal = aenn_temporal_new (den->path, fmt->n_channels, den->cw,
        den->ch);
  g_debug ("denoiser: %s %ux%u, %u channels, %s", fmt->name, width, height,
      fmt->n_channels, fmt->n_channels > 1 && (den->cw[1] != width
          || den->ch[1] != height) ? "chroma with a plan of its own" :
      "one plan for every channel");
  if (!prepare_plans (den, error)) {
    free_format (den);
    return FALSE;
  }
  den->have_format = TRUE;
  return TRUE;
}

/* ---- the steps ---- */

/* Rows [*r0, *r1) of channel c that frame rows [y0, y1) cover. */
static void
band_rows (const AennDenoiser * den, guint c, guint y0, guint y1, guint * r0,
    guint * r1)
{
  guint ys = c > 0 ? den->fmt->y_sub : 0;

  *r0 = y0 >> ys;
  *r1 = MIN ((y1 + (1u << ys) - 1) >> ys, den->ch[c]);
}

static inline float *
frow (float *plane, gsize fs, guint y)
{
  return plane + ((gsize) y) * fs;
}

static inline guint8 *
irow (const VideoImage * im, guint p, guint y)
{
  return im->data[p] + ((gssize) y) * im->stride[p];
}

#define SCALE (1.0f / 255.0f)

static void
load_band (guint task, guint worker, gpointer user_data)
{
  AennDenoiser *den = user_data;
  const AennPackKernels *pk = den->pk;
  const VideoImage *in = den->in;
  guint y0 = task * BAND_ROWS, y1 = MIN (y0 + BAND_ROWS, den->height);
  float *tmp = den->rows + worker * den->row_floats;
  guint r0, r1;

  switch (den->fmt->layout) {
    case VIDEO_LAYOUT_GRAY:
    case VIDEO_LAYOUT_PLANAR:
      for (guint c = 0; c < den->fmt->n_channels; c++) {
        band_rows (den, c, y0, y1, &r0, &r1);
        for (guint y = r0; y < r1; y++)
          pk->u8_to_f32 (frow (den->src[c], den->fs[c], y), irow (in, c, y),
              SCALE, (int) den->cw[c]);
      }
      break;
    case VIDEO_LAYOUT_SEMIPLANAR:
      for (guint y = y0; y < y1; y++)
        pk->u8_to_f32 (frow (den->src[0], den->fs[0], y), irow (in, 0, y),
            SCALE, (int) den->width);
      band_rows (den, 1, y0, y1, &r0, &r1);
      for (guint y = r0; y < r1; y++)
        pk->unpack2_f32 (frow (den->src[1], den->fs[1], y),
            frow (den->src[2], den->fs[2], y),
            (const guint16 *) irow (in, 1, y), SCALE, (int) den->cw[1]);
      break;
    case VIDEO_LAYOUT_PACKED422:
      /* pairs (Y, C) or (C, Y); C alternates U and V */
      for (guint y = y0; y < y1; y++) {
        float *ly = frow (den->src[0], den->fs[0], y);
        guint n = 2 * den->cw[1];
        if (den->fmt->pos[0] == 0)
          pk->unpack2_f32 (ly, tmp, (const guint16 *) irow (in, 0, y), SCALE,
              (int) n);
        else
          pk->unpack2_f32 (tmp, ly, (const guint16 *) irow (in, 0, y), SCALE,
              (int) n);
        den->k->deinterleave2_f32 (frow (den->src[1], den->fs[1], y), 0,
            frow (den->src[2], den->fs[2], y), 0, tmp, 0, (int) den->cw[1], 1);
      }
      break;
    case VIDEO_LAYOUT_PACKED4:{
      /* the kept byte's floats go to the scratch row */
      guint k = den->fmt->pos[3], c = 0;
      for (guint y = y0; y < y1; y++) {
        float *d[4];
        c = 0;
        for (guint b = 0; b < 4; b++) {
          if (b == k)
            d[b] = tmp;
          else {
            d[b] = frow (den->src[c], den->fs[c], y);
            c++;
          }
        }
        pk->unpack4_f32 (d[0], d[1], d[2], d[3],
            (const guint32 *) irow (in, 0, y), SCALE, (int) den->width);
      }
      break;
    }
    case VIDEO_LAYOUT_PACKED3:
      for (guint y = y0; y < y1; y++)
        pk->unpack3_f32 (frow (den->src[0], den->fs[0], y),
            frow (den->src[1], den->fs[1], y),
            frow (den->src[2], den->fs[2], y), irow (in, 0, y), SCALE,
            (int) den->width);
      break;
  }
}

static void
store_band (guint task, guint worker, gpointer user_data)
{
  AennDenoiser *den = user_data;
  const AennPackKernels *pk = den->pk;
  const VideoImage *in = den->in;
  VideoImage *out = den->out;
  const float t = den->strength;
  guint y0 = task * BAND_ROWS, y1 = MIN (y0 + BAND_ROWS, den->height);
  float *tmp = den->rows + worker * den->row_floats;
  guint r0, r1;

  switch (den->fmt->layout) {
    case VIDEO_LAYOUT_GRAY:
    case VIDEO_LAYOUT_PLANAR:
      for (guint c = 0; c < den->fmt->n_channels; c++) {
        band_rows (den, c, y0, y1, &r0, &r1);
        for (guint y = r0; y < r1; y++)
          pk->blend_u8 (irow (out, c, y), irow (in, c, y),
              frow (den->dst[c], den->fs[c], y), t, (int) den->cw[c]);
      }
      break;
    case VIDEO_LAYOUT_SEMIPLANAR:
      for (guint y = y0; y < y1; y++)
        pk->blend_u8 (irow (out, 0, y), irow (in, 0, y),
            frow (den->dst[0], den->fs[0], y), t, (int) den->width);
      band_rows (den, 1, y0, y1, &r0, &r1);
      for (guint y = r0; y < r1; y++)
        pk->blend2_u8 ((guint16 *) irow (out, 1, y),
            (const guint16 *) irow (in, 1, y),
            frow (den->dst[1], den->fs[1], y),
            frow (den->dst[2], den->fs[2], y), t, (int) den->cw[1]);
      break;
    case VIDEO_LAYOUT_PACKED422:
      for (guint y = y0; y < y1; y++) {
        const float *ly = frow (den->dst[0], den->fs[0], y);
        guint n = 2 * den->cw[1];
        den->k->interleave2_f32 (tmp, 0, frow (den->dst[1], den->fs[1], y),
            0, frow (den->dst[2], den->fs[2], y), 0, (int) den->cw[1], 1);
        pk->blend2_u8 ((guint16 *) irow (out, 0, y),
            (const guint16 *) irow (in, 0, y), den->fmt->pos[0] == 0 ? ly : tmp,
            den->fmt->pos[0] == 0 ? tmp : ly, t, (int) n);
      }
      break;
    case VIDEO_LAYOUT_PACKED4:{
      /* the kept byte blends with zeros at strength 0: itself, exactly */
      guint k = den->fmt->pos[3];
      float tb[4];
      for (guint b = 0; b < 4; b++)
        tb[b] = b == k ? 0.0f : t;
      for (guint y = y0; y < y1; y++) {
        const float *n[4];
        guint c = 0;
        guint32 *half = (guint32 *) tmp;
        for (guint b = 0; b < 4; b++) {
          if (b == k)
            n[b] = den->zero;
          else {
            n[b] = frow (den->dst[c], den->fs[c], y);
            c++;
          }
        }
        /* through a scratch row: ORC's arrays are restrict */
        pk->blend4lo_u8 (half, (const guint32 *) irow (in, 0, y), n[0],
            n[1], tb[0], tb[1], (int) den->width);
        pk->blend4hi_u8 ((guint32 *) irow (out, 0, y), half, n[2], n[3],
            tb[2], tb[3], (int) den->width);
      }
      break;
    }
    case VIDEO_LAYOUT_PACKED3:
      for (guint y = y0; y < y1; y++)
        pk->blend3_u8 (irow (out, 0, y), irow (in, 0, y),
            frow (den->dst[0], den->fs[0], y),
            frow (den->dst[1], den->fs[1], y),
            frow (den->dst[2], den->fs[2], y), t, (int) den->width);
      break;
  }
}

void
aenn_denoiser_load (AennDenoiser * den, const VideoImage * in)
{
  g_return_if_fail (den->have_format);
  den->in = in;
  worker_pool_run (den->pool, den->n_bands, load_band, den);
  den->in = NULL;
}

static void
estimate_channel (guint c, guint worker, gpointer user_data)
{
  AennDenoiser *den = user_data;

  den->noise[c] = aenn_noise_estimate (den->src[c], den->fs[c], den->cw[c],
      den->ch[c], den->noise_scratch[c]);
}

void
aenn_denoiser_estimate (AennDenoiser * den,
    float sigma[AENN_MAX_CHANNELS_PER_FRAME])
{
  g_return_if_fail (den->have_format);
  /* a channel per task: luma on one thread, chroma on another */
  worker_pool_run (den->pool, den->fmt->n_channels, estimate_channel, den);
  for (guint c = 0; c < AENN_MAX_CHANNELS_PER_FRAME; c++)
    sigma[c] = c < den->fmt->n_channels ? den->noise[c] : -1.0f;
}

/* Below GATE_SIGMA (0..255 scale) the network's change to a plane is
 * scaled by sigma / GATE_SIGMA, and at 0 the plane skips the network: a
 * frame without noise comes back as it went in. The shipped models were
 * measured to change clean frames by up to 27 levels at sigma 0, by less
 * at sigma 4 (bench/aenn-clean-input.py, docs/performance.md); no model is
 * trusted to have learned the identity. */
#define GATE_SIGMA 1.0f

static void
gate_low_noise (AennDenoiser * den, guint c, float sigma)
{
  float g = MAX (sigma, 0.0f) / GATE_SIGMA;

  if (g >= 1.0f)
    return;
  for (guint y = 0; y < den->ch[c]; y++) {
    const float *s = frow (den->src[c], den->fs[c], y);
    float *d = frow (den->dst[c], den->fs[c], y);
    if (g == 0.0f)
      memcpy (d, s, den->cw[c] * sizeof (float));
    else
      for (guint x = 0; x < den->cw[c]; x++)
        d[x] = s[x] + g * (d[x] - s[x]);
  }
}

/* Luma rows 2y + dy of the float plane p (fs[0] apart) to or from the
 * phases 2 dy and 2 dy + 1 (fs[1] apart) for chroma rows [0, rows). */
static void
phases_split (AennDenoiser * den, const float *luma, float *const *ph,
    guint dy, guint rows)
{
  int ls = (int) (2 * den->fs[0] * sizeof (float));
  int ps = (int) (den->fs[1] * sizeof (float));

  if (rows > 0)
    den->k->deinterleave2_f32 (ph[2 * dy], ps, ph[2 * dy + 1], ps,
        luma + dy * den->fs[0], ls, (int) den->cw[1], (int) rows);
}

static void
phases_merge (AennDenoiser * den, float *luma, float *const *ph, guint dy,
    guint rows)
{
  int ls = (int) (2 * den->fs[0] * sizeof (float));
  int ps = (int) (den->fs[1] * sizeof (float));

  if (rows > 0)
    den->k->interleave2_f32 (luma + dy * den->fs[0], ls, ph[2 * dy], ps,
        ph[2 * dy + 1], ps, (int) den->cw[1], (int) rows);
}

/* A joint (yuv420) model: the luma's 2x2 phases and both chroma planes
 * through the network together, at chroma size. An odd width's last
 * column and an odd height's last row are repeated into the phases. */
static void
run_joint (AennDenoiser * den, const float sigma[AENN_MAX_CHANNELS_PER_FRAME])
{
  guint w = den->width, h = den->height, ch = den->ch[1];
  guint cb = den->cb_channel, cr = 3 - cb;
  float *src0 = den->src[0];
  const float *src[6];
  float *dst[6];
  float levels[6];

  if (w & 1)
    for (guint y = 0; y < h; y++)
      frow (src0, den->fs[0], y)[w] = frow (src0, den->fs[0], y)[w - 1];
  phases_split (den, src0, den->phase_src, 0, ch);
  phases_split (den, src0, den->phase_src, 1, h / 2);
  if (h & 1) {
    /* the last phase rows of parity 1: the last luma row again */
    memcpy (frow (den->phase_src[2], den->fs[1], ch - 1),
        frow (den->phase_src[0], den->fs[1], ch - 1),
        den->cw[1] * sizeof (float));
    memcpy (frow (den->phase_src[3], den->fs[1], ch - 1),
        frow (den->phase_src[1], den->fs[1], ch - 1),
        den->cw[1] * sizeof (float));
  }
  for (guint i = 0; i < 4; i++) {
    src[i] = den->phase_src[i];
    dst[i] = den->phase_dst[i];
    levels[i] = MAX (sigma[0], 0.0f);
  }
  src[4] = den->src[cb];
  src[5] = den->src[cr];
  dst[4] = den->dst[cb];
  dst[5] = den->dst[cr];
  levels[4] = MAX (sigma[cb], 0.0f);
  levels[5] = MAX (sigma[cr], 0.0f);
  aenn_plan_process_levels (den->plan[0], src, den->fs[1], dst, den->fs[1],
      levels);
  phases_merge (den, den->dst[0], den->phase_dst, 0, ch);
  phases_merge (den, den->dst[0], den->phase_dst, 1, h / 2);
  for (guint c = 0; c < 3; c++)
    gate_low_noise (den, c, sigma[c]);
}

static void
run_planes (AennDenoiser * den, const float sigma[AENN_MAX_CHANNELS_PER_FRAME])
{
  for (guint c = 0; c < den->fmt->n_channels; c++) {
    AennPlan *plan = c > 0 && chroma_has_own_plan (den) ? den->plan[1] :
        den->plan[0];
    const float *s[1] = { den->src[c] };
    float *d[1] = { den->dst[c] };
    if (sigma[c] > 0.0f)
      aenn_plan_process (plan, s, den->fs[c], d, den->fs[c], sigma[c]);
    gate_low_noise (den, c, sigma[c]);
  }
}

void
aenn_denoiser_run (AennDenoiser * den,
    const float sigma[AENN_MAX_CHANNELS_PER_FRAME])
{
  g_return_if_fail (den->have_format);
  if (den->joint)
    run_joint (den, sigma);
  else
    run_planes (den, sigma);
  den->temporal_event = AENN_TEMPORAL_START;
  if (den->temporal != NULL) {
    const float *src[3] = { den->src[0], den->src[1], den->src[2] };
    den->temporal_event = aenn_temporal_step (den->temporal, den->pool, src,
        den->fs, den->dst, den->fs, sigma);
  }
  /* the half-used pair at the end of an odd packed 4:2:2 row: its second
   * luma byte is padding, stored as it came */
  if (den->fmt->layout == VIDEO_LAYOUT_PACKED422 && (den->width & 1))
    for (guint y = 0; y < den->height; y++)
      frow (den->dst[0], den->fs[0], y)[den->width] =
          frow (den->src[0], den->fs[0], y)[den->width];
}

void
aenn_denoiser_store (AennDenoiser * den, const VideoImage * in,
    VideoImage * out, float strength)
{
  g_return_if_fail (den->have_format);
  den->in = in;
  den->out = out;
  den->strength = CLAMP (strength, 0.0f, 1.0f);
  worker_pool_run (den->pool, den->n_bands, store_band, den);
  den->in = NULL;
  den->out = NULL;
}

void
aenn_denoiser_set_temporal (AennDenoiser * den, gboolean on)
{
  if (!on == !den->temporal_on)
    return;
  den->temporal_on = on;
  if (!on)
    g_clear_pointer (&den->temporal, aenn_temporal_free);
  else if (den->have_format)
    den->temporal = aenn_temporal_new (den->path, den->fmt->n_channels,
        den->cw, den->ch);
}

gboolean
aenn_denoiser_get_temporal (const AennDenoiser * den)
{
  return den->temporal_on;
}

void
aenn_denoiser_reset_temporal (AennDenoiser * den)
{
  if (den->temporal != NULL)
    aenn_temporal_reset (den->temporal);
}

AennTemporalEvent
aenn_denoiser_get_temporal_event (const AennDenoiser * den)
{
  return den->temporal_event;
}

gsize
aenn_denoiser_get_temporal_size (const AennDenoiser * den)
{
  return den->temporal != NULL ? aenn_temporal_get_size (den->temporal) : 0;
}

const float *
aenn_denoiser_get_plane (const AennDenoiser * den, guint c,
    gboolean output, gsize * stride)
{
  g_return_val_if_fail (den->have_format && c < den->fmt->n_channels, NULL);
  *stride = den->fs[c];
  return output ? den->dst[c] : den->src[c];
}
