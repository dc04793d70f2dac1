import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as jsYaml from 'js-yaml';
import { parseAllDocuments } from 'yaml';
import { ManifestObject, RenderedFolder, writeRendered } from '../../lib';
import { isPlainSafe, toYaml } from '../../lib/gitops';
import { REFERENCE_GITOPS } from '../../apps/gitops';
import { renderGitOps } from '../../lib';
import { renderWith } from '../../apps/main';
import { buildPlatform } from '../../apps/platform';
import { referenceProfiles } from '../../apps/profiles';

/** Every parser the output must read back equal with: YAML 1.2 (`yaml`, `js-yaml`) and YAML 1.1 (`yaml` in 1.1 mode, as Go's yaml.v2 reads it). */
const PARSERS: Record<string, (text: string) => unknown[]> = {
  'yaml 1.2': (text) => parseAllDocuments(text).map((d) => {
    if (d.errors.length) throw d.errors[0];
    return d.toJS();
  }),
  'yaml 1.1': (text) => parseAllDocuments(text, { version: '1.1' }).map((d) => {
    if (d.errors.length) throw d.errors[0];
    return d.toJS();
  }),
  'js-yaml': (text) => jsYaml.loadAll(text),
};

/** What a document must read back as: its JSON value (undefined members dropped). */
const asJson = (docs: readonly unknown[]) => JSON.parse(JSON.stringify(docs));

function expectRoundTrip(docs: readonly unknown[], text = toYaml(...docs)): void {
  for (const [name, parse] of Object.entries(PARSERS)) {
    let parsed: unknown[];
    try {
      parsed = parse(text);
    } catch (error) {
      throw new Error(`${name} cannot parse:\n${text}\n${error}`);
    }
    if (JSON.stringify(parsed) !== JSON.stringify(asJson(docs))) {
      // toEqual names the first difference.
      expect({ parser: name, docs: parsed }).toEqual({ parser: name, docs: asJson(docs) });
    }
  }
}

describe('toYaml: exact output', () => {
  test.each([
    // YAML 1.1 booleans and nulls, any case
    ['on', '"on"'], ['On', '"On"'], ['OFF', '"OFF"'], ['yes', '"yes"'], ['No', '"No"'], ['y', '"y"'], ['N', '"N"'],
    ['true', '"true"'], ['False', '"False"'], ['~', '"~"'], ['null', '"null"'], ['NULL', '"NULL"'], ['', '""'],
    // numbers in either version: octal, exponent, hex, binary, underscores, sexagesimal, floats, inf/nan
    ['0755', '"0755"'], ['0o17', '"0o17"'], ['1e3', '"1e3"'], ['1E3', '"1E3"'], ['0x1f', '"0x1f"'], ['0b101', '"0b101"'],
    ['1_000', '"1_000"'], ['12:30', '"12:30"'], ['1.32', '"1.32"'], ['.5', '".5"'], ['-1', '"-1"'], ['+1', '"+1"'],
    ['.inf', '".inf"'], ['-.Inf', '"-.Inf"'], ['.NaN', '".NaN"'], ['894e7164', '"894e7164"'],
    // dates and timestamps
    ['2024-01-01', '"2024-01-01"'], ['2024-1-1T10:00:00Z', '"2024-1-1T10:00:00Z"'],
    // merge and value keys, document markers
    ['<<', '"<<"'], ['=', '"="'], ['---', '"---"'], ['...', '"..."'],
    // indicators, comments, colons, whitespace
    ['- x', '"- x"'], ['-', '"-"'], [':9000', '":9000"'], ['a: b', '"a: b"'], ['a #b', '"a #b"'], ['a:', '"a:"'], ['#x', '"#x"'],
    ['*alias', '"*alias"'], ['&anchor', '"&anchor"'], ['!tag', '"!tag"'], ['|', '"|"'], ['>', '">"'], ['[a]', '"[a]"'], ['{a}', '"{a}"'],
    ['@x', '"@x"'], ['`x', '"`x"'], ['%x', '"%x"'], ["'x'", '"\'x\'"'], ['"x"', '"\\"x\\""'], [' lead', '" lead"'], ['trail ', '"trail "'],
    // non-printables and YAML-only line breaks are escaped
    ['tab\there', '"tab\\there"'], ['nel\u0085', '"nel\\u0085"'], ['ls\u2028', '"ls\\u2028"'], ['bom\ufeff', '"bom\\ufeff"'], ['del\x7f', '"del\\u007f"'],
    ['bell\x07', '"bell\\u0007"'], ['caf\u00e9', '"caf\u00e9"'],
    // plain: names, paths, flags, quantities, images, URLs
    ['postgres', 'postgres'], ['app.kubernetes.io/name', 'app.kubernetes.io/name'], ['-c', '-c'], ['--config=/etc/x.conf', '--config=/etc/x.conf'],
    ['10Gi', '10Gi'], ['500m', '500m'], ['postgres:16.4', 'postgres:16.4'], ['http://x.y:80/z', 'http://x.y:80/z'],
    ['yesterday', 'yesterday'], ['a,b', 'a,b'], ['echo $HOME', 'echo $HOME'],
  ])('%j is written %s, as a value and as a key', (s, written) => {
    expect(toYaml({ k: s })).toBe(`k: ${written}\n`);
    expect(toYaml({ [s]: 1 })).toBe(`${written}: 1\n`);
    expect(isPlainSafe(s)).toBe(written === s);
    expectRoundTrip([{ k: s, [s]: [s] }]);
  });

  test('multi-line strings are block literals; the chomping indicator keeps the trailing newlines', () => {
    expect(toYaml({ s: 'a\n  b' })).toBe('s: |-\n  a\n    b\n');
    expect(toYaml({ s: 'a\nb\n' })).toBe('s: |\n  a\n  b\n');
    expect(toYaml({ s: 'a\n\nb\n\n\n' })).toBe('s: |+\n  a\n\n  b\n\n\n');
    expect(toYaml({ s: '\n#!/bin/sh\n' })).toBe('s: |\n\n  #!/bin/sh\n');
    expect(toYaml({ l: ['x\n', { s: 'y\nz' }] })).toBe('l:\n  - |\n    x\n  - s: |-\n      y\n      z\n');
    for (const s of ['a\n  b', 'a\nb\n', 'a\n\nb\n\n\n', '\n#!/bin/sh\n', '\n\nx']) expectRoundTrip([{ s }, { l: [s, [s]] }]);
  });

  test('what a literal cannot carry exactly is double-quoted: tabs, trailing spaces, an indented first line, \\r, only newlines', () => {
    expect(toYaml({ s: 'a\tb\nc' })).toBe('s: "a\\tb\\nc"\n');
    expect(toYaml({ s: 'a \nb' })).toBe('s: "a \\nb"\n');
    expect(toYaml({ s: 'a\n  \nb' })).toBe('s: "a\\n  \\nb"\n');
    expect(toYaml({ s: 'a\nb ' })).toBe('s: "a\\nb "\n');
    expect(toYaml({ s: '  a\nb' })).toBe('s: "  a\\nb"\n');
    expect(toYaml({ s: 'a\r\nb' })).toBe('s: "a\\r\\nb"\n');
    expect(toYaml({ s: '\n\n' })).toBe('s: "\\n\\n"\n');
    for (const s of ['a\tb\nc', 'a \nb', 'a\n  \nb', 'a\nb ', '  a\nb', 'a\r\nb', '\n\n']) expectRoundTrip([{ s }]);
  });

  test('collections: block style, sequences indented under keys, empty ones inline, nested sequences; documents joined by ---', () => {
    const doc = { a: [[1, [2]], { b: [] }, {}], c: {}, d: { e: null, f: true, g: 1.5, h: undefined }, i: [null, false] };
    expect(toYaml(doc, { z: 0 })).toBe([
      'a:', '  - - 1', '    - - 2', '  - b: []', '  - {}', 'c: {}', 'd:', '  e: null', '  f: true', '  g: 1.5', 'i:', '  - null', '  - false',
      '---', 'z: 0', '',
    ].join('\n'));
    expect(toYaml()).toBe('');
    expect(toYaml({})).toBe('{}\n');
    expectRoundTrip([doc, { z: 0 }]);
  });

  test('keys keep the object\'s order; the same value is written byte-identically', () => {
    expect(toYaml({ b: 1, a: 2 })).toBe('b: 1\na: 2\n');
    const value = { kind: 'X', metadata: { name: 'n', labels: { z: '1', a: 'on' } } };
    expect(toYaml(value)).toBe(toYaml(JSON.parse(JSON.stringify(value))));
  });
});

/** A deterministic pseudo-random generator (mulberry32): the property test is reproducible from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Pieces random strings are made of: whatever YAML could misread, plus ordinary text. */
const PIECES = [
  'on', 'Yes', 'n', '~', 'null', 'True', '0755', '1e3', '0x1F', '0b1', '0o7', '1_0', '12:30:00', '2024-01-01', '.inf', '-.NaN', '<<', '=', '-', '--', '---', '...',
  ':', ': ', ' #', '#', '?', '[', ']', '{', '}', ',', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', '\\', ' ', '  ', '\t', '\n', '\n\n', '\r', '\r\n',
  'a', 'key', 'value', 'postgres', 'x.y/z', '10Gi', '500m', '1', '0', '-1', '3.5', 'é', '\u2028', '\u0085', '\ufeff', '\x00', '\x1b', '\x7f', '😀', '中文',
  '#!/bin/sh\nset -eu\n', '  indented\n', 'echo "$X" >&2\n',
];

function randomString(r: () => number): string {
  const n = Math.floor(r() * 5);
  let s = '';
  for (let i = 0; i < n; i++) s += PIECES[Math.floor(r() * PIECES.length)];
  return s;
}

function randomValue(r: () => number, depth: number): unknown {
  const k = r();
  if (depth > 4 || k < 0.45) {
    const t = r();
    if (t < 0.6) return randomString(r);
    if (t < 0.75) return Math.floor((r() - 0.5) * 1e6) / (r() < 0.5 ? 1 : 1000);
    if (t < 0.85) return r() < 0.5;
    if (t < 0.9) return null;
    return [1e21, -1e-7, 0, 2 ** 53, 0.1][Math.floor(r() * 5)];
  }
  if (k < 0.7) return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = Math.floor(r() * 5); i > 0; i--) o[randomString(r)] = randomValue(r, depth + 1);
  return o;
}

describe('toYaml: property test', () => {
  test('2000 random documents read back equal with yaml (1.2 and 1.1) and js-yaml', () => {
    const r = rng(23);
    let strings = 0;
    for (let i = 0; i < 2000; i++) {
      const doc = { k: randomValue(r, 0), [randomString(r)]: randomValue(r, 1), s: randomString(r) };
      strings += 1;
      expectRoundTrip([doc, randomValue(r, 0)]);
    }
    expect(strings).toBe(2000);
  });
});

describe('toYaml: every rendered object of the reference app', () => {
  const profiles = referenceProfiles().map((profile) => renderWith(profile, buildPlatform));
  const folders: RenderedFolder[] = [...profiles, renderGitOps(profiles, REFERENCE_GITOPS)];

  test.each(folders.map((f) => [f.folder, f]))('dist/%s: every manifest file reads back as its objects with every parser', (_name, folder) => {
    const manifests = folder.files.filter((f) => f.objects);
    expect(manifests.length).toBeGreaterThan(0);
    for (const file of manifests) {
      expect(file.content).toBe(toYaml(...file.objects!));
      expectRoundTrip(file.objects!, file.content);
    }
    expect(manifests.flatMap((f) => f.objects!)).toEqual(folder.objects);
  });

  test('the committed dist/ is exactly this render (byte-stable)', () => {
    const root = path.resolve(__dirname, '../..');
    for (const folder of folders) {
      for (const file of folder.files) expect([folder.folder, file.name, fs.readFileSync(path.join(root, 'dist', folder.folder, file.name), 'utf8')]).toEqual([folder.folder, file.name, file.content]);
    }
  });

  const kubectl = spawnSync('sh', ['-c', 'command -v kubectl']).status === 0;
  if (!kubectl) {
    // Visible in the test output: the build assertion needs the binary.
    test.skip('kubectl kustomize builds every profile (skipped: kubectl is not installed)', () => undefined);
  } else {
    test('kubectl kustomize builds every folder into exactly the rendered objects', () => {
      const out = fs.mkdtempSync(path.join(os.tmpdir(), 'kustomize-all-'));
      try {
        writeRendered(out, folders);
        for (const folder of folders) {
          const run = spawnSync('kubectl', ['kustomize', path.join(out, folder.folder)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
          expect([folder.folder, run.status, run.stderr]).toEqual([folder.folder, 0, '']);
          const built = jsYaml.loadAll(run.stdout) as ManifestObject[];
          const key = (o: ManifestObject) => `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
          // The plugin config is a sidecar file, not in kustomization.yaml.
          const listed = folder.objects.filter((o) => o.kind !== 'ConfigManagementPlugin');
          expect(built.map(key).sort()).toEqual(listed.map(key).sort());
          const byKey = new Map(built.map((o) => [key(o), o]));
          for (const o of listed) expect(byKey.get(key(o))).toEqual(o);
        }
      } finally {
        fs.rmSync(out, { recursive: true, force: true });
      }
    });
  }
});
