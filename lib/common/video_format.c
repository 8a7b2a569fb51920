/* The video format table. See video_format.h. */
#include "config.h"
#include "common/video_format.h"

#include <string.h>

#define P4(n, r, g, b, k) { n, VIDEO_LAYOUT_PACKED4, FALSE, 3, 0, 0, \
      { r, g, b, k }, { 0 }, FALSE }
#define P3(n, r, g, b) { n, VIDEO_LAYOUT_PACKED3, FALSE, 3, 0, 0, \
      { r, g, b, 0 }, { 0 }, FALSE }
#define PL(n, u, v, xs, ys) { n, VIDEO_LAYOUT_PLANAR, TRUE, 3, xs, ys, \
      { 0 }, { 0, u, v }, FALSE }
#define SP(n, vf) { n, VIDEO_LAYOUT_SEMIPLANAR, TRUE, 3, 1, 1, \
      { 0 }, { 0, 1, 1 }, vf }
#define P422(n, y0, y1, u, v) { n, VIDEO_LAYOUT_PACKED422, TRUE, 3, 1, 0, \
      { y0, y1, u, v }, { 0 }, FALSE }

/* Order of preference: samples per pixel (4:2:0 1.5, 4:2:2 2, 4:4:4 3),
 * then the packed RGB layouts the elements read without a conversion,
 * then grey. */
static const VideoFormat formats[] = {
  PL ("I420", 1, 2, 1, 1), PL ("YV12", 2, 1, 1, 1),
  SP ("NV12", FALSE), SP ("NV21", TRUE),
  PL ("Y42B", 1, 2, 1, 0),
  P422 ("YUY2", 0, 2, 1, 3), P422 ("UYVY", 1, 3, 0, 2),
  PL ("Y444", 1, 2, 0, 0),
  P4 ("BGRx", 2, 1, 0, 3), P4 ("RGBx", 0, 1, 2, 3),
  P4 ("xRGB", 1, 2, 3, 0), P4 ("xBGR", 3, 2, 1, 0),
  P4 ("BGRA", 2, 1, 0, 3), P4 ("RGBA", 0, 1, 2, 3),
  P4 ("ARGB", 1, 2, 3, 0), P4 ("ABGR", 3, 2, 1, 0),
  P3 ("RGB", 0, 1, 2), P3 ("BGR", 2, 1, 0),
  {"GRAY8", VIDEO_LAYOUT_GRAY, TRUE, 1, 0, 0, {0}, {0}, FALSE},
};

guint
video_format_count (void)
{
  return G_N_ELEMENTS (formats);
}

const VideoFormat *
video_format_get (guint i)
{
  return i < G_N_ELEMENTS (formats) ? &formats[i] : NULL;
}

const VideoFormat *
video_format_find (const gchar * name)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (formats); i++)
    if (strcmp (name, formats[i].name) == 0)
      return &formats[i];
  return NULL;
}

gchar *
video_format_caps_list (void)
{
  GString *s = g_string_new ("{ ");

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    g_string_append_printf (s, "%s%s", i ? ", " : "", formats[i].name);
  g_string_append (s, " }");
  return g_string_free (s, FALSE);
}

guint
video_format_n_planes (const VideoFormat * fmt)
{
  return fmt->layout == VIDEO_LAYOUT_PLANAR ? 3 :
      fmt->layout == VIDEO_LAYOUT_SEMIPLANAR ? 2 : 1;
}

void
video_format_channel_size (const VideoFormat * fmt, guint width,
    guint height, guint c, guint * cw, guint * ch)
{
  guint xs = c > 0 ? fmt->x_sub : 0, ys = c > 0 ? fmt->y_sub : 0;

  *cw = (width + (1u << xs) - 1) >> xs;
  *ch = (height + (1u << ys) - 1) >> ys;
}

void
video_format_plane_size (const VideoFormat * fmt, guint width, guint height,
    guint plane, guint * row_bytes, guint * rows)
{
  static const guint bpp[VIDEO_N_LAYOUTS] = {
    [VIDEO_LAYOUT_PACKED4] = 4,[VIDEO_LAYOUT_PACKED3] = 3,
    [VIDEO_LAYOUT_PLANAR] = 1,[VIDEO_LAYOUT_SEMIPLANAR] = 1,
    [VIDEO_LAYOUT_PACKED422] = 2,[VIDEO_LAYOUT_GRAY] = 1,
  };
  guint cw, ch;

  *row_bytes = *rows = 0;
  if (plane >= video_format_n_planes (fmt))
    return;
  video_format_channel_size (fmt, width, height, 1, &cw, &ch);
  if (plane > 0) {
    *row_bytes = fmt->layout == VIDEO_LAYOUT_SEMIPLANAR ? cw * 2 : cw;
    *rows = ch;
  } else {
    /* packed 4:2:2 rows hold whole pairs */
    *row_bytes = fmt->layout == VIDEO_LAYOUT_PACKED422 ? cw * 4
        : width * bpp[fmt->layout];
    *rows = height;
  }
}
