/* Convolution rows with AVX2 + FMA: 16 pixels (two vectors) times up to 6
 * output channels in 12 accumulators, leaving registers for the two input
 * vectors and the broadcast weight. Built with its own -m flags and only
 * called after kernel_path_supported (KERNEL_PATH_AVX2). */
#include "config.h"
#include "denoise/kernels/kernels.h"

#include <immintrin.h>

static inline __attribute__((always_inline)) __m256
act_256 (__m256 v, AennAct act, __m256 slope)
{
  __m256 z = _mm256_setzero_ps ();
  if (act == AENN_ACT_RELU)
    return _mm256_max_ps (v, z);
  if (act == AENN_ACT_LEAKY_RELU)
    return _mm256_add_ps (_mm256_max_ps (v, z),
        _mm256_mul_ps (_mm256_min_ps (v, z), slope));
  return v;
}

static inline __attribute__((always_inline)) __m256i
tail_mask (int n)
{
  /* lanes below n set */
  return _mm256_cmpgt_epi32 (_mm256_set1_epi32 (n),
      _mm256_setr_epi32 (0, 1, 2, 3, 4, 5, 6, 7));
}

/* Output channels o..o+nb-1, pixels x..x+15; a full block unless tail. */
static inline __attribute__((always_inline))
     void block (float *const *out, const float *const *in, int x, int n,
    int in_c, int k, const float *w, const float *bias, int o, const int nb,
    const gboolean tail, AennAct act, float slope)
{
  const int taps = in_c * k * k, half = k / 2;
  __m256 acc0[6], acc1[6];
  __m256i m0 = tail_mask (n), m1 = tail_mask (n - 8);

#pragma GCC unroll 8
  for (int j = 0; j < nb; j++)
    acc0[j] = acc1[j] = _mm256_set1_ps (bias[o + j]);
  for (int ic = 0; ic < in_c; ic++)
    for (int dy = 0; dy < k; dy++) {
      const float *r = in[ic * k + dy] + x - half;
      const float *wp = w + (gsize) o * taps + (ic * k + dy) * k;
      for (int dx = 0; dx < k; dx++) {
        __m256 v0, v1;
        if (tail) {
          v0 = _mm256_maskload_ps (r + dx, m0);
          v1 = _mm256_maskload_ps (r + dx + 8, m1);
        } else {
          v0 = _mm256_loadu_ps (r + dx);
          v1 = _mm256_loadu_ps (r + dx + 8);
        }
#pragma GCC unroll 8
        for (int j = 0; j < nb; j++) {
          __m256 c = _mm256_broadcast_ss (wp + (gsize) j * taps + dx);
          acc0[j] = _mm256_fmadd_ps (v0, c, acc0[j]);
          acc1[j] = _mm256_fmadd_ps (v1, c, acc1[j]);
        }
      }
    }
  {
    __m256 s = _mm256_set1_ps (slope);
#pragma GCC unroll 8
    for (int j = 0; j < nb; j++) {
      __m256 a = act_256 (acc0[j], act, s), b = act_256 (acc1[j], act, s);
      if (tail) {
        _mm256_maskstore_ps (out[o + j] + x, m0, a);
        _mm256_maskstore_ps (out[o + j] + x + 8, m1, b);
      } else {
        _mm256_storeu_ps (out[o + j] + x, a);
        _mm256_storeu_ps (out[o + j] + x + 8, b);
      }
    }
  }
}

static inline __attribute__((always_inline))
     void blocks (float *const *out, const float *const *in, int x, int n,
    int in_c, int out_c, int k, const float *w, const float *bias,
    const gboolean tail, const AennAct act, float slope)
{
  int o = 0;
  for (; o + 6 <= out_c; o += 6)
    block (out, in, x, n, in_c, k, w, bias, o, 6, tail, act, slope);
  if (o + 4 <= out_c) {
    block (out, in, x, n, in_c, k, w, bias, o, 4, tail, act, slope);
    o += 4;
  }
  if (o + 2 <= out_c) {
    block (out, in, x, n, in_c, k, w, bias, o, 2, tail, act, slope);
    o += 2;
  }
  if (o < out_c)
    block (out, in, x, n, in_c, k, w, bias, o, 1, tail, act, slope);
}

static inline __attribute__((always_inline))
     void conv_row_act (float *const *out, const float *const *in, int width,
    int in_c, int out_c, int k, const float *w, const float *bias,
    const AennAct act, float slope)
{
  int x = 0;
  for (; x + 16 <= width; x += 16)
    blocks (out, in, x, 16, in_c, out_c, k, w, bias, FALSE, act, slope);
  if (x < width)
    blocks (out, in, x, width - x, in_c, out_c, k, w, bias, TRUE, act, slope);
}

void
aenn_avx2_conv_row (float *const *out, const float *const *in, int width,
    int in_c, int out_c, int k, const float *w, const float *bias,
    AennAct act, float slope)
{
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
