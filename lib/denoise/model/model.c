/* The graph: parsing and validating an architecture description, weights
 * by name, the default architecture. */
#include "config.h"
#include "denoise/model/model.h"
#include "common/rng.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

/* *INDENT-OFF* */
G_DEFINE_QUARK (aenn-error-quark, aenn_error);
/* *INDENT-ON* */

/* A small two-level U-Net. The plane is unshuffled by 2 (4 channels at
 * half resolution) and joined by the noise map; one 3x3 convolution of 14
 * channels at half resolution keeps the detail, which measurement showed
 * is where capacity pays most; those channels are unshuffled again,
 * projected to 8 channels at a quarter of the resolution for two 3x3
 * convolutions with a skip (the wide context), expanded back by a 1x1
 * convolution and a shuffle, added to the half-resolution features, and one
 * 3x3 convolution predicts the 4 noise channels that a last shuffle puts
 * back in place. 5*14*9/4 + 56*8/16 + 2*8*8*9/16 + 8*56/16 + 14*4*9/4 =
 * 411.5 MACs per pixel, 70% of the previous default (an FFDNet-like net
 * of 585 at a quarter of the resolution, 1 dB worse on Set12): sized for
 * the ORC path (SSE without FMA), which runs 720p I420 at about 33 fps
 * on two cores (docs/performance.md). Its narrow layers suit the AVX
 * kernels less. The trainer builds its network from this same string. */
static const gchar default_arch[] =
    "{\"in_channels\": 1, \"residual\": true, \"output\": \"noise\", "
    "\"layers\": ["
    "{\"op\": \"s2d\", \"name\": \"down1\", \"in\": [\"x\"], "
    "\"out\": \"x1\"}, "
    "{\"op\": \"sigma\", \"name\": \"sigma\", \"level\": 1, "
    "\"out\": \"s\"}, "
    "{\"op\": \"concat\", \"name\": \"cat\", \"in\": [\"x1\", \"s\"], "
    "\"out\": \"h0\"}, "
    "{\"op\": \"conv\", \"name\": \"enc1\", \"in\": [\"h0\"], "
    "\"out\": \"e1\", \"out_channels\": 14, \"kernel\": 3, "
    "\"pad\": \"replicate\", \"act\": \"leaky_relu\", "
    "\"slope\": 0.0625}, "
    "{\"op\": \"s2d\", \"name\": \"down2\", \"in\": [\"e1\"], "
    "\"out\": \"e1d\"}, "
    "{\"op\": \"conv\", \"name\": \"proj\", \"in\": [\"e1d\"], "
    "\"out\": \"m0\", \"out_channels\": 8, \"kernel\": 1, "
    "\"pad\": \"replicate\", \"act\": \"leaky_relu\", "
    "\"slope\": 0.0625}, "
    "{\"op\": \"conv\", \"name\": \"mid1\", \"in\": [\"m0\"], "
    "\"out\": \"m1\", \"out_channels\": 8, \"kernel\": 3, "
    "\"pad\": \"replicate\", \"act\": \"leaky_relu\", "
    "\"slope\": 0.0625}, "
    "{\"op\": \"conv\", \"name\": \"mid2\", \"in\": [\"m1\"], "
    "\"out\": \"m2\", \"out_channels\": 8, \"kernel\": 3, "
    "\"pad\": \"replicate\", \"act\": \"leaky_relu\", "
    "\"slope\": 0.0625}, "
    "{\"op\": \"add\", \"name\": \"skip1\", \"in\": [\"m2\", \"m0\"], "
    "\"out\": \"mm\"}, "
    "{\"op\": \"conv\", \"name\": \"expand\", \"in\": [\"mm\"], "
    "\"out\": \"q\", \"out_channels\": 56, \"kernel\": 1, "
    "\"pad\": \"replicate\", \"act\": \"leaky_relu\", "
    "\"slope\": 0.0625}, "
    "{\"op\": \"d2s\", \"name\": \"up1\", \"in\": [\"q\"], "
    "\"out\": \"u1\"}, "
    "{\"op\": \"add\", \"name\": \"skip2\", \"in\": [\"u1\", \"e1\"], "
    "\"out\": \"u2\"}, "
    "{\"op\": \"conv\", \"name\": \"out\", \"in\": [\"u2\"], "
    "\"out\": \"o\", \"out_channels\": 4, \"kernel\": 3, "
    "\"pad\": \"replicate\", \"act\": \"none\"}, "
    "{\"op\": \"d2s\", \"name\": \"up2\", \"in\": [\"o\"], "
    "\"out\": \"noise\"}" "]}";

const gchar *
aenn_default_architecture (void)
{
  return default_arch;
}

void
aenn_model_free (AennModel * model)
{
  if (model == NULL)
    return;
  for (guint i = 0; i < model->n_tensors; i++)
    g_free (model->tensors[i].name);
  for (guint i = 0; i < model->n_layers; i++) {
    g_free (model->layers[i].name);
    g_free (model->layers[i].weight);
    g_free (model->layers[i].bias);
  }
  g_free (model->tensors);
  g_free (model->layers);
  g_free (model->arch_json);
  g_free (model);
}

gint
aenn_model_find_tensor (const AennModel * model, const gchar * name)
{
  for (guint i = 0; i < model->n_tensors; i++)
    if (strcmp (model->tensors[i].name, name) == 0)
      return (gint) i;
  return -1;
}

static gboolean
valid_name (const gchar * s)
{
  if (s == NULL || *s == '\0' || strlen (s) > 64)
    return FALSE;
  for (; *s; s++)
    if (!g_ascii_isalnum (*s) && *s != '_' && *s != '-')
      return FALSE;
  return TRUE;
}

/* Layer names may also be dotted paths ("body.0"), as a nested PyTorch
 * module names its parameters ("body.0.weight"): segments valid_name
 * accepts, joined by single dots. */
static gboolean
valid_layer_name (const gchar * s)
{
  gchar **parts;
  gboolean ok;

  if (s == NULL || strlen (s) > 64)
    return FALSE;
  parts = g_strsplit (s, ".", -1);
  ok = parts[0] != NULL;
  for (guint i = 0; ok && parts[i]; i++)
    ok = valid_name (parts[i]);
  g_strfreev (parts);
  return ok;
}

#define ARCH_FAIL(...) G_STMT_START {                                    \
    g_set_error (error, AENN_ERROR, AENN_ERROR_ARCHITECTURE, __VA_ARGS__);\
    goto fail; } G_STMT_END

/* A JSON integer member within [lo, hi]; def where absent and def >= 0. */
static gboolean
get_uint (JsonObject * o, const gchar * member, gint64 def, gint64 lo,
    gint64 hi, guint * out, const gchar * where, GError ** error)
{
  JsonNode *n = json_object_get_member (o, member);
  gint64 v;

  if (n == NULL) {
    if (def < 0) {
      g_set_error (error, AENN_ERROR, AENN_ERROR_ARCHITECTURE,
          "%s: missing \"%s\"", where, member);
      return FALSE;
    }
    *out = (guint) def;
    return TRUE;
  }
  if (!JSON_NODE_HOLDS_VALUE (n)
      || json_node_get_value_type (n) != G_TYPE_INT64) {
    g_set_error (error, AENN_ERROR, AENN_ERROR_ARCHITECTURE,
        "%s: \"%s\" must be an integer", where, member);
    return FALSE;
  }
  v = json_node_get_int (n);
  if (v < lo || v > hi) {
    g_set_error (error, AENN_ERROR, AENN_ERROR_ARCHITECTURE,
        "%s: \"%s\" is %" G_GINT64_FORMAT ", expected %" G_GINT64_FORMAT
        "..%" G_GINT64_FORMAT, where, member, v, lo, hi);
    return FALSE;
  }
  *out = (guint) v;
  return TRUE;
}

static const gchar *
get_string (JsonObject * o, const gchar * member)
{
  JsonNode *n = json_object_get_member (o, member);
  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n)
      || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

static gint
add_tensor (GPtrArray * names, GArray * tensors, const gchar * name,
    guint channels, guint level)
{
  AennTensor t = { g_strdup (name), channels, level };
  g_ptr_array_add (names, t.name);
  g_array_append_val (tensors, t);
  return (gint) tensors->len - 1;
}

static gint
lookup (GArray * tensors, const gchar * name)
{
  for (guint i = 0; i < tensors->len; i++)
    if (strcmp (g_array_index (tensors, AennTensor, i).name, name) == 0)
      return (gint) i;
  return -1;
}

/* A convolution's own members: out_channels, kernel, pad, act (slope). */
static gboolean
parse_conv (JsonObject * lo, const gchar * where, AennLayer * L,
    guint * out_channels, GError ** error)
{
  const gchar *pad = get_string (lo, "pad");
  const gchar *act = get_string (lo, "act");

  if (!get_uint (lo, "out_channels", -1, 1, AENN_MAX_CHANNELS, out_channels,
          where, error)
      || !get_uint (lo, "kernel", -1, 1, 3, &L->kernel, where, error))
    return FALSE;
  if (L->kernel != 1 && L->kernel != 3)
    ARCH_FAIL ("%s: \"kernel\" is %u, expected 1 or 3", where, L->kernel);
  if (pad == NULL || strcmp (pad, "zero") == 0)
    L->pad = AENN_PAD_ZERO;
  else if (strcmp (pad, "replicate") == 0)
    L->pad = AENN_PAD_REPLICATE;
  else
    ARCH_FAIL ("%s: \"pad\" is \"%s\", expected zero or replicate", where, pad);
  L->slope = 0.0f;
  if (act == NULL || strcmp (act, "none") == 0)
    L->act = AENN_ACT_NONE;
  else if (strcmp (act, "relu") == 0)
    L->act = AENN_ACT_RELU;
  else if (strcmp (act, "leaky_relu") == 0) {
    JsonNode *sn = json_object_get_member (lo, "slope");
    double sl;
    L->act = AENN_ACT_LEAKY_RELU;
    if (sn == NULL || !JSON_NODE_HOLDS_VALUE (sn)
        || (json_node_get_value_type (sn) != G_TYPE_DOUBLE
            && json_node_get_value_type (sn) != G_TYPE_INT64))
      ARCH_FAIL ("%s: leaky_relu needs a numeric \"slope\"", where);
    sl = json_node_get_double (sn);
    if (!(sl >= 0.0 && sl <= 1.0))
      ARCH_FAIL ("%s: \"slope\" is %g, expected 0..1", where, sl);
    L->slope = (float) sl;
  } else
    ARCH_FAIL ("%s: \"act\" is \"%s\", expected none, relu or leaky_relu",
        where, act);
  return TRUE;

fail:
  return FALSE;
}

/* "in": n_in names of tensors defined earlier. */
static gboolean
parse_inputs (JsonObject * lo, const gchar * where, const gchar * op,
    GArray * tensors, AennLayer * L, GError ** error)
{
  JsonNode *inn = json_object_get_member (lo, "in");
  JsonArray *ia;

  if (L->n_in == 0) {
    if (inn != NULL)
      ARCH_FAIL ("%s: op \"%s\" takes no \"in\"", where, op);
    return TRUE;
  }
  if (inn == NULL || !JSON_NODE_HOLDS_ARRAY (inn)
      || json_array_get_length (ia = json_node_get_array (inn)) != L->n_in)
    ARCH_FAIL ("%s: \"in\" must be an array of %u tensor names", where,
        L->n_in);
  for (guint j = 0; j < L->n_in; j++) {
    JsonNode *e = json_array_get_element (ia, j);
    if (!JSON_NODE_HOLDS_VALUE (e)
        || json_node_get_value_type (e) != G_TYPE_STRING
        || (L->in[j] = lookup (tensors, json_node_get_string (e))) < 0)
      ARCH_FAIL ("%s: input %u is not a tensor defined earlier", where, j);
  }
  return TRUE;

fail:
  return FALSE;
}

/* Layer i of the description: names, op, inputs, the op's members, and
 * its output tensor by the op table's shape rule (added to tensors). */
static gboolean
parse_layer (JsonNode * ln, guint i, guint in_c, GArray * tensors,
    GPtrArray * names, GArray * layers, AennLayer * L, GError ** error)
{
  JsonObject *lo;
  gchar where[96];
  const gchar *op, *name, *out;
  const AennOpInfo *info;
  const AennTensor *a, *b;
  guint param = 0, oc = 0, lev = 0;
  gchar *why;

  L->in[0] = L->in[1] = -1;
  L->out = -1;
  g_snprintf (where, sizeof where, "architecture layer %u", i);
  if (!JSON_NODE_HOLDS_OBJECT (ln))
    ARCH_FAIL ("%s: expected an object", where);
  lo = json_node_get_object (ln);
  name = get_string (lo, "name");
  op = get_string (lo, "op");
  out = get_string (lo, "out");
  if (!valid_layer_name (name))
    ARCH_FAIL ("%s: \"name\" must be 1..64 characters of [A-Za-z0-9_-], "
        "or such names joined by single dots", where);
  g_snprintf (where, sizeof where, "architecture layer %u (%s)", i, name);
  for (guint j = 0; j < layers->len; j++)
    if (strcmp (g_array_index (layers, AennLayer, j).name, name) == 0)
      ARCH_FAIL ("%s: duplicate layer name", where);
  if (op == NULL)
    ARCH_FAIL ("%s: missing \"op\"", where);
  if (!valid_name (out))
    ARCH_FAIL ("%s: \"out\" must be a tensor name of [A-Za-z0-9_-]", where);
  if (lookup (tensors, out) >= 0)
    ARCH_FAIL ("%s: tensor \"%s\" is already defined", where, out);
  if (!aenn_op_from_name (op, &L->op)) {
    gchar *all = aenn_op_names ();
    g_set_error (error, AENN_ERROR, AENN_ERROR_ARCHITECTURE,
        "%s: unknown op \"%s\" (%s)", where, op, all);
    g_free (all);
    return FALSE;
  }
  info = aenn_op_info (L->op);
  L->n_in = info->n_in;
  if (!parse_inputs (lo, where, op, tensors, L, error))
    return FALSE;

  if (L->op == AENN_OP_CONV && !parse_conv (lo, where, L, &param, error))
    return FALSE;
  if (L->op == AENN_OP_SIGMA && (!get_uint (lo, info->param, 0, 0,
              AENN_MAX_LEVEL, &param, where, error)
          || !get_uint (lo, "channel", 0, 0, in_c - 1, &L->channel, where,
              error)))
    return FALSE;
  a = L->n_in > 0 ? &g_array_index (tensors, AennTensor, L->in[0]) : NULL;
  b = L->n_in > 1 ? &g_array_index (tensors, AennTensor, L->in[1]) : NULL;
  why = info->shape (a, b, param, &oc, &lev);
  if (why != NULL) {
    g_set_error (error, AENN_ERROR, AENN_ERROR_ARCHITECTURE, "%s: %s", where,
        why);
    g_free (why);
    return FALSE;
  }
  if (L->op == AENN_OP_CONV) {
    L->weight = g_new0 (float, (gsize) oc * a->channels * L->kernel
        * L->kernel);
    L->bias = g_new0 (float, oc);
  }
  L->name = g_strdup (name);
  L->out = add_tensor (names, tensors, out, oc, lev);
  return TRUE;

fail:
  return FALSE;
}

AennModel *
aenn_model_new (const gchar * arch_json, GError ** error)
{
  JsonParser *parser = json_parser_new ();
  GArray *tensors = g_array_new (FALSE, TRUE, sizeof (AennTensor));
  GArray *layers = g_array_new (FALSE, TRUE, sizeof (AennLayer));
  GPtrArray *names = g_ptr_array_new ();        /* owns nothing */
  AennModel *model = NULL;
  JsonObject *root;
  JsonArray *jl;
  const gchar *s;
  guint in_c, n;
  GError *err = NULL;

  if (!json_parser_load_from_data (parser, arch_json, -1, &err)) {
    g_set_error (error, AENN_ERROR, AENN_ERROR_ARCHITECTURE,
        "architecture is not valid JSON: %s", err->message);
    g_clear_error (&err);
    goto fail;
  }
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    ARCH_FAIL ("architecture: expected a JSON object");
  root = json_node_get_object (json_parser_get_root (parser));
  if (!get_uint (root, "in_channels", -1, 1, AENN_MAX_IN_CHANNELS, &in_c,
          "architecture", error))
    goto fail;
  add_tensor (names, tensors, "x", in_c, 0);

  if (json_object_get_member (root, "layers") == NULL
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "layers")))
    ARCH_FAIL ("architecture: \"layers\" must be an array");
  jl = json_object_get_array_member (root, "layers");
  n = json_array_get_length (jl);
  if (n == 0 || n > AENN_MAX_LAYERS)
    ARCH_FAIL ("architecture: %u layers, expected 1..%u", n, AENN_MAX_LAYERS);

  for (guint i = 0; i < n; i++) {
    AennLayer L = { 0 };
    if (!parse_layer (json_array_get_element (jl, i), i, in_c, tensors,
            names, layers, &L, error))
      goto fail;
    g_array_append_val (layers, L);
  }

  s = get_string (root, "output");
  {
    gint o = s ? lookup (tensors, s) : -1;
    const AennTensor *t;
    gboolean *used;
    if (o <= 0)
      ARCH_FAIL ("architecture: \"output\" must name a tensor made by a layer");
    t = &g_array_index (tensors, AennTensor, o);
    if (t->level != 0 || t->channels != in_c)
      ARCH_FAIL ("architecture: output \"%s\" has %u channels at level %u, "
          "expected %u at level 0", s, t->channels, t->level, in_c);
    /* a layer nobody reads is most likely a typo in the description */
    used = g_new0 (gboolean, tensors->len);
    used[o] = TRUE;
    for (guint i = 0; i < layers->len; i++) {
      AennLayer *L = &g_array_index (layers, AennLayer, i);
      for (guint j = 0; j < L->n_in; j++)
        used[L->in[j]] = TRUE;
    }
    for (guint i = 0; i < tensors->len; i++)
      if (!used[i]) {
        gchar *nm = g_strdup (g_array_index (tensors, AennTensor, i).name);
        g_free (used);
        g_set_error (error, AENN_ERROR, AENN_ERROR_ARCHITECTURE,
            "architecture: tensor \"%s\" is never used", nm);
        g_free (nm);
        goto fail;
      }
    g_free (used);
    model = g_new0 (AennModel, 1);
    model->output = o;
  }
  {
    JsonNode *rn = json_object_get_member (root, "residual");
    if (rn != NULL && (!JSON_NODE_HOLDS_VALUE (rn)
            || json_node_get_value_type (rn) != G_TYPE_BOOLEAN)) {
      g_free (model);
      model = NULL;
      ARCH_FAIL ("architecture: \"residual\" must be true or false");
    }
    model->residual = rn ? json_node_get_boolean (rn) : FALSE;
  }
  {
    const gchar *lay = get_string (root, "layout");
    guint want = 1;
    if (lay == NULL || strcmp (lay, "plane") == 0)
      model->layout = AENN_INPUT_PLANE;
    else if (strcmp (lay, "yuv420") == 0) {
      model->layout = AENN_INPUT_YUV420;
      want = 6;
    } else {
      g_free (model);
      model = NULL;
      ARCH_FAIL ("architecture: \"layout\" is \"%s\", expected plane or "
          "yuv420", lay);
    }
    if (lay != NULL && in_c != want) {
      g_free (model);
      model = NULL;
      ARCH_FAIL ("architecture: layout %s takes %u input channels, not %u",
          lay, want, in_c);
    }
  }
  model->in_channels = in_c;
  model->n_tensors = tensors->len;
  model->tensors = (AennTensor *) g_array_free (tensors, FALSE);
  model->n_layers = layers->len;
  model->layers = (AennLayer *) g_array_free (layers, FALSE);
  model->arch_json = g_strdup (arch_json);
  for (guint i = 0; i < model->n_tensors; i++)
    model->max_level = MAX (model->max_level, model->tensors[i].level);
  g_ptr_array_free (names, TRUE);
  g_object_unref (parser);
  return model;

fail:
  for (guint i = 0; i < layers->len; i++) {
    AennLayer *L = &g_array_index (layers, AennLayer, i);
    g_free (L->name);
    g_free (L->weight);
    g_free (L->bias);
  }
  g_array_free (layers, TRUE);
  g_array_free (tensors, TRUE);
  g_ptr_array_set_free_func (names, g_free);
  g_ptr_array_free (names, TRUE);
  g_object_unref (parser);
  return NULL;
}

/* The convolution whose weight ("NAME.weight") or bias ("NAME.bias") a
 * tensor name designates, or NULL. */
static const AennLayer *
weight_layer (const AennModel * model, const gchar * name, gboolean * bias)
{
  for (guint i = 0; i < model->n_layers; i++) {
    const AennLayer *L = &model->layers[i];
    gsize ln;
    if (L->op != AENN_OP_CONV)
      continue;
    ln = strlen (L->name);
    if (strncmp (name, L->name, ln) != 0 || name[ln] != '.')
      continue;
    *bias = strcmp (name + ln + 1, "bias") == 0;
    if (*bias || strcmp (name + ln + 1, "weight") == 0)
      return L;
  }
  return NULL;
}

guint
aenn_model_weight_shape (const AennModel * model, const gchar * name,
    guint64 shape[4])
{
  gboolean bias;
  const AennLayer *L = weight_layer (model, name, &bias);

  if (L == NULL)
    return 0;
  shape[0] = model->tensors[L->out].channels;
  if (bias)
    return 1;
  shape[1] = model->tensors[L->in[0]].channels;
  shape[2] = shape[3] = L->kernel;
  return 4;
}

static float *
tensor_slot (const AennModel * model, const gchar * name, gsize * n_values)
{
  gboolean bias;
  const AennLayer *L = weight_layer (model, name, &bias);
  guint64 shape[4];
  guint nd = aenn_model_weight_shape (model, name, shape);

  if (L == NULL)
    return NULL;
  *n_values = 1;
  for (guint i = 0; i < nd; i++)
    *n_values *= shape[i];
  /* the weights cast away const as the model's owner may */
  return bias ? L->bias : L->weight;
}

float *
aenn_model_get_tensor (const AennModel * model, const gchar * name,
    gsize * n_values)
{
  gsize n = 0;
  float *p = tensor_slot (model, name, &n);
  if (n_values)
    *n_values = n;
  return p;
}

gboolean
aenn_model_set_tensor (AennModel * model, const gchar * name,
    const float *data, gsize n_values, GError ** error)
{
  gsize n;
  float *p = tensor_slot (model, name, &n);

  if (p == NULL) {
    g_set_error (error, AENN_ERROR, AENN_ERROR_TENSOR,
        "tensor \"%s\": no such weight in the architecture", name);
    return FALSE;
  }
  if (n != n_values) {
    g_set_error (error, AENN_ERROR, AENN_ERROR_TENSOR,
        "tensor \"%s\": %" G_GSIZE_FORMAT " values, expected %"
        G_GSIZE_FORMAT, name, n_values, n);
    return FALSE;
  }
  for (gsize i = 0; i < n; i++)
    if (!isfinite (data[i])) {
      g_set_error (error, AENN_ERROR, AENN_ERROR_TENSOR,
          "tensor \"%s\": value %" G_GSIZE_FORMAT " is %g, expected a finite "
          "number", name, i, (double) data[i]);
      return FALSE;
    }
  memcpy (p, data, n * sizeof (float));
  return TRUE;
}

/* in [-1, 1), from the splitmix64 stream *s */
static float
uniform_pm1 (guint64 * s)
{
  return (float) ((double) (rng_splitmix64 (s) >> 11)
      * (2.0 / 9007199254740992.0) - 1.0);
}

void
aenn_model_randomize (AennModel * model, guint64 seed, float gain)
{
  guint64 s = seed;
  for (guint i = 0; i < model->n_layers; i++) {
    AennLayer *L = &model->layers[i];
    guint ic, oc, taps;
    float scale;
    if (L->op != AENN_OP_CONV)
      continue;
    ic = model->tensors[L->in[0]].channels;
    oc = model->tensors[L->out].channels;
    taps = ic * L->kernel * L->kernel;
    /* uniform in +-sqrt(6/fan_in) keeps activations of order one */
    scale = gain * sqrtf (6.0f / (float) taps);
    for (guint j = 0; j < oc * taps; j++)
      L->weight[j] = scale * uniform_pm1 (&s);
    for (guint j = 0; j < oc; j++)
      L->bias[j] = 0.1f * gain * uniform_pm1 (&s);
  }
}

double
aenn_model_macs_per_pixel (const AennModel * model)
{
  double macs = 0.0;
  for (guint i = 0; i < model->n_layers; i++) {
    const AennLayer *L = &model->layers[i];
    const AennTensor *t;
    if (L->op != AENN_OP_CONV)
      continue;
    t = &model->tensors[L->out];
    macs += (double) t->channels * model->tensors[L->in[0]].channels
        * L->kernel * L->kernel / (double) (1u << (2 * t->level));
  }
  return macs;
}
