/* aenn_engine: runs an AennModel over a frame, in horizontal strips with
 * every layer fused per strip (each strip recomputes the rows its
 * receptive field needs, so no full-frame intermediate exists), the strips
 * spread over a WorkerPool. The result does not depend on the thread count or
 * the strip height: every row is computed by the same arithmetic wherever
 * its strip starts. */
#ifndef __AENN_ENGINE_H__
#define __AENN_ENGINE_H__

#include <glib.h>
#include "denoise/model/model.h"
#include "common/kernel_path.h"
#include "common/worker_pool.h"

G_BEGIN_DECLS

typedef struct _AennPlan AennPlan;

/* path: KERNEL_PATH_AUTO for kernel_path_default () (the best the CPU runs, or
 * GST_UNSUPERVISED_KERNELS). The model must outlive the plan. On a
 * quantized path (kernel_path_is_quantized) the int8 weights are made here,
 * from the weights as they are now (a later change to them is not seen),
 * and the frames fed to it should lie in [0, 1] (beyond, the first
 * convolution clips them). */
AennPlan *aenn_plan_new (const AennModel * model, KernelPath path,
    GError ** error);
void aenn_plan_free (AennPlan * plan);
KernelPath aenn_plan_get_path (const AennPlan * plan);
const gchar *aenn_plan_get_path_name (const AennPlan * plan);

/* Allocates every scratch buffer for frames of width x height run on pool
 * (NULL: the calling thread only); strip_rows 0 picks a height. Nothing is
 * allocated by aenn_plan_process afterwards. */
gboolean aenn_plan_prepare (AennPlan * plan, guint width, guint height,
    WorkerPool * pool, guint strip_rows, GError ** error);
guint aenn_plan_get_n_strips (const AennPlan * plan);
guint aenn_plan_get_strip_rows (const AennPlan * plan);
/* Bytes of scratch per thread. */
gsize aenn_plan_get_scratch_size (const AennPlan * plan);

/* src, dst: in_channels planes of height rows of width floats, rows
 * src_stride and dst_stride floats apart; dst must not overlap src. sigma is
 * the noise standard deviation on the 0..255 scale (the network sees a
 * plane of sigma / 255). */
void aenn_plan_process (AennPlan * plan, const float *const *src,
    gsize src_stride, float *const *dst, gsize dst_stride, float sigma);
/* The same with a noise level per input channel: sigma (in_channels); a
 * sigma op fills its plane with the level of its "channel". */
void aenn_plan_process_levels (AennPlan * plan, const float *const *src,
    gsize src_stride, float *const *dst, gsize dst_stride,
    const float *sigma);

/* The int8 form of convolution `layer` on a quantized path, as the kernels
 * see it (denoise/kernels/kernels.h): for tests that redo its arithmetic. FALSE on
 * float paths and for other ops. */
typedef struct
{
  guint n_groups, terms;
  const gint8 *wq;              /* (out_c * terms, n_groups, k, k, 4) */
  const gint32 *corr;           /* (out_c * terms) */
  const float *scale;           /* (out_c * terms) */
  const float *inv_s, *zp;      /* (in_c): q = round (x * inv_s + zp) */
  guint in_c;                   /* input channels read: the noise-level
                                 * plane's are left out, their taps folded
                                 * into bias */
  const float *bias;            /* (out_c), as of the last frame */
} AennQuantLayer;

gboolean aenn_plan_get_quant_layer (const AennPlan * plan, guint layer,
    AennQuantLayer * q);

G_END_DECLS

#endif
