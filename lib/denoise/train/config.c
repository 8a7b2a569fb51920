/* The trainer's configuration record: defaults, checks, JSON. */
#include "config.h"
#include "denoise/train/train_priv.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#define DEFAULT_COLOUR_RGB_RATIO 0.9

void
aenn_train_config_init (AennTrainConfig * c)
{
  memset (c, 0, sizeof *c);
  c->seed = 1;
  c->steps = 100000;
  c->batch = 32;
  c->patch = 64;
  c->chunk = 4;
  c->lr = 1e-3;
  c->lr_min = 1e-5;
  c->warmup = 1000;
  c->clip = 1.0;
  c->beta1 = 0.9;
  c->beta2 = 0.999;
  c->eps = 1e-8;
  c->mode = AENN_TRAIN_SUPERVISED;
  c->noise = AENN_NOISE_GAUSSIAN;
  c->sigma_min = 0.0;
  c->sigma_max = 55.0;
  c->quantize = TRUE;
  c->frames_ratio = 0.0;
  c->sigma_input = 25.0;
  c->n2v_fraction = 0.015;
  aenn_deadleaves_params_init (&c->leaves);
  c->sampler = AENN_SAMPLER_RENDER;
  c->cache_images = 64;
  c->cache_side = 0;
  c->cache_steps = 128;
  c->colour_rgb_ratio = DEFAULT_COLOUR_RGB_RATIO;
}

static const gchar *const mode_names[] = { "supervised", "n2n", "n2v" };
static const gchar *const noise_names[] = { "gaussian", "poisson-gaussian" };
static const gchar *const sampler_names[] = { "render", "cache" };


/* index of name in names, or -1 */
static gint
find_name (const gchar * const *names, guint n, const gchar * name)
{
  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (name, names[i]) == 0)
      return (gint) i;
  return -1;
}

const gchar *
aenn_train_mode_name (AennTrainMode mode)
{
  return (guint) mode < G_N_ELEMENTS (mode_names) ? mode_names[mode] : "?";
}

gboolean
aenn_train_mode_from_name (const gchar * name, AennTrainMode * mode)
{
  gint i = find_name (mode_names, G_N_ELEMENTS (mode_names), name);
  if (i >= 0)
    *mode = (AennTrainMode) i;
  return i >= 0;
}

const gchar *
aenn_noise_model_name (AennNoiseModel noise)
{
  return (guint) noise < G_N_ELEMENTS (noise_names) ? noise_names[noise] : "?";
}

gboolean
aenn_noise_model_from_name (const gchar * name, AennNoiseModel * noise)
{
  gint i = find_name (noise_names, G_N_ELEMENTS (noise_names), name);
  if (i >= 0)
    *noise = (AennNoiseModel) i;
  return i >= 0;
}

const gchar *
aenn_sampler_name (AennSampler sampler)
{
  return (guint) sampler < G_N_ELEMENTS (sampler_names) ?
      sampler_names[sampler] : "?";
}

gboolean
aenn_sampler_from_name (const gchar * name, AennSampler * sampler)
{
  gint i = find_name (sampler_names, G_N_ELEMENTS (sampler_names), name);
  if (i >= 0)
    *sampler = (AennSampler) i;
  return i >= 0;
}

#define CHECK(cond, ...) G_STMT_START { if (!(cond)) {                    \
      g_set_error (error, AENN_ERROR, AENN_ERROR_CONFIG, __VA_ARGS__);      \
      return FALSE; } } G_STMT_END

gboolean
aenn_train_config_check (const AennTrainConfig * c, const AennModel * m,
    GError ** error)
{
  guint align = m ? 1u << m->max_level : 1;
  CHECK (c->steps >= 1, "steps is %u, expected at least 1", c->steps);
  CHECK (c->batch >= 1 && c->batch <= 4096, "batch is %u, expected 1..4096",
      c->batch);
  align = MAX (align, 8);
  CHECK (c->patch >= align && c->patch <= 1024 && c->patch % align == 0,
      "patch is %u, expected a multiple of %u within %u..1024", c->patch,
      align, align);
  CHECK (c->chunk >= 1 && c->chunk <= c->batch, "chunk is %u, expected "
      "1..batch (%u)", c->chunk, c->batch);
  CHECK (c->lr > 0.0 && c->lr <= 1.0, "lr is %g, expected 0 < lr <= 1", c->lr);
  CHECK (c->lr_min >= 0.0 && c->lr_min <= c->lr, "lr-min is %g, expected "
      "0..lr (%g)", c->lr_min, c->lr);
  CHECK (c->clip >= 0.0 && isfinite (c->clip), "clip is %g, expected >= 0",
      c->clip);
  CHECK (c->beta1 >= 0.0 && c->beta1 < 1.0 && c->beta2 >= 0.0
      && c->beta2 < 1.0 && c->eps > 0.0, "Adam betas must lie in [0, 1) and "
      "eps be positive (%g, %g, %g)", c->beta1, c->beta2, c->eps);
  CHECK (c->sigma_min >= 0.0 && c->sigma_min <= c->sigma_max
      && c->sigma_max <= 255.0, "sigma range %g..%g not within 0..255",
      c->sigma_min, c->sigma_max);
  CHECK (c->sigma_input >= 0.0 && c->sigma_input <= 255.0, "sigma-input is "
      "%g, expected 0..255", c->sigma_input);
  CHECK (c->frames_ratio >= 0.0 && c->frames_ratio <= 1.0, "frames-ratio is "
      "%g, expected 0..1", c->frames_ratio);
  CHECK (c->n2v_fraction > 0.0 && c->n2v_fraction <= 0.5, "n2v-fraction is "
      "%g, expected 0 < f <= 0.5", c->n2v_fraction);
  CHECK (c->leaves.rmin > 0.0f && c->leaves.rmax >= 0.0f
      && c->leaves.max_shapes >= 1, "dead leaves: rmin %g must be > 0, rmax "
      "%g >= 0, max-shapes %u >= 1", c->leaves.rmin, c->leaves.rmax,
      c->leaves.max_shapes);
  CHECK ((guint) c->mode <= AENN_TRAIN_N2V, "unknown mode %d", c->mode);
  CHECK ((guint) c->noise <= AENN_NOISE_POISSON_GAUSSIAN, "unknown noise "
      "model %d", c->noise);
  CHECK ((guint) c->sampler <= AENN_SAMPLER_CACHE, "unknown sampler %d",
      c->sampler);
  {
    /* a yuv420 model's patches are cropped from RGB images of twice the
     * side */
    gboolean yuv = m != NULL && m->layout == AENN_INPUT_YUV420;
    guint lp = yuv ? 2 * c->patch : c->patch;
    /* two buffers per image, up to 4 channels of floats */
    double side = c->cache_side ? c->cache_side : 2.0 * lp;
    double bytes = (double) c->cache_images * side * side * 2 * 4 * 4;
    CHECK (c->sampler != AENN_SAMPLER_CACHE || (c->cache_images >= 1
            && c->cache_images <= 65536 && c->cache_steps >= 1
            && (c->cache_side == 0 || (c->cache_side >= lp
                    && c->cache_side <= 4096))), "cache sampler: %u images "
        "(1..65536), side %u (0 or patch %u..4096), %u steps (>= 1)",
        c->cache_images, c->cache_side, lp, c->cache_steps);
    CHECK (c->sampler != AENN_SAMPLER_CACHE || bytes <= 4294967296.0,
        "cache sampler: %u images of %.0f pixels would take up to %.1f GiB, "
        "more than 4", c->cache_images, side, bytes / 1073741824.0);
  }
  CHECK (c->colour_rgb_ratio >= 0.0 && c->colour_rgb_ratio <= 1.0,
      "colour-rgb-ratio is %g, expected 0..1", c->colour_rgb_ratio);
  CHECK (m == NULL || m->layout != AENN_INPUT_YUV420
      || (c->mode == AENN_TRAIN_SUPERVISED
          && c->noise == AENN_NOISE_GAUSSIAN), "a yuv420 model trains in "
      "mode supervised with gaussian noise (colour noise on RGB patches), "
      "not %s with %s noise", aenn_train_mode_name (c->mode),
      aenn_noise_model_name (c->noise));
  return TRUE;
}

/* Written by hand: json-glib 1.6 prints 1e-8 as "1e-08.0", which no JSON
 * parser takes back. */
gchar *
aenn_train_config_to_json (const AennTrainConfig * c)
{
  GString *s = g_string_new ("{");
  gchar buf[G_ASCII_DTOSTR_BUF_SIZE];

#define DBL(k, v) g_string_append_printf (s, "\"%s\": %s, ", k,             \
    g_ascii_dtostr (buf, sizeof buf, v))
#define INT(k, v) g_string_append_printf (s, "\"%s\": %u, ", k, (guint) (v))
#define STR(k, v) g_string_append_printf (s, "\"%s\": \"%s\", ", k, v)
  /* the seed as a string: JSON numbers lose 64-bit integers in many
   * readers */
  g_string_append_printf (s, "\"seed\": \"%" G_GUINT64_FORMAT "\", ", c->seed);
  INT ("steps", c->steps);
  INT ("batch", c->batch);
  INT ("patch", c->patch);
  INT ("chunk", c->chunk);
  DBL ("lr", c->lr);
  DBL ("lr_min", c->lr_min);
  INT ("warmup", c->warmup);
  DBL ("clip", c->clip);
  DBL ("beta1", c->beta1);
  DBL ("beta2", c->beta2);
  DBL ("eps", c->eps);
  STR ("mode", aenn_train_mode_name (c->mode));
  STR ("noise", aenn_noise_model_name (c->noise));
  DBL ("sigma_min", c->sigma_min);
  DBL ("sigma_max", c->sigma_max);
  STR ("quantize", c->quantize ? "true" : "false");
  DBL ("frames_ratio", c->frames_ratio);
  DBL ("sigma_input", c->sigma_input);
  DBL ("n2v_fraction", c->n2v_fraction);
  DBL ("leaves_rmin", c->leaves.rmin);
  DBL ("leaves_rmax", c->leaves.rmax);
  DBL ("leaves_texture_prob", c->leaves.texture_prob);
  DBL ("leaves_blur_prob", c->leaves.blur_prob);
  INT ("leaves_max_shapes", c->leaves.max_shapes);
  if (c->sampler != AENN_SAMPLER_RENDER) {
    STR ("sampler", aenn_sampler_name (c->sampler));
    INT ("cache_images", c->cache_images);
    INT ("cache_side", c->cache_side);
    INT ("cache_steps", c->cache_steps);
  }
  if (c->colour_rgb_ratio != DEFAULT_COLOUR_RGB_RATIO)
    DBL ("colour_rgb_ratio", c->colour_rgb_ratio);
#undef DBL
#undef INT
#undef STR
  g_string_truncate (s, s->len - 2);
  g_string_append_c (s, '}');
  return g_string_free (s, FALSE);
}

static gboolean
get_num (JsonObject * o, const gchar * k, double *v, GError ** error)
{
  JsonNode *n = json_object_get_member (o, k);
  GType t;
  if (n == NULL)
    return TRUE;
  t = JSON_NODE_HOLDS_VALUE (n) ? json_node_get_value_type (n) : G_TYPE_NONE;
  if (t != G_TYPE_DOUBLE && t != G_TYPE_INT64) {
    g_set_error (error, AENN_ERROR, AENN_ERROR_FORMAT, "training config: "
        "\"%s\" must be a number", k);
    return FALSE;
  }
  *v = json_node_get_double (n);
  return TRUE;
}

static gboolean
get_count (JsonObject * o, const gchar * k, guint * v, GError ** error)
{
  double d = *v;
  if (!get_num (o, k, &d, error))
    return FALSE;
  if (!(d >= 0.0 && d <= G_MAXUINT32) || d != floor (d)) {
    g_set_error (error, AENN_ERROR, AENN_ERROR_FORMAT, "training config: "
        "\"%s\" is %g, expected a non-negative integer", k, d);
    return FALSE;
  }
  *v = (guint) d;
  return TRUE;
}

static gboolean
get_float (JsonObject * o, const gchar * k, float *v, GError ** error)
{
  double d = *v;
  if (!get_num (o, k, &d, error))
    return FALSE;
  *v = (float) d;
  return TRUE;
}

gboolean
aenn_train_config_from_json (AennTrainConfig * c, const gchar * json,
    GError ** error)
{
  JsonParser *p = json_parser_new ();
  JsonObject *o;
  const gchar *s;
  gboolean ok = FALSE;
  GError *err = NULL;

  aenn_train_config_init (c);
  if (!json_parser_load_from_data (p, json, -1, &err)) {
    g_set_error (error, AENN_ERROR, AENN_ERROR_FORMAT, "training config is "
        "not valid JSON: %s", err->message);
    g_error_free (err);
    goto out;
  }
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (p))) {
    g_set_error (error, AENN_ERROR, AENN_ERROR_FORMAT, "training config: "
        "expected a JSON object");
    goto out;
  }
  o = json_node_get_object (json_parser_get_root (p));
  s = json_object_get_string_member_with_default (o, "seed", NULL);
  if (s != NULL && !g_ascii_string_to_unsigned (s, 10, 0, G_MAXUINT64,
          &c->seed, NULL)) {
    g_set_error (error, AENN_ERROR, AENN_ERROR_FORMAT, "training config: "
        "\"seed\" is \"%s\", expected an unsigned 64-bit integer", s);
    goto out;
  }
  if (!get_count (o, "steps", &c->steps, error)
      || !get_count (o, "batch", &c->batch, error)
      || !get_count (o, "patch", &c->patch, error)
      || !get_count (o, "chunk", &c->chunk, error)
      || !get_num (o, "lr", &c->lr, error)
      || !get_num (o, "lr_min", &c->lr_min, error)
      || !get_count (o, "warmup", &c->warmup, error)
      || !get_num (o, "clip", &c->clip, error)
      || !get_num (o, "beta1", &c->beta1, error)
      || !get_num (o, "beta2", &c->beta2, error)
      || !get_num (o, "eps", &c->eps, error)
      || !get_num (o, "sigma_min", &c->sigma_min, error)
      || !get_num (o, "sigma_max", &c->sigma_max, error)
      || !get_num (o, "frames_ratio", &c->frames_ratio, error)
      || !get_num (o, "sigma_input", &c->sigma_input, error)
      || !get_num (o, "n2v_fraction", &c->n2v_fraction, error)
      || !get_float (o, "leaves_rmin", &c->leaves.rmin, error)
      || !get_float (o, "leaves_rmax", &c->leaves.rmax, error)
      || !get_float (o, "leaves_texture_prob", &c->leaves.texture_prob, error)
      || !get_float (o, "leaves_blur_prob", &c->leaves.blur_prob, error)
      || !get_count (o, "leaves_max_shapes", &c->leaves.max_shapes, error)
      || !get_count (o, "cache_images", &c->cache_images, error)
      || !get_count (o, "cache_side", &c->cache_side, error)
      || !get_count (o, "cache_steps", &c->cache_steps, error)
      || !get_num (o, "colour_rgb_ratio", &c->colour_rgb_ratio, error))
    goto out;
  /* absent in configurations older than the cache sampler */
  s = json_object_get_string_member_with_default (o, "sampler", "render");
  if (!aenn_sampler_from_name (s, &c->sampler)) {
    g_set_error (error, AENN_ERROR, AENN_ERROR_FORMAT, "training config: "
        "\"sampler\" is \"%s\", expected render or cache", s);
    goto out;
  }
  s = json_object_get_string_member_with_default (o, "mode", "supervised");
  if (!aenn_train_mode_from_name (s, &c->mode)) {
    g_set_error (error, AENN_ERROR, AENN_ERROR_FORMAT, "training config: "
        "\"mode\" is \"%s\", expected supervised, n2n or n2v", s);
    goto out;
  }
  s = json_object_get_string_member_with_default (o, "noise", "gaussian");
  if (!aenn_noise_model_from_name (s, &c->noise)) {
    g_set_error (error, AENN_ERROR, AENN_ERROR_FORMAT, "training config: "
        "\"noise\" is \"%s\", expected gaussian or poisson-gaussian", s);
    goto out;
  }
  s = json_object_get_string_member_with_default (o, "quantize", "true");
  if (strcmp (s, "true") != 0 && strcmp (s, "false") != 0) {
    g_set_error (error, AENN_ERROR, AENN_ERROR_FORMAT, "training config: "
        "\"quantize\" is \"%s\", expected \"true\" or \"false\"", s);
    goto out;
  }
  c->quantize = strcmp (s, "true") == 0;
  ok = aenn_train_config_check (c, NULL, error);
out:
  g_object_unref (p);
  return ok;
}
