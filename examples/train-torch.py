#!/usr/bin/python3
"""Fine-tunes (or trains from scratch) the aedenoise network in PyTorch, on
a GPU when there is one, and writes a model file the element loads:

    examples/train-torch.py --init aedenoise-default.safetensors \\
        --images DIR --out mine.safetensors --steps 20000 [--device cuda]
    gst-launch-1.0 ... ! aedenoise model-file=mine.safetensors ! ...

Supervised: clean patches cropped from the images of --images (8-bit grey
or colour, read with Pillow; colour images give their three planes, as the
element denoises each plane), or smooth synthetic patches when none is
given, with Gaussian noise of sigma drawn per patch in [--sigma-min,
--sigma-max], rounded to 8 bits as real frames are, and the network told
the true sigma. --arch FILE starts from random weights of an architecture
JSON (docs/model-format.md) instead of --init. Needs python3-torch and
python3-numpy (and python3-pil for --images); aenn_torch.py from tools/ or
the installed $datadir/gst-unsupervised/python.
"""

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
for d in (os.path.join(HERE, '..', 'tools'),
          os.path.join(HERE, '..', 'python')):
    if os.path.isfile(os.path.join(d, 'aenn_torch.py')):
        sys.path.insert(0, d)
        break

import numpy as np  # noqa: E402
import torch  # noqa: E402

import aenn_torch  # noqa: E402


def load_planes(folder):
    from PIL import Image
    planes = []
    for n in sorted(os.listdir(folder)):
        try:
            with Image.open(os.path.join(folder, n)) as im:
                a = np.asarray(im.convert('L' if im.mode in ('L', 'I;16', 'I')
                                          else 'RGB'), dtype=np.uint8)
        except OSError:
            continue
        planes += [a] if a.ndim == 2 else [a[:, :, c] for c in range(3)]
    if not planes:
        sys.exit('train-torch: no image in %s' % folder)
    return planes


def synthetic(rng, n, size):
    """Smooth ramps with discs: enough to fine-tune and to test with."""
    y, x = np.mgrid[0:size, 0:size] / size
    out = np.empty((n, 1, size, size), np.float32)
    for i in range(n):
        v = rng.uniform(0.2, 0.8) + rng.uniform(-0.3, 0.3) * x + \
            rng.uniform(-0.3, 0.3) * y
        for _ in range(3):
            cx, cy, r = rng.uniform(0, 1, 3)
            v = np.where((x - cx) ** 2 + (y - cy) ** 2 < (0.3 * r) ** 2,
                         rng.uniform(0, 1), v)
        out[i, 0] = np.clip(v, 0, 1)
    return out


def crops(rng, planes, n, size):
    out = np.empty((n, 1, size, size), np.float32)
    for i in range(n):
        p = planes[rng.integers(len(planes))]
        y = rng.integers(p.shape[0] - size + 1)
        x = rng.integers(p.shape[1] - size + 1)
        out[i, 0] = p[y:y + size, x:x + size] / 255.0
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--init', help='model file to start from')
    ap.add_argument('--arch', help='architecture JSON to start from (random)')
    ap.add_argument('--images', help='folder of clean images')
    ap.add_argument('--out', required=True, help='model file to write')
    ap.add_argument('--steps', type=int, default=20000)
    ap.add_argument('--batch', type=int, default=32)
    ap.add_argument('--patch', type=int, default=64)
    ap.add_argument('--lr', type=float, default=2e-4)
    ap.add_argument('--sigma-min', type=float, default=0.0)
    ap.add_argument('--sigma-max', type=float, default=55.0)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--device', default='cuda' if torch.cuda.is_available()
                    else 'cpu')
    ap.add_argument('--log-every', type=int, default=100)
    a = ap.parse_args()
    if (a.init is None) == (a.arch is None):
        ap.error('give one of --init MODEL and --arch FILE')

    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    if a.init:
        net = aenn_torch.load(a.init)
    else:
        with open(a.arch) as f:
            net = aenn_torch.AennNet(f.read())
    if a.patch % (1 << net.max_level):
        ap.error('--patch must be a multiple of %d' % (1 << net.max_level))
    net = net.to(a.device).train()
    planes = load_planes(a.images) if a.images else None
    opt = torch.optim.Adam(net.parameters(), lr=a.lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, a.steps,
                                                       a.lr * 0.01)
    first = last = None
    for step in range(1, a.steps + 1):
        clean = crops(rng, planes, a.batch, a.patch) if planes else \
            synthetic(rng, a.batch, a.patch)
        sigma = rng.uniform(a.sigma_min, a.sigma_max, a.batch)
        noisy = np.clip(np.round((clean + rng.standard_normal(clean.shape) *
                                  sigma[:, None, None, None] / 255) * 255),
                        0, 255) / 255
        c = torch.from_numpy(clean).to(a.device)
        x = torch.from_numpy(noisy.astype(np.float32)).to(a.device)
        s = torch.from_numpy(sigma.astype(np.float32)).to(a.device)
        loss = torch.mean((net(x, s) - c) ** 2)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        first = loss.item() if first is None else first
        last = loss.item()
        if step % a.log_every == 0 or step == a.steps:
            print('step %d/%d  loss %.4e (%.2f dB)' % (
                step, a.steps, last, -10 * np.log10(max(last, 1e-20))))
    aenn_torch.save(net.cpu(), a.out, metadata={
        'aenn.train.recipe': ' '.join(sys.argv),
        'aenn.train.tool': 'examples/train-torch.py (PyTorch %s)'
        % torch.__version__})
    print('wrote %s (loss %.4e at the first step, %.4e at the last)'
          % (a.out, first, last))


if __name__ == '__main__':
    main()
