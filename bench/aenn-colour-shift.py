#!/usr/bin/python3
"""aenn-colour-shift: does aedenoise shift colours?  Kodak24 (or any folder
of colour images, in name order) under the protocol and through the element
runner of tools/aenn-eval (numpy seed 0, noise clipped and rounded to 8
bits, RGB frames, the true sigma as noise-level); per image and channel the
mean of (output - clean), in levels of 0..255.  A colour shift shows as
channels whose means differ.  Prints the mean bias per channel, the largest
bias of any image and channel (beside the noisy input's, which clipping
biases), and the largest difference between two channels' biases.

    bench/aenn-colour-shift.py [DIR] [--build build] [--sigma 25]
        [--model FILE]
"""
import argparse
import os
import sys
import tempfile

import numpy as np

from aenn_eval_lib import REPO, ae


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir", nargs="?", default=os.path.join(
        REPO, "..", "shared", "data", "images", "kodak24"))
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--sigma", type=float, default=25.0)
    ap.add_argument("--model", default="default")
    a = ap.parse_args()
    if not os.path.isdir(a.dir):
        print(f"aenn-colour-shift: no images at {a.dir}: nothing measured")
        return
    _, clean = ae.load_set(a.dir)
    if any(c.ndim != 3 for c in clean):
        sys.exit("aenn-colour-shift: %s: colour images only" % a.dir)
    noisy = ae.add_noise(clean, a.sigma)
    with tempfile.TemporaryDirectory() as tmp:
        out, _, _ = ae.Aedenoise(a.model, False, a.build, tmp).run(noisy,
                                                                   a.sigma)

    def bias(imgs):
        return np.array([(x.astype(float) - c).reshape(-1, 3).mean(0)
                         for x, c in zip(imgs, clean)])
    b, bn = bias(out), bias(noisy)
    print(f"{len(clean)} images, sigma {a.sigma:g}")
    print("mean bias per channel (R, G, B), levels: %.3f %.3f %.3f"
          % tuple(b.mean(0)))
    print("largest |bias| of an image and channel: %.3f levels (noisy "
          "input: %.3f)" % (np.abs(b).max(), np.abs(bn).max()))
    print("largest difference between two channels' biases in an image: "
          "%.3f levels" % max(np.abs(b[:, i] - b[:, j]).max()
                              for i in range(3) for j in range(i)))


if __name__ == "__main__":
    try:
        main()
    except ae.EvalError as e:
        sys.exit("aenn-colour-shift: %s" % e)
