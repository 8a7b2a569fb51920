/* The plain C twins of denoise/frames/aenn_temporal_orc.orc: the same
 * operations in the same order (built with -ffp-contract=off, as ORC
 * multiplies and adds apart). */
#include "config.h"
#include "denoise/frames/temporal.h"

#include <string.h>

static inline float
clamp01 (float v)
{
  /* maxf then minf, as the ORC function */
  v = v > 0.0f ? v : 0.0f;
  return v < 1.0f ? v : 1.0f;
}

void
aenn_ref_temporal_motion (float *q, float *r, const float *x, const float *s,
    const float *t, const float *n, float s2, float s2r, int len)
{
  for (int i = 0; i < len; i++) {
    float v = 1.0f / n[i] + 1.0f;
    float dq = x[i] - t[i], dr = s[i] - t[i];
    q[i] = (dq * dq) / (v * s2);
    r[i] = (dr * dr) / (v * s2r);
  }
}

void
aenn_ref_temporal_sum5 (float *d, const float *a, const float *b,
    const float *c, const float *e, const float *f, int len)
{
  for (int i = 0; i < len; i++)
    d[i] = (((a[i] + b[i]) + c[i]) + e[i]) + f[i];
}

void
aenn_ref_temporal_weight (float *w, const float *sq, const float *sr,
    float aq, float bq, float ar, float br, int len)
{
  for (int i = 0; i < len; i++)
    w[i] = clamp01 (sq[i] * aq + bq) * clamp01 (sr[i] * ar + br);
}

void
aenn_ref_temporal_count (float *n2, const float *w, const float *n,
    float nmax, int len)
{
  for (int i = 0; i < len; i++) {
    float m = w[i] * n[i] + 1.0f;
    n2[i] = m < nmax ? m : nmax;
  }
}

void
aenn_ref_temporal_update (float *a2, float *t2, float *o, const float *x,
    const float *s, const float *a, const float *t, const float *n2,
    float c, int len)
{
  for (int i = 0; i < len; i++) {
    float na = a[i] + (x[i] - a[i]) / n2[i];
    float nt = t[i] + (s[i] - t[i]) / n2[i];
    float k = n2[i] - 1.0f;
    float g = k / (k + c);
    o[i] = nt + g * (na - nt);
    a2[i] = na;
    t2[i] = nt;
  }
}

void
aenn_ref_temporal_fuse (float *o, const float *t, const float *a,
    const float *n, float c, int len)
{
  for (int i = 0; i < len; i++) {
    float k = n[i] - 1.0f;
    float g = k / (k + c);
    o[i] = t[i] + g * (a[i] - t[i]);
  }
}

void
aenn_ref_temporal_min (float *d, const float *a, const float *b, int len)
{
  for (int i = 0; i < len; i++)
    d[i] = a[i] < b[i] ? a[i] : b[i];
}

void
aenn_ref_temporal_min_pairs (float *d, const guint64 * s, int len)
{
  for (int i = 0; i < len; i++) {
    float p[2];
    memcpy (p, &s[i], sizeof p);
    d[i] = p[0] < p[1] ? p[0] : p[1];
  }
}
