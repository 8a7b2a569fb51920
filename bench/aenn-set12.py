#!/usr/bin/python3
"""aenn-set12: mean PSNR of aedenoise on Set12, per kernel path and sigma.

  GST_PLUGIN_PATH=build/plugins bench/aenn-set12.py [--paths avx512,vnni]
      [--sigmas 15,25,50] [--images DIR]

Protocol: numpy np.random.seed(0) once per sigma, the images in sorted
name order, noisy = clip(round(img + randn * sigma), 0, 255) as uint8; each
noisy image goes through gst-launch-1.0 (filesrc ! rawvideoparse gray8 !
aedenoise noise-level=sigma ! filesink) with GST_UNSUPERVISED_KERNELS set
to the path; PSNR against the clean image on 0..255. Needs numpy and PIL
(Debian's /usr/bin/python3 has both)."""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image


def psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return 10 * np.log10(255.0 ** 2 / mse)


def denoise(noisy, sigma, path, tmp):
    h, w = noisy.shape
    src, dst = os.path.join(tmp, "in.raw"), os.path.join(tmp, "out.raw")
    noisy.tofile(src)
    env = dict(os.environ, GST_UNSUPERVISED_KERNELS=path)
    subprocess.run(["gst-launch-1.0", "-q", "filesrc", "location=" + src, "!",
                    "rawvideoparse", "format=gray8", "width=%d" % w,
                    "height=%d" % h, "!", "aedenoise",
                    "noise-level=%g" % sigma, "!", "filesink",
                    "location=" + dst], env=env, check=True)
    out = np.fromfile(dst, dtype=np.uint8)
    if out.size != w * h:
        sys.exit("%s: %d bytes out, expected %d" % (path, out.size, w * h))
    return out.reshape(h, w)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--paths", default="avx512,vnni")
    ap.add_argument("--sigmas", default="15,25,50")
    ap.add_argument("--images", default="/work/shared/data/images/set12")
    a = ap.parse_args()
    names = sorted(n for n in os.listdir(a.images) if n.endswith(".png"))
    clean = [np.array(Image.open(os.path.join(a.images, n)).convert("L"))
             for n in names]
    paths = a.paths.split(",")
    print("%-6s %8s " % ("sigma", "noisy") +
          " ".join("%8s" % p for p in paths) +
          ("  %8s" % ("%s-%s" % (paths[1], paths[0])) if len(paths) == 2
           else ""))
    with tempfile.TemporaryDirectory() as tmp:
        for sigma in [float(s) for s in a.sigmas.split(",")]:
            np.random.seed(0)
            noisy = [np.clip(np.round(c + np.random.randn(*c.shape) * sigma),
                             0, 255).astype(np.uint8) for c in clean]
            res = {p: np.mean([psnr(c, denoise(n, sigma, p, tmp))
                               for c, n in zip(clean, noisy)]) for p in paths}
            line = "%-6g %8.3f " % (sigma, np.mean(
                [psnr(c, n) for c, n in zip(clean, noisy)]))
            line += " ".join("%8.3f" % res[p] for p in paths)
            if len(paths) == 2:
                line += "  %+8.3f" % (res[paths[1]] - res[paths[0]])
            print(line, flush=True)


if __name__ == "__main__":
    main()
