/* aenn_deadleaves: synthetic "dead leaves" images, the trainer's endless
 * supply of clean patches.
 *
 * Shapes (discs, rotated rectangles, convex polygons) fall on the image one
 * after another; each pixel shows the first shape that covered it (drawing
 * front to back is the same distribution as painting back to front forever,
 * and stops once every pixel is covered). Radii follow the scale-invariant
 * density r^-3 between rmin and rmax, as in natural images. Each shape is a
 * colour plus a random linear gradient and, often, a sinusoidal texture;
 * some images are slightly blurred. Everything comes from a private RNG
 * seeded with one 64-bit number: the same seed gives the same image on
 * every platform that rounds libm the same way. */
#ifndef __AENN_DEADLEAVES_H__
#define __AENN_DEADLEAVES_H__

#include <glib.h>
#include "common/rng.h"

G_BEGIN_DECLS

typedef struct
{
  float rmin, rmax;             /* radii in pixels; rmax 0: the image size */
  float texture_prob;           /* share of shapes with a sinusoid */
  float blur_prob;              /* share of images blurred by [1 2 1]/4 */
  guint max_shapes;             /* pixels still bare then get a background */
} AennDeadLeavesParams;

void aenn_deadleaves_params_init (AennDeadLeavesParams * p);

/* out: (channels, height, width) floats in [0, 1]; channels 1..4 (more
 * than one: correlated colours). */
void aenn_deadleaves_render (const AennDeadLeavesParams * p, guint64 seed,
    guint channels, guint width, guint height, float *out);

G_END_DECLS

#endif
