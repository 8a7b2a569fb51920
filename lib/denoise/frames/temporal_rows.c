/* The row loops of aedenoise's temporal mode (denoise/frames/temporal.h),
 * plain C written for the compiler to vectorize, built once per
 * instruction set with -O3 -ffp-contract=off (the same operations in the
 * same order: every build gives the same floats). AENN_TR_TABLE names the
 * table a build exports. Why C and not ORC: docs/performance.md,
 * "Temporal mode". */
#include "config.h"
#include "denoise/frames/temporal.h"

#include <string.h>

#ifndef AENN_TR_TABLE
#error "build with -DAENN_TR_TABLE=<table name>"
#endif

static void
tr_stats (float *restrict e, float *restrict f, const float *restrict x,
    const float *restrict s, const float *restrict t, int len)
{
  for (int i = 0; i < len; i++) {
    float dq = x[i] - t[i], dr = s[i] - t[i];
    e[i] = dq * dq;
    f[i] = dr * dr;
  }
}

static void
tr_sum5 (float *restrict d, const float *restrict a, const float *restrict b,
    const float *restrict c, const float *restrict e,
    const float *restrict f, int len)
{
  for (int i = 0; i < len; i++)
    d[i] = (((a[i] + b[i]) + c[i]) + e[i]) + f[i];
}

static inline float
clamp01 (float v)
{
  float lo = v > 0.0f ? v : 0.0f;
  return lo < 1.0f ? lo : 1.0f;
}

static guint
tr_weight (guint8 * restrict w, const float *restrict vq,
    const float *restrict vr, const float *restrict n, float aq, float bq,
    float ar, float br, int len)
{
  guint moved = 0;

  for (int i = 0; i < len; i++) {
    float hq = (((vq[i - 2] + vq[i - 1]) + vq[i]) + vq[i + 1]) + vq[i + 2];
    float hr = (((vr[i - 2] + vr[i - 1]) + vr[i]) + vr[i + 1]) + vr[i + 2];
    float k = n[i] / (n[i] + 1.0f);
    float v = clamp01 (bq + aq * (hq * k)) * clamp01 (br + ar * (hr * k));
    guint8 q = (guint8) (v * 255.0f + 0.5f);
    w[i] = q;
    moved += q < 128;
  }
  return moved;
}

static void
tr_min_pairs (guint8 * restrict d, const guint8 * restrict l, int len)
{
  for (int i = 0; i < len; i++) {
    guint8 m = l[2 * i] < l[2 * i + 1] ? l[2 * i] : l[2 * i + 1];
    d[i] = d[i] < m ? d[i] : m;
  }
}

static void
tr_min_row (guint8 * restrict d, const guint8 * restrict l, int len)
{
  for (int i = 0; i < len; i++)
    d[i] = d[i] < l[i] ? d[i] : l[i];
}

static void
tr_update (float *restrict a, float *restrict t, float *restrict n,
    float *restrict s, const float *restrict x, const guint8 * restrict w,
    float nmax, float c, int len)
{
  for (int i = 0; i < len; i++) {
    float m = (w[i] * (1.0f / 255.0f)) * n[i] + 1.0f;
    float nn = m < nmax ? m : nmax;
    float r = 1.0f / nn;
    float na = a[i] + (x[i] - a[i]) * r;
    float nt = t[i] + (s[i] - t[i]) * r;
    float k = nn - 1.0f;
    float g = k / (k + c);
    a[i] = na;
    t[i] = nt;
    n[i] = nn;
    s[i] = nt + g * (na - nt);
  }
}

static void
tr_fuse (float *restrict s, const float *restrict a, const float *restrict t,
    const float *restrict n, float c, int len)
{
  for (int i = 0; i < len; i++) {
    float k = n[i] - 1.0f;
    float g = k / (k + c);
    s[i] = t[i] + g * (a[i] - t[i]);
  }
}

static void
tr_restart (float *restrict a, float *restrict t, float *restrict n,
    const float *restrict x, const float *restrict s, int len)
{
  memcpy (a, x, len * sizeof (float));
  memcpy (t, s, len * sizeof (float));
  for (int i = 0; i < len; i++)
    n[i] = 1.0f;
}

static guint64
tr_hash (guint64 h, const float *restrict x, int len)
{
  /* eight lanes of 32-bit multiply-add over the samples' bits */
  guint32 l[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
  int i = 0;

  for (; i + 8 <= len; i += 8) {
    guint32 b[8];
    memcpy (b, x + i, sizeof b);
    for (int j = 0; j < 8; j++)
      l[j] = l[j] * 0x01000193u + b[j];
  }
  for (; i < len; i++) {
    guint32 b;
    memcpy (&b, x + i, sizeof b);
    l[0] = l[0] * 0x01000193u + b;
  }
  for (int j = 0; j < 8; j++)
    h = (h ^ l[j]) * 0x100000001b3ull;
  return h;
}

const AennTemporalKernels AENN_TR_TABLE = {
  .stats = tr_stats,
  .sum5 = tr_sum5,
  .weight = tr_weight,
  .min_pairs = tr_min_pairs,
  .min_row = tr_min_row,
  .update = tr_update,
  .fuse = tr_fuse,
  .restart = tr_restart,
  .hash = tr_hash,
};
