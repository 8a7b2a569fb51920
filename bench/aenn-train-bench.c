/* aenn-train-bench: the trainer's throughput. For an architecture (the
 * default, "big", or a JSON file): sample generation alone, forward plus
 * backward alone (one thread, per kernel table), and whole training steps
 * on 1..N threads with each sampler (render: a dead-leaves image per patch;
 * cache: crops of cached images rendered ahead, table noise); patches/s, pixels/s and effective GMAC/s (a backward
 * pass costs two forward passes: 3x the forward MACs). Single-thread
 * figures use the thread's CPU time, whole steps the wall clock.
 * Usage: aenn-train-bench [default|big|ARCH.json] [max threads] [seconds] */
#include "config.h"
#include "denoise/train/grad.h"
#include "denoise/train/train.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>

/* 32 channels, six 3x3 convolutions at level 2: 2898 MACs per pixel. */
static const gchar big_arch[] =
    "{\"in_channels\": 1, \"residual\": true, \"output\": \"noise\", "
    "\"layers\": ["
    "{\"op\": \"s2d\", \"name\": \"down1\", \"in\": [\"x\"], \"out\": \"x1\"},"
    "{\"op\": \"s2d\", \"name\": \"down2\", \"in\": [\"x1\"], \"out\": \"x2\"},"
    "{\"op\": \"sigma\", \"name\": \"sigma\", \"level\": 2, \"out\": \"s\"},"
    "{\"op\": \"concat\", \"name\": \"cat\", \"in\": [\"x2\", \"s\"], "
    "\"out\": \"h0\"},"
#define CONV(n, i, o, c, act) "{\"op\": \"conv\", \"name\": \"" n "\", "      \
    "\"in\": [\"" i "\"], \"out\": \"" o "\", \"out_channels\": " c ", "     \
    "\"kernel\": 3, \"pad\": \"replicate\", \"act\": \"" act "\", "          \
    "\"slope\": 0.0625},"
    CONV ("conv1", "h0", "h1", "32", "leaky_relu")
    CONV ("conv2", "h1", "h2", "32", "leaky_relu")
    CONV ("conv3", "h2", "h3", "32", "leaky_relu")
    CONV ("conv4", "h3", "h4", "32", "leaky_relu")
    CONV ("conv5", "h4", "h5", "32", "leaky_relu")
#undef CONV
    "{\"op\": \"add\", \"name\": \"skip\", \"in\": [\"h5\", \"h1\"], "
    "\"out\": \"h6\"},"
    "{\"op\": \"conv\", \"name\": \"conv6\", \"in\": [\"h6\"], \"out\": \"h7\", "
    "\"out_channels\": 16, \"kernel\": 3, \"pad\": \"replicate\"},"
    "{\"op\": \"d2s\", \"name\": \"up1\", \"in\": [\"h7\"], \"out\": \"u1\"},"
    "{\"op\": \"d2s\", \"name\": \"up2\", \"in\": [\"u1\"], \"out\": \"noise\"}"
    "]}";

     static double now (void)
{
  return g_get_monotonic_time () / 1e6;
}

/* this thread's CPU time: single-thread figures that other processes on a
 * shared machine do not distort */
static double
cpu_now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* the process's CPU time, all threads: on a loaded machine, patches per
 * CPU second times the threads is what an idle machine would give, if
 * the threads never wait for one another */
static double
proc_cpu_now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main (int argc, char **argv)
{
  const gchar *arch_name = argc > 1 ? argv[1] : "default";
  guint max_threads = argc > 2 ? (guint) atoi (argv[2]) : 2;
  double secs = argc > 3 ? g_ascii_strtod (argv[3], NULL) : 3.0;
  gchar *json = NULL;
  GError *err = NULL;
  AennModel *m;
  AennTrainConfig cfg;
  double macs;

  if (strcmp (arch_name, "default") == 0)
    json = g_strdup (aenn_default_architecture ());
  else if (strcmp (arch_name, "big") == 0)
    json = g_strdup (big_arch);
  else if (!g_file_get_contents (arch_name, &json, NULL, &err)) {
    g_printerr ("%s\n", err->message);
    return 1;
  }
  m = aenn_model_new (json, &err);
  if (m == NULL) {
    g_printerr ("%s\n", err->message);
    return 1;
  }
  aenn_model_randomize (m, 1, 1.0f);
  macs = aenn_model_macs_per_pixel (m);
  aenn_train_config_init (&cfg);
  g_print ("architecture %s: %.0f MACs/pixel forward; batch %u, patch %u, "
      "chunk %u; %.0f s per figure\n", arch_name, macs, cfg.batch, cfg.patch,
      cfg.chunk, secs);

  /* samples alone */
  {
    guint P = cfg.patch, n = 0;
    float *in = g_new (float, P * P), *tg = g_new (float, P * P);
    float *mk = g_new (float, P * P), sg;
    double t0 = cpu_now ();
    while (cpu_now () - t0 < secs / 3)
      aenn_train_make_sample (&cfg, NULL, 1, 0, n++, in, tg, mk, &sg);
    g_print ("samples (dead leaves + noise), 1 thread: %.0f patches/s "
        "(CPU time)\n", n / (cpu_now () - t0));
    g_free (in);
    g_free (tg);
    g_free (mk);
  }

  /* forward + backward alone, one thread, each kernel table */
  for (KernelPath p = KERNEL_PATH_C; p < KERNEL_PATH_LAST; p++) {
    const AennTrainKernels *k = aenn_train_kernels_get (p);
    guint P = cfg.patch, nb = cfg.chunk, iters = 0;
    gsize *off, np;
    float *img, *tg, *wf, *dp;
    AennGrad *g;
    double t0, el;

    if (!kernel_path_supported (p) || (p > KERNEL_PATH_C
            && k == aenn_train_kernels_get (p - 1)))
      continue;
    off = g_new (gsize, m->n_layers);
    np = aenn_grad_param_offsets (m, off);
    img = g_new (float, (gsize) P * P);
    tg = g_new0 (float, (gsize) nb * P * P);
    wf = g_new (float, np);
    dp = g_new0 (float, np);
    for (gsize i = 0; i < (gsize) P * P; i++)
      img[i] = (i * 7919 % 256) / 255.0f;
    g = aenn_grad_new (m, k, P, nb, &err);
    g_assert_no_error (err);
    for (guint b = 0; b < nb; b++)
      aenn_grad_set_input (g, b, img, 25.0f);
    aenn_grad_flip_weights (m, off, wf);
    t0 = cpu_now ();
    do {
      aenn_grad_forward (g, nb);
      aenn_grad_backward (g, nb, tg, NULL, 1e-6f, off, wf, dp);
      iters++;
    } while ((el = cpu_now () - t0) < secs);
    {
      double pps = iters * nb / el, pix = pps * P * P;
      g_print ("fwd+bwd %-7s 1 thread: %7.0f patches/s  %6.2f Mpixel/s  "
          "%6.2f GMAC/s (CPU time)\n", k->name, pps, pix / 1e6,
          pix * macs * 3 / 1e9);
    }
    aenn_grad_free (g);
    g_free (off);
    g_free (img);
    g_free (tg);
    g_free (wf);
    g_free (dp);
  }

  /* whole steps: the cache sampler's first step renders the whole cache,
   * which a long run pays once; it is left out of the timing */
  for (guint sm = AENN_SAMPLER_RENDER; sm <= AENN_SAMPLER_CACHE; sm++)
    for (guint t = 1; t <= max_threads; t++) {
      AennModel *mc = aenn_model_new (json, &err);
      AennTrainer *tr;
      AennTrainConfig sc = cfg;
      double t0, el, c0, cel;
      guint steps = 0;
      aenn_model_randomize (mc, 1, 1.0f);
      sc.sampler = (AennSampler) sm;
      tr = aenn_trainer_new (mc, &sc, t, &err);
      g_assert_no_error (err);
      if (sm == AENN_SAMPLER_CACHE && !aenn_trainer_step (tr, NULL, &err)) {
        g_printerr ("%s\n", err->message);
        return 1;
      }
      t0 = now ();
      c0 = proc_cpu_now ();
      do {
        if (!aenn_trainer_step (tr, NULL, &err)) {
          g_printerr ("%s\n", err->message);
          return 1;
        }
        steps++;
      } while ((el = now () - t0) < secs);
      cel = proc_cpu_now () - c0;
      {
        double pps = steps * cfg.batch / el, pix = pps * cfg.patch * cfg.patch;
        g_print ("training steps, %-6s sampler, %u thread%s (%s): %7.0f "
            "patches/s  %6.2f Mpixel/s  %6.2f GMAC/s  %.1f ms/step  "
            "(%.0f patches per CPU second)\n",
            aenn_sampler_name ((AennSampler) sm), t, t > 1 ? "s" : " ",
            aenn_trainer_get_kernels_name (tr), pps, pix / 1e6,
            pix * macs * 3 / 1e9, 1e3 * el / steps, steps * cfg.batch / cel);
      }
      aenn_trainer_free (tr);
    }
  aenn_model_free (m);
  g_free (json);
  return 0;
}
