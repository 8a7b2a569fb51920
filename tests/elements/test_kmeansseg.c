/* GstCheck tests of the kmeansseg element: every format at even and odd
 * sizes, alpha, label caps, exact recovery of flat colours, stable ids,
 * determinism across threads, live property changes, state changes,
 * messages, property ranges and boundaries. */

#include <math.h>

#include "element_check.h"

static const gchar *const all_formats[] = {
  "RGBx", "BGRx", "xRGB", "xBGR", "RGBA", "BGRA", "ARGB", "ABGR", "RGB", "BGR",
  "I420", "YV12", "Y42B", "Y444", "NV12", "NV21", "YUY2", "UYVY", "GRAY8",
};

/* well apart in R'G'B', in luma (for GRAY8) and in chroma */
static const guint8 quad_rgb[4][3] = {
  {220, 40, 40}, {40, 200, 60}, {40, 60, 220}, {230, 230, 120},
};

typedef void (*PaintFunc) (gint x, gint y, guint8 rgb[3], guint8 * a,
    gpointer data);

typedef struct
{
  gint qx, qy;                  /* the quadrants meet between qx-1 and qx */
} Quads;

static gint
quad_of (const Quads * q, gint x, gint y)
{
  return (x < q->qx ? 0 : 1) + (y < q->qy ? 0 : 2);
}

static void
paint_quads (gint x, gint y, guint8 rgb[3], guint8 * a, gpointer data)
{
  memcpy (rgb, quad_rgb[quad_of (data, x, y)], 3);
  *a = 255;
}

/* a packed R'G'B' buffer (or GRAY8) painted pixel by pixel; padding and
 * stride bytes are zero */
static GstBuffer *
make_buffer (GstVideoInfo * info, PaintFunc paint, gpointer data)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, info->size, NULL);
  GstVideoFrame f;
  gboolean alpha = GST_VIDEO_INFO_HAS_ALPHA (info);
  gboolean gray = GST_VIDEO_INFO_IS_GRAY (info);

  gst_buffer_memset (buf, 0, 0, info->size);
  fail_unless (gst_video_frame_map (&f, info, buf, GST_MAP_WRITE));
  for (gint y = 0; y < GST_VIDEO_INFO_HEIGHT (info); y++) {
    for (gint x = 0; x < GST_VIDEO_INFO_WIDTH (info); x++) {
      guint8 rgb[3], a;
      paint (x, y, rgb, &a, data);
      if (gray) {
        guint8 *p = GST_VIDEO_FRAME_PLANE_DATA (&f, 0);
        p[y * GST_VIDEO_FRAME_PLANE_STRIDE (&f, 0) + x] =
            (guint8) ((299 * rgb[0] + 587 * rgb[1] + 114 * rgb[2] + 500) /
            1000);
        continue;
      }
      for (gint c = 0; c < (alpha ? 4 : 3); c++) {
        guint8 *p = GST_VIDEO_FRAME_COMP_DATA (&f, c);
        p[y * GST_VIDEO_FRAME_COMP_STRIDE (&f, c) +
            x * GST_VIDEO_FRAME_COMP_PSTRIDE (&f, c)] = c < 3 ? rgb[c] : a;
      }
    }
  }
  gst_video_frame_unmap (&f);
  GST_BUFFER_PTS (buf) = 0;
  GST_BUFFER_DURATION (buf) = GST_SECOND / 30;
  return buf;
}

static GstBuffer *
make_quads (GstVideoFormat fmt, gint w, gint h, Quads * q)
{
  GstVideoInfo info;

  gst_video_info_set_format (&info, fmt, w, h);
  return make_buffer (&info, paint_quads, q);
}

/* component c of pixel (x, y) of a mapped packed or GRAY8 frame */
static guint8
comp_at (GstVideoFrame * f, gint c, gint x, gint y)
{
  const guint8 *p = GST_VIDEO_FRAME_COMP_DATA (f, c);
  return p[y * GST_VIDEO_FRAME_COMP_STRIDE (f, c) +
      x * GST_VIDEO_FRAME_COMP_PSTRIDE (f, c)];
}

static void
rgb_at (GstVideoFrame * f, gint x, gint y, guint8 rgb[3])
{
  for (gint c = 0; c < 3; c++)
    rgb[c] = comp_at (f, GST_VIDEO_FRAME_N_COMPONENTS (f) >= 3 ? c : 0, x, y);
}

static gint
rgb_diff (const guint8 a[3], const guint8 b[3])
{
  gint d = 0;
  for (gint c = 0; c < 3; c++)
    d = MAX (d, ABS ((gint) a[c] - (gint) b[c]));
  return d;
}

/* the negotiated caps of what came out of the harness */
static void
map_output (GstHarness * h, GstBuffer * buf, GstVideoFrame * f)
{
  GstCaps *caps = gst_pad_get_current_caps (h->sinkpad);
  GstVideoInfo info;

  fail_unless (caps != NULL);
  fail_unless (gst_video_info_from_caps (&info, caps));
  gst_caps_unref (caps);
  fail_unless_equals_int (gst_buffer_get_size (buf), info.size);
  fail_unless (gst_video_frame_map (f, &info, buf, GST_MAP_READ));
}

/* near the lines where quadrants meet, where chroma subsampling and the
 * converters' chroma filters blend colours */
static gboolean
near_border (const Quads * q, gint x, gint y)
{
  return ABS (x - q->qx) <= 2 || ABS (y - q->qy) <= 2;
}

/* ---- 1: every format at 384x288, 385x289, 385x385 ---- */

static const gint sizes[][2] = { {384, 288}, {385, 289}, {385, 385} };

static GstBuffer *
run_parse (const gchar * launch, GstBuffer * in, gint w, gint hh,
    GstVideoFrame * out)
{
  GstHarness *h = gst_harness_new_parse (launch);
  GstBuffer *buf;

  set_caps_of (h, GST_VIDEO_FORMAT_RGB, w, hh);
  fail_unless_equals_int (gst_harness_push (h, gst_buffer_ref (in)),
      GST_FLOW_OK);
  buf = gst_harness_pull (h);
  fail_unless (buf != NULL);
  map_output (h, buf, out);
  gst_harness_teardown (h);
  return buf;
}

static void
check_format (const gchar * format, gint w, gint hh)
{
  Quads q = { w / 2 + 1, hh / 2 - 1 };
  GstBuffer *in = make_quads (GST_VIDEO_FORMAT_RGB, w, hh, &q);
  GstBuffer *rbuf, *pbuf, *fbuf, *lbuf;
  GstVideoFrame ref, post, fc, lab;
  guint8 fc_col[4][3], ref_col[4][3];
  gint lab_id[4];
  gchar *launch;
  gboolean gray = g_str_equal (format, "GRAY8");
  const GstVideoFormatInfo *finfo =
      gst_video_format_get_info (gst_video_format_from_string (format));
  /* a cluster's mean takes in the pixels at the borders whose chroma is
   * blended with the neighbouring quadrant's; with 4:2:0 there are enough
   * of them among the samples to move it by a few levels */
  gint post_tol = GST_VIDEO_FORMAT_INFO_H_SUB (finfo, 1) ? 6 : 3;

  GST_INFO ("%s %dx%d", format, w, hh);
  /* the input as it looks after the round trip through the format */
  launch = g_strdup_printf ("videoconvert ! capsfilter caps=video/x-raw,"
      "format=%s ! videoconvert ! capsfilter caps=video/x-raw,format=RGB",
      format);
  rbuf = run_parse (launch, in, w, hh, &ref);
  g_free (launch);
  launch = g_strdup_printf ("videoconvert ! capsfilter caps=video/x-raw,"
      "format=%s ! kmeansseg num-clusters=4 mode=posterize ! videoconvert ! "
      "capsfilter caps=video/x-raw,format=RGB", format);
  pbuf = run_parse (launch, in, w, hh, &post);
  g_free (launch);
  launch = g_strdup_printf ("videoconvert ! capsfilter caps=video/x-raw,"
      "format=%s ! kmeansseg num-clusters=4 mode=false-color ! videoconvert ! "
      "capsfilter caps=video/x-raw,format=RGB", format);
  fbuf = run_parse (launch, in, w, hh, &fc);
  g_free (launch);
  launch = g_strdup_printf ("videoconvert ! capsfilter caps=video/x-raw,"
      "format=%s ! kmeansseg num-clusters=4 mode=labels ! "
      "capsfilter caps=video/x-raw,format=GRAY8", format);
  lbuf = run_parse (launch, in, w, hh, &lab);
  g_free (launch);
  fail_unless_equals_int (GST_VIDEO_FRAME_FORMAT (&lab),
      GST_VIDEO_FORMAT_GRAY8);

  for (gint i = 0; i < 4; i++) {
    gint cx = (i & 1) ? (q.qx + w) / 2 : q.qx / 2;
    gint cy = (i & 2) ? (q.qy + hh) / 2 : q.qy / 2;
    rgb_at (&ref, cx, cy, ref_col[i]);
    rgb_at (&fc, cx, cy, fc_col[i]);
    lab_id[i] = comp_at (&lab, 0, cx, cy);
    fail_unless (lab_id[i] < 4, "%s %dx%d: label %d", format, w, hh,
        lab_id[i]);
  }
  for (gint i = 0; i < 4; i++) {
    for (gint j = 0; j < i; j++) {
      fail_if (lab_id[i] == lab_id[j], "%s %dx%d: quadrants %d and %d both "
          "have label %d", format, w, hh, i, j, lab_id[i]);
      fail_unless (rgb_diff (fc_col[i], fc_col[j]) > 0,
          "%s %dx%d: quadrants %d and %d have the same false colour",
          format, w, hh, i, j);
    }
  }
  /* false colours are not the input's (the element ran); in GRAY8 a grey
   * false colour may come close to an input grey */
  {
    gint differ = 0;
    for (gint i = 0; i < 4; i++)
      differ += rgb_diff (fc_col[i], ref_col[i]) > 8;
    fail_unless (differ >= (gray ? 1 : 4), "%s %dx%d: false colours look "
        "like the input (%d of 4 quadrants differ)", format, w, hh, differ);
  }

  for (gint y = 0; y < hh; y++) {
    for (gint x = 0; x < w; x++) {
      gint i = quad_of (&q, x, y);
      guint8 r[3], p[3], f[3];
      if (near_border (&q, x, y))
        continue;
      rgb_at (&ref, x, y, r);
      rgb_at (&post, x, y, p);
      rgb_at (&fc, x, y, f);
      fail_unless (rgb_diff (r, p) <= post_tol, "%s %dx%d posterize (%d,%d): "
          "%d,%d,%d, input %d,%d,%d", format, w, hh, x, y, p[0], p[1], p[2],
          r[0], r[1], r[2]);
      fail_unless (rgb_diff (f, fc_col[i]) <= 1, "%s %dx%d false-color "
          "(%d,%d): %d,%d,%d, quadrant %d,%d,%d", format, w, hh, x, y, f[0],
          f[1], f[2], fc_col[i][0], fc_col[i][1], fc_col[i][2]);
      fail_unless_equals_int (comp_at (&lab, 0, x, y), lab_id[i]);
    }
  }

  gst_video_frame_unmap (&ref);
  gst_video_frame_unmap (&post);
  gst_video_frame_unmap (&fc);
  gst_video_frame_unmap (&lab);
  gst_buffer_unref (rbuf);
  gst_buffer_unref (pbuf);
  gst_buffer_unref (fbuf);
  gst_buffer_unref (lbuf);
  gst_buffer_unref (in);
}

GST_START_TEST (test_all_formats)
{
  gint f = __i__ / G_N_ELEMENTS (sizes), s = __i__ % G_N_ELEMENTS (sizes);

  check_format (all_formats[f], sizes[s][0], sizes[s][1]);
}

GST_END_TEST;

/* the element lists exactly the formats tested above */
GST_START_TEST (test_template_formats)
{
  GstElement *e = gst_element_factory_make ("kmeansseg", NULL);
  GstPad *pad;
  GstCaps *caps, *expect;
  GString *s = g_string_new ("video/x-raw, format=(string){ ");

  fail_unless (e != NULL);
  for (guint i = 0; i < G_N_ELEMENTS (all_formats); i++)
    g_string_append_printf (s, "%s%s", i ? ", " : "", all_formats[i]);
  g_string_append (s, " }, width=(int)[1, 2147483647], "
      "height=(int)[1, 2147483647], framerate=(fraction)[0/1, 2147483647/1]");
  expect = gst_caps_from_string (s->str);
  g_string_free (s, TRUE);
  for (gint p = 0; p < 2; p++) {
    pad = gst_element_get_static_pad (e, p ? "src" : "sink");
    caps = gst_pad_get_pad_template_caps (pad);
    fail_unless (gst_caps_is_equal (caps, expect), "%" GST_PTR_FORMAT, caps);
    gst_caps_unref (caps);
    gst_object_unref (pad);
  }
  gst_caps_unref (expect);
  gst_object_unref (e);
}

GST_END_TEST;

/* caps in the format table's order: planar 4:2:0 first */
GST_START_TEST (test_caps_preference)
{
  check_prefers_i420 ("kmeansseg", "I420");
  check_prefers_i420 ("kmeansseg mode=labels", "GRAY8");
}

GST_END_TEST;

/* ---- 2: alpha passes through ---- */

static void
paint_quads_alpha (gint x, gint y, guint8 rgb[3], guint8 * a, gpointer data)
{
  memcpy (rgb, quad_rgb[quad_of (data, x, y)], 3);
  /* a hash of the position: a pattern with nothing to do with colour */
  *a = (guint8) (((guint) x * 2654435761u ^ (guint) y * 40503u) >> 11);
}

GST_START_TEST (test_alpha_passthrough)
{
  static const GstVideoFormat fmts[] = { GST_VIDEO_FORMAT_RGBA,
    GST_VIDEO_FORMAT_BGRA, GST_VIDEO_FORMAT_ARGB, GST_VIDEO_FORMAT_ABGR
  };
  static const gchar *const modes[] = { "posterize", "false-color",
    "boundaries"
  };
  const gint w = 67, hh = 49;
  Quads q = { 30, 20 };

  for (guint f = 0; f < G_N_ELEMENTS (fmts); f++) {
    for (guint m = 0; m < G_N_ELEMENTS (modes); m++) {
      GstHarness *h = gst_harness_new ("kmeansseg");
      GstVideoInfo info;
      GstVideoFrame fi, fo;
      GstBuffer *in, *out;
      gint changed = 0;

      gst_util_set_object_arg (G_OBJECT (h->element), "mode", modes[m]);
      g_object_set (h->element, "num-clusters", 4, NULL);
      set_caps_of (h, fmts[f], w, hh);
      gst_video_info_set_format (&info, fmts[f], w, hh);
      in = make_buffer (&info, paint_quads_alpha, &q);
      fail_unless_equals_int (gst_harness_push (h, gst_buffer_ref (in)),
          GST_FLOW_OK);
      out = gst_harness_pull (h);
      fail_unless (gst_video_frame_map (&fi, &info, in, GST_MAP_READ));
      map_output (h, out, &fo);
      fail_unless_equals_int (GST_VIDEO_FRAME_FORMAT (&fo), fmts[f]);
      for (gint y = 0; y < hh; y++) {
        for (gint x = 0; x < w; x++) {
          guint8 a = comp_at (&fi, 3, x, y), b = comp_at (&fo, 3, x, y);
          guint8 ci[3], co[3];
          fail_unless (a == b, "%s %s (%d,%d): alpha %d -> %d",
              gst_video_format_to_string (fmts[f]), modes[m], x, y, a, b);
          rgb_at (&fi, x, y, ci);
          rgb_at (&fo, x, y, co);
          changed += rgb_diff (ci, co) != 0;
        }
      }
      /* the colour channels were processed */
      if (m != 0)
        fail_unless (changed > 0, "%s %s: no colour changed",
            gst_video_format_to_string (fmts[f]), modes[m]);
      gst_video_frame_unmap (&fi);
      gst_video_frame_unmap (&fo);
      gst_buffer_unref (in);
      gst_buffer_unref (out);
      gst_harness_teardown (h);
    }
  }
}

GST_END_TEST;

/* ---- 3: labels are GRAY8 ---- */

GST_START_TEST (test_labels_caps)
{
  static const GstVideoFormat fmts[] = { GST_VIDEO_FORMAT_I420,
    GST_VIDEO_FORMAT_BGRx
  };
  const gint w = 385, hh = 289;

  for (guint f = 0; f < G_N_ELEMENTS (fmts); f++) {
    GstHarness *h = gst_harness_new ("kmeansseg");
    GstVideoInfo info;
    GstBuffer *in, *out;
    GstCaps *caps;
    GstStructure *s;
    gint v;

    g_object_set (h->element, "num-clusters", 3, NULL);
    gst_util_set_object_arg (G_OBJECT (h->element), "mode", "labels");
    set_caps_of (h, fmts[f], w, hh);
    gst_video_info_set_format (&info, fmts[f], w, hh);
    in = gst_buffer_new_allocate (NULL, info.size, NULL);
    gst_buffer_memset (in, 0, 0x80, info.size);
    /* and without a timestamp, which is valid */
    fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
    out = gst_harness_pull (h);
    caps = gst_pad_get_current_caps (h->sinkpad);
    s = gst_caps_get_structure (caps, 0);
    fail_unless_equals_string (gst_structure_get_string (s, "format"),
        "GRAY8");
    fail_unless (gst_structure_get_int (s, "width", &v) && v == w);
    fail_unless (gst_structure_get_int (s, "height", &v) && v == hh);
    gst_caps_unref (caps);
    fail_unless_equals_int (gst_buffer_get_size (out),
        GST_ROUND_UP_4 (w) * hh);
    gst_buffer_unref (out);
    gst_harness_teardown (h);
  }
}

GST_END_TEST;

GST_START_TEST (test_labels_not_negotiated)
{
  GstHarness *h;
  GstVideoInfo info;
  GstBuffer *in;
  GstElement *pipe;
  GstBus *bus;
  GstMessage *msg;

  /* a downstream that takes only the input format */
  h = gst_harness_new ("kmeansseg");
  gst_util_set_object_arg (G_OBJECT (h->element), "mode", "labels");
  gst_harness_set_sink_caps_str (h, "video/x-raw,format=I420");
  set_caps_of (h, GST_VIDEO_FORMAT_I420, 64, 48);
  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_I420, 64, 48);
  in = gst_buffer_new_allocate (NULL, info.size, NULL);
  gst_buffer_memset (in, 0, 0x80, info.size);
  fail_unless_equals_int (gst_harness_push (h, in),
      GST_FLOW_NOT_NEGOTIATED);
  fail_unless_equals_int (gst_harness_buffers_received (h), 0);
  gst_harness_teardown (h);

  /* in a pipeline (linked in posterize, where the caps fit), an error on
   * the bus */
  pipe = gst_parse_launch ("videotestsrc num-buffers=3 ! "
      "video/x-raw,format=I420,width=64,height=48 ! kmeansseg name=km ! "
      "video/x-raw,format=I420 ! fakesink", NULL);
  fail_unless (pipe != NULL);
  {
    GstElement *km = gst_bin_get_by_name (GST_BIN (pipe), "km");
    gst_util_set_object_arg (G_OBJECT (km), "mode", "labels");
    gst_object_unref (km);
  }
  bus = gst_element_get_bus (pipe);
  fail_if (gst_element_set_state (pipe, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);
  msg = gst_bus_timed_pop_filtered (bus, GST_CLOCK_TIME_NONE,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless_equals_int (GST_MESSAGE_TYPE (msg), GST_MESSAGE_ERROR);
  gst_message_unref (msg);
  fail_unless_equals_int (gst_element_set_state (pipe, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  gst_object_unref (bus);
  gst_object_unref (pipe);
}

GST_END_TEST;

/* ---- 4: flat colours come back exactly ---- */

static const guint8 stripe_rgb[5][3] = {
  {250, 10, 10}, {10, 240, 30}, {20, 30, 230}, {240, 240, 240}, {90, 60, 20},
};

static void
paint_stripes (gint x, gint y, guint8 rgb[3], guint8 * a, gpointer data)
{
  gint w = GPOINTER_TO_INT (data);
  memcpy (rgb, stripe_rgb[(x * 5) / w], 3);
  *a = 255;
}

GST_START_TEST (test_exact_recovery)
{
  static const GstVideoFormat fmts[] = { GST_VIDEO_FORMAT_RGBx,
    GST_VIDEO_FORMAT_BGR, GST_VIDEO_FORMAT_ARGB
  };
  const gint w = 385, hh = 97;

  for (guint f = 0; f < G_N_ELEMENTS (fmts); f++) {
    GstHarness *h = gst_harness_new ("kmeansseg");
    GstVideoInfo info;
    GstBuffer *in, *out;
    GstVideoFrame fi, fo;

    g_object_set (h->element, "num-clusters", 5, NULL);
    set_caps_of (h, fmts[f], w, hh);
    gst_video_info_set_format (&info, fmts[f], w, hh);
    in = make_buffer (&info, paint_stripes, GINT_TO_POINTER (w));
    for (gint n = 0; n < 3; n++) {
      fail_unless_equals_int (gst_harness_push (h, gst_buffer_ref (in)),
          GST_FLOW_OK);
      out = gst_harness_pull (h);
      /* the image bytes (padding bytes included), not the stride's */
      fail_unless (gst_video_frame_map (&fi, &info, in, GST_MAP_READ));
      map_output (h, out, &fo);
      for (gint y = 0; y < hh; y++) {
        const guint8 *a = (guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&fi, 0) +
            y * GST_VIDEO_FRAME_PLANE_STRIDE (&fi, 0);
        const guint8 *b = (guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&fo, 0) +
            y * GST_VIDEO_FRAME_PLANE_STRIDE (&fo, 0);
        for (gint i = 0; i < w * GST_VIDEO_INFO_COMP_PSTRIDE (&info, 0); i++)
          fail_unless (a[i] == b[i], "%s frame %d: row %d byte %d: %d -> %d",
              gst_video_format_to_string (fmts[f]), n, y, i, a[i], b[i]);
      }
      gst_video_frame_unmap (&fi);
      gst_video_frame_unmap (&fo);
      gst_buffer_unref (out);
    }
    gst_buffer_unref (in);
    gst_harness_teardown (h);
  }
}

GST_END_TEST;

/* ---- 5: label ids stay with their colours ---- */

typedef struct
{
  gint w, h, sx, sy, size;
} Scene;

static const guint8 scene_rgb[4][3] = {
  {200, 50, 40}, {30, 160, 60}, {40, 50, 190}, {240, 220, 30},
};

static void
paint_scene (gint x, gint y, guint8 rgb[3], guint8 * a, gpointer data)
{
  const Scene *s = data;
  gint i = (x * 3) / s->w;

  if (x >= s->sx && x < s->sx + s->size && y >= s->sy && y < s->sy + s->size)
    i = 3;
  memcpy (rgb, scene_rgb[i], 3);
  *a = 255;
}

GST_START_TEST (test_stable_labels)
{
  Scene s = { 160, 120, 0, 50, 24 };
  GstHarness *h = gst_harness_new ("kmeansseg");
  GstVideoInfo info;
  gint first_lab[4] = { -1, -1, -1, -1 };

  g_object_set (h->element, "num-clusters", 4, NULL);
  gst_util_set_object_arg (G_OBJECT (h->element), "mode", "labels");
  set_caps_of (h, GST_VIDEO_FORMAT_RGBx, s.w, s.h);
  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_RGBx, s.w, s.h);
  for (gint n = 0; n < 20; n++) {
    GstBuffer *out;
    GstVideoFrame fo;
    gint lab[4];

    s.sx = n * (s.w - s.size) / 19;
    out = make_buffer (&info, paint_scene, &s);
    GST_BUFFER_PTS (out) = n * GST_SECOND / 30;
    fail_unless_equals_int (gst_harness_push (h, out), GST_FLOW_OK);
    out = gst_harness_pull (h);
    map_output (h, out, &fo);
    /* background regions in the top rows, which the square never covers */
    for (gint i = 0; i < 3; i++)
      lab[i] = comp_at (&fo, 0, (2 * i + 1) * s.w / 6, 10);
    lab[3] = comp_at (&fo, 0, s.sx + s.size / 2, s.sy + s.size / 2);
    for (gint i = 0; i < 4; i++) {
      if (n == 0)
        first_lab[i] = lab[i];
      fail_unless_equals_int (lab[i], first_lab[i]);
      for (gint j = 0; j < i; j++)
        fail_if (lab[i] == lab[j], "frame %d: colours %d and %d share a "
            "label", n, i, j);
    }
    gst_video_frame_unmap (&fo);
    gst_buffer_unref (out);
  }
  gst_harness_teardown (h);
}

GST_END_TEST;

/* ---- 6: the same output whatever the threads ---- */

/* gradients, discs and noise, in every component of any non-422 format */
static GstBuffer *
make_natural (GstVideoInfo * info, gint t)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, info->size, NULL);
  GRand *rand = g_rand_new_with_seed (1234 + t);
  GstVideoFrame f;

  gst_buffer_memset (buf, 0, 0, info->size);
  fail_unless (gst_video_frame_map (&f, info, buf, GST_MAP_WRITE));
  for (guint c = 0; c < GST_VIDEO_FRAME_N_COMPONENTS (&f); c++) {
    gint cw = GST_VIDEO_FRAME_COMP_WIDTH (&f, c);
    gint ch = GST_VIDEO_FRAME_COMP_HEIGHT (&f, c);
    guint8 *d = GST_VIDEO_FRAME_COMP_DATA (&f, c);
    gint stride = GST_VIDEO_FRAME_COMP_STRIDE (&f, c);
    gint ps = GST_VIDEO_FRAME_COMP_PSTRIDE (&f, c);
    for (gint y = 0; y < ch; y++) {
      for (gint x = 0; x < cw; x++) {
        double u = (double) (x + t * 3) / cw, v = (double) y / ch;
        double val = 60 + 80 * u * (c + 1) / 3 + 50 * v * (3 - c) / 3;
        double dx = u - 0.3 - 0.1 * c, dy = v - 0.5;
        if (dx * dx + dy * dy < 0.04)
          val = 220 - 60 * c;
        if (fabs (u - 0.7) < 0.1 && fabs (v - 0.3 - 0.1 * c) < 0.15)
          val = 30 + 40 * c;
        val += g_rand_double_range (rand, -12, 12);
        d[y * stride + x * ps] = (guint8) CLAMP (val, 0, 255);
      }
    }
  }
  gst_video_frame_unmap (&f);
  g_rand_free (rand);
  GST_BUFFER_PTS (buf) = t * GST_SECOND / 30;
  return buf;
}

#define N_DET_FRAMES 4

static void
run_natural (GstVideoFormat fmt, const gchar * props, guint n_threads,
    GstBuffer * out[N_DET_FRAMES])
{
  gchar *launch = g_strdup_printf ("kmeansseg num-clusters=8 seed=77 %s "
      "n-threads=%u", props, n_threads);
  GstHarness *h = gst_harness_new_parse (launch);
  GstVideoInfo info;

  g_free (launch);
  set_caps_of (h, fmt, 385, 289);
  gst_video_info_set_format (&info, fmt, 385, 289);
  for (gint t = 0; t < N_DET_FRAMES; t++) {
    fail_unless_equals_int (gst_harness_push (h, make_natural (&info, t)),
        GST_FLOW_OK);
    out[t] = gst_harness_pull (h);
  }
  gst_harness_teardown (h);
}

static void
check_deterministic (GstVideoFormat fmt, const gchar * props)
{
  GstBuffer *ref[N_DET_FRAMES], *out[N_DET_FRAMES], *in;
  /* 2 twice: two instances with the same settings */
  static const guint threads[] = { 2, 3, 2 };
  GstVideoInfo info, oinfo;
  GstVideoFrame a, b;

  gst_video_info_set_format (&info, fmt, 385, 289);
  gst_video_info_set_format (&oinfo, strstr (props, "labels") ?
      GST_VIDEO_FORMAT_GRAY8 : fmt, 385, 289);
  run_natural (fmt, props, 1, ref);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++) {
    run_natural (fmt, props, threads[i], out);
    for (gint t = 0; t < N_DET_FRAMES; t++) {
      fail_unless (gst_video_frame_map (&a, &oinfo, ref[t], GST_MAP_READ));
      fail_unless (gst_video_frame_map (&b, &oinfo, out[t], GST_MAP_READ));
      fail_unless (frames_equal (&a, &b), "%s %s: frame %d differs between "
          "1 and %u threads", gst_video_format_to_string (fmt), props, t,
          threads[i]);
      gst_video_frame_unmap (&a);
      gst_video_frame_unmap (&b);
      gst_buffer_unref (out[t]);
    }
  }
  /* and the output is not a copy of the input */
  if (oinfo.finfo == info.finfo) {
    in = make_natural (&info, 0);
    fail_unless (gst_video_frame_map (&a, &oinfo, ref[0], GST_MAP_READ));
    fail_unless (gst_video_frame_map (&b, &info, in, GST_MAP_READ));
    fail_if (frames_equal (&a, &b));
    gst_video_frame_unmap (&a);
    gst_video_frame_unmap (&b);
    gst_buffer_unref (in);
  }
  for (gint t = 0; t < N_DET_FRAMES; t++)
    gst_buffer_unref (ref[t]);
}

GST_START_TEST (test_deterministic_threads)
{
  check_deterministic (GST_VIDEO_FORMAT_BGRx, "");
  check_deterministic (GST_VIDEO_FORMAT_I420, "");
  check_deterministic (GST_VIDEO_FORMAT_NV12, "mode=labels");
  check_deterministic (GST_VIDEO_FORMAT_BGRx,
      "color-space=lab spatial-weight=0.5 mode=boundaries");
  check_deterministic (GST_VIDEO_FORMAT_Y444, "color-space=yuv");
}

GST_END_TEST;

/* ---- 7: property changes while buffers flow ---- */

typedef struct
{
  const gchar *name, *value;
} PropStep;

GST_START_TEST (test_properties_while_flowing)
{
  static const PropStep steps[] = {
    {"num-clusters", "8"}, {"num-clusters", "3"}, {"num-clusters", "16"},
    {"spatial-weight", "1"}, {"spatial-weight", "0"},
    {"hysteresis", "0"}, {"hysteresis", "10"}, {"hysteresis", "2"},
    {"color-space", "yuv"}, {"color-space", "lab"}, {"color-space", "rgb"},
    {"mode", "false-color"}, {"mode", "boundaries"}, {"mode", "labels"},
    {"n-threads", "1"}, {"num-clusters", "5"}, {"color-space", "lab"},
    {"mode", "posterize"}, {"n-threads", "3"}, {"max-iterations", "1"},
    {"mode", "labels"}, {"max-iterations", "50"}, {"warm-start", "false"},
    {"mode", "false-color"}, {"sample-fraction", "1"},
    {"post-messages", "true"}, {"seed", "5"}, {"n-threads", "0"},
  };
  static const GstVideoFormat fmts[] = { GST_VIDEO_FORMAT_BGRx,
    GST_VIDEO_FORMAT_NV21
  };
  const gint w = 97, hh = 73;

  for (guint f = 0; f < G_N_ELEMENTS (fmts); f++) {
    GstHarness *h = gst_harness_new ("kmeansseg");
    GstBus *bus = gst_bus_new ();
    GstVideoInfo info;
    GstMessage *msg;
    gint n_msgs = 0;
    gboolean want_labels = FALSE;

    gst_element_set_bus (h->element, bus);
    set_caps_of (h, fmts[f], w, hh);
    gst_video_info_set_format (&info, fmts[f], w, hh);
    for (guint i = 0; i < G_N_ELEMENTS (steps); i++) {
      for (gint n = 0; n < 2; n++) {
        GstBuffer *out;
        GstVideoFrame fo;
        guint k;
        gboolean labels;

        fail_unless_equals_int (gst_harness_push (h,
                make_natural (&info, i * 2 + n)), GST_FLOW_OK);
        out = gst_harness_pull (h);
        fail_unless (out != NULL);
        g_object_get (h->element, "num-clusters", &k, NULL);
        map_output (h, out, &fo);
        labels = GST_VIDEO_FRAME_FORMAT (&fo) == GST_VIDEO_FORMAT_GRAY8;
        /* the first buffer after a mode change renegotiates */
        fail_unless (labels == want_labels, "step %u (%s=%s), frame %d: "
            "output is %s", i, i ? steps[i - 1].name : "", i ?
            steps[i - 1].value : "", n,
            gst_video_format_to_string (GST_VIDEO_FRAME_FORMAT (&fo)));
        if (labels) {
          for (gint y = 0; y < hh; y++)
            for (gint x = 0; x < w; x++)
              fail_unless (comp_at (&fo, 0, x, y) < k);
        } else {
          fail_unless_equals_int (GST_VIDEO_FRAME_FORMAT (&fo), fmts[f]);
        }
        gst_video_frame_unmap (&fo);
        gst_buffer_unref (out);
      }
      gst_util_set_object_arg (G_OBJECT (h->element), steps[i].name,
          steps[i].value);
      if (g_str_equal (steps[i].name, "mode"))
        want_labels = g_str_equal (steps[i].value, "labels");
    }
    while ((msg = gst_bus_pop (bus))) {
      fail_if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR ||
          GST_MESSAGE_TYPE (msg) == GST_MESSAGE_WARNING,
          "%" GST_PTR_FORMAT, msg);
      n_msgs += GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT;
      gst_message_unref (msg);
    }
    fail_unless (n_msgs > 0);
    gst_bus_set_flushing (bus, TRUE);
    gst_harness_teardown (h);
    gst_object_unref (bus);
  }
}

GST_END_TEST;

/* ---- 8: state changes ---- */

GST_START_TEST (test_state_changes)
{
  check_state_changes ("videotestsrc num-buffers=5 ! "
      "video/x-raw,format=I420,width=64,height=48 ! kmeansseg ! fakesink");
}

GST_END_TEST;

GST_START_TEST (test_teardown_mid_stream)
{
  for (gint i = 0; i < 6; i++) {
    gchar *launch = g_strdup_printf ("videotestsrc is-live=%s pattern=ball ! "
        "video/x-raw,format=%s,width=96,height=72,framerate=100/1 ! "
        "kmeansseg mode=%s n-threads=%d ! fakesink name=sink "
        "signal-handoffs=true sync=%s", i % 2 ? "true" : "false",
        i % 3 ? "I420" : "BGRA", i % 3 == 2 ? "labels" : "posterize", i % 3,
        i % 2 ? "true" : "false");
    check_teardown_mid_stream (launch, 5 + i);
    g_free (launch);
  }
}

GST_END_TEST;

/* ---- 9: messages ---- */

/* CIE L*a*b* (D65) of an sRGB colour */
static void
lab_of_srgb (const guint8 rgb[3], double lab[3])
{
  static const double m[3][3] = {
    {0.4124564, 0.3575761, 0.1804375},
    {0.2126729, 0.7151522, 0.0721750},
    {0.0193339, 0.1191920, 0.9503041},
  };
  static const double white[3] = { 0.95047, 1.0, 1.08883 };
  double lin[3], f[3];

  for (gint c = 0; c < 3; c++) {
    double v = rgb[c] / 255.0;
    lin[c] = v <= 0.04045 ? v / 12.92 : pow ((v + 0.055) / 1.055, 2.4);
  }
  for (gint r = 0; r < 3; r++) {
    double t = (m[r][0] * lin[0] + m[r][1] * lin[1] + m[r][2] * lin[2]) /
        white[r];
    const double d = 6.0 / 29.0;
    f[r] = t > d * d * d ? cbrt (t) : t / (3 * d * d) + 4.0 / 29.0;
  }
  lab[0] = 116 * f[1] - 16;
  lab[1] = 500 * (f[0] - f[1]);
  lab[2] = 200 * (f[1] - f[2]);
}

static double
triple_at (const GValue * arr, guint j, guint c)
{
  const GValue *row = gst_value_array_get_value (arr, j);
  return g_value_get_double (gst_value_array_get_value (row, c));
}

static void
check_message (const gchar * space)
{
  const gint w = 385, hh = 289;
  Quads q = { 150, 170 };
  GstHarness *h = gst_harness_new ("kmeansseg");
  GstBus *bus = gst_bus_new ();
  GstMessage *msg;
  const GstStructure *s;
  const GValue *cent, *crgb, *counts;
  guint k, iters, quad_count[4] = { 0 };
  guint64 ts, sum = 0;
  gboolean seen[4] = { FALSE };

  for (gint y = 0; y < hh; y++)
    for (gint x = 0; x < w; x++)
      quad_count[quad_of (&q, x, y)]++;

  gst_element_set_bus (h->element, bus);
  g_object_set (h->element, "num-clusters", 4, "post-messages", TRUE, NULL);
  gst_util_set_object_arg (G_OBJECT (h->element), "color-space", space);
  set_caps_of (h, GST_VIDEO_FORMAT_RGBx, w, hh);
  {
    GstBuffer *in = make_quads (GST_VIDEO_FORMAT_RGBx, w, hh, &q);
    GST_BUFFER_PTS (in) = 5 * GST_SECOND;
    fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
  }
  gst_buffer_unref (gst_harness_pull (h));

  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT);
  fail_unless (msg != NULL);
  fail_unless (GST_MESSAGE_SRC (msg) == GST_OBJECT (h->element));
  s = gst_message_get_structure (msg);
  fail_unless (gst_structure_has_name (s, "kmeansseg"));
  fail_unless (gst_structure_get_uint (s, "num-clusters", &k));
  fail_unless_equals_int (k, 4);
  fail_unless (gst_structure_get_uint (s, "iterations", &iters));
  fail_unless (iters >= 1);
  fail_unless (gst_structure_get_uint64 (s, "timestamp", &ts));
  fail_unless_equals_uint64 (ts, 5 * GST_SECOND);
  fail_unless_equals_string (gst_structure_get_string (s, "color-space"),
      space);
  fail_unless (gst_structure_has_field_typed (s, "inertia", G_TYPE_DOUBLE));
  fail_unless (gst_structure_has_field_typed (s, "reinitialized",
          G_TYPE_BOOLEAN));
  fail_unless (gst_structure_has_field_typed (s, "scene-cut",
          G_TYPE_BOOLEAN));
  cent = gst_structure_get_value (s, "centroids");
  crgb = gst_structure_get_value (s, "centroids-rgb");
  counts = gst_structure_get_value (s, "counts");
  fail_unless (cent && crgb && counts);
  fail_unless_equals_int (gst_value_array_get_size (cent), 4);
  fail_unless_equals_int (gst_value_array_get_size (crgb), 4);
  fail_unless_equals_int (gst_value_array_get_size (counts), 4);

  for (guint j = 0; j < 4; j++) {
    guint64 n = g_value_get_uint64 (gst_value_array_get_value (counts, j));
    gint i, match = -1;

    fail_unless_equals_int (gst_value_array_get_size
        (gst_value_array_get_value (crgb, j)), 3);
    fail_unless_equals_int (gst_value_array_get_size
        (gst_value_array_get_value (cent, j)), 3);
    for (i = 0; i < 4; i++) {
      gboolean ok = TRUE;
      for (gint c = 0; c < 3; c++)
        ok &= fabs (triple_at (crgb, j, c) - quad_rgb[i][c]) <= 1.0;
      if (ok)
        match = i;
    }
    fail_unless (match >= 0, "cluster %u: R'G'B' %g,%g,%g is no quadrant's",
        j, triple_at (crgb, j, 0), triple_at (crgb, j, 1),
        triple_at (crgb, j, 2));
    fail_if (seen[match]);
    seen[match] = TRUE;
    fail_unless_equals_uint64 (n, quad_count[match]);
    sum += n;

    for (gint c = 0; c < 3; c++) {
      double expect;
      if (g_str_equal (space, "lab")) {
        double lab[3];
        lab_of_srgb (quad_rgb[match], lab);
        expect = lab[c];
      } else {
        expect = quad_rgb[match][c];
      }
      fail_unless (fabs (triple_at (cent, j, c) - expect) <= 1.0,
          "%s cluster %u channel %d: %g, expected %g", space, j, c,
          triple_at (cent, j, c), expect);
    }
  }
  fail_unless_equals_uint64 (sum, (guint64) w * hh);
  gst_message_unref (msg);

  gst_bus_set_flushing (bus, TRUE);
  gst_harness_teardown (h);
  gst_object_unref (bus);
}

GST_START_TEST (test_messages)
{
  check_message ("rgb");
  check_message ("lab");
}

GST_END_TEST;

GST_START_TEST (test_no_messages_by_default)
{
  GstHarness *h = gst_harness_new ("kmeansseg");
  GstBus *bus = gst_bus_new ();
  Quads q = { 30, 20 };
  GstMessage *msg;

  gst_element_set_bus (h->element, bus);
  set_caps_of (h, GST_VIDEO_FORMAT_RGBx, 64, 48);
  fail_unless_equals_int (gst_harness_push (h,
          make_quads (GST_VIDEO_FORMAT_RGBx, 64, 48, &q)), GST_FLOW_OK);
  gst_buffer_unref (gst_harness_pull (h));
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT);
  fail_unless (msg == NULL);
  gst_bus_set_flushing (bus, TRUE);
  gst_harness_teardown (h);
  gst_object_unref (bus);
}

GST_END_TEST;

/* ---- 10: property ranges ---- */

GST_START_TEST (test_property_ranges)
{
  GstElement *e = gst_element_factory_make ("kmeansseg", NULL);
  guint k;
  gdouble d;
  gchar *kernels;
  GstHarness *h;

  fail_unless (e != NULL);
  ASSERT_WARNING (g_object_set (e, "num-clusters", 1, NULL));
  g_object_get (e, "num-clusters", &k, NULL);
  fail_unless_equals_int (k, 8);
  ASSERT_WARNING (g_object_set (e, "num-clusters", 257, NULL));
  g_object_get (e, "num-clusters", &k, NULL);
  fail_unless_equals_int (k, 8);
  g_object_set (e, "num-clusters", 256, NULL);
  g_object_get (e, "num-clusters", &k, NULL);
  fail_unless_equals_int (k, 256);

  ASSERT_WARNING (g_object_set (e, "sample-fraction", 0.0, NULL));
  g_object_get (e, "sample-fraction", &d, NULL);
  fail_unless_equals_float (d, 0.02);
  ASSERT_WARNING (g_object_set (e, "spatial-weight", -1.0, NULL));
  g_object_get (e, "spatial-weight", &d, NULL);
  fail_unless_equals_float (d, 0.0);
  ASSERT_WARNING (g_object_set (e, "spatial-weight", 101.0, NULL));
  g_object_get (e, "spatial-weight", &d, NULL);
  fail_unless_equals_float (d, 0.0);
  ASSERT_WARNING (g_object_set (e, "hysteresis", -0.5, NULL));
  ASSERT_WARNING (g_object_set (e, "hysteresis", 65.0, NULL));
  g_object_get (e, "hysteresis", &d, NULL);
  fail_unless_equals_float (d, 2.0);

  g_object_get (e, "kernels", &kernels, NULL);
  fail_unless (kernels != NULL);
  fail_unless (g_strv_contains ((const gchar *[]) {
              "c", "orc", "avx2", "avx512", NULL}, kernels), "kernels: %s",
      kernels);
  g_free (kernels);
  gst_object_unref (e);

  /* and while running */
  h = gst_harness_new ("kmeansseg");
  set_caps_of (h, GST_VIDEO_FORMAT_GRAY8, 64, 48);
  {
    GstVideoInfo info;
    GstBuffer *in;
    gst_video_info_set_format (&info, GST_VIDEO_FORMAT_GRAY8, 64, 48);
    in = make_natural (&info, 0);
    fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
    gst_buffer_unref (gst_harness_pull (h));
  }
  g_object_get (h->element, "kernels", &kernels, NULL);
  fail_unless (g_strv_contains ((const gchar *[]) {
              "c", "orc", "avx2", "avx512", NULL}, kernels), "kernels: %s",
      kernels);
  g_free (kernels);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* ---- 11: boundaries ---- */

static void
check_boundaries (GstVideoFormat fmt, guint32 color)
{
  const gint w = 101, hh = 77;
  Quads q = { 40, 33 };
  GstHarness *h = gst_harness_new ("kmeansseg");
  GstBuffer *in, *out;
  GstVideoInfo info;
  GstVideoFrame fi, fo;
  const guint8 bc[3] = { (color >> 16) & 0xff, (color >> 8) & 0xff,
    color & 0xff
  };
  gboolean *row_hit = g_new0 (gboolean, hh), *col_hit = g_new0 (gboolean, w);

  g_object_set (h->element, "num-clusters", 4, NULL);
  if (color != 0xffff0000)
    g_object_set (h->element, "boundary-color", color, NULL);
  gst_util_set_object_arg (G_OBJECT (h->element), "mode", "boundaries");
  set_caps_of (h, fmt, w, hh);
  gst_video_info_set_format (&info, fmt, w, hh);
  in = make_quads (fmt, w, hh, &q);
  fail_unless_equals_int (gst_harness_push (h, gst_buffer_ref (in)),
      GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless (gst_video_frame_map (&fi, &info, in, GST_MAP_READ));
  map_output (h, out, &fo);
  for (gint y = 0; y < hh; y++) {
    for (gint x = 0; x < w; x++) {
      guint8 a[3], b[3];
      rgb_at (&fi, x, y, a);
      rgb_at (&fo, x, y, b);
      if (rgb_diff (a, b) == 0)
        continue;
      fail_unless (ABS (2 * x - (2 * q.qx - 1)) <= 1 ||
          ABS (2 * y - (2 * q.qy - 1)) <= 1,
          "(%d,%d) changed away from the borders", x, y);
      fail_unless (rgb_diff (b, bc) == 0, "(%d,%d): %d,%d,%d is not the "
          "boundary colour", x, y, b[0], b[1], b[2]);
      if (ABS (2 * x - (2 * q.qx - 1)) <= 1)
        row_hit[y] = TRUE;
      if (ABS (2 * y - (2 * q.qy - 1)) <= 1)
        col_hit[x] = TRUE;
    }
  }
  /* the borders are drawn all along */
  for (gint y = 0; y < hh; y++)
    fail_unless (row_hit[y], "row %d: no boundary", y);
  for (gint x = 0; x < w; x++)
    fail_unless (col_hit[x], "column %d: no boundary", x);
  g_free (row_hit);
  g_free (col_hit);
  gst_video_frame_unmap (&fi);
  gst_video_frame_unmap (&fo);
  gst_buffer_unref (in);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_START_TEST (test_boundaries)
{
  guint32 def = 0;
  GstElement *e = gst_element_factory_make ("kmeansseg", NULL);

  g_object_get (e, "boundary-color", &def, NULL);
  gst_object_unref (e);
  fail_unless_equals_int (def, 0xffff0000);
  check_boundaries (GST_VIDEO_FORMAT_RGBx, def);
  check_boundaries (GST_VIDEO_FORMAT_RGBx, 0x80123456);
  check_boundaries (GST_VIDEO_FORMAT_BGR, 0xff00ff00);
}

GST_END_TEST;

static Suite *
kmeansseg_suite (void)
{
  Suite *s = suite_create ("kmeansseg");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_template_formats);
  tcase_add_test (tc, test_caps_preference);
  tcase_add_loop_test (tc, test_all_formats, 0,
      G_N_ELEMENTS (all_formats) * G_N_ELEMENTS (sizes));
  tcase_add_test (tc, test_alpha_passthrough);
  tcase_add_test (tc, test_labels_caps);
  tcase_add_test (tc, test_labels_not_negotiated);
  tcase_add_test (tc, test_exact_recovery);
  tcase_add_test (tc, test_stable_labels);
  tcase_add_test (tc, test_deterministic_threads);
  tcase_add_test (tc, test_properties_while_flowing);
  tcase_add_test (tc, test_state_changes);
  tcase_add_test (tc, test_teardown_mid_stream);
  tcase_add_test (tc, test_messages);
  tcase_add_test (tc, test_no_messages_by_default);
  tcase_add_test (tc, test_property_ranges);
  tcase_add_test (tc, test_boundaries);
  return s;
}

GST_CHECK_MAIN (kmeansseg);
