/* The noise estimator on generated 8-bit frames (shapes, gradients,
 * texture, noise added then rounded and clipped like a real frame's):
 * within 10% of the true sigma from 5 to 50; and its edge cases. */
#include "config.h"
#include "denoise/frames/noise_estimate.h"

#include <math.h>

static double
gauss (GRand * r)
{
  double u = g_rand_double (r), v = g_rand_double (r);
  return sqrt (-2.0 * log (1.0 - u)) * cos (2.0 * G_PI * v);
}

/* A clean frame: a gradient under discs of flat grey (some dark, some
 * bright), rectangles of texture (a diagonal grating, a checkerboard of 3x3
 * squares, a smooth plaid) and a shaded disc. */
static double *
make_scene (guint w, guint h, guint32 seed)
{
  static const double levels[] = { 18, 60, 120, 200, 238 };
  GRand *r = g_rand_new_with_seed (seed);
  double *img = g_new (double, (gsize) w * h);
  double m = MIN (w, h);

  for (guint y = 0; y < h; y++)
    for (guint x = 0; x < w; x++)
      img[y * w + x] = 40 + 120.0 * x / w + 40.0 * y / h;
  for (gint i = 0; i < 8; i++) {
    double cx = g_rand_double_range (r, 0, w), cy = g_rand_double_range (r, 0,
        h);
    double rad = g_rand_double_range (r, 0.05, 0.2) * m;
    double v = levels[g_rand_int_range (r, 0, G_N_ELEMENTS (levels))];
    for (guint y = 0; y < h; y++)
      for (guint x = 0; x < w; x++)
        if ((x - cx) * (x - cx) + (y - cy) * (y - cy) < rad * rad)
          img[y * w + x] = v;
  }
  for (gint i = 0; i < 4; i++) {
    double x0 = g_rand_double_range (r, 0, 0.8 * w);
    double y0 = g_rand_double_range (r, 0, 0.8 * h);
    double rw = g_rand_double_range (r, 0.05, 0.2) * w;
    double rh = g_rand_double_range (r, 0.05, 0.2) * h;
    for (guint y = (guint) y0; y < MIN (y0 + rh, h); y++)
      for (guint x = (guint) x0; x < MIN (x0 + rw, w); x++) {
        double *p = &img[y * w + x];
        if (i % 3 == 0)
          *p = 128 + 40 * sin (2 * G_PI * (x / 7.0 + y / 11.0));
        else if (i % 3 == 1)
          *p = ((x / 3 + y / 3) % 2) ? 170 : 90;
        else
          *p = 100 + 60 * sin (2 * G_PI * x / 23.0) * cos (2 * G_PI * y /
              17.0);
      }
  }
  {
    double cx = 0.7 * w, cy = 0.3 * h, rad = 0.25 * m;
    for (guint y = 0; y < h; y++)
      for (guint x = 0; x < w; x++) {
        double d2 = ((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (rad * rad);
        if (d2 < 1)
          img[y * w + x] = 200 - 100 * d2;
      }
  }
  g_rand_free (r);
  return img;
}

/* clean + N(0, sigma^2), rounded and clipped to 8 bits, as floats / 255 in
 * rows of stride floats */
static float *
make_noisy (const double *clean, guint w, guint h, gsize stride,
    double sigma, guint32 seed)
{
  GRand *r = g_rand_new_with_seed (seed);
  float *p = g_new0 (float, stride * h);

  for (guint y = 0; y < h; y++)
    for (guint x = 0; x < w; x++) {
      double v = round (clean[y * w + x] + sigma * gauss (r));
      p[y * stride + x] = (float) CLAMP (v, 0, 255) / 255.0f;
    }
  g_rand_free (r);
  return p;
}

static void
test_accuracy (void)
{
  /* 1080p reads every third row of blocks only */
  static const guint sizes[][2] = { {384, 288}, {385, 289}, {1280, 720},
  {1920, 1080}
  };
  static const double sigmas[] = { 5, 7.5, 10, 15, 20, 25, 30, 40, 50 };
  double worst = 0;

  for (guint si = 0; si < G_N_ELEMENTS (sizes); si++) {
    guint w = sizes[si][0], h = sizes[si][1];
    gsize stride = w + 7;
    float *scratch = g_new (float, aenn_noise_scratch_size (w, h));
    for (guint32 seed = 1; seed <= (w > 1280 ? 1 : 3); seed++) {
      double *clean = make_scene (w, h, seed);
      for (guint i = 0; i < G_N_ELEMENTS (sigmas); i++) {
        float *p = make_noisy (clean, w, h, stride, sigmas[i], seed * 100 + i);
        float est = aenn_noise_estimate (p, stride, w, h, scratch);
        double err = (est - sigmas[i]) / sigmas[i];
        g_test_message ("%ux%u scene %u sigma %.1f: %.2f (%+.1f%%)", w, h,
            seed, sigmas[i], est, 100 * err);
        if (fabs (err) > 0.10)
          g_error ("%ux%u scene %u sigma %.1f: estimated %.2f, %+.1f%%", w,
              h, seed, sigmas[i], est, 100 * err);
        worst = MAX (worst, fabs (err));
        g_free (p);
      }
      g_free (clean);
    }
    g_free (scratch);
  }
  g_test_message ("largest error %.1f%%", 100 * worst);
}

static void
test_edge_cases (void)
{
  float *scratch = g_new (float, aenn_noise_scratch_size (64, 64));
  float *p = g_new0 (float, 64 * 64);

  /* a flat mid-grey frame has no noise */
  for (guint i = 0; i < 64 * 64; i++)
    p[i] = 0.5f;
  g_assert_cmpfloat (aenn_noise_estimate (p, 64, 64, 64, scratch), ==, 0.0f);
  /* too small to hold one block */
  g_assert_cmpfloat (aenn_noise_estimate (p, 64, 17, 64, scratch), <, 0.0f);
  g_assert_cmpfloat (aenn_noise_estimate (p, 64, 64, 17, scratch), <, 0.0f);
  g_assert_cmpfloat (aenn_noise_estimate (p, 64, 18, 18, scratch), ==, 0.0f);
  /* clipped everywhere: nothing to measure */
  for (guint i = 0; i < 64 * 64; i++)
    p[i] = (i * 7919) % 3 ? 1.0f : 0.0f;
  g_assert_cmpfloat (aenn_noise_estimate (p, 64, 64, 64, scratch), <, 0.0f);
  g_free (p);
  g_free (scratch);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/aenn/noise/accuracy", test_accuracy);
  g_test_add_func ("/aenn/noise/edge-cases", test_edge_cases);
  return g_test_run ();
}
