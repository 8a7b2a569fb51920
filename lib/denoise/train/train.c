/* The training loop: chunks of the batch spread over a WorkerPool, gradients
 * summed in chunk order, Adam, the schedule, validation through the
 * engine, checkpoints. */
#include "config.h"
#include "denoise/synth/noise.h"
#include "denoise/synth/colour_noise.h"
#include "denoise/train/train_priv.h"
#include "denoise/train/grad.h"
#include "denoise/engine/engine.h"
#include "common/worker_pool.h"

#include <math.h>
#include <string.h>

#define VAL_N 16
#define VAL_SIZE 128
#define VAL_SIGMA 25.0
#define VAL_SEED G_GUINT64_CONSTANT (0x76616c69646174)

typedef struct
{
  AennGrad *grad;
  float *input;                 /* (C, P, P) */
  float *target;                /* (chunk, C, P, P) */
  float *mask;                  /* (chunk, P, P) */
} Worker;

struct _AennTrainer
{
  AennModel *model;
  AennTrainConfig cfg;
  const AennTrainKernels *k;
  WorkerPool *pool;
  guint n_threads;
  Worker *workers;              /* (n_threads) */
  AennFrameSet *frames;
  guint n_pairs;
  gchar *recipe;

  gsize n_params;
  gsize *poff;                  /* (n_layers) */
  guint n_tasks;
  float *task_grad;             /* (n_tasks, n_params) */
  double *task_loss;            /* (n_tasks) */
  float *grad;                  /* (n_params) */
  float *wflip;                 /* (n_params) */
  float *adam_m, *adam_v;       /* (n_params) */
  double loss_scale;            /* 1 / values in the loss of a step */
  guint64 step;
  double grad_norm;

  /* cache sampler */
  AennLeavesCache *cache;
  guint *job_slot, *job_buf;    /* (cache->n): images to render */
  guint64 *job_gen;
  guint n_jobs;

  /* validation */
  float *val_clean, *val_noisy, *val_out;       /* (VAL_N, C, S, S) */
  float val_levels[AENN_MAX_IN_CHANNELS];       /* (C) */
  AennPlan *plan;
  gboolean validated;
  double val_psnr_in, val_psnr_out;
};

void
aenn_train_init_weights (AennModel * m, guint64 seed)
{
  gint last = -1;
  aenn_model_randomize (m, seed, 1.0f);
  for (guint i = 0; i < m->n_layers; i++) {
    AennLayer *L = &m->layers[i];
    if (L->op != AENN_OP_CONV)
      continue;
    memset (L->bias, 0, m->tensors[L->out].channels * sizeof (float));
    last = (gint) i;
  }
  if (last >= 0) {
    AennLayer *L = &m->layers[last];
    gsize n = (gsize) m->tensors[L->out].channels
        * m->tensors[L->in[0]].channels * L->kernel * L->kernel;
    for (gsize j = 0; j < n; j++)
      L->weight[j] *= 0.1f;
  }
}

static void
trainer_free_buffers (AennTrainer * tr)
{
  if (tr->workers)
    for (guint i = 0; i < tr->n_threads; i++) {
      aenn_grad_free (tr->workers[i].grad);
      g_free (tr->workers[i].input);
      g_free (tr->workers[i].target);
      g_free (tr->workers[i].mask);
    }
  g_clear_pointer (&tr->workers, g_free);
}

static AennLeavesCache *
leaves_cache_new (const AennTrainConfig * c, AennInputLayout layout,
    guint channels)
{
  AennLeavesCache *lc = g_new0 (AennLeavesCache, 1);
  lc->n = c->cache_images;
  lc->side = aenn_leaves_cache_side (c, layout);
  lc->channels = channels;
  lc->buf = g_new (float, (gsize) lc->n * 2 * channels * lc->side * lc->side);
  lc->gen = g_new (guint64, 2 * lc->n);
  for (guint i = 0; i < 2 * lc->n; i++)
    lc->gen[i] = G_MAXUINT64;
  lc->cur = g_new0 (const float *, lc->n);
  return lc;
}

static void
leaves_cache_free (AennLeavesCache * lc)
{
  if (lc == NULL)
    return;
  g_free (lc->buf);
  g_free (lc->gen);
  g_free (lc->cur);
  g_free (lc);
}

static float *
cache_image (AennLeavesCache * lc, guint slot, guint b)
{
  return lc->buf + ((gsize) slot * 2 + b) * lc->channels * lc->side * lc->side;
}

static void
run_render (guint task, guint worker, gpointer user_data)
{
  AennTrainer *tr = user_data;
  guint j = tr->job_slot[task], b = tr->job_buf[task];
  aenn_leaves_cache_render (&tr->cfg, tr->model->layout, tr->cache->channels,
      j, tr->job_gen[task], cache_image (tr->cache, j, b));
  tr->cache->gen[2 * j + b] = tr->job_gen[task];
}

/* Makes cache->cur this step's images (rendering those missing, which
 * happens at the first step and after a resume) and lists in the jobs the
 * next step's that are not there yet, each into the buffer the current
 * step does not read. */
static void
cache_prepare (AennTrainer * tr)
{
  AennLeavesCache *lc = tr->cache;
  const AennTrainConfig *c = &tr->cfg;

  tr->n_jobs = 0;
  for (guint j = 0; j < lc->n; j++) {
    guint64 g = aenn_leaves_cache_gen (c, j, tr->step);
    if (lc->gen[2 * j] != g && lc->gen[2 * j + 1] != g) {
      tr->job_slot[tr->n_jobs] = j;
      tr->job_buf[tr->n_jobs] = 0;
      tr->job_gen[tr->n_jobs++] = g;
    }
  }
  if (tr->n_jobs > 0)
    worker_pool_run (tr->pool, tr->n_jobs, run_render, tr);
  tr->n_jobs = 0;
  for (guint j = 0; j < lc->n; j++) {
    guint64 g = aenn_leaves_cache_gen (c, j, tr->step);
    guint64 next = aenn_leaves_cache_gen (c, j, tr->step + 1);
    guint b = lc->gen[2 * j] == g ? 0 : 1;
    lc->cur[j] = cache_image (lc, j, b);
    if (next != g && lc->gen[2 * j + 1 - b] != next) {
      tr->job_slot[tr->n_jobs] = j;
      tr->job_buf[tr->n_jobs] = 1 - b;
      tr->job_gen[tr->n_jobs++] = next;
    }
  }
}

/* The channels of the frames and images a model trains from: RGB for a
 * yuv420 model, its own input's otherwise. */
static guint
frame_channels (const AennModel * m)
{
  return m->layout == AENN_INPUT_YUV420 ? 3 : m->in_channels;
}

/* A yuv420 model's validation set: colour dead leaves of twice the side,
 * studio-range 4:2:0, RGB noise through the matrix. */
static void
make_val_yuv420 (AennTrainer * tr)
{
  guint S = 2 * VAL_SIZE;
  gsize vn = (gsize) 6 * VAL_SIZE * VAL_SIZE, lpix = ((gsize) S) * S;
  gsize cpix = (gsize) VAL_SIZE * VAL_SIZE;
  /* (3, S, S) RGB, then clean Y (S, S), Cb, Cr, noisy the same */
  float *buf = g_new (float, 3 * lpix + 2 * (lpix + 2 * cpix));
  float *rgb = buf, *cy = buf + 3 * lpix, *ccb = cy + lpix, *ccr = ccb + cpix;
  float *ny = ccr + cpix, *ncb = ny + lpix, *ncr = ncb + cpix;
  const float *clean[3] = { cy, ccb, ccr };
  float *noisy[3] = { ny, ncb, ncr };
  double lv[3] = { 0.0, 0.0, 0.0 };

  for (guint i = 0; i < VAL_N; i++) {
    AennDeadLeavesParams lp;
    Rng r;
    aenn_deadleaves_params_init (&lp);
    aenn_deadleaves_render (&lp, VAL_SEED + i, 3, S, S, rgb);
    aenn_colour_rgb_to_yuv420 (rgb, S, S, cy, ccb, ccr);
    rng_init (&r, VAL_SEED, i, 1);
    aenn_colour_noise_rgb_420 (&r, clean, noisy, S, S, VAL_SIGMA,
        AENN_YCBCR_STUDIO, TRUE, lv);
    aenn_colour_yuv420_to_channels (cy, ccb, ccr, VAL_SIZE, VAL_SIZE,
        tr->val_clean + i * vn);
    aenn_colour_yuv420_to_channels (ny, ncb, ncr, VAL_SIZE, VAL_SIZE,
        tr->val_noisy + i * vn);
  }
  for (guint k = 0; k < 6; k++)
    tr->val_levels[k] = (float) lv[k < 4 ? 0 : k - 3];
  g_free (buf);
}

void
aenn_trainer_free (AennTrainer * tr)
{
  if (tr == NULL)
    return;
  leaves_cache_free (tr->cache);
  g_free (tr->job_slot);
  g_free (tr->job_buf);
  g_free (tr->job_gen);
  trainer_free_buffers (tr);
  worker_pool_free (tr->pool);
  aenn_plan_free (tr->plan);
  aenn_model_free (tr->model);
  aenn_frame_set_free (tr->frames);
  g_free (tr->recipe);
  g_free (tr->poff);
  g_free (tr->task_grad);
  g_free (tr->task_loss);
  g_free (tr->grad);
  g_free (tr->wflip);
  g_free (tr->adam_m);
  g_free (tr->adam_v);
  g_free (tr->val_clean);
  g_free (tr->val_noisy);
  g_free (tr->val_out);
  g_free (tr);
}

AennTrainer *
aenn_trainer_new (AennModel * model, const AennTrainConfig * cfg,
    guint n_threads, GError ** error)
{
  AennTrainer *tr;
  guint C = model->in_channels, P = cfg->patch;
  gsize npix;

  if (!aenn_train_config_check (cfg, model, error)) {
    aenn_model_free (model);
    return NULL;
  }
  tr = g_new0 (AennTrainer, 1);
  tr->model = model;
  tr->cfg = *cfg;
  tr->k = aenn_train_kernels_get (KERNEL_PATH_AUTO);
  tr->pool = worker_pool_new (n_threads);
  tr->n_threads = worker_pool_get_n_threads (tr->pool);
  tr->poff = g_new (gsize, model->n_layers);
  tr->n_params = aenn_grad_param_offsets (model, tr->poff);
  tr->n_tasks = (cfg->batch + cfg->chunk - 1) / cfg->chunk;
  tr->task_grad = g_new (float, tr->n_tasks * MAX (tr->n_params, 1));
  tr->task_loss = g_new (double, tr->n_tasks);
  tr->grad = g_new0 (float, MAX (tr->n_params, 1));
  tr->wflip = g_new0 (float, MAX (tr->n_params, 1));
  tr->adam_m = g_new0 (float, MAX (tr->n_params, 1));
  tr->adam_v = g_new0 (float, MAX (tr->n_params, 1));
  npix = ((gsize) P) * P;
  tr->loss_scale = 1.0 / ((double) cfg->batch * C * (cfg->mode ==
          AENN_TRAIN_N2V ? aenn_n2v_count (cfg) : npix));

  if (cfg->sampler == AENN_SAMPLER_CACHE && cfg->mode ==
      AENN_TRAIN_SUPERVISED && cfg->frames_ratio < 1.0) {
    tr->cache = leaves_cache_new (cfg, model->layout, frame_channels (model));
    tr->job_slot = g_new (guint, cfg->cache_images);
    tr->job_buf = g_new (guint, cfg->cache_images);
    tr->job_gen = g_new (guint64, cfg->cache_images);
  }

  tr->workers = g_new0 (Worker, tr->n_threads);
  for (guint i = 0; i < tr->n_threads; i++) {
    Worker *w = &tr->workers[i];
    w->grad = aenn_grad_new (model, tr->k, P, cfg->chunk, error);
    if (w->grad == NULL)
      goto fail;
    w->input = g_new (float, C * npix);
    w->target = g_new (float, cfg->chunk * C * npix);
    w->mask = g_new (float, cfg->chunk * npix);
  }

  /* the validation set: fixed, whatever the training seed */
  {
    gsize vn = (gsize) C * VAL_SIZE * VAL_SIZE;
    Rng r;
    tr->val_clean = g_new (float, VAL_N * vn);
    tr->val_noisy = g_new (float, VAL_N * vn);
    tr->val_out = g_new (float, VAL_N * vn);
    for (guint c = 0; c < C; c++)
      tr->val_levels[c] = VAL_SIGMA;
    if (model->layout == AENN_INPUT_YUV420)
      make_val_yuv420 (tr);
    for (guint i = 0; i < VAL_N && model->layout != AENN_INPUT_YUV420; i++) {
      AennDeadLeavesParams lp;
      aenn_deadleaves_params_init (&lp);
      aenn_deadleaves_render (&lp, VAL_SEED + i, C, VAL_SIZE, VAL_SIZE,
          tr->val_clean + i * vn);
      rng_init (&r, VAL_SEED, i, 1);
      aenn_synth_gaussian (&r, tr->val_clean + i * vn, tr->val_noisy + i * vn,
          vn, VAL_SIGMA, TRUE);
    }
    /* float: a quantized plan takes its int8 weights from the model once,
     * and training changes them */
    tr->plan = aenn_plan_new (model, kernel_path_float (kernel_path_default ()),
        error);
    if (tr->plan == NULL || !aenn_plan_prepare (tr->plan, VAL_SIZE, VAL_SIZE,
            tr->pool, 0, error))
      goto fail;
  }
  return tr;

fail:
  aenn_trainer_free (tr);
  return NULL;
}

gboolean
aenn_trainer_set_frames (AennTrainer * tr, AennFrameSet * set, GError ** error)
{
  guint n_pairs;
  if (aenn_frame_set_get_channels (set) != frame_channels (tr->model)) {
    g_set_error (error, AENN_ERROR, AENN_ERROR_DATA, "frames have %u "
        "channels, the model takes %u%s", aenn_frame_set_get_channels (set),
        frame_channels (tr->model), tr->model->layout == AENN_INPUT_YUV420 ?
        " (RGB frames for a yuv420 model)" : "");
    aenn_frame_set_free (set);
    return FALSE;
  }
  if (!aenn_frame_set_check (set, aenn_train_luma_patch (&tr->cfg,
              tr->model->layout), &n_pairs, error)) {
    aenn_frame_set_free (set);
    return FALSE;
  }
  aenn_frame_set_free (tr->frames);
  tr->frames = set;
  tr->n_pairs = n_pairs;
  return TRUE;
}

void
aenn_trainer_set_recipe (AennTrainer * tr, const gchar * recipe)
{
  g_free (tr->recipe);
  tr->recipe = g_strdup (recipe);
}

guint64
aenn_trainer_get_step (const AennTrainer * tr)
{
  return tr->step;
}

double
aenn_trainer_get_grad_norm (const AennTrainer * tr)
{
  return tr->grad_norm;
}

const AennModel *
aenn_trainer_get_model (const AennTrainer * tr)
{
  return tr->model;
}

const AennTrainConfig *
aenn_trainer_get_config (const AennTrainer * tr)
{
  return &tr->cfg;
}

const gchar *
aenn_trainer_get_kernels_name (const AennTrainer * tr)
{
  return tr->k->name;
}

/* linear warm-up to lr, then a half cosine down to lr_min at the last
 * step */
double
aenn_trainer_get_lr (const AennTrainer * tr, guint64 step)
{
  const AennTrainConfig *c = &tr->cfg;
  double t;
  if (step < c->warmup)
    return c->lr * (double) (step + 1) / c->warmup;
  if (c->steps <= c->warmup + 1)
    return c->lr;
  t = MIN ((double) (step - c->warmup) / (c->steps - c->warmup - 1), 1.0);
  return c->lr_min + 0.5 * (c->lr - c->lr_min) * (1.0 + cos (G_PI * t));
}

static void run_chunk (guint task, guint worker, gpointer user_data);

/* the next step's images first, so that they overlap the chunks */
static void
run_task (guint task, guint worker, gpointer user_data)
{
  AennTrainer *tr = user_data;
  if (task < tr->n_jobs)
    run_render (task, worker, user_data);
  else
    run_chunk (task - tr->n_jobs, worker, user_data);
}

static void
run_chunk (guint task, guint worker, gpointer user_data)
{
  AennTrainer *tr = user_data;
  const AennTrainConfig *c = &tr->cfg;
  Worker *w = &tr->workers[worker];
  guint C = tr->model->in_channels, P = c->patch;
  gsize npix = (gsize) P * P;
  guint first = task * c->chunk, nb = MIN (c->chunk, c->batch - first);
  float *dp = tr->task_grad + task * tr->n_params;

  for (guint b = 0; b < nb; b++) {
    float levels[AENN_MAX_IN_CHANNELS];
    aenn_train_make_sample_cached (c, tr->frames, tr->cache,
        tr->model->layout, C, tr->step, first + b, w->input,
        w->target + b * C * npix, w->mask + b * npix, levels);
    aenn_grad_set_input_levels (w->grad, b, w->input, levels);
  }
  aenn_grad_forward (w->grad, nb);
  memset (dp, 0, tr->n_params * sizeof (float));
  tr->task_loss[task] = aenn_grad_backward (w->grad, nb, w->target,
      c->mode == AENN_TRAIN_N2V ? w->mask : NULL, (float) tr->loss_scale,
      tr->poff, tr->wflip, dp);
}

gboolean
aenn_trainer_step (AennTrainer * tr, double *loss_out, GError ** error)
{
  const AennTrainConfig *c = &tr->cfg;
  double loss = 0.0, norm2 = 0.0, lr, bc1, bc2, gscale = 1.0;
  gsize np = tr->n_params;

  if ((c->mode != AENN_TRAIN_SUPERVISED || c->frames_ratio > 0.0)
      && (tr->frames == NULL || aenn_frame_set_get_n_frames (tr->frames) == 0)) {
    g_set_error (error, AENN_ERROR, AENN_ERROR_DATA, "mode %s%s needs "
        "frames (aenn_trainer_set_frames)", aenn_train_mode_name (c->mode),
        c->mode == AENN_TRAIN_SUPERVISED ? " with frames-ratio > 0" : "");
    return FALSE;
  }
  if (c->mode == AENN_TRAIN_N2N && tr->n_pairs == 0) {
    g_set_error (error, AENN_ERROR, AENN_ERROR_DATA, "mode n2n needs two "
        "consecutive frames of one sequence; the frames form no pair");
    return FALSE;
  }

  aenn_grad_flip_weights (tr->model, tr->poff, tr->wflip);
  if (tr->cache != NULL)
    cache_prepare (tr);
  worker_pool_run (tr->pool, tr->n_jobs + tr->n_tasks, run_task, tr);

  /* chunk order, whatever thread ran which chunk */
  memcpy (tr->grad, tr->task_grad, np * sizeof (float));
  loss = tr->task_loss[0];
  for (guint t = 1; t < tr->n_tasks; t++) {
    const float *g = tr->task_grad + t * np;
    for (gsize i = 0; i < np; i++)
      tr->grad[i] += g[i];
    loss += tr->task_loss[t];
  }
  loss *= tr->loss_scale;
  for (gsize i = 0; i < np; i++)
    norm2 += (double) tr->grad[i] * tr->grad[i];
  tr->grad_norm = sqrt (norm2);
  if (!isfinite (loss) || !isfinite (tr->grad_norm)) {
    g_set_error (error, AENN_ERROR, AENN_ERROR_DIVERGED, "step %"
        G_GUINT64_FORMAT ": loss %g, gradient norm %g: training diverged "
        "(try a lower --lr or --clip)", tr->step, loss, tr->grad_norm);
    return FALSE;
  }
  if (c->clip > 0.0 && tr->grad_norm > c->clip)
    gscale = c->clip / tr->grad_norm;

  lr = aenn_trainer_get_lr (tr, tr->step);
  bc1 = 1.0 - pow (c->beta1, (double) (tr->step + 1));
  bc2 = 1.0 - pow (c->beta2, (double) (tr->step + 1));
  {
    float b1 = (float) c->beta1, b2 = (float) c->beta2, eps = (float) c->eps;
    float a = (float) (lr / bc1), ib2 = (float) (1.0 / sqrt (bc2));
    float gs = (float) gscale;
    for (guint l = 0; l < tr->model->n_layers; l++) {
      AennLayer *L = &tr->model->layers[l];
      gsize nw, nbias;
      if (L->op != AENN_OP_CONV)
        continue;
      nbias = tr->model->tensors[L->out].channels;
      nw = nbias * tr->model->tensors[L->in[0]].channels * L->kernel
          * L->kernel;
      for (guint part = 0; part < 2; part++) {
        float *p = part ? L->bias : L->weight;
        gsize o = tr->poff[l] + (part ? nw : 0), n = part ? nbias : nw;
        for (gsize i = 0; i < n; i++) {
          float g = tr->grad[o + i] * gs;
          float m = tr->adam_m[o + i] = b1 * tr->adam_m[o + i] + (1.0f - b1)
              * g;
          float v = tr->adam_v[o + i] = b2 * tr->adam_v[o + i] + (1.0f - b2)
              * g * g;
          p[i] -= a * m / (sqrtf (v) * ib2 + eps);
        }
      }
    }
  }
  tr->step++;
  tr->validated = FALSE;
  if (loss_out)
    *loss_out = loss;
  return TRUE;
}

static double
psnr (const float *a, const float *b, gsize n, gboolean clip)
{
  double se = 0.0;
  for (gsize i = 0; i < n; i++) {
    double v = clip ? CLAMP (a[i], 0.0f, 1.0f) : a[i];
    se += (v - b[i]) * (v - b[i]);
  }
  se /= MAX (n, 1);
  return se > 0.0 ? 10.0 * log10 (1.0 / se) : 99.0;
}

gboolean
aenn_trainer_validate (AennTrainer * tr, double *psnr_in, double *psnr_out,
    GError ** error)
{
  guint C = tr->model->in_channels;
  gsize plane = (gsize) VAL_SIZE * VAL_SIZE, vn = C * plane;

  for (guint i = 0; i < VAL_N; i++) {
    const float *src[AENN_MAX_IN_CHANNELS];
    float *dst[AENN_MAX_IN_CHANNELS];
    for (guint c = 0; c < C; c++) {
      src[c] = tr->val_noisy + i * vn + c * plane;
      dst[c] = tr->val_out + i * vn + c * plane;
    }
    aenn_plan_process_levels (tr->plan, src, VAL_SIZE, dst, VAL_SIZE,
        tr->val_levels);
  }
  tr->val_psnr_in = psnr (tr->val_noisy, tr->val_clean, VAL_N * vn, FALSE);
  tr->val_psnr_out = psnr (tr->val_out, tr->val_clean, VAL_N * vn, TRUE);
  tr->validated = TRUE;
  if (psnr_in)
    *psnr_in = tr->val_psnr_in;
  if (psnr_out)
    *psnr_out = tr->val_psnr_out;
  if (!isfinite (tr->val_psnr_out)) {
    g_set_error (error, AENN_ERROR, AENN_ERROR_DIVERGED, "validation at step %"
        G_GUINT64_FORMAT ": the output is not finite", tr->step);
    return FALSE;
  }
  return TRUE;
}

/* ---- files ---- */

static GHashTable *
common_metadata (AennTrainer * tr)
{
  GHashTable *meta = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
      g_free);
  g_hash_table_insert (meta, "aenn.train.config",
      aenn_train_config_to_json (&tr->cfg));
  g_hash_table_insert (meta, "aenn.train.step",
      g_strdup_printf ("%" G_GUINT64_FORMAT, tr->step));
  g_hash_table_insert (meta, "aenn.train.seed",
      g_strdup_printf ("%" G_GUINT64_FORMAT, tr->cfg.seed));
  g_hash_table_insert (meta, "aenn.train.kernels", g_strdup (tr->k->name));
  if (tr->recipe)
    g_hash_table_insert (meta, "aenn.train.recipe", g_strdup (tr->recipe));
  return meta;
}

gboolean
aenn_trainer_save_checkpoint (AennTrainer * tr, const gchar * path,
    GError ** error)
{
  GHashTable *meta = common_metadata (tr);
  AennExtraTensor extra[2] = {
    {"aenn.adam.m", tr->adam_m, tr->n_params},
    {"aenn.adam.v", tr->adam_v, tr->n_params}
  };
  gboolean ok;

  g_hash_table_insert (meta, "aenn.train.checkpoint", g_strdup ("1"));
  ok = aenn_model_save_full (tr->model, path, meta, extra, 2, error);
  g_hash_table_unref (meta);
  return ok;
}

gboolean
aenn_trainer_save_model (AennTrainer * tr, const gchar * path, GError ** error)
{
  GHashTable *meta = common_metadata (tr);
  gboolean ok;

  if (!tr->validated && !aenn_trainer_validate (tr, NULL, NULL, error)) {
    g_hash_table_unref (meta);
    return FALSE;
  }
  g_hash_table_insert (meta, "aenn.val_psnr",
      g_strdup_printf ("%.3f", tr->val_psnr_out));
  g_hash_table_insert (meta, "aenn.val_psnr_input",
      g_strdup_printf ("%.3f", tr->val_psnr_in));
  if (tr->model->layout == AENN_INPUT_YUV420)
    g_hash_table_insert (meta, "aenn.val_set", g_strdup_printf ("%u colour "
            "dead leaves images %ux%u, studio-range YCbCr 4:2:0, gaussian "
            "RGB sigma %g through the BT.601 matrix, 8-bit input, PSNR "
            "over Y, Cb and Cr", VAL_N, 2 * VAL_SIZE, 2 * VAL_SIZE, VAL_SIGMA));
  else
    g_hash_table_insert (meta, "aenn.val_set", g_strdup_printf ("%u dead "
            "leaves images %ux%u, gaussian sigma %g, 8-bit input", VAL_N,
            VAL_SIZE, VAL_SIZE, VAL_SIGMA));
  ok = aenn_model_save_full (tr->model, path, meta, NULL, 0, error);
  g_hash_table_unref (meta);
  return ok;
}

AennTrainer *
aenn_trainer_new_from_checkpoint (const gchar * path, guint n_threads,
    GError ** error)
{
  GHashTable *meta = NULL, *extra = NULL;
  AennModel *m = aenn_model_load_file_full (path, &meta, &extra, error);
  AennTrainer *tr = NULL;
  AennTrainConfig cfg;
  const gchar *s;
  guint64 step;
  GError *err = NULL;

  if (m == NULL)
    return NULL;
  s = g_hash_table_lookup (meta, "aenn.train.config");
  if (s == NULL) {
    g_set_error (error, AENN_ERROR, AENN_ERROR_FORMAT, "%s: not a training "
        "checkpoint (no \"aenn.train.config\" metadata)", path);
    aenn_model_free (m);
    goto out;
  }
  if (!aenn_train_config_from_json (&cfg, s, &err)) {
    g_set_error (error, AENN_ERROR, AENN_ERROR_FORMAT, "%s: %s", path,
        err->message);
    g_error_free (err);
    aenn_model_free (m);
    goto out;
  }
  s = g_hash_table_lookup (meta, "aenn.train.step");
  if (s == NULL || !g_ascii_string_to_unsigned (s, 10, 0, G_MAXUINT64, &step,
          NULL)) {
    g_set_error (error, AENN_ERROR, AENN_ERROR_FORMAT, "%s: metadata "
        "\"aenn.train.step\" is %s, expected an unsigned integer", path,
        s ? s : "missing");
    aenn_model_free (m);
    goto out;
  }
  tr = aenn_trainer_new (m, &cfg, n_threads, error);
  if (tr == NULL)
    goto out;
  for (guint i = 0; i < 2; i++) {
    const gchar *name = i ? "aenn.adam.v" : "aenn.adam.m";
    GBytes *b = g_hash_table_lookup (extra, name);
    gsize n = 0;
    const float *v = b ? g_bytes_get_data (b, &n) : NULL;
    if (b == NULL || n != tr->n_params * sizeof (float)) {
      g_set_error (error, AENN_ERROR, AENN_ERROR_TENSOR, "%s: tensor \"%s\" "
          "%s, expected %" G_GSIZE_FORMAT " values", path, name,
          b ? "has the wrong size" : "is missing", tr->n_params);
      g_clear_pointer (&tr, aenn_trainer_free);
      goto out;
    }
    memcpy (i ? tr->adam_v : tr->adam_m, v, n);
  }
  tr->step = step;
  aenn_trainer_set_recipe (tr, g_hash_table_lookup (meta, "aenn.train.recipe"));
out:
  g_hash_table_unref (meta);
  g_hash_table_unref (extra);
  return tr;
}
