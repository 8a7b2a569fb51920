/* The shipped models (models/SHA256SUMS): each file matches its hash,
 * loads, and denoises a generated image at a known sigma with a clear
 * PSNR gain. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "denoise/synth/deadleaves.h"
#include "denoise/engine/engine.h"
#include "denoise/model/model.h"

#define SIZE 256

static double
psnr (const float *a, const float *b, gsize n)
{
  double se = 0.0;
  for (gsize i = 0; i < n; i++) {
    double d = 255.0 * ((double) a[i] - b[i]);
    se += d * d;
  }
  return 10.0 * log10 (255.0 * 255.0 / (se / n));
}

static void
test_model (gconstpointer data)
{
  const gchar *line = data;
  gchar **f = g_strsplit_set (line, " \t", -1);
  const gchar *hash = f[0], *name = f[g_strv_length (f) - 1];
  gchar *path = g_build_filename (TEST_SRCDIR, "models", name, NULL);
  gchar *bytes, *sum;
  gsize len, n = SIZE * SIZE;
  GError *err = NULL;
  AennModel *model;
  AennPlan *plan;
  AennDeadLeavesParams dl;
  Rng rng;
  float *clean = g_new (float, n), *noisy = g_new (float, n);
  float *out = g_new (float, n);
  const float sigmas[] = { 15.0f, 25.0f, 50.0f };

  g_assert_true (g_file_get_contents (path, &bytes, &len, &err));
  sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (guchar *) bytes,
      len);
  g_assert_cmpstr (sum, ==, hash);

  model = aenn_model_load_file (path, &err);
  g_assert_no_error (err);
  plan = aenn_plan_new (model, KERNEL_PATH_AUTO, &err);
  g_assert_no_error (err);
  g_assert_true (aenn_plan_prepare (plan, SIZE, SIZE, NULL, 0, &err));

  aenn_deadleaves_params_init (&dl);
  aenn_deadleaves_render (&dl, 12345, 1, SIZE, SIZE, clean);
  for (guint s = 0; s < G_N_ELEMENTS (sigmas); s++) {
    const float *src[1] = { noisy };
    float *dst[1] = { out };
    double before, after;

    rng_init (&rng, 7, s, 0);
    /* 8-bit frames: noise added, then rounded and clipped */
    for (gsize i = 0; i < n; i++) {
      double v = 255.0 * clean[i] + sigmas[s] * rng_gauss (&rng);
      clean[i] = (float) (rint (255.0 * clean[i]) / 255.0);
      noisy[i] = (float) (CLAMP (rint (v), 0.0, 255.0) / 255.0);
    }
    aenn_plan_process (plan, src, SIZE, dst, SIZE, sigmas[s]);
    for (gsize i = 0; i < n; i++)
      out[i] = CLAMP (rintf (out[i] * 255.0f), 0.0f, 255.0f) / 255.0f;
    before = psnr (noisy, clean, n);
    after = psnr (out, clean, n);
    g_test_message ("%s sigma %g: %.2f dB -> %.2f dB", name, sigmas[s],
        before, after);
    /* the default model gains 2.6-7.6 dB on Set12 at these sigmas */
    g_assert_cmpfloat (after - before, >, 2.0);
  }

  aenn_plan_free (plan);
  aenn_model_free (model);
  g_free (clean);
  g_free (noisy);
  g_free (out);
  g_free (sum);
  g_free (bytes);
  g_free (path);
  g_strfreev (f);
}

int
main (int argc, char **argv)
{
  gchar *list, *path;
  gchar **lines;
  GError *err = NULL;

  g_test_init (&argc, &argv, NULL);
  path = g_build_filename (TEST_SRCDIR, "models", "SHA256SUMS", NULL);
  if (!g_file_get_contents (path, &list, NULL, &err))
    g_error ("%s", err->message);
  lines = g_strsplit (list, "\n", -1);
  for (guint i = 0; lines[i]; i++) {
    gchar *test;
    g_strstrip (lines[i]);
    if (lines[i][0] == '\0' || lines[i][0] == '#')
      continue;
    test = g_strdup_printf ("/aenn/models/%u", i);
    g_test_add_data_func (test, lines[i], test_model);
    g_free (test);
  }
  {
    int ret = g_test_run ();
    g_strfreev (lines);
    g_free (list);
    g_free (path);
    return ret;
  }
}
