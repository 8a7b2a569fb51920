/* The row conversion table per path. */
#include "config.h"
#include "denoise/frames/pack.h"
#include "aenn_pack_orc.h"

#define PACK_TABLE(prefix) {                                                   \
    prefix##_u8_to_f32, prefix##_unpack2_f32, prefix##_unpack4_f32,          \
    prefix##_blend_u8, prefix##_blend2_u8, prefix##_blend4lo_u8,             \
    prefix##_blend4hi_u8, aenn_ref_unpack3_f32, aenn_ref_blend3_u8 }

static const AennPackKernels pack_ref = PACK_TABLE (aenn_ref);
static const AennPackKernels pack_orc = PACK_TABLE (aenn_orc);

const AennPackKernels *
aenn_pack_kernels_get (KernelPath path)
{
  if (path == KERNEL_PATH_AUTO)
    path = kernel_path_default ();
  return path == KERNEL_PATH_C ? &pack_ref : &pack_orc;
}
