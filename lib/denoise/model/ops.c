/* The op table: each op of the graph once, with its name, arity and shape
 * rule. See model.h. */
#include "config.h"
#include "denoise/model/model.h"

#include <string.h>

static gchar *
shape_conv (const AennTensor * a, const AennTensor * b, guint param,
    guint * channels, guint * level)
{
  *channels = param;
  *level = a->level;
  return NULL;
}

static gchar *
shape_s2d (const AennTensor * a, const AennTensor * b, guint param,
    guint * channels, guint * level)
{
  if (a->level >= AENN_MAX_LEVEL)
    return g_strdup_printf ("level would exceed %u", AENN_MAX_LEVEL);
  if (a->channels * 4 > AENN_MAX_CHANNELS)
    return g_strdup_printf ("%u channels exceed %u", a->channels * 4,
        AENN_MAX_CHANNELS);
  *channels = a->channels * 4;
  *level = a->level + 1;
  return NULL;
}

static gchar *
shape_d2s (const AennTensor * a, const AennTensor * b, guint param,
    guint * channels, guint * level)
{
  if (a->level == 0 || a->channels % 4 != 0)
    return g_strdup_printf ("input \"%s\" has %u channels at level %u; d2s "
        "needs a multiple of 4 at level >= 1", a->name, a->channels, a->level);
  *channels = a->channels / 4;
  *level = a->level - 1;
  return NULL;
}

static gchar *
shape_add (const AennTensor * a, const AennTensor * b, guint param,
    guint * channels, guint * level)
{
  if (a->channels != b->channels || a->level != b->level)
    return g_strdup_printf ("\"%s\" (%u channels, level %u) and \"%s\" (%u, "
        "%u) differ", a->name, a->channels, a->level, b->name, b->channels,
        b->level);
  *channels = a->channels;
  *level = a->level;
  return NULL;
}

static gchar *
shape_concat (const AennTensor * a, const AennTensor * b, guint param,
    guint * channels, guint * level)
{
  if (a->level != b->level)
    return g_strdup_printf ("\"%s\" is at level %u, \"%s\" at %u", a->name,
        a->level, b->name, b->level);
  if (a->channels + b->channels > AENN_MAX_CHANNELS)
    return g_strdup_printf ("%u channels exceed %u", a->channels
        + b->channels, AENN_MAX_CHANNELS);
  *channels = a->channels + b->channels;
  *level = a->level;
  return NULL;
}

static gchar *
shape_sigma (const AennTensor * a, const AennTensor * b, guint param,
    guint * channels, guint * level)
{
  *channels = 1;
  *level = param;
  return NULL;
}

/* Designated rows: an op added to AennOp without a row here leaves a NULL
 * name, which test_model's op-table test reports. */
static const AennOpInfo ops[AENN_N_OPS] = {
  [AENN_OP_CONV] = {"conv", 1, "out_channels", shape_conv},
  [AENN_OP_S2D] = {"s2d", 1, NULL, shape_s2d},
  [AENN_OP_D2S] = {"d2s", 1, NULL, shape_d2s},
  [AENN_OP_ADD] = {"add", 2, NULL, shape_add},
  [AENN_OP_CONCAT] = {"concat", 2, NULL, shape_concat},
  [AENN_OP_SIGMA] = {"sigma", 0, "level", shape_sigma},
};

const AennOpInfo *
aenn_op_info (AennOp op)
{
  return (guint) op < AENN_N_OPS ? &ops[op] : NULL;
}

gboolean
aenn_op_from_name (const gchar * name, AennOp * op)
{
  for (guint i = 0; name != NULL && i < AENN_N_OPS; i++)
    if (ops[i].name != NULL && strcmp (name, ops[i].name) == 0) {
      *op = (AennOp) i;
      return TRUE;
    }
  return FALSE;
}

gchar *
aenn_op_names (void)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < AENN_N_OPS; i++)
    g_string_append_printf (s, "%s%s", i ? ", " : "", ops[i].name);
  return g_string_free (s, FALSE);
}
