/* The strip scheduler. For each strip, a backward pass over the layers
 * (done once, in prepare) gives the rows of every tensor the strip needs;
 * the forward pass then computes exactly those rows, layer after layer, in
 * buffers private to the thread. */
#include "config.h"
#include "aenn_engine.h"
#include "aenn_kernels.h"

#include <string.h>

/* Rows keep 16 floats before x = 0 (one is the left border, the rest keep
 * x = 0 on a 64-byte boundary) and at least one after the last column. */
#define ROW_LEAD 16

struct _AennPlan
{
  const AennModel *model;
  const AennKernels *k;
  GuPath path;

  /* set by prepare */
  GuPool *pool;
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

  /* arguments of the frame in flight */
  const float *const *src;
  gsize src_stride;
  float *const *dst;
  gsize dst_stride;
  float sigma;
};

AennPlan *
aenn_plan_new (const AennModel * model, GuPath path, GError ** error)
{
  AennPlan *plan;
  const AennKernels *k;

  if (path == GU_PATH_AUTO)
    path = gu_path_default ();
  k = aenn_kernels_get (path);
  if (k == NULL) {
    g_set_error (error, AENN_ERROR, AENN_ERROR_SIZE,
        "kernel path \"%s\" is not supported by this CPU or build",
        gu_path_name (path));
    return NULL;
  }
  plan = g_new0 (AennPlan, 1);
  plan->model = model;
  plan->k = k;
  plan->path = path;
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
  plan->width = plan->height = 0;
}

void
aenn_plan_free (AennPlan * plan)
{
  if (plan == NULL)
    return;
  plan_clear (plan);
  g_free (plan);
}

GuPath
aenn_plan_get_path (const AennPlan * plan)
{
  return plan->path;
}

const gchar *
aenn_plan_get_path_name (const AennPlan * plan)
{
  return gu_path_name (plan->path);
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
  return plan->arena_floats * sizeof (float);
}

static inline gint *
strip_range (const AennPlan * plan, guint s)
{
  return plan->range + (gsize) s * plan->model->n_tensors * 2;
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
        default:
          break;
      }
      r[2 * t] = MIN (r[2 * t], a);
      r[2 * t + 1] = MAX (r[2 * t + 1], b);
    }
  }
}

gboolean
aenn_plan_prepare (AennPlan * plan, guint width, guint height,
    GuPool * pool, guint strip_rows, GError ** error)
{
  const AennModel *m = plan->model;
  guint nt = m->n_tensors, align = 1u << m->max_level;
  gsize off = 0, max_rs = 0;
  guint max_ptrs = 1;

  plan_clear (plan);
  /* 2^16 keeps every row and offset product below 2^63 with 1024
   * channels; real frames are far smaller */
  if (width == 0 || height == 0 || width > 65536 || height > 65536) {
    g_set_error (error, AENN_ERROR, AENN_ERROR_SIZE,
        "frame size %ux%u not within 1x1..65536x65536", width, height);
    return FALSE;
  }
  plan->pool = pool;
  plan->n_threads = pool ? gu_pool_get_n_threads (pool) : 1;
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
    /* tensors whose lives do not overlap share memory: a tensor lives from
     * the layer that makes it to the last layer that reads it (x from
     * before the first layer, the output to the end), and a block is
     * reused only once its last reader has run, never by that reader */
    {
      gint *last = g_new (gint, nt);
      gint *blk_free = g_new (gint, nt);        /* (n_blocks) */
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
        gsize need = (gsize) max_rows[t] * m->tensors[t].channels
            * plan->rs[t];
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
    }
    g_free (max_rows);
  }
  plan->arena_floats = (off + 15) / 16 * 16;
  plan->arena = g_malloc0_n ((gsize) plan->n_threads * plan->arena_floats + 16,
      sizeof (float));
  plan->zero_row = g_malloc0_n (max_rs + ROW_LEAD, sizeof (float));
  plan->max_ptrs = max_ptrs;
  plan->inptr = g_new0 (const float *, (gsize) plan->n_threads * max_ptrs);
  plan->outptr = g_new0 (float *, (gsize) plan->n_threads * max_ptrs);
  return TRUE;
}

/* Row y of channel c of tensor t, whose stored rows start at lo. */
static inline float *
row_of (const AennPlan * plan, float *arena, guint t, gint lo, gint y,
    guint c)
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
  return (float *) a + (gsize) worker * plan->arena_floats;
}

static void
run_strip (guint s, guint worker, gpointer user_data)
{
  AennPlan *plan = user_data;
  const AennModel *m = plan->model;
  const AennKernels *k = plan->k;
  float *arena = thread_arena (plan, worker);
  const float **inp = plan->inptr + (gsize) worker * plan->max_ptrs;
  float **outp = plan->outptr + (gsize) worker * plan->max_ptrs;
  const gint *r = strip_range (plan, s);
  guint y0 = s * plan->strip_rows;
  guint y1 = MIN (y0 + plan->strip_rows, plan->height);

  /* the input, its last row and column replicated out to the padded size */
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

  for (guint i = 0; i < m->n_layers; i++) {
    const AennLayer *L = &m->layers[i];
    guint to = L->out, ti = L->n_in ? (guint) L->in[0] : 0;
    gint lo = r[2 * to], hi = r[2 * to + 1];
    gint ilo = L->n_in ? r[2 * ti] : 0, ihi = L->n_in ? r[2 * ti + 1] : 0;
    guint oc = m->tensors[to].channels, w = plan->tw[to];
    guint ic = L->n_in ? m->tensors[ti].channels : 0;

    if (lo >= hi)
      continue;
    switch (L->op) {
      case AENN_OP_CONV:{
        guint kk = L->kernel, half = kk / 2, iw = plan->tw[ti];
        gint ih = (gint) plan->th[ti];
        const float *zero = plan->zero_row + ROW_LEAD;
        /* the border columns carry this layer's padding */
        if (half > 0)
          for (gint y = ilo; y < ihi; y++)
            for (guint c = 0; c < ic; c++) {
              float *p = row_of (plan, arena, ti, ilo, y, c);
              if (L->pad == AENN_PAD_ZERO)
                p[-1] = p[iw] = 0.0f;
              else {
                p[-1] = p[0];
                p[iw] = p[iw - 1];
              }
            }
        for (guint o = 0; o < oc; o++)
          outp[o] = row_of (plan, arena, to, lo, lo, o);
        for (gint y = lo; y < hi; y++) {
          for (guint c = 0; c < ic; c++)
            for (guint dy = 0; dy < kk; dy++) {
              gint yy = y + (gint) dy - (gint) half;
              if (yy < 0 || yy >= ih) {
                if (L->pad == AENN_PAD_ZERO) {
                  inp[c * kk + dy] = zero;
                  continue;
                }
                yy = CLAMP (yy, 0, ih - 1);
              }
              inp[c * kk + dy] = row_of (plan, arena, ti, ilo, yy, c);
            }
          for (guint o = 0; o < oc; o++)
            outp[o] = row_of (plan, arena, to, lo, y, o);
          k->conv_row (outp, inp, (int) w, (int) ic, (int) oc, (int) kk,
              L->weight, L->bias, L->act, L->slope);
        }
        break;
      }
      case AENN_OP_S2D:
        for (gint y = lo; y < hi; y++)
          for (guint c = 0; c < ic; c++)
            for (guint dy = 0; dy < 2; dy++)
              k->deinterleave2_f32 (row_of (plan, arena, to, lo, y,
                      c * 4 + dy * 2), row_of (plan, arena, to, lo, y,
                      c * 4 + dy * 2 + 1), row_of (plan, arena, ti, ilo,
                      2 * y + (gint) dy, c), (int) w);
        break;
      case AENN_OP_D2S:
        for (gint y = lo; y < hi; y++) {
          guint dy = (guint) y & 1;
          for (guint c = 0; c < oc; c++)
            k->interleave2_f32 (row_of (plan, arena, to, lo, y, c),
                row_of (plan, arena, ti, ilo, y / 2, c * 4 + dy * 2),
                row_of (plan, arena, ti, ilo, y / 2, c * 4 + dy * 2 + 1),
                (int) plan->tw[ti]);
        }
        break;
      case AENN_OP_ADD:{
        guint tb = (guint) L->in[1];
        gint blo = r[2 * tb];
        for (gint y = lo; y < hi; y++)
          for (guint c = 0; c < oc; c++)
            k->add_f32 (row_of (plan, arena, to, lo, y, c),
                row_of (plan, arena, ti, ilo, y, c),
                row_of (plan, arena, tb, blo, y, c), (int) w);
        break;
      }
      case AENN_OP_CONCAT:{
        guint tb = (guint) L->in[1];
        gint blo = r[2 * tb];
        for (gint y = lo; y < hi; y++)
          for (guint c = 0; c < oc; c++)
            memcpy (row_of (plan, arena, to, lo, y, c), c < ic ?
                row_of (plan, arena, ti, ilo, y, c) :
                row_of (plan, arena, tb, blo, y, c - ic), w * sizeof (float));
        break;
      }
      case AENN_OP_SIGMA:{
        float v = plan->sigma / 255.0f;
        for (gint y = lo; y < hi; y++) {
          float *d = row_of (plan, arena, to, lo, y, 0);
          for (guint x = 0; x < w; x++)
            d[x] = v;
        }
        break;
      }
    }
  }

  {
    guint to = (guint) m->output;
    gint lo = r[2 * to];
    for (guint y = y0; y < y1; y++)
      for (guint c = 0; c < m->in_channels; c++) {
        const float *n = row_of (plan, arena, to, lo, (gint) y, c);
        float *d = plan->dst[c] + y * plan->dst_stride;
        if (m->residual)
          k->sub_f32 (d, plan->src[c] + y * plan->src_stride, n,
              (int) plan->width);
        else
          memcpy (d, n, plan->width * sizeof (float));
      }
  }
}

void
aenn_plan_process (AennPlan * plan, const float *const *src,
    gsize src_stride, float *const *dst, gsize dst_stride, float sigma)
{
  g_return_if_fail (plan->arena != NULL);
  plan->src = src;
  plan->src_stride = src_stride;
  plan->dst = dst;
  plan->dst_stride = dst_stride;
  plan->sigma = sigma;
  if (plan->pool)
    gu_pool_run (plan->pool, plan->n_strips, run_strip, plan);
  else
    for (guint s = 0; s < plan->n_strips; s++)
      run_strip (s, 0, plan);
}
