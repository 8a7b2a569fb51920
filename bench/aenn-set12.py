#!/usr/bin/python3
"""aenn-set12: mean PSNR of aedenoise on Set12, per kernel path and sigma.

  bench/aenn-set12.py [--paths avx512,vnni] [--sigmas 15,25,50]
      [--images DIR] [--build build] [--model FILE]

The protocol and the element runner of tools/aenn-eval (numpy seed 0 once
per sigma, images in name order, noise clipped and rounded to 8 bits; the
images through gst-launch-1.0 and aedenoise with noise-level = sigma), with
GST_UNSUPERVISED_KERNELS set to each path in turn; PSNR against the clean
image on 0..255. Needs Debian's /usr/bin/python3 (numpy, PIL)."""
import argparse
import os
import sys
import tempfile

import numpy as np

from aenn_eval_lib import REPO, ae


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--paths", default="avx512,vnni")
    ap.add_argument("--sigmas", default="15,25,50")
    ap.add_argument("--images", default=os.path.join(
        REPO, "..", "shared", "data", "images", "set12"))
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--model", default="default")
    a = ap.parse_args()
    if not os.path.isdir(a.images):
        print("aenn-set12: no images at %s: nothing measured" % a.images)
        return
    try:
        _, clean = ae.load_set(a.images)
    except ae.EvalError as e:
        sys.exit("aenn-set12: %s" % e)
    paths = a.paths.split(",")
    print("%-6s %8s " % ("sigma", "noisy") +
          " ".join("%8s" % p for p in paths) +
          ("  %8s" % ("%s-%s" % (paths[1], paths[0])) if len(paths) == 2
           else ""))
    with tempfile.TemporaryDirectory() as tmp:
        runners = {}
        for p in paths:
            runners[p] = ae.Aedenoise(a.model, False, a.build, tmp)
            runners[p].env["GST_UNSUPERVISED_KERNELS"] = p
        for sigma in ae.parse_sigmas(a.sigmas):
            noisy = ae.add_noise(clean, sigma)
            res = {}
            for p in paths:
                out, _, _ = runners[p].run(noisy, sigma)
                res[p] = np.mean([ae.psnr(c, o) for c, o in zip(clean, out)])
            line = "%-6g %8.3f " % (sigma, np.mean(
                [ae.psnr(c, n) for c, n in zip(clean, noisy)]))
            line += " ".join("%8.3f" % res[p] for p in paths)
            if len(paths) == 2:
                line += "  %+8.3f" % (res[paths[1]] - res[paths[0]])
            print(line, flush=True)


if __name__ == "__main__":
    try:
        main()
    except ae.EvalError as e:
        sys.exit("aenn-set12: %s" % e)
