/* The strip scheduler. For each strip, a backward pass over the layers
 * (done once, in prepare) gives the rows of every tensor the strip needs;
 * the forward pass then computes exactly those rows, layer after layer, in
 * buffers private to the thread.
 *
 * On a quantized path (vnni) the convolutions run in int8 and everything
 * else stays float: plan_new derives the int8 weights from the float model
 * (plan_quantize, below; docs/design.md says why this way), and each
 * convolution packs the input rows of its strip to u8 once, then runs the
 * int8 row kernel, which writes float rows as the float kernels do. */
#include "config.h"
#include "denoise/engine/engine.h"
#include "common/limits.h"
#include "denoise/kernels/kernels.h"
#include "denoise/synth/deadleaves.h"
#include "denoise/synth/noise.h"
#include "denoise/synth/colour_noise.h"

#include <math.h>
#include <string.h>

/* Rows keep 16 floats before x = 0 (one is the left border, the rest keep
 * x = 0 on a 64-byte boundary) and at least one after the last column. */
#define ROW_LEAD 16

/* One convolution's int8 form (see denoise/kernels/kernels.h for the layout). */
typedef struct
{
  guint n_groups;               /* ceil (in_c / 4) */
  guint terms;                  /* weight sets per output channel, 1 or 2 */
  gint8 *wq;                    /* (out_c * terms, n_groups, k, k, 4) */
  gint32 *corr;                 /* (out_c * terms): sum of wq * zp */
  float *scale;                 /* (out_c * terms): accumulator to float */
  float *inv_s;                 /* (in_c): 1 / activation scale */
  float *zp;                    /* (in_c): activation zero points, integers */
  guint8 *zero;                 /* set by prepare: (n_groups, qgs[in]) packed
                                 * zeros, every channel at its zero point */
} AennQLayer;

/* A convolution that reads the noise-level plane: the plane
 * is one value everywhere, padding included under replicate padding, so
 * its taps add sigma times the sum of their weights to each output. They
 * go into the bias once per frame, and the convolution reads the other
 * channels only (the first in_c: the plane is the concat's last input).
 * Exact but for the order of the float sums. */
typedef struct
{
  guint in_c;                   /* channels still read; 0: not folded */
  guint sigma_channel;          /* the input channel whose level it holds */
  float *w;                     /* (out_c, in_c, k, k) */
  float *b;                     /* (out_c): bias + sigma * the plane's
                                 * summed weights, this frame */
} AennFold;

struct _AennPlan
{
  const AennModel *model;
  const AennKernels *k;
  KernelPath path;
  AennQLayer *q;                /* (n_layers), quantized paths only */
  AennFold *fold;               /* (n_layers) */
  /* calibration plans only: (n_layers, calib_c, 2) the min and max seen in
   * the input of each convolution */
  float *calib;
  guint calib_c;

  /* set by prepare */
  WorkerPool *pool;
  guint width, height;
  guint wp, hp;                 /* padded to a multiple of 2^max_level */
  guint strip_rows, n_strips, n_threads;
  guint *tw, *th;               /* (n_tensors): size at the tensor's level */
  gsize *rs;                    /* (n_tensors): row stride, floats */
  gsize *toff;                  /* (n_tensors): buffer offset in an arena */
  gint *range;                  /* (n_strips, n_tensors, 2): rows [lo, hi) */
  gsize arena_floats;
  float *arena;                 /* (n_threads, arena_floats) */
  float *zero_row;              /* (ROW_LEAD + max rs) zeros */
  const float **inptr;          /* (n_threads, max_ptrs) */
  float **outptr;               /* (n_threads, max_ptrs) */
  guint max_ptrs;
  /* quantized paths */
  gsize *qgs;                   /* (n_tensors): packed group stride, bytes */
  gsize qbuf_bytes;             /* per thread: the largest packed strip */
  guint8 *qbuf;                 /* (n_threads, qbuf_bytes) + 64 */
  const guint8 **qinptr;        /* (n_threads, max_ptrs) */

  /* arguments of the frame in flight */
  const float *const *src;
  gsize src_stride;
  float *const *dst;
  gsize dst_stride;
  float sigma[AENN_MAX_IN_CHANNELS];    /* per input channel, 0..255 */
};

static gboolean plan_quantize (AennPlan * plan, GError ** error);
static void plan_fold (AennPlan * plan);
static void fold_update (AennPlan * plan);

/* The input channels convolution `layer` reads (fewer once folded) */
static guint
conv_in_c (const AennPlan * plan, guint layer)
{
  const AennModel *m = plan->model;
  return plan->fold[layer].in_c ? plan->fold[layer].in_c
      : m->tensors[m->layers[layer].in[0]].channels;
}

AennPlan *
aenn_plan_new (const AennModel * model, KernelPath path, GError ** error)
{
  AennPlan *plan;
  const AennKernels *k;

  if (path == KERNEL_PATH_AUTO)
    path = kernel_path_default ();
  k = aenn_kernels_get (path);
  if (k == NULL) {
    g_set_error (error, AENN_ERROR, AENN_ERROR_PATH,
        "kernel path \"%s\" is not supported by this CPU or build",
        kernel_path_name (path));
    return NULL;
  }
  plan = g_new0 (AennPlan, 1);
  plan->model = model;
  plan->k = k;
  plan->path = path;
  plan_fold (plan);
  if (k->qconv_row != NULL && !plan_quantize (plan, error)) {
    aenn_plan_free (plan);
    return NULL;
  }
  return plan;
}

static void
plan_clear (AennPlan * plan)
{
  g_clear_pointer (&plan->tw, g_free);
  g_clear_pointer (&plan->th, g_free);
  g_clear_pointer (&plan->rs, g_free);
  g_clear_pointer (&plan->toff, g_free);
  g_clear_pointer (&plan->range, g_free);
  g_clear_pointer (&plan->arena, g_free);
  g_clear_pointer (&plan->zero_row, g_free);
  g_clear_pointer (&plan->inptr, g_free);
  g_clear_pointer (&plan->outptr, g_free);
  g_clear_pointer (&plan->qgs, g_free);
  g_clear_pointer (&plan->qbuf, g_free);
  g_clear_pointer (&plan->qinptr, g_free);
  if (plan->q)
    for (guint i = 0; i < plan->model->n_layers; i++)
      g_clear_pointer (&plan->q[i].zero, g_free);
  plan->width = plan->height = 0;
}

void
aenn_plan_free (AennPlan * plan)
{
  if (plan == NULL)
    return;
  plan_clear (plan);
  if (plan->q) {
    for (guint i = 0; i < plan->model->n_layers; i++) {
      AennQLayer *Q = &plan->q[i];
      g_free (Q->wq);
      g_free (Q->corr);
      g_free (Q->scale);
      g_free (Q->inv_s);
      g_free (Q->zp);
    }
    g_free (plan->q);
  }
  if (plan->fold) {
    for (guint i = 0; i < plan->model->n_layers; i++) {
      g_free (plan->fold[i].w);
      g_free (plan->fold[i].b);
    }
    g_free (plan->fold);
  }
  g_free (plan->calib);
  g_free (plan);
}

KernelPath
aenn_plan_get_path (const AennPlan * plan)
{
  return plan->path;
}

const gchar *
aenn_plan_get_path_name (const AennPlan * plan)
{
  return kernel_path_name (plan->path);
}

guint
aenn_plan_get_n_strips (const AennPlan * plan)
{
  return plan->n_strips;
}

guint
aenn_plan_get_strip_rows (const AennPlan * plan)
{
  return plan->strip_rows;
}

gsize
aenn_plan_get_scratch_size (const AennPlan * plan)
{
  return plan->arena_floats * sizeof (float) + plan->qbuf_bytes;
}

static inline gint *
strip_range (const AennPlan * plan, guint s)
{
  return plan->range + ((gsize) s) * plan->model->n_tensors * 2;
}

gboolean
aenn_plan_get_quant_layer (const AennPlan * plan, guint layer,
    AennQuantLayer * q)
{
  const AennQLayer *Q;
  if (plan->q == NULL || layer >= plan->model->n_layers
      || plan->model->layers[layer].op != AENN_OP_CONV)
    return FALSE;
  Q = &plan->q[layer];
  q->n_groups = Q->n_groups;
  q->terms = Q->terms;
  q->wq = Q->wq;
  q->corr = Q->corr;
  q->scale = Q->scale;
  q->inv_s = Q->inv_s;
  q->zp = Q->zp;
  q->in_c = conv_in_c (plan, layer);
  q->bias = plan->fold[layer].in_c ? plan->fold[layer].b
      : plan->model->layers[layer].bias;
  return TRUE;
}

/* Finds the convolutions whose input ends in the noise-level plane (a
 * concat whose last input a sigma op makes) under replicate padding, and
 * splits their weights (see AennFold). */
static void
plan_fold (AennPlan * plan)
{
  const AennModel *m = plan->model;
  gint *maker = g_new (gint, m->n_tensors);     /* layer making a tensor */

  for (guint t = 0; t < m->n_tensors; t++)
    maker[t] = -1;
  for (guint i = 0; i < m->n_layers; i++)
    maker[m->layers[i].out] = (gint) i;
  plan->fold = g_new0 (AennFold, m->n_layers);
  for (guint i = 0; i < m->n_layers; i++) {
    const AennLayer *L = &m->layers[i], *C;
    AennFold *F = &plan->fold[i];
    guint ic, oc, sc;
    if (L->op != AENN_OP_CONV || L->pad != AENN_PAD_REPLICATE
        || maker[L->in[0]] < 0)
      continue;
    C = &m->layers[maker[L->in[0]]];
    if (C->op != AENN_OP_CONCAT || maker[C->in[1]] < 0
        || m->layers[maker[C->in[1]]].op != AENN_OP_SIGMA)
      continue;
    ic = m->tensors[L->in[0]].channels;
    sc = m->tensors[C->in[1]].channels;
    oc = m->tensors[L->out].channels;
    F->in_c = ic - sc;
    F->sigma_channel = m->layers[maker[C->in[1]]].channel;
    F->w = g_new (float, (gsize) oc * F->in_c * L->kernel * L->kernel);
    F->b = g_new (float, oc);
    g_debug ("engine: layer %s: the noise-level plane folds into its bias "
        "(%u of %u input channels read)", L->name, F->in_c, ic);
  }
  g_free (maker);
  fold_update (plan);           /* the weights; biases again per frame */
}

/* The split weights and this frame's biases, from the model's weights as
 * they are now (the trainer changes them between frames of one plan). */
static void
fold_update (AennPlan * plan)
{
  const AennModel *m = plan->model;
  for (guint i = 0; i < m->n_layers; i++) {
    const AennLayer *L = &m->layers[i];
    AennFold *F = &plan->fold[i];
    guint ic, oc, kk;
    float v;                    /* the value the sigma op writes */
    if (F->in_c == 0)
      continue;
    v = plan->sigma[F->sigma_channel] / 255.0f;
    ic = m->tensors[L->in[0]].channels;
    oc = m->tensors[L->out].channels;
    kk = L->kernel * L->kernel;
    for (guint o = 0; o < oc; o++) {
      const float *wo = L->weight + (gsize) o * ic * kk;
      float sw = 0.0f;
      memcpy (F->w + (gsize) o * F->in_c * kk, wo,
          (gsize) F->in_c * kk * sizeof (float));
      for (guint j = F->in_c * kk; j < ic * kk; j++)
        sw += wo[j];
      F->b[o] = L->bias[o] + v * sw;
    }
  }
}

/* Rows of each tensor that output rows [y0, y1) need. */
static void
backward (const AennPlan * plan, guint y0, guint y1, gint * r)
{
  const AennModel *m = plan->model;

  for (guint t = 0; t < m->n_tensors; t++) {
    r[2 * t] = G_MAXINT;
    r[2 * t + 1] = G_MININT;
  }
  r[2 * m->output] = (gint) y0;
  r[2 * m->output + 1] = (gint) y1;
  for (guint i = m->n_layers; i-- > 0;) {
    const AennLayer *L = &m->layers[i];
    gint lo = r[2 * L->out], hi = r[2 * L->out + 1];
    if (lo >= hi)
      continue;
    for (guint j = 0; j < L->n_in; j++) {
      gint t = L->in[j], a = lo, b = hi;
      switch (L->op) {
        case AENN_OP_CONV:
          a = MAX (lo - (gint) (L->kernel / 2), 0);
          b = MIN (hi + (gint) (L->kernel / 2), (gint) plan->th[t]);
          break;
        case AENN_OP_S2D:
          a = 2 * lo;
          b = 2 * hi;
          break;
        case AENN_OP_D2S:
          a = lo / 2;
          b = (hi + 1) / 2;
          break;
        case AENN_OP_ADD:
        case AENN_OP_CONCAT:
        case AENN_OP_SIGMA:
          /* row for row */
          break;
      }
      r[2 * t] = MIN (r[2 * t], a);
      r[2 * t + 1] = MAX (r[2 * t + 1], b);
    }
  }
}

/* Where each tensor's rows live in a worker's arena: tensors whose lives
 * do not overlap share memory. A tensor lives from the layer that makes it
 * to the last layer that reads it (x from before the first layer, the
 * output to the end), and a block is reused only once its last reader has
 * run, never by that reader. max_rows: (n_tensors) the most rows of each
 * a strip holds. Sets plan->toff; returns the floats a worker needs. */
static gsize
assign_tensor_memory (AennPlan * plan, const guint * max_rows)
{
  const AennModel *m = plan->model;
  guint nt = m->n_tensors;
  gsize off = 0;
  gint *last = g_new (gint, nt);
  gint *blk_free = g_new (gint, nt);    /* (n_blocks) */
  gsize *blk_off = g_new (gsize, nt), *blk_size = g_new (gsize, nt);
  guint n_blocks = 0;
  for (guint t = 0; t < nt; t++)
    last[t] = t == (guint) m->output ? G_MAXINT : -1;
  for (guint i = 0; i < m->n_layers; i++) {
    for (guint j = 0; j < m->layers[i].n_in; j++)
      last[m->layers[i].in[j]] = (gint) i;
  }
  /* tensors in the order they are made: x, then layer outputs */
  for (gint i = -1; i < (gint) m->n_layers; i++) {
    guint t = i < 0 ? 0 : (guint) m->layers[i].out;
    gsize need = (gsize) max_rows[t] * m->tensors[t].channels * plan->rs[t];
    guint b, best = n_blocks;
    need = (need + 15) / 16 * 16;
    for (b = 0; b < n_blocks; b++)
      if (blk_free[b] < i && blk_size[b] >= need
          && (best == n_blocks || blk_size[b] < blk_size[best]))
        best = b;
    if (best == n_blocks) {
      blk_off[n_blocks] = off;
      blk_size[n_blocks] = need;
      off += need;
      n_blocks++;
    }
    blk_free[best] = last[t];
    plan->toff[t] = blk_off[best];
  }
  g_free (last);
  g_free (blk_free);
  g_free (blk_off);
  g_free (blk_size);
  return off;
}

/* Packed rows hold pixels -1 .. width (the border columns included), 4
 * bytes each, pixel -1 at byte 0; each channel group starts on a cache
 * line. A thread packs the input rows of one convolution at a time. */
static void
plan_prepare_packed (AennPlan * plan, const guint * max_rows)
{
  const AennModel *m = plan->model;

  plan->qgs = g_new (gsize, m->n_tensors);
  for (guint t = 0; t < m->n_tensors; t++)
    plan->qgs[t] = ((gsize) (plan->tw[t] + 2) * 4 + 63) / 64 * 64;
  plan->qbuf_bytes = 0;
  for (guint i = 0; i < m->n_layers; i++) {
    const AennLayer *L = &m->layers[i];
    guint ti;
    if (L->op != AENN_OP_CONV)
      continue;
    ti = (guint) L->in[0];
    plan->qbuf_bytes = MAX (plan->qbuf_bytes, (gsize) max_rows[ti]
        * plan->q[i].n_groups * plan->qgs[ti]);
  }
  plan->qbuf_bytes = (plan->qbuf_bytes + 63) / 64 * 64;
}

gboolean
aenn_plan_prepare (AennPlan * plan, guint width, guint height,
    WorkerPool * pool, guint strip_rows, GError ** error)
{
  const AennModel *m = plan->model;
  guint nt = m->n_tensors, align = 1u << m->max_level;
  gsize off = 0, max_rs = 0;
  guint max_ptrs = 1;

  plan_clear (plan);
  if (width == 0 || height == 0 || width > MAX_FRAME_SIDE
      || height > MAX_FRAME_SIDE) {
    g_set_error (error, AENN_ERROR, AENN_ERROR_SIZE,
        "frame size %ux%u not within 1x1..%ux%u", width, height,
        MAX_FRAME_SIDE, MAX_FRAME_SIDE);
    return FALSE;
  }
  plan->pool = pool;
  plan->n_threads = pool ? worker_pool_get_n_threads (pool) : 1;
  plan->width = width;
  plan->height = height;
  plan->wp = (width + align - 1) / align * align;
  plan->hp = (height + align - 1) / align * align;

  if (strip_rows == 0) {
    /* about 128 rows, and a strip count the threads share evenly */
    guint n = (plan->hp + 127) / 128;
    n = (n + plan->n_threads - 1) / plan->n_threads * plan->n_threads;
    strip_rows = (plan->hp + n - 1) / n;
  }
  strip_rows = (strip_rows + align - 1) / align * align;
  plan->strip_rows = MIN (strip_rows, plan->hp);
  plan->n_strips = (plan->hp + plan->strip_rows - 1) / plan->strip_rows;

  plan->tw = g_new (guint, nt);
  plan->th = g_new (guint, nt);
  plan->rs = g_new (gsize, nt);
  plan->toff = g_new (gsize, nt);
  for (guint t = 0; t < nt; t++) {
    plan->tw[t] = plan->wp >> m->tensors[t].level;
    plan->th[t] = plan->hp >> m->tensors[t].level;
    plan->rs[t] = ROW_LEAD + (plan->tw[t] + 1 + 15) / 16 * 16;
    max_rs = MAX (max_rs, plan->rs[t]);
    max_ptrs = MAX (max_ptrs, m->tensors[t].channels * 3);
  }

  plan->range = g_new (gint, (gsize) plan->n_strips * nt * 2);
  {
    guint *max_rows = g_new0 (guint, nt);
    for (guint s = 0; s < plan->n_strips; s++) {
      gint *r = strip_range (plan, s);
      guint y0 = s * plan->strip_rows;
      backward (plan, y0, MIN (y0 + plan->strip_rows, plan->hp), r);
      for (guint t = 0; t < nt; t++)
        if (r[2 * t] < r[2 * t + 1])
          max_rows[t] = MAX (max_rows[t], (guint) (r[2 * t + 1] - r[2 * t]));
    }
    off = assign_tensor_memory (plan, max_rows);
    if (plan->q)
      plan_prepare_packed (plan, max_rows);
    g_free (max_rows);
  }
  plan->arena_floats = (off + 15) / 16 * 16;
  g_debug ("engine: %ux%u on %s: %u strips of %u rows over %u threads, "
      "%" G_GSIZE_FORMAT " floats of strip buffers per thread (%.1f MiB in "
      "all)", width, height, kernel_path_name (plan->path), plan->n_strips,
      plan->strip_rows, plan->n_threads, plan->arena_floats,
      plan->n_threads * plan->arena_floats * 4.0 / (1 << 20));
  plan->arena = g_malloc0_n ((gsize) plan->n_threads * plan->arena_floats + 16,
      sizeof (float));
  plan->zero_row = g_malloc0_n (max_rs + ROW_LEAD, sizeof (float));
  plan->max_ptrs = max_ptrs;
  plan->inptr = g_new0 (const float *, (gsize) plan->n_threads * max_ptrs);
  plan->outptr = g_new0 (float *, (gsize) plan->n_threads * max_ptrs);
  if (plan->q) {
    plan->qinptr = g_new0 (const guint8 *, (gsize) plan->n_threads * max_ptrs);
    plan->qbuf = g_malloc0 ((gsize) plan->n_threads * plan->qbuf_bytes + 64);
    /* the packed zero rows: the zero row quantized by each layer */
    for (guint i = 0; i < m->n_layers; i++) {
      const AennLayer *L = &m->layers[i];
      AennQLayer *Q = &plan->q[i];
      guint ti, ic;
      const float **zp;
      if (L->op != AENN_OP_CONV)
        continue;
      ti = (guint) L->in[0];
      ic = conv_in_c (plan, i);
      zp = g_new (const float *, ic);
      for (guint c = 0; c < ic; c++)
        zp[c] = plan->zero_row + ROW_LEAD - 1;
      Q->zero = g_malloc0 (Q->n_groups * plan->qgs[ti]);
      plan->k->qpack_row (Q->zero, plan->qgs[ti], zp, (int) plan->tw[ti] + 2,
          (int) ic, Q->inv_s, Q->zp);
      g_free (zp);
    }
  }
  return TRUE;
}

/* Row y of channel c of tensor t, whose stored rows start at lo. */
static inline float *
row_of (const AennPlan * plan, float *arena, guint t, gint lo, gint y, guint c)
{
  return arena + plan->toff[t] + ROW_LEAD
      + ((gsize) (y - lo) * plan->model->tensors[t].channels + c)
      * plan->rs[t];
}

static float *
thread_arena (const AennPlan * plan, guint worker)
{
  /* g_malloc aligns to 16 bytes; the first 64-byte boundary inside */
  guintptr a = (guintptr) plan->arena;
  a = (a + 63) & ~(guintptr) 63;
  return (float *) a + ((gsize) worker) * plan->arena_floats;
}

static guint8 *
thread_qbuf (const AennPlan * plan, guint worker)
{
  guintptr a = (guintptr) plan->qbuf;
  a = (a + 63) & ~(guintptr) 63;
  return (guint8 *) a + ((gsize) worker) * plan->qbuf_bytes;
}

/* Calibration: the range of every channel of a convolution's input over
 * the rows this strip computes from. */
static void
calib_rows (AennPlan * plan, float *arena, guint layer, guint ti, gint ilo,
    gint ihi)
{
  guint ic = plan->model->tensors[ti].channels, iw = plan->tw[ti];
  float *mm = plan->calib + (gsize) layer * plan->calib_c * 2;

  for (gint y = ilo; y < ihi; y++)
    for (guint c = 0; c < ic; c++) {
      const float *p = row_of (plan, arena, ti, ilo, y, c);
      for (guint x = 0; x < iw; x++) {
        mm[2 * c] = MIN (mm[2 * c], p[x]);
        mm[2 * c + 1] = MAX (mm[2 * c + 1], p[x]);
      }
    }
}

/* One convolution on the int8 kernels: the strip's input rows packed
 * once, then each output row from the packed rows (or the layer's packed
 * zero row above and below the frame under zero padding). */
static void
conv_quantized (AennPlan * plan, float *arena, guint worker, guint layer,
    gint lo, gint hi, gint ilo, gint ihi, float **outp)
{
  const AennModel *m = plan->model;
  const AennLayer *L = &m->layers[layer];
  const AennQLayer *Q = &plan->q[layer];
  const AennKernels *k = plan->k;
  guint ti = (guint) L->in[0], to = (guint) L->out;
  guint ic = conv_in_c (plan, layer), oc = m->tensors[to].channels;
  guint kk = L->kernel, half = kk / 2, iw = plan->tw[ti], ng = Q->n_groups;
  const float *bias = plan->fold[layer].in_c ? plan->fold[layer].b : L->bias;
  gint ih = (gint) plan->th[ti];
  gsize gs = plan->qgs[ti], rb = ng * gs;
  guint8 *qb = thread_qbuf (plan, worker);      /* (ihi - ilo, ng, gs) */
  const float **src = plan->inptr + (gsize) worker * plan->max_ptrs;
  const guint8 **qin = plan->qinptr + (gsize) worker * plan->max_ptrs;

  for (gint y = ilo; y < ihi; y++) {
    for (guint c = 0; c < ic; c++)
      src[c] = row_of (plan, arena, ti, ilo, y, c) - 1;
    k->qpack_row (qb + (gsize) (y - ilo) * rb, gs, src, (int) iw + 2,
        (int) ic, Q->inv_s, Q->zp);
  }
  for (gint y = lo; y < hi; y++) {
    for (guint dy = 0; dy < kk; dy++) {
      gint yy = y + (gint) dy - (gint) half;
      const guint8 *r;
      if ((yy < 0 || yy >= ih) && L->pad == AENN_PAD_ZERO)
        r = Q->zero;
      else
        r = qb + (gsize) (CLAMP (yy, 0, ih - 1) - ilo) * rb;
      for (guint g = 0; g < ng; g++)
        qin[g * kk + dy] = r + g * gs + 4;
    }
    for (guint o = 0; o < oc; o++)
      outp[o] = row_of (plan, arena, to, lo, y, o);
    k->qconv_row (outp, qin, (int) iw, (int) ng, (int) oc, (int) Q->terms,
        (int) kk, Q->wq, Q->corr, Q->scale, bias, L->act, L->slope);
  }
}

/* One layer's rows within a strip: what each op's step reads. */
typedef struct
{
  AennPlan *plan;
  float *arena;                 /* the worker's strip buffers */
  guint worker;
  const gint *r;                /* (n_tensors, 2) row ranges of the strip */
  const float **inp;            /* (max_ptrs) per worker: row pointers */
  float **outp;                 /* (max_ptrs) */
  guint i;                      /* the layer */
  const AennLayer *L;
  guint to, ti;                 /* output tensor, first input tensor */
  gint lo, hi;                  /* output rows */
  gint ilo, ihi;                /* first input's rows */
  guint oc, ic;                 /* channels of the output and first input */
  guint w;                      /* output width */
} StripLayer;

/* The strip's input rows, the last row and column replicated out to the
 * padded size. */
static void
strip_load_input (AennPlan * plan, float *arena, const gint * r)
{
  const AennModel *m = plan->model;

  for (gint y = r[0]; y < r[1]; y++) {
    guint sy = MIN ((guint) y, plan->height - 1);
    for (guint c = 0; c < m->in_channels; c++) {
      float *d = row_of (plan, arena, 0, r[0], y, c);
      memcpy (d, plan->src[c] + sy * plan->src_stride,
          plan->width * sizeof (float));
      for (guint x = plan->width; x < plan->wp; x++)
        d[x] = d[plan->width - 1];
    }
  }
}

/* The border columns carry the convolution's padding. */
static void
conv_pad_columns (const StripLayer * sl)
{
  AennPlan *plan = sl->plan;
  guint iw = plan->tw[sl->ti];

  for (gint y = sl->ilo; y < sl->ihi; y++)
    for (guint c = 0; c < sl->ic; c++) {
      float *p = row_of (plan, sl->arena, sl->ti, sl->ilo, y, c);
      if (sl->L->pad == AENN_PAD_ZERO)
        p[-1] = p[iw] = 0.0f;
      else {
        p[-1] = p[0];
        p[iw] = p[iw - 1];
      }
    }
}

/* Float convolution rows: rows whose taps all lie inside the tensor go in
 * one call on paths that take several; the others (padding) one at a
 * time. */
static void
conv_float_rows (const StripLayer * sl)
{
  AennPlan *plan = sl->plan;
  const AennKernels *k = plan->k;
  const AennLayer *L = sl->L;
  guint kk = L->kernel, half = kk / 2, cin = sl->ic;
  gint ih = (gint) plan->th[sl->ti];
  const float *zero = plan->zero_row + ROW_LEAD;
  const float *wt = L->weight, *bias = L->bias;

  if (plan->fold[sl->i].in_c) {
    cin = plan->fold[sl->i].in_c;
    wt = plan->fold[sl->i].w;
    bias = plan->fold[sl->i].b;
  }
  for (gint y = sl->lo; y < sl->hi;) {
    gint rows = 1;
    for (guint c = 0; c < cin; c++)
      for (guint dy = 0; dy < kk; dy++) {
        gint yy = y + (gint) dy - (gint) half;
        if (yy < 0 || yy >= ih) {
          if (L->pad == AENN_PAD_ZERO) {
            sl->inp[c * kk + dy] = zero;
            continue;
          }
          yy = CLAMP (yy, 0, ih - 1);
        }
        sl->inp[c * kk + dy] = row_of (plan, sl->arena, sl->ti, sl->ilo, yy, c);
      }
    for (guint o = 0; o < sl->oc; o++)
      sl->outp[o] = row_of (plan, sl->arena, sl->to, sl->lo, y, o);
    if (k->conv_rows == NULL)
      k->conv_row (sl->outp, sl->inp, (int) sl->w, (int) cin, (int) sl->oc,
          (int) kk, wt, bias, L->act, L->slope);
    else {
      if (y >= (gint) half)
        rows = MAX (MIN (sl->hi, ih - (gint) half) - y, 1);
      k->conv_rows (sl->outp, sl->oc * plan->rs[sl->to], sl->inp,
          sl->ic * plan->rs[sl->ti], rows, (int) sl->w, (int) cin,
          (int) sl->oc, (int) kk, wt, bias, L->act, L->slope);
    }
    y += rows;
  }
}

static void
step_conv (const StripLayer * sl)
{
  AennPlan *plan = sl->plan;

  if (sl->L->kernel / 2 > 0)
    conv_pad_columns (sl);
  if (plan->calib)
    calib_rows (plan, sl->arena, sl->i, sl->ti, sl->ilo, sl->ihi);
  if (plan->q)
    conv_quantized (plan, sl->arena, sl->worker, sl->i, sl->lo, sl->hi,
        sl->ilo, sl->ihi, sl->outp);
  else
    conv_float_rows (sl);
}

/* All rows at once per input channel and row parity. */
static void
step_s2d (const StripLayer * sl)
{
  AennPlan *plan = sl->plan;
  int os = (int) (sl->oc * plan->rs[sl->to] * sizeof (float));
  int is = (int) (2 * sl->ic * plan->rs[sl->ti] * sizeof (float));

  for (guint c = 0; c < sl->ic; c++)
    for (guint dy = 0; dy < 2; dy++)
      plan->k->deinterleave2_f32 (row_of (plan, sl->arena, sl->to, sl->lo,
              sl->lo, c * 4 + dy * 2), os, row_of (plan, sl->arena, sl->to,
              sl->lo, sl->lo, c * 4 + dy * 2 + 1), os, row_of (plan,
              sl->arena, sl->ti, sl->ilo, 2 * sl->lo + (gint) dy, c), is,
          (int) sl->w, sl->hi - sl->lo);
}

/* The rows of one parity at once per output channel. */
static void
step_d2s (const StripLayer * sl)
{
  AennPlan *plan = sl->plan;
  int os = (int) (2 * sl->oc * plan->rs[sl->to] * sizeof (float));
  int is = (int) (sl->ic * plan->rs[sl->ti] * sizeof (float));

  for (guint dy = 0; dy < 2; dy++) {
    gint y = sl->lo + (gint) (((guint) sl->lo & 1) != dy);
    if (y >= sl->hi)
      continue;
    for (guint c = 0; c < sl->oc; c++)
      plan->k->interleave2_f32 (row_of (plan, sl->arena, sl->to, sl->lo, y,
              c), os, row_of (plan, sl->arena, sl->ti, sl->ilo, y / 2,
              c * 4 + dy * 2), is, row_of (plan, sl->arena, sl->ti, sl->ilo,
              y / 2, c * 4 + dy * 2 + 1), is, (int) plan->tw[sl->ti],
          (sl->hi - y + 1) / 2);
  }
}

static void
step_add (const StripLayer * sl)
{
  AennPlan *plan = sl->plan;
  guint tb = (guint) sl->L->in[1];
  gint blo = sl->r[2 * tb];
  int os = (int) (sl->oc * plan->rs[sl->to] * sizeof (float));
  int as = (int) (sl->ic * plan->rs[sl->ti] * sizeof (float));
  int bs = (int) (plan->model->tensors[tb].channels * plan->rs[tb]
      * sizeof (float));

  for (guint c = 0; c < sl->oc; c++)
    plan->k->add_f32 (row_of (plan, sl->arena, sl->to, sl->lo, sl->lo, c), os,
        row_of (plan, sl->arena, sl->ti, sl->ilo, sl->lo, c), as,
        row_of (plan, sl->arena, tb, blo, sl->lo, c), bs, (int) sl->w,
        sl->hi - sl->lo);
}

static void
step_concat (const StripLayer * sl)
{
  AennPlan *plan = sl->plan;
  guint tb = (guint) sl->L->in[1];
  gint blo = sl->r[2 * tb];

  for (gint y = sl->lo; y < sl->hi; y++)
    for (guint c = 0; c < sl->oc; c++)
      memcpy (row_of (plan, sl->arena, sl->to, sl->lo, y, c), c < sl->ic ?
          row_of (plan, sl->arena, sl->ti, sl->ilo, y, c) :
          row_of (plan, sl->arena, tb, blo, y, c - sl->ic),
          sl->w * sizeof (float));
}

static void
step_sigma (const StripLayer * sl)
{
  float v = sl->plan->sigma[sl->L->channel] / 255.0f;

  for (gint y = sl->lo; y < sl->hi; y++) {
    float *d = row_of (sl->plan, sl->arena, sl->to, sl->lo, y, 0);
    for (guint x = 0; x < sl->w; x++)
      d[x] = v;
  }
}

/* The strip's output rows: the input less the predicted noise (residual
 * models) or the network's output. */
static void
strip_store_output (AennPlan * plan, float *arena, const gint * r, guint y0,
    guint y1)
{
  const AennModel *m = plan->model;
  guint to = (guint) m->output;
  gint lo = r[2 * to];
  gsize nf = m->tensors[to].channels * plan->rs[to];    /* row stride */

  for (guint c = 0; c < m->in_channels; c++) {
    const float *n = row_of (plan, arena, to, lo, (gint) y0, c);
    float *d = plan->dst[c] + y0 * plan->dst_stride;
    const float *x = plan->src[c] + y0 * plan->src_stride;
    if (m->residual)
      plan->k->sub_f32 (d, (int) (plan->dst_stride * sizeof (float)), x,
          (int) (plan->src_stride * sizeof (float)), n,
          (int) (nf * sizeof (float)), (int) plan->width, (int) (y1 - y0));
    else
      for (guint y = 0; y < y1 - y0; y++)
        memcpy (d + y * plan->dst_stride, n + y * nf,
            plan->width * sizeof (float));
  }
}

/* Strip s: every layer over the rows the strip's output needs, in the
 * worker's own buffers. */
static void
run_strip (guint s, guint worker, gpointer user_data)
{
  AennPlan *plan = user_data;
  const AennModel *m = plan->model;
  StripLayer sl = { 0 };
  guint y0 = s * plan->strip_rows;
  guint y1 = MIN (y0 + plan->strip_rows, plan->height);

  sl.plan = plan;
  sl.arena = thread_arena (plan, worker);
  sl.worker = worker;
  sl.r = strip_range (plan, s);
  sl.inp = plan->inptr + ((gsize) worker) * plan->max_ptrs;
  sl.outp = plan->outptr + ((gsize) worker) * plan->max_ptrs;
  strip_load_input (plan, sl.arena, sl.r);
  for (guint i = 0; i < m->n_layers; i++) {
    const AennLayer *L = &m->layers[i];
    sl.i = i;
    sl.L = L;
    sl.to = L->out;
    sl.ti = L->n_in ? (guint) L->in[0] : 0;
    sl.lo = sl.r[2 * sl.to];
    sl.hi = sl.r[2 * sl.to + 1];
    sl.ilo = L->n_in ? sl.r[2 * sl.ti] : 0;
    sl.ihi = L->n_in ? sl.r[2 * sl.ti + 1] : 0;
    sl.oc = m->tensors[sl.to].channels;
    sl.ic = L->n_in ? m->tensors[sl.ti].channels : 0;
    sl.w = plan->tw[sl.to];
    if (sl.lo >= sl.hi)
      continue;
    switch (L->op) {
      case AENN_OP_CONV:
        step_conv (&sl);
        break;
      case AENN_OP_S2D:
        step_s2d (&sl);
        break;
      case AENN_OP_D2S:
        step_d2s (&sl);
        break;
      case AENN_OP_ADD:
        step_add (&sl);
        break;
      case AENN_OP_CONCAT:
        step_concat (&sl);
        break;
      case AENN_OP_SIGMA:
        step_sigma (&sl);
        break;
    }
  }
  strip_store_output (plan, sl.arena, sl.r, y0, y1);
}

void
aenn_plan_process (AennPlan * plan, const float *const *src,
    gsize src_stride, float *const *dst, gsize dst_stride, float sigma)
{
  float levels[AENN_MAX_IN_CHANNELS];

  for (guint c = 0; c < AENN_MAX_IN_CHANNELS; c++)
    levels[c] = sigma;
  aenn_plan_process_levels (plan, src, src_stride, dst, dst_stride, levels);
}

void
aenn_plan_process_levels (AennPlan * plan, const float *const *src,
    gsize src_stride, float *const *dst, gsize dst_stride, const float *sigma)
{
  g_return_if_fail (plan->arena != NULL);
  plan->src = src;
  plan->src_stride = src_stride;
  plan->dst = dst;
  plan->dst_stride = dst_stride;
  memcpy (plan->sigma, sigma, plan->model->in_channels * sizeof (float));
  fold_update (plan);
  if (plan->pool)
    worker_pool_run (plan->pool, plan->n_strips, run_strip, plan);
  else
    for (guint s = 0; s < plan->n_strips; s++)
      run_strip (s, 0, plan);
}

/* ---- quantization (vnni path) ---- */

/* Calibration frames: dead leaves under the noise levels the network is
 * run at, the noise-level plane set to the same sigma. A yuv420 model's
 * are what it runs on: colour dead leaves in studio-range 4:2:0 with RGB
 * noise of those sigmas through the matrix, each channel given its
 * plane's level (grey planes with the luma's level on Cb and Cr would
 * calibrate its chroma for noise it never sees). */
#define CALIB_SIZE 192
#define CALIB_SEED G_GUINT64_CONSTANT (0x5eed0a11ca1b)
static const float calib_sigmas[] = { 0.0f, 15.0f, 30.0f, 50.0f };

/* The observed range is widened by this share on each side: activations
 * of frames unlike the calibration ones saturate a little later. */
#define CALIB_MARGIN 0.05f

/* Which channels of which tensors are known to lie in [0, 1] whatever the
 * frame: the image (on 0..1) and the noise-level plane (sigma / 255, sigma
 * at most 255), through the ops that only move values around. Those get
 * the exact range [0, 1] instead of a calibrated one: an 8-bit frame then
 * quantizes without loss (q = 255 x), and a noise level beyond the
 * calibration sigmas is not clipped. bnd: (n_tensors, maxc). */
static void
bounded_channels (const AennModel * m, guint maxc, gboolean * bnd)
{
  for (guint c = 0; c < m->in_channels; c++)
    bnd[c] = TRUE;
  for (guint i = 0; i < m->n_layers; i++) {
    const AennLayer *L = &m->layers[i];
    gboolean *o = bnd + (gsize) L->out * maxc;
    const gboolean *a = L->n_in > 0 ? bnd + (gsize) L->in[0] * maxc : NULL;
    const gboolean *b = L->n_in > 1 ? bnd + (gsize) L->in[1] * maxc : NULL;
    guint oc = m->tensors[L->out].channels;
    guint ic = L->n_in > 0 ? m->tensors[L->in[0]].channels : 0;
    for (guint c = 0; c < oc; c++)
      switch (L->op) {
        case AENN_OP_SIGMA:
          o[c] = TRUE;
          break;
        case AENN_OP_S2D:
          o[c] = a[c / 4];
          break;
        case AENN_OP_D2S:
          o[c] = a[4 * c] && a[4 * c + 1] && a[4 * c + 2] && a[4 * c + 3];
          break;
        case AENN_OP_CONCAT:
          o[c] = c < ic ? a[c] : b[c - ic];
          break;
        case AENN_OP_CONV:
        case AENN_OP_ADD:
          o[c] = FALSE;
          break;
      }
  }
}

/* A yuv420 model's calibration frames, (n_sigmas, 6, CALIB_SIZE,
 * CALIB_SIZE), and each one's levels, (n_sigmas, 6). */
static float *
calib_frames_make_yuv420 (float *levels)
{
  guint S = 2 * CALIB_SIZE;
  gsize n = (gsize) CALIB_SIZE * CALIB_SIZE, lpix = ((gsize) S) * S;
  /* (3, S, S) RGB, then clean Y (S, S), Cb, Cr, noisy the same */
  float *buf = g_new (float, 3 * lpix + 2 * (lpix + 2 * n));
  float *rgb = buf, *cy = buf + 3 * lpix, *ccb = cy + lpix, *ccr = ccb + n;
  float *ny = ccr + n, *ncb = ny + lpix, *ncr = ncb + n;
  const float *clean[3] = { cy, ccb, ccr };
  float *noisy[3] = { ny, ncb, ncr };
  float *frames = g_new (float, G_N_ELEMENTS (calib_sigmas) * 6 * n);
  AennDeadLeavesParams lp;

  aenn_deadleaves_params_init (&lp);
  for (guint i = 0; i < G_N_ELEMENTS (calib_sigmas); i++) {
    double lv[3];
    Rng r;
    aenn_deadleaves_render (&lp, CALIB_SEED + i, 3, S, S, rgb);
    aenn_colour_rgb_to_yuv420 (rgb, S, S, cy, ccb, ccr);
    rng_init (&r, CALIB_SEED, i, 0);
    aenn_colour_noise_rgb_420 (&r, clean, noisy, S, S, calib_sigmas[i],
        AENN_YCBCR_STUDIO, TRUE, lv);
    aenn_colour_yuv420_to_channels (ny, ncb, ncr, CALIB_SIZE, CALIB_SIZE,
        frames + i * 6 * n);
    for (guint k = 0; k < 6; k++)
      levels[i * 6 + k] = (float) lv[k < 4 ? 0 : k - 3];
  }
  g_free (buf);
  return frames;
}

/* The noisy calibration frames: (n_sigmas, C, CALIB_SIZE, CALIB_SIZE). */
static float *
calib_frames_make (guint C)
{
  gsize n = (gsize) CALIB_SIZE * CALIB_SIZE;
  float *clean = g_new (float, C * n);
  float *noisy = g_new (float, G_N_ELEMENTS (calib_sigmas) * C * n);
  AennDeadLeavesParams lp;

  aenn_deadleaves_params_init (&lp);
  for (guint i = 0; i < G_N_ELEMENTS (calib_sigmas); i++) {
    Rng r;
    /* the renderer makes up to 4 correlated channels; more, one by one */
    if (C <= 4)
      aenn_deadleaves_render (&lp, CALIB_SEED + i, C, CALIB_SIZE, CALIB_SIZE,
          clean);
    else
      for (guint c = 0; c < C; c++)
        aenn_deadleaves_render (&lp, CALIB_SEED + i * C + c, 1, CALIB_SIZE,
            CALIB_SIZE, clean + c * n);
    rng_init (&r, CALIB_SEED, i, 0);
    aenn_synth_gaussian (&r, clean, noisy + i * C * n, C * n,
        calib_sigmas[i], TRUE);
  }
  g_free (clean);
  return noisy;
}

/* Rendering them is most of a calibration's cost (0.1 s), and they depend
 * on the channel count alone: the one-channel ones, which every aedenoise
 * model takes, are made once per process and kept (590 kB). *owned is
 * what the caller frees. */
static const float *
calib_frames (guint C, float **owned)
{
  static gsize once = 0;
  static float *mono;

  *owned = NULL;
  if (C != 1)
    return *owned = calib_frames_make (C);
  if (g_once_init_enter (&once)) {
    mono = calib_frames_make (1);
    g_once_init_leave (&once, 1);
  }
  return mono;
}

/* Runs the float engine over the calibration frames; range: (n_layers,
 * maxc, 2), the min and max of each convolution's input channels. */
static gboolean
calibrate (const AennModel * m, guint maxc, float *range, GError ** error)
{
  guint C = m->in_channels;
  gsize n = (gsize) CALIB_SIZE * CALIB_SIZE;
  AennPlan *cal = aenn_plan_new (m, kernel_path_best_float (), error);
  const float *frames;
  float *owned, *out;
  const float **src;
  float **dst;
  float levels[G_N_ELEMENTS (calib_sigmas) * 6];
  gboolean yuv;

  if (cal == NULL)
    return FALSE;
  cal->calib_c = maxc;
  cal->calib = g_new (float, (gsize) m->n_layers * maxc * 2);
  for (gsize j = 0; j < (gsize) m->n_layers * maxc; j++) {
    cal->calib[2 * j] = INFINITY;
    cal->calib[2 * j + 1] = -INFINITY;
  }
  if (!aenn_plan_prepare (cal, CALIB_SIZE, CALIB_SIZE, NULL, 0, error)) {
    aenn_plan_free (cal);
    return FALSE;
  }
  yuv = m->layout == AENN_INPUT_YUV420;
  if (yuv)
    frames = owned = calib_frames_make_yuv420 (levels);
  else
    frames = calib_frames (C, &owned);
  out = g_new (float, C * n);   /* (C, CALIB_SIZE, CALIB_SIZE) */
  src = g_new (const float *, C);
  dst = g_new (float *, C);
  for (guint i = 0; i < G_N_ELEMENTS (calib_sigmas); i++) {
    for (guint c = 0; c < C; c++) {
      src[c] = frames + (i * C + c) * n;
      dst[c] = out + c * n;
    }
    if (yuv)
      aenn_plan_process_levels (cal, src, CALIB_SIZE, dst, CALIB_SIZE,
          levels + i * 6);
    else
      aenn_plan_process (cal, src, CALIB_SIZE, dst, CALIB_SIZE,
          calib_sigmas[i]);
  }
  memcpy (range, cal->calib, (gsize) m->n_layers * maxc * 2 * sizeof (float));
  g_debug ("engine: int8 calibration on %s: %u %sdead-leaves frames of "
      "%ux%u at sigma 0, 15, 30, 50%s", kernel_path_name (cal->path),
      (guint) G_N_ELEMENTS (calib_sigmas), yuv ? "colour " : "", CALIB_SIZE,
      CALIB_SIZE, yuv ? " (RGB, through the matrix to studio-range 4:2:0)" :
      "");
  aenn_plan_free (cal);
  g_free (owned);
  g_free (out);
  g_free (src);
  g_free (dst);
  return TRUE;
}

/* Per convolution: u8 activations with a scale and zero point per input
 * channel (asymmetric: leaky ReLU outputs go negative); the activation
 * scales folded into the weights, w'[o][c] = w[o][c] s[c], which are then
 * s8 per output channel, symmetric in -127..127; the zero points' share
 * taken out after the sum, corr[o] = sum of wq[o][c] zp[c]. Then
 *   sum w x = sum w' (q - zp) ~ scale[o] (acc - corr[o]).
 * Sums stay within int32: 1024 channels x 9 taps x 255 x 127 < 2^31. */
static gboolean
plan_quantize (AennPlan * plan, GError ** error)
{
  const AennModel *m = plan->model;
  guint maxc = 1;
  float *range;
  gboolean *bnd;

  for (guint t = 0; t < m->n_tensors; t++)
    maxc = MAX (maxc, m->tensors[t].channels);
  range = g_new (float, (gsize) m->n_layers * maxc * 2);
  bnd = g_new0 (gboolean, (gsize) m->n_tensors * maxc);
  if (!calibrate (m, maxc, range, error)) {
    g_free (range);
    g_free (bnd);
    return FALSE;
  }
  bounded_channels (m, maxc, bnd);

  plan->q = g_new0 (AennQLayer, m->n_layers);
  for (guint i = 0; i < m->n_layers; i++) {
    const AennLayer *L = &m->layers[i];
    AennQLayer *Q = &plan->q[i];
    guint ti, ic, oc, kk, ng;
    const float *mm = range + (gsize) i * maxc * 2;
    float *sa;                  /* (ic): activation scales */

    if (L->op != AENN_OP_CONV)
      continue;
    ti = (guint) L->in[0];
    ic = conv_in_c (plan, i);
    oc = m->tensors[L->out].channels;
    kk = L->kernel * L->kernel;
    ng = Q->n_groups = (ic + 3) / 4;
    g_debug ("engine: layer %s: int8, %u input channels in %u groups of 4, "
        "%u outputs", L->name, ic, ng, oc);
    Q->inv_s = g_new (float, ic);
    Q->zp = g_new (float, ic);
    sa = g_new (float, ic);
    for (guint c = 0; c < ic; c++) {
      float lo = mm[2 * c], hi = mm[2 * c + 1], s;
      if (bnd[(gsize) ti * maxc + c]) {
        lo = 0.0f;
        hi = 1.0f;
      } else if (lo <= hi) {
        float d = (hi - lo) * CALIB_MARGIN;
        lo -= d;
        hi += d;
      } else
        lo = hi = 0.0f;         /* never seen */
      /* zero is exact (zero padding, ReLU) */
      lo = MIN (lo, 0.0f);
      hi = MAX (hi, 0.0f);
      s = (hi - lo) / 255.0f;
      if (!(s > 0.0f))
        s = 1.0f / 255.0f;
      sa[c] = s;
      Q->inv_s[c] = 1.0f / s;
      Q->zp[c] = CLAMP (nearbyintf (-lo / s), 0.0f, 255.0f);
    }
    /* a layer that reads the frame has inputs that quantize without loss
     * (the image's own 8 bits), so its weights carry all of its error, and
     * on Set12 8 bits of them cost 0.08 dB there alone: two terms */
    Q->terms = 1;
    for (guint c = 0; c < ic; c++)
      if (bnd[(gsize) ti * maxc + c])
        Q->terms = 2;
    Q->wq = g_new0 (gint8, (gsize) oc * Q->terms * ng * kk * 4);
    Q->corr = g_new (gint32, oc * Q->terms);
    Q->scale = g_new (float, oc * Q->terms);
    for (guint o = 0; o < oc; o++) {
      const float *w = (plan->fold[i].in_c ? plan->fold[i].w : L->weight)
          + (gsize) o * ic * kk;        /* (ic, k, k) */
      double *left = g_new (double, ic * kk);   /* (ic, k, k): w' not yet
                                                 * represented */
      for (guint c = 0; c < ic; c++)
        for (guint t = 0; t < kk; t++)
          left[c * kk + t] = (double) w[c * kk + t] * sa[c];
      for (guint j = 0; j < Q->terms; j++) {
        guint v = o * Q->terms + j;
        double wmax = 0.0, sw;
        gint64 corr = 0;
        for (guint c = 0; c < ic * kk; c++)
          wmax = MAX (wmax, fabs (left[c]));
        /* the float the kernel multiplies by, so that what is left over
         * is measured against it */
        sw = (float) (wmax / 127.0);
        for (guint c = 0; c < ic; c++)
          for (guint t = 0; t < kk; t++) {
            double x = sw > 0.0 ? left[c * kk + t] / sw : 0.0;
            gint q = (gint) CLAMP (nearbyint (x), -127.0, 127.0);
            Q->wq[(((gsize) v * ng + c / 4) * kk + t) * 4 + c % 4] = (gint8) q;
            corr += ((gint64) q) * (gint64) Q->zp[c];
            left[c * kk + t] -= q * sw;
          }
        Q->corr[v] = (gint32) corr;
        Q->scale[v] = (float) sw;
      }
      g_free (left);
    }
    g_free (sa);
  }
  g_free (range);
  g_free (bnd);
  return TRUE;
}
