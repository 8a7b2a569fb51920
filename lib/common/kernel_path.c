#include "config.h"
#include "common/kernel_path.h"

#include <string.h>
#ifndef DISABLE_ORC
#include <orc/orc.h>
#endif

static const gchar *const path_names[KERNEL_PATH_LAST] = {
  "c", "orc", "avx2", "avx512", "vnni"
};

/* Whether auto picks vnni where the CPU has it: the int8 path was
 * measured within 0.05 dB of float on Set12 at sigma 15, 25 and 50 for
 * every shipped model (at most 0.037 dB below, the default model;
 * models/README.md, docs/performance.md "int8 VNNI path"). */
#define KERNEL_PATH_VNNI_IS_DEFAULT 1

const gchar *
kernel_path_name (KernelPath path)
{
  if (path < 0 || path >= KERNEL_PATH_LAST)
    return "auto";
  return path_names[path];
}

gboolean
kernel_path_from_name (const gchar * name, KernelPath * path)
{
  if (name == NULL || *name == '\0' || strcmp (name, "auto") == 0) {
    *path = KERNEL_PATH_AUTO;
    return TRUE;
  }
  for (gint i = 0; i < KERNEL_PATH_LAST; i++) {
    if (strcmp (name, path_names[i]) == 0) {
      *path = (KernelPath) i;
      return TRUE;
    }
  }
  return FALSE;
}

gboolean
kernel_path_supported (KernelPath path)
{
  switch (path) {
    case KERNEL_PATH_C:
    case KERNEL_PATH_ORC:
      return TRUE;
#if defined(__x86_64__) || defined(__i386__)
    case KERNEL_PATH_AVX2:
#ifdef HAVE_AVX2_KERNELS
      return __builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma");
#else
      return FALSE;
#endif
    case KERNEL_PATH_AVX512:
#ifdef HAVE_AVX512_KERNELS
      return __builtin_cpu_supports ("avx512f")
          && __builtin_cpu_supports ("avx512bw")
          && __builtin_cpu_supports ("avx512vl")
          && __builtin_cpu_supports ("avx512dq");
#else
      return FALSE;
#endif
    case KERNEL_PATH_VNNI:
#ifdef HAVE_VNNI_KERNELS
      return kernel_path_supported (KERNEL_PATH_AVX512)
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
kernel_path_is_quantized (KernelPath path)
{
  return path == KERNEL_PATH_VNNI;
}

KernelPath
kernel_path_float (KernelPath path)
{
  return path == KERNEL_PATH_VNNI ? KERNEL_PATH_AVX512 : path;
}

gboolean
kernel_path_resolve (KernelPath path, gboolean has_int8, KernelPath * row)
{
  if (path == KERNEL_PATH_AUTO)
    path = kernel_path_default ();
  if (path < 0 || path >= KERNEL_PATH_LAST || !kernel_path_supported (path))
    return FALSE;
  *row = has_int8 ? path : kernel_path_float (path);
  return TRUE;
}

KernelPath
kernel_path_best_float (void)
{
  for (gint p = KERNEL_PATH_LAST - 1; p > KERNEL_PATH_ORC; p--)
    if (!kernel_path_is_quantized ((KernelPath) p)
        && kernel_path_supported ((KernelPath) p))
      return (KernelPath) p;
  return KERNEL_PATH_ORC;
}

KernelPath
kernel_path_best (void)
{
  if (KERNEL_PATH_VNNI_IS_DEFAULT && kernel_path_supported (KERNEL_PATH_VNNI))
    return KERNEL_PATH_VNNI;
  return kernel_path_best_float ();
}

/* The forced path where the environment names a supported one, else the
 * best; an unknown or unsupported name is ignored with a warning. */
KernelPath
kernel_path_default (void)
{
  const gchar *env = g_getenv ("GST_UNSUPERVISED_KERNELS");
  KernelPath p;

  if (env != NULL) {
    if (!kernel_path_from_name (env, &p))
      g_warning ("GST_UNSUPERVISED_KERNELS=%s: unknown path (c, orc, avx2, "
          "avx512, vnni or auto)", env);
    else if (p != KERNEL_PATH_AUTO && !kernel_path_supported (p))
      g_warning ("GST_UNSUPERVISED_KERNELS=%s: not supported by this CPU or "
          "build", env);
    else if (p != KERNEL_PATH_AUTO)
      return p;
  }
  return kernel_path_best ();
}

/* "sse", "avx", ... when ORC's JIT compiles; "c" when it falls back to its
 * generated C (about 25 times slower), e.g. under ORC_CODE=backup. */
const gchar *
kernel_path_orc_target (void)
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
