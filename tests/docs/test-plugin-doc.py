#!/usr/bin/python3
"""meson test: docs/gst_plugins_cache.json describes the built plugin.

1. scripts/gen-plugin-doc.py --check: regenerated from the plugin, the
   description equals the checked-in file (after a change to the elements,
   `scripts/gen-plugin-doc.py --build BUILD` rewrites it);
2. the file against gst-inspect-1.0's own output: the plugin's metadata,
   each element's factory details (documentation URI included), the set of
   properties, and per property its blurb, flags, type, range and default,
   and the pad templates' formats.

    test-plugin-doc.py GEN_SCRIPT CACHE_JSON BUILD_DIR

Exit 77 (skip) without python3-gi or gst-inspect-1.0.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

try:
    import gi
    gi.require_version('Gst', '1.0')
except (ImportError, ValueError) as e:
    print('SKIP: %s (Debian: python3-gi)' % e)
    sys.exit(77)
if not shutil.which('gst-inspect-1.0'):
    print('SKIP: gst-inspect-1.0 missing')
    sys.exit(77)

gen, cache, build = sys.argv[1:4]
failures = []


def check(cond, msg):
    print(('ok   ' if cond else 'FAIL ') + msg)
    if not cond:
        failures.append(msg)


p = subprocess.run([sys.executable, gen, '--check', '--build', build,
                    '--output', cache], stdout=subprocess.PIPE,
                   stderr=subprocess.PIPE, universal_newlines=True)
print(p.stdout[-4000:])
check(p.returncode == 0, 'the checked-in description is the plugin\'s (%s)'
      % p.stderr.strip())

# and a description that drifted from the code is caught, with the diff
with tempfile.TemporaryDirectory(prefix='test-plugin-doc-') as tmp:
    stale = os.path.join(tmp, 'stale.json')
    with open(cache, encoding='utf-8') as f:
        text = f.read()
    with open(stale, 'w', encoding='utf-8') as f:
        f.write(text.replace('"What to output"', '"What it outputs"'))
    p = subprocess.run([sys.executable, gen, '--check', '--build', build,
                        '--output', stale], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, universal_newlines=True)
    check(p.returncode == 1 and '+                        "blurb": "What to '
          'output"' in p.stdout and 'out of date' in p.stderr,
          'a stale description fails --check with the difference')

env = dict(os.environ, GST_UNSUPERVISED_KERNELS='c',
           GST_PLUGIN_PATH_1_0=os.path.join(build, 'plugins'),
           GST_PLUGIN_SYSTEM_PATH_1_0='',
           GST_REGISTRY_1_0=os.path.join(build, 'registry-test-plugin-doc.bin'))


def inspect(what):
    q = subprocess.run(['gst-inspect-1.0', what], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    check(q.returncode == 0, 'gst-inspect-1.0 %s' % what)
    return q.stdout


def field(text, name):
    m = re.search(r'^  %s +(.*)$' % re.escape(name), text, re.M)
    return m.group(1).strip() if m else None


with open(cache, encoding='utf-8') as f:
    doc = json.load(f)['unsupervised']

out = inspect('unsupervised')
for key, name in (('description', 'Description'), ('license', 'License'),
                  ('source', 'Source module'), ('package', 'Binary package'),
                  ('url', 'Origin URL')):
    check(field(out, name) == doc[key], 'plugin %s: %r' % (name, doc[key]))
check('example.invalid' not in doc['url'], 'a real origin: %s' % doc['url'])
listed = sorted(re.findall(r'^  (\w+): ', out, re.M))
check(listed == sorted(doc['elements']), 'elements %s' % listed)

TYPES = {'gdouble': 'Double', 'guint': 'Unsigned Integer',
         'guint64': 'Unsigned Integer64', 'gchararray': 'String',
         'gboolean': 'Boolean'}
MUTABLE = {'playing': 'changeable in NULL, READY, PAUSED or PLAYING state',
           'ready': 'changeable only in NULL or READY state'}
INHERITED = {'name', 'parent', 'qos'}

for el, d in sorted(doc['elements'].items()):
    out = inspect(el)
    for key, name in (('long-name', 'Long-name'), ('klass', 'Klass'),
                      ('description', 'Description'), ('author', 'Author'),
                      ('doc-uri', 'Doc-uri')):
        check(field(out, name) == d[key], '%s %s: %r' % (el, name, d[key]))
    check(d['doc-uri'].startswith(doc['url']) and
          d['doc-uri'].endswith('/%s.md' % el),
          '%s: documentation URI in the project: %s' % (el, d['doc-uri']))
    # properties: "  name : blurb", then flags, then type/range/default
    props = {}
    section = out.split('Element Properties:', 1)[1]
    for m in re.finditer(r'^  ([a-z0-9-]+) *: (.*)\n +flags: (.*)\n +(.*)$',
                         section, re.M):
        props[m.group(1)] = (m.group(2), m.group(3), m.group(4))
    check(set(props) - INHERITED == set(d['properties']),
          '%s: properties %s' % (el, sorted(d['properties'])))
    for name, pd in sorted(d['properties'].items()):
        if name not in props:
            continue
        blurb, flags, typ = props[name]
        ok = blurb == pd['blurb']
        want_flags = [f for f, on in (('readable', pd['readable']),
                                      ('writable', pd['writable']),
                                      ('controllable', pd['controllable']))
                      if on]
        if pd['mutable'] in MUTABLE:
            want_flags.append(MUTABLE[pd['mutable']])
        ok = ok and flags == ', '.join(want_flags)
        if pd['type'] in TYPES:
            ok = ok and typ.startswith(TYPES[pd['type']] + '.')
            dm = re.search(r'Default: *"?([^"]*?)"? *$', typ)
            if pd['type'] == 'gchararray':
                ok = ok and dm is not None and (
                    dm.group(1) == pd['default'] or
                    (pd['default'] == 'NULL' and dm.group(1) == 'null'))
            elif pd['type'] == 'gboolean':
                ok = ok and dm is not None and dm.group(1) == pd['default']
            else:
                rm = re.search(r'Range: *(\S+) *- *(\S+) *Default: *(\S+)',
                               typ)
                ok = ok and rm is not None and all(
                    abs(float(a) - float(b)) <= 1e-6 * max(1, abs(float(b)))
                    for a, b in zip(rm.groups(), (pd['min'], pd['max'],
                                                  pd['default'])))
        else:
            m = re.match(r'Enum "(\w+)" Default: (\d+), "([\w-]+)"', typ)
            ok = ok and m is not None and m.group(1) == pd['type'] and \
                '%s (%s)' % (m.group(3), m.group(2)) == pd['default']
            values = doc['other-types'].get(pd['type'], {}).get('values', [])
            block = re.split(r'\n  \S', re.split(r'\n  %s *:' % name,
                                                section, 1)[1], 1)[0]
            listed = re.findall(r'^ +\((\d+)\): ([\w-]+) +- (.*)$', block,
                                re.M)
            ok = ok and [(v['value'], v['name'], v['desc']) for v in values] \
                == [tuple(x) for x in listed]
        check(ok, '%s.%s: blurb, flags, type, range and default as '
              'gst-inspect-1.0 shows them (%s | %s)' % (el, name, flags, typ))
    # pad templates: the formats
    for pad, pd in sorted(d['pad-templates'].items()):
        m = re.search(r"%s template: '%s'.*?format: \{ ([^}]*) \}"
                      % (pad.upper(), pad), out, re.S)
        shown = sorted(re.findall(r'\(string\)(\w+)', m.group(1))) if m \
            else None
        listed = sorted(re.search(r'format=\(string\)\{ ([^}]*) \}',
                                  pd['caps']).group(1).replace(' ', '')
                        .split(','))
        check(shown == listed, '%s %s caps: %d formats' % (el, pad,
                                                           len(listed)))

print('%d failures' % len(failures))
sys.exit(1 if failures else 0)
