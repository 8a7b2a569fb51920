/* The sample function every training patch comes from. */
#include "config.h"
#include "denoise/train/train_priv.h"
#include "denoise/synth/noise.h"
#include "denoise/synth/colour_noise.h"

#include <math.h>
#include <string.h>

typedef struct
{
  guint x0, y0, t;              /* t: bit 0 flip x, 1 flip y, 2 transpose */
} Crop;

static Crop
random_crop (Rng * r, const Frame * f, guint patch)
{
  Crop c;
  c.x0 = rng_below (r, f->width - patch + 1);
  c.y0 = rng_below (r, f->height - patch + 1);
  c.t = rng_below (r, 8);
  return c;
}

static void
crop (const Frame * f, guint channels, const Crop * c, guint P, float *out)
{
  gsize plane = (gsize) f->width * f->height;
  for (guint ch = 0; ch < channels; ch++)
    for (guint y = 0; y < P; y++)
      for (guint x = 0; x < P; x++) {
        guint u = (c->t & 4) ? x : y, v = (c->t & 4) ? y : x;
        if (c->t & 1)
          v = P - 1 - v;
        if (c->t & 2)
          u = P - 1 - u;
        out[((gsize) ch * P + y) * P + x] = f->data[ch * plane
            + (gsize) (c->y0 + u) * f->width + c->x0 + v] * (1.0f / 255.0f);
      }
}

/* the same transform as crop (), from a float image of side S: output
 * pixel (y, x) reads the source at start + y * sy + x * sx */
static void
crop_image (const float *img, guint S, guint channels, const Crop * c,
    guint P, float *out)
{
  gsize plane = (gsize) S * S;
  /* source row u and column v of output (y, x): (u, v) = (y, x), or (x, y)
   * if transposed, then each flipped if asked */
  gssize du = (c->t & 2) ? -1 : 1, dv = (c->t & 1) ? -1 : 1;
  gssize u0 = (c->t & 2) ? (gssize) P - 1 : 0, v0 = (c->t & 1) ? (gssize) P
      - 1 : 0;
  gssize su = du * (gssize) S, sv = dv;
  gssize sy = (c->t & 4) ? sv : su, sx = (c->t & 4) ? su : sv;
  gssize start = ((gssize) c->y0 + u0) * (gssize) S + (gssize) c->x0 + v0;

  for (guint ch = 0; ch < channels; ch++) {
    const float *src = img + ch * plane + start;
    for (guint y = 0; y < P; y++) {
      const float *r = src + (gssize) y * sy;
      float *o = out + ((gsize) ch * P + y) * P;
      if (sx == 1)
        memcpy (o, r, P * sizeof (float));
      else
        for (guint x = 0; x < P; x++)
          o[x] = r[(gssize) x * sx];
    }
  }
}

guint
aenn_train_luma_patch (const AennTrainConfig * cfg, AennInputLayout layout)
{
  return layout == AENN_INPUT_YUV420 ? 2 * cfg->patch : cfg->patch;
}

guint
aenn_leaves_cache_side (const AennTrainConfig * cfg, AennInputLayout layout)
{
  return cfg->cache_side ? cfg->cache_side : 2 * aenn_train_luma_patch (cfg,
      layout);
}

guint64
aenn_leaves_cache_gen (const AennTrainConfig * cfg, guint slot, guint64 step)
{
  /* staggered: slot j is replaced at steps where step + j R / N is a
   * multiple of R */
  guint64 R = cfg->cache_steps;
  return (step + (guint64) slot * R / cfg->cache_images) / R;
}

void
aenn_leaves_cache_render (const AennTrainConfig * cfg, AennInputLayout layout,
    guint channels, guint slot, guint64 gen, float *out)
{
  AennDeadLeavesParams lp = cfg->leaves;
  guint S = aenn_leaves_cache_side (cfg, layout);
  Rng r;
  /* the patch's scales, not the larger image's */
  if (lp.rmax <= 0.0f)
    lp.rmax = (float) aenn_train_luma_patch (cfg, layout);
  rng_init (&r, cfg->seed, G_GUINT64_CONSTANT (0x6c6561766573) + slot, gen);
  aenn_deadleaves_render (&lp, rng_next (&r), channels, S, S, out);
}

void
aenn_train_make_sample (const AennTrainConfig * cfg,
    const AennFrameSet * frames, guint C, guint64 step, guint index,
    float *input, float *target, float *mask, float *sigma)
{
  float levels[AENN_MAX_IN_CHANNELS];
  g_return_if_fail (C >= 1 && C <= AENN_MAX_IN_CHANNELS);
  aenn_train_make_sample_cached (cfg, frames, NULL, AENN_INPUT_PLANE, C, step,
      index, input, target, mask, levels);
  *sigma = levels[0];
}

void
aenn_train_make_sample_yuv420 (const AennTrainConfig * cfg,
    const AennFrameSet * frames, guint64 step, guint index, float *input,
    float *target, float *mask, float levels[6])
{
  aenn_train_make_sample_cached (cfg, frames, NULL, AENN_INPUT_YUV420, 6,
      step, index, input, target, mask, levels);
}

/* A yuv420 patch: a clean RGB patch of S = 2P pixels a side (a crop of a
 * frame, or colour dead leaves), to studio-range YCbCr 4:2:0 as
 * videoconvert's I420 carries it, then noise: RGB Gaussian through the
 * matrix (a sensor's; a share colour_rgb_ratio of patches), else
 * independent per plane, each plane its own level drawn from the range
 * (a codec's or an ISP's chroma noise). levels: each channel's plane's
 * noise level. */
static void
make_yuv420 (const AennTrainConfig * cfg, const AennFrameSet * frames,
    const AennLeavesCache * cache, guint64 step, Rng * r, float *input,
    float *target, float *mask, float *levels)
{
  guint P = cfg->patch, S = 2 * P;
  gsize npix = (gsize) P * P, lpix = ((gsize) S) * S;
  gboolean fast = cfg->sampler == AENN_SAMPLER_CACHE;
  /* (3, S, S) RGB, then clean Y (S, S), Cb, Cr (P, P), noisy the same */
  float *buf = g_new (float, 3 * lpix + 2 * (lpix + 2 * npix));
  float *rgb = buf, *cy = buf + 3 * lpix, *ccb = cy + lpix, *ccr = ccb + npix;
  float *ny = ccr + npix, *ncb = ny + lpix, *ncr = ncb + npix;
  const float *clean[3] = { cy, ccb, ccr };
  float *noisy[3] = { ny, ncb, ncr };
  double lv[3];

  if (frames != NULL && frames->frames->len > 0
      && rng_uniform (r) < cfg->frames_ratio) {
    const Frame *f = &g_array_index (frames->frames, Frame,
        rng_below (r, frames->frames->len));
    Crop c = random_crop (r, f, S);
    crop (f, 3, &c, S, rgb);
  } else if (fast) {
    guint CS = aenn_leaves_cache_side (cfg, AENN_INPUT_YUV420), j;
    Crop c;
    j = rng_below (r, cfg->cache_images);
    c.x0 = rng_below (r, CS - S + 1);
    c.y0 = rng_below (r, CS - S + 1);
    c.t = rng_below (r, 8);
    if (cache != NULL)
      crop_image (cache->cur[j], CS, 3, &c, S, rgb);
    else {
      float *img = g_new (float, (gsize) 3 * CS * CS);
      aenn_leaves_cache_render (cfg, AENN_INPUT_YUV420, 3, j,
          aenn_leaves_cache_gen (cfg, j, step), img);
      crop_image (img, CS, 3, &c, S, rgb);
      g_free (img);
    }
  } else
    aenn_deadleaves_render (&cfg->leaves, rng_next (r), 3, S, S, rgb);

  aenn_colour_rgb_to_yuv420 (rgb, S, S, cy, ccb, ccr);
  if (rng_uniform (r) < cfg->colour_rgb_ratio) {
    double s = cfg->sigma_min + rng_uniform (r) * (cfg->sigma_max
        - cfg->sigma_min);
    aenn_colour_noise_rgb_420 (r, clean, noisy, S, S, s, AENN_YCBCR_STUDIO,
        cfg->quantize, lv);
  } else {
    for (guint k = 0; k < 3; k++)
      lv[k] = cfg->sigma_min + rng_uniform (r) * (cfg->sigma_max
          - cfg->sigma_min);
    aenn_colour_noise_planes_420 (r, clean, noisy, S, S, lv, cfg->quantize);
  }
  aenn_colour_yuv420_to_channels (cy, ccb, ccr, P, P, target);
  aenn_colour_yuv420_to_channels (ny, ncb, ncr, P, P, input);
  for (guint k = 0; k < 6; k++)
    levels[k] = (float) lv[k < 4 ? 0 : k - 3];
  for (gsize i = 0; i < npix; i++)
    mask[i] = 1.0f;
  g_free (buf);
}

/* A plane patch (the plane layout, any number of channels sharing one
 * noise level): *sigma that level. */
static void
make_plane (const AennTrainConfig * cfg, const AennFrameSet * frames,
    const AennLeavesCache * cache, guint C, guint64 step, Rng * rng,
    float *input, float *target, float *mask, float *sigma)
{
  Rng r = *rng;
  guint P = cfg->patch;
  gsize npix = (gsize) P * P, n = C * npix;
  gboolean fast = cfg->sampler == AENN_SAMPLER_CACHE;
  AennInputLayout layout = AENN_INPUT_PLANE;

  if (cfg->mode == AENN_TRAIN_SUPERVISED) {
    if (frames != NULL && frames->frames->len > 0
        && rng_uniform (&r) < cfg->frames_ratio) {
      const Frame *f = &g_array_index (frames->frames, Frame,
          rng_below (&r, frames->frames->len));
      Crop c = random_crop (&r, f, P);
      crop (f, C, &c, P, target);
    } else if (fast) {
      guint S = aenn_leaves_cache_side (cfg, layout), j;
      Crop c;
      j = rng_below (&r, cfg->cache_images);
      c.x0 = rng_below (&r, S - P + 1);
      c.y0 = rng_below (&r, S - P + 1);
      c.t = rng_below (&r, 8);
      if (cache != NULL)
        crop_image (cache->cur[j], S, C, &c, P, target);
      else {
        float *img = g_new (float, (gsize) C * S * S);
        aenn_leaves_cache_render (cfg, layout, C, j,
            aenn_leaves_cache_gen (cfg, j, step), img);
        crop_image (img, S, C, &c, P, target);
        g_free (img);
      }
    } else
      aenn_deadleaves_render (&cfg->leaves, rng_next (&r), C, P, P, target);
    if (cfg->noise == AENN_NOISE_GAUSSIAN) {
      double s = cfg->sigma_min + rng_uniform (&r) * (cfg->sigma_max
          - cfg->sigma_min);
      if (fast)
        aenn_synth_gaussian_fast (&r, target, input, n, s, cfg->quantize);
      else
        aenn_synth_gaussian (&r, target, input, n, s, cfg->quantize);
      *sigma = (float) s;
    } else
      *sigma = aenn_synth_poisson_gaussian (&r, cfg->sigma_min,
          cfg->sigma_max, target, input, n, cfg->quantize);
    for (gsize i = 0; i < npix; i++)
      mask[i] = 1.0f;
    return;
  }

  *sigma = (float) cfg->sigma_input;
  if (cfg->mode == AENN_TRAIN_N2N) {
    guint n_pairs = 0, i;
    for (i = 0; i < frames->frames->len; i++)
      n_pairs += aenn_frame_set_pair_at (frames, i);
    i = aenn_frame_set_nth_pair (frames, rng_below (&r, n_pairs));
    {
      /* either way round: the mapping learnt is symmetric in time */
      guint swap = rng_below (&r, 2);
      const Frame *a = &g_array_index (frames->frames, Frame, i + swap);
      const Frame *b = &g_array_index (frames->frames, Frame, i + 1 - swap);
      Crop c = random_crop (&r, a, P);
      crop (a, C, &c, P, input);
      crop (b, C, &c, P, target);
    }
    for (gsize j = 0; j < npix; j++)
      mask[j] = 1.0f;
    return;
  }

  /* Noise2Void: a fixed number of blind-spot pixels per patch, each shown
   * the value of a random neighbour in its 5x5 window */
  {
    const Frame *f = &g_array_index (frames->frames, Frame,
        rng_below (&r, frames->frames->len));
    Crop c = random_crop (&r, f, P);
    guint k = aenn_n2v_count (cfg);
    crop (f, C, &c, P, target);
    memcpy (input, target, n * sizeof (float));
    memset (mask, 0, npix * sizeof (float));
    for (guint j = 0; j < k;) {
      guint y = rng_below (&r, P), x = rng_below (&r, P);
      guint nb = rng_below (&r, 24), ny, nx;
      gint dy, dx;
      if (mask[(gsize) y * P + x] != 0.0f)
        continue;
      nb += nb >= 12;           /* skip the centre of the 5x5 window */
      dy = (gint) (nb / 5) - 2;
      dx = (gint) (nb % 5) - 2;
      ny = (guint) CLAMP ((gint) y + dy, 0, (gint) P - 1);
      nx = (guint) CLAMP ((gint) x + dx, 0, (gint) P - 1);
      if (ny == y && nx == x)
        ny = y > 0 ? y - 1 : y + 1;
      for (guint ch = 0; ch < C; ch++)
        input[ch * npix + (gsize) y * P + x] =
            target[ch * npix + (gsize) ny * P + nx];
      mask[(gsize) y * P + x] = 1.0f;
      j++;
    }
  }
}

void
aenn_train_make_sample_cached (const AennTrainConfig * cfg,
    const AennFrameSet * frames, const AennLeavesCache * cache,
    AennInputLayout layout, guint C, guint64 step, guint index, float *input,
    float *target, float *mask, float *sigma)
{
  Rng r;

  rng_init (&r, cfg->seed, step, index);
  if (layout == AENN_INPUT_YUV420) {
    make_yuv420 (cfg, frames, cache, step, &r, input, target, mask, sigma);
    return;
  }
  make_plane (cfg, frames, cache, C, step, &r, input, target, mask, sigma);
  for (guint c = 1; c < C; c++)
    sigma[c] = sigma[0];
}

guint
aenn_n2v_count (const AennTrainConfig * cfg)
{
  guint k = (guint) lround (cfg->n2v_fraction * cfg->patch * cfg->patch);
  return CLAMP (k, 1, cfg->patch * cfg->patch / 2);
}
