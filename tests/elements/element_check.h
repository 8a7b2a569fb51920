/* Helpers shared by the element tests: caps for a harness, frame
 * comparison, and the state-change checks every element must pass. */
#ifndef __ELEMENT_CHECK_H__
#define __ELEMENT_CHECK_H__

#include <string.h>
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>

/* raw video caps of this format and size, 30 fps, on the harness's src */
static void
set_caps_of (GstHarness * h, GstVideoFormat fmt, gint w, gint hh)
{
  GstVideoInfo info;

  gst_video_info_set_format (&info, fmt, w, hh);
  GST_VIDEO_INFO_FPS_N (&info) = 30;
  GST_VIDEO_INFO_FPS_D (&info) = 1;
  gst_harness_set_src_caps (h, gst_video_info_to_caps (&info));
}

/* whether the images of two frames of the same format are equal: the
 * bytes of every row up to its last sample (alpha and padding bytes
 * included), not the stride's spare bytes, which nothing writes */
static gboolean
frames_equal (GstVideoFrame * a, GstVideoFrame * b)
{
  const GstVideoFormatInfo *finfo = a->info.finfo;

  for (guint p = 0; p < GST_VIDEO_FRAME_N_PLANES (a); p++) {
    gint comp[GST_VIDEO_MAX_COMPONENTS];
    gint rows, bytes;

    gst_video_format_info_component (finfo, p, comp);
    rows = GST_VIDEO_FRAME_COMP_HEIGHT (a, comp[0]);
    bytes = GST_VIDEO_FRAME_COMP_WIDTH (a, comp[0]) *
        GST_VIDEO_FRAME_COMP_PSTRIDE (a, comp[0]);
    for (gint y = 0; y < rows; y++) {
      const guint8 *ra = (const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (a, p) +
          y * GST_VIDEO_FRAME_PLANE_STRIDE (a, p);
      const guint8 *rb = (const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (b, p) +
          y * GST_VIDEO_FRAME_PLANE_STRIDE (b, p);
      if (memcmp (ra, rb, bytes) != 0)
        return FALSE;
    }
  }
  return TRUE;
}

/* The pipeline (a source of a few buffers through the element to a sink)
 * goes to PLAYING and back to NULL 20 times, half of them one state at a
 * time, and reaches EOS every time. */
static void
check_state_changes (const gchar * launch)
{
  GstElement *pipe = gst_parse_launch (launch, NULL);
  GstBus *bus;

  fail_unless (pipe != NULL);
  bus = gst_element_get_bus (pipe);
  for (gint i = 0; i < 20; i++) {
    GstMessage *msg;

    if (i % 2) {
      static const GstState up[] = { GST_STATE_READY, GST_STATE_PAUSED,
        GST_STATE_PLAYING
      };
      for (guint s = 0; s < G_N_ELEMENTS (up); s++) {
        fail_if (gst_element_set_state (pipe, up[s]) ==
            GST_STATE_CHANGE_FAILURE);
        fail_unless_equals_int (gst_element_get_state (pipe, NULL, NULL,
                GST_CLOCK_TIME_NONE), GST_STATE_CHANGE_SUCCESS);
      }
    } else {
      fail_if (gst_element_set_state (pipe, GST_STATE_PLAYING) ==
          GST_STATE_CHANGE_FAILURE);
    }
    msg = gst_bus_timed_pop_filtered (bus, GST_CLOCK_TIME_NONE,
        GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
    fail_unless_equals_int (GST_MESSAGE_TYPE (msg), GST_MESSAGE_EOS);
    gst_message_unref (msg);
    if (i % 2) {
      static const GstState down[] = { GST_STATE_PAUSED, GST_STATE_READY,
        GST_STATE_NULL
      };
      for (guint s = 0; s < G_N_ELEMENTS (down); s++)
        fail_unless_equals_int (gst_element_set_state (pipe, down[s]),
            GST_STATE_CHANGE_SUCCESS);
    } else {
      fail_unless_equals_int (gst_element_set_state (pipe, GST_STATE_NULL),
          GST_STATE_CHANGE_SUCCESS);
    }
  }
  gst_object_unref (bus);
  gst_object_unref (pipe);
}

typedef struct
{
  GMutex lock;
  GCond cond;
  gint n;
} HandoffCounter;

static void
count_handoff (GstElement * sink, GstBuffer * buf, GstPad * pad,
    gpointer data)
{
  HandoffCounter *c = data;

  g_mutex_lock (&c->lock);
  c->n++;
  g_cond_signal (&c->cond);
  g_mutex_unlock (&c->lock);
}

/* The pipeline, whose sink is a fakesink named "sink" with
 * signal-handoffs=true, is stopped from PLAYING once n buffers reached
 * the sink, in the middle of the stream, with no error. */
static void
check_teardown_mid_stream (const gchar * launch, gint n)
{
  GstElement *pipe = gst_parse_launch (launch, NULL);
  GstElement *sink;
  HandoffCounter c;
  GstBus *bus;
  GstMessage *msg;

  fail_unless (pipe != NULL);
  g_mutex_init (&c.lock);
  g_cond_init (&c.cond);
  c.n = 0;
  sink = gst_bin_get_by_name (GST_BIN (pipe), "sink");
  g_signal_connect (sink, "handoff", G_CALLBACK (count_handoff), &c);
  fail_if (gst_element_set_state (pipe, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);
  g_mutex_lock (&c.lock);
  while (c.n < n)
    g_cond_wait (&c.cond, &c.lock);
  g_mutex_unlock (&c.lock);
  fail_unless_equals_int (gst_element_set_state (pipe, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  bus = gst_element_get_bus (pipe);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg == NULL, "%" GST_PTR_FORMAT, msg);
  gst_object_unref (bus);
  g_signal_handlers_disconnect_by_data (sink, &c);
  gst_object_unref (sink);
  gst_object_unref (pipe);
  g_cond_clear (&c.cond);
  g_mutex_clear (&c.lock);
}

/* Where upstream offers every format (videotestsrc lists ABGR before
 * I420) and links to the element directly, the element's sink negotiates
 * the cheapest native layout, planar 4:2:0, and its src whatever its mode
 * gives (expect_src). (Through a capsfilter, upstream's order wins: every
 * basetransform intersects with the asker's filter first.) */
static void
check_prefers_i420 (const gchar * element, const gchar * expect_src)
{
  gchar *launch = g_strdup_printf ("videotestsrc num-buffers=1 ! %s name=e "
      "! fakesink", element);
  GstElement *pipe = gst_parse_launch (launch, NULL);
  GstElement *e;
  GstMessage *msg;
  const gchar *want[2] = { "I420", expect_src };

  fail_unless (pipe != NULL);
  e = gst_bin_get_by_name (GST_BIN (pipe), "e");
  fail_unless (gst_element_set_state (pipe, GST_STATE_PLAYING)
      != GST_STATE_CHANGE_FAILURE);
  msg = gst_bus_timed_pop_filtered (GST_ELEMENT_BUS (pipe), 30 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (msg != NULL && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS,
      "%s did not reach EOS", launch);
  gst_message_unref (msg);
  for (gint p = 0; p < 2; p++) {
    GstPad *pad = gst_element_get_static_pad (e, p ? "src" : "sink");
    GstCaps *caps = gst_pad_get_current_caps (pad);
    const gchar *f;

    fail_unless (caps != NULL);
    f = gst_structure_get_string (gst_caps_get_structure (caps, 0), "format");
    fail_unless_equals_string (f, want[p]);
    gst_caps_unref (caps);
    gst_object_unref (pad);
  }
  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (e);
  gst_object_unref (pipe);
  g_free (launch);
}

#endif
