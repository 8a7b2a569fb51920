/* Architecture parsing, save/load round trips, and the loader fed
 * truncated, corrupted and hostile files. */
#include "config.h"
#include "denoise/engine/engine.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

/* One 1x1 convolution: weight (1, 1, 1, 1) at [0, 4), bias (1) at [4, 8). */
#define TINY_ARCH "{\\\"in_channels\\\": 1, \\\"output\\\": \\\"y\\\", " \
  "\\\"layers\\\": [{\\\"op\\\": \\\"conv\\\", \\\"name\\\": \\\"c\\\", " \
  "\\\"in\\\": [\\\"x\\\"], \\\"out\\\": \\\"y\\\", \\\"out_channels\\\": 1, " \
  "\\\"kernel\\\": 1}]}"
#define META "\"__metadata__\": {\"aenn.format_version\": \"1\", " \
  "\"aenn.architecture\": \"" TINY_ARCH "\"}"
#define WGT_OK "\"c.weight\": {\"dtype\": \"F32\", \"shape\": [1, 1, 1, 1], " \
  "\"data_offsets\": [0, 4]}"
#define BIAS_OK "\"c.bias\": {\"dtype\": \"F32\", \"shape\": [1], " \
  "\"data_offsets\": [4, 8]}"

static GBytes *
make_file (const gchar * header, const void *data, gsize n)
{
  GByteArray *a = g_byte_array_new ();
  guint64 len = strlen (header);
  guint8 le[8];
  for (int i = 0; i < 8; i++)
    le[i] = (guint8) (len >> (8 * i));
  g_byte_array_append (a, le, 8);
  g_byte_array_append (a, (const guint8 *) header, (guint) len);
  g_byte_array_append (a, data, (guint) n);
  return g_byte_array_free_to_bytes (a);
}

static void
expect_failure (GBytes * b, gint code, const gchar * needle)
{
  GError *err = NULL;
  AennModel *m = aenn_model_load_bytes (b, "hostile.safetensors", &err);
  g_assert_null (m);
  g_assert_nonnull (err);
  g_test_message ("%s", err->message);
  g_assert_true (err->domain == AENN_ERROR);
  if (code >= 0)
    g_assert_cmpint (err->code, ==, code);
  g_assert_nonnull (strstr (err->message, "hostile.safetensors"));
  if (needle && strstr (err->message, needle) == NULL)
    g_error ("\"%s\" does not mention \"%s\"", err->message, needle);
  g_error_free (err);
  /* and without a GError to fill: still no crash */
  g_assert_null (aenn_model_load_bytes (b, "hostile.safetensors", NULL));
  g_bytes_unref (b);
}

static const float good_data[2] = { 0.5f, -0.25f };

static void
test_tiny_ok (void)
{
  GError *err = NULL;
  GBytes *b = make_file ("{" META ", " WGT_OK ", " BIAS_OK "}", good_data, 8);
  AennModel *m = aenn_model_load_bytes (b, "tiny", &err);
  g_assert_no_error (err);
  g_assert_cmpfloat (m->layers[0].weight[0], ==, 0.5f);
  g_assert_cmpfloat (m->layers[0].bias[0], ==, -0.25f);
  aenn_model_free (m);
  g_bytes_unref (b);

  /* F16: 0x3800 is 0.5, 0xb400 is -0.25 */
  {
    const guint8 h[4] = { 0x00, 0x38, 0x00, 0xb4 };
    b = make_file ("{" META ", \"c.weight\": {\"dtype\": \"F16\", \"shape\": "
        "[1, 1, 1, 1], \"data_offsets\": [0, 2]}, \"c.bias\": {\"dtype\": "
        "\"F16\", \"shape\": [1], \"data_offsets\": [2, 4]}}", h, 4);
    m = aenn_model_load_bytes (b, "tiny16", &err);
    g_assert_no_error (err);
    g_assert_cmpfloat (m->layers[0].weight[0], ==, 0.5f);
    g_assert_cmpfloat (m->layers[0].bias[0], ==, -0.25f);
    aenn_model_free (m);
    g_bytes_unref (b);
  }
}

static void
test_hostile (void)
{
  const gchar *ok = "{" META ", " WGT_OK ", " BIAS_OK "}";
  GBytes *good = make_file (ok, good_data, 8);
  gsize n;
  const guint8 *g = g_bytes_get_data (good, &n);
  float nan_data[2] = { NAN, 0.0f }, inf_data[2] = { 0.0f, INFINITY };
  gchar deep[4096];

  /* too short, and every truncation of a good file */
  expect_failure (g_bytes_new ("", 0), AENN_ERROR_FORMAT, "too short");
  expect_failure (g_bytes_new ("\x10\0\0", 3), AENN_ERROR_FORMAT, "too short");
  for (gsize cut = 0; cut < n; cut++)
    expect_failure (g_bytes_new (g, cut), AENN_ERROR_FORMAT, NULL);
  /* not a safetensors file at all */
  expect_failure (g_bytes_new ("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16),
      AENN_ERROR_FORMAT, "header length");
  /* huge header lengths */
  {
    guint8 *c = g_memdup2 (g, n);
    memset (c, 0xff, 8);
    expect_failure (g_bytes_new_take (c, n), AENN_ERROR_FORMAT,
        "header length");
    c = g_memdup2 (g, n);
    c[0] = c[1] = 0;
    c[2] = 0x00;
    c[3] = 0x02;                /* 32 MiB */
    expect_failure (g_bytes_new_take (c, n), AENN_ERROR_FORMAT,
        "header length");
  }
  /* bad JSON, not an object, deep nesting */
  expect_failure (make_file ("{not json", good_data, 8), AENN_ERROR_FORMAT,
      "JSON");
  expect_failure (make_file ("[1, 2]", good_data, 8), AENN_ERROR_FORMAT,
      NULL);
  memset (deep, '[', sizeof deep - 1);
  deep[sizeof deep - 1] = '\0';
  deep[0] = '{';
  deep[1] = '"';
  deep[2] = 'a';
  deep[3] = '"';
  deep[4] = ':';
  expect_failure (make_file (deep, NULL, 0), AENN_ERROR_FORMAT, "nests");
  /* invalid UTF-8 */
  expect_failure (make_file ("{\"\xff\xfe\": 1}", NULL, 0),
      AENN_ERROR_FORMAT, "UTF-8");
  /* metadata */
  expect_failure (make_file ("{" WGT_OK ", " BIAS_OK "}", good_data, 8),
      AENN_ERROR_FORMAT, "__metadata__");
  expect_failure (make_file ("{\"__metadata__\": {\"aenn.format_version\": "
          "\"2\", \"aenn.architecture\": \"" TINY_ARCH "\"}, " WGT_OK ", " BIAS_OK
          "}", good_data, 8), AENN_ERROR_FORMAT, "format_version");
  expect_failure (make_file ("{\"__metadata__\": {\"aenn.format_version\": "
          "\"1\", \"aenn.architecture\": 5}, " WGT_OK ", " BIAS_OK "}", good_data,
          8), AENN_ERROR_FORMAT, "not a string");
  expect_failure (make_file ("{\"__metadata__\": {\"aenn.format_version\": "
          "\"1\", \"aenn.architecture\": \"{\\\"layers\\\": []}\"}, " WGT_OK
          ", " BIAS_OK "}", good_data, 8), AENN_ERROR_ARCHITECTURE, "in_channels");
  /* offsets past the end, overlapping, with a gap, reversed */
  expect_failure (make_file ("{" META ", " WGT_OK ", \"c.bias\": {\"dtype\": "
          "\"F32\", \"shape\": [1], \"data_offsets\": [8, 12]}}", good_data,
          8), AENN_ERROR_FORMAT, "not within");
  expect_failure (make_file ("{" META ", " WGT_OK ", \"c.bias\": {\"dtype\": "
          "\"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}", good_data,
          8), AENN_ERROR_FORMAT, "overlaps");
  {
    float d3[3] = { 1, 2, 3 };
    expect_failure (make_file ("{" META ", " WGT_OK ", \"c.bias\": {\"dtype\": "
            "\"F32\", \"shape\": [1], \"data_offsets\": [8, 12]}}", d3, 12),
        AENN_ERROR_FORMAT, "unused bytes");
    expect_failure (make_file ("{" META ", " WGT_OK ", " BIAS_OK "}", d3, 12),
        AENN_ERROR_FORMAT, "cover");
  }
  expect_failure (make_file ("{" META ", " WGT_OK ", \"c.bias\": {\"dtype\": "
          "\"F32\", \"shape\": [1], \"data_offsets\": [8, 4]}}", good_data,
          8), AENN_ERROR_FORMAT, "not within");
  expect_failure (make_file ("{" META ", " WGT_OK ", \"c.bias\": {\"dtype\": "
          "\"F32\", \"shape\": [1], \"data_offsets\": [-4, 4]}}", good_data,
          8), AENN_ERROR_FORMAT, "data_offsets");
  expect_failure (make_file ("{" META ", " WGT_OK ", \"c.bias\": {\"dtype\": "
          "\"F32\", \"shape\": [1], \"data_offsets\": "
          "[18446744073709551612, 4]}}", good_data, 8), AENN_ERROR_FORMAT,
      NULL);
  /* shapes */
  expect_failure (make_file ("{" META ", \"c.weight\": {\"dtype\": \"F32\", "
          "\"shape\": [1, 1], \"data_offsets\": [0, 4]}, " BIAS_OK "}",
          good_data, 8), AENN_ERROR_TENSOR, "expects [1, 1, 1, 1]");
  expect_failure (make_file ("{" META ", \"c.weight\": {\"dtype\": \"F32\", "
          "\"shape\": [1, 1, 3, 3], \"data_offsets\": [0, 4]}, " BIAS_OK "}",
          good_data, 8), AENN_ERROR_FORMAT, "need 36");
  expect_failure (make_file ("{" META ", \"c.weight\": {\"dtype\": \"F32\", "
          "\"shape\": [4294967296, 4294967296], \"data_offsets\": [0, 4]}, "
          BIAS_OK "}", good_data, 8), AENN_ERROR_TENSOR, "overflow");
  /* names: duplicate, escaped, unknown, missing */
  expect_failure (make_file ("{" META ", " WGT_OK ", " BIAS_OK ", " BIAS_OK "}",
          good_data, 8), AENN_ERROR_FORMAT, "duplicate key \"c.bias\"");
  expect_failure (make_file ("{" META ", " WGT_OK ", \"c.bi\\u0061s\": "
          "{\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}",
          good_data, 8), AENN_ERROR_FORMAT, "escape");
  expect_failure (make_file ("{" META ", " WGT_OK ", \"d.bias\": {\"dtype\": "
          "\"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}", good_data,
          8), AENN_ERROR_TENSOR, "d.bias");
  expect_failure (make_file ("{" META ", " WGT_OK "}", good_data, 4),
      AENN_ERROR_TENSOR, "\"c.bias\" is missing");
  /* dtypes, values */
  expect_failure (make_file ("{" META ", " WGT_OK ", \"c.bias\": {\"dtype\": "
          "\"I32\", \"shape\": [1], \"data_offsets\": [4, 8]}}", good_data,
          8), AENN_ERROR_TENSOR, "dtype \"I32\"");
  expect_failure (make_file ("{" META ", " WGT_OK ", \"c.bias\": {\"dtype\": "
          "7, \"shape\": [1], \"data_offsets\": [4, 8]}}", good_data, 8),
      AENN_ERROR_FORMAT, "dtype");
  expect_failure (make_file (ok, nan_data, 8), AENN_ERROR_TENSOR, "NaN");
  expect_failure (make_file (ok, inf_data, 8), AENN_ERROR_TENSOR, "infinite");
  g_bytes_unref (good);

  /* a file that does not exist */
  {
    GError *err = NULL;
    g_assert_null (aenn_model_load_file ("/nonexistent/x.safetensors", &err));
    g_assert_error (err, AENN_ERROR, AENN_ERROR_IO);
    g_assert_nonnull (strstr (err->message, "/nonexistent/x.safetensors"));
    g_error_free (err);
  }
}

/* Every single-byte corruption of a real model file either loads or fails
 * with a GError; none crashes (the sanitizer build checks the rest). */
static void
test_fuzz (void)
{
  GError *err = NULL;
  AennModel *m = aenn_model_new (aenn_default_architecture (), &err);
  GBytes *b;
  gsize n;
  const guint8 *d;
  GRand *r = g_rand_new_with_seed (99);

  aenn_model_randomize (m, 1, 1.0f);
  b = aenn_model_serialize (m, &err);
  g_assert_no_error (err);
  d = g_bytes_get_data (b, &n);
  for (guint i = 0; i < 3000; i++) {
    guint8 *c = g_memdup2 (d, n);
    gsize at = i < 1500 ? g_rand_int_range (r, 0, MIN (n, 2200)) :
        g_rand_int_range (r, 0, (gint32) n);
    GBytes *cb;
    AennModel *x;
    c[at] = (guint8) g_rand_int (r);
    cb = g_bytes_new_take (c, n);
    x = aenn_model_load_bytes (cb, "fuzz", &err);
    g_assert_true ((x == NULL) == (err != NULL));
    g_clear_error (&err);
    aenn_model_free (x);
    g_bytes_unref (cb);
  }
  g_rand_free (r);
  g_bytes_unref (b);
  aenn_model_free (m);
}

static void
test_roundtrip (void)
{
  GError *err = NULL;
  AennModel *m = aenn_model_new (aenn_default_architecture (), &err), *m2;
  gchar *dir = g_dir_make_tmp ("aenn-XXXXXX", &err);
  gchar *path = g_build_filename (dir, "m.safetensors", NULL);
  GBytes *b;
  gsize n;

  g_assert_no_error (err);
  aenn_model_randomize (m, 42, 1.0f);
  g_assert_true (aenn_model_save (m, path, &err));
  g_assert_no_error (err);
  m2 = aenn_model_load_file (path, &err);
  g_assert_no_error (err);
  g_assert_cmpstr (m->arch_json, ==, m2->arch_json);
  for (guint i = 0; i < m->n_layers; i++)
    if (m->layers[i].op == AENN_OP_CONV) {
      gchar *nm = g_strdup_printf ("%s.weight", m->layers[i].name);
      float *a = aenn_model_get_tensor (m, nm, &n);
      float *c = aenn_model_get_tensor (m2, nm, NULL);
      g_assert_cmpmem (a, n * 4, c, n * 4);
      g_free (nm);
    }
  /* the data section starts 8-byte aligned */
  b = aenn_model_serialize (m, &err);
  g_assert_cmpint (GUINT64_FROM_LE (*(const guint64 *) g_bytes_get_data (b,
              NULL)) % 8, ==, 0);
  aenn_model_free (m2);
  m2 = aenn_model_load_bytes (b, "memory", &err);
  g_assert_no_error (err);
  aenn_model_free (m2);
  g_bytes_unref (b);
  g_unlink (path);
  g_rmdir (dir);
  g_free (path);
  g_free (dir);
  aenn_model_free (m);
}

/* PyTorch's nested names: a layer "body" beside "body.0" (with another
 * shape), so that neither may claim the other's tensors. */
static void
test_dotted_names (void)
{
  static const gchar arch[] =
      "{\"in_channels\": 1, \"output\": \"y\", \"layers\": ["
      "{\"op\": \"conv\", \"name\": \"body\", \"in\": [\"x\"], "
      "\"out\": \"a\", \"out_channels\": 2, \"kernel\": 1},"
      "{\"op\": \"conv\", \"name\": \"body.0\", \"in\": [\"a\"], "
      "\"out\": \"b\", \"out_channels\": 3, \"kernel\": 3},"
      "{\"op\": \"conv\", \"name\": \"head.conv_1.x-y\", "
      "\"in\": [\"b\"], \"out\": \"y\", \"out_channels\": 1, "
      "\"kernel\": 1}]}";
  static const gchar *bad_names[] = { ".a", "a.", "a..b", ".", "a.b c",
    "a.\\u002e"
  };
  GError *err = NULL;
  AennModel *m = aenn_model_new (arch, &err), *m2;
  GBytes *b;
  gsize n;
  float *w;

  g_assert_no_error (err);
  aenn_model_randomize (m, 7, 1.0f);
  g_assert_nonnull (aenn_model_get_tensor (m, "body.0.weight", &n));
  g_assert_cmpuint (n, ==, 3 * 2 * 3 * 3);
  g_assert_nonnull (aenn_model_get_tensor (m, "body.weight", &n));
  g_assert_cmpuint (n, ==, 2);
  g_assert_null (aenn_model_get_tensor (m, "body.0", NULL));
  g_assert_null (aenn_model_get_tensor (m, "body.0.weight.x", NULL));
  b = aenn_model_serialize (m, &err);
  g_assert_no_error (err);
  m2 = aenn_model_load_bytes (b, "dotted", &err);
  g_assert_no_error (err);
  w = aenn_model_get_tensor (m2, "body.0.weight", &n);
  g_assert_cmpmem (w, n * 4, aenn_model_get_tensor (m, "body.0.weight",
          NULL), n * 4);
  w = aenn_model_get_tensor (m2, "head.conv_1.x-y.bias", &n);
  g_assert_cmpmem (w, n * 4, aenn_model_get_tensor (m,
          "head.conv_1.x-y.bias", NULL), n * 4);
  aenn_model_free (m2);
  g_bytes_unref (b);
  aenn_model_free (m);

  for (guint i = 0; i < G_N_ELEMENTS (bad_names); i++) {
    gchar *a = g_strdup_printf ("{\"in_channels\": 1, \"output\": \"y\", "
        "\"layers\": [{\"op\": \"conv\", \"name\": \"%s\", "
        "\"in\": [\"x\"], \"out\": \"y\", \"out_channels\": 1, "
        "\"kernel\": 1}]}", bad_names[i]);
    g_assert_null (aenn_model_new (a, &err));
    g_assert_error (err, AENN_ERROR, AENN_ERROR_ARCHITECTURE);
    g_assert_nonnull (strstr (err->message, "joined by single dots"));
    g_clear_error (&err);
    g_free (a);
  }
}

static void
test_bad_arch (void)
{
  static const gchar *bad[][2] = {
    {"[]", "object"},
    {"{\"in_channels\": 1, \"output\": \"y\", \"layers\": [{\"op\": \"conv\","
          " \"name\": \"c\", \"in\": [\"q\"], \"out\": \"y\", "
          "\"out_channels\": 1, \"kernel\": 1}]}", "defined earlier"},
    {"{\"in_channels\": 1, \"output\": \"y\", \"layers\": [{\"op\": \"conv\","
          " \"name\": \"c\", \"in\": [\"x\"], \"out\": \"y\", "
          "\"out_channels\": 1, \"kernel\": 5}]}", "expected 1..3"},
    {"{\"in_channels\": 1, \"output\": \"y\", \"layers\": [{\"op\": \"d2s\","
          " \"name\": \"c\", \"in\": [\"x\"], \"out\": \"y\"}]}", "d2s"},
    {"{\"in_channels\": 1, \"output\": \"y\", \"layers\": [{\"op\": \"s2d\","
          " \"name\": \"c\", \"in\": [\"x\"], \"out\": \"y\"}]}",
        "expected 1 at level 0"},
    {"{\"in_channels\": 1, \"output\": \"y\", \"layers\": [{\"op\": \"pool\","
          " \"name\": \"c\", \"in\": [\"x\"], \"out\": \"y\"}]}", "unknown op"},
    {"{\"in_channels\": 1, \"output\": \"y\", \"layers\": [{\"op\": \"conv\","
          " \"name\": \"c\", \"in\": [\"x\"], \"out\": \"x\", "
          "\"out_channels\": 1, \"kernel\": 1}]}", "already defined"},
    {"{\"in_channels\": 1, \"output\": \"y\", \"layers\": [{\"op\": \"conv\","
          " \"name\": \"c\", \"in\": [\"x\"], \"out\": \"y\", "
          "\"out_channels\": 1, \"kernel\": 1}, {\"op\": \"conv\","
          " \"name\": \"c2\", \"in\": [\"x\"], \"out\": \"z\", "
          "\"out_channels\": 1, \"kernel\": 1}]}", "never used"},
    {"{\"in_channels\": 1, \"output\": \"y\", \"layers\": [{\"op\": \"conv\","
          " \"name\": \"c\", \"in\": [\"x\"], \"out\": \"y\", "
          "\"out_channels\": 1, \"kernel\": 1, \"act\": \"leaky_relu\"}]}",
        "slope"},
    {"{\"in_channels\": 1, \"layout\": \"rgb\", \"output\": \"y\", "
          "\"layers\": [{\"op\": \"conv\", \"name\": \"c\", \"in\": [\"x\"], "
          "\"out\": \"y\", \"out_channels\": 1, \"kernel\": 1}]}",
        "expected plane or yuv420"},
    {"{\"in_channels\": 3, \"layout\": \"yuv420\", \"output\": \"y\", "
          "\"layers\": [{\"op\": \"conv\", \"name\": \"c\", \"in\": [\"x\"], "
          "\"out\": \"y\", \"out_channels\": 3, \"kernel\": 1}]}",
        "takes 6 input channels"},
    {"{\"in_channels\": 2, \"output\": \"y\", \"layers\": ["
          "{\"op\": \"sigma\", \"name\": \"s\", \"channel\": 2, \"out\": \"s\"},"
          "{\"op\": \"concat\", \"name\": \"k\", \"in\": [\"x\", \"s\"], "
          "\"out\": \"a\"},"
          "{\"op\": \"conv\", \"name\": \"c\", \"in\": [\"a\"], \"out\": \"y\", "
          "\"out_channels\": 2, \"kernel\": 1}]}", "\"channel\" is 2, expected 0..1"},
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    GError *err = NULL;
    g_assert_null (aenn_model_new (bad[i][0], &err));
    g_assert_error (err, AENN_ERROR, AENN_ERROR_ARCHITECTURE);
    if (strstr (err->message, bad[i][1]) == NULL)
      g_error ("\"%s\" does not mention \"%s\"", err->message, bad[i][1]);
    g_error_free (err);
  }
}

/* The op table has a full row for every op of AennOp, names round-trip
 * and are unique, and docs/model-format.md documents each. */
static void
test_op_table (void)
{
  gchar *doc = NULL;
  gchar *path = g_build_filename (TEST_SRCDIR, "docs", "model-format.md",
      NULL);

  g_assert_true (g_file_get_contents (path, &doc, NULL, NULL));
  for (guint i = 0; i < AENN_N_OPS; i++) {
    const AennOpInfo *info = aenn_op_info ((AennOp) i);
    AennOp op;
    gchar *quoted;

    g_assert_nonnull (info);
    g_assert_nonnull (info->name);
    g_assert_nonnull (info->shape);
    g_assert_cmpuint (info->n_in, <=, 2);
    g_assert_true (aenn_op_from_name (info->name, &op));
    g_assert_cmpuint (op, ==, i);
    for (guint j = 0; j < i; j++)
      g_assert_cmpstr (aenn_op_info ((AennOp) j)->name, !=, info->name);
    quoted = g_strdup_printf ("`%s`", info->name);
    if (strstr (doc, quoted) == NULL)
      g_error ("docs/model-format.md does not document op %s", quoted);
    g_free (quoted);
  }
  g_assert_null (aenn_op_info (AENN_N_OPS));
  g_free (doc);
  g_free (path);
}

/* Models by name: a path is itself; a name is NAME.safetensors in the
 * search path, then beside the caller's file; the error lists the places. */
static void
test_find (void)
{
  gchar *dir = g_dir_make_tmp ("aenn-find-XXXXXX", NULL);
  gchar *models = g_build_filename (dir, "share", NULL);
  gchar *bin = g_build_filename (dir, "bin", "prog", NULL);
  gchar *a = g_build_filename (dir, "a.safetensors", NULL);
  gchar *b = g_build_filename (models, "b.safetensors", NULL);
  GError *err = NULL;
  gchar *p;

  g_assert_cmpint (g_mkdir (models, 0700), ==, 0);
  g_assert_true (g_file_set_contents (a, "x", 1, NULL));
  g_assert_true (g_file_set_contents (b, "x", 1, NULL));
  g_setenv (AENN_MODEL_PATH_ENV, dir, TRUE);
  p = aenn_model_find ("a", NULL, NULL, &err);
  g_assert_no_error (err);
  g_assert_cmpstr (p, ==, a);
  g_free (p);
  p = aenn_model_find ("b.safetensors", bin, "../share", &err);
  g_assert_no_error (err);
  g_assert_cmpstr (p, ==, b);
  g_free (p);
  p = aenn_model_find ("/no/such/dir/c.safetensors", NULL, NULL, &err);
  g_assert_cmpstr (p, ==, "/no/such/dir/c.safetensors");
  g_free (p);
  g_assert_null (aenn_model_find ("c", bin, "../share", &err));
  g_assert_error (err, AENN_ERROR, AENN_ERROR_IO);
  g_assert_nonnull (strstr (err->message, dir));
  g_assert_nonnull (strstr (err->message, AENN_MODELS_DIR));
  g_clear_error (&err);
  g_unsetenv (AENN_MODEL_PATH_ENV);
  g_unlink (a);
  g_unlink (b);
  g_rmdir (models);
  g_rmdir (dir);
  g_free (a);
  g_free (b);
  g_free (bin);
  g_free (models);
  g_free (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/aenn/model/tiny", test_tiny_ok);
  g_test_add_func ("/aenn/model/hostile", test_hostile);
  g_test_add_func ("/aenn/model/fuzz", test_fuzz);
  g_test_add_func ("/aenn/model/roundtrip", test_roundtrip);
  g_test_add_func ("/aenn/model/bad-arch", test_bad_arch);
  g_test_add_func ("/aenn/model/dotted-names", test_dotted_names);
  g_test_add_func ("/aenn/model/op-table", test_op_table);
  g_test_add_func ("/aenn/model/find", test_find);
  return g_test_run ();
}
