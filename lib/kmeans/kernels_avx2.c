/* Nearest-centroid search with AVX2 + FMA: 8 pixels per vector, the
 * features held in registers across all k centroids; the tail goes
 * through a zero-padded copy. */
#include "config.h"
#include "kmeans/kernels.h"

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

/* ---- palette rows: the table held in one register, no gathers ---- */

void
km_avx2_lut_u8 (guint8 * d, const guint8 * lab, const guint8 * table,
    guint k, int n)
{
  int i = 0;

  if (k <= 16) {
    /* labels < 16 never set bit 7, which would make pshufb write 0 */
    __m256i t = _mm256_broadcastsi128_si256 (_mm_loadu_si128 ((const
                __m128i *) table));
    for (; i + 32 <= n; i += 32) {
      __m256i l = _mm256_loadu_si256 ((const __m256i *) (lab + i));
      _mm256_storeu_si256 ((__m256i *) (d + i), _mm256_shuffle_epi8 (t, l));
    }
  }
  km_ref_lut_u8 (d + i, lab + i, table, k, n - i);
}

void
km_avx2_lut_merge_u32 (guint32 * d, const guint8 * lab, const guint32 * pal,
    const guint32 * src, guint32 keep, guint k, int n)
{
  int i = 0;

  if (k <= 8) {
    __m256i t = _mm256_loadu_si256 ((const __m256i *) pal);
    __m256i m = _mm256_set1_epi32 ((int) keep);
    for (; i + 8 <= n; i += 8) {
      __m256i l = _mm256_cvtepu8_epi32 (_mm_loadl_epi64 ((const __m128i *)
              (lab + i)));
      __m256i s = _mm256_loadu_si256 ((const __m256i *) (src + i));
      __m256i p = _mm256_permutevar8x32_epi32 (t, l);
      _mm256_storeu_si256 ((__m256i *) (d + i),
          _mm256_or_si256 (_mm256_andnot_si256 (m, p),
              _mm256_and_si256 (m, s)));
    }
  }
  km_ref_lut_merge_u32 (d + i, lab + i, pal, src + i, keep, k, n - i);
}
