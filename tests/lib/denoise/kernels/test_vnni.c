/* The int8 path (vnni): its packing and convolution rows against a naive
 * twin of the same quantized arithmetic, on random data at odd widths and
 * channel counts; and the shipped model on it against float, held to the
 * 0.05 dB quality budget. Skipped where the CPU or the build has no
 * AVX512_VNNI. */
#include "config.h"
#include "denoise/synth/noise.h"
#include "denoise/kernels/kernels.h"
#include "../aenn_naive.h"
#include "denoise/synth/deadleaves.h"
#include "denoise/train/train.h"

#include <math.h>
#include <string.h>

static const int widths[] = { 1, 7, 33, 385 };
static const int in_chans[] = { 1, 3, 4, 5, 17 };
static const int out_chans[] = { 1, 3, 8, 13, 16 };

static GRand *rng;

static const AennKernels *
vnni_kernels (void)
{
  const AennKernels *k = aenn_kernels_get (KERNEL_PATH_VNNI);
  if (k == NULL) {
    g_test_skip ("no AVX512_VNNI on this CPU or in this build");
    return NULL;
  }
  g_assert_nonnull (k->qconv_row);
  g_assert_nonnull (k->qpack_row);
  return k;
}

/* A packed row of n pixels, groups gs bytes apart, 64 bytes of guard on
 * each side so that a stray access is seen. */
typedef struct
{
  guint8 *mem, *row;
  gsize gs;
} Packed;

static void
packed_init (Packed * p, int n, int ng)
{
  p->gs = ((gsize) n * 4 + 63) / 64 * 64;
  p->mem = g_malloc (p->gs * ng + 128);
  memset (p->mem, 0xa5, p->gs * ng + 128);
  p->row = p->mem + 64;
}

/* The quantizer's per-channel parameters: ranges that straddle zero or
 * not, and values beyond them (clamped). */
static void
random_quant (int in_c, float *inv_s, float *zp)
{
  for (int c = 0; c < in_c; c++) {
    float lo = (float) g_rand_double_range (rng, -2.0, 0.0);
    float hi = (float) g_rand_double_range (rng, 0.1, 3.0);
    float s = (hi - lo) / 255.0f;
    inv_s[c] = 1.0f / s;
    zp[c] = nearbyintf (-lo / s);
  }
}

static void
test_pack (void)
{
  const AennKernels *k = vnni_kernels ();
  if (k == NULL)
    return;
  for (guint wi = 0; wi < G_N_ELEMENTS (widths); wi++)
    for (guint ci = 0; ci < G_N_ELEMENTS (in_chans); ci++) {
      int n = widths[wi], ic = in_chans[ci], ng = (ic + 3) / 4;
      float *src = g_new (float, (gsize) ic * n), inv_s[17], zp[17];
      const float *rows[17];
      Packed p;

      random_quant (ic, inv_s, zp);
      for (int c = 0; c < ic; c++) {
        rows[c] = src + (gsize) c * n;
        for (int x = 0; x < n; x++) {
          /* a quarter exactly on a half step: rounding to even shows */
          float v = (float) g_rand_double_range (rng, -3.0, 4.0);
          if (g_rand_int_range (rng, 0, 4) == 0)
            v = ((float) g_rand_int_range (rng, 0, 255) + 0.5f - zp[c])
                / inv_s[c];
          src[(gsize) c * n + x] = v;
        }
      }
      packed_init (&p, n, ng);
      k->qpack_row (p.row, p.gs, rows, n, ic, inv_s, zp);
      for (int g = 0; g < ng; g++)
        for (int x = 0; x < n; x++)
          for (int b = 0; b < 4; b++) {
            int c = 4 * g + b;
            gint want = c < ic ? aenn_naive_quant (rows[c][x], inv_s[c],
                zp[c]) : 0;
            gint got = p.row[g * p.gs + 4 * x + b];
            if (got != want)
              g_error ("n %d ic %d: pixel %d channel %d: %d, expected %d "
                  "(from %.9g)", n, ic, x, c, got, want, c < ic ?
                  rows[c][x] : 0.0f);
          }
      /* nothing outside the row written */
      for (int i = 0; i < 64; i++)
        g_assert_cmpint (p.mem[i], ==, 0xa5);
      for (int g = 0; g < ng; g++)
        for (gsize b = (gsize) 4 * n; b < p.gs; b++)
          g_assert_cmpint (p.row[g * p.gs + b], ==, 0xa5);
      g_free (p.mem);
      g_free (src);
    }
}

/* One case of the conv row: packed input rows with their border pixels
 * filled as the engine fills them (zero padding: the zero point, that is
 * a packed 0.0; replicate: pixel 0 and n - 1 again), random s8 weights
 * (0 for the channels past in_c, as the engine sets them). unit: scale 1,
 * no correction, bias 0, no activation, so that the output is the int32
 * accumulator itself, exactly (sums stay below 2^24 here). */
static void
conv_case (const AennKernels * k, int n, int ic, int oc, int terms, int ks,
    AennAct act, AennPad pad, gboolean unit)
{
  int ng = (ic + 3) / 4, kk = ks * ks, half = ks / 2, nv = oc * terms;
  Packed *rows = g_new (Packed, ks);
  const guint8 **in = g_new (const guint8 *, ng * ks);
  gint8 *wq = g_new0 (gint8, (gsize) nv * ng * kk * 4);
  gint32 *corr = g_new (gint32, nv);
  float *scale = g_new (float, nv), *bias = g_new (float, oc);
  float **out = g_new (float *, oc);
  float inv_s[17], zp[17], *src = g_new (float, (gsize) ic * (n + 2));
  const float *srows[17];

  random_quant (ic, inv_s, zp);
  for (int dy = 0; dy < ks; dy++) {
    packed_init (&rows[dy], n + 2, ng);
    for (int c = 0; c < ic; c++) {
      float *r = src + (gsize) c * (n + 2) + 1;
      for (int x = 0; x < n; x++)
        r[x] = (float) g_rand_double_range (rng, -2.5, 3.5);
      r[-1] = pad == AENN_PAD_ZERO ? 0.0f : r[0];
      r[n] = pad == AENN_PAD_ZERO ? 0.0f : r[n - 1];
      srows[c] = r - 1;
    }
    k->qpack_row (rows[dy].row, rows[dy].gs, srows, n + 2, ic, inv_s, zp);
    for (int g = 0; g < ng; g++)
      in[g * ks + dy] = rows[dy].row + g * rows[dy].gs + 4;
  }
  for (int v = 0; v < nv; v++) {
    for (int g = 0; g < ng; g++)
      for (int t = 0; t < kk; t++)
        for (int b = 0; b < 4; b++)
          if (4 * g + b < ic)
            wq[(((gsize) v * ng + g) * kk + t) * 4 + b] =
                (gint8) g_rand_int_range (rng, -127, 128);
    corr[v] = unit ? 0 : g_rand_int_range (rng, -100000, 100000);
    scale[v] = unit ? 1.0f : (float) g_rand_double_range (rng, 1e-5, 1e-3);
  }
  for (int o = 0; o < oc; o++) {
    bias[o] = unit ? 0.0f : (float) g_rand_double_range (rng, -1.0, 1.0);
    out[o] = g_new (float, n + 32);
    for (int x = 0; x < n + 32; x++)
      out[o][x] = -12345.0f;
  }

  k->qconv_row (out, in, n, ng, oc, terms, ks, wq, corr, scale, bias, act,
      0.125f);

  for (int o = 0; o < oc; o++) {
    for (int x = 0; x < n; x++) {
      gint64 acc[2] = { 0, 0 };
      float want;
      for (int j = 0; j < terms; j++)
        for (int g = 0; g < ng; g++)
          for (int dy = 0; dy < ks; dy++)
            for (int dx = 0; dx < ks; dx++)
              for (int b = 0; b < 4; b++)
                acc[j] += (gint64) in[g * ks + dy][4 * (x + dx - half) + b]
                    * wq[((((gsize) o * terms + j) * ng + g) * kk + dy * ks
                        + dx) * 4 + b];
      if (unit) {
        want = 0;
        for (int j = 0; j < terms; j++)
          want += (float) acc[j];
      } else
        want = aenn_naive_dequant (acc, o * terms, terms, corr, scale,
            bias[o]);
      if (act == AENN_ACT_RELU && want < 0)
        want = 0;
      else if (act == AENN_ACT_LEAKY_RELU && want < 0)
        want *= 0.125f;
      if (unit ? out[o][x] != want
          : !(fabsf (out[o][x] - want) <= 1e-5f * fabsf (want) + 1e-30f))
        g_error ("n %d ic %d oc %d terms %d k %d act %d pad %d unit %d: "
            "out[%d][%d] %.9g, expected %.9g", n, ic, oc, terms, ks, act,
            pad, unit, o, x, out[o][x], want);
    }
    /* the masked tail writes nothing past the row */
    for (int x = n; x < n + 32; x++)
      g_assert_cmpfloat (out[o][x], ==, -12345.0f);
    g_free (out[o]);
  }
  for (int dy = 0; dy < ks; dy++)
    g_free (rows[dy].mem);
  g_free (rows);
  g_free (in);
  g_free (wq);
  g_free (corr);
  g_free (scale);
  g_free (bias);
  g_free (out);
  g_free (src);
}

static void
test_conv_rows (void)
{
  const AennKernels *k = vnni_kernels ();
  guint cases = 0;
  if (k == NULL)
    return;
  for (guint wi = 0; wi < G_N_ELEMENTS (widths); wi++)
    for (guint ci = 0; ci < G_N_ELEMENTS (in_chans); ci++)
      for (guint oi = 0; oi < G_N_ELEMENTS (out_chans); oi++)
        for (int terms = 1; terms <= 2; terms++)
          for (int ks = 1; ks <= 3; ks += 2)
            for (int act = 0; act < 3; act++)
              for (int pad = 0; pad < 2; pad++)
                for (int unit = 0; unit < 2; unit++) {
                  conv_case (k, widths[wi], in_chans[ci], out_chans[oi],
                      terms, ks, (AennAct) act, (AennPad) pad, unit);
                  cases++;
                }
  g_test_message ("%u cases", cases);
}

/* The shipped model on a generated noisy frame, int8 against float. If
 * the int8 error is uncorrelated with the float one (it is a rounding
 * error), mean square errors add, and the loss in PSNR is 10 log10 (1 +
 * e / m), e the mean square difference int8 - float and m float's own
 * error against the clean frame: within 0.05 dB means e / m <= 10^0.005 -
 * 1 = 0.0116. */
static void
test_model_budget (void)
{
  static const float sigmas[] = { 15.0f, 25.0f, 50.0f };
  const guint w = 385, h = 289;
  gchar *file;
  AennModel *m;
  AennPlan *fp, *qp;
  GError *err = NULL;
  float *clean, *noisy, *a, *b;
  AennDeadLeavesParams lp;

  if (vnni_kernels () == NULL)
    return;
  file = g_build_filename (TEST_SRCDIR, "models",
      "aedenoise-default.safetensors", NULL);
  m = aenn_model_load_file (file, &err);
  g_assert_no_error (err);
  g_free (file);
  if (m->in_channels != 1) {
    g_test_skip ("the shipped model is not a one-channel model");
    aenn_model_free (m);
    return;
  }
  fp = aenn_plan_new (m, kernel_path_best_float (), &err);
  qp = aenn_plan_new (m, KERNEL_PATH_VNNI, &err);
  g_assert_no_error (err);
  g_assert_true (aenn_plan_prepare (fp, w, h, NULL, 0, &err));
  g_assert_true (aenn_plan_prepare (qp, w, h, NULL, 0, &err));
  clean = g_new (float, w * h);
  noisy = g_new (float, w * h);
  a = g_new (float, w * h);
  b = g_new (float, w * h);
  aenn_deadleaves_params_init (&lp);
  /* not the calibration frames (those are 192x192, other seeds) */
  aenn_deadleaves_render (&lp, 424242, 1, w, h, clean);
  for (guint si = 0; si < G_N_ELEMENTS (sigmas); si++) {
    Rng r;
    const float *s[1] = { noisy };
    float *d[1];
    double mf = 0, e = 0;
    rng_init (&r, 99, si, 0);
    aenn_synth_gaussian (&r, clean, noisy, w * h, sigmas[si], TRUE);
    d[0] = a;
    aenn_plan_process (fp, s, w, d, w, sigmas[si]);
    d[0] = b;
    aenn_plan_process (qp, s, w, d, w, sigmas[si]);
    for (guint i = 0; i < w * h; i++) {
      /* as the element does: 8-bit output */
      double fa = CLAMP (nearbyint (a[i] * 255.0), 0, 255);
      double fb = CLAMP (nearbyint (b[i] * 255.0), 0, 255);
      double c = clean[i] * 255.0;
      mf += (fa - c) * (fa - c);
      e += (fb - fa) * (fb - fa);
    }
    g_test_message ("sigma %g: float PSNR %.2f dB, int8 - float %.2f dB, "
        "e / m %.4f", sigmas[si], 10 * log10 (255.0 * 255.0 * w * h / mf),
        10 * log10 (255.0 * 255.0 * w * h / MAX (e, 1e-30)), e / mf);
    g_assert_cmpfloat (e / mf, <=, 0.0116);
  }
  aenn_plan_free (fp);
  aenn_plan_free (qp);
  aenn_model_free (m);
  g_free (clean);
  g_free (noisy);
  g_free (a);
  g_free (b);
}

/* Other paths run their float code in place of vnni where they have no
 * int8 variant; and the name round-trips. */
static void
test_path (void)
{
  KernelPath p;
  g_assert_true (kernel_path_from_name ("vnni", &p) && p == KERNEL_PATH_VNNI);
  g_assert_cmpstr (kernel_path_name (KERNEL_PATH_VNNI), ==, "vnni");
  g_assert_true (kernel_path_is_quantized (KERNEL_PATH_VNNI));
  g_assert_false (kernel_path_is_quantized (KERNEL_PATH_AVX512));
  g_assert_cmpint (kernel_path_float (KERNEL_PATH_VNNI), ==, KERNEL_PATH_AVX512);
  g_assert_false (kernel_path_is_quantized (kernel_path_best_float ()));
  if (kernel_path_supported (KERNEL_PATH_VNNI))
    g_assert_true (kernel_path_supported (KERNEL_PATH_AVX512));
  for (gint i = 0; i < KERNEL_PATH_LAST; i++) {
    const AennKernels *k = aenn_kernels_get ((KernelPath) i);
    if (k != NULL)
      g_assert_true ((k->qconv_row != NULL) == kernel_path_is_quantized (i));
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  rng = g_rand_new_with_seed (4321);
  g_test_add_func ("/aenn/vnni/path", test_path);
  g_test_add_func ("/aenn/vnni/pack", test_pack);
  g_test_add_func ("/aenn/vnni/conv-rows", test_conv_rows);
  g_test_add_func ("/aenn/vnni/model-budget", test_model_budget);
  return g_test_run ();
}
