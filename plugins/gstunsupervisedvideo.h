/* The video format table (lib/common/video_format.h) seen from the
 * elements: the pad templates' caps are made from it, in its order of
 * preference, and mapped frames become its image struct. */
#ifndef __GST_UNSUPERVISED_VIDEO_H__
#define __GST_UNSUPERVISED_VIDEO_H__

#include <gst/gst.h>
#include <gst/base/gstbasetransform.h>
#include <gst/video/video.h>
#include "common/video_format.h"

G_BEGIN_DECLS

/* video/x-raw with every format of the table, any size and rate. */
GstCaps *gst_unsupervised_video_caps (void);
/* "sink" and "src" templates, both with those caps. */
void gst_unsupervised_add_pad_templates (GstElementClass * klass);
/* Answers a CAPS query in the element's order of preference (the format
 * table's, as downstream allows) instead of the asker's: the base class
 * puts the asker's filter first, so that upstream's list would choose
 * (videotestsrc offers ABGR before I420). parent: the base class's query
 * function. Returns what it returned. */
gboolean gst_unsupervised_query_caps (GstBaseTransform * trans,
    GstPadDirection direction, GstQuery * query,
    gboolean (*parent) (GstBaseTransform *, GstPadDirection, GstQuery *));
/* Adds the time a frame takes (ours) to an answered LATENCY query: the
 * elements hold no frame, so that is all they add to upstream's. Logs to
 * the element's category. */
void gst_unsupervised_add_latency (GstDebugCategory * cat,
    GstObject * element, GstQuery * query, GstClockTime ours);
/* After a frame that took elapsed_us: raises *latency (a field guarded by
 * the element's object lock) to that time plus a quarter where it was
 * less, and posts a LATENCY message, so that each change is by a quarter
 * at least. With skip_first, the first frame (page faults, ORC's
 * compilation) only sets *skip_first. */
void gst_unsupervised_raise_latency (GstDebugCategory * cat,
    GstElement * element, GstClockTime * latency, gboolean * skip_first,
    gint64 elapsed_us);
/* The planes and strides of a mapped frame. */
void gst_unsupervised_video_image (GstVideoFrame * frame, VideoImage * im);

G_END_DECLS

#endif
