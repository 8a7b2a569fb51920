/* The row conversion table per path. */
#include "config.h"
#include "denoise/frames/pack.h"
#include "aenn_pack_orc.h"

/* 3-byte pixels have no ORC form (ORC reads 1, 2, 4 or 8 bytes): every
 * path runs their C twins. */
#define PACK_TABLE(prefix) {                                                  \
    .u8_to_f32 = prefix##_u8_to_f32, .unpack2_f32 = prefix##_unpack2_f32,    \
    .unpack4_f32 = prefix##_unpack4_f32, .blend_u8 = prefix##_blend_u8,      \
    .blend2_u8 = prefix##_blend2_u8, .blend4lo_u8 = prefix##_blend4lo_u8,    \
    .blend4hi_u8 = prefix##_blend4hi_u8,                                     \
    .unpack3_f32 = aenn_ref_unpack3_f32, .blend3_u8 = aenn_ref_blend3_u8 }

/* A row per float path: the twins for C, ORC for every other (the
 * conversions are memory-bound; ORC's SSE is enough). */
static const AennPackKernels pack_tables[KERNEL_PATH_LAST] = {
  [KERNEL_PATH_C] = PACK_TABLE (aenn_ref),
  [KERNEL_PATH_ORC] = PACK_TABLE (aenn_orc),
  [KERNEL_PATH_AVX2] = PACK_TABLE (aenn_orc),
  [KERNEL_PATH_AVX512] = PACK_TABLE (aenn_orc),
};

const AennPackKernels *
aenn_pack_kernels_get (KernelPath path)
{
  KernelPath row;

  if (!kernel_path_resolve (path, FALSE, &row))
    return NULL;
  return &pack_tables[row];
}
