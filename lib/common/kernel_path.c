#include "config.h"
#include "common/kernel_path.h"

#include <string.h>
#ifndef DISABLE_ORC
#include <orc/orc.h>
#endif

static const gchar *const path_names[GU_PATH_LAST] = {
  "c", "orc", "avx2", "avx512", "vnni"
};

/* Whether auto picks vnni where the CPU has it: the int8 path was
 * measured within 0.05 dB of float on Set12 at sigma 15, 25 and 50 for
 * every shipped model (at most 0.037 dB below, the default model;
 * models/README.md, docs/performance.md "int8 VNNI path"). */
#define GU_VNNI_IS_DEFAULT 1

const gchar *
gu_path_name (GuPath path)
{
  if (path < 0 || path >= GU_PATH_LAST)
    return "auto";
  return path_names[path];
}

gboolean
gu_path_from_name (const gchar * name, GuPath * path)
{
  if (name == NULL || *name == '\0' || strcmp (name, "auto") == 0) {
    *path = GU_PATH_AUTO;
    return TRUE;
  }
  for (gint i = 0; i < GU_PATH_LAST; i++) {
    if (strcmp (name, path_names[i]) == 0) {
      *path = (GuPath) i;
      return TRUE;
    }
  }
  return FALSE;
}

gboolean
gu_path_supported (GuPath path)
{
  switch (path) {
    case GU_PATH_C:
    case GU_PATH_ORC:
      return TRUE;
#if defined(__x86_64__) || defined(__i386__)
    case GU_PATH_AVX2:
#ifdef KM_HAVE_AVX2
      return __builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma");
#else
      return FALSE;
#endif
    case GU_PATH_AVX512:
#ifdef KM_HAVE_AVX512
      return __builtin_cpu_supports ("avx512f")
          && __builtin_cpu_supports ("avx512bw")
          && __builtin_cpu_supports ("avx512vl")
          && __builtin_cpu_supports ("avx512dq");
#else
      return FALSE;
#endif
    case GU_PATH_VNNI:
#ifdef AENN_HAVE_VNNI
      return gu_path_supported (GU_PATH_AVX512)
          && __builtin_cpu_supports ("avx512vnni");
#else
      return FALSE;
#endif
#endif
    default:
      return FALSE;
  }
}

gboolean
gu_path_is_quantized (GuPath path)
{
  return path == GU_PATH_VNNI;
}

GuPath
gu_path_float (GuPath path)
{
  return path == GU_PATH_VNNI ? GU_PATH_AVX512 : path;
}

GuPath
gu_path_best_float (void)
{
  for (gint p = GU_PATH_LAST - 1; p > GU_PATH_ORC; p--)
    if (!gu_path_is_quantized ((GuPath) p) && gu_path_supported ((GuPath) p))
      return (GuPath) p;
  return GU_PATH_ORC;
}

GuPath
gu_path_best (void)
{
  if (GU_VNNI_IS_DEFAULT && gu_path_supported (GU_PATH_VNNI))
    return GU_PATH_VNNI;
  return gu_path_best_float ();
}

/* The forced path where the environment names a supported one, else the
 * best; an unknown or unsupported name is ignored with a warning. */
GuPath
gu_path_default (void)
{
  const gchar *env = g_getenv ("GST_UNSUPERVISED_KERNELS");
  GuPath p;

  if (env != NULL) {
    if (!gu_path_from_name (env, &p))
      g_warning ("GST_UNSUPERVISED_KERNELS=%s: unknown path (c, orc, avx2, "
          "avx512, vnni or auto)", env);
    else if (p != GU_PATH_AUTO && !gu_path_supported (p))
      g_warning ("GST_UNSUPERVISED_KERNELS=%s: not supported by this CPU or "
          "build", env);
    else if (p != GU_PATH_AUTO)
      return p;
  }
  return gu_path_best ();
}

/* "sse", "avx", ... when ORC's JIT compiles; "c" when it falls back to its
 * generated C (about 25 times slower), e.g. under ORC_CODE=backup. */
const gchar *
gu_orc_target_name (void)
{
#ifndef DISABLE_ORC
  const gchar *code = g_getenv ("ORC_CODE");
  orc_init ();
  if (code != NULL && strstr (code, "backup") != NULL)
    return "c (ORC_CODE=backup)";
  OrcTarget *t = orc_target_get_default ();
  return t ? orc_target_get_name (t) : "none";
#else
  return "disabled";
#endif
}
