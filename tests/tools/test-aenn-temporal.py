#!/usr/bin/python3
"""The numpy model of the temporal mode (tools/aenn_temporal.py, what
tools/aenn-temporal-fit fits the parameters with) against the element
itself, and a run of the fit tool.

    test-aenn-temporal.py TOOLS_DIR BUILD_DIR

On generated sequences (a still scene, a layer moving over it) through
gst-launch-1.0: aedenoise temporal=false gives the spatial results, the
numpy step fuses them; aedenoise temporal=true must agree with it to a
fraction of a level on average (the element works on the float network
output and in fixed point, the model on the 8-bit spatial frames), give
the spatial result for the first frame, and beat the spatial results on
the still scene. Skips (77) without numpy, PIL or gst-launch-1.0."""

import os
import shutil
import subprocess
import sys
import tempfile

try:
    import numpy as np
    from PIL import Image
except ImportError:
    print('numpy or PIL missing: skipped')
    sys.exit(77)

tools, build = sys.argv[1], sys.argv[2]
sys.path.insert(0, tools)
import aenn_temporal as T  # noqa: E402

if shutil.which('gst-launch-1.0') is None:
    print('gst-launch-1.0 missing: skipped')
    sys.exit(77)

tmp = tempfile.mkdtemp(prefix='test-aenn-temporal-')
env = dict(os.environ)
failures = 0


def check(ok, what):
    global failures
    print(('ok: ' if ok else 'FAIL: ') + what, flush=True)
    failures += not ok


def element(frames, sigma, temporal):
    h, w = frames[0].shape
    fin, fout = os.path.join(tmp, 'in.raw'), os.path.join(tmp, 'out.raw')
    np.stack(frames).astype(np.uint8).tofile(fin)
    subprocess.run(['gst-launch-1.0', '-q', 'filesrc', 'location=' + fin, '!',
                    'rawvideoparse', 'width=%d' % w, 'height=%d' % h,
                    'format=gray8', 'framerate=10/1', '!', 'aedenoise',
                    'noise-level=%g' % sigma,
                    'temporal=%s' % ('true' if temporal else 'false'), '!',
                    'filesink', 'location=' + fout], env=env, check=True)
    return list(np.fromfile(fout, np.uint8).reshape(len(frames), h, w))


def psnr(a, b):
    return 10 * np.log10(255 ** 2 / np.mean((a.astype(float) - b) ** 2))


rng = np.random.default_rng(3)
h, w = 96, 128
yy, xx = np.mgrid[0:h, 0:w]
photo = (80 + 60 * np.sin(xx / 9.0) * np.cos(yy / 13.0) + 40 * (xx > 64)
         ).astype(np.float32)
other = (160 - 50 * np.cos(xx / 5.0 + yy / 7.0)).astype(np.float32)
photos = [np.clip(np.kron(photo, np.ones((2, 2))), 0, 255),
          np.clip(np.kron(other, np.ones((2, 2))), 0, 255)]
sigma = 20.0
for kind in ('static', 'layer'):
    clean = T.sequence(photos, rng, kind, 12, h, w)
    noisy = T.noisy(clean, sigma, rng)
    sp = element(noisy, sigma, False)
    tm = element(noisy, sigma, True)
    st = [T.Plane()]
    ref = []
    for x, s in zip(noisy, sp):
        o, _ = T.step(st, [x.astype(np.float32) / 255],
                      [s.astype(np.float32) / 255], [sigma])
        ref.append(np.clip(np.round(o[0] * 255), 0, 255))
    diff = np.mean([np.abs(a.astype(float) - b).mean()
                    for a, b in zip(tm, ref)])
    check(np.array_equal(tm[0], sp[0]), '%s: the first frame is the spatial '
          'result' % kind)
    check(diff < 0.5, '%s: element and numpy model within %.3f levels on '
          'average (< 0.5)' % (kind, diff))
    gain = np.mean([psnr(c, t) - psnr(c, s)
                    for c, t, s in zip(clean[4:], tm[4:], sp[4:])])
    if kind == 'static':
        check(gain > 2.0, 'static: temporal %.2f dB past spatial (> 2)'
              % gain)
    else:
        check(gain > -0.5, 'layer: temporal %+.2f dB against spatial '
              '(> -0.5)' % gain)

# the fit tool runs, end to end, on a tiny set
pdir = os.path.join(tmp, 'photos')
os.makedirs(pdir)
for i, p in enumerate(photos):
    Image.fromarray(p.astype(np.uint8)).save(os.path.join(pdir, '%d.png' % i))
out = subprocess.run([sys.executable, os.path.join(tools, 'aenn-temporal-fit'),
                      '--photos', pdir, '--build', build, '--size', '96x64',
                      '--frames', '4', '--per-kind', '1', '--sigmas', '25',
                      '--rounds', '0'], env=env, stdout=subprocess.PIPE,
                     stderr=subprocess.STDOUT, universal_newlines=True)
check(out.returncode == 0 and 'PARAMS = ' in out.stdout
      and '6 sequences' in out.stdout, 'aenn-temporal-fit runs (exit %d)'
      % out.returncode)
if out.returncode:
    print(out.stdout[-2000:])

shutil.rmtree(tmp, ignore_errors=True)
print('%d failed' % failures)
sys.exit(1 if failures else 0)
