/* The trainer: dead leaves and samples, reproducibility (twice, across
 * thread counts, across a checkpoint; both samplers), learning (supervised, Noise2Noise,
 * blind spot), model files and errors. */
#include "config.h"
#include "denoise/synth/noise.h"
#include "denoise/engine/engine.h"
#include "denoise/train/train.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

static AennTrainConfig
small_config (void)
{
  AennTrainConfig c;
  aenn_train_config_init (&c);
  c.seed = 42;
  c.steps = 600;
  c.batch = 8;
  c.patch = 32;
  c.chunk = 2;
  c.lr = 3e-3;
  c.lr_min = 3e-4;
  c.warmup = 20;
  return c;
}

/* Three 3x3 convolutions at full resolution: learns within a few hundred
 * small steps, where the default (pixel-unshuffled) network needs
 * thousands. */
static const gchar small_arch[] =
    "{\"in_channels\": 1, \"residual\": true, \"output\": \"n\", \"layers\": ["
    "{\"op\": \"conv\", \"name\": \"c1\", \"in\": [\"x\"], \"out\": \"a\", "
    "\"out_channels\": 8, \"kernel\": 3, \"pad\": \"replicate\", "
    "\"act\": \"leaky_relu\", \"slope\": 0.1},"
    "{\"op\": \"conv\", \"name\": \"c2\", \"in\": [\"a\"], \"out\": \"b\", "
    "\"out_channels\": 8, \"kernel\": 3, \"pad\": \"replicate\", "
    "\"act\": \"leaky_relu\", \"slope\": 0.1},"
    "{\"op\": \"conv\", \"name\": \"c3\", \"in\": [\"b\"], \"out\": \"n\", "
    "\"out_channels\": 1, \"kernel\": 3, \"pad\": \"replicate\"}]}";

static AennTrainer *
new_trainer_arch (const gchar * arch, const AennTrainConfig * c, guint threads)
{
  GError *err = NULL;
  AennModel *m = aenn_model_new (arch, &err);
  AennTrainer *tr;
  g_assert_no_error (err);
  aenn_train_init_weights (m, c->seed);
  tr = aenn_trainer_new (m, c, threads, &err);
  g_assert_no_error (err);
  return tr;
}

static AennTrainer *
new_trainer (const AennTrainConfig * c, guint threads)
{
  return new_trainer_arch (aenn_default_architecture (), c, threads);
}

static void
run_steps (AennTrainer * tr, guint n)
{
  GError *err = NULL;
  for (guint i = 0; i < n; i++) {
    g_assert_true (aenn_trainer_step (tr, NULL, &err));
    g_assert_no_error (err);
  }
}

/* the weights, byte for byte */
static GBytes *
weights (const AennTrainer * tr)
{
  GError *err = NULL;
  GBytes *b = aenn_model_serialize (aenn_trainer_get_model (tr), &err);
  g_assert_no_error (err);
  return b;
}

static double
psnr (const float *a, const float *b, gsize n)
{
  double se = 0.0;
  for (gsize i = 0; i < n; i++) {
    double v = CLAMP (a[i], 0.0f, 1.0f) - b[i];
    se += v * v;
  }
  return 10.0 * log10 (n / se);
}

/* ---- data ---- */

static void
test_deadleaves (void)
{
  AennDeadLeavesParams p;
  guint W = 61, H = 47;
  gsize n = (gsize) W * H;
  float *a = g_new (float, 3 * n), *b = g_new (float, 3 * n);
  float *c = g_new (float, 3 * n);
  double mean = 0.0, var = 0.0, chroma = 0.0;
  guint edges = 0;

  aenn_deadleaves_params_init (&p);
  aenn_deadleaves_render (&p, 7, 3, W, H, a);
  aenn_deadleaves_render (&p, 7, 3, W, H, b);
  aenn_deadleaves_render (&p, 8, 3, W, H, c);
  g_assert_cmpmem (a, 3 * n * sizeof (float), b, 3 * n * sizeof (float));
  g_assert_true (memcmp (a, c, 3 * n * sizeof (float)) != 0);
  for (gsize i = 0; i < 3 * n; i++) {
    g_assert_cmpfloat (a[i], >=, 0.0f);
    g_assert_cmpfloat (a[i], <=, 1.0f);
    mean += a[i];
  }
  mean /= 3 * n;
  for (gsize i = 0; i < 3 * n; i++)
    var += (a[i] - mean) * (a[i] - mean);
  /* not flat, colours differ between channels, and there are edges */
  g_assert_cmpfloat (var / (3 * n), >, 1e-3);
  for (gsize i = 0; i < n; i++)
    chroma += fabs (a[i] - a[n + i]);
  g_assert_cmpfloat (chroma / n, >, 1e-3);
  for (gsize i = 1; i < n; i++)
    edges += fabs (a[i] - a[i - 1]) > 0.05;
  g_assert_cmpuint (edges, >, 20);
  g_free (a);
  g_free (b);
  g_free (c);
}

static void
test_samples (void)
{
  AennTrainConfig c = small_config ();
  guint P = c.patch;
  gsize n = (gsize) P * P;
  float *in = g_new (float, n), *tg = g_new (float, n), *mk = g_new (float, n);
  float *in2 = g_new (float, n), *tg2 = g_new (float, n);
  float s, s2;
  double se = 0.0;

  c.sigma_min = c.sigma_max = 20.0;
  aenn_train_make_sample (&c, NULL, 1, 3, 5, in, tg, mk, &s);
  aenn_train_make_sample (&c, NULL, 1, 3, 5, in2, tg2, mk, &s2);
  g_assert_cmpmem (in, n * 4, in2, n * 4);
  g_assert_cmpmem (tg, n * 4, tg2, n * 4);
  g_assert_cmpfloat (s, ==, 20.0f);
  aenn_train_make_sample (&c, NULL, 1, 3, 6, in2, tg2, mk, &s2);
  g_assert_true (memcmp (tg, tg2, n * 4) != 0);
  aenn_train_make_sample (&c, NULL, 1, 4, 5, in2, tg2, mk, &s2);
  g_assert_true (memcmp (tg, tg2, n * 4) != 0);
  /* quantized to 8 bits, noise of about the right level (clipping at 0
   * and 1 only lowers it) */
  aenn_train_make_sample (&c, NULL, 1, 3, 5, in, tg, mk, &s);
  for (gsize i = 0; i < n; i++) {
    g_assert_cmpfloat (fabsf (in[i] * 255.0f - nearbyintf (in[i] * 255.0f)),
        <, 1e-3);
    g_assert_cmpfloat (mk[i], ==, 1.0f);
    se += (in[i] - tg[i]) * (in[i] - tg[i]);
  }
  g_assert_cmpfloat (sqrt (se / n) * 255.0, >, 14.0);
  g_assert_cmpfloat (sqrt (se / n) * 255.0, <, 22.0);

  /* Poisson-Gaussian: the level reported is the patch's noise */
  c.noise = AENN_NOISE_POISSON_GAUSSIAN;
  c.quantize = FALSE;
  for (guint k = 0; k < 4; k++) {
    se = 0.0;
    aenn_train_make_sample (&c, NULL, 1, 9, k, in, tg, mk, &s);
    for (gsize i = 0; i < n; i++)
      se += (in[i] - tg[i]) * (in[i] - tg[i]);
    g_assert_cmpfloat (fabs (sqrt (se / n) * 255.0 - s), <, 0.1 * s + 0.5);
  }
  g_free (in);
  g_free (tg);
  g_free (mk);
  g_free (in2);
  g_free (tg2);
}

/* a static scene seen nf times with independent 8-bit Gaussian noise */
static AennFrameSet *
noisy_sequence (const float *clean, guint W, guint H, guint nf, double sigma,
    float *first_noisy)
{
  AennFrameSet *set = aenn_frame_set_new (1);
  gsize n = (gsize) W * H;
  float *noisy = g_new (float, n);
  guint8 *u8 = g_new (guint8, n);
  GError *err = NULL;

  for (guint f = 0; f < nf; f++) {
    Rng r;
    const guint8 *planes[1] = { u8 };
    rng_init (&r, 1234, f, 0);
    aenn_synth_gaussian (&r, clean, noisy, n, sigma, TRUE);
    for (gsize i = 0; i < n; i++)
      u8[i] = (guint8) nearbyintf (noisy[i] * 255.0f);
    if (f == 0)
      memcpy (first_noisy, noisy, n * sizeof (float));
    g_assert_true (aenn_frame_set_add (set, planes, W, W, H, 0, &err));
    g_assert_no_error (err);
  }
  g_free (noisy);
  g_free (u8);
  return set;
}

static void
test_n2v_sample (void)
{
  AennTrainConfig c = small_config ();
  guint P = c.patch, W = 48, H = 40;
  gsize n = (gsize) P * P;
  float *clean = g_new (float, (gsize) W * H), *first = g_new (float, W * H);
  float *in = g_new (float, n), *tg = g_new (float, n), *mk = g_new (float, n);
  AennFrameSet *set;
  AennDeadLeavesParams lp;
  float s;
  guint masked = 0, changed = 0;

  aenn_deadleaves_params_init (&lp);
  aenn_deadleaves_render (&lp, 3, 1, W, H, clean);
  set = noisy_sequence (clean, W, H, 2, 25.0, first);
  c.mode = AENN_TRAIN_N2V;
  c.sigma_input = 17.0;
  aenn_train_make_sample (&c, set, 1, 0, 0, in, tg, mk, &s);
  g_assert_cmpfloat (s, ==, 17.0f);
  for (gsize i = 0; i < n; i++) {
    masked += mk[i] != 0.0f;
    if (mk[i] == 0.0f)
      g_assert_cmpfloat (in[i], ==, tg[i]);
    changed += in[i] != tg[i];
  }
  g_assert_cmpuint (masked, ==, (guint) lround (0.015 * n));
  /* most blind-spot pixels show a different value */
  g_assert_cmpuint (changed, >, masked / 2);
  aenn_frame_set_free (set);
  g_free (clean);
  g_free (first);
  g_free (in);
  g_free (tg);
  g_free (mk);
}

/* ---- reproducibility ---- */

static void
test_deterministic (void)
{
  AennTrainConfig c = small_config ();
  AennTrainer *a = new_trainer (&c, 2), *b = new_trainer (&c, 2);
  AennTrainer *one = new_trainer (&c, 1);
  GBytes *wa, *wb, *w1;

  run_steps (a, 12);
  run_steps (b, 12);
  run_steps (one, 12);
  wa = weights (a);
  wb = weights (b);
  w1 = weights (one);
  g_assert_true (g_bytes_equal (wa, wb));
  /* chunks are summed in a fixed order: the thread count does not matter */
  g_assert_true (g_bytes_equal (wa, w1));
  g_bytes_unref (wa);
  g_bytes_unref (wb);
  g_bytes_unref (w1);
  aenn_trainer_free (a);
  aenn_trainer_free (b);
  aenn_trainer_free (one);
}

static void
test_resume (void)
{
  AennTrainConfig c = small_config ();
  AennTrainer *full = new_trainer (&c, 2), *part = new_trainer (&c, 2), *res;
  gchar *dir = g_dir_make_tmp ("aenn-train-XXXXXX", NULL);
  gchar *ck = g_build_filename (dir, "ck.safetensors", NULL);
  gchar *mf = g_build_filename (dir, "model.safetensors", NULL);
  GError *err = NULL;
  GBytes *wf, *wr;
  GHashTable *meta = NULL;
  AennModel *loaded;

  run_steps (full, 16);
  run_steps (part, 9);
  aenn_trainer_set_recipe (part, "test recipe");
  g_assert_true (aenn_trainer_save_checkpoint (part, ck, &err));
  g_assert_no_error (err);
  aenn_trainer_free (part);
  res = aenn_trainer_new_from_checkpoint (ck, 1, &err);
  g_assert_no_error (err);
  g_assert_cmpuint (aenn_trainer_get_step (res), ==, 9);
  run_steps (res, 7);
  wf = weights (full);
  wr = weights (res);
  g_assert_true (g_bytes_equal (wf, wr));

  /* the model file: loads in the engine's strict loader, carries the
   * record */
  g_assert_true (aenn_trainer_save_model (res, mf, &err));
  g_assert_no_error (err);
  loaded = aenn_model_load_file_full (mf, &meta, NULL, &err);
  g_assert_no_error (err);
  g_assert_cmpstr (g_hash_table_lookup (meta, "aenn.train.recipe"), ==,
      "test recipe");
  g_assert_cmpstr (g_hash_table_lookup (meta, "aenn.train.seed"), ==, "42");
  g_assert_cmpstr (g_hash_table_lookup (meta, "aenn.train.step"), ==, "16");
  g_assert_nonnull (g_hash_table_lookup (meta, "aenn.val_psnr"));
  g_assert_nonnull (strstr (g_hash_table_lookup (meta, "aenn.train.config"),
          "\"batch\": 8,"));
  aenn_model_free (loaded);
  g_hash_table_unref (meta);
  loaded = aenn_model_load_file (mf, &err);
  g_assert_no_error (err);
  aenn_model_free (loaded);
  /* a checkpoint is not a model file for the element */
  g_assert_null (aenn_model_load_file (ck, &err));
  g_assert_error (err, AENN_ERROR, AENN_ERROR_TENSOR);
  g_clear_error (&err);
  /* and a model file is not a checkpoint */
  g_assert_null (aenn_trainer_new_from_checkpoint (mf, 1, &err));
  g_assert_error (err, AENN_ERROR, AENN_ERROR_TENSOR);
  g_test_message ("%s", err->message);
  g_clear_error (&err);

  g_bytes_unref (wf);
  g_bytes_unref (wr);
  aenn_trainer_free (full);
  aenn_trainer_free (res);
  g_unlink (ck);
  g_unlink (mf);
  g_rmdir (dir);
  g_free (ck);
  g_free (mf);
  g_free (dir);
}

/* the render sampler is what it always was: one dead-leaves image per
 * patch from the patch's stream, then rng_gauss noise from the same
 * stream; its configurations carry no sampler fields */
static void
test_render_sampler_unchanged (void)
{
  AennTrainConfig c = small_config (), back;
  guint P = c.patch;
  gsize n = (gsize) P * P;
  float *in = g_new (float, n), *tg = g_new (float, n), *mk = g_new (float, n);
  float *in2 = g_new (float, n), *tg2 = g_new (float, n), s;
  gchar *json;
  GError *err = NULL;
  Rng r;
  double sg;

  aenn_train_make_sample (&c, NULL, 1, 7, 3, in, tg, mk, &s);
  rng_init (&r, c.seed, 7, 3);
  aenn_deadleaves_render (&c.leaves, rng_next (&r), 1, P, P, tg2);
  sg = c.sigma_min + rng_uniform (&r) * (c.sigma_max - c.sigma_min);
  aenn_synth_gaussian (&r, tg2, in2, n, sg, c.quantize);
  g_assert_cmpmem (tg, n * 4, tg2, n * 4);
  g_assert_cmpmem (in, n * 4, in2, n * 4);
  g_assert_cmpfloat (s, ==, (float) sg);

  json = aenn_train_config_to_json (&c);
  g_assert_null (strstr (json, "sampler"));
  g_assert_null (strstr (json, "cache"));
  g_assert_true (aenn_train_config_from_json (&back, json, &err));
  g_assert_no_error (err);
  g_assert_cmpint (back.sampler, ==, AENN_SAMPLER_RENDER);
  g_free (json);

  c.sampler = AENN_SAMPLER_CACHE;
  c.cache_images = 5;
  c.cache_side = 40;
  c.cache_steps = 7;
  json = aenn_train_config_to_json (&c);
  g_assert_nonnull (strstr (json, "\"sampler\": \"cache\""));
  g_assert_true (aenn_train_config_from_json (&back, json, &err));
  g_assert_no_error (err);
  g_assert_cmpint (back.sampler, ==, AENN_SAMPLER_CACHE);
  g_assert_cmpuint (back.cache_images, ==, 5);
  g_assert_cmpuint (back.cache_side, ==, 40);
  g_assert_cmpuint (back.cache_steps, ==, 7);
  g_free (json);
  g_assert_false (aenn_train_config_from_json (&back, "{\"sampler\": "
          "\"nope\"}", &err));
  g_assert_error (err, AENN_ERROR, AENN_ERROR_FORMAT);
  g_clear_error (&err);
  c.cache_side = 16;            /* smaller than the patch */
  g_assert_false (aenn_train_config_check (&c, NULL, &err));
  g_assert_error (err, AENN_ERROR, AENN_ERROR_CONFIG);
  g_clear_error (&err);
  g_free (in);
  g_free (tg);
  g_free (mk);
  g_free (in2);
  g_free (tg2);
}

static void
test_cache_samples (void)
{
  AennTrainConfig c = small_config ();
  guint P = c.patch;
  gsize n = (gsize) P * P;
  float *in = g_new (float, n), *tg = g_new (float, n), *mk = g_new (float, n);
  float *in2 = g_new (float, n), *tg2 = g_new (float, n), s, s2;
  double se = 0.0, sum = 0.0;

  c.sampler = AENN_SAMPLER_CACHE;
  c.cache_images = 4;
  c.cache_steps = 3;
  c.sigma_min = c.sigma_max = 20.0;
  aenn_train_make_sample (&c, NULL, 1, 3, 5, in, tg, mk, &s);
  aenn_train_make_sample (&c, NULL, 1, 3, 5, in2, tg2, mk, &s2);
  g_assert_cmpmem (in, n * 4, in2, n * 4);
  g_assert_cmpmem (tg, n * 4, tg2, n * 4);
  g_assert_cmpfloat (s, ==, 20.0f);
  aenn_train_make_sample (&c, NULL, 1, 3, 6, in2, tg2, mk, &s2);
  g_assert_true (memcmp (tg, tg2, n * 4) != 0);
  for (gsize i = 0; i < n; i++) {
    g_assert_cmpfloat (tg[i], >=, 0.0f);
    g_assert_cmpfloat (tg[i], <=, 1.0f);
    g_assert_cmpfloat (fabsf (in[i] * 255.0f - nearbyintf (in[i] * 255.0f)),
        <, 1e-3);
    g_assert_cmpfloat (mk[i], ==, 1.0f);
    se += (in[i] - tg[i]) * (in[i] - tg[i]);
  }
  g_assert_cmpfloat (sqrt (se / n) * 255.0, >, 14.0);
  g_assert_cmpfloat (sqrt (se / n) * 255.0, <, 22.0);

  /* the table noise: unit variance, zero mean, within 3.9 sigma */
  {
    gsize N = 200000;
    float *z = g_new0 (float, N), *o = g_new (float, N);
    Rng r;
    rng_init (&r, 5, 6, 7);
    aenn_synth_gaussian_fast (&r, z, o, N, 255.0, FALSE);
    se = 0.0;
    for (gsize i = 0; i < N; i++) {
      sum += o[i];
      se += (double) o[i] * o[i];
      g_assert_cmpfloat (fabsf (o[i]), <, 3.9f);
    }
    g_assert_cmpfloat (fabs (sum / N), <, 0.01);
    g_assert_cmpfloat (fabs (se / N - 1.0), <, 0.01);
    g_free (z);
    g_free (o);
  }
  g_free (in);
  g_free (tg);
  g_free (mk);
  g_free (in2);
  g_free (tg2);
}

/* the cache sampler keeps the contract: 1 and 2 threads, and a resume
 * (whose cache is rendered afresh), give the same weights; images are
 * replaced within the run (4 images, each living 3 steps) */
static void
test_cache_deterministic (void)
{
  AennTrainConfig c = small_config ();
  AennTrainer *two, *one, *part, *res, *render;
  gchar *dir = g_dir_make_tmp ("aenn-train-XXXXXX", NULL);
  gchar *ck = g_build_filename (dir, "ck.safetensors", NULL);
  GError *err = NULL;
  GBytes *w2, *w1, *wr, *wd;

  c.sampler = AENN_SAMPLER_CACHE;
  c.cache_images = 4;
  c.cache_steps = 3;
  two = new_trainer (&c, 2);
  one = new_trainer (&c, 1);
  part = new_trainer (&c, 2);
  run_steps (two, 12);
  run_steps (one, 12);
  run_steps (part, 5);
  g_assert_true (aenn_trainer_save_checkpoint (part, ck, &err));
  g_assert_no_error (err);
  aenn_trainer_free (part);
  res = aenn_trainer_new_from_checkpoint (ck, 1, &err);
  g_assert_no_error (err);
  g_assert_cmpint (aenn_trainer_get_config (res)->sampler, ==,
      AENN_SAMPLER_CACHE);
  run_steps (res, 7);
  w2 = weights (two);
  w1 = weights (one);
  wr = weights (res);
  g_assert_true (g_bytes_equal (w2, w1));
  g_assert_true (g_bytes_equal (w2, wr));
  /* and it is another sampler than render */
  c.sampler = AENN_SAMPLER_RENDER;
  render = new_trainer (&c, 2);
  run_steps (render, 12);
  wd = weights (render);
  g_assert_false (g_bytes_equal (w2, wd));
  g_bytes_unref (w2);
  g_bytes_unref (w1);
  g_bytes_unref (wr);
  g_bytes_unref (wd);
  aenn_trainer_free (two);
  aenn_trainer_free (one);
  aenn_trainer_free (res);
  aenn_trainer_free (render);
  g_unlink (ck);
  g_rmdir (dir);
  g_free (ck);
  g_free (dir);
}

/* ---- learning ---- */

static void
test_supervised_learns (void)
{
  AennTrainConfig c = small_config ();
  AennTrainer *tr = new_trainer (&c, 2);
  GError *err = NULL;
  double pin, p0, p1, first = 0.0, last = 0.0, loss;
  guint n = 600, k = 50;

  g_assert_true (aenn_trainer_validate (tr, &pin, &p0, &err));
  for (guint i = 0; i < n; i++) {
    g_assert_true (aenn_trainer_step (tr, &loss, &err));
    if (i < k)
      first += loss / k;
    if (i >= n - k)
      last += loss / k;
  }
  g_assert_true (aenn_trainer_validate (tr, &pin, &p1, &err));
  g_test_message ("loss %.4g -> %.4g; validation %.2f -> %.2f dB (input "
      "%.2f dB)", first, last, p0, p1, pin);
  /* it starts near the identity (aenn_train_init_weights): the loss starts
   * at the noise's level and must fall below it */
  g_assert_cmpfloat (last, <, 0.85 * first);
  g_assert_cmpfloat (p1, >, p0 + 2.0);
  g_assert_cmpfloat (p1, >, pin + 1.0);
  aenn_trainer_free (tr);
}

static void
check_self_supervised (AennTrainMode mode, guint steps, double min_gain)
{
  AennTrainConfig c = small_config ();
  guint W = 96, H = 96;
  gsize n = (gsize) W * H;
  float *clean = g_new (float, n), *noisy = g_new (float, n);
  float *out = g_new (float, n);
  AennDeadLeavesParams lp;
  AennTrainer *tr;
  AennPlan *plan;
  GError *err = NULL;
  double pin, pout;

  aenn_deadleaves_params_init (&lp);
  /* leaves of 4 pixels and more, untextured: a blind spot cannot predict
   * single-pixel detail from the neighbours, and would then rightly lose
   * to the noisy input */
  lp.rmin = 4.0f;
  lp.texture_prob = 0.0f;
  lp.blur_prob = 0.0f;
  aenn_deadleaves_render (&lp, 99, 1, W, H, clean);
  c.mode = mode;
  c.sigma_input = 25.0;
  c.steps = steps;
  tr = new_trainer_arch (small_arch, &c, 2);
  g_assert_true (aenn_trainer_set_frames (tr, noisy_sequence (clean, W, H, 6,
              25.0, noisy), &err));
  g_assert_no_error (err);
  run_steps (tr, steps);
  plan = aenn_plan_new (aenn_trainer_get_model (tr), KERNEL_PATH_AUTO, &err);
  g_assert_true (aenn_plan_prepare (plan, W, H, NULL, 0, &err));
  {
    const float *src[1] = { noisy };
    float *dst[1] = { out };
    aenn_plan_process (plan, src, W, dst, W, 25.0f);
  }
  pin = psnr (noisy, clean, n);
  pout = psnr (out, clean, n);
  g_test_message ("%s: noisy frame %.2f dB, denoised %.2f dB",
      aenn_train_mode_name (mode), pin, pout);
  g_assert_cmpfloat (pout, >, pin + min_gain);
  aenn_plan_free (plan);
  aenn_trainer_free (tr);
  g_free (clean);
  g_free (noisy);
  g_free (out);
}

static void
test_n2n_learns (void)
{
  /* measured +3.5 dB */
  check_self_supervised (AENN_TRAIN_N2N, 400, 2.0);
}

static void
test_n2v_learns (void)
{
  /* measured +1.4 dB (AVX-512 kernels); other tables round differently */
  check_self_supervised (AENN_TRAIN_N2V, 400, 0.7);
}

/* ---- errors ---- */

static void
test_errors (void)
{
  AennTrainConfig c = small_config ();
  AennTrainer *tr;
  GError *err = NULL;
  AennModel *m = aenn_model_new (aenn_default_architecture (), &err);
  AennFrameSet *set;
  guint8 px[16 * 16] = { 0 };
  const guint8 *planes[1] = { px };

  c.patch = 30;
  g_assert_null (aenn_trainer_new (m, &c, 1, &err));
  g_assert_error (err, AENN_ERROR, AENN_ERROR_CONFIG);
  g_assert_nonnull (strstr (err->message, "patch is 30"));
  g_clear_error (&err);

  c = small_config ();
  c.mode = AENN_TRAIN_N2N;
  tr = new_trainer (&c, 1);
  g_assert_false (aenn_trainer_step (tr, NULL, &err));
  g_assert_error (err, AENN_ERROR, AENN_ERROR_DATA);
  g_assert_nonnull (strstr (err->message, "needs frames"));
  g_clear_error (&err);
  /* frames smaller than the patch */
  set = aenn_frame_set_new (1);
  g_assert_true (aenn_frame_set_add (set, planes, 16, 16, 16, 0, &err));
  g_assert_false (aenn_trainer_set_frames (tr, set, &err));
  g_assert_error (err, AENN_ERROR, AENN_ERROR_SIZE);
  g_assert_nonnull (strstr (err->message, "smaller than the 32-pixel patch"));
  g_clear_error (&err);
  /* a Noise2Noise pair of two sizes */
  set = aenn_frame_set_new (1);
  {
    guint8 *big = g_new0 (guint8, 40 * 40);
    const guint8 *bp[1] = { big };
    g_assert_true (aenn_frame_set_add (set, bp, 40, 40, 40, 3, &err));
    g_assert_true (aenn_frame_set_add (set, bp, 40, 33, 40, 3, &err));
    g_free (big);
  }
  g_assert_false (aenn_trainer_set_frames (tr, set, &err));
  g_assert_nonnull (strstr (err->message, "differ in size"));
  g_clear_error (&err);
  /* channel count */
  set = aenn_frame_set_new (3);
  g_assert_false (aenn_trainer_set_frames (tr, set, &err));
  g_assert_error (err, AENN_ERROR, AENN_ERROR_DATA);
  g_assert_nonnull (strstr (err->message, "3 channels"));
  g_clear_error (&err);
  /* bad frame size */
  set = aenn_frame_set_new (1);
  g_assert_false (aenn_frame_set_add (set, planes, 8, 16, 16, 0, &err));
  g_assert_error (err, AENN_ERROR, AENN_ERROR_SIZE);
  g_clear_error (&err);
  aenn_frame_set_free (set);
  aenn_trainer_free (tr);

  /* a config that is not one */
  {
    AennTrainConfig d;
    g_assert_false (aenn_train_config_from_json (&d, "{\"batch\": -3}", &err));
    g_assert_nonnull (strstr (err->message, "batch"));
    g_clear_error (&err);
    g_assert_false (aenn_train_config_from_json (&d, "{\"mode\": \"x\"}",
            &err));
    g_assert_nonnull (strstr (err->message, "mode"));
    g_clear_error (&err);
    g_assert_false (aenn_train_config_from_json (&d, "[1", &err));
    g_clear_error (&err);
    {
      gchar *j = aenn_train_config_to_json (&c);
      g_assert_true (aenn_train_config_from_json (&d, j, &err));
      g_assert_no_error (err);
      g_assert_cmpmem (&c, sizeof c, &d, sizeof d);
      g_free (j);
    }
  }
}

/* Weights that overflow float: the step stops with AENN_ERROR_DIVERGED,
 * naming the step, instead of training on Inf and NaN. */
static void
test_diverged (void)
{
  AennTrainConfig c = small_config ();
  AennTrainer *tr;
  GError *err = NULL;
  AennModel *m = aenn_model_new (small_arch, &err);

  g_assert_no_error (err);
  aenn_train_init_weights (m, c.seed);
  for (guint i = 0; i < m->n_layers; i++) {
    AennLayer *L = &m->layers[i];
    guint n = L->op == AENN_OP_CONV ? m->tensors[L->out].channels
        * m->tensors[L->in[0]].channels * L->kernel * L->kernel : 0;
    for (guint j = 0; j < n; j++)
      L->weight[j] *= 1e20f;
  }
  tr = aenn_trainer_new (m, &c, 1, &err);
  g_assert_no_error (err);
  g_assert_false (aenn_trainer_step (tr, NULL, &err));
  g_assert_error (err, AENN_ERROR, AENN_ERROR_DIVERGED);
  g_assert_nonnull (strstr (err->message, "diverged"));
  g_clear_error (&err);
  aenn_trainer_free (tr);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/aenn/train/deadleaves", test_deadleaves);
  g_test_add_func ("/aenn/train/samples", test_samples);
  g_test_add_func ("/aenn/train/n2v-sample", test_n2v_sample);
  g_test_add_func ("/aenn/train/deterministic", test_deterministic);
  g_test_add_func ("/aenn/train/resume", test_resume);
  g_test_add_func ("/aenn/train/render-sampler-unchanged",
      test_render_sampler_unchanged);
  g_test_add_func ("/aenn/train/cache-samples", test_cache_samples);
  g_test_add_func ("/aenn/train/cache-deterministic", test_cache_deterministic);
  g_test_add_func ("/aenn/train/supervised-learns", test_supervised_learns);
  g_test_add_func ("/aenn/train/n2n-learns", test_n2n_learns);
  g_test_add_func ("/aenn/train/n2v-learns", test_n2v_learns);
  g_test_add_func ("/aenn/train/errors", test_errors);
  g_test_add_func ("/aenn/train/diverged", test_diverged);
  return g_test_run ();
}
