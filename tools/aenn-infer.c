/* aenn-infer: runs a model file through the engine on raw float planes,
 * the way aedenoise runs it on each plane, for checking a model against
 * another implementation (tools/aenn_torch.py, tests/tools) and for
 * experiments.
 *
 *   aenn-infer --size WxH [--sigma S] [--kernels PATH] MODEL IN OUT
 *
 * IN and OUT: in_channels planes of H rows of W little-endian float32
 * (C order, (C, H, W)), on the 0..1 scale; OUT gets the network's result
 * (with a residual model, the denoised image). */
#include "config.h"
#include "denoise/engine/engine.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static gchar *size_str, *kernels;
static gdouble sigma = 25.0;

static GOptionEntry entries[] = {
  {"size", 's', 0, G_OPTION_ARG_STRING, &size_str, "Plane size (required)",
      "WxH"},
  {"sigma", 0, 0, G_OPTION_ARG_DOUBLE, &sigma,
      "Noise level given to the network, 0..255 (25)", "S"},
  {"kernels", 'k', 0, G_OPTION_ARG_STRING, &kernels,
      "Kernel path: c, orc, avx2, avx512 or vnni (default: "
        "GST_UNSUPERVISED_KERNELS, else the best the CPU runs)", "PATH"},
  {NULL}
};

static gboolean
parse_size (const gchar * s, guint * w, guint * h)
{
  gchar *end;
  guint64 a, b;

  if (s == NULL)
    return FALSE;
  a = g_ascii_strtoull (s, &end, 10);
  if (end == s || *end != 'x')
    return FALSE;
  s = end + 1;
  b = g_ascii_strtoull (s, &end, 10);
  if (end == s || *end != '\0' || a == 0 || b == 0 || a > 65536 || b > 65536)
    return FALSE;
  *w = (guint) a;
  *h = (guint) b;
  return TRUE;
}

int
main (int argc, char **argv)
{
  GOptionContext *ctx = g_option_context_new ("MODEL IN OUT - run a model "
      "on raw float planes");
  GError *err = NULL;
  AennModel *model = NULL;
  AennPlan *plan = NULL;
  KernelPath path = KERNEL_PATH_AUTO;
  gchar *in = NULL;
  gsize len;
  float *out = NULL;
  guint w, h;
  int ret = 1;

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_summary (ctx, "Reads (C, H, W) little-endian float32 "
      "planes on the 0..1 scale, runs the model as aedenoise does on each "
      "plane, and writes the result in the same layout. Exit status: 0 on "
      "success, 1 on an error, 2 on bad options.");
  if (!g_option_context_parse (ctx, &argc, &argv, &err) || argc != 4
      || !parse_size (size_str, &w, &h) || sigma < 0 || sigma > 255
      || (kernels != NULL && !kernel_path_from_name (kernels, &path))) {
    g_printerr ("aenn-infer: %s\n", err ? err->message : "expected --size "
        "WxH, --sigma within 0..255, a known --kernels path and MODEL IN "
        "OUT (--help)");
    g_clear_error (&err);
    ret = 2;
    goto done;
  }
  model = aenn_model_load_file (argv[1], &err);
  if (model == NULL)
    goto error;
  if (!g_file_get_contents (argv[2], &in, &len, &err))
    goto error;
  if (len != (gsize) model->in_channels * w * h * sizeof (float)) {
    g_printerr ("aenn-infer: %s: %" G_GSIZE_FORMAT " bytes, expected %u "
        "planes of %ux%u float32 (%" G_GSIZE_FORMAT ")\n", argv[2], len,
        model->in_channels, w, h, (gsize) model->in_channels * w * h * 4);
    goto done;
  }
  plan = aenn_plan_new (model, path, &err);
  if (plan == NULL || !aenn_plan_prepare (plan, w, h, NULL, 0, &err))
    goto error;
  out = g_new (float, (gsize) model->in_channels * w * h);
  {
    const float *src[4];
    float *dst[4];
    const float *fin = (const float *) in;      /* g_malloc: aligned */
    for (guint c = 0; c < model->in_channels; c++) {
      src[c] = fin + (gsize) c * w * h;
      dst[c] = out + (gsize) c * w * h;
    }
    for (gsize i = 0; i < (gsize) model->in_channels * w * h; i++)
      if (!isfinite (fin[i])) {
        g_printerr ("aenn-infer: %s: value %" G_GSIZE_FORMAT " is not "
            "finite\n", argv[2], i);
        goto done;
      }
    aenn_plan_process (plan, src, w, dst, w, (float) sigma);
  }
  if (!g_file_set_contents (argv[3], (const gchar *) out,
          (gssize) model->in_channels * w * h * sizeof (float), &err))
    goto error;
  g_printerr ("aenn-infer: %s on %s kernels, %ux%u, sigma %g\n", argv[1],
      aenn_plan_get_path_name (plan), w, h, sigma);
  ret = 0;
  goto done;

error:
  g_printerr ("aenn-infer: %s\n", err->message);
  g_clear_error (&err);
done:
  aenn_plan_free (plan);
  aenn_model_free (model);
  g_free (in);
  g_free (out);
  g_free (size_str);
  g_free (kernels);
  g_option_context_free (ctx);
  return ret;
}
