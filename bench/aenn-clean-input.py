#!/usr/bin/python3
"""Clean input through aedenoise: how much it changes a frame that has no
noise, at small given noise levels and blind, and whether it leaves a fixed
pattern on the pixel phases (issue 10 point 5: at noise level 0, given or
estimated, the output must be the input at 45 dB or more, every 2x2 and 4x4
luma phase's mean offset within 0.25 level).

    bench/aenn-clean-input.py BUILD_DIR IMAGE [IMAGE...] [--levels 0,0.5,1,2,4]
        [--model FILE] [--scale 4] [--format I420]

Each image (any format PIL reads; use images that are not measuring sets)
is downscaled SCALE times (area filter) to remove its own noise, converted
to the format by videoconvert and pushed through the element at each level
and blind (noise-level=-1). Prints PSNR of the output against the input,
the largest change in levels, and the largest per-phase mean offset."""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image


def run_element(build, raw, w, h, fmt, props, out):
    env = dict(os.environ, GST_PLUGIN_PATH_1_0=os.path.join(build, "plugins"),
               GST_REGISTRY_1_0=os.path.join(tempfile.gettempdir(),
                                              "aenn-clean-input.reg"))
    cmd = ["gst-launch-1.0", "-q", "filesrc", f"location={raw}", "!",
           "rawvideoparse", "format=rgb", f"width={w}", f"height={h}",
           "framerate=1/1", "!", "videoconvert", "!",
           f"video/x-raw,format={fmt}", "!", "tee", "name=t",
           "t.", "!", "queue", "!", "filesink", f"location={out}.in",
           "t.", "!", "queue", "!", "aedenoise"] + props + [
           "!", "filesink", f"location={out}"]
    subprocess.run(cmd, check=True, env=env)


def luma(path, w, h):
    return np.fromfile(path, np.uint8)[: w * h].reshape(h, w).astype(np.float64)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("build")
    ap.add_argument("images", nargs="+")
    ap.add_argument("--levels", default="0,0.5,1,2,4")
    ap.add_argument("--model", default="")
    ap.add_argument("--scale", type=int, default=4)
    ap.add_argument("--format", default="I420")
    a = ap.parse_args()
    levels = [float(v) for v in a.levels.split(",")] + [-1.0]
    print(f"{'image':24s} {'level':>6s} {'PSNR':>7s} {'max':>4s} "
          f"{'phase 2x2':>9s} {'phase 4x4':>9s}")
    with tempfile.TemporaryDirectory() as tmp:
        for path in a.images:
            im = Image.open(path).convert("RGB")
            w = im.width // a.scale // 8 * 8
            h = im.height // a.scale // 8 * 8
            im = im.resize((w, h), Image.BOX)
            raw = os.path.join(tmp, "in.rgb")
            np.asarray(im, np.uint8).tofile(raw)
            for lv in levels:
                out = os.path.join(tmp, "out")
                props = [f"noise-level={lv}"]
                if a.model:
                    props.append(f"model-file={a.model}")
                run_element(a.build, raw, w, h, a.format, props, out)
                x, y = luma(out + ".in", w, h), luma(out, w, h)
                d = y - x
                mse = max(np.mean(d * d), 1e-10)
                ph = [max(abs(d[i::k, j::k].mean()) for i in range(k)
                          for j in range(k)) for k in (2, 4)]
                name = os.path.basename(path)[:24]
                print(f"{name:24s} {'blind' if lv < 0 else lv:>6} "
                      f"{10 * np.log10(255 ** 2 / mse):7.2f} "
                      f"{int(np.abs(d).max()):4d} {ph[0]:9.3f} {ph[1]:9.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
