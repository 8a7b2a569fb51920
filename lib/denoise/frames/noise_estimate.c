/* The noise estimator. See denoise/frames/noise_estimate.h. */
#include "config.h"
#include "denoise/frames/noise_estimate.h"

#include <math.h>

#define PERCENTILE 10           /* of the block values, in percent */
#define PURE_NOISE_RATIO 0.786f /* that percentile over sigma^2 on noise */
#define MAX_CLIPPED 0.05f       /* share of clipped samples in a block */
#define MAX_BLOCKS 2048         /* about as many blocks read per plane */

static guint
n_blocks (guint size)
{
  return size >= AENN_NOISE_BLOCK + 2 ? (size - 2) / AENN_NOISE_BLOCK : 0;
}

gsize
aenn_noise_scratch_size (guint width, guint height)
{
  /* two accumulators per column, one value per block */
  return 2 * (gsize) width + (gsize) n_blocks (width) * n_blocks (height);
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
  const guint nby = n_blocks (height), n = nbx * B;
  const float lo = 0.5f / 255.0f, hi = 254.5f / 255.0f;
  /* per column of the block row: the sum of squares and of clipped
   * samples; then one value per block */
  float *restrict energy = scratch, *restrict clipped = scratch + width;
  float *vals = scratch + 2 * (gsize) width;
  guint n_vals = 0, step;

  if (nbx == 0 || nby == 0)
    return -1.0f;
  /* every other block row, or fewer on large planes: some 2000 blocks say
   * enough, and the cost stays near 1 ms at 1080p */
  step = MAX (2, nbx * nby / MAX_BLOCKS);
  /* the operator's output at pixel (x, y) goes to column x - 1; every
   * other row of a block is read */
  for (guint by = 0; by < nby; by += step) {
    for (guint x = 0; x < n; x++)
      energy[x] = clipped[x] = 0.0f;
    for (guint j = 0; j < B; j += 2) {
      guint y = 1 + by * B + j;
      const float *restrict a = plane + (y - 1) * stride;
      const float *restrict b = plane + y * stride;
      const float *restrict c = plane + (y + 1) * stride;
      for (guint x = 0; x < n; x++) {
        float ha = a[x] - 2.0f * a[x + 1] + a[x + 2];
        float hb = b[x] - 2.0f * b[x + 1] + b[x + 2];
        float hc = c[x] - 2.0f * c[x + 1] + c[x + 2];
        float v = (ha - 2.0f * hb + hc) * (1.0f / 6.0f);
        energy[x] += v * v;
        clipped[x] += (b[x + 1] <= lo) | (b[x + 1] >= hi);
      }
    }
    for (guint bx = 0; bx < nbx; bx++) {
      float e = 0.0f, k = 0.0f;
      for (guint i = bx * B; i < (bx + 1) * B; i++) {
        e += energy[i];
        k += clipped[i];
      }
      if (k <= MAX_CLIPPED * (B * B / 2))
        vals[n_vals++] = e / (B * B / 2);
    }
  }
  if (n_vals == 0)
    return -1.0f;
  return 255.0f * sqrtf (select_kth (vals, n_vals,
          n_vals * PERCENTILE / 100) / PURE_NOISE_RATIO);
}
