/* aenn-element-bench: frames per second through the aedenoise element,
 * per size, format, kernel path and thread count.
 *
 *   aenn-element-bench [--sizes 1280x720,1920x1080] [--formats I420]
 *       [--paths orc,avx2,avx512,vnni] [--threads 1,2] [--frames 30]
 *       [--runs 5]
 *       [--model FILE] [--noise-level -1] [--temporal on,off] [--breakdown]
 *
 * Pre-made frames (gradients and discs under Gaussian noise of sigma 25)
 * are pushed from a pad of the bench's own straight into the element,
 * whose output goes to a pad that drops it: the time is the element's
 * alone (the base class, the frame mapping, the noise estimate, the
 * network, the conversions). Each case runs --runs times --frames frames
 * after a warm-up; printed are the median and the best run, and the CPU
 * time the process used per frame (on a shared machine the wall time says
 * how busy the neighbours were; the CPU time what the work cost).
 *
 * The kernel path is forced with GST_UNSUPERVISED_KERNELS, as a user
 * would. --breakdown also times the steps of a frame (load, estimate, run,
 * store) with the library alone. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include "denoise/engine/engine.h"
#include "denoise/frames/denoiser.h"
#include "bench_util.h"

#define N_DISTINCT 4            /* frames cycled through */
#define WARM_UP 5

static double
gauss (GRand * r)
{
  double u = g_rand_double (r), v = g_rand_double (r);
  return sqrt (-2.0 * log (1.0 - u)) * cos (2.0 * G_PI * v);
}

static GstBuffer *
make_frame (GstVideoInfo * info, guint t)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, info->size, NULL);
  GRand *r = g_rand_new_with_seed (t + 1);
  GstVideoFrame f;

  gst_buffer_memset (buf, 0, 0, info->size);
  if (!gst_video_frame_map (&f, info, buf, GST_MAP_WRITE))
    g_error ("cannot map a frame");
  for (guint c = 0; c < GST_VIDEO_FRAME_N_COMPONENTS (&f); c++) {
    gint cw = GST_VIDEO_FRAME_COMP_WIDTH (&f, c);
    gint ch = GST_VIDEO_FRAME_COMP_HEIGHT (&f, c);
    guint8 *d = GST_VIDEO_FRAME_COMP_DATA (&f, c);
    gint stride = GST_VIDEO_FRAME_COMP_STRIDE (&f, c);
    gint ps = GST_VIDEO_FRAME_COMP_PSTRIDE (&f, c);
    for (gint y = 0; y < ch; y++)
      for (gint x = 0; x < cw; x++) {
        double u = (double) x / cw, v = (double) y / ch;
        double val = 50 + 100 * u + 60 * v * (c + 1) / 3;
        if ((u - 0.4) * (u - 0.4) + (v - 0.5) * (v - 0.5) < 0.05)
          val = 200 - 40 * c + 20 * sin (40 * u + t);
        val += 25.0 * gauss (r);
        d[y * stride + x * ps] = (guint8) CLAMP (round (val), 0, 255);
      }
  }
  gst_video_frame_unmap (&f);
  g_rand_free (r);
  return buf;
}

static GstFlowReturn
drop_chain (GstPad * pad, GstObject * parent, GstBuffer * buf)
{
  gst_buffer_unref (buf);
  return GST_FLOW_OK;
}

typedef struct
{
  double fps_median, fps_best, cpu_ms;
  gchar *kernels;
} Result;

/* Median and best of runs of frames through a fresh element. */
static gboolean
run_case (GstVideoInfo * info, const gchar * path, guint threads,
    const gchar * model, double noise_level, gboolean temporal, guint frames,
    guint runs, Result * res)
{
  GstElement *e;
  GstPad *src, *sink, *esink, *esrc;
  GstBuffer *bufs[N_DISTINCT];
  GstSegment seg;
  double *fps = g_new (double, runs), *cpu = g_new (double, runs);
  guint n = 0;
  gboolean ok = TRUE;

  g_setenv ("GST_UNSUPERVISED_KERNELS", path, TRUE);
  e = gst_element_factory_make ("aedenoise", NULL);
  if (e == NULL)
    g_error ("no aedenoise element: is the plugin built?");
  g_object_set (e, "n-threads", threads, "noise-level", noise_level,
      "temporal", temporal, NULL);
  if (model)
    g_object_set (e, "model-file", model, NULL);

  src = gst_pad_new ("src", GST_PAD_SRC);
  sink = gst_pad_new ("sink", GST_PAD_SINK);
  gst_pad_set_chain_function (sink, drop_chain);
  esink = gst_element_get_static_pad (e, "sink");
  esrc = gst_element_get_static_pad (e, "src");
  gst_pad_link (src, esink);
  gst_pad_link (esrc, sink);
  gst_pad_set_active (src, TRUE);
  gst_pad_set_active (sink, TRUE);
  if (gst_element_set_state (e, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    ok = FALSE;
    goto done;
  }
  gst_pad_push_event (src, gst_event_new_stream_start ("bench"));
  gst_pad_push_event (src, gst_event_new_caps (gst_video_info_to_caps (info)));
  gst_segment_init (&seg, GST_FORMAT_TIME);
  gst_pad_push_event (src, gst_event_new_segment (&seg));
  for (guint i = 0; i < N_DISTINCT; i++)
    bufs[i] = make_frame (info, i);

  for (guint r = 0; r <= runs; r++) {
    guint count = r == 0 ? WARM_UP : frames;
    gint64 t0 = g_get_monotonic_time ();
    double c0 = cpu_seconds ();
    for (guint i = 0; i < count; i++, n++) {
      GstBuffer *b = gst_buffer_ref (bufs[n % N_DISTINCT]);
      GST_BUFFER_PTS (b) = n * GST_SECOND / 30;
      if (gst_pad_push (src, b) != GST_FLOW_OK) {
        ok = FALSE;
        break;
      }
    }
    if (!ok)
      break;
    if (r > 0) {
      fps[r - 1] = count / ((g_get_monotonic_time () - t0) * 1e-6);
      cpu[r - 1] = (cpu_seconds () - c0) / count * 1e3;
    }
  }
  if (ok) {
    qsort (fps, runs, sizeof (double), cmp_double);
    qsort (cpu, runs, sizeof (double), cmp_double);
    res->fps_median = fps[runs / 2];
    res->fps_best = fps[runs - 1];
    res->cpu_ms = cpu[runs / 2];
    g_object_get (e, "kernels", &res->kernels, NULL);
  }
  for (guint i = 0; i < N_DISTINCT; i++)
    gst_buffer_unref (bufs[i]);

done:
  gst_element_set_state (e, GST_STATE_NULL);
  gst_pad_set_active (src, FALSE);
  gst_pad_set_active (sink, FALSE);
  gst_object_unref (esink);
  gst_object_unref (esrc);
  gst_object_unref (src);
  gst_object_unref (sink);
  gst_object_unref (e);
  g_free (fps);
  g_free (cpu);
  return ok;
}

/* Milliseconds of each step of a frame, library alone: the median of runs
 * frames after a warm-up. */
static void
breakdown (GstVideoInfo * info, const gchar * path, guint threads,
    const AennModel * model, guint runs)
{
  GstBuffer *in = make_frame (info, 0);
  GstBuffer *out = gst_buffer_new_allocate (NULL, info->size, NULL);
  GstVideoFrame fi, fo;
  VideoImage ii, io;
  const VideoFormat *fmt;
  KernelPath p;
  AennDenoiser *den;
  double t[4][64];
  float sigma[3];
  GError *err = NULL;

  runs = MIN (runs, 64);
  if (!kernel_path_from_name (path, &p))
    g_error ("unknown path %s", path);
  den = aenn_denoiser_new (model, p, threads, &err);
  if (den == NULL)
    g_error ("%s", err->message);
  fmt = video_format_find (gst_video_format_to_string
      (GST_VIDEO_INFO_FORMAT (info)));
  if (fmt == NULL
      || !aenn_denoiser_set_format (den, fmt, GST_VIDEO_INFO_WIDTH (info),
          GST_VIDEO_INFO_HEIGHT (info), &err))
    g_error ("format: %s", err ? err->message : "unknown");
  gst_video_frame_map (&fi, info, in, GST_MAP_READ);
  gst_video_frame_map (&fo, info, out, GST_MAP_WRITE);
  for (guint pl = 0; pl < 3; pl++) {
    gboolean has = pl < GST_VIDEO_FRAME_N_PLANES (&fi);
    ii.data[pl] = has ? GST_VIDEO_FRAME_PLANE_DATA (&fi, pl) : NULL;
    ii.stride[pl] = has ? GST_VIDEO_FRAME_PLANE_STRIDE (&fi, pl) : 0;
    io.data[pl] = has ? GST_VIDEO_FRAME_PLANE_DATA (&fo, pl) : NULL;
    io.stride[pl] = has ? GST_VIDEO_FRAME_PLANE_STRIDE (&fo, pl) : 0;
  }
  for (guint r = 0; r < runs + 2; r++) {
    gint64 a = g_get_monotonic_time (), b, c, d, e;
    aenn_denoiser_load (den, &ii);
    b = g_get_monotonic_time ();
    aenn_denoiser_estimate (den, sigma);
    c = g_get_monotonic_time ();
    aenn_denoiser_run (den, sigma);
    d = g_get_monotonic_time ();
    aenn_denoiser_store (den, &ii, &io, 1.0f);
    e = g_get_monotonic_time ();
    if (r >= 2) {
      t[0][r - 2] = (b - a) * 1e-3;
      t[1][r - 2] = (c - b) * 1e-3;
      t[2][r - 2] = (d - c) * 1e-3;
      t[3][r - 2] = (e - d) * 1e-3;
    }
  }
  for (guint s = 0; s < 4; s++)
    qsort (t[s], runs, sizeof (double), cmp_double);
  printf ("  steps (library, ms, median of %u): load %.2f, estimate %.2f, "
      "run %.2f, store %.2f; sigma estimated %.1f %.1f %.1f\n", runs,
      t[0][runs / 2], t[1][runs / 2], t[2][runs / 2], t[3][runs / 2],
      sigma[0], sigma[1], sigma[2]);
  gst_video_frame_unmap (&fi);
  gst_video_frame_unmap (&fo);
  gst_buffer_unref (in);
  gst_buffer_unref (out);
  aenn_denoiser_free (den);
}

int
main (int argc, char **argv)
{
  gint frames = 30, runs = 5;
  gdouble noise_level = -1.0;
  gboolean want_breakdown = FALSE;
  gchar *sizes_opt = NULL, *formats_opt = NULL, *paths_opt = NULL;
  gchar *threads_opt = NULL, *model = NULL, *temporal_opt = NULL;
  GOptionEntry entries[] = {
    {"sizes", 's', 0, G_OPTION_ARG_STRING, &sizes_opt,
        "frame sizes (default: 1280x720,1920x1080)", "LIST"},
    {"formats", 'f', 0, G_OPTION_ARG_STRING, &formats_opt,
        "formats (default: I420)", "LIST"},
    {"paths", 'p', 0, G_OPTION_ARG_STRING, &paths_opt,
        "kernel paths (default: orc and every faster one supported)", "LIST"},
    {"threads", 't', 0, G_OPTION_ARG_STRING, &threads_opt,
        "thread counts (default: 1,2)", "LIST"},
    {"frames", 'n', 0, G_OPTION_ARG_INT, &frames, "frames per run", "N"},
    {"runs", 'r', 0, G_OPTION_ARG_INT, &runs, "timed runs per case", "N"},
    {"model", 'm', 0, G_OPTION_ARG_FILENAME, &model,
        "model file (default: the built-in one)", "FILE"},
    {"noise-level", 'l', 0, G_OPTION_ARG_DOUBLE, &noise_level,
        "the element's noise-level (default -1: estimated)", "SIGMA"},
    {"temporal", 'T', 0, G_OPTION_ARG_STRING, &temporal_opt,
          "temporal mode, on and/or off (default: on, the element's default)",
        "LIST"},
    {"breakdown", 'b', 0, G_OPTION_ARG_NONE, &want_breakdown,
        "also time each step of a frame with the library alone", NULL},
    {NULL}
  };
  GOptionContext *ctx = g_option_context_new ("- frames per second through "
      "aedenoise");
  GError *err = NULL;
  gchar **sizes, **formats, **paths, **threads, **temporals;
  AennModel *m;

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, &argc, &argv, &err)) {
    fprintf (stderr, "%s\n", err->message);
    return 1;
  }
  g_option_context_free (ctx);
  gst_init (NULL, NULL);
  /* the plugin of this build, whatever GST_PLUGIN_PATH says */
  gst_registry_scan_path (gst_registry_get (), PLUGIN_BUILD_DIR);
  frames = MAX (frames, 1);
  runs = MAX (runs, 1);
  if (paths_opt == NULL) {
    GString *s = g_string_new ("orc");
    for (gint p = KERNEL_PATH_ORC + 1; p < KERNEL_PATH_LAST; p++)
      if (kernel_path_supported ((KernelPath) p))
        g_string_append_printf (s, ",%s", kernel_path_name ((KernelPath) p));
    paths_opt = g_string_free (s, FALSE);
  }
  sizes = g_strsplit (sizes_opt ? sizes_opt : "1280x720,1920x1080", ",", -1);
  formats = g_strsplit (formats_opt ? formats_opt : "I420", ",", -1);
  paths = g_strsplit (paths_opt, ",", -1);
  threads = g_strsplit (threads_opt ? threads_opt : "1,2", ",", -1);
  temporals = g_strsplit (temporal_opt ? temporal_opt : "on", ",", -1);

  m = model ? aenn_model_load_file (model, &err) :
      aenn_model_new (aenn_default_architecture (), &err);
  if (m == NULL)
    g_error ("%s", err->message);
  /* the speed does not depend on the weights, as long as they are not
   * all zeros */
  if (model == NULL)
    aenn_model_randomize (m, 1, 1.0f);
  printf ("model: %s, %.1f MACs per plane pixel; ORC target %s; noise-level "
      "%g; %d runs of %d frames\n", model ? model : "built in (default "
      "architecture)", aenn_model_macs_per_pixel (m), kernel_path_orc_target (),
      noise_level, runs, frames);
  printf ("%-10s %-6s %-7s %3s %-8s %9s %9s %9s %11s\n", "size", "format",
      "path", "thr", "temporal", "fps", "best fps", "ms/frame", "cpu ms/frm");

  for (gchar ** sz = sizes; *sz; sz++) {
    guint w, h;
    if (sscanf (*sz, "%ux%u", &w, &h) != 2 || w == 0 || h == 0)
      g_error ("bad size %s", *sz);
    for (gchar ** f = formats; *f; f++) {
      GstVideoInfo info;
      GstVideoFormat vf = gst_video_format_from_string (*f);
      if (vf == GST_VIDEO_FORMAT_UNKNOWN)
        g_error ("unknown format %s", *f);
      gst_video_info_set_format (&info, vf, w, h);
      GST_VIDEO_INFO_FPS_N (&info) = 30;
      GST_VIDEO_INFO_FPS_D (&info) = 1;
      for (gchar ** p = paths; *p; p++) {
        KernelPath gp;
        if (!kernel_path_from_name (*p, &gp) || gp == KERNEL_PATH_AUTO
            || !kernel_path_supported (gp)) {
          printf ("%-7s: not supported here\n", *p);
          continue;
        }
        for (gchar ** th = threads; *th; th++)
          for (gchar ** tm = temporals; *tm; tm++) {
            Result res = { 0 };
            guint nt = (guint) atoi (*th);
            gboolean on = g_str_equal (*tm, "on");
            if (!on && !g_str_equal (*tm, "off"))
              g_error ("--temporal: on or off, not %s", *tm);
            if (!run_case (&info, *p, nt, model, noise_level, on,
                    (guint) frames, (guint) runs, &res))
              g_error ("%s %s %s: the element failed", *sz, *f, *p);
            printf ("%4ux%-5u %-6s %-7s %3u %-8s %9.1f %9.1f %9.2f %11.2f\n",
                w, h, *f, res.kernels, nt, *tm, res.fps_median, res.fps_best,
                1e3 / res.fps_median, res.cpu_ms);
            fflush (stdout);
            g_free (res.kernels);
            if (want_breakdown && on)
              breakdown (&info, *p, nt, m, (guint) runs);
          }
      }
    }
  }
  g_unsetenv ("GST_UNSUPERVISED_KERNELS");
  aenn_model_free (m);
  g_strfreev (sizes);
  g_strfreev (formats);
  g_strfreev (paths);
  g_strfreev (threads);
  g_strfreev (temporals);
  g_free (sizes_opt);
  g_free (formats_opt);
  g_free (paths_opt);
  g_free (threads_opt);
  g_free (model);
  return 0;
}
