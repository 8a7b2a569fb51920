/* km_color: the colour spaces kmeansseg measures distances in. Y'CbCr and
 * R'G'B' are linear maps of each other (affine, 8-bit scale), so clustering
 * can stay in a stream's own channels with a metric; CIE L*a*b* is not, and
 * is computed per pixel. */
#ifndef __KM_COLOR_H__
#define __KM_COLOR_H__

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  float kr, kb;                 /* luma coefficients: BT.601 0.299, 0.114 */
  gboolean full_range;          /* 0..255 luma and chroma, else 16..235/240 */
} KmYuvMatrix;

/* rgb = m * yuv + off, both on the 0..255 scale; m: (3, 3) row-major. */
void km_color_yuv_to_rgb (const KmYuvMatrix * mat, float m[9], float off[3]);
/* yuv = m * rgb + off. */
void km_color_rgb_to_yuv (const KmYuvMatrix * mat, float m[9], float off[3]);

/* sRGB on 0..255 (clamped) to CIE L*a*b* (D65); and back, clamped. */
void km_color_rgb_to_lab (const float rgb[3], float lab[3]);
void km_color_lab_to_rgb (const float lab[3], float rgb[3]);
/* In place over rows of n pixels: R'G'B' floats to L*a*b*. */
void km_color_rows_rgb_to_lab (float *c0, float *c1, float *c2, guint n);
/* In place: y = m * x + off over rows of three channels. */
void km_color_rows_affine (float *c0, float *c1, float *c2, guint n,
    const float m[9], const float off[3]);

G_END_DECLS

#endif
