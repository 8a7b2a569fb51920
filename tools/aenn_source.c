/* Decoding through GStreamer: <source> ! videoconvert ! GRAY8 or RGB !
 * appsink, samples pulled with a timeout so that an error on the bus ends
 * the read instead of a wait for an EOS that never comes. */
#include "config.h"
#include "aenn_source.h"
#include "denoise/frames/noise_estimate.h"

#include <math.h>
#include <string.h>
#include <sys/wait.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

#define SINK_DESC "videoconvert ! video/x-raw,format=%s ! " \
    "appsink name=aenn_sink sync=false max-buffers=4"

void
aenn_source_options_init (AennSourceOptions * opt)
{
  opt->max_frames = 0;
  opt->frame_step = 1;
  opt->cut_levels = 4.0;
  opt->sigmas = NULL;
}

/* What one read keeps between frames. */
typedef struct
{
  AennFrameSet *set;
  const AennSourceOptions *opt;
  guint channels;
  guint sequence;
  gboolean split;               /* a video: cut into scenes */
  guint seen, added, scenes;
  guint8 *prev;                 /* (channels, h, w) the last added frame */
  guint pw, ph;
  guint8 *planar;               /* (channels, h, w) the frame being added */
  gsize planar_n;
  float *fplane, *scratch;
  gsize fplane_n, scratch_n;
} Reader;

static void
reader_clear (Reader * r)
{
  g_free (r->prev);
  g_free (r->planar);
  g_free (r->fplane);
  g_free (r->scratch);
}

/* sigma of the frame by aenn_noise, mean over channels; -1 if none */
static double
frame_sigma (Reader * r, guint8 ** planes, guint w, guint h)
{
  gsize n = (gsize) w * h, sn = aenn_noise_scratch_size (w, h);
  double sum = 0.0;
  guint got = 0;

  if (r->fplane_n < n) {
    r->fplane = g_renew (float, r->fplane, n);
    r->fplane_n = n;
  }
  if (r->scratch_n < sn) {
    r->scratch = g_renew (float, r->scratch, sn);
    r->scratch_n = sn;
  }
  for (guint c = 0; c < r->channels; c++) {
    float s;
    for (gsize i = 0; i < n; i++)
      r->fplane[i] = planes[c][i] * (1.0f / 255.0f);
    s = aenn_noise_estimate (r->fplane, w, w, h, r->scratch);
    if (s >= 0.0f) {
      sum += s;
      got++;
    }
  }
  return got ? sum / got : -1.0;
}

/* planes: (channels) planes of w x h bytes, packed rows */
static gboolean
reader_add (Reader * r, guint8 ** planes, guint w, guint h, GError ** error)
{
  gsize n = (gsize) w * h;
  /* wanted by the scene cuts and by the caller's noise level only */
  double sigma = r->split || r->opt->sigmas ? frame_sigma (r, planes, w, h)
      : -1.0;

  if (r->split && r->prev != NULL) {
    /* a new scene when the frame moved more than its noise explains */
    double mad = 0.0;
    gboolean cut = w != r->pw || h != r->ph;
    if (!cut) {
      guint64 sum = 0, cnt = 0;
      for (guint c = 0; c < r->channels; c++)
        for (gsize i = 0; i < n; i += 3, cnt++)
          sum += ABS ((gint) planes[c][i] - (gint) r->prev[c * n + i]);
      mad = (double) sum / MAX (cnt, 1);
      cut = mad > 1.13 * MAX (sigma, 0.0) + r->opt->cut_levels;
    }
    if (cut) {
      r->sequence++;
      r->scenes++;
    }
  }
  if (!aenn_frame_set_add (r->set, (const guint8 * const *) planes, w, w, h,
          r->sequence, error))
    return FALSE;
  if (r->opt->sigmas != NULL)
    g_array_append_val (r->opt->sigmas, sigma);
  if (r->split) {
    if (r->prev == NULL || w != r->pw || h != r->ph)
      r->prev = g_renew (guint8, r->prev, r->channels * n);
    for (guint c = 0; c < r->channels; c++)
      memcpy (r->prev + c * n, planes[c], n);
    r->pw = w;
    r->ph = h;
  }
  r->added++;
  return TRUE;
}

/* One decoded sample into the set, as planar bytes. */
static gboolean
reader_take (Reader * r, GstSample * sample, GError ** error)
{
  GstVideoInfo info;
  GstVideoFrame frame;
  guint8 *planes[3];
  guint w, h;
  gsize n;

  if (!gst_video_info_from_caps (&info, gst_sample_get_caps (sample))
      || !gst_video_frame_map (&frame, &info, gst_sample_get_buffer (sample),
          GST_MAP_READ)) {
    g_set_error (error, AENN_ERROR, AENN_ERROR_IO, "cannot map a decoded "
        "frame");
    return FALSE;
  }
  w = GST_VIDEO_FRAME_WIDTH (&frame);
  h = GST_VIDEO_FRAME_HEIGHT (&frame);
  n = (gsize) w * h;
  if (r->planar_n < r->channels * n) {
    r->planar = g_renew (guint8, r->planar, r->channels * n);
    r->planar_n = r->channels * n;
  }
  for (guint c = 0; c < r->channels; c++)
    planes[c] = r->planar + c * n;
  {
    const guint8 *src = GST_VIDEO_FRAME_PLANE_DATA (&frame, 0);
    gint stride = GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0);
    for (guint y = 0; y < h; y++) {
      const guint8 *row = src + (gsize) y * stride;
      for (guint c = 0; c < r->channels; c++)
        for (guint x = 0; x < w; x++)
          planes[c][(gsize) y * w + x] = row[x * r->channels + c];
    }
  }
  gst_video_frame_unmap (&frame);
  return reader_add (r, planes, w, h, error);
}

/* Runs pipeline (its appsink named aenn_sink) to its end, or to `limit`
 * frames (0: no limit), feeding the reader every opt->frame_step-th one. */
static gboolean
reader_run (Reader * r, GstElement * pipeline, const gchar * what,
    guint limit, GError ** error)
{
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), "aenn_sink");
  GstBus *bus = gst_element_get_bus (pipeline);
  gboolean ok = TRUE;
  guint taken = 0;

  if (gst_element_set_state (pipeline, GST_STATE_PLAYING)
      == GST_STATE_CHANGE_FAILURE) {
    GstMessage *m = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
    GError *e = NULL;
    if (m)
      gst_message_parse_error (m, &e, NULL);
    g_set_error (error, AENN_ERROR, AENN_ERROR_IO, "%s: cannot start: %s",
        what, e ? e->message : "state change failed");
    g_clear_error (&e);
    g_clear_pointer (&m, gst_message_unref);
    ok = FALSE;
  }
  while (ok && (limit == 0 || taken < limit)) {
    GstSample *s = gst_app_sink_try_pull_sample (GST_APP_SINK (sink),
        50 * GST_MSECOND);
    GstMessage *m;
    if (s != NULL) {
      if (r->seen++ % r->opt->frame_step == 0) {
        ok = reader_take (r, s, error);
        taken++;
      }
      gst_sample_unref (s);
      continue;
    }
    if (gst_app_sink_is_eos (GST_APP_SINK (sink)))
      break;
    m = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
    if (m != NULL) {
      GError *e = NULL;
      gchar *dbg = NULL;
      gst_message_parse_error (m, &e, &dbg);
      g_set_error (error, AENN_ERROR, AENN_ERROR_IO, "%s: %s", what,
          e->message);
      g_clear_error (&e);
      g_free (dbg);
      gst_message_unref (m);
      ok = FALSE;
    }
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (sink);
  return ok;
}

static GstElement *
make_pipeline (const gchar * head, guint channels, GError ** error)
{
  gchar *desc = g_strdup_printf ("%s ! " SINK_DESC, head,
      channels == 1 ? "GRAY8" : "RGB");
  GstElement *p = gst_parse_launch_full (desc, NULL,
      GST_PARSE_FLAG_FATAL_ERRORS, error);
  g_free (desc);
  return p;
}

static gboolean
check_channels (const AennFrameSet * set, GError ** error)
{
  guint c = aenn_frame_set_get_channels (set);
  if (c != 1 && c != 3) {
    g_set_error (error, AENN_ERROR, AENN_ERROR_IO, "frames of %u channels: "
        "only grey (1) or RGB (3) can be decoded", c);
    return FALSE;
  }
  return TRUE;
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const gchar * const *) a, *(const gchar * const *) b);
}

gboolean
aenn_source_add_images (AennFrameSet * set, const gchar * dir,
    const AennSourceOptions * opt, guint * n_added, GError ** error)
{
  Reader r = { 0 };
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  GDir *d;
  const gchar *name;
  gboolean ok = TRUE;

  r.set = set;
  r.opt = opt;
  r.channels = aenn_frame_set_get_channels (set);
  *n_added = 0;
  if (!check_channels (set, error))
    return FALSE;
  d = g_dir_open (dir, 0, error);
  if (d == NULL) {
    g_ptr_array_unref (names);
    return FALSE;
  }
  while ((name = g_dir_read_name (d)) != NULL) {
    gchar *path = g_build_filename (dir, name, NULL);
    if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
      g_ptr_array_add (names, path);
    else
      g_free (path);
  }
  g_dir_close (d);
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; ok && i < names->len; i++) {
    const gchar *path = g_ptr_array_index (names, i);
    GstElement *p;
    GstElement *src;
    guint before = r.added;

    if (opt->max_frames && r.added >= opt->max_frames)
      break;
    p = make_pipeline ("filesrc name=aenn_src ! decodebin", r.channels, error);
    if (p == NULL) {
      ok = FALSE;
      break;
    }
    src = gst_bin_get_by_name (GST_BIN (p), "aenn_src");
    g_object_set (src, "location", path, NULL);
    gst_object_unref (src);
    r.seen = 0;                 /* every image counts, frame_step is for video */
    ok = reader_run (&r, p, path, 1, error);
    gst_object_unref (p);
    if (ok && r.added == before) {
      g_set_error (error, AENN_ERROR, AENN_ERROR_IO, "%s: no image decoded",
          path);
      ok = FALSE;
    }
    r.sequence++;
  }
  if (ok && r.added == 0) {
    g_set_error (error, AENN_ERROR, AENN_ERROR_IO, "%s: no image files", dir);
    ok = FALSE;
  }
  *n_added = r.added;
  g_ptr_array_unref (names);
  reader_clear (&r);
  return ok;
}

gboolean
aenn_source_add_video (AennFrameSet * set, const gchar * src,
    const AennSourceOptions * opt, guint * sequence, guint * n_added,
    guint * n_scenes, GError ** error)
{
  Reader r = { 0 };
  GstElement *p;
  gboolean ok;

  r.set = set;
  r.opt = opt;
  r.channels = aenn_frame_set_get_channels (set);
  r.sequence = *sequence;
  r.split = TRUE;
  *n_added = *n_scenes = 0;
  if (!check_channels (set, error))
    return FALSE;
  if (strchr (src, '!') != NULL) {
    p = make_pipeline (src, r.channels, error);
  } else {
    gboolean uri = gst_uri_is_valid (src);
    p = make_pipeline (uri ? "uridecodebin name=aenn_src"
        : "filesrc name=aenn_src ! decodebin", r.channels, error);
    if (p != NULL) {
      GstElement *e = gst_bin_get_by_name (GST_BIN (p), "aenn_src");
      g_object_set (e, uri ? "uri" : "location", src, NULL);
      gst_object_unref (e);
    }
  }
  if (p == NULL) {
    g_prefix_error (error, "%s: ", src);
    return FALSE;
  }
  ok = reader_run (&r, p, src, opt->max_frames, error);
  gst_object_unref (p);
  if (ok && r.added == 0) {
    g_set_error (error, AENN_ERROR, AENN_ERROR_IO, "%s: no frames decoded",
        src);
    ok = FALSE;
  }
  *n_added = r.added;
  *n_scenes = r.added ? r.scenes + 1 : 0;
  *sequence = r.sequence + 1;
  reader_clear (&r);
  return ok;
}

static gint
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

double
aenn_source_median_sigma (GArray * sigmas)
{
  GArray *v = g_array_new (FALSE, FALSE, sizeof (double));
  double med = -1.0;

  for (guint i = 0; i < sigmas->len; i++)
    if (g_array_index (sigmas, double, i) >= 0.0)
      g_array_append_val (v, g_array_index (sigmas, double, i));
  if (v->len > 0) {
    g_array_sort (v, compare_doubles);
    med = v->len % 2 ? g_array_index (v, double, v->len / 2)
        : 0.5 * (g_array_index (v, double, v->len / 2 - 1)
        + g_array_index (v, double, v->len / 2));
  }
  g_array_free (v, TRUE);
  return med;
}

static gboolean
has_png (const gchar * dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const gchar *name;
  gboolean found = FALSE;

  if (d == NULL)
    return FALSE;
  while (!found && (name = g_dir_read_name (d)) != NULL)
    found = g_str_has_suffix (name, ".png");
  g_dir_close (d);
  return found;
}

static gchar *
find_builder (const gchar * builder)
{
  const gchar *env = g_getenv ("AENN_PHOTOS");

  if (builder != NULL)
    return g_strdup (builder);
  if (env != NULL && *env)
    return g_strdup (env);
  if (g_file_test (AENN_PHOTOS_SRC, G_FILE_TEST_IS_EXECUTABLE))
    return g_strdup (AENN_PHOTOS_SRC);
  return g_strdup (AENN_PHOTOS_BIN);
}

gboolean
aenn_source_add_photos (AennFrameSet * set, const gchar * dir,
    const gchar * builder, const AennSourceOptions * opt, guint * n_added,
    GError ** error)
{
  AennSourceOptions all = *opt;

  *n_added = 0;
  if (!has_png (dir)) {
    gchar *tool = find_builder (builder);
    gchar *argv[] = { tool, (gchar *) "--out", (gchar *) dir, NULL };
    gint status = 0;
    gboolean ok;

    g_print ("%s: no photographs yet: running %s --out %s\n", dir, tool, dir);
    ok = g_spawn_sync (NULL, argv, NULL, G_SPAWN_CHILD_INHERITS_STDIN, NULL,
        NULL, NULL, NULL, &status, error);
    if (ok && !(WIFEXITED (status) && WEXITSTATUS (status) == 0)) {
      gboolean skipped = WIFEXITED (status) && WEXITSTATUS (status) == 77;
      g_set_error (error, AENN_ERROR, AENN_ERROR_IO,
          "%s: %s failed (%s): %s", dir, tool,
          skipped ? "packages missing" : "see its message above",
          skipped ? "scripts/deps.sh train installs the wallpaper packages"
          : "the photograph set was not built");
      ok = FALSE;
    }
    g_free (tool);
    if (!ok)
      return FALSE;
    if (!has_png (dir)) {
      g_set_error (error, AENN_ERROR, AENN_ERROR_IO,
          "%s: the builder wrote no PNG", dir);
      return FALSE;
    }
  }
  all.max_frames = 0;
  return aenn_source_add_images (set, dir, &all, n_added, error);
}
