/* Whole frames through the denoiser, every format at even and odd sizes:
 * a model that inverts its input inverts every sample byte and no other
 * byte; strength 0 gives the input back; results do not depend on the
 * thread count; models of more than one channel are refused unless of
 * layout yuv420, whose joint path matches a naive reference on every 4:2:0
 * format at odd sizes. */
#include "config.h"
#include "denoise/frames/denoiser.h"
#include "../aenn_naive.h"

#include <math.h>
#include <string.h>

#define SENTINEL 0xa5

static const guint sizes[][2] = { {384, 288}, {385, 289}, {385, 385},
  {1, 1}, {2, 3}, {17, 5}
};

/* One 1x1 convolution y = w x + b, no residual. */
static AennModel *
affine_model (float w, float b)
{
  static const gchar arch[] = "{\"in_channels\": 1, \"output\": \"y\", "
      "\"layers\": [{\"op\": \"conv\", \"name\": \"c\", \"in\": [\"x\"], "
      "\"out\": \"y\", \"out_channels\": 1, \"kernel\": 1}]}";
  GError *err = NULL;
  AennModel *m = aenn_model_new (arch, &err);

  g_assert_no_error (err);
  g_assert_true (aenn_model_set_tensor (m, "c.weight", &w, 1, &err));
  g_assert_true (aenn_model_set_tensor (m, "c.bias", &b, 1, &err));
  return m;
}

/* What a byte of a frame is: a sample of a channel, carried (alpha,
 * padding), or beyond the row's end. Written from the formats' layouts
 * as GStreamer documents them, not from denoise/frames/denoiser.c's table. */
typedef enum
{
  BYTE_SAMPLE,
  BYTE_KEPT,
  BYTE_OUTSIDE
} ByteKind;

typedef struct
{
  guint n_planes;
  guint row_bytes[3], rows[3];
  gint stride[3];
} Geometry;

static void
geometry (const gchar * name, guint w, guint h, Geometry * g)
{
  guint cw = (w + 1) / 2, ch = (h + 1) / 2;

  memset (g, 0, sizeof (*g));
  g->n_planes = 1;
  g->row_bytes[0] = w;
  g->rows[0] = h;
  if (g_str_equal (name, "I420") || g_str_equal (name, "YV12")) {
    g->n_planes = 3;
    g->row_bytes[1] = g->row_bytes[2] = cw;
    g->rows[1] = g->rows[2] = ch;
  } else if (g_str_equal (name, "Y42B")) {
    g->n_planes = 3;
    g->row_bytes[1] = g->row_bytes[2] = cw;
    g->rows[1] = g->rows[2] = h;
  } else if (g_str_equal (name, "Y444")) {
    g->n_planes = 3;
    g->row_bytes[1] = g->row_bytes[2] = w;
    g->rows[1] = g->rows[2] = h;
  } else if (g_str_has_prefix (name, "NV")) {
    g->n_planes = 2;
    g->row_bytes[1] = 2 * cw;
    g->rows[1] = ch;
  } else if (g_str_equal (name, "YUY2") || g_str_equal (name, "UYVY")) {
    g->row_bytes[0] = 4 * cw;
  } else if (g_str_equal (name, "RGB") || g_str_equal (name, "BGR")) {
    g->row_bytes[0] = 3 * w;
  } else if (!g_str_equal (name, "GRAY8")) {
    g->row_bytes[0] = 4 * w;
  }
  /* odd strides where the format allows them, a few spare bytes */
  for (guint p = 0; p < g->n_planes; p++)
    g->stride[p] = (gint) g->row_bytes[p] + (g->row_bytes[p] % 4 == 0 ||
        p > 0 ? 12 : 5);
}

static ByteKind
byte_kind (const gchar * name, guint w, guint p, guint i, const Geometry * g)
{
  if (i >= g->row_bytes[p])
    return BYTE_OUTSIDE;
  /* alpha or padding: the first byte of xRGB-like formats, the last of
   * RGBx-like ones */
  if (g->row_bytes[0] == 4 * w && strlen (name) == 4 && p == 0
      && !g_str_equal (name, "YUY2") && !g_str_equal (name, "UYVY")) {
    gboolean first = name[0] == 'x' || name[0] == 'A';
    return i % 4 == (first ? 0u : 3u) ? BYTE_KEPT : BYTE_SAMPLE;
  }
  /* the second luma of an odd width's last 4:2:2 pair */
  if ((g_str_equal (name, "YUY2") || g_str_equal (name, "UYVY")) && (w & 1)
      && i / 4 == w / 2 && i % 4 == (g_str_equal (name, "YUY2") ? 2u : 3u))
    return BYTE_KEPT;
  return BYTE_SAMPLE;
}

static void
alloc_image (const Geometry * g, VideoImage * im, guint8 fill, GRand * r)
{
  memset (im, 0, sizeof (*im));
  for (guint p = 0; p < g->n_planes; p++) {
    gsize n = (gsize) g->stride[p] * g->rows[p];
    im->data[p] = g_malloc (n);
    im->stride[p] = g->stride[p];
    for (gsize i = 0; i < n; i++)
      im->data[p][i] = r ? (guint8) g_rand_int_range (r, 0, 256) : fill;
  }
}

static void
free_image (VideoImage * im)
{
  for (guint p = 0; p < 3; p++)
    g_free (im->data[p]);
}

static AennDenoiser *
denoiser_for (const AennModel * m, const gchar * name, guint w, guint h,
    guint threads)
{
  const VideoFormat *fmt = video_format_find (name);
  GError *err = NULL;
  AennDenoiser *den = aenn_denoiser_new (m, KERNEL_PATH_AUTO, threads, &err);

  g_assert_no_error (err);
  g_assert_nonnull (fmt);
  g_assert_true (aenn_denoiser_set_format (den, fmt, w, h, &err));
  g_assert_no_error (err);
  return den;
}

static void
process (AennDenoiser * den, const VideoImage * in, VideoImage * out,
    float sigma, float strength)
{
  float s[3] = { sigma, sigma, sigma };
  aenn_denoiser_load (den, in);
  aenn_denoiser_run (den, s);
  aenn_denoiser_store (den, in, out, strength);
}

static void
test_formats (void)
{
  AennModel *inv = affine_model (-1.0f, 1.0f);
  GRand *r = g_rand_new_with_seed (7);

  for (guint fi = 0; fi < video_format_count (); fi++) {
    const gchar *name = video_format_get (fi)->name;
    for (guint si = 0; si < G_N_ELEMENTS (sizes); si++) {
      guint w = sizes[si][0], h = sizes[si][1];
      Geometry g;
      VideoImage in, out, same;
      AennDenoiser *den = denoiser_for (inv, name, w, h, 2);

      geometry (name, w, h, &g);
      alloc_image (&g, &in, 0, r);
      alloc_image (&g, &out, SENTINEL, NULL);
      alloc_image (&g, &same, SENTINEL, NULL);
      process (den, &in, &out, 25, 1.0f);
      process (den, &in, &same, 25, 0.0f);
      for (guint p = 0; p < g.n_planes; p++)
        for (guint y = 0; y < g.rows[p]; y++)
          for (guint i = 0; i < (guint) g.stride[p]; i++) {
            guint8 a = in.data[p][y * g.stride[p] + i];
            guint8 b = out.data[p][y * g.stride[p] + i];
            guint8 c = same.data[p][y * g.stride[p] + i];
            ByteKind k = byte_kind (name, w, p, i, &g);
            guint8 e = k == BYTE_SAMPLE ? 255 - a : k == BYTE_KEPT ? a :
                SENTINEL;
            if (b != e || c != (k == BYTE_OUTSIDE ? SENTINEL : a))
              g_error ("%s %ux%u plane %u row %u byte %u (kind %d): in %u, "
                  "out %u (expected %u), at strength 0 %u", name, w, h, p, y,
                  i, k, a, b, e, c);
          }
      free_image (&in);
      free_image (&out);
      free_image (&same);
      aenn_denoiser_free (den);
    }
  }
  g_rand_free (r);
  aenn_model_free (inv);
}

/* A random network on 1 and 3 threads, twice with the same denoiser. */
static void
test_threads (void)
{
  static const gchar *const names[] = { "I420", "YUY2", "BGRA", "RGB" };
  GError *err = NULL;
  AennModel *m = aenn_model_new (aenn_default_architecture (), &err);
  GRand *r = g_rand_new_with_seed (8);

  g_assert_no_error (err);
  aenn_model_randomize (m, 3, 0.5f);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
    const guint w = 385, h = 289;
    Geometry g;
    VideoImage in, a, b;
    AennDenoiser *den = denoiser_for (m, names[i], w, h, 1);
    float est[3];

    geometry (names[i], w, h, &g);
    alloc_image (&g, &in, 0, r);
    alloc_image (&g, &a, 0, NULL);
    alloc_image (&g, &b, 0, NULL);
    process (den, &in, &a, 20, 0.7f);
    g_assert_true (aenn_denoiser_set_n_threads (den, 3, &err));
    g_assert_cmpuint (aenn_denoiser_get_n_threads (den), ==, 3);
    process (den, &in, &b, 20, 0.7f);
    for (guint p = 0; p < g.n_planes; p++)
      for (guint y = 0; y < g.rows[p]; y++)
        g_assert_cmpmem (a.data[p] + y * g.stride[p], g.row_bytes[p],
            b.data[p] + y * g.stride[p], g.row_bytes[p]);
    /* and the network did something */
    g_assert_true (memcmp (a.data[0], in.data[0], g.row_bytes[0]) != 0);
    /* uniform random bytes: noise of deviation 255 / sqrt (12) = 74 */
    aenn_denoiser_estimate (den, est);
    for (guint c = 0; c < 3; c++)
      g_assert_cmpfloat (est[c], >, 30.0f);
    free_image (&in);
    free_image (&a);
    free_image (&b);
    aenn_denoiser_free (den);
  }
  g_rand_free (r);
  aenn_model_free (m);
}

static void
test_errors (void)
{
  static const gchar arch3[] = "{\"in_channels\": 3, \"output\": \"y\", "
      "\"layers\": [{\"op\": \"conv\", \"name\": \"c\", \"in\": [\"x\"], "
      "\"out\": \"y\", \"out_channels\": 3, \"kernel\": 1}]}";
  GError *err = NULL;
  AennModel *m = aenn_model_new (arch3, &err);
  AennDenoiser *den;
  const VideoFormat *fmt;

  g_assert_no_error (err);
  g_assert_null (aenn_denoiser_new (m, KERNEL_PATH_AUTO, 1, &err));
  g_assert_error (err, AENN_ERROR, AENN_ERROR_ARCHITECTURE);
  g_assert_nonnull (strstr (err->message, "in_channels"));
  g_clear_error (&err);
  aenn_model_free (m);

  m = affine_model (1.0f, 0.0f);
  den = aenn_denoiser_new (m, KERNEL_PATH_AUTO, 1, &err);
  g_assert_null (video_format_find ("P010_10LE"));
  fmt = video_format_find ("NV12");
  g_assert_nonnull (fmt);
  g_assert_false (aenn_denoiser_set_format (den, fmt, 0, 10, &err));
  g_assert_error (err, AENN_ERROR, AENN_ERROR_SIZE);
  g_clear_error (&err);
  g_assert_cmpuint (aenn_denoiser_get_n_channels (den), ==, 0);
  g_assert_true (aenn_denoiser_set_format (den, fmt, 10, 10, &err));
  g_assert_cmpuint (aenn_denoiser_get_n_channels (den), ==, 3);
  aenn_denoiser_free (den);
  aenn_model_free (m);
}

/* Below a noise level of 1 the network's change is scaled down, and at 0
 * a frame comes back as it went in, whatever the model does (here it
 * inverts every sample). */
static void
test_low_noise_gate (void)
{
  static const gchar *const names[] = { "GRAY8", "I420", "NV21", "YUY2",
    "BGRA", "RGB"
  };
  AennModel *inv = affine_model (-1.0f, 1.0f);
  GRand *r = g_rand_new_with_seed (9);

  for (guint fi = 0; fi < G_N_ELEMENTS (names); fi++) {
    guint w = 97, h = 61;
    Geometry g;
    VideoImage in, zero, half;
    AennDenoiser *den = denoiser_for (inv, names[fi], w, h, 2);

    geometry (names[fi], w, h, &g);
    alloc_image (&g, &in, 0, r);
    alloc_image (&g, &zero, SENTINEL, NULL);
    alloc_image (&g, &half, SENTINEL, NULL);
    process (den, &in, &zero, 0.0f, 1.0f);
    process (den, &in, &half, 0.5f, 1.0f);
    for (guint p = 0; p < g.n_planes; p++)
      for (guint y = 0; y < g.rows[p]; y++)
        for (guint i = 0; i < g.row_bytes[p]; i++) {
          gsize o = (gsize) y * g.stride[p] + i;
          g_assert_cmpuint (zero.data[p][o], ==, in.data[p][o]);
          /* halfway between s and 1 - s: 127.5, or the byte kept */
          if (byte_kind (names[fi], w, p, i, &g) == BYTE_SAMPLE)
            g_assert_cmpint (ABS ((gint) half.data[p][o] * 2 - 255), <=, 1);
        }
    free_image (&in);
    free_image (&zero);
    free_image (&half);
    aenn_denoiser_free (den);
  }
  g_rand_free (r);
  aenn_model_free (inv);
}

/* ---- joint colour (layout yuv420) ---- */

/* Sample (x, y) of Y (c 0), Cb (1) or Cr (2) of a 4:2:0 frame, from the
 * formats as GStreamer documents them. */
static guint8 *
sample420 (const gchar * name, const VideoImage * im, guint c, guint x,
    guint y)
{
  gboolean nv = g_str_has_prefix (name, "NV");
  gboolean swap = g_str_equal (name, "YV12") || g_str_equal (name, "NV21");

  if (c == 0)
    return im->data[0] + (gsize) y * im->stride[0] + x;
  if (nv)
    return im->data[1] + (gsize) y * im->stride[1] + 2 * x
        + ((c == 2) != swap);
  return im->data[(c == 2) != swap ? 2 : 1] + (gsize) y * im->stride[(c ==
          2) != swap ? 2 : 1] + x;
}

static void
test_joint (void)
{
  static const gchar *const names[] = { "I420", "YV12", "NV12", "NV21" };
  GError *err = NULL;
  AennModel *m = aenn_model_new (aenn_test_joint_arch, &err);
  GRand *r = g_rand_new_with_seed (31);
  /* memory-order levels: distinct, so that a swap of Cb and Cr shows */
  const float sigma[3] = { 20.0f, 35.0f, 9.0f };

  g_assert_no_error (err);
  aenn_model_randomize (m, 5, 0.5f);
  for (guint fi = 0; fi < G_N_ELEMENTS (names); fi++) {
    const gchar *name = names[fi];
    gboolean swap = g_str_equal (name, "YV12") || g_str_equal (name, "NV21");
    /* the memory-order channel of Cb and of Cr */
    guint cbm = swap ? 2 : 1, crm = swap ? 1 : 2;
    for (guint si = 0; si < G_N_ELEMENTS (sizes); si++) {
      guint w = sizes[si][0], h = sizes[si][1];
      guint cw = (w + 1) / 2, ch = (h + 1) / 2;
      gsize n = (gsize) cw * ch;
      float *img = g_new (float, 6 * n), *want = g_new (float, 6 * n);
      float levels[AENN_MAX_IN_CHANNELS] = { 0 };
      Geometry g;
      VideoImage in, out;
      guint off1 = 0, worst = 0;
      /* float: the int8 path is held to its own tolerance elsewhere */
      AennDenoiser *den = aenn_denoiser_new (m, kernel_path_best_float (), 2,
          &err);
      const VideoFormat *fmt = video_format_find (name);

      g_assert_no_error (err);
      g_assert_true (aenn_denoiser_set_format (den, fmt, w, h, &err));
      g_assert_no_error (err);
      geometry (name, w, h, &g);
      alloc_image (&g, &in, 0, r);
      alloc_image (&g, &out, SENTINEL, NULL);
      aenn_denoiser_load (den, &in);
      aenn_denoiser_run (den, sigma);
      aenn_denoiser_store (den, &in, &out, 1.0f);

      /* the reference: the six channels by hand, the naive pass */
      for (guint y = 0; y < ch; y++)
        for (guint x = 0; x < cw; x++) {
          for (guint p = 0; p < 4; p++) {
            guint ly = MIN (2 * y + p / 2, h - 1), lx = MIN (2 * x + p % 2,
                w - 1);
            img[p * n + y * cw + x] = *sample420 (name, &in, 0, lx, ly)
                / 255.0f;
          }
          img[4 * n + y * cw + x] = *sample420 (name, &in, 1, x, y) / 255.0f;
          img[5 * n + y * cw + x] = *sample420 (name, &in, 2, x, y) / 255.0f;
        }
      for (guint p = 0; p < 4; p++)
        levels[p] = sigma[0];
      levels[4] = sigma[cbm];
      levels[5] = sigma[crm];
      aenn_naive_forward_levels (m, NULL, img, cw, ch, levels, want);
      for (guint y = 0; y < ch; y++)
        for (guint x = 0; x < cw; x++)
          for (guint p = 0; p < 6; p++) {
            guint ly = 2 * y + (p < 4 ? p / 2 : 0);
            guint lx = 2 * x + (p < 4 ? p % 2 : 0);
            guint c = p < 4 ? 0 : p - 3;
            float v = want[p * n + y * cw + x] * 255.0f;
            guint8 e = (guint8) CLAMP (nearbyintf (v), 0.0f, 255.0f);
            guint8 got;
            guint d;
            if (ly >= h || lx >= w)
              continue;
            got = *sample420 (name, &out, c, p < 4 ? lx : x, p < 4 ? ly : y);
            d = (guint) ABS ((gint) got - (gint) e);
            worst = MAX (worst, d);
            off1 += d == 1;
          }
      g_test_message ("%s %ux%u: worst difference %u, %u samples off by one",
          name, w, h, worst, off1);
      /* float sums in another order: at most a rounding boundary apart */
      g_assert_cmpuint (worst, <=, 1);
      g_assert_cmpuint (off1, <=, 6 * n / 1000 + 2);
      free_image (&in);
      free_image (&out);
      g_free (img);
      g_free (want);
      aenn_denoiser_free (den);
    }
  }
  /* a joint model takes 4:2:0 frames only */
  {
    AennDenoiser *den = aenn_denoiser_new (m, KERNEL_PATH_AUTO, 1, &err);
    g_assert_no_error (err);
    g_assert_false (aenn_denoiser_set_format (den, video_format_find ("BGRx"),
            16, 16, &err));
    g_assert_error (err, AENN_ERROR, AENN_ERROR_ARCHITECTURE);
    g_assert_nonnull (strstr (err->message, "4:2:0"));
    g_clear_error (&err);
    aenn_denoiser_free (den);
  }
  g_rand_free (r);
  aenn_model_free (m);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/aenn/frame/formats", test_formats);
  g_test_add_func ("/aenn/frame/threads", test_threads);
  g_test_add_func ("/aenn/frame/errors", test_errors);
  g_test_add_func ("/aenn/frame/joint", test_joint);
  g_test_add_func ("/aenn/frame/low-noise-gate", test_low_noise_gate);
  return g_test_run ();
}
