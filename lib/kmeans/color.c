#include "config.h"
#include "kmeans/color.h"

#include <math.h>

void
km_color_yuv_to_rgb (const KmYuvMatrix * mat, float m[9], float off[3])
{
  double kr = mat->kr, kb = mat->kb, kg = 1.0 - kr - kb;
  double ys = mat->full_range ? 1.0 : 255.0 / 219.0;
  double cs = mat->full_range ? 1.0 : 255.0 / 224.0;
  double y0 = mat->full_range ? 0.0 : 16.0;
  double rv = 2.0 * (1.0 - kr) * cs, bu = 2.0 * (1.0 - kb) * cs;
  double gu = -bu * kb / kg, gv = -rv * kr / kg;

  m[0] = ys;
  m[1] = 0.0f;
  m[2] = rv;
  m[3] = ys;
  m[4] = gu;
  m[5] = gv;
  m[6] = ys;
  m[7] = bu;
  m[8] = 0.0f;
  for (int r = 0; r < 3; r++)
    off[r] = (float) (-(double) m[r * 3] * y0 - (double) m[r * 3 + 1] * 128.0
        - (double) m[r * 3 + 2] * 128.0);
}

void
km_color_rgb_to_yuv (const KmYuvMatrix * mat, float m[9], float off[3])
{
  double kr = mat->kr, kb = mat->kb, kg = 1.0 - kr - kb;
  double ys = mat->full_range ? 1.0 : 219.0 / 255.0;
  double cs = mat->full_range ? 1.0 : 224.0 / 255.0;

  m[0] = kr * ys;
  m[1] = kg * ys;
  m[2] = kb * ys;
  m[3] = -kr / (2.0 * (1.0 - kb)) * cs;
  m[4] = -kg / (2.0 * (1.0 - kb)) * cs;
  m[5] = 0.5 * cs;
  m[6] = 0.5 * cs;
  m[7] = -kg / (2.0 * (1.0 - kr)) * cs;
  m[8] = -kb / (2.0 * (1.0 - kr)) * cs;
  off[0] = mat->full_range ? 0.0f : 16.0f;
  off[1] = 128.0f;
  off[2] = 128.0f;
}

/* ---- CIE L*a*b* ---- */

#define CBRT_LUT 16384
#define CBRT_MAX 1.1f

static float srgb_lin[256];     /* 8-bit sRGB code -> linear light */
static float cbrt_lut[CBRT_LUT + 2];    /* f(t) of Lab on [0, CBRT_MAX] */

static double
lab_f (double t)
{
  const double e = 216.0 / 24389.0;
  return t > e ? cbrt (t) : (24389.0 / 27.0 * t + 16.0) / 116.0;
}

static double
lab_finv (double f)
{
  return f > 6.0 / 29.0 ? f * f * f : (116.0 * f - 16.0) * 27.0 / 24389.0;
}

static double
srgb_decode (double v)
{
  return v <= 0.04045 ? v / 12.92 : pow ((v + 0.055) / 1.055, 2.4);
}

static double
srgb_encode (double v)
{
  return v <= 0.0031308 ? v * 12.92 : 1.055 * pow (v, 1.0 / 2.4) - 0.055;
}

static gpointer
init_tables (gpointer unused)
{
  for (int i = 0; i < 256; i++)
    srgb_lin[i] = (float) srgb_decode (i / 255.0);
  for (int i = 0; i < CBRT_LUT + 2; i++)
    cbrt_lut[i] = (float) lab_f ((double) i * CBRT_MAX / CBRT_LUT);
  return NULL;
}

static void
ensure_tables (void)
{
  static GOnce once = G_ONCE_INIT;
  g_once (&once, init_tables, NULL);
}

static const double xyz_of_rgb[9] = {
  0.4124564, 0.3575761, 0.1804375,
  0.2126729, 0.7151522, 0.0721750,
  0.0193339, 0.1191920, 0.9503041,
};

static const double rgb_of_xyz[9] = {
  3.2404542, -1.5371385, -0.4985314,
  -0.9692660, 1.8760108, 0.0415560,
  0.0556434, -0.2040259, 1.0572252,
};

static const double white[3] = { 0.95047, 1.0, 1.08883 };

static inline float
fast_f (float t)
{
  float x = t * (CBRT_LUT / CBRT_MAX);
  if (!(x > 0.0f))
    return cbrt_lut[0];
  if (x >= CBRT_LUT)
    return (float) lab_f (t);
  int i = (int) x;
  float fr = x - (float) i;
  return cbrt_lut[i] + fr * (cbrt_lut[i + 1] - cbrt_lut[i]);
}

static inline int
code_of (float v)
{
  int c = (int) lrintf (v);
  return CLAMP (c, 0, 255);
}

void
km_color_rows_rgb_to_lab (float *c0, float *c1, float *c2, guint n)
{
  ensure_tables ();
  for (guint i = 0; i < n; i++) {
    float r = srgb_lin[code_of (c0[i])], g = srgb_lin[code_of (c1[i])];
    float b = srgb_lin[code_of (c2[i])];
    float x = (float) (xyz_of_rgb[0] * r + xyz_of_rgb[1] * g +
        xyz_of_rgb[2] * b) / (float) white[0];
    float y = (float) (xyz_of_rgb[3] * r + xyz_of_rgb[4] * g +
        xyz_of_rgb[5] * b);
    float z = (float) (xyz_of_rgb[6] * r + xyz_of_rgb[7] * g +
        xyz_of_rgb[8] * b) / (float) white[2];
    float fx = fast_f (x), fy = fast_f (y), fz = fast_f (z);
    c0[i] = 116.0f * fy - 16.0f;
    c1[i] = 500.0f * (fx - fy);
    c2[i] = 200.0f * (fy - fz);
  }
}

void
km_color_rgb_to_lab (const float rgb[3], float lab[3])
{
  float a = rgb[0], b = rgb[1], c = rgb[2];
  km_color_rows_rgb_to_lab (&a, &b, &c, 1);
  lab[0] = a;
  lab[1] = b;
  lab[2] = c;
}

void
km_color_lab_to_rgb (const float lab[3], float rgb[3])
{
  double fy = (lab[0] + 16.0) / 116.0;
  double fx = fy + lab[1] / 500.0, fz = fy - lab[2] / 200.0;
  double xyz[3] = { white[0] * lab_finv (fx), lab_finv (fy),
    white[2] * lab_finv (fz)
  };
  for (int r = 0; r < 3; r++) {
    double v = rgb_of_xyz[r * 3] * xyz[0] + rgb_of_xyz[r * 3 + 1] * xyz[1]
        + rgb_of_xyz[r * 3 + 2] * xyz[2];
    v = 255.0 * srgb_encode (CLAMP (v, 0.0, 1.0));
    rgb[r] = (float) v;
  }
}

void
km_color_rows_affine (float *c0, float *c1, float *c2, guint n,
    const float m[9], const float off[3])
{
  for (guint i = 0; i < n; i++) {
    float a = c0[i], b = c1[i], c = c2[i];
    c0[i] = m[0] * a + m[1] * b + m[2] * c + off[0];
    c1[i] = m[3] * a + m[4] * b + m[5] * c + off[1];
    c2[i] = m[6] * a + m[7] * b + m[8] * c + off[2];
  }
}
