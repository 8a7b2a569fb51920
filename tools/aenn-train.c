/* aenn-train: trains the aedenoise network on synthetic dead leaves (or
 * resumes, or fine-tunes) and writes a model file aedenoise loads.
 * docs/training.md has the recipes. */
#include "config.h"
#include "aenn_train.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static volatile sig_atomic_t stop_requested = 0;

static void
on_sigint (int sig)
{
  /* a second Ctrl-C kills at once, as usual */
  if (stop_requested)
    signal (sig, SIG_DFL);
  stop_requested = 1;
}

static gchar *
format_duration (double s)
{
  guint64 t = (guint64) MAX (s, 0.0);
  if (t >= 3600)
    return g_strdup_printf ("%" G_GUINT64_FORMAT "h%02u", t / 3600,
        (guint) (t / 60 % 60));
  return g_strdup_printf ("%um%02u", (guint) (t / 60), (guint) (t % 60));
}

static gboolean
save_all (AennTrainer * tr, const gchar * ckpt, const gchar * out,
    GError ** error)
{
  double pin, pout;
  if (!aenn_trainer_save_checkpoint (tr, ckpt, error))
    return FALSE;
  if (!aenn_trainer_validate (tr, &pin, &pout, error)
      || !aenn_trainer_save_model (tr, out, error))
    return FALSE;
  g_print ("step %" G_GUINT64_FORMAT ": wrote %s (validation %.2f dB, input "
      "%.2f dB) and checkpoint %s\n", aenn_trainer_get_step (tr), out, pout,
      pin, ckpt);
  return TRUE;
}

int
main (int argc, char **argv)
{
  AennTrainConfig cfg;
  gchar *arch = NULL, *out = NULL, *init = NULL, *ckpt = NULL, *resume = NULL;
  gchar *mode = NULL, *noise = NULL, *recipe;
  gint steps = -1, batch = -1, patch = -1, chunk = -1, warmup = -1;
  gint threads = 2, ckpt_every = 1000, val_every = 1000, log_every = 100;
  gint64 seed = -1;
  double lr = -1, lr_min = -1, clip = -1, smin = -1, smax = -1;
  gboolean no_quantize = FALSE;
  GOptionEntry entries[] = {
    {"arch", 0, 0, G_OPTION_ARG_FILENAME, &arch,
        "Architecture JSON file, or \"default\"", "FILE"},
    {"out", 'o', 0, G_OPTION_ARG_FILENAME, &out,
        "Model file to write (required)", "FILE"},
    {"steps", 0, 0, G_OPTION_ARG_INT, &steps, "Training steps (100000)", "N"},
    {"batch", 0, 0, G_OPTION_ARG_INT, &batch, "Patches per step (32)", "N"},
    {"patch", 0, 0, G_OPTION_ARG_INT, &patch, "Patch side (64)", "N"},
    {"chunk", 0, 0, G_OPTION_ARG_INT, &chunk,
        "Patches per parallel task (4)", "N"},
    {"lr", 0, 0, G_OPTION_ARG_DOUBLE, &lr, "Peak learning rate (1e-3)", "X"},
    {"lr-min", 0, 0, G_OPTION_ARG_DOUBLE, &lr_min,
        "Final learning rate (1e-5)", "X"},
    {"warmup", 0, 0, G_OPTION_ARG_INT, &warmup, "Warm-up steps (1000)", "N"},
    {"clip", 0, 0, G_OPTION_ARG_DOUBLE, &clip,
        "Gradient norm limit, 0 for none (1)", "X"},
    {"seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Seed (1)", "N"},
    {"threads", 0, 0, G_OPTION_ARG_INT, &threads, "Threads (2)", "N"},
    {"sigma-min", 0, 0, G_OPTION_ARG_DOUBLE, &smin,
        "Lowest noise sigma, 0..255 (0)", "X"},
    {"sigma-max", 0, 0, G_OPTION_ARG_DOUBLE, &smax,
        "Highest noise sigma, 0..255 (55)", "X"},
    {"noise", 0, 0, G_OPTION_ARG_STRING, &noise,
        "gaussian or poisson-gaussian", "MODEL"},
    {"no-quantize", 0, 0, G_OPTION_ARG_NONE, &no_quantize,
        "Keep noisy inputs in float instead of 8 bits", NULL},
    {"mode", 0, 0, G_OPTION_ARG_STRING, &mode,
        "supervised, n2n or n2v (the last two need frames: not yet from "
        "this tool)", "MODE"},
    {"init", 0, 0, G_OPTION_ARG_FILENAME, &init,
        "Start from this model's weights (fine-tune)", "MODEL"},
    {"checkpoint", 0, 0, G_OPTION_ARG_FILENAME, &ckpt,
        "Checkpoint file (OUT.ckpt)", "FILE"},
    {"checkpoint-every", 0, 0, G_OPTION_ARG_INT, &ckpt_every,
        "Steps between checkpoints (1000)", "N"},
    {"resume", 0, 0, G_OPTION_ARG_FILENAME, &resume,
        "Continue from a checkpoint (its configuration wins)", "FILE"},
    {"val-every", 0, 0, G_OPTION_ARG_INT, &val_every,
        "Steps between validations (1000)", "N"},
    {"log-every", 0, 0, G_OPTION_ARG_INT, &log_every,
        "Steps between progress lines (100)", "N"},
    {NULL}
  };
  GOptionContext *ctx = g_option_context_new ("- train the aedenoise network");
  GError *err = NULL;
  AennTrainer *tr = NULL;
  GString *rs = g_string_new ("aenn-train");
  int ret = 1;
  gint64 t_start;
  guint64 step0;
  double loss_sum = 0.0, pin, pout;
  guint loss_n = 0;

  for (int i = 1; i < argc; i++) {
    gchar *q = g_shell_quote (argv[i]);
    g_string_append_printf (rs, " %s", q);
    g_free (q);
  }
  recipe = g_string_free (rs, FALSE);
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &err))
    goto error;
  if (out == NULL) {
    g_printerr ("aenn-train: --out FILE is required\n");
    goto done;
  }
  if (threads < 1 || ckpt_every < 1 || val_every < 1 || log_every < 1) {
    g_printerr ("aenn-train: --threads, --checkpoint-every, --val-every and "
        "--log-every must be at least 1\n");
    goto done;
  }
  if (ckpt == NULL)
    ckpt = g_strconcat (out, ".ckpt", NULL);

  if (resume != NULL) {
    if (steps >= 0 || batch >= 0 || patch >= 0 || chunk >= 0 || warmup >= 0
        || lr >= 0 || lr_min >= 0 || clip >= 0 || smin >= 0 || smax >= 0
        || seed >= 0 || mode || noise || init || arch || no_quantize)
      g_printerr ("aenn-train: training options ignored: --resume continues "
          "with the checkpoint's own configuration\n");
    tr = aenn_trainer_new_from_checkpoint (resume, threads, &err);
    if (tr == NULL)
      goto error;
    g_print ("resuming %s at step %" G_GUINT64_FORMAT "\n", resume,
        aenn_trainer_get_step (tr));
  } else {
    AennModel *m;
    aenn_train_config_init (&cfg);
#define SET_IF(opt, field) if ((opt) >= 0) cfg.field = (opt)
    SET_IF (steps, steps);
    SET_IF (batch, batch);
    SET_IF (patch, patch);
    SET_IF (chunk, chunk);
    SET_IF (warmup, warmup);
    SET_IF (lr, lr);
    SET_IF (lr_min, lr_min);
    SET_IF (clip, clip);
    SET_IF (smin, sigma_min);
    SET_IF (smax, sigma_max);
    SET_IF (seed, seed);
#undef SET_IF
    if (lr >= 0 && lr_min < 0)
      cfg.lr_min = cfg.lr * 0.01;
    if (cfg.chunk > cfg.batch)
      cfg.chunk = cfg.batch;
    if (cfg.warmup >= cfg.steps)
      cfg.warmup = cfg.steps / 10;
    cfg.quantize = !no_quantize;
    if (mode != NULL && !aenn_train_mode_from_name (mode, &cfg.mode)) {
      g_printerr ("aenn-train: --mode %s: expected supervised, n2n or n2v\n",
          mode);
      goto done;
    }
    if (noise != NULL && !aenn_noise_model_from_name (noise, &cfg.noise)) {
      g_printerr ("aenn-train: --noise %s: expected gaussian or "
          "poisson-gaussian\n", noise);
      goto done;
    }
    if (init != NULL) {
      if (arch != NULL)
        g_printerr ("aenn-train: --arch ignored: --init %s carries its own\n",
            init);
      m = aenn_model_load_file (init, &err);
    } else if (arch == NULL || strcmp (arch, "default") == 0) {
      m = aenn_model_new (aenn_default_architecture (), &err);
    } else {
      gchar *json = NULL;
      m = NULL;
      if (g_file_get_contents (arch, &json, NULL, &err))
        m = aenn_model_new (json, &err);
      if (m == NULL && err != NULL) {
        gchar *msg = g_strdup_printf ("%s: %s", arch, err->message);
        g_free (err->message);
        err->message = msg;
      }
      g_free (json);
    }
    if (m == NULL)
      goto error;
    if (init == NULL)
      aenn_train_init_weights (m, cfg.seed);
    tr = aenn_trainer_new (m, &cfg, threads, &err);
    if (tr == NULL)
      goto error;
    aenn_trainer_set_recipe (tr, recipe);
  }
  cfg = *aenn_trainer_get_config (tr);
  if (cfg.mode != AENN_TRAIN_SUPERVISED) {
    g_printerr ("aenn-train: --mode %s needs frames, which this tool cannot "
        "read yet (the library can: aenn_trainer_set_frames)\n",
        aenn_train_mode_name (cfg.mode));
    goto done;
  }
  {
    const AennModel *m = aenn_trainer_get_model (tr);
    g_print ("%s: %.0f MACs/pixel, batch %u x %ux%u, %u steps, lr %g..%g, "
        "sigma %g..%g %s%s, %d threads, %s kernels\n",
        init ? init : (arch ? arch : "default"),
        aenn_model_macs_per_pixel (m), cfg.batch, cfg.patch, cfg.patch,
        cfg.steps, cfg.lr, cfg.lr_min, cfg.sigma_min, cfg.sigma_max,
        aenn_noise_model_name (cfg.noise), cfg.quantize ? " 8-bit" : "",
        threads, aenn_trainer_get_kernels_name (tr));
  }
  if (!aenn_trainer_validate (tr, &pin, &pout, &err))
    goto error;
  g_print ("step %" G_GUINT64_FORMAT ": validation %.2f dB (input %.2f dB)\n",
      aenn_trainer_get_step (tr), pout, pin);

  signal (SIGINT, on_sigint);
  signal (SIGTERM, on_sigint);
  t_start = g_get_monotonic_time ();
  step0 = aenn_trainer_get_step (tr);
  while (aenn_trainer_get_step (tr) < cfg.steps && !stop_requested) {
    double loss;
    guint64 s;
    if (!aenn_trainer_step (tr, &loss, &err))
      goto error;
    s = aenn_trainer_get_step (tr);
    loss_sum += loss;
    loss_n++;
    if (s % log_every == 0 || s == cfg.steps) {
      double el = (g_get_monotonic_time () - t_start) / 1e6;
      double rate = (s - step0) / MAX (el, 1e-9);
      gchar *eta = format_duration ((cfg.steps - s) / MAX (rate, 1e-9));
      double mse = loss_sum / loss_n;
      g_print ("step %" G_GUINT64_FORMAT "/%u  loss %.4e (%.2f dB)  lr %.2e  "
          "|g| %.3g  %.0f patches/s  left %s\n", s, cfg.steps, mse,
          10.0 * log10 (1.0 / MAX (mse, 1e-20)), aenn_trainer_get_lr (tr,
              s - 1), aenn_trainer_get_grad_norm (tr), rate * cfg.batch, eta);
      g_free (eta);
      loss_sum = 0.0;
      loss_n = 0;
    }
    if (s % val_every == 0 && s < cfg.steps) {
      if (!aenn_trainer_validate (tr, &pin, &pout, &err))
        goto error;
      g_print ("step %" G_GUINT64_FORMAT ": validation %.2f dB (input %.2f "
          "dB, gain %+.2f dB)\n", s, pout, pin, pout - pin);
    }
    if (s % ckpt_every == 0 && s < cfg.steps
        && !aenn_trainer_save_checkpoint (tr, ckpt, &err))
      goto error;
  }
  if (stop_requested)
    g_print ("interrupted after step %" G_GUINT64_FORMAT "; resume with "
        "--resume %s\n", aenn_trainer_get_step (tr), ckpt);
  if (!save_all (tr, ckpt, out, &err))
    goto error;
  ret = 0;
  goto done;

error:
  g_printerr ("aenn-train: %s\n", err->message);
  g_clear_error (&err);
done:
  aenn_trainer_free (tr);
  g_option_context_free (ctx);
  g_free (arch);
  g_free (out);
  g_free (init);
  g_free (ckpt);
  g_free (resume);
  g_free (mode);
  g_free (noise);
  g_free (recipe);
  return ret;
}
