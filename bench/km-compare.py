#!/usr/bin/python3
"""Speed of the kmeansseg segmenter beside OpenCV and scikit-learn k-means.

Frames: the first --frames frames (default 20) of the static real clip
video/one-by-one-person-detection.mp4 (768x432, 10 fps), upscaled by ffmpeg
(bicubic) to 1280x720 and 1920x1080, rgb24.  Every method labels every
pixel of every frame it times; times are wall clock on --threads threads
(default 2: OMP_NUM_THREADS, cv2.setNumThreads, km-fit --threads).

  ours          bench/km-fit over the frames in order, element defaults
                (k-means on the 2% sample lattice, max-iterations 10, warm
                start from the previous frame, seed 0) in "labels" mode,
                --no-counts; the time is km_segmenter_process per frame as
                km-fit reports it (fit + labelling of the full frame, no
                file I/O), frame 0 (k-means++) left out.
  ours cold     the same with --no-warm-start: k-means++ on every frame.
  ours sf=1     --sample-fraction 1.0 --no-warm-start: fitted on every pixel
                like the libraries below.
  km-bench      bench/km-bench --raw (first frame as RGBx, repeated),
                posterize mode: the element's own speed benchmark.
  cv2.kmeans    float32 pixels (N, 3), criteria EPS|MAX_ITER with 10
                iterations and eps 0.01, attempts=1, KMEANS_PP_CENTERS.
  sk KMeans     KMeans(n_init=1, max_iter=10, algorithm="lloyd",
                random_state=0) on float32 pixels.
  sk MiniBatch  MiniBatchKMeans(n_init=1, random_state=0, other defaults:
                batch_size 1024, early stop), fit (labels all pixels).
The library methods run on --sample frames (default 1, spread over the
clip), --runs times each (default 3); fps = 1 / median frame time.  "mse" is
the mean squared RGB error per pixel of each method's result on the last of
those frames (against its own centroids; for ours, that frame of the
sequence), to show what the time buys.

Usage: bench/km-compare.py [DATA_DIR] [--build build-bench] [--ks 8]
           [--sizes 1280x720,1920x1080] [--frames 20] [--sample 1]
           [--runs 3] [--threads 2]
DATA_DIR defaults to ../shared/data relative to the repository root.  With
no data it says so and exits 0.  It measures; it does not assert.
"""
import argparse
import os
import sys


def _threads_from_argv():
    for i, a in enumerate(sys.argv):
        if a == "--threads" and i + 1 < len(sys.argv):
            return sys.argv[i + 1]
        if a.startswith("--threads="):
            return a.split("=", 1)[1]
    return "2"


# before numpy, OpenCV and sklearn start their thread pools
for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = _threads_from_argv()

import json  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLIP = "video/one-by-one-person-detection.mp4"


def mse(x, labels, centers):
    d = x - centers[labels]
    return float(np.einsum("ij,ij->", d, d)) / len(x)


def decode(path, w, h, n):
    cmd = ["ffmpeg", "-v", "error", "-nostdin", "-i", path,
           "-frames:v", str(n), "-vf", f"scale={w}:{h}:flags=bicubic",
           "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
    raw = subprocess.run(cmd, stdout=subprocess.PIPE, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, h, w, 3)


def ours(exe, frames, k, args, tmp, extra, at):
    h, w = frames.shape[1:3]
    lab = os.path.join(tmp, "labels.bin")
    per_run = []
    for _ in range(args.runs):
        p = subprocess.run([exe, "--size", f"{w}x{h}", "-k", str(k),
                            "--threads", str(args.threads), "--no-counts",
                            "--labels", lab, *extra, "-"],
                           input=frames.tobytes(), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, check=True)
        stats = [json.loads(s) for s in p.stdout.decode().splitlines()]
        per_run.append(np.median([s["ms"] for s in stats[1:]]))
    labels = np.fromfile(lab, np.uint8).reshape(len(frames), -1)
    c = np.array(stats[at]["centroids_rgb"], np.float64)
    x = frames[at].reshape(-1, 3).astype(np.float64)
    return 1000.0 / np.median(per_run), mse(x, labels[at].astype(int), c)


def km_bench(exe, frame, k, args, tmp):
    h, w = frame.shape[:2]
    raw = os.path.join(tmp, "frame.rgbx")
    rgbx = np.concatenate([frame, np.zeros((h, w, 1), np.uint8)], axis=2)
    rgbx.tofile(raw)            # stride 4w: a multiple of 32 at these sizes
    p = subprocess.run([exe, "--format", "RGBx", "--size", f"{w}x{h}",
                        "-k", str(k), "--threads", str(args.threads),
                        "--frames", "50", "--runs", "5", "--raw", raw],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       check=True)
    return float(re.search(r"fps=([0-9.]+)", p.stdout.decode()).group(1))


def timed(fn, frames, args):
    times, q = [], None
    for f in frames:
        x = f.reshape(-1, 3).astype(np.float32)
        for _ in range(args.runs):
            t0 = time.perf_counter()
            labels, centers = fn(x)
            times.append(time.perf_counter() - t0)
        q = mse(x.astype(np.float64), labels.ravel().astype(int),
                np.asarray(centers, np.float64))
    return 1.0 / np.median(times), q


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data", nargs="?",
                    default=os.path.join(REPO, "..", "shared", "data"))
    ap.add_argument("--build", default=os.path.join(REPO, "build-bench"))
    ap.add_argument("--ks", default="8")
    ap.add_argument("--sizes", default="1280x720,1920x1080")
    ap.add_argument("--frames", type=int, default=20)
    ap.add_argument("--sample", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    clip = os.path.join(os.path.abspath(args.data), CLIP)
    if not os.path.exists(clip):
        print(f"km-compare: {clip} not found; skipping")
        return 0
    fit_exe = os.path.join(args.build, "bench", "km-fit")
    bench_exe = os.path.join(args.build, "bench", "km-bench")
    if not os.access(fit_exe, os.X_OK):
        print(f"km-compare: {fit_exe} not built; skipping")
        return 0

    import cv2
    from sklearn.cluster import KMeans, MiniBatchKMeans
    from threadpoolctl import threadpool_limits
    cv2.setNumThreads(args.threads)
    threadpool_limits(args.threads)

    def cv(k):
        crit = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 10, 0.01)

        def f(x):
            cv2.setRNGSeed(0)
            _, lab, cen = cv2.kmeans(x, k, None, crit, 1,
                                     cv2.KMEANS_PP_CENTERS)
            return lab, cen
        return f

    def sk(k):
        def f(x):
            m = KMeans(n_clusters=k, n_init=1, max_iter=10,
                       algorithm="lloyd", random_state=0).fit(x)
            return m.labels_, m.cluster_centers_
        return f

    def mb(k):
        def f(x):
            m = MiniBatchKMeans(n_clusters=k, n_init=1,
                                random_state=0).fit(x)
            return m.labels_, m.cluster_centers_
        return f

    print(f"k-means speed, frames per second (fps) and mse per pixel, "
          f"{args.threads} threads; clip {CLIP} upscaled")
    hdr = f"{'size':9} {'k':>3} {'method':14} {'fps':>9} {'mse':>8}"
    print(hdr)
    print("-" * len(hdr))
    with tempfile.TemporaryDirectory(prefix="km-compare-") as tmp:
        for size in args.sizes.split(","):
            w, h = (int(v) for v in size.split("x"))
            frames = decode(clip, w, h, args.frames)
            pick = np.linspace(0, len(frames) - 1, args.sample).astype(int)
            for k in (int(v) for v in args.ks.split(",")):
                at = int(pick[-1])
                rows = [
                    ("ours", *ours(fit_exe, frames, k, args, tmp, [], at)),
                    ("ours cold", *ours(fit_exe, frames, k, args, tmp,
                                        ["--no-warm-start"], at)),
                    ("ours sf=1", *ours(fit_exe, frames, k, args, tmp,
                                        ["--no-warm-start",
                                         "--sample-fraction", "1.0"], at)),
                ]
                if os.access(bench_exe, os.X_OK):
                    rows.append(("km-bench", km_bench(bench_exe, frames[0],
                                                      k, args, tmp),
                                 float("nan")))
                sel = frames[pick]
                rows += [("cv2.kmeans", *timed(cv(k), sel, args)),
                         ("sk KMeans", *timed(sk(k), sel, args)),
                         ("sk MiniBatch", *timed(mb(k), sel, args))]
                for name, fps, q in rows:
                    print(f"{size:9} {k:3d} {name:14} {fps:9.2f} {q:8.2f}",
                          flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
