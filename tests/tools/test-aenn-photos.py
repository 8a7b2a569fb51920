#!/usr/bin/python3
"""tools/aenn-photos, the photograph training set builder.

    test-aenn-photos.py fake AENN_PHOTOS AENN_TRAIN
        against a tiny fake package tree made here (runs anywhere with
        python3-pil): the manifest's rows built at every scale, each at least
        2x smaller and antialiased; files not in the manifest, or listed as
        not photographs, refused; a licence, a hash or a size that does not
        match the package refused; a missing package skips (77) and writes
        nothing; a folder with other files refused; aenn-train --photos
        builds the set when the folder is empty and trains on it, a plane
        model and a joint-colour (yuv420) one; without the packages both
        stop with an error naming scripts/deps.sh train.
    test-aenn-photos.py real AENN_PHOTOS [AENN_TRAIN]
        the real manifest (models/photos.tsv) against the installed
        packages: every row's file, hash, size and licence checked (--list),
        one photograph built and a yuv420 model trained on it; 77 when the
        packages are not installed (scripts/deps.sh train).
"""

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile

SKIP = 77
failures = []
passes = []
TMP = []


def mkdtemp(prefix):
    d = tempfile.mkdtemp(prefix=prefix)
    TMP.append(d)
    return d


def check(cond, what):
    print("%s - %s" % ("ok" if cond else "not ok", what))
    (passes if cond else failures).append(what)


def run(cmd, **kw):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, **kw)
    return p.returncode, p.stdout, p.stderr


COPYRIGHT = """Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: fake-wallpapers

Files: *
Copyright: 2020, Someone
License: GPL-2+

Files: 1.0/lake_by_A.jpg
Copyright: 2021, A
License: CC-BY-SA-4.0

Files: nature/Grass.png
       nature/Sky-*.png
Copyright: 2022, B
License: CC0-1.0

Files: debian/*
Copyright: 2023, C
License: Expat

License: GPL-2+
 This program is free software...

License: CC-BY-SA-4.0
 Attribution-ShareAlike 4.0 International
"""


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def make_tree(root, Image):
    """Fake packages fake-wallpapers (four images) and other-wallpapers
    (copyright only), installed under root."""
    import random
    rnd = random.Random(1)
    doc = os.path.join(root, "usr/share/doc/fake-wallpapers")
    os.makedirs(doc)
    with open(os.path.join(doc, "copyright"), "w") as f:
        f.write(COPYRIGHT)
    bg = os.path.join(root, "usr/share/backgrounds")
    os.makedirs(os.path.join(bg, "nature"))
    # a "photograph": smooth colour with texture, 301x203 (odd sizes)
    im = Image.new("RGB", (301, 203))
    im.putdata([((x * 255) // 301, (y * 255) // 203, rnd.randrange(256))
                for y in range(203) for x in range(301)])
    im.save(os.path.join(bg, "lake_by_A.jpg"), quality=95)
    # a one-pixel checkerboard: point sampling would keep 0 and 255, an
    # antialiasing filter gives mid grey
    g = Image.new("L", (256, 160))
    g.putdata([255 * ((x + y) % 2) for y in range(160) for x in range(256)])
    g.save(os.path.join(bg, "nature/Grass.png"))
    Image.new("RGB", (200, 200), (10, 20, 30)).save(
        os.path.join(bg, "nature/Sky-1.png"))
    # a drawing (listed, photograph=no) and a file the manifest does not list
    Image.new("RGB", (200, 200), (200, 0, 0)).save(
        os.path.join(bg, "drawing.png"))
    Image.new("RGB", (200, 200), (0, 200, 0)).save(
        os.path.join(bg, "unlisted.png"))
    os.makedirs(os.path.join(root, "usr/share/doc/other-wallpapers"))
    with open(os.path.join(root, "usr/share/doc/other-wallpapers/copyright"),
              "w") as f:
        f.write("Files: *\nCopyright: 2020, D\nLicense: CC-BY-4.0\n")


def manifest_rows(root):
    bg = "/usr/share/backgrounds/"

    def row(path, lic, photo, use, w, h, note="photograph",
            pkg="fake-wallpapers"):
        return [pkg, path, lic, photo, use, str(w), str(h),
                sha(os.path.join(root, path.lstrip("/"))), note]
    return [row(bg + "lake_by_A.jpg", "CC-BY-SA-4.0", "yes", "train", 301, 203),
            row(bg + "nature/Grass.png", "CC0-1.0", "yes", "train", 256, 160),
            row(bg + "nature/Sky-1.png", "CC0-1.0", "yes", "holdout", 200, 200),
            row(bg + "drawing.png", "GPL-2+", "no", "-", 200, 200, "drawing")]


def write_manifest(path, rows):
    with open(path, "w") as f:
        f.write("# package\tpath\tlicence\tphotograph\tuse\twidth\theight\t"
                "sha256\tnote\n")
        for r in rows:
            f.write("\t".join(r) + "\n")


def train_config(model):
    """aenn.train.config of a model file's safetensors metadata."""
    import json
    import struct
    with open(model, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
    return json.loads(header["__metadata__"]["aenn.train.config"])


# a small joint-colour (yuv420) architecture: its photographs are read as
# RGB and converted per patch
YUV420_ARCH = (
    '{"in_channels": 6, "layout": "yuv420", "residual": true, "output": '
    '"n", "layers": [{"op": "sigma", "name": "s", "level": 0, "channel": 4, '
    '"out": "s"}, {"op": "concat", "name": "k", "in": ["x", "s"], "out": '
    '"h"}, {"op": "conv", "name": "c", "in": ["h"], "out": "n", '
    '"out_channels": 6, "kernel": 3, "pad": "replicate"}]}')


def train_yuv420(train, photos, tmp, env=None):
    """aenn-train of YUV420_ARCH on photos for 3 steps: (rc, out, err,
    model path)."""
    arch = os.path.join(tmp, "yuv420.arch.json")
    with open(arch, "w") as f:
        f.write(YUV420_ARCH)
    model = os.path.join(tmp, "yuv420.safetensors")
    rc, so, se = run([train, "--arch", arch, "--photos", photos, "--out",
                      model, "--steps", "3", "--batch", "2", "--patch", "8",
                      "--warmup", "1", "--threads", "1", "--val-every", "3"],
                     env=env)
    return rc, so, se, model


def fake(tool, train):
    try:
        from PIL import Image
    except ImportError:
        print("SKIP: needs python3-pil")
        return SKIP
    tmp = mkdtemp("test-aenn-photos-")
    root = os.path.join(tmp, "root")
    make_tree(root, Image)
    man = os.path.join(tmp, "photos.tsv")
    rows = manifest_rows(root)
    write_manifest(man, rows)
    base = [tool, "--root", root, "--manifest", man]

    out = os.path.join(tmp, "set")
    rc, so, se = run(base + ["--out", out])
    check(rc == 0, "builds the training rows (rc %d: %s)" % (rc, se.strip()))
    names = sorted(os.listdir(out)) if os.path.isdir(out) else []
    check(len(names) == 2 * 3, "two training photos x 3 scales: %s" % names)
    check(not any("Sky" in n or "drawing" in n for n in names),
          "held-out and non-photograph rows not in the training set")
    sizes = {}
    for n in names:
        with Image.open(os.path.join(out, n)) as im:
            sizes[n] = (im.size, im.mode)
    for src, (w, h), mode in (("lake_by_A", (301, 203), "RGB"),
                              ("Grass", (256, 160), "RGB")):
        for s in (2, 3, 4):
            n = "fake-wallpapers--%s--x%d.png" % (src, s)
            got = sizes.get(n)
            want = (round(w / s), round(h / s))
            check(got is not None and got[0] == want and got[1] == mode,
                  "%s: %s, expected %s %s" % (n, got, want, mode))
            if got:
                check(got[0][0] * 2 <= w + 1 and got[0][1] * 2 <= h + 1,
                      "%s downscaled at least 2x" % n)
    with Image.open(os.path.join(out, "fake-wallpapers--Grass--x2.png")) as im:
        px = list(im.convert("L").getdata())
    mid = sum(1 for v in px if 96 <= v <= 160) / len(px)
    check(mid > 0.95, "checkerboard downscaled to grey (antialiased): %.3f "
          "of pixels within 96..160" % mid)
    check(so.count("\n") == 7 and "CC-BY-SA-4.0" in so and "CC0-1.0" in so,
          "prints each file written with its licence, and a summary")

    rc, so, se = run(base + ["--out", os.path.join(tmp, "h"), "--use",
                             "holdout", "--scales", "2", "--grey"])
    hn = os.listdir(os.path.join(tmp, "h")) if rc == 0 else []
    check(rc == 0 and hn == ["fake-wallpapers--Sky-1--x2.png"],
          "--use holdout --grey: the held-out row only (%s)" % hn)
    if hn:
        with Image.open(os.path.join(tmp, "h", hn[0])) as im:
            check(im.mode == "L" and im.size == (100, 100), "grey, 100x100")

    for scales in ("1", "1.5", "2,1", "x"):
        rc, so, se = run(base + ["--out", os.path.join(tmp, "s"),
                                 "--scales", scales])
        check(rc == 2 and not os.path.exists(os.path.join(tmp, "s")),
              "--scales %s refused (rc %d), nothing written" % (scales, rc))

    bg = "/usr/share/backgrounds/"
    rc, so, se = run(base + ["--out", os.path.join(tmp, "u"),
                             bg + "unlisted.png"])
    check(rc == 2 and "not in the manifest" in se
          and not os.path.exists(os.path.join(tmp, "u")),
          "a file not in the manifest refused (rc %d: %s)" % (rc, se.strip()))
    rc, so, se = run(base + ["--out", os.path.join(tmp, "u"),
                             bg + "drawing.png"])
    check(rc == 2 and "not a photograph" in se,
          "a row listed as not a photograph refused (rc %d)" % rc)
    rc, so, se = run(base + ["--out", os.path.join(tmp, "one"),
                             bg + "nature/Grass.png"])
    check(rc == 0 and len(os.listdir(os.path.join(tmp, "one"))) == 3,
          "one listed photograph by path")

    def bad_manifest(i, col, value):
        bad = [list(r) for r in rows]
        bad[i][col] = value
        p = os.path.join(tmp, "bad.tsv")
        write_manifest(p, bad)
        d = os.path.join(tmp, "bad-out")
        rc, so, se = run([tool, "--root", root, "--manifest", p, "--out", d])
        return rc, se, os.path.exists(d)

    rc, se, wrote = bad_manifest(0, 2, "CC0-1.0")
    check(rc == 1 and "copyright gives CC-BY-SA-4.0" in se and not wrote,
          "a licence the copyright file does not give refused (%s)"
          % se.strip())
    rc, se, wrote = bad_manifest(0, 7, "0" * 64)
    check(rc == 1 and "SHA-256" in se and not wrote, "a changed file refused")
    rc, se, wrote = bad_manifest(1, 5, "999")
    check(rc == 1 and "256x160" in se and not wrote, "a size mismatch refused")
    rc, se, wrote = bad_manifest(1, 0, "missing-wallpapers")
    check(rc == SKIP and "missing-wallpapers" in se and not wrote,
          "a package not installed: 77, nothing written (%s)" % se.strip())
    # a non-free licence: the copyright file of other-wallpapers says
    # CC-BY-4.0 (free); make one that says a proprietary licence
    with open(os.path.join(root, "usr/share/doc/other-wallpapers/copyright"),
              "w") as f:
        f.write("Files: *\nCopyright: 2020, D\nLicense: proprietary\n")
    bad = [list(rows[1])]
    bad[0][0], bad[0][2] = "other-wallpapers", "proprietary"
    write_manifest(os.path.join(tmp, "bad.tsv"), bad)
    rc, so, se = run([tool, "--root", root, "--manifest",
                      os.path.join(tmp, "bad.tsv"), "--out",
                      os.path.join(tmp, "nf")])
    check(rc == 1 and "not one of the free licences" in se,
          "a non-free licence refused (%s)" % se.strip())

    stray = os.path.join(tmp, "stray")
    os.makedirs(stray)
    open(os.path.join(stray, "notes.txt"), "w").close()
    rc, so, se = run(base + ["--out", stray])
    check(rc == 1 and os.listdir(stray) == ["notes.txt"],
          "an output folder with other files refused")
    rc, so, se = run(base + ["--out", out, "--scales", "2"])
    check(rc == 0 and len(os.listdir(out)) == 2,
          "rebuilding a folder drops the other scales of a previous run")

    # aenn-train --photos: an empty folder is built by the builder
    # ($AENN_PHOTOS, here a wrapper onto the fake tree), then trained on
    if train:
        wrap = os.path.join(tmp, "builder.sh")
        with open(wrap, "w") as f:
            f.write("#!/bin/sh\nexec %s %s --root %s --manifest %s \"$@\"\n"
                    % (sys.executable, tool, root, man))
        os.chmod(wrap, 0o755)
        env = dict(os.environ, AENN_PHOTOS=wrap)
        pdir = os.path.join(tmp, "photos")
        model = os.path.join(tmp, "m.safetensors")
        cmd = [train, "--photos", pdir, "--frames-ratio", "0.5", "--out",
               model, "--steps", "3", "--batch", "2", "--patch", "16",
               "--warmup", "1", "--threads", "1", "--val-every", "3"]
        rc, so, se = run(cmd, env=env)
        check(rc == 0 and "6 photographs" in so and os.path.isfile(model)
              and len(os.listdir(pdir)) == 6,
              "aenn-train --photos builds the set and trains (rc %d: %s%s)"
              % (rc, so[-300:], se[-300:]))
        check(train_config(model).get("frames_ratio") == 0.5,
              "--frames-ratio 0.5 kept")
        cmd2 = [c for i, c in enumerate(cmd)
                if c != "--frames-ratio" and cmd[i - 1] != "--frames-ratio"]
        rc2, so, se = run(cmd2, env=dict(os.environ, AENN_PHOTOS="/bin/false"))
        check(rc2 == 0 and "6 photographs" in so,
              "a built folder is read, not rebuilt")
        check(rc2 == 0 and train_config(model).get("frames_ratio") == 0.75,
              "--photos alone: a quarter of dead leaves by default")
        empty = os.path.join(tmp, "photos-missing")
        bad = [list(r) for r in rows]
        bad[0][0] = "missing-wallpapers"
        write_manifest(os.path.join(tmp, "bad.tsv"), bad)
        with open(wrap, "w") as f:
            f.write("#!/bin/sh\nexec %s %s --root %s --manifest %s \"$@\"\n"
                    % (sys.executable, tool, root,
                       os.path.join(tmp, "bad.tsv")))
        cmd[2] = empty
        rc, so, se = run(cmd, env=env)
        check(rc == 1 and "scripts/deps.sh train" in se,
              "aenn-train --photos without the packages: an error naming "
              "scripts/deps.sh train (rc %d: %s)" % (rc, se.strip()))
        # a yuv420 model on the same (RGB) photographs, and without the
        # packages the same error
        rc, so, se, m = train_yuv420(train, pdir, tmp)
        check(rc == 0 and "6 photographs" in so and "yuv420 layout" in so
              and os.path.isfile(m),
              "a yuv420 model trains on --photos (rc %d: %s%s)"
              % (rc, so[-300:], se[-300:]))
        rc, so, se, m = train_yuv420(train, os.path.join(tmp, "none"), tmp,
                                     env)
        check(rc == 1 and "scripts/deps.sh train" in se,
              "a yuv420 model, --photos without the packages: an error "
              "naming scripts/deps.sh train (rc %d: %s)" % (rc, se.strip()))

    print("%d passed, %d failed" % (len(passes), len(failures)))
    return 1 if failures else 0


def real(tool, train):
    rc, so, se = run([tool, "--list", "--use", "all"])
    if rc == SKIP:
        print("SKIP: %s" % se.strip())
        return SKIP
    check(rc == 0, "every photograph of models/photos.tsv matches its "
          "package: file, SHA-256, size, licence (rc %d: %s)"
          % (rc, se.strip()))
    n = so.count("\n")
    check(n >= 30, "%d photographs listed" % n)
    tmp = mkdtemp("test-aenn-photos-real-")
    rc, so, se = run([tool, "--out", tmp, "--scales", "2",
                      "/usr/share/backgrounds/mate/nature/Garden.jpg"])
    check(rc == 0 and os.listdir(tmp) == ["mate-backgrounds--Garden--x2.png"],
          "one real photograph built (rc %d: %s)" % (rc, se.strip()))
    if train:
        work = mkdtemp("test-aenn-photos-real-yuv420-")
        rc, so, se, m = train_yuv420(train, tmp, work)
        check(rc == 0 and "1 photographs" in so and os.path.isfile(m),
              "a yuv420 model trains on a real photograph (rc %d: %s%s)"
              % (rc, so[-300:], se[-300:]))
    print("%d passed, %d failed" % (len(passes), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in ("fake", "real"):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    try:
        if sys.argv[1] == "fake":
            rc = fake(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
        else:
            rc = real(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
    finally:
        for d in TMP:
            shutil.rmtree(d, ignore_errors=True)
    sys.exit(rc)
