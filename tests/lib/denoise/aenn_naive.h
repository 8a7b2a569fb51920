/* A naive full-frame forward pass of an AennModel, straight from the
 * definitions in denoise/model/model.h, accumulating in double: the reference the
 * engine's strips and kernels are checked against. */
#ifndef __AENN_NAIVE_H__
#define __AENN_NAIVE_H__

#include <glib.h>
#include <math.h>
#include "denoise/model/model.h"
#include "denoise/engine/engine.h"

/* The quantized arithmetic of denoise/kernels/kernels.h: u8 activations, round half
 * to even after one fused multiply-add, exact integer sums, and the
 * epilogue's fused multiply-adds in the kernels' order. */
static inline gint
aenn_naive_quant (float v, float inv_s, float zp)
{
  return (gint) CLAMP (nearbyintf (fmaf (v, inv_s, zp)), 0.0f, 255.0f);
}

static inline float
aenn_naive_dequant (const gint64 * acc, guint v0, guint terms,
    const gint32 * corr, const float *scale, float bias)
{
  float r = bias;
  for (guint j = 0; j < terms; j++)
    r = fmaf ((float) (gint32) (acc[j] - corr[v0 + j]), scale[v0 + j], r);
  return r;
}

/* img, out: (in_channels, h, w). plan NULL: float, accumulated in double;
 * else each convolution with the plan's int8 form, as the vnni kernels
 * compute it. sigma: (in_channels) noise levels, read by the sigma ops. */
G_GNUC_UNUSED static void
aenn_naive_forward_levels (const AennModel * m, const AennPlan * plan,
    const float *img, guint w, guint h, const float *sigma, float *out)
{
  guint align = 1u << m->max_level;
  guint wp = (w + align - 1) / align * align, hp = (h + align - 1) / align
      * align;
  float **t = g_new0 (float *, m->n_tensors);   /* (c, hp >> l, wp >> l) */

  t[0] = g_new (float, (gsize) m->in_channels * wp * hp);
  for (guint c = 0; c < m->in_channels; c++)
    for (guint y = 0; y < hp; y++)
      for (guint x = 0; x < wp; x++)
        t[0][((gsize) c * hp + y) * wp + x] =
            img[((gsize) c * h + MIN (y, h - 1)) * w + MIN (x, w - 1)];

  for (guint i = 0; i < m->n_layers; i++) {
    const AennLayer *L = &m->layers[i];
    const AennTensor *to = &m->tensors[L->out];
    guint ow = wp >> to->level, oh = hp >> to->level, oc = to->channels;
    float *o = t[L->out] = g_new0 (float, (gsize) oc * ow * oh);
    const float *a = L->n_in > 0 ? t[L->in[0]] : NULL;
    const float *b = L->n_in > 1 ? t[L->in[1]] : NULL;
    guint ic = L->n_in > 0 ? m->tensors[L->in[0]].channels : 0;
    guint iw = L->n_in > 0 ? wp >> m->tensors[L->in[0]].level : 0;
    guint ih = L->n_in > 0 ? hp >> m->tensors[L->in[0]].level : 0;

    for (guint c = 0; c < oc; c++)
      for (guint y = 0; y < oh; y++)
        for (guint x = 0; x < ow; x++) {
          float *d = &o[((gsize) c * oh + y) * ow + x];
          switch (L->op) {
            case AENN_OP_CONV:{
              gint half = (gint) L->kernel / 2;
              double s = L->bias[c];
              AennQuantLayer q;
              gint64 acc[2] = { 0, 0 };
              if (plan && aenn_plan_get_quant_layer (plan, i, &q)) {
                guint kk = L->kernel * L->kernel;
                for (guint j = 0; j < q.in_c; j++)
                  for (guint dy = 0; dy < L->kernel; dy++)
                    for (guint dx = 0; dx < L->kernel; dx++) {
                      gint yy = (gint) y + (gint) dy - half;
                      gint xx = (gint) x + (gint) dx - half;
                      float v = 0.0f;   /* zero padding: the zero point */
                      if (yy < 0 || xx < 0 || yy >= (gint) ih
                          || xx >= (gint) iw) {
                        if (L->pad == AENN_PAD_REPLICATE) {
                          yy = CLAMP (yy, 0, (gint) ih - 1);
                          xx = CLAMP (xx, 0, (gint) iw - 1);
                          v = a[((gsize) j * ih + yy) * iw + xx];
                        }
                      } else
                        v = a[((gsize) j * ih + yy) * iw + xx];
                      for (guint u = 0; u < q.terms; u++)
                        acc[u] += (gint64) aenn_naive_quant (v, q.inv_s[j],
                            q.zp[j]) * q.wq[(((gsize) (c * q.terms + u)
                                    * q.n_groups + j / 4) * kk + dy
                                * L->kernel + dx) * 4 + j % 4];
                    }
                s = aenn_naive_dequant (acc, c * q.terms, q.terms, q.corr,
                    q.scale, q.bias[c]);
                if (L->act == AENN_ACT_RELU && s < 0)
                  s = 0;
                else if (L->act == AENN_ACT_LEAKY_RELU && s < 0)
                  s = (double) ((float) s * L->slope);
                *d = (float) s;
                break;
              }
              for (guint j = 0; j < ic; j++)
                for (guint dy = 0; dy < L->kernel; dy++)
                  for (guint dx = 0; dx < L->kernel; dx++) {
                    gint yy = (gint) y + (gint) dy - half;
                    gint xx = (gint) x + (gint) dx - half;
                    float v;
                    if (yy < 0 || xx < 0 || yy >= (gint) ih || xx >= (gint) iw) {
                      if (L->pad == AENN_PAD_ZERO)
                        continue;
                      yy = CLAMP (yy, 0, (gint) ih - 1);
                      xx = CLAMP (xx, 0, (gint) iw - 1);
                    }
                    v = a[((gsize) j * ih + yy) * iw + xx];
                    s += (double) v * L->weight[((c * ic + j) * L->kernel
                            + dy) * L->kernel + dx];
                  }
              if (L->act == AENN_ACT_RELU && s < 0)
                s = 0;
              else if (L->act == AENN_ACT_LEAKY_RELU && s < 0)
                s *= L->slope;
              *d = (float) s;
              break;
            }
            case AENN_OP_S2D:{
              guint cc = c / 4, dy = (c / 2) % 2, dx = c % 2;
              *d = a[((gsize) cc * ih + 2 * y + dy) * iw + 2 * x + dx];
              break;
            }
            case AENN_OP_D2S:{
              guint cc = c * 4 + (y % 2) * 2 + x % 2;
              *d = a[((gsize) cc * ih + y / 2) * iw + x / 2];
              break;
            }
            case AENN_OP_ADD:
              *d = a[((gsize) c * oh + y) * ow + x] + b[((gsize) c * oh + y)
                  * ow + x];
              break;
            case AENN_OP_CONCAT:
              *d = c < ic ? a[((gsize) c * oh + y) * ow + x] :
                  b[((gsize) (c - ic) * oh + y) * ow + x];
              break;
            case AENN_OP_SIGMA:
              *d = sigma[L->channel] / 255.0f;
              break;
          }
        }
  }
  for (guint c = 0; c < m->in_channels; c++)
    for (guint y = 0; y < h; y++)
      for (guint x = 0; x < w; x++) {
        float n = t[m->output][((gsize) c * hp + y) * wp + x];
        float v = img[((gsize) c * h + y) * w + x];
        out[((gsize) c * h + y) * w + x] = m->residual ? v - n : n;
      }
  for (guint i = 0; i < m->n_tensors; i++)
    g_free (t[i]);
  g_free (t);
}

/* one noise level for every channel */
G_GNUC_UNUSED static void
aenn_naive_forward_q (const AennModel * m, const AennPlan * plan,
    const float *img, guint w, guint h, float sigma, float *out)
{
  float levels[AENN_MAX_IN_CHANNELS];

  for (guint c = 0; c < AENN_MAX_IN_CHANNELS; c++)
    levels[c] = sigma;
  aenn_naive_forward_levels (m, plan, img, w, h, levels, out);
}

G_GNUC_UNUSED static void
aenn_naive_forward (const AennModel * m, const float *img, guint w, guint h,
    float sigma, float *out)
{
  aenn_naive_forward_q (m, NULL, img, w, h, sigma, out);
}

/* The joint-colour layout (yuv420): six channels, a noise level for each
 * of Y (channel 0: the four luma phases), Cb (4) and Cr (5); the last
 * concat's level folds into the bias, the others are read as planes. */
G_GNUC_UNUSED static const gchar aenn_test_joint_arch[] =
    "{\"in_channels\": 6, \"layout\": \"yuv420\", \"residual\": true, "
    "\"output\": \"n\", \"layers\": ["
    "{\"op\": \"sigma\", \"name\": \"sy\", \"channel\": 0, \"out\": \"sy\"},"
    "{\"op\": \"sigma\", \"name\": \"su\", \"channel\": 4, \"out\": \"su\"},"
    "{\"op\": \"sigma\", \"name\": \"sv\", \"channel\": 5, \"out\": \"sv\"},"
    "{\"op\": \"concat\", \"name\": \"k1\", \"in\": [\"x\", \"sy\"], "
    "\"out\": \"a\"},"
    "{\"op\": \"concat\", \"name\": \"k2\", \"in\": [\"a\", \"su\"], "
    "\"out\": \"b\"},"
    "{\"op\": \"concat\", \"name\": \"k3\", \"in\": [\"b\", \"sv\"], "
    "\"out\": \"c\"},"
    "{\"op\": \"conv\", \"name\": \"c0\", \"in\": [\"c\"], \"out\": \"h\", "
    "\"out_channels\": 10, \"kernel\": 3, \"pad\": \"replicate\", "
    "\"act\": \"leaky_relu\", \"slope\": 0.1},"
    "{\"op\": \"conv\", \"name\": \"c1\", \"in\": [\"h\"], \"out\": \"n\", "
    "\"out_channels\": 6, \"kernel\": 3, \"pad\": \"replicate\"}]}";

#endif
