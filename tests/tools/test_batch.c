/* unsupervised-batch on clips made here (VP8 + Vorbis in Matroska): the
 * outputs play with their audio and every frame; the kmeansseg analysis
 * matches the element's own bus messages; a truncated input fails; a rerun
 * skips what is done; SIGINT leaves no partial output; shards split the
 * inputs; bad usage exits 2. Needs vp8enc/vorbisenc (gst-plugins-good and
 * -base) and uritranscodebin (gst-plugins-bad); skips (77) without them. */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <json-glib/json-glib.h>
#include <gst/pbutils/pbutils.h>

#define N_FRAMES 24
#define FILTER "kmeansseg num-clusters=4 seed=3"

static gchar *tool;
static gchar *dir;

static void
make_clip (const gchar * path, guint frames, gint pattern)
{
  gchar *desc = g_strdup_printf ("videotestsrc num-buffers=%u pattern=%d ! "
      "video/x-raw,width=96,height=64,framerate=24/1 ! vp8enc deadline=1 ! "
      "queue ! matroskamux name=m ! filesink location=%s "
      "audiotestsrc samplesperbuffer=1600 num-buffers=%u ! "
      "audio/x-raw,rate=16000,channels=1 ! vorbisenc ! queue ! m.", frames,
      pattern, path, frames * 10 / 24);
  GError *err = NULL;
  GstElement *p = gst_parse_launch (desc, &err);
  GstMessage *m;

  g_assert_no_error (err);
  gst_element_set_state (p, GST_STATE_PLAYING);
  m = gst_bus_timed_pop_filtered (GST_ELEMENT_BUS (p), 30 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_nonnull (m);
  g_assert_cmpint (GST_MESSAGE_TYPE (m), ==, GST_MESSAGE_EOS);
  gst_message_unref (m);
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (p);
  g_free (desc);
}

/* runs the tool; its exit status, its stdout in *out */
static gint
run_tool (gchar ** out, const gchar * first, ...)
{
  GPtrArray *argv = g_ptr_array_new ();
  va_list ap;
  gint status;
  gchar *err_text = NULL;
  GError *err = NULL;

  g_ptr_array_add (argv, tool);
  va_start (ap, first);
  for (const gchar * a = first; a; a = va_arg (ap, const gchar *))
      g_ptr_array_add (argv, (gchar *) a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (gchar **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL,
      NULL, out, &err_text, &status, &err);
  g_assert_no_error (err);
  g_printerr ("%s", err_text);
  g_free (err_text);
  g_ptr_array_unref (argv);
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

static void
count_cb (GstElement * sink, GstBuffer * buf, GstPad * pad, gpointer data)
{
  (*(guint *) data)++;
}

static void
pad_added (GstElement * dec, GstPad * pad, GstBin * bin)
{
  GstCaps *caps = gst_pad_query_caps (pad, NULL);
  const gchar *name = gst_structure_get_name (gst_caps_get_structure (caps,
          0));
  GstElement *sink = gst_bin_get_by_name (bin, g_str_has_prefix (name,
          "video") ? "v" : "a");
  GstPad *sp = gst_element_get_static_pad (sink, "sink");

  g_assert_cmpint (gst_pad_link (pad, sp), ==, GST_PAD_LINK_OK);
  gst_object_unref (sp);
  gst_object_unref (sink);
  gst_caps_unref (caps);
}

/* decodes a file to the end: its video frames and audio buffers */
static void
decode_counts (const gchar * path, guint * video, guint * audio)
{
  GstElement *p = gst_pipeline_new (NULL);
  GstElement *dec = gst_element_factory_make ("uridecodebin", NULL);
  GstElement *v = gst_element_factory_make ("fakesink", "v");
  GstElement *a = gst_element_factory_make ("fakesink", "a");
  gchar *uri = gst_filename_to_uri (path, NULL);
  GstMessage *m;

  *video = *audio = 0;
  g_object_set (dec, "uri", uri, NULL);
  g_object_set (v, "signal-handoffs", TRUE, "sync", FALSE, NULL);
  g_object_set (a, "signal-handoffs", TRUE, "sync", FALSE, NULL);
  g_signal_connect (v, "handoff", G_CALLBACK (count_cb), video);
  g_signal_connect (a, "handoff", G_CALLBACK (count_cb), audio);
  g_signal_connect (dec, "pad-added", G_CALLBACK (pad_added), p);
  gst_bin_add_many (GST_BIN (p), dec, v, a, NULL);
  /* a file without audio would never preroll the audio sink */
  g_object_set (a, "async", FALSE, NULL);
  gst_element_set_state (p, GST_STATE_PLAYING);
  m = gst_bus_timed_pop_filtered (GST_ELEMENT_BUS (p), 30 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_nonnull (m);
  g_assert_cmpint (GST_MESSAGE_TYPE (m), ==, GST_MESSAGE_EOS);
  gst_message_unref (m);
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (p);
  g_free (uri);
}

static gchar *
in_dir (const gchar * name)
{
  return g_build_filename (dir, name, NULL);
}

static void
test_batch_folder (void)
{
  gchar *in = in_dir ("in"), *out = in_dir ("out");
  gchar *stdout_text = NULL;
  const gchar *names[] = { "a", "b" };

  g_assert_cmpint (run_tool (&stdout_text, "--filter", FILTER, "--output",
          out, "--analysis=jsonl", "--progress=plain", "--jobs=2", in, NULL),
      ==, 0);
  g_assert_nonnull (strstr (stdout_text, "2 ok, 0 skipped, 0 failed"));
  g_free (stdout_text);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
    gchar *name = g_strdup_printf ("%s.mkv", names[i]);
    gchar *path = g_build_filename (out, name, NULL);
    gchar *part = g_strdup_printf ("%s/.%s.part", out, name);
    guint nv, na;

    g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
    g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
    decode_counts (path, &nv, &na);
    g_assert_cmpuint (nv, ==, N_FRAMES);
    g_assert_cmpuint (na, >, 0);
    g_free (name);
    g_free (path);
    g_free (part);
  }
  g_free (in);
  g_free (out);
}

/* --progress=json: every line of stdout is a JSON object with an event;
 * progress and overall lines while the files run, a file line for each
 * input with its status and frames, a summary at the end */
static void
test_batch_json (void)
{
  gchar *in = in_dir ("in"), *out = in_dir ("out-json");
  gchar *stdout_text = NULL;
  gchar **lines;
  guint n_file = 0, n_overall = 0, n_summary = 0;

  g_assert_cmpint (run_tool (&stdout_text, "--filter", FILTER, "--output",
          out, "--progress=json", "--interval=0.05", "--jobs=2", in, NULL),
      ==, 0);
  lines = g_strsplit (stdout_text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    JsonParser *parser;
    JsonObject *o;
    const gchar *event;
    GError *err = NULL;

    if (*lines[i] == '\0')
      continue;
    parser = json_parser_new ();
    if (!json_parser_load_from_data (parser, lines[i], -1, &err))
      g_error ("not JSON: \"%s\": %s", lines[i], err->message);
    g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
    o = json_node_get_object (json_parser_get_root (parser));
    event = json_object_get_string_member (o, "event");
    g_assert_nonnull (event);
    if (g_str_equal (event, "file")) {
      g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "ok");
      g_assert_cmpint (json_object_get_int_member (o, "frames"), ==,
          N_FRAMES);
      n_file++;
    } else if (g_str_equal (event, "overall")) {
      gdouble p = json_object_get_double_member (o, "percent");
      g_assert_cmpfloat (p, >=, 0.0);
      g_assert_cmpfloat (p, <=, 100.0);
      n_overall++;
    } else if (g_str_equal (event, "summary")) {
      g_assert_cmpint (json_object_get_int_member (o, "ok"), ==, 2);
      g_assert_cmpint (json_object_get_int_member (o, "failed"), ==, 0);
      n_summary++;
    } else
      g_assert_cmpstr (event, ==, "progress");
    g_object_unref (parser);
  }
  g_assert_cmpuint (n_file, ==, 2);
  g_assert_cmpuint (n_summary, ==, 1);
  g_assert_cmpuint (n_overall, >=, 1);
  g_strfreev (lines);
  g_free (stdout_text);
  g_free (in);
  g_free (out);
}

/* the JSON Lines file against the messages kmeansseg posts for the same
 * frames in a pipeline of our own */
static void
test_batch_analysis (void)
{
  gchar *jsonl = in_dir ("out/a.kmeansseg.jsonl");
  gchar *src = in_dir ("in/a.mkv");
  gchar *text = NULL, **lines;
  gchar *desc = g_strdup_printf ("filesrc location=%s ! matroskademux ! "
      "vp8dec ! videoconvert ! " FILTER " post-messages=true ! fakesink",
      src);
  GError *err = NULL;
  GstElement *p;
  GstBus *bus;
  guint frame = 0;
  gboolean done = FALSE;

  g_assert_true (g_file_get_contents (jsonl, &text, NULL, NULL));
  lines = g_strsplit (g_strstrip (text), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, N_FRAMES);

  p = gst_parse_launch (desc, &err);
  g_assert_no_error (err);
  bus = gst_element_get_bus (p);
  gst_element_set_state (p, GST_STATE_PLAYING);
  while (!done) {
    GstMessage *m = gst_bus_timed_pop_filtered (bus, 30 * GST_SECOND,
        GST_MESSAGE_EOS | GST_MESSAGE_ERROR | GST_MESSAGE_ELEMENT);
    const GstStructure *s;

    g_assert_nonnull (m);
    g_assert_cmpint (GST_MESSAGE_TYPE (m), !=, GST_MESSAGE_ERROR);
    if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_EOS) {
      done = TRUE;
    } else if (gst_message_has_name (m, "kmeansseg")) {
      guint64 ts;
      const GValue *counts;
      gchar *want;
      GString *got = g_string_new (NULL);

      s = gst_message_get_structure (m);
      g_assert_cmpuint (frame, <, N_FRAMES);
      g_assert_true (gst_structure_get_uint64 (s, "timestamp", &ts));
      counts = gst_structure_get_value (s, "counts");
      for (guint j = 0; j < gst_value_array_get_size (counts); j++)
        g_string_append_printf (got, "%s%" G_GUINT64_FORMAT, j ? "," : "",
            g_value_get_uint64 (gst_value_array_get_value (counts, j)));
      want = g_strdup_printf ("{\"frame\":%u,\"timestamp_ns\":%"
          G_GUINT64_FORMAT ",", frame, ts);
      g_assert_true (g_str_has_prefix (lines[frame], want));
      g_free (want);
      want = g_strdup_printf ("\"counts\":[%s]", got->str);
      g_assert_nonnull (strstr (lines[frame], want));
      g_free (want);
      g_string_free (got, TRUE);
      frame++;
    }
    gst_message_unref (m);
  }
  g_assert_cmpuint (frame, ==, N_FRAMES);
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (p);
  g_strfreev (lines);
  g_free (text);
  g_free (desc);
  g_free (src);
  g_free (jsonl);
}

static void
test_batch_resume (void)
{
  gchar *in = in_dir ("in"), *out = in_dir ("out");
  gchar *a = in_dir ("out/a.mkv");
  gchar *stdout_text = NULL;
  GStatBuf before, after;

  g_assert_cmpint (g_stat (a, &before), ==, 0);
  g_assert_cmpint (run_tool (&stdout_text, "--filter", FILTER, "--output",
          out, "--analysis=jsonl", "--progress=plain", in, NULL), ==, 0);
  g_assert_nonnull (strstr (stdout_text, "0 ok, 2 skipped, 0 failed"));
  g_assert_cmpint (g_stat (a, &after), ==, 0);
  g_assert_cmpint (before.st_mtime, ==, after.st_mtime);
  g_assert_cmpint (before.st_ino, ==, after.st_ino);
  g_free (stdout_text);
  g_free (in);
  g_free (out);
  g_free (a);
}

static void
test_batch_truncated (void)
{
  gchar *src = in_dir ("in/a.mkv"), *cut = in_dir ("cut.mkv");
  gchar *out = in_dir ("out-cut"), *res = in_dir ("out-cut/cut.mkv");
  gchar *data = NULL, *stdout_text = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (src, &data, &len, NULL));
  g_assert_true (g_file_set_contents (cut, data, len / 2, NULL));
  g_assert_cmpint (run_tool (&stdout_text, "--filter", FILTER, "--output",
          out, "--progress=plain", cut, NULL), ==, 1);
  g_assert_nonnull (strstr (stdout_text, "failed"));
  g_assert_nonnull (strstr (stdout_text, "0 ok, 0 skipped, 1 failed"));
  g_assert_false (g_file_test (res, G_FILE_TEST_EXISTS));
  g_free (stdout_text);
  g_free (data);
  g_free (src);
  g_free (cut);
  g_free (out);
  g_free (res);
}

static void
test_batch_csv_copy_audio (void)
{
  gchar *src = in_dir ("in/b.mkv"), *out = in_dir ("out-csv");
  gchar *csv = in_dir ("out-csv/b.kmeansseg.csv");
  gchar *res = in_dir ("out-csv/b.mkv");
  gchar *text = NULL, **lines;
  guint nv, na;

  g_assert_cmpint (run_tool (NULL, "--filter", FILTER, "--output", out,
          "--analysis=csv", "--audio=copy", "--progress=none", src, NULL), ==,
      0);
  g_assert_true (g_file_get_contents (csv, &text, NULL, NULL));
  lines = g_strsplit (g_strstrip (text), "\n", -1);
  /* a header, then one row per cluster of each frame */
  g_assert_cmpuint (g_strv_length (lines), ==, 1 + 4 * N_FRAMES);
  g_assert_true (g_str_has_prefix (lines[0], "frame,timestamp_ns,"));
  g_assert_true (g_str_has_prefix (lines[4 * N_FRAMES], "23,"));
  decode_counts (res, &nv, &na);
  g_assert_cmpuint (nv, ==, N_FRAMES);
  g_assert_cmpuint (na, >, 0);
  g_strfreev (lines);
  g_free (text);
  g_free (src);
  g_free (out);
  g_free (csv);
  g_free (res);
}

static void
max_byte_cb (GstElement * sink, GstBuffer * buf, GstPad * pad, gpointer data)
{
  guint *max = data;
  GstMapInfo map;

  /* one GRAY8 plane of 96x64: its bytes are the labels */
  g_assert_true (gst_buffer_map (buf, &map, GST_MAP_READ));
  g_assert_cmpuint (map.size, >=, 96 * 64);
  for (gsize i = 0; i < map.size; i++)
    *max = MAX (*max, map.data[i]);
  gst_buffer_unmap (buf, &map);
  max[1]++;
}

/* the label map: a lossless GRAY8 video with a frame for every frame and
 * labels below num-clusters */
static void
test_batch_labels (void)
{
  gchar *src = in_dir ("in/a.mkv"), *out = in_dir ("out-labels");
  gchar *labels = in_dir ("out-labels/a.labels.mkv");
  gchar *uri, *desc;
  guint seen[2] = { 0, 0 };     /* the largest label, frames */
  GstElement *p, *sink;
  GstMessage *m;
  GError *err = NULL;

  g_assert_cmpint (run_tool (NULL, "--filter", "videoconvert ! " FILTER,
          "--output", out, "--labels", "--progress=none", src, NULL), ==, 0);
  g_assert_true (g_file_test (labels, G_FILE_TEST_EXISTS));
  uri = gst_filename_to_uri (labels, NULL);
  desc = g_strdup_printf ("uridecodebin uri=%s ! video/x-raw,format=GRAY8,"
      "width=96,height=64 ! fakesink name=s signal-handoffs=true", uri);
  p = gst_parse_launch (desc, &err);
  g_assert_no_error (err);
  sink = gst_bin_get_by_name (GST_BIN (p), "s");
  g_signal_connect (sink, "handoff", G_CALLBACK (max_byte_cb), seen);
  gst_object_unref (sink);
  gst_element_set_state (p, GST_STATE_PLAYING);
  m = gst_bus_timed_pop_filtered (GST_ELEMENT_BUS (p), 30 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_nonnull (m);
  g_assert_cmpint (GST_MESSAGE_TYPE (m), ==, GST_MESSAGE_EOS);
  gst_message_unref (m);
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (p);
  g_assert_cmpuint (seen[1], ==, N_FRAMES);
  g_assert_cmpuint (seen[0], <, 4);
  g_assert_cmpuint (seen[0], >, 0);
  g_free (desc);
  g_free (uri);
  g_free (src);
  g_free (out);
  g_free (labels);
}

/* two shards of a list file split it between them, each file once */
static void
test_batch_shards (void)
{
  gchar *list = in_dir ("list.txt"), *out = in_dir ("out-shard");
  gchar *a = in_dir ("in/a.mkv"), *b = in_dir ("in/b.mkv");
  gchar *text = g_strdup_printf ("# a comment\n%s\n\n%s\n", a, b);
  gchar *oa = in_dir ("out-shard/a.mkv"), *ob = in_dir ("out-shard/b.mkv");

  g_assert_true (g_file_set_contents (list, text, -1, NULL));
  g_assert_cmpint (run_tool (NULL, "--filter", FILTER, "--output", out,
          "--list", list, "--shard=1/2", "--progress=none", NULL), ==, 0);
  g_assert_false (g_file_test (oa, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (ob, G_FILE_TEST_EXISTS));
  g_setenv ("SLURM_ARRAY_TASK_ID", "4", TRUE);
  g_setenv ("SLURM_ARRAY_TASK_MIN", "4", TRUE);
  g_setenv ("SLURM_ARRAY_TASK_COUNT", "2", TRUE);
  g_assert_cmpint (run_tool (NULL, "--filter", FILTER, "--output", out,
          "--list", list, "--progress=none", NULL), ==, 0);
  g_unsetenv ("SLURM_ARRAY_TASK_ID");
  g_unsetenv ("SLURM_ARRAY_TASK_MIN");
  g_unsetenv ("SLURM_ARRAY_TASK_COUNT");
  g_assert_true (g_file_test (oa, G_FILE_TEST_EXISTS));
  g_free (text);
  g_free (list);
  g_free (out);
  g_free (a);
  g_free (b);
  g_free (oa);
  g_free (ob);
}

static void
test_batch_interrupt (void)
{
  gchar *src = in_dir ("long.mkv"), *out = in_dir ("out-int");
  gchar *part = in_dir ("out-int/.long.mkv.part");
  gchar *res = in_dir ("out-int/long.mkv");
  const gchar *argv[] = { tool, "--filter", "kmeansseg num-clusters=8 "
        "warm-start=false", "--output", out, "--progress=none", src, NULL
  };
  GPid pid;
  GError *err = NULL;
  gint status;
  gint64 deadline;

  make_clip (src, 24 * 40, 18);
  g_assert_true (g_spawn_async (NULL, (gchar **) argv, NULL,
          G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid, &err));
  g_assert_no_error (err);
  /* the temporary output appears once frames are being written */
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (!g_file_test (part, G_FILE_TEST_EXISTS)
      && g_get_monotonic_time () < deadline)
    g_usleep (20000);
  g_assert_true (g_file_test (part, G_FILE_TEST_EXISTS));
  g_usleep (200000);
  kill (pid, SIGINT);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_spawn_close_pid (pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 130);
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (res, G_FILE_TEST_EXISTS));
  g_free (src);
  g_free (out);
  g_free (part);
  g_free (res);
}

static void
test_batch_usage (void)
{
  gchar *a = in_dir ("in/a.mkv"), *out = in_dir ("out-usage");
  gchar *missing = in_dir ("no-such-file.mkv");

  g_assert_cmpint (run_tool (NULL, "--filter", "nosuchelement", "--output",
          out, a, NULL), ==, 2);
  g_assert_cmpint (run_tool (NULL, "--output", out, missing, NULL), ==, 2);
  g_assert_cmpint (run_tool (NULL, "--output", out, "--shard=2/2", a, NULL),
      ==, 2);
  g_assert_cmpint (run_tool (NULL, "--output", out, "--profile",
          "video/x-matroska:video/x-vp8", a, NULL), ==, 1);
  g_assert_cmpint (run_tool (NULL, "--output", out, "--jobs=0", a, NULL), ==,
      2);
  g_free (a);
  g_free (out);
  g_free (missing);
}

static gboolean
have (const gchar * name)
{
  GstElementFactory *f = gst_element_factory_find (name);

  if (f)
    gst_object_unref (f);
  return f != NULL;
}

int
main (int argc, char **argv)
{
  gchar *in;
  int ret;

  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  if (argc < 2) {
    g_printerr ("usage: %s PATH-TO-unsupervised-batch\n", argv[0]);
    return 1;
  }
  tool = argv[1];
  if (!have ("uritranscodebin") || !have ("vp8enc") || !have ("vorbisenc")
      || !have ("matroskamux") || !have ("kmeansseg")) {
    g_printerr ("SKIP: uritranscodebin, vp8enc, vorbisenc, matroskamux or "
        "kmeansseg missing\n");
    return 77;
  }
  dir = g_dir_make_tmp ("test-batch-XXXXXX", NULL);
  in = in_dir ("in");
  g_mkdir (in, 0755);
  {
    gchar *a = in_dir ("in/a.mkv"), *b = in_dir ("in/b.mkv");
    make_clip (a, N_FRAMES, 0);
    make_clip (b, N_FRAMES, 18);
    g_free (a);
    g_free (b);
  }
  g_test_add_func ("/batch/folder", test_batch_folder);
  g_test_add_func ("/batch/json", test_batch_json);
  g_test_add_func ("/batch/analysis", test_batch_analysis);
  g_test_add_func ("/batch/resume", test_batch_resume);
  g_test_add_func ("/batch/truncated", test_batch_truncated);
  g_test_add_func ("/batch/csv-copy-audio", test_batch_csv_copy_audio);
  g_test_add_func ("/batch/labels", test_batch_labels);
  g_test_add_func ("/batch/shards", test_batch_shards);
  g_test_add_func ("/batch/interrupt", test_batch_interrupt);
  g_test_add_func ("/batch/usage", test_batch_usage);
  ret = g_test_run ();
  if (ret == 0) {
    gchar *cmd = g_strdup_printf ("rm -rf '%s'", dir);
    ret = system (cmd) == 0 ? 0 : 1;
    g_free (cmd);
  }
  g_free (in);
  g_free (dir);
  return ret;
}
