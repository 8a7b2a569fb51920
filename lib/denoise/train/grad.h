/* aenn_grad: whole-tensor forward and backward passes of an AennModel over
 * a chunk of square patches, for the trainer.
 *
 * It computes the function aenn_engine computes (same ops, paddings and
 * activations; only the order of float additions differs). Each tensor of
 * the graph is stored per channel as the chunk's patches stacked one after
 * the other, each patch a padded plane (see denoise/train/train_kernels.h), with
 * zeroed gaps between channels so that shifted reads never leave the
 * buffer. Every activation is kept for the backward pass; an AennGrad is
 * scratch for one thread.
 *
 * Parameters are addressed as one flat vector: for each conv layer in
 * order, its weight (out_c, in_c, k, k) then its bias (out_c). */
#ifndef __AENN_GRAD_H__
#define __AENN_GRAD_H__

#include <glib.h>
#include "denoise/model/model.h"
#include "denoise/train/train_kernels.h"

G_BEGIN_DECLS

typedef struct _AennGrad AennGrad;

/* off: (n_layers) offset of each conv layer's weight in the flat vector
 * (G_MAXSIZE for other layers); returns the vector's length. */
gsize aenn_grad_param_offsets (const AennModel * model, gsize * off);
/* Each conv weight with its taps reversed, (out_c, in_c, k, k) at the same
 * offsets: the input gradient is a convolution with these. */
void aenn_grad_flip_weights (const AennModel * model, const gsize * off,
    float *wflip);

/* patch: a multiple of 2^max_level, at least that and at most 4096;
 * n_patches: the most patches one call handles. */
AennGrad *aenn_grad_new (const AennModel * model,
    const AennTrainKernels * kernels, guint patch, guint n_patches,
    GError ** error);
void aenn_grad_free (AennGrad * grad);

/* img: (in_channels, patch, patch); sigma on the 0..255 scale, the level
 * of every input channel. */
void aenn_grad_set_input (AennGrad * grad, guint b, const float *img,
    float sigma);
/* The same with a level per input channel, levels (in_channels): a sigma
 * op fills its plane with the level of its "channel". */
void aenn_grad_set_input_levels (AennGrad * grad, guint b, const float *img,
    const float *levels);
void aenn_grad_forward (AennGrad * grad, guint n_patches);
/* The network's result for patch b (x - output where residual). */
void aenn_grad_get_output (const AennGrad * grad, guint b, float *out);

/* Loss sum_b sum_c,y,x mask[b][y][x] * (result - target)^2 (mask NULL: all
 * ones) is returned; the gradient of scale * loss with respect to the
 * parameters is added to dparams (flat vector, offsets off).
 * target: (n_patches, in_channels, patch, patch); mask: (n_patches, patch,
 * patch); wflip from aenn_grad_flip_weights. */
double aenn_grad_backward (AennGrad * grad, guint n_patches,
    const float *target, const float *mask, float scale, const gsize * off,
    const float *wflip, float *dparams);

G_END_DECLS

#endif
