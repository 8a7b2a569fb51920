#!/usr/bin/python3
"""aenn-colour-shift: does aedenoise shift colours?  Kodak24 (or any folder
of colour images, in name order) under the evaluation protocol of
../shared/data/README.md (numpy seed 0, noise clipped and rounded to 8
bits), through the element as RGB with the true sigma; per image and
channel the mean of (output - clean), in levels of 0..255.  A colour shift
shows as channels whose means differ.  Prints the mean bias per channel,
the largest bias of any image and channel (beside the noisy input's, which
clipping biases), and the largest difference between two channels' biases.

    bench/aenn-colour-shift.py [DIR] [--build build] [--sigma 25]
        [--model FILE]
"""
import argparse
import glob
import os
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

try:
    import numpy as np
    from PIL import Image
except ImportError as e:
    print(f"aenn-colour-shift: needs Debian's python3-numpy and python3-pil ({e})")
    sys.exit(0)

ap = argparse.ArgumentParser()
ap.add_argument("dir", nargs="?",
                default=os.path.join(REPO, "..", "shared", "data", "images", "kodak24"))
ap.add_argument("--build", default=os.path.join(REPO, "build"))
ap.add_argument("--sigma", type=float, default=25.0)
ap.add_argument("--model", default="")
a = ap.parse_args()
files = sorted(glob.glob(os.path.join(a.dir, "*.png")))
if not files:
    print(f"aenn-colour-shift: no images in {a.dir}: nothing measured")
    sys.exit(0)
env = dict(os.environ, GST_PLUGIN_PATH=os.path.join(a.build, "plugins"))
np.random.seed(0)
bias, bias_noisy = [], []
with tempfile.TemporaryDirectory() as d:
    for f in files:
        im = np.array(Image.open(f).convert("RGB"))
        noisy = np.clip(np.round(im + np.random.randn(*im.shape) * a.sigma),
                        0, 255).astype(np.uint8)
        noisy.tofile(os.path.join(d, "in"))
        h, w, _ = im.shape
        el = ["aedenoise", f"noise-level={a.sigma}"]
        if a.model:
            el.append(f"model-file={a.model}")
        subprocess.run(["gst-launch-1.0", "-q", "filesrc", f"location={d}/in", "!",
                        "rawvideoparse", "format=rgb", f"width={w}", f"height={h}",
                        "!", *el, "!", "filesink", f"location={d}/out"],
                       env=env, check=True)
        out = np.fromfile(os.path.join(d, "out"), np.uint8).reshape(h, w, 3)
        bias.append((out.astype(float) - im).reshape(-1, 3).mean(0))
        bias_noisy.append((noisy.astype(float) - im).reshape(-1, 3).mean(0))
b, bn = np.array(bias), np.array(bias_noisy)
print(f"{len(files)} images, sigma {a.sigma:g}")
print("mean bias per channel (R, G, B), levels: %.3f %.3f %.3f" % tuple(b.mean(0)))
print("largest |bias| of an image and channel: %.3f levels (noisy input: %.3f)"
      % (np.abs(b).max(), np.abs(bn).max()))
print("largest difference between two channels' biases in an image: %.3f levels"
      % max(np.abs(b[:, i] - b[:, j]).max() for i in range(3) for j in range(i)))
