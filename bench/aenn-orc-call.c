/* aenn-orc-call: what a call into the ORC convolution kernel costs, and
 * what a row of it does, for the ORC path's design (docs/design.md):
 * aenn_orc_conv3x2_f32 (six taps) on one row of n floats, for several n,
 * then on blocks of m rows of 640 floats. CPU time, median of --runs.
 *
 *   aenn-orc-call [--runs 7]
 * Prints n, m, ns per call and GMAC per CPU-second, and last the fixed
 * cost of a call: where the line through the one-row times at n = 16 and
 * n = 1024 meets n = 0. */
#include <glib.h>
#include <orc/orc.h>
#include <stdio.h>
#include <string.h>

#include "aenn_orc.h"
#include "bench_util.h"

#define STRIDE 672              /* floats per row, as the engine at 640 */

/* ns per call of conv3x2 over m rows of n, median of runs */
static double
time_calls (float *d, const float *s, int n, int m, int runs)
{
  double t[64];
  /* about 50 ms of work per run */
  long calls = MAX (1L, (long) (5e7 / (6.0 * n * m + 200.0)));

  for (int r = 0; r < runs; r++) {
    double t0 = cpu_seconds ();
    for (long c = 0; c < calls; c++)
      aenn_orc_conv3x2_f32 (d, STRIDE * 4, s, STRIDE * 4, s + STRIDE,
          STRIDE * 4, 0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, n, m);
    t[r] = (cpu_seconds () - t0) / calls * 1e9;
  }
  qsort (t, runs, sizeof (double), cmp_double);
  return t[runs / 2];
}

int
main (int argc, char **argv)
{
  static const int ns[] = { 16, 64, 160, 320, 640, 1024 };
  static const int ms[] = { 1, 4, 12 };
  gint runs = 7;
  GOptionEntry entries[] = {
    {"runs", 'r', 0, G_OPTION_ARG_INT, &runs, "Runs per case", "N"},
    {NULL}
  };
  GOptionContext *ctx = g_option_context_new ("- cost of an ORC call");
  GError *err = NULL;
  double t16, t1024;
  float *d, *s;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &err)) {
    g_printerr ("%s\n", err->message);
    return 2;
  }
  g_option_context_free (ctx);
  runs = CLAMP (runs, 1, 64);
  orc_init ();
  /* 14 rows: the sources and the blocks stay in L1/L2 as in the engine */
  d = g_malloc0_n ((gsize) STRIDE * 14 + 16, sizeof (float));
  s = g_malloc0_n ((gsize) STRIDE * 14 + 16, sizeof (float));
  for (int i = 0; i < STRIDE * 14; i++)
    s[i] = (float) (i % 97) * 0.01f;

  printf ("%6s %4s %10s %10s\n", "n", "m", "ns/call", "GMAC/cpu-s");
  for (guint i = 0; i < G_N_ELEMENTS (ns); i++) {
    double t = time_calls (d, s, ns[i], 1, runs);
    printf ("%6d %4d %10.1f %10.2f\n", ns[i], 1, t, 6.0 * ns[i] / t);
  }
  for (guint i = 1; i < G_N_ELEMENTS (ms); i++) {
    double t = time_calls (d, s, 640, ms[i], runs);
    printf ("%6d %4d %10.1f %10.2f\n", 640, ms[i], t, 6.0 * 640 * ms[i] / t);
  }
  t16 = time_calls (d, s, 16, 1, runs);
  t1024 = time_calls (d, s, 1024, 1, runs);
  printf ("fixed cost of a call (one-row line at n = 0): %.1f ns\n",
      t16 - (t1024 - t16) / 1008.0 * 16.0);
  g_free (d);
  g_free (s);
  return 0;
}
