#ifndef __GST_KMEANS_SEG_H__
#define __GST_KMEANS_SEG_H__

#include <gst/video/gstvideofilter.h>

G_BEGIN_DECLS

#define GST_TYPE_KMEANS_SEG (gst_kmeans_seg_get_type ())
G_DECLARE_FINAL_TYPE (GstKMeansSeg, gst_kmeans_seg, GST, KMEANS_SEG,
    GstVideoFilter)
GST_ELEMENT_REGISTER_DECLARE (kmeansseg);

G_END_DECLS

#endif
