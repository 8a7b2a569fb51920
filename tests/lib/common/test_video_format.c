/* The format table against GStreamer's own description of each format
 * (GstVideoInfo): planes, plane sizes, subsampling, byte positions of the
 * components; the caps list in the table's order. */
#include <glib.h>
#include <string.h>
#include <gst/video/video.h>

#include "common/video_format.h"

static const guint sizes[][2] = { {1, 1}, {385, 289}, {384, 288}, {2, 3} };

/* Channel c of the table is GStreamer's component c: GST_VIDEO_COMP_R,
 * G, B are 0, 1, 2, and so are GST_VIDEO_COMP_Y, U, V. */
static void
test_against_gstreamer (void)
{
  g_assert_cmpuint (video_format_count (), ==, 19);
  for (guint i = 0; i < video_format_count (); i++) {
    const VideoFormat *f = video_format_get (i);
    GstVideoFormat gf = gst_video_format_from_string (f->name);
    const GstVideoFormatInfo *fi = gst_video_format_get_info (gf);

    g_assert_true (gf != GST_VIDEO_FORMAT_UNKNOWN);
    g_assert_true (video_format_find (f->name) == f);
    g_assert_cmpuint (f->n_channels, ==, GST_VIDEO_FORMAT_INFO_IS_GRAY (fi)
        ? 1 : 3);
    g_assert_cmpint (f->yuv, ==, !GST_VIDEO_FORMAT_INFO_IS_RGB (fi));
    g_assert_cmpuint (video_format_n_planes (f), ==,
        GST_VIDEO_FORMAT_INFO_N_PLANES (fi));
    for (guint c = 1; c < f->n_channels; c++) {
      g_assert_cmpuint (f->x_sub, ==, GST_VIDEO_FORMAT_INFO_W_SUB (fi, c));
      g_assert_cmpuint (f->y_sub, ==, GST_VIDEO_FORMAT_INFO_H_SUB (fi, c));
    }
    /* where each channel's bytes are */
    for (guint c = 0; c < f->n_channels; c++) {
      guint gc = c;
      switch (f->layout) {
        case VIDEO_LAYOUT_PACKED4:
        case VIDEO_LAYOUT_PACKED3:
          g_assert_cmpuint (f->pos[c], ==, GST_VIDEO_FORMAT_INFO_POFFSET (fi,
                  gc));
          break;
        case VIDEO_LAYOUT_PACKED422:
          /* Y0 at the luma offset, Y1 two bytes on; U, V */
          if (c == 0) {
            g_assert_cmpuint (f->pos[0], ==, GST_VIDEO_FORMAT_INFO_POFFSET (fi,
                    0));
            g_assert_cmpuint (f->pos[1], ==, f->pos[0] + 2);
          } else
            g_assert_cmpuint (f->pos[c + 1], ==,
                GST_VIDEO_FORMAT_INFO_POFFSET (fi, gc));
          break;
        case VIDEO_LAYOUT_PLANAR:
          g_assert_cmpuint (f->plane[c], ==, GST_VIDEO_FORMAT_INFO_PLANE (fi,
                  gc));
          break;
        case VIDEO_LAYOUT_SEMIPLANAR:
          g_assert_cmpuint (f->plane[c], ==, GST_VIDEO_FORMAT_INFO_PLANE (fi,
                  gc));
          if (c > 0)
            g_assert_cmpuint ((GST_VIDEO_FORMAT_INFO_POFFSET (fi, gc) == 0),
                ==, (c == 1) != f->v_first);
          break;
        case VIDEO_LAYOUT_GRAY:
          break;
      }
    }
    if (f->layout == VIDEO_LAYOUT_PACKED4) {
      /* the kept byte is the one no colour uses */
      g_assert_cmpuint (f->pos[0] + f->pos[1] + f->pos[2] + f->pos[3], ==, 6);
    }
    /* plane sizes: the samples' bytes of each plane, every row */
    for (guint si = 0; si < G_N_ELEMENTS (sizes); si++) {
      GstVideoInfo info;
      guint w = sizes[si][0], h = sizes[si][1];

      g_assert_true (gst_video_info_set_format (&info, gf, w, h));
      for (guint p = 0; p < 3; p++) {
        guint bytes, rows;
        video_format_plane_size (f, w, h, p, &bytes, &rows);
        if (p >= GST_VIDEO_INFO_N_PLANES (&info)) {
          g_assert_cmpuint (bytes, ==, 0);
          continue;
        }
        {
          gint comp[GST_VIDEO_MAX_COMPONENTS];
          gint gw, gh, ps;
          gst_video_format_info_component (fi, p, comp);
          gw = GST_VIDEO_INFO_COMP_WIDTH (&info, comp[0]);
          gh = GST_VIDEO_INFO_COMP_HEIGHT (&info, comp[0]);
          ps = GST_VIDEO_INFO_COMP_PSTRIDE (&info, comp[0]);
          if (f->layout == VIDEO_LAYOUT_PACKED422)
            gw = (gw + 1) & ~1;   /* whole pairs */
          g_assert_cmpuint (bytes, ==, (guint) (gw * ps));
          g_assert_cmpuint (rows, ==, (guint) gh);
          g_assert_cmpuint (bytes, <=, (guint) GST_VIDEO_INFO_PLANE_STRIDE
              (&info, p));
        }
      }
      for (guint c = 0; c < f->n_channels; c++) {
        guint cw, ch;
        video_format_channel_size (f, w, h, c, &cw, &ch);
        g_assert_cmpuint (cw, ==, (guint) GST_VIDEO_INFO_COMP_WIDTH (&info,
                c));
        g_assert_cmpuint (ch, ==, (guint) GST_VIDEO_INFO_COMP_HEIGHT (&info,
                c));
      }
    }
  }
  g_assert_null (video_format_find ("NV16"));
  g_assert_null (video_format_find (NULL));
  g_assert_null (video_format_get (video_format_count ()));
}

/* the order of preference: planar 4:2:0 first, grey last, every name
 * once */
static void
test_caps_list (void)
{
  gchar *list = video_format_caps_list ();
  gchar **names;
  guint n;

  g_assert_true (g_str_has_prefix (list, "{ I420, "));
  g_assert_true (g_str_has_suffix (list, ", GRAY8 }"));
  names = g_strsplit_set (list + 2, ", }", -1);
  n = 0;
  for (guint i = 0; names[i]; i++) {
    if (names[i][0] == '\0')
      continue;
    g_assert_cmpstr (names[i], ==, video_format_get (n)->name);
    n++;
  }
  g_assert_cmpuint (n, ==, video_format_count ());
  g_strfreev (names);
  g_free (list);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/common/video-format/gstreamer", test_against_gstreamer);
  g_test_add_func ("/common/video-format/caps-list", test_caps_list);
  return g_test_run ();
}
