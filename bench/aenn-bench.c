/* aenn-bench: times the aedenoise engine on single planes with random
 * weights for the default architecture (or a model file), per kernel path
 * and thread count.
 *
 *   aenn-bench [--runs N] [--paths c,orc,avx2,avx512,vnni] [--threads 1,2]
 *       [--model FILE]
 *
 * Prints, per size, path and thread count, the median of N runs: ms per
 * plane, frames per second for the plane alone and for an I420 frame (the
 * luma plane plus two quarter-size chroma planes), GMAC/s of wall time
 * and GMAC per CPU-second of the luma plane. */
#include "config.h"
#include "denoise/engine/engine.h"
#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Median seconds of runs calls of process on a w x h plane. */
static guint strip_rows;

static double
time_plane (AennPlan * plan, guint w, guint h, WorkerPool * pool, guint runs,
    double *cpu)
{
  float *src = g_new (float, (gsize) w * h), *dst = g_new (float, (gsize) w * h);
  double *t = g_new (double, runs), *c = g_new (double, runs), med;
  GRand *r = g_rand_new_with_seed (5);
  const float *s[1] = { src };
  float *d[1] = { dst };

  for (gsize i = 0; i < (gsize) w * h; i++)
    src[i] = (float) g_rand_double (r);
  if (!aenn_plan_prepare (plan, w, h, pool, strip_rows, NULL))
    g_error ("prepare %ux%u failed", w, h);
  aenn_plan_process (plan, s, w, d, w, 25.0f);  /* warm up */
  for (guint i = 0; i < runs; i++) {
    gint64 t0 = g_get_monotonic_time ();
    double c0 = cpu_seconds ();
    aenn_plan_process (plan, s, w, d, w, 25.0f);
    t[i] = (g_get_monotonic_time () - t0) * 1e-6;
    c[i] = cpu_seconds () - c0;
  }
  qsort (t, runs, sizeof (double), cmp_double);
  qsort (c, runs, sizeof (double), cmp_double);
  med = t[runs / 2];
  *cpu = c[runs / 2];
  g_free (c);
  g_rand_free (r);
  g_free (src);
  g_free (dst);
  g_free (t);
  return med;
}

int
main (int argc, char **argv)
{
  gint runs = 9, strip = 0;
  gchar *paths_opt = NULL, *threads_opt = NULL, *model = NULL;
  GOptionEntry entries[] = {
    {"runs", 'r', 0, G_OPTION_ARG_INT, &runs, "timed runs per case", "N"},
    {"paths", 'p', 0, G_OPTION_ARG_STRING, &paths_opt,
        "kernel paths (default: all supported)", "LIST"},
    {"strip-rows", 's', 0, G_OPTION_ARG_INT, &strip,
        "strip height (default: the engine's choice)", "N"},
    {"threads", 't', 0, G_OPTION_ARG_STRING, &threads_opt,
        "thread counts (default: 1,2)", "LIST"},
    {"model", 'm', 0, G_OPTION_ARG_FILENAME, &model,
        "model file (default: random weights, default architecture)", "FILE"},
    {NULL}
  };
  static const guint sizes[][2] = { {1280, 720}, {1920, 1080} };
  GOptionContext *ctx = g_option_context_new ("- time the aenn engine");
  GError *err = NULL;
  AennModel *m;
  gchar **paths, **threads;
  double macs;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &err)) {
    fprintf (stderr, "%s\n", err->message);
    return 1;
  }
  g_option_context_free (ctx);
  if (runs < 1)
    runs = 1;
  strip_rows = (guint) MAX (strip, 0);
  paths = g_strsplit (paths_opt ? paths_opt : "c,orc,avx2,avx512,vnni",
      ",", -1);
  threads = g_strsplit (threads_opt ? threads_opt : "1,2", ",", -1);

  m = model ? aenn_model_load_file (model, &err) :
      aenn_model_new (aenn_default_architecture (), &err);
  if (m == NULL)
    g_error ("%s", err->message);
  if (model == NULL)
    aenn_model_randomize (m, 1, 1.0f);
  macs = aenn_model_macs_per_pixel (m);
  printf ("%s: %.1f MACs per pixel; ORC target %s; median of %d runs\n",
      model ? model : "default architecture", macs, kernel_path_orc_target (),
      runs);
  printf ("%-10s %-7s %3s %9s %9s %9s %9s %8s %10s\n", "size", "path",
      "thr", "ms/plane", "planes/s", "I420 ms", "I420 fps", "GMAC/s",
      "GMAC/cpu-s");

  for (guint si = 0; si < G_N_ELEMENTS (sizes); si++)
    for (gchar ** p = paths; *p; p++) {
      KernelPath path;
      if (!kernel_path_from_name (*p, &path) || path == KERNEL_PATH_AUTO
          || !kernel_path_supported (path)) {
        printf ("%-7s: not supported here\n", *p);
        continue;
      }
      for (gchar ** th = threads; *th; th++) {
        guint nt = (guint) atoi (*th), w = sizes[si][0], h = sizes[si][1];
        WorkerPool *pool = worker_pool_new (MAX (nt, 1));
        AennPlan *plan = aenn_plan_new (m, path, &err);
        /* the C path is a test reference: a few runs say enough */
        guint nr = path == KERNEL_PATH_C ? MIN ((guint) runs, 3u) : (guint) runs;
        double cy, cc;
        double ty = time_plane (plan, w, h, pool, nr, &cy);
        double tc = time_plane (plan, (w + 1) / 2, (h + 1) / 2, pool, nr, &cc);
        double frame = ty + 2 * tc;
        printf ("%4ux%-5u %-7s %3u %9.2f %9.1f %9.2f %9.1f %8.1f %10.1f\n",
            w, h, *p, nt, ty * 1e3, 1.0 / ty, frame * 1e3, 1.0 / frame,
            macs * w * h / ty * 1e-9, macs * w * h / cy * 1e-9);
        fflush (stdout);
        aenn_plan_free (plan);
        worker_pool_free (pool);
      }
    }
  g_strfreev (paths);
  g_strfreev (threads);
  g_free (paths_opt);
  g_free (threads_opt);
  g_free (model);
  aenn_model_free (m);
  return 0;
}
