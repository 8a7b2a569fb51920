/* unsupervised-noise: adds seeded Gaussian noise to raw video frames, and measures
 * the PSNR of raw frames against a reference. For the demo
 * (scripts/demo.sh) and for experiments with aedenoise.
 *
 *   unsupervised-noise add --format I420 --size 640x360 [--sigma 25] [--seed 0] IN OUT
 *   unsupervised-noise psnr --format I420 --size 640x360 REFERENCE TEST
 *
 * Frames are raw in GStreamer's default layout for the format and size (what
 * filesink writes after a capsfilter, what rawvideoparse reads), one after
 * the other. The noise is white, of deviation --sigma on the 0..255 scale,
 * added to every sample of every colour component (not alpha), rounded and
 * clipped to 0..255, from a private generator seeded with --seed. psnr
 * prints the mean over frames of each frame's PSNR on all colour samples and
 * on luma (or grey) alone: "frames N psnr X luma Y" (dB; 99 for a frame
 * equal to its reference). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <gst/video/video.h>

static gchar *format_name;
static gchar *size_str;
static gdouble sigma = 25.0;
static gint64 seed = 0;

static GOptionEntry entries[] = {
  {"format", 'f', 0, G_OPTION_ARG_STRING, &format_name,
      "raw format (GStreamer name: I420, NV12, GRAY8, RGB, ...)", "FORMAT"},
  {"size", 's', 0, G_OPTION_ARG_STRING, &size_str, "frame size", "WxH"},
  {"sigma", 0, 0, G_OPTION_ARG_DOUBLE, &sigma,
      "noise deviation on the 0..255 scale (add; default 25)", "SIGMA"},
  {"seed", 0, 0, G_OPTION_ARG_INT64, &seed, "noise seed (add; default 0)",
      "N"},
  {NULL}
};

static gdouble
gauss (GRand * r)
{
  gdouble u = g_rand_double (r), v = g_rand_double (r);
  return sqrt (-2.0 * log (1.0 - u)) * cos (2.0 * G_PI * v);
}

/* components with samples to touch: not alpha */
static guint
n_colour_components (const GstVideoInfo * info)
{
  return GST_VIDEO_INFO_HAS_ALPHA (info) ? 3 : GST_VIDEO_INFO_N_COMPONENTS
      (info);
}

static guint8 *
sample (const GstVideoInfo * info, guint8 * frame, guint c, gint x, gint y)
{
  return frame + GST_VIDEO_INFO_COMP_OFFSET (info, c) +
      (gsize) y * GST_VIDEO_INFO_COMP_STRIDE (info, c) +
      (gsize) x * GST_VIDEO_INFO_COMP_PSTRIDE (info, c);
}

static void
add_noise (const GstVideoInfo * info, guint8 * frame, GRand * r)
{
  for (guint c = 0; c < n_colour_components (info); c++)
    for (gint y = 0; y < GST_VIDEO_INFO_COMP_HEIGHT (info, c); y++)
      for (gint x = 0; x < GST_VIDEO_INFO_COMP_WIDTH (info, c); x++) {
        guint8 *p = sample (info, frame, c, x, y);
        gdouble v = round (*p + sigma * gauss (r));
        *p = (guint8) CLAMP (v, 0, 255);
      }
}

/* squared error and sample count of component c */
static void
sse (const GstVideoInfo * info, guint8 * a, guint8 * b, guint c,
    gdouble * sum, gdouble * n)
{
  for (gint y = 0; y < GST_VIDEO_INFO_COMP_HEIGHT (info, c); y++)
    for (gint x = 0; x < GST_VIDEO_INFO_COMP_WIDTH (info, c); x++) {
      gdouble d = (gdouble) * sample (info, a, c, x, y) -
          *sample (info, b, c, x, y);
      *sum += d * d;
    }
  *n += (gdouble) GST_VIDEO_INFO_COMP_HEIGHT (info, c) *
      GST_VIDEO_INFO_COMP_WIDTH (info, c);
}

static gdouble
psnr_of (gdouble sum, gdouble n)
{
  return sum == 0.0 ? 99.0 : 10.0 * log10 (255.0 * 255.0 * n / sum);
}

static gboolean
read_frame (FILE * f, guint8 * buf, gsize size, const gchar * path,
    gboolean * eof)
{
  gsize got = fread (buf, 1, size, f);

  *eof = got == 0 && feof (f);
  if (got == size || *eof)
    return TRUE;
  fprintf (stderr, "%s: a partial frame at the end (%" G_GSIZE_FORMAT " of %"
      G_GSIZE_FORMAT " bytes): wrong --format or --size?\n", path, got, size);
  return FALSE;
}

static FILE *
open_or_complain (const gchar * path, const gchar * mode)
{
  FILE *f = fopen (path, mode);

  if (f == NULL)
    fprintf (stderr, "cannot open %s: %s\n", path, g_strerror (errno));
  return f;
}

static int
cmd_add (const GstVideoInfo * info, const gchar * in, const gchar * out)
{
  FILE *fi = open_or_complain (in, "rb"), *fo;
  guint8 *buf = g_malloc (info->size);
  GRand *r = g_rand_new_with_seed ((guint32) seed);
  gboolean eof = FALSE, ok = TRUE;
  guint frames = 0;

  if (fi == NULL || (fo = open_or_complain (out, "wb")) == NULL) {
    if (fi)
      fclose (fi);
    g_free (buf);
    g_rand_free (r);
    return 1;
  }
  while ((ok = read_frame (fi, buf, info->size, in, &eof)) && !eof) {
    add_noise (info, buf, r);
    if (fwrite (buf, 1, info->size, fo) != info->size) {
      fprintf (stderr, "cannot write %s\n", out);
      ok = FALSE;
      break;
    }
    frames++;
  }
  fclose (fi);
  if (fclose (fo) != 0)
    ok = FALSE;
  g_free (buf);
  g_rand_free (r);
  if (ok && frames == 0)
    fprintf (stderr, "%s: no frames\n", in);
  return ok && frames > 0 ? 0 : 1;
}

static int
cmd_psnr (const GstVideoInfo * info, const gchar * ref, const gchar * test)
{
  FILE *fr = open_or_complain (ref, "rb"), *ft;
  guint8 *a = g_malloc (info->size), *b = g_malloc (info->size);
  gdouble all = 0.0, luma = 0.0;
  guint frames = 0;
  gboolean ok = TRUE, eof_a = FALSE, eof_b = FALSE;

  if (fr == NULL || (ft = open_or_complain (test, "rb")) == NULL) {
    if (fr)
      fclose (fr);
    g_free (a);
    g_free (b);
    return 1;
  }
  while ((ok = read_frame (fr, a, info->size, ref, &eof_a)
          && read_frame (ft, b, info->size, test, &eof_b)) && !eof_a
      && !eof_b) {
    gdouble s = 0, n = 0, s0 = 0, n0 = 0;
    for (guint c = 0; c < n_colour_components (info); c++)
      sse (info, a, b, c, &s, &n);
    /* luma, or the grey plane; for RGB, what a viewer sees as brightness
     * is not one component, so "luma" is all of them */
    if (GST_VIDEO_INFO_IS_YUV (info) || GST_VIDEO_INFO_IS_GRAY (info))
      sse (info, a, b, 0, &s0, &n0);
    else {
      s0 = s;
      n0 = n;
    }
    all += psnr_of (s, n);
    luma += psnr_of (s0, n0);
    frames++;
  }
  if (ok && eof_a != eof_b) {
    fprintf (stderr, "%s and %s hold different numbers of frames\n", ref,
        test);
    ok = FALSE;
  }
  fclose (fr);
  fclose (ft);
  g_free (a);
  g_free (b);
  if (!ok || frames == 0)
    return 1;
  printf ("frames %u psnr %.3f luma %.3f\n", frames, all / frames,
      luma / frames);
  return 0;
}

int
main (int argc, char **argv)
{
  GOptionContext *ctx = g_option_context_new ("add IN OUT | psnr REFERENCE "
      "TEST");
  GError *err = NULL;
  GstVideoInfo info;
  GstVideoFormat fmt;
  guint w, h;
  int ret;

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_summary (ctx, "Adds Gaussian noise to raw video "
      "frames, or measures their PSNR against a reference.");
  if (!g_option_context_parse (ctx, &argc, &argv, &err)) {
    fprintf (stderr, "%s\n", err->message);
    return 2;
  }
  g_option_context_free (ctx);
  if (argc != 4 || (strcmp (argv[1], "add") != 0
          && strcmp (argv[1], "psnr") != 0)) {
    fprintf (stderr, "usage: %s add|psnr --format F --size WxH FILE FILE "
        "(--help for more)\n", argv[0]);
    return 2;
  }
  fmt = format_name ? gst_video_format_from_string (format_name) :
      GST_VIDEO_FORMAT_UNKNOWN;
  if (fmt == GST_VIDEO_FORMAT_UNKNOWN
      || GST_VIDEO_FORMAT_INFO_DEPTH (gst_video_format_get_info (fmt), 0) != 8
      || GST_VIDEO_FORMAT_INFO_IS_COMPLEX (gst_video_format_get_info (fmt))) {
    fprintf (stderr, "--format %s: not an 8-bit raw format GStreamer knows\n",
        format_name ? format_name : "(missing)");
    return 2;
  }
  if (size_str == NULL || sscanf (size_str, "%ux%u", &w, &h) != 2 || w == 0
      || h == 0 || w > 16384 || h > 16384) {
    fprintf (stderr, "--size %s: expected WxH, each 1..16384\n",
        size_str ? size_str : "(missing)");
    return 2;
  }
  if (!(sigma >= 0.0 && sigma <= 255.0)) {
    fprintf (stderr, "--sigma %g: expected 0..255\n", sigma);
    return 2;
  }
  if (!gst_video_info_set_format (&info, fmt, w, h)) {
    fprintf (stderr, "%s %ux%u: no frame layout\n", format_name, w, h);
    return 2;
  }
  ret = strcmp (argv[1], "add") == 0 ? cmd_add (&info, argv[2], argv[3]) :
      cmd_psnr (&info, argv[2], argv[3]);
  g_free (format_name);
  g_free (size_str);
  return ret;
}
