/* The sample function every training patch comes from. */
#include "config.h"
#include "denoise/train/train_priv.h"
#include "denoise/synth/noise.h"

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
aenn_leaves_cache_side (const AennTrainConfig * cfg)
{
  return cfg->cache_side ? cfg->cache_side : 2 * cfg->patch;
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
aenn_leaves_cache_render (const AennTrainConfig * cfg, guint channels,
    guint slot, guint64 gen, float *out)
{
  AennDeadLeavesParams lp = cfg->leaves;
  guint S = aenn_leaves_cache_side (cfg);
  Rng r;
  /* the patch's scales, not the larger image's */
  if (lp.rmax <= 0.0f)
    lp.rmax = (float) cfg->patch;
  rng_init (&r, cfg->seed, G_GUINT64_CONSTANT (0x6c6561766573) + slot, gen);
  aenn_deadleaves_render (&lp, rng_next (&r), channels, S, S, out);
}

void
aenn_train_make_sample (const AennTrainConfig * cfg,
    const AennFrameSet * frames, guint C, guint64 step, guint index,
    float *input, float *target, float *mask, float *sigma)
{
  aenn_train_make_sample_cached (cfg, frames, NULL, C, step, index, input,
      target, mask, sigma);
}

void
aenn_train_make_sample_cached (const AennTrainConfig * cfg,
    const AennFrameSet * frames, const AennLeavesCache * cache, guint C,
    guint64 step, guint index, float *input, float *target, float *mask,
    float *sigma)
{
  Rng r;
  guint P = cfg->patch;
  gsize npix = (gsize) P * P, n = C * npix;
  gboolean fast = cfg->sampler == AENN_SAMPLER_CACHE;

  rng_init (&r, cfg->seed, step, index);
  if (cfg->mode == AENN_TRAIN_SUPERVISED) {
    if (frames != NULL && frames->frames->len > 0
        && rng_uniform (&r) < cfg->frames_ratio) {
      const Frame *f = &g_array_index (frames->frames, Frame,
          rng_below (&r, frames->frames->len));
      Crop c = random_crop (&r, f, P);
      crop (f, C, &c, P, target);
    } else if (fast) {
      guint S = aenn_leaves_cache_side (cfg), j;
      Crop c;
      j = rng_below (&r, cfg->cache_images);
      c.x0 = rng_below (&r, S - P + 1);
      c.y0 = rng_below (&r, S - P + 1);
      c.t = rng_below (&r, 8);
      if (cache != NULL)
        crop_image (cache->cur[j], S, C, &c, P, target);
      else {
        float *img = g_new (float, (gsize) C * S * S);
        aenn_leaves_cache_render (cfg, C, j, aenn_leaves_cache_gen (cfg, j,
                step), img);
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

guint
aenn_n2v_count (const AennTrainConfig * cfg)
{
  guint k = (guint) lround (cfg->n2v_fraction * cfg->patch * cfg->patch);
  return CLAMP (k, 1, cfg->patch * cfg->patch / 2);
}
