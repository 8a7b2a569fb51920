/* The trainer's hot loops (see denoise/train/train_kernels.h), written once with GCC
 * vector extensions at the native width of whatever -m flags this file is
 * built with. AENN_TK_TABLE names the table it exports.
 *
 * conv_acc is a register-blocked micro-kernel: a block of NO output rows
 * times NV vectors of positions stays in registers while the loop runs over
 * every input channel and tap (one vector load of the input shared by NO
 * broadcast multiply-adds), so outputs are loaded and stored once per
 * call. conv_wgrad keeps NW x taps dot products in vector lanes over all
 * segments and reduces the lanes once, in a fixed order. */
#include "config.h"
#include "denoise/train/train_kernels.h"

#ifndef AENN_TK_TABLE
#error "build with -DAENN_TK_TABLE=<table name>"
#endif

#if defined(__AVX512F__)
#define VW 16
#define FWD_NO 8                /* 8 x 2 accumulators of 32 registers */
#define WG_NO 2                 /* 2 x 9 accumulators */
#define TK_NAME "avx512"
#elif defined(__AVX2__)
#define VW 8
#define FWD_NO 4                /* 4 x 2 accumulators of 16 registers */
#define WG_NO 1
#define TK_NAME "avx2"
#else
#define VW 4
#define FWD_NO 4
#define WG_NO 1
#define TK_NAME "generic"
#endif
#define NV 2

#define ALWAYS_INLINE static inline __attribute__ ((always_inline))

typedef float vf __attribute__((vector_size (VW * 4)));
typedef float vfu __attribute__((vector_size (VW * 4), aligned (4), may_alias));

ALWAYS_INLINE vf
ldu (const float *p)
{
  return *(const vfu *) p;
}

ALWAYS_INLINE void
stu (float *p, vf v)
{
  *(vfu *) p = v;
}

ALWAYS_INLINE float
hsum (vf v)
{
  float s = 0.0f;
  for (int l = 0; l < VW; l++)
    s += v[l];
  return s;
}

ALWAYS_INLINE void
make_offsets (ptrdiff_t *off, int k, ptrdiff_t row)
{
  if (k == 1)
    off[0] = 0;
  else
    for (int t = 0; t < 9; t++)
      off[t] = (t / 3 - 1) * row + (t % 3 - 1);
}

/* no outputs x nv vectors at position i; taps and no are constants at
 * every call site, so the loops unroll */
ALWAYS_INLINE void
acc_block (float *const *out, int no, int nv, ptrdiff_t i, const float *in,
    ptrdiff_t cstride, int n_in, const ptrdiff_t *off, int taps,
    const float *w, ptrdiff_t wos, ptrdiff_t wcs)
{
  vf acc[FWD_NO][NV];

  for (int j = 0; j < no; j++)
    for (int v = 0; v < nv; v++)
      acc[j][v] = ldu (out[j] + i + v * VW);
  for (int c = 0; c < n_in; c++) {
    const float *ic = in + c * cstride + i;
    const float *wc = w + c * wcs;
    for (int t = 0; t < taps; t++) {
      vf a[NV];
      for (int v = 0; v < nv; v++)
        a[v] = ldu (ic + off[t] + v * VW);
      for (int j = 0; j < no; j++) {
        vf wj = (vf) { } +wc[j * wos + t];
        for (int v = 0; v < nv; v++)
          acc[j][v] += wj * a[v];
      }
    }
  }
  for (int j = 0; j < no; j++)
    for (int v = 0; v < nv; v++)
      stu (out[j] + i + v * VW, acc[j][v]);
}

ALWAYS_INLINE void
acc_scalar (float *const *out, int no, ptrdiff_t i, const float *in,
    ptrdiff_t cstride, int n_in, const ptrdiff_t *off, int taps,
    const float *w, ptrdiff_t wos, ptrdiff_t wcs)
{
  for (int j = 0; j < no; j++) {
    float s = out[j][i];
    for (int c = 0; c < n_in; c++)
      for (int t = 0; t < taps; t++)
        s += w[j * wos + c * wcs + t] * in[c * cstride + i + off[t]];
    out[j][i] = s;
  }
}

ALWAYS_INLINE void
acc_rows (float *const *out, int no, const float *in, ptrdiff_t cstride,
    int n_in, const ptrdiff_t *off, int taps, const float *w, ptrdiff_t wos,
    ptrdiff_t wcs, ptrdiff_t n)
{
  ptrdiff_t i = 0;
  for (; i + NV * VW <= n; i += NV * VW)
    acc_block (out, no, NV, i, in, cstride, n_in, off, taps, w, wos, wcs);
  for (; i + VW <= n; i += VW)
    acc_block (out, no, 1, i, in, cstride, n_in, off, taps, w, wos, wcs);
  for (; i < n; i++)
    acc_scalar (out, no, i, in, cstride, n_in, off, taps, w, wos, wcs);
}

/* one segment, all outputs in blocks of FWD_NO, then smaller blocks */
ALWAYS_INLINE void
acc_segment (float *const *out, int nout, const float *in, ptrdiff_t cstride,
    int n_in, const ptrdiff_t *off, int taps, const float *w, ptrdiff_t wos,
    ptrdiff_t wcs, ptrdiff_t n)
{
  int j = 0;
  for (; j + FWD_NO <= nout; j += FWD_NO)
    acc_rows (out + j, FWD_NO, in, cstride, n_in, off, taps, w + j * wos,
        wos, wcs, n);
#if FWD_NO > 4
  for (; j + 4 <= nout; j += 4)
    acc_rows (out + j, 4, in, cstride, n_in, off, taps, w + j * wos, wos,
        wcs, n);
#endif
  for (; j + 2 <= nout; j += 2)
    acc_rows (out + j, 2, in, cstride, n_in, off, taps, w + j * wos, wos,
        wcs, n);
  for (; j < nout; j++)
    acc_rows (out + j, 1, in, cstride, n_in, off, taps, w + j * wos, wos,
        wcs, n);
}

static void
tk_conv_acc (float *const *out, int nout, const float *in, ptrdiff_t cstride,
    int n_in, ptrdiff_t row, const float *w, ptrdiff_t wos, ptrdiff_t wcs,
    int k, ptrdiff_t n_seg, ptrdiff_t seg_stride, ptrdiff_t seg_len)
{
  ptrdiff_t off[9];
  float *o[AENN_MAX_CHANNELS];

  make_offsets (off, k, row);
  for (ptrdiff_t s = 0; s < n_seg; s++) {
    for (int j = 0; j < nout; j++)
      o[j] = out[j] + s * seg_stride;
    if (k == 3)
      acc_segment (o, nout, in + s * seg_stride, cstride, n_in, off, 9, w,
          wos, wcs, seg_len);
    else
      acc_segment (o, nout, in + s * seg_stride, cstride, n_in, off, 1, w,
          wos, wcs, seg_len);
  }
}

/* dw for ng outputs of one input channel, over every segment */
ALWAYS_INLINE void
wgrad_block (float *dw, ptrdiff_t wos, const float *const *g, int ng,
    const float *in, const ptrdiff_t *off, int taps, ptrdiff_t n_seg,
    ptrdiff_t seg_stride, ptrdiff_t seg_len)
{
  vf acc[WG_NO > 4 ? WG_NO : 4][9];
  float sacc[WG_NO > 4 ? WG_NO : 4][9];

  for (int j = 0; j < ng; j++)
    for (int t = 0; t < taps; t++) {
      acc[j][t] = (vf) {
      };
      sacc[j][t] = 0.0f;
    }
  for (ptrdiff_t s = 0; s < n_seg; s++) {
    const float *is = in + s * seg_stride;
    ptrdiff_t i = 0;
    for (; i + VW <= seg_len; i += VW) {
      vf a[9];
      for (int t = 0; t < taps; t++)
        a[t] = ldu (is + i + off[t]);
      for (int j = 0; j < ng; j++) {
        vf gj = ldu (g[j] + s * seg_stride + i);
        for (int t = 0; t < taps; t++)
          acc[j][t] += gj * a[t];
      }
    }
    for (; i < seg_len; i++)
      for (int j = 0; j < ng; j++) {
        float gj = g[j][s * seg_stride + i];
        for (int t = 0; t < taps; t++)
          sacc[j][t] += gj * is[i + off[t]];
      }
  }
  for (int j = 0; j < ng; j++)
    for (int t = 0; t < taps; t++)
      dw[j * wos + t] += hsum (acc[j][t]) + sacc[j][t];
}

static void
tk_conv_wgrad (float *dw, ptrdiff_t wos, ptrdiff_t wcs, const float *g,
    ptrdiff_t g_cstride, int ng, const float *in, ptrdiff_t in_cstride,
    int n_in, ptrdiff_t row, int k, ptrdiff_t n_seg, ptrdiff_t seg_stride,
    ptrdiff_t seg_len)
{
  ptrdiff_t off[9];
  const float *gp[4];
  const int blk = k == 3 ? WG_NO : 4;

  make_offsets (off, k, row);
  for (int j0 = 0; j0 < ng; j0 += blk) {
    int nj = MIN (blk, ng - j0);
    for (int j = 0; j < nj; j++)
      gp[j] = g + (j0 + j) * g_cstride;
    for (int c = 0; c < n_in; c++) {
      float *d = dw + j0 * wos + c * wcs;
      const float *ic = in + c * in_cstride;
      if (k == 3) {
        if (nj == WG_NO)
          wgrad_block (d, wos, gp, WG_NO, ic, off, 9, n_seg, seg_stride,
              seg_len);
        else
          wgrad_block (d, wos, gp, 1, ic, off, 9, n_seg, seg_stride, seg_len);
      } else {
        if (nj == 4)
          wgrad_block (d, wos, gp, 4, ic, off, 1, n_seg, seg_stride, seg_len);
        else
          for (int j = 0; j < nj; j++)
            wgrad_block (d + j * wos, wos, gp + j, 1, ic, off, 1, n_seg,
                seg_stride, seg_len);
      }
    }
  }
}

static void
tk_act (float *y, ptrdiff_t n, AennAct act, float slope)
{
  if (act == AENN_ACT_RELU)
    for (ptrdiff_t i = 0; i < n; i++)
      y[i] = y[i] > 0.0f ? y[i] : 0.0f;
  else if (act == AENN_ACT_LEAKY_RELU)
    for (ptrdiff_t i = 0; i < n; i++)
      y[i] = y[i] > 0.0f ? y[i] : y[i] * slope;
}

static void
tk_act_grad (float *g, const float *y, ptrdiff_t n, AennAct act, float slope)
{
  if (act == AENN_ACT_RELU)
    for (ptrdiff_t i = 0; i < n; i++)
      g[i] = y[i] > 0.0f ? g[i] : 0.0f;
  else if (act == AENN_ACT_LEAKY_RELU)
    for (ptrdiff_t i = 0; i < n; i++)
      g[i] = y[i] > 0.0f ? g[i] : g[i] * slope;
}

static float
tk_sum (const float *a, ptrdiff_t n)
{
  vf acc = { };
  float s = 0.0f;
  ptrdiff_t i = 0;
  for (; i + VW <= n; i += VW)
    acc += ldu (a + i);
  for (; i < n; i++)
    s += a[i];
  return hsum (acc) + s;
}

const AennTrainKernels AENN_TK_TABLE = {
  TK_NAME, tk_conv_acc, tk_conv_wgrad, tk_act, tk_act_grad, tk_sum
};
