/* Convolution rows with AVX-512: 32 pixels (two vectors) times up to 8
 * output channels held in 16 accumulators; each input vector loaded once
 * feeds 8 FMAs whose weights are broadcast from memory. Built with its own
 * -m flags and only called after kernel_path_supported (KERNEL_PATH_AVX512). */
#include "config.h"
#include "denoise/kernels/kernels.h"
#include "denoise/kernels/kernels_avx512.h"

#include <immintrin.h>

/* Output channels o..o+nb-1, pixels x..x+31 (masks m0, m1 for the tail). */
static inline __attribute__((always_inline))
     void block (float *const *out, const float *const *in, int x, __mmask16 m0,
    __mmask16 m1, int in_c, int k, const float *w, const float *bias, int o,
    const int nb, AennAct act, float slope)
{
  const int taps = in_c * k * k, half = k / 2;
  __m512 acc0[8], acc1[8];

#pragma GCC unroll 8
  for (int j = 0; j < nb; j++)
    acc0[j] = acc1[j] = _mm512_set1_ps (bias[o + j]);
  for (int ic = 0; ic < in_c; ic++)
    for (int dy = 0; dy < k; dy++) {
      const float *r = in[ic * k + dy] + x - half;
      const float *wp = w + (gsize) o * taps + (ic * k + dy) * k;
      for (int dx = 0; dx < k; dx++) {
        __m512 v0 = _mm512_maskz_loadu_ps (m0, r + dx);
        __m512 v1 = _mm512_maskz_loadu_ps (m1, r + dx + 16);
#pragma GCC unroll 8
        for (int j = 0; j < nb; j++) {
          __m512 c = _mm512_set1_ps (wp[(gsize) j * taps + dx]);
          acc0[j] = _mm512_fmadd_ps (v0, c, acc0[j]);
          acc1[j] = _mm512_fmadd_ps (v1, c, acc1[j]);
        }
      }
    }
  {
    __m512 s = _mm512_set1_ps (slope);
#pragma GCC unroll 8
    for (int j = 0; j < nb; j++) {
      _mm512_mask_storeu_ps (out[o + j] + x, m0, aenn_avx512_act (acc0[j],
              act, s));
      _mm512_mask_storeu_ps (out[o + j] + x + 16, m1,
          aenn_avx512_act (acc1[j], act, s));
    }
  }
}

static inline __attribute__((always_inline))
     void conv_row_act (float *const *out, const float *const *in, int width,
    int in_c, int out_c, int k, const float *w, const float *bias,
    const AennAct act, float slope)
{
  for (int x = 0; x < width; x += 32) {
    int n = width - x;
    __mmask16 m0 = n >= 16 ? 0xffff : (__mmask16) ((1u << n) - 1);
    __mmask16 m1 = n >= 32 ? 0xffff : n <= 16 ? 0 :
        (__mmask16) ((1u << (n - 16)) - 1);
    int o = 0;
    for (; o + 8 <= out_c; o += 8)
      block (out, in, x, m0, m1, in_c, k, w, bias, o, 8, act, slope);
    if (o + 4 <= out_c) {
      block (out, in, x, m0, m1, in_c, k, w, bias, o, 4, act, slope);
      o += 4;
    }
    if (o + 2 <= out_c) {
      block (out, in, x, m0, m1, in_c, k, w, bias, o, 2, act, slope);
      o += 2;
    }
    if (o < out_c)
      block (out, in, x, m0, m1, in_c, k, w, bias, o, 1, act, slope);
  }
}

void
aenn_avx512_conv_row (float *const *out, const float *const *in, int width,
    int in_c, int out_c, int k, const float *w, const float *bias,
    AennAct act, float slope)
{
  /* one copy per activation keeps the branch out of the inner loop */
  if (act == AENN_ACT_RELU)
    conv_row_act (out, in, width, in_c, out_c, k, w, bias, AENN_ACT_RELU,
        slope);
  else if (act == AENN_ACT_LEAKY_RELU)
    conv_row_act (out, in, width, in_c, out_c, k, w, bias,
        AENN_ACT_LEAKY_RELU, slope);
  else
    conv_row_act (out, in, width, in_c, out_c, k, w, bias, AENN_ACT_NONE,
        slope);
}
