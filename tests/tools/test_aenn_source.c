/* The trainer's frame reader (tools/aenn_source): folders of images, videos
 * from files and pipeline descriptions, scene cuts, frame counts, colour,
 * and the errors for what cannot be read. The images are written here with
 * GStreamer's own encoders. */
#include "config.h"
#include "aenn_source.h"

#include <glib/gstdio.h>
#include <gst/gst.h>

/* Runs a pipeline description to EOS; asserts it succeeds. */
static void
run (const gchar * desc)
{
  GError *err = NULL;
  GstElement *p = gst_parse_launch (desc, &err);
  GstBus *bus;
  GstMessage *m;

  g_assert_no_error (err);
  gst_element_set_state (p, GST_STATE_PLAYING);
  bus = gst_element_get_bus (p);
  m = gst_bus_timed_pop_filtered (bus, 30 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_nonnull (m);
  g_assert_cmpint (GST_MESSAGE_TYPE (m), ==, GST_MESSAGE_EOS);
  gst_message_unref (m);
  gst_object_unref (bus);
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (p);
}

/* A PNG of one colour (0xAARRGGBB), w x h. */
static void
write_png (const gchar * dir, const gchar * name, guint32 argb, guint w,
    guint h)
{
  gchar *path = g_build_filename (dir, name, NULL);
  gchar *desc = g_strdup_printf ("videotestsrc pattern=solid-color "
      "foreground-color=%u num-buffers=1 ! video/x-raw,format=RGB,width=%u,"
      "height=%u ! pngenc ! filesink location=\"%s\"", argb, w, h, path);
  run (desc);
  g_free (desc);
  g_free (path);
}

static gchar *
make_dir (void)
{
  GError *err = NULL;
  gchar *d = g_dir_make_tmp ("aenn-source-XXXXXX", &err);
  g_assert_no_error (err);
  return d;
}

static void
remove_dir (gchar * dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const gchar *n;
  while (d && (n = g_dir_read_name (d)) != NULL) {
    gchar *p = g_build_filename (dir, n, NULL);
    g_unlink (p);
    g_free (p);
  }
  if (d)
    g_dir_close (d);
  g_rmdir (dir);
  g_free (dir);
}

static void
test_images_grey_and_rgb (void)
{
  gchar *dir = make_dir ();
  AennSourceOptions opt;
  AennFrameSet *set;
  GError *err = NULL;
  guint n, w, h, seq;
  const guint8 *f;

  /* written out of order: the reader sorts by name */
  write_png (dir, "b.png", 0xff000000u | (200u << 16) | (30u << 8) | 90u,
      41, 23);
  write_png (dir, "a.png", 0xff808080u, 37, 29);
  aenn_source_options_init (&opt);

  set = aenn_frame_set_new (3);
  g_assert_true (aenn_source_add_images (set, dir, &opt, &n, &err));
  g_assert_no_error (err);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpuint (aenn_frame_set_get_n_frames (set), ==, 2);
  f = aenn_frame_set_get_frame (set, 0, &w, &h, &seq);
  g_assert_cmpuint (w, ==, 37);
  g_assert_cmpuint (h, ==, 29);
  g_assert_cmpuint (f[0], ==, 128);
  f = aenn_frame_set_get_frame (set, 1, &w, &h, &seq);
  g_assert_cmpuint (w, ==, 41);
  g_assert_cmpuint (h, ==, 23);
  g_assert_cmpuint (seq, ==, 1);
  /* planar: R, G, B planes of w x h, every pixel the same */
  for (guint i = 0; i < w * h; i++) {
    g_assert_cmpuint (f[i], ==, 200);
    g_assert_cmpuint (f[w * h + i], ==, 30);
    g_assert_cmpuint (f[2 * w * h + i], ==, 90);
  }
  g_assert_null (aenn_frame_set_get_frame (set, 2, &w, &h, &seq));
  aenn_frame_set_free (set);

  /* grey: one plane, the luma of the colour */
  set = aenn_frame_set_new (1);
  opt.max_frames = 1;
  g_assert_true (aenn_source_add_images (set, dir, &opt, &n, &err));
  g_assert_cmpuint (n, ==, 1);
  f = aenn_frame_set_get_frame (set, 0, &w, &h, &seq);
  g_assert_cmpuint (ABS ((gint) f[w * h / 2] - 128), <=, 2);
  aenn_frame_set_free (set);
  remove_dir (dir);
}

static void
test_images_errors (void)
{
  gchar *dir = make_dir ();
  gchar *junk = g_build_filename (dir, "junk.txt", NULL);
  AennSourceOptions opt;
  AennFrameSet *set = aenn_frame_set_new (1);
  GError *err = NULL;
  guint n;

  aenn_source_options_init (&opt);
  g_assert_false (aenn_source_add_images (set, dir, &opt, &n, &err));
  g_assert_nonnull (strstr (err->message, "no image files"));
  g_clear_error (&err);

  g_assert_true (g_file_set_contents (junk, "not an image\n", -1, NULL));
  g_assert_false (aenn_source_add_images (set, dir, &opt, &n, &err));
  g_assert_nonnull (strstr (err->message, "junk.txt"));
  g_clear_error (&err);

  g_assert_false (aenn_source_add_images (set, "/nonexistent/aenn", &opt, &n,
          &err));
  g_assert_nonnull (err);
  g_clear_error (&err);

  {
    guint seq = 0, sc;
    g_assert_false (aenn_source_add_video (set, "/nonexistent/a.mp4", &opt,
            &seq, &n, &sc, &err));
    g_assert_nonnull (strstr (err->message, "/nonexistent/a.mp4"));
    g_clear_error (&err);
    g_assert_false (aenn_source_add_video (set, "videotestsrc ! ! fakesink",
            &opt, &seq, &n, &sc, &err));
    g_assert_nonnull (err);
    g_clear_error (&err);
  }
  g_assert_cmpuint (aenn_frame_set_get_n_frames (set), ==, 0);
  aenn_frame_set_free (set);
  g_free (junk);
  remove_dir (dir);
}

/* Five dark frames, then five bright ones: two scenes. */
#define TWO_SCENES "videotestsrc pattern=solid-color foreground-color=" \
  "0xff303030 num-buffers=5 ! video/x-raw,format=GRAY8,width=64,height=48 ! c. " \
  "videotestsrc pattern=solid-color foreground-color=0xffc0c0c0 " \
  "num-buffers=5 ! video/x-raw,format=GRAY8,width=64,height=48 ! c. concat name=c"

static void
test_video_scenes_and_counts (void)
{
  AennSourceOptions opt;
  AennFrameSet *set = aenn_frame_set_new (1);
  GError *err = NULL;
  guint seq = 7, n, scenes, w, h, s;

  aenn_source_options_init (&opt);
  opt.sigmas = g_array_new (FALSE, FALSE, sizeof (double));
  g_assert_true (aenn_source_add_video (set, TWO_SCENES, &opt, &seq, &n,
          &scenes, &err));
  g_assert_no_error (err);
  g_assert_cmpuint (n, ==, 10);
  g_assert_cmpuint (scenes, ==, 2);
  g_assert_cmpuint (seq, ==, 9);
  for (guint i = 0; i < 10; i++) {
    const guint8 *f = aenn_frame_set_get_frame (set, i, &w, &h, &s);
    /* videotestsrc paints grey in limited range: 16 + v * 219 / 255 */
    guint expect = 16 + (i < 5 ? 0x30 : 0xc0) * 219 / 255;
    g_assert_cmpuint (w, ==, 64);
    g_assert_cmpuint (h, ==, 48);
    g_assert_cmpuint (s, ==, i < 5 ? 7 : 8);
    g_assert_cmpuint (ABS ((gint) f[100] - (gint) expect), <=, 1);
  }
  g_assert_cmpuint (opt.sigmas->len, ==, 10);

  /* every other frame, then at most three */
  opt.frame_step = 2;
  g_assert_true (aenn_source_add_video (set, TWO_SCENES, &opt, &seq, &n,
          &scenes, &err));
  g_assert_cmpuint (n, ==, 5);
  opt.frame_step = 1;
  opt.max_frames = 3;
  g_assert_true (aenn_source_add_video (set, TWO_SCENES, &opt, &seq, &n,
          &scenes, &err));
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpuint (scenes, ==, 1);
  g_assert_cmpuint (aenn_frame_set_get_n_frames (set), ==, 18);
  g_array_free (opt.sigmas, TRUE);
  aenn_frame_set_free (set);
}

/* A noisy static scene from a file: one scene, and its noise level. */
static void
test_video_file_noise (void)
{
  gchar *dir = make_dir ();
  gchar *path = g_build_filename (dir, "v.mkv", NULL);
  gchar *desc = g_strdup_printf ("videotestsrc pattern=snow num-buffers=6 ! "
      "video/x-raw,format=GRAY8,width=96,height=64 ! matroskamux ! "
      "filesink location=\"%s\"", path);
  AennSourceOptions opt;
  AennFrameSet *set = aenn_frame_set_new (1);
  GError *err = NULL;
  guint seq = 0, n, scenes;
  double med;

  run (desc);
  aenn_source_options_init (&opt);
  opt.sigmas = g_array_new (FALSE, FALSE, sizeof (double));
  g_assert_true (aenn_source_add_video (set, path, &opt, &seq, &n, &scenes,
          &err));
  g_assert_no_error (err);
  g_assert_cmpuint (n, ==, 6);
  /* uniform 0..255 noise on a flat field: consecutive frames differ by
   * about 85 levels, which the noise explains */
  g_assert_cmpuint (scenes, ==, 1);
  med = aenn_source_median_sigma (opt.sigmas);
  /* uniform noise of 0..255 has deviation 73.6; its clipped extremes make
   * the estimator read it a little low */
  g_assert_cmpfloat (med, >, 55.0);
  g_assert_cmpfloat (med, <, 80.0);
  g_array_free (opt.sigmas, TRUE);
  aenn_frame_set_free (set);
  g_unlink (path);
  g_free (path);
  g_free (desc);
  remove_dir (dir);
}

static void
test_median (void)
{
  GArray *a = g_array_new (FALSE, FALSE, sizeof (double));
  const double v[] = { -1.0, 3.0, 1.0, 2.0 }, w = 8.0;

  g_assert_cmpfloat (aenn_source_median_sigma (a), ==, -1.0);
  g_array_append_vals (a, v, 4);
  g_assert_cmpfloat (aenn_source_median_sigma (a), ==, 2.0);
  g_array_append_val (a, w);
  g_assert_cmpfloat (aenn_source_median_sigma (a), ==, 2.5);
  g_array_free (a, TRUE);
}

/* --photos: a folder with PNGs is read whole (max_frames does not apply)
 * without running the builder; an empty or missing one runs the builder
 * with --out DIR, then reads what it wrote; a builder that exits 77 (the
 * packages missing) or fails is an error that says so. */
static void
write_script (const gchar * path, const gchar * body)
{
  GError *err = NULL;
  g_assert_true (g_file_set_contents (path, body, -1, &err));
  g_assert_no_error (err);
  g_assert_cmpint (g_chmod (path, 0755), ==, 0);
}

static void
test_photos (void)
{
  gchar *top = make_dir ();
  gchar *dir = g_build_filename (top, "set", NULL);
  gchar *missing = g_build_filename (top, "not-built", NULL);
  gchar *tool = g_build_filename (top, "builder.sh", NULL);
  gchar *body;
  AennSourceOptions opt;
  AennFrameSet *set;
  GError *err = NULL;
  guint n;

  aenn_source_options_init (&opt);
  opt.max_frames = 1;
  g_assert_cmpint (g_mkdir (dir, 0755), ==, 0);
  write_png (dir, "p--a--x2.png", 0xff808080u, 33, 21);
  write_png (dir, "p--a--x3.png", 0xff808080u, 22, 14);
  set = aenn_frame_set_new (3);
  g_assert_true (aenn_source_add_photos (set, dir, "/bin/false", &opt, &n,
          &err));
  g_assert_no_error (err);
  g_assert_cmpuint (n, ==, 2);
  aenn_frame_set_free (set);

  /* not built yet: the builder writes a PNG into --out's folder */
  body = g_strdup_printf ("#!/bin/sh\n[ \"$1\" = --out ] || exit 3\n"
      "mkdir -p \"$2\" && cp \"%s/p--a--x2.png\" \"$2/\"\n", dir);
  write_script (tool, body);
  g_free (body);
  set = aenn_frame_set_new (1);
  g_assert_true (aenn_source_add_photos (set, missing, tool, &opt, &n,
          &err));
  g_assert_no_error (err);
  g_assert_cmpuint (n, ==, 1);
  aenn_frame_set_free (set);
  remove_dir (g_strdup (missing));

  /* packages missing (77), or a builder that fails or writes nothing */
  write_script (tool, "#!/bin/sh\nexit 77\n");
  set = aenn_frame_set_new (1);
  g_assert_false (aenn_source_add_photos (set, missing, tool, &opt, &n,
          &err));
  g_assert_nonnull (strstr (err->message, "scripts/deps.sh train"));
  g_clear_error (&err);
  g_assert_false (aenn_source_add_photos (set, missing, "/bin/false", &opt,
          &n, &err));
  g_assert_nonnull (strstr (err->message, "not built"));
  g_clear_error (&err);
  write_script (tool, "#!/bin/sh\nexit 0\n");
  g_assert_false (aenn_source_add_photos (set, missing, tool, &opt, &n,
          &err));
  g_assert_nonnull (strstr (err->message, "no PNG"));
  g_clear_error (&err);
  aenn_frame_set_free (set);

  g_unlink (tool);
  g_free (tool);
  g_free (missing);
  remove_dir (dir);
  g_rmdir (top);
  g_free (top);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/source/images", test_images_grey_and_rgb);
  g_test_add_func ("/source/images-errors", test_images_errors);
  g_test_add_func ("/source/video-scenes", test_video_scenes_and_counts);
  g_test_add_func ("/source/video-file-noise", test_video_file_noise);
  g_test_add_func ("/source/median", test_median);
  g_test_add_func ("/source/photos", test_photos);
  return g_test_run ();
}
