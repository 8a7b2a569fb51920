/* The noise estimator. See aenn_noise.h. */
#include "config.h"
#include "aenn_noise.h"

#include <math.h>

#define PERCENTILE 10           /* of the block values, in percent */
#define PURE_NOISE_RATIO 0.786f /* that percentile over sigma^2 on noise */
#define MAX_CLIPPED 0.05f       /* share of clipped samples in a block */

static guint
n_blocks (guint size)
{
  return size >= AENN_NOISE_BLOCK + 2 ? (size - 2) / AENN_NOISE_BLOCK : 0;
}

gsize
aenn_noise_scratch_size (guint width, guint height)
{
  /* a row of operator outputs, two accumulators per block column, one
   * value per block */
  return (gsize) width + 2 * (gsize) n_blocks (width)
      + (gsize) n_blocks (width) * n_blocks (height);
}

/* The k-th smallest of v[0..n) (Hoare's selection); reorders v. */
static float
select_kth (float *v, guint n, guint k)
{
  guint lo = 0, hi = n - 1;

  while (lo < hi) {
    float pivot = v[lo + (hi - lo) / 2];
    guint i = lo, j = hi;
    while (i <= j) {
      while (v[i] < pivot)
        i++;
      while (v[j] > pivot)
        j--;
      if (i <= j) {
        float t = v[i];
        v[i] = v[j];
        v[j] = t;
        i++;
        if (j == 0)
          break;
        j--;
      }
    }
    if (k <= j)
      hi = j;
    else if (k >= i)
      lo = i;
    else
      break;
  }
  return v[k];
}

float
aenn_noise_estimate (const float *plane, gsize stride, guint width,
    guint height, float *scratch)
{
  const guint B = AENN_NOISE_BLOCK, nbx = n_blocks (width);
  const guint nby = n_blocks (height);
  const float lo = 0.5f / 255.0f, hi = 254.5f / 255.0f;
  float *r = scratch, *sum = scratch + width, *clipped = sum + nbx;
  float *vals = clipped + nbx;
  guint n_vals = 0;

  if (nbx == 0 || nby == 0)
    return -1.0f;
  /* the operator's output at pixel (x, y) is r[x - 1] of row y; only every
   * other block row is read, and every other row inside it */
  for (guint by = 0; by < nby; by += 2) {
    for (guint bx = 0; bx < nbx; bx++) {
      sum[bx] = 0.0f;
      clipped[bx] = 0.0f;
    }
    for (guint j = 0; j < B; j += 2) {
      guint y = 1 + by * B + j;
      const float *a = plane + (y - 1) * stride, *b = plane + y * stride;
      const float *c = plane + (y + 1) * stride;
      for (guint x = 1; x <= nbx * B; x++) {
        float ha = a[x - 1] - 2.0f * a[x] + a[x + 1];
        float hb = b[x - 1] - 2.0f * b[x] + b[x + 1];
        float hc = c[x - 1] - 2.0f * c[x] + c[x + 1];
        r[x - 1] = (ha - 2.0f * hb + hc) * (1.0f / 6.0f);
      }
      for (guint bx = 0; bx < nbx; bx++) {
        const float *rb = r + bx * B, *cb = b + 1 + bx * B;
        float s = 0.0f, n = 0.0f;
        for (guint i = 0; i < B; i++) {
          s += rb[i] * rb[i];
          n += cb[i] <= lo || cb[i] >= hi;
        }
        sum[bx] += s;
        clipped[bx] += n;
      }
    }
    for (guint bx = 0; bx < nbx; bx++)
      if (clipped[bx] <= MAX_CLIPPED * (B * B / 2))
        vals[n_vals++] = sum[bx] / (B * B / 2);
  }
  if (n_vals == 0)
    return -1.0f;
  return 255.0f * sqrtf (select_kth (vals, n_vals,
          n_vals * PERCENTILE / 100) / PURE_NOISE_RATIO);
}
