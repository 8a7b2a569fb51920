/* kernel_path: which kernel path runs, chosen once from the CPU, or forced with
 * the GST_UNSUPERVISED_KERNELS environment variable (c, orc, avx2, avx512,
 * vnni).
 *
 * vnni is the one quantized path: the autoencoder's convolutions run in
 * int8 (denoise/engine/engine.c), everything else in float on the AVX-512 kernels.
 * Code without an int8 variant runs kernel_path_float () of the path. */
#ifndef __KERNEL_PATH_H__
#define __KERNEL_PATH_H__

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  KERNEL_PATH_AUTO = -1,
  KERNEL_PATH_C = 0,                /* plain C reference twins: tests only */
  KERNEL_PATH_ORC,                  /* portable */
  KERNEL_PATH_AVX2,                 /* AVX2 + FMA */
  KERNEL_PATH_AVX512,               /* AVX-512 F/BW/VL/DQ */
  KERNEL_PATH_VNNI,                 /* AVX-512 and AVX512_VNNI: int8 convolutions */
  KERNEL_PATH_LAST
} KernelPath;

const gchar *kernel_path_name (KernelPath path);
gboolean kernel_path_from_name (const gchar * name, KernelPath * path);
gboolean kernel_path_supported (KernelPath path);
KernelPath kernel_path_best (void);
KernelPath kernel_path_default (void);
/* TRUE for paths whose convolutions are quantized (vnni). */
gboolean kernel_path_is_quantized (KernelPath path);
/* The float path a path runs its float code on: itself, or avx512 for
 * vnni. */
KernelPath kernel_path_float (KernelPath path);
/* The row of a kernel table that serves path: AUTO becomes the default
 * path, and for a table without int8 kernels (has_int8 FALSE) a quantized
 * path becomes its float one. FALSE for a path out of range or one this
 * CPU or build lacks. The one rule every kernel table (k-means, the
 * engine, the frame conversions, the trainer) is read by. */
gboolean kernel_path_resolve (KernelPath path, gboolean has_int8,
    KernelPath * row);
/* The best float path the CPU runs. */
KernelPath kernel_path_best_float (void);
const gchar *kernel_path_orc_target (void);

G_END_DECLS

#endif
