/* aenn_train_kernels: the trainer's hot loops, over "flat" padded planes.
 *
 * A plane of h rows of w pixels is stored with a one-pixel border, rows
 * row = w + 2 floats apart. A 3x3 tap (dy, dx) of pixel i is then i + off,
 * off = (dy - 1) * row + (dx - 1), for every pixel alike, so a convolution
 * is a few long saxpy/dot loops over the plane (its border columns compute
 * values nobody reads, which the caller zeroes). The same source is built
 * once per instruction set (-msse2 default, -mavx2 -mfma, -mavx512f), each
 * with GCC vector extensions at its native width; the table is picked once
 * from the CPU. Results are reproducible for one table; tables differ in
 * their last bits (FMA, lane counts). */
#ifndef __AENN_TRAIN_KERNELS_H__
#define __AENN_TRAIN_KERNELS_H__

#include <glib.h>
#include <stddef.h>
#include "denoise/model/model.h"
#include "common/kernel_path.h"

G_BEGIN_DECLS

typedef struct
{
  const gchar *name;
  /* For each segment s < n_seg (positions s * seg_stride + [0, seg_len)):
   * out[j][i] += sum_c sum_t w[j * wos + c * wcs + t]
   *     * in[c * cstride + i + off_t],   j < nout, c < n_in,
   * k = 1 (one tap, off 0) or 3 (nine taps, row-major, off_t as above). */
  void (*conv_acc) (float *const *out, int nout, const float *in,
      ptrdiff_t cstride, int n_in, ptrdiff_t row, const float *w,
      ptrdiff_t wos, ptrdiff_t wcs, int k, ptrdiff_t n_seg,
      ptrdiff_t seg_stride, ptrdiff_t seg_len);
  /* Over the same segments:
   * dw[j * wos + c * wcs + t] += sum_i g[j * g_cstride + i]
   *     * in[c * in_cstride + i + off_t],   j < ng, c < n_in. */
  void (*conv_wgrad) (float *dw, ptrdiff_t wos, ptrdiff_t wcs,
      const float *g, ptrdiff_t g_cstride, int ng, const float *in,
      ptrdiff_t in_cstride, int n_in, ptrdiff_t row, int k, ptrdiff_t n_seg,
      ptrdiff_t seg_stride, ptrdiff_t seg_len);
  /* y = act (y) in place */
  void (*act) (float *y, ptrdiff_t n, AennAct act, float slope);
  /* g *= act' where y = act (pre): y > 0 exactly where pre > 0 */
  void (*act_grad) (float *g, const float *y, ptrdiff_t n, AennAct act,
      float slope);
  /* sum of a[0..n) in a fixed order */
  float (*sum) (const float *a, ptrdiff_t n);
} AennTrainKernels;

const AennTrainKernels *aenn_train_kernels_get (KernelPath path);

/* one table per build of denoise/train/train_kernels.c */
extern const AennTrainKernels aenn_tk_generic;
#ifdef HAVE_AVX2_KERNELS
extern const AennTrainKernels aenn_tk_avx2;
#endif
#ifdef HAVE_AVX512_KERNELS
extern const AennTrainKernels aenn_tk_avx512;
#endif

G_END_DECLS

#endif
