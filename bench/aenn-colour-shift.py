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
        [--model FILE] [--via-i420] [--grey]

--via-i420 runs RGB -> I420 -> aedenoise -> RGB with estimated levels, as
tools/aenn-eval does (always for a yuv420 model); --grey makes each image
grey first (R = G = B = its BT.601 luma), the grey-world check: a grey
image under colour noise must come out grey, every channel's bias alike.
"""
import argparse
import os
import sys
import tempfile

import numpy as np

from aenn_eval_lib import REPO, ae


def i420_chroma_shift(noisy, model, build, tmp):
    """Per image, the mean Cb and Cr of the element's I420 output minus
    those of its I420 input (the noisy RGB through videoconvert): the
    model's own chroma shift, apart from what the conversions do."""
    env = ae._plugin_env(build, tmp)
    shifts = []
    for img in noisy:
        h, w = img.shape[:2]
        if w % 4 or h % 2:
            continue        # rawvideoparse's default I420 strides
        fin, fyuv, fout = (os.path.join(tmp, n) for n in
                           ("rgb.raw", "in.i420", "out.i420"))
        buf = np.zeros((h, ae._stride(w, 3)), np.uint8)
        buf[:, :w * 3] = img.reshape(h, w * 3)
        buf.tofile(fin)
        ae._run(["gst-launch-1.0", "-q", "filesrc", "location=" + fin, "!",
                 "rawvideoparse", "width=%d" % w, "height=%d" % h,
                 "format=rgb", "framerate=25/1", "!"] + ae.TO_I420 +
                ["!", "filesink", "location=" + fyuv], env, "videoconvert")
        cmd = ["gst-launch-1.0", "-q", "filesrc", "location=" + fyuv, "!",
               "rawvideoparse", "width=%d" % w, "height=%d" % h,
               "format=i420", "framerate=25/1", "!", "aedenoise",
               "temporal=false", "noise-level=-1"]
        if model != "default":
            cmd.append("model-file=" + model)
        ae._run(cmd + ["!", "filesink", "location=" + fout], env,
                "aedenoise")
        a, b = np.fromfile(fyuv, np.uint8), np.fromfile(fout, np.uint8)
        n, q = w * h, (w // 2) * (h // 2)
        shifts.append([b[n + k * q:n + (k + 1) * q].mean() -
                       a[n + k * q:n + (k + 1) * q].mean() for k in (0, 1)])
    return np.array(shifts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir", nargs="?", default=os.path.join(
        REPO, "..", "shared", "data", "images", "kodak24"))
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--sigma", type=float, default=25.0)
    ap.add_argument("--model", default="default")
    ap.add_argument("--via-i420", action="store_true")
    ap.add_argument("--grey", action="store_true")
    a = ap.parse_args()
    if not os.path.isdir(a.dir):
        print(f"aenn-colour-shift: no images at {a.dir}: nothing measured")
        return
    _, clean = ae.load_set(a.dir)
    if any(c.ndim != 3 for c in clean):
        sys.exit("aenn-colour-shift: %s: colour images only" % a.dir)
    if a.grey:
        clean = [np.repeat(np.clip(np.round(c.astype(float) @ [0.299, 0.587,
                                                               0.114]), 0,
                                   255).astype(np.uint8)[:, :, None], 3, 2)
                 for c in clean]
    noisy = ae.add_noise(clean, a.sigma)
    model = os.path.abspath(a.model) if os.path.isfile(a.model) else a.model
    via = a.via_i420 or ae.model_layout(model) == "yuv420"
    with tempfile.TemporaryDirectory() as tmp:
        out, _, _ = ae.Aedenoise(model, via, a.build, tmp,
                                 via_i420=via).run(noisy, a.sigma)
        cs = i420_chroma_shift(noisy, model, a.build, tmp) if via else None

    def bias(imgs):
        return np.array([(x.astype(float) - c).reshape(-1, 3).mean(0)
                         for x, c in zip(imgs, clean)])
    b, bn = bias(out), bias(noisy)
    print(f"{len(clean)} {'grey ' if a.grey else ''}images, sigma "
          f"{a.sigma:g}{', via I420, estimated levels' if via else ''}")
    print("mean bias per channel (R, G, B), levels: %.3f %.3f %.3f"
          % tuple(b.mean(0)))
    print("largest |bias| of an image and channel: %.3f levels (noisy "
          "input: %.3f)" % (np.abs(b).max(), np.abs(bn).max()))
    print("largest difference between two channels' biases in an image: "
          "%.3f levels" % max(np.abs(b[:, i] - b[:, j]).max()
                              for i in range(3) for j in range(i)))
    if cs is not None and len(cs):
        print("in I420, the element's output minus its input, mean Cb and "
              "Cr: %.3f %.3f levels (largest |shift| of an image: %.3f; %d "
              "images)" % (cs[:, 0].mean(), cs[:, 1].mean(),
                           np.abs(cs).max(), len(cs)))


if __name__ == "__main__":
    try:
        main()
    except ae.EvalError as e:
        sys.exit("aenn-colour-shift: %s" % e)
