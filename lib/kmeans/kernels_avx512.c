/* Nearest-centroid search with AVX-512: 16 pixels per vector, the features
 * held in registers across all k centroids. Built with its own -m flags and
 * only called after kernel_path_supported (KERNEL_PATH_AVX512). */
#include "config.h"
#include "kmeans/kernels.h"

#include <float.h>
#include <immintrin.h>

/* Two vectors (32 pixels) per step share the broadcast weights. */
static inline __attribute__((always_inline))
     void argmin_nf (guint n, const guint nf, const float *const *f, guint k,
    const float *w, const float *b, guint8 * labels, float *best)
{
  for (guint i = 0; i < n; i += 32) {
    guint left = n - i;
    __mmask16 m0 = left >= 16 ? 0xffff : (__mmask16) ((1u << left) - 1);
    __mmask16 m1 = left >= 32 ? 0xffff : left <= 16 ? 0 :
        (__mmask16) ((1u << (left - 16)) - 1);
    __m512 x0[KM_MAX_FEATURES], x1[KM_MAX_FEATURES];
    __m512 bd0 = _mm512_set1_ps (FLT_MAX), bd1 = bd0;
    __m512i bl0 = _mm512_setzero_si512 (), bl1 = bl0;

    for (guint c = 0; c < nf; c++) {
      x0[c] = _mm512_maskz_loadu_ps (m0, f[c] + i);
      x1[c] = _mm512_maskz_loadu_ps (m1, f[c] + i + 16);
    }
    for (guint j = 0; j < k; j++) {
      const float *wj = w + j * nf;
      __m512 d0 = _mm512_set1_ps (b[j]), d1 = d0;
      __m512i id = _mm512_set1_epi32 ((int) j);
      for (guint c = 0; c < nf; c++) {
        __m512 wc = _mm512_set1_ps (wj[c]);
        d0 = _mm512_fmadd_ps (x0[c], wc, d0);
        d1 = _mm512_fmadd_ps (x1[c], wc, d1);
      }
      __mmask16 lt0 = _mm512_cmp_ps_mask (d0, bd0, _CMP_LT_OQ);
      __mmask16 lt1 = _mm512_cmp_ps_mask (d1, bd1, _CMP_LT_OQ);
      bd0 = _mm512_mask_mov_ps (bd0, lt0, d0);
      bd1 = _mm512_mask_mov_ps (bd1, lt1, d1);
      bl0 = _mm512_mask_mov_epi32 (bl0, lt0, id);
      bl1 = _mm512_mask_mov_epi32 (bl1, lt1, id);
    }
    _mm512_mask_cvtepi32_storeu_epi8 (labels + i, m0, bl0);
    _mm512_mask_cvtepi32_storeu_epi8 (labels + i + 16, m1, bl1);
    if (best) {
      _mm512_mask_storeu_ps (best + i, m0, bd0);
      _mm512_mask_storeu_ps (best + i + 16, m1, bd1);
    }
  }
}

void
km_avx512_argmin (guint n, guint nf, const float *const *f, guint k,
    const float *w, const float *b, guint8 * labels, float *best)
{
  switch (nf) {
    case 1:
      argmin_nf (n, 1, f, k, w, b, labels, best);
      break;
    case 2:
      argmin_nf (n, 2, f, k, w, b, labels, best);
      break;
    case 3:
      argmin_nf (n, 3, f, k, w, b, labels, best);
      break;
    case 4:
      argmin_nf (n, 4, f, k, w, b, labels, best);
      break;
    default:
      argmin_nf (n, 5, f, k, w, b, labels, best);
      break;
  }
}

/* ---- palette rows: the table held in registers, no gathers (vpgatherdd
 * is slow on CPUs with the Downfall mitigation) ---- */

static inline __mmask64
mask64 (int left)
{
  return left >= 64 ? ~(__mmask64) 0 : ((__mmask64) 1 << left) - 1;
}

void
km_avx512_lut_u8 (guint8 * d, const guint8 * lab, const guint8 * table,
    guint k, int n)
{
  if (k > 16) {
    km_ref_lut_u8 (d, lab, table, k, n);
    return;
  }
  /* labels < 16 never set bit 7, which would make vpshufb write 0 */
  __m512i t = _mm512_broadcast_i32x4 (_mm_loadu_si128 ((const __m128i *)
          table));
  for (int i = 0; i < n; i += 64) {
    __mmask64 m = mask64 (n - i);
    __m512i l = _mm512_maskz_loadu_epi8 (m, lab + i);
    _mm512_mask_storeu_epi8 (d + i, m, _mm512_shuffle_epi8 (t, l));
  }
}

/* Its own target, not the file's -m flags: the rest of this file must run
 * on AVX-512 CPUs without VBMI. */
__attribute__((target ("avx512vbmi")))
     void km_avx512vbmi_lut_u8 (guint8 * d, const guint8 * lab,
    const guint8 * table, guint k, int n)
{
  __m512i t0 = _mm512_loadu_si512 (table);
  __m512i t1 = _mm512_loadu_si512 (table + 64);
  __m512i t2 = _mm512_loadu_si512 (table + 128);
  __m512i t3 = _mm512_loadu_si512 (table + 192);

  if (k <= 64) {
    for (int i = 0; i < n; i += 64) {
      __mmask64 m = mask64 (n - i);
      __m512i l = _mm512_maskz_loadu_epi8 (m, lab + i);
      _mm512_mask_storeu_epi8 (d + i, m, _mm512_permutexvar_epi8 (l, t0));
    }
  } else if (k <= 128) {
    for (int i = 0; i < n; i += 64) {
      __mmask64 m = mask64 (n - i);
      __m512i l = _mm512_maskz_loadu_epi8 (m, lab + i);
      _mm512_mask_storeu_epi8 (d + i, m, _mm512_permutex2var_epi8 (t0, l, t1));
    }
  } else {
    /* vpermi2b reads 7 bits of the index; bit 7 picks the half */
    for (int i = 0; i < n; i += 64) {
      __mmask64 m = mask64 (n - i);
      __m512i l = _mm512_maskz_loadu_epi8 (m, lab + i);
      __m512i lo = _mm512_permutex2var_epi8 (t0, l, t1);
      __m512i hi = _mm512_permutex2var_epi8 (t2, l, t3);
      _mm512_mask_storeu_epi8 (d + i, m,
          _mm512_mask_blend_epi8 (_mm512_movepi8_mask (l), lo, hi));
    }
  }
}

/* vpermd reads 4 bits of the index, vpermi2d 5 */
static inline __attribute__((always_inline))
     void lut_merge (guint32 * d, const guint8 * lab, const guint32 * pal,
    const guint32 * src, guint32 keep, const gboolean two, int n)
{
  __m512i t0 = _mm512_loadu_si512 (pal);
  __m512i t1 = two ? _mm512_loadu_si512 (pal + 16) : t0;
  __m512i keepv = _mm512_set1_epi32 ((int) keep);

  for (int i = 0; i < n; i += 16) {
    __mmask16 m = n - i >= 16 ? 0xffff : (__mmask16) ((1u << (n - i)) - 1);
    __m512i l = _mm512_cvtepu8_epi32 (_mm_maskz_loadu_epi8 (m, lab + i));
    __m512i s = _mm512_maskz_loadu_epi32 (m, src + i);
    __m512i p = two ? _mm512_permutex2var_epi32 (t0, l, t1)
        : _mm512_permutexvar_epi32 (l, t0);
    /* keep ? s : p */
    _mm512_mask_storeu_epi32 (d + i, m,
        _mm512_ternarylogic_epi32 (keepv, s, p, 0xca));
  }
}

void
km_avx512_lut_merge_u32 (guint32 * d, const guint8 * lab,
    const guint32 * pal, const guint32 * src, guint32 keep, guint k, int n)
{
  if (k <= 16)
    lut_merge (d, lab, pal, src, keep, FALSE, n);
  else if (k <= 32)
    lut_merge (d, lab, pal, src, keep, TRUE, n);
  else
    km_ref_lut_merge_u32 (d, lab, pal, src, keep, k, n);
}
