/* Caps and frames from the format table. See gstunsupervisedvideo.h. */
#include "config.h"
#include "gstunsupervisedvideo.h"

GstCaps *
gst_unsupervised_video_caps (void)
{
  gchar *list = video_format_caps_list ();
  gchar *str = g_strdup_printf (GST_VIDEO_CAPS_MAKE ("%s"), list);
  GstCaps *caps = gst_caps_from_string (str);

  g_free (str);
  g_free (list);
  return caps;
}

void
gst_unsupervised_add_pad_templates (GstElementClass * klass)
{
  GstCaps *caps = gst_unsupervised_video_caps ();

  gst_element_class_add_pad_template (klass,
      gst_pad_template_new ("sink", GST_PAD_SINK, GST_PAD_ALWAYS, caps));
  gst_element_class_add_pad_template (klass,
      gst_pad_template_new ("src", GST_PAD_SRC, GST_PAD_ALWAYS, caps));
  gst_caps_unref (caps);
}

void
gst_unsupervised_video_image (GstVideoFrame * frame, VideoImage * im)
{
  for (guint p = 0; p < 3; p++) {
    gboolean has = p < GST_VIDEO_FRAME_N_PLANES (frame);
    im->data[p] = has ? GST_VIDEO_FRAME_PLANE_DATA (frame, p) : NULL;
    im->stride[p] = has ? GST_VIDEO_FRAME_PLANE_STRIDE (frame, p) : 0;
  }
}

gboolean
gst_unsupervised_query_caps (GstBaseTransform * trans,
    GstPadDirection direction, GstQuery * query,
    gboolean (*parent) (GstBaseTransform *, GstPadDirection, GstQuery *))
{
  GstCaps *filter, *caps = NULL, *res;
  GstQuery *unfiltered;
  gboolean ret;

  gst_query_parse_caps (query, &filter);
  if (filter == NULL)
    return parent (trans, direction, query);
  unfiltered = gst_query_new_caps (NULL);
  ret = parent (trans, direction, unfiltered);
  if (ret)
    gst_query_parse_caps_result (unfiltered, &caps);
  if (ret && caps != NULL) {
    res = gst_caps_intersect_full (caps, filter, GST_CAPS_INTERSECT_FIRST);
    gst_query_set_caps_result (query, res);
    gst_caps_unref (res);
  }
  gst_query_unref (unfiltered);
  return ret;
}

void
gst_unsupervised_add_latency (GstDebugCategory * cat, GstObject * element,
    GstQuery * query, GstClockTime ours)
{
  gboolean live;
  GstClockTime min, max;

  gst_query_parse_latency (query, &live, &min, &max);
  min += ours;
  if (GST_CLOCK_TIME_IS_VALID (max))
    max += ours;
  gst_query_set_latency (query, live, min, max);
  GST_CAT_DEBUG_OBJECT (cat, element, "latency: live %d, min %"
      GST_TIME_FORMAT ", max %" GST_TIME_FORMAT " (processing %"
      GST_TIME_FORMAT ")", live, GST_TIME_ARGS (min), GST_TIME_ARGS (max),
      GST_TIME_ARGS (ours));
}

void
gst_unsupervised_raise_latency (GstDebugCategory * cat, GstElement * element,
    GstClockTime * latency, gboolean * skip_first, gint64 elapsed_us)
{
  GstClockTime took = elapsed_us * GST_USECOND;
  gboolean post = FALSE;

  GST_OBJECT_LOCK (element);
  if (skip_first != NULL && !*skip_first)
    *skip_first = TRUE;
  else if (took > *latency) {
    *latency = took * 1.25;
    post = TRUE;
  }
  GST_OBJECT_UNLOCK (element);
  if (post) {
    GST_CAT_DEBUG_OBJECT (cat, element, "a frame took %" GST_TIME_FORMAT
        ": latency changes", GST_TIME_ARGS (took));
    gst_element_post_message (element,
        gst_message_new_latency (GST_OBJECT (element)));
  }
}
