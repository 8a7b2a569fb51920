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

/* The row and plane kernels beside the convolution: the twins for the C
 * path, ORC's for every other. */
#define ROW_KERNELS(prefix)                                                  \
    .add_f32 = prefix##_add_f32, .sub_f32 = prefix##_sub_f32,               \
    .deinterleave2_f32 = prefix##_deinterleave2_f32,                         \
    .interleave2_f32 = prefix##_interleave2_f32

/* A row per path; a path whose kernels this build lacks has no
 * convolution, and aenn_kernels_get refuses it. */
static const AennKernels aenn_tables[KERNEL_PATH_LAST] = {
  [KERNEL_PATH_C] = {KERNEL_PATH_C,.conv_rows = aenn_ref_conv_rows,
      ROW_KERNELS (aenn_ref)},
  [KERNEL_PATH_ORC] = {KERNEL_PATH_ORC,.conv_rows = aenn_orc_conv_rows,
      ROW_KERNELS (aenn_orc)},
#ifdef HAVE_AVX2_KERNELS
  [KERNEL_PATH_AVX2] = {KERNEL_PATH_AVX2,.conv_row = aenn_avx2_conv_row,
      ROW_KERNELS (aenn_orc)},
#endif
#ifdef HAVE_AVX512_KERNELS
  [KERNEL_PATH_AVX512] = {KERNEL_PATH_AVX512,
      .conv_row = aenn_avx512_conv_row, ROW_KERNELS (aenn_orc)},
#endif
#ifdef HAVE_VNNI_KERNELS
  /* conv_row (float) serves the calibration of the int8 weights */
  [KERNEL_PATH_VNNI] = {KERNEL_PATH_VNNI,.conv_row = aenn_avx512_conv_row,
        .qconv_row = aenn_vnni_qconv_row,.qpack_row = aenn_vnni_qpack_row,
      ROW_KERNELS (aenn_orc)},
#endif
};

const AennKernels *
aenn_kernels_get (KernelPath path)
{
  KernelPath row;

  if (!kernel_path_resolve (path, TRUE, &row)
      || (aenn_tables[row].conv_row == NULL
          && aenn_tables[row].conv_rows == NULL))
    return NULL;
  return &aenn_tables[row];
}
