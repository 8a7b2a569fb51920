/* Nearest-centroid search with AVX-512: 16 pixels per vector, the features
 * held in registers across all k centroids. Built with its own -m flags and
 * only called after gu_path_supported (GU_PATH_AVX512). */
#include "km_kernels.h"

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
