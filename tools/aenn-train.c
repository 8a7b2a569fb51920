/* aenn-train: trains the aedenoise network on synthetic dead leaves, on
 * images and video frames, or self-supervised on noisy footage alone (or
 * resumes, or fine-tunes) and writes a model file aedenoise loads.
 * docs/training.md has the recipes.
 *
 * Exit status: 0 when the schedule ran to its end; 130 (SIGINT) or 143
 * (SIGTERM) when a signal stopped it, after the checkpoint and the model
 * were written; 1 on any error, 2 on bad options. */
#include "config.h"
#include "denoise/train/train.h"
#include "aenn_source.h"
#include "aenn_heldout.h"

#include <gst/gst.h>

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

/* below this estimated noise level (0..255) the self-supervised modes
 * have next to nothing to learn and mostly unlearn the denoising of the
 * model they start from: refused unless --force-low-noise */
#define NOISE_FLOOR 2.0

/* --frames-ratio's default with --photos alone */
#define PHOTOS_RATIO 0.75

/* the signal that asked to stop, 0 for none */
static volatile sig_atomic_t stop_requested = 0;

static void
on_sigint (int sig)
{
  /* a second Ctrl-C kills at once, as usual */
  if (stop_requested)
    signal (sig, SIG_DFL);
  stop_requested = sig;
}

/* The noisy-to-noisy score on the held-back frames, printed. */
static gboolean
validate_held (AennTrainer * tr, const AennFrameSet * held, GError ** error)
{
  AennHeldOutScore sc;

  if (held == NULL)
    return TRUE;
  if (!aenn_held_out_score (held, aenn_trainer_get_model (tr), KERNEL_PATH_AUTO,
          aenn_trainer_get_config (tr)->sigma_input, &sc, error))
    return FALSE;
  g_print ("step %" G_GUINT64_FORMAT ": held-back frames (%u pairs of your "
      "footage): estimated %.2f dB (input %.2f dB, gain %+.2f dB); against "
      "the next frame %.2f dB (input %.2f dB)\n", aenn_trainer_get_step (tr),
      sc.n_pairs, sc.psnr_out, sc.psnr_in, sc.psnr_out - sc.psnr_in,
      sc.psnr_next_out, sc.psnr_next_in);
  return TRUE;
}

/* --init by name: beside this installed program, as the plugin looks
 * beside itself (aenn_model_find). */
static gchar *
find_model (const gchar * file, GError ** error)
{
  gchar *exe = g_file_read_link ("/proc/self/exe", NULL);
  gchar *path = aenn_model_find (file, exe, AENN_MODELS_FROM_BIN, error);

  g_free (exe);
  if (path == NULL)
    g_prefix_error (error, "--init %s: ", file);
  return path;
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

/* Moves every holdout_every-th pair of frames out of *frames, for the
 * noisy-to-noisy validation; says what it did. */
static AennFrameSet *
hold_back (AennFrameSet ** frames, guint holdout_every)
{
  AennFrameSet *held = aenn_held_out_split (frames, holdout_every);

  if (held == NULL)
    g_print ("no frames held back for validation (a pair needs %u frames "
        "of one scene; --holdout-every): validation on dead leaves only\n",
        holdout_every);
  else
    g_print ("%u frames held back for validation (the last 2 of every %u), "
        "%u left to train on\n", aenn_frame_set_get_n_frames (held),
        holdout_every, aenn_frame_set_get_n_frames (*frames));
  return held;
}

/* A yuv420 model learns from RGB images (converted per patch); others
 * from frames of their own channels. */
static guint
frame_channels (const AennModel * m)
{
  return m->layout == AENN_INPUT_YUV420 ? 3 : m->in_channels;
}

/* The frames of the --photos folder, every --images folder and --source,
 * in that order. */
static AennFrameSet *
read_frames (guint channels, const gchar * photos, gchar ** images,
    gchar ** sources, const AennSourceOptions * opt, GError ** error)
{
  AennFrameSet *set = aenn_frame_set_new (channels);
  guint seq = 0, n, scenes;

  if (photos != NULL) {
    if (!aenn_source_add_photos (set, photos, NULL, opt, &n, error))
      goto fail;
    g_print ("%s: %u photographs (every scale)\n", photos, n);
    seq += n;
  }
  for (gchar ** d = images; d && *d; d++) {
    if (!aenn_source_add_images (set, *d, opt, &n, error))
      goto fail;
    g_print ("%s: %u images\n", *d, n);
    seq += n;
  }
  for (gchar ** v = sources; v && *v; v++) {
    if (!aenn_source_add_video (set, *v, opt, &seq, &n, &scenes, error))
      goto fail;
    g_print ("%s: %u frames, %u scene%s\n", *v, n, scenes,
        scenes == 1 ? "" : "s");
  }
  return set;

fail:
  aenn_frame_set_free (set);
  return NULL;
}

int
main (int argc, char **argv)
{
  AennTrainConfig cfg;
  gchar *arch = NULL, *out = NULL, *init = NULL, *ckpt = NULL, *resume = NULL;
  gchar *mode = NULL, *noise = NULL, *sampler = NULL, *recipe;
  gchar *photos = NULL;
  gint cache_images = -1, cache_steps = -1;
  gchar **images = NULL, **sources = NULL;
  AennFrameSet *frames = NULL;  /* until the trainer takes it */
  AennFrameSet *held = NULL;    /* held back from training, for validation */
  gint holdout_every = 20;
  gboolean force_low_noise = FALSE;
  gboolean have_frames = FALSE;
  AennSourceOptions sopt;
  gint max_frames = 300, frame_step = 1;
  double frames_ratio = -1, sigma_input = -1, cut_levels = 4.0;
  gint steps = -1, batch = -1, patch = -1, chunk = -1, warmup = -1;
  gint threads = 2, ckpt_every = 1000, val_every = 1000, log_every = 100;
  gint64 seed = -1;
  double lr = -1, lr_min = -1, clip = -1, smin = -1, smax = -1;
  double colour_rgb_ratio = -1;
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
    {"colour-rgb-ratio", 0, 0, G_OPTION_ARG_DOUBLE, &colour_rgb_ratio,
        "yuv420 models: share of patches with RGB noise through the "
          "BT.601 matrix, the rest independent per plane (0.9)", "X"},
    {"no-quantize", 0, 0, G_OPTION_ARG_NONE, &no_quantize,
        "Keep noisy inputs in float instead of 8 bits", NULL},
    {"sampler", 0, 0, G_OPTION_ARG_STRING, &sampler,
        "Supervised dead leaves: render (one image per patch, the default) "
          "or cache (crops of cached images rendered ahead, table noise: "
          "several times faster; docs/training.md)", "NAME"},
    {"cache-images", 0, 0, G_OPTION_ARG_INT, &cache_images,
        "Cache sampler: images held (64)", "N"},
    {"cache-steps", 0, 0, G_OPTION_ARG_INT, &cache_steps,
        "Cache sampler: steps each image lives (128)", "N"},
    {"mode", 0, 0, G_OPTION_ARG_STRING, &mode,
          "supervised, n2n or n2v (the last two train on noisy frames alone)",
        "MODE"},
    {"images", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &images,
        "Folder of images to train on (repeatable)", "DIR"},
    {"photos", 0, 0, G_OPTION_ARG_FILENAME, &photos,
        "Folder of the photograph set (tools/aenn-photos --out DIR), built "
        "first if it holds none; every image is kept", "DIR"},
    {"source", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &sources,
        "Video to train on: a file, a URI or a pipeline description "
          "(repeatable)", "SRC"},
    {"max-frames", 0, 0, G_OPTION_ARG_INT, &max_frames,
        "Frames kept per folder or video, 0 for all (300)", "N"},
    {"frame-step", 0, 0, G_OPTION_ARG_INT, &frame_step,
        "Keep every N-th frame of a video (1)", "N"},
    {"cut-levels", 0, 0, G_OPTION_ARG_DOUBLE, &cut_levels,
        "A new scene (no Noise2Noise pair across it) where consecutive "
          "frames differ by this many levels more than their noise explains "
          "(4)", "X"},
    {"frames-ratio", 0, 0, G_OPTION_ARG_DOUBLE, &frames_ratio,
        "Supervised: share of patches from the frames, the rest dead leaves "
          "(0.75 with --photos alone, 1 with other frames, else 0)", "X"},
    {"sigma-input", 0, 0, G_OPTION_ARG_DOUBLE, &sigma_input,
        "n2n, n2v: noise level fed to the network, 0..255 (estimated from "
          "the frames)", "X"},
    {"force-low-noise", 0, 0, G_OPTION_ARG_NONE, &force_low_noise,
        "n2n, n2v: train even on footage whose estimated noise is below "
          "2 levels (refused otherwise)", NULL},
    {"holdout-every", 0, 0, G_OPTION_ARG_INT, &holdout_every,
        "n2n, n2v: of every N frames of a video, hold the last two back "
          "from training and validate on them, noisy against noisy (20; 0 "
          "for none)", "N"},
    {"init", 0, 0, G_OPTION_ARG_FILENAME, &init,
        "Start from this model's weights (fine-tune): a file, or an "
          "installed model's name (aedenoise-default)", "MODEL"},
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
  gchar *summary = g_strdup_printf ("Trains the aedenoise network on the "
      "CPU and writes a model file the element loads (model-file=...). "
      "Supervised on synthetic dead leaves (no data needed) or on clean "
      "images and video, or self-supervised (Noise2Noise, Noise2Void) on "
      "noisy footage alone; fine-tunes (--init) and resumes (--resume).\n\n"
      "A model given by name (--init aedenoise-quality) is looked up as "
      "NAME.safetensors in GST_UNSUPERVISED_MODEL_PATH, then beside this "
      "installed program (" AENN_MODELS_FROM_BIN "), then in %s.\n\n"
      "Ctrl-C or SIGTERM stops after the current step and writes the "
      "checkpoint and the model; a second Ctrl-C kills at once.",
      AENN_MODELS_DIR);
  const gchar *description = "Exit status: 0 when the schedule ran to its "
      "end; 130 after SIGINT, 143 after SIGTERM (the checkpoint and the "
      "model written: --resume continues); 1 on an error; 2 on bad "
      "options.\n\nExamples:\n"
      "  aenn-train --out my.safetensors --steps 40000 --lr 2e-3\n"
      "  aenn-train --init aedenoise-default --mode n2n --source clip.mp4 "
      "--out cam.safetensors --steps 3000 --lr 2e-4 --warmup 100\n"
      "  aenn-train --photos ~/aenn-photos --out photo.safetensors "
      "--steps 40000 --lr 2e-3\n"
      "  aenn-train --resume my.safetensors.ckpt --out my.safetensors\n\n"
      "Full documentation: docs/training.md (installed under "
      "$datadir/doc/gst-unsupervised).";
  GError *err = NULL;
  AennTrainer *tr = NULL;
  GString *rs = g_string_new ("aenn-train");
  int ret = 1;
  gint64 t_start;
  guint64 step0;
  double loss_sum = 0.0, pin, pout;
  guint loss_n = 0;

  aenn_source_options_init (&sopt);
  for (int i = 1; i < argc; i++) {
    gchar *q = g_shell_quote (argv[i]);
    g_string_append_printf (rs, " %s", q);
    g_free (q);
  }
  recipe = g_string_free (rs, FALSE);
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_summary (ctx, summary);
  g_option_context_set_description (ctx, description);
  if (!g_option_context_parse (ctx, &argc, &argv, &err)) {
    g_printerr ("aenn-train: %s (--help lists the options)\n", err->message);
    g_clear_error (&err);
    ret = 2;
    goto done;
  }
  if (out == NULL) {
    g_printerr ("aenn-train: --out FILE is required (--help lists the "
        "options)\n");
    ret = 2;
    goto done;
  }
  if (holdout_every != 0 && holdout_every < 4) {
    g_printerr ("aenn-train: --holdout-every must be 0 or at least 4\n");
    ret = 2;
    goto done;
  }
  if (threads < 1 || ckpt_every < 1 || val_every < 1 || log_every < 1
      || frame_step < 1 || max_frames < 0) {
    g_printerr ("aenn-train: --threads, --checkpoint-every, --val-every, "
        "--log-every and --frame-step must be at least 1, --max-frames at "
        "least 0\n");
    ret = 2;
    goto done;
  }
  gst_init (NULL, NULL);
  sopt.max_frames = max_frames;
  sopt.frame_step = frame_step;
  sopt.cut_levels = cut_levels;
  if (ckpt == NULL)
    ckpt = g_strconcat (out, ".ckpt", NULL);

  if (resume != NULL) {
    if (steps >= 0 || batch >= 0 || patch >= 0 || chunk >= 0 || warmup >= 0
        || lr >= 0 || lr_min >= 0 || clip >= 0 || smin >= 0 || smax >= 0
        || seed >= 0 || mode || noise || init || arch || no_quantize
        || sampler || cache_images >= 0 || cache_steps >= 0
        || frames_ratio >= 0 || sigma_input >= 0 || colour_rgb_ratio >= 0)
      g_printerr ("aenn-train: training options ignored: --resume continues "
          "with the checkpoint's own configuration\n");
    tr = aenn_trainer_new_from_checkpoint (resume, threads, &err);
    if (tr == NULL)
      goto error;
    g_print ("resuming %s at step %" G_GUINT64_FORMAT "\n", resume,
        aenn_trainer_get_step (tr));
    /* the frames are data, not configuration: give them again */
    if (photos || images || sources) {
      frames = read_frames (frame_channels (aenn_trainer_get_model (tr)),
          photos, images, sources, &sopt, &err);
      have_frames = frames != NULL;
      if (frames != NULL && holdout_every
          && aenn_trainer_get_config (tr)->mode != AENN_TRAIN_SUPERVISED)
        held = hold_back (&frames, holdout_every);
      if (frames == NULL
          || !aenn_trainer_set_frames (tr, g_steal_pointer (&frames), &err))
        goto error;
    }
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
    SET_IF (cache_images, cache_images);
    SET_IF (cache_steps, cache_steps);
    SET_IF (colour_rgb_ratio, colour_rgb_ratio);
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
      ret = 2;
      goto done;
    }
    if (sampler != NULL && !aenn_sampler_from_name (sampler, &cfg.sampler)) {
      g_printerr ("aenn-train: --sampler %s: expected render or cache\n",
          sampler);
      ret = 2;
      goto done;
    }
    if (noise != NULL && !aenn_noise_model_from_name (noise, &cfg.noise)) {
      g_printerr ("aenn-train: --noise %s: expected gaussian or "
          "poisson-gaussian\n", noise);
      ret = 2;
      goto done;
    }
    if (init != NULL) {
      if (arch != NULL)
        g_printerr ("aenn-train: --arch ignored: --init %s carries its own\n",
            init);
      gchar *path = find_model (init, &err);
      m = path ? aenn_model_load_file (path, &err) : NULL;
      g_free (path);
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
    if (photos || images || sources) {
      sopt.sigmas = g_array_new (FALSE, FALSE, sizeof (double));
      frames = read_frames (frame_channels (m), photos, images, sources,
          &sopt, &err);
      if (frames == NULL) {
        aenn_model_free (m);
        goto error;
      }
      have_frames = TRUE;
    }
    /* photographs alone: mixed with a quarter of dead leaves, which keep
     * the sharp edges and flat areas photographs have too few of (a
     * 6,000-step comparison, models/README.md) */
    if (frames_ratio >= 0)
      cfg.frames_ratio = frames_ratio;
    else if (photos && !images && !sources)
      cfg.frames_ratio = PHOTOS_RATIO;
    else
      cfg.frames_ratio = have_frames;
    if (cfg.mode != AENN_TRAIN_SUPERVISED && have_frames) {
      double est = aenn_source_median_sigma (sopt.sigmas);
      if (est >= 0 && est < NOISE_FLOOR && !force_low_noise) {
        g_printerr ("aenn-train: the frames' estimated noise level is %.2f, "
            "below the floor of %.1f (0..255 scale): --mode %s would learn "
            "next to nothing and unlearn what the starting model denoises. "
            "Train on noisier footage, or give --force-low-noise\n", est,
            NOISE_FLOOR, aenn_train_mode_name (cfg.mode));
        aenn_model_free (m);
        goto done;
      }
      if (est >= 0 && est < NOISE_FLOOR)
        g_printerr ("aenn-train: warning: estimated noise level %.2f is "
            "below the floor of %.1f; training anyway (--force-low-noise)\n",
            est, NOISE_FLOOR);
    }
    if (sigma_input >= 0) {
      cfg.sigma_input = sigma_input;
    } else if (cfg.mode != AENN_TRAIN_SUPERVISED && have_frames) {
      cfg.sigma_input = aenn_source_median_sigma (sopt.sigmas);
      if (cfg.sigma_input < 0) {
        g_printerr ("aenn-train: the noise level of the frames cannot be "
            "estimated (too small or clipped): give --sigma-input\n");
        aenn_model_free (m);
        goto done;
      }
      g_print ("noise level of the frames: %.2f (fed to the network; "
          "--sigma-input to override)\n", cfg.sigma_input);
    }
    tr = aenn_trainer_new (m, &cfg, threads, &err);
    if (tr == NULL)
      goto error;
    aenn_trainer_set_recipe (tr, recipe);
    if (have_frames && cfg.mode != AENN_TRAIN_SUPERVISED && holdout_every)
      held = hold_back (&frames, holdout_every);
    if (have_frames
        && !aenn_trainer_set_frames (tr, g_steal_pointer (&frames), &err))
      goto error;
  }
  cfg = *aenn_trainer_get_config (tr);
  if ((cfg.mode != AENN_TRAIN_SUPERVISED || cfg.frames_ratio > 0)
      && !have_frames) {
    g_printerr ("aenn-train: --mode %s%s needs frames: give --photos, "
        "--images or --source\n", aenn_train_mode_name (cfg.mode),
        cfg.frames_ratio > 0 ? " with --frames-ratio" : "");
    goto done;
  }
  {
    const AennModel *m = aenn_trainer_get_model (tr);
    if (m->layout == AENN_INPUT_YUV420)
      g_print ("yuv420 layout: %.0f MACs per I420 pixel (a quarter of the "
          "figure below, which counts the 6-channel input's pixels at chroma "
          "resolution); patches of %ux%u luma pixels\n",
          aenn_model_macs_per_pixel (m) / 4.0, 2 * cfg.patch, 2 * cfg.patch);
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
  if (!validate_held (tr, held, &err))
    goto error;

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
      if (!validate_held (tr, held, &err))
        goto error;
    }
    if (s % ckpt_every == 0 && s < cfg.steps
        && !aenn_trainer_save_checkpoint (tr, ckpt, &err))
      goto error;
  }
  if (stop_requested)
    g_print ("interrupted after step %" G_GUINT64_FORMAT "; resume with "
        "--resume %s\n", aenn_trainer_get_step (tr), ckpt);
  if (!save_all (tr, ckpt, out, &err) || !validate_held (tr, held, &err))
    goto error;
  /* the shell's convention, so that a script tells a stopped run from a
   * finished one */
  ret = stop_requested ? 128 + stop_requested : 0;
  goto done;

error:
  g_printerr ("aenn-train: %s\n", err->message);
  g_clear_error (&err);
done:
  aenn_trainer_free (tr);
  aenn_frame_set_free (frames);
  aenn_frame_set_free (held);
  if (sopt.sigmas != NULL)
    g_array_free (sopt.sigmas, TRUE);
  g_strfreev (images);
  g_free (photos);
  g_strfreev (sources);
  g_option_context_free (ctx);
  g_free (summary);
  g_free (arch);
  g_free (out);
  g_free (init);
  g_free (ckpt);
  g_free (resume);
  g_free (mode);
  g_free (noise);
  g_free (sampler);
  g_free (recipe);
  return ret;
}
