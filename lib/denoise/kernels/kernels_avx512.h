/* Inline helpers of the files built with the AVX-512 -m flags
 * (denoise/kernels/kernels_avx512.c, denoise/kernels/kernels_vnni.c); include only there. */
#ifndef __AENN_KERNELS_AVX512_H__
#define __AENN_KERNELS_AVX512_H__

#include <immintrin.h>
#include "denoise/model/model.h"

/* The activation of 16 floats, the same arithmetic as the C twins'. */
static inline __attribute__((always_inline)) __m512
aenn_avx512_act (__m512 v, AennAct act, __m512 slope)
{
  __m512 z = _mm512_setzero_ps ();
  if (act == AENN_ACT_RELU)
    return _mm512_max_ps (v, z);
  if (act == AENN_ACT_LEAKY_RELU)
    return _mm512_add_ps (_mm512_max_ps (v, z),
        _mm512_mul_ps (_mm512_min_ps (v, z), slope));
  return v;
}

#endif
