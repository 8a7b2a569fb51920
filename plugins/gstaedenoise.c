/* GStreamer convolutional-autoencoder video denoiser
 * Copyright (C) 2026 gst-unsupervised authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:element-aedenoise
 * @title: aedenoise
 *
 * Removes noise from every frame with a small convolutional network that
 * was trained to predict the noise of a noisy image (a denoising
 * autoencoder with a residual output). It needs no reference frame and
 * holds no frame back: each output frame is computed as its input frame
 * arrives, from that frame and, in the temporal mode (#GstAeDenoise:temporal,
 * on by default), from what the earlier frames left where the scene
 * stood still.
 *
 * Every plane is denoised: luma and both chroma planes of the YUV formats
 * (chroma at its own subsampled size), R, G and B of the RGB ones, grey for
 * GRAY8; alpha and padding bytes pass through untouched. It works on the
 * stream's own planes (planar, semi-planar and packed YUV, packed RGB,
 * GRAY8) with no videoconvert in front.
 *
 * The network is told how strong the noise is (#GstAeDenoise:noise-level,
 * the standard deviation on the 0..255 scale); by default it is measured
 * on every frame, per plane, smoothed over time, and reported in
 * #GstAeDenoise:estimated-noise-level. #GstAeDenoise:strength blends the
 * result with the input (0 gives the input back bit for bit).
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 v4l2src ! videoconvert ! aedenoise ! autovideosink
 * ]| Denoise a webcam live.
 * |[
 * gst-launch-1.0 filesrc location=in.mp4 ! decodebin ! aedenoise ! x264enc ! mp4mux ! filesink location=out.mp4
 * ]| Denoise a file in a batch job.
 * |[
 * gst-launch-1.0 filesrc location=in.mp4 ! decodebin ! tee name=t \
 *   compositor name=c sink_1::xpos=640 ! videoconvert ! autovideosink \
 *   t. ! queue ! videoscale ! video/x-raw,width=640,height=360 ! c. \
 *   t. ! queue ! aedenoise ! videoscale ! video/x-raw,width=640,height=360 ! c.
 * ]| Before and after, side by side.
 *
 * ## Algorithm
 * The default network (`aenn_default_architecture ()`) is a small
 * two-level U-Net: the plane is unshuffled by 2x2 pixels into 4 channels
 * at half resolution, joined by the noise level as a 5th channel; one 3x3
 * convolution of 14 channels at half resolution keeps the detail; a second
 * unshuffle and a 1x1 projection give 8 channels at a quarter of the
 * resolution for two 3x3 convolutions with a skip (the context); a 1x1
 * expansion and a shuffle bring them back to be added to the
 * half-resolution features, and a last 3x3 convolution predicts the noise,
 * shuffled back and subtracted from the plane. Leaky ReLU throughout;
 * 411.5 multiply-adds per pixel, so 1.5 times that per I420 pixel; a
 * window of about 28x28 pixels around each pixel. On CPUs with AVX512_VNNI the
 * convolutions run in int8 (quantized once per start from the float
 * model, within 0.05 dB of it). The noise estimator (lib/denoise/frames/noise_estimate.c) is
 * Immerkaer's operator on blocks of 16x16 pixels, the 10th percentile of
 * the blocks, within 4% of the true sigma from 5 to 50 on generated frames;
 * the per-frame estimates are smoothed with an exponential average (weight
 * 0.2 for the newest frame), restarted on a flush or new caps.
 *
 * Limits: the network assumes white, signal-independent Gaussian-like
 * noise of one level per plane; compression artefacts and strongly
 * signal-dependent sensor noise are outside what it was trained on. The
 * temporal mode fuses each pixel with its running means over the frames
 * it stood still (at most 15), and falls back to the single-frame result
 * where it moved; it keeps 7 bytes per sample (22 MB at 1080p I420). The
 * embedded default model is sized for real time on the portable path and
 * trained on synthetic images; on Set12 at sigma 25 it reaches 27.1 dB,
 * short of the best classical filters (ffmpeg's dctdnoiz: 28.8 dB) at a
 * small fraction of their cost. Speed and quality: docs/performance.md,
 * docs/evaluation.md,
 * models/README.md.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>
#include <string.h>

#include <gio/gio.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include "gstaedenoise.h"
#include "gstunsupervisedvideo.h"
#include "common/limits.h"
#include "denoise/frames/denoiser.h"

GST_DEBUG_CATEGORY_STATIC (gst_ae_denoise_debug);
#define GST_CAT_DEFAULT gst_ae_denoise_debug

#define DEFAULT_MODEL_FILE NULL
#define DEFAULT_NOISE_LEVEL -1.0
#define DEFAULT_STRENGTH 1.0
#define DEFAULT_N_THREADS 0
#define DEFAULT_MODEL GST_AE_DENOISE_MODEL_DEFAULT
#define DEFAULT_TEMPORAL TRUE
#define MODEL_RESOURCE_DIR "/org/gst-unsupervised/aedenoise/"
/* weight of the newest frame's noise estimate in the running average */
#define NOISE_SMOOTHING 0.2f
/* estimated-noise-level notifies at most this often (wall-clock time),
 * and only for a change of at least NOTIFY_MIN_CHANGE levels; the first
 * estimate after a start, a flush or new caps notifies at once */
#define NOTIFY_INTERVAL_US (500 * G_TIME_SPAN_MILLISECOND)
#define NOTIFY_MIN_CHANGE 0.05

/* The models built into the plugin (plugins/aedenoise.gresource.xml); the
 * nick names the resource. */
typedef enum
{
  GST_AE_DENOISE_MODEL_DEFAULT,
  GST_AE_DENOISE_MODEL_QUALITY,
} GstAeDenoiseModel;

#define GST_TYPE_AE_DENOISE_MODEL (gst_ae_denoise_model_get_type ())
static GType
gst_ae_denoise_model_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_AE_DENOISE_MODEL_DEFAULT, "Real time: 1080p I420 at 30 fps or more "
          "on two cores with the x86 paths (411.5 MACs per pixel)", "default"},
    {GST_AE_DENOISE_MODEL_QUALITY, "For batch work: about 0.9 dB better, "
          "about 12 fps at 1080p on two cores (3,894 MACs per pixel)",
        "quality"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("GstAeDenoiseModel",
            values));
  return type;
}

enum
{
  PROP_0,
  PROP_MODEL,
  PROP_MODEL_FILE,
  PROP_NOISE_LEVEL,
  PROP_ESTIMATED_NOISE_LEVEL,
  PROP_STRENGTH,
  PROP_N_THREADS,
  PROP_KERNELS,
  PROP_TEMPORAL,
};

struct _GstAeDenoise
{
  GstVideoFilter parent;

  /* properties and reports, guarded by the object lock */
  GstAeDenoiseModel model_choice;
  gchar *model_file;
  gdouble noise_level;
  gdouble strength;
  guint n_threads;
  gboolean temporal;
  gdouble estimated_noise_level;
  GstClockTime processing_latency;      /* reported in the LATENCY query */
  gboolean reset;               /* restart the noise average */
  gboolean reset_temporal;      /* the next frame starts the temporal state */
  gboolean warm;                /* a frame ran since the last set_info */
  gdouble notified_noise_level; /* last value notified; -1: none since reset */
  gint64 notified_at;           /* monotonic time of that notify (us) */

  /* streaming state, touched only by the streaming thread, and by
   * start/stop/set_info, which the base class serializes with it; den is
   * also read (for its path) under the object lock */
  AennModel *model;
  AennDenoiser *den;
  float smoothed[AENN_MAX_CHANNELS_PER_FRAME];  /* < 0: no estimate yet */
};

#define gst_ae_denoise_parent_class parent_class
G_DEFINE_TYPE (GstAeDenoise, gst_ae_denoise, GST_TYPE_VIDEO_FILTER);
GST_ELEMENT_REGISTER_DEFINE (aedenoise, "aedenoise", GST_RANK_NONE,
    GST_TYPE_AE_DENOISE);

static void gst_ae_denoise_finalize (GObject * object);
static void gst_ae_denoise_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void gst_ae_denoise_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);
static gboolean gst_ae_denoise_start (GstBaseTransform * trans);
static gboolean gst_ae_denoise_stop (GstBaseTransform * trans);
static gboolean gst_ae_denoise_sink_event (GstBaseTransform * trans,
    GstEvent * event);
static gboolean gst_ae_denoise_query (GstBaseTransform * trans,
    GstPadDirection direction, GstQuery * query);
static gboolean gst_ae_denoise_set_info (GstVideoFilter * filter,
    GstCaps * incaps, GstVideoInfo * in_info, GstCaps * outcaps,
    GstVideoInfo * out_info);
static GstFlowReturn gst_ae_denoise_transform_frame (GstVideoFilter * filter,
    GstVideoFrame * inframe, GstVideoFrame * outframe);

static GParamSpec *estimated_noise_level_pspec;

static void
gst_ae_denoise_class_init (GstAeDenoiseClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstVideoFilterClass *filter_class = GST_VIDEO_FILTER_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;
  const GParamFlags live = rw | GST_PARAM_CONTROLLABLE |
      GST_PARAM_MUTABLE_PLAYING;
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  GST_DEBUG_CATEGORY_INIT (gst_ae_denoise_debug, "aedenoise", 0,
      "autoencoder video denoiser");

  gobject_class->finalize = gst_ae_denoise_finalize;
  gobject_class->set_property = gst_ae_denoise_set_property;
  gobject_class->get_property = gst_ae_denoise_get_property;

  /**
   * GstAeDenoise:model:
   *
   * Which of the models built into the plugin runs: `default` (real time)
   * or `quality` (for batch work; models/README.md has both models'
   * figures). #GstAeDenoise:model-file, when set, overrides it. Read when
   * the element starts.
   */
  g_object_class_install_property (gobject_class, PROP_MODEL,
      g_param_spec_enum ("model", "Model", "Built-in model: default (real "
          "time) or quality (batch); model-file overrides it",
          GST_TYPE_AE_DENOISE_MODEL, DEFAULT_MODEL,
          rw | GST_PARAM_MUTABLE_READY));
  /**
   * GstAeDenoise:model-file:
   *
   * The network's weights and architecture: a safetensors file as
   * docs/model-format.md describes it, written by aenn-train or by the
   * PyTorch export script (tools/aenn_torch.py). A value with no "/" that
   * is not an existing file is a model name, looked up as
   * NAME.safetensors in the directories of the GST_UNSUPERVISED_MODEL_PATH
   * environment variable, then in the installed models directory
   * ($datadir/gst-unsupervised/models), so that
   * `model-file=aedenoise-quality` picks a shipped model. Empty (the
   * default) runs the built-in model #GstAeDenoise:model chooses.
   *
   * The file is read when the element starts (READY to PAUSED): one that
   * cannot be found, read or used fails the state change with a
   * RESOURCE error naming the file, or, for a name, every place searched.
   */
  g_object_class_install_property (gobject_class, PROP_MODEL_FILE,
      g_param_spec_string ("model-file", "Model file",
          "Network weights and architecture (a .safetensors file, see "
          "docs/model-format.md), or the name of an installed model "
          "(aedenoise-quality: NAME.safetensors in GST_UNSUPERVISED_MODEL_PATH "
          "or $datadir/gst-unsupervised/models); empty: the built-in model "
          "the model property chooses. Read when the element starts: a file that cannot be used "
          "fails the state change with an error", DEFAULT_MODEL_FILE,
          rw | GST_PARAM_MUTABLE_READY));
  /**
   * GstAeDenoise:noise-level:
   *
   * The standard deviation of the noise on the 0..255 scale, given to the
   * network for every plane. -1 (the default) measures it on each frame,
   * per plane (Immerkaer's operator on 16x16 blocks), and smooths it over
   * time; #GstAeDenoise:estimated-noise-level reports the result. Can be
   * changed while playing and controlled (GstController).
   */
  g_object_class_install_property (gobject_class, PROP_NOISE_LEVEL,
      g_param_spec_double ("noise-level", "Noise level",
          "Standard deviation of the noise on the 0..255 scale, given to "
          "the network for every plane; -1: measured on each frame, per "
          "plane, and smoothed over time", -1.0, 255.0, DEFAULT_NOISE_LEVEL,
          live));
  /**
   * GstAeDenoise:estimated-noise-level:
   *
   * The measured noise level the last frame was denoised with (luma, or
   * the mean over R, G and B), while #GstAeDenoise:noise-level is -1; -1
   * before any frame. Read-only. It emits notify: the first estimate after
   * a start, a flush or new caps at once, later ones at most every 500 ms
   * (wall-clock) and only when the value moved by 0.05 or more since the
   * last notify, so that a handler costs nothing per frame. The notify is
   * emitted from the streaming thread.
   */
  estimated_noise_level_pspec =
      g_param_spec_double ("estimated-noise-level", "Estimated noise level",
      "The measured noise level (luma, or the mean of R, G and B) the "
      "last frame was denoised with when noise-level is -1; -1 before "
      "any. Notifies at most every 500 ms, for changes of 0.05 or more",
      -1.0, 255.0, -1.0, ro);
  g_object_class_install_property (gobject_class, PROP_ESTIMATED_NOISE_LEVEL,
      estimated_noise_level_pspec);
  /**
   * GstAeDenoise:strength:
   *
   * Blend of the denoised frame with the input: 1 (the default) outputs
   * the denoised frame, 0 the input bit for bit (the network does not run
   * then), values between mix the two per sample. Can be changed while
   * playing and controlled.
   */
  g_object_class_install_property (gobject_class, PROP_STRENGTH,
      g_param_spec_double ("strength", "Strength",
          "Blend of the denoised frame with the input: 1 the denoised frame, "
          "0 the input, bit for bit", 0.0, 1.0, DEFAULT_STRENGTH, live));
  /**
   * GstAeDenoise:n-threads:
   *
   * Worker threads for the network and the format conversions; 0 (the
   * default) takes one per core, up to 64. The result does not depend on
   * it. Can be changed while playing (the pool is rebuilt before the next
   * frame).
   */
  g_object_class_install_property (gobject_class, PROP_N_THREADS,
      g_param_spec_uint ("n-threads", "Threads",
          "Worker threads (0 = one per core, up to 64)", 0, MAX_THREADS,
          DEFAULT_N_THREADS, rw | GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstAeDenoise:temporal:
   *
   * Use the frames before: each output frame is the network's result
   * fused, per pixel, with the running means of the network's results and
   * of the noisy frames over the earlier frames where the pixel stood
   * still (denoise/frames/temporal.h, docs/aedenoise.md).
   * No frame is held back: the latency stays one frame. Where the scene
   * moves the output is the single-frame result; a new scene, a flush, a
   * seek, a new segment or stream, new caps and a discontinuity start
   * again; a frame that repeats the last one exactly (videorate's
   * duplicates) is not counted as a new look. The state holds 7 bytes per
   * sample (about 22 MB at 1080p I420). TRUE by default; FALSE denoises
   * each frame alone. Can be changed while playing (the next frame starts
   * again).
   */
  g_object_class_install_property (gobject_class, PROP_TEMPORAL,
      g_param_spec_boolean ("temporal", "Temporal",
          "Fuse each frame with the earlier frames where the scene stands "
          "still (no added latency; 7 bytes per sample of state); "
          "FALSE: each frame alone", DEFAULT_TEMPORAL,
          rw | GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstAeDenoise:kernels:
   *
   * The kernel path the network runs on: c (the reference twins), orc,
   * avx2, avx512 (float) or vnni (int8 convolutions, within 0.05 dB of
   * float), the best the CPU has unless the GST_UNSUPERVISED_KERNELS
   * environment variable names one. Read-only.
   */
  g_object_class_install_property (gobject_class, PROP_KERNELS,
      g_param_spec_string ("kernels", "Kernels",
          "Kernel path in use (c, orc, avx2, avx512, vnni); force one with the "
          "GST_UNSUPERVISED_KERNELS environment variable", NULL, ro));

  gst_element_class_set_static_metadata (element_class,
      "Autoencoder denoiser", "Filter/Effect/Video",
      "Removes noise from video frames with a convolutional autoencoder",
      "gst-unsupervised authors");
  gst_element_class_add_static_metadata (element_class,
      GST_ELEMENT_METADATA_DOC_URI, GST_PACKAGE_DOC_URL "/aedenoise.md");
  /* caps from the format table, in its order of preference */
  gst_unsupervised_add_pad_templates (element_class);

  trans_class->start = GST_DEBUG_FUNCPTR (gst_ae_denoise_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_ae_denoise_stop);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_ae_denoise_sink_event);
  trans_class->query = GST_DEBUG_FUNCPTR (gst_ae_denoise_query);
  filter_class->set_info = GST_DEBUG_FUNCPTR (gst_ae_denoise_set_info);
  filter_class->transform_frame =
      GST_DEBUG_FUNCPTR (gst_ae_denoise_transform_frame);
}

static void
reset_noise (GstAeDenoise * self)
{
  for (guint c = 0; c < AENN_MAX_CHANNELS_PER_FRAME; c++)
    self->smoothed[c] = -1.0f;
}

static void
gst_ae_denoise_init (GstAeDenoise * self)
{
  self->model_choice = DEFAULT_MODEL;
  self->model_file = g_strdup (DEFAULT_MODEL_FILE);
  self->noise_level = DEFAULT_NOISE_LEVEL;
  self->strength = DEFAULT_STRENGTH;
  self->n_threads = DEFAULT_N_THREADS;
  self->temporal = DEFAULT_TEMPORAL;
  self->estimated_noise_level = -1.0;
  self->notified_noise_level = -1.0;
  reset_noise (self);
  /* late frames are dropped before they cost a network pass */
  gst_base_transform_set_qos_enabled (GST_BASE_TRANSFORM (self), TRUE);
}

static void
gst_ae_denoise_finalize (GObject * object)
{
  GstAeDenoise *self = GST_AE_DENOISE (object);

  g_free (self->model_file);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_ae_denoise_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstAeDenoise *self = GST_AE_DENOISE (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODEL:
      self->model_choice = g_value_get_enum (value);
      break;
    case PROP_MODEL_FILE:
      g_free (self->model_file);
      self->model_file = g_value_dup_string (value);
      break;
    case PROP_NOISE_LEVEL:
      self->noise_level = g_value_get_double (value);
      break;
    case PROP_STRENGTH:
      self->strength = g_value_get_double (value);
      break;
    case PROP_N_THREADS:
      self->n_threads = g_value_get_uint (value);
      break;
    case PROP_TEMPORAL:
      self->temporal = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_ae_denoise_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstAeDenoise *self = GST_AE_DENOISE (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODEL:
      g_value_set_enum (value, self->model_choice);
      break;
    case PROP_MODEL_FILE:
      g_value_set_string (value, self->model_file);
      break;
    case PROP_NOISE_LEVEL:
      g_value_set_double (value, self->noise_level);
      break;
    case PROP_ESTIMATED_NOISE_LEVEL:
      g_value_set_double (value, self->estimated_noise_level);
      break;
    case PROP_STRENGTH:
      g_value_set_double (value, self->strength);
      break;
    case PROP_N_THREADS:
      g_value_set_uint (value, self->n_threads);
      break;
    case PROP_TEMPORAL:
      g_value_set_boolean (value, self->temporal);
      break;
    case PROP_KERNELS:
      g_value_set_string (value, kernel_path_name (self->den ?
              aenn_denoiser_get_path (self->den) : kernel_path_default ()));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

/* The plugin's own file, so that a relocated install (or one made with
 * --destdir) finds its models; NULL when it cannot be told. */
static gchar *
plugin_file (GstAeDenoise * self)
{
  GstElementFactory *f = gst_element_get_factory (GST_ELEMENT (self));
  GstPlugin *plugin = f ? gst_plugin_feature_get_plugin (GST_PLUGIN_FEATURE
      (f)) : NULL;
  gchar *so = plugin ? g_strdup (gst_plugin_get_filename (plugin)) : NULL;

  if (plugin)
    gst_object_unref (plugin);
  return so;
}

static AennModel *
load_model (GstAeDenoise * self, const gchar * file,
    GstAeDenoiseModel choice, GError ** error)
{
  GEnumValue *ev = g_enum_get_value (g_type_class_peek
      (GST_TYPE_AE_DENOISE_MODEL), choice);
  gchar *resource, *what;
  GBytes *bytes;
  AennModel *model;

  if (file != NULL && *file != '\0') {
    gchar *so = plugin_file (self);
    gchar *path = aenn_model_find (file, so, AENN_MODELS_FROM_PLUGIN, error);
    g_free (so);
    if (path == NULL)
      return NULL;
    model = aenn_model_load_file (path, error);
    g_free (path);
    return model;
  }
  resource = g_strconcat (MODEL_RESOURCE_DIR, ev->value_nick,
      ".safetensors", NULL);
  bytes = g_resources_lookup_data (resource, G_RESOURCE_LOOKUP_FLAGS_NONE,
      error);
  g_free (resource);
  if (bytes == NULL)
    return NULL;
  what = g_strdup_printf ("the built-in %s model", ev->value_nick);
  model = aenn_model_load_bytes (bytes, what, error);
  g_free (what);
  g_bytes_unref (bytes);
  return model;
}

static gboolean
gst_ae_denoise_start (GstBaseTransform * trans)
{
  GstAeDenoise *self = GST_AE_DENOISE (trans);
  KernelPath path = kernel_path_default ();
  AennModel *model;
  AennDenoiser *den;
  gchar *file;
  GstAeDenoiseModel choice;
  guint n_threads;
  GError *err = NULL;

  GST_OBJECT_LOCK (self);
  file = g_strdup (self->model_file);
  choice = self->model_choice;
  n_threads = self->n_threads;
  GST_OBJECT_UNLOCK (self);

  model = load_model (self, file, choice, &err);
  if (model == NULL)
    goto no_model;
  den = aenn_denoiser_new (model, path, n_threads, &err);
  if (den == NULL)
    goto bad_model;
  GST_INFO_OBJECT (self, "model %s: %.1f MACs per pixel; kernels %s; ORC "
      "target %s; %u threads", file && *file ? file : "(built in)",
      aenn_model_macs_per_pixel (model), kernel_path_name (path),
      kernel_path_orc_target (), aenn_denoiser_get_n_threads (den));
  g_free (file);

  GST_OBJECT_LOCK (self);
  self->model = model;
  self->den = den;
  self->reset = TRUE;
  self->estimated_noise_level = -1.0;
  self->processing_latency = 0;
  GST_OBJECT_UNLOCK (self);
  return TRUE;

  /* ERRORS */
no_model:
  {
    if (g_error_matches (err, AENN_ERROR, AENN_ERROR_IO))
      GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ, ("Cannot load the model: "
              "%s", err->message), ("model-file \"%s\"", file ? file : ""));
    else
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("Cannot load the model: "
              "%s", err->message), ("model-file \"%s\"", file ? file : ""));
    g_clear_error (&err);
    g_free (file);
    return FALSE;
  }
bad_model:
  {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("Cannot use the model %s: "
            "%s", file
            && *file ? file : "built into the plugin (model property)",
            err->message), (NULL));
    g_clear_error (&err);
    g_free (file);
    aenn_model_free (model);
    return FALSE;
  }
}

static gboolean
gst_ae_denoise_stop (GstBaseTransform * trans)
{
  GstAeDenoise *self = GST_AE_DENOISE (trans);
  AennDenoiser *den;
  AennModel *model;

  GST_OBJECT_LOCK (self);
  den = self->den;
  model = self->model;
  self->den = NULL;
  self->model = NULL;
  GST_OBJECT_UNLOCK (self);
  aenn_denoiser_free (den);
  aenn_model_free (model);
  return TRUE;
}

static gboolean
gst_ae_denoise_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  GstAeDenoise *self = GST_AE_DENOISE (trans);

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_FLUSH_STOP:
      /* after a seek the noise may be another */
      GST_OBJECT_LOCK (self);
      self->reset = TRUE;
      self->reset_temporal = TRUE;
      GST_OBJECT_UNLOCK (self);
      break;
    case GST_EVENT_STREAM_START:
    case GST_EVENT_SEGMENT:
      /* another stream, or another part of it (a seek without flush) */
      GST_OBJECT_LOCK (self);
      self->reset_temporal = TRUE;
      GST_OBJECT_UNLOCK (self);
      break;
    default:
      break;
  }
  return GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
}

/* Caps in the format table's order of preference. The element holds no
 * frame: it adds to upstream's latency only the time
 * a frame takes to process, as measured so far, so that a live pipeline
 * renders its frames on time instead of dropping them. */
static gboolean
gst_ae_denoise_query (GstBaseTransform * trans, GstPadDirection direction,
    GstQuery * query)
{
  GstAeDenoise *self = GST_AE_DENOISE (trans);
  gboolean ret;

  if (GST_QUERY_TYPE (query) == GST_QUERY_CAPS) {
    gboolean joint;
    GstCaps *caps, *only;
    ret = gst_unsupervised_query_caps (trans, direction, query,
        GST_BASE_TRANSFORM_CLASS (parent_class)->query);
    GST_OBJECT_LOCK (self);
    joint = self->model != NULL && self->model->layout == AENN_INPUT_YUV420;
    GST_OBJECT_UNLOCK (self);
    if (!ret || !joint)
      return ret;
    /* a joint 4:2:0 model takes those formats only */
    gst_query_parse_caps_result (query, &caps);
    if (caps == NULL)
      return ret;
    only = gst_caps_from_string ("video/x-raw, format = (string) "
        "{ I420, YV12, NV12, NV21 }");
    caps = gst_caps_intersect_full (caps, only, GST_CAPS_INTERSECT_FIRST);
    gst_query_set_caps_result (query, caps);
    gst_caps_unref (caps);
    gst_caps_unref (only);
    return TRUE;
  }
  ret = GST_BASE_TRANSFORM_CLASS (parent_class)->query (trans, direction,
      query);

  if (ret && direction == GST_PAD_SRC
      && GST_QUERY_TYPE (query) == GST_QUERY_LATENCY) {
    GstClockTime ours;
    GST_OBJECT_LOCK (self);
    ours = self->processing_latency;
    GST_OBJECT_UNLOCK (self);
    gst_unsupervised_add_latency (GST_CAT_DEFAULT, GST_OBJECT (self), query,
        ours);
  }
  return ret;
}

static gboolean
gst_ae_denoise_set_info (GstVideoFilter * filter, GstCaps * incaps,
    GstVideoInfo * in_info, GstCaps * outcaps, GstVideoInfo * out_info)
{
  GstAeDenoise *self = GST_AE_DENOISE (filter);
  const gchar *name = gst_video_format_to_string (GST_VIDEO_INFO_FORMAT
      (in_info));
  const VideoFormat *fmt = video_format_find (name);
  GError *err = NULL;

  if (fmt == NULL)
    goto unsupported;
  if (GST_VIDEO_INFO_FORMAT (in_info) != GST_VIDEO_INFO_FORMAT (out_info)
      || GST_VIDEO_INFO_WIDTH (in_info) != GST_VIDEO_INFO_WIDTH (out_info)
      || GST_VIDEO_INFO_HEIGHT (in_info) != GST_VIDEO_INFO_HEIGHT (out_info))
    goto mismatch;
  if (!aenn_denoiser_set_format (self->den, fmt,
          GST_VIDEO_INFO_WIDTH (in_info), GST_VIDEO_INFO_HEIGHT (in_info),
          &err))
    goto bad_size;
  GST_OBJECT_LOCK (self);
  self->reset = TRUE;
  self->warm = FALSE;
  GST_OBJECT_UNLOCK (self);
  GST_INFO_OBJECT (self, "%s %dx%d", name, GST_VIDEO_INFO_WIDTH (in_info),
      GST_VIDEO_INFO_HEIGHT (in_info));
  return TRUE;

  /* ERRORS */
unsupported:
  {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL),
        ("format %s is not supported", name));
    return FALSE;
  }
mismatch:
  {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL),
        ("input and output caps differ: %" GST_PTR_FORMAT " -> %"
            GST_PTR_FORMAT, incaps, outcaps));
    return FALSE;
  }
bad_size:
  {
    GST_ELEMENT_ERROR (self, STREAM, FORMAT, (NULL), ("%s", err->message));
    g_clear_error (&err);
    return FALSE;
  }
}

/* The noise level of each plane: the property, or the running average of
 * the estimates; returns what estimated-noise-level reports. */
static gdouble
noise_levels (GstAeDenoise * self, gdouble level, gboolean reset,
    float sigma[AENN_MAX_CHANNELS_PER_FRAME], gboolean rgb)
{
  float est[AENN_MAX_CHANNELS_PER_FRAME];
  guint n = aenn_denoiser_get_n_channels (self->den);
  gdouble report = 0.0;

  if (reset)
    reset_noise (self);
  if (level >= 0.0) {
    for (guint c = 0; c < AENN_MAX_CHANNELS_PER_FRAME; c++)
      sigma[c] = (float) level;
    return -1.0;
  }
  aenn_denoiser_estimate (self->den, est);
  for (guint c = 0; c < n; c++) {
    float *s = &self->smoothed[c];
    if (est[c] >= 0.0f)
      *s = *s < 0.0f ? est[c] : *s + NOISE_SMOOTHING * (est[c] - *s);
    /* a plane too small to measure is taken as clean */
    sigma[c] = MAX (*s, 0.0f);
  }
  if (rgb) {
    for (guint c = 0; c < n; c++)
      report += sigma[c] / n;
  } else {
    report = sigma[0];
  }
  GST_LOG_OBJECT (self, "noise estimates %.2f %.2f %.2f, smoothed %.2f %.2f "
      "%.2f", est[0], est[1], est[2], sigma[0], sigma[1], sigma[2]);
  return report;
}


/* Sets estimated-noise-level and notifies, throttled (NOTIFY_INTERVAL_US,
 * NOTIFY_MIN_CHANGE), outside the lock. */
static void
report_noise_level (GstAeDenoise * self, gdouble level)
{
  gint64 now = g_get_monotonic_time ();
  gboolean notify;

  GST_OBJECT_LOCK (self);
  self->estimated_noise_level = level;
  notify = self->notified_noise_level < 0.0
      || (now - self->notified_at >= NOTIFY_INTERVAL_US
      && fabs (level - self->notified_noise_level) >= NOTIFY_MIN_CHANGE);
  if (notify) {
    self->notified_noise_level = level;
    self->notified_at = now;
  }
  GST_OBJECT_UNLOCK (self);
  if (notify)
    g_object_notify_by_pspec (G_OBJECT (self), estimated_noise_level_pspec);
}

static const gchar *
temporal_event_name (AennTemporalEvent ev)
{
  switch (ev) {
    case AENN_TEMPORAL_START:
      return "start";
    case AENN_TEMPORAL_FUSED:
      return "fused";
    case AENN_TEMPORAL_CUT:
      return "scene cut, start";
    case AENN_TEMPORAL_REPEAT:
      return "repeated frame";
  }
  return "?";
}

static GstFlowReturn
gst_ae_denoise_transform_frame (GstVideoFilter * filter,
    GstVideoFrame * inframe, GstVideoFrame * outframe)
{
  GstAeDenoise *self = GST_AE_DENOISE (filter);
  gdouble level, strength, report;
  guint n_threads;
  gboolean reset, temporal, reset_temporal;
  float sigma[AENN_MAX_CHANNELS_PER_FRAME];
  VideoImage in, out;
  GError *err = NULL;
  GstClockTime stream_time;
  gint64 t0 = g_get_monotonic_time ();

  stream_time = gst_segment_to_stream_time (&GST_BASE_TRANSFORM
      (self)->segment, GST_FORMAT_TIME, GST_BUFFER_PTS (inframe->buffer));
  if (GST_CLOCK_TIME_IS_VALID (stream_time))
    gst_object_sync_values (GST_OBJECT (self), stream_time);

  GST_OBJECT_LOCK (self);
  level = self->noise_level;
  strength = self->strength;
  n_threads = self->n_threads;
  reset = self->reset;
  self->reset = FALSE;
  if (reset)
    self->notified_noise_level = -1.0;
  temporal = self->temporal;
  reset_temporal = self->reset_temporal
      || GST_BUFFER_FLAG_IS_SET (inframe->buffer, GST_BUFFER_FLAG_DISCONT);
  self->reset_temporal = FALSE;
  GST_OBJECT_UNLOCK (self);

  /* temporal mode: switched on or off (on starts afresh) */
  aenn_denoiser_set_temporal (self->den, temporal);
  if (reset_temporal)
    aenn_denoiser_reset_temporal (self->den);
  if (strength <= 0.0) {
    /* the frames passed through are not looks the state saw */
    aenn_denoiser_reset_temporal (self->den);
    if (!gst_video_frame_copy (outframe, inframe))
      goto copy_failed;
    return GST_FLOW_OK;
  }
  if (!aenn_denoiser_set_n_threads (self->den, n_threads, &err))
    goto bad_threads;

  gst_unsupervised_video_image (inframe, &in);
  gst_unsupervised_video_image (outframe, &out);
  aenn_denoiser_load (self->den, &in);
  report = noise_levels (self, level, reset, sigma,
      GST_VIDEO_FORMAT_INFO_IS_RGB (inframe->info.finfo));
  aenn_denoiser_run (self->den, sigma);
  if (temporal)
    GST_LOG_OBJECT (self, "temporal: %s",
        temporal_event_name (aenn_denoiser_get_temporal_event (self->den)));
  aenn_denoiser_store (self->den, &in, &out, (float) strength);

  if (report >= 0.0)
    report_noise_level (self, report);
  gst_unsupervised_raise_latency (GST_CAT_DEFAULT, GST_ELEMENT (self),
      &self->processing_latency, &self->warm, g_get_monotonic_time () - t0);
  return GST_FLOW_OK;

  /* ERRORS */
copy_failed:
  {
    GST_ELEMENT_ERROR (self, CORE, FAILED, (NULL), ("frame copy failed"));
    return GST_FLOW_ERROR;
  }
bad_threads:
  {
    GST_ELEMENT_ERROR (self, STREAM, FORMAT, (NULL), ("%s", err->message));
    g_clear_error (&err);
    return GST_FLOW_ERROR;
  }
}
