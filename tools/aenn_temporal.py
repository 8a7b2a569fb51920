"""aedenoise's temporal mode in numpy, and synthetic video to fit it on.

The model of lib/denoise/frames/temporal.c that tools/aenn-temporal-fit
fits PARAMS with, on the synthetic sequences below (the C follows it step
for step; tests/lib/denoise/frames/test_temporal.c checks the C against a
naive C twin). Planes are float arrays on the 0..1 scale,
noise levels on the 0..255 scale.

One plane's state: T and A, the running means of the spatial results and
of the noisy inputs over the frames the pixel stood still, and n, how many
looks they hold. Each frame:

  (lib/denoise/frames/temporal.h says it in full)
  motion  zq, zr: the means of (x - T)^2 and (s - T)^2 over a 5x5 box
          (edges repeated) over s2 v and s2 v / cr, v = 1 + 1/n of the
          box's centre, s2 the noise variance: about 1 where the pixel
          stood still; the weight of the past is
          w = ramp(zq; tau0, tau1) ramp(zr; rho0, rho1), and in a chroma
          plane the smaller of its own and its luma pixels' weights
  cut     more than cut of the luma's pixels with w < 1/2: a new scene,
          the state restarts from this frame
  update  n' = min(w n + 1, nmax); A' = A + (x - A) / n';
          T' = T + (s - T) / n'
  fuse    out = T' + g (A' - T'), g = (n' - 1) / (n' - 1 + c): the
          spatial result where the pixel moved (n' = 1), the mean of the
          spatial results where it stood still, drawn towards the mean of
          the inputs as the looks add up
"""

import numpy as np

# fitted by tools/aenn-temporal-fit (docs/performance.md gives the run);
# lib/denoise/frames/temporal.c holds the same numbers
PARAMS = dict(radius=2, tau0=2.123, tau1=4.245, rho0=0.844, rho1=4.655,
              cr=12.0, nmax=15.0, c=225.0, cut=0.6)


def box_mean(a, r):
    """Mean over a (2r+1)^2 window, edges repeated."""
    k = 2 * r + 1
    p = np.pad(a, r, mode='edge').astype(np.float64)
    c = np.cumsum(p, axis=1)
    c = np.concatenate([np.zeros((p.shape[0], 1)), c], axis=1)
    h = c[:, k:] - c[:, :-k]
    c = np.cumsum(h, axis=0)
    c = np.concatenate([np.zeros((1, h.shape[1])), c], axis=0)
    v = c[k:, :] - c[:-k, :]
    return (v / (k * k)).astype(np.float32)


class Plane:
    def __init__(self):
        self.A = self.T = self.n = None

    def start(self, x, s):
        self.A = x.astype(np.float32).copy()
        self.T = s.astype(np.float32).copy()
        self.n = np.ones_like(self.A)


def ramp(z, lo, hi):
    return np.clip((hi - z) / (hi - lo), 0.0, 1.0)


def weights(st, x, s, sigma, P):
    s2 = np.float32((sigma / 255.0) ** 2)
    v = 1.0 + 1.0 / st.n            # of the box's centre
    dq = x - st.T
    dr = s - st.T
    zq = box_mean(dq * dq, P['radius']) / (s2 * v)
    zr = box_mean(dr * dr, P['radius']) / (s2 / P['cr'] * v)
    return ramp(zq, P['tau0'], P['tau1']) * ramp(zr, P['rho0'], P['rho1'])


def luma_weight_at(w0, shape):
    """The smallest luma weight over each chroma pixel's luma block."""
    h, w = shape
    sy = 2 if w0.shape[0] > h else 1
    sx = 2 if w0.shape[1] > w else 1
    out = np.full(shape, np.inf, np.float32)
    for dy in range(sy):
        for dx in range(sx):
            blk = w0[dy::sy, dx::sx][:h, :w]
            pad = np.full(shape, np.inf, np.float32)
            # an odd size's last column or row: the luma it has
            pad[:blk.shape[0], :blk.shape[1]] = blk
            out = np.minimum(out, pad)
    return out


def fuse(st, c):
    g = (st.n - 1.0) / (st.n - 1.0 + c)
    return (st.T + g * (st.A - st.T)).astype(np.float32)


def step(planes, xs, ss, sigmas, P=PARAMS):
    """One frame: xs the noisy planes, ss the spatial outputs, sigmas each
    plane's noise level. Returns (outputs, event), event one of 'start',
    'fused', 'cut'. planes: list of Plane, updated."""
    if planes[0].A is None or planes[0].A.shape != xs[0].shape \
            or sigmas[0] <= 0:
        for st, x, s in zip(planes, xs, ss):
            st.start(x, s)
        return [s.copy() for s in ss], 'start'
    ws = []
    for st, x, s, sg in zip(planes, xs, ss, sigmas):
        ws.append(weights(st, x, s, sg, P) if sg > 0 else None)
    if np.mean(ws[0] < 0.5) > P['cut']:
        for st, x, s in zip(planes, xs, ss):
            st.start(x, s)
        return [s.copy() for s in ss], 'cut'
    outs = []
    for i, (st, x, s, w) in enumerate(zip(planes, xs, ss, ws)):
        if w is None:
            st.start(x, s)
            outs.append(s.copy())
            continue
        if i > 0:
            w = np.minimum(w, luma_weight_at(ws[0], w.shape))
        st.n = np.minimum(1.0 + w * st.n, P['nmax']).astype(np.float32)
        st.A = (st.A + (x - st.A) / st.n).astype(np.float32)
        st.T = (st.T + (s - st.T) / st.n).astype(np.float32)
        outs.append(fuse(st, P['c']))
    return outs, 'fused'


# ---- synthetic video: photographs under motion ----

def _sample(img, ys, xs):
    """Bilinear sample of img at float coordinates (edges repeated)."""
    h, w = img.shape[:2]
    ys = np.clip(ys, 0, h - 1.001)
    xs = np.clip(xs, 0, w - 1.001)
    y0 = np.floor(ys).astype(int)
    x0 = np.floor(xs).astype(int)
    fy = (ys - y0)[..., None] if img.ndim == 3 else ys - y0
    fx = (xs - x0)[..., None] if img.ndim == 3 else xs - x0
    a = img[y0, x0]
    b = img[y0, x0 + 1]
    c = img[y0 + 1, x0]
    d = img[y0 + 1, x0 + 1]
    return (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy


KINDS = ('static', 'layer', 'pan', 'zoom', 'light', 'cut')


def sequence(photos, rng, kind, frames, h, w):
    """frames clean frames (float 0..255, photo's channels) of one kind:
    static (still camera, nothing moves), layer (still background, a crop
    of another photo moving over it), pan (the camera pans, sub-pixel),
    zoom, light (gain ramps over the still scene), cut (static, then a
    different photo from the middle on)."""
    def pick():
        return photos[rng.integers(len(photos))].astype(np.float32)

    bg = pick()
    H, W = bg.shape[:2]
    y0 = rng.uniform(0, max(H - h - 40, 1))
    x0 = rng.uniform(0, max(W - w - 40, 1))
    gy, gx = np.mgrid[0:h, 0:w].astype(np.float32)
    out = []
    if kind == 'layer':
        fg = pick()
        lh, lw = int(h * rng.uniform(0.25, 0.5)), int(w * rng.uniform(0.15, 0.35))
        fy0 = rng.uniform(0, fg.shape[0] - lh - 1)
        fx0 = rng.uniform(0, fg.shape[1] - lw - 1)
        patch = fg[int(fy0):int(fy0) + lh, int(fx0):int(fx0) + lw]
        py = rng.uniform(0, h - lh)
        vx = rng.uniform(1.0, 6.0) * rng.choice([-1, 1])
        vy = rng.uniform(-1.0, 1.0)
        px = rng.uniform(0, w - lw)
    if kind == 'pan':
        vx, vy = rng.uniform(-3, 3), rng.uniform(-1.5, 1.5)
    if kind == 'zoom':
        rate = rng.uniform(0.003, 0.01) * rng.choice([-1, 1])
    if kind == 'light':
        g0, g1 = rng.uniform(0.7, 1.0), rng.uniform(0.7, 1.0)
    other = pick() if kind == 'cut' else None
    for t in range(frames):
        if kind == 'pan':
            f = _sample(bg, gy + y0 + 20 + vy * t, gx + x0 + 20 + vx * t)
        elif kind == 'zoom':
            z = 1.0 + rate * t
            cy, cx = y0 + 20 + h / 2, x0 + 20 + w / 2
            f = _sample(bg, cy + (gy - h / 2) / z, cx + (gx - w / 2) / z)
        else:
            src = other if (kind == 'cut' and t >= frames // 2) else bg
            f = src[int(y0):int(y0) + h, int(x0):int(x0) + w].copy()
            if f.shape[:2] != (h, w):
                f = _sample(src, gy + y0, gx + x0)
            if kind == 'layer':
                yy = int(round(np.clip(py + vy * t, 0, h - lh)))
                xx = int(round(px + vx * t)) % (w + lw) - lw
                a, b = max(xx, 0), min(xx + lw, w)
                if b > a:
                    f[yy:yy + lh, a:b] = patch[:, a - xx:b - xx]
            if kind == 'light':
                f = f * (g0 + (g1 - g0) * t / max(frames - 1, 1))
        out.append(np.clip(f, 0, 255).astype(np.float32))
    return out


def noisy(frames, sigma, rng):
    return [np.clip(np.round(f + rng.standard_normal(f.shape) * sigma), 0,
                    255).astype(np.uint8) for f in frames]
