/* Model files in the safetensors format (docs/model-format.md):
 *   1. 8 bytes: N, the header length, unsigned little-endian;
 *   2. N bytes: a JSON object (UTF-8, may end in spaces) mapping each tensor
 *      name to {"dtype", "shape", "data_offsets": [begin, end]}, plus
 *      "__metadata__", a string-to-string map holding "aenn.format_version"
 *      ("1") and "aenn.architecture" (the graph, see denoise/model/model.h);
 *   3. the data section: the tensors' bytes, little-endian, row-major, at
 *      [begin, end) relative to the start of this section.
 * Nothing is trusted before it is checked: N against the file, the JSON
 * against its expected shape (json-glib keeps only one of two equal keys,
 * so a small scanner looks for duplicates first), dtypes, shapes against the
 * architecture, the offsets against the section (in range, no overlap, no
 * gap), every size against overflow, every value against NaN and Inf. */
#include "config.h"
#include "denoise/model/model.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_HEADER (16u << 20)
#define MAX_DEPTH 32

#define FMT_FAIL(...) G_STMT_START {                                     \
    g_set_error (error, AENN_ERROR, AENN_ERROR_FORMAT, __VA_ARGS__);      \
    goto fail; } G_STMT_END
#define TENSOR_FAIL(...) G_STMT_START {                                  \
    g_set_error (error, AENN_ERROR, AENN_ERROR_TENSOR, __VA_ARGS__);      \
    goto fail; } G_STMT_END

/* ---- duplicate keys: a JSON scanner that only tracks object keys ---- */

typedef struct
{
  const gchar *p, *end;
  const gchar *what;
  GError **error;
} Scan;

static void
scan_ws (Scan * s)
{
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n'
          || *s->p == '\r'))
    s->p++;
}

/* Leaves s->p after the closing quote; the raw (still escaped) text of the
 * string in [*b, *e). */
static gboolean
scan_string (Scan * s, const gchar ** b, const gchar ** e)
{
  if (s->p >= s->end || *s->p != '"')
    return FALSE;
  *b = ++s->p;
  while (s->p < s->end && *s->p != '"') {
    if (*s->p == '\\')
      s->p++;
    s->p++;
  }
  if (s->p >= s->end)
    return FALSE;
  *e = s->p++;
  return TRUE;
}

static gboolean scan_value (Scan * s, guint depth);

static gboolean
scan_object (Scan * s, guint depth)
{
  GHashTable *keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      NULL);
  gboolean ok = FALSE;

  s->p++;                       /* '{' */
  scan_ws (s);
  if (s->p < s->end && *s->p == '}') {
    s->p++;
    ok = TRUE;
    goto out;
  }
  for (;;) {
    const gchar *b, *e;
    gchar *key;
    scan_ws (s);
    if (!scan_string (s, &b, &e))
      goto out;
    /* escapes could spell one name two ways ("a" and "\u0061"); names of
     * this format never need them, so refuse them in keys outright */
    if (memchr (b, '\\', e - b) != NULL) {
      g_set_error (s->error, AENN_ERROR, AENN_ERROR_FORMAT,
          "%s: header key \"%.*s\" contains an escape sequence", s->what,
          (int) MIN (e - b, 64), b);
      goto out;
    }
    key = g_strndup (b, e - b);
    if (g_hash_table_contains (keys, key)) {
      g_set_error (s->error, AENN_ERROR, AENN_ERROR_FORMAT,
          "%s: duplicate key \"%s\" in the header", s->what, key);
      g_free (key);
      goto out;
    }
    g_hash_table_add (keys, key);
    scan_ws (s);
    if (s->p >= s->end || *s->p != ':')
      goto out;
    s->p++;
    if (!scan_value (s, depth + 1))
      goto out;
    scan_ws (s);
    if (s->p < s->end && *s->p == ',') {
      s->p++;
      continue;
    }
    if (s->p < s->end && *s->p == '}') {
      s->p++;
      ok = TRUE;
    }
    goto out;
  }
out:
  g_hash_table_unref (keys);
  return ok;
}

static gboolean
scan_value (Scan * s, guint depth)
{
  const gchar *b, *e;

  scan_ws (s);
  if (depth > MAX_DEPTH) {
    /* refused here: json-glib's recursive parser would go on and on */
    g_set_error (s->error, AENN_ERROR, AENN_ERROR_FORMAT,
        "%s: header nests deeper than %u levels", s->what, MAX_DEPTH);
    return FALSE;
  }
  if (s->p >= s->end)
    return FALSE;
  if (*s->p == '{')
    return scan_object (s, depth);
  if (*s->p == '"')
    return scan_string (s, &b, &e);
  if (*s->p == '[') {
    s->p++;
    scan_ws (s);
    if (s->p < s->end && *s->p == ']') {
      s->p++;
      return TRUE;
    }
    for (;;) {
      if (!scan_value (s, depth + 1))
        return FALSE;
      scan_ws (s);
      if (s->p < s->end && *s->p == ',') {
        s->p++;
        continue;
      }
      if (s->p < s->end && *s->p == ']') {
        s->p++;
        return TRUE;
      }
      return FALSE;
    }
  }
  /* numbers, true, false, null: json-glib checks their spelling */
  while (s->p < s->end && strchr (",]} \t\r\n", *s->p) == NULL)
    s->p++;
  return TRUE;
}

/* FALSE with error set on a duplicate or escaped key; FALSE without error
 * on malformed JSON, which json-glib then reports in its own words. */
static gboolean
check_keys (const gchar * json, gsize len, const gchar * what, GError ** error)
{
  Scan s = { json, json + len, what, error };
  scan_ws (&s);
  if (s.p >= s.end || *s.p != '{')
    return FALSE;
  return scan_object (&s, 0);
}

/* ---- numbers ---- */

static float
half_to_float (guint16 h)
{
  guint32 sign = (guint32) (h >> 15) << 31, e = (h >> 10) & 31, m = h & 1023;
  union
  {
    guint32 u;
    float f;
  } v;
  if (e == 0) {
    /* zero or subnormal: m * 2^-24 */
    float f = ldexpf ((float) m, -24);
    return sign ? -f : f;
  }
  if (e == 31)
    v.u = sign | 0x7f800000u | (m << 13);
  else
    v.u = sign | ((e + 112) << 23) | (m << 13);
  return v.f;
}

static gboolean
get_offset (JsonNode * n, guint64 * v)
{
  gint64 i;
  if (!JSON_NODE_HOLDS_VALUE (n)
      || json_node_get_value_type (n) != G_TYPE_INT64)
    return FALSE;
  i = json_node_get_int (n);
  if (i < 0)
    return FALSE;
  *v = (guint64) i;
  return TRUE;
}

typedef struct
{
  guint64 begin, end;
  const gchar *name;
} Span;

static gint
span_cmp (gconstpointer a, gconstpointer b)
{
  const Span *x = a, *y = b;
  return x->begin < y->begin ? -1 : x->begin > y->begin ? 1 :
      x->end < y->end ? -1 : x->end > y->end ? 1 : 0;
}

/* ---- loading ---- */

/* What the steps of a load share. */
typedef struct
{
  const gchar *what;            /* the file's name in messages */
  const guint8 *dsec;           /* the data section */
  guint64 dsize;
  AennModel *model;
  GArray *spans;                /* of Span: where each tensor's bytes are */
  GHashTable *extra;            /* tensors the architecture lacks, or NULL
                                 * where the caller wants none */
  guint n_weights;              /* weight tensors read */
} Load;

/* Step 1: the length field and the JSON header; returns its root object
 * (owned by *parser) and points ld->dsec past the header. */
static JsonObject *
load_header (Load * ld, const guint8 * data, gsize size, JsonParser ** parser,
    GError ** error)
{
  const gchar *what = ld->what;
  guint64 hlen = 0;
  GError *err = NULL;
  gboolean keys_ok;

  if (size < 8)
    FMT_FAIL ("%s: %" G_GSIZE_FORMAT " bytes, too short for a safetensors "
        "file (at least 8 bytes of header length)", what, size);
  for (gint i = 7; i >= 0; i--)
    hlen = (hlen << 8) | data[i];
  if (hlen < 2 || hlen > MAX_HEADER || hlen > size - 8)
    FMT_FAIL ("%s: header length %" G_GUINT64_FORMAT " is not within 2..%"
        G_GUINT64_FORMAT " (16 MiB and the %" G_GSIZE_FORMAT " bytes after "
        "the length field)", what, hlen,
        MIN ((guint64) MAX_HEADER, (guint64) size - 8), size - 8);
  ld->dsec = data + 8 + hlen;
  ld->dsize = size - 8 - hlen;
  if (!g_utf8_validate ((const gchar *) data + 8, (gssize) hlen, NULL))
    FMT_FAIL ("%s: header is not valid UTF-8", what);
  /* the scanner names duplicate keys and excessive nesting; malformed JSON
   * it leaves to json-glib, whose messages say where */
  keys_ok = check_keys ((const gchar *) data + 8, hlen, what, &err);
  if (err != NULL) {
    g_propagate_error (error, err);
    return NULL;
  }
  *parser = json_parser_new ();
  if (!json_parser_load_from_data (*parser, (const gchar *) data + 8,
          (gssize) hlen, &err)) {
    g_set_error (error, AENN_ERROR, AENN_ERROR_FORMAT,
        "%s: header is not valid JSON: %s", what, err->message);
    g_clear_error (&err);
    return NULL;
  }
  if (!keys_ok)
    FMT_FAIL ("%s: header is not a well-formed JSON object", what);
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (*parser)))
    FMT_FAIL ("%s: header is not a JSON object", what);
  return json_node_get_object (json_parser_get_root (*parser));

fail:
  return NULL;
}

/* Step 2: __metadata__, a map of strings (copied to *metadata if asked
 * for), its format version, and the architecture it holds; returns the
 * model that architecture describes, its weights zero. */
static AennModel *
load_architecture (Load * ld, JsonObject * root, GHashTable ** metadata,
    GError ** error)
{
  const gchar *what = ld->what, *s;
  JsonNode *mn = json_object_get_member (root, "__metadata__");
  JsonObject *meta;
  GList *ml;
  AennModel *model;
  GError *err = NULL;

  if (mn == NULL || !JSON_NODE_HOLDS_OBJECT (mn))
    FMT_FAIL ("%s: header has no \"__metadata__\" object", what);
  meta = json_node_get_object (mn);
  ml = json_object_get_members (meta);
  for (GList * l = ml; l; l = l->next) {
    JsonNode *v = json_object_get_member (meta, l->data);
    if (!JSON_NODE_HOLDS_VALUE (v)
        || json_node_get_value_type (v) != G_TYPE_STRING) {
      g_set_error (error, AENN_ERROR, AENN_ERROR_FORMAT,
          "%s: __metadata__ \"%s\" is not a string (safetensors metadata "
          "maps strings to strings)", what, (const gchar *) l->data);
      g_list_free (ml);
      return NULL;
    }
  }
  if (metadata != NULL) {
    *metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    for (GList * l = ml; l; l = l->next)
      g_hash_table_insert (*metadata, g_strdup (l->data),
          g_strdup (json_object_get_string_member (meta, l->data)));
  }
  g_list_free (ml);
  s = json_object_get_string_member_with_default (meta, "aenn.format_version",
      NULL);
  if (s == NULL || strcmp (s, AENN_FORMAT_VERSION) != 0)
    FMT_FAIL ("%s: __metadata__ \"aenn.format_version\" is %s%s%s, expected "
        "\"" AENN_FORMAT_VERSION "\"", what, s ? "\"" : "", s ? s : "missing",
        s ? "\"" : "");
  s = json_object_get_string_member_with_default (meta, "aenn.architecture",
      NULL);
  if (s == NULL)
    FMT_FAIL ("%s: __metadata__ has no \"aenn.architecture\"", what);
  model = aenn_model_new (s, &err);
  if (model == NULL) {
    g_set_error (error, AENN_ERROR, AENN_ERROR_ARCHITECTURE, "%s: %s", what,
        err->message);
    g_clear_error (&err);
  }
  return model;

fail:
  return NULL;
}

/* A weight's shape in the file against the one its layer implies. */
static gboolean
check_weight_shape (Load * ld, const gchar * name, JsonNode * sn,
    GError ** error)
{
  JsonArray *shape = json_node_get_array (sn);
  guint64 want[4];
  guint nd = aenn_model_weight_shape (ld->model, name, want);
  gboolean ok = json_array_get_length (shape) == nd;
  GString *w;
  gchar *got;

  for (guint i = 0; ok && i < nd; i++)
    ok = json_array_get_int_element (shape, i) == (gint64) want[i];
  if (ok)
    return TRUE;
  w = g_string_new ("[");
  for (guint i = 0; i < nd; i++)
    g_string_append_printf (w, "%s%" G_GUINT64_FORMAT, i ? ", " : "", want[i]);
  g_string_append_c (w, ']');
  got = json_to_string (sn, FALSE);
  g_set_error (error, AENN_ERROR, AENN_ERROR_TENSOR, "%s: tensor \"%s\" has "
      "shape %s, the architecture expects %s", ld->what, name, got, w->str);
  g_free (got);
  g_string_free (w, TRUE);
  return FALSE;
}

/* Step 3, for each tensor of the header: its dtype, shape and offsets
 * against the data section, then its values (finite, decoded to float)
 * into the model's weight, or into ld->extra. */
static gboolean
load_tensor (Load * ld, const gchar * name, JsonNode * tn, GError ** error)
{
  const gchar *what = ld->what, *dtype;
  JsonObject *to;
  JsonArray *shape, *offs;
  JsonNode *sn, *on;
  guint64 begin, end, count = 1, esize, bytes_needed;
  gsize expect;
  float *dst;
  Span sp;

  if (!JSON_NODE_HOLDS_OBJECT (tn))
    FMT_FAIL ("%s: tensor \"%s\" is not an object", what, name);
  to = json_node_get_object (tn);
  dtype = json_object_get_string_member_with_default (to, "dtype", NULL);
  sn = json_object_get_member (to, "shape");
  on = json_object_get_member (to, "data_offsets");
  if (dtype == NULL || sn == NULL || !JSON_NODE_HOLDS_ARRAY (sn)
      || on == NULL || !JSON_NODE_HOLDS_ARRAY (on))
    FMT_FAIL ("%s: tensor \"%s\" needs \"dtype\" (string), \"shape\" and "
        "\"data_offsets\" (arrays)", what, name);
  if (strcmp (dtype, "F32") == 0)
    esize = 4;
  else if (strcmp (dtype, "F16") == 0)
    esize = 2;
  else
    TENSOR_FAIL ("%s: tensor \"%s\" has dtype \"%s\", expected F32 or F16",
        what, name, dtype);
  shape = json_node_get_array (sn);
  if (json_array_get_length (shape) > 8)
    TENSOR_FAIL ("%s: tensor \"%s\" has %u dimensions, at most 8 allowed",
        what, name, json_array_get_length (shape));
  for (guint i = 0; i < json_array_get_length (shape); i++) {
    guint64 d;
    if (!get_offset (json_array_get_element (shape, i), &d))
      TENSOR_FAIL ("%s: tensor \"%s\": shape[%u] is not a non-negative "
          "integer", what, name, i);
    if (d != 0 && count > G_MAXUINT32 / d)
      TENSOR_FAIL ("%s: tensor \"%s\": shape overflows", what, name);
    count *= d;
  }
  offs = json_node_get_array (on);
  if (json_array_get_length (offs) != 2
      || !get_offset (json_array_get_element (offs, 0), &begin)
      || !get_offset (json_array_get_element (offs, 1), &end))
    FMT_FAIL ("%s: tensor \"%s\": data_offsets must be two non-negative "
        "integers", what, name);
  bytes_needed = count * esize; /* count < 2^32: no overflow */
  if (begin > end || end > ld->dsize)
    FMT_FAIL ("%s: tensor \"%s\": data_offsets [%" G_GUINT64_FORMAT ", %"
        G_GUINT64_FORMAT "] not within the %" G_GUINT64_FORMAT
        "-byte data section", what, name, begin, end, ld->dsize);
  if (end - begin != bytes_needed)
    FMT_FAIL ("%s: tensor \"%s\": data_offsets span %" G_GUINT64_FORMAT
        " bytes, its dtype and shape need %" G_GUINT64_FORMAT, what, name,
        end - begin, bytes_needed);

  dst = aenn_model_get_tensor (ld->model, name, &expect);
  if (dst != NULL) {
    if (!check_weight_shape (ld, name, sn, error))
      return FALSE;
    ld->n_weights++;
  } else if (ld->extra != NULL) {
    /* an extra tensor the caller asked for: any shape, kept flat */
    expect = count;
    dst = g_new (float, MAX (count, 1));
    g_hash_table_insert (ld->extra, g_strdup (name),
        g_bytes_new_take (dst, count * sizeof (float)));
  } else
    TENSOR_FAIL ("%s: tensor \"%s\" is not a weight of the architecture",
        what, name);

  for (gsize i = 0; i < expect; i++) {
    const guint8 *q = ld->dsec + begin + i * esize;
    float v;
    if (esize == 4) {
      guint32 u = (guint32) q[0] | (guint32) q[1] << 8
          | (guint32) q[2] << 16 | (guint32) q[3] << 24;
      memcpy (&v, &u, 4);
    } else
      v = half_to_float ((guint16) (q[0] | q[1] << 8));
    if (!isfinite (v))
      TENSOR_FAIL ("%s: tensor \"%s\": value %" G_GSIZE_FORMAT " is %s, "
          "expected a finite number", what, name, i,
          isnan (v) ? "NaN" : "infinite");
    dst[i] = v;
  }
  sp.begin = begin;
  sp.end = end;
  sp.name = name;
  g_array_append_val (ld->spans, sp);
  return TRUE;

fail:
  return FALSE;
}

/* Step 4: every weight of the architecture present (each name once: the
 * scanner saw to that). */
static gboolean
check_weights_complete (Load * ld, JsonObject * root, GError ** error)
{
  const AennModel *model = ld->model;
  guint want = 0;

  for (guint i = 0; i < model->n_layers; i++) {
    if (model->layers[i].op != AENN_OP_CONV)
      continue;
    for (guint b = 0; b < 2; b++) {
      gchar *nm = g_strdup_printf ("%s.%s", model->layers[i].name,
          b ? "bias" : "weight");
      gboolean found = json_object_has_member (root, nm);
      if (!found)
        g_set_error (error, AENN_ERROR, AENN_ERROR_TENSOR,
            "%s: tensor \"%s\" is missing", ld->what, nm);
      g_free (nm);
      if (!found)
        return FALSE;
    }
    want += 2;
  }
  if (want != ld->n_weights) {
    g_set_error (error, AENN_ERROR, AENN_ERROR_FORMAT,
        "%s: %u weight tensors, the architecture has %u", ld->what,
        ld->n_weights, want);
    return FALSE;
  }
  return TRUE;
}

/* Step 5: the spans tile the data section exactly: sorted, each starts
 * where the previous ended, the last ends at the end of the file. */
static gboolean
check_spans_tile (Load * ld, GError ** error)
{
  const gchar *what = ld->what;
  guint64 at = 0;

  g_array_sort (ld->spans, span_cmp);
  for (guint i = 0; i < ld->spans->len; i++) {
    Span *sp = &g_array_index (ld->spans, Span, i);
    if (sp->begin < at)
      FMT_FAIL ("%s: tensor \"%s\" at [%" G_GUINT64_FORMAT ", %"
          G_GUINT64_FORMAT "] overlaps the tensor before it (ending at %"
          G_GUINT64_FORMAT ")", what, sp->name, sp->begin, sp->end, at);
    if (sp->begin > at)
      FMT_FAIL ("%s: %" G_GUINT64_FORMAT " unused bytes before tensor \"%s\""
          " at offset %" G_GUINT64_FORMAT, what, sp->begin - at, sp->name,
          sp->begin);
    at = sp->end;
  }
  if (at != ld->dsize)
    FMT_FAIL ("%s: the tensors cover %" G_GUINT64_FORMAT " bytes of the %"
        G_GUINT64_FORMAT "-byte data section", what, at, ld->dsize);
  return TRUE;

fail:
  return FALSE;
}

AennModel *
aenn_model_load_bytes (GBytes * bytes, const gchar * what, GError ** error)
{
  return aenn_model_load_bytes_full (bytes, what, NULL, NULL, error);
}

AennModel *
aenn_model_load_bytes_full (GBytes * bytes, const gchar * what,
    GHashTable ** metadata, GHashTable ** extra, GError ** error)
{
  Load ld = { 0 };
  GHashTable *meta = NULL;
  JsonParser *parser = NULL;
  JsonObject *root;
  GList *members = NULL;
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  gboolean ok;

  ld.what = what ? what : "model";
  root = load_header (&ld, data, size, &parser, error);
  ok = root != NULL;
  if (ok)
    ld.model = load_architecture (&ld, root, metadata ? &meta : NULL, error);
  ok = ok && ld.model != NULL;
  if (ok) {
    ld.spans = g_array_new (FALSE, FALSE, sizeof (Span));
    if (extra != NULL)
      ld.extra = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
          (GDestroyNotify) g_bytes_unref);
    members = json_object_get_members (root);
    for (GList * l = members; ok && l; l = l->next)
      if (strcmp (l->data, "__metadata__") != 0)
        ok = load_tensor (&ld, l->data, json_object_get_member (root,
                l->data), error);
  }
  ok = ok && check_weights_complete (&ld, root, error)
      && check_spans_tile (&ld, error);

  g_list_free (members);
  if (ld.spans)
    g_array_free (ld.spans, TRUE);
  g_clear_object (&parser);
  if (!ok) {
    g_clear_pointer (&meta, g_hash_table_unref);
    g_clear_pointer (&ld.extra, g_hash_table_unref);
    g_clear_pointer (&ld.model, aenn_model_free);
    return NULL;
  }
  if (metadata != NULL)
    *metadata = meta;
  if (extra != NULL)
    *extra = ld.extra;
  return ld.model;
}

AennModel *
aenn_model_load_file (const gchar * path, GError ** error)
{
  return aenn_model_load_file_full (path, NULL, NULL, error);
}

AennModel *
aenn_model_load_file_full (const gchar * path, GHashTable ** metadata,
    GHashTable ** extra, GError ** error)
{
  GMappedFile *mf;
  GBytes *bytes;
  AennModel *m;
  GError *err = NULL;

  mf = g_mapped_file_new (path, FALSE, &err);
  if (mf == NULL) {
    g_set_error (error, AENN_ERROR, AENN_ERROR_IO, "%s: cannot read: %s",
        path, err->message);
    g_clear_error (&err);
    return NULL;
  }
  bytes = g_mapped_file_get_bytes (mf);
  g_mapped_file_unref (mf);
  m = aenn_model_load_bytes_full (bytes, path, metadata, extra, error);
  g_bytes_unref (bytes);
  return m;
}

/* ---- writing ---- */

GBytes *
aenn_model_serialize (const AennModel * model, GError ** error)
{
  return aenn_model_serialize_full (model, NULL, NULL, 0, error);
}

static void
append_f32 (GByteArray * out, const float *v, gsize n)
{
  for (gsize j = 0; j < n; j++) {
    guint32 u;
    guint8 q[4];
    memcpy (&u, &v[j], 4);
    q[0] = u;
    q[1] = u >> 8;
    q[2] = u >> 16;
    q[3] = u >> 24;
    g_byte_array_append (out, q, 4);
  }
}

static void
add_tensor_entry (JsonBuilder * b, const gchar * name, const guint64 * shape,
    guint nd, guint64 * off)
{
  guint64 n = 1;
  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "dtype");
  json_builder_add_string_value (b, "F32");
  json_builder_set_member_name (b, "shape");
  json_builder_begin_array (b);
  for (guint i = 0; i < nd; i++) {
    json_builder_add_int_value (b, (gint64) shape[i]);
    n *= shape[i];
  }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "data_offsets");
  json_builder_begin_array (b);
  json_builder_add_int_value (b, (gint64) * off);
  json_builder_add_int_value (b, (gint64) (*off + 4 * n));
  json_builder_end_array (b);
  json_builder_end_object (b);
  *off += 4 * n;
}

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(const gchar * const *) a, *(const gchar * const *) b);
}

GBytes *
aenn_model_serialize_full (const AennModel * model, GHashTable * metadata,
    const AennExtraTensor * extra, guint n_extra, GError ** error)
{
  JsonBuilder *b = json_builder_new ();
  JsonGenerator *gen;
  GByteArray *out;
  gchar *header;
  gsize hlen, pad;
  guint64 off = 0, n64;
  guint8 le[8];

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "__metadata__");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "aenn.format_version");
  json_builder_add_string_value (b, AENN_FORMAT_VERSION);
  json_builder_set_member_name (b, "aenn.architecture");
  json_builder_add_string_value (b, model->arch_json);
  if (metadata != NULL) {
    /* sorted, so that equal inputs give equal files */
    guint nk;
    gpointer *keys = g_hash_table_get_keys_as_array (metadata, &nk);
    qsort (keys, nk, sizeof (gpointer), cmp_str);
    for (guint i = 0; i < nk; i++) {
      const gchar *k = keys[i];
      if (strcmp (k, "aenn.format_version") == 0
          || strcmp (k, "aenn.architecture") == 0)
        continue;
      json_builder_set_member_name (b, k);
      json_builder_add_string_value (b, g_hash_table_lookup (metadata, k));
    }
    g_free (keys);
  }
  json_builder_end_object (b);
  for (guint i = 0; i < model->n_layers; i++) {
    const AennLayer *L = &model->layers[i];
    guint oc, ic;
    if (L->op != AENN_OP_CONV)
      continue;
    oc = model->tensors[L->out].channels;
    ic = model->tensors[L->in[0]].channels;
    for (guint w = 0; w < 2; w++) {
      gchar *nm = g_strdup_printf ("%s.%s", L->name, w ? "bias" : "weight");
      guint64 shape[4] = { oc, ic, L->kernel, L->kernel };
      add_tensor_entry (b, nm, shape, w ? 1 : 4, &off);
      g_free (nm);
    }
  }
  for (guint i = 0; i < n_extra; i++) {
    guint64 shape[1] = { extra[i].n };
    if (aenn_model_get_tensor (model, extra[i].name, NULL) != NULL
        || strcmp (extra[i].name, "__metadata__") == 0) {
      g_set_error (error, AENN_ERROR, AENN_ERROR_TENSOR, "extra tensor "
          "\"%s\": the name is taken", extra[i].name);
      g_object_unref (b);
      return NULL;
    }
    add_tensor_entry (b, extra[i].name, shape, 1, &off);
  }
  json_builder_end_object (b);
  gen = json_generator_new ();
  {
    JsonNode *root = json_builder_get_root (b);
    json_generator_set_root (gen, root);
    json_node_unref (root);
  }
  header = json_generator_to_data (gen, &hlen);
  g_object_unref (gen);
  g_object_unref (b);
  if (hlen + 8 > MAX_HEADER) {
    g_set_error (error, AENN_ERROR, AENN_ERROR_FORMAT,
        "header of %" G_GSIZE_FORMAT " bytes exceeds 16 MiB", hlen);
    g_free (header);
    return NULL;
  }
  /* spaces up to a multiple of 8 keep the data section 8-byte aligned */
  pad = (8 - hlen % 8) % 8;
  n64 = hlen + pad;
  for (gint i = 0; i < 8; i++)
    le[i] = (guint8) (n64 >> (8 * i));
  out = g_byte_array_sized_new ((guint) (8 + n64 + off));
  g_byte_array_append (out, le, 8);
  g_byte_array_append (out, (const guint8 *) header, (guint) hlen);
  for (gsize i = 0; i < pad; i++)
    g_byte_array_append (out, (const guint8 *) " ", 1);
  g_free (header);
  for (guint i = 0; i < model->n_layers; i++) {
    const AennLayer *L = &model->layers[i];
    gsize n;
    if (L->op != AENN_OP_CONV)
      continue;
    for (guint w = 0; w < 2; w++) {
      const float *v;
      gchar *nm = g_strdup_printf ("%s.%s", L->name, w ? "bias" : "weight");
      v = aenn_model_get_tensor (model, nm, &n);
      g_free (nm);
      append_f32 (out, v, n);
    }
  }
  for (guint i = 0; i < n_extra; i++)
    append_f32 (out, extra[i].data, extra[i].n);
  return g_byte_array_free_to_bytes (out);
}

gboolean
aenn_model_save (const AennModel * model, const gchar * path, GError ** error)
{
  return aenn_model_save_full (model, path, NULL, NULL, 0, error);
}

gboolean
aenn_model_save_full (const AennModel * model, const gchar * path,
    GHashTable * metadata, const AennExtraTensor * extra, guint n_extra,
    GError ** error)
{
  GBytes *bytes = aenn_model_serialize_full (model, metadata, extra, n_extra,
      error);
  GError *err = NULL;
  gsize n;
  const gchar *d;

  if (bytes == NULL)
    return FALSE;
  d = g_bytes_get_data (bytes, &n);
  if (!g_file_set_contents (path, d, (gssize) n, &err)) {
    g_set_error (error, AENN_ERROR, AENN_ERROR_IO, "%s: cannot write: %s",
        path, err->message);
    g_clear_error (&err);
    g_bytes_unref (bytes);
    return FALSE;
  }
  g_bytes_unref (bytes);
  return TRUE;
}
