/* gu_cpu: which kernel path runs, chosen once from the CPU, or forced with
 * the GST_UNSUPERVISED_KERNELS environment variable (c, orc, avx2, avx512,
 * vnni).
 *
 * vnni is the one quantized path: the autoencoder's convolutions run in
 * int8 (aenn_engine.c), everything else in float on the AVX-512 kernels.
 * Code without an int8 variant runs gu_path_float () of the path. */
#ifndef __GU_CPU_H__
#define __GU_CPU_H__

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  GU_PATH_AUTO = -1,
  GU_PATH_C = 0,                /* plain C reference twins: tests only */
  GU_PATH_ORC,                  /* portable */
  GU_PATH_AVX2,                 /* AVX2 + FMA */
  GU_PATH_AVX512,               /* AVX-512 F/BW/VL/DQ */
  GU_PATH_VNNI,                 /* AVX-512 and AVX512_VNNI: int8 convolutions */
  GU_PATH_LAST
} GuPath;

const gchar *gu_path_name (GuPath path);
gboolean gu_path_from_name (const gchar * name, GuPath * path);
gboolean gu_path_supported (GuPath path);
GuPath gu_path_best (void);
GuPath gu_path_default (void);
/* TRUE for paths whose convolutions are quantized (vnni). */
gboolean gu_path_is_quantized (GuPath path);
/* The float path a path runs its float code on: itself, or avx512 for
 * vnni. */
GuPath gu_path_float (GuPath path);
/* The best float path the CPU runs. */
GuPath gu_path_best_float (void);
const gchar *gu_orc_target_name (void);

G_END_DECLS

#endif
