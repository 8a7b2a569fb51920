/* Forward and backward passes of an AennModel over a chunk of patches:
 * the layer loop and the cheap data-movement ops here, the convolutions in
 * denoise/train/train_kernels.c. */
#include "config.h"
#include "denoise/train/grad.h"

#include <string.h>

#define MAX_PATCH 4096

typedef struct
{
  guint h, w;                   /* interior size */
  gsize row;                    /* w + 2 */
  gsize plane;                  /* (h + 2) * row: one padded patch */
  gsize gap;                    /* zeros before each channel */
  gsize cstride;                /* floats from one channel to the next */
} Level;

struct _AennGrad
{
  const AennModel *m;
  const AennTrainKernels *k;
  guint patch, nb;
  Level lv[AENN_MAX_LEVEL + 1];
  float **act;                  /* (n_tensors): channel 0, patch 0 */
  float **grad;                 /* (n_tensors), NULL where not needed */
  gboolean *needs_grad;         /* (n_tensors) */
  float *sigma;                 /* (nb, in_channels) */
  float **ptrs;                 /* (AENN_MAX_CHANNELS) scratch */
  float *mem;
};

gsize
aenn_grad_param_offsets (const AennModel * m, gsize * off)
{
  gsize n = 0;
  for (guint i = 0; i < m->n_layers; i++) {
    const AennLayer *L = &m->layers[i];
    if (L->op != AENN_OP_CONV) {
      off[i] = G_MAXSIZE;
      continue;
    }
    off[i] = n;
    n += (gsize) m->tensors[L->out].channels
        * (m->tensors[L->in[0]].channels * L->kernel * L->kernel + 1);
  }
  return n;
}

void
aenn_grad_flip_weights (const AennModel * m, const gsize * off, float *wflip)
{
  for (guint i = 0; i < m->n_layers; i++) {
    const AennLayer *L = &m->layers[i];
    gsize n, kk;
    if (L->op != AENN_OP_CONV)
      continue;
    kk = L->kernel * L->kernel;
    n = (gsize) m->tensors[L->out].channels * m->tensors[L->in[0]].channels;
    for (gsize j = 0; j < n; j++)
      for (gsize t = 0; t < kk; t++)
        wflip[off[i] + j * kk + t] = L->weight[j * kk + kk - 1 - t];
  }
}

static inline float *
chan (const AennGrad * g, float *const *base, guint t, guint c)
{
  return base[t] + ((gsize) c) * g->lv[g->m->tensors[t].level].cstride;
}

/* pixel (y, x) of patch b in a channel */
static inline float *
pix (const Level * lv, float *ch, guint b, guint y, guint x)
{
  return ch + b * lv->plane + (y + 1) * lv->row + x + 1;
}

AennGrad *
aenn_grad_new (const AennModel * m, const AennTrainKernels * k, guint patch,
    guint nb, GError ** error)
{
  AennGrad *g;
  guint align = 1u << m->max_level;
  gsize total = 0, *at, *gat;

  if (patch == 0 || patch % align != 0 || patch > MAX_PATCH) {
    g_set_error (error, AENN_ERROR, AENN_ERROR_SIZE, "patch size %u: must be "
        "a multiple of %u (2^deepest level) within %u..%u", patch, align,
        align, MAX_PATCH);
    return NULL;
  }
  if (nb == 0 || nb > 4096) {
    g_set_error (error, AENN_ERROR, AENN_ERROR_SIZE, "%u patches per chunk, "
        "expected 1..4096", nb);
    return NULL;
  }
  g = g_new0 (AennGrad, 1);
  g->m = m;
  g->k = k;
  g->patch = patch;
  g->nb = nb;
  for (guint l = 0; l <= m->max_level; l++) {
    Level *lv = &g->lv[l];
    lv->h = lv->w = patch >> l;
    lv->row = lv->w + 2;
    lv->plane = (lv->h + 2) * lv->row;
    /* a 3x3 tap reaches row + 1 floats beyond a plane */
    lv->gap = (lv->row + 1 + 15) / 16 * 16;
    lv->cstride = (nb * lv->plane + lv->gap + 15) / 16 * 16;
  }
  g->needs_grad = g_new0 (gboolean, m->n_tensors);
  for (guint i = 0; i < m->n_layers; i++) {
    const AennLayer *L = &m->layers[i];
    gboolean need = L->op == AENN_OP_CONV;
    for (guint j = 0; j < L->n_in; j++)
      need |= g->needs_grad[L->in[j]];
    g->needs_grad[L->out] = need && L->op != AENN_OP_SIGMA;
  }
  at = g_new (gsize, m->n_tensors);
  gat = g_new (gsize, m->n_tensors);
  for (guint t = 0; t < m->n_tensors; t++) {
    const Level *lv = &g->lv[m->tensors[t].level];
    gsize sz = lv->gap + m->tensors[t].channels * lv->cstride;
    at[t] = total;
    total += sz;
    gat[t] = total;
    if (g->needs_grad[t])
      total += sz;
  }
  /* zeroed once: the gaps are never written */
  g->mem = g_malloc0_n (total + 16, sizeof (float));
  g->act = g_new0 (float *, m->n_tensors);
  g->grad = g_new0 (float *, m->n_tensors);
  for (guint t = 0; t < m->n_tensors; t++) {
    const Level *lv = &g->lv[m->tensors[t].level];
    g->act[t] = g->mem + at[t] + lv->gap;
    if (g->needs_grad[t])
      g->grad[t] = g->mem + gat[t] + lv->gap;
  }
  g_free (at);
  g_free (gat);
  g->sigma = g_new0 (float, (gsize) nb * m->in_channels);
  g->ptrs = g_new0 (float *, AENN_MAX_CHANNELS);
  return g;
}

void
aenn_grad_free (AennGrad * g)
{
  if (g == NULL)
    return;
  g_free (g->act);
  g_free (g->grad);
  g_free (g->needs_grad);
  g_free (g->sigma);
  g_free (g->ptrs);
  g_free (g->mem);
  g_free (g);
}

void
aenn_grad_set_input_levels (AennGrad * g, guint b, const float *img,
    const float *levels)
{
  const Level *lv = &g->lv[0];
  guint C = g->m->in_channels;
  g_return_if_fail (b < g->nb);
  for (guint c = 0; c < C; c++)
    for (guint y = 0; y < lv->h; y++)
      memcpy (pix (lv, chan (g, g->act, 0, c), b, y, 0),
          img + ((gsize) c * lv->h + y) * lv->w, lv->w * sizeof (float));
  memcpy (g->sigma + (gsize) b * C, levels, C * sizeof (float));
}

void
aenn_grad_set_input (AennGrad * g, guint b, const float *img, float sigma)
{
  float levels[AENN_MAX_IN_CHANNELS];
  for (guint c = 0; c < g->m->in_channels; c++)
    levels[c] = sigma;
  aenn_grad_set_input_levels (g, b, img, levels);
}

/* the border of every plane of a tensor, as the conv reading it pads */
static void
fill_border (const Level * lv, float *ch, guint nc, guint nb, AennPad pad)
{
  gsize row = lv->row;
  for (guint c = 0; c < nc; c++)
    for (guint b = 0; b < nb; b++) {
      float *p = ch + c * lv->cstride + b * lv->plane;
      for (guint y = 1; y <= lv->h; y++) {
        float *r = p + y * row;
        if (pad == AENN_PAD_ZERO)
          r[0] = r[lv->w + 1] = 0.0f;
        else {
          r[0] = r[1];
          r[lv->w + 1] = r[lv->w];
        }
      }
      if (pad == AENN_PAD_ZERO) {
        memset (p, 0, row * sizeof (float));
        memset (p + (lv->h + 1) * row, 0, row * sizeof (float));
      } else {
        memcpy (p, p + row, row * sizeof (float));
        memcpy (p + (lv->h + 1) * row, p + lv->h * row, row * sizeof (float));
      }
    }
}

/* the gradient of a padded input folded back onto the pixels the padding
 * copied (replicate) or dropped (zero); the border is left zero */
static void
fold_border (const Level * lv, float *ch, guint nc, guint nb, AennPad pad,
    gboolean rows_written)
{
  gsize row = lv->row;
  guint w = lv->w, h = lv->h;
  for (guint c = 0; c < nc; c++)
    for (guint b = 0; b < nb; b++) {
      float *p = ch + c * lv->cstride + b * lv->plane;
      guint y0 = rows_written ? 0 : 1, y1 = rows_written ? h + 1 : h;
      for (guint y = y0; y <= y1; y++) {
        float *r = p + y * row;
        if (pad == AENN_PAD_REPLICATE) {
          r[1] += r[0];
          r[w] += r[w + 1];
        }
        r[0] = r[w + 1] = 0.0f;
      }
      if (rows_written) {
        if (pad == AENN_PAD_REPLICATE)
          for (guint x = 1; x <= w; x++) {
            p[row + x] += p[x];
            p[h * row + x] += p[(h + 1) * row + x];
          }
        memset (p, 0, row * sizeof (float));
        memset (p + (h + 1) * row, 0, row * sizeof (float));
      }
    }
}

static void
conv_forward (AennGrad * g, const AennLayer * L, guint nb)
{
  const AennModel *m = g->m;
  guint ti = L->in[0], to = L->out;
  guint ic = m->tensors[ti].channels, oc = m->tensors[to].channels;
  const Level *lv = &g->lv[m->tensors[to].level];
  gsize kk = L->kernel * L->kernel, n = lv->h * lv->row;

  if (L->kernel == 3)
    fill_border (lv, chan (g, g->act, ti, 0), ic, nb, L->pad);
  for (guint o = 0; o < oc; o++) {
    float *d = chan (g, g->act, to, o);
    g->ptrs[o] = d + lv->row;
    for (guint b = 0; b < nb; b++) {
      float *r = d + b * lv->plane + lv->row;
      for (gsize i = 0; i < n; i++)
        r[i] = L->bias[o];
    }
  }
  g->k->conv_acc (g->ptrs, (int) oc, chan (g, g->act, ti, 0) + lv->row,
      (ptrdiff_t) lv->cstride, (int) ic, (ptrdiff_t) lv->row, L->weight,
      (ptrdiff_t) (ic * kk), (ptrdiff_t) kk, (int) L->kernel, nb,
      (ptrdiff_t) lv->plane, (ptrdiff_t) n);
  for (guint o = 0; o < oc; o++)
    for (guint b = 0; b < nb; b++) {
      float *r = chan (g, g->act, to, o) + b * lv->plane;
      g->k->act (r + lv->row, (ptrdiff_t) n, L->act, L->slope);
      /* border columns hold values of wrapped taps: keep them finite and
       * inert */
      for (guint y = 1; y <= lv->h; y++)
        r[y * lv->row] = r[y * lv->row + lv->w + 1] = 0.0f;
    }
}

void
aenn_grad_forward (AennGrad * g, guint nb)
{
  const AennModel *m = g->m;

  g_return_if_fail (nb <= g->nb);
  for (guint i = 0; i < m->n_layers; i++) {
    const AennLayer *L = &m->layers[i];
    guint to = L->out;
    const Level *lo = &g->lv[m->tensors[to].level];
    guint oc = m->tensors[to].channels;
    guint ic = L->n_in ? m->tensors[L->in[0]].channels : 0;
    const Level *li = L->n_in ? &g->lv[m->tensors[L->in[0]].level] : lo;

    switch (L->op) {
      case AENN_OP_CONV:
        conv_forward (g, L, nb);
        break;
      case AENN_OP_S2D:
        for (guint c = 0; c < oc; c++) {
          float *d = chan (g, g->act, to, c);
          float *s = chan (g, g->act, L->in[0], c / 4);
          guint dy = (c / 2) % 2, dx = c % 2;
          for (guint b = 0; b < nb; b++)
            for (guint y = 0; y < lo->h; y++) {
              float *dr = pix (lo, d, b, y, 0);
              const float *sr = pix (li, s, b, 2 * y + dy, dx);
              for (guint x = 0; x < lo->w; x++)
                dr[x] = sr[2 * x];
            }
        }
        break;
      case AENN_OP_D2S:
        for (guint c = 0; c < oc; c++)
          for (guint b = 0; b < nb; b++)
            for (guint y = 0; y < lo->h; y++) {
              float *dr = pix (lo, chan (g, g->act, to, c), b, y, 0);
              const float *s0 = pix (li, chan (g, g->act, L->in[0],
                      c * 4 + (y % 2) * 2), b, y / 2, 0);
              const float *s1 = pix (li, chan (g, g->act, L->in[0],
                      c * 4 + (y % 2) * 2 + 1), b, y / 2, 0);
              for (guint x = 0; x < li->w; x++) {
                dr[2 * x] = s0[x];
                dr[2 * x + 1] = s1[x];
              }
            }
        break;
      case AENN_OP_ADD:
        for (guint c = 0; c < oc; c++)
          for (guint b = 0; b < nb; b++)
            for (guint y = 0; y < lo->h; y++) {
              float *dr = pix (lo, chan (g, g->act, to, c), b, y, 0);
              const float *a = pix (lo, chan (g, g->act, L->in[0], c), b, y,
                  0);
              const float *bb = pix (lo, chan (g, g->act, L->in[1], c), b, y,
                  0);
              for (guint x = 0; x < lo->w; x++)
                dr[x] = a[x] + bb[x];
            }
        break;
      case AENN_OP_CONCAT:
        for (guint c = 0; c < oc; c++)
          for (guint b = 0; b < nb; b++)
            for (guint y = 0; y < lo->h; y++)
              memcpy (pix (lo, chan (g, g->act, to, c), b, y, 0),
                  pix (lo, c < ic ? chan (g, g->act, L->in[0], c) :
                      chan (g, g->act, L->in[1], c - ic), b, y, 0),
                  lo->w * sizeof (float));
        break;
      case AENN_OP_SIGMA:
        for (guint b = 0; b < nb; b++) {
          float v = g->sigma[(gsize) b * m->in_channels + L->channel]
              / 255.0f;
          for (guint y = 0; y < lo->h; y++) {
            float *dr = pix (lo, chan (g, g->act, to, 0), b, y, 0);
            for (guint x = 0; x < lo->w; x++)
              dr[x] = v;
          }
        }
        break;
    }
  }
}

void
aenn_grad_get_output (const AennGrad * g, guint b, float *out)
{
  const AennModel *m = g->m;
  const Level *lv = &g->lv[0];
  for (guint c = 0; c < m->in_channels; c++)
    for (guint y = 0; y < lv->h; y++) {
      const float *n = pix (lv, chan (g, g->act, m->output, c), b, y, 0);
      const float *x = pix (lv, chan (g, g->act, 0, c), b, y, 0);
      float *d = out + ((gsize) c * lv->h + y) * lv->w;
      for (guint i = 0; i < lv->w; i++)
        d[i] = m->residual ? x[i] - n[i] : n[i];
    }
}

static void
conv_backward (AennGrad * g, const AennLayer * L, guint nb, const float *wf,
    float *dw)
{
  const AennModel *m = g->m;
  const AennTrainKernels *k = g->k;
  guint ti = L->in[0], to = L->out;
  guint ic = m->tensors[ti].channels, oc = m->tensors[to].channels;
  const Level *lv = &g->lv[m->tensors[to].level];
  gsize kk = L->kernel * L->kernel, n = lv->h * lv->row;
  float *db = dw + (gsize) oc * ic * kk;

  for (guint o = 0; o < oc; o++) {
    float *gr = chan (g, g->grad, to, o) + lv->row;
    const float *y = chan (g, g->act, to, o) + lv->row;
    float s = 0.0f;
    for (guint b = 0; b < nb; b++) {
      k->act_grad (gr + b * lv->plane, y + b * lv->plane, (ptrdiff_t) n,
          L->act, L->slope);
      s += k->sum (gr + b * lv->plane, (ptrdiff_t) n);
    }
    db[o] += s;
  }
  /* another reader of the input may have padded it differently since */
  if (L->kernel == 3)
    fill_border (lv, chan (g, g->act, ti, 0), ic, nb, L->pad);
  k->conv_wgrad (dw, (ptrdiff_t) (ic * kk), (ptrdiff_t) kk,
      chan (g, g->grad, to, 0) + lv->row, (ptrdiff_t) lv->cstride, (int) oc,
      chan (g, g->act, ti, 0) + lv->row, (ptrdiff_t) lv->cstride, (int) ic,
      (ptrdiff_t) lv->row, (int) L->kernel, nb, (ptrdiff_t) lv->plane,
      (ptrdiff_t) n);
  if (!g->needs_grad[ti])
    return;
  {
    /* replicate padding sends the border's gradient to the edge pixels,
     * so the whole padded plane is needed; zero padding drops it */
    gboolean rows = L->kernel == 3 && L->pad == AENN_PAD_REPLICATE;
    gsize start = rows ? 0 : lv->row;
    gsize len = rows ? nb * lv->plane : n;
    gsize n_seg = rows ? 1 : nb;
    for (guint c = 0; c < ic; c++)
      g->ptrs[c] = chan (g, g->grad, ti, c) + start;
    k->conv_acc (g->ptrs, (int) ic, chan (g, g->grad, to, 0) + start,
        (ptrdiff_t) lv->cstride, (int) oc, (ptrdiff_t) lv->row, wf,
        (ptrdiff_t) kk, (ptrdiff_t) (ic * kk), (int) L->kernel,
        (ptrdiff_t) n_seg, (ptrdiff_t) lv->plane, (ptrdiff_t) len);
    fold_border (lv, chan (g, g->grad, ti, 0), ic, nb,
        L->kernel == 3 ? L->pad : AENN_PAD_ZERO, rows);
  }
}

double
aenn_grad_backward (AennGrad * g, guint nb, const float *target,
    const float *mask, float scale, const gsize * off, const float *wflip,
    float *dparams)
{
  const AennModel *m = g->m;
  const Level *l0 = &g->lv[0];
  guint P = g->patch;
  double loss = 0.0;

  g_return_val_if_fail (nb <= g->nb, 0.0);
  for (guint t = 0; t < m->n_tensors; t++)
    if (g->grad[t] != NULL) {
      const Level *lv = &g->lv[m->tensors[t].level];
      memset (g->grad[t], 0, (m->tensors[t].channels * lv->cstride
              - lv->gap) * sizeof (float));
    }

  /* the loss and its gradient at the output tensor */
  for (guint b = 0; b < nb; b++)
    for (guint c = 0; c < m->in_channels; c++)
      for (guint y = 0; y < P; y++) {
        const float *n = pix (l0, chan (g, g->act, m->output, c), b, y, 0);
        const float *x = pix (l0, chan (g, g->act, 0, c), b, y, 0);
        const float *tg = target + (((gsize) b * m->in_channels + c) * P
            + y) * P;
        const float *mk = mask ? mask + ((gsize) b * P + y) * P : NULL;
        float *gn = pix (l0, chan (g, g->grad, m->output, c), b, y, 0);
        for (guint i = 0; i < P; i++) {
          float r = m->residual ? x[i] - n[i] : n[i];
          float d = r - tg[i], wgt = mk ? mk[i] : 1.0f;
          loss += ((double) wgt) * d * d;
          gn[i] = (m->residual ? -2.0f : 2.0f) * scale * wgt * d;
        }
      }

  for (guint i = m->n_layers; i-- > 0;) {
    const AennLayer *L = &m->layers[i];
    guint to = L->out;
    const Level *lo = &g->lv[m->tensors[to].level];
    guint oc = m->tensors[to].channels;
    guint ic = L->n_in ? m->tensors[L->in[0]].channels : 0;
    const Level *li = L->n_in ? &g->lv[m->tensors[L->in[0]].level] : lo;

    if (L->op == AENN_OP_CONV) {
      conv_backward (g, L, nb, wflip + off[i], dparams + off[i]);
      continue;
    }
    if (!g->needs_grad[to])
      continue;
    switch (L->op) {
      case AENN_OP_S2D:
        if (!g->needs_grad[L->in[0]])
          break;
        for (guint c = 0; c < oc; c++) {
          float *s = chan (g, g->grad, to, c);
          float *d = chan (g, g->grad, L->in[0], c / 4);
          guint dy = (c / 2) % 2, dx = c % 2;
          for (guint b = 0; b < nb; b++)
            for (guint y = 0; y < lo->h; y++) {
              const float *sr = pix (lo, s, b, y, 0);
              float *dr = pix (li, d, b, 2 * y + dy, dx);
              for (guint x = 0; x < lo->w; x++)
                dr[2 * x] += sr[x];
            }
        }
        break;
      case AENN_OP_D2S:
        if (!g->needs_grad[L->in[0]])
          break;
        for (guint c = 0; c < oc; c++)
          for (guint b = 0; b < nb; b++)
            for (guint y = 0; y < lo->h; y++) {
              const float *sr = pix (lo, chan (g, g->grad, to, c), b, y, 0);
              float *d0 = pix (li, chan (g, g->grad, L->in[0],
                      c * 4 + (y % 2) * 2), b, y / 2, 0);
              float *d1 = pix (li, chan (g, g->grad, L->in[0],
                      c * 4 + (y % 2) * 2 + 1), b, y / 2, 0);
              for (guint x = 0; x < li->w; x++) {
                d0[x] += sr[2 * x];
                d1[x] += sr[2 * x + 1];
              }
            }
        break;
      case AENN_OP_ADD:
      case AENN_OP_CONCAT:
        for (guint j = 0; j < 2; j++) {
          guint tj = L->in[j], cj = m->tensors[tj].channels;
          guint c0 = (L->op == AENN_OP_CONCAT && j == 1) ? ic : 0;
          if (!g->needs_grad[tj])
            continue;
          for (guint c = 0; c < cj; c++)
            for (guint b = 0; b < nb; b++)
              for (guint y = 0; y < lo->h; y++) {
                const float *sr = pix (lo, chan (g, g->grad, to, c0 + c), b,
                    y, 0);
                float *dr = pix (lo, chan (g, g->grad, tj, c), b, y, 0);
                for (guint x = 0; x < lo->w; x++)
                  dr[x] += sr[x];
              }
        }
        break;
      case AENN_OP_CONV:
      case AENN_OP_SIGMA:
        break;
    }
  }
  return loss;
}

const AennTrainKernels *
aenn_train_kernels_get (KernelPath path)
{
  /* a row per float path: C and ORC share the portable build */
  static const AennTrainKernels *const tables[KERNEL_PATH_LAST] = {
    [KERNEL_PATH_C] = &aenn_tk_generic,
    [KERNEL_PATH_ORC] = &aenn_tk_generic,
#ifdef HAVE_AVX2_KERNELS
    [KERNEL_PATH_AVX2] = &aenn_tk_avx2,
#endif
#ifdef HAVE_AVX512_KERNELS
    [KERNEL_PATH_AVX512] = &aenn_tk_avx512,
#endif
  };
  KernelPath row;

  /* training is float: vnni trains on its AVX-512 float kernels */
  if (!kernel_path_resolve (path, FALSE, &row))
    return NULL;
  return tables[row];
}
