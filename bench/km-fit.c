/* km-fit: run the k-means frame segmenter of lib/ (no GStreamer) over raw
 * frames read one after another from a file or stdin, for the quality
 * benchmarks (bench/km-quality.py, bench/km-compare.py).
 *
 *   km-fit --size WxH [--format RGB] [-k 8] [--space rgb]
 *          [--sample-fraction 0.02] [--max-iterations 10] [--seed 0]
 *          [--threads 2] [--path auto] [--no-warm-start] [--no-counts]
 *          [--hysteresis 2]
 *          [--frames N] [--labels FILE] [--align 1] [INPUT|-]
 *
 * Input: frames back to back, each plane's rows packed with a stride of
 * the row's bytes rounded up to --align (1: tight; 4: what GStreamer's
 * videoconvert writes for RGB/I420), chroma planes of ceil (W / 2) for
 * subsampled formats, planes one after another.  Defaults are the
 * kmeansseg element's (num-clusters 8, max-iterations 10, sample-fraction
 * 0.02, warm start on, seed 0).
 *
 * Output: per frame, the label map (H rows of W bytes, the cluster id of
 * each pixel) appended to --labels, and one line of JSON on stdout:
 *   {"frame":i,"k":k,"centroids_rgb":[[r,g,b],...],"counts":[...],
 *    "inertia":mean squared distance of the fitted samples in the
 *    clustering space,"iterations":n,"stop":"...","reinitialized":b,
 *    "scene_cut":b,"n_samples":n,"ms":wall time of km_segmenter_process}
 * The mode is "labels" (GRAY8 output: the label map itself), so the time is
 * that of the fit plus the labelling pass, plus the counting pass unless
 * --no-counts (then "counts" are zeros). */
#include <glib.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kmeans/segment.h"

typedef struct
{
  guint n_planes;
  guint row_bytes[3];           /* payload bytes per row */
  guint stride[3];              /* row_bytes rounded up to the alignment */
  guint rows[3];
  gsize size;                   /* one frame, all planes */
  gsize offset[3];
} Layout;

static gboolean
layout_of (const KmFormat * fmt, guint w, guint h, guint align, Layout * l)
{
  memset (l, 0, sizeof (*l));
  for (guint p = 0; p < 3; p++)
    video_format_plane_size (fmt->vf, w, h, p, &l->row_bytes[p], &l->rows[p]);
  for (guint p = 0; p < 3; p++) {
    if (l->row_bytes[p] == 0)
      continue;
    l->n_planes = p + 1;
    l->stride[p] = (l->row_bytes[p] + align - 1) / align * align;
    l->offset[p] = l->size;
    l->size += (gsize) l->stride[p] * l->rows[p];
  }
  return TRUE;
}

/* Reads exactly n bytes; FALSE at a clean end of input (no byte read). */
static gboolean
read_full (FILE * f, guint8 * buf, gsize n, gboolean * partial)
{
  gsize got = 0;
  *partial = FALSE;
  while (got < n) {
    gsize r = fread (buf + got, 1, n - got, f);
    if (r == 0)
      break;
    got += r;
  }
  if (got != 0 && got != n)
    *partial = TRUE;
  return got == n;
}

int
main (int argc, char **argv)
{
  gchar *format = g_strdup ("RGB"), *size = NULL, *space = g_strdup ("rgb");
  gchar *path_name = g_strdup ("auto"), *labels_file = NULL;
  gint k = 8, threads = 2, max_iter = 10, frames = -1, align = 1;
  gint64 seed = 0;
  gdouble fraction = 0.02, hysteresis = 2.0;
  gboolean no_warm = FALSE, no_counts = FALSE;
  GOptionEntry entries[] = {
    {"format", 0, 0, G_OPTION_ARG_STRING, &format,
        "Pixel format (GStreamer name; default RGB)", "NAME"},
    {"size", 0, 0, G_OPTION_ARG_STRING, &size, "Frame size (required)",
        "WxH"},
    {"clusters", 'k', 0, G_OPTION_ARG_INT, &k, "Clusters (default 8)", "K"},
    {"space", 0, 0, G_OPTION_ARG_STRING, &space,
        "Colour space: rgb, yuv or lab (default rgb)", "SPACE"},
    {"sample-fraction", 0, 0, G_OPTION_ARG_DOUBLE, &fraction,
        "Share of pixels fitted (default 0.02)", "F"},
    {"hysteresis", 0, 0, G_OPTION_ARG_DOUBLE, &hysteresis,
        "Label hysteresis in colour levels (default 2)", "H"},
    {"max-iterations", 0, 0, G_OPTION_ARG_INT, &max_iter,
        "Lloyd iterations per frame (default 10)", "N"},
    {"seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Seed (default 0)", "S"},
    {"threads", 0, 0, G_OPTION_ARG_INT, &threads, "Threads (default 2)", "N"},
    {"path", 0, 0, G_OPTION_ARG_STRING, &path_name,
        "Kernel path: auto, c, orc, avx2, avx512", "PATH"},
    {"no-warm-start", 0, 0, G_OPTION_ARG_NONE, &no_warm,
        "k-means++ on every frame", NULL},
    {"no-counts", 0, 0, G_OPTION_ARG_NONE, &no_counts,
        "Skip the per-cluster pixel counts (their pass costs time)", NULL},
    {"frames", 0, 0, G_OPTION_ARG_INT, &frames,
        "Stop after N frames (default: all)", "N"},
    {"labels", 0, 0, G_OPTION_ARG_FILENAME, &labels_file,
        "Append each frame's label map (H x W bytes) here", "FILE"},
    {"align", 0, 0, G_OPTION_ARG_INT, &align,
        "Row stride alignment of the input in bytes (default 1)", "N"},
    {NULL}
  };
  GOptionContext *ctx =
      g_option_context_new ("[INPUT|-] - k-means segmenter over raw frames");
  GError *err = NULL;
  KmFormat fmt, gray;
  KmParams params;
  KmSegmenter *seg;
  KernelPath path;
  guint w, h;
  Layout lay;
  FILE *in, *lab_out = NULL;
  guint8 *buf, *outbuf;
  VideoImage im, out;
  gint n = 0;
  int ret = 0;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &err)) {
    g_printerr ("%s\n", err->message);
    return 2;
  }
  if (size == NULL || sscanf (size, "%ux%u", &w, &h) != 2 || w == 0
      || h == 0) {
    g_printerr ("--size WxH is required\n");
    return 2;
  }
  if (!km_format_from_name (format, &fmt)) {
    g_printerr ("unknown --format %s\n", format);
    return 2;
  }
  if (!kernel_path_from_name (path_name, &path)) {
    g_printerr ("unknown --path %s\n", path_name);
    return 2;
  }
  if (align < 1 || align > 4096 || k < 2 || k > KM_MAX_K || max_iter < 1
      || threads < 1 || seed < 0) {
    g_printerr ("bad --align, -k, --max-iterations, --threads or --seed\n");
    return 2;
  }
  if (!layout_of (&fmt, w, h, (guint) align, &lay)) {
    g_printerr ("unsupported layout\n");
    return 2;
  }

  km_params_init (&params);
  params.k = (guint) k;
  params.max_iterations = (guint) max_iter;
  params.seed = (guint64) seed;
  params.sample_fraction = fraction;
  params.hysteresis = hysteresis;
  params.warm_start = !no_warm;
  params.mode = KM_MODE_LABELS;
  if (!strcmp (space, "rgb"))
    params.space = KM_SPACE_RGB;
  else if (!strcmp (space, "yuv"))
    params.space = KM_SPACE_YUV;
  else if (!strcmp (space, "lab"))
    params.space = KM_SPACE_LAB;
  else {
    g_printerr ("unknown --space %s\n", space);
    return 2;
  }

  seg = km_segmenter_new (path, (guint) threads);
  if (seg == NULL) {
    g_printerr ("kernel path %s not supported here\n", path_name);
    return 77;
  }
  if (!km_segmenter_set_format (seg, &fmt, w, h, &err)
      || !km_segmenter_set_params (seg, &params, &err)) {
    g_printerr ("%s\n", err->message);
    return 2;
  }

  if (argc < 2 || !strcmp (argv[1], "-"))
    in = stdin;
  else if ((in = fopen (argv[1], "rb")) == NULL) {
    g_printerr ("%s: %s\n", argv[1], g_strerror (errno));
    return 2;
  }
  if (labels_file && (lab_out = fopen (labels_file, "wb")) == NULL) {
    g_printerr ("%s: %s\n", labels_file, g_strerror (errno));
    return 2;
  }

  buf = g_malloc (lay.size);
  memset (&im, 0, sizeof (im));
  for (guint p = 0; p < lay.n_planes; p++) {
    im.data[p] = buf + lay.offset[p];
    im.stride[p] = (gint) lay.stride[p];
  }
  km_format_from_name ("GRAY8", &gray);
  outbuf = g_malloc ((gsize) w * h);
  memset (&out, 0, sizeof (out));
  out.data[0] = outbuf;
  out.stride[0] = (gint) w;
  g_printerr ("km-fit: %s %ux%u k=%d space=%s fraction=%g path=%s "
      "threads=%d\n", format, w, h, k, space, fraction,
      kernel_path_name (km_segmenter_get_path (seg)), threads);

  while (frames < 0 || n < frames) {
    KmFrameStats st;
    gboolean partial;
    gint64 t0;
    double ms;
    GString *line;

    if (!read_full (in, buf, lay.size, &partial)) {
      if (partial) {
        g_printerr ("frame %d: truncated input (frame is %" G_GSIZE_FORMAT
            " bytes)\n", n, lay.size);
        ret = 1;
      }
      break;
    }
    t0 = g_get_monotonic_time ();
    km_segmenter_process (seg, &im, &out, !no_counts, &st);
    ms = (g_get_monotonic_time () - t0) / 1000.0;

    if (lab_out && fwrite (km_segmenter_get_labels (seg), 1, (gsize) w * h,
            lab_out) != (gsize) w * h) {
      g_printerr ("%s: write failed\n", labels_file);
      ret = 1;
      break;
    }
    line = g_string_new (NULL);
    g_string_append_printf (line, "{\"frame\":%d,\"k\":%u,\"centroids_rgb\":[",
        n, st.k ? st.k : (guint) k);
    for (gint j = 0; j < k; j++)
      g_string_append_printf (line, "%s[%.6g,%.6g,%.6g]", j ? "," : "",
          st.centroids_rgb[j][0], st.centroids_rgb[j][1],
          st.centroids_rgb[j][2]);
    g_string_append (line, "],\"counts\":[");
    for (gint j = 0; j < k; j++)
      g_string_append_printf (line, "%s%" G_GUINT64_FORMAT, j ? "," : "",
          st.counts[j]);
    g_string_append_printf (line, "],\"inertia\":%.9g,\"iterations\":%u,"
        "\"stop\":\"%s\",\"reinitialized\":%s,\"scene_cut\":%s,"
        "\"n_samples\":%u,\"ms\":%.3f}\n", st.inertia, st.iterations,
        km_stop_name (st.stop), st.reinitialized ? "true" : "false",
        st.scene_cut ? "true" : "false", st.n_samples, ms);
    fputs (line->str, stdout);
    g_string_free (line, TRUE);
    n++;
  }
  fflush (stdout);
  if (lab_out)
    fclose (lab_out);
  if (in != stdin)
    fclose (in);
  g_free (buf);
  g_free (outbuf);
  km_segmenter_free (seg);
  g_option_context_free (ctx);
  return ret;
}
