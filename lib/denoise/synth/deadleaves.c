/* Dead leaves rendering. */
#include "config.h"
#include "denoise/synth/deadleaves.h"
#include "common/rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void
aenn_deadleaves_params_init (AennDeadLeavesParams * p)
{
  p->rmin = 1.0f;
  p->rmax = 0.0f;
  p->texture_prob = 0.5f;
  p->blur_prob = 0.3f;
  p->max_shapes = 20000;
}

typedef enum
{
  SHAPE_DISC,
  SHAPE_RECT,
  SHAPE_POLY,
  N_SHAPES
} Shape;

#define MAX_VERTS 7

typedef struct
{
  Shape kind;
  double cx, cy, r;
  double cs, sn, hx, hy;        /* rectangle: rotation, half extents */
  guint nv;
  double vx[MAX_VERTS], vy[MAX_VERTS];  /* polygon, counter-clockwise */
  double ex[MAX_VERTS], ey[MAX_VERTS];  /* edge i: vertex i to i + 1 */
} Leaf;

static gboolean
inside (const Leaf * s, double px, double py)
{
  double dx = px - s->cx, dy = py - s->cy;
  switch (s->kind) {
    case SHAPE_DISC:
      return dx * dx + dy * dy <= s->r * s->r;
    case SHAPE_RECT:
      return fabs (dx * s->cs + dy * s->sn) <= s->hx
          && fabs (-dx * s->sn + dy * s->cs) <= s->hy;
    default:
      for (guint i = 0; i < s->nv; i++)
        if (s->ex[i] * (py - s->vy[i]) - s->ey[i] * (px - s->vx[i]) < 0.0)
          return FALSE;
      return TRUE;
  }
}

/* Whether a bare pixel lies in the box: most shapes of the second half of
 * an image fall on covered ground, and those need neither their outline
 * nor their colour worked out. */
static gboolean
box_has_bare (const guint8 * cov, const guint * row_left, guint width,
    gint x0, gint x1, gint y0, gint y1)
{
  for (gint y = y0; y <= y1; y++) {
    const guint8 *r = cov + (gsize) y * width;
    if (row_left[y] == 0)
      continue;
    for (gint x = x0; x <= x1; x++)
      if (!r[x])
        return TRUE;
  }
  return FALSE;
}

static int
cmp_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static void
blur121 (float *p, guint w, guint h, float *tmp)
{
  for (guint y = 0; y < h; y++)
    for (guint x = 0; x < w; x++) {
      const float *r = p + (gsize) y * w;
      tmp[(gsize) y * w + x] = 0.25f * r[x ? x - 1 : 0] + 0.5f * r[x]
          + 0.25f * r[x + 1 < w ? x + 1 : w - 1];
    }
  for (guint y = 0; y < h; y++)
    for (guint x = 0; x < w; x++) {
      guint ya = y ? y - 1 : 0, yb = y + 1 < h ? y + 1 : h - 1;
      p[(gsize) y * w + x] = 0.25f * tmp[(gsize) ya * w + x]
          + 0.5f * tmp[(gsize) y * w + x] + 0.25f * tmp[(gsize) yb * w + x];
    }
}

void
aenn_deadleaves_render (const AennDeadLeavesParams * p, guint64 seed,
    guint channels, guint width, guint height, float *out)
{
  gsize npix = (gsize) width * height, left = npix, n_bare = 0;
  guint8 *cov;
  guint *row_left;
  gsize *bare = NULL;           /* the tail's bare pixels, in index order */
  Rng rng;
  double rmin, rmax, ia, ib, mean, contrast;

  g_return_if_fail (channels >= 1 && channels <= 4);
  if (npix == 0)
    return;
  cov = g_malloc0 (npix);
  row_left = g_new (guint, height);
  for (guint y = 0; y < height; y++)
    row_left[y] = width;
  rng_init (&rng, seed, G_GUINT64_CONSTANT (0x646561646c656166), 0);
  rmin = MAX (p->rmin, 0.5f);
  rmax = p->rmax > 0.0f ? p->rmax : (float) MAX (width, height);
  rmax = MAX (rmax, rmin);
  ia = 1.0 / (rmin * rmin);
  ib = 1.0 / (rmax * rmax);
  /* per image: a mean level and a contrast, so that flat, dim and
   * low-contrast scenes occur too */
  mean = 0.15 + 0.7 * rng_uniform (&rng);
  contrast = 0.15 + 0.85 * rng_uniform (&rng);

  for (guint n = 0; n < p->max_shapes && left > 0; n++) {
    Leaf s = { 0 };
    double base[4], gx, gy, amp = 0.0, fx = 0.0, fy = 0.0, ph = 0.0, lum;
    gint x0, x1, y0, y1;
    gsize painted = 0;

    /* inverse CDF of the density r^-3 on [rmin, rmax] */
    s.r = 1.0 / sqrt (ia - rng_uniform (&rng) * (ia - ib));
    if (left * 50 < npix) {
      /* the last 2% of bare pixels would take as many leaves again as the
       * rest (a coupon collector's tail): aim at them instead */
      gsize i;
      if (bare == NULL) {
        bare = g_new (gsize, left);
        for (i = 0; i < npix; i++)
          if (!cov[i])
            bare[n_bare++] = i;
      }
      i = bare[rng_below (&rng, (guint) left)];
      s.cx = i % width + rng_uniform (&rng);
      s.cy = i / width + rng_uniform (&rng);
    } else {
      s.cx = -s.r + rng_uniform (&rng) * (width + 2.0 * s.r);
      s.cy = -s.r + rng_uniform (&rng) * (height + 2.0 * s.r);
    }
    s.kind = (Shape) rng_below (&rng, N_SHAPES);
    x0 = MAX ((gint) floor (s.cx - s.r), 0);
    x1 = MIN ((gint) ceil (s.cx + s.r), (gint) width - 1);
    y0 = MAX ((gint) floor (s.cy - s.r), 0);
    y1 = MIN ((gint) ceil (s.cy + s.r), (gint) height - 1);
    if (!box_has_bare (cov, row_left, width, x0, x1, y0, y1)) {
      /* hidden: draw the same random numbers as a visible leaf, so that
       * the leaves after it are the same, and nothing else */
      guint draws = 1 + (channels > 1 ? channels : 0) + 2 + 1;
      if (s.kind == SHAPE_RECT)
        draws += 2;
      else if (s.kind == SHAPE_POLY)
        draws += 3 + rng_below (&rng, MAX_VERTS - 2);
      for (guint i = 0; i < draws - 1; i++)
        rng_next (&rng);
      if (rng_uniform (&rng) < p->texture_prob)
        for (guint i = 0; i < 4; i++)
          rng_next (&rng);
      continue;
    }
    if (s.kind == SHAPE_RECT) {
      double a = rng_uniform (&rng) * G_PI;
      s.cs = cos (a);
      s.sn = sin (a);
      s.hx = s.r;
      s.hy = s.r * (0.25 + 0.75 * rng_uniform (&rng));
    } else if (s.kind == SHAPE_POLY) {
      double ang[MAX_VERTS];
      s.nv = 3 + rng_below (&rng, MAX_VERTS - 2);
      for (guint i = 0; i < s.nv; i++)
        ang[i] = rng_uniform (&rng) * 2.0 * G_PI;
      qsort (ang, s.nv, sizeof (double), cmp_double);
      /* vertices on a circle in angle order: convex, counter-clockwise */
      for (guint i = 0; i < s.nv; i++) {
        s.vx[i] = s.cx + s.r * cos (ang[i]);
        s.vy[i] = s.cy + s.r * sin (ang[i]);
      }
      for (guint i = 0; i < s.nv; i++) {
        guint j = (i + 1) % s.nv;
        s.ex[i] = s.vx[j] - s.vx[i];
        s.ey[i] = s.vy[j] - s.vy[i];
      }
    }
    lum = mean + contrast * (rng_uniform (&rng) - 0.5);
    for (guint c = 0; c < channels; c++)
      base[c] = channels == 1 ? lum
          : lum + 0.6 * contrast * (rng_uniform (&rng) - 0.5);
    gx = (rng_uniform (&rng) - 0.5) * 0.5 * contrast / MAX (s.r, 2.0);
    gy = (rng_uniform (&rng) - 0.5) * 0.5 * contrast / MAX (s.r, 2.0);
    if (rng_uniform (&rng) < p->texture_prob) {
      double f = 0.2 + 1.4 * rng_uniform (&rng);
      double a = rng_uniform (&rng) * G_PI;
      amp = 0.15 * contrast * rng_uniform (&rng);
      fx = f * cos (a);
      fy = f * sin (a);
      ph = rng_uniform (&rng) * 2.0 * G_PI;
    }

    for (gint y = y0; y <= y1; y++) {
      if (row_left[y] == 0)
        continue;
      for (gint x = x0; x <= x1; x++) {
        gsize i = (gsize) y * width + x;
        double px = x + 0.5, py = y + 0.5, v;
        if (cov[i] || !inside (&s, px, py))
          continue;
        cov[i] = 1;
        row_left[y]--;
        painted++;
        v = gx * (px - s.cx) + gy * (py - s.cy);
        if (amp > 0.0)
          v += amp * sin (fx * px + fy * py + ph);
        for (guint c = 0; c < channels; c++)
          out[c * npix + i] = (float) CLAMP (base[c] + v, 0.0, 1.0);
      }
    }
    left -= painted;
    if (bare != NULL && painted > 0) {
      gsize k = 0;
      for (gsize j = 0; j < n_bare; j++)
        if (!cov[bare[j]])
          bare[k++] = bare[j];
      n_bare = k;
    }
  }
  if (left > 0) {
    double bg = CLAMP (mean, 0.0, 1.0);
    for (gsize i = 0; i < npix; i++)
      if (!cov[i])
        for (guint c = 0; c < channels; c++)
          out[c * npix + i] = (float) bg;
  }
  if (rng_uniform (&rng) < p->blur_prob) {
    float *tmp = g_new (float, npix);
    for (guint c = 0; c < channels; c++)
      blur121 (out + c * npix, width, height, tmp);
    g_free (tmp);
  }
  g_free (bare);
  g_free (row_left);
  g_free (cov);
}
