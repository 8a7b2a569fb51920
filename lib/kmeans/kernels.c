/* Kernel tables per path. Only this file and the per-ISA files call ORC or
 * intrinsics; everything above works through KmKernels. */
#include "config.h"
#include "kmeans/kernels.h"
#include "km_orc.h"

#include <float.h>
#include <string.h>

static const float km_zeros[KM_CHUNK];

/* ORC keeps labels in 32-bit lanes beside the float distances; the best
 * distance and label ping-pong between two buffers so that no call reads
 * and writes the same array. */
void
km_orc_argmin (guint n, guint nf, const float *const *f, guint k,
    const float *w, const float *b, guint8 * labels, float *best)
{
  float bd[2][KM_CHUNK];
  gint32 bl[2][KM_CHUNK];
  const float *p[KM_MAX_FEATURES];
  float wp[KM_MAX_FEATURES];
  float d[KM_CHUNK];
  guint np = nf <= 3 ? 3 : nf, cur = 0;

  g_assert (n <= KM_CHUNK && nf >= 1 && nf <= KM_MAX_FEATURES);
  for (guint c = 0; c < np; c++)
    p[c] = c < nf ? f[c] : km_zeros;
  for (guint i = 0; i < n; i++) {
    bd[0][i] = FLT_MAX;
    bl[0][i] = 0;
  }
  for (guint j = 0; j < k; j++) {
    for (guint c = 0; c < np; c++)
      wp[c] = c < nf ? w[j * nf + c] : 0.0f;
    if (np == 3)
      km_orc_argmin3_f32 (bd[cur ^ 1], bl[cur ^ 1], bd[cur], bl[cur],
          p[0], p[1], p[2], wp[0], wp[1], wp[2], b[j], (int) j, (int) n);
    else if (np == 4)
      km_orc_argmin4_f32 (bd[cur ^ 1], bl[cur ^ 1], bd[cur], bl[cur],
          p[0], p[1], p[2], p[3], wp[0], wp[1], wp[2], wp[3], b[j], (int) j,
          (int) n);
    else {
      /* five features need more than 8 arrays in one call: split it */
      km_orc_dot5_f32 (d, p[0], p[1], p[2], p[3], p[4], wp[0], wp[1], wp[2],
          wp[3], wp[4], b[j], (int) n);
      km_orc_minsel_f32 (bd[cur ^ 1], bl[cur ^ 1], bd[cur], bl[cur], d,
          (int) j, (int) n);
    }
    cur ^= 1;
  }
  km_orc_s32_to_u8 (labels, bl[cur], (int) n);
  if (best)
    memcpy (best, bd[cur], n * sizeof (float));
}

/* ORC has no table lookup: the palette words go through a chunk in L1,
 * then ORC's merge puts back the alpha or padding byte. */
static void
km_orc_lut_merge_u32 (guint32 * d, const guint8 * lab, const guint32 * pal,
    const guint32 * src, guint32 keep, guint k, int n)
{
  guint32 row[KM_CHUNK];        /* (KM_CHUNK) palette words */

  (void) k;
  for (int x0 = 0; x0 < n; x0 += KM_CHUNK) {
    int m = MIN (KM_CHUNK, n - x0);
    for (int i = 0; i < m; i++)
      row[i] = pal[lab[x0 + i]];
    km_orc_merge_u32 (d + x0, row, src + x0, (int) keep, m);
  }
}

/* A row: its path, the argmin and palette kernels of its own, and the
 * row conversions (the twins for the C path, ORC's for every other). */
#define KERNEL_TABLE(prefix, path_, argmin_, lut_, lut_merge_) {      \
    .path = path_, .argmin = argmin_,                                    \
    .unpack4_f32 = prefix##_unpack4_f32, .u8_to_f32 = prefix##_u8_to_f32, \
    .u8_to_f32_dup2 = prefix##_u8_to_f32_dup2,                           \
    .uv_to_f32_dup2 = prefix##_uv_to_f32_dup2,                           \
    .yuv422_to_f32 = prefix##_yuv422_to_f32, .lut_u8 = lut_,             \
    .lut_merge_u32 = lut_merge_, .avg2x2_u8 = prefix##_avg2x2_u8,        \
    .avg2_u8 = prefix##_avg2_u8, .interleave_u8 = prefix##_interleave_u8, \
    .pack_yuv422_u8 = prefix##_pack_yuv422_u8 }

/* A row per float path (k-means has no int8 code; vnni reads avx512's);
 * a path whose kernels this build lacks has no row, and km_kernels_get
 * refuses it. ORC has no table lookup: the ORC path runs the C twin for
 * bytes. */
static const KmKernels km_tables[KERNEL_PATH_LAST] = {
  [KERNEL_PATH_C] = KERNEL_TABLE (km_ref, KERNEL_PATH_C, km_ref_argmin,
      km_ref_lut_u8, km_ref_lut_merge_u32),
  [KERNEL_PATH_ORC] = KERNEL_TABLE (km_orc, KERNEL_PATH_ORC, km_orc_argmin,
      km_ref_lut_u8, km_orc_lut_merge_u32),
#ifdef HAVE_AVX2_KERNELS
  [KERNEL_PATH_AVX2] = KERNEL_TABLE (km_orc, KERNEL_PATH_AVX2, km_avx2_argmin,
      km_avx2_lut_u8, km_avx2_lut_merge_u32),
#endif
#ifdef HAVE_AVX512_KERNELS
  [KERNEL_PATH_AVX512] = KERNEL_TABLE (km_orc, KERNEL_PATH_AVX512,
      km_avx512_argmin, km_avx512_lut_u8, km_avx512_lut_merge_u32),
#endif
};

#ifdef HAVE_AVX512_KERNELS
/* the AVX-512 path on a CPU with AVX512_VBMI: byte permutes for lut_u8 */
static const KmKernels km_table_avx512_vbmi =
KERNEL_TABLE (km_orc, KERNEL_PATH_AVX512, km_avx512_argmin,
    km_avx512vbmi_lut_u8, km_avx512_lut_merge_u32);
#endif

const KmKernels *
km_kernels_get (KernelPath path)
{
  KernelPath row;

  /* k-means has no int8 code: a quantized path runs its float kernels,
   * and says so in the table's path */
  if (!kernel_path_resolve (path, FALSE, &row) || km_tables[row].argmin == NULL)
    return NULL;
#ifdef HAVE_AVX512_KERNELS
  if (row == KERNEL_PATH_AVX512 && __builtin_cpu_supports ("avx512vbmi"))
    return &km_table_avx512_vbmi;
#endif
  return &km_tables[row];
}
