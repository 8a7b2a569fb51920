/* The row conversions of aedenoise (denoise/frames/aenn_pack_orc.orc) against their C twins
 * on random data at odd lengths, and the blend's own promises: strength 0
 * gives the input back, strength 1 the network's output rounded, values
 * out of range are clamped. */
#include "config.h"
#include "denoise/frames/pack.h"
#include "aenn_pack_orc.h"

#include <math.h>
#include <string.h>

static const int lengths[] = { 1, 2, 3, 7, 15, 16, 17, 31, 255, 256, 257,
  1023, 1921
};

static GRand *rng;

static guint8 *
rnd_u8 (int n)
{
  guint8 *p = g_new (guint8, n);
  for (int i = 0; i < n; i++)
    p[i] = (guint8) g_rand_int_range (rng, 0, 256);
  /* the extremes, which the clamp and the scale must get exactly */
  if (n > 2) {
    p[0] = 0;
    p[1] = 255;
  }
  return p;
}

/* network outputs: mostly in [0, 1], some out of range, some exactly at
 * a half step (ties) */
static float *
rnd_f32 (int n)
{
  float *p = g_new (float, n);
  for (int i = 0; i < n; i++) {
    gint32 kind = g_rand_int_range (rng, 0, 8);
    if (kind == 0)
      p[i] = (float) g_rand_double_range (rng, -3.0, 4.0);
    else if (kind == 1)
      p[i] = (g_rand_int_range (rng, 0, 511) * 0.5f) / 255.0f;
    else
      p[i] = (float) g_rand_double (rng);
  }
  return p;
}

static void
check_u8 (const guint8 * a, const guint8 * b, int n, const gchar * what)
{
  for (int i = 0; i < n; i++)
    if (a[i] != b[i])
      g_error ("%s: byte %d of %d: %u (ORC) vs %u (C)", what, i, n, a[i],
          b[i]);
}

static void
check_f32 (const float *a, const float *b, int n, const gchar * what)
{
  if (memcmp (a, b, n * sizeof (float)) != 0)
    for (int i = 0; i < n; i++)
      if (a[i] != b[i])
        g_error ("%s: float %d of %d: %.9g (ORC) vs %.9g (C)", what, i, n,
            a[i], b[i]);
}

static void
test_loads (void)
{
  const float scale = 1.0f / 255.0f;

  for (guint li = 0; li < G_N_ELEMENTS (lengths); li++) {
    int n = lengths[li];
    guint8 *s = rnd_u8 (4 * n);
    float *a[4], *b[4];
    for (int j = 0; j < 4; j++) {
      a[j] = g_new0 (float, n);
      b[j] = g_new0 (float, n);
    }
    aenn_orc_u8_to_f32 (a[0], s, scale, n);
    aenn_ref_u8_to_f32 (b[0], s, scale, n);
    check_f32 (a[0], b[0], n, "u8_to_f32");
    g_assert_cmpfloat (b[0][0] * 255.0f, ==, (float) s[0]);
    aenn_orc_unpack2_f32 (a[0], a[1], (const guint16 *) s, scale, n);
    aenn_ref_unpack2_f32 (b[0], b[1], (const guint16 *) s, scale, n);
    check_f32 (a[0], b[0], n, "unpack2_f32 d0");
    check_f32 (a[1], b[1], n, "unpack2_f32 d1");
    g_assert_cmpfloat (b[1][0], ==, s[1] * scale);
    aenn_orc_unpack4_f32 (a[0], a[1], a[2], a[3], (const guint32 *) s,
        scale, n);
    aenn_ref_unpack4_f32 (b[0], b[1], b[2], b[3], (const guint32 *) s,
        scale, n);
    for (int j = 0; j < 4; j++) {
      check_f32 (a[j], b[j], n, "unpack4_f32");
      g_assert_cmpfloat (b[j][0], ==, s[j] * scale);
    }
    aenn_ref_unpack3_f32 (b[0], b[1], b[2], s, scale, n);
    for (int j = 0; j < 3; j++)
      g_assert_cmpfloat (b[j][n - 1], ==, s[3 * (n - 1) + j] * scale);
    for (int j = 0; j < 4; j++) {
      g_free (a[j]);
      g_free (b[j]);
    }
    g_free (s);
  }
}

/* round half to even of a double, clamped: what the blend promises; *tie
 * says whether float arithmetic may round the other way */
static guint8
expected_blend_tie (guint8 s, float n, float t, gboolean * tie)
{
  double v = s + (double) t * (255.0 * n - s);
  v = CLAMP (v, 0.0, 255.0);
  *tie = fabs (v - floor (v) - 0.5) < 1e-3;
  return (guint8) nearbyint (v);
}

/* b is the blend of s, n, t within rounding */
#define assert_blend(b, s, n, t) G_STMT_START {                           \
    gboolean tie_;                                                          \
    gint e_ = expected_blend_tie (s, n, t, &tie_);                          \
    if (ABS ((gint) (b) - e_) > (tie_ ? 1 : 0))                             \
      g_error ("blend of s %u n %.9g t %g: %u, expected %d", s, n, t, b,    \
          e_);                                                              \
  } G_STMT_END

static void
test_blends (void)
{
  static const float strengths[] = { 0.0f, 1.0f, 0.5f, 0.3f, 0.999f };

  for (guint li = 0; li < G_N_ELEMENTS (lengths); li++) {
    int n = lengths[li];
    guint8 *s = rnd_u8 (4 * n), *a = g_new (guint8, 4 * n);
    guint8 *b = g_new (guint8, 4 * n), *h = g_new (guint8, 4 * n);
    float *f[4];
    for (int j = 0; j < 4; j++)
      f[j] = rnd_f32 (n);

    for (guint ti = 0; ti < G_N_ELEMENTS (strengths); ti++) {
      float t = strengths[ti], t2 = strengths[(ti + 1) % 5];
      aenn_orc_blend_u8 (a, s, f[0], t, n);
      aenn_ref_blend_u8 (b, s, f[0], t, n);
      check_u8 (a, b, n, "blend_u8");
      for (int i = 0; i < n; i++)
        assert_blend (b[i], s[i], f[0][i], t);
      aenn_orc_blend2_u8 ((guint16 *) a, (const guint16 *) s, f[0], f[1], t,
          n);
      aenn_ref_blend2_u8 ((guint16 *) b, (const guint16 *) s, f[0], f[1], t,
          n);
      check_u8 (a, b, 2 * n, "blend2_u8");
      assert_blend (b[1], s[1], f[1][0], t);
      aenn_orc_blend4lo_u8 ((guint32 *) a, (const guint32 *) s, f[0], f[1],
          t, t2, n);
      aenn_ref_blend4lo_u8 ((guint32 *) b, (const guint32 *) s, f[0], f[1],
          t, t2, n);
      check_u8 (a, b, 4 * n, "blend4lo_u8");
      /* chained, as the frame code calls them */
      memcpy (h, b, 4 * n);
      aenn_orc_blend4hi_u8 ((guint32 *) a, (const guint32 *) h, f[2], f[3],
          t2, t, n);
      aenn_ref_blend4hi_u8 ((guint32 *) b, (const guint32 *) h, f[2], f[3],
          t2, t, n);
      check_u8 (a, b, 4 * n, "blend4hi_u8");
      for (int i = 0; i < n; i += 7) {
        assert_blend (b[4 * i], s[4 * i], f[0][i], t);
        assert_blend (b[4 * i + 1], s[4 * i + 1], f[1][i], t2);
        assert_blend (b[4 * i + 2], s[4 * i + 2], f[2][i], t2);
        assert_blend (b[4 * i + 3], s[4 * i + 3], f[3][i], t);
      }
      aenn_ref_blend3_u8 (b, s, f[0], f[1], f[2], t, n);
      assert_blend (b[3 * n - 1], s[3 * n - 1], f[2][n - 1], t);
      if (t == 0.0f)
        g_assert_cmpmem (b, 3 * n, s, 3 * n);
    }
    for (int j = 0; j < 4; j++)
      g_free (f[j]);
    g_free (s);
    g_free (a);
    g_free (b);
    g_free (h);
  }
}

/* Loading a sample and storing the same value back at full strength is
 * the identity, for every byte value. */
static void
test_round_trip (void)
{
  const AennPackKernels *k[2] = { aenn_pack_kernels_get (KERNEL_PATH_C),
    aenn_pack_kernels_get (KERNEL_PATH_ORC)
  };
  guint8 s[256], d[256];
  float f[256];

  for (int i = 0; i < 256; i++)
    s[i] = (guint8) i;
  for (int p = 0; p < 2; p++) {
    k[p]->u8_to_f32 (f, s, 1.0f / 255.0f, 256);
    k[p]->blend_u8 (d, s, f, 1.0f, 256);
    g_assert_cmpmem (d, 256, s, 256);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  rng = g_rand_new_with_seed (4321);
  g_test_add_func ("/aenn/pack/loads", test_loads);
  g_test_add_func ("/aenn/pack/blends", test_blends);
  g_test_add_func ("/aenn/pack/round-trip", test_round_trip);
  return g_test_run ();
}
