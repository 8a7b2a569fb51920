/* The trainer's held-back validation (tools/aenn_heldout): which frames
 * the split takes, and that the noisy-to-noisy score estimates what a
 * clean reference would measure. */
#include "config.h"
#include "aenn_heldout.h"
#include "denoise/engine/engine.h"

#include <math.h>

#define W 96
#define H 80
#define SIGMA 20.0

static guint8 clean[H * W];

static void
make_clean (void)
{
  for (guint y = 0; y < H; y++)
    for (guint x = 0; x < W; x++) {
      double v = 60 + 1.2 * x + 0.5 * y;
      if ((x - 40.0) * (x - 40.0) + (y - 36.0) * (y - 36.0) < 400)
        v = 200;
      clean[y * W + x] = (guint8) v;
    }
}

/* A static scene with fresh noise per frame; frames from `cut` on are
 * another sequence. */
static AennFrameSet *
make_set (guint n, guint cut, GRand * r)
{
  AennFrameSet *set = aenn_frame_set_new (1);
  guint8 *f = g_new (guint8, W * H);

  for (guint i = 0; i < n; i++) {
    const guint8 *planes[1] = { f };
    for (guint j = 0; j < W * H; j++) {
      /* Box-Muller */
      double u1 = g_rand_double_range (r, 1e-12, 1.0);
      double u2 = g_rand_double (r);
      double g = sqrt (-2.0 * log (u1)) * cos (2.0 * G_PI * u2);
      f[j] = (guint8) CLAMP (round (clean[j] + SIGMA * g), 0, 255);
    }
    g_assert_true (aenn_frame_set_add (set, planes, W, W, H,
            i < cut ? 0 : 1, NULL));
  }
  g_free (f);
  return set;
}

static void
test_split (void)
{
  GRand *r = g_rand_new_with_seed (1);
  AennFrameSet *set = make_set (30, 19, r), *orig = set, *held;
  guint seq, w, h;

  make_clean ();
  /* pairs at 8-9, 18-19 (across the cut: kept), 28-29 */
  held = aenn_held_out_split (&set, 10);
  g_assert_nonnull (held);
  g_assert_true (set != orig);
  g_assert_cmpuint (aenn_frame_set_get_n_frames (held), ==, 4);
  g_assert_cmpuint (aenn_frame_set_get_n_frames (set), ==, 26);
  aenn_frame_set_get_frame (held, 2, &w, &h, &seq);
  g_assert_cmpuint (seq, ==, 1);
  g_assert_cmpuint (w, ==, W);
  aenn_frame_set_free (held);
  /* too few frames: nothing taken, the set untouched */
  orig = set;
  g_assert_null (aenn_held_out_split (&set, 40));
  g_assert_true (set == orig);
  aenn_frame_set_free (set);
  g_rand_free (r);
}

static double
true_psnr (const AennModel * m, const AennFrameSet * held)
{
  AennPlan *plan = aenn_plan_new (m, KERNEL_PATH_AUTO, NULL);
  float *in = g_new (float, W * H), *out = g_new (float, W * H);
  double se = 0;
  guint n = aenn_frame_set_get_n_frames (held), w, h, s;

  g_assert_true (aenn_plan_prepare (plan, W, H, NULL, 0, NULL));
  for (guint i = 0; i < n; i += 2) {
    const guint8 *a = aenn_frame_set_get_frame (held, i, &w, &h, &s);
    const float *src[1] = { in };
    float *dst[1] = { out };
    for (guint j = 0; j < W * H; j++)
      in[j] = a[j] / 255.0f;
    aenn_plan_process (plan, src, W, dst, W, SIGMA);
    for (guint j = 0; j < W * H; j++) {
      double d = CLAMP (round (out[j] * 255.0), 0, 255) - clean[j];
      se += d * d;
    }
  }
  aenn_plan_free (plan);
  g_free (in);
  g_free (out);
  return 10 * log10 (255.0 * 255.0 / (se / (n / 2 * W * H)));
}

static void
test_score (void)
{
  GRand *r = g_rand_new_with_seed (2);
  AennFrameSet *set = make_set (80, 80, r), *held;
  GError *err = NULL;
  AennModel *zero = aenn_model_new (aenn_default_architecture (), &err);
  gchar *path = g_build_filename (TEST_SRCDIR, "models",
      "aedenoise-default.safetensors", NULL);
  AennModel *trained = aenn_model_load_file (path, &err);
  AennHeldOutScore sc;
  double truth;

  make_clean ();
  g_assert_no_error (err);
  held = aenn_held_out_split (&set, 10);
  g_assert_cmpuint (aenn_frame_set_get_n_frames (held), ==, 16);
  /* a network that predicts no noise returns the input: no gain, and the
   * input's estimate is the noise's level (clipping lowers it a little) */
  g_assert_true (aenn_held_out_score (held, zero, KERNEL_PATH_AUTO, SIGMA, &sc,
          &err));
  g_assert_no_error (err);
  g_assert_cmpuint (sc.n_pairs, ==, 8);
  g_assert_cmpfloat_with_epsilon (sc.psnr_out, sc.psnr_in, 1e-9);
  g_assert_cmpfloat (fabs (sc.psnr_in - 20 * log10 (255 / SIGMA)), <, 0.3);
  g_assert_cmpfloat_with_epsilon (sc.psnr_next_in, sc.psnr_in - 10 * log10
      (2.0), 1e-9);
  /* the shipped model: the estimate is within half a dB of what the clean
   * frame measures, and shows the gain */
  g_assert_true (aenn_held_out_score (held, trained, KERNEL_PATH_AUTO, SIGMA,
          &sc, &err));
  truth = true_psnr (trained, held);
  g_test_message ("estimated %.2f dB (input %.2f), measured on clean %.2f",
      sc.psnr_out, sc.psnr_in, truth);
  g_assert_cmpfloat (fabs (sc.psnr_out - truth), <, 0.5);
  g_assert_cmpfloat (sc.psnr_out - sc.psnr_in, >, 3.0);
  /* a model of other channels is refused */
  {
    AennModel *rgb = aenn_model_new ("{\"in_channels\": 3, \"output\": \"y\", "
        "\"layers\": [{\"op\": \"conv\", \"name\": \"c\", \"in\": [\"x\"], "
        "\"out\": \"y\", \"out_channels\": 3, \"kernel\": 1}]}", NULL);
    g_assert_false (aenn_held_out_score (held, rgb, KERNEL_PATH_AUTO, SIGMA, &sc,
            &err));
    g_assert_error (err, AENN_ERROR, AENN_ERROR_DATA);
    g_clear_error (&err);
    aenn_model_free (rgb);
  }
  aenn_model_free (zero);
  aenn_model_free (trained);
  aenn_frame_set_free (held);
  aenn_frame_set_free (set);
  g_free (path);
  g_rand_free (r);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/heldout/split", test_split);
  g_test_add_func ("/heldout/score", test_score);
  return g_test_run ();
}
