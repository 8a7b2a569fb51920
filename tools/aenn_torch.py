#!/usr/bin/python3
"""aenn_torch: the aedenoise network in PyTorch, built from the same
architecture JSON as the C engine (docs/model-format.md), with the export
to and the import from the model files aedenoise loads.

As a module (installed as $datadir/gst-unsupervised/python/aenn_torch.py):

    import aenn_torch
    net = aenn_torch.load('aedenoise-default.safetensors')   # import ours
    net = aenn_torch.AennNet(open('arch.json').read())        # or a new one
    y = net(x, sigma=25.0)      # x: (N, 1, H, W) float in 0..1
    aenn_torch.save(net, 'mine.safetensors')                  # export

Any module whose state_dict has the architecture's names (conv layer L:
"L.weight" (out_c, in_c, k, k), "L.bias" (out_c); dotted layer names such
as "body.0" are nested modules) exports with save_state_dict().

As a command (installed as aenn-torch):

    aenn-torch import MODEL.safetensors STATE.pt [--arch ARCH.json]
    aenn-torch export ARCH.json STATE.pt MODEL.safetensors
    aenn-torch run MODEL.safetensors IN.f32 OUT.f32 --size WxH [--sigma S]
    aenn-torch describe MODEL.safetensors

STATE.pt is a torch.save()d state_dict; IN/OUT.f32 are (C, H, W) float32
planes on 0..1, as aenn-infer reads and writes them.

The forward pass is the engine's: the frame padded by replicating its last
row and column to a multiple of 2^(deepest level), every op as PyTorch
defines it (conv2d with zero or replicate padding, leaky_relu,
pixel_unshuffle/pixel_shuffle for s2d/d2s, add, cat), the noise-level
plane sigma/255 computed in float32, the residual subtracted, the result
cropped.  tests/tools/test-aenn-torch.py holds it to the engine.
"""

import argparse
import json
import struct
import sys

try:
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as e:  # pragma: no cover - reported to the user
    sys.stderr.write('aenn_torch: %s (Debian: apt install python3-torch '
                     'python3-numpy; run it as /usr/bin/python3)\n' % e)
    if __name__ == '__main__':
        sys.exit(1)
    raise

FORMAT_VERSION = '1'
_DTYPES = {'F32': ('<f4', 4), 'F16': ('<f2', 2)}


class AennError(Exception):
    pass


class _Container(nn.Module):
    """A bare parent for dotted layer names ("body" of "body.0")."""


class AennNet(nn.Module):
    """The network an architecture JSON describes (a str or a dict)."""

    def __init__(self, arch):
        super().__init__()
        if isinstance(arch, str):
            self.arch_json = arch
            arch = json.loads(arch)
        else:
            self.arch_json = json.dumps(arch)
        if not isinstance(arch, dict) or 'layers' not in arch:
            raise AennError('architecture: expected an object with "layers"')
        self.arch = arch
        self.in_channels = int(arch['in_channels'])
        self.residual = bool(arch.get('residual', False))
        self.output = arch['output']
        channels = {'x': self.in_channels}
        level = {'x': 0}
        self.max_level = 0
        self._layers = []
        for i, L in enumerate(arch['layers']):
            op, name, out = L.get('op'), L.get('name'), L.get('out')
            ins = L.get('in', [])
            where = 'layer %d (%s)' % (i, name)
            for t in ins:
                if t not in channels:
                    raise AennError('%s: input "%s" is not defined earlier'
                                    % (where, t))
            if op == 'conv':
                k = int(L['kernel'])
                oc = int(L['out_channels'])
                conv = nn.Conv2d(channels[ins[0]], oc, k, bias=True)
                self._attach(name, conv)
                channels[out], level[out] = oc, level[ins[0]]
            elif op == 's2d':
                channels[out], level[out] = channels[ins[0]] * 4, \
                    level[ins[0]] + 1
            elif op == 'd2s':
                channels[out], level[out] = channels[ins[0]] // 4, \
                    level[ins[0]] - 1
            elif op == 'add':
                channels[out], level[out] = channels[ins[0]], level[ins[0]]
            elif op == 'concat':
                channels[out] = channels[ins[0]] + channels[ins[1]]
                level[out] = level[ins[0]]
            elif op == 'sigma':
                channels[out], level[out] = 1, int(L.get('level', 0))
            else:
                raise AennError('%s: unknown op "%s"' % (where, op))
            self.max_level = max(self.max_level, level[out])
            self._layers.append(L)
        if self.output not in channels:
            raise AennError('output "%s" is not a tensor' % self.output)

    def _attach(self, name, module):
        parts = name.split('.')
        parent = self
        for p in parts[:-1]:
            if p not in parent._modules:
                if hasattr(parent, p):
                    raise AennError('layer name "%s": "%s" clashes with an '
                                    'attribute of nn.Module' % (name, p))
                parent.add_module(p, _Container())
            parent = parent._modules[p]
        if hasattr(parent, parts[-1]) and parts[-1] not in parent._modules:
            raise AennError('layer name "%s": "%s" clashes with an attribute '
                            'of nn.Module' % (name, parts[-1]))
        parent.add_module(parts[-1], module)

    def conv(self, name):
        m = self
        for p in name.split('.'):
            m = m._modules[p]
        return m

    def forward(self, x, sigma):
        """x: (N, in_channels, H, W) on 0..1; sigma: the noise level on
        0..255 (a number, or a tensor of N)."""
        n, c, h, w = x.shape
        if c != self.in_channels:
            raise AennError('input has %d channels, the model %d'
                            % (c, self.in_channels))
        m = 1 << self.max_level
        ph, pw = (-h) % m, (-w) % m
        xp = F.pad(x, (0, pw, 0, ph), mode='replicate') if ph or pw else x
        # the engine computes sigma / 255.0f in float32
        s = torch.as_tensor(sigma, dtype=torch.float32, device=x.device)
        s = (s / torch.tensor(255.0, dtype=torch.float32)).to(x.dtype)
        s = s.reshape(-1, 1, 1, 1) if s.dim() else s
        t = {'x': xp}
        for L in self._layers:
            op, out, ins = L['op'], L['out'], L.get('in', [])
            if op == 'conv':
                conv = self.conv(L['name'])
                a = t[ins[0]]
                k = conv.kernel_size[0]
                if L.get('pad', 'zero') == 'replicate' and k > 1:
                    a = F.pad(a, (k // 2,) * 4, mode='replicate')
                    y = F.conv2d(a, conv.weight, conv.bias)
                else:
                    y = F.conv2d(a, conv.weight, conv.bias, padding=k // 2)
                act = L.get('act', 'none')
                if act == 'relu':
                    y = F.relu(y)
                elif act == 'leaky_relu':
                    y = F.leaky_relu(y, float(L['slope']))
                t[out] = y
            elif op == 's2d':
                t[out] = F.pixel_unshuffle(t[ins[0]], 2)
            elif op == 'd2s':
                t[out] = F.pixel_shuffle(t[ins[0]], 2)
            elif op == 'add':
                t[out] = t[ins[0]] + t[ins[1]]
            elif op == 'concat':
                t[out] = torch.cat([t[ins[0]], t[ins[1]]], 1)
            elif op == 'sigma':
                lv = int(L.get('level', 0))
                shape = (n, 1, xp.shape[2] >> lv, xp.shape[3] >> lv)
                t[out] = torch.ones(shape, dtype=x.dtype, device=x.device) * s
        y = t[self.output]
        if self.residual:
            y = xp - y
        return y[:, :, :h, :w]


# ------------------------------------------------------------ the file

def read_header(path):
    with open(path, 'rb') as f:
        data = f.read()
    if len(data) < 8:
        raise AennError('%s: too short for a safetensors file' % path)
    n = struct.unpack('<Q', data[:8])[0]
    if n < 2 or n > 16 << 20 or n > len(data) - 8:
        raise AennError('%s: header length %d not within 2..16 MiB and the '
                        'file' % (path, n))
    header = json.loads(data[8:8 + n].decode('utf-8'))
    return header, data[8 + n:]


def load(path, device='cpu'):
    """Our model file -> AennNet with its weights (the import)."""
    header, body = read_header(path)
    meta = header.pop('__metadata__', {})
    if meta.get('aenn.format_version') != FORMAT_VERSION:
        raise AennError('%s: aenn.format_version %r, expected "1"'
                        % (path, meta.get('aenn.format_version')))
    if 'aenn.architecture' not in meta:
        raise AennError('%s: no aenn.architecture in __metadata__' % path)
    net = AennNet(meta['aenn.architecture'])
    sd = {}
    for name, info in header.items():
        if info.get('dtype') not in _DTYPES:
            raise AennError('%s: tensor "%s" has dtype %r, expected F32 or '
                            'F16' % (path, name, info.get('dtype')))
        dt, size = _DTYPES[info['dtype']]
        b, e = info['data_offsets']
        a = np.frombuffer(body[b:e], dtype=dt).astype(np.float32)
        sd[name] = torch.from_numpy(a.reshape(info['shape']).copy())
    want = set(net.state_dict())
    if set(sd) != want:
        raise AennError('%s: tensors %s missing, %s not in the architecture'
                        % (path, sorted(want - set(sd)),
                           sorted(set(sd) - want)))
    net.load_state_dict(sd)
    net.metadata = meta
    return net.to(device)


def save_state_dict(state_dict, arch_json, path, metadata=None):
    """Writes a model file aedenoise loads: every tensor F32, named as in
    state_dict (which must hold exactly the architecture's weights)."""
    if not isinstance(arch_json, str):
        arch_json = json.dumps(arch_json)
    want = AennNet(arch_json).state_dict()
    names = sorted(state_dict)
    if set(names) != set(want):
        raise AennError('state_dict: tensors %s missing, %s not in the '
                        'architecture' % (sorted(set(want) - set(names)),
                                          sorted(set(names) - set(want))))
    meta = {'aenn.format_version': FORMAT_VERSION,
            'aenn.architecture': arch_json}
    for k, v in (metadata or {}).items():
        meta[str(k)] = str(v)
    header, blobs, off = {'__metadata__': meta}, [], 0
    for name in names:
        t = state_dict[name].detach().to('cpu', torch.float32).contiguous()
        if tuple(t.shape) != tuple(want[name].shape):
            raise AennError('state_dict: "%s" has shape %s, the architecture '
                            'expects %s' % (name, list(t.shape),
                                            list(want[name].shape)))
        if not torch.isfinite(t).all():
            raise AennError('state_dict: "%s" holds NaN or Inf' % name)
        raw = t.numpy().astype('<f4').tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(t.shape),
                        'data_offsets': [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    h = json.dumps(header, separators=(',', ':')).encode('utf-8')
    h += b' ' * ((-(8 + len(h))) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for raw in blobs:
            f.write(raw)


def save(net, path, metadata=None):
    """AennNet -> model file (the export)."""
    save_state_dict(net.state_dict(), net.arch_json, path, metadata)


# ------------------------------------------------------------ the command

def _size(s):
    try:
        w, h = (int(v) for v in s.split('x'))
        if w > 0 and h > 0:
            return w, h
    except ValueError:
        pass
    raise argparse.ArgumentTypeError('expected WxH, got %r' % s)


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog='aenn-torch', description='The aedenoise network in PyTorch: '
        'import our model files into a state_dict, export a state_dict to a '
        'model file aedenoise loads, run a model in PyTorch. Exit status: 0 '
        'on success, 1 on an error, 2 on bad options.')
    sub = ap.add_subparsers(dest='cmd', required=True)
    p = sub.add_parser('import', help='model file -> torch.save()d '
                       'state_dict (and the architecture JSON)')
    p.add_argument('model')
    p.add_argument('state')
    p.add_argument('--arch', metavar='FILE',
                   help='also write the architecture JSON here')
    p = sub.add_parser('export', help='architecture JSON + state_dict -> '
                       'model file')
    p.add_argument('arch')
    p.add_argument('state')
    p.add_argument('model')
    p = sub.add_parser('run', help='run a model in PyTorch on (C, H, W) '
                       'float32 planes, as aenn-infer does in C')
    p.add_argument('model')
    p.add_argument('input')
    p.add_argument('output')
    p.add_argument('--size', type=_size, required=True, metavar='WxH')
    p.add_argument('--sigma', type=float, default=25.0)
    p.add_argument('--double', action='store_true',
                   help='compute in float64')
    p = sub.add_parser('describe', help='layers and parameter count')
    p.add_argument('model')
    a = ap.parse_args(argv)
    try:
        if a.cmd == 'import':
            net = load(a.model)
            torch.save(net.state_dict(), a.state)
            if a.arch:
                with open(a.arch, 'w') as f:
                    f.write(net.arch_json)
        elif a.cmd == 'export':
            with open(a.arch) as f:
                arch = f.read()
            sd = torch.load(a.state, map_location='cpu')
            save_state_dict(sd, arch, a.model)
        elif a.cmd == 'run':
            net = load(a.model)
            w, h = a.size
            x = np.fromfile(a.input, dtype='<f4')
            if x.size != net.in_channels * w * h:
                raise AennError('%s: %d floats, expected %d planes of %dx%d'
                                % (a.input, x.size, net.in_channels, w, h))
            dt = torch.float64 if a.double else torch.float32
            net = net.to(dt)
            with torch.no_grad():
                y = net(torch.from_numpy(x.reshape(1, -1, h, w)).to(dt),
                        a.sigma)
            y.to(torch.float32).numpy().astype('<f4').tofile(a.output)
        else:
            net = load(a.model)
            n = sum(p.numel() for p in net.parameters())
            print('%s: in_channels %d, residual %s, %d layers, %d parameters'
                  % (a.model, net.in_channels, net.residual,
                     len(net._layers), n))
            for name, t in net.state_dict().items():
                print('  %-24s %s' % (name, list(t.shape)))
    except (AennError, OSError, ValueError, KeyError) as e:
        sys.stderr.write('aenn-torch: %s\n' % e)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
