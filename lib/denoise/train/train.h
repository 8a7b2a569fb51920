/* aenn_train: trains an AennModel (any architecture the engine accepts) on
 * patches, in C, on the CPU (docs/training.md).
 *
 * A step draws `batch` patches, each a pure function of (seed, step, patch
 * index): a clean patch (dead leaves, or a crop of a caller's frame) with
 * synthetic noise (supervised), a pair of noisy frames (Noise2Noise), or a
 * noisy frame with blind-spot pixels (Noise2Void). The batch is cut into
 * chunks of `chunk` patches, the unit of parallel work; each chunk's
 * gradient goes to its own buffer and the buffers are summed in chunk
 * order, so the weights after a step depend on the seed, the data and the
 * kernel table (CPU), never on the thread count. Adam updates the weights
 * with a warm-up then cosine learning-rate schedule. A checkpoint holds the
 * weights, Adam's moments, the step and the configuration: resuming gives
 * the same weights, to the bit, as not stopping. */
#ifndef __AENN_TRAIN_H__
#define __AENN_TRAIN_H__

#include <glib.h>
#include "denoise/model/model.h"
#include "denoise/synth/deadleaves.h"

G_BEGIN_DECLS

typedef enum
{
  AENN_TRAIN_SUPERVISED,        /* clean patches + synthetic noise */
  AENN_TRAIN_N2N,               /* noisy frame t -> noisy frame t + 1 */
  AENN_TRAIN_N2V                /* blind spot on noisy frames */
} AennTrainMode;

typedef enum
{
  AENN_NOISE_GAUSSIAN,
  AENN_NOISE_POISSON_GAUSSIAN
} AennNoiseModel;

/* Where supervised mode's dead leaves come from. */
typedef enum
{
  AENN_SAMPLER_RENDER,          /* one image per patch, rng_gauss noise */
  AENN_SAMPLER_CACHE            /* crops of cached images, table noise */
} AennSampler;

typedef struct
{
  guint64 seed;
  guint steps;                  /* the schedule's length */
  guint batch;                  /* patches per step */
  guint patch;                  /* side in pixels, a multiple of 2^levels */
  guint chunk;                  /* patches per parallel task */
  double lr, lr_min;            /* peak and final learning rate */
  guint warmup;                 /* steps of linear warm-up */
  double clip;                  /* global gradient norm limit; 0: off */
  double beta1, beta2, eps;     /* Adam */
  AennTrainMode mode;
  AennNoiseModel noise;
  double sigma_min, sigma_max;  /* 0..255 scale, drawn per patch */
  gboolean quantize;            /* noisy input rounded to 8 bits */
  double frames_ratio;          /* supervised: share of patches from frames */
  double sigma_input;           /* n2n, n2v: the noise level fed in */
  double n2v_fraction;          /* n2v: share of blind-spot pixels */
  AennDeadLeavesParams leaves;
  /* cache sampler: cache_images images of cache_side pixels (0: twice the
   * patch), each living cache_steps steps, staggered so that about
   * cache_images / cache_steps are rendered per step, ahead, beside the
   * step's chunks. Leaves' rmax 0 means the patch side here too. Written
   * to the JSON only when not "render", so older configurations read back
   * as the render sampler and resume as before. */
  AennSampler sampler;
  guint cache_images, cache_side, cache_steps;
  /* yuv420 models: the share of patches whose noise is RGB Gaussian
   * through the BT.601 matrix; the others get independent noise per
   * plane, each plane's level drawn from the sigma range. Written to the
   * JSON only when not the default, so that other models' configurations
   * stay as they were. */
  double colour_rgb_ratio;
} AennTrainConfig;

/* Defaults: seed 1, 100000 steps, batch 32, patch 64, chunk 4, lr 1e-3 to
 * 1e-5, warm-up 1000, clip 1, Adam .9/.999/1e-8, supervised Gaussian 0..55
 * quantized, render sampler (cache: 64 images, side 0, 128 steps), colour
 * RGB-noise ratio 0.9. */
void aenn_train_config_init (AennTrainConfig * cfg);
/* Range checks naming the field; the model fixes channels and levels
 * (and a yuv420 model trains supervised with Gaussian noise only). */
gboolean aenn_train_config_check (const AennTrainConfig * cfg,
    const AennModel * model, GError ** error);
gchar *aenn_train_config_to_json (const AennTrainConfig * cfg);
/* Starts from the defaults; members absent from json keep them. */
gboolean aenn_train_config_from_json (AennTrainConfig * cfg,
    const gchar * json, GError ** error);
const gchar *aenn_train_mode_name (AennTrainMode mode);
gboolean aenn_train_mode_from_name (const gchar * name, AennTrainMode * mode);
const gchar *aenn_noise_model_name (AennNoiseModel noise);
gboolean aenn_noise_model_from_name (const gchar * name,
    AennNoiseModel * noise);
const gchar *aenn_sampler_name (AennSampler sampler);
gboolean aenn_sampler_from_name (const gchar * name, AennSampler * sampler);

/* ---- frames from outside: images or video, 8-bit planes ---- */

typedef struct _AennFrameSet AennFrameSet;

AennFrameSet *aenn_frame_set_new (guint channels);
void aenn_frame_set_free (AennFrameSet * set);
/* Copies channels planes of width x height bytes, rows stride apart.
 * Consecutive frames with the same sequence number are the pairs of
 * Noise2Noise (a static scene, or one the caller has aligned). */
gboolean aenn_frame_set_add (AennFrameSet * set, const guint8 * const *planes,
    gsize stride, guint width, guint height, guint sequence,
    GError ** error);
guint aenn_frame_set_get_n_frames (const AennFrameSet * set);
/* Frame i: (channels, height, width) bytes; NULL if i is out of range. */
const guint8 *aenn_frame_set_get_frame (const AennFrameSet * set, guint i,
    guint * width, guint * height, guint * sequence);
guint aenn_frame_set_get_channels (const AennFrameSet * set);

/* ---- samples ---- */

/* Patch `index` of step `step`: input and target (channels, patch, patch),
 * mask (patch, patch) (1 where the loss counts), *sigma the noise level fed
 * to the network. frames may be NULL in supervised mode with frames_ratio
 * 0; the trainer checks the rest before it calls this. With the cache
 * sampler this renders the one cached image the patch is cropped from
 * (slow, the same values as the trainer's cache). */
void aenn_train_make_sample (const AennTrainConfig * cfg,
    const AennFrameSet * frames, guint channels, guint64 step, guint index,
    float *input, float *target, float *mask, float *sigma);

/* The same for a model of layout yuv420 (supervised): frames (may be NULL
 * with frames_ratio 0) are RGB (3 channels); a clean RGB patch of 2 patch
 * pixels a side (a crop of a frame with the plane path's flips and
 * transposes, or colour dead leaves) becomes studio-range YCbCr 4:2:0
 * (aenn_colour_rgb_to_yuv420) and gets colour noise; input and target are
 * (6, patch, patch) in the layout's channel order, mask (patch, patch),
 * levels (6) each channel's noise level (the luma's for 0..3, Cb's and
 * Cr's for 4 and 5: the root of that plane's noise variance, 0..255). */
void aenn_train_make_sample_yuv420 (const AennTrainConfig * cfg,
    const AennFrameSet * frames, guint64 step, guint index, float *input,
    float *target, float *mask, float levels[6]);


/* ---- the trainer ---- */

/* Starting weights: He-uniform (aenn_model_randomize), zero biases, and the
 * last convolution scaled by 0.1, so that a residual network starts close
 * to the identity instead of adding a large random "noise" estimate. */
void aenn_train_init_weights (AennModel * model, guint64 seed);

typedef struct _AennTrainer AennTrainer;

/* Takes model (also on failure). n_threads 0: every processor. */
AennTrainer *aenn_trainer_new (AennModel * model, const AennTrainConfig * cfg,
    guint n_threads, GError ** error);
/* Weights, Adam state, step, configuration and recipe from a checkpoint. */
AennTrainer *aenn_trainer_new_from_checkpoint (const gchar * path,
    guint n_threads, GError ** error);
void aenn_trainer_free (AennTrainer * tr);

/* Takes set. Needed by n2n and n2v, and by supervised with frames_ratio > 0;
 * frames smaller than the patch are refused. */
gboolean aenn_trainer_set_frames (AennTrainer * tr, AennFrameSet * set,
    GError ** error);
/* The command line or description stored with checkpoints and models. */
void aenn_trainer_set_recipe (AennTrainer * tr, const gchar * recipe);

/* One step: fails (naming the step) if the loss or gradient is not
 * finite; *loss (may be NULL) is the batch's mean squared error. */
gboolean aenn_trainer_step (AennTrainer * tr, double *loss, GError ** error);
guint64 aenn_trainer_get_step (const AennTrainer * tr);
double aenn_trainer_get_lr (const AennTrainer * tr, guint64 step);
double aenn_trainer_get_grad_norm (const AennTrainer * tr);
const AennModel *aenn_trainer_get_model (const AennTrainer * tr);
const AennTrainConfig *aenn_trainer_get_config (const AennTrainer * tr);
const gchar *aenn_trainer_get_kernels_name (const AennTrainer * tr);

/* PSNR (dB) of the noisy input and of the network's output (through
 * aenn_engine) on a fixed set: 16 dead-leaves images of 128 x 128, sigma 25,
 * 8-bit input. The same set for every seed, so runs compare. A yuv420
 * model's set is 16 colour dead-leaves images of 256 x 256 in studio-range
 * YCbCr 4:2:0 with RGB noise of sigma 25 through the matrix, each channel
 * told its plane's level; the PSNR is over every Y, Cb and Cr sample (the
 * I420 frame's). */
gboolean aenn_trainer_validate (AennTrainer * tr, double *psnr_in,
    double *psnr_out, GError ** error);

/* A checkpoint: the model file plus "aenn.adam.m"/"aenn.adam.v" tensors and
 * "aenn.train.*" metadata. */
gboolean aenn_trainer_save_checkpoint (AennTrainer * tr, const gchar * path,
    GError ** error);
/* The model file, its metadata recording the recipe, the configuration,
 * the seed, the step and the last validation PSNR. */
gboolean aenn_trainer_save_model (AennTrainer * tr, const gchar * path,
    GError ** error);

G_END_DECLS

#endif
