#!/usr/bin/python3
"""denoise-peers-speed: aedenoise beside ffmpeg's denoisers, one run, one table.

    bench/denoise-peers-speed.py [--build DIR] [--sizes 1280x720,1920x1080]
        [--paths vnni,avx512,avx2,orc] [--threads 2] [--sigma 25]

Runs bench/aenn-element-bench (built-in model's architecture, default
settings: noise-level -1) at each size in I420 with the given thread count
per kernel path, then times ffmpeg's hqdn3d, nlmeans, atadenoise and bm3d
on I420 frames of the same kind (the bench's formula: gradients and a disc
under Gaussian noise of sigma 25, four distinct frames cycled), rawvideo in,
-f null out, -threads N -filter_threads N.  ffmpeg's figures are the
difference of two runs (n1 and n2 frames), so process start-up and the
first frame's set-up cancel; 'ffmpeg (no filter)' is the cost of reading
the raw frames alone.  Strengths: the sigma-25 values tuned for
tools/aenn-eval (its TUNED table) where they exist, else ffmpeg's defaults.
"""
import argparse
import importlib.machinery
import importlib.util
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

try:
    import numpy as np
except ImportError:
    sys.exit('denoise-peers-speed: numpy is missing for %s (run it as '
             '/usr/bin/python3; Debian: apt install python3-numpy)' % sys.executable)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def fail(msg):
    sys.stderr.write('denoise-peers-speed: %s\n' % msg)
    sys.exit(2)


def tuned(sigma):
    """aenn-eval's TUNED table, read from the script itself."""
    path = os.path.join(REPO, 'tools', 'aenn-eval')
    loader = importlib.machinery.SourceFileLoader('aenn_eval', path)
    spec = importlib.util.spec_from_loader('aenn_eval', loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return {k: mod.tuned_value(k, sigma) for k in mod.TUNED}


def make_frame(w, h, t, rng):
    """aenn-element-bench's make_frame() for I420, numpy's RNG for GRand's."""
    planes = []
    for c, (cw, ch) in enumerate(((w, h), ((w + 1) // 2, (h + 1) // 2),
                                  ((w + 1) // 2, (h + 1) // 2))):
        y, x = np.mgrid[0:ch, 0:cw].astype(np.float64)
        u, v = x / cw, y / ch
        val = 50 + 100 * u + 60 * v * (c + 1) / 3
        disc = (u - 0.4) ** 2 + (v - 0.5) ** 2 < 0.05
        val[disc] = (200 - 40 * c + 20 * np.sin(40 * u + t))[disc]
        val += 25.0 * rng.standard_normal(val.shape)
        planes.append(np.clip(np.round(val), 0, 255).astype(np.uint8).tobytes())
    return b''.join(planes)


def timed(cmd):
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       stdin=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        fail('%s failed (exit %d):\n%s' % (' '.join(cmd), p.returncode,
                                           p.stderr.decode(errors='replace')[-2000:]))
    return wall, (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)


def ffmpeg_rate(raw, w, h, vf, n1, n2, threads):
    """(fps, cpu s per frame) from the difference of an n1- and an n2-frame
    run of the 4-frame file looped."""
    res = []
    for n in (n1, n2):
        cmd = ['ffmpeg', '-nostdin', '-hide_banner', '-loglevel', 'error',
               '-stream_loop', '-1', '-f', 'rawvideo', '-pix_fmt', 'yuv420p',
               '-s', '%dx%d' % (w, h), '-framerate', '30', '-i', raw,
               '-threads', str(threads), '-filter_threads', str(threads)]
        if vf:
            cmd += ['-vf', vf]
        cmd += ['-frames:v', str(n), '-f', 'null', '-']
        res.append(timed(cmd))
    dw, dc = res[1][0] - res[0][0], res[1][1] - res[0][1]
    if dw <= 0:
        return float('nan'), float('nan')
    return (n2 - n1) / dw, dc / (n2 - n1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--build', default=os.path.join(REPO, 'build'))
    ap.add_argument('--sizes', default='1280x720,1920x1080')
    ap.add_argument('--paths', default='vnni,avx512,avx2,orc')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--sigma', type=float, default=25)
    ap.add_argument('--bench-frames', type=int, default=20)
    ap.add_argument('--bench-runs', type=int, default=3)
    a = ap.parse_args()

    bench = os.path.join(a.build, 'bench', 'aenn-element-bench')
    if not os.access(bench, os.X_OK):
        fail('%s not found: meson setup build && ninja -C build' % bench)
    if not shutil.which('ffmpeg'):
        fail('ffmpeg not found')
    if a.threads < 1:
        fail('--threads must be at least 1')
    sizes = []
    for s in a.sizes.split(','):
        m = re.fullmatch(r'(\d+)x(\d+)', s.strip())
        if not m or int(m.group(1)) < 2 or int(m.group(2)) < 2:
            fail('--sizes: bad size %r (WxH)' % s)
        sizes.append((int(m.group(1)), int(m.group(2))))
    t = tuned(a.sigma)
    # frames: start-up-free difference of two runs; bm3d and nlmeans are
    # slow (seconds per frame), so few
    peers = [
        ('ffmpeg (no filter)', None, 20, 500),
        ('ffmpeg hqdn3d', 'hqdn3d=luma_spatial=%g' % t['hqdn3d'], 10, 70),
        ('ffmpeg atadenoise', 'atadenoise', 10, 50),
        ('ffmpeg nlmeans', 'nlmeans=s=%g' % t['nlmeans'], 2, 6),
        ('ffmpeg bm3d (basic)', 'bm3d=sigma=%g' % t['bm3d'], 2, 6),
    ]
    rows = []
    with open('/proc/loadavg') as f:
        load0 = f.read().split()[:3]
    for w, h in sizes:
        p = subprocess.run([bench, '--sizes', '%dx%d' % (w, h), '--formats',
                            'I420', '--paths', a.paths, '--threads',
                            str(a.threads), '--frames', str(a.bench_frames),
                            '--runs', str(a.bench_runs)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True)
        if p.returncode != 0:
            fail('aenn-element-bench failed:\n' + p.stderr[-2000:])
        for line in p.stdout.splitlines():
            f = line.split()
            if len(f) == 8 and f[1] == 'I420':
                # size format path thr fps best ms cpu_ms
                rows.append(('aedenoise %s' % f[2], '%dx%d' % (w, h),
                             float(f[4]), float(f[7]) / 1e3))
            elif 'not supported' in line:
                rows.append(('aedenoise %s' % line.split(':')[0].strip(),
                             '%dx%d' % (w, h), None, None))
        with tempfile.TemporaryDirectory(prefix='peers-speed-') as tmp:
            raw = os.path.join(tmp, 'frames.yuv')
            rng = np.random.default_rng(1)
            with open(raw, 'wb') as f:
                for i in range(4):
                    f.write(make_frame(w, h, i, rng))
            for label, vf, n1, n2 in peers:
                fps, cpu = ffmpeg_rate(raw, w, h, vf, n1, n2, a.threads)
                rows.append((label + ('' if vf is None else ' [%s]' % vf),
                             '%dx%d' % (w, h), fps, cpu))
                sys.stderr.write('%s %dx%d: %.2f fps\n' % (label, w, h, fps))
    with open('/proc/loadavg') as f:
        load1 = f.read().split()[:3]
    print('I420, %d threads; aedenoise: aenn-element-bench median of %d runs '
          'of %d frames (noise-level -1); ffmpeg: -threads %d -filter_threads '
          '%d, difference of two runs' % (a.threads, a.bench_runs,
                                           a.bench_frames, a.threads, a.threads))
    print('load average before: %s, after: %s' % (' '.join(load0), ' '.join(load1)))
    print('| method | size | fps | CPU s/frame |')
    print('|---|---|---:|---:|')
    for label, size, fps, cpu in rows:
        if fps is None:
            print('| %s | %s | not supported here | |' % (label, size))
        elif fps != fps:
            print('| %s | %s | too fast to time (the longer run was not '
                  'slower) | |' % (label, size))
        else:
            print('| %s | %s | %.2f | %.4f |' % (label, size, fps, cpu))


if __name__ == '__main__':
    main()
