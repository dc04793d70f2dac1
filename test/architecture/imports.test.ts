import * as fs from 'fs';
import * as path from 'path';

/**
 * The layering of DESIGN.md, checked on every import in lib/: a module imports only its own layer or
 * lower ones, and no chain of imports (type-only ones included) comes back to where it started.
 */
const LIB = path.join(__dirname, '..', '..', 'lib');

/** Layer of each top-level entry of lib/ (a folder, or a root file without extension); higher imports lower. */
const LAYERS: Record<string, number> = {
  'k8s': 0, 'assets': 0, 'sync-phase': 0, 'profiles': 0, 'checks': 0, 'private': 0, 'names': 0,
  'storage': 1, 'secrets': 1,
  'stateful': 2,
  'databases': 3,
  'ml': 4,
  'gitops': 5,
  'cli': 6, 'testing': 6,
  'index': 7,
};

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'schemas' ? [] : sources(full);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [full] : [];
  });
}

function resolveImport(from: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts')]) if (fs.existsSync(candidate)) return candidate;
  return undefined;
}

const layerOf = (file: string) => {
  const top = path.relative(LIB, file).split(path.sep)[0].replace(/\.ts$/, '');
  if (!(top in LAYERS)) throw new Error(`lib/${top} has no layer in test/architecture/imports.test.ts; add it where DESIGN.md puts it`);
  return { top, layer: LAYERS[top] };
};

/**
 * Every relative module a source names: `import`/`export ... from` (type-only too), side-effect `import '...'`,
 * and the inline forms `import('...')` (a type reference or a lazy import) and `require('...')`.
 */
export function relativeImports(text: string): string[] {
  const patterns = [
    /^\s*(?:import|export)\b[^'";]*?from\s+['"](\.[^'"]+)['"]/gm,
    /^\s*import\s+['"](\.[^'"]+)['"]/gm,
    /\b(?:import|require)\(\s*['"](\.[^'"]+)['"]\s*\)/g,
  ];
  return patterns.flatMap((p) => [...text.matchAll(p)].map((m) => m[1]));
}

const files = sources(LIB);
const graph = new Map<string, string[]>(files.map((file) => {
  const text = fs.readFileSync(file, 'utf8');
  return [file, relativeImports(text).map((s) => resolveImport(file, s)).filter((f): f is string => !!f)];
}));
const rel = (f: string) => path.relative(path.join(LIB, '..'), f);

test('no module imports a higher layer (DESIGN.md order)', () => {
  const upward: string[] = [];
  for (const [file, deps] of graph) {
    const from = layerOf(file);
    for (const dep of deps) {
      const to = layerOf(dep);
      if (to.layer > from.layer) upward.push(`${rel(file)} (${from.top}) imports ${rel(dep)} (${to.top})`);
    }
  }
  expect(upward).toEqual([]);
});

test('no import circle', () => {
  const circles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const dep of graph.get(file) ?? []) {
      if (state.get(dep) === 'open') circles.push([...stack.slice(stack.indexOf(dep)), dep].map(rel).join(' -> '));
      else if (!state.has(dep)) visit(dep);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  expect(circles).toEqual([]);
});

test('the import scan sees type-only, side-effect and inline imports', () => {
  const text = [
    "import type { A } from './a';",
    "export type { B } from './b';",
    'import {',
    '  C,',
    "} from \"./c\";",
    "import './d';",
    "type E = import('./e').E;",
    "const f = require('./f') as typeof import('./g');",
    "import * as fs from 'fs';",
  ].join('\n');
  expect(relativeImports(text).sort()).toEqual(['./a', './b', './c', './d', './e', './f', './g']);
});
