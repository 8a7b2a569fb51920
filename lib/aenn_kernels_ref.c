/* Plain C twins of aenn_orc.orc. Built with -ffp-contract=off so that each
 * multiply and add rounds separately, as ORC's do. */
#include "config.h"
#include "aenn_kernels.h"

void
aenn_ref_mac6_f32 (float *d, const float *a, const float *s0,
    const float *s1, const float *s2, const float *s3, const float *s4,
    const float *s5, float w0, float w1, float w2, float w3, float w4,
    float w5, int n)
{
  for (int i = 0; i < n; i++) {
    float acc = a[i] + s0[i] * w0;
    acc = acc + s1[i] * w1;
    acc = acc + s2[i] * w2;
    acc = acc + s3[i] * w3;
    acc = acc + s4[i] * w4;
    d[i] = acc + s5[i] * w5;
  }
}

void
aenn_ref_mac6b_f32 (float *d, const float *s0, const float *s1,
    const float *s2, const float *s3, const float *s4, const float *s5,
    float w0, float w1, float w2, float w3, float w4, float w5, float b,
    int n)
{
  for (int i = 0; i < n; i++) {
    float acc = b + s0[i] * w0;
    acc = acc + s1[i] * w1;
    acc = acc + s2[i] * w2;
    acc = acc + s3[i] * w3;
    acc = acc + s4[i] * w4;
    d[i] = acc + s5[i] * w5;
  }
}

void
aenn_ref_relu_f32 (float *d, const float *s, int n)
{
  for (int i = 0; i < n; i++)
    d[i] = s[i] > 0.0f ? s[i] : 0.0f;
}

void
aenn_ref_lrelu_f32 (float *d, const float *s, float slope, int n)
{
  for (int i = 0; i < n; i++)
    d[i] = s[i] > 0.0f ? s[i] : s[i] * slope;
}

void
aenn_ref_add_f32 (float *d, const float *a, const float *b, int n)
{
  for (int i = 0; i < n; i++)
    d[i] = a[i] + b[i];
}

void
aenn_ref_sub_f32 (float *d, const float *a, const float *b, int n)
{
  for (int i = 0; i < n; i++)
    d[i] = a[i] - b[i];
}

void
aenn_ref_deinterleave2_f32 (float *d0, float *d1, const float *s, int n)
{
  for (int i = 0; i < n; i++) {
    d0[i] = s[2 * i];
    d1[i] = s[2 * i + 1];
  }
}

void
aenn_ref_interleave2_f32 (float *d, const float *a, const float *b, int n)
{
  for (int i = 0; i < n; i++) {
    d[2 * i] = a[i];
    d[2 * i + 1] = b[i];
  }
}
