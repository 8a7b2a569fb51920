/* aenn_kernels: the row kernels of the autoencoder and the table that picks
 * an implementation per path (C twins, ORC, AVX2+FMA, AVX-512).
 *
 * Rows are planar: one float row per channel. A row that a k x k
 * convolution reads is readable at [-k/2, width + k/2): the scheduler keeps
 * one border column on each side and fills it with the padding. */
#ifndef __AENN_KERNELS_H__
#define __AENN_KERNELS_H__

#include <glib.h>
#include "gu_cpu.h"
#include "aenn_model.h"

G_BEGIN_DECLS

/* One output row of a k x k convolution for all output channels, with bias
 * and activation fused.
 * out: (out_c) rows of width; in: (in_c * k) rows, in[ic * k + dy] being
 * input channel ic at row offset dy - k/2; w: (out_c, in_c, k, k);
 * bias: (out_c). */
typedef void (*AennConvRowFunc) (float *const *out, const float *const *in,
    int width, int in_c, int out_c, int k, const float *w, const float *bias,
    AennAct act, float slope);

typedef struct
{
  GuPath path;
  AennConvRowFunc conv_row;
  void (*add_f32) (float *d, const float *a, const float *b, int n);
  void (*sub_f32) (float *d, const float *a, const float *b, int n);
  /* s: (2n) */
  void (*deinterleave2_f32) (float *d0, float *d1, const float *s, int n);
  /* d: (2n) */
  void (*interleave2_f32) (float *d, const float *a, const float *b, int n);
} AennKernels;

/* The table for a path; NULL if the path is not supported here. */
const AennKernels *aenn_kernels_get (GuPath path);

/* Plain C twins of the ORC kernels (aenn_orc.orc), same arguments. */
void aenn_ref_mac6_f32 (float *d, const float *a, const float *s0,
    const float *s1, const float *s2, const float *s3, const float *s4,
    const float *s5, float w0, float w1, float w2, float w3, float w4,
    float w5, int n);
void aenn_ref_mac6b_f32 (float *d, const float *s0, const float *s1,
    const float *s2, const float *s3, const float *s4, const float *s5,
    float w0, float w1, float w2, float w3, float w4, float w5, float b,
    int n);
void aenn_ref_relu_f32 (float *d, const float *s, int n);
void aenn_ref_lrelu_f32 (float *d, const float *s, float slope, int n);
void aenn_ref_add_f32 (float *d, const float *a, const float *b, int n);
void aenn_ref_sub_f32 (float *d, const float *a, const float *b, int n);
void aenn_ref_deinterleave2_f32 (float *d0, float *d1, const float *s, int n);
void aenn_ref_interleave2_f32 (float *d, const float *a, const float *b,
    int n);

void aenn_ref_conv_row (float *const *out, const float *const *in,
    int width, int in_c, int out_c, int k, const float *w, const float *bias,
    AennAct act, float slope);
void aenn_orc_conv_row (float *const *out, const float *const *in,
    int width, int in_c, int out_c, int k, const float *w, const float *bias,
    AennAct act, float slope);
#ifdef AENN_HAVE_AVX2
void aenn_avx2_conv_row (float *const *out, const float *const *in,
    int width, int in_c, int out_c, int k, const float *w, const float *bias,
    AennAct act, float slope);
#endif
#ifdef AENN_HAVE_AVX512
void aenn_avx512_conv_row (float *const *out, const float *const *in,
    int width, int in_c, int out_c, int k, const float *w, const float *bias,
    AennAct act, float slope);
#endif

G_END_DECLS

#endif
