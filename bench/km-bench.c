/* km-bench: frames per second of the k-means segmenter on synthetic
 * frames (or a raw frame file), median of several runs.
 *
 *   km-bench [--format BGRx] [--size 1920x1080] [-k 8] [--mode posterize]
 *            [--space rgb] [--threads 2] [--path auto] [--frames 100]
 *            [--runs 5] [--raw FILE] [--hysteresis 2]
 * Prints one line: format size k mode space threads path fps. */
#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kmeans/segment.h"

typedef struct
{
  guint8 *buf[3];
  guint rows[3];
  VideoImage im;
} Frame;

/* Plane sizes of a format at w x h; strides rounded up to 32 bytes. */
static void
frame_alloc (Frame * f, const KmFormat * fmt, guint w, guint h)
{
  memset (f, 0, sizeof (*f));
  for (guint p = 0; p < video_format_n_planes (fmt->vf); p++) {
    guint bytes, rows;
    video_format_plane_size (fmt->vf, w, h, p, &bytes, &rows);
    f->im.stride[p] = (gint) ((bytes + 31) & ~31u);
    f->rows[p] = rows;
    f->buf[p] = g_malloc0 ((gsize) f->im.stride[p] * rows);
    f->im.data[p] = f->buf[p];
  }
}

/* A smooth, textured synthetic scene: gradients, blobs and noise. */
static void
frame_fill (Frame * f, guint32 seed)
{
  GRand *r = g_rand_new_with_seed (seed);

  for (guint p = 0; p < 3; p++) {
    gsize size = (gsize) f->im.stride[p] * f->rows[p];
    for (gsize i = 0; i < size; i++) {
      gsize x = i % f->im.stride[p], y = i / f->im.stride[p];
      double v = 128 + 90 * sin (x * 0.013 + p) * cos (y * 0.021 + 2 * p)
          + 30 * sin ((x + y) * 0.002 * (p + 1));
      f->buf[p][i] = (guint8) CLAMP (v + g_rand_int_range (r, -6, 7), 0, 255);
    }
  }
  g_rand_free (r);
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

int
main (int argc, char **argv)
{
  gchar *format = g_strdup ("BGRx"), *size = g_strdup ("1920x1080");
  gchar *mode = g_strdup ("posterize"), *space = g_strdup ("rgb");
  gchar *path_name = g_strdup ("auto"), *raw = NULL;
  gint k = 8, threads = 2, frames = 100, runs = 5;
  gdouble hysteresis = 2.0;
  GOptionEntry entries[] = {
    {"format", 0, 0, G_OPTION_ARG_STRING, &format, "Format", "NAME"},
    {"size", 0, 0, G_OPTION_ARG_STRING, &size, "WxH", "SIZE"},
    {"clusters", 'k', 0, G_OPTION_ARG_INT, &k, "k", "K"},
    {"mode", 0, 0, G_OPTION_ARG_STRING, &mode, "Mode", "MODE"},
    {"space", 0, 0, G_OPTION_ARG_STRING, &space, "Colour space", "SPACE"},
    {"threads", 0, 0, G_OPTION_ARG_INT, &threads, "Threads", "N"},
    {"path", 0, 0, G_OPTION_ARG_STRING, &path_name, "Kernel path", "PATH"},
    {"frames", 0, 0, G_OPTION_ARG_INT, &frames, "Frames per run", "N"},
    {"runs", 0, 0, G_OPTION_ARG_INT, &runs, "Runs", "N"},
    {"raw", 0, 0, G_OPTION_ARG_FILENAME, &raw, "Raw frame (plane 0)", "F"},
    {"hysteresis", 0, 0, G_OPTION_ARG_DOUBLE, &hysteresis,
        "Label hysteresis (default 2)", "H"},
    {NULL}
  };
  GOptionContext *ctx = g_option_context_new ("- k-means segmenter speed");
  GError *err = NULL;
  KmFormat fmt;
  KmParams params;
  KmSegmenter *seg;
  KernelPath path;
  guint w, h;
  Frame in, out;
  double *fps;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &err)) {
    g_printerr ("%s\n", err->message);
    return 2;
  }
  if (sscanf (size, "%ux%u", &w, &h) != 2 || !km_format_from_name (format,
          &fmt) || !kernel_path_from_name (path_name, &path)) {
    g_printerr ("bad --size, --format or --path\n");
    return 2;
  }
  km_params_init (&params);
  params.k = k;
  params.hysteresis = hysteresis;
  params.mode = !strcmp (mode, "labels") ? KM_MODE_LABELS :
      !strcmp (mode, "false-color") ? KM_MODE_FALSE_COLOR :
      !strcmp (mode, "boundaries") ? KM_MODE_BOUNDARIES : KM_MODE_POSTERIZE;
  params.space = !strcmp (space, "yuv") ? KM_SPACE_YUV :
      !strcmp (space, "lab") ? KM_SPACE_LAB : KM_SPACE_RGB;
  seg = km_segmenter_new (path, threads);
  if (seg == NULL) {
    g_printerr ("kernel path %s not supported here\n", path_name);
    return 77;
  }
  if (!km_segmenter_set_format (seg, &fmt, w, h, &err)
      || !km_segmenter_set_params (seg, &params, &err)) {
    g_printerr ("%s\n", err->message);
    return 2;
  }
  frame_alloc (&in, &fmt, w, h);
  frame_alloc (&out, &fmt, w, h);
  frame_fill (&in, 1);
  if (raw) {
    gchar *data;
    gsize len;
    if (!g_file_get_contents (raw, &data, &len, &err)) {
      g_printerr ("%s\n", err->message);
      return 2;
    }
    memcpy (in.buf[0], data, MIN (len, (gsize) in.im.stride[0] * h));
    g_free (data);
  }
  if (params.mode == KM_MODE_LABELS) {
    KmFormat gray;
    km_format_from_name ("GRAY8", &gray);
    g_free (out.buf[0]);
    frame_alloc (&out, &gray, w, h);
  }

  fps = g_new (double, runs);
  {
    KmFrameStats st;
    guint iters = 0;
    for (gint i = 0; i < 20; i++) {
      km_segmenter_process (seg, &in.im, &out.im, FALSE, &st);
      iters += st.iterations;
    }
    g_printerr ("warm-up: %.1f iterations per frame, %u samples\n",
        iters / 20.0, st.n_samples);
  }
  for (gint r = 0; r < runs; r++) {
    KmFrameStats st;
    gint64 t0 = g_get_monotonic_time ();
    for (gint i = 0; i < frames; i++)
      km_segmenter_process (seg, &in.im, &out.im, FALSE, &st);
    fps[r] = frames * 1e6 / (double) (g_get_monotonic_time () - t0);
  }
  qsort (fps, runs, sizeof (double), cmp_double);
  g_print ("%s %ux%u k=%d %s %s threads=%d path=%s fps=%.1f\n", format, w, h,
      k, mode, space, threads, kernel_path_name (km_segmenter_get_path (seg)),
      fps[runs / 2]);
  km_segmenter_free (seg);
  return 0;
}
