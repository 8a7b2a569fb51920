/* Plain C twins of denoise/frames/aenn_pack_orc.orc. Built with -ffp-contract=off so that
 * the blend rounds each multiply and add separately, as ORC does. Bytes
 * are addressed in memory order, which is ORC's select0/select1 order on
 * the little-endian machines this runs on. */
#include "config.h"
#include "denoise/frames/pack.h"

#include <string.h>

static inline guint8
blend_one (guint8 s, float n, float t)
{
  float f = (float) s, g = n * 255.0f;
  guint32 bits;
  g = g - f;
  g = g * t;
  f = f + g;
  f = f < 255.0f ? f : 255.0f;
  f = f > 0.0f ? f : 0.0f;
  /* rounds to the nearest integer, ties to even, as ORC's code does */
  f = f + 12582912.0f;
  memcpy (&bits, &f, sizeof (bits));
  return (guint8) bits;
}

void
aenn_ref_u8_to_f32 (float *d, const guint8 * s, float scale, int n)
{
  for (int i = 0; i < n; i++)
    d[i] = (float) s[i] * scale;
}

void
aenn_ref_unpack2_f32 (float *d0, float *d1, const guint16 * s, float scale,
    int n)
{
  const guint8 *b = (const guint8 *) s;
  for (int i = 0; i < n; i++) {
    d0[i] = (float) b[2 * i] * scale;
    d1[i] = (float) b[2 * i + 1] * scale;
  }
}

void
aenn_ref_unpack4_f32 (float *d0, float *d1, float *d2, float *d3,
    const guint32 * s, float scale, int n)
{
  const guint8 *b = (const guint8 *) s;
  for (int i = 0; i < n; i++) {
    d0[i] = (float) b[4 * i] * scale;
    d1[i] = (float) b[4 * i + 1] * scale;
    d2[i] = (float) b[4 * i + 2] * scale;
    d3[i] = (float) b[4 * i + 3] * scale;
  }
}

void
aenn_ref_blend_u8 (guint8 * d, const guint8 * s, const float *n, float t,
    int len)
{
  for (int i = 0; i < len; i++)
    d[i] = blend_one (s[i], n[i], t);
}

void
aenn_ref_blend2_u8 (guint16 * d, const guint16 * s, const float *n0,
    const float *n1, float t, int len)
{
  const guint8 *sb = (const guint8 *) s;
  guint8 *db = (guint8 *) d;
  for (int i = 0; i < len; i++) {
    guint8 a = blend_one (sb[2 * i], n0[i], t);
    guint8 b = blend_one (sb[2 * i + 1], n1[i], t);
    db[2 * i] = a;
    db[2 * i + 1] = b;
  }
}

static void
blend4_half (guint32 * d, const guint32 * s, const float *na,
    const float *nb, float ta, float tb, int len, int first)
{
  const guint8 *sb = (const guint8 *) s;
  guint8 *db = (guint8 *) d;
  for (int i = 0; i < len; i++) {
    guint8 px[4];
    for (int j = 0; j < 4; j++)
      px[j] = sb[4 * i + j];
    px[first] = blend_one (px[first], na[i], ta);
    px[first + 1] = blend_one (px[first + 1], nb[i], tb);
    for (int j = 0; j < 4; j++)
      db[4 * i + j] = px[j];
  }
}

void
aenn_ref_blend4lo_u8 (guint32 * d, const guint32 * s, const float *na,
    const float *nb, float ta, float tb, int len)
{
  blend4_half (d, s, na, nb, ta, tb, len, 0);
}

void
aenn_ref_blend4hi_u8 (guint32 * d, const guint32 * s, const float *na,
    const float *nb, float ta, float tb, int len)
{
  blend4_half (d, s, na, nb, ta, tb, len, 2);
}

void
aenn_ref_unpack3_f32 (float *d0, float *d1, float *d2, const guint8 * s,
    float scale, int n)
{
  for (int i = 0; i < n; i++) {
    d0[i] = (float) s[3 * i] * scale;
    d1[i] = (float) s[3 * i + 1] * scale;
    d2[i] = (float) s[3 * i + 2] * scale;
  }
}

void
aenn_ref_blend3_u8 (guint8 * d, const guint8 * s, const float *n0,
    const float *n1, const float *n2, float t, int len)
{
  for (int i = 0; i < len; i++) {
    d[3 * i] = blend_one (s[3 * i], n0[i], t);
    d[3 * i + 1] = blend_one (s[3 * i + 1], n1[i], t);
    d[3 * i + 2] = blend_one (s[3 * i + 2], n2[i], t);
  }
}
