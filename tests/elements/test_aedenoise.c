/* GstCheck tests of the aedenoise element: every format at even and odd
 * sizes against the engine run on planes taken out with GStreamer's own
 * format descriptions, alpha untouched, an identity model, strength 0 bit
 * for bit, bad model files, properties changed while buffers flow (and
 * through a controller), the noise estimate, latency, QoS, and state
 * changes. */

#include "config.h"

#include <math.h>
#include <glib/gstdio.h>
#include <gst/controller/gstdirectcontrolbinding.h>
#include <gst/controller/gstinterpolationcontrolsource.h>

#include "denoise/engine/engine.h"
#include "element_check.h"

/* fail_unless costs a system call even when it passes (check records the
 * place): in loops over samples, only call it on failure */
#define check_sample(cond, ...) G_STMT_START {                            \
    if (G_UNLIKELY (!(cond)))                                               \
      fail_unless (cond, __VA_ARGS__);                                      \
  } G_STMT_END

static const gchar *const all_formats[] = {
  "GRAY8", "I420", "YV12", "Y42B", "Y444", "NV12", "NV21", "YUY2", "UYVY",
  "RGBx", "BGRx", "xRGB", "xBGR", "RGBA", "BGRA", "ARGB", "ABGR", "RGB", "BGR",
};

static const gint sizes[][2] = { {384, 288}, {385, 289}, {385, 385} };

static gchar *tmp_dir;

/* ---- models written for the tests ---- */

#define TEST_SIGMA 20.0f

static AennModel *
random_model (gfloat gain)
{
  GError *err = NULL;
  AennModel *m = aenn_model_new (aenn_default_architecture (), &err);

  fail_unless (m != NULL);
  aenn_model_randomize (m, 11, gain);
  return m;
}

static gchar *
save_model (const AennModel * m, const gchar * name)
{
  gchar *path = g_build_filename (tmp_dir, name, NULL);
  GError *err = NULL;

  fail_unless (aenn_model_save (m, path, &err), "%s", err ? err->message : "");
  return path;
}

static gchar *
write_file (const gchar * name, gconstpointer data, gsize n)
{
  gchar *path = g_build_filename (tmp_dir, name, NULL);

  fail_unless (g_file_set_contents (path, data, n, NULL));
  return path;
}

/* ---- frames ---- */

static gdouble
gauss (GRand * r)
{
  gdouble u = g_rand_double (r), v = g_rand_double (r);
  return sqrt (-2.0 * log (1.0 - u)) * cos (2.0 * G_PI * v);
}

/* gradients, discs and Gaussian noise of deviation sigma in every
 * component, rounded and clipped */
static GstBuffer *
make_natural (GstVideoInfo * info, gint t, gdouble sigma)
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
        val += sigma * gauss (rand);
        d[y * stride + x * ps] = (guint8) CLAMP (round (val), 0, 255);
      }
    }
  }
  gst_video_frame_unmap (&f);
  g_rand_free (rand);
  GST_BUFFER_PTS (buf) = t * GST_SECOND / 30;
  GST_BUFFER_DURATION (buf) = GST_SECOND / 30;
  return buf;
}

static gboolean
buffers_equal (GstVideoInfo * info, GstBuffer * a, GstBuffer * b)
{
  GstVideoFrame fa, fb;
  gboolean eq;

  fail_unless (gst_video_frame_map (&fa, info, a, GST_MAP_READ));
  fail_unless (gst_video_frame_map (&fb, info, b, GST_MAP_READ));
  eq = frames_equal (&fa, &fb);
  gst_video_frame_unmap (&fa);
  gst_video_frame_unmap (&fb);
  return eq;
}

static GstBuffer *
push_pull (GstHarness * h, GstBuffer * in)
{
  GstBuffer *out;

  fail_unless_equals_int (gst_harness_push (h, gst_buffer_ref (in)),
      GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless (out != NULL);
  return out;
}

/* ---- 1: every format against the engine on GStreamer's planes ---- */

static gchar *format_model_path;
static AennModel *format_model;

/* The expected output of one component: the component's samples as
 * floats, through the engine, rounded back. Alpha is not a component the
 * element touches. */
static void
check_component (GstVideoFrame * fi, GstVideoFrame * fo, guint c,
    const gchar * what)
{
  gint cw = GST_VIDEO_FRAME_COMP_WIDTH (fi, c);
  gint ch = GST_VIDEO_FRAME_COMP_HEIGHT (fi, c);
  gint stride = GST_VIDEO_FRAME_COMP_STRIDE (fi, c);
  gint ps = GST_VIDEO_FRAME_COMP_PSTRIDE (fi, c);
  const guint8 *si = GST_VIDEO_FRAME_COMP_DATA (fi, c);
  const guint8 *so = GST_VIDEO_FRAME_COMP_DATA (fo, c);
  float *src = g_new (float, (gsize) cw * ch), *dst = g_new (float,
      (gsize) cw * ch);
  const float *s[1] = { src };
  float *d[1] = { dst };
  AennPlan *plan = aenn_plan_new (format_model, KERNEL_PATH_AUTO, NULL);
  gint changed = 0;

  for (gint y = 0; y < ch; y++)
    for (gint x = 0; x < cw; x++)
      src[y * cw + x] = si[y * stride + x * ps] * (1.0f / 255.0f);
  fail_unless (aenn_plan_prepare (plan, cw, ch, NULL, 0, NULL));
  aenn_plan_process (plan, s, cw, d, cw, TEST_SIGMA);
  for (gint y = 0; y < ch; y++)
    for (gint x = 0; x < cw; x++) {
      double e = CLAMP (round (dst[y * cw + x] * 255.0), 0, 255);
      gint a = si[y * stride + x * ps], b = so[y * stride + x * ps];
      /* the engine's float result rounds either way near a half */
      check_sample (fabs (b - e) <= 1.0, "%s component %u (%d,%d): %d, "
          "expected %g (input %d)", what, c, x, y, b, e, a);
      changed += a != b;
    }
  /* the model changes the frame: the test can see a plane left alone */
  fail_unless (changed > cw * ch / 4, "%s component %u: only %d of %d "
      "samples changed", what, c, changed, cw * ch);
  aenn_plan_free (plan);
  g_free (src);
  g_free (dst);
}

static void
check_format (const gchar * format, gint w, gint hh)
{
  GstVideoFormat fmt = gst_video_format_from_string (format);
  gchar *launch = g_strdup_printf ("aedenoise model-file=\"%s\" "
      "noise-level=%g n-threads=2", format_model_path, TEST_SIGMA);
  GstHarness *h = gst_harness_new_parse (launch);
  GstVideoInfo info;
  GstVideoFrame fi, fo;
  GstBuffer *in, *out;
  gchar *what = g_strdup_printf ("%s %dx%d", format, w, hh);

  g_free (launch);
  set_caps_of (h, fmt, w, hh);
  gst_video_info_set_format (&info, fmt, w, hh);
  in = make_natural (&info, 0, 12);
  out = push_pull (h, in);
  fail_unless_equals_int (gst_buffer_get_size (out), info.size);
  fail_unless (gst_video_frame_map (&fi, &info, in, GST_MAP_READ));
  fail_unless (gst_video_frame_map (&fo, &info, out, GST_MAP_READ));
  for (guint c = 0; c < GST_VIDEO_FRAME_N_COMPONENTS (&fi); c++) {
    if (GST_VIDEO_FORMAT_INFO_HAS_ALPHA (info.finfo) && c == 3) {
      /* alpha passes through */
      for (gint y = 0; y < hh; y++)
        for (gint x = 0; x < w; x++) {
          gint o = y * GST_VIDEO_FRAME_COMP_STRIDE (&fi, 3) +
              x * GST_VIDEO_FRAME_COMP_PSTRIDE (&fi, 3);
          guint8 a = ((guint8 *) GST_VIDEO_FRAME_COMP_DATA (&fi, 3))[o];
          guint8 b = ((guint8 *) GST_VIDEO_FRAME_COMP_DATA (&fo, 3))[o];
          check_sample (a == b, "%s (%d,%d): alpha %d -> %d", what, x, y, a, b);
        }
      continue;
    }
    check_component (&fi, &fo, c, what);
  }
  gst_video_frame_unmap (&fi);
  gst_video_frame_unmap (&fo);
  gst_buffer_unref (in);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
  g_free (what);
}

GST_START_TEST (test_all_formats)
{
  gint f = __i__ / G_N_ELEMENTS (sizes), s = __i__ % G_N_ELEMENTS (sizes);

  check_format (all_formats[f], sizes[s][0], sizes[s][1]);
}

GST_END_TEST;

/* and on every kernel path the CPU has */
GST_START_TEST (test_kernel_paths)
{
  for (gint p = 0; p < KERNEL_PATH_LAST; p++) {
    GstElement *e;
    gchar *kernels;

    if (!kernel_path_supported ((KernelPath) p))
      continue;
    g_setenv ("GST_UNSUPERVISED_KERNELS", kernel_path_name ((KernelPath) p),
        TRUE);
    check_format ("I420", 385, 289);
    check_format ("BGRA", 97, 61);
    e = gst_element_factory_make ("aedenoise", NULL);
    g_object_get (e, "kernels", &kernels, NULL);
    fail_unless_equals_string (kernels, kernel_path_name ((KernelPath) p));
    g_free (kernels);
    gst_object_unref (e);
  }
  g_unsetenv ("GST_UNSUPERVISED_KERNELS");
}

GST_END_TEST;

/* the element lists exactly the formats tested above */
GST_START_TEST (test_template_formats)
{
  GstElement *e = gst_element_factory_make ("aedenoise", NULL);
  GString *s = g_string_new ("video/x-raw, format=(string){ ");
  GstCaps *expect;

  fail_unless (e != NULL);
  for (guint i = 0; i < G_N_ELEMENTS (all_formats); i++)
    g_string_append_printf (s, "%s%s", i ? ", " : "", all_formats[i]);
  g_string_append (s, " }, width=(int)[1, 2147483647], "
      "height=(int)[1, 2147483647], framerate=(fraction)[0/1, 2147483647/1]");
  expect = gst_caps_from_string (s->str);
  g_string_free (s, TRUE);
  for (gint p = 0; p < 2; p++) {
    GstPad *pad = gst_element_get_static_pad (e, p ? "src" : "sink");
    GstCaps *caps = gst_pad_get_pad_template_caps (pad);
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
  check_prefers_i420 ("aedenoise", "I420");
}

GST_END_TEST;

/* model=quality runs the quality model built into the plugin: another
 * output than the default's, the same as that model's file gives */
GST_START_TEST (test_model_property)
{
  GstVideoInfo info;
  GstBuffer *in, *out[3];
  gchar *qpath = g_build_filename (TEST_SRCDIR, "models",
      "aedenoise-quality.safetensors", NULL);
  const gchar *launch[3] = { "aedenoise noise-level=25",
    "aedenoise noise-level=25 model=quality", NULL
  };
  gchar *byfile = g_strdup_printf ("aedenoise noise-level=25 "
      "model-file=\"%s\"", qpath);
  GstElement *e = gst_element_factory_make ("aedenoise", NULL);
  gchar *nick;
  GEnumValue *ev;
  gint v;

  /* the default, and the nicks */
  g_object_get (e, "model", &v, NULL);
  ev = g_enum_get_value (G_ENUM_CLASS (g_type_class_peek
          (G_PARAM_SPEC_VALUE_TYPE (g_object_class_find_property
                  (G_OBJECT_GET_CLASS (e), "model")))), v);
  nick = g_strdup (ev->value_nick);
  fail_unless_equals_string (nick, "default");
  g_free (nick);
  gst_object_unref (e);
  launch[2] = byfile;
  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_I420, 97, 61);
  in = make_natural (&info, 0, 25);
  for (guint i = 0; i < 3; i++) {
    GstHarness *h = gst_harness_new_parse (launch[i]);
    set_caps_of (h, GST_VIDEO_FORMAT_I420, 97, 61);
    out[i] = push_pull (h, in);
    gst_harness_teardown (h);
  }
  fail_if (buffers_equal (&info, out[0], out[1]),
      "model=quality gave the default model's output");
  fail_unless (buffers_equal (&info, out[1], out[2]),
      "model=quality differs from its file");
  for (guint i = 0; i < 3; i++)
    gst_buffer_unref (out[i]);
  gst_buffer_unref (in);
  g_free (byfile);
  g_free (qpath);
}

GST_END_TEST;

/* A joint 4:2:0 model (layout yuv420) with zero weights predicts no noise:
 * each 4:2:0 format comes back as it went in; the element negotiates those
 * formats only, and a BGRx stream fails to negotiate instead of passing
 * through. */
static const gchar joint_zero_arch[] =
    "{\"in_channels\": 6, \"layout\": \"yuv420\", \"residual\": true, "
    "\"output\": \"n\", \"layers\": ["
    "{\"op\": \"sigma\", \"name\": \"s\", \"channel\": 4, \"out\": \"s\"},"
    "{\"op\": \"concat\", \"name\": \"k\", \"in\": [\"x\", \"s\"], "
    "\"out\": \"a\"},"
    "{\"op\": \"conv\", \"name\": \"c\", \"in\": [\"a\"], \"out\": \"n\", "
    "\"out_channels\": 6, \"kernel\": 3, \"pad\": \"replicate\"}]}";

GST_START_TEST (test_joint_model)
{
  static const gchar *const names[] = { "I420", "YV12", "NV12", "NV21" };
  GError *err = NULL;
  AennModel *zero = aenn_model_new (joint_zero_arch, &err);
  gchar *path, *launch;
  GstElement *pipe;
  GstMessage *msg;

  fail_unless (zero != NULL, "%s", err ? err->message : "");
  path = save_model (zero, "joint.safetensors");
  for (guint f = 0; f < G_N_ELEMENTS (names); f++) {
    GstVideoFormat fmt = gst_video_format_from_string (names[f]);
    GstHarness *h;
    GstVideoInfo info;
    GstBuffer *in, *out;

    launch = g_strdup_printf ("aedenoise model-file=\"%s\"", path);
    h = gst_harness_new_parse (launch);
    g_free (launch);
    set_caps_of (h, fmt, 385, 289);
    gst_video_info_set_format (&info, fmt, 385, 289);
    in = make_natural (&info, 0, 30);
    out = push_pull (h, in);
    fail_unless (buffers_equal (&info, in, out), "%s: a zero joint model "
        "changed the frame", names[f]);
    gst_buffer_unref (in);
    gst_buffer_unref (out);
    gst_harness_teardown (h);
  }
  /* upstream offers everything: a 4:2:0 format is chosen */
  launch = g_strdup_printf ("videotestsrc num-buffers=2 ! aedenoise "
      "model-file=\"%s\" ! fakesink", path);
  pipe = gst_parse_launch (launch, NULL);
  g_free (launch);
  fail_unless (gst_element_set_state (pipe, GST_STATE_PLAYING)
      != GST_STATE_CHANGE_FAILURE);
  msg = gst_bus_timed_pop_filtered (GST_ELEMENT_BUS (pipe), 30 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (msg != NULL && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS);
  gst_message_unref (msg);
  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (pipe);
  /* and a stream of another format is refused, not passed through */
  launch = g_strdup_printf ("videotestsrc num-buffers=2 ! "
      "video/x-raw,format=BGRx ! aedenoise model-file=\"%s\" ! fakesink", path);
  pipe = gst_parse_launch (launch, NULL);
  g_free (launch);
  gst_element_set_state (pipe, GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered (GST_ELEMENT_BUS (pipe), 30 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (msg != NULL && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR,
      "a BGRx stream through a joint 4:2:0 model did not fail");
  gst_message_unref (msg);
  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (pipe);
  aenn_model_free (zero);
  g_free (path);
}

GST_END_TEST;

/* ---- 2: an identity model and strength 0 give the input back ---- */

GST_START_TEST (test_identity_and_strength_zero)
{
  /* the default architecture with zero weights predicts no noise */
  GError *err = NULL;
  AennModel *zero = aenn_model_new (aenn_default_architecture (), &err);
  gchar *zero_path = save_model (zero, "zero.safetensors");

  for (guint f = 0; f < G_N_ELEMENTS (all_formats); f++) {
    GstVideoFormat fmt = gst_video_format_from_string (all_formats[f]);
    for (guint l = 0; l < 2; l++) {
      gchar *launch = l ? g_strdup ("aedenoise strength=0") :
          g_strdup_printf ("aedenoise model-file=\"%s\"", zero_path);
      GstHarness *h = gst_harness_new_parse (launch);
      GstVideoInfo info;
      GstBuffer *in, *out;

      g_free (launch);
      set_caps_of (h, fmt, 385, 289);
      gst_video_info_set_format (&info, fmt, 385, 289);
      for (gint t = 0; t < 2; t++) {
        in = make_natural (&info, t, 30);
        out = push_pull (h, in);
        fail_unless (buffers_equal (&info, in, out), "%s: %s changed the "
            "frame", all_formats[f], l ? "strength=0" : "a zero model");
        gst_buffer_unref (in);
        gst_buffer_unref (out);
      }
      gst_harness_teardown (h);
    }
  }
  aenn_model_free (zero);
  g_free (zero_path);
}

GST_END_TEST;

/* ---- 3: bad model files fail the state change with a clear error ---- */

static GBytes *
tiny_model_bytes (void)
{
  static const gchar arch[] = "{\"in_channels\": 1, \"output\": \"y\", "
      "\"layers\": [{\"op\": \"conv\", \"name\": \"c\", \"in\": [\"x\"], "
      "\"out\": \"y\", \"out_channels\": 1, \"kernel\": 1}]}";
  AennModel *m = aenn_model_new (arch, NULL);
  GBytes *b = aenn_model_serialize (m, NULL);

  aenn_model_free (m);
  return b;
}

/* the tiny model's bytes with its header's text from replaced by to, of
 * the same length */
static gchar *
mutated (const gchar * name, const gchar * from, const gchar * to)
{
  GBytes *b = tiny_model_bytes ();
  gsize n;
  gconstpointer data = g_bytes_get_data (b, &n);
  guint8 *d = g_memdup2 (data, n);
  /* past the length field, whose zero bytes would end the search */
  gchar *hit = g_strstr_len ((gchar *) d + 8, n - 8, from), *path;

  fail_unless (hit != NULL && strlen (from) == strlen (to), "%s", from);
  memcpy (hit, to, strlen (to));
  path = write_file (name, d, n);
  g_free (d);
  g_bytes_unref (b);
  return path;
}

/* Starting a pipeline with this model file fails, and the error on the bus
 * comes from aedenoise and contains every one of needles. */
static void
expect_start_failure (const gchar * path, const gchar * const *needles)
{
  GstElement *pipe = gst_parse_launch ("videotestsrc num-buffers=2 ! "
      "video/x-raw,format=I420,width=64,height=48 ! aedenoise name=d ! "
      "fakesink", NULL);
  GstElement *d = gst_bin_get_by_name (GST_BIN (pipe), "d");
  GstBus *bus = gst_element_get_bus (pipe);
  GstMessage *msg;
  GError *err = NULL;
  gchar *dbg = NULL;

  g_object_set (d, "model-file", path, NULL);
  fail_unless_equals_int (gst_element_set_state (pipe, GST_STATE_PAUSED),
      GST_STATE_CHANGE_FAILURE);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL, "%s: no error message", path);
  fail_unless (GST_MESSAGE_SRC (msg) == GST_OBJECT (d));
  gst_message_parse_error (msg, &err, &dbg);
  GST_INFO ("%s: %s", path, err->message);
  fail_unless (err->domain == GST_RESOURCE_ERROR);
  for (const gchar * const *n = needles; *n; n++)
    fail_unless (strstr (err->message, *n) != NULL, "\"%s\" does not "
        "mention \"%s\"", err->message, *n);
  g_error_free (err);
  g_free (dbg);
  gst_message_unref (msg);
  fail_unless_equals_int (gst_element_set_state (pipe, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  gst_object_unref (bus);
  gst_object_unref (d);
  gst_object_unref (pipe);
}

#define NEEDLES(...) ((const gchar *const[]) { __VA_ARGS__, NULL })

GST_START_TEST (test_bad_model_files)
{
  GBytes *good = tiny_model_bytes ();
  gsize n;
  const guint8 *g = g_bytes_get_data (good, &n);
  gchar *path;

  /* missing, empty, a directory */
  path = g_build_filename (tmp_dir, "missing.safetensors", NULL);
  expect_start_failure (path, NEEDLES (path, "cannot read"));
  g_free (path);
  path = write_file ("empty.safetensors", "", 0);
  expect_start_failure (path, NEEDLES (path, "too short"));
  g_free (path);
  expect_start_failure (tmp_dir, NEEDLES (tmp_dir));
  /* not a safetensors file: a PNG signature */
  path = write_file ("png.safetensors", "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
  expect_start_failure (path, NEEDLES (path, "header length"));
  g_free (path);
  /* a huge header length */
  {
    guint8 *d = g_memdup2 (g, n);
    memset (d, 0xff, 8);
    path = write_file ("huge.safetensors", d, n);
    expect_start_failure (path, NEEDLES (path, "header length"));
    g_free (path);
    g_free (d);
  }
  /* truncated, in the header and in the data */
  path = write_file ("cut1.safetensors", g, n / 2);
  expect_start_failure (path, NEEDLES (path));
  g_free (path);
  path = write_file ("cut2.safetensors", g, n - 2);
  expect_start_failure (path, NEEDLES (path));
  g_free (path);
  /* offsets past the end, a shape that does not match */
  path = mutated ("offsets.safetensors", "\"data_offsets\":[4,8]",
      "\"data_offsets\":[4,9]");
  expect_start_failure (path, NEEDLES (path, "c.bias"));
  g_free (path);
  path = mutated ("shape.safetensors", "[1,1,1,1]", "[1, 1, 1]");
  expect_start_failure (path, NEEDLES (path, "c.weight", "expects"));
  g_free (path);
  /* a NaN weight */
  {
    guint8 *d = g_memdup2 (g, n);
    float nan = NAN;
    memcpy (d + n - 4, &nan, 4);
    path = write_file ("nan.safetensors", d, n);
    expect_start_failure (path, NEEDLES (path, "NaN"));
    g_free (path);
    g_free (d);
  }
  /* a valid model of three channels, which the element cannot run */
  {
    AennModel *m = aenn_model_new ("{\"in_channels\": 3, \"output\": \"y\", "
        "\"layers\": [{\"op\": \"conv\", \"name\": \"c\", \"in\": [\"x\"], "
        "\"out\": \"y\", \"out_channels\": 3, \"kernel\": 1}]}", NULL);
    path = save_model (m, "rgb.safetensors");
    expect_start_failure (path, NEEDLES (path, "in_channels 1"));
    g_free (path);
    aenn_model_free (m);
  }
  g_bytes_unref (good);
}

GST_END_TEST;

/* ---- 4: properties while buffers flow ---- */

typedef struct
{
  const gchar *name, *value;
} PropStep;

GST_START_TEST (test_properties_while_flowing)
{
  static const PropStep steps[] = {
    {"noise-level", "10"}, {"strength", "0.5"}, {"n-threads", "1"},
    {"strength", "0"}, {"noise-level", "-1"}, {"n-threads", "3"},
    {"strength", "1"}, {"noise-level", "40"}, {"n-threads", "0"},
    {"noise-level", "0"}, {"strength", "0.25"}, {"noise-level", "-1"},
  };
  static const GstVideoFormat fmts[] = { GST_VIDEO_FORMAT_NV21,
    GST_VIDEO_FORMAT_RGBA
  };
  const gint w = 97, hh = 73;

  for (guint f = 0; f < G_N_ELEMENTS (fmts); f++) {
    gchar *launch = g_strdup_printf ("aedenoise model-file=\"%s\"",
        format_model_path);
    GstHarness *h = gst_harness_new_parse (launch);
    GstElement *d = gst_harness_find_element (h, "aedenoise");
    GstBus *bus = gst_bus_new ();
    GstVideoInfo info;
    GstBuffer *in = NULL, *prev = NULL;
    GstMessage *msg;

    g_free (launch);
    gst_element_set_bus (h->element, bus);
    set_caps_of (h, fmts[f], w, hh);
    gst_video_info_set_format (&info, fmts[f], w, hh);
    in = make_natural (&info, 0, 15);
    for (guint i = 0; i <= G_N_ELEMENTS (steps); i++) {
      gdouble strength, level;
      GstBuffer *out = push_pull (h, in);

      g_object_get (d, "strength", &strength, "noise-level", &level, NULL);
      /* strength 0 and noise level 0 give the input; anything else does
       * not */
      fail_unless (buffers_equal (&info, in, out) == (strength == 0.0
              || level == 0.0), "format %u step %u", f, i);
      /* a new thread count alone changes nothing */
      if (i > 0 && g_str_equal (steps[i - 1].name, "n-threads"))
        fail_unless (buffers_equal (&info, prev, out), "step %u", i);
      /* nor, with a fixed noise level, does the next frame */
      if (level >= 0) {
        GstBuffer *again = push_pull (h, in);
        fail_unless (buffers_equal (&info, again, out));
        gst_buffer_unref (again);
      }
      if (i < G_N_ELEMENTS (steps))
        gst_util_set_object_arg (G_OBJECT (d), steps[i].name, steps[i].value);
      if (prev)
        gst_buffer_unref (prev);
      prev = out;
    }
    gst_buffer_unref (prev);
    gst_buffer_unref (in);
    while ((msg = gst_bus_pop (bus))) {
      fail_if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR ||
          GST_MESSAGE_TYPE (msg) == GST_MESSAGE_WARNING,
          "%" GST_PTR_FORMAT, msg);
      gst_message_unref (msg);
    }
    gst_bus_set_flushing (bus, TRUE);
    gst_object_unref (d);
    gst_harness_teardown (h);
    gst_object_unref (bus);
  }
}

GST_END_TEST;

/* strength and noise-level follow a controller, in stream time */
GST_START_TEST (test_controller)
{
  gchar *launch = g_strdup_printf ("aedenoise model-file=\"%s\"",
      format_model_path);
  GstHarness *h = gst_harness_new_parse (launch);
  GstElement *d = gst_harness_find_element (h, "aedenoise");
  GstControlSource *cs = gst_interpolation_control_source_new ();
  GstTimedValueControlSource *tv = (GstTimedValueControlSource *) cs;
  GParamSpec *ps;
  GstVideoInfo info;

  for (guint i = 0; i < 2; i++) {
    ps = g_object_class_find_property (G_OBJECT_GET_CLASS (d),
        i ? "noise-level" : "strength");
    fail_unless (ps->flags & GST_PARAM_CONTROLLABLE);
  }
  g_object_set (cs, "mode", GST_INTERPOLATION_MODE_NONE, NULL);
  /* direct bindings map 0..1 onto the property's range, 0..1 here */
  gst_timed_value_control_source_set (tv, 0, 1.0);
  gst_timed_value_control_source_set (tv, 3 * GST_SECOND / 30, 0.0);
  fail_unless (gst_object_add_control_binding (GST_OBJECT (d),
          gst_direct_control_binding_new (GST_OBJECT (d), "strength", cs)));
  set_caps_of (h, GST_VIDEO_FORMAT_I420, 64, 48);
  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_I420, 64, 48);
  for (gint t = 0; t < 6; t++) {
    GstBuffer *in = make_natural (&info, t, 20), *out = push_pull (h, in);
    fail_unless_equals_int (buffers_equal (&info, in, out), t >= 3);
    gst_buffer_unref (in);
    gst_buffer_unref (out);
  }
  gst_object_unref (cs);
  gst_object_unref (d);
  gst_harness_teardown (h);
  g_free (launch);
}

GST_END_TEST;

/* ---- 4b: temporal mode ---- */

/* a still scene (t 0) with fresh noise per frame i */
static GstBuffer *
make_still (GstVideoInfo * info, gint i, gdouble sigma)
{
  GstBuffer *clean = make_natural (info, 0, 0), *buf;
  GRand *rand = g_rand_new_with_seed (99 + i);
  GstMapInfo m;

  buf = gst_buffer_copy_deep (clean);
  gst_buffer_unref (clean);
  fail_unless (gst_buffer_map (buf, &m, GST_MAP_WRITE));
  for (gsize k = 0; k < m.size; k++)
    m.data[k] = (guint8) CLAMP (round (m.data[k] + sigma * gauss (rand)), 0,
        255);
  gst_buffer_unmap (buf, &m);
  g_rand_free (rand);
  GST_BUFFER_PTS (buf) = i * GST_SECOND / 30;
  GST_BUFFER_DURATION (buf) = GST_SECOND / 30;
  return buf;
}

static GstHarness *
temporal_harness (gboolean temporal, GstVideoFormat fmt, gint w, gint hh)
{
  GstHarness *h = gst_harness_new ("aedenoise");

  g_object_set (h->element, "noise-level", 20.0, "temporal", temporal, NULL);
  set_caps_of (h, fmt, w, hh);
  return h;
}

/* The spatial-only output of one frame. */
static GstBuffer *
spatial_of (GstVideoFormat fmt, gint w, gint hh, GstBuffer * in)
{
  GstHarness *h = temporal_harness (FALSE, fmt, w, hh);
  GstBuffer *out = push_pull (h, in);

  gst_harness_teardown (h);
  return out;
}

/* Frame i at pts through h: its output must be the spatial result (the
 * temporal state started again). */
static void
expect_spatial (GstHarness * h, GstVideoInfo * info, gint i,
    GstClockTime pts, const gchar * what)
{
  GstBuffer *in = make_still (info, i, 20), *out, *sp;

  GST_BUFFER_PTS (in) = pts;
  out = push_pull (h, in);
  sp = spatial_of (GST_VIDEO_INFO_FORMAT (info), GST_VIDEO_INFO_WIDTH (info),
      GST_VIDEO_INFO_HEIGHT (info), in);
  fail_unless (buffers_equal (info, out, sp), "%s: %s",
      GST_VIDEO_INFO_NAME (info), what);
  gst_buffer_unref (in);
  gst_buffer_unref (out);
  gst_buffer_unref (sp);
}

GST_START_TEST (test_temporal)
{
  static const GstVideoFormat fmts[] = { GST_VIDEO_FORMAT_GRAY8,
    GST_VIDEO_FORMAT_I420, GST_VIDEO_FORMAT_RGBx
  };
  const gint w = 97, hh = 73;

  for (guint f = 0; f < G_N_ELEMENTS (fmts); f++) {
    GstHarness *h = temporal_harness (TRUE, fmts[f], w, hh);
    GstHarness *hs = temporal_harness (FALSE, fmts[f], w, hh);
    GstVideoInfo info;
    GstBuffer *in, *out, *sp, *again;
    gboolean temporal;

    gst_video_info_set_format (&info, fmts[f], w, hh);
    {
      GstElement *e = gst_element_factory_make ("aedenoise", NULL);
      g_object_get (e, "temporal", &temporal, NULL);
      gst_object_unref (e);
      fail_unless (temporal, "on by default");
    }

    /* the first frame: the spatial result; then frame by frame, each
     * output there before the next input goes in (the convergence itself:
     * tests/lib/denoise/frames/test_temporal.c) */
    for (gint i = 0; i < 12; i++) {
      in = make_still (&info, i, 20);
      fail_unless_equals_int (gst_harness_push (h, gst_buffer_ref (in)),
          GST_FLOW_OK);
      out = gst_harness_try_pull (h);
      fail_unless (out != NULL, "frame %d is out before the next goes in", i);
      sp = push_pull (hs, in);
      if (i == 0)
        fail_unless (buffers_equal (&info, out, sp));
      /* after the first, each output differs from the spatial one */
      if (i > 0)
        fail_if (buffers_equal (&info, out, sp), "frame %d", i);
      /* a repeated frame: the same output again */
      if (i == 6) {
        again = push_pull (h, in);
        fail_unless (buffers_equal (&info, out, again));
        gst_buffer_unref (again);
      }
      gst_buffer_unref (in);
      gst_buffer_unref (out);
      gst_buffer_unref (sp);
    }

    /* a flush starts again: the spatial result */
    fail_unless (gst_harness_push_event (h, gst_event_new_flush_start ()));
    fail_unless (gst_harness_push_event (h, gst_event_new_flush_stop (TRUE)));
    {
      GstSegment seg;
      gst_segment_init (&seg, GST_FORMAT_TIME);
      fail_unless (gst_harness_push_event (h, gst_event_new_segment (&seg)));
    }
    expect_spatial (h, &info, 20, 0, "after a flush");

    /* so does a new segment (a seek without flush) */
    in = make_still (&info, 21, 20);
    gst_buffer_unref (push_pull (h, in));
    gst_buffer_unref (in);
    {
      GstSegment seg;
      gst_segment_init (&seg, GST_FORMAT_TIME);
      seg.start = GST_SECOND;
      fail_unless (gst_harness_push_event (h, gst_event_new_segment (&seg)));
    }
    expect_spatial (h, &info, 22, 2 * GST_SECOND, "after a new segment");

    /* and new caps */
    set_caps_of (h, fmts[f], w + 1, hh);
    set_caps_of (h, fmts[f], w, hh);
    expect_spatial (h, &info, 23, 3 * GST_SECOND, "after new caps");

    /* temporal=false while playing: each frame alone */
    g_object_set (h->element, "temporal", FALSE, NULL);
    expect_spatial (h, &info, 24, 4 * GST_SECOND, "temporal off");

    gst_harness_teardown (h);
    gst_harness_teardown (hs);
  }
}

GST_END_TEST;

/* videorate doubling 15 fps to 30: each frame twice; the second of each
 * pair is not a new look, so it comes out as the first did (counted as a
 * new look, it would come out closer to the mean of the looks, and
 * different) */
GST_START_TEST (test_temporal_videorate)
{
  GstHarness *h = gst_harness_new_parse ("videorate ! "
      "video/x-raw,framerate=30/1 ! aedenoise noise-level=20");
  GstVideoInfo info;
  GstBuffer *prev = NULL;
  guint pairs = 0, outs = 0;

  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_I420, 64, 48);
  GST_VIDEO_INFO_FPS_N (&info) = 15;
  GST_VIDEO_INFO_FPS_D (&info) = 1;
  gst_harness_set_src_caps (h, gst_video_info_to_caps (&info));
  for (gint i = 0; i < 8; i++) {
    GstBuffer *in = make_still (&info, i, 20), *out;
    GST_BUFFER_PTS (in) = i * GST_SECOND / 15;
    GST_BUFFER_DURATION (in) = GST_SECOND / 15;
    fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
    while ((out = gst_harness_try_pull (h)) != NULL) {
      outs++;
      if (prev != NULL && buffers_equal (&info, prev, out))
        pairs++;
      if (prev)
        gst_buffer_unref (prev);
      prev = out;
    }
  }
  /* 8 frames in (videorate holds the last back), about twice as many out:
   * every duplicate's output is its frame's again, so no more distinct
   * outputs than frames in */
  fail_unless (outs >= 13, "%u frames out", outs);
  fail_unless (pairs >= 6 && outs - pairs <= 8, "%u outputs, %u the same "
      "as the one before", outs, pairs);
  if (prev)
    gst_buffer_unref (prev);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* ---- 5: the noise estimate ---- */

static gdouble
estimate_after (GstHarness * h, GstVideoInfo * info, gdouble noise,
    gint frames, gint t0)
{
  gdouble est;

  for (gint t = t0; t < t0 + frames; t++) {
    GstBuffer *in = make_natural (info, t, noise);
    gst_buffer_unref (push_pull (h, in));
    gst_buffer_unref (in);
  }
  g_object_get (h->element, "estimated-noise-level", &est, NULL);
  return est;
}

GST_START_TEST (test_noise_estimate)
{
  static const GstVideoFormat fmts[] = { GST_VIDEO_FORMAT_GRAY8,
    GST_VIDEO_FORMAT_I420, GST_VIDEO_FORMAT_BGRx
  };

  for (guint f = 0; f < G_N_ELEMENTS (fmts); f++) {
    GstHarness *h = gst_harness_new ("aedenoise");
    GstVideoInfo info;
    gdouble est;

    g_object_get (h->element, "estimated-noise-level", &est, NULL);
    fail_unless_equals_float (est, -1.0);
    set_caps_of (h, fmts[f], 320, 240);
    gst_video_info_set_format (&info, fmts[f], 320, 240);
    est = estimate_after (h, &info, 20.0, 4, 0);
    fail_unless (fabs (est - 20) < 2.0, "%s: estimated %g, expected 20",
        gst_video_format_to_string (fmts[f]), est);
    /* smoothed: one cleaner frame moves it a little */
    est = estimate_after (h, &info, 8.0, 1, 10);
    fail_unless (est > 15 && est < 19.5, "%s: %g after one frame of sigma 8",
        gst_video_format_to_string (fmts[f]), est);
    /* a flush starts over */
    fail_unless (gst_harness_push_event (h, gst_event_new_flush_start ()));
    fail_unless (gst_harness_push_event (h, gst_event_new_flush_stop (TRUE)));
    {
      GstSegment seg;
      gst_segment_init (&seg, GST_FORMAT_TIME);
      fail_unless (gst_harness_push_event (h, gst_event_new_segment (&seg)));
    }
    est = estimate_after (h, &info, 8.0, 1, 20);
    fail_unless (fabs (est - 8) < 1.0, "%s: %g after a flush",
        gst_video_format_to_string (fmts[f]), est);
    /* a fixed level is not an estimate */
    g_object_set (h->element, "noise-level", 30.0, NULL);
    fail_unless_equals_float (estimate_after (h, &info, 20.0, 1, 30), est);
    gst_harness_teardown (h);
  }
}

GST_END_TEST;

/* ---- 6: latency and QoS ---- */

GST_START_TEST (test_latency)
{
  GstHarness *h = gst_harness_new ("aedenoise");
  GstBus *bus = gst_bus_new ();
  GstVideoInfo info;
  GstClockTime upstream = 33 * GST_MSECOND, before, after;
  GstMessage *msg;
  gint64 t0;
  GstClockTime slowest = 0;

  gst_element_set_bus (h->element, bus);
  gst_harness_set_upstream_latency (h, upstream);
  set_caps_of (h, GST_VIDEO_FORMAT_I420, 640, 360);
  /* nothing added before a frame has run */
  before = gst_harness_query_latency (h);
  fail_unless_equals_uint64 (before, upstream);
  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_I420, 640, 360);
  for (gint t = 0; t < 4; t++) {
    GstBuffer *in = make_natural (&info, t, 10);
    t0 = g_get_monotonic_time ();
    gst_buffer_unref (push_pull (h, in));
    if (t > 0)
      slowest = MAX (slowest,
          (GstClockTime) (g_get_monotonic_time () - t0) * GST_USECOND);
    gst_buffer_unref (in);
  }
  /* then the processing time, no more than a frame's worth above it */
  after = gst_harness_query_latency (h);
  fail_unless (after > upstream, "%" GST_TIME_FORMAT, GST_TIME_ARGS (after));
  fail_unless (after <= upstream + 2 * slowest, "%" GST_TIME_FORMAT
      " for frames of at most %" GST_TIME_FORMAT, GST_TIME_ARGS (after),
      GST_TIME_ARGS (slowest));
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_LATENCY);
  fail_unless (msg != NULL);
  gst_message_unref (msg);
  gst_bus_set_flushing (bus, TRUE);
  gst_harness_teardown (h);
  gst_object_unref (bus);
}

GST_END_TEST;

GST_START_TEST (test_qos)
{
  GstHarness *h = gst_harness_new ("aedenoise");
  GstBus *bus = gst_bus_new ();
  GstVideoInfo info;
  GstBuffer *in;
  GstMessage *msg;
  gboolean qos;

  g_object_get (h->element, "qos", &qos, NULL);
  fail_unless (qos);
  gst_element_set_bus (h->element, bus);
  set_caps_of (h, GST_VIDEO_FORMAT_I420, 64, 48);
  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_I420, 64, 48);
  in = make_natural (&info, 0, 10);
  gst_buffer_unref (push_pull (h, in));
  gst_buffer_unref (in);
  /* downstream: the frame at 1 s was 0.5 s late */
  fail_unless (gst_harness_push_upstream_event (h,
          gst_event_new_qos (GST_QOS_TYPE_UNDERFLOW, 2.0, GST_SECOND / 2,
              GST_SECOND)));
  /* a frame before then is dropped, not processed */
  in = make_natural (&info, 40, 10);
  fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 0);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_QOS);
  fail_unless (msg != NULL);
  gst_message_unref (msg);
  /* a later one goes through */
  in = make_natural (&info, 120, 10);
  gst_buffer_unref (push_pull (h, in));
  gst_buffer_unref (in);
  gst_bus_set_flushing (bus, TRUE);
  gst_harness_teardown (h);
  gst_object_unref (bus);
}

GST_END_TEST;

/* ---- 7: state changes ---- */

GST_START_TEST (test_state_changes)
{
  check_state_changes ("videotestsrc num-buffers=5 ! "
      "video/x-raw,format=I420,width=64,height=48 ! aedenoise ! fakesink");
}

GST_END_TEST;

/* torn down mid-stream, live or not */
GST_START_TEST (test_teardown_mid_stream)
{
  for (gint i = 0; i < 6; i++) {
    gchar *launch = g_strdup_printf ("videotestsrc is-live=%s pattern=snow ! "
        "video/x-raw,format=%s,width=96,height=72,framerate=100/1 ! "
        "aedenoise n-threads=%d ! fakesink name=sink signal-handoffs=true "
        "sync=%s", i % 2 ? "true" : "false", i % 3 ? "I420" : "YUY2", i % 3,
        i % 2 ? "true" : "false");
    check_teardown_mid_stream (launch, 5 + i);
    g_free (launch);
  }
}

GST_END_TEST;

/* caps change in the middle: new sizes and formats reuse the element */
GST_START_TEST (test_renegotiation)
{
  GstHarness *h = gst_harness_new ("aedenoise");
  static const struct
  {
    GstVideoFormat fmt;
    gint w, h;
  } steps[] = {
    {GST_VIDEO_FORMAT_I420, 64, 48}, {GST_VIDEO_FORMAT_I420, 65, 47},
    {GST_VIDEO_FORMAT_RGB, 33, 21}, {GST_VIDEO_FORMAT_YUY2, 17, 9},
    {GST_VIDEO_FORMAT_GRAY8, 1, 1}, {GST_VIDEO_FORMAT_I420, 64, 48},
  };

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++) {
    GstVideoInfo info;
    GstBuffer *in;

    set_caps_of (h, steps[i].fmt, steps[i].w, steps[i].h);
    gst_video_info_set_format (&info, steps[i].fmt, steps[i].w, steps[i].h);
    in = make_natural (&info, i, 10);
    gst_buffer_unref (push_pull (h, in));
    gst_buffer_unref (in);
  }
  gst_harness_teardown (h);
}

GST_END_TEST;

/* ---- model-file by name, and estimated-noise-level's notify ---- */

static gboolean
starts (const gchar * model_file)
{
  GstElement *pipe = gst_parse_launch ("videotestsrc num-buffers=1 ! "
      "video/x-raw,format=GRAY8,width=32,height=24 ! aedenoise name=d ! "
      "fakesink", NULL);
  GstElement *d = gst_bin_get_by_name (GST_BIN (pipe), "d");
  gboolean ok;

  g_object_set (d, "model-file", model_file, NULL);
  ok = gst_element_set_state (pipe, GST_STATE_PAUSED) !=
      GST_STATE_CHANGE_FAILURE
      && gst_element_get_state (pipe, NULL, NULL, GST_CLOCK_TIME_NONE) ==
      GST_STATE_CHANGE_SUCCESS;
  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (d);
  gst_object_unref (pipe);
  return ok;
}

GST_START_TEST (test_model_by_name)
{
  GBytes *b = tiny_model_bytes ();
  gsize n;
  gconstpointer data = g_bytes_get_data (b, &n);
  gchar *path = write_file ("mine.safetensors", data, n);
  gchar *search = g_strdup_printf ("/nonexistent%s%s", G_SEARCHPATH_SEPARATOR_S,
      tmp_dir);
  gchar *want1 = g_build_filename ("/nonexistent", "absent.safetensors", NULL);
  gchar *want2 = g_build_filename (tmp_dir, "absent.safetensors", NULL);
  gchar *want3 = g_build_filename (AENN_MODELS_DIR, "absent.safetensors",
      NULL);
  gchar *shipped = g_build_filename (TEST_SRCDIR, "models", NULL);

  g_setenv ("GST_UNSUPERVISED_MODEL_PATH", search, TRUE);
  /* by name, with or without the extension, and by path */
  fail_unless (starts ("mine"));
  fail_unless (starts ("mine.safetensors"));
  fail_unless (starts (path));
  /* a name found nowhere: the error lists every place looked at */
  expect_start_failure ("absent", NEEDLES ("\"absent\"", want1, want2, want3));
  /* a path is never looked up by name */
  expect_start_failure ("./mine", NEEDLES ("./mine"));
  /* the shipped models, by their names */
  g_setenv ("GST_UNSUPERVISED_MODEL_PATH", shipped, TRUE);
  fail_unless (starts ("aedenoise-quality"));
  fail_unless (starts ("aedenoise-default"));
  g_unsetenv ("GST_UNSUPERVISED_MODEL_PATH");
  g_free (shipped);
  g_free (want1);
  g_free (want2);
  g_free (want3);
  g_free (search);
  g_free (path);
  g_bytes_unref (b);
}

GST_END_TEST;

static void
count_notify (GObject * obj, GParamSpec * pspec, gpointer data)
{
  gdouble v;

  g_object_get (obj, "estimated-noise-level", &v, NULL);
  fail_unless (v >= 0.0);
  g_atomic_int_inc ((gint *) data);
}

GST_START_TEST (test_noise_level_notify)
{
  GstHarness *h = gst_harness_new ("aedenoise");
  GstVideoInfo info;
  gint count = 0;
  gdouble est;

  g_signal_connect (h->element, "notify::estimated-noise-level",
      G_CALLBACK (count_notify), &count);
  set_caps_of (h, GST_VIDEO_FORMAT_GRAY8, 64, 48);
  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_GRAY8, 64, 48);
  /* the first estimate notifies at once */
  estimate_after (h, &info, 20.0, 1, 0);
  fail_unless_equals_int (g_atomic_int_get (&count), 1);
  /* the next frames, well within 500 ms, do not */
  estimate_after (h, &info, 10.0, 2, 1);
  fail_unless_equals_int (g_atomic_int_get (&count), 1);
  /* after the interval a changed estimate notifies */
  g_usleep (600 * G_TIME_SPAN_MILLISECOND);
  est = estimate_after (h, &info, 5.0, 1, 3);
  fail_unless_equals_int (g_atomic_int_get (&count), 2);
  /* a fixed noise-level stops the estimates, and their notifies */
  g_object_set (h->element, "noise-level", 12.0, NULL);
  g_usleep (600 * G_TIME_SPAN_MILLISECOND);
  fail_unless_equals_float (estimate_after (h, &info, 30.0, 2, 4), est);
  fail_unless_equals_int (g_atomic_int_get (&count), 2);
  /* new caps restart the average: notified at once */
  g_object_set (h->element, "noise-level", -1.0, NULL);
  set_caps_of (h, GST_VIDEO_FORMAT_GRAY8, 66, 48);
  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_GRAY8, 66, 48);
  estimate_after (h, &info, 20.0, 1, 6);
  fail_unless_equals_int (g_atomic_int_get (&count), 3);
  gst_harness_teardown (h);
}

GST_END_TEST;

static void
setup (void)
{
  GError *err = NULL;

  tmp_dir = g_dir_make_tmp ("aedenoise-test-XXXXXX", &err);
  fail_unless (tmp_dir != NULL);
  /* weights large enough to change every plane visibly */
  format_model = random_model (0.5f);
  format_model_path = save_model (format_model, "random.safetensors");
}

static void
teardown (void)
{
  GDir *dir = g_dir_open (tmp_dir, 0, NULL);
  const gchar *name;

  while ((name = g_dir_read_name (dir))) {
    gchar *p = g_build_filename (tmp_dir, name, NULL);
    g_unlink (p);
    g_free (p);
  }
  g_dir_close (dir);
  g_rmdir (tmp_dir);
  g_clear_pointer (&tmp_dir, g_free);
  g_clear_pointer (&format_model_path, g_free);
  g_clear_pointer (&format_model, aenn_model_free);
}

static Suite *
aedenoise_suite (void)
{
  Suite *s = suite_create ("aedenoise");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_template_formats);
  tcase_add_test (tc, test_caps_preference);
  tcase_add_loop_test (tc, test_all_formats, 0,
      G_N_ELEMENTS (all_formats) * G_N_ELEMENTS (sizes));
  tcase_add_test (tc, test_kernel_paths);
  tcase_add_test (tc, test_identity_and_strength_zero);
  tcase_add_test (tc, test_joint_model);
  tcase_add_test (tc, test_model_property);
  tcase_add_test (tc, test_bad_model_files);
  tcase_add_test (tc, test_properties_while_flowing);
  tcase_add_test (tc, test_temporal);
  tcase_add_test (tc, test_temporal_videorate);
  tcase_add_test (tc, test_controller);
  tcase_add_test (tc, test_noise_estimate);
  tcase_add_test (tc, test_latency);
  tcase_add_test (tc, test_qos);
  tcase_add_test (tc, test_state_changes);
  tcase_add_test (tc, test_teardown_mid_stream);
  tcase_add_test (tc, test_renegotiation);
  tcase_add_test (tc, test_model_by_name);
  tcase_add_test (tc, test_noise_level_notify);
  return s;
}

GST_CHECK_MAIN (aedenoise);
