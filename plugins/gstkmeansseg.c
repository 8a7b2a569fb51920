/* GStreamer k-means colour segmentation
 * Copyright (C) 2026 gst-unsupervised authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:element-kmeansseg
 * @title: kmeansseg
 *
 * Clusters the colours of every frame with k-means and posterizes it (each
 * pixel takes its cluster's mean colour), writes a label map (GRAY8, pixel
 * value = cluster id), paints each cluster in a fixed false colour, or
 * draws the boundaries between clusters over the original frame. Each
 * frame starts from the previous frame's centroids, so a cluster keeps its
 * id (and its colour) from frame to frame; a scene cut starts afresh and
 * the new clusters take the ids of the old ones they are closest to.
 *
 * It works on the stream's own planes: packed RGB (with alpha carried
 * through), planar, semi-planar and packed YUV, and GRAY8, with no
 * videoconvert in front.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 v4l2src ! videoconvert ! kmeansseg num-clusters=6 ! videoconvert ! autovideosink
 * ]| Posterize a webcam live.
 * |[
 * gst-launch-1.0 filesrc location=in.mp4 ! decodebin ! videoconvert ! kmeansseg ! videoconvert ! x264enc ! mp4mux ! filesink location=out.mp4
 * ]| Posterize a file in a batch job.
 * |[
 * gst-launch-1.0 filesrc location=in.mp4 ! decodebin ! kmeansseg mode=labels post-messages=true ! fakesink -m
 * ]| Label maps and per-frame centroids, cluster sizes and inertia on the bus.
 *
 * ## Messages
 * With #GstKMeansSeg:post-messages TRUE, the element posts one element
 * message per frame, whose structure is named "kmeansseg" and holds:
 *
 * - "timestamp", "stream-time", "running-time", "duration" (guint64,
 *   nanoseconds): of the frame;
 * - "num-clusters" (guint): k;
 * - "color-space" (gchararray): rgb, yuv or lab;
 * - "centroids" (GstValueArray of GstValueArray of 3 gdouble): the
 *   centroids in that colour space;
 * - "centroids-rgb" (the same): the centroids as R'G'B', 0..255;
 * - "counts" (GstValueArray of guint64): pixels per cluster;
 * - "inertia" (gdouble): mean squared distance of the fitted samples to
 *   their centroid;
 * - "iterations" (guint): Lloyd iterations of this frame;
 * - "reinitialized" (gboolean): k-means++ ran (first frame, cut, new k);
 * - "scene-cut" (gboolean): a scene cut was detected.
 *
 * From Python (PyGObject) the arrays need GStreamer's overrides (Debian:
 * python3-gst-1.0); without them reading "centroids" fails with "unknown
 * type GstValueArray". examples/kmeansseg-aedenoise.py reads them.
 *
 * ## Algorithm
 * Exact k-means (Lloyd iterations) on a fixed sample of pixels, one at a
 * random place in each cell of a grid (#GstKMeansSeg:sample-fraction). On
 * the first frame and after a scene cut (the inertia of the old centroids
 * on the new frame more than doubles), 10 greedy k-means++ starts are
 * seeded and run to convergence on a start set (a jittered grid of about
 * 100,000 pixels), ranked by their inertia on a dense set (every pixel up
 * to 1080p), and the best is refined there and kept as it is. Later
 * frames start from the last centroids and refine on the sample only when
 * the frame fits them 1% worse than when they were last refined. Lloyd
 * stops when no sample changes cluster, when no centroid moves by more
 * than 0.1, or after #GstKMeansSeg:max-iterations; empty clusters take the
 * sample farthest from its centroid. Every pixel is then assigned to its
 * nearest centroid, except that with #GstKMeansSeg:hysteresis a pixel
 * keeps last frame's cluster unless the new one is nearer by more than
 * that margin.
 * Distances are squared Euclidean in the chosen colour space; for R'G'B'
 * and Y'CbCr they are computed in the stream's own channels through a
 * fixed metric (the two are linear maps of each other), CIE L*a*b* is
 * computed per pixel.
 *
 * Measured (docs/performance.md): on Kodak24 at k = 4, 8, 16 the final
 * inertia is within 0.82% of the best of 10 k-means++ restarts of
 * scikit-learn in each of the 72 image/k runs (means -0.01%, -0.11% and
 * +0.06%); on the still stretches of a real static-camera clip 0.17%,
 * 0.30% and 0.52% of the pixels change label between frames (rgb); over
 * the whole clip, people walking in included, 1.3-2.5%. A first frame or
 * a cut costs about 0.2 s at 1080p, k=8, 2 threads (a warm frame 2.5 to
 * 3 ms).
 *
 * Limits: the fit sees only the sampled pixels, so a colour covering less
 * than about one sample in a thousand may not get its own cluster; chroma
 * of subsampled formats is the mean of the palette colours of the pixels
 * that share it.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>
#include <gst/video/video.h>

#include "gstkmeansseg.h"
#include "gstunsupervisedvideo.h"
#include "common/limits.h"
#include "kmeans/segment.h"

GST_DEBUG_CATEGORY_STATIC (gst_kmeans_seg_debug);
#define GST_CAT_DEFAULT gst_kmeans_seg_debug

#define DEFAULT_NUM_CLUSTERS 8
#define DEFAULT_MAX_ITERATIONS 10
#define DEFAULT_SEED 0
#define DEFAULT_MODE GST_KMEANS_SEG_MODE_POSTERIZE
#define DEFAULT_COLOR_SPACE GST_KMEANS_SEG_COLOR_SPACE_RGB
#define DEFAULT_SPATIAL_WEIGHT 0.0
#define DEFAULT_HYSTERESIS 2.0
#define DEFAULT_SAMPLE_FRACTION 0.02
#define MIN_SAMPLE_FRACTION 0.0001
#define DEFAULT_WARM_START TRUE
#define DEFAULT_N_THREADS 0
#define DEFAULT_POST_MESSAGES FALSE
#define DEFAULT_BOUNDARY_COLOR 0xffff0000

typedef enum
{
  GST_KMEANS_SEG_MODE_POSTERIZE = KM_MODE_POSTERIZE,
  GST_KMEANS_SEG_MODE_LABELS = KM_MODE_LABELS,
  GST_KMEANS_SEG_MODE_FALSE_COLOR = KM_MODE_FALSE_COLOR,
  GST_KMEANS_SEG_MODE_BOUNDARIES = KM_MODE_BOUNDARIES,
} GstKMeansSegMode;

typedef enum
{
  GST_KMEANS_SEG_COLOR_SPACE_RGB = KM_SPACE_RGB,
  GST_KMEANS_SEG_COLOR_SPACE_YUV = KM_SPACE_YUV,
  GST_KMEANS_SEG_COLOR_SPACE_LAB = KM_SPACE_LAB,
} GstKMeansSegColorSpace;

enum
{
  PROP_0,
  PROP_NUM_CLUSTERS,
  PROP_MAX_ITERATIONS,
  PROP_SEED,
  PROP_MODE,
  PROP_COLOR_SPACE,
  PROP_SPATIAL_WEIGHT,
  PROP_HYSTERESIS,
  PROP_SAMPLE_FRACTION,
  PROP_WARM_START,
  PROP_N_THREADS,
  PROP_POST_MESSAGES,
  PROP_BOUNDARY_COLOR,
  PROP_KERNELS,
};

struct _GstKMeansSeg
{
  GstVideoFilter parent;

  /* properties, guarded by the object lock */
  KmParams params;
  guint n_threads;
  gboolean post_messages;
  GstClockTime processing_latency;      /* reported in the LATENCY query */

  /* streaming state, touched only by the streaming thread, and by
   * start/stop/set_info, which the base class serializes with it */
  KmSegmenter *seg;
  gboolean reset;               /* forget the last frame's centroids */
  gboolean live_known;          /* upstream asked whether it is live */
  gboolean live;                /* ... and it is: quick first fits */
};

#define GST_TYPE_KMEANS_SEG_MODE (gst_kmeans_seg_mode_get_type ())
static GType
gst_kmeans_seg_mode_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_KMEANS_SEG_MODE_POSTERIZE,
        "Each pixel takes its cluster's mean colour", "posterize"},
    {GST_KMEANS_SEG_MODE_LABELS,
        "GRAY8 label map: pixel value = cluster id", "labels"},
    {GST_KMEANS_SEG_MODE_FALSE_COLOR,
        "A fixed, distinct colour per cluster id", "false-color"},
    {GST_KMEANS_SEG_MODE_BOUNDARIES,
        "The frame with cluster boundaries drawn", "boundaries"},
    {0, NULL, NULL},
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type,
        g_enum_register_static ("GstKMeansSegMode", values));
  return type;
}

#define GST_TYPE_KMEANS_SEG_COLOR_SPACE (gst_kmeans_seg_color_space_get_type ())
static GType
gst_kmeans_seg_color_space_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_KMEANS_SEG_COLOR_SPACE_RGB, "R'G'B'", "rgb"},
    {GST_KMEANS_SEG_COLOR_SPACE_YUV, "Y'CbCr", "yuv"},
    {GST_KMEANS_SEG_COLOR_SPACE_LAB, "CIE L*a*b* (perceptual)", "lab"},
    {0, NULL, NULL},
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type,
        g_enum_register_static ("GstKMeansSegColorSpace", values));
  return type;
}

#define gst_kmeans_seg_parent_class parent_class
G_DEFINE_TYPE (GstKMeansSeg, gst_kmeans_seg, GST_TYPE_VIDEO_FILTER);
GST_ELEMENT_REGISTER_DEFINE (kmeansseg, "kmeansseg", GST_RANK_NONE,
    GST_TYPE_KMEANS_SEG);

static void gst_kmeans_seg_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void gst_kmeans_seg_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);
static gboolean gst_kmeans_seg_start (GstBaseTransform * trans);
static gboolean gst_kmeans_seg_stop (GstBaseTransform * trans);
static GstCaps *gst_kmeans_seg_transform_caps (GstBaseTransform * trans,
    GstPadDirection direction, GstCaps * caps, GstCaps * filter);
static gboolean gst_kmeans_seg_sink_event (GstBaseTransform * trans,
    GstEvent * event);
static gboolean gst_kmeans_seg_query (GstBaseTransform * trans,
    GstPadDirection direction, GstQuery * query);
static gboolean gst_kmeans_seg_set_info (GstVideoFilter * filter,
    GstCaps * incaps, GstVideoInfo * in_info, GstCaps * outcaps,
    GstVideoInfo * out_info);
static GstFlowReturn gst_kmeans_seg_transform_frame (GstVideoFilter * filter,
    GstVideoFrame * inframe, GstVideoFrame * outframe);

static void
gst_kmeans_seg_class_init (GstKMeansSegClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstVideoFilterClass *filter_class = GST_VIDEO_FILTER_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;
  const GParamFlags live = rw | GST_PARAM_CONTROLLABLE |
      GST_PARAM_MUTABLE_PLAYING;

  GST_DEBUG_CATEGORY_INIT (gst_kmeans_seg_debug, "kmeansseg", 0,
      "k-means colour segmentation");

  gobject_class->set_property = gst_kmeans_seg_set_property;
  gobject_class->get_property = gst_kmeans_seg_get_property;

  /**
   * GstKMeansSeg:num-clusters:
   *
   * The number of colour clusters k, 2 to 256. A change while playing
   * reinitialises the clustering (k-means++) on the next frame. Can be
   * controlled.
   */
  g_object_class_install_property (gobject_class, PROP_NUM_CLUSTERS,
      g_param_spec_uint ("num-clusters", "Number of clusters",
          "Number of colour clusters k (2..256)", 2, KM_MAX_K,
          DEFAULT_NUM_CLUSTERS, live));
  /**
   * GstKMeansSeg:max-iterations:
   *
   * The most Lloyd iterations per frame, 1 to 1000; a frame stops earlier
   * when no sample changes cluster or no centroid moves by more than 0.1.
   */
  g_object_class_install_property (gobject_class, PROP_MAX_ITERATIONS,
      g_param_spec_uint ("max-iterations", "Maximum iterations",
          "Most Lloyd iterations per frame (1..1000); fewer when converged",
          1, 1000, DEFAULT_MAX_ITERATIONS, rw | GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstKMeansSeg:seed:
   *
   * Seed of the private random generator behind k-means++ and the sample
   * grid: the same seed and input give the same output whatever
   * #GstKMeansSeg:n-threads is. Read when the element starts.
   */
  g_object_class_install_property (gobject_class, PROP_SEED,
      g_param_spec_uint64 ("seed", "Seed",
          "Seed of the k-means++ initialisation: the same seed and input "
          "give the same output, whatever n-threads is", 0, G_MAXUINT64,
          DEFAULT_SEED, rw | GST_PARAM_MUTABLE_READY));
  /**
   * GstKMeansSeg:mode:
   *
   * What to output: posterize (each pixel takes its cluster's mean
   * colour), labels (a GRAY8 label map, pixel value = cluster id; the
   * source pad renegotiates to GRAY8), false-color (a fixed colour per
   * cluster id) or boundaries (the input with the borders between clusters
   * drawn in #GstKMeansSeg:boundary-color). Can be changed while playing.
   */
  g_object_class_install_property (gobject_class, PROP_MODE,
      g_param_spec_enum ("mode", "Mode", "What to output",
          GST_TYPE_KMEANS_SEG_MODE, DEFAULT_MODE, live));
  /**
   * GstKMeansSeg:color-space:
   *
   * The space distances are measured in: rgb (R'G'B'), yuv (Y'CbCr, the
   * stream's matrix) or lab (CIE L*a*b*, perceptual, computed per pixel).
   */
  g_object_class_install_property (gobject_class, PROP_COLOR_SPACE,
      g_param_spec_enum ("color-space", "Colour space",
          "Colour space distances are measured in",
          GST_TYPE_KMEANS_SEG_COLOR_SPACE, DEFAULT_COLOR_SPACE,
          rw | GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstKMeansSeg:spatial-weight:
   *
   * Weight of the pixel position against its colour, 0 to 100: 0 (the
   * default) clusters colour alone; at 1, moving by one region width
   * S = sqrt (width * height / k) costs as much as the full colour range,
   * which gives compact, superpixel-like regions. Can be controlled.
   */
  g_object_class_install_property (gobject_class, PROP_SPATIAL_WEIGHT,
      g_param_spec_double ("spatial-weight", "Spatial weight",
          "Weight of pixel position against colour (0..100): 0 clusters "
          "colour alone; at 1, moving by one region width S = "
          "sqrt(width*height/k) costs as much as the full colour range",
          0.0, 100.0, DEFAULT_SPATIAL_WEIGHT, live));
  /**
   * GstKMeansSeg:hysteresis:
   *
   * A pixel keeps the cluster it had in the previous frame unless another
   * centroid is nearer by more than this distance (in levels of the
   * colour space, 0 to 64); 0 assigns every pixel to its nearest centroid.
   * Stops pixels on a border flickering with noise. Can be controlled.
   */
  g_object_class_install_property (gobject_class, PROP_HYSTERESIS,
      g_param_spec_double ("hysteresis", "Hysteresis",
          "A pixel keeps its cluster of the previous frame unless another "
          "centroid is nearer by more than this distance (colour levels of "
          "the colour space, 0..64); 0 assigns every pixel to its nearest "
          "centroid. Stops pixels on a border flickering with noise",
          0.0, 64.0, DEFAULT_HYSTERESIS, live));
  /**
   * GstKMeansSeg:sample-fraction:
   *
   * Share of the pixels the centroids are fitted on, 0.0001 to 1 (at
   * least 4096 pixels), one at a random place in each cell of a grid;
   * every pixel is always assigned.
   */
  g_object_class_install_property (gobject_class, PROP_SAMPLE_FRACTION,
      g_param_spec_double ("sample-fraction", "Sample fraction",
          "Share of the pixels the centroids are fitted on (0.0001..1; at "
          "least 4096 pixels); every pixel is always assigned",
          MIN_SAMPLE_FRACTION, 1.0, DEFAULT_SAMPLE_FRACTION,
          rw | GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstKMeansSeg:warm-start:
   *
   * Start each frame from the previous frame's centroids, so that cluster
   * ids (and false colours) stay from frame to frame; a scene cut starts
   * afresh. Off: k-means++ on every frame.
   */
  g_object_class_install_property (gobject_class, PROP_WARM_START,
      g_param_spec_boolean ("warm-start", "Warm start",
          "Start each frame from the previous frame's centroids, keeping "
          "cluster ids; off: k-means++ on every frame", DEFAULT_WARM_START,
          rw | GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstKMeansSeg:n-threads:
   *
   * Worker threads; 0 (the default) takes one per core, up to 64. The
   * output does not depend on it.
   */
  g_object_class_install_property (gobject_class, PROP_N_THREADS,
      g_param_spec_uint ("n-threads", "Threads",
          "Worker threads (0 = one per core, up to 64)", 0, MAX_THREADS,
          DEFAULT_N_THREADS, rw | GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstKMeansSeg:post-messages:
   *
   * Post a "kmeansseg" element message on the bus for every frame (its
   * fields: "Messages" in the element's documentation above).
   */
  g_object_class_install_property (gobject_class, PROP_POST_MESSAGES,
      g_param_spec_boolean ("post-messages", "Post messages",
          "Post a \"kmeansseg\" element message per frame with the "
          "centroids, cluster sizes, inertia and iterations",
          DEFAULT_POST_MESSAGES, rw | GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstKMeansSeg:boundary-color:
   *
   * Colour of the boundaries in mode=boundaries, as 0xAARRGGBB (alpha
   * ignored). The default 0xFFFF0000 (4294901760) is opaque red;
   * gst-launch-1.0 takes hex: boundary-color=0xff00ff00 is green. Can be
   * controlled.
   */
  g_object_class_install_property (gobject_class, PROP_BOUNDARY_COLOR,
      g_param_spec_uint ("boundary-color", "Boundary colour",
          "Colour of the boundaries in mode=boundaries, as 0xAARRGGBB "
          "(alpha ignored); default 0xFFFF0000, opaque red", 0, G_MAXUINT32,
          DEFAULT_BOUNDARY_COLOR, live));
  /**
   * GstKMeansSeg:kernels:
   *
   * The kernel path in use: c, orc, avx2 or avx512 (vnni runs avx512:
   * k-means has no int8 code), the best the CPU has unless the
   * GST_UNSUPERVISED_KERNELS environment variable names one. Read-only.
   */
  g_object_class_install_property (gobject_class, PROP_KERNELS,
      g_param_spec_string ("kernels", "Kernels",
          "Kernel path in use (c, orc, avx2, avx512; vnni runs avx512 here); "
          "force one with the GST_UNSUPERVISED_KERNELS environment variable",
          NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  gst_element_class_set_static_metadata (element_class,
      "K-means segmentation", "Filter/Effect/Video/Analyzer",
      "Clusters pixel colours with k-means to posterize or segment frames, "
      "stable from frame to frame", "gst-unsupervised authors");
  gst_element_class_add_static_metadata (element_class,
      GST_ELEMENT_METADATA_DOC_URI, GST_PACKAGE_DOC_URL "/kmeansseg.md");
  /* caps from the format table, in its order of preference */
  gst_unsupervised_add_pad_templates (element_class);

  trans_class->start = GST_DEBUG_FUNCPTR (gst_kmeans_seg_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_kmeans_seg_stop);
  trans_class->transform_caps =
      GST_DEBUG_FUNCPTR (gst_kmeans_seg_transform_caps);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_kmeans_seg_sink_event);
  trans_class->query = GST_DEBUG_FUNCPTR (gst_kmeans_seg_query);
  filter_class->set_info = GST_DEBUG_FUNCPTR (gst_kmeans_seg_set_info);
  filter_class->transform_frame =
      GST_DEBUG_FUNCPTR (gst_kmeans_seg_transform_frame);

  gst_type_mark_as_plugin_api (GST_TYPE_KMEANS_SEG_MODE, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_KMEANS_SEG_COLOR_SPACE, 0);
}

static void
gst_kmeans_seg_init (GstKMeansSeg * self)
{
  km_params_init (&self->params);
  self->params.k = DEFAULT_NUM_CLUSTERS;
  self->params.max_iterations = DEFAULT_MAX_ITERATIONS;
  self->params.seed = DEFAULT_SEED;
  self->params.mode = (KmMode) DEFAULT_MODE;
  self->params.space = (KmSpace) DEFAULT_COLOR_SPACE;
  self->params.spatial_weight = DEFAULT_SPATIAL_WEIGHT;
  self->params.hysteresis = DEFAULT_HYSTERESIS;
  self->params.sample_fraction = DEFAULT_SAMPLE_FRACTION;
  self->params.warm_start = DEFAULT_WARM_START;
  self->params.boundary_rgb = DEFAULT_BOUNDARY_COLOR & 0xffffff;
  self->n_threads = DEFAULT_N_THREADS;
  self->post_messages = DEFAULT_POST_MESSAGES;
  gst_base_transform_set_qos_enabled (GST_BASE_TRANSFORM (self), TRUE);
}

static void
gst_kmeans_seg_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstKMeansSeg *self = GST_KMEANS_SEG (object);
  gboolean renegotiate = FALSE;

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_NUM_CLUSTERS:
      self->params.k = g_value_get_uint (value);
      break;
    case PROP_MAX_ITERATIONS:
      self->params.max_iterations = g_value_get_uint (value);
      break;
    case PROP_SEED:
      self->params.seed = g_value_get_uint64 (value);
      break;
    case PROP_MODE:{
      KmMode mode = (KmMode) g_value_get_enum (value);
      /* labels are GRAY8: switching to or from them changes the caps */
      renegotiate = (mode == KM_MODE_LABELS) !=
          (self->params.mode == KM_MODE_LABELS);
      self->params.mode = mode;
      break;
    }
    case PROP_COLOR_SPACE:
      self->params.space = (KmSpace) g_value_get_enum (value);
      break;
    case PROP_SPATIAL_WEIGHT:
      self->params.spatial_weight = g_value_get_double (value);
      break;
    case PROP_HYSTERESIS:
      self->params.hysteresis = g_value_get_double (value);
      break;
    case PROP_SAMPLE_FRACTION:
      self->params.sample_fraction = g_value_get_double (value);
      break;
    case PROP_WARM_START:
      self->params.warm_start = g_value_get_boolean (value);
      break;
    case PROP_N_THREADS:
      self->n_threads = g_value_get_uint (value);
      break;
    case PROP_POST_MESSAGES:
      self->post_messages = g_value_get_boolean (value);
      break;
    case PROP_BOUNDARY_COLOR:
      self->params.boundary_rgb = g_value_get_uint (value) & 0xffffff;
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);

  if (renegotiate)
    gst_base_transform_reconfigure_src (GST_BASE_TRANSFORM (self));
}

static void
gst_kmeans_seg_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstKMeansSeg *self = GST_KMEANS_SEG (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_NUM_CLUSTERS:
      g_value_set_uint (value, self->params.k);
      break;
    case PROP_MAX_ITERATIONS:
      g_value_set_uint (value, self->params.max_iterations);
      break;
    case PROP_SEED:
      g_value_set_uint64 (value, self->params.seed);
      break;
    case PROP_MODE:
      g_value_set_enum (value, self->params.mode);
      break;
    case PROP_COLOR_SPACE:
      g_value_set_enum (value, self->params.space);
      break;
    case PROP_SPATIAL_WEIGHT:
      g_value_set_double (value, self->params.spatial_weight);
      break;
    case PROP_HYSTERESIS:
      g_value_set_double (value, self->params.hysteresis);
      break;
    case PROP_SAMPLE_FRACTION:
      g_value_set_double (value, self->params.sample_fraction);
      break;
    case PROP_WARM_START:
      g_value_set_boolean (value, self->params.warm_start);
      break;
    case PROP_N_THREADS:
      g_value_set_uint (value, self->n_threads);
      break;
    case PROP_POST_MESSAGES:
      g_value_set_boolean (value, self->post_messages);
      break;
    case PROP_BOUNDARY_COLOR:
      g_value_set_uint (value, 0xff000000 | self->params.boundary_rgb);
      break;
    case PROP_KERNELS:
      g_value_set_string (value, kernel_path_name (self->seg ?
              km_segmenter_get_path (self->seg) :
              kernel_path_float (kernel_path_default ())));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static gboolean
gst_kmeans_seg_start (GstBaseTransform * trans)
{
  GstKMeansSeg *self = GST_KMEANS_SEG (trans);
  KernelPath path = kernel_path_default ();
  KmSegmenter *seg;
  guint n_threads;

  GST_OBJECT_LOCK (self);
  n_threads = self->n_threads;
  GST_OBJECT_UNLOCK (self);

  seg = km_segmenter_new (path, n_threads);
  if (seg == NULL) {
    GST_ELEMENT_ERROR (self, LIBRARY, INIT, (NULL),
        ("no kernels for path %s", kernel_path_name (path)));
    return FALSE;
  }
  GST_INFO_OBJECT (self, "kernels: %s; ORC target: %s",
      kernel_path_name (km_segmenter_get_path (seg)),
      kernel_path_orc_target ());
  GST_OBJECT_LOCK (self);
  self->seg = seg;
  self->reset = FALSE;
  self->processing_latency = 0;
  GST_OBJECT_UNLOCK (self);
  self->live_known = FALSE;
  self->live = FALSE;
  return TRUE;
}

static gboolean
gst_kmeans_seg_stop (GstBaseTransform * trans)
{
  GstKMeansSeg *self = GST_KMEANS_SEG (trans);
  KmSegmenter *seg;

  GST_OBJECT_LOCK (self);
  seg = self->seg;
  self->seg = NULL;
  GST_OBJECT_UNLOCK (self);
  km_segmenter_free (seg);
  return TRUE;
}

/* Labels come out as GRAY8 of the same size and rate, whatever goes in;
 * the other modes keep the format. */
static GstCaps *
gst_kmeans_seg_transform_caps (GstBaseTransform * trans,
    GstPadDirection direction, GstCaps * caps, GstCaps * filter)
{
  GstKMeansSeg *self = GST_KMEANS_SEG (trans);
  GstCaps *ret;
  gboolean labels;

  GST_OBJECT_LOCK (self);
  labels = self->params.mode == KM_MODE_LABELS;
  GST_OBJECT_UNLOCK (self);

  if (!labels) {
    ret = gst_caps_ref (caps);
  } else {
    GstCaps *tmpl = gst_unsupervised_video_caps ();
    const GstStructure *t = gst_caps_get_structure (tmpl, 0);

    ret = gst_caps_new_empty ();
    for (guint i = 0; i < gst_caps_get_size (caps); i++) {
      GstStructure *s = gst_structure_copy (gst_caps_get_structure (caps, i));
      gst_structure_remove_fields (s, "colorimetry", "chroma-site", NULL);
      if (direction == GST_PAD_SINK)
        gst_structure_set (s, "format", G_TYPE_STRING, "GRAY8", NULL);
      else
        gst_structure_set_value (s, "format",
            gst_structure_get_value (t, "format"));
      ret = gst_caps_merge_structure (ret, s);
    }
    gst_caps_unref (tmpl);
  }
  if (filter) {
    GstCaps *tmp = gst_caps_intersect_full (filter, ret,
        GST_CAPS_INTERSECT_FIRST);
    gst_caps_unref (ret);
    ret = tmp;
  }
  GST_DEBUG_OBJECT (self, "%s caps %" GST_PTR_FORMAT " -> %" GST_PTR_FORMAT,
      direction == GST_PAD_SINK ? "sink" : "src", caps, ret);
  return ret;
}

/* Caps in the format table's order of preference. The element holds no
 * frame: to upstream's latency it adds only the time a frame takes, as
 * measured so far (first frames and cuts included), so that a live sink
 * renders frames on time instead of dropping them. */
static gboolean
gst_kmeans_seg_query (GstBaseTransform * trans, GstPadDirection direction,
    GstQuery * query)
{
  GstKMeansSeg *self = GST_KMEANS_SEG (trans);
  gboolean ret;

  if (GST_QUERY_TYPE (query) == GST_QUERY_CAPS)
    return gst_unsupervised_query_caps (trans, direction, query,
        GST_BASE_TRANSFORM_CLASS (parent_class)->query);
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
gst_kmeans_seg_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  GstKMeansSeg *self = GST_KMEANS_SEG (trans);

  /* after a seek the next frame has nothing to do with the last one */
  if (GST_EVENT_TYPE (event) == GST_EVENT_FLUSH_STOP) {
    GST_OBJECT_LOCK (self);
    self->reset = TRUE;
    GST_OBJECT_UNLOCK (self);
  }
  return GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
}


/* A live upstream gets quick first fits and cut fits (one k-means++ start
 * refined over the next frames): ten starts on a dense set take several
 * frame periods and would make the sink drop the frames behind them. */
static gboolean
upstream_is_live (GstKMeansSeg * self)
{
  GstQuery *q;

  if (self->live_known)
    return self->live;
  q = gst_query_new_latency ();
  if (gst_pad_peer_query (GST_BASE_TRANSFORM_SINK_PAD (self), q))
    gst_query_parse_latency (q, &self->live, NULL, NULL);
  gst_query_unref (q);
  self->live_known = TRUE;
  GST_INFO_OBJECT (self, "upstream is %slive%s", self->live ? "" : "not ",
      self->live ? ": quick first fits" : "");
  return self->live;
}

static gboolean
gst_kmeans_seg_set_info (GstVideoFilter * filter, GstCaps * incaps,
    GstVideoInfo * in_info, GstCaps * outcaps, GstVideoInfo * out_info)
{
  GstKMeansSeg *self = GST_KMEANS_SEG (filter);
  const gchar *name = gst_video_format_to_string (GST_VIDEO_INFO_FORMAT
      (in_info));
  gboolean labels;
  KmFormat fmt;
  GError *err = NULL;

  GST_OBJECT_LOCK (self);
  labels = self->params.mode == KM_MODE_LABELS;
  GST_OBJECT_UNLOCK (self);

  if (!km_format_from_name (name, &fmt))
    goto unsupported;
  if (GST_VIDEO_INFO_WIDTH (in_info) != GST_VIDEO_INFO_WIDTH (out_info)
      || GST_VIDEO_INFO_HEIGHT (in_info) != GST_VIDEO_INFO_HEIGHT (out_info))
    goto size_mismatch;
  if (labels ? GST_VIDEO_INFO_FORMAT (out_info) != GST_VIDEO_FORMAT_GRAY8
      : GST_VIDEO_INFO_FORMAT (out_info) != GST_VIDEO_INFO_FORMAT (in_info))
    goto format_mismatch;

  if (fmt.vf->yuv && fmt.vf->layout != VIDEO_LAYOUT_GRAY) {
    gdouble kr, kb;
    if (!gst_video_color_matrix_get_Kr_Kb (in_info->colorimetry.matrix, &kr,
            &kb)) {
      kr = 0.299;
      kb = 0.114;
    }
    fmt.matrix.kr = (float) kr;
    fmt.matrix.kb = (float) kb;
    fmt.matrix.full_range =
        in_info->colorimetry.range == GST_VIDEO_COLOR_RANGE_0_255;
  }
  if (!km_segmenter_set_format (self->seg, &fmt,
          GST_VIDEO_INFO_WIDTH (in_info), GST_VIDEO_INFO_HEIGHT (in_info),
          &err))
    goto bad_size;
  GST_INFO_OBJECT (self, "%s %dx%d -> %s", name,
      GST_VIDEO_INFO_WIDTH (in_info), GST_VIDEO_INFO_HEIGHT (in_info),
      gst_video_format_to_string (GST_VIDEO_INFO_FORMAT (out_info)));
  return TRUE;

  /* ERRORS */
unsupported:
  {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL),
        ("format %s is not supported", name));
    return FALSE;
  }
size_mismatch:
  {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL),
        ("input and output sizes differ: %" GST_PTR_FORMAT " -> %"
            GST_PTR_FORMAT, incaps, outcaps));
    return FALSE;
  }
format_mismatch:
  {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL),
        ("output format must be %s in this mode: %" GST_PTR_FORMAT,
            labels ? "GRAY8" : name, outcaps));
    return FALSE;
  }
bad_size:
  {
    GST_ELEMENT_ERROR (self, STREAM, FORMAT, (NULL), ("%s", err->message));
    g_clear_error (&err);
    return FALSE;
  }
}

static GValue *
float_triples (GValue * dst, const float (*v)[3], guint k)
{
  g_value_init (dst, GST_TYPE_ARRAY);
  for (guint j = 0; j < k; j++) {
    GValue row = G_VALUE_INIT;
    g_value_init (&row, GST_TYPE_ARRAY);
    for (guint c = 0; c < 3; c++) {
      GValue x = G_VALUE_INIT;
      g_value_init (&x, G_TYPE_DOUBLE);
      g_value_set_double (&x, v[j][c]);
      gst_value_array_append_and_take_value (&row, &x);
    }
    gst_value_array_append_and_take_value (dst, &row);
  }
  return dst;
}

static void
post_stats (GstKMeansSeg * self, GstBuffer * buf, const KmParams * p,
    const KmFrameStats * st)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
  GstSegment *segment = &trans->segment;
  GstClockTime ts = GST_BUFFER_PTS (buf);
  GValue cent = G_VALUE_INIT, rgb = G_VALUE_INIT, counts = G_VALUE_INIT;
  GEnumValue *space = g_enum_get_value (g_type_class_peek
      (GST_TYPE_KMEANS_SEG_COLOR_SPACE), p->space);
  GstStructure *s;

  g_value_init (&counts, GST_TYPE_ARRAY);
  for (guint j = 0; j < st->k; j++) {
    GValue x = G_VALUE_INIT;
    g_value_init (&x, G_TYPE_UINT64);
    g_value_set_uint64 (&x, st->counts[j]);
    gst_value_array_append_and_take_value (&counts, &x);
  }
  s = gst_structure_new ("kmeansseg",
      "timestamp", G_TYPE_UINT64, ts,
      "stream-time", G_TYPE_UINT64, gst_segment_to_stream_time (segment,
          GST_FORMAT_TIME, ts),
      "running-time", G_TYPE_UINT64, gst_segment_to_running_time (segment,
          GST_FORMAT_TIME, ts),
      "duration", G_TYPE_UINT64, GST_BUFFER_DURATION (buf),
      "num-clusters", G_TYPE_UINT, st->k,
      "color-space", G_TYPE_STRING, space ? space->value_nick : "rgb",
      "inertia", G_TYPE_DOUBLE, st->inertia,
      "iterations", G_TYPE_UINT, st->iterations,
      "reinitialized", G_TYPE_BOOLEAN, st->reinitialized,
      "scene-cut", G_TYPE_BOOLEAN, st->scene_cut, NULL);
  gst_structure_take_value (s, "centroids",
      float_triples (&cent, st->centroids, st->k));
  gst_structure_take_value (s, "centroids-rgb",
      float_triples (&rgb, st->centroids_rgb, st->k));
  gst_structure_take_value (s, "counts", &counts);
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self), s));
}

static GstFlowReturn
gst_kmeans_seg_transform_frame (GstVideoFilter * filter,
    GstVideoFrame * inframe, GstVideoFrame * outframe)
{
  GstKMeansSeg *self = GST_KMEANS_SEG (filter);
  KmParams params;
  guint n_threads;
  gboolean post, reset;
  VideoImage in, out;
  KmFrameStats stats;
  GError *err = NULL;
  GstClockTime stream_time;
  gint64 t0 = g_get_monotonic_time ();

  stream_time = gst_segment_to_stream_time (&GST_BASE_TRANSFORM
      (self)->segment, GST_FORMAT_TIME, GST_BUFFER_PTS (inframe->buffer));
  /* controlled properties follow stream time; buffers without a
   * timestamp are valid and leave them as they are */
  if (GST_CLOCK_TIME_IS_VALID (stream_time))
    gst_object_sync_values (GST_OBJECT (self), stream_time);

  GST_OBJECT_LOCK (self);
  params = self->params;
  n_threads = self->n_threads;
  post = self->post_messages;
  reset = self->reset;
  self->reset = FALSE;
  GST_OBJECT_UNLOCK (self);

  /* until a mode change is renegotiated, produce what the caps say */
  if (GST_VIDEO_FRAME_FORMAT (inframe) != GST_VIDEO_FRAME_FORMAT (outframe))
    params.mode = KM_MODE_LABELS;
  else if (params.mode == KM_MODE_LABELS
      && GST_VIDEO_FRAME_FORMAT (outframe) != GST_VIDEO_FORMAT_GRAY8)
    params.mode = KM_MODE_POSTERIZE;

  params.quick_init = upstream_is_live (self);
  km_segmenter_set_n_threads (self->seg, n_threads);
  if (!km_segmenter_set_params (self->seg, &params, &err))
    goto bad_params;
  if (reset)
    km_segmenter_reset (self->seg);

  gst_unsupervised_video_image (inframe, &in);
  gst_unsupervised_video_image (outframe, &out);
  km_segmenter_process (self->seg, &in, &out, post, &stats);

  GST_LOG_OBJECT (self, "k=%u inertia %g, %u iterations (%s)%s%s", stats.k,
      stats.inertia, stats.iterations, km_stop_name (stats.stop),
      stats.reinitialized ? ", k-means++" : "",
      stats.scene_cut ? ", scene cut" : "");
  if (post)
    post_stats (self, inframe->buffer, &params, &stats);
  gst_unsupervised_raise_latency (GST_CAT_DEFAULT, GST_ELEMENT (self),
      &self->processing_latency, NULL, g_get_monotonic_time () - t0);
  return GST_FLOW_OK;

  /* ERRORS */
bad_params:
  {
    GST_ELEMENT_ERROR (self, LIBRARY, SETTINGS, (NULL), ("%s", err->message));
    g_clear_error (&err);
    return GST_FLOW_ERROR;
  }
}
