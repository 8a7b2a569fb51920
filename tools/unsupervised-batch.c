/* unsupervised-batch: runs a video filter (aedenoise, kmeansseg, or any
 * gst-launch style chain) over many files, with progress, parallel jobs,
 * resume, shards for cluster array jobs and an honest exit status.
 * docs/batch.md describes every option.
 *
 * Each file is one uritranscodebin pipeline (gst-plugins-bad's transcoding
 * bin: decodebin3, the filter as its video-filter, encodebin2 with the
 * encoding profile given as a string). GstTranscoder, the library over the
 * same bin, is not used: it keeps the pipeline's bus to itself, so the
 * kmeansseg element messages (the analysis output), the per-element
 * warnings (decoder errors) and the timestamps needed to catch a stream
 * that ends early would be out of reach.
 *
 * Output goes to a hidden temporary name beside the final one and is
 * renamed only once the file has been checked (end reached, no decoder
 * error, the output has the video and every audio stream asked for), so a
 * final name is always a complete file and a rerun skips it.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <glib-unix.h>
#include <gst/gst.h>
#include <gst/pbutils/pbutils.h>

#define DEFAULT_PROFILE "video/x-matroska:video/x-vp8:audio/x-vorbis"
#define DISCOVER_TIMEOUT (30 * GST_SECOND)

typedef enum
{
  JOB_PENDING,
  JOB_RUNNING,
  JOB_OK,
  JOB_SKIPPED,
  JOB_FAILED,
  JOB_INTERRUPTED,
} JobState;

typedef enum
{
  AUDIO_AUTO,
  AUDIO_COPY,
  AUDIO_ENCODE,
} AudioMode;

typedef enum
{
  PROGRESS_TTY,
  PROGRESS_PLAIN,
  PROGRESS_JSON,
  PROGRESS_NONE,
} ProgressMode;

typedef enum
{
  ANALYSIS_NONE,
  ANALYSIS_JSONL,
  ANALYSIS_CSV,
} AnalysisMode;

typedef struct
{
  guint index;                  /* in the whole input list, before sharding */
  gchar *input;
  gchar *output;
  gchar *output_tmp;
  gchar *analysis;              /* NULL: none asked for */
  gchar *analysis_tmp;
  gchar *labels;                /* NULL: none asked for */
  gchar *labels_tmp;

  JobState state;
  gchar *error;                 /* why it failed */
  gchar *warning;               /* first decoder/demuxer warning */

  GstElement *pipeline;
  GstElement *kmeans;           /* posts the analysis messages */
  GstElement *filter;           /* the video-filter bin (no ref) */
  FILE *analysis_fp;
  guint n_audio_in;
  GstClockTime duration;        /* of the input, as the container says */
  gint fps_n, fps_d;
  gint64 t_start, t_end;        /* monotonic, us */
  guint64 n_messages;
  guint64 seen_frames;          /* at the last stall check */
  gint64 t_seen;                /* when seen_frames last changed, us */

  /* written by streaming threads, guarded by lock */
  GMutex lock;
  guint64 frames;               /* out of the filter */
  GstClockTime video_pos;       /* end of the last frame into the filter */
  GstClockTime muxed_end;       /* end of the last buffer into a muxer */
} Job;

static struct
{
  gchar *filter;
  gchar *output;
  gchar *profile;
  gchar *audio;
  gchar *list;
  gint jobs;
  gchar *shard;
  gchar *progress;
  gchar *analysis;
  gboolean labels;
  gchar *labels_profile;
  gboolean overwrite;
  gdouble interval;
  gint stall_timeout;
  gchar **inputs;
} opt = {
  .jobs = 1,
  .interval = 0,
  .stall_timeout = 120,
};

static struct
{
  GPtrArray *jobs;              /* this shard's, in order */
  GMainLoop *loop;
  GstEncodingProfile *profile;
  AudioMode audio;
  ProgressMode progress;
  AnalysisMode analysis;
  guint next;                   /* next pending job */
  guint running;
  gboolean interrupted;
  gint64 t_start;
  guint n_drawn;                /* status lines on the terminal */
  guint n_threads;              /* for each element whose n-threads is 0 */
  FILE *out;                    /* progress and per-file lines */
} app;

static GOptionEntry entries[] = {
  {"filter", 'f', 0, G_OPTION_ARG_STRING, &opt.filter,
        "video filter, gst-launch syntax (\"kmeansseg num-clusters=8\", "
        "\"aedenoise ! kmeansseg mode=posterize\"); none: transcode only",
      "DESC"},
  {"output", 'o', 0, G_OPTION_ARG_STRING, &opt.output,
      "output folder, or a name template with {name} {ext} {index} "
        "{parent} (required)", "DIR|TEMPLATE"},
  {"profile", 'p', 0, G_OPTION_ARG_STRING, &opt.profile,
      "encoding profile, GstEncodingProfile string syntax (default "
        DEFAULT_PROFILE ")", "PROFILE"},
  {"audio", 'a', 0, G_OPTION_ARG_STRING, &opt.audio,
        "audio: auto (the profile's audio format, copied when the input "
        "already has it), copy (as it is), encode (always re-encode)",
      "MODE"},
  {"list", 'l', 0, G_OPTION_ARG_FILENAME, &opt.list,
      "read input paths from FILE, one a line ('-': standard input)", "FILE"},
  {"jobs", 'j', 0, G_OPTION_ARG_INT, &opt.jobs,
      "files in parallel (default 1)", "N"},
  {"shard", 0, 0, G_OPTION_ARG_STRING, &opt.shard,
      "process only the inputs i with i mod N == I (0 <= I < N); 'slurm': "
        "from SLURM_ARRAY_TASK_ID and the array's size (the default when "
        "that is set); 'none': all inputs", "I/N"},
  {"progress", 0, 0, G_OPTION_ARG_STRING, &opt.progress,
      "tty (in place), plain (lines), json (JSON Lines on stdout), none; "
        "default tty on a terminal, else plain", "MODE"},
  {"interval", 0, 0, G_OPTION_ARG_DOUBLE, &opt.interval,
        "seconds between progress updates (default 0.5 tty, 5 plain/json)",
      "S"},
  {"analysis", 0, 0, G_OPTION_ARG_STRING, &opt.analysis,
      "write kmeansseg's per-frame centroids, counts and scene cuts beside "
        "the output as jsonl or csv", "FORMAT"},
  {"labels", 0, 0, G_OPTION_ARG_NONE, &opt.labels,
        "also write kmeansseg's label map as a lossless video beside the output",
      NULL},
  {"labels-profile", 0, 0, G_OPTION_ARG_STRING, &opt.labels_profile,
      "encoding profile of the label map (default FFV1 in Matroska when "
        "avenc_ffv1 is installed, else raw GRAY8 in Matroska)", "PROFILE"},
  {"stall-timeout", 0, 0, G_OPTION_ARG_INT, &opt.stall_timeout,
      "fail a file whose output makes no progress for S seconds (default "
        "120; 0: never)", "S"},
  {"overwrite", 0, 0, G_OPTION_ARG_NONE, &opt.overwrite,
      "redo outputs that already exist (default: skip them)", NULL},
  {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &opt.inputs,
      NULL, "FILE|FOLDER..."},
  {NULL}
};

static const gchar *const video_exts[] = {
  "mp4", "m4v", "mkv", "webm", "mov", "avi", "ogv", "ogg", "ts", "m2ts",
  "mts", "mpg", "mpeg", "flv", "wmv", "y4m", "3gp", "mxf", "dv", NULL
};

static void start_next_jobs (void);
static void draw_progress (gboolean force);

/* ---- inputs ---- */

static gboolean
has_video_ext (const gchar * name)
{
  const gchar *dot = strrchr (name, '.');

  if (dot == NULL)
    return FALSE;
  for (guint i = 0; video_exts[i]; i++)
    if (g_ascii_strcasecmp (dot + 1, video_exts[i]) == 0)
      return TRUE;
  return FALSE;
}

static gint
compare_paths (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const gchar * const *) a, *(const gchar * const *) b);
}

/* Folders are walked recursively in name order, so every shard of an array
 * job sees the same list. */
static gboolean
add_folder (GPtrArray * out, const gchar * dir, GError ** error)
{
  GDir *d = g_dir_open (dir, 0, error);
  GPtrArray *names;
  const gchar *name;

  if (d == NULL)
    return FALSE;
  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (d)))
    if (name[0] != '.')
      g_ptr_array_add (names, g_build_filename (dir, name, NULL));
  g_dir_close (d);
  g_ptr_array_sort (names, compare_paths);
  for (guint i = 0; i < names->len; i++) {
    const gchar *p = names->pdata[i];
    if (g_file_test (p, G_FILE_TEST_IS_DIR)) {
      if (!add_folder (out, p, error)) {
        g_ptr_array_unref (names);
        return FALSE;
      }
    } else if (has_video_ext (p)) {
      g_ptr_array_add (out, g_strdup (p));
    }
  }
  g_ptr_array_unref (names);
  return TRUE;
}

static gboolean
add_input (GPtrArray * out, const gchar * path, GError ** error)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    return add_folder (out, path, error);
  if (!g_file_test (path, G_FILE_TEST_EXISTS)) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
        "input %s does not exist", path);
    return FALSE;
  }
  g_ptr_array_add (out, g_strdup (path));
  return TRUE;
}

static gboolean
add_list_file (GPtrArray * out, const gchar * list, GError ** error)
{
  gchar *text = NULL;
  gchar **lines;
  gboolean ok = TRUE;

  if (strcmp (list, "-") == 0) {
    GString *s = g_string_new (NULL);
    gchar buf[4096];
    size_t n;
    while ((n = fread (buf, 1, sizeof buf, stdin)) > 0)
      g_string_append_len (s, buf, n);
    text = g_string_free (s, FALSE);
  } else if (!g_file_get_contents (list, &text, NULL, error)) {
    return FALSE;
  }
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; ok && lines[i]; i++) {
    gchar *l = g_strstrip (lines[i]);
    if (l[0] == '\0' || l[0] == '#')
      continue;
    ok = add_input (out, l, error);
  }
  g_strfreev (lines);
  g_free (text);
  return ok;
}

/* "I/N", or the Slurm array variables: the task's index from its ID less
 * the array's first ID, the count from SLURM_ARRAY_TASK_COUNT or MAX-MIN+1
 * (arrays with a step are not contiguous and are refused). */
static gboolean
parse_shard (guint * index, guint * count, gchar ** origin, GError ** error)
{
  const gchar *id = g_getenv ("SLURM_ARRAY_TASK_ID");
  guint64 i, n;
  gchar *end = NULL;

  *index = 0;
  *count = 1;
  *origin = NULL;
  if (opt.shard && strcmp (opt.shard, "none") == 0)
    return TRUE;
  if (opt.shard && strcmp (opt.shard, "slurm") != 0) {
    i = g_ascii_strtoull (opt.shard, &end, 10);
    if (end == opt.shard || *end != '/')
      goto bad_shard;
    const gchar *ns = end + 1;
    n = g_ascii_strtoull (ns, &end, 10);
    if (end == ns || *end != '\0' || n == 0 || n > G_MAXUINT || i >= n)
      goto bad_shard;
    *index = i;
    *count = n;
    *origin = g_strdup ("--shard");
    return TRUE;
  }
  if (id == NULL) {
    if (opt.shard) {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
          "--shard=slurm but SLURM_ARRAY_TASK_ID is not set");
      return FALSE;
    }
    return TRUE;
  } else {
    const gchar *smin = g_getenv ("SLURM_ARRAY_TASK_MIN");
    const gchar *smax = g_getenv ("SLURM_ARRAY_TASK_MAX");
    const gchar *scount = g_getenv ("SLURM_ARRAY_TASK_COUNT");
    const gchar *sstep = g_getenv ("SLURM_ARRAY_TASK_STEP");
    guint64 vid, vmin = 0, vmax, vcount;

    if (sstep && strcmp (sstep, "1") != 0)
      goto bad_slurm;
    if (!g_ascii_string_to_unsigned (id, 10, 0, G_MAXUINT, &vid, NULL))
      goto bad_slurm;
    if (smin && !g_ascii_string_to_unsigned (smin, 10, 0, vid, &vmin, NULL))
      goto bad_slurm;
    if (scount) {
      if (!g_ascii_string_to_unsigned (scount, 10, 1, G_MAXUINT, &vcount, NULL))
        goto bad_slurm;
    } else if (smax && g_ascii_string_to_unsigned (smax, 10, vmin,
            G_MAXUINT, &vmax, NULL)) {
      vcount = vmax - vmin + 1;
    } else {
      goto bad_slurm;
    }
    if (vid - vmin >= vcount)
      goto bad_slurm;
    *index = vid - vmin;
    *count = vcount;
    *origin = g_strdup_printf ("SLURM_ARRAY_TASK_ID=%s", id);
    return TRUE;
  }

bad_shard:
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
      "--shard must be I/N with 0 <= I < N, 'slurm' or 'none', not '%s'",
      opt.shard);
  return FALSE;
bad_slurm:
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
      "cannot make a shard of SLURM_ARRAY_TASK_ID=%s (MIN=%s MAX=%s "
      "COUNT=%s STEP=%s): use a contiguous --array, or --shard I/N", id,
      g_getenv ("SLURM_ARRAY_TASK_MIN"), g_getenv ("SLURM_ARRAY_TASK_MAX"),
      g_getenv ("SLURM_ARRAY_TASK_COUNT"), g_getenv ("SLURM_ARRAY_TASK_STEP"));
  return FALSE;
}

/* ---- names ---- */

static gchar *
stem_of (const gchar * path)
{
  gchar *base = g_path_get_basename (path);
  gchar *dot = strrchr (base, '.');

  if (dot && dot != base)
    *dot = '\0';
  return base;
}

static gchar *
expand_template (const gchar * tmpl, const gchar * input, guint index,
    const gchar * ext, GError ** error)
{
  GString *s = g_string_new (NULL);
  gchar *stem = stem_of (input);
  gchar *abs = g_canonicalize_filename (input, NULL);
  gchar *dir = g_path_get_dirname (abs);
  gchar *parent = g_path_get_basename (dir);

  for (const gchar * p = tmpl; *p; p++) {
    if (*p != '{') {
      g_string_append_c (s, *p);
      continue;
    }
    const gchar *close = strchr (p, '}');
    gchar *key = close ? g_strndup (p + 1, close - p - 1) : NULL;
    if (key && strcmp (key, "name") == 0)
      g_string_append (s, stem);
    else if (key && strcmp (key, "ext") == 0)
      g_string_append (s, ext);
    else if (key && strcmp (key, "index") == 0)
      g_string_append_printf (s, "%u", index);
    else if (key && strcmp (key, "parent") == 0)
      g_string_append (s, parent);
    else {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
          "unknown placeholder in output template '%s' (known: {name} {ext} "
          "{index} {parent})", tmpl);
      g_free (key);
      g_string_free (s, TRUE);
      s = NULL;
      break;
    }
    g_free (key);
    p = close;
  }
  g_free (stem);
  g_free (abs);
  g_free (dir);
  g_free (parent);
  return s ? g_string_free (s, FALSE) : NULL;
}

/* the hidden name beside the final one that a job writes to */
static gchar *
tmp_name (const gchar * final)
{
  gchar *dir = g_path_get_dirname (final);
  gchar *base = g_path_get_basename (final);
  gchar *name = g_strdup_printf (".%s.part", base);
  gchar *ret = g_build_filename (dir, name, NULL);

  g_free (dir);
  g_free (base);
  g_free (name);
  return ret;
}

/* the output name less its extension, plus a suffix */
static gchar *
beside (const gchar * output, const gchar * suffix)
{
  const gchar *slash = strrchr (output, '/');
  const gchar *dot = strrchr (output, '.');
  gsize len = (dot && (!slash || dot > slash + 1)) ? (gsize) (dot - output)
      : strlen (output);

  return g_strdup_printf ("%.*s%s", (int) len, output, suffix);
}

/* ---- small helpers ---- */

/* GStreamer 1.22 parses profile strings ("video/x-matroska:video/x-vp8:
 * audio/x-vorbis", presets, restrictions) only through the GValue
 * transform that gst-launch uses; gst_encoding_profile_from_string came
 * in 1.24. */
static GstEncodingProfile *
profile_from_string (const gchar * str)
{
  GValue in = G_VALUE_INIT, out = G_VALUE_INIT;
  GstEncodingProfile *prof = NULL;

  g_value_init (&in, G_TYPE_STRING);
  g_value_set_string (&in, str);
  g_value_init (&out, GST_TYPE_ENCODING_PROFILE);
  if (g_value_transform (&in, &out))
    prof = g_value_dup_object (&out);
  g_value_unset (&in);
  g_value_unset (&out);
  return prof;
}

static gchar *
format_time (gdouble s)
{
  guint t = s < 0 ? 0 : (guint) (s + 0.5);

  if (t >= 3600)
    return g_strdup_printf ("%u:%02u:%02u", t / 3600, t / 60 % 60, t % 60);
  return g_strdup_printf ("%u:%02u", t / 60, t % 60);
}

static void
json_string (GString * s, const gchar * str)
{
  g_string_append_c (s, '"');
  for (const guchar * p = (const guchar *)str; *p; p++) {
    if (*p == '"' || *p == '\\')
      g_string_append_printf (s, "\\%c", *p);
    else if (*p < 0x20)
      g_string_append_printf (s, "\\u%04x", *p);
    else
      g_string_append_c (s, *p);
  }
  g_string_append_c (s, '"');
}

static const gchar *
state_name (JobState st)
{
  switch (st) {
    case JOB_PENDING:
      return "pending";
    case JOB_RUNNING:
      return "running";
    case JOB_OK:
      return "ok";
    case JOB_SKIPPED:
      return "skipped";
    case JOB_FAILED:
      return "failed";
    case JOB_INTERRUPTED:
      return "interrupted";
  }
  return "?";
}

static void
job_free (Job * job)
{
  g_free (job->input);
  g_free (job->output);
  g_free (job->output_tmp);
  g_free (job->analysis);
  g_free (job->analysis_tmp);
  g_free (job->labels);
  g_free (job->labels_tmp);
  g_free (job->error);
  g_free (job->warning);
  g_mutex_clear (&job->lock);
  g_free (job);
}

static gdouble
job_fraction (Job * job, guint64 * frames, GstClockTime * pos)
{
  gdouble f = 0;

  g_mutex_lock (&job->lock);
  *frames = job->frames;
  *pos = job->video_pos;
  g_mutex_unlock (&job->lock);
  if (GST_CLOCK_TIME_IS_VALID (job->duration) && job->duration > 0
      && GST_CLOCK_TIME_IS_VALID (*pos))
    f = CLAMP ((gdouble) * pos / job->duration, 0.0, 1.0);
  return f;
}

/* ---- progress ---- */

static void
clear_drawn (void)
{
  if (app.progress != PROGRESS_TTY || app.n_drawn == 0)
    return;
  fprintf (app.out, "\033[%uA\r\033[J", app.n_drawn);
  app.n_drawn = 0;
}

/* a line that stays, above the lines redrawn in place */
static void
print_line (const gchar * line)
{
  clear_drawn ();
  fprintf (app.out, "%s\n", line);
  fflush (app.out);
}

static void
overall (gdouble * fraction, gdouble * left_s, guint * n_done, guint * n_failed)
{
  gdouble sum = 0;
  guint counted = 0;
  gdouble elapsed = (g_get_monotonic_time () - app.t_start) / 1e6;

  *n_done = *n_failed = 0;
  for (guint i = 0; i < app.jobs->len; i++) {
    Job *job = app.jobs->pdata[i];
    guint64 frames;
    GstClockTime pos;

    switch (job->state) {
      case JOB_SKIPPED:
        (*n_done)++;
        continue;               /* takes no time: left out of the rate */
      case JOB_OK:
        (*n_done)++;
        sum += 1;
        break;
      case JOB_FAILED:
      case JOB_INTERRUPTED:
        (*n_done)++;
        (*n_failed)++;
        sum += 1;
        break;
      case JOB_RUNNING:
        sum += job_fraction (job, &frames, &pos);
        break;
      case JOB_PENDING:
        break;
    }
    counted++;
  }
  *fraction = counted ? sum / counted : 1.0;
  *left_s = *fraction > 0.001 ? elapsed * (1 - *fraction) / *fraction : -1;
}

static void
job_rates (Job * job, guint64 * frames, gdouble * fps, gdouble * fraction,
    gdouble * left_s)
{
  GstClockTime pos;
  gint64 end = job->t_end ? job->t_end : g_get_monotonic_time ();
  gdouble elapsed = (end - job->t_start) / 1e6;

  *fraction = job_fraction (job, frames, &pos);
  *fps = elapsed > 0 ? *frames / elapsed : 0;
  *left_s = *fraction > 0.001 ? elapsed * (1 - *fraction) / *fraction : -1;
}

static void
draw_progress (gboolean force)
{
  gdouble frac, left;
  guint n_done, n_failed;
  gchar *t;

  if (app.progress == PROGRESS_NONE)
    return;
  overall (&frac, &left, &n_done, &n_failed);

  if (app.progress == PROGRESS_JSON) {
    for (guint i = 0; i < app.jobs->len; i++) {
      Job *job = app.jobs->pdata[i];
      guint64 frames;
      gdouble fps, f, l;
      GString *s;

      if (job->state != JOB_RUNNING)
        continue;
      job_rates (job, &frames, &fps, &f, &l);
      s = g_string_new ("{\"event\":\"progress\",\"input\":");
      json_string (s, job->input);
      g_string_append_printf (s, ",\"frames\":%" G_GUINT64_FORMAT
          ",\"fps\":%.2f,\"percent\":%.1f,\"left_s\":%.1f}", frames, fps,
          100 * f, l);
      fprintf (app.out, "%s\n", s->str);
      g_string_free (s, TRUE);
    }
    fprintf (app.out, "{\"event\":\"overall\",\"files\":%u,\"done\":%u,"
        "\"failed\":%u,\"percent\":%.1f,\"left_s\":%.1f}\n", app.jobs->len,
        n_done, n_failed, 100 * frac, left);
    fflush (app.out);
    return;
  }

  clear_drawn ();
  for (guint i = 0; i < app.jobs->len; i++) {
    Job *job = app.jobs->pdata[i];
    guint64 frames;
    gdouble fps, f, l;
    gchar *base;

    if (job->state != JOB_RUNNING)
      continue;
    job_rates (job, &frames, &fps, &f, &l);
    base = g_path_get_basename (job->input);
    t = l >= 0 ? format_time (l) : g_strdup ("?");
    fprintf (app.out, "%s%-32.32s %5.1f%% %8" G_GUINT64_FORMAT " frames "
        "%7.1f fps  %s left\n", app.progress == PROGRESS_TTY ? "\r\033[K" :
        "", base, 100 * f, frames, fps, t);
    g_free (t);
    g_free (base);
    if (app.progress == PROGRESS_TTY)
      app.n_drawn++;
  }
  t = left >= 0 ? format_time (left) : g_strdup ("?");
  fprintf (app.out, "%sall: %u/%u files done, %u failed, %5.1f%%, %s left\n",
      app.progress == PROGRESS_TTY ? "\r\033[K" : "", n_done, app.jobs->len,
      n_failed, 100 * frac, t);
  g_free (t);
  if (app.progress == PROGRESS_TTY)
    app.n_drawn++;
  fflush (app.out);
}

static void job_fail (Job * job, const gchar * fmt, ...) G_GNUC_PRINTF (2, 3);

/* A pipeline that neither ends nor errors (a stream no branch takes, a
 * deadlock in a plugin) would hold the whole batch: it fails instead. */
static gboolean
stall_check (gpointer data)
{
  gint64 now = g_get_monotonic_time ();

  for (guint i = 0; i < app.jobs->len; i++) {
    Job *job = app.jobs->pdata[i];
    guint64 frames;

    if (job->state != JOB_RUNNING || job->pipeline == NULL)
      continue;
    g_mutex_lock (&job->lock);
    frames = job->frames;
    g_mutex_unlock (&job->lock);
    if (frames != job->seen_frames || job->t_seen == 0) {
      job->seen_frames = frames;
      job->t_seen = now;
    } else if (opt.stall_timeout > 0
        && now - job->t_seen > (gint64) opt.stall_timeout * G_USEC_PER_SEC) {
      job_fail (job, "stalled: no frame out for %d s", opt.stall_timeout);
    }
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
progress_tick (gpointer data)
{
  draw_progress (FALSE);
  return G_SOURCE_CONTINUE;
}

static void
report_job (Job * job)
{
  guint64 frames;
  gdouble fps, f, l;
  GString *s;

  job_rates (job, &frames, &fps, &f, &l);
  if (app.progress == PROGRESS_JSON) {
    s = g_string_new ("{\"event\":\"file\",\"input\":");
    json_string (s, job->input);
    g_string_append (s, ",\"output\":");
    json_string (s, job->output);
    g_string_append_printf (s, ",\"status\":\"%s\",\"frames\":%"
        G_GUINT64_FORMAT ",\"fps\":%.2f", state_name (job->state), frames, fps);
    if (job->error) {
      g_string_append (s, ",\"error\":");
      json_string (s, job->error);
    }
    g_string_append_c (s, '}');
    fprintf (app.out, "%s\n", s->str);
    fflush (app.out);
    g_string_free (s, TRUE);
    return;
  }
  if (app.progress == PROGRESS_NONE)
    return;
  s = g_string_new (NULL);
  switch (job->state) {
    case JOB_OK:
      g_string_printf (s, "ok       %s -> %s (%" G_GUINT64_FORMAT
          " frames, %.1f fps)", job->input, job->output, frames, fps);
      break;
    case JOB_SKIPPED:
      g_string_printf (s, "skipped  %s (%s exists)", job->input, job->output);
      break;
    default:
      g_string_printf (s, "%-8s %s: %s", state_name (job->state),
          job->input, job->error ? job->error : "");
      break;
  }
  print_line (s->str);
  g_string_free (s, TRUE);
}

/* ---- one job ---- */

static void
remove_tmp_files (Job * job)
{
  if (job->analysis_fp) {
    fclose (job->analysis_fp);
    job->analysis_fp = NULL;
  }
  g_unlink (job->output_tmp);
  if (job->analysis_tmp)
    g_unlink (job->analysis_tmp);
  if (job->labels_tmp)
    g_unlink (job->labels_tmp);
}

static void
job_stop_pipeline (Job * job)
{
  if (job->pipeline == NULL)
    return;
  gst_bus_remove_watch (GST_ELEMENT_BUS (job->pipeline));
  gst_element_set_state (job->pipeline, GST_STATE_NULL);
  gst_clear_object (&job->kmeans);
  gst_clear_object (&job->pipeline);
  job->filter = NULL;
}

static gboolean
start_next_idle (gpointer data)
{
  start_next_jobs ();
  return G_SOURCE_REMOVE;
}

static void
job_finish (Job * job, JobState state, gchar * error)
{
  job->t_end = g_get_monotonic_time ();
  job_stop_pipeline (job);
  if (state != JOB_OK)
    remove_tmp_files (job);
  job->state = state;
  if (error) {
    g_free (job->error);
    job->error = error;
  }
  if (app.running > 0)
    app.running--;
  report_job (job);
  if (!app.interrupted)
    g_idle_add (start_next_idle, NULL);
}

static void
job_fail (Job * job, const gchar * fmt, ...)
{
  va_list ap;
  gchar *msg;

  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  job_finish (job, JOB_FAILED, msg);
}

static guint
count_streams (GstDiscovererInfo * info, GType type)
{
  GList *l = gst_discoverer_info_get_streams (info, type);
  guint n = g_list_length (l);

  gst_discoverer_stream_info_list_free (l);
  return n;
}

static GstDiscovererInfo *
discover (const gchar * path, GError ** error)
{
  GstDiscoverer *dc = gst_discoverer_new (DISCOVER_TIMEOUT, error);
  GstDiscovererInfo *info;
  gchar *uri;

  if (dc == NULL)
    return NULL;
  uri = gst_filename_to_uri (path, error);
  info = uri ? gst_discoverer_discover_uri (dc, uri, error) : NULL;
  g_free (uri);
  g_object_unref (dc);
  return info;
}

/* Checks the temporary output before it takes the final name: it must
 * play and hold the video and the audio streams asked for. */
static gboolean
check_output (Job * job, GError ** error)
{
  GstDiscovererInfo *info = discover (job->output_tmp, error);
  guint nv, na;
  gboolean ok = FALSE;

  if (info == NULL)
    return FALSE;
  nv = count_streams (info, GST_TYPE_DISCOVERER_VIDEO_INFO);
  na = count_streams (info, GST_TYPE_DISCOVERER_AUDIO_INFO);
  if (nv < 1)
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED,
        "the output has no video stream");
  else if (na < job->n_audio_in)
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED,
        "the input has %u audio stream(s), the output %u", job->n_audio_in, na);
  else
    ok = TRUE;
  gst_discoverer_info_unref (info);
  return ok;
}

static void
job_complete (Job * job)
{
  GError *err = NULL;
  GstClockTime end, tol;

  g_mutex_lock (&job->lock);
  end = job->muxed_end;
  if (!GST_CLOCK_TIME_IS_VALID (end) || (GST_CLOCK_TIME_IS_VALID
          (job->video_pos) && job->video_pos > end))
    end = job->video_pos;
  g_mutex_unlock (&job->lock);

  /* a stream that ends early is a failure; a frame's worth or two of
   * difference between the streams and the container's duration is not */
  tol = 100 * GST_MSECOND;
  if (job->fps_n > 0 && job->fps_d > 0)
    tol = MAX (tol, gst_util_uint64_scale (3 * GST_SECOND, job->fps_d,
            job->fps_n));
  if (GST_CLOCK_TIME_IS_VALID (job->duration) && job->duration > tol
      && (!GST_CLOCK_TIME_IS_VALID (end) || end + tol < job->duration)) {
    gchar *a = format_time (GST_CLOCK_TIME_IS_VALID (end) ? end /
        (gdouble) GST_SECOND : 0);
    gchar *b = format_time (job->duration / (gdouble) GST_SECOND);
    job_fail (job, "the stream ended early, at %" GST_TIME_FORMAT
        " of %" GST_TIME_FORMAT " (%s of %s): truncated or damaged input",
        GST_TIME_ARGS (GST_CLOCK_TIME_IS_VALID (end) ? end : 0),
        GST_TIME_ARGS (job->duration), a, b);
    g_free (a);
    g_free (b);
    return;
  }
  if (job->warning) {
    job_fail (job, "decoding problem: %s", job->warning);
    return;
  }
  job_stop_pipeline (job);
  if (job->analysis_fp) {
    gboolean bad = ferror (job->analysis_fp) != 0;
    bad |= fclose (job->analysis_fp) != 0;
    job->analysis_fp = NULL;
    if (bad) {
      job_fail (job, "cannot write %s: %s", job->analysis_tmp,
          g_strerror (errno));
      return;
    }
  }
  if (!check_output (job, &err)) {
    job_fail (job, "output check: %s", err->message);
    g_clear_error (&err);
    return;
  }
  /* the video last: its final name means everything is there */
  if ((job->analysis && g_rename (job->analysis_tmp, job->analysis) != 0)
      || (job->labels && g_rename (job->labels_tmp, job->labels) != 0)
      || g_rename (job->output_tmp, job->output) != 0) {
    job_fail (job, "cannot rename the output into place: %s",
        g_strerror (errno));
    return;
  }
  job_finish (job, JOB_OK, NULL);
}

static void
write_analysis (Job * job, const GstStructure * s)
{
  const GValue *cent = gst_structure_get_value (s, "centroids");
  const GValue *rgb = gst_structure_get_value (s, "centroids-rgb");
  const GValue *counts = gst_structure_get_value (s, "counts");
  guint64 ts = GST_CLOCK_TIME_NONE, st = GST_CLOCK_TIME_NONE;
  guint k = 0, iterations = 0;
  gdouble inertia = 0;
  gboolean reinit = FALSE, cut = FALSE;
  const gchar *space = gst_structure_get_string (s, "color-space");
  guint64 frame = job->n_messages++;
  FILE *fp = job->analysis_fp;

  gst_structure_get_uint64 (s, "timestamp", &ts);
  gst_structure_get_uint64 (s, "stream-time", &st);
  gst_structure_get_uint (s, "num-clusters", &k);
  gst_structure_get_uint (s, "iterations", &iterations);
  gst_structure_get_double (s, "inertia", &inertia);
  gst_structure_get_boolean (s, "reinitialized", &reinit);
  gst_structure_get_boolean (s, "scene-cut", &cut);
  if (!cent || !rgb || !counts || gst_value_array_get_size (cent) < k
      || gst_value_array_get_size (rgb) < k
      || gst_value_array_get_size (counts) < k)
    return;

#define TRIPLE(arr, j, c) g_value_get_double (gst_value_array_get_value \
    (gst_value_array_get_value ((arr), (j)), (c)))
#define COUNT(j) g_value_get_uint64 (gst_value_array_get_value (counts, (j)))
  if (app.analysis == ANALYSIS_CSV) {
    if (frame == 0)
      fputs ("frame,timestamp_ns,stream_time_ns,color_space,inertia,"
          "iterations,reinitialized,scene_cut,cluster,count,c0,c1,c2,r,g,b\n",
          fp);
    for (guint j = 0; j < k; j++)
      fprintf (fp, "%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT ",%"
          G_GUINT64_FORMAT ",%s,%.9g,%u,%d,%d,%u,%" G_GUINT64_FORMAT
          ",%.9g,%.9g,%.9g,%.9g,%.9g,%.9g\n", frame, ts, st, space, inertia,
          iterations, reinit, cut, j, COUNT (j), TRIPLE (cent, j, 0),
          TRIPLE (cent, j, 1), TRIPLE (cent, j, 2), TRIPLE (rgb, j, 0),
          TRIPLE (rgb, j, 1), TRIPLE (rgb, j, 2));
  } else {
    fprintf (fp, "{\"frame\":%" G_GUINT64_FORMAT ",\"timestamp_ns\":%"
        G_GUINT64_FORMAT ",\"stream_time_ns\":%" G_GUINT64_FORMAT
        ",\"color_space\":\"%s\",\"num_clusters\":%u,\"inertia\":%.9g,"
        "\"iterations\":%u,\"reinitialized\":%s,\"scene_cut\":%s,"
        "\"counts\":[", frame, ts, st, space, k, inertia, iterations,
        reinit ? "true" : "false", cut ? "true" : "false");
    for (guint j = 0; j < k; j++)
      fprintf (fp, "%s%" G_GUINT64_FORMAT, j ? "," : "", COUNT (j));
    fputs ("],\"centroids\":[", fp);
    for (guint j = 0; j < k; j++)
      fprintf (fp, "%s[%.9g,%.9g,%.9g]", j ? "," : "", TRIPLE (cent, j, 0),
          TRIPLE (cent, j, 1), TRIPLE (cent, j, 2));
    fputs ("],\"centroids_rgb\":[", fp);
    for (guint j = 0; j < k; j++)
      fprintf (fp, "%s[%.9g,%.9g,%.9g]", j ? "," : "", TRIPLE (rgb, j, 0),
          TRIPLE (rgb, j, 1), TRIPLE (rgb, j, 2));
    fputs ("]}\n", fp);
  }
#undef TRIPLE
#undef COUNT
}

/* GstVideoDecoder reports a frame it cannot decode as a WARNING and goes
 * on; for a batch job that is a damaged output, so it fails the file. */
static gboolean
is_decoding_element (GstObject * src)
{
  GstElementFactory *f;
  const gchar *klass;

  if (!GST_IS_ELEMENT (src))
    return FALSE;
  f = gst_element_get_factory (GST_ELEMENT (src));
  klass = f ? gst_element_factory_get_metadata (f,
      GST_ELEMENT_METADATA_KLASS) : NULL;
  return klass && (strstr (klass, "Decoder") || strstr (klass, "Demux")
      || strstr (klass, "Parser"));
}

static gboolean
job_bus_cb (GstBus * bus, GstMessage * msg, gpointer data)
{
  Job *job = data;

  switch (GST_MESSAGE_TYPE (msg)) {
    case GST_MESSAGE_ERROR:{
      GError *err = NULL;
      gchar *dbg = NULL;
      gchar *src = gst_object_get_path_string (GST_MESSAGE_SRC (msg));

      gst_message_parse_error (msg, &err, &dbg);
      g_printerr ("%s: error from %s: %s\n%s\n", job->input, src,
          err->message, dbg ? dbg : "");
      job_fail (job, "%s (%s)", err->message,
          GST_MESSAGE_SRC_NAME (msg) ? GST_MESSAGE_SRC_NAME (msg) : "?");
      g_free (src);
      g_free (dbg);
      g_clear_error (&err);
      return G_SOURCE_REMOVE;
    }
    case GST_MESSAGE_WARNING:{
      GError *err = NULL;
      gchar *dbg = NULL;

      gst_message_parse_warning (msg, &err, &dbg);
      if (is_decoding_element (GST_MESSAGE_SRC (msg)) && job->warning == NULL)
        job->warning = g_strdup_printf ("%s (%s)", err->message,
            GST_MESSAGE_SRC_NAME (msg));
      else
        g_printerr ("%s: warning from %s: %s\n", job->input,
            GST_MESSAGE_SRC_NAME (msg), err->message);
      g_free (dbg);
      g_clear_error (&err);
      break;
    }
    case GST_MESSAGE_EOS:
      job_complete (job);
      return G_SOURCE_REMOVE;
    case GST_MESSAGE_ELEMENT:
      if (job->analysis_fp && GST_MESSAGE_SRC (msg) == GST_OBJECT (job->kmeans)
          && gst_message_has_name (msg, "kmeansseg"))
        write_analysis (job, gst_message_get_structure (msg));
      break;
    default:
      break;
  }
  return G_SOURCE_CONTINUE;
}

/* *pos becomes the end of buf where that is later (under job's lock) */
static void
raise_end (Job * job, GstBuffer * buf, GstClockTime * pos)
{
  GstClockTime end = GST_BUFFER_PTS (buf);

  if (!GST_CLOCK_TIME_IS_VALID (end))
    return;
  if (GST_BUFFER_DURATION_IS_VALID (buf))
    end += GST_BUFFER_DURATION (buf);
  g_mutex_lock (&job->lock);
  if (!GST_CLOCK_TIME_IS_VALID (*pos) || end > *pos)
    *pos = end;
  g_mutex_unlock (&job->lock);
}

static GstPadProbeReturn
filter_in_probe (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  Job *job = data;

  raise_end (job, GST_PAD_PROBE_INFO_BUFFER (info), &job->video_pos);
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
filter_out_probe (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  Job *job = data;

  g_mutex_lock (&job->lock);
  job->frames++;
  g_mutex_unlock (&job->lock);
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
mux_in_probe (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  Job *job = data;

  raise_end (job, GST_PAD_PROBE_INFO_BUFFER (info), &job->muxed_end);
  return GST_PAD_PROBE_OK;
}

static void
mux_pad_added (GstElement * mux, GstPad * pad, gpointer data)
{
  if (GST_PAD_IS_SINK (pad))
    gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, mux_in_probe, data,
        NULL);
}

static void
deep_element_added (GstBin * bin, GstBin * sub, GstElement * el, gpointer data)
{
  Job *job = data;
  GstElementFactory *f = gst_element_get_factory (el);
  const gchar *klass = f ? gst_element_factory_get_metadata (f,
      GST_ELEMENT_METADATA_KLASS) : NULL;
  GstObject *p;

  if (klass == NULL || strstr (klass, "Muxer") == NULL)
    return;
  /* the main output's muxer only: the label map's lies inside the filter */
  for (p = gst_object_get_parent (GST_OBJECT (el)); p;) {
    GstObject *up = gst_object_get_parent (p);
    gboolean inside = p == GST_OBJECT (job->filter);
    gst_object_unref (p);
    p = up;
    if (inside) {
      gst_clear_object (&p);
      return;
    }
  }
  g_signal_connect (el, "pad-added", G_CALLBACK (mux_pad_added), job);
}

static GstElement *
find_last_kmeans (GstBin * bin)
{
  GstIterator *it = gst_bin_iterate_recurse (bin);
  GValue v = G_VALUE_INIT;
  GstElement *found = NULL;
  gboolean done = FALSE;

  /* gst_bin_iterate_recurse goes from the sink end upstream */
  while (!done) {
    switch (gst_iterator_next (it, &v)) {
      case GST_ITERATOR_OK:{
        GstElement *el = g_value_get_object (&v);
        GstElementFactory *f = gst_element_get_factory (el);
        if (found == NULL && f
            && strcmp (GST_OBJECT_NAME (f), "kmeansseg") == 0)
          found = gst_object_ref (el);
        g_value_reset (&v);
        break;
      }
      case GST_ITERATOR_RESYNC:
        gst_clear_object (&found);
        gst_iterator_resync (it);
        break;
      default:
        done = TRUE;
        break;
    }
  }
  g_value_unset (&v);
  gst_iterator_free (it);
  return found;
}

/* Each element that spreads work over threads by itself (n-threads = 0:
 * one per core) gets a share of the cores instead, so N jobs do not run
 * N x cores threads. */
static void
split_threads (GstBin * bin)
{
  GstIterator *it = gst_bin_iterate_recurse (bin);
  GValue v = G_VALUE_INIT;

  while (gst_iterator_next (it, &v) == GST_ITERATOR_OK) {
    GObject *el = g_value_get_object (&v);
    GParamSpec *ps = g_object_class_find_property (G_OBJECT_GET_CLASS (el),
        "n-threads");
    if (ps && ps->value_type == G_TYPE_UINT && (ps->flags & G_PARAM_WRITABLE)) {
      guint n;
      g_object_get (el, "n-threads", &n, NULL);
      if (n == 0)
        g_object_set (el, "n-threads", app.n_threads, NULL);
    }
    g_value_reset (&v);
  }
  g_value_unset (&v);
  gst_iterator_free (it);
}

static const gchar *
labels_profile_string (void)
{
  GstElementFactory *f;

  if (opt.labels_profile)
    return opt.labels_profile;
  f = gst_element_factory_find ("avenc_ffv1");
  if (f) {
    gst_object_unref (f);
    return "video/x-matroska:video/x-ffv,ffvversion=1";
  }
  return "video/x-matroska:video/x-raw,format=GRAY8";
}

/* The label map: a tee in front of the last kmeansseg, and on its second
 * branch a copy of that kmeansseg (same properties and seed, so the same
 * clusters) in mode=labels, encoded losslessly to its own file. */
static gboolean
add_label_branch (Job * job, GstBin * filter, GError ** error)
{
  GstElement *km = job->kmeans;
  GstBin *parent = GST_BIN (gst_object_get_parent (GST_OBJECT (km)));
  GstElement *tee, *q1, *q2, *km2, *enc, *sink;
  GstPad *km_sink = gst_element_get_static_pad (km, "sink");
  GstPad *peer = gst_pad_get_peer (km_sink);
  GstEncodingProfile *prof;
  GParamSpec **props;
  guint n_props;
  gboolean ok = FALSE;
  GstPad *tee_sink, *enc_sink, *km2_src;

  prof = profile_from_string (labels_profile_string ());
  if (prof == NULL) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "bad --labels-profile '%s'", labels_profile_string ());
    goto done;
  }
  tee = gst_element_factory_make ("tee", NULL);
  q1 = gst_element_factory_make ("queue", NULL);
  q2 = gst_element_factory_make ("queue", NULL);
  km2 = gst_element_factory_make ("kmeansseg", NULL);
  enc = gst_element_factory_make ("encodebin", NULL);
  sink = gst_element_factory_make ("filesink", NULL);
  if (!tee || !q1 || !q2 || !km2 || !enc || !sink) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
        "missing tee, queue, encodebin or filesink");
    gst_object_unref (prof);
    goto done;
  }
  props = g_object_class_list_properties (G_OBJECT_GET_CLASS (km), &n_props);
  for (guint i = 0; i < n_props; i++) {
    GParamSpec *ps = props[i];
    GValue val = G_VALUE_INIT;
    if ((ps->flags & G_PARAM_READWRITE) != G_PARAM_READWRITE
        || (ps->flags & G_PARAM_CONSTRUCT_ONLY)
        || strcmp (ps->name, "name") == 0 || strcmp (ps->name, "parent") == 0)
      continue;
    g_value_init (&val, ps->value_type);
    g_object_get_property (G_OBJECT (km), ps->name, &val);
    g_object_set_property (G_OBJECT (km2), ps->name, &val);
    g_value_unset (&val);
  }
  g_free (props);
  gst_util_set_object_arg (G_OBJECT (km2), "mode", "labels");
  g_object_set (km2, "post-messages", FALSE, NULL);
  g_object_set (enc, "profile", prof, NULL);
  gst_object_unref (prof);
  g_object_set (sink, "location", job->labels_tmp, NULL);
  /* the label branch must not hold the main one back */
  g_object_set (q1, "max-size-buffers", 8, "max-size-bytes", 0,
      "max-size-time", (guint64) 0, NULL);
  g_object_set (q2, "max-size-buffers", 8, "max-size-bytes", 0,
      "max-size-time", (guint64) 0, NULL);

  gst_bin_add_many (parent, tee, q1, q2, km2, enc, sink, NULL);
  tee_sink = gst_element_get_static_pad (tee, "sink");
  if (peer) {
    gst_pad_unlink (peer, km_sink);
    ok = gst_pad_link (peer, tee_sink) == GST_PAD_LINK_OK;
  } else {
    /* kmeansseg is first in the bin: its sink pad is the ghost's target */
    GstPad *ghost = gst_element_get_static_pad (GST_ELEMENT (filter), "sink");
    ok = ghost && gst_ghost_pad_set_target (GST_GHOST_PAD (ghost), tee_sink);
    gst_clear_object (&ghost);
  }
  gst_object_unref (tee_sink);
  ok = ok && gst_element_link_many (tee, q1, km, NULL)
      && gst_element_link_many (tee, q2, km2, NULL);
  if (ok) {
    km2_src = gst_element_get_static_pad (km2, "src");
    enc_sink = gst_element_get_compatible_pad (enc, km2_src, NULL);
    ok = enc_sink && gst_pad_link (km2_src, enc_sink) == GST_PAD_LINK_OK
        && gst_element_link (enc, sink);
    gst_clear_object (&enc_sink);
    gst_object_unref (km2_src);
  }
  if (!ok)
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
        "cannot add the label map branch (label profile '%s')",
        labels_profile_string ());
done:
  gst_clear_object (&peer);
  gst_object_unref (km_sink);
  gst_object_unref (parent);
  return ok;
}

static void
drop_log (const gchar * domain, GLogLevelFlags level, const gchar * message,
    gpointer data)
{
}

/* uritranscodebin 1.22 unrefs its previous video filter without checking
 * for NULL, so the first (and only) set warns "gst_object_unref: assertion
 * 'object != NULL' failed", harmlessly; that one warning is kept quiet
 * (and not fatal under G_DEBUG=fatal-criticals). */
static void
set_video_filter (GstElement * pipeline, GstElement * filter)
{
  GLogLevelFlags fatal;
  guint handler, major, minor, micro, nano;

  gst_version (&major, &minor, &micro, &nano);
  if (major > 1 || minor >= 24) {
    g_object_set (pipeline, "video-filter", filter, NULL);
    return;
  }
  fatal = g_log_set_always_fatal (G_LOG_FATAL_MASK);
  handler = g_log_set_handler ("GStreamer", G_LOG_LEVEL_CRITICAL, drop_log,
      NULL);
  g_object_set (pipeline, "video-filter", filter, NULL);
  g_log_remove_handler ("GStreamer", handler);
  g_log_set_always_fatal (fatal);
}

/* an audio stream profile that passes the input's audio through as is */
static GstEncodingProfile *
copy_audio_profile (GstDiscovererStreamInfo * si)
{
  GstCaps *caps = gst_discoverer_stream_info_get_caps (si);
  GstEncodingAudioProfile *p;

  caps = gst_caps_make_writable (caps);
  for (guint i = 0; i < gst_caps_get_size (caps); i++)
    gst_structure_remove_fields (gst_caps_get_structure (caps, i),
        "codec_data", "streamheader", "level", "profile", "framed", "parsed",
        NULL);
  p = gst_encoding_audio_profile_new (caps, NULL, NULL, 0);
  gst_caps_unref (caps);
  return GST_ENCODING_PROFILE (p);
}

static gboolean
profile_has_audio (GstEncodingProfile * prof)
{
  if (!GST_IS_ENCODING_CONTAINER_PROFILE (prof))
    return GST_IS_ENCODING_AUDIO_PROFILE (prof);
  for (const GList * l = gst_encoding_container_profile_get_profiles
      (GST_ENCODING_CONTAINER_PROFILE (prof)); l; l = l->next)
    if (GST_IS_ENCODING_AUDIO_PROFILE (l->data))
      return TRUE;
  return FALSE;
}

static GstEncodingProfile *
job_profile (Job * job, GstDiscovererInfo * info, gboolean * avoid_reencoding,
    GError ** error)
{
  GstEncodingProfile *prof;
  gboolean has_audio = profile_has_audio (app.profile);

  *avoid_reencoding = FALSE;
  if (job->n_audio_in == 0)
    return gst_encoding_profile_copy (app.profile);
  if (!GST_IS_ENCODING_CONTAINER_PROFILE (app.profile)) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "the input has audio and the profile names no container to put it "
        "in; give a container (\"video/x-matroska:...\")");
    return NULL;
  }
  if (app.audio == AUDIO_COPY) {
    GList *audio = gst_discoverer_info_get_audio_streams (info);
    GstCaps *format = gst_encoding_profile_get_format (app.profile);

    /* rebuilt from parts: GstEncodingContainerProfile has no remove */
    prof = GST_ENCODING_PROFILE (gst_encoding_container_profile_new
        (gst_encoding_profile_get_name (app.profile), NULL, format, NULL));
    gst_caps_unref (format);
    for (const GList * l = gst_encoding_container_profile_get_profiles
        (GST_ENCODING_CONTAINER_PROFILE (app.profile)); l; l = l->next)
      if (!GST_IS_ENCODING_AUDIO_PROFILE (l->data))
        gst_encoding_container_profile_add_profile
            (GST_ENCODING_CONTAINER_PROFILE (prof),
            gst_encoding_profile_copy (l->data));
    /* one audio profile (any number of streams) serves them all */
    if (audio)
      gst_encoding_container_profile_add_profile
          (GST_ENCODING_CONTAINER_PROFILE (prof), copy_audio_profile
          (audio->data));
    gst_discoverer_stream_info_list_free (audio);
    *avoid_reencoding = TRUE;
    return prof;
  }
  if (!has_audio) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "the input has %u audio stream(s) and the profile has no audio "
        "format: add one (\"...:audio/x-vorbis\") or use --audio=copy",
        job->n_audio_in);
    return NULL;
  }
  *avoid_reencoding = app.audio == AUDIO_AUTO;
  return gst_encoding_profile_copy (app.profile);
}

static void
job_start (Job * job)
{
  GError *err = NULL;
  GstDiscovererInfo *info;
  GList *videos;
  GstElement *filter;
  GstEncodingProfile *prof;
  gboolean avoid;
  gchar *src_uri, *dest_uri, *dir;
  GstPad *pad;
  GstStateChangeReturn ret;

  job->state = JOB_RUNNING;
  job->t_start = g_get_monotonic_time ();
  app.running++;

  dir = g_path_get_dirname (job->output);
  if (g_mkdir_with_parents (dir, 0777) != 0) {
    job_fail (job, "cannot create the folder %s: %s", dir, g_strerror (errno));
    g_free (dir);
    return;
  }
  g_free (dir);

  info = discover (job->input, &err);
  if (info == NULL) {
    job_fail (job, "cannot read the input: %s", err ? err->message : "?");
    g_clear_error (&err);
    return;
  }
  job->duration = gst_discoverer_info_get_duration (info);
  job->n_audio_in = count_streams (info, GST_TYPE_DISCOVERER_AUDIO_INFO);
  videos = gst_discoverer_info_get_video_streams (info);
  if (videos == NULL || videos->next != NULL) {
    job_fail (job, "the input has %u video streams; one is needed",
        g_list_length (videos));
    gst_discoverer_stream_info_list_free (videos);
    gst_discoverer_info_unref (info);
    return;
  }
  if (count_streams (info, GST_TYPE_DISCOVERER_SUBTITLE_INFO) > 0) {
    /* uritranscodebin 1.22 stalls on a stream that its profile has no
     * place for, instead of leaving it out */
    job_fail (job, "the input has subtitle streams, which this tool cannot "
        "carry over (uritranscodebin stalls on them); remux without them "
        "first");
    gst_discoverer_stream_info_list_free (videos);
    gst_discoverer_info_unref (info);
    return;
  }
  job->fps_n = gst_discoverer_video_info_get_framerate_num (videos->data);
  job->fps_d = gst_discoverer_video_info_get_framerate_denom (videos->data);
  gst_discoverer_stream_info_list_free (videos);

  prof = job_profile (job, info, &avoid, &err);
  gst_discoverer_info_unref (info);
  if (prof == NULL) {
    job_fail (job, "%s", err->message);
    g_clear_error (&err);
    return;
  }

  filter = gst_parse_bin_from_description_full (opt.filter ? opt.filter :
      "identity", TRUE, NULL, GST_PARSE_FLAG_FATAL_ERRORS, &err);
  if (filter == NULL) {
    gst_object_unref (prof);
    job_fail (job, "bad --filter: %s", err->message);
    g_clear_error (&err);
    return;
  }
  job->filter = filter;
  split_threads (GST_BIN (filter));
  if (app.analysis != ANALYSIS_NONE || job->labels) {
    job->kmeans = find_last_kmeans (GST_BIN (filter));
    if (job->kmeans == NULL) {
      gst_object_unref (filter);
      gst_object_unref (prof);
      job_fail (job, "--analysis and --labels need a kmeansseg in --filter");
      return;
    }
  }
  if (app.analysis != ANALYSIS_NONE) {
    g_object_set (job->kmeans, "post-messages", TRUE, NULL);
    job->analysis_fp = g_fopen (job->analysis_tmp, "w");
    if (job->analysis_fp == NULL) {
      gst_object_unref (filter);
      gst_object_unref (prof);
      job_fail (job, "cannot write %s: %s", job->analysis_tmp,
          g_strerror (errno));
      return;
    }
  }
  if (job->labels && !add_label_branch (job, GST_BIN (filter), &err)) {
    gst_object_unref (filter);
    gst_object_unref (prof);
    job_fail (job, "%s", err->message);
    g_clear_error (&err);
    return;
  }

  pad = gst_element_get_static_pad (filter, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, filter_in_probe, job,
      NULL);
  gst_object_unref (pad);
  pad = gst_element_get_static_pad (filter, "src");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, filter_out_probe, job,
      NULL);
  gst_object_unref (pad);

  job->pipeline = gst_element_factory_make ("uritranscodebin", NULL);
  src_uri = gst_filename_to_uri (job->input, NULL);
  dest_uri = gst_filename_to_uri (job->output_tmp, NULL);
  g_object_set (job->pipeline, "source-uri", src_uri, "dest-uri", dest_uri,
      "profile", prof, "avoid-reencoding", avoid, NULL);
  set_video_filter (job->pipeline, filter);
  g_free (src_uri);
  g_free (dest_uri);
  gst_object_unref (prof);
  g_signal_connect (job->pipeline, "deep-element-added",
      G_CALLBACK (deep_element_added), job);
  gst_bus_add_watch (GST_ELEMENT_BUS (job->pipeline), job_bus_cb, job);

  ret = gst_element_set_state (job->pipeline, GST_STATE_PLAYING);
  if (ret == GST_STATE_CHANGE_FAILURE) {
    GstMessage *m = gst_bus_pop_filtered (GST_ELEMENT_BUS (job->pipeline),
        GST_MESSAGE_ERROR);
    if (m) {
      gst_message_parse_error (m, &err, NULL);
      job_fail (job, "cannot start: %s", err->message);
      g_clear_error (&err);
      gst_message_unref (m);
    } else {
      job_fail (job, "cannot start the pipeline");
    }
  }
}

static void
start_next_jobs (void)
{
  while (!app.interrupted && app.running < (guint) opt.jobs
      && app.next < app.jobs->len) {
    Job *job = app.jobs->pdata[app.next++];

    if (!opt.overwrite && g_file_test (job->output, G_FILE_TEST_EXISTS)) {
      job->state = JOB_SKIPPED;
      report_job (job);
      continue;
    }
    job_start (job);
  }
  if (app.running == 0 && (app.interrupted || app.next >= app.jobs->len))
    g_main_loop_quit (app.loop);
}

static gboolean
on_signal (gpointer data)
{
  if (app.interrupted)
    return G_SOURCE_CONTINUE;
  app.interrupted = TRUE;
  /* the partial outputs go first, and a second signal kills at once,
   * should a pipeline not stop */
  for (guint i = 0; i < app.jobs->len; i++) {
    Job *job = app.jobs->pdata[i];
    if (job->state == JOB_RUNNING)
      remove_tmp_files (job);
  }
  signal (SIGINT, SIG_DFL);
  signal (SIGTERM, SIG_DFL);
  signal (SIGHUP, SIG_DFL);
  print_line ("interrupted: stopping, removing partial outputs");
  for (guint i = 0; i < app.jobs->len; i++) {
    Job *job = app.jobs->pdata[i];
    if (job->state == JOB_RUNNING)
      job_finish (job, JOB_INTERRUPTED, g_strdup ("interrupted"));
  }
  g_main_loop_quit (app.loop);
  return G_SOURCE_CONTINUE;
}

/* ---- main ---- */

static gboolean
parse_enum (const gchar * val, const gchar * const *names, gint * out)
{
  for (gint i = 0; names[i]; i++)
    if (g_strcmp0 (val, names[i]) == 0) {
      *out = i;
      return TRUE;
    }
  return FALSE;
}

static int usage_error (GOptionContext * ctx, const gchar * fmt, ...)
    G_GNUC_PRINTF (2, 3);

static int
usage_error (GOptionContext * ctx, const gchar * fmt, ...)
{
  va_list ap;
  gchar *msg;

  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_printerr ("unsupervised-batch: %s\n(see --help)\n", msg);
  g_free (msg);
  g_option_context_free (ctx);
  return 2;
}

int
main (int argc, char **argv)
{
  static const gchar *const audio_names[] = { "auto", "copy", "encode", NULL };
  static const gchar *const progress_names[] =
      { "tty", "plain", "json", "none", NULL };
  static const gchar *const analysis_names[] = { "none", "jsonl", "csv", NULL };
  GOptionContext *ctx;
  GError *err = NULL;
  GPtrArray *inputs;
  GHashTable *outputs;
  guint shard_i, shard_n;
  gchar *shard_origin = NULL;
  const gchar *ext;
  gint mode;
  guint n_failed = 0, n_ok = 0, n_skipped = 0, n_interrupted = 0;
  GstElementFactory *f;
  int status;

  setvbuf (stdout, NULL, _IOLBF, 0);
  ctx = g_option_context_new ("- filter and transcode many videos");
  g_option_context_set_summary (ctx,
      "Runs a GStreamer video filter over files, folders or a list of files, "
      "with progress, parallel jobs, resume and shards (Slurm arrays). Exit "
      "status: 0 all done or skipped, 1 some file failed, 2 bad usage, 130 "
      "interrupted.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, &argc, &argv, &err)) {
    int r = usage_error (ctx, "%s", err->message);
    g_clear_error (&err);
    return r;
  }

  if (opt.output == NULL)
    return usage_error (ctx, "--output is required");
  if (opt.jobs < 1 || opt.jobs > 256)
    return usage_error (ctx, "--jobs must be 1..256, not %d", opt.jobs);
  mode = 0;
  if (opt.audio && !parse_enum (opt.audio, audio_names, &mode))
    return usage_error (ctx, "--audio must be auto, copy or encode");
  app.audio = (AudioMode) mode;
  mode = isatty (fileno (stderr)) ? PROGRESS_TTY : PROGRESS_PLAIN;
  if (opt.progress && !parse_enum (opt.progress, progress_names, &mode))
    return usage_error (ctx, "--progress must be tty, plain, json or none");
  app.progress = (ProgressMode) mode;
  mode = 0;
  if (opt.analysis && !parse_enum (opt.analysis, analysis_names, &mode))
    return usage_error (ctx, "--analysis must be jsonl or csv");
  app.analysis = (AnalysisMode) mode;
  if (opt.stall_timeout < 0)
    return usage_error (ctx, "--stall-timeout must be 0 or more");
  if (opt.interval < 0)
    return usage_error (ctx, "--interval must be positive");
  if (opt.interval == 0)
    opt.interval = app.progress == PROGRESS_TTY ? 0.5 : 5.0;
  app.out = app.progress == PROGRESS_JSON ? stdout : stderr;

  f = gst_element_factory_find ("uritranscodebin");
  if (f == NULL) {
    g_printerr ("unsupervised-batch: the uritranscodebin element is missing "
        "(gst-plugins-bad's transcode plugin; Debian: gstreamer1.0-plugins-"
        "bad)\n");
    g_option_context_free (ctx);
    return 2;
  }
  gst_object_unref (f);

  app.profile = profile_from_string (opt.profile ? opt.profile :
      DEFAULT_PROFILE);
  if (app.profile == NULL)
    return usage_error (ctx, "cannot parse the encoding profile '%s'",
        opt.profile);
  if (opt.filter) {
    GstElement *test = gst_parse_bin_from_description_full (opt.filter, TRUE,
        NULL, GST_PARSE_FLAG_FATAL_ERRORS, &err);
    if (test == NULL) {
      int r = usage_error (ctx, "bad --filter '%s': %s", opt.filter,
          err->message);
      g_clear_error (&err);
      return r;
    }
    gst_object_unref (test);
  }
  if (!parse_shard (&shard_i, &shard_n, &shard_origin, &err)) {
    int r = usage_error (ctx, "%s", err->message);
    g_clear_error (&err);
    return r;
  }

  inputs = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; opt.inputs && opt.inputs[i]; i++)
    if (!add_input (inputs, opt.inputs[i], &err))
      break;
  if (err == NULL && opt.list)
    add_list_file (inputs, opt.list, &err);
  if (err) {
    int r = usage_error (ctx, "%s", err->message);
    g_clear_error (&err);
    g_ptr_array_unref (inputs);
    return r;
  }
  if (inputs->len == 0) {
    g_ptr_array_unref (inputs);
    return usage_error (ctx, "no input files");
  }

  ext = gst_encoding_profile_get_file_extension (app.profile);
  if (ext == NULL)
    ext = "mkv";
  app.jobs = g_ptr_array_new_with_free_func ((GDestroyNotify) job_free);
  outputs = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < inputs->len; i++) {
    Job *job;
    gchar *out;

    if (i % shard_n != shard_i)
      continue;
    if (strchr (opt.output, '{')) {
      out = expand_template (opt.output, inputs->pdata[i], i, ext, &err);
      if (out == NULL)
        break;
    } else {
      gchar *stem = stem_of (inputs->pdata[i]);
      gchar *name = g_strdup_printf ("%s.%s", stem, ext);
      out = g_build_filename (opt.output, name, NULL);
      g_free (stem);
      g_free (name);
    }
    job = g_new0 (Job, 1);
    g_mutex_init (&job->lock);
    job->index = i;
    job->input = g_strdup (inputs->pdata[i]);
    job->output = out;
    job->output_tmp = tmp_name (out);
    job->duration = GST_CLOCK_TIME_NONE;
    job->video_pos = GST_CLOCK_TIME_NONE;
    job->muxed_end = GST_CLOCK_TIME_NONE;
    if (app.analysis != ANALYSIS_NONE) {
      job->analysis = beside (out, app.analysis == ANALYSIS_CSV ?
          ".kmeansseg.csv" : ".kmeansseg.jsonl");
      job->analysis_tmp = tmp_name (job->analysis);
    }
    if (opt.labels) {
      job->labels = beside (out, ".labels.mkv");
      job->labels_tmp = tmp_name (job->labels);
    }
    g_ptr_array_add (app.jobs, job);
    if (g_hash_table_contains (outputs, out)
        || strcmp (out, job->input) == 0) {
      g_set_error (&err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
          "output %s would be written twice or over its input (use {name}, "
          "{parent} or {index} in the output template)", out);
      break;
    }
    g_hash_table_add (outputs, out);
  }
  g_hash_table_unref (outputs);
  g_ptr_array_unref (inputs);
  if (err) {
    int r = usage_error (ctx, "%s", err->message);
    g_clear_error (&err);
    g_ptr_array_unref (app.jobs);
    return r;
  }
  g_option_context_free (ctx);

  app.n_threads = MAX (1, g_get_num_processors () / (guint) opt.jobs);
  if (shard_origin && app.progress != PROGRESS_NONE) {
    gchar *line = g_strdup_printf ("shard %u/%u (%s): %u file(s)", shard_i,
        shard_n, shard_origin, app.jobs->len);
    if (app.progress == PROGRESS_JSON)
      fprintf (app.out, "{\"event\":\"shard\",\"index\":%u,\"count\":%u,"
          "\"files\":%u}\n", shard_i, shard_n, app.jobs->len);
    else
      print_line (line);
    g_free (line);
  }
  g_free (shard_origin);

  app.loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, on_signal, NULL);
  g_unix_signal_add (SIGTERM, on_signal, NULL);
  g_unix_signal_add (SIGHUP, on_signal, NULL);
  g_timeout_add ((guint) (opt.interval * 1000), progress_tick, NULL);
  g_timeout_add_seconds (1, stall_check, NULL);
  app.t_start = g_get_monotonic_time ();
  g_idle_add (start_next_idle, NULL);
  g_main_loop_run (app.loop);
  clear_drawn ();

  for (guint i = 0; i < app.jobs->len; i++) {
    Job *job = app.jobs->pdata[i];
    switch (job->state) {
      case JOB_OK:
        n_ok++;
        break;
      case JOB_SKIPPED:
        n_skipped++;
        break;
      case JOB_FAILED:
        n_failed++;
        break;
      default:
        n_interrupted++;
        break;
    }
  }
  /* the summary, on stdout whatever --progress says */
  if (app.progress == PROGRESS_JSON) {
    printf ("{\"event\":\"summary\",\"files\":%u,\"ok\":%u,\"skipped\":%u,"
        "\"failed\":%u,\"not_done\":%u,\"seconds\":%.2f}\n", app.jobs->len,
        n_ok, n_skipped, n_failed, n_interrupted,
        (g_get_monotonic_time () - app.t_start) / 1e6);
  } else {
    printf ("summary:\n");
    for (guint i = 0; i < app.jobs->len; i++) {
      Job *job = app.jobs->pdata[i];
      printf ("  %-11s %s%s%s\n", state_name (job->state), job->input,
          job->error ? ": " : "", job->error ? job->error : "");
    }
    printf ("%u file(s): %u ok, %u skipped, %u failed, %u not done\n",
        app.jobs->len, n_ok, n_skipped, n_failed, n_interrupted);
  }

  status = app.interrupted ? 130 : n_failed ? 1 : 0;
  g_ptr_array_unref (app.jobs);
  gst_object_unref (app.profile);
  g_main_loop_unref (app.loop);
  return status;
}
