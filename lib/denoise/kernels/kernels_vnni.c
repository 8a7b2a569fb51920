/* int8 convolution rows with AVX512_VNNI: 32 pixels (two vectors of 16
 * int32 lanes) times up to 8 weight sets (8 output channels, or 4 of two
 * terms each) held in 16 accumulators. One 64-byte load of a packed row
 * gives 16 pixels of 4 channels, and one vpdpbusd multiplies those 64 u8
 * by the 4 s8 weights of an output channel (broadcast) and adds the 4
 * products of each pixel into its lane: 64 multiply-adds per instruction
 * against 16 for a float FMA. Built with its own -m flags and only called
 * after kernel_path_supported (KERNEL_PATH_VNNI). */
#include "config.h"
#include "denoise/kernels/kernels.h"
#include "denoise/kernels/kernels_avx512.h"

#include <immintrin.h>
#include <string.h>

static inline __attribute__((always_inline)) __m512i
weights4 (const gint8 * p)
{
  gint32 v;
  memcpy (&v, p, 4);
  return _mm512_set1_epi32 (v);
}

/* Weight sets v..v+nb-1 (output channels v / terms ..), pixels x..x+31
 * (masks m0, m1 for the tail); nb is a multiple of terms. */
static inline __attribute__((always_inline))
     void qblock (float *const *out, const guint8 * const *in, int x,
    __mmask16 m0, __mmask16 m1, int n_groups, const int terms, int k,
    const gint8 * wq, const gint32 * corr, const float *scale,
    const float *bias, int v, const int nb, AennAct act, float slope)
{
  const int kk = k * k, half = k / 2;
  const gsize wstride = (gsize) n_groups * kk * 4;      /* per weight set */
  __m512i acc0[8], acc1[8];

#pragma GCC unroll 8
  for (int j = 0; j < nb; j++)
    acc0[j] = acc1[j] = _mm512_setzero_si512 ();
  for (int g = 0; g < n_groups; g++)
    for (int dy = 0; dy < k; dy++) {
      const gint32 *r = (const gint32 *) in[g * k + dy] + x - half;
      const gint8 *wp = wq + (gsize) v * wstride + ((gsize) g * kk + dy * k)
          * 4;
      for (int dx = 0; dx < k; dx++) {
        __m512i v0 = _mm512_maskz_loadu_epi32 (m0, r + dx);
        __m512i v1 = _mm512_maskz_loadu_epi32 (m1, r + dx + 16);
#pragma GCC unroll 8
        for (int j = 0; j < nb; j++) {
          __m512i c = weights4 (wp + j * wstride + dx * 4);
          acc0[j] = _mm512_dpbusd_epi32 (acc0[j], v0, c);
          acc1[j] = _mm512_dpbusd_epi32 (acc1[j], v1, c);
        }
      }
    }
  {
    __m512 sl = _mm512_set1_ps (slope);
#pragma GCC unroll 8
    for (int j = 0; j < nb; j += terms) {
      const int o = (v + j) / terms;
      __m512 f0 = _mm512_set1_ps (bias[o]), f1 = f0;
#pragma GCC unroll 2
      for (int t = 0; t < terms; t++) {
        __m512i cr = _mm512_set1_epi32 (corr[v + j + t]);
        __m512 s = _mm512_set1_ps (scale[v + j + t]);
        f0 = _mm512_fmadd_ps (_mm512_cvtepi32_ps (_mm512_sub_epi32 (acc0[j +
                        t], cr)), s, f0);
        f1 = _mm512_fmadd_ps (_mm512_cvtepi32_ps (_mm512_sub_epi32 (acc1[j +
                        t], cr)), s, f1);
      }
      _mm512_mask_storeu_ps (out[o] + x, m0, aenn_avx512_act (f0, act, sl));
      _mm512_mask_storeu_ps (out[o] + x + 16, m1, aenn_avx512_act (f1, act,
              sl));
    }
  }
}

static inline __attribute__((always_inline))
     void qconv_row_act (float *const *out, const guint8 * const *in, int width,
    int n_groups, int out_c, const int terms, int k, const gint8 * wq,
    const gint32 * corr, const float *scale, const float *bias,
    const AennAct act, float slope)
{
  const int nv = out_c * terms;
  for (int x = 0; x < width; x += 32) {
    int n = width - x;
    __mmask16 m0 = n >= 16 ? 0xffff : (__mmask16) ((1u << n) - 1);
    __mmask16 m1 = n >= 32 ? 0xffff : n <= 16 ? 0 :
        (__mmask16) ((1u << (n - 16)) - 1);
    int v = 0;
    for (; v + 8 <= nv; v += 8)
      qblock (out, in, x, m0, m1, n_groups, terms, k, wq, corr, scale, bias,
          v, 8, act, slope);
    if (v + 4 <= nv) {
      qblock (out, in, x, m0, m1, n_groups, terms, k, wq, corr, scale, bias,
          v, 4, act, slope);
      v += 4;
    }
    if (v + 2 <= nv) {
      qblock (out, in, x, m0, m1, n_groups, terms, k, wq, corr, scale, bias,
          v, 2, act, slope);
      v += 2;
    }
    /* an odd count only with one term */
    if (terms == 1 && v < nv)
      qblock (out, in, x, m0, m1, n_groups, 1, k, wq, corr, scale, bias, v,
          1, act, slope);
  }
}

static inline __attribute__((always_inline))
     void qconv_row_terms (float *const *out, const guint8 * const *in,
    int width, int n_groups, int out_c, const int terms, int k,
    const gint8 * wq, const gint32 * corr, const float *scale,
    const float *bias, AennAct act, float slope)
{
  /* one copy per activation keeps the branch out of the inner loop */
  if (act == AENN_ACT_RELU)
    qconv_row_act (out, in, width, n_groups, out_c, terms, k, wq, corr,
        scale, bias, AENN_ACT_RELU, slope);
  else if (act == AENN_ACT_LEAKY_RELU)
    qconv_row_act (out, in, width, n_groups, out_c, terms, k, wq, corr,
        scale, bias, AENN_ACT_LEAKY_RELU, slope);
  else
    qconv_row_act (out, in, width, n_groups, out_c, terms, k, wq, corr,
        scale, bias, AENN_ACT_NONE, slope);
}

void
aenn_vnni_qconv_row (float *const *out, const guint8 * const *in, int width,
    int n_groups, int out_c, int terms, int k, const gint8 * wq,
    const gint32 * corr, const float *scale, const float *bias, AennAct act,
    float slope)
{
  if (terms == 2)
    qconv_row_terms (out, in, width, n_groups, out_c, 2, k, wq, corr, scale,
        bias, act, slope);
  else
    qconv_row_terms (out, in, width, n_groups, out_c, 1, k, wq, corr, scale,
        bias, act, slope);
}

/* q = clamp (round-to-even (x * inv_scale + zp), 0, 255): cvtps rounds to
 * nearest even under the default MXCSR, as nearbyintf does in the tests'
 * twin. */
static inline __attribute__((always_inline)) __m512i
quant (const float *s, int x, __mmask16 m, __m512 is, __m512 zp)
{
  __m512 v = _mm512_fmadd_ps (_mm512_maskz_loadu_ps (m, s + x), is, zp);
  __m512i q = _mm512_cvtps_epi32 (v);
  return _mm512_min_epi32 (_mm512_max_epi32 (q, _mm512_setzero_si512 ()),
      _mm512_set1_epi32 (255));
}

void
aenn_vnni_qpack_row (guint8 * dst, gsize group_stride,
    const float *const *src, int n, int in_c, const float *inv_scale,
    const float *zp)
{
  const int n_groups = (in_c + 3) / 4;
  for (int g = 0; g < n_groups; g++) {
    gint32 *d = (gint32 *) (dst + (gsize) g * group_stride);
    const int nc = MIN (4, in_c - 4 * g);
    __m512 is[4], z[4];
    for (int b = 0; b < nc; b++) {
      is[b] = _mm512_set1_ps (inv_scale[4 * g + b]);
      z[b] = _mm512_set1_ps (zp[4 * g + b]);
    }
    for (int x = 0; x < n; x += 16) {
      int left = n - x;
      __mmask16 m = left >= 16 ? 0xffff : (__mmask16) ((1u << left) - 1);
      __m512i v = quant (src[4 * g], x, m, is[0], z[0]);
      for (int b = 1; b < nc; b++)
        v = _mm512_or_si512 (v, _mm512_slli_epi32 (quant (src[4 * g + b], x,
                    m, is[b], z[b]), 8 * b));
      _mm512_mask_storeu_epi32 (d + x, m, v);
    }
  }
}
