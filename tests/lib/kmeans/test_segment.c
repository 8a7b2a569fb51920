/* km_segment: whole frames in every format, at odd sizes, with padded
 * strides.
 *
 * The frames are four flat colour regions (quadrants split at even
 * coordinates, so 4:2:0 and 4:2:2 chroma blocks never straddle a border);
 * with k = 4 every region is its own cluster, so posterized output must
 * equal the input exactly. The pixel layouts below are written from the
 * GStreamer format definitions, independently of the library's table. */
#include "config.h"
#include "kmeans/segment.h"

#include <math.h>
#include <string.h>

#define CANARY 0xa5
#define TAIL 64                 /* bytes past the last row of a plane */

typedef enum
{
  T_P4, T_P3, T_PLANAR, T_SEMI, T_P422, T_GRAY
} TKind;

typedef struct
{
  const char *name;
  TKind kind;
  /* P4: bytes of R, G, B and the kept byte; P3: R, G, B; P422: Y0, Y1, U,
   * V of a macropixel */
  int pos[4];
  int uplane, vplane, xs, ys;   /* planar; xs, ys also for semi/422 */
  gboolean v_first;             /* semi */
} TFmt;

#define P4(n, r, g, b, k) { .name = n, .kind = T_P4, .pos = { r, g, b, k } }
#define P3(n, r, g, b) { .name = n, .kind = T_P3, .pos = { r, g, b } }
#define PL(n, u, v, xs_, ys_) { .name = n, .kind = T_PLANAR, .uplane = u, \
      .vplane = v, .xs = xs_, .ys = ys_ }
#define SP(n, vf) { .name = n, .kind = T_SEMI, .xs = 1, .ys = 1, \
      .v_first = vf }
#define P422(n, y0, y1, u, v) { .name = n, .kind = T_P422, \
      .pos = { y0, y1, u, v }, .xs = 1 }

static const TFmt tfmts[] = {
  P4 ("RGBx", 0, 1, 2, 3), P4 ("BGRx", 2, 1, 0, 3),
  P4 ("xRGB", 1, 2, 3, 0), P4 ("xBGR", 3, 2, 1, 0),
  P4 ("RGBA", 0, 1, 2, 3), P4 ("BGRA", 2, 1, 0, 3),
  P4 ("ARGB", 1, 2, 3, 0), P4 ("ABGR", 3, 2, 1, 0),
  P3 ("RGB", 0, 1, 2), P3 ("BGR", 2, 1, 0),
  PL ("I420", 1, 2, 1, 1), PL ("YV12", 2, 1, 1, 1),
  PL ("Y42B", 1, 2, 1, 0), PL ("Y444", 1, 2, 0, 0),
  SP ("NV12", FALSE), SP ("NV21", TRUE),
  P422 ("YUY2", 0, 2, 1, 3), P422 ("UYVY", 1, 3, 0, 2),
  {.name = "GRAY8",.kind = T_GRAY},
};

static const guint sizes[][2] = { {384, 288}, {385, 289}, {385, 385} };

/* region colours (R'G'B'), distinct in luma too; and a second scene */
static const guint8 colours[4][3] = {
  {200, 40, 40}, {40, 180, 60}, {50, 60, 200}, {230, 220, 90}
};
static const guint8 colours2[4][3] = {
  {20, 20, 20}, {250, 250, 250}, {120, 30, 160}, {0, 140, 140}
};

static const TFmt *
tfmt_get (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (tfmts); i++)
    if (strcmp (tfmts[i].name, name) == 0)
      return &tfmts[i];
  g_error ("no test layout for format %s", name);
  return NULL;
}

static gboolean
tfmt_yuv (const TFmt * tf)
{
  return tf->kind == T_PLANAR || tf->kind == T_SEMI || tf->kind == T_P422;
}

/* ---- images ---- */

typedef struct
{
  const TFmt *tf;
  guint w, h;
  VideoImage im;
  guint n_planes;
  guint row_bytes[3], rows[3];
  gsize size[3];
} TImg;

static void
plane_geometry (const TFmt * tf, guint w, guint h, guint p, guint * bytes,
    guint * rows)
{
  guint cw = (w + (1u << tf->xs) - 1) >> tf->xs;
  guint ch = (h + (1u << tf->ys) - 1) >> tf->ys;

  *rows = h;
  switch (tf->kind) {
    case T_P4:
      *bytes = 4 * w;
      break;
    case T_P3:
      *bytes = 3 * w;
      break;
    case T_GRAY:
      *bytes = w;
      break;
    case T_P422:
      *bytes = ((w + 1) / 2) * 4;
      break;
    case T_PLANAR:
      *bytes = p == 0 ? w : cw;
      *rows = p == 0 ? h : ch;
      break;
    case T_SEMI:
      *bytes = p == 0 ? w : ((w + 1) / 2) * 2;
      *rows = p == 0 ? h : (h + 1) / 2;
      break;
  }
}

static TImg *
timg_new (const TFmt * tf, guint w, guint h)
{
  TImg *t = g_new0 (TImg, 1);

  t->tf = tf;
  t->w = w;
  t->h = h;
  t->n_planes = tf->kind == T_PLANAR ? 3 : tf->kind == T_SEMI ? 2 : 1;
  for (guint p = 0; p < t->n_planes; p++) {
    plane_geometry (tf, w, h, p, &t->row_bytes[p], &t->rows[p]);
    /* padded beyond the row: rounded up to 16, plus 16 */
    t->im.stride[p] = (gint) (((t->row_bytes[p] + 15) & ~15u) + 16);
    t->size[p] = (gsize) t->im.stride[p] * t->rows[p] + TAIL;
    t->im.data[p] = g_malloc (t->size[p]);
    memset (t->im.data[p], CANARY, t->size[p]);
  }
  return t;
}

static void
timg_free (TImg * t)
{
  for (guint p = 0; p < t->n_planes; p++)
    g_free (t->im.data[p]);
  g_free (t);
}

static void
timg_fill (TImg * t, guint8 v)
{
  for (guint p = 0; p < t->n_planes; p++)
    memset (t->im.data[p], v, t->size[p]);
}

static gboolean
timg_equal (const TImg * a, const TImg * b)
{
  for (guint p = 0; p < a->n_planes; p++)
    if (memcmp (a->im.data[p], b->im.data[p], a->size[p]) != 0)
      return FALSE;
  return TRUE;
}

static TImg *
timg_copy (const TImg * a)
{
  TImg *t = timg_new (a->tf, a->w, a->h);
  for (guint p = 0; p < a->n_planes; p++)
    memcpy (t->im.data[p], a->im.data[p], a->size[p]);
  return t;
}

/* Nothing written past a row's used bytes, nor past the last row. */
static void
assert_canary (const TImg * t, const char *what)
{
  for (guint p = 0; p < t->n_planes; p++) {
    const guint8 *d = t->im.data[p];
    for (guint y = 0; y < t->rows[p]; y++)
      for (guint x = t->row_bytes[p]; x < (guint) t->im.stride[p]; x++)
        if (d[(gsize) y * t->im.stride[p] + x] != CANARY)
          g_error ("%s %s %ux%u: plane %u row %u byte %u beyond the row "
              "(%u bytes) was written", t->tf->name, what, t->w, t->h, p, y,
              x, t->row_bytes[p]);
    for (gsize i = (gsize) t->im.stride[p] * t->rows[p]; i < t->size[p]; i++)
      if (d[i] != CANARY)
        g_error ("%s %s %ux%u: plane %u written past its last row",
            t->tf->name, what, t->w, t->h, p);
  }
}

/* A pixel's three native channels (R'G'B', Y'CbCr or Y three times) and
 * the kept byte of 4-byte formats. */
static void
get_px (const TImg * t, guint x, guint y, guint8 v[4])
{
  const TFmt *tf = t->tf;
  const guint8 *r0 = t->im.data[0] + (gsize) y * t->im.stride[0];

  v[3] = 0;
  switch (tf->kind) {
    case T_P4:
      for (int c = 0; c < 4; c++)
        v[c] = r0[4 * x + tf->pos[c]];
      break;
    case T_P3:
      for (int c = 0; c < 3; c++)
        v[c] = r0[3 * x + tf->pos[c]];
      break;
    case T_GRAY:
      v[0] = v[1] = v[2] = r0[x];
      break;
    case T_PLANAR:
      v[0] = r0[x];
      v[1] = t->im.data[tf->uplane][(gsize) (y >> tf->ys) *
          t->im.stride[tf->uplane] + (x >> tf->xs)];
      v[2] = t->im.data[tf->vplane][(gsize) (y >> tf->ys) *
          t->im.stride[tf->vplane] + (x >> tf->xs)];
      break;
    case T_SEMI:{
      const guint8 *uv = t->im.data[1] + (gsize) (y / 2) * t->im.stride[1]
          + (x / 2) * 2;
      v[0] = r0[x];
      v[1] = uv[tf->v_first ? 1 : 0];
      v[2] = uv[tf->v_first ? 0 : 1];
      break;
    }
    case T_P422:{
      const guint8 *m = r0 + (x / 2) * 4;
      v[0] = m[tf->pos[x & 1]];
      v[1] = m[tf->pos[2]];
      v[2] = m[tf->pos[3]];
      break;
    }
  }
}

static void
set_px (TImg * t, guint x, guint y, const guint8 v[4])
{
  const TFmt *tf = t->tf;
  guint8 *r0 = t->im.data[0] + (gsize) y * t->im.stride[0];

  switch (tf->kind) {
    case T_P4:
      for (int c = 0; c < 4; c++)
        r0[4 * x + tf->pos[c]] = v[c];
      break;
    case T_P3:
      for (int c = 0; c < 3; c++)
        r0[3 * x + tf->pos[c]] = v[c];
      break;
    case T_GRAY:
      r0[x] = v[0];
      break;
    case T_PLANAR:
      r0[x] = v[0];
      t->im.data[tf->uplane][(gsize) (y >> tf->ys) *
          t->im.stride[tf->uplane] + (x >> tf->xs)] = v[1];
      t->im.data[tf->vplane][(gsize) (y >> tf->ys) *
          t->im.stride[tf->vplane] + (x >> tf->xs)] = v[2];
      break;
    case T_SEMI:{
      guint8 *uv = t->im.data[1] + (gsize) (y / 2) * t->im.stride[1]
          + (x / 2) * 2;
      r0[x] = v[0];
      uv[tf->v_first ? 1 : 0] = v[1];
      uv[tf->v_first ? 0 : 1] = v[2];
      break;
    }
    case T_P422:{
      guint8 *m = r0 + (x / 2) * 4;
      m[tf->pos[x & 1]] = v[0];
      m[tf->pos[2]] = v[1];
      m[tf->pos[3]] = v[2];
      break;
    }
  }
}

static guint8
clamp_u8 (double v)
{
  return (guint8) CLAMP (lrint (v), 0, 255);
}

/* R'G'B' to the format's channels: BT.601, limited range for Y'CbCr and
 * full-range luma for GRAY8 (what km_format_from_name assumes) */
static void
native_of (const TFmt * tf, const guint8 rgb[3], guint8 v[3])
{
  double r = rgb[0], g = rgb[1], b = rgb[2];
  double y = 0.299 * r + 0.587 * g + 0.114 * b;

  if (tf->kind == T_GRAY) {
    v[0] = v[1] = v[2] = clamp_u8 (y);
  } else if (tfmt_yuv (tf)) {
    v[0] = clamp_u8 (16.0 + 219.0 / 255.0 * y);
    v[1] = clamp_u8 (128.0 + 224.0 / 255.0 * (b - y) / 1.772);
    v[2] = clamp_u8 (128.0 + 224.0 / 255.0 * (r - y) / 1.402);
  } else {
    memcpy (v, rgb, 3);
  }
}

static guint
region_of (guint x, guint y, guint bx, guint by)
{
  return (x >= bx ? 1 : 0) + (y >= by ? 2 : 0);
}

/* Four regions split at (bx, by); kept bytes from rng (or 0x5a). Bytes of
 * a row past the last pixel but inside the row (a 4:2:2 macropixel's
 * second luma at odd widths) stay as they were. */
static void
draw_frame (TImg * t, guint bx, guint by, const guint8 (*cols)[3],
    GRand * rng)
{
  guint8 nat[4][3];

  for (guint r = 0; r < 4; r++)
    native_of (t->tf, cols[r], nat[r]);
  for (guint y = 0; y < t->h; y++)
    for (guint x = 0; x < t->w; x++) {
      guint8 v[4];
      memcpy (v, nat[region_of (x, y, bx, by)], 3);
      v[3] = rng ? (guint8) g_rand_int_range (rng, 0, 256) : 0x5a;
      set_px (t, x, y, v);
    }
}

static void
split_of (guint w, guint h, guint * bx, guint * by)
{
  *bx = (w / 2) & ~1u;
  *by = (h / 2) & ~1u;
}

/* a pixel well inside each region */
static void
region_centre (guint r, guint w, guint h, guint bx, guint by, guint * x,
    guint * y)
{
  *x = r & 1 ? (bx + w) / 2 : bx / 2;
  *y = r & 2 ? (by + h) / 2 : by / 2;
}

/* Labels constant in each region and distinct across them; lab[r] gets
 * the label of region r. */
static void
assert_region_labels (const guint8 * labels, guint w, guint h, guint bx,
    guint by, guint lab[4], const char *what)
{
  for (guint r = 0; r < 4; r++) {
    guint x, y;
    region_centre (r, w, h, bx, by, &x, &y);
    lab[r] = labels[(gsize) y * w + x];
  }
  for (guint y = 0; y < h; y++)
    for (guint x = 0; x < w; x++) {
      guint r = region_of (x, y, bx, by);
      if (labels[(gsize) y * w + x] != lab[r])
        g_error ("%s %ux%u: label %u at (%u, %u) in region %u labelled %u",
            what, w, h, labels[(gsize) y * w + x], x, y, r, lab[r]);
    }
  for (guint a = 0; a < 4; a++)
    for (guint b = a + 1; b < 4; b++)
      g_assert_cmpuint (lab[a], !=, lab[b]);
}

/* Same colour channels everywhere (exact: flat regions aligned to chroma
 * blocks) and, for 4-byte formats, the same kept byte. */
static void
assert_same_pixels (const TImg * a, const TImg * b, const char *what)
{
  for (guint y = 0; y < a->h; y++)
    for (guint x = 0; x < a->w; x++) {
      guint8 u[4], v[4];
      get_px (a, x, y, u);
      get_px (b, x, y, v);
      if (memcmp (u, v, 4) != 0)
        g_error ("%s %s %ux%u: pixel (%u, %u) is %u,%u,%u,%u, expected "
            "%u,%u,%u,%u", a->tf->name, what, a->w, a->h, x, y, u[0], u[1],
            u[2], u[3], v[0], v[1], v[2], v[3]);
    }
}

static KmSegmenter *
seg_new (KernelPath path, guint threads, const TFmt * tf, guint w, guint h,
    const KmParams * p)
{
  KmSegmenter *seg = km_segmenter_new (path, threads);
  KmFormat fmt;
  GError *err = NULL;

  g_assert_nonnull (seg);
  g_assert_true (km_format_from_name (tf->name, &fmt));
  g_assert_true (km_segmenter_set_format (seg, &fmt, w, h, &err));
  g_assert_no_error (err);
  g_assert_true (km_segmenter_set_params (seg, p, &err));
  g_assert_no_error (err);
  return seg;
}

static void
params_k4 (KmParams * p, KmMode mode)
{
  km_params_init (p);
  p->k = 4;
  p->seed = 1;
  p->mode = mode;
}

/* The names of the format table, in order; NULL past the end. */
static const gchar *
format_name (guint i)
{
  const VideoFormat *f = video_format_get (i);
  return f ? f->name : NULL;
}

/* ---- tests ---- */

static void
test_format_names (void)
{
  guint n = 0;
  KmFormat fmt;

  for (; format_name (n); n++) {
    g_assert_true (km_format_from_name (format_name (n), &fmt));
    g_assert_nonnull (tfmt_get (format_name (n)));
  }
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (tfmts));
  g_assert_false (km_format_from_name ("NV16", &fmt));
  g_assert_false (km_format_from_name (NULL, &fmt));
}

/* Every format and size: posterize, labels, false colour, boundaries. */
static void
test_modes (void)
{
  GRand *rng = g_rand_new_with_seed (21);

  for (guint fi = 0; format_name (fi); fi++) {
    const TFmt *tf = tfmt_get (format_name (fi));
    for (guint si = 0; si < G_N_ELEMENTS (sizes); si++) {
      guint w = sizes[si][0], h = sizes[si][1], bx, by, lab[4];
      TImg *in = timg_new (tf, w, h), *in0, *out = timg_new (tf, w, h);
      TImg *gray = timg_new (tfmt_get ("GRAY8"), w, h);
      KmParams p;
      KmFrameStats st;
      KmSegmenter *seg;
      const guint8 *labels;
      guint64 hist[KM_MAX_K] = { 0 }, total = 0;

      split_of (w, h, &bx, &by);
      timg_fill (in, 0x33);
      draw_frame (in, bx, by, colours, rng);
      in0 = timg_copy (in);
      params_k4 (&p, KM_MODE_POSTERIZE);
      seg = seg_new (KERNEL_PATH_AUTO, 2, tf, w, h, &p);

      /* posterize: the input back, kept bytes included */
      km_segmenter_process (seg, &in->im, &out->im, TRUE, &st);
      g_assert_true (timg_equal (in, in0));
      assert_canary (out, "posterize");
      assert_same_pixels (out, in, "posterize");
      labels = km_segmenter_get_labels (seg);
      assert_region_labels (labels, w, h, bx, by, lab, tf->name);
      g_assert_cmpuint (st.k, ==, 4);
      g_assert_true (st.reinitialized);
      g_assert_false (st.scene_cut);
      g_assert_cmpuint (st.n_samples, >=, MIN (4096, w * h));
      /* flat regions: zero but for the rounding of x'x - 2c.x + c'c */
      g_assert_cmpfloat (st.inertia, <, 1.0);

      /* counts: the label histogram */
      for (gsize i = 0; i < (gsize) w * h; i++)
        hist[labels[i]]++;
      for (guint j = 0; j < KM_MAX_K; j++) {
        g_assert_cmpuint (st.counts[j], ==, hist[j]);
        total += st.counts[j];
      }
      g_assert_cmpuint (total, ==, (guint64) w * h);
      g_assert_cmpuint (st.counts[lab[0]], ==, (guint64) bx * by);

      /* the cluster colours in R'G'B' */
      for (guint r = 0; r < 4; r++) {
        guint8 nat[3];
        double tol = tfmt_yuv (tf) ? 3.0 : 0.01;
        native_of (tf, colours[r], nat);
        for (guint c = 0; c < 3; c++) {
          double want = tf->kind == T_GRAY ? nat[0] : colours[r][c];
          g_assert_cmpfloat (fabs (st.centroids_rgb[lab[r]][c] - want), <=,
              tol);
        }
      }

      /* labels: a GRAY8 map equal to the label map */
      p.mode = KM_MODE_LABELS;
      g_assert_true (km_segmenter_set_params (seg, &p, NULL));
      km_segmenter_process (seg, &in->im, &gray->im, FALSE, &st);
      assert_canary (gray, "labels");
      labels = km_segmenter_get_labels (seg);
      for (guint y = 0; y < h; y++)
        g_assert_cmpmem (gray->im.data[0] + (gsize) y * gray->im.stride[0],
            w, labels + (gsize) y * w, w);
      {
        guint lab2[4];
        assert_region_labels (labels, w, h, bx, by, lab2, tf->name);
        /* a warm frame keeps the ids */
        g_assert_cmpmem (lab2, sizeof (lab2), lab, sizeof (lab));
        g_assert_false (st.reinitialized);
      }

      /* false colour: flat regions, one distinct colour each */
      p.mode = KM_MODE_FALSE_COLOR;
      g_assert_true (km_segmenter_set_params (seg, &p, NULL));
      timg_fill (out, CANARY);
      km_segmenter_process (seg, &in->im, &out->im, FALSE, &st);
      assert_canary (out, "false-color");
      {
        guint8 fc[4][4];
        for (guint r = 0; r < 4; r++) {
          guint x, y;
          region_centre (r, w, h, bx, by, &x, &y);
          get_px (out, x, y, fc[r]);
        }
        for (guint y = 0; y < h; y++)
          for (guint x = 0; x < w; x++) {
            guint8 v[4], u[4];
            get_px (out, x, y, v);
            get_px (in, x, y, u);
            g_assert_cmpmem (v, 3, fc[region_of (x, y, bx, by)], 3);
            g_assert_cmpuint (v[3], ==, u[3]);
          }
        for (guint a = 0; a < 4; a++)
          for (guint b = a + 1; b < 4; b++)
            g_assert_false (memcmp (fc[a], fc[b], 3) == 0);
      }

      /* boundaries: only pixels at the borders change */
      p.mode = KM_MODE_BOUNDARIES;
      g_assert_true (km_segmenter_set_params (seg, &p, NULL));
      timg_fill (out, CANARY);
      km_segmenter_process (seg, &in->im, &out->im, TRUE, &st);
      assert_canary (out, "boundaries");
      {
        guint changed = 0;
        guint8 red[3];
        const guint8 red_rgb[3] = { 255, 0, 0 };
        native_of (tf, red_rgb, red);
        for (guint y = 0; y < h; y++)
          for (guint x = 0; x < w; x++) {
            guint8 v[4], u[4];
            gboolean near = (x + 2 >= bx && x <= bx + 2)
                || (y + 2 >= by && y <= by + 2);
            gboolean edge = (x == bx - 1 && (y + 2 < by || y > by + 2))
                || (y == by - 1 && (x + 2 < bx || x > bx + 2));
            get_px (out, x, y, v);
            get_px (in, x, y, u);
            g_assert_cmpuint (v[3], ==, u[3]);
            if (memcmp (u, v, 3) != 0)
              changed++;
            if (!near && memcmp (u, v, 3) != 0)
              g_error ("%s boundaries %ux%u: pixel (%u, %u) away from the "
                  "borders changed", tf->name, w, h, x, y);
            if (edge) {
              /* painted: luma (or R'G'B') exactly the boundary colour */
              if (tfmt_yuv (tf) || tf->kind == T_GRAY)
                g_assert_cmpuint (v[0], ==, red[0]);
              else
                g_assert_cmpmem (v, 3, red, 3);
            }
          }
        g_assert_cmpuint (changed, >=, w - 6 + h - 6);
        g_assert_cmpuint (changed, <=, 6 * (w + h));
      }

      km_segmenter_free (seg);
      timg_free (in);
      timg_free (in0);
      timg_free (out);
      timg_free (gray);
    }
  }
  g_rand_free (rng);
}

/* Borders through the middle of chroma blocks: each output chroma sample
 * is the rounded mean of its pixels' palette chroma (the last column and
 * row repeated at odd sizes), each luma its pixel's palette luma. */
static void
test_chroma_borders (void)
{
  static const char *fmts[] = { "I420", "YV12", "Y42B", "NV12", "NV21",
    "YUY2", "UYVY"
  };

  for (guint fi = 0; fi < G_N_ELEMENTS (fmts); fi++) {
    for (guint si = 0; si < G_N_ELEMENTS (sizes); si++) {
      const TFmt *tf = tfmt_get (fmts[fi]);
      guint w = sizes[si][0], h = sizes[si][1], bx, by, lab[4];
      guint nx = tf->xs ? 2 : 1, ny = tf->ys ? 2 : 1;
      TImg *in = timg_new (tf, w, h), *out = timg_new (tf, w, h);
      guint8 pal[KM_MAX_K][4];
      const guint8 *labels;
      KmParams p;
      KmFrameStats st;
      KmSegmenter *seg;

      split_of (w, h, &bx, &by);
      bx++;
      by++;
      draw_frame (in, bx, by, colours, NULL);
      params_k4 (&p, KM_MODE_POSTERIZE);
      seg = seg_new (KERNEL_PATH_AUTO, 2, tf, w, h, &p);
      km_segmenter_process (seg, &in->im, &out->im, FALSE, &st);
      assert_canary (out, "chroma-borders");
      labels = km_segmenter_get_labels (seg);
      for (guint r = 0; r < 4; r++) {
        guint x, y;
        region_centre (r, w, h, bx, by, &x, &y);
        lab[r] = labels[(gsize) y * w + x];
        get_px (out, x, y, pal[lab[r]]);
      }
      for (guint y = 0; y < h; y++)
        for (guint x = 0; x < w; x++) {
          guint l = labels[(gsize) y * w + x], x0 = x & ~(nx - 1);
          guint y0 = y & ~(ny - 1);
          guint8 v[4];
          g_assert_true (l == lab[0] || l == lab[1] || l == lab[2]
              || l == lab[3]);
          get_px (out, x, y, v);
          g_assert_cmpuint (v[0], ==, pal[l][0]);
          for (guint c = 1; c < 3; c++) {
            guint sum = 0, want;
            for (guint dy = 0; dy < ny; dy++)
              for (guint dx = 0; dx < nx; dx++) {
                guint xx = MIN (x0 + dx, w - 1), yy = MIN (y0 + dy, h - 1);
                sum += pal[labels[(gsize) yy * w + xx]][c];
              }
            want = (sum + nx * ny / 2) / (nx * ny);
            if (v[c] != want)
              g_error ("%s %ux%u: chroma %u at (%u, %u) is %u, expected %u",
                  tf->name, w, h, c, x, y, v[c], want);
          }
        }
      km_segmenter_free (seg);
      timg_free (in);
      timg_free (out);
    }
  }
}

/* Same seed and input: the same bytes with 1, 2 and 3 threads and on
 * every kernel path. */
static void
test_determinism (void)
{
  GRand *rng = g_rand_new_with_seed (22);

  for (guint fi = 0; format_name (fi); fi++) {
    const TFmt *tf = tfmt_get (format_name (fi));
    guint w = 385, h = 289, bx, by;
    TImg *in = timg_new (tf, w, h), *ref = NULL;
    guint8 *ref_labels = g_malloc ((gsize) w * h);
    KmParams p;

    split_of (w, h, &bx, &by);
    draw_frame (in, bx + 10, by - 20, colours, rng);
    params_k4 (&p, KM_MODE_POSTERIZE);
    p.seed = 77;
    for (gint path = KERNEL_PATH_C; path < KERNEL_PATH_LAST; path++) {
      if (!kernel_path_supported ((KernelPath) path))
        continue;
      for (guint t = 1; t <= 3; t++) {
        KmSegmenter *seg = seg_new ((KernelPath) path, t, tf, w, h, &p);
        TImg *out = timg_new (tf, w, h);
        KmFrameStats st;

        g_assert_cmpint (km_segmenter_get_path (seg), ==,
            kernel_path_float ((KernelPath) path));
        km_segmenter_process (seg, &in->im, &out->im, TRUE, &st);
        if (ref == NULL) {
          ref = out;
          memcpy (ref_labels, km_segmenter_get_labels (seg), (gsize) w * h);
        } else {
          if (!timg_equal (out, ref))
            g_error ("%s: output with path %s and %u threads differs",
                tf->name, kernel_path_name (path), t);
          g_assert_cmpmem (km_segmenter_get_labels (seg), (gsize) w * h,
              ref_labels, (gsize) w * h);
          timg_free (out);
        }
        km_segmenter_free (seg);
      }
    }
    timg_free (ref);
    timg_free (in);
    g_free (ref_labels);
  }
  g_rand_free (rng);
}

/* Thread count alone with a spatial term (five features) and a changing
 * thread count on a live segmenter. */
static void
test_threads_spatial (void)
{
  const TFmt *tf = tfmt_get ("I420");
  guint w = 385, h = 289, bx, by;
  TImg *in = timg_new (tf, w, h), *ref = timg_new (tf, w, h);
  KmSegmenter *seg;
  KmParams p;
  KmFrameStats st;

  split_of (w, h, &bx, &by);
  draw_frame (in, bx, by, colours, NULL);
  params_k4 (&p, KM_MODE_POSTERIZE);
  p.k = 9;
  p.spatial_weight = 0.7;
  p.warm_start = FALSE;
  seg = seg_new (KERNEL_PATH_AUTO, 1, tf, w, h, &p);
  km_segmenter_process (seg, &in->im, &ref->im, FALSE, &st);
  for (guint t = 2; t <= 3; t++) {
    TImg *out = timg_new (tf, w, h);
    km_segmenter_set_n_threads (seg, t);
    km_segmenter_process (seg, &in->im, &out->im, FALSE, &st);
    g_assert_true (timg_equal (out, ref));
    timg_free (out);
  }
  km_segmenter_free (seg);
  timg_free (in);
  timg_free (ref);
}

/* Every colour space recovers the four regions in every format. */
static void
test_spaces (void)
{

  for (KmSpace space = KM_SPACE_RGB; space <= KM_SPACE_LAB; space++) {
    for (guint fi = 0; format_name (fi); fi++) {
      const TFmt *tf = tfmt_get (format_name (fi));
      guint w = 193, h = 145, bx, by, lab[4];
      TImg *in = timg_new (tf, w, h), *out = timg_new (tf, w, h);
      KmParams p;
      KmFrameStats st;
      KmSegmenter *seg;

      split_of (w, h, &bx, &by);
      draw_frame (in, bx, by, colours, NULL);
      params_k4 (&p, KM_MODE_POSTERIZE);
      p.space = space;
      seg = seg_new (KERNEL_PATH_AUTO, 2, tf, w, h, &p);
      km_segmenter_process (seg, &in->im, &out->im, FALSE, &st);
      assert_canary (out, "spaces");
      assert_same_pixels (out, in, "spaces");
      assert_region_labels (km_segmenter_get_labels (seg), w, h, bx, by, lab,
          tf->name);
      /* centroids in the space: Lab lightness follows the luma order */
      if (space == KM_SPACE_LAB) {
        g_assert_cmpfloat (st.centroids[lab[3]][0], >,
            st.centroids[lab[1]][0]);
        g_assert_cmpfloat (st.centroids[lab[1]][0], >,
            st.centroids[lab[2]][0]);
      }
      km_segmenter_free (seg);
      timg_free (in);
      timg_free (out);
    }
  }
}

/* One colour, a spatial term: k compact pieces of the frame. */
static void
test_spatial (void)
{
  static const char *fmts[] = { "RGBx", "I420", "GRAY8", "YUY2" };

  for (guint fi = 0; fi < G_N_ELEMENTS (fmts); fi++) {
    for (KmSpace space = KM_SPACE_RGB; space <= KM_SPACE_LAB; space += 2) {
      const TFmt *tf = tfmt_get (fmts[fi]);
      guint w = 161, h = 121;
      TImg *in = timg_new (tf, w, h), *out = timg_new (tf, w, h);
      const guint8 flat[4][3] = { {90, 120, 150}, {90, 120, 150},
      {90, 120, 150}, {90, 120, 150}
      };
      KmParams p;
      KmFrameStats st;
      KmSegmenter *seg;
      const guint8 *labels;
      guint x0[4], x1[4], y0[4], y1[4];
      guint64 n[4] = { 0 };

      draw_frame (in, 0, 0, flat, NULL);
      params_k4 (&p, KM_MODE_LABELS);
      p.space = space;
      p.spatial_weight = 1.0;
      p.sample_fraction = 0.3;
      seg = seg_new (KERNEL_PATH_AUTO, 2, tf, w, h, &p);
      km_segmenter_process (seg, &in->im, &out->im, TRUE, &st);
      labels = km_segmenter_get_labels (seg);
      for (guint j = 0; j < 4; j++) {
        x0[j] = y0[j] = G_MAXUINT;
        x1[j] = y1[j] = 0;
      }
      for (guint y = 0; y < h; y++)
        for (guint x = 0; x < w; x++) {
          guint j = labels[(gsize) y * w + x];
          g_assert_cmpuint (j, <, 4);
          n[j]++;
          x0[j] = MIN (x0[j], x);
          x1[j] = MAX (x1[j], x);
          y0[j] = MIN (y0[j], y);
          y1[j] = MAX (y1[j], y);
        }
      for (guint j = 0; j < 4; j++) {
        double box = (double) (x1[j] - x0[j] + 1) * (y1[j] - y0[j] + 1);
        g_assert_cmpuint (n[j], ==, st.counts[j]);
        g_assert_cmpuint (n[j], >, (guint64) w * h / 10);
        /* a piece, not the whole frame, and filling its box */
        g_assert_cmpfloat (box, <=, 0.6 * w * h);
        g_assert_cmpfloat ((double) n[j] / box, >=, 0.7);
      }
      km_segmenter_free (seg);
      timg_free (in);
      timg_free (out);
    }
  }
}

/* Regions moving a few pixels per frame keep their ids; a scene cut
 * refits and still finds the new regions. */
static void
test_warm_start (void)
{
  static const char *fmts[] = { "RGBA", "I420", "NV21", "UYVY", "GRAY8" };

  for (guint fi = 0; fi < G_N_ELEMENTS (fmts); fi++) {
    const TFmt *tf = tfmt_get (fmts[fi]);
    guint w = 97, h = 65, lab0[4], lab[4];
    TImg *in = timg_new (tf, w, h), *out = timg_new (tf, w, h);
    KmParams p;
    KmFrameStats st;
    KmSegmenter *seg;

    params_k4 (&p, KM_MODE_POSTERIZE);
    seg = seg_new (KERNEL_PATH_AUTO, 2, tf, w, h, &p);
    for (guint t = 0; t < 8; t++) {
      guint bx = 30 + 4 * t, by = 20 + 2 * t;
      draw_frame (in, bx, by, colours, NULL);
      km_segmenter_process (seg, &in->im, &out->im, FALSE, &st);
      assert_same_pixels (out, in, "warm");
      assert_region_labels (km_segmenter_get_labels (seg), w, h, bx, by, lab,
          tf->name);
      g_assert_cmpint (st.reinitialized, ==, t == 0);
      g_assert_false (st.scene_cut);
      if (t == 0)
        memcpy (lab0, lab, sizeof (lab));
      else
        g_assert_cmpmem (lab, sizeof (lab), lab0, sizeof (lab0));
    }

    /* a cut: other colours everywhere */
    draw_frame (in, 50, 30, colours2, NULL);
    km_segmenter_process (seg, &in->im, &out->im, FALSE, &st);
    g_assert_true (st.scene_cut);
    g_assert_true (st.reinitialized);
    assert_same_pixels (out, in, "cut");
    assert_region_labels (km_segmenter_get_labels (seg), w, h, 50, 30, lab,
        tf->name);
    /* and the next frame is warm again */
    km_segmenter_process (seg, &in->im, &out->im, FALSE, &st);
    g_assert_false (st.scene_cut);
    g_assert_false (st.reinitialized);

    /* a reset forgets the model */
    km_segmenter_reset (seg);
    km_segmenter_process (seg, &in->im, &out->im, FALSE, &st);
    g_assert_true (st.reinitialized);
    g_assert_false (st.scene_cut);

    /* without warm starts every frame starts over, ids matched to the
     * last frame's */
    p.warm_start = FALSE;
    g_assert_true (km_segmenter_set_params (seg, &p, NULL));
    for (guint t = 0; t < 3; t++) {
      guint lab2[4];
      km_segmenter_process (seg, &in->im, &out->im, FALSE, &st);
      g_assert_true (st.reinitialized);
      g_assert_false (st.scene_cut);
      assert_region_labels (km_segmenter_get_labels (seg), w, h, 50, 30,
          lab2, tf->name);
      if (t > 0)
        g_assert_cmpmem (lab2, sizeof (lab2), lab, sizeof (lab));
      memcpy (lab, lab2, sizeof (lab));
    }
    km_segmenter_free (seg);
    timg_free (in);
    timg_free (out);
  }
}

/* A first frame ends on the fit of the dense set (every pixel up to
 * 1080p), not on a step of the 2% sample: each centroid is the mean of the
 * pixels labelled with it, to within the refine's tolerance. Noisy
 * gradients, so that the sample's means differ from the frame's. */
static void
test_first_frame (void)
{
  const guint w = 640, h = 480;
  KmFormat fmt;
  guint8 *frame = g_malloc ((gsize) w * h * 3);
  VideoImage im = { {frame}, {(gint) w * 3} };
  VideoImage out = { {g_malloc ((gsize) w * h)}, {(gint) w} };
  guint8 *ref = g_malloc ((gsize) w * h);
  GRand *rng = g_rand_new_with_seed (31);

  g_assert_true (km_format_from_name ("RGB", &fmt));
  for (guint y = 0; y < h; y++)
    for (guint x = 0; x < w; x++) {
      guint8 *px = frame + ((gsize) y * w + x) * 3;
      double v[3] = { 255.0 * x / w, 255.0 * y / h,
        127.5 + 120.0 * sin (x * 0.02) * cos (y * 0.015)
      };
      for (guint c = 0; c < 3; c++)
        px[c] = (guint8) CLAMP (v[c] + g_rand_int_range (rng, -40, 41), 0,
            255);
    }
  for (guint t = 1; t <= 2; t++) {
    KmParams p;
    KmFrameStats st;
    KmSegmenter *seg = km_segmenter_new (KERNEL_PATH_AUTO, t);
    GError *err = NULL;
    double sum[KM_MAX_K][3] = { {0} }, worst = 0.0;
    guint64 n[KM_MAX_K] = { 0 };
    const guint8 *lab;

    km_params_init (&p);
    p.mode = KM_MODE_LABELS;
    g_assert_true (km_segmenter_set_format (seg, &fmt, w, h, &err));
    g_assert_true (km_segmenter_set_params (seg, &p, &err));
    km_segmenter_process (seg, &im, &out, FALSE, &st);
    g_assert_true (st.reinitialized);
    g_assert_cmpuint (st.n_samples, <, w * h / 40);
    lab = km_segmenter_get_labels (seg);
    for (gsize i = 0; i < (gsize) w * h; i++) {
      n[lab[i]]++;
      for (guint c = 0; c < 3; c++)
        sum[lab[i]][c] += frame[i * 3 + c];
    }
    for (guint j = 0; j < p.k; j++) {
      g_assert_cmpuint (n[j], >, 0);
      for (guint c = 0; c < 3; c++)
        worst = MAX (worst, fabs (sum[j][c] / n[j] - st.centroids_rgb[j][c]));
    }
    g_test_message ("%u threads: centroids at most %.3f from their pixels' "
        "mean", t, worst);
    g_assert_cmpfloat (worst, <, 0.2);
    /* the same labels whatever the number of threads */
    if (t == 1)
      memcpy (ref, lab, (gsize) w * h);
    else
      g_assert_cmpmem (lab, (gsize) w * h, ref, (gsize) w * h);
    km_segmenter_free (seg);
  }
  g_rand_free (rng);
  g_free (frame);
  g_free (out.data[0]);
  g_free (ref);
}

/* Small frames, fewer pixels than k-means++ wants, and k = 256. */
static void
test_small (void)
{
  static const guint dims[][2] = { {1, 1}, {2, 1}, {1, 3}, {3, 3}, {17, 5} };

  for (guint fi = 0; format_name (fi); fi++) {
    const TFmt *tf = tfmt_get (format_name (fi));
    for (guint di = 0; di < G_N_ELEMENTS (dims); di++) {
      guint w = dims[di][0], h = dims[di][1];
      TImg *in = timg_new (tf, w, h), *out = timg_new (tf, w, h);
      KmParams p;
      KmFrameStats st;
      KmSegmenter *seg;
      guint bx = w >= 2 ? 2 : 1, by = h >= 2 ? 2 : 1;
      guint64 total = 0;

      draw_frame (in, bx, by, colours, NULL);
      params_k4 (&p, KM_MODE_POSTERIZE);
      p.k = di % 2 ? 256 : 4;
      seg = seg_new (KERNEL_PATH_AUTO, 2, tf, w, h, &p);
      km_segmenter_process (seg, &in->im, &out->im, TRUE, &st);
      assert_canary (out, "small");
      assert_same_pixels (out, in, "small");
      for (guint j = 0; j < KM_MAX_K; j++)
        total += st.counts[j];
      g_assert_cmpuint (total, ==, w * h);
      km_segmenter_free (seg);
      timg_free (in);
      timg_free (out);
    }
  }
}

/* A pixel just across the bisector of two clusters keeps last frame's
 * label under hysteresis and takes the nearest centroid without it; one
 * well across changes either way. */
static void
test_hysteresis (void)
{
  const guint w = 64, h = 64;
  static const guint8 border[3] = { 98, 102, 106 };
  static const guint8 want_h2[3] = { 0, 0, 1 }, want_h0[3] = { 0, 1, 1 };
  KmFormat fmt;
  guint8 *frame = g_malloc (w * h);
  VideoImage im = { {frame}, {(gint) w} };
  VideoImage out = { {g_malloc (w * h)}, {(gint) w} };

  g_assert_true (km_format_from_name ("GRAY8", &fmt));
  for (guint hi = 0; hi < 2; hi++) {
    KmParams p;
    KmSegmenter *seg = km_segmenter_new (KERNEL_PATH_AUTO, 2);
    GError *err = NULL;

    km_params_init (&p);
    p.k = 2;
    p.mode = KM_MODE_LABELS;
    p.sample_fraction = 1.0;
    p.hysteresis = hi == 0 ? 2.0 : 0.0;
    g_assert_true (km_segmenter_set_format (seg, &fmt, w, h, &err));
    g_assert_true (km_segmenter_set_params (seg, &p, &err));
    for (guint f = 0; f < 3; f++) {
      KmFrameStats st;
      const guint8 *lab;
      guint a;
      for (guint y = 0; y < h; y++)
        for (guint x = 0; x < w; x++)
          frame[y * w + x] = x < w / 2 ? 50 : 150;
      /* four border pixels: the centroids stay near 50 and 150 */
      for (guint i = 0; i < 4; i++)
        frame[(10 + i) * w + 5] = border[f];
      km_segmenter_process (seg, &im, &out, FALSE, &st);
      lab = km_segmenter_get_labels (seg);
      a = lab[0];
      g_assert_cmpuint (lab[w - 1], !=, a);
      for (guint i = 0; i < 4; i++)
        g_assert_cmpuint (lab[(10 + i) * w + 5] != a, ==,
            hi == 0 ? want_h2[f] : want_h0[f]);
    }
    km_segmenter_free (seg);
  }
  g_free (frame);
  g_free (out.data[0]);
}

static void
test_params (void)
{
  KmParams p;
  GError *err = NULL;
  KmSegmenter *seg;
  KmFormat fmt;

  km_params_init (&p);
  g_assert_true (km_params_validate (&p, &err));
  g_assert_no_error (err);

#define REJECT(field, value) G_STMT_START {                             \
    km_params_init (&p);                                                \
    p.field = value;                                                    \
    g_assert_false (km_params_validate (&p, &err));                     \
    g_assert_error (err, KM_SEGMENT_ERROR, KM_SEGMENT_ERROR_PARAMS);    \
    g_clear_error (&err);                                               \
  } G_STMT_END
#define ACCEPT(field, value) G_STMT_START {                             \
    km_params_init (&p);                                                \
    p.field = value;                                                    \
    g_assert_true (km_params_validate (&p, &err));                      \
    g_assert_no_error (err);                                            \
  } G_STMT_END

  REJECT (k, 0);
  REJECT (k, 1);
  REJECT (k, 257);
  REJECT (sample_fraction, 0.0);
  REJECT (sample_fraction, 1.5);
  REJECT (sample_fraction, NAN);
  REJECT (spatial_weight, -0.5);
  REJECT (spatial_weight, NAN);
  REJECT (max_iterations, 0);
  REJECT (mode, (KmMode) 7);
  REJECT (space, (KmSpace) 3);
  ACCEPT (k, 2);
  ACCEPT (k, 256);
  ACCEPT (sample_fraction, 1.0);
  ACCEPT (spatial_weight, 0.0);
  ACCEPT (max_iterations, 1);

  /* a rejected update leaves the segmenter as it was */
  seg = km_segmenter_new (KERNEL_PATH_AUTO, 1);
  g_assert_true (km_format_from_name ("RGBx", &fmt));
  g_assert_false (km_segmenter_set_format (seg, &fmt, 0, 10, &err));
  g_assert_error (err, KM_SEGMENT_ERROR, KM_SEGMENT_ERROR_SIZE);
  g_clear_error (&err);
  g_assert_false (km_segmenter_set_format (seg, &fmt, 10, 40000, &err));
  g_assert_error (err, KM_SEGMENT_ERROR, KM_SEGMENT_ERROR_SIZE);
  g_clear_error (&err);
  km_params_init (&p);
  p.k = 1;
  g_assert_false (km_segmenter_set_params (seg, &p, &err));
  g_assert_error (err, KM_SEGMENT_ERROR, KM_SEGMENT_ERROR_PARAMS);
  g_clear_error (&err);
  km_segmenter_free (seg);

  for (gint path = KERNEL_PATH_C; path < KERNEL_PATH_LAST; path++) {
    seg = km_segmenter_new ((KernelPath) path, 1);
    g_assert_cmpint (seg != NULL, ==, kernel_path_supported ((KernelPath) path));
    km_segmenter_free (seg);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/km/segment/format-names", test_format_names);
  g_test_add_func ("/km/segment/modes", test_modes);
  g_test_add_func ("/km/segment/chroma-borders", test_chroma_borders);
  g_test_add_func ("/km/segment/determinism", test_determinism);
  g_test_add_func ("/km/segment/threads-spatial", test_threads_spatial);
  g_test_add_func ("/km/segment/spaces", test_spaces);
  g_test_add_func ("/km/segment/spatial", test_spatial);
  g_test_add_func ("/km/segment/warm-start", test_warm_start);
  g_test_add_func ("/km/segment/first-frame", test_first_frame);
  g_test_add_func ("/km/segment/small", test_small);
  g_test_add_func ("/km/segment/hysteresis", test_hysteresis);
  g_test_add_func ("/km/segment/params", test_params);
  return g_test_run ();
}
