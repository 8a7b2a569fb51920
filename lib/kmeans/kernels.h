/* km_kernels: the row kernels of k-means segmentation and the table that
 * picks an implementation per path (C twins, ORC, AVX2, AVX-512).
 *
 * Byte shifts (s0, sy0, ...) name where a byte sits in a little-endian
 * 32-bit word: byte i of memory is bits 8*i..8*i+7. */
#ifndef __KM_KERNELS_H__
#define __KM_KERNELS_H__

#include <glib.h>
#include "common/kernel_path.h"

G_BEGIN_DECLS

/* Most pixels a kernel call sees: keeps the feature rows in L1. */
#define KM_CHUNK 1024
#define KM_MAX_FEATURES 5

/* Nearest centroid for n pixels: for each i, the j minimising
 * w[j*nf+0]*f[0][i] + ... + w[j*nf+nf-1]*f[nf-1][i] + b[j], first j on ties.
 * f: nf rows (n); w: (k, nf); b: (k); labels: (n); best (n) or NULL gets the
 * minimum. n <= KM_CHUNK, 1 <= nf <= KM_MAX_FEATURES, 1 <= k <= 256. */
typedef void (*KmArgminFunc) (guint n, guint nf, const float *const *f,
    guint k, const float *w, const float *b, guint8 * labels, float *best);

typedef struct
{
  KernelPath path;
  KmArgminFunc argmin;
  void (*unpack4_f32) (float *d0, float *d1, float *d2, const guint32 * s,
      int s0, int s1, int s2, int n);
  void (*u8_to_f32) (float *d, const guint8 * s, int n);
  /* d: (2n) */
  void (*u8_to_f32_dup2) (float *d, const guint8 * s, int n);
  /* du, dv: (2n) */
  void (*uv_to_f32_dup2) (float *du, float *dv, const guint16 * s, int n);
  /* dy, du, dv: (2n); s: n macropixels */
  void (*yuv422_to_f32) (float *dy, float *du, float *dv, const guint32 * s,
      int sy0, int sy1, int su, int sv, int n);
  /* Palette rows. table, pal: (256) entries, of which the first k are
   * used; every lab[i] < k. k picks the instructions (a table that fits in
   * registers), not the result. */
  /* d[i] = table[lab[i]] */
  void (*lut_u8) (guint8 * d, const guint8 * lab, const guint8 * table,
      guint k, int n);
  /* d[i] = (pal[lab[i]] & ~keep) | (src[i] & keep) */
  void (*lut_merge_u32) (guint32 * d, const guint8 * lab,
      const guint32 * pal, const guint32 * src, guint32 keep, guint k, int n);
  /* a, b: (2n) bytes */
  void (*avg2x2_u8) (guint8 * d, const guint16 * a, const guint16 * b, int n);
  void (*avg2_u8) (guint8 * d, const guint16 * a, int n);
  void (*interleave_u8) (guint16 * d, const guint8 * a, const guint8 * b,
      int n);
  /* y: (2n) bytes */
  void (*pack_yuv422_u8) (guint32 * d, const guint16 * y, const guint8 * u,
      const guint8 * v, int sy0, int sy1, int su, int sv, int n);
} KmKernels;

/* The table for a path; NULL if the path is not supported here. */
const KmKernels *km_kernels_get (KernelPath path);

/* Plain C twins of the ORC kernels (kmeans/km_orc.orc), same arguments. */
void km_ref_argmin3_f32 (float *dbest, gint32 * dlab, const float *sbest,
    const gint32 * slab, const float *f0, const float *f1, const float *f2,
    float w0, float w1, float w2, float b, int j, int n);
void km_ref_argmin4_f32 (float *dbest, gint32 * dlab, const float *sbest,
    const gint32 * slab, const float *f0, const float *f1, const float *f2,
    const float *f3, float w0, float w1, float w2, float w3, float b, int j,
    int n);
void km_ref_dot5_f32 (float *d, const float *f0, const float *f1,
    const float *f2, const float *f3, const float *f4, float w0, float w1,
    float w2, float w3, float w4, float b, int n);
void km_ref_minsel_f32 (float *dbest, gint32 * dlab, const float *sbest,
    const gint32 * slab, const float *d, int j, int n);
void km_ref_s32_to_u8 (guint8 * d, const gint32 * s, int n);
void km_ref_unpack4_f32 (float *d0, float *d1, float *d2, const guint32 * s,
    int s0, int s1, int s2, int n);
void km_ref_u8_to_f32 (float *d, const guint8 * s, int n);
void km_ref_u8_to_f32_dup2 (float *d, const guint8 * s, int n);
void km_ref_uv_to_f32_dup2 (float *du, float *dv, const guint16 * s, int n);
void km_ref_yuv422_to_f32 (float *dy, float *du, float *dv,
    const guint32 * s, int sy0, int sy1, int su, int sv, int n);
void km_ref_merge_u32 (guint32 * d, const guint32 * pal, const guint32 * src,
    int keep, int n);
void km_ref_lut_u8 (guint8 * d, const guint8 * lab, const guint8 * table,
    guint k, int n);
void km_ref_lut_merge_u32 (guint32 * d, const guint8 * lab,
    const guint32 * pal, const guint32 * src, guint32 keep, guint k, int n);
void km_ref_avg2x2_u8 (guint8 * d, const guint16 * a, const guint16 * b,
    int n);
void km_ref_avg2_u8 (guint8 * d, const guint16 * a, int n);
void km_ref_interleave_u8 (guint16 * d, const guint8 * a, const guint8 * b,
    int n);
void km_ref_pack_yuv422_u8 (guint32 * d, const guint16 * y, const guint8 * u,
    const guint8 * v, int sy0, int sy1, int su, int sv, int n);

/* Generic argmin over the twins (the C path) and over ORC. */
void km_ref_argmin (guint n, guint nf, const float *const *f, guint k,
    const float *w, const float *b, guint8 * labels, float *best);
void km_orc_argmin (guint n, guint nf, const float *const *f, guint k,
    const float *w, const float *b, guint8 * labels, float *best);

#ifdef HAVE_AVX2_KERNELS
void km_avx2_argmin (guint n, guint nf, const float *const *f, guint k,
    const float *w, const float *b, guint8 * labels, float *best);
/* pshufb for k <= 16, else the C loop */
void km_avx2_lut_u8 (guint8 * d, const guint8 * lab, const guint8 * table,
    guint k, int n);
/* vpermd for k <= 8, else the C loop */
void km_avx2_lut_merge_u32 (guint32 * d, const guint8 * lab,
    const guint32 * pal, const guint32 * src, guint32 keep, guint k, int n);
#endif
#ifdef HAVE_AVX512_KERNELS
void km_avx512_argmin (guint n, guint nf, const float *const *f, guint k,
    const float *w, const float *b, guint8 * labels, float *best);
/* AVX-512BW: vpshufb for k <= 16, else the C loop */
void km_avx512_lut_u8 (guint8 * d, const guint8 * lab, const guint8 * table,
    guint k, int n);
/* AVX512_VBMI (check the CPU first): vpermb for k <= 64, vpermi2b for
 * k <= 128, two vpermi2b blended on bit 7 above */
void km_avx512vbmi_lut_u8 (guint8 * d, const guint8 * lab,
    const guint8 * table, guint k, int n);
/* vpermd for k <= 16, vpermi2d for k <= 32, else the C loop */
void km_avx512_lut_merge_u32 (guint32 * d, const guint8 * lab,
    const guint32 * pal, const guint32 * src, guint32 keep, guint k, int n);
#endif

G_END_DECLS

#endif
