/* Plain C twins of denoise/kernels/aenn_orc.orc. Built with -ffp-contract=off so that each
 * multiply and add rounds separately, as ORC's do. */
#include "config.h"
#include "denoise/kernels/kernels.h"

/* Row y of a 2D array: strides are in bytes, as ORC's */
#define ROW(p, stride, y) ((__typeof__ (p)) ((const guint8 *) (p) \
      + (gsize) (y) * (gsize) (stride)))

/* What the ORC forms share: the first tap onto d or b, the others added
 * left to right, and max (v, 0) + slope * min (v, 0) for the "a" forms. */
static inline float
finish (float v, gboolean act, float slope)
{
  return act ? (v > 0.0f ? v : 0.0f) + (v < 0.0f ? v : 0.0f) * slope : v;
}

static inline void
conv3x2 (float *d, int ds, const float *s0, int s0s, const float *s1,
    int s1s, const float *w, gboolean bias, float b, gboolean act,
    float slope, int n, int m)
{
  for (int y = 0; y < m; y++) {
    float *dr = ROW (d, ds, y);
    const float *r0 = ROW (s0, s0s, y), *r1 = ROW (s1, s1s, y);
    for (int i = 0; i < n; i++) {
      float acc = (bias ? b : dr[i]) + r0[i] * w[0];
      acc = acc + r0[i + 1] * w[1];
      acc = acc + r0[i + 2] * w[2];
      acc = acc + r1[i] * w[3];
      acc = acc + r1[i + 1] * w[4];
      dr[i] = finish (acc + r1[i + 2] * w[5], act, slope);
    }
  }
}

static inline void
conv1x4 (float *d, int ds, const float *s0, int s0s, const float *s1,
    int s1s, const float *s2, int s2s, const float *s3, int s3s,
    const float *w, gboolean bias, float b, gboolean act, float slope, int n,
    int m)
{
  for (int y = 0; y < m; y++) {
    float *dr = ROW (d, ds, y);
    const float *r0 = ROW (s0, s0s, y), *r1 = ROW (s1, s1s, y);
    const float *r2 = ROW (s2, s2s, y), *r3 = ROW (s3, s3s, y);
    for (int i = 0; i < n; i++) {
      float acc = (bias ? b : dr[i]) + r0[i] * w[0];
      acc = acc + r1[i] * w[1];
      acc = acc + r2[i] * w[2];
      dr[i] = finish (acc + r3[i] * w[3], act, slope);
    }
  }
}

/* The four forms of a shape: "" (d += taps), "b" (d = b + taps), "a" (d =
 * act (d + taps)), "ba" */
#define FORMS(shape, ARGS, CALL)                                             \
void aenn_ref_##shape##_f32 (ARGS, int n, int m)                             \
{ CALL (FALSE, 0.0f, FALSE, 0.0f); }                                         \
void aenn_ref_##shape##b_f32 (ARGS, float b, int n, int m)                   \
{ CALL (TRUE, b, FALSE, 0.0f); }                                             \
void aenn_ref_##shape##a_f32 (ARGS, float slope, int n, int m)               \
{ CALL (FALSE, 0.0f, TRUE, slope); }                                         \
void aenn_ref_##shape##ba_f32 (ARGS, float b, float slope, int n, int m)     \
{ CALL (TRUE, b, TRUE, slope); }

#define CONV3X2_CALL(bias, b, act, slope)                                    \
  const float w[6] = { w0, w1, w2, w3, w4, w5 };                             \
  conv3x2 (d, ds, s0, s0s, s1, s1s, w, bias, b, act, slope, n, m)
#define CONV1X4_CALL(bias, b, act, slope)                                    \
  const float w[4] = { w0, w1, w2, w3 };                                     \
  conv1x4 (d, ds, s0, s0s, s1, s1s, s2, s2s, s3, s3s, w, bias, b, act,       \
      slope, n, m)

FORMS (conv3x2, AENN_CONV3X2_ARGS, CONV3X2_CALL)
    FORMS (conv1x4, AENN_CONV1X4_ARGS, CONV1X4_CALL)
     void aenn_ref_add_f32 (float *d, int ds, const float *a, int as,
    const float *b, int bs, int n, int m)
{
  for (int y = 0; y < m; y++)
    for (int i = 0; i < n; i++)
      ROW (d, ds, y)[i] = ROW (a, as, y)[i] + ROW (b, bs, y)[i];
}

void
aenn_ref_sub_f32 (float *d, int ds, const float *a, int as, const float *b,
    int bs, int n, int m)
{
  for (int y = 0; y < m; y++)
    for (int i = 0; i < n; i++)
      ROW (d, ds, y)[i] = ROW (a, as, y)[i] - ROW (b, bs, y)[i];
}

void
aenn_ref_deinterleave2_f32 (float *d0, int d0s, float *d1, int d1s,
    const float *s, int ss, int n, int m)
{
  for (int y = 0; y < m; y++)
    for (int i = 0; i < n; i++) {
      ROW (d0, d0s, y)[i] = ROW (s, ss, y)[2 * i];
      ROW (d1, d1s, y)[i] = ROW (s, ss, y)[2 * i + 1];
    }
}

void
aenn_ref_interleave2_f32 (float *d, int ds, const float *a, int as,
    const float *b, int bs, int n, int m)
{
  for (int y = 0; y < m; y++)
    for (int i = 0; i < n; i++) {
      ROW (d, ds, y)[2 * i] = ROW (a, as, y)[i];
      ROW (d, ds, y)[2 * i + 1] = ROW (b, bs, y)[i];
    }
}
