/* km_segment: k-means colour segmentation of whole video frames, in each
 * format's own planes, with warm starts from frame to frame.
 *
 * Per frame: features of a fixed lattice of sample pixels are fitted with
 * k-means (warm from the last frame's centroids, or k-means++ on the first
 * frame and at scene cuts, whose new centroids are matched to the old ids);
 * then every pixel is assigned to its nearest centroid and the output is
 * written: posterized, a label map, false colours or boundaries. */
#ifndef __KM_SEGMENT_H__
#define __KM_SEGMENT_H__

#include <glib.h>
#include "common/kernel_path.h"
#include "common/video_format.h"
#include "kmeans/color.h"
#include "kmeans/kmeans.h"

G_BEGIN_DECLS

#define KM_SEGMENT_ERROR (km_segment_error_quark ())
GQuark km_segment_error_quark (void);

typedef enum
{
  KM_SEGMENT_ERROR_FORMAT,
  KM_SEGMENT_ERROR_SIZE,
  KM_SEGMENT_ERROR_PARAMS,
} KmSegmentError;

typedef enum
{
  KM_MODE_POSTERIZE,
  KM_MODE_LABELS,
  KM_MODE_FALSE_COLOR,
  KM_MODE_BOUNDARIES,
} KmMode;

typedef enum
{
  KM_SPACE_RGB,
  KM_SPACE_YUV,
  KM_SPACE_LAB,
} KmSpace;

/* A format of the table (common/video_format.h) and the Y'CbCr matrix of
 * the stream (yuv formats), or for the yuv space. */
typedef struct
{
  const VideoFormat *vf;
  KmYuvMatrix matrix;
} KmFormat;

typedef struct
{
  guint k;                      /* 2..256 */
  guint max_iterations;         /* per frame, >= 1 */
  guint64 seed;
  KmMode mode;
  KmSpace space;
  double spatial_weight;        /* >= 0: position against colour */
  double sample_fraction;       /* (0, 1]: share of pixels fitted */
  gboolean warm_start;
  guint32 boundary_rgb;         /* 0xRRGGBB */
  double hysteresis;            /* 0..64, in the space's units: a pixel keeps
                                 * last frame's label unless another centroid
                                 * is nearer by more than this (0: nearest) */
} KmParams;

typedef struct
{
  guint k;
  float centroids[KM_MAX_K][3]; /* colour, in the clustering space */
  float centroids_rgb[KM_MAX_K][3];     /* the cluster's colour as R'G'B' */
  guint64 counts[KM_MAX_K];     /* pixels of the frame (if asked for) */
  double inertia;               /* mean squared distance of the samples */
  guint iterations;
  KmStop stop;
  gboolean reinitialized;       /* k-means++ ran on this frame */
  gboolean scene_cut;           /* ... because the fit broke down */
  guint n_samples;
} KmFrameStats;

typedef struct _KmSegmenter KmSegmenter;

void km_params_init (KmParams * p);
gboolean km_params_validate (const KmParams * p, GError ** error);

/* The format of the table named name ("RGBx", "I420", ...) with BT.601's
 * matrix (limited range; GRAY8 full range); FALSE for a name the table
 * lacks. */
gboolean km_format_from_name (const gchar * name, KmFormat * fmt);

KmSegmenter *km_segmenter_new (KernelPath path, guint n_threads);
void km_segmenter_free (KmSegmenter * seg);
KernelPath km_segmenter_get_path (const KmSegmenter * seg);
void km_segmenter_set_n_threads (KmSegmenter * seg, guint n_threads);
gboolean km_segmenter_set_format (KmSegmenter * seg, const KmFormat * fmt,
    guint width, guint height, GError ** error);
gboolean km_segmenter_set_params (KmSegmenter * seg, const KmParams * p,
    GError ** error);
/* Forget the last frame's centroids (after a flush or seek). */
void km_segmenter_reset (KmSegmenter * seg);

/* out: same format as in, or GRAY8 (data[0]) in KM_MODE_LABELS. */
void km_segmenter_process (KmSegmenter * seg, const VideoImage * in,
    VideoImage * out, gboolean want_counts, KmFrameStats * stats);
/* The label map of the last frame: (height, width), stride width. */
const guint8 *km_segmenter_get_labels (const KmSegmenter * seg);

G_END_DECLS

#endif
