#!/usr/bin/python3
"""Writes the description of the built plugin in the form of GStreamer's
gst_plugins_cache.json (the file gst-docs builds its element pages from):
the plugin's metadata, and per element its metadata (documentation URI
included), class hierarchy, pad templates with their caps, every property
with its type, blurb, flags, range and default, and the enums it uses.

    scripts/gen-plugin-doc.py [--build DIR] [--output FILE]
    scripts/gen-plugin-doc.py --check [--build DIR]

--build: the meson build dir whose plugins/ holds libgstunsupervised.so
(default: build); --output: where to write (default: docs/
gst_plugins_cache.json, the checked-in copy; "-" for stdout). --check
compares the checked-in copy with the plugin and exits 1, showing the
difference, when they differ: after a change to a property, a blurb or the
caps, regenerate with

    scripts/gen-plugin-doc.py --build build

and commit docs/gst_plugins_cache.json. The description is made with
GST_UNSUPERVISED_KERNELS=c, so that the kernels properties' defaults do not
depend on the CPU. Needs python3-gi (Gst typelib: gir1.2-gstreamer-1.0).
tests/docs/test-plugin-doc.py runs --check and checks the file against
gst-inspect-1.0's output.
"""
import argparse
import difflib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DEFAULT_OUT = os.path.join(REPO, 'docs', 'gst_plugins_cache.json')
PLUGIN = 'unsupervised'


def setup_env(build):
    os.environ['GST_UNSUPERVISED_KERNELS'] = 'c'
    os.environ['GST_PLUGIN_PATH_1_0'] = os.path.join(build, 'plugins')
    # only our plugin and the core: the description must not depend on
    # what else is installed
    os.environ['GST_PLUGIN_SYSTEM_PATH_1_0'] = ''
    os.environ.setdefault('GST_REGISTRY_1_0', os.path.join(
        build, 'registry-gen-plugin-doc.bin'))


def _flags(pspec, Gst, GObject):
    f = pspec.flags
    mutable = 'null'
    for bit, name in ((Gst.PARAM_MUTABLE_PLAYING, 'playing'),
                      (Gst.PARAM_MUTABLE_PAUSED, 'paused'),
                      (Gst.PARAM_MUTABLE_READY, 'ready')):
        if f & bit:
            mutable = name
            break
    return {
        'readable': bool(f & GObject.ParamFlags.READABLE),
        'writable': bool(f & GObject.ParamFlags.WRITABLE),
        'construct': bool(f & GObject.ParamFlags.CONSTRUCT),
        'construct-only': bool(f & GObject.ParamFlags.CONSTRUCT_ONLY),
        'controllable': bool(f & Gst.PARAM_CONTROLLABLE),
        'conditionally-available': False,
        'mutable': mutable,
    }


def _num(v):
    if isinstance(v, bool):
        return 'true' if v else 'false'
    if isinstance(v, float):
        return repr(v) if v != int(v) else '%d' % v if abs(v) < 1e15 else \
            repr(v)
    return str(v)


def describe_property(pspec, element, Gst, GObject, enums):
    d = {'blurb': pspec.blurb, 'type': pspec.value_type.name}
    d.update(_flags(pspec, Gst, GObject))
    # as gst-inspect-1.0 shows it: a new instance's value where readable
    default = element.get_property(pspec.name) \
        if pspec.flags & GObject.ParamFlags.READABLE else pspec.default_value
    if GObject.type_is_a(pspec.value_type, GObject.TYPE_ENUM):
        klass = pspec.value_type
        values = []
        for v in sorted(pspec.enum_class.__enum_values__.values()):
            values.append({'desc': v.value_name, 'name': v.value_nick,
                           'value': str(int(v))})
        enums[klass.name] = {'kind': 'enum', 'values': values}
        d['default'] = '%s (%d)' % (default.value_nick, int(default))
    elif pspec.value_type == GObject.TYPE_STRING:
        d['default'] = 'NULL' if default is None else default
    elif pspec.value_type == GObject.TYPE_BOOLEAN:
        d['default'] = _num(bool(default))
    elif hasattr(pspec, 'minimum'):
        d['default'] = _num(default)
        d['min'] = _num(pspec.minimum)
        d['max'] = _num(pspec.maximum)
    else:
        d['default'] = str(default)
    return d


def describe(build):
    setup_env(build)
    import gi
    gi.require_version('Gst', '1.0')
    from gi.repository import GObject, Gst
    Gst.init(None)
    plugin = Gst.Registry.get().find_plugin(PLUGIN)
    if plugin is None:
        sys.exit('gen-plugin-doc: no plugin "%s" in %s (build it first: '
                 'ninja -C %s)' % (PLUGIN, os.path.join(build, 'plugins'),
                                   build))
    enums = {}
    elements = {}
    feats = Gst.Registry.get().get_feature_list_by_plugin(PLUGIN)
    for f in sorted(feats, key=lambda f: f.get_name()):
        if not isinstance(f, Gst.ElementFactory):
            continue
        f = f.load()
        el = f.create(None)
        hier, t = [], type(el).__gtype__
        while t.name != 'GObject':
            hier.append(t.name)
            t = t.parent
        hier.append('GObject')
        pads = {}
        for tmpl in f.get_static_pad_templates():
            pads[tmpl.name_template] = {
                'caps': tmpl.get_caps().to_string(),
                'direction': tmpl.direction.value_nick,
                'presence': tmpl.presence.value_nick,
            }
        props = {}
        base_props = set(p.name for p in GObject.list_properties(
            GObject.type_from_name('GstBaseTransform')))
        for p in el.list_properties():
            if p.name in base_props or p.owner_type != type(el).__gtype__:
                continue
            props[p.name] = describe_property(p, el, Gst, GObject, enums)
        elements[f.get_name()] = {
            'author': f.get_metadata('author'),
            'description': f.get_metadata('description'),
            'doc-uri': f.get_metadata('doc-uri'),
            'hierarchy': hier,
            'klass': f.get_metadata('klass'),
            'long-name': f.get_metadata('long-name'),
            'pad-templates': pads,
            'properties': props,
            'rank': Gst.Rank(f.get_rank()).value_nick
            if f.get_rank() in (0, 64, 128, 256) else str(f.get_rank()),
        }
    return {PLUGIN: {
        'description': plugin.get_description(),
        'elements': elements,
        'filename': 'gstunsupervised',
        'license': plugin.get_license(),
        'other-types': enums,
        'package': plugin.get_package(),
        'source': plugin.get_source(),
        'tracers': {},
        'url': plugin.get_origin(),
    }}


def dumps(d):
    return json.dumps(d, indent=4, sort_keys=True, ensure_ascii=False) + '\n'


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--build', default=os.path.join(REPO, 'build'))
    ap.add_argument('--output', default=DEFAULT_OUT)
    ap.add_argument('--check', action='store_true',
                    help='compare with --output instead of writing it')
    a = ap.parse_args()
    text = dumps(describe(os.path.abspath(a.build)))
    if a.check:
        try:
            with open(a.output, encoding='utf-8') as f:
                old = f.read()
        except OSError as e:
            sys.exit('gen-plugin-doc: %s' % e)
        if old == text:
            print('%s matches the plugin' % a.output)
            return 0
        sys.stdout.writelines(difflib.unified_diff(
            old.splitlines(True), text.splitlines(True), a.output,
            'the plugin in %s' % a.build))
        print('gen-plugin-doc: %s is out of date: run scripts/'
              'gen-plugin-doc.py --build %s and commit it'
              % (a.output, a.build), file=sys.stderr)
        return 1
    if a.output == '-':
        sys.stdout.write(text)
    else:
        with open(a.output, 'w', encoding='utf-8') as f:
            f.write(text)
        print('wrote %s' % a.output)
    return 0


if __name__ == '__main__':
    sys.exit(main())
