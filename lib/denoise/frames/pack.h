/* aenn_pack: the row conversions between a frame's 8-bit samples and the
 * engine's float planes (denoise/frames/aenn_pack_orc.orc), their plain C twins, and the
 * table that picks one set per path (the C twins for KERNEL_PATH_C, ORC for
 * every other path: these rows are memory-bound and ORC's SSE code is as
 * fast as wider vectors would be).
 *
 * Loads write s * scale. Blends write s + t * (255 n - s) clamped to
 * 0..255 and rounded (to nearest, ties to even): s the input sample, n the
 * network's output on the 0..1 scale, t the strength; t = 0 gives s back
 * bit for bit. Pairs and quads are read in memory order: the first byte of
 * a pair goes to d0 (or takes n0). */
#ifndef __AENN_PACK_H__
#define __AENN_PACK_H__

#include <glib.h>
#include "common/kernel_path.h"

G_BEGIN_DECLS

typedef struct
{
  void (*u8_to_f32) (float *d, const guint8 * s, float scale, int n);
  /* s: (n) byte pairs */
  void (*unpack2_f32) (float *d0, float *d1, const guint16 * s, float scale,
      int n);
  /* s: (n) 4-byte pixels */
  void (*unpack4_f32) (float *d0, float *d1, float *d2, float *d3,
      const guint32 * s, float scale, int n);
  void (*blend_u8) (guint8 * d, const guint8 * s, const float *n, float t,
      int len);
  void (*blend2_u8) (guint16 * d, const guint16 * s, const float *n0,
      const float *n1, float t, int len);
  /* bytes 0 and 1 of each pixel (lo) or 2 and 3 (hi) blended with na and
   * nb at strengths ta and tb, the other two copied */
  void (*blend4lo_u8) (guint32 * d, const guint32 * s, const float *na,
      const float *nb, float ta, float tb, int len);
  void (*blend4hi_u8) (guint32 * d, const guint32 * s, const float *na,
      const float *nb, float ta, float tb, int len);
  /* 24-bit pixels: C on every path (ORC has no 3-byte loads) */
  void (*unpack3_f32) (float *d0, float *d1, float *d2, const guint8 * s,
      float scale, int n);
  void (*blend3_u8) (guint8 * d, const guint8 * s, const float *n0,
      const float *n1, const float *n2, float t, int len);
} AennPackKernels;

const AennPackKernels *aenn_pack_kernels_get (KernelPath path);

void aenn_ref_u8_to_f32 (float *d, const guint8 * s, float scale, int n);
void aenn_ref_unpack2_f32 (float *d0, float *d1, const guint16 * s,
    float scale, int n);
void aenn_ref_unpack4_f32 (float *d0, float *d1, float *d2, float *d3,
    const guint32 * s, float scale, int n);
void aenn_ref_blend_u8 (guint8 * d, const guint8 * s, const float *n,
    float t, int len);
void aenn_ref_blend2_u8 (guint16 * d, const guint16 * s, const float *n0,
    const float *n1, float t, int len);
void aenn_ref_blend4lo_u8 (guint32 * d, const guint32 * s, const float *na,
    const float *nb, float ta, float tb, int len);
void aenn_ref_blend4hi_u8 (guint32 * d, const guint32 * s, const float *na,
    const float *nb, float ta, float tb, int len);
void aenn_ref_unpack3_f32 (float *d0, float *d1, float *d2, const guint8 * s,
    float scale, int n);
void aenn_ref_blend3_u8 (guint8 * d, const guint8 * s, const float *n0,
    const float *n1, const float *n2, float t, int len);

G_END_DECLS

#endif
