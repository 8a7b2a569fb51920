/* aenn-temporal-bench: the cost of aedenoise's temporal step
 * (denoise/frames/temporal.c) alone, per kernel path and thread count, on
 * I420-sized planes of a still scene under noise (every frame fused, none
 * repeated).
 *
 *   aenn-temporal-bench [--size 1920x1080] [--paths c,orc,...]
 *       [--threads 1,2] [--frames 30]
 *
 * Prints the median milliseconds per frame over the frames after a
 * warm-up, and the bytes of state. */
#include "config.h"
#include "denoise/frames/temporal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

int
main (int argc, char **argv)
{
  gchar *size_opt = NULL, *paths_opt = NULL, *threads_opt = NULL;
  gint frames = 30;
  GOptionEntry entries[] = {
    {"size", 's', 0, G_OPTION_ARG_STRING, &size_opt,
        "luma size (default 1920x1080)", "WxH"},
    {"paths", 'p', 0, G_OPTION_ARG_STRING, &paths_opt,
        "kernel paths (default: c and orc)", "LIST"},
    {"threads", 't', 0, G_OPTION_ARG_STRING, &threads_opt,
        "thread counts (default 1,2)", "LIST"},
    {"frames", 'n', 0, G_OPTION_ARG_INT, &frames, "frames per case", "N"},
    {NULL}
  };
  GOptionContext *ctx = g_option_context_new ("- the temporal step's cost");
  GError *err = NULL;
  guint w = 1920, h = 1080;
  gchar **paths, **threads;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &err)) {
    fprintf (stderr, "%s\n", err->message);
    return 2;
  }
  g_option_context_free (ctx);
  if (size_opt && (sscanf (size_opt, "%ux%u", &w, &h) != 2 || w < 2 || h < 2)) {
    fprintf (stderr, "bad size %s\n", size_opt);
    return 2;
  }
  frames = MAX (frames, 2);
  paths = g_strsplit (paths_opt ? paths_opt : "c,orc", ",", -1);
  threads = g_strsplit (threads_opt ? threads_opt : "1,2", ",", -1);
  printf ("I420 planes of %ux%u, %d frames per case (the first not timed)\n",
      w, h, frames);
  printf ("%-6s %3s %10s %10s %12s\n", "path", "thr", "ms/frame", "best ms",
      "state MB");

  for (gchar ** p = paths; *p; p++) {
    KernelPath kp;
    if (!kernel_path_from_name (*p, &kp) || !kernel_path_supported (kp)
        || aenn_temporal_kernels_get (kp) == NULL) {
      printf ("%-6s: not supported here\n", *p);
      continue;
    }
    for (gchar ** th = threads; *th; th++) {
      guint nt = (guint) atoi (*th);
      WorkerPool *pool = worker_pool_new (MAX (nt, 1));
      guint pw[3] = { w, (w + 1) / 2, (w + 1) / 2 };
      guint ph[3] = { h, (h + 1) / 2, (h + 1) / 2 };
      AennTemporal *t = aenn_temporal_new (kp, 3, pw, ph);
      float *x[3], *s[3];
      gsize st[3];
      float sigma[3] = { 25, 10, 10 };
      double *ms = g_new (double, frames);
      GRand *r = g_rand_new_with_seed (1);

      for (guint c = 0; c < 3; c++) {
        gsize n = (gsize) pw[c] * ph[c];
        st[c] = pw[c];
        x[c] = g_new (float, n);
        s[c] = g_new (float, n);
      }
      for (gint f = 0; f < frames; f++) {
        gint64 t0;
        for (guint c = 0; c < 3; c++)
          for (gsize i = 0; i < (gsize) pw[c] * ph[c]; i++) {
            float v = 0.5f + 0.2f * (float) ((i % pw[c]) % 97) / 97.0f;
            x[c][i] = v + (float) g_rand_double_range (r, -0.15, 0.15);
            s[c][i] = v + (float) g_rand_double_range (r, -0.03, 0.03);
          }
        t0 = g_get_monotonic_time ();
        aenn_temporal_step (t, pool, (const float *const *) x, st, s, st,
            sigma);
        ms[f] = (g_get_monotonic_time () - t0) / 1e3;
      }
      qsort (ms + 1, frames - 1, sizeof (double), cmp_double);
      printf ("%-6s %3u %10.2f %10.2f %12.1f\n", *p, nt, ms[1 + (frames - 1)
              / 2], ms[1], aenn_temporal_get_size (t) / 1e6);
      for (guint c = 0; c < 3; c++) {
        g_free (x[c]);
        g_free (s[c]);
      }
      g_free (ms);
      g_rand_free (r);
      aenn_temporal_free (t);
      worker_pool_free (pool);
    }
  }
  g_strfreev (paths);
  g_strfreev (threads);
  return 0;
}
