/* video_format: the one table of the video formats the elements handle,
 * in each format's own memory layout, and the image struct both cores
 * take. The plugins' caps are generated from it (video_format_caps_list),
 * in the table's order, which is the order of preference: the cheapest
 * native layouts first (planar 4:2:0), grey last (it drops colour).
 *
 * To add a format: a row here with its layout and byte or plane
 * positions; the layouts' code in kmeans/segment.c and
 * denoise/frames/denoiser.c covers it if its layout exists. HACKING.md
 * has the steps. */
#ifndef __VIDEO_FORMAT_H__
#define __VIDEO_FORMAT_H__

#include <glib.h>

G_BEGIN_DECLS


typedef enum
{
  VIDEO_LAYOUT_PACKED4,         /* RGBx, BGRA, xRGB, ...: 4 bytes a pixel */
  VIDEO_LAYOUT_PACKED3,         /* RGB, BGR */
  VIDEO_LAYOUT_PLANAR,          /* I420, YV12, Y42B, Y444 */
  VIDEO_LAYOUT_SEMIPLANAR,      /* NV12, NV21: Y plane, interleaved UV plane */
  VIDEO_LAYOUT_PACKED422,       /* YUY2, UYVY: Y0 U Y1 V pairs */
  VIDEO_LAYOUT_GRAY,            /* GRAY8 */
} VideoLayout;
/* No LAST member, so that -Wswitch finds every switch a new layout misses. */
#define VIDEO_N_LAYOUTS (VIDEO_LAYOUT_GRAY + 1)

/* Channels: R', G', B' for RGB formats, Y', Cb, Cr for YUV ones, Y' for
 * GRAY8. */
typedef struct
{
  const gchar *name;            /* GStreamer's name: "I420", "BGRx", ... */
  VideoLayout layout;
  gboolean yuv;                 /* Y'CbCr (GRAY8: luma), else R'G'B' */
  guint8 n_channels;            /* 1 (GRAY8) or 3 */
  guint8 x_sub, y_sub;          /* subsampling of channels 1, 2 (shifts) */
  /* packed4, packed3: byte of R, G, B in a pixel and (packed4) of the byte
   * carried through from the input (alpha or padding);
   * packed422: bytes of Y0, Y1, U, V in a pair */
  guint8 pos[4];
  /* planar, semiplanar: memory plane of Y, U, V */
  guint8 plane[3];
  gboolean v_first;             /* semiplanar: V before U in a pair (NV21) */
} VideoFormat;

/* A frame in memory, as the format lays it out: planes and their row
 * strides in bytes (unused planes NULL and 0). */
typedef struct
{
  guint8 *data[3];
  gint stride[3];
} VideoImage;

/* The table, in order of preference. */
guint video_format_count (void);
const VideoFormat *video_format_get (guint i);
/* NULL for a name the table lacks. */
const VideoFormat *video_format_find (const gchar * name);
/* "{ I420, YV12, ... }": the GStreamer list of every name, in order. */
gchar *video_format_caps_list (void);

/* Planes in memory: 1, 2 (semiplanar) or 3 (planar). */
guint video_format_n_planes (const VideoFormat * fmt);
/* Size in samples of channel c of a width x height frame. */
void video_format_channel_size (const VideoFormat * fmt, guint width,
    guint height, guint c, guint * cw, guint * ch);
/* Bytes per row and rows of plane p that hold samples (zeros past the
 * last plane). */
void video_format_plane_size (const VideoFormat * fmt, guint width,
    guint height, guint plane, guint * row_bytes, guint * rows);

G_END_DECLS

#endif
