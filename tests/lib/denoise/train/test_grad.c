/* The trainer's forward pass against the engine, and its gradients against
 * central finite differences of a double-precision forward pass, for every
 * op, activation and padding, on small odd shapes, with every kernel
 * table this CPU runs. */
#include "config.h"
#include "denoise/engine/engine.h"
#include "denoise/train/grad.h"

#include <math.h>
#include <string.h>

/* Every op: 3x3 zero and replicate, 1x1, none/relu/leaky_relu, s2d, d2s,
 * add, concat with sigma and with a computed tensor, residual. */
static const gchar arch_all[] =
    "{\"in_channels\": 2, \"residual\": true, \"output\": \"y\", \"layers\": ["
    "{\"op\": \"conv\", \"name\": \"c0\", \"in\": [\"x\"], \"out\": \"a\", "
    "\"out_channels\": 5, \"kernel\": 3, \"pad\": \"zero\", \"act\": \"relu\"},"
    "{\"op\": \"s2d\", \"name\": \"d\", \"in\": [\"a\"], \"out\": \"b\"},"
    "{\"op\": \"conv\", \"name\": \"c1\", \"in\": [\"b\"], \"out\": \"c\", "
    "\"out_channels\": 7, \"kernel\": 1, \"act\": \"leaky_relu\", "
    "\"slope\": 0.1},"
    "{\"op\": \"sigma\", \"name\": \"s\", \"level\": 1, \"out\": \"sg\"},"
    "{\"op\": \"concat\", \"name\": \"k\", \"in\": [\"c\", \"sg\"], "
    "\"out\": \"e\"},"
    "{\"op\": \"conv\", \"name\": \"c2\", \"in\": [\"e\"], \"out\": \"f\", "
    "\"out_channels\": 8, \"kernel\": 3, \"pad\": \"replicate\"},"
    "{\"op\": \"add\", \"name\": \"p\", \"in\": [\"f\", \"e\"], \"out\": \"g\"},"
    "{\"op\": \"concat\", \"name\": \"k2\", \"in\": [\"g\", \"b\"], "
    "\"out\": \"g2\"},"
    "{\"op\": \"conv\", \"name\": \"c3\", \"in\": [\"g2\"], \"out\": \"h\", "
    "\"out_channels\": 8, \"kernel\": 3, \"pad\": \"replicate\", "
    "\"act\": \"leaky_relu\", \"slope\": 0.2},"
    "{\"op\": \"d2s\", \"name\": \"u\", \"in\": [\"h\"], \"out\": \"y\"}]}";

/* Not residual, zero padding after a 1x1 at level 0, three channels. */
static const gchar arch_plain[] =
    "{\"in_channels\": 3, \"output\": \"y\", \"layers\": ["
    "{\"op\": \"conv\", \"name\": \"c0\", \"in\": [\"x\"], \"out\": \"a\", "
    "\"out_channels\": 6, \"kernel\": 1, \"act\": \"relu\"},"
    "{\"op\": \"conv\", \"name\": \"c1\", \"in\": [\"a\"], \"out\": \"b\", "
    "\"out_channels\": 5, \"kernel\": 3, \"pad\": \"zero\", "
    "\"act\": \"leaky_relu\", \"slope\": 0.3},"
    "{\"op\": \"conv\", \"name\": \"c2\", \"in\": [\"b\"], \"out\": \"y\", "
    "\"out_channels\": 3, \"kernel\": 3, \"pad\": \"replicate\"}]}";

static float *
random_floats (gsize n, guint32 seed, double lo, double hi)
{
  GRand *r = g_rand_new_with_seed (seed);
  float *v = g_new (float, n);
  for (gsize i = 0; i < n; i++)
    v[i] = (float) g_rand_double_range (r, lo, hi);
  g_rand_free (r);
  return v;
}

static GPtrArray *
kernel_tables (void)
{
  GPtrArray *a = g_ptr_array_new ();
  for (KernelPath p = KERNEL_PATH_C; p < KERNEL_PATH_LAST; p++) {
    const AennTrainKernels *k = aenn_train_kernels_get (p);
    if (kernel_path_supported (p) && !g_ptr_array_find (a, k, NULL))
      g_ptr_array_add (a, (gpointer) k);
  }
  return a;
}

/* ---- a double-precision forward pass straight from the definitions ---- */

static double
dget (const double *t, guint c, guint h, guint w, gint y, gint x,
    AennPad pad)
{
  if (y < 0 || x < 0 || y >= (gint) h || x >= (gint) w) {
    if (pad == AENN_PAD_ZERO)
      return 0.0;
    y = CLAMP (y, 0, (gint) h - 1);
    x = CLAMP (x, 0, (gint) w - 1);
  }
  return t[((gsize) c * h + y) * w + x];
}

/* img: (C, P, P); returns sum mask * (result - target)^2 */
static double
double_loss (const AennModel * m, const float *img, guint P, float sigma,
    const float *target, const float *mask)
{
  double **t = g_new0 (double *, m->n_tensors);
  double loss = 0.0;
  guint C = m->in_channels;

  t[0] = g_new (double, (gsize) C * P * P);
  for (gsize i = 0; i < (gsize) C * P * P; i++)
    t[0][i] = img[i];
  for (guint i = 0; i < m->n_layers; i++) {
    const AennLayer *L = &m->layers[i];
    const AennTensor *to = &m->tensors[L->out];
    guint s = P >> to->level, oc = to->channels;
    guint ic = L->n_in ? m->tensors[L->in[0]].channels : 0;
    guint si = L->n_in ? P >> m->tensors[L->in[0]].level : 0;
    const double *a = L->n_in ? t[L->in[0]] : NULL;
    const double *b = L->n_in > 1 ? t[L->in[1]] : NULL;
    double *o = t[L->out] = g_new0 (double, (gsize) oc * s * s);
    for (guint c = 0; c < oc; c++)
      for (guint y = 0; y < s; y++)
        for (guint x = 0; x < s; x++) {
          double v = 0.0;
          switch (L->op) {
            case AENN_OP_CONV:{
              gint hf = (gint) L->kernel / 2;
              v = L->bias[c];
              for (guint j = 0; j < ic; j++)
                for (guint dy = 0; dy < L->kernel; dy++)
                  for (guint dx = 0; dx < L->kernel; dx++)
                    v += (double) L->weight[((c * ic + j) * L->kernel + dy)
                        * L->kernel + dx] * dget (a, j, si, si,
                        (gint) (y + dy) - hf, (gint) (x + dx) - hf, L->pad);
              if (v < 0 && L->act == AENN_ACT_RELU)
                v = 0;
              else if (v < 0 && L->act == AENN_ACT_LEAKY_RELU)
                v *= L->slope;
              break;
            }
            case AENN_OP_S2D:
              v = a[((gsize) (c / 4) * si + 2 * y + (c / 2) % 2) * si + 2 * x
                  + c % 2];
              break;
            case AENN_OP_D2S:
              v = a[((gsize) (c * 4 + (y % 2) * 2 + x % 2) * si + y / 2) * si
                  + x / 2];
              break;
            case AENN_OP_ADD:
              v = a[((gsize) c * s + y) * s + x] + b[((gsize) c * s + y) * s
                  + x];
              break;
            case AENN_OP_CONCAT:
              v = c < ic ? a[((gsize) c * s + y) * s + x] :
                  b[((gsize) (c - ic) * s + y) * s + x];
              break;
            case AENN_OP_SIGMA:
              v = sigma / 255.0f;
              break;
          }
          o[((gsize) c * s + y) * s + x] = v;
        }
  }
  for (guint c = 0; c < C; c++)
    for (gsize i = 0; i < (gsize) P * P; i++) {
      double n = t[m->output][c * P * P + i];
      double r = m->residual ? img[c * P * P + i] - n : n;
      double d = r - target[c * P * P + i];
      loss += (mask ? mask[i] : 1.0) * d * d;
    }
  for (guint i = 0; i < m->n_tensors; i++)
    g_free (t[i]);
  g_free (t);
  return loss;
}

/* ---- forward against the engine ---- */

static void
check_forward (const gchar * arch, guint P, guint nb)
{
  GError *err = NULL;
  AennModel *m = aenn_model_new (arch, &err);
  GPtrArray *tables = kernel_tables ();
  guint C;
  gsize n;

  g_assert_no_error (err);
  aenn_model_randomize (m, 5, 1.0f);
  C = m->in_channels;
  n = (gsize) C * P * P;
  for (guint ti = 0; ti < tables->len; ti++) {
    const AennTrainKernels *k = tables->pdata[ti];
    AennGrad *g = aenn_grad_new (m, k, P, nb, &err);
    /* the float engine: the trainer's forward pass is float */
    AennPlan *plan = aenn_plan_new (m, kernel_path_float (kernel_path_default ()),
        &err);
    float *img = random_floats (n * nb, 17, 0.0, 1.0);
    float *got = g_new (float, n), *want = g_new (float, n);

    g_assert_no_error (err);
    g_assert_true (aenn_plan_prepare (plan, P, P, NULL, 0, &err));
    for (guint b = 0; b < nb; b++)
      aenn_grad_set_input (g, b, img + b * n, 5.0f + 10.0f * b);
    aenn_grad_forward (g, nb);
    for (guint b = 0; b < nb; b++) {
      const float *src[4];
      float *dst[4];
      double worst = 0.0, scale = 1e-3;
      for (guint c = 0; c < C; c++) {
        src[c] = img + b * n + (gsize) c * P * P;
        dst[c] = want + (gsize) c * P * P;
      }
      aenn_plan_process (plan, src, P, dst, P, 5.0f + 10.0f * b);
      aenn_grad_get_output (g, b, got);
      for (gsize i = 0; i < n; i++)
        scale = MAX (scale, fabs (want[i]));
      for (gsize i = 0; i < n; i++)
        worst = MAX (worst, fabs (got[i] - want[i]) / scale);
      g_test_message ("%s P=%u patch %u: worst relative difference %.3g",
          k->name, P, b, worst);
      g_assert_cmpfloat (worst, <, 1e-5);
    }
    g_free (img);
    g_free (got);
    g_free (want);
    aenn_plan_free (plan);
    aenn_grad_free (g);
  }
  g_ptr_array_free (tables, TRUE);
  aenn_model_free (m);
}

static void
test_forward_all_ops (void)
{
  check_forward (arch_all, 6, 3);
  check_forward (arch_all, 34, 2);
}

static void
test_forward_default (void)
{
  check_forward (aenn_default_architecture (), 12, 3);
  check_forward (aenn_default_architecture (), 64, 2);
}

static void
test_forward_plain (void)
{
  check_forward (arch_plain, 7, 2);
}

/* ---- gradients against finite differences ---- */

static void
check_gradients (const gchar * arch, guint P, guint nb, gboolean use_mask,
    guint max_params)
{
  GError *err = NULL;
  AennModel *m = aenn_model_new (arch, &err);
  GPtrArray *tables = kernel_tables ();
  guint C;
  gsize n, np, *off;
  float *img, *target, *mask = NULL, *wflip, sig[4] = { 3, 20, 41, 55 };
  double *num;
  GArray *which = g_array_new (FALSE, FALSE, sizeof (gsize));

  g_assert_no_error (err);
  g_assert_cmpuint (nb, <=, 4);
  aenn_model_randomize (m, 9, 1.0f);
  C = m->in_channels;
  n = (gsize) C * P * P;
  img = random_floats (n * nb, 3, 0.0, 1.0);
  target = random_floats (n * nb, 4, 0.0, 1.0);
  if (use_mask) {
    GRand *r = g_rand_new_with_seed (8);
    mask = g_new (float, (gsize) nb * P * P);
    for (gsize i = 0; i < (gsize) nb * P * P; i++)
      mask[i] = g_rand_int_range (r, 0, 3) * 0.5f;
    g_rand_free (r);
  }
  off = g_new (gsize, m->n_layers);
  np = aenn_grad_param_offsets (m, off);
  wflip = g_new (float, np);
  aenn_grad_flip_weights (m, off, wflip);

  /* every parameter, or an even sample of them */
  for (gsize i = 0; i < np; i += MAX (np / max_params, 1))
    g_array_append_val (which, i);
  num = g_new (double, which->len);
  {
    /* small enough that no ReLU kink falls inside the step; the reference
     * is in double, so rounding does not swamp it */
    double h = 1e-5;
    for (guint q = 0; q < which->len; q++) {
      gsize pi = g_array_index (which, gsize, q);
      float *p = NULL;
      double lp = 0, lm = 0, saved;
      for (guint l = 0; l < m->n_layers; l++)
        if (off[l] != G_MAXSIZE && pi >= off[l]) {
          gsize nw = (gsize) m->tensors[m->layers[l].out].channels
              * m->tensors[m->layers[l].in[0]].channels * m->layers[l].kernel
              * m->layers[l].kernel;
          p = pi - off[l] < nw ? m->layers[l].weight + (pi - off[l])
              : m->layers[l].bias + (pi - off[l] - nw);
        }
      saved = *p;
      /* the perturbed weight rounds to float: use the step it really
       * took */
      *p = (float) (saved + h);
      for (guint b = 0; b < nb; b++)
        lp += double_loss (m, img + b * n, P, sig[b], target + b * n,
            mask ? mask + (gsize) b * P * P : NULL);
      double hp = *p - saved;
      *p = (float) (saved - h);
      for (guint b = 0; b < nb; b++)
        lm += double_loss (m, img + b * n, P, sig[b], target + b * n,
            mask ? mask + (gsize) b * P * P : NULL);
      double hm = saved - *p;
      *p = (float) saved;
      num[q] = (lp - lm) / (hp + hm);
    }
  }

  for (guint ti = 0; ti < tables->len; ti++) {
    const AennTrainKernels *k = tables->pdata[ti];
    AennGrad *g = aenn_grad_new (m, k, P, nb, &err);
    float *dp = g_new0 (float, np);
    double loss, want_loss = 0.0, gmax = 0.0, worst = 0.0;

    g_assert_no_error (err);
    for (guint b = 0; b < nb; b++) {
      aenn_grad_set_input (g, b, img + b * n, sig[b]);
      want_loss += double_loss (m, img + b * n, P, sig[b], target + b * n,
          mask ? mask + (gsize) b * P * P : NULL);
    }
    aenn_grad_forward (g, nb);
    loss = aenn_grad_backward (g, nb, target, mask, 1.0f, off, wflip, dp);
    g_assert_cmpfloat (fabs (loss - want_loss), <=, 1e-5 * want_loss + 1e-9);
    for (guint q = 0; q < which->len; q++)
      gmax = MAX (gmax, fabs (num[q]));
    g_assert_cmpfloat (gmax, >, 0.0);
    for (guint q = 0; q < which->len; q++) {
      double a = dp[g_array_index (which, gsize, q)];
      double e = fabs (a - num[q]) / (1e-3 * gmax + fabs (num[q]));
      if (e > 1e-3)
        g_error ("%s: parameter %" G_GSIZE_FORMAT ": analytic %.7g, "
            "numeric %.7g", k->name, g_array_index (which, gsize, q), a,
            num[q]);
      worst = MAX (worst, e);
    }
    g_test_message ("%s P=%u: %u parameters, worst relative error %.3g",
        k->name, P, which->len, worst);
    g_free (dp);
    aenn_grad_free (g);
  }
  g_array_free (which, TRUE);
  g_free (num);
  g_free (img);
  g_free (target);
  g_free (mask);
  g_free (off);
  g_free (wflip);
  g_ptr_array_free (tables, TRUE);
  aenn_model_free (m);
}

static void
test_grad_all_ops (void)
{
  check_gradients (arch_all, 6, 2, FALSE, 100000);
  check_gradients (arch_all, 10, 3, TRUE, 400);
}

static void
test_grad_plain (void)
{
  check_gradients (arch_plain, 5, 2, TRUE, 100000);
}

static void
test_grad_default (void)
{
  check_gradients (aenn_default_architecture (), 12, 2, FALSE, 600);
}

static void
test_bad_patch (void)
{
  GError *err = NULL;
  AennModel *m = aenn_model_new (aenn_default_architecture (), &err);
  g_assert_null (aenn_grad_new (m, &aenn_tk_generic, 30, 2, &err));
  g_assert_error (err, AENN_ERROR, AENN_ERROR_SIZE);
  g_assert_nonnull (strstr (err->message, "multiple of 4"));
  g_clear_error (&err);
  aenn_model_free (m);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/aenn/grad/forward-all-ops", test_forward_all_ops);
  g_test_add_func ("/aenn/grad/forward-default", test_forward_default);
  g_test_add_func ("/aenn/grad/forward-plain", test_forward_plain);
  g_test_add_func ("/aenn/grad/gradients-all-ops", test_grad_all_ops);
  g_test_add_func ("/aenn/grad/gradients-plain", test_grad_plain);
  g_test_add_func ("/aenn/grad/gradients-default", test_grad_default);
  g_test_add_func ("/aenn/grad/bad-patch", test_bad_patch);
  return g_test_run ();
}
