/* aenn_kernels: the row kernels of the autoencoder and the table that picks
 * an implementation per path (C twins, ORC, AVX2+FMA, AVX-512, and the
 * int8 convolutions of the vnni path).
 *
 * Rows are planar: one float row per channel. A row that a k x k
 * convolution reads is readable at [-k/2, width + k/2): the scheduler keeps
 * one border column on each side and fills it with the padding. */
#ifndef __AENN_KERNELS_H__
#define __AENN_KERNELS_H__

#include <glib.h>
#include "common/kernel_path.h"
#include "denoise/model/model.h"

G_BEGIN_DECLS

/* One output row of a k x k convolution for all output channels, with bias
 * and activation fused.
 * out: (out_c) rows of width; in: (in_c * k) rows, in[ic * k + dy] being
 * input channel ic at row offset dy - k/2; w: (out_c, in_c, k, k);
 * bias: (out_c). */
typedef void (*AennConvRowFunc) (float *const *out, const float *const *in,
    int width, int in_c, int out_c, int k, const float *w, const float *bias,
    AennAct act, float slope);

/* The same over `rows` consecutive output rows (the C and ORC paths): row
 * r of output channel o is out[o] + r * out_stride, and row r of input
 * row in[j] is in[j] + r * in_stride (strides in floats). */
typedef void (*AennConvRowsFunc) (float *const *out, gsize out_stride,
    const float *const *in, gsize in_stride, int rows, int width, int in_c,
    int out_c, int k, const float *w, const float *bias, AennAct act,
    float slope);

/* The quantized layout (vnni path). Activations are u8, q = round (x / s[c]
 * + zp[c]) clamped to 0..255, in channel groups of four interleaved per
 * pixel: a packed row is (n_groups) runs of (width) pixels of 4 bytes,
 * channels 4g..4g+3, group g at byte g * group_stride; channels past in_c
 * in the last group are 0 (their weights are 0).
 *
 * Packs n pixels: dst (n_groups, n, 4) bytes, groups group_stride bytes
 * apart; src: (in_c) rows of n floats; inv_scale, zp: (in_c). */
typedef void (*AennQPackRowFunc) (guint8 * dst, gsize group_stride,
    const float *const *src, int n, int in_c, const float *inv_scale,
    const float *zp);

/* One output row of a quantized k x k convolution for all output channels.
 * Each output channel o has `terms` (1 or 2) s8 weight sets v = o * terms
 * + j: with two, the second quantizes what the first left over, which
 * gives weights of about 15 bits at twice the cost. Per weight set,
 * acc[v][x] = sum over g, dy, dx, b of in[g * k + dy][4 * (x + dx - k/2)
 * + b] * wq[v][g][dy][dx][b] (int32, exact); then, in this order of fused
 * multiply-adds, out = (float) (acc[v0] - corr[v0]) * scale[v0] + bias[o],
 * out = (float) (acc[v1] - corr[v1]) * scale[v1] + out, and the
 * activation.
 * out: (out_c) float rows of width; in: (n_groups * k) packed rows, in[g *
 * k + dy] being group g of the row at offset dy - k/2, pointing at pixel 0
 * and readable at pixels [-k/2, width + k/2); wq: (out_c * terms,
 * n_groups, k, k, 4) s8 in -127..127; corr, scale: (out_c * terms); bias:
 * (out_c). */
typedef void (*AennQConvRowFunc) (float *const *out,
    const guint8 * const *in, int width, int n_groups, int out_c, int terms,
    int k, const gint8 * wq, const gint32 * corr, const float *scale,
    const float *bias, AennAct act, float slope);

typedef struct
{
  KernelPath path;
  /* one of the two is set: conv_rows where a call costs enough to be
   * worth spreading over rows (ORC), conv_row where not */
  AennConvRowFunc conv_row;
  AennConvRowsFunc conv_rows;
  /* NULL on float paths */
  AennQConvRowFunc qconv_row;
  AennQPackRowFunc qpack_row;
  /* over m rows of n, each array with its row stride in bytes */
  void (*add_f32) (float *d, int ds, const float *a, int as, const float *b,
      int bs, int n, int m);
  void (*sub_f32) (float *d, int ds, const float *a, int as, const float *b,
      int bs, int n, int m);
  /* s: rows of (2n) */
  void (*deinterleave2_f32) (float *d0, int d0s, float *d1, int d1s,
      const float *s, int ss, int n, int m);
  /* d: rows of (2n) */
  void (*interleave2_f32) (float *d, int ds, const float *a, int as,
      const float *b, int bs, int n, int m);
} AennKernels;

/* The table for a path; NULL if the path is not supported here. */
const AennKernels *aenn_kernels_get (KernelPath path);

/* Plain C twins of the ORC kernels (denoise/kernels/aenn_orc.orc), same arguments. */
#define AENN_CONV3X2_ARGS float *d, int ds, const float *s0, int s0s, \
    const float *s1, int s1s, float w0, float w1, float w2, float w3, \
    float w4, float w5
void aenn_ref_conv3x2_f32 (AENN_CONV3X2_ARGS, int n, int m);
void aenn_ref_conv3x2b_f32 (AENN_CONV3X2_ARGS, float b, int n, int m);
void aenn_ref_conv3x2a_f32 (AENN_CONV3X2_ARGS, float slope, int n, int m);
void aenn_ref_conv3x2ba_f32 (AENN_CONV3X2_ARGS, float b, float slope, int n,
    int m);
#define AENN_CONV1X4_ARGS float *d, int ds, const float *s0, int s0s, \
    const float *s1, int s1s, const float *s2, int s2s, const float *s3, \
    int s3s, float w0, float w1, float w2, float w3
void aenn_ref_conv1x4_f32 (AENN_CONV1X4_ARGS, int n, int m);
void aenn_ref_conv1x4b_f32 (AENN_CONV1X4_ARGS, float b, int n, int m);
void aenn_ref_conv1x4a_f32 (AENN_CONV1X4_ARGS, float slope, int n, int m);
void aenn_ref_conv1x4ba_f32 (AENN_CONV1X4_ARGS, float b, float slope, int n,
    int m);
void aenn_ref_add_f32 (float *d, int ds, const float *a, int as,
    const float *b, int bs, int n, int m);
void aenn_ref_sub_f32 (float *d, int ds, const float *a, int as,
    const float *b, int bs, int n, int m);
void aenn_ref_deinterleave2_f32 (float *d0, int d0s, float *d1, int d1s,
    const float *s, int ss, int n, int m);
void aenn_ref_interleave2_f32 (float *d, int ds, const float *a, int as,
    const float *b, int bs, int n, int m);

void aenn_ref_conv_rows (float *const *out, gsize out_stride,
    const float *const *in, gsize in_stride, int rows, int width, int in_c,
    int out_c, int k, const float *w, const float *bias, AennAct act,
    float slope);
void aenn_orc_conv_rows (float *const *out, gsize out_stride,
    const float *const *in, gsize in_stride, int rows, int width, int in_c,
    int out_c, int k, const float *w, const float *bias, AennAct act,
    float slope);
#ifdef HAVE_AVX2_KERNELS
void aenn_avx2_conv_row (float *const *out, const float *const *in,
    int width, int in_c, int out_c, int k, const float *w, const float *bias,
    AennAct act, float slope);
#endif
#ifdef HAVE_VNNI_KERNELS
void aenn_vnni_qconv_row (float *const *out, const guint8 * const *in,
    int width, int n_groups, int out_c, int terms, int k, const gint8 * wq,
    const gint32 * corr, const float *scale, const float *bias, AennAct act,
    float slope);
void aenn_vnni_qpack_row (guint8 * dst, gsize group_stride,
    const float *const *src, int n, int in_c, const float *inv_scale,
    const float *zp);
#endif
#ifdef HAVE_AVX512_KERNELS
void aenn_avx512_conv_row (float *const *out, const float *const *in,
    int width, int in_c, int out_c, int k, const float *w, const float *bias,
    AennAct act, float slope);
#endif

G_END_DECLS

#endif
