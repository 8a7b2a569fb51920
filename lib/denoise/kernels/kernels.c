/* Kernel tables per path, and the convolution of the C and ORC paths. */
#include "config.h"
#include "denoise/kernels/kernels.h"
#include "aenn_orc.h"

/* The convolution of the C and ORC paths, one output channel at a time
 * over blocks of about BLOCK_FLOATS outputs (a few rows, summed in place
 * in L1; one call covers the whole block, so the fixed cost of a call
 * and the short rows' lower rate are spread over its rows; bench/aenn-orc-
 * call). Each call adds the taps of g input rows
 * (3x3: two rows of three taps; 1x1: four rows), the first call starting
 * from the bias and the last applying the activation. The tap list is
 * padded to a multiple of g rows with zero weights on a real row: adding
 * 0 * x for a finite x leaves the sum as it was. */
#define BLOCK_FLOATS 8192

/* One call: form "" (d += taps), "b" (d = bias + taps), "a" (d = act (d
 * + taps)) or "ba" */
#define CONV_CALL(prefix, shape, first, last, ...)                           \
  do {                                                                       \
    if (first && last)                                                       \
      prefix##_##shape##ba_f32 (__VA_ARGS__, bias[o], sl, width, m);         \
    else if (first)                                                          \
      prefix##_##shape##b_f32 (__VA_ARGS__, bias[o], width, m);              \
    else if (last)                                                           \
      prefix##_##shape##a_f32 (__VA_ARGS__, sl, width, m);                   \
    else                                                                     \
      prefix##_##shape##_f32 (__VA_ARGS__, width, m);                        \
  } while (0)

#define CONV_ROWS(prefix)                                                    \
void                                                                         \
prefix##_conv_rows (float *const *out, gsize out_stride,                     \
    const float *const *in, gsize in_stride, int rows, int width, int in_c,  \
    int out_c, int k, const float *w, const float *bias, AennAct act,        \
    float slope)                                                             \
{                                                                            \
  const int os = (int) (out_stride * sizeof (float));                        \
  const int is = (int) (in_stride * sizeof (float));                         \
  const int block = MAX (1, BLOCK_FLOATS / MAX (width, 1));                  \
  const int n_in = in_c * k, g = k == 3 ? 2 : 4;                             \
  const gboolean has_act = act != AENN_ACT_NONE;                             \
  const float sl = act == AENN_ACT_LEAKY_RELU ? slope : 0.0f;                \
  g_assert (k == 1 || k == 3);                                               \
  for (int y = 0; y < rows; y += block) {                                    \
    const int m = MIN (block, rows - y);                                     \
    for (int o = 0; o < out_c; o++) {                                        \
      const float *wo = w + (gsize) o * n_in * k;   /* (in_c, k, k) */       \
      float *d = out[o] + (gsize) y * out_stride;                            \
      for (int j = 0; j < n_in; j += g) {                                    \
        const float *p[4];                                                   \
        float c[6];                                                          \
        gboolean first = j == 0, last = has_act && j + g >= n_in;            \
        for (int t = 0; t < g * k; t++) {                                    \
          int r = j + t / k;                                                 \
          p[t / k] = in[r < n_in ? r : j] + (gsize) y * in_stride - k / 2;   \
          c[t] = r < n_in ? wo[r * k + t % k] : 0.0f;                        \
        }                                                                    \
        if (k == 3)                                                          \
          CONV_CALL (prefix, conv3x2, first, last, d, os, p[0], is, p[1],    \
              is, c[0], c[1], c[2], c[3], c[4], c[5]);                       \
        else                                                                 \
          CONV_CALL (prefix, conv1x4, first, last, d, os, p[0], is, p[1],    \
              is, p[2], is, p[3], is, c[0], c[1], c[2], c[3]);               \
      }                                                                      \
    }                                                                        \
  }                                                                          \
}

CONV_ROWS (aenn_ref);
CONV_ROWS (aenn_orc);

#define KERNEL_TABLE(prefix, path_, conv_, conv_rows_) {                      \
    path_, conv_, conv_rows_, NULL, NULL, prefix##_add_f32,                  \
    prefix##_sub_f32, prefix##_deinterleave2_f32, prefix##_interleave2_f32 }

static const AennKernels aenn_tables[KERNEL_PATH_LAST] = {
  KERNEL_TABLE (aenn_ref, KERNEL_PATH_C, NULL, aenn_ref_conv_rows),
  KERNEL_TABLE (aenn_orc, KERNEL_PATH_ORC, NULL, aenn_orc_conv_rows),
#ifdef AENN_HAVE_AVX2
  KERNEL_TABLE (aenn_orc, KERNEL_PATH_AVX2, aenn_avx2_conv_row, NULL),
#else
  KERNEL_TABLE (aenn_orc, KERNEL_PATH_AVX2, NULL, NULL),
#endif
#ifdef AENN_HAVE_AVX512
  KERNEL_TABLE (aenn_orc, KERNEL_PATH_AVX512, aenn_avx512_conv_row, NULL),
#else
  KERNEL_TABLE (aenn_orc, KERNEL_PATH_AVX512, NULL, NULL),
#endif
#ifdef AENN_HAVE_VNNI
  /* conv_row (float) serves the calibration of the int8 weights */
  {KERNEL_PATH_VNNI, aenn_avx512_conv_row, NULL, aenn_vnni_qconv_row,
        aenn_vnni_qpack_row, aenn_orc_add_f32, aenn_orc_sub_f32,
      aenn_orc_deinterleave2_f32, aenn_orc_interleave2_f32},
#else
  KERNEL_TABLE (aenn_orc, KERNEL_PATH_VNNI, NULL, NULL),
#endif
};

const AennKernels *
aenn_kernels_get (KernelPath path)
{
  if (path == KERNEL_PATH_AUTO)
    path = kernel_path_default ();
  if (path < 0 || path >= KERNEL_PATH_LAST || !kernel_path_supported (path)
      || (aenn_tables[path].conv_row == NULL
          && aenn_tables[path].conv_rows == NULL))
    return NULL;
  return &aenn_tables[path];
}
