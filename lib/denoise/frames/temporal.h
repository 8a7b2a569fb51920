/* temporal: aedenoise's causal temporal mode. Each output frame fuses
 * the spatial network's result with the results of the frames before it,
 * per pixel, where the pixel stood still; no future frame is read, so the
 * element's latency stays one frame.
 *
 * Per plane and pixel the state holds T, the mean of the spatial results
 * over the looks since the pixel last moved, A, the mean of the noisy
 * inputs over the same looks, and n, how many looks they hold. For each
 * frame (x the noisy plane, s the spatial result, s2 the noise variance,
 * all on the 0..1 scale), with v = 1 + 1/n:
 *
 *   motion  the means over a 5x5 box (edges repeated) of (x - T)^2 and
 *           (s - T)^2, divided by s2 v and by s2 v / cr (v of the box's
 *           centre), are zq and zr, both about 1 where the pixel stood
 *           still (cr: the noise variance over that of the spatial
 *           results); they give the weight of the past
 *           w = ramp (zq; tau0, tau1) ramp (zr; rho0, rho1), where
 *           ramp (z; lo, hi) = clamp ((hi - z) / (hi - lo), 0, 1). A chroma
 *           plane takes the smaller of its own weight and its luma block's.
 *   cut     when more than `cut` of the luma's pixels have w < 1/2, the
 *           scene changed: every plane starts again from this frame.
 *   update  n' = min (w n + 1, nmax), A' = A + (x - A) / n',
 *           T' = T + (s - T) / n'
 *   fuse    out = T' + g (A' - T'), g = (n' - 1) / (n' - 1 + c): the mean
 *           of the spatial results, drawn towards the unbiased mean of the
 *           inputs as the looks add up.
 *
 * A pixel that moved gets the spatial result (n' = 1); one that stood
 * still for k frames the mean of k spatial results, whose noise averages
 * out (on photographs at sigma 25 the mean of 10 looks is 4-7 dB past one
 * look: docs/performance.md). A frame whose samples repeat the last one's
 * exactly (a videorate duplicate) at the same noise levels (within 10%)
 * is not a new look: it gets the output of the state as it is, which does
 * not change; at other levels it starts again. A plane whose noise level
 * is 0 or less starts again (its output is the spatial result).
 * tools/aenn_temporal.py is this in numpy, and tools/aenn-temporal-fit
 * fits the parameters on synthetic video.
 *
 * The weight is kept in 255ths (a byte), a pixel counts as moved for the
 * cut where it is below 128.
 *
 * Memory: three floats and a byte per sample (T, A, n and the weight),
 * plus scratch rows per thread; nothing is allocated per frame. A frame is
 * two passes over each plane (the weights, with the input's hash, then the
 * update), spread over the pool by bands of rows. */
#ifndef __AENN_TEMPORAL_H__
#define __AENN_TEMPORAL_H__

#include <glib.h>
#include "common/kernel_path.h"
#include "common/worker_pool.h"

G_BEGIN_DECLS

#define AENN_TEMPORAL_MAX_PLANES 3
/* the motion box is (2 AENN_TEMPORAL_RADIUS + 1)^2 pixels */
#define AENN_TEMPORAL_RADIUS 2

typedef struct
{
  float tau0, tau1;             /* ramp of the input statistic zq */
  float rho0, rho1;             /* ramp of the spatial statistic zr */
  float cr;                     /* noise over spatial-result variance (> 0) */
  float nmax;                   /* most looks a mean holds (>= 1) */
  float c;                      /* fusion constant (> 0) */
  float cut;                    /* share of moved luma pixels: a new scene */
} AennTemporalParams;

/* fitted by tools/aenn-temporal-fit (docs/performance.md) */
extern const AennTemporalParams aenn_temporal_default_params;

typedef enum
{
  AENN_TEMPORAL_START,          /* first frame, or after a reset */
  AENN_TEMPORAL_FUSED,
  AENN_TEMPORAL_CUT,            /* a new scene: started again */
  AENN_TEMPORAL_REPEAT,         /* the last frame again: state unchanged */
} AennTemporalEvent;

typedef struct _AennTemporal AennTemporal;

/* Planes 1.. may be subsampled from plane 0 by 2 in either direction
 * (their sizes tell); plane 0 is luma, or the first of R, G, B. */
AennTemporal *aenn_temporal_new (KernelPath path, guint n_planes,
    const guint width[], const guint height[]);
void aenn_temporal_free (AennTemporal * t);
void aenn_temporal_set_params (AennTemporal * t,
    const AennTemporalParams * p);
/* The next frame starts again (flush, seek, new caps). */
void aenn_temporal_reset (AennTemporal * t);
/* Bytes held: the state, and the scratch of the last step's pool. */
gsize aenn_temporal_get_size (const AennTemporal * t);

/* One frame. x: the noisy planes, s: the spatial results, replaced by the
 * fused ones (each row x_stride or s_stride floats apart); sigma: each
 * plane's noise level on the 0..255 scale. */
AennTemporalEvent aenn_temporal_step (AennTemporal * t, WorkerPool * pool,
    const float *const x[], const gsize x_stride[], float *const s[],
    const gsize s_stride[], const float sigma[]);

/* The row loops (denoise/frames/temporal_rows.c, one build per
 * instruction set; every build gives the same floats). */
typedef struct
{
  /* e = (x - t)^2, f = (s - t)^2 */
  void (*stats) (float *e, float *f, const float *x, const float *s,
      const float *t, int len);
  /* d = a + b + c + e + f, left to right */
  void (*sum5) (float *d, const float *a, const float *b, const float *c,
      const float *e, const float *f, int len);
  /* the weight of the past from the vertical box sums vq, vr (readable
   * 2 floats before and after the row), in 255ths: with hq, hr their
   * horizontal sums and k = n / (n + 1), w = round (255 clamp01 (bq + aq
   * hq k) clamp01 (br + ar hr k)); returns how many are below 128 */
  guint (*weight) (guint8 * w, const float *vq, const float *vr,
      const float *n, float aq, float bq, float ar, float br, int len);
  /* d[i] = min (d[i], l[2 i], l[2 i + 1]), and d[i] = min (d[i], l[i]) */
  void (*min_pairs) (guint8 * d, const guint8 * l, int len);
  void (*min_row) (guint8 * d, const guint8 * l, int len);
  /* in place: n = min (w n / 255 + 1, nmax), a += (x - a) / n, t += (s -
   * t) / n, s = t + g (a - t) with g = (n - 1) / (n - 1 + c) */
  void (*update) (float *a, float *t, float *n, float *s, const float *x,
      const guint8 * w, float nmax, float c, int len);
  /* s = t + g (a - t), g of n: a repeated frame's output */
  void (*fuse) (float *s, const float *a, const float *t, const float *n,
      float c, int len);
  /* a = x, t = s, n = 1 */
  void (*restart) (float *a, float *t, float *n, const float *x,
      const float *s, int len);
  guint64 (*hash) (guint64 h, const float *x, int len);
} AennTemporalKernels;

const AennTemporalKernels *aenn_temporal_kernels_get (KernelPath path);

extern const AennTemporalKernels aenn_tr_generic;
#ifdef HAVE_AVX2_KERNELS
extern const AennTemporalKernels aenn_tr_avx2;
#endif
#ifdef HAVE_AVX512_KERNELS
extern const AennTemporalKernels aenn_tr_avx512;
#endif

G_END_DECLS

#endif
