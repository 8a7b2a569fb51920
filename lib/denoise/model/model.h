/* aenn_model: the denoising autoencoder's graph and weights, and its file
 * format (safetensors; see docs/model-format.md).
 *
 * A model is a short list of layers over named tensors. Every tensor is
 * produced once, by one layer, and has a channel count and a level: level l
 * is the padded frame shrunk 2^l times in each direction. Two tensors exist
 * before any layer runs: "x" (the image, in_channels planes, level 0) and
 * whatever a "sigma" layer makes (the FFDNet noise map, a constant plane
 * sigma/255 at a chosen level). The tensor named by "output" (level 0,
 * in_channels planes) is the network's result; with "residual" it is the
 * predicted noise and the engine returns x - output.
 *
 * Layer ops (PyTorch's meaning, so that a trainer can mirror them):
 *   conv    k x k convolution, k = 1 or 3, stride 1, output size == input
 *           size ("pad": "zero" or "replicate"), bias, then "act": "none",
 *           "relu" or "leaky_relu" (with "slope"). Weights "<name>.weight"
 *           (out_c, in_c, k, k) and "<name>.bias" (out_c).
 *   s2d     pixel_unshuffle by 2: (c, h, w) -> (4c, h/2, w/2),
 *           out[c*4 + dy*2 + dx][y][x] = in[c][2y + dy][2x + dx].
 *   d2s     pixel_shuffle by 2, the inverse of s2d.
 *   add     sum of two tensors of the same shape.
 *   concat  channels of the first input, then those of the second.
 *   sigma   no input: one plane, every value sigma/255, at "level".
 *
 * Frames whose size is not a multiple of 2^(deepest level) are padded by
 * replicating the last row and column, and the result is cropped. */
#ifndef __AENN_MODEL_H__
#define __AENN_MODEL_H__

#include <glib.h>

G_BEGIN_DECLS

#define AENN_ERROR (aenn_error_quark ())
GQuark aenn_error_quark (void);

typedef enum
{
  AENN_ERROR_FORMAT,            /* malformed file or header */
  AENN_ERROR_ARCHITECTURE,      /* the graph description is invalid, or a
                                 * model the caller cannot run */
  AENN_ERROR_TENSOR,            /* a weight tensor is missing or wrong */
  AENN_ERROR_IO,                /* cannot read or write the file */
  AENN_ERROR_SIZE,              /* a frame, plane or patch size out of range */
  AENN_ERROR_PATH,              /* a kernel path this CPU or build lacks */
  AENN_ERROR_CONFIG,            /* a training setting out of range */
  AENN_ERROR_DATA,              /* training frames that do not fit the model
                                 * or the mode */
  AENN_ERROR_DIVERGED           /* training produced a non-finite loss,
                                 * gradient or output */
} AennError;

/* Limits that keep every size computation far from overflow. */
#define AENN_MAX_LAYERS 256
#define AENN_MAX_CHANNELS 1024
#define AENN_MAX_LEVEL 5
#define AENN_MAX_IN_CHANNELS 8
#define AENN_FORMAT_VERSION "1"

/* The graph's ops. Each has one row in the op table (ops.c: name, arity,
 * shape rule), and every per-op switch in the engine and the trainer
 * names each op with no default branch, so that -Wswitch (an error under
 * werror) lists every place a new op must be handled. HACKING.md has the
 * steps. */
typedef enum
{
  AENN_OP_CONV,                 /* convolution, 1x1 or 3x3, bias, activation */
  AENN_OP_S2D,                  /* pixel unshuffle: 2x2 blocks to 4 channels */
  AENN_OP_D2S,                  /* pixel shuffle: its inverse */
  AENN_OP_ADD,                  /* element-wise sum of two tensors */
  AENN_OP_CONCAT,               /* channels of one tensor, then the other's */
  AENN_OP_SIGMA                 /* a constant plane: the noise level / 255 */
} AennOp;
#define AENN_N_OPS (AENN_OP_SIGMA + 1)

typedef enum
{
  AENN_ACT_NONE,
  AENN_ACT_RELU,
  AENN_ACT_LEAKY_RELU
} AennAct;

typedef enum
{
  AENN_PAD_ZERO,
  AENN_PAD_REPLICATE
} AennPad;

typedef struct
{
  gchar *name;
  guint channels;
  guint level;
} AennTensor;

typedef struct
{
  const gchar *name;            /* "op" in the architecture JSON */
  guint n_in;                   /* input tensors: 0, 1 or 2 */
  const gchar *param;           /* the JSON member it takes a size from
                                 * (conv: out_channels, sigma: level), or
                                 * NULL */
  /* The shape rule: the output's channels and level from the inputs' (b
   * unused below n_in 2) and the parameter; NULL, or why the inputs do not
   * fit (free it). */
  gchar *(*shape) (const AennTensor * a, const AennTensor * b, guint param,
      guint * channels, guint * level);
} AennOpInfo;

/* The op table's row of op; NULL out of range. */
const AennOpInfo *aenn_op_info (AennOp op);
gboolean aenn_op_from_name (const gchar * name, AennOp * op);
/* "conv, s2d, ...": every op's name, for messages; free it. */
gchar *aenn_op_names (void);

typedef struct
{
  AennOp op;
  gchar *name;
  gint in[2];                   /* tensor indices; -1 where unused */
  guint n_in;
  gint out;
  /* conv only */
  guint kernel;
  AennPad pad;
  AennAct act;
  float slope;
  float *weight;                /* (out_c, in_c, kernel, kernel) */
  float *bias;                  /* (out_c) */
  /* sigma only: the input channel whose noise level the plane holds */
  guint channel;
} AennLayer;

/* How the channels of a model's input come from a video frame
 * ("layout" in the architecture; docs/model-format.md). */
typedef enum
{
  AENN_INPUT_PLANE,             /* one plane at a time, in_channels 1: Y, U
                                 * and V (or R, G and B) each through the
                                 * network on its own */
  AENN_INPUT_YUV420             /* a 4:2:0 frame jointly, in_channels 6 at
                                 * chroma resolution: the luma's 2x2 phases
                                 * Y(2y, 2x), Y(2y, 2x+1), Y(2y+1, 2x),
                                 * Y(2y+1, 2x+1), then Cb, then Cr */
} AennInputLayout;

typedef struct
{
  guint in_channels;
  AennInputLayout layout;
  gboolean residual;
  guint n_tensors;
  AennTensor *tensors;          /* (n_tensors); tensors[0] is "x" */
  guint n_layers;
  AennLayer *layers;            /* (n_layers), in execution order */
  gint output;                  /* tensor index */
  guint max_level;
  gchar *arch_json;             /* the description it was built from */
} AennModel;

/* The architecture shipped with aedenoise and used by the trainer: see
 * denoise/model/model.c for its layers. Sizes: 411.5 MACs per pixel for in_channels 1. */
const gchar *aenn_default_architecture (void);

AennModel *aenn_model_new (const gchar * arch_json, GError ** error);

/* The environment variable of directories searched for models by name. */
#define AENN_MODEL_PATH_ENV "GST_UNSUPERVISED_MODEL_PATH"
/* The file a model name designates (find.c): file itself when it has a
 * directory part or exists; else the first NAME.safetensors (the suffix
 * added if missing) in the directories of AENN_MODEL_PATH_ENV, then in
 * from_beside relative to the directory of the file beside (the running
 * plugin or program, for a relocated install; both may be NULL), then in
 * the installed models directory. The error (AENN_ERROR_IO) lists every
 * place looked at. */
gchar *aenn_model_find (const gchar * file, const gchar * beside,
    const gchar * from_beside, GError ** error);
void aenn_model_free (AennModel * model);

/* Weights default to zero; these set or read them by tensor name
 * ("<layer>.weight", "<layer>.bias"). */
gboolean aenn_model_set_tensor (AennModel * model, const gchar * name,
    const float *data, gsize n_values, GError ** error);
/* The shape the architecture gives a weight tensor: (out_c, in_c, kernel,
 * kernel) for "NAME.weight", (out_c) for "NAME.bias" of convolution NAME;
 * returns the number of dimensions, 0 for a name that is no weight. */
guint aenn_model_weight_shape (const AennModel * model, const gchar * name,
    guint64 shape[4]);
float *aenn_model_get_tensor (const AennModel * model, const gchar * name,
    gsize * n_values);
/* Random weights (He-like scale times gain) from a private seeded RNG. */
void aenn_model_randomize (AennModel * model, guint64 seed, float gain);

/* Multiply-adds per pixel of a level-0 plane (convolutions only). */
double aenn_model_macs_per_pixel (const AennModel * model);
gint aenn_model_find_tensor (const AennModel * model, const gchar * name);

/* safetensors files: header JSON with "__metadata__" holding
 * "aenn.format_version" and "aenn.architecture" (docs/model-format.md). */
AennModel *aenn_model_load_file (const gchar * path, GError ** error);
/* what names the source in error messages (a resource path, say). */
AennModel *aenn_model_load_bytes (GBytes * bytes, const gchar * what,
    GError ** error);
GBytes *aenn_model_serialize (const AennModel * model, GError ** error);
gboolean aenn_model_save (const AennModel * model, const gchar * path,
    GError ** error);

/* The same files with more in them, for the trainer's checkpoints and
 * its records: metadata, a string-to-string map (NULL: none), besides
 * "aenn.format_version" and "aenn.architecture"; extra, tensors that are
 * not weights (written 1-D F32 after the weights). */
typedef struct
{
  const gchar *name;
  const float *data;
  gsize n;
} AennExtraTensor;

GBytes *aenn_model_serialize_full (const AennModel * model,
    GHashTable * metadata, const AennExtraTensor * extra, guint n_extra,
    GError ** error);
gboolean aenn_model_save_full (const AennModel * model, const gchar * path,
    GHashTable * metadata, const AennExtraTensor * extra, guint n_extra,
    GError ** error);
/* metadata (NULL: not wanted): every "__metadata__" entry; extra (NULL:
 * refused, as aenn_model_load_bytes does): the tensors that are not
 * weights, name to GBytes of native floats (flattened). Both are new
 * tables the caller unrefs. */
AennModel *aenn_model_load_bytes_full (GBytes * bytes, const gchar * what,
    GHashTable ** metadata, GHashTable ** extra, GError ** error);
AennModel *aenn_model_load_file_full (const gchar * path,
    GHashTable ** metadata, GHashTable ** extra, GError ** error);

G_END_DECLS

#endif
