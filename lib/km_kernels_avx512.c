/* Nearest-centroid search with AVX-512: 16 pixels per vector, the features
 * held in registers across all k centroids. Built with its own -m flags and
 * only called after gu_path_supported (GU_PATH_AVX512). */
#include "km_kernels.h"

#include <float.h>
#include <immintrin.h>

static inline __attribute__((always_inline))
     void argmin_nf (guint n, const guint nf, const float *const *f, guint k,
    const float *w, const float *b, guint8 * labels, float *best)
{
  for (guint i = 0; i < n; i += 16) {
    __mmask16 m = n - i >= 16 ? 0xffff : (__mmask16) ((1u << (n - i)) - 1);
    __m512 x[KM_MAX_FEATURES];
    __m512 bd = _mm512_set1_ps (FLT_MAX);
    __m512i bl = _mm512_setzero_si512 ();

    for (guint c = 0; c < nf; c++)
      x[c] = _mm512_maskz_loadu_ps (m, f[c] + i);
    for (guint j = 0; j < k; j++) {
      const float *wj = w + j * nf;
      __m512 d = _mm512_set1_ps (b[j]);
      for (guint c = 0; c < nf; c++)
        d = _mm512_fmadd_ps (x[c], _mm512_set1_ps (wj[c]), d);
      __mmask16 lt = _mm512_cmp_ps_mask (d, bd, _CMP_LT_OQ);
      bd = _mm512_mask_mov_ps (bd, lt, d);
      bl = _mm512_mask_mov_epi32 (bl, lt, _mm512_set1_epi32 ((int) j));
    }
    _mm512_mask_cvtepi32_storeu_epi8 (labels + i, m, bl);
    if (best)
      _mm512_mask_storeu_ps (best + i, m, bd);
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
