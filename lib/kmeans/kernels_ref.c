/* Plain C twins of the ORC kernels in kmeans/km_orc.orc. Built with
 * -ffp-contract=off so that a*b + c rounds twice, as ORC's mulf/addf do. */
#include "config.h"
#include "kmeans/kernels.h"

#include <float.h>

/* The shifts come from the caller as 0, 8, 16 or 24. */
#define BYTE_AT(w, s) ((guint32) ((w) >> (s)) & 0xffu)

void
km_ref_argmin3_f32 (float *dbest, gint32 * dlab, const float *sbest,
    const gint32 * slab, const float *f0, const float *f1, const float *f2,
    float w0, float w1, float w2, float b, int j, int n)
{
  for (int i = 0; i < n; i++) {
    float d = f0[i] * w0;
    d = d + f1[i] * w1;
    d = d + f2[i] * w2;
    d = d + b;
    gboolean lt = d < sbest[i];
    dbest[i] = lt ? d : sbest[i];
    dlab[i] = lt ? j : slab[i];
  }
}

void
km_ref_argmin4_f32 (float *dbest, gint32 * dlab, const float *sbest,
    const gint32 * slab, const float *f0, const float *f1, const float *f2,
    const float *f3, float w0, float w1, float w2, float w3, float b, int j,
    int n)
{
  for (int i = 0; i < n; i++) {
    float d = f0[i] * w0;
    d = d + f1[i] * w1;
    d = d + f2[i] * w2;
    d = d + f3[i] * w3;
    d = d + b;
    gboolean lt = d < sbest[i];
    dbest[i] = lt ? d : sbest[i];
    dlab[i] = lt ? j : slab[i];
  }
}

void
km_ref_dot5_f32 (float *d, const float *f0, const float *f1, const float *f2,
    const float *f3, const float *f4, float w0, float w1, float w2, float w3,
    float w4, float b, int n)
{
  for (int i = 0; i < n; i++) {
    float t = f0[i] * w0;
    t = t + f1[i] * w1;
    t = t + f2[i] * w2;
    t = t + f3[i] * w3;
    t = t + f4[i] * w4;
    d[i] = t + b;
  }
}

void
km_ref_minsel_f32 (float *dbest, gint32 * dlab, const float *sbest,
    const gint32 * slab, const float *d, int j, int n)
{
  for (int i = 0; i < n; i++) {
    gboolean lt = d[i] < sbest[i];
    dbest[i] = lt ? d[i] : sbest[i];
    dlab[i] = lt ? j : slab[i];
  }
}

void
km_ref_s32_to_u8 (guint8 * d, const gint32 * s, int n)
{
  for (int i = 0; i < n; i++)
    d[i] = (guint8) s[i];
}

void
km_ref_unpack4_f32 (float *d0, float *d1, float *d2, const guint32 * s,
    int s0, int s1, int s2, int n)
{
  for (int i = 0; i < n; i++) {
    d0[i] = (float) BYTE_AT (s[i], s0);
    d1[i] = (float) BYTE_AT (s[i], s1);
    d2[i] = (float) BYTE_AT (s[i], s2);
  }
}

void
km_ref_u8_to_f32 (float *d, const guint8 * s, int n)
{
  for (int i = 0; i < n; i++)
    d[i] = (float) s[i];
}

void
km_ref_u8_to_f32_dup2 (float *d, const guint8 * s, int n)
{
  for (int i = 0; i < n; i++)
    d[2 * i] = d[2 * i + 1] = (float) s[i];
}

void
km_ref_uv_to_f32_dup2 (float *du, float *dv, const guint16 * s, int n)
{
  for (int i = 0; i < n; i++) {
    du[2 * i] = du[2 * i + 1] = (float) (s[i] & 0xff);
    dv[2 * i] = dv[2 * i + 1] = (float) (s[i] >> 8);
  }
}

void
km_ref_yuv422_to_f32 (float *dy, float *du, float *dv, const guint32 * s,
    int sy0, int sy1, int su, int sv, int n)
{
  for (int i = 0; i < n; i++) {
    dy[2 * i] = (float) BYTE_AT (s[i], sy0);
    dy[2 * i + 1] = (float) BYTE_AT (s[i], sy1);
    du[2 * i] = du[2 * i + 1] = (float) BYTE_AT (s[i], su);
    dv[2 * i] = dv[2 * i + 1] = (float) BYTE_AT (s[i], sv);
  }
}

void
km_ref_merge_u32 (guint32 * d, const guint32 * pal, const guint32 * src,
    int keep, int n)
{
  guint32 k = (guint32) keep;
  for (int i = 0; i < n; i++)
    d[i] = (pal[i] & ~k) | (src[i] & k);
}

void
km_ref_lut_u8 (guint8 * d, const guint8 * lab, const guint8 * table,
    guint k, int n)
{
  (void) k;
  for (int i = 0; i < n; i++)
    d[i] = table[lab[i]];
}

void
km_ref_lut_merge_u32 (guint32 * d, const guint8 * lab, const guint32 * pal,
    const guint32 * src, guint32 keep, guint k, int n)
{
  (void) k;
  for (int i = 0; i < n; i++)
    d[i] = (pal[lab[i]] & ~keep) | (src[i] & keep);
}

void
km_ref_avg2x2_u8 (guint8 * d, const guint16 * a, const guint16 * b, int n)
{
  for (int i = 0; i < n; i++) {
    guint s = (a[i] & 0xff) + (a[i] >> 8) + (b[i] & 0xff) + (b[i] >> 8);
    d[i] = (guint8) ((s + 2) >> 2);
  }
}

void
km_ref_avg2_u8 (guint8 * d, const guint16 * a, int n)
{
  for (int i = 0; i < n; i++)
    d[i] = (guint8) (((a[i] & 0xff) + (a[i] >> 8) + 1) >> 1);
}

void
km_ref_interleave_u8 (guint16 * d, const guint8 * a, const guint8 * b, int n)
{
  for (int i = 0; i < n; i++)
    d[i] = (guint16) (a[i] | (b[i] << 8));
}

void
km_ref_pack_yuv422_u8 (guint32 * d, const guint16 * y, const guint8 * u,
    const guint8 * v, int sy0, int sy1, int su, int sv, int n)
{
  for (int i = 0; i < n; i++)
    d[i] = ((guint32) (y[i] & 0xff) << sy0) | ((guint32) (y[i] >> 8) << sy1)
        | ((guint32) u[i] << su) | ((guint32) v[i] << sv);
}

void
km_ref_argmin (guint n, guint nf, const float *const *f, guint k,
    const float *w, const float *b, guint8 * labels, float *best)
{
  for (guint i = 0; i < n; i++) {
    float bd = FLT_MAX;
    guint bl = 0;
    for (guint j = 0; j < k; j++) {
      const float *wj = w + j * nf;
      float d = f[0][i] * wj[0];
      for (guint c = 1; c < nf; c++)
        d = d + f[c][i] * wj[c];
      d = d + b[j];
      if (d < bd) {
        bd = d;
        bl = j;
      }
    }
    labels[i] = (guint8) bl;
    if (best)
      best[i] = bd;
  }
}
