/* gst-unsupervised: unsupervised learning in media pipelines. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>

#include "gstaedenoise.h"
#include "gstkmeansseg.h"

static gboolean
plugin_init (GstPlugin * plugin)
{
  gboolean ret = FALSE;

  ret |= GST_ELEMENT_REGISTER (aedenoise, plugin);
  ret |= GST_ELEMENT_REGISTER (kmeansseg, plugin);

  return ret;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, unsupervised,
    "Unsupervised learning on video: k-means segmentation and "
    "autoencoder denoising", plugin_init, VERSION, GST_LICENSE,
    GST_PACKAGE_NAME, GST_PACKAGE_ORIGIN)
