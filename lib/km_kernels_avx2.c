/* Nearest-centroid search with AVX2 + FMA: 8 pixels per vector, the
 * features held in registers across all k centroids; the tail goes
 * through a zero-padded copy. */
#include "km_kernels.h"

#include <float.h>
#include <string.h>
#include <immintrin.h>

static inline __attribute__((always_inline))
     void argmin8 (const guint nf, __m256 * x, guint k, const float *w,
    const float *b, guint8 * labels, float *best, guint count)
{
  __m256 bd = _mm256_set1_ps (FLT_MAX);
  __m256 bl = _mm256_setzero_ps ();     /* label ids as floats */
  gint32 lab[8];
  float bst[8];

  for (guint j = 0; j < k; j++) {
    const float *wj = w + j * nf;
    __m256 d = _mm256_set1_ps (b[j]);
    for (guint c = 0; c < nf; c++)
      d = _mm256_fmadd_ps (x[c], _mm256_set1_ps (wj[c]), d);
    __m256 lt = _mm256_cmp_ps (d, bd, _CMP_LT_OQ);
    bd = _mm256_blendv_ps (bd, d, lt);
    bl = _mm256_blendv_ps (bl, _mm256_set1_ps ((float) j), lt);
  }
  _mm256_storeu_si256 ((__m256i *) lab, _mm256_cvtps_epi32 (bl));
  _mm256_storeu_ps (bst, bd);
  for (guint i = 0; i < count; i++) {
    labels[i] = (guint8) lab[i];
    if (best)
      best[i] = bst[i];
  }
}

static inline __attribute__((always_inline))
     void argmin_nf (guint n, const guint nf, const float *const *f, guint k,
    const float *w, const float *b, guint8 * labels, float *best)
{
  __m256 x[KM_MAX_FEATURES];
  guint i = 0;

  for (; i + 8 <= n; i += 8) {
    for (guint c = 0; c < nf; c++)
      x[c] = _mm256_loadu_ps (f[c] + i);
    argmin8 (nf, x, k, w, b, labels + i, best ? best + i : NULL, 8);
  }
  if (i < n) {
    float tail[KM_MAX_FEATURES][8];
    memset (tail, 0, sizeof (tail));
    for (guint c = 0; c < nf; c++) {
      memcpy (tail[c], f[c] + i, (n - i) * sizeof (float));
      x[c] = _mm256_loadu_ps (tail[c]);
    }
    argmin8 (nf, x, k, w, b, labels + i, best ? best + i : NULL, n - i);
  }
}

void
km_avx2_argmin (guint n, guint nf, const float *const *f, guint k,
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
