#!/usr/bin/python3
"""aenn-video-eval: aedenoise on video, temporal mode against spatial-only
and the peers, in one run.

    bench/aenn-video-eval.py [--clip FILE] [--start 200] [--frames 60]
        [--sigma 25] [--build DIR] [--methods LIST] [--colour]
        [--model NAME]... [--markdown]

Reads the clip (every frame decoded: ffmpeg's select with -vsync
passthrough, so no frame is repeated to fill time), takes luma (the Y
plane as stored: extractplanes), adds Gaussian noise of sigma to each
frame independently (np.random.seed(0) once, then frame after frame,
rounded and clipped to 8 bits), runs each method on the noisy sequence
and prints:

  all      mean per-frame PSNR over all pixels
  moving   PSNR over the moving pixels alone, all frames but the first
           pooled: where the clean frame changed from the last one by more
           than MOVING levels
  flicker  mean absolute difference of consecutive output frames over the
           static pixels (the clean frame changed by at most STATIC
           levels), and the same of the clean frames (what the scene itself
           does there)
  static   flicker on a static scene: the clip's first frame repeated
           --frames times, fresh noise each time (mean absolute difference
           of consecutive outputs; 0 would be a perfectly steady output)
  fps      frames per second of the method including its I/O

--colour adds noise in RGB instead (the clip decoded to RGB, noise per
channel, then converted to I420 with BT.601 studio-range coefficients and
2x2 box-averaged chroma, as a camera pipeline would) and reports luma PSNR
and the PSNR over all three I420 planes; aedenoise runs blind there (each
plane's noise level is its own, and noise-level would give all planes
one).

aedenoise runs through the element (gst-launch-1.0; the plugin of --build,
default the checkout's build/), with the true sigma as noise-level and
blind (noise-level=-1), temporal=false and temporal=true. Peers (when
installed): ffmpeg hqdn3d with its temporal part, dctdnoiz, bm3d (basic),
nlmeans; OpenCV fastNlMeansDenoisingMulti (5 frames, 2 of them future).
Their strengths: hqdn3d's as tuned for this clip in issue 11, the others
as tools/aenn-eval tuned them on Set12 (grey) or Kodak24 (colour).
"""

import argparse
import importlib.machinery
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time

try:
    import numpy as np
except ImportError:
    sys.exit('aenn-video-eval: needs numpy (Debian: python3-numpy; run with '
             '/usr/bin/python3)')

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MOVING = 10
STATIC = 2


def load_eval():
    """tools/aenn-eval as a module, for its tuned strengths."""
    path = os.path.join(ROOT, 'tools', 'aenn-eval')
    loader = importlib.machinery.SourceFileLoader('aenn_eval', path)
    spec = importlib.util.spec_from_loader('aenn_eval', loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


def run(cmd, env=None):
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    if p.returncode != 0:
        sys.exit('aenn-video-eval: %s failed (exit %d):\n%s' % (
            ' '.join(cmd), p.returncode,
            p.stderr.decode(errors='replace')[-2000:]))
    return p.stdout


def probe_size(clip):
    out = run(['ffprobe', '-v', 'error', '-select_streams', 'v:0',
               '-show_entries', 'stream=width,height', '-of', 'csv=p=0',
               clip]).decode().strip().split(',')
    return int(out[0]), int(out[1])


def decode(clip, start, frames, rgb):
    w, h = probe_size(clip)
    sel = 'select=between(n\\,%d\\,%d)' % (start, start + frames - 1)
    vf = sel + (',format=rgb24' if rgb else ',extractplanes=y')
    raw = run(['ffmpeg', '-nostdin', '-v', 'error', '-i', clip, '-vf', vf,
               '-vsync', 'passthrough', '-f', 'rawvideo', '-pix_fmt',
               'rgb24' if rgb else 'gray', '-'])
    shape = (h, w, 3) if rgb else (h, w)
    n = int(np.prod(shape))
    got = len(raw) // n
    if got != frames:
        sys.exit('aenn-video-eval: decoded %d frames of %s from %d, wanted %d'
                 % (got, clip, start, frames))
    data = np.frombuffer(raw, np.uint8).reshape((frames,) + shape)
    # every frame differs from the first somewhere: no repeated still
    if frames > 1 and all((data[i] == data[0]).all() for i in range(1, frames)):
        sys.exit('aenn-video-eval: every decoded frame is the same')
    return data


# ---- colour: RGB -> I420 as a camera pipeline would ----

def rgb_to_i420(rgb):
    """BT.601 studio range, chroma as the mean of each 2x2 block (even
    sizes), each plane rounded and clipped: (Y, U, V) uint8."""
    f = rgb.astype(np.float64)
    r, g, b = f[..., 0], f[..., 1], f[..., 2]
    y = 16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255
    cb = 128 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255
    cr = 128 + (112.0 * r - 93.786 * g - 18.214 * b) / 255

    def sub(c):
        return (c[0::2, 0::2] + c[1::2, 0::2] + c[0::2, 1::2]
                + c[1::2, 1::2]) / 4

    q = [np.clip(np.round(p), 0, 255).astype(np.uint8)
         for p in (y, sub(cb), sub(cr))]
    return q


def i420_bytes(planes):
    return b''.join(p.tobytes() for p in planes)


def i420_split(buf, w, h):
    y = np.frombuffer(buf[:w * h], np.uint8).reshape(h, w)
    u = np.frombuffer(buf[w * h:w * h * 5 // 4], np.uint8).reshape(h // 2,
                                                                  w // 2)
    v = np.frombuffer(buf[w * h * 5 // 4:], np.uint8).reshape(h // 2, w // 2)
    return [y, u, v]


def read_frames(path, count, w, h, colour, who):
    """count raw frames (grey, or I420 plane triples) a method wrote."""
    data = open(path, 'rb').read()
    n = w * h * 3 // 2 if colour else w * h
    if len(data) != n * count:
        sys.exit('aenn-video-eval: %s wrote %d bytes, expected %d'
                 % (who, len(data), n * count))
    outs = [data[i * n:(i + 1) * n] for i in range(count)]
    if colour:
        return [i420_split(o, w, h) for o in outs]
    return [np.frombuffer(o, np.uint8).reshape(h, w) for o in outs]


# ---- methods: each takes a list of frames (grey arrays, or I420 plane
# triples) and returns the outputs and the wall time ----

class Element:
    def __init__(self, build, tmp, sigma, blind, temporal, model):
        self.env = dict(os.environ)
        pdir = os.path.join(build, 'plugins')
        self.env['GST_PLUGIN_PATH_1_0'] = pdir
        self.env['GST_REGISTRY_1_0'] = os.path.join(tmp, 'registry.bin')
        self.tmp, self.sigma, self.blind = tmp, sigma, blind
        self.temporal, self.model = temporal, model
        self.label = 'aedenoise%s %s%s' % (
            '' if model == 'default' else ' (%s)' % model,
            'temporal' if temporal else 'spatial',
            ' blind' if blind else '')

    def run(self, frames, colour):
        fin = os.path.join(self.tmp, 'in.raw')
        fout = os.path.join(self.tmp, 'out.raw')
        with open(fin, 'wb') as f:
            for fr in frames:
                f.write(i420_bytes(fr) if colour else fr.tobytes())
        h, w = (frames[0][0] if colour else frames[0]).shape
        if not colour and w % 4:
            sys.exit('aenn-video-eval: grey width must be a multiple of 4')
        cmd = ['gst-launch-1.0', '-q', 'filesrc', 'location=' + fin, '!',
               'rawvideoparse', 'width=%d' % w, 'height=%d' % h,
               'format=' + ('i420' if colour else 'gray8'),
               'framerate=10/1', '!', 'aedenoise',
               'noise-level=%g' % (-1 if self.blind else self.sigma),
               'temporal=%s' % ('true' if self.temporal else 'false')]
        if self.model != 'default':
            cmd.append('model=' + self.model)
        cmd += ['!', 'filesink', 'location=' + fout]
        t0 = time.perf_counter()
        run(cmd, self.env)
        wall = time.perf_counter() - t0
        return read_frames(fout, len(frames), w, h, colour, 'aedenoise'), wall


class FFmpeg:
    def __init__(self, name, vf, tmp):
        self.label = 'ffmpeg %s' % name
        self.vf, self.tmp = vf, tmp

    def run(self, frames, colour):
        fin = os.path.join(self.tmp, 'ff-in.raw')
        fout = os.path.join(self.tmp, 'ff-out.raw')
        with open(fin, 'wb') as f:
            for fr in frames:
                f.write(i420_bytes(fr) if colour else fr.tobytes())
        h, w = (frames[0][0] if colour else frames[0]).shape
        pf = 'yuv420p' if colour else 'gray'
        t0 = time.perf_counter()
        run(['ffmpeg', '-nostdin', '-v', 'error', '-f', 'rawvideo',
             '-pix_fmt', pf, '-s', '%dx%d' % (w, h), '-framerate', '10',
             '-i', fin, '-vf', self.vf, '-f', 'rawvideo', '-pix_fmt', pf,
             '-y', fout])
        wall = time.perf_counter() - t0
        return read_frames(fout, len(frames), w, h, colour,
                           'ffmpeg ' + self.vf), wall


class OpenCVMulti:
    label = 'OpenCV fastNlMeansDenoisingMulti (5 frames, 2 future)'

    def __init__(self, h):
        self.h = h

    def run(self, frames, colour):
        import cv2
        t0 = time.perf_counter()
        outs = []
        n = len(frames)
        for i in range(n):
            # 5 frames centred on this one; fewer at the clip's ends
            half = min(2, i, n - 1 - i)
            win = range(i - half, i + half + 1)

            def den(seq):
                return cv2.fastNlMeansDenoisingMulti(seq, half, 2 * half + 1,
                                                     None, self.h, 7, 21)
            if colour:
                outs.append([den([frames[t][p] for t in win])
                             for p in range(3)])
            else:
                outs.append(den([frames[t] for t in win]))
        return outs, time.perf_counter() - t0


class Noisy:
    label = 'noisy input'

    def run(self, frames, colour):
        return frames, 0.0


# ---- measures ----

def psnr(mse):
    return 10 * np.log10(255.0 ** 2 / max(mse, 1e-12))


def plane_err(ref, out):
    return (ref.astype(np.float64) - out.astype(np.float64)) ** 2


def measure(clean, outs, colour):
    """(mean PSNR all, PSNR moving, flicker static, scene flicker static,
    mean PSNR of all I420 planes or None)"""
    cy = [c[0] if colour else c for c in clean]
    oy = [o[0] if colour else o for o in outs]
    all_ = np.mean([psnr(plane_err(c, o).mean()) for c, o in zip(cy, oy)])
    mov_se = mov_n = 0.0
    fl = fl_n = sc = 0.0
    for t in range(1, len(cy)):
        d = np.abs(cy[t].astype(np.int16) - cy[t - 1])
        m = d > MOVING
        mov_se += plane_err(cy[t], oy[t])[m].sum()
        mov_n += m.sum()
        s = d <= STATIC
        fl += np.abs(oy[t].astype(np.float64) - oy[t - 1])[s].sum()
        sc += d[s].sum()
        fl_n += s.sum()
    moving = psnr(mov_se / mov_n) if mov_n else float('nan')
    planes = None
    if colour:
        planes = np.mean([psnr(np.mean(np.concatenate(
            [plane_err(a, b).ravel() for a, b in zip(c, o)])))
            for c, o in zip(clean, outs)])
    return all_, moving, fl / max(fl_n, 1), sc / max(fl_n, 1), planes


def steady(outs, colour):
    oy = [o[0] if colour else o for o in outs]
    return np.mean([np.abs(oy[t].astype(np.float64) - oy[t - 1]).mean()
                    for t in range(1, len(oy))])


def save_png(d, label, frame, colour):
    from PIL import Image
    os.makedirs(d, exist_ok=True)
    name = ''.join(ch if ch.isalnum() else '-' for ch in label.split('[')[0])
    img = frame[0] if colour else frame
    Image.fromarray(np.ascontiguousarray(img)).save(
        os.path.join(d, name.strip('-') + '.png'))


def main(argv=None):
    ap = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog='See docs/performance.md ("Temporal mode").')
    ap.add_argument('--clip', default=os.path.join(
        ROOT, '..', 'shared', 'data', 'video',
        'one-by-one-person-detection.mp4'))
    ap.add_argument('--start', type=int, default=200)
    ap.add_argument('--frames', type=int, default=60)
    ap.add_argument('--sigma', type=float, default=25.0)
    ap.add_argument('--build', default=os.path.join(ROOT, 'build'))
    ap.add_argument('--colour', action='store_true')
    ap.add_argument('--model', action='append', default=None,
                    help='built-in model(s) to run (default, quality); '
                    'default: default')
    ap.add_argument('--methods', default='aedenoise,blind,hqdn3d,opencv,'
                    'dctdnoiz,bm3d,nlmeans',
                    help='comma-separated: aedenoise, blind, hqdn3d, '
                    'opencv, dctdnoiz, bm3d, nlmeans')
    ap.add_argument('--markdown', action='store_true')
    ap.add_argument('--save', metavar='DIR',
                    help='write each method\'s last output frame (and the '
                    'clean one) as PNG into DIR, to look at')
    args = ap.parse_args(argv)
    methods = args.methods.split(',')
    models = args.model or ['default']
    if not os.path.exists(args.clip):
        sys.exit('aenn-video-eval: no clip %s (--clip)' % args.clip)
    for tool in ('ffmpeg', 'ffprobe', 'gst-launch-1.0'):
        if shutil.which(tool) is None:
            sys.exit('aenn-video-eval: needs %s' % tool)
    ev = load_eval()
    sigma = args.sigma

    rgb = decode(args.clip, args.start, args.frames, args.colour)
    rng = np.random.RandomState(0)

    def noisy_of(frames):
        out = []
        for f in frames:
            n = np.clip(np.round(f + rng.randn(*f.shape) * sigma), 0, 255)
            out.append(n.astype(np.uint8))
        return out

    if args.colour:
        clean = [rgb_to_i420(f) for f in rgb]
        noisy = [rgb_to_i420(f) for f in noisy_of(rgb)]
        still = [rgb_to_i420(f) for f in noisy_of([rgb[0]] * args.frames)]
    else:
        clean = list(rgb)
        noisy = noisy_of(rgb)
        still = noisy_of([rgb[0]] * args.frames)

    tmp = tempfile.mkdtemp(prefix='aenn-video-eval-')
    runs = [Noisy()]
    for model in models:
        # colour: the noise of each I420 plane is not sigma (RGB noise
        # reaches Y, U and V at their own levels), and noise-level sets one
        # level for all planes: blind alone says what the element does
        for blind in ([False] if 'aedenoise' in methods and not args.colour
                      else []) + \
                ([True] if 'blind' in methods or args.colour else []):
            for temporal in (False, True):
                runs.append(Element(args.build, tmp, sigma, blind, temporal,
                                    model))
    have_ff = shutil.which('ffmpeg') is not None
    colour = args.colour
    if 'hqdn3d' in methods and have_ff:
        # issue 11's tuning on this clip at sigma 25, scaled with sigma
        k = sigma / 25.0
        vf = 'hqdn3d=luma_spatial=%g:luma_tmp=%g' % (80 * k, 60 * k)
        if colour:
            vf += ':chroma_spatial=%g:chroma_tmp=%g' % (60 * k, 45 * k)
        runs.append(FFmpeg('hqdn3d (temporal) [%s]' % vf, vf, tmp))
    for name in ('dctdnoiz', 'bm3d', 'nlmeans'):
        if name in methods and have_ff:
            v = ev.tuned_value(name, sigma, colour)
            vf = {'dctdnoiz': 'dctdnoiz=sigma=%g' % v,
                  'bm3d': 'bm3d=sigma=%g:estim=basic' % v,
                  'nlmeans': 'nlmeans=s=%g' % v}[name]
            runs.append(FFmpeg('%s [%s]' % (name, vf), vf, tmp))
    if 'opencv' in methods:
        try:
            import cv2  # noqa: F401
            runs.append(OpenCVMulti(ev.tuned_value('opencv', sigma, False)))
        except ImportError:
            print('(OpenCV not installed: python3-opencv)', file=sys.stderr)

    rows = []
    for m in runs:
        outs, wall = m.run(noisy, colour)
        a, mv, fl, sc, planes = measure(clean, outs, colour)
        still_out, _ = m.run(still, colour)
        st = steady(still_out, colour)
        fps = len(noisy) / wall if wall > 0 else float('nan')
        rows.append((m.label, a, mv, fl, st, planes, fps))
        if args.save:
            save_png(args.save, m.label, outs[-1], colour)
        print('%-60s all %6.2f  moving %6.2f  flicker %5.2f  static %5.2f%s'
              '  %7.1f fps' % (m.label, a, mv, fl, st,
                               '  I420 %6.2f' % planes if colour else '',
                               fps), file=sys.stderr, flush=True)
    shutil.rmtree(tmp, ignore_errors=True)
    if args.save:
        save_png(args.save, 'clean', clean[-1], colour)

    h, w = (clean[0][0] if colour else clean[0]).shape
    print('\n%s, frames %d..%d (%dx%d), %s, sigma %g; moving: clean changed '
          'by > %d levels (scene flicker on the static pixels %.2f)\n' % (
              os.path.basename(args.clip), args.start,
              args.start + args.frames - 1, w, h,
              'noise in RGB -> I420' if colour else 'luma', sigma, MOVING,
              sc))
    cols = ['method', 'PSNR all', 'PSNR moving', 'flicker (static px)',
            'flicker (still scene)'] + (['PSNR Y+U+V'] if colour else []) + \
        ['fps']
    if args.markdown:
        print('| ' + ' | '.join(cols) + ' |')
        print('|---|' + '---:|' * (len(cols) - 1))
    for label, a, mv, fl, st, planes, fps in rows:
        vals = ['%.2f' % a, '%.2f' % mv, '%.2f' % fl, '%.2f' % st] + \
            (['%.2f' % planes] if colour else []) + \
            ['-' if label == 'noisy input' else '%.1f' % fps]
        if args.markdown:
            print('| %s | %s |' % (label, ' | '.join(vals)))
        else:
            print('%-60s %s' % (label, '  '.join('%8s' % v for v in vals)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
