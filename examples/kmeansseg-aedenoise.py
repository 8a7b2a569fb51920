#!/usr/bin/python3
"""Runs a pipeline with both elements from Python (PyGObject), reads
kmeansseg's per-frame messages and changes aedenoise's properties while
it plays:

    videotestsrc ! aedenoise ! tee ! kmeansseg post-messages=true ! sink

- every "kmeansseg" element message: the frame's centroids (as R'G'B'),
  cluster sizes and inertia, printed;
- aedenoise's estimated-noise-level, followed through its notify signal
  (the element throttles it: at most every 500 ms, for changes of 0.05 or
  more; the first estimate at once);
- while playing: strength goes from 1 to 0.5 and then the noise level is
  fixed at 20 (noise-level=20) after a third of the frames, kmeansseg's
  num-clusters from 4 to 6 after two thirds; later messages show the new k.

    examples/kmeansseg-aedenoise.py [--frames N] [--size WxH] [--sink NAME]

Needs python3-gi and python3-gst-1.0 (Debian): without python3-gst-1.0
(GStreamer's overrides) reading "centroids" fails with "unknown type
GstValueArray". The plugin must be on GStreamer's path: installed, or
GST_PLUGIN_PATH=build/plugins. Exit status 0 when the pipeline reached EOS
and every change was seen in the messages, 1 otherwise.
"""

import argparse
import sys

try:
    import gi
    gi.require_version('Gst', '1.0')
    from gi.repository import GLib, Gst
except (ImportError, ValueError) as e:
    sys.exit('kmeansseg-aedenoise: %s (Debian: apt install python3-gi '
             'python3-gst-1.0)' % e)


def main():
    ap = argparse.ArgumentParser(description='aedenoise and kmeansseg from '
                                 'Python')
    ap.add_argument('--frames', type=int, default=60)
    ap.add_argument('--size', default='160x120', metavar='WxH')
    ap.add_argument('--sink', default='fakesink',
                    help='video sink, e.g. autovideosink (default fakesink)')
    a = ap.parse_args()
    w, h = (int(v) for v in a.size.split('x'))

    Gst.init(None)
    for name in ('aedenoise', 'kmeansseg'):
        if Gst.ElementFactory.find(name) is None:
            sys.exit('kmeansseg-aedenoise: no element %s: install the plugin '
                     'or set GST_PLUGIN_PATH to the build\'s plugins/' % name)
    pipe = Gst.parse_launch(
        'videotestsrc pattern=ball num-buffers=%d ! '
        'video/x-raw,format=I420,width=%d,height=%d,framerate=30/1 ! '
        'aedenoise name=den ! kmeansseg name=seg num-clusters=4 '
        'post-messages=true mode=posterize ! videoconvert ! %s sync=false'
        % (a.frames, w, h, a.sink))
    den = pipe.get_by_name('den')
    seg = pipe.get_by_name('seg')
    loop = GLib.MainLoop()
    state = {'frames': 0, 'ks': set(), 'notified': [], 'error': None,
             'eos': False}

    def on_noise(obj, pspec):
        # emitted from the streaming thread: only read here
        state['notified'].append(obj.get_property('estimated-noise-level'))

    den.connect('notify::estimated-noise-level', on_noise)

    def on_message(bus, msg):
        t = msg.type
        if t == Gst.MessageType.ELEMENT and msg.src == seg:
            s = msg.get_structure()
            if s.get_name() != 'kmeansseg':
                return
            k = s.get_value('num-clusters')
            cents = s.get_value('centroids-rgb')
            counts = s.get_value('counts')
            state['frames'] += 1
            state['ks'].add(k)
            if state['frames'] % 10 == 1:
                print('frame %3d: k=%d inertia %.1f sizes %s centroids %s'
                      % (state['frames'], k, s.get_value('inertia'),
                         list(counts), ['#%02x%02x%02x' % tuple(
                             int(round(v)) for v in c) for c in cents]))
            # change the properties while the pipeline plays
            if state['frames'] == a.frames // 3:
                den.set_property('strength', 0.5)
                den.set_property('noise-level', 20.0)
                print('set aedenoise strength=0.5 noise-level=20')
            if state['frames'] == 2 * a.frames // 3:
                seg.set_property('num-clusters', 6)
                print('set kmeansseg num-clusters=6')
        elif t == Gst.MessageType.ERROR:
            err, dbg = msg.parse_error()
            state['error'] = '%s (%s)' % (err.message, dbg)
            loop.quit()
        elif t == Gst.MessageType.EOS:
            state['eos'] = True
            loop.quit()

    bus = pipe.get_bus()
    bus.add_signal_watch()
    bus.connect('message', on_message)
    pipe.set_state(Gst.State.PLAYING)
    try:
        loop.run()
    finally:
        pipe.set_state(Gst.State.NULL)
        bus.remove_signal_watch()

    print('%d kmeansseg messages, k seen %s; estimated-noise-level notified '
          '%d times: %s' % (state['frames'], sorted(state['ks']),
                            len(state['notified']),
                            ['%.2f' % v for v in state['notified'][:5]]))
    print('aedenoise now: strength %.2f noise-level %.1f'
          % (den.get_property('strength'), den.get_property('noise-level')))
    if state['error']:
        print('error: %s' % state['error'], file=sys.stderr)
        return 1
    ok = state['eos'] and state['frames'] == a.frames and \
        state['ks'] == {4, 6} and len(state['notified']) >= 1 and \
        den.get_property('strength') == 0.5
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
