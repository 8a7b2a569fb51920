#!/usr/bin/python3
"""aenn-arch-search: the short training runs that chose the default
architecture (models/README.md).  Each candidate is trained with
build/tools/aenn-train for --steps steps of --batch patches (the default
model's recipe otherwise) and measured on Set12 at sigma 25 through the
element on the float path (bench/aenn-set12.py --paths avx512).

Candidates: "previous" (the FFDNet-like 585-MAC net of commit 5006c0a) and
two-level U-Nets "E:M:N": a 3x3 convolution of E channels at half
resolution, a 1x1 projection to M channels at a quarter, N 3x3
convolutions of M with a skip, a 1x1 expansion back, an add, and a 3x3
convolution to the noise (the shape of aenn_default_architecture (), which
is 14:8:2).

    bench/aenn-arch-search.py [--out DIR] [--steps 4000] [--batch 16]
        [CANDIDATE ...]      default: previous 12:16:2 8:16:3 8:20:2
                             12:12:2 10:12:2 12:8:2 16:8:2
"""
import argparse
import json
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def conv(name, i, o, c, k, act="leaky_relu"):
    d = {"op": "conv", "name": name, "in": [i], "out": o, "out_channels": c,
         "kernel": k, "pad": "replicate", "act": act}
    if act == "leaky_relu":
        d["slope"] = 0.0625
    return d


def unet(e, m, n):
    L = [{"op": "s2d", "name": "down1", "in": ["x"], "out": "x1"},
         {"op": "sigma", "name": "sigma", "level": 1, "out": "s"},
         {"op": "concat", "name": "cat", "in": ["x1", "s"], "out": "h0"},
         conv("enc1", "h0", "e1", e, 3),
         {"op": "s2d", "name": "down2", "in": ["e1"], "out": "e1d"},
         conv("proj", "e1d", "m0", m, 1)]
    prev = "m0"
    for j in range(n):
        L.append(conv("mid%d" % (j + 1), prev, "m%d" % (j + 1), m, 3))
        prev = "m%d" % (j + 1)
    L += [{"op": "add", "name": "skip1", "in": [prev, "m0"], "out": "mm"},
          conv("expand", "mm", "q", 4 * e, 1),
          {"op": "d2s", "name": "up1", "in": ["q"], "out": "u1"},
          {"op": "add", "name": "skip2", "in": ["u1", "e1"], "out": "u2"},
          conv("out", "u2", "o", 4, 3, "none"),
          {"op": "d2s", "name": "up2", "in": ["o"], "out": "noise"}]
    return {"in_channels": 1, "residual": True, "output": "noise",
            "layers": L}


def previous():
    L = [{"op": "s2d", "name": "down1", "in": ["x"], "out": "x1"},
         {"op": "s2d", "name": "down2", "in": ["x1"], "out": "x2"},
         {"op": "sigma", "name": "sigma", "level": 2, "out": "s"},
         {"op": "concat", "name": "cat", "in": ["x2", "s"], "out": "h0"},
         conv("conv1", "h0", "h1", 16, 3), conv("conv2", "h1", "h2", 16, 3),
         conv("conv3", "h2", "h3", 16, 3),
         {"op": "add", "name": "skip", "in": ["h3", "h1"], "out": "h4"},
         conv("conv4", "h4", "h5", 16, 3, "none"),
         {"op": "d2s", "name": "up1", "in": ["h5"], "out": "u1"},
         {"op": "d2s", "name": "up2", "in": ["u1"], "out": "noise"}]
    return {"in_channels": 1, "residual": True, "output": "noise",
            "layers": L}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("candidates", nargs="*", default=[
        "previous", "12:16:2", "8:16:3", "8:20:2", "12:12:2", "10:12:2",
        "12:8:2", "16:8:2"])
    ap.add_argument("--out", default=os.path.join(REPO, "build",
                                                  "arch-search"))
    ap.add_argument("--steps", type=int, default=4000)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    train = os.path.join(a.build, "tools", "aenn-train")
    for cand in a.candidates:
        arch = previous() if cand == "previous" else \
            unet(*[int(v) for v in cand.split(":")])
        name = cand.replace(":", "-")
        jf = os.path.join(a.out, name + ".json")
        mf = os.path.join(a.out, name + ".safetensors")
        with open(jf, "w") as f:
            json.dump(arch, f)
        p = subprocess.run(
            [train, "--arch", jf, "--out", mf, "--steps", str(a.steps),
             "--batch", str(a.batch), "--patch", "64", "--lr", "2e-3",
             "--lr-min", "2e-5", "--warmup", "200", "--threads", "2",
             "--val-every", str(a.steps), "--checkpoint-every",
             str(a.steps), "--log-every", str(a.steps)],
            stdout=subprocess.PIPE, universal_newlines=True)
        if p.returncode != 0:
            sys.exit("aenn-arch-search: training %s failed" % cand)
        macs = p.stdout.split(":")[1].split("MACs")[0].strip()
        val = p.stdout.strip().splitlines()[-1]
        val = val[val.index("validation"):].split(",")[0]
        q = subprocess.run(
            [sys.executable, os.path.join(REPO, "bench", "aenn-set12.py"),
             "--paths", "avx512", "--sigmas", "25", "--model", mf,
             "--build", a.build],
            stdout=subprocess.PIPE, universal_newlines=True, check=True)
        print("%-9s %4s MACs/px  %s  Set12 sigma 25: %s" % (
            cand, macs, val, q.stdout.strip().splitlines()[-1].split()[2]),
            flush=True)


if __name__ == "__main__":
    main()
