/* Frame segmentation on top of km_kmeans. See kmeans/segment.h.
 *
 * Features. A pixel's colour features are the stream's own three channels
 * (R'G'B' or Y'CbCr, chroma repeated over its block) or one for GRAY8; the
 * rgb and yuv spaces differ only by the metric A = M'M, M the linear map
 * from the stream's channels to the space, so no pixel is converted. The
 * lab space converts every pixel. With a spatial weight, x and y scaled by
 * spatial_weight * range / S (S = sqrt (W * H / k), the side of a region)
 * join the features; y is constant along a row, so the frame pass folds it
 * into the per-row bias and only x needs a plane.
 *
 * Memory: per negotiated size, one label map (W * H bytes), sample planes,
 * and per-thread row scratch; nothing is allocated per frame. */
#include "config.h"
#include "kmeans/segment.h"
#include "common/limits.h"

#include <math.h>
#include <string.h>

#define STRIP_ROWS 16           /* rows per task; even, for 4:2:0 chroma */
#define MIN_SAMPLES 4096
#define DENSE_SAMPLES 2073600.0 /* first frames: at most 1080p */
#define START_SAMPLES 100000.0  /* first frames: where the starts are fitted */
#define CUT_RATIO 2.0           /* warm inertia over last inertia: a cut */
#define INIT_ITERATIONS_FACTOR 4        /* max-iterations after k-means++ */
#define REFIT_RATIO 1.01        /* inertia growth that calls for a refine */
#define INIT_STARTS 10          /* k-means++ starts on a first frame or cut */
#define QUICK_REFINE_FRAMES 8   /* frames refined in full after a quick init */
#define PAD 8                   /* scratch beyond the row end */

/* *INDENT-OFF* */
G_DEFINE_QUARK (km-segment-error-quark, km_segment_error);
/* *INDENT-ON* */

typedef struct
{
  float *feat[KM_MAX_FEATURES]; /* (KM_CHUNK + PAD) each */
  float *nat[3];                /* (KM_CHUNK + PAD) native copies (lab) */
  guint8 *lab;                  /* (KM_CHUNK + PAD) */
  guint8 *prev;                 /* (KM_CHUNK + PAD) last frame's labels */
  guint8 *u8[6];                /* (W + PAD) each */
  guint64 hist[KM_MAX_K];
} Scratch;

typedef struct
{
  guint y;                      /* frame row */
  guint first;                  /* index of its first sample */
} SampleRow;

/* A jittered grid of sample pixels and their feature planes. */
typedef struct
{
  guint step;                   /* cell side */
  guint n_rows, per_row;        /* cells down and across */
  guint n;                      /* samples: n_rows * per_row */
  SampleRow *rows;              /* (n_rows) */
  guint32 *xs;                  /* (n): column of each sample */
  float *planes;                /* (nfs + nc + 1, n): features, carried, q */
  KmData data;
} SampleSet;

struct _KmSegmenter
{
  KernelPath path;
  const KmKernels *kern;
  WorkerPool *pool;
  guint n_threads;

  /* format and size */
  gboolean have_format;
  KmFormat fmt;
  guint width, height;
  guint8 *labels;               /* (height, width) */
  guint64 *hist;                /* (strips, KM_MAX_K) label counts */
  Scratch *scratch;             /* (n_threads) */
  float *ramp;                  /* (width): x * pos_scale */

  /* parameters and what follows from them */
  gboolean have_params;
  KmParams params;
  guint nfc;                    /* colour features: 1 or 3 */
  gboolean spatial;
  guint nfs, nff, nc;           /* sample features, frame features, carried */
  float pos_scale;
  float to_space[9], to_space_off[3];   /* native -> space (rgb/yuv) */
  float to_rgb[9], to_rgb_off[3];       /* native -> R'G'B' */
  gboolean space_is_native;

  /* what the fit sees: the sample every frame; the start and dense sets
   * on first frames and scene cuts only (each unused when the sample is
   * as dense) */
  SampleSet sample;
  SampleSet dense;
  SampleSet start;              /* about START_SAMPLES pixels */

  /* the model carried from frame to frame */
  KmKMeans *km;
  gboolean fitted;
  double last_inertia;          /* of the sample, last frame */
  double fit_inertia;           /* of the sample, last refine */
  guint refine_left;            /* frames still refined in full after a
                                 * quick init */
  gboolean have_labels;         /* labels hold the last frame's, same ids */
  float *sep;                   /* (k, k): 2 * hysteresis * |c_i - c_j|_A */

  /* per-frame tables */
  float w[KM_MAX_K * KM_MAX_FEATURES];  /* frame-pass weights (k, nff) */
  float b[KM_MAX_K];
  float wy[KM_MAX_K];           /* weight of y, folded into the row bias */
  guint8 pal[3][KM_MAX_K];      /* native output colour per cluster */
  guint32 pal32[KM_MAX_K];      /* packed4 output words */
  guint8 boundary[3];           /* native boundary colour */
};

/* ---- formats ---- */

gboolean
km_format_from_name (const gchar * name, KmFormat * fmt)
{
  fmt->vf = video_format_find (name);
  if (fmt->vf == NULL)
    return FALSE;
  fmt->matrix.kr = 0.299f;
  fmt->matrix.kb = 0.114f;
  fmt->matrix.full_range = fmt->vf->layout == VIDEO_LAYOUT_GRAY;
  return TRUE;
}

void
km_params_init (KmParams * p)
{
  memset (p, 0, sizeof (*p));
  p->k = 8;
  p->max_iterations = 10;
  p->seed = 0;
  p->mode = KM_MODE_POSTERIZE;
  p->space = KM_SPACE_RGB;
  p->spatial_weight = 0.0;
  p->sample_fraction = 0.02;
  p->warm_start = TRUE;
  p->boundary_rgb = 0xff0000;
  p->hysteresis = 2.0;
}

gboolean
km_params_validate (const KmParams * p, GError ** error)
{
  if (p->k < 2 || p->k > KM_MAX_K) {
    g_set_error (error, KM_SEGMENT_ERROR, KM_SEGMENT_ERROR_PARAMS,
        "num-clusters %u outside 2..%u", p->k, KM_MAX_K);
    return FALSE;
  }
  if (p->max_iterations < 1) {
    g_set_error (error, KM_SEGMENT_ERROR, KM_SEGMENT_ERROR_PARAMS,
        "max-iterations must be at least 1");
    return FALSE;
  }
  if (!(p->spatial_weight >= 0.0 && p->spatial_weight <= 100.0)) {
    g_set_error (error, KM_SEGMENT_ERROR, KM_SEGMENT_ERROR_PARAMS,
        "spatial-weight %g outside 0..100", p->spatial_weight);
    return FALSE;
  }
  if (!(p->sample_fraction > 0.0 && p->sample_fraction <= 1.0)) {
    g_set_error (error, KM_SEGMENT_ERROR, KM_SEGMENT_ERROR_PARAMS,
        "sample-fraction %g outside (0, 1]", p->sample_fraction);
    return FALSE;
  }
  if (!(p->hysteresis >= 0.0 && p->hysteresis <= 64.0)) {
    g_set_error (error, KM_SEGMENT_ERROR, KM_SEGMENT_ERROR_PARAMS,
        "hysteresis %g outside 0..64", p->hysteresis);
    return FALSE;
  }
  if ((guint) p->mode > KM_MODE_BOUNDARIES || (guint) p->space > KM_SPACE_LAB) {
    g_set_error (error, KM_SEGMENT_ERROR, KM_SEGMENT_ERROR_PARAMS,
        "unknown mode %d or color-space %d", p->mode, p->space);
    return FALSE;
  }
  return TRUE;
}

/* ---- life cycle ---- */

/* ---- the sample ---- */

static guint
step_for (guint64 total, guint64 want)
{
  return MAX ((guint) floor (sqrt ((double) total / (double) want)), 1);
}

static void
sample_set_clear (SampleSet * set)
{
  g_free (set->rows);
  g_free (set->xs);
  g_free (set->planes);
  memset (set, 0, sizeof (*set));
}

/* One pixel at a random place in each step x step cell (a jittered grid:
 * as even as a lattice, without its aliasing), drawn once from the seed so
 * that every frame samples the same pixels. */
static void
sample_set_build (const KmSegmenter * seg, SampleSet * set, guint step,
    guint64 seed)
{
  KmRng rng;

  sample_set_clear (set);
  set->step = step;
  set->n_rows = (seg->height + step - 1) / step;
  set->per_row = (seg->width + step - 1) / step;
  set->n = set->n_rows * set->per_row;
  set->rows = g_new (SampleRow, set->n_rows);
  set->xs = g_new (guint32, set->n);
  km_rng_seed (&rng, seed ^ G_GUINT64_CONSTANT (0x5a3f1e8d2c4b6a79));
  for (guint r = 0; r < set->n_rows; r++) {
    guint y0 = r * step, rows = MIN (step, seg->height - y0);
    set->rows[r].y = y0 + (guint) (km_rng_next (&rng) % rows);
    set->rows[r].first = r * set->per_row;
    for (guint c = 0; c < set->per_row; c++) {
      guint x0 = c * step, cols = MIN (step, seg->width - x0);
      set->xs[r * set->per_row + c] = x0 + (guint) (km_rng_next (&rng) % cols);
    }
  }
  set->planes = g_new0 (float, (gsize) (seg->nfs + seg->nc + 1) * set->n);
  set->data.n = set->n;
  set->data.nf = seg->nfs;
  set->data.nc = seg->nc;
  for (guint c = 0; c < seg->nfs; c++)
    set->data.f[c] = set->planes + ((gsize) c) * set->n;
  for (guint c = 0; c < seg->nc; c++)
    set->data.c[c] = set->planes + (gsize) (seg->nfs + c) * set->n;
  set->data.q = set->planes + (gsize) (seg->nfs + seg->nc) * set->n;
}

/* ---- size, parameters ---- */

static void
free_scratch (KmSegmenter * seg)
{
  if (seg->scratch == NULL)
    return;
  for (guint t = 0; t < seg->n_threads; t++) {
    Scratch *s = &seg->scratch[t];
    g_free (s->feat[0]);
    g_free (s->lab);
    g_free (s->prev);
    g_free (s->u8[0]);
  }
  g_clear_pointer (&seg->scratch, g_free);
}

static void
alloc_scratch (KmSegmenter * seg)
{
  /* rows of u8[] are read as 16-bit pairs by ORC, which needs them
   * aligned: keep each row a multiple of 16 bytes */
  gsize row = (seg->width + PAD + 15) & ~(gsize) 15, chunk = KM_CHUNK + PAD;

  free_scratch (seg);
  if (!seg->have_format)
    return;
  seg->scratch = g_new0 (Scratch, seg->n_threads);
  for (guint t = 0; t < seg->n_threads; t++) {
    Scratch *s = &seg->scratch[t];
    float *f = g_new0 (float, chunk * (KM_MAX_FEATURES + 3));
    guint8 *u = g_new0 (guint8, row * 6);
    for (guint c = 0; c < KM_MAX_FEATURES; c++)
      s->feat[c] = f + c * chunk;
    for (guint c = 0; c < 3; c++)
      s->nat[c] = f + (KM_MAX_FEATURES + c) * chunk;
    s->lab = g_new0 (guint8, chunk);
    s->prev = g_new0 (guint8, chunk);
    for (guint c = 0; c < 6; c++)
      s->u8[c] = u + c * row;
  }
}

KmSegmenter *
km_segmenter_new (KernelPath path, guint n_threads)
{
  KmSegmenter *seg;
  const KmKernels *kern = km_kernels_get (path);

  if (kern == NULL)
    return NULL;
  seg = g_new0 (KmSegmenter, 1);
  seg->kern = kern;
  seg->path = kern->path;
  km_segmenter_set_n_threads (seg, n_threads);
  return seg;
}

void
km_segmenter_free (KmSegmenter * seg)
{
  if (seg == NULL)
    return;
  free_scratch (seg);
  worker_pool_free (seg->pool);
  km_kmeans_free (seg->km);
  g_free (seg->labels);
  g_free (seg->hist);
  g_free (seg->ramp);
  sample_set_clear (&seg->sample);
  sample_set_clear (&seg->dense);
  sample_set_clear (&seg->start);
  g_free (seg->sep);
  g_free (seg);
}

KernelPath
km_segmenter_get_path (const KmSegmenter * seg)
{
  return seg->path;
}

void
km_segmenter_set_n_threads (KmSegmenter * seg, guint n_threads)
{
  if (n_threads == 0)
    n_threads = g_get_num_processors ();
  n_threads = CLAMP (n_threads, 1, MAX_THREADS);
  if (seg->pool != NULL && n_threads == seg->n_threads)
    return;
  free_scratch (seg);
  worker_pool_free (seg->pool);
  seg->n_threads = n_threads;
  seg->pool = worker_pool_new (n_threads);
  if (seg->km)
    km_kmeans_set_pool (seg->km, seg->pool);
  alloc_scratch (seg);
}

void
km_segmenter_reset (KmSegmenter * seg)
{
  seg->fitted = FALSE;
  seg->last_inertia = 0.0;
  seg->have_labels = FALSE;
  seg->refine_left = 0;
  if (seg->km && seg->have_params)
    km_kmeans_set_seed (seg->km, seg->params.seed);
}

/* Colour matrices, metric, sample grid and the k-means state: what
 * depends on both the format and the parameters. */
static void
setup (KmSegmenter * seg)
{
  const KmParams *p = &seg->params;
  const KmFormat *fmt = &seg->fmt;
  float a[KM_MAX_FEATURES * KM_MAX_FEATURES] = { 0 };
  float m[9], off[3];
  guint64 total = (guint64) seg->width * seg->height, want;
  double range;
  guint dense_step, start_step;

  seg->nfc = fmt->vf->layout == VIDEO_LAYOUT_GRAY ? 1 : 3;
  seg->spatial = p->spatial_weight > 0.0;
  seg->nfs = seg->nfc + (seg->spatial ? 2 : 0);
  seg->nff = seg->nfc + (seg->spatial ? 1 : 0);
  seg->nc = p->space == KM_SPACE_LAB && seg->nfc == 3 ? 3 : 0;

  /* native -> R'G'B', and native -> the clustering space */
  if (fmt->vf->yuv && seg->nfc == 3) {
    km_color_yuv_to_rgb (&fmt->matrix, seg->to_rgb, seg->to_rgb_off);
  } else {
    memset (seg->to_rgb, 0, sizeof (seg->to_rgb));
    memset (seg->to_rgb_off, 0, sizeof (seg->to_rgb_off));
    seg->to_rgb[0] = seg->to_rgb[4] = seg->to_rgb[8] = 1.0f;
  }
  seg->space_is_native = seg->nfc == 1 || p->space == KM_SPACE_LAB
      || (p->space == KM_SPACE_YUV) == fmt->vf->yuv;
  if (seg->space_is_native) {
    memset (seg->to_space, 0, sizeof (seg->to_space));
    memset (seg->to_space_off, 0, sizeof (seg->to_space_off));
    seg->to_space[0] = seg->to_space[4] = seg->to_space[8] = 1.0f;
  } else if (p->space == KM_SPACE_RGB) {
    memcpy (seg->to_space, seg->to_rgb, sizeof (m));
    memcpy (seg->to_space_off, seg->to_rgb_off, sizeof (off));
  } else {
    km_color_rgb_to_yuv (&fmt->matrix, seg->to_space, seg->to_space_off);
  }

  /* metric: M'M on colour, identity on position */
  for (guint r = 0; r < seg->nfc; r++)
    for (guint c = 0; c < seg->nfc; c++) {
      double s = 0.0;
      for (guint i = 0; i < seg->nfc; i++)
        s += (double) seg->to_space[i * 3 + r] * seg->to_space[i * 3 + c];
      a[r * seg->nfs + c] = (float) s;
    }
  for (guint r = seg->nfc; r < seg->nfs; r++)
    a[r * seg->nfs + r] = 1.0f;

  range = p->space == KM_SPACE_LAB ? 100.0 : 255.0;
  seg->pos_scale = (float) (p->spatial_weight * range /
      sqrt ((double) total / p->k));
  g_free (seg->ramp);
  seg->ramp = g_new (float, seg->width + PAD);
  for (guint x = 0; x < seg->width + PAD; x++)
    seg->ramp[x] = ((float) x) * seg->pos_scale;

  want = (guint64) ceil (p->sample_fraction * (double) total);
  want = MAX (want, MIN ((guint64) MIN_SAMPLES, total));
  sample_set_build (seg, &seg->sample, step_for (total, want), p->seed);
  sample_set_clear (&seg->dense);
  dense_step = (guint) ceil (sqrt ((double) total / DENSE_SAMPLES));
  if (dense_step < seg->sample.step)
    sample_set_build (seg, &seg->dense, dense_step, p->seed + 1);
  sample_set_clear (&seg->start);
  start_step = (guint) ceil (sqrt ((double) total / START_SAMPLES));
  if (start_step < seg->sample.step)
    sample_set_build (seg, &seg->start, start_step, p->seed + 2);
  g_free (seg->sep);
  seg->sep = g_new0 (float, (gsize) p->k * p->k);
  km_kmeans_free (seg->km);
  seg->km = km_kmeans_new (seg->nfs, seg->nc, p->k, seg->kern);
  km_kmeans_set_pool (seg->km, seg->pool);
  km_kmeans_set_metric (seg->km, a);
  km_kmeans_set_max_iterations (seg->km, p->max_iterations);
  km_segmenter_reset (seg);
}

gboolean
km_segmenter_set_format (KmSegmenter * seg, const KmFormat * fmt,
    guint width, guint height, GError ** error)
{
  if (width == 0 || height == 0 || width > MAX_FRAME_SIDE
      || height > MAX_FRAME_SIDE) {
    g_set_error (error, KM_SEGMENT_ERROR, KM_SEGMENT_ERROR_SIZE,
        "frame size %ux%u outside 1x1..%ux%u", width, height, MAX_FRAME_SIDE,
        MAX_FRAME_SIDE);
    return FALSE;
  }
  if (fmt->vf == NULL || (guint) fmt->vf->layout >= VIDEO_N_LAYOUTS) {
    g_set_error (error, KM_SEGMENT_ERROR, KM_SEGMENT_ERROR_FORMAT,
        "no pixel format, or an unknown layout");
    return FALSE;
  }
  seg->fmt = *fmt;
  seg->width = width;
  seg->height = height;
  seg->have_format = TRUE;
  g_free (seg->labels);
  seg->labels = g_new0 (guint8, (gsize) width * height);
  seg->have_labels = FALSE;
  g_free (seg->hist);
  seg->hist = g_new0 (guint64,
      (gsize) ((height + STRIP_ROWS - 1) / STRIP_ROWS) * KM_MAX_K);
  alloc_scratch (seg);
  if (seg->have_params)
    setup (seg);
  return TRUE;
}

gboolean
km_segmenter_set_params (KmSegmenter * seg, const KmParams * p, GError ** error)
{
  KmParams old = seg->params;
  gboolean had = seg->have_params;

  if (!km_params_validate (p, error))
    return FALSE;
  seg->params = *p;
  seg->have_params = TRUE;
  if (!seg->have_format)
    return TRUE;
  /* what changes the model starts over; the rest applies in place */
  if (!had || old.k != p->k || old.space != p->space
      || old.spatial_weight != p->spatial_weight
      || old.sample_fraction != p->sample_fraction || old.seed != p->seed) {
    setup (seg);
  } else {
    km_kmeans_set_max_iterations (seg->km, p->max_iterations);
  }
  return TRUE;
}

const guint8 *
km_segmenter_get_labels (const KmSegmenter * seg)
{
  return seg->labels;
}

/* ---- reading pixels ---- */

/* Native channels of pixels x0..x0+n-1 of row y into c[0..nfc-1]; may write
 * up to two values beyond n. */
static void
unpack (const KmSegmenter * seg, const VideoImage * im, guint y, guint x0,
    guint n, float *const *c)
{
  const KmFormat *fmt = &seg->fmt;
  const KmKernels *k = seg->kern;
  const guint8 *row = im->data[0] + (gsize) y * im->stride[0];

  switch (fmt->vf->layout) {
    case VIDEO_LAYOUT_PACKED4:
      k->unpack4_f32 (c[0], c[1], c[2], (const guint32 *) (row + x0 * 4),
          fmt->vf->pos[0] * 8, fmt->vf->pos[1] * 8, fmt->vf->pos[2] * 8,
          (int) n);
      break;
    case VIDEO_LAYOUT_PACKED3:{
      /* no 24-bit loads in ORC: plain C */
      const guint8 *p = row + x0 * 3;
      for (guint i = 0; i < n; i++, p += 3) {
        c[0][i] = p[fmt->vf->pos[0]];
        c[1][i] = p[fmt->vf->pos[1]];
        c[2][i] = p[fmt->vf->pos[2]];
      }
      break;
    }
    case VIDEO_LAYOUT_GRAY:
      k->u8_to_f32 (c[0], row + x0, (int) n);
      break;
    case VIDEO_LAYOUT_PLANAR:{
      guint cy = y >> fmt->vf->y_sub;
      const guint8 *yr = im->data[fmt->vf->plane[0]] +
          (gsize) y * im->stride[fmt->vf->plane[0]];
      const guint8 *ur = im->data[fmt->vf->plane[1]] +
          (gsize) cy * im->stride[fmt->vf->plane[1]];
      const guint8 *vr = im->data[fmt->vf->plane[2]] +
          (gsize) cy * im->stride[fmt->vf->plane[2]];
      k->u8_to_f32 (c[0], yr + x0, (int) n);
      if (fmt->vf->x_sub) {
        k->u8_to_f32_dup2 (c[1], ur + x0 / 2, (int) (n + 1) / 2);
        k->u8_to_f32_dup2 (c[2], vr + x0 / 2, (int) (n + 1) / 2);
      } else {
        k->u8_to_f32 (c[1], ur + x0, (int) n);
        k->u8_to_f32 (c[2], vr + x0, (int) n);
      }
      break;
    }
    case VIDEO_LAYOUT_SEMIPLANAR:{
      const guint8 *uv = im->data[1] + (gsize) (y >> 1) * im->stride[1];
      k->u8_to_f32 (c[0], row + x0, (int) n);
      k->uv_to_f32_dup2 (fmt->vf->v_first ? c[2] : c[1],
          fmt->vf->v_first ? c[1] : c[2], (const guint16 *) (uv + x0),
          (int) (n + 1) / 2);
      break;
    }
    case VIDEO_LAYOUT_PACKED422:
      k->yuv422_to_f32 (c[0], c[1], c[2],
          (const guint32 *) (row + x0 * 2), fmt->vf->pos[0] * 8,
          fmt->vf->pos[1] * 8, fmt->vf->pos[2] * 8, fmt->vf->pos[3] * 8,
          (int) (n + 1) / 2);
      break;
  }
}

/* Features of a chunk from its native channels (in place in c[]): Lab
 * conversion (keeping the natives in nat) and the x position. */
static void
to_features (const KmSegmenter * seg, guint x0, guint n, float *const *c,
    float *const *nat, gboolean frame_pass)
{
  if (seg->params.space == KM_SPACE_LAB && seg->nfc == 3) {
    if (nat)
      for (guint i = 0; i < 3; i++)
        memcpy (nat[i], c[i], n * sizeof (float));
    if (seg->fmt.vf->yuv)
      km_color_rows_affine (c[0], c[1], c[2], n, seg->to_rgb, seg->to_rgb_off);
    km_color_rows_rgb_to_lab (c[0], c[1], c[2], n);
  }
  if (seg->spatial && !frame_pass)
    memcpy (c[seg->nfc], seg->ramp + x0, n * sizeof (float));
}

/* ---- fitting ---- */

typedef struct
{
  KmSegmenter *seg;
  const VideoImage *im;
  SampleSet *set;
} FrameJob;

#define SAMPLE_ROWS_PER_TASK 8

static void
sample_task (guint task, guint worker, gpointer user_data)
{
  FrameJob *job = user_data;
  KmSegmenter *seg = job->seg;
  SampleSet *set = job->set;
  Scratch *s = &seg->scratch[worker];
  guint r0 = task * SAMPLE_ROWS_PER_TASK;
  guint r1 = MIN (set->n_rows, r0 + SAMPLE_ROWS_PER_TASK);
  float *const *f = (float *const *) set->data.f;
  float *const *nat = (float *const *) set->data.c;

  for (guint r = r0; r < r1; r++) {
    const SampleRow *row = &set->rows[r];
    guint idx = row->first, end = idx + set->per_row;
    for (guint x0 = 0; x0 < seg->width && idx < end; x0 += KM_CHUNK) {
      guint n = MIN (KM_CHUNK, seg->width - x0);
      unpack (seg, job->im, row->y, x0, n, s->feat);
      to_features (seg, x0, n, s->feat, s->nat, FALSE);
      for (; idx < end && set->xs[idx] < x0 + n; idx++) {
        guint i = set->xs[idx] - x0;
        for (guint c = 0; c < seg->nff; c++)
          f[c][idx] = s->feat[c][i];
        if (seg->spatial)
          f[seg->nfc + 1][idx] = (float) row->y * seg->pos_scale;
        for (guint c = 0; c < seg->nc; c++)
          nat[c][idx] = s->nat[c][i];
      }
    }
  }
}

/* Features of the set's pixels of im, and their q. */
static void
sample_set_fill (KmSegmenter * seg, SampleSet * set, const VideoImage * im)
{
  FrameJob job = { seg, im, set };

  worker_pool_run (seg->pool, (set->n_rows + SAMPLE_ROWS_PER_TASK - 1) /
      SAMPLE_ROWS_PER_TASK, sample_task, &job);
  km_kmeans_compute_q (seg->km, &set->data, (float *) set->data.q);
}

static void
fit (KmSegmenter * seg, const VideoImage * im, KmFrameStats * stats)
{
  KmKMeans *km = seg->km;
  const KmData *data = &seg->sample.data;
  guint k = seg->params.k, nf = seg->nfs;
  float old[KM_MAX_K * KM_MAX_FEATURES];
  gboolean have_old = seg->fitted, init = !seg->fitted;
  KmResult res;

  sample_set_fill (seg, &seg->sample, im);

  if (have_old)
    memcpy (old, km_kmeans_get_centroids (km), sizeof (float) * k * nf);
  if (!seg->params.warm_start) {
    init = TRUE;
    km_kmeans_set_seed (km, seg->params.seed);
  }
  if (!init) {
    /* a scene cut shows as a jump of the inertia of the old centroids; a
     * frame they still fit as well as when last refined is left alone, so
     * that a still scene keeps the fit of its first frame (the dense one)
     * rather than drifting to the sample's own optimum */
    km_kmeans_set_cut_inertia (km, CUT_RATIO * seg->last_inertia
        + (double) data->n * nf);
    /* after a quick init every frame refines, until the fit has had as
     * many steps as a full init gives it */
    km_kmeans_set_keep_inertia (km, seg->refine_left ? 0.0 :
        REFIT_RATIO * seg->fit_inertia);
    if (seg->refine_left)
      seg->refine_left--;
    km_kmeans_refine (km, data, &res);
    km_kmeans_set_cut_inertia (km, 0.0);
    km_kmeans_set_keep_inertia (km, 0.0);
    if (res.stop == KM_STOP_CUT) {
      init = TRUE;
      stats->scene_cut = TRUE;
    } else if (res.stop != KM_STOP_UNCHANGED) {
      seg->fit_inertia = res.inertia;
    }
  }
  if (init) {
    /* several k-means++ starts, each run to convergence (Lloyd needs more
     * steps from k-means++ than from a warm start) on the start set, which
     * is denser than the sample: on the sample alone their optima are
     * near-equal where the frame's are not.  They are ranked on the dense
     * set, and the best one is refined there before the sample takes over
     * again */
    /* quick: one start on the sample, at a warm frame's iteration budget;
     * the frames after it refine it (refine_left) */
    const gboolean quick = seg->params.quick_init;
    const KmData *dense = !quick && seg->dense.n ? &seg->dense.data : NULL;
    const KmData *starts = !quick && seg->start.n ? &seg->start.data : data;
    float best[KM_MAX_K * KM_MAX_FEATURES];
    double best_inertia = G_MAXDOUBLE;
    guint iterations = 0;

    if (dense)
      sample_set_fill (seg, &seg->dense, im);
    if (!quick && seg->start.n)
      sample_set_fill (seg, &seg->start, im);
    km_kmeans_set_max_iterations (km, (quick ? 1 : INIT_ITERATIONS_FACTOR) *
        seg->params.max_iterations);
    seg->refine_left = quick ? QUICK_REFINE_FRAMES : 0;
    for (guint t = 0; t < (quick ? 1 : INIT_STARTS); t++) {
      double inertia;
      km_kmeans_init_plusplus (km, starts);
      km_kmeans_refine (km, starts, &res);
      iterations += res.iterations;
      inertia = dense ? km_kmeans_inertia (km, dense) : res.inertia;
      if (inertia < best_inertia) {
        best_inertia = inertia;
        memcpy (best, km_kmeans_get_centroids (km), sizeof (float) * k * nf);
      }
    }
    km_kmeans_set_centroids (km, best);
    if (dense) {
      km_kmeans_refine (km, dense, &res);
      iterations += res.iterations;
    }
    km_kmeans_set_max_iterations (km, seg->params.max_iterations);

    if (have_old) {
      /* keep the ids of the last frame: match new centroids to old ones */
      const float *c = km_kmeans_get_centroids (km);
      double *costp = g_new (double, (gsize) k * k);
      guint perm[KM_MAX_K];
      float permuted[KM_MAX_K * KM_MAX_FEATURES];

      for (guint i = 0; i < k; i++)
        for (guint j = 0; j < k; j++)
          costp[i * k + j] = km_kmeans_distance (km, c + i * nf, old + j * nf);
      km_match_ids (k, costp, perm);
      g_free (costp);
      for (guint i = 0; i < k; i++)
        memcpy (permuted + perm[i] * nf, c + i * nf, sizeof (float) * nf);
      km_kmeans_set_centroids (km, permuted);
    }
    /* the centroids stay where the fit left them (a step on the sample
     * would pull them back towards the sample's own optimum); the carried
     * means and counts come from the densest set, the inertia that warm
     * frames compare against from the sample */
    if (dense)
      km_kmeans_assign (km, dense);
    res.inertia = dense ? km_kmeans_inertia (km, data)
        : km_kmeans_assign (km, data);
    res.iterations = iterations + 1 + (dense != NULL);
    seg->fit_inertia = res.inertia;
  }

  seg->fitted = TRUE;
  seg->last_inertia = res.inertia;
  stats->reinitialized = init;
  stats->iterations = res.iterations;
  stats->stop = res.stop;
  stats->inertia = data->n ? res.inertia / data->n : 0.0;
  stats->n_samples = data->n;
}

/* ---- tables for the frame pass ---- */

static guint8
to_u8 (float v)
{
  return (guint8) CLAMP (lrintf (v), 0, 255);
}

/* R'G'B' (0..255) to the stream's native channels */
static void
native_of_rgb (const KmSegmenter * seg, const float rgb[3], guint8 out[3])
{
  if (seg->nfc == 1) {
    out[0] = to_u8 (0.299f * rgb[0] + 0.587f * rgb[1] + 0.114f * rgb[2]);
  } else if (seg->fmt.vf->yuv) {
    float m[9], off[3];
    km_color_rgb_to_yuv (&seg->fmt.matrix, m, off);
    for (guint r = 0; r < 3; r++)
      out[r] = to_u8 (m[r * 3] * rgb[0] + m[r * 3 + 1] * rgb[1]
          + m[r * 3 + 2] * rgb[2] + off[r]);
  } else {
    for (guint r = 0; r < 3; r++)
      out[r] = to_u8 (rgb[r]);
  }
}

/* A fixed colour per id: hues spread by the golden angle, three lightness
 * steps, so neighbouring ids differ. */
static void
false_color (guint j, float rgb[3])
{
  double h = fmod (j * 0.618033988749895, 1.0) * 6.0;
  double v = 1.0 - 0.25 * (j % 3), s = j % 2 ? 0.65 : 0.95;
  int i = (int) h;
  double f = h - i, p = v * (1 - s), q = v * (1 - s * f), t =
      v * (1 - s * (1 - f));
  double r, g, b;
  switch (i % 6) {
    case 0:
      r = v, g = t, b = p;
      break;
    case 1:
      r = q, g = v, b = p;
      break;
    case 2:
      r = p, g = v, b = t;
      break;
    case 3:
      r = p, g = q, b = v;
      break;
    case 4:
      r = t, g = p, b = v;
      break;
    default:
      r = v, g = p, b = q;
      break;
  }
  rgb[0] = (float) (255.0 * r);
  rgb[1] = (float) (255.0 * g);
  rgb[2] = (float) (255.0 * b);
}

static void
prepare_tables (KmSegmenter * seg, KmFrameStats * stats)
{
  KmKMeans *km = seg->km;
  guint k = seg->params.k, nfs = seg->nfs, nff = seg->nff;
  const float *cent = km_kmeans_get_centroids (km);
  const float *carried = km_kmeans_get_carried (km);
  float ws[KM_MAX_K * KM_MAX_FEATURES];
  float rgb[3];

  km_kmeans_get_weights (km, ws, seg->b);
  for (guint j = 0; j < k; j++) {
    for (guint c = 0; c < nff; c++)
      seg->w[j * nff + c] = ws[j * nfs + c];
    seg->wy[j] = seg->spatial ? ws[j * nfs + nfs - 1] : 0.0f;
  }
  if (stats->reinitialized)
    seg->have_labels = FALSE;
  if (seg->have_labels && seg->params.hysteresis > 0.0) {
    /* d(x, c_i) - d(x, c_j) is 2 |c_i - c_j|_A times the distance of x
     * from the bisector of c_i and c_j (in the metric A): the band a pixel
     * may cross before it changes label */
    for (guint i = 0; i < k; i++)
      for (guint j = 0; j < k; j++)
        seg->sep[i * k + j] = (float) (2.0 * seg->params.hysteresis *
            sqrt (MAX (km_kmeans_distance (km, cent + i * nfs,
                        cent + j * nfs), 0.0)));
  }

  stats->k = k;
  for (guint j = 0; j < k; j++) {
    const float *cj = cent + (gsize) j * nfs;
    float nat[3];
    guint8 out[3];

    /* the cluster's mean in native channels */
    if (seg->nc)
      memcpy (nat, carried + j * 3, sizeof (nat));
    else
      for (guint c = 0; c < 3; c++)
        nat[c] = cj[seg->nfc == 1 ? 0 : c];
    if (seg->nfc == 1) {
      rgb[0] = rgb[1] = rgb[2] = nat[0];
    } else {
      for (guint r = 0; r < 3; r++)
        rgb[r] = seg->to_rgb[r * 3] * nat[0] + seg->to_rgb[r * 3 + 1] * nat[1]
            + seg->to_rgb[r * 3 + 2] * nat[2] + seg->to_rgb_off[r];
    }
    for (guint r = 0; r < 3; r++)
      stats->centroids_rgb[j][r] = CLAMP (rgb[r], 0.0f, 255.0f);
    if (seg->params.space == KM_SPACE_LAB) {
      if (seg->nfc == 3)
        memcpy (stats->centroids[j], cj, sizeof (float) * 3);
      else
        km_color_rgb_to_lab (stats->centroids_rgb[j], stats->centroids[j]);
    } else if (seg->nfc == 1) {
      float m[9], off[3];
      if (seg->params.space == KM_SPACE_RGB) {
        memcpy (stats->centroids[j], rgb, sizeof (rgb));
      } else {
        km_color_rgb_to_yuv (&seg->fmt.matrix, m, off);
        for (guint r = 0; r < 3; r++)
          stats->centroids[j][r] = m[r * 3] * rgb[0] + m[r * 3 + 1] * rgb[1]
              + m[r * 3 + 2] * rgb[2] + off[r];
      }
    } else {
      for (guint r = 0; r < 3; r++)
        stats->centroids[j][r] = seg->to_space[r * 3] * cj[0]
            + seg->to_space[r * 3 + 1] * cj[1]
            + seg->to_space[r * 3 + 2] * cj[2] + seg->to_space_off[r];
    }

    if (seg->params.mode == KM_MODE_FALSE_COLOR) {
      false_color (j, rgb);
      native_of_rgb (seg, rgb, out);
    } else {
      for (guint c = 0; c < 3; c++)
        out[c] = to_u8 (nat[seg->nfc == 1 ? 0 : c]);
    }
    for (guint c = 0; c < 3; c++)
      seg->pal[c][j] = out[c];
    if (seg->fmt.vf->layout == VIDEO_LAYOUT_PACKED4)
      seg->pal32[j] = ((guint32) out[0] << (seg->fmt.vf->pos[0] * 8))
          | ((guint32) out[1] << (seg->fmt.vf->pos[1] * 8))
          | ((guint32) out[2] << (seg->fmt.vf->pos[2] * 8));
  }
  rgb[0] = (float) ((seg->params.boundary_rgb >> 16) & 0xff);
  rgb[1] = (float) ((seg->params.boundary_rgb >> 8) & 0xff);
  rgb[2] = (float) (seg->params.boundary_rgb & 0xff);
  native_of_rgb (seg, rgb, seg->boundary);
}

/* ---- the frame pass ---- */

typedef struct
{
  KmSegmenter *seg;
  const VideoImage *in;
  VideoImage *out;
  guint stage;                  /* 1: label (and write); 2: boundaries, counts */
  gboolean want_counts;
} PassJob;

/* Hysteresis: a pixel keeps last frame's label unless its new nearest
 * centroid is closer by more than the band seg->sep. */
static void
keep_labels (const KmSegmenter * seg, guint n, const float *const *f,
    const float *b, const guint8 * prev, guint8 * lab)
{
  guint k = seg->params.k, nff = seg->nff;

  for (guint i = 0; i < n; i++) {
    guint o, c;
    float diff;
    if ((i & 7) == 0 && i + 8 <= n) {
      /* most pixels keep their label: skip eight at a time */
      guint64 p8, l8;
      memcpy (&p8, prev + i, 8);
      memcpy (&l8, lab + i, 8);
      if (p8 == l8) {
        i += 7;
        continue;
      }
    }
    o = prev[i];
    c = lab[i];
    if (o == c)
      continue;
    diff = b[o] - b[c];
    for (guint r = 0; r < nff; r++)
      diff += (seg->w[o * nff + r] - seg->w[c * nff + r]) * f[r][i];
    if (diff <= seg->sep[o * k + c])
      lab[i] = (guint8) o;
  }
}

static void
label_rows (KmSegmenter * seg, Scratch * s, const VideoImage * in, guint r0,
    guint r1)
{
  guint k = seg->params.k;
  gboolean hyst = seg->have_labels && seg->params.hysteresis > 0.0;
  float b[KM_MAX_K];
  const float *f[KM_MAX_FEATURES];

  for (guint c = 0; c < seg->nfc; c++)
    f[c] = s->feat[c];
  for (guint y = r0; y < r1; y++) {
    guint8 *lab = seg->labels + (gsize) y * seg->width;
    for (guint j = 0; j < k; j++)
      b[j] = seg->b[j] + seg->wy[j] * ((float) y * seg->pos_scale);
    for (guint x0 = 0; x0 < seg->width; x0 += KM_CHUNK) {
      guint n = MIN (KM_CHUNK, seg->width - x0);
      unpack (seg, in, y, x0, n, s->feat);
      to_features (seg, x0, n, s->feat, NULL, TRUE);
      if (seg->spatial)
        f[seg->nfc] = seg->ramp + x0;
      if (hyst)
        memcpy (s->prev, lab + x0, n);
      seg->kern->argmin (n, seg->nff, f, k, seg->w, b, lab + x0, NULL);
      if (hyst)
        keep_labels (seg, n, f, b, s->prev, lab + x0);
    }
  }
}

/* Palette channel c over a label row. */
static void
gather (const KmSegmenter * seg, guint c, const guint8 * lab, guint8 * dst)
{
  seg->kern->lut_u8 (dst, lab, seg->pal[c], seg->params.k, (int) seg->width);
}

/* ... into a scratch row, padded to an even length for pair kernels */
static void
gather_pad (const KmSegmenter * seg, guint c, const guint8 * lab, guint8 * dst)
{
  gather (seg, c, lab, dst);
  dst[seg->width] = dst[seg->width - 1];
}

static void
write_chroma_rows (KmSegmenter * seg, Scratch * s, VideoImage * out, guint r0,
    guint r1)
{
  const KmFormat *fmt = &seg->fmt;
  const KmKernels *k = seg->kern;
  guint cw = (seg->width + (1u << fmt->vf->x_sub) - 1) >> fmt->vf->x_sub;
  guint ys = fmt->vf->y_sub, c0 = r0 >> ys, c1 = (r1 + (1u << ys) - 1) >> ys;

  for (guint cy = c0; cy < c1; cy++) {
    guint ya = cy << ys, yb = MIN (ya + ys, seg->height - 1);
    const guint8 *la = seg->labels + (gsize) ya * seg->width;
    const guint8 *lb = seg->labels + (gsize) yb * seg->width;
    guint8 *chroma[2] = { s->u8[4], s->u8[5] };

    for (guint c = 0; c < 2; c++) {
      guint8 *ta = s->u8[c * 2], *tb = s->u8[c * 2 + 1];
      gather_pad (seg, 1 + c, la, ta);
      if (fmt->vf->x_sub == 0) {
        chroma[c] = ta;
        continue;
      }
      if (ys) {
        gather_pad (seg, 1 + c, lb, tb);
        k->avg2x2_u8 (chroma[c], (const guint16 *) ta,
            (const guint16 *) tb, (int) cw);
      } else {
        k->avg2_u8 (chroma[c], (const guint16 *) ta, (int) cw);
      }
    }
    if (fmt->vf->layout == VIDEO_LAYOUT_SEMIPLANAR) {
      guint8 *uv = out->data[1] + (gsize) cy * out->stride[1];
      k->interleave_u8 ((guint16 *) uv, chroma[fmt->vf->v_first ? 1 : 0],
          chroma[fmt->vf->v_first ? 0 : 1], (int) cw);
    } else {
      memcpy (out->data[fmt->vf->plane[1]] + (gsize) cy *
          out->stride[fmt->vf->plane[1]], chroma[0], cw);
      memcpy (out->data[fmt->vf->plane[2]] + (gsize) cy *
          out->stride[fmt->vf->plane[2]], chroma[1], cw);
    }
  }
}

/* Posterize and false-color: every pixel takes its cluster's palette
 * colour; alpha and padding bytes come from the input. */
static void
write_rows (KmSegmenter * seg, Scratch * s, const VideoImage * in,
    VideoImage * out, guint r0, guint r1)
{
  const KmFormat *fmt = &seg->fmt;
  const KmKernels *k = seg->kern;
  guint w = seg->width;

  if (seg->params.mode == KM_MODE_LABELS) {
    for (guint y = r0; y < r1; y++)
      memcpy (out->data[0] + (gsize) y * out->stride[0],
          seg->labels + (gsize) y * w, w);
    return;
  }
  for (guint y = r0; y < r1; y++) {
    const guint8 *lab = seg->labels + (gsize) y * w;
    guint8 *o = out->data[0] + (gsize) y * out->stride[0];
    const guint8 *i = in->data[0] + (gsize) y * in->stride[0];

    switch (fmt->vf->layout) {
      case VIDEO_LAYOUT_PACKED4:
        k->lut_merge_u32 ((guint32 *) o, lab, seg->pal32,
            (const guint32 *) i, 0xffu << (fmt->vf->pos[3] * 8), seg->params.k,
            (int) w);
        break;
      case VIDEO_LAYOUT_PACKED3:
        for (guint x = 0; x < w; x++, o += 3)
          for (guint c = 0; c < 3; c++)
            o[fmt->vf->pos[c]] = seg->pal[c][lab[x]];
        break;
      case VIDEO_LAYOUT_GRAY:
        gather (seg, 0, lab, o);
        break;
      case VIDEO_LAYOUT_PLANAR:
      case VIDEO_LAYOUT_SEMIPLANAR:{
        guint p =
            fmt->vf->layout == VIDEO_LAYOUT_PLANAR ? fmt->vf->plane[0] : 0;
        gather (seg, 0, lab, out->data[p] + (gsize) y * out->stride[p]);
        break;
      }
      case VIDEO_LAYOUT_PACKED422:{
        guint cw = (w + 1) / 2;
        gather_pad (seg, 0, lab, s->u8[0]);
        gather_pad (seg, 1, lab, s->u8[1]);
        gather_pad (seg, 2, lab, s->u8[2]);
        k->avg2_u8 (s->u8[3], (const guint16 *) s->u8[1], (int) cw);
        k->avg2_u8 (s->u8[4], (const guint16 *) s->u8[2], (int) cw);
        k->pack_yuv422_u8 ((guint32 *) o, (const guint16 *) s->u8[0],
            s->u8[3], s->u8[4], fmt->vf->pos[0] * 8, fmt->vf->pos[1] * 8,
            fmt->vf->pos[2] * 8, fmt->vf->pos[3] * 8, (int) cw);
        break;
      }
    }
  }
  if (fmt->vf->layout == VIDEO_LAYOUT_PLANAR
      || fmt->vf->layout == VIDEO_LAYOUT_SEMIPLANAR)
    write_chroma_rows (seg, s, out, r0, r1);
}

static void
copy_rows (const KmSegmenter * seg, const VideoImage * in, VideoImage * out,
    guint r0, guint r1)
{
  const KmFormat *fmt = &seg->fmt;

  for (guint p = 0; p < video_format_n_planes (fmt->vf); p++) {
    guint ys = p > 0 ? fmt->vf->y_sub : 0, bytes, rows;
    video_format_plane_size (fmt->vf, seg->width, seg->height, p, &bytes,
        &rows);
    for (guint y = r0 >> ys; y < (r1 + (1u << ys) - 1) >> ys; y++)
      memcpy (out->data[p] + (gsize) y * out->stride[p],
          in->data[p] + (gsize) y * in->stride[p], bytes);
  }
}

static void
put_pixel (const KmSegmenter * seg, VideoImage * out, guint x, guint y,
    const guint8 * nat)
{
  const KmFormat *fmt = &seg->fmt;
  guint8 *row = out->data[0] + (gsize) y * out->stride[0];

  switch (fmt->vf->layout) {
    case VIDEO_LAYOUT_PACKED4:
    case VIDEO_LAYOUT_PACKED3:{
      guint8 *p = row + x * (fmt->vf->layout == VIDEO_LAYOUT_PACKED4 ? 4 : 3);
      for (guint c = 0; c < 3; c++)
        p[fmt->vf->pos[c]] = nat[c];
      break;
    }
    case VIDEO_LAYOUT_GRAY:
      row[x] = nat[0];
      break;
    case VIDEO_LAYOUT_PLANAR:{
      guint cx = x >> fmt->vf->x_sub, cy = y >> fmt->vf->y_sub;
      out->data[fmt->vf->plane[0]][(gsize) y * out->stride[fmt->vf->plane[0]] +
          x] = nat[0];
      for (guint c = 1; c < 3; c++)
        out->data[fmt->vf->plane[c]][(gsize) cy *
            out->stride[fmt->vf->plane[c]] + cx] = nat[c];
      break;
    }
    case VIDEO_LAYOUT_SEMIPLANAR:{
      guint8 *uv = out->data[1] + (gsize) (y >> 1) * out->stride[1]
          + (x >> 1) * 2;
      row[x] = nat[0];
      uv[fmt->vf->v_first ? 1 : 0] = nat[1];
      uv[fmt->vf->v_first ? 0 : 1] = nat[2];
      break;
    }
    case VIDEO_LAYOUT_PACKED422:{
      guint8 *p = row + (x >> 1) * 4;
      p[fmt->vf->pos[x & 1]] = nat[0];
      p[fmt->vf->pos[2]] = nat[1];
      p[fmt->vf->pos[3]] = nat[2];
      break;
    }
  }
}

/* Boundaries: the input, with each pixel whose right or lower neighbour
 * has another label painted in the boundary colour. */
static void
boundary_rows (KmSegmenter * seg, const VideoImage * in, VideoImage * out,
    guint r0, guint r1)
{
  guint w = seg->width, h = seg->height;

  copy_rows (seg, in, out, r0, r1);
  for (guint y = r0; y < r1; y++) {
    const guint8 *l = seg->labels + (gsize) y * w;
    const guint8 *below = y + 1 < h ? l + w : l;
    for (guint x = 0; x < w; x++) {
      guint8 v = l[x];
      if ((x + 1 < w && l[x + 1] != v) || below[x] != v)
        put_pixel (seg, out, x, y, seg->boundary);
    }
  }
}

static void
pass_task (guint task, guint worker, gpointer user_data)
{
  PassJob *job = user_data;
  KmSegmenter *seg = job->seg;
  Scratch *s = &seg->scratch[worker];
  guint r0 = task * STRIP_ROWS, r1 = MIN (seg->height, r0 + STRIP_ROWS);
  gboolean boundaries = seg->params.mode == KM_MODE_BOUNDARIES;

  if (job->stage == 1) {
    label_rows (seg, s, job->in, r0, r1);
    if (!boundaries)
      write_rows (seg, s, job->in, job->out, r0, r1);
    return;
  }
  /* stage 2: what needs the labels of the whole frame */
  if (boundaries)
    boundary_rows (seg, job->in, job->out, r0, r1);
  if (job->want_counts) {
    guint64 *h = seg->hist + (gsize) task * KM_MAX_K;
    guint64 h4[4][KM_MAX_K];
    memset (h4, 0, sizeof (h4));
    for (guint y = r0; y < r1; y++) {
      const guint8 *l = seg->labels + (gsize) y * seg->width;
      guint x = 0;
      for (; x + 4 <= seg->width; x += 4) {
        h4[0][l[x]]++;
        h4[1][l[x + 1]]++;
        h4[2][l[x + 2]]++;
        h4[3][l[x + 3]]++;
      }
      for (; x < seg->width; x++)
        h4[0][l[x]]++;
    }
    for (guint j = 0; j < KM_MAX_K; j++)
      h[j] = h4[0][j] + h4[1][j] + h4[2][j] + h4[3][j];
  }
}

void
km_segmenter_process (KmSegmenter * seg, const VideoImage * in,
    VideoImage * out, gboolean want_counts, KmFrameStats * stats)
{
  guint tasks = (seg->height + STRIP_ROWS - 1) / STRIP_ROWS;
  PassJob job = { seg, in, out, 1, want_counts };

  g_return_if_fail (seg->have_format && seg->have_params);
  memset (stats, 0, sizeof (*stats));
  fit (seg, in, stats);
  prepare_tables (seg, stats);

  worker_pool_run (seg->pool, tasks, pass_task, &job);
  seg->have_labels = TRUE;
  if (seg->params.mode == KM_MODE_BOUNDARIES || want_counts) {
    job.stage = 2;
    worker_pool_run (seg->pool, tasks, pass_task, &job);
    for (guint t = 0; t < tasks && want_counts; t++)
      for (guint j = 0; j < KM_MAX_K; j++)
        stats->counts[j] += seg->hist[(gsize) t * KM_MAX_K + j];
  }
}
