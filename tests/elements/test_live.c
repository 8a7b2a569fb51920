/* Both elements in live pipelines (videotestsrc is-live=true to a fakesink
 * that syncs to the clock and sends QoS): kmeansseg answers the LATENCY
 * query and keeps frame rate through its first frame and a scene cut; a
 * source far faster than either element can run makes it drop frames
 * through QoS while the pipeline keeps its lateness bounded, and when the
 * load goes (the source switches to small frames at a low rate) the
 * frames flow again. Counts and bounds are loose enough for a loaded
 * 2-core machine and ORC_CODE=backup: they catch queueing (lateness that
 * grows by most of a second each second), not our own speed. */
#include <gst/check/gstcheck.h>
#include <gst/base/base.h>

typedef struct
{
  GMutex lock;
  guint rendered;
  GstClockTime max_late;        /* since the last reset */
  guint64 dropped;              /* by the element, from its QoS messages */
  guint cuts, inits;
  gboolean error;
} Stats;

static void
handoff (GstElement * sink, GstBuffer * buf, GstPad * pad, Stats * st)
{
  GstClock *clock = gst_element_get_clock (sink);
  GstSegment *seg = NULL;
  GstEvent *ev = gst_pad_get_sticky_event (pad, GST_EVENT_SEGMENT, 0);
  GstClockTime now, rt, late;

  if (clock == NULL || ev == NULL) {
    gst_clear_object (&clock);
    if (ev)
      gst_event_unref (ev);
    return;
  }
  gst_event_parse_segment (ev, (const GstSegment **) &seg);
  now = gst_clock_get_time (clock) - gst_element_get_base_time (sink);
  rt = gst_segment_to_running_time (seg, GST_FORMAT_TIME, GST_BUFFER_PTS (buf));
  /* how much later than the pipeline's latency the frame was rendered */
  rt += gst_base_sink_get_latency (GST_BASE_SINK (sink));
  late = now > rt ? now - rt : 0;
  g_mutex_lock (&st->lock);
  st->rendered++;
  st->max_late = MAX (st->max_late, late);
  g_mutex_unlock (&st->lock);
  gst_event_unref (ev);
  gst_object_unref (clock);
}

static GstBusSyncReply
bus_sync (GstBus * bus, GstMessage * msg, Stats * st)
{
  g_mutex_lock (&st->lock);
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR)
    st->error = TRUE;
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_QOS
      && GST_IS_BASE_TRANSFORM (GST_MESSAGE_SRC (msg))) {
    guint64 processed, dropped;
    gst_message_parse_qos_stats (msg, NULL, &processed, &dropped);
    st->dropped = MAX (st->dropped, dropped);
  }
  if (gst_message_has_name (msg, "kmeansseg")) {
    gboolean cut = FALSE, init = FALSE;
    gst_structure_get_boolean (gst_message_get_structure (msg), "scene-cut",
        &cut);
    gst_structure_get_boolean (gst_message_get_structure (msg),
        "reinitialized", &init);
    st->cuts += cut;
    st->inits += init;
  }
  g_mutex_unlock (&st->lock);
  return GST_BUS_PASS;
}

static GstElement *
live_pipeline (const gchar * pattern, const gchar * element,
    const gchar * caps, Stats * st)
{
  gchar *desc = g_strdup_printf ("videotestsrc name=src is-live=true "
      "pattern=%s ! capsfilter name=cf caps=%s ! %s name=el ! fakesink "
      "name=sink sync=true qos=true max-lateness=-1 signal-handoffs=true",
      pattern, caps, element);
  GError *err = NULL;
  GstElement *p = gst_parse_launch (desc, &err);
  GstElement *sink;
  GstBus *bus;

  fail_unless (p != NULL, "%s: %s", desc, err ? err->message : "");
  g_mutex_init (&st->lock);
  sink = gst_bin_get_by_name (GST_BIN (p), "sink");
  g_signal_connect (sink, "handoff", G_CALLBACK (handoff), st);
  gst_object_unref (sink);
  bus = gst_element_get_bus (p);
  gst_bus_set_sync_handler (bus, (GstBusSyncHandler) bus_sync, st, NULL);
  gst_object_unref (bus);
  g_free (desc);
  return p;
}

/* drains the bus for a while, answering LATENCY messages as an
 * application must */
static void
run_for (GstElement * p, guint ms)
{
  GstBus *bus = gst_element_get_bus (p);
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end) {
    GstMessage *m = gst_bus_timed_pop (bus, 20 * GST_MSECOND);
    if (m == NULL)
      continue;
    if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_LATENCY)
      gst_bin_recalculate_latency (GST_BIN (p));
    gst_message_unref (m);
  }
  gst_object_unref (bus);
}

static void
stop (GstElement * p, Stats * st)
{
  GstBus *bus = gst_element_get_bus (p);

  fail_unless_equals_int (gst_element_set_state (p, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  gst_bus_set_sync_handler (bus, NULL, NULL, NULL);
  gst_object_unref (bus);
  gst_object_unref (p);
  g_mutex_clear (&st->lock);
}

GST_START_TEST (test_kmeansseg_latency_query)
{
  Stats st = { 0 };
  GstElement *p = live_pipeline ("ball", "kmeansseg",
      "video/x-raw,width=320,height=240,framerate=30/1", &st);
  GstElement *src = gst_bin_get_by_name (GST_BIN (p), "src");
  GstElement *el = gst_bin_get_by_name (GST_BIN (p), "el");
  GstPad *src_pad = gst_element_get_static_pad (src, "src");
  GstPad *el_pad = gst_element_get_static_pad (el, "src");
  GstQuery *q = gst_query_new_latency ();
  gboolean live;
  GstClockTime src_min, el_min, max;

  gst_element_set_state (p, GST_STATE_PLAYING);
  run_for (p, 500);
  fail_unless (gst_pad_query (src_pad, q));
  gst_query_parse_latency (q, &live, &src_min, &max);
  fail_unless (live);
  fail_unless (gst_pad_query (el_pad, q));
  gst_query_parse_latency (q, &live, &el_min, &max);
  fail_unless (live);
  /* upstream's latency plus the time a frame has taken, a few frames in */
  fail_unless (el_min > src_min, "kmeansseg added no latency: %"
      GST_TIME_FORMAT " <= %" GST_TIME_FORMAT, GST_TIME_ARGS (el_min),
      GST_TIME_ARGS (src_min));
  fail_unless (st.rendered > 0);
  gst_query_unref (q);
  gst_object_unref (src_pad);
  gst_object_unref (el_pad);
  gst_object_unref (src);
  gst_object_unref (el);
  stop (p, &st);
}

GST_END_TEST;

/* The first frame and a scene cut (the pattern switches half way) cost a
 * quick fit, not ten starts: at 30 fps no more than a few frames may be
 * dropped, with or without warm starts (the old full fit on every frame of
 * warm-start=false dropped nine in ten). */
static void
first_frame_and_cut (gboolean warm)
{
  Stats st = { 0 };
  gchar *el = g_strdup_printf ("kmeansseg post-messages=true warm-start=%s",
      warm ? "true" : "false");
  GstElement *p = live_pipeline ("ball", el,
      "video/x-raw,width=320,height=240,framerate=30/1", &st);
  GstElement *src = gst_bin_get_by_name (GST_BIN (p), "src");

  gst_element_set_state (p, GST_STATE_PLAYING);
  run_for (p, 700);
  g_object_set (src, "pattern", 0, NULL);       /* SMPTE bars: a cut */
  run_for (p, 700);
  g_mutex_lock (&st.lock);
  GST_INFO ("warm %d: rendered %u, dropped %" G_GUINT64_FORMAT ", inits %u, "
      "cuts %u, max lateness %" GST_TIME_FORMAT, warm, st.rendered,
      st.dropped, st.inits, st.cuts, GST_TIME_ARGS (st.max_late));
  fail_if (st.error);
  fail_unless (st.inits >= 2, "no new fit after the cut (%u)", st.inits);
  if (warm)
    fail_unless (st.cuts >= 1, "the cut was not seen");
  fail_unless (st.dropped <= 5, "%" G_GUINT64_FORMAT " frames dropped",
      st.dropped);
  /* 42 frames in 1.4 s; a loaded machine may start the source late */
  fail_unless (st.rendered >= 25, "only %u frames rendered", st.rendered);
  g_mutex_unlock (&st.lock);
  gst_object_unref (src);
  stop (p, &st);
  g_free (el);
}

GST_START_TEST (test_kmeansseg_live_first_frame_and_cut)
{
  first_frame_and_cut (TRUE);
  first_frame_and_cut (FALSE);
}

GST_END_TEST;

/* A source at 1000 fps that the element cannot follow, then small frames
 * at 30 fps that it can. */
static void
overload_and_recover (const gchar * element, const gchar * big)
{
  Stats st = { 0 };
  /* "colors": many colours, and far cheaper to draw than 1000 fps */
  GstElement *p = live_pipeline ("colors", element, big, &st);
  GstElement *cf = gst_bin_get_by_name (GST_BIN (p), "cf");
  GstCaps *small = gst_caps_from_string ("video/x-raw,width=96,height=64,"
      "framerate=30/1");
  guint rendered;

  gst_element_set_state (p, GST_STATE_PLAYING);
  run_for (p, 500);
  g_mutex_lock (&st.lock);
  st.max_late = 0;
  g_mutex_unlock (&st.lock);
  run_for (p, 1000);
  g_mutex_lock (&st.lock);
  GST_INFO ("%s overloaded: rendered %u, dropped %" G_GUINT64_FORMAT
      ", max lateness %" GST_TIME_FORMAT, element, st.rendered, st.dropped,
      GST_TIME_ARGS (st.max_late));
  fail_if (st.error);
  fail_unless (st.dropped > 0, "%s dropped nothing at 1000 fps", element);
  fail_unless (st.rendered >= 3, "only %u frames rendered", st.rendered);
  /* queueing would make this grow by most of a second each second */
  fail_unless (st.max_late < GST_SECOND, "lateness %" GST_TIME_FORMAT,
      GST_TIME_ARGS (st.max_late));
  g_mutex_unlock (&st.lock);

  g_object_set (cf, "caps", small, NULL);
  run_for (p, 500);
  g_mutex_lock (&st.lock);
  st.max_late = 0;
  rendered = st.rendered;
  g_mutex_unlock (&st.lock);
  run_for (p, 1000);
  g_mutex_lock (&st.lock);
  GST_INFO ("%s recovered: rendered %u in 1 s, max lateness %"
      GST_TIME_FORMAT, element, st.rendered - rendered,
      GST_TIME_ARGS (st.max_late));
  fail_if (st.error);
  /* 30 frames in that second */
  fail_unless (st.rendered - rendered >= 15, "only %u frames after the load "
      "went", st.rendered - rendered);
  fail_unless (st.max_late < 500 * GST_MSECOND, "lateness %" GST_TIME_FORMAT
      " after the load went", GST_TIME_ARGS (st.max_late));
  g_mutex_unlock (&st.lock);
  gst_caps_unref (small);
  gst_object_unref (cf);
  stop (p, &st);
}

GST_START_TEST (test_kmeansseg_overload)
{
  overload_and_recover ("kmeansseg",
      "video/x-raw,format=I420,width=1920,height=1080,framerate=1000/1");
}

GST_END_TEST;

GST_START_TEST (test_aedenoise_overload)
{
  overload_and_recover ("aedenoise",
      "video/x-raw,format=I420,width=640,height=360,framerate=1000/1");
}

GST_END_TEST;

static Suite *
live_suite (void)
{
  Suite *s = suite_create ("live");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_kmeansseg_latency_query);
  tcase_add_test (tc, test_kmeansseg_live_first_frame_and_cut);
  tcase_add_test (tc, test_kmeansseg_overload);
  tcase_add_test (tc, test_aedenoise_overload);
  return s;
}

GST_CHECK_MAIN (live);
