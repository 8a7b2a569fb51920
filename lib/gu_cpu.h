/* gu_cpu: which kernel path runs, chosen once from the CPU, or forced with
 * the GST_UNSUPERVISED_KERNELS environment variable (c, orc, avx2, avx512). */
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
  GU_PATH_LAST
} GuPath;

const gchar *gu_path_name (GuPath path);
gboolean gu_path_from_name (const gchar * name, GuPath * path);
gboolean gu_path_supported (GuPath path);
GuPath gu_path_best (void);
GuPath gu_path_default (void);
const gchar *gu_orc_target_name (void);

G_END_DECLS

#endif
