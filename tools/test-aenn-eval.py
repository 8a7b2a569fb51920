#!/usr/bin/python3
"""meson test for tools/aenn-eval: two synthetic images (one grey of odd
width, one colour) through the default model and one peer; the noisy PSNR
and SSIM are recomputed here from the protocol, the model must beat the
noisy input, and bad input must fail.  Exit 77 (skip) when /usr/bin/python3
lacks numpy or gst-launch-1.0 is missing.

    test-aenn-eval.py AENN_EVAL BUILD_DIR
"""
import importlib.machinery
import importlib.util
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

SKIP = 77
try:
    import numpy as np
except ImportError:
    print('SKIP: numpy missing for', sys.executable)
    sys.exit(SKIP)
if not shutil.which('gst-launch-1.0'):
    print('SKIP: gst-launch-1.0 missing')
    sys.exit(SKIP)

tool, build = sys.argv[1], sys.argv[2]
failures = []


def check(cond, msg):
    print(('ok   ' if cond else 'FAIL ') + msg)
    if not cond:
        failures.append(msg)


def save(path, a):
    try:
        from PIL import Image
        Image.fromarray(a).save(path)
    except ImportError:
        import cv2
        cv2.imwrite(path, a if a.ndim == 2 else a[:, :, ::-1])


def scene(h, w, c):
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    u, v = x / w, y / h
    planes = []
    for k in range(c):
        p = 60 + 90 * u + 50 * v * (k + 1) / c
        p[(u - 0.45) ** 2 + (v - 0.5) ** 2 < 0.06] = 200 - 40 * k
        planes.append(p)
    a = np.stack(planes, -1) if c > 1 else planes[0]
    return np.clip(np.round(a), 0, 255).astype(np.uint8)


def protocol_noisy(images, sigma):
    np.random.seed(0)
    return [np.clip(np.round(im + np.random.randn(*im.shape) * sigma), 0, 255)
            .astype(np.uint8) for im in images]


def psnr(a, b):
    mse = np.mean((a.astype(float) - b.astype(float)) ** 2)
    return 10 * math.log10(255.0 ** 2 / mse)


def parse(out, sigma):
    """method label -> (psnr, ssim) from the plain-text table."""
    rows = {}
    lines = out.splitlines()
    head = [i for i, l in enumerate(lines) if l.startswith('method')]
    if len(head) != 1:
        return rows
    cols = lines[head[0]].split()
    ip, iq = cols.index('psnr%g' % sigma), cols.index('ssim%g' % sigma)
    for l in lines[head[0] + 1:]:
        if not l.strip():
            break
        # the label is left-justified in a column of at least 34, wider
        # than the longest label: the numbers follow
        h = lines[head[0]]
        w = h.index(cols[1]) + len(cols[1]) - 9
        label, nums = l[:w].strip(), l[w:].split()
        rows[label] = (float(nums[ip - 1]), float(nums[iq - 1]))
    return rows


sigma = 25
with tempfile.TemporaryDirectory(prefix='test-aenn-eval-') as d:
    # created out of name order: the protocol sorts by name
    imgs = {'b-grey.png': scene(47, 61, 1), 'a-colour.png': scene(36, 50, 3)}
    for n, a in imgs.items():
        save(os.path.join(d, n), a)
    clean = [imgs[n] for n in sorted(imgs)]
    noisy = protocol_noisy(clean, sigma)
    want_noisy = float(np.mean([psnr(c, n) for c, n in zip(clean, noisy)]))

    peer = None
    if shutil.which('ffmpeg'):
        peer, peer_label = 'hqdn3d', 'ffmpeg hqdn3d'
    else:
        try:
            import cv2  # noqa: F401
            peer, peer_label = 'opencv', 'opencv fastNlMeans'
        except ImportError:
            pass
    methods = 'aedenoise' + (',' + peer if peer else '')
    cmd = [tool, '--set', d, '--sigmas', str(sigma), '--build', build,
           '--methods', methods, '--model', 'default']
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    print(p.stdout)
    print(p.stderr, file=sys.stderr)
    check(p.returncode == 0, 'aenn-eval exits 0 (%d)' % p.returncode)
    rows = parse(p.stdout, sigma)
    check('noisy input' in rows and 'aedenoise' in rows,
          'the table parses and has the noisy and aedenoise rows: %s' % sorted(rows))
    if 'noisy input' in rows and 'aedenoise' in rows:
        got = rows['noisy input'][0]
        check(abs(got - want_noisy) < 0.006,
              'noisy PSNR %.2f matches the protocol recomputed here (%.4f)'
              % (got, want_noisy))
        try:
            from skimage.metrics import structural_similarity as ss
            want_ssim = np.mean([ss(c, n, gaussian_weights=True, sigma=1.5,
                                    use_sample_covariance=False, data_range=255,
                                    channel_axis=2 if c.ndim == 3 else None)
                                 for c, n in zip(clean, noisy)])
            check(abs(rows['noisy input'][1] - want_ssim) < 6e-5,
                  'noisy SSIM %.4f matches skimage (%.5f)'
                  % (rows['noisy input'][1], want_ssim))
        except ImportError:
            print('skimage missing: noisy SSIM not cross-checked')
        check(rows['aedenoise'][0] > got + 1.0,
              'aedenoise PSNR %.2f beats the noisy input %.2f by > 1 dB'
              % (rows['aedenoise'][0], got))
        check(rows['aedenoise'][1] > rows['noisy input'][1],
              'aedenoise SSIM beats the noisy input')
    if peer:
        check(peer_label in rows and rows[peer_label][0] > want_noisy,
              '%s row present and above the noisy PSNR' % peer_label)

    # bad input fails with a message, no data is not an error
    for bad, what in ((['--set', os.path.join(d, 'missing')], 'missing set'),
                      (['--set', d, '--sigmas', 'x'], 'bad sigmas'),
                      (['--set', d, '--methods', 'nope'], 'unknown method'),
                      (['--set', d, '--model', os.path.join(d, 'no.st')],
                       'missing model')):
        q = subprocess.run([tool, '--build', build] + bad, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, universal_newlines=True)
        check(q.returncode == 2 and 'aenn-eval:' in q.stderr,
              '%s: exit 2 with a message (%d, %r)' % (what, q.returncode,
                                                      q.stderr.strip()[:80]))
    # nothing to evaluate is a failure that says where it looked
    none = os.path.join(d, 'none')
    q = subprocess.run([tool, '--data', none], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, universal_newlines=True)
    check(q.returncode == 1 and 'nothing evaluated' in q.stderr and
          os.path.join(none, 'set12') in q.stderr and
          os.path.join(none, 'kodak24') in q.stderr,
          'no data directory: exit 1 naming both places looked at (%d, %r)'
          % (q.returncode, q.stderr.strip()[:200]))
    q = subprocess.run([tool, '--data', none, '--set', 'set12'],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    check(q.returncode == 2 and os.path.join(none, 'set12') in q.stderr,
          '--set NAME missing under --data: exit 2 naming the place (%r)'
          % q.stderr.strip()[:200])
    # a set by name under --data, a model by its installed name
    q = subprocess.run([tool, '--data', os.path.dirname(d), '--set',
                        os.path.basename(d), '--sigmas', str(sigma),
                        '--build', build, '--methods', 'aedenoise',
                        '--model', 'aedenoise-quality'],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    rows = parse(q.stdout, sigma)
    label = 'aedenoise (aedenoise-quality)'
    check(q.returncode == 0 and label in rows and
          rows[label][0] > want_noisy + 1.0,
          '--data DIR --set NAME --model aedenoise-quality: evaluated, above '
          'the noisy input (%d, %s, %r)' % (q.returncode, rows,
                                            q.stderr.strip()[-300:]))

# colour images through RGB -> I420 -> aedenoise -> RGB (--via-i420): the
# ceiling row (the clean images' round trip) far above the noisy one, the
# model above the noisy I420 round trip; a grey set leaves those rows out
with tempfile.TemporaryDirectory(prefix='test-aenn-eval-') as d:
    cd, gd = os.path.join(d, 'colour'), os.path.join(d, 'grey')
    os.mkdir(cd)
    os.mkdir(gd)
    save(os.path.join(cd, 'a.png'), scene(36, 50, 3))
    save(os.path.join(cd, 'b.png'), scene(40, 44, 3))
    save(os.path.join(gd, 'a.png'), scene(36, 50, 1))
    q = subprocess.run([tool, '--set', cd, '--set', gd, '--sigmas',
                        str(sigma), '--build', build, '--methods',
                        'aedenoise', '--via-i420'], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, universal_newlines=True)
    print(q.stdout)
    tables = q.stdout.split('\n\n')
    colour = parse([t for t in tables if t.startswith('colour')][0], sigma) \
        if any(t.startswith('colour') for t in tables) else {}
    grey = parse([t for t in tables if t.startswith('grey')][0], sigma) \
        if any(t.startswith('grey') for t in tables) else {}
    ceil = colour.get('clean RGB->I420->RGB (ceiling)')
    rt = colour.get('noisy RGB->I420->RGB')
    via = colour.get('aedenoise via I420 blind')
    check(q.returncode == 0 and ceil and rt and via and 'aedenoise' in colour,
          '--via-i420: the ceiling, round-trip and via-I420 rows (%d, %s, %r)'
          % (q.returncode, sorted(colour), q.stderr.strip()[-300:]))
    if ceil and rt and via:
        check(ceil[0] > rt[0] + 10 and via[0] > rt[0] + 1.0,
              'ceiling %.2f >> noisy round trip %.2f; via I420 %.2f above it'
              % (ceil[0], rt[0], via[0]))
    check('aedenoise' in grey and not any('I420' in k for k in grey),
          'grey set: no I420 rows (%s)' % sorted(grey))

# the numpy SSIM against skimage's on random images of odd shapes
loader = importlib.machinery.SourceFileLoader('aenn_eval', tool)
spec = importlib.util.spec_from_loader('aenn_eval', loader)
ae = importlib.util.module_from_spec(spec)
loader.exec_module(ae)
try:
    import skimage.metrics  # noqa: F401
    rng = np.random.RandomState(1)
    for shape in ((23, 37), (40, 31, 3)):
        a = rng.randint(0, 256, shape).astype(np.uint8)
        b = np.clip(a + rng.randn(*shape) * 30, 0, 255).astype(np.uint8)
        x, y = ae.ssim_numpy(a, b), ae.ssim_skimage(a, b)
        check(abs(x - y) < 1e-9, 'numpy SSIM %.9f == skimage %.9f on %s'
              % (x, y, shape))
except ImportError:
    print('skimage missing: numpy SSIM not cross-checked')

sys.exit(1 if failures else 0)
