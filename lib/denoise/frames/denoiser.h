/* denoiser: denoises whole video frames with an AennModel, in each
 * format's own planes.
 *
 * A model of layout plane sees one plane at a time (in_channels 1): Y, U
 * and V of the YUV formats, R, G and B of the RGB ones, each at its own
 * size (chroma subsampled as the format has it), each with its own noise
 * level. A model of layout yuv420 sees a 4:2:0 frame jointly: the luma's
 * 2x2 phases and both chroma planes as six channels at chroma size, each
 * with its plane's noise level (docs/model-format.md). A frame
 * goes through four steps, so that the caller can look at the noise
 * estimates before the network runs:
 *
 *   load      8-bit samples -> float planes on the 0..1 scale
 *   estimate  per plane noise level (denoise/frames/noise_estimate.h)
 *   run       the network on every plane; in temporal mode, then the
 *             fusion with the frames before (denoise/frames/temporal.h)
 *   store     round (s + strength * (255 n - s)), clamped, in the input's
 *             layout; bytes that are not samples (alpha, padding) are
 *             copied from the input
 *
 * Memory: per negotiated size, two float planes per channel (input and
 * output) and the engine's scratch; nothing is allocated per frame. The
 * row conversions and the network share one thread pool. */
#ifndef __AENN_DENOISER_H__
#define __AENN_DENOISER_H__

#include <glib.h>
#include "denoise/model/model.h"
#include "common/kernel_path.h"
#include "common/video_format.h"
#include "denoise/frames/temporal.h"

G_BEGIN_DECLS

#define AENN_MAX_CHANNELS_PER_FRAME 3

typedef struct _AennDenoiser AennDenoiser;

/* Fails (AENN_ERROR_ARCHITECTURE) for models of neither layout, or
 * when path is not supported. n_threads 0: one per core. The model must
 * outlive the denoiser. */
AennDenoiser *aenn_denoiser_new (const AennModel * model, KernelPath path,
    guint n_threads, GError ** error);
void aenn_denoiser_free (AennDenoiser * den);
KernelPath aenn_denoiser_get_path (const AennDenoiser * den);
guint aenn_denoiser_get_n_threads (const AennDenoiser * den);
/* A new thread count rebuilds the pool and the scratch (if a format is
 * set); the same count does nothing. */
gboolean aenn_denoiser_set_n_threads (AennDenoiser * den, guint n_threads,
    GError ** error);
/* Allocates everything the frames of this format and size need; a model
 * of layout yuv420 takes 4:2:0 formats only (AENN_ERROR_ARCHITECTURE). */
gboolean aenn_denoiser_set_format (AennDenoiser * den,
    const VideoFormat * fmt, guint width, guint height, GError ** error);
guint aenn_denoiser_get_n_channels (const AennDenoiser * den);

/* The steps of a frame, in order; out of store must not overlap in. sigma: per channel, on the 0..255 scale; estimate
 * writes -1 for a channel too small to measure. */
void aenn_denoiser_load (AennDenoiser * den, const VideoImage * in);
void aenn_denoiser_estimate (AennDenoiser * den,
    float sigma[AENN_MAX_CHANNELS_PER_FRAME]);
void aenn_denoiser_run (AennDenoiser * den,
    const float sigma[AENN_MAX_CHANNELS_PER_FRAME]);
void aenn_denoiser_store (AennDenoiser * den, const VideoImage * in,
    VideoImage * out, float strength);

/* Temporal mode, off unless set: run fuses each frame with the state of
 * the frames before it; a new format (set_format) or a reset starts
 * again. Setting it off frees the state. */
void aenn_denoiser_set_temporal (AennDenoiser * den, gboolean on);
gboolean aenn_denoiser_get_temporal (const AennDenoiser * den);
void aenn_denoiser_reset_temporal (AennDenoiser * den);
/* What the last run's temporal step did (AENN_TEMPORAL_START when off),
 * and the bytes the temporal state holds (0 when off). */
AennTemporalEvent aenn_denoiser_get_temporal_event (const AennDenoiser * den);
gsize aenn_denoiser_get_temporal_size (const AennDenoiser * den);

/* The float planes of the last load (input) and run (output): (ch) rows of
 * (cw) floats, *stride floats apart. For tests and tools. */
const float *aenn_denoiser_get_plane (const AennDenoiser * den, guint c,
    gboolean output, gsize * stride);

G_END_DECLS

#endif
