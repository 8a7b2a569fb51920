/* The engine on every kernel path against the naive forward pass, identity
 * models, and determinism across thread counts and strip heights. The
 * quantized path (vnni) is held to its own tolerance, derived below; its
 * kernels are checked exactly in test_denoise_vnni. */
#include "config.h"
#include "denoise/engine/engine.h"
#include "denoise/synth/colour_noise.h"
#include "denoise/synth/deadleaves.h"
#include "../aenn_naive.h"

#include <math.h>
#include <string.h>

/* Exercises what the default architecture does not: three channels, zero
 * padding, relu, 1x1 convolutions, channel counts that are not multiples
 * of the vector blocks, concat of two computed tensors, no residual. */
static const gchar other_arch[] =
    "{\"in_channels\": 3, \"residual\": false, \"output\": \"y\", \"layers\": ["
    "{\"op\": \"conv\", \"name\": \"c0\", \"in\": [\"x\"], \"out\": \"a\", "
    "\"out_channels\": 5, \"kernel\": 3, \"pad\": \"zero\", \"act\": \"relu\"},"
    "{\"op\": \"s2d\", \"name\": \"d\", \"in\": [\"a\"], \"out\": \"b\"},"
    "{\"op\": \"conv\", \"name\": \"c1\", \"in\": [\"b\"], \"out\": \"c\", "
    "\"out_channels\": 7, \"kernel\": 1, \"act\": \"leaky_relu\", "
    "\"slope\": 0.2},"
    "{\"op\": \"sigma\", \"name\": \"s\", \"level\": 1, \"out\": \"sg\"},"
    "{\"op\": \"concat\", \"name\": \"k\", \"in\": [\"c\", \"sg\"], "
    "\"out\": \"e\"},"
    "{\"op\": \"conv\", \"name\": \"c2\", \"in\": [\"e\"], \"out\": \"f\", "
    "\"out_channels\": 13, \"kernel\": 3, \"pad\": \"zero\"},"
    "{\"op\": \"concat\", \"name\": \"k2\", \"in\": [\"f\", \"b\"], "
    "\"out\": \"g\"},"
    "{\"op\": \"conv\", \"name\": \"c3\", \"in\": [\"g\"], \"out\": \"h\", "
    "\"out_channels\": 12, \"kernel\": 3, \"pad\": \"replicate\"},"
    "{\"op\": \"d2s\", \"name\": \"u\", \"in\": [\"h\"], \"out\": \"y\"}]}";

/* a noise level per input channel, distinct so that a channel reading
 * the wrong one shows */
static const float levels[AENN_MAX_IN_CHANNELS] = {
  25.0f, 12.0f, 41.0f, 7.0f, 33.0f, 18.0f, 50.0f, 3.0f
};

static const guint sizes[][2] = {
  {1, 1}, {7, 5}, {33, 17}, {385, 289}
};

static float *
random_image (guint c, guint w, guint h, guint32 seed)
{
  GRand *r = g_rand_new_with_seed (seed);
  float *img = g_new (float, (gsize) c * w * h);
  for (gsize i = 0; i < (gsize) c * w * h; i++)
    img[i] = (float) g_rand_double (r);
  g_rand_free (r);
  return img;
}

/* What a yuv420 model sees, and what its int8 path is calibrated on: a
 * colour dead-leaves frame of 2w x 2h in studio-range 4:2:0 under RGB
 * noise of sigma 25, as the six channels (6, h, w). */
static float *
yuv420_image (guint w, guint h, guint32 seed)
{
  gsize lpix = (gsize) 4 * w * h, n = (gsize) w * h;
  float *rgb = g_new (float, 3 * lpix), *pl = g_new (float, 2 * (lpix + 2
          * n));
  float *img = g_new (float, 6 * n);
  const float *clean[3] = { pl, pl + lpix, pl + lpix + n };
  float *noisy[3] = { pl + lpix + 2 * n, pl + 2 * lpix + 2 * n,
    pl + 2 * lpix + 3 * n
  };
  AennDeadLeavesParams lp;
  Rng r;

  aenn_deadleaves_params_init (&lp);
  aenn_deadleaves_render (&lp, seed, 3, 2 * w, 2 * h, rgb);
  aenn_colour_rgb_to_yuv420 (rgb, 2 * w, 2 * h, pl, pl + lpix, pl + lpix + n);
  rng_init (&r, seed, 0, 0);
  aenn_colour_noise_rgb_420 (&r, clean, noisy, 2 * w, 2 * h, 25.0,
      AENN_YCBCR_STUDIO, TRUE, NULL);
  aenn_colour_yuv420_to_channels (noisy[0], noisy[1], noisy[2], w, h, img);
  g_free (rgb);
  g_free (pl);
  return img;
}

/* planar (c, h, w) with stride w through the engine */
static void
run (AennPlan * plan, const AennModel * m, const float *img, float *out,
    guint w, guint h, float sigma)
{
  const float *src[AENN_MAX_IN_CHANNELS];
  float *dst[AENN_MAX_IN_CHANNELS];
  for (guint c = 0; c < m->in_channels; c++) {
    src[c] = img + (gsize) c * w * h;
    dst[c] = out + (gsize) c * w * h;
  }
  if (sigma < 0)
    aenn_plan_process_levels (plan, src, w, dst, w, levels);
  else
    aenn_plan_process (plan, src, w, dst, w, sigma);
}

static void
check_against_naive (const gchar * arch, KernelPath path)
{
  GError *err = NULL;
  AennModel *m = aenn_model_new (arch, &err);
  WorkerPool *pool = worker_pool_new (2);

  double power = 0;             /* mean square output, largest frame */

  g_assert_no_error (err);
  aenn_model_randomize (m, 7, 1.0f);
  /* largest first: its output power is the scale of the others' errors */
  for (guint i = G_N_ELEMENTS (sizes); i-- > 0;) {
    guint w = sizes[i][0], h = sizes[i][1];
    gsize n = (gsize) m->in_channels * w * h;
    /* a yuv420 model's int8 ranges are calibrated on 4:2:0 frames of
     * colour images, and uniform noise in every channel is far from
     * them */
    float *img = m->layout == AENN_INPUT_YUV420 ? yuv420_image (w, h, 11 + i)
        : random_image (m->in_channels, w, h, 11 + i);
    float *want = g_new (float, n), *got = g_new (float, n);
    AennPlan *plan = aenn_plan_new (m, path, &err);
    double worst = 0, sig = 0, err2 = 0;

    g_assert_no_error (err);
    g_assert_true (aenn_plan_prepare (plan, w, h, pool, 0, &err));
    g_assert_no_error (err);
    aenn_naive_forward_levels (m, NULL, img, w, h, levels, want);
    run (plan, m, img, got, w, h, -1.0f);
    for (gsize j = 0; j < n; j++) {
      double e = fabs ((double) got[j] - want[j]) / (1.0 + fabs (want[j]));
      /* the network's own output: the noise it predicts when residual */
      double y = m->residual ? (double) img[j] - want[j] : want[j];
      worst = MAX (worst, e);
      sig += y * y;
      err2 += ((double) got[j] - want[j]) * ((double) got[j] - want[j]);
    }
    if (power == 0)
      power = sig / n;
    if (kernel_path_is_quantized (path)) {
      /* first exactly what the int8 kernels compute (the packing, the
       * borders, the zero rows), then how far that is from float */
      float *q = g_new (float, n);
      double qworst = 0;
      aenn_naive_forward_levels (m, plan, img, w, h, levels, q);
      for (gsize j = 0; j < n; j++)
        qworst = MAX (qworst, fabs ((double) got[j] - q[j]) / (1.0
                + fabs (q[j])));
      g_test_message ("%s %ux%u: worst relative error against the naive "
          "int8 arithmetic %.3g", kernel_path_name (path), w, h, qworst);
      g_assert_cmpfloat (qworst, <, 1e-5);
      g_free (q);
    }
    if (kernel_path_is_quantized (path) && w * h >= 500) {
      /* u8 activations over a calibrated range of about 8 deviations
       * have an error of 8 / (255 sqrt 12) = 0.9% of their deviation,
       * s8 weights scaled to their largest of about 3 deviations 0.7%:
       * about 1.1% a layer, 2.5% over five in quadrature, an SNR of
       * 32 dB. 24 dB leaves room for the random weights' outliers (a
       * range twice as wide). The error is measured against the output
       * power of the largest frame. Frames of a few dozen pixels are left
       * to the exact check above: at level 2 they are one or two pixels
       * wide, all border, and their few values say little about the
       * noise of the quantization. */
      double snr = 10.0 * log10 (power / MAX (err2 / n, 1e-30));
      g_test_message ("%s %ux%u: output SNR against float %.1f dB",
          kernel_path_name (path), w, h, snr);
      g_assert_cmpfloat (snr, >, 24.0);
    } else if (!kernel_path_is_quantized (path)) {
      g_test_message ("%s %ux%u: worst relative error %.3g",
          kernel_path_name (path), w, h, worst);
      g_assert_cmpfloat (worst, <, 2e-5);
    }
    aenn_plan_free (plan);
    g_free (img);
    g_free (want);
    g_free (got);
  }
  worker_pool_free (pool);
  aenn_model_free (m);
}

static void
test_paths (gconstpointer data)
{
  KernelPath path = (KernelPath) GPOINTER_TO_INT (data);
  if (!kernel_path_supported (path)) {
    g_test_skip ("path not supported on this CPU or build");
    return;
  }
  check_against_naive (aenn_default_architecture (), path);
  check_against_naive (other_arch, path);
  check_against_naive (aenn_test_joint_arch, path);
}

/* A 3x3 identity, a shuffle round trip and a 1x1 identity: the output is
 * the input, bit for bit, on every path. */
static void
test_identity (void)
{
  static const gchar arch[] =
      "{\"in_channels\": 1, \"output\": \"y\", \"layers\": ["
      "{\"op\": \"conv\", \"name\": \"c\", \"in\": [\"x\"], \"out\": \"a\", "
      "\"out_channels\": 1, \"kernel\": 3, \"pad\": \"zero\"},"
      "{\"op\": \"s2d\", \"name\": \"d1\", \"in\": [\"a\"], \"out\": \"b\"},"
      "{\"op\": \"s2d\", \"name\": \"d2\", \"in\": [\"b\"], \"out\": \"b2\"},"
      "{\"op\": \"conv\", \"name\": \"p\", \"in\": [\"b2\"], \"out\": \"e\", "
      "\"out_channels\": 16, \"kernel\": 1, \"act\": \"relu\"},"
      "{\"op\": \"d2s\", \"name\": \"u1\", \"in\": [\"e\"], \"out\": \"f\"},"
      "{\"op\": \"d2s\", \"name\": \"u2\", \"in\": [\"f\"], \"out\": \"y\"}]}";
  GError *err = NULL;
  AennModel *m = aenn_model_new (arch, &err);
  float k3[9] = { 0, 0, 0, 0, 1, 0, 0, 0, 0 }, eye[256] = { 0 };

  g_assert_no_error (err);
  for (guint i = 0; i < 16; i++)
    eye[i * 16 + i] = 1.0f;
  g_assert_true (aenn_model_set_tensor (m, "c.weight", k3, 9, &err));
  g_assert_true (aenn_model_set_tensor (m, "p.weight", eye, 256, &err));
  g_assert_no_error (err);
  for (gint p = 0; p < KERNEL_PATH_LAST; p++) {
    if (!kernel_path_supported ((KernelPath) p))
      continue;
    for (guint i = 0; i < G_N_ELEMENTS (sizes); i++) {
      guint w = sizes[i][0], h = sizes[i][1];
      float *img = random_image (1, w, h, 3), *out = g_new (float, w * h);
      AennPlan *plan = aenn_plan_new (m, (KernelPath) p, &err);
      g_assert_true (aenn_plan_prepare (plan, w, h, NULL, 4, &err));
      run (plan, m, img, out, w, h, 0.0f);
      if (kernel_path_is_quantized ((KernelPath) p)) {
        /* the image quantizes to steps of 1/255 (half a step of error),
         * the 1x1 layer's input over its calibrated range, about [0, 1]
         * widened by 5% (0.525 steps): within 1.1 / 255 */
        for (guint j = 0; j < w * h; j++)
          if (!(fabsf (out[j] - img[j]) <= 1.1f / 255.0f))
            g_error ("%s %ux%u: pixel %u is %g, expected %g",
                kernel_path_name ((KernelPath) p), w, h, j, out[j], img[j]);
      } else
        g_assert_cmpmem (img, w * h * sizeof (float), out,
            w * h * sizeof (float));
      aenn_plan_free (plan);
      g_free (img);
      g_free (out);
    }
  }
  aenn_model_free (m);

  /* the default architecture with zero weights predicts no noise */
  m = aenn_model_new (aenn_default_architecture (), &err);
  {
    float *img = random_image (1, 33, 17, 5), *out = g_new (float, 33 * 17);
    AennPlan *plan = aenn_plan_new (m, KERNEL_PATH_AUTO, &err);
    g_assert_true (aenn_plan_prepare (plan, 33, 17, NULL, 0, &err));
    run (plan, m, img, out, 33, 17, 15.0f);
    g_assert_cmpmem (img, 33 * 17 * sizeof (float), out,
        33 * 17 * sizeof (float));
    aenn_plan_free (plan);
    g_free (img);
    g_free (out);
  }
  aenn_model_free (m);
}

/* Every thread count and strip height gives the same bits. */
static void
test_determinism (void)
{
  const guint w = 385, h = 289, strips[] = { 0, 4, 8, 36, 100, 1000 };
  GError *err = NULL;
  AennModel *m = aenn_model_new (aenn_default_architecture (), &err);
  float *img = random_image (1, w, h, 9), *first = g_new (float, w * h);
  float *out = g_new (float, w * h);

  aenn_model_randomize (m, 3, 1.0f);
  for (gint p = KERNEL_PATH_ORC; p < KERNEL_PATH_LAST; p++) {
    gboolean have_first = FALSE;
    if (!kernel_path_supported ((KernelPath) p))
      continue;
    for (guint nt = 1; nt <= 3; nt++) {
      WorkerPool *pool = worker_pool_new (nt);
      for (guint s = 0; s < G_N_ELEMENTS (strips); s++) {
        AennPlan *plan = aenn_plan_new (m, (KernelPath) p, &err);
        g_assert_true (aenn_plan_prepare (plan, w, h, pool, strips[s], &err));
        run (plan, m, img, out, w, h, 30.0f);
        /* twice: nothing of one frame may leak into the next */
        run (plan, m, img, out, w, h, 30.0f);
        if (!have_first) {
          memcpy (first, out, w * h * sizeof (float));
          have_first = TRUE;
        } else
          g_assert_cmpmem (first, w * h * sizeof (float), out,
              w * h * sizeof (float));
        aenn_plan_free (plan);
      }
      worker_pool_free (pool);
    }
  }
  g_free (img);
  g_free (first);
  g_free (out);
  aenn_model_free (m);
}

static void
test_errors (void)
{
  GError *err = NULL;
  AennModel *m = aenn_model_new (aenn_default_architecture (), &err);
  AennPlan *plan = aenn_plan_new (m, KERNEL_PATH_ORC, &err);

  g_assert_false (aenn_plan_prepare (plan, 0, 10, NULL, 0, &err));
  g_assert_error (err, AENN_ERROR, AENN_ERROR_SIZE);
  g_clear_error (&err);
  g_assert_cmpfloat (aenn_model_macs_per_pixel (m), ==, 411.5);
  g_assert_cmpstr (aenn_plan_get_path_name (plan), ==, "orc");
  aenn_plan_free (plan);
  /* a path the build has no kernels for */
  g_assert_null (aenn_plan_new (m, KERNEL_PATH_LAST, &err));
  g_assert_error (err, AENN_ERROR, AENN_ERROR_PATH);
  g_clear_error (&err);
  aenn_model_free (m);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (gint p = 0; p < KERNEL_PATH_LAST; p++) {
    gchar *name = g_strdup_printf ("/aenn/engine/naive/%s",
        kernel_path_name ((KernelPath) p));
    g_test_add_data_func (name, GINT_TO_POINTER (p), test_paths);
    g_free (name);
  }
  g_test_add_func ("/aenn/engine/identity", test_identity);
  g_test_add_func ("/aenn/engine/determinism", test_determinism);
  g_test_add_func ("/aenn/engine/errors", test_errors);
  return g_test_run ();
}
