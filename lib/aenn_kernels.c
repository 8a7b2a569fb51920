/* Kernel tables per path, and the convolution row of the C and ORC paths:
 * taps taken six at a time (input channel, then dy, then dx), accumulated
 * into the output row, which stays in L1. */
#include "config.h"
#include "aenn_kernels.h"
#include "aenn_orc.h"

/* Rows go in chunks of AENN_CHUNK pixels so that the two accumulator rows
 * (ping-pong: ORC's arrays are restrict, so no call reads what it writes)
 * stay in L1 and on the stack. The tap list is padded to a multiple of six
 * with zero weights: adding 0 * x for a finite x leaves the sum as it was. */
#define AENN_CHUNK 1024

#define CONV_ROW(prefix)                                                     \
void                                                                         \
prefix##_conv_row (float *const *out, const float *const *in, int width,    \
    int in_c, int out_c, int k, const float *w, const float *bias,           \
    AennAct act, float slope)                                                \
{                                                                            \
  const int kk = k * k, taps = in_c * kk, half = k / 2;                      \
  float acc[2][AENN_CHUNK];                                                  \
  for (int x = 0; x < width; x += AENN_CHUNK) {                              \
    const int n = MIN (AENN_CHUNK, width - x);                               \
    for (int o = 0; o < out_c; o++) {                                        \
      const float *wo = w + (gsize) o * taps;        /* (in_c, k, k) */      \
      int cur = 0;                                                           \
      for (int t = 0; t < taps; t += 6) {                                    \
        const float *p[6];                                                   \
        float c[6];                                                          \
        float *d;                                                            \
        for (int j = 0; j < 6; j++) {                                        \
          int tj = t + j < taps ? t + j : 0;                                 \
          int ic = tj / kk, r = tj % kk;                                     \
          p[j] = in[ic * k + r / k] + x + (r % k) - half;                    \
          c[j] = t + j < taps ? wo[tj] : 0.0f;                               \
        }                                                                    \
        /* the last call writes the output row unless an activation     */   \
        /* still has to read it                                         */   \
        d = (t + 6 >= taps && act == AENN_ACT_NONE) ? out[o] + x             \
            : acc[cur ^ 1];                                                  \
        if (t == 0)                                                          \
          prefix##_mac6b_f32 (d, p[0], p[1], p[2], p[3], p[4], p[5], c[0],   \
              c[1], c[2], c[3], c[4], c[5], bias[o], n);                     \
        else                                                                 \
          prefix##_mac6_f32 (d, acc[cur], p[0], p[1], p[2], p[3], p[4],      \
              p[5], c[0], c[1], c[2], c[3], c[4], c[5], n);                  \
        cur ^= 1;                                                            \
      }                                                                      \
      if (act == AENN_ACT_RELU)                                              \
        prefix##_relu_f32 (out[o] + x, acc[cur], n);                         \
      else if (act == AENN_ACT_LEAKY_RELU)                                   \
        prefix##_lrelu_f32 (out[o] + x, acc[cur], slope, n);                 \
    }                                                                        \
  }                                                                          \
}

CONV_ROW (aenn_ref);
CONV_ROW (aenn_orc);

#define KERNEL_TABLE(prefix, path_, conv_) {                                 \
    path_, conv_, NULL, NULL, prefix##_add_f32, prefix##_sub_f32,            \
    prefix##_deinterleave2_f32, prefix##_interleave2_f32 }

static const AennKernels aenn_tables[GU_PATH_LAST] = {
  KERNEL_TABLE (aenn_ref, GU_PATH_C, aenn_ref_conv_row),
  KERNEL_TABLE (aenn_orc, GU_PATH_ORC, aenn_orc_conv_row),
#ifdef AENN_HAVE_AVX2
  KERNEL_TABLE (aenn_orc, GU_PATH_AVX2, aenn_avx2_conv_row),
#else
  KERNEL_TABLE (aenn_orc, GU_PATH_AVX2, NULL),
#endif
#ifdef AENN_HAVE_AVX512
  KERNEL_TABLE (aenn_orc, GU_PATH_AVX512, aenn_avx512_conv_row),
#else
  KERNEL_TABLE (aenn_orc, GU_PATH_AVX512, NULL),
#endif
#ifdef AENN_HAVE_VNNI
  /* conv_row (float) serves the calibration of the int8 weights */
  {GU_PATH_VNNI, aenn_avx512_conv_row, aenn_vnni_qconv_row,
        aenn_vnni_qpack_row, aenn_orc_add_f32, aenn_orc_sub_f32,
      aenn_orc_deinterleave2_f32, aenn_orc_interleave2_f32},
#else
  KERNEL_TABLE (aenn_orc, GU_PATH_VNNI, NULL),
#endif
};

const AennKernels *
aenn_kernels_get (GuPath path)
{
  if (path == GU_PATH_AUTO)
    path = gu_path_default ();
  if (path < 0 || path >= GU_PATH_LAST || !gu_path_supported (path)
      || aenn_tables[path].conv_row == NULL)
    return NULL;
  return &aenn_tables[path];
}
