import * as fs from 'fs';
import * as path from 'path';
import { DNS_1123_LABEL, DNS_1123_SUBDOMAIN, MANAGED_BY_LABELS, isDns1123Label, isDns1123Subdomain, podIndexFieldRef } from '../../lib/names';

/**
 * Shared literals live in lib/names.ts only (issue #22): a copy elsewhere in lib/ drifts the day one of them changes.
 */
const LIB = path.join(__dirname, '..', '..', 'lib');

/** Where the literals are defined. */
const DEFINED_IN = ['names.ts'];

const LITERALS: Record<string, string> = {
  'managed-by label key': "'app.kubernetes.io/managed-by'",
  'DNS-1123 label pattern': '[a-z0-9]([-a-z0-9]*[a-z0-9])?',
  'pod-index fieldRef': "metadata.labels['apps.kubernetes.io/pod-index']",
};

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'schemas' ? [] : sources(full);
    return /\.(ts|sh|py)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [full] : [];
  });
}

test('shared literals are defined once, in lib/names.ts', () => {
  const copies: string[] = [];
  for (const file of sources(LIB)) {
    const rel = path.relative(LIB, file).split(path.sep).join('/');
    if (DEFINED_IN.includes(rel)) continue;
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      for (const [what, literal] of Object.entries(LITERALS)) {
        if (line.includes(literal)) copies.push(`lib/${rel}:${i + 1}: ${what} (import it from lib/names.ts)`);
      }
    });
  }
  expect(copies).toEqual([]);
});

test('the grep would catch a copy: each literal is present in lib/names.ts', () => {
  const names = fs.readFileSync(path.join(LIB, 'names.ts'), 'utf8');
  for (const literal of Object.values(LITERALS)) expect(names).toContain(literal);
});

test('the shared definitions keep their Kubernetes meaning', () => {
  expect(MANAGED_BY_LABELS).toEqual({ 'app.kubernetes.io/managed-by': 'cdk8s-stateful-ml' });
  expect(podIndexFieldRef()).toEqual({ fieldRef: { fieldPath: "metadata.labels['apps.kubernetes.io/pod-index']" } });
  expect(DNS_1123_LABEL.source).toBe('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$');
  expect(DNS_1123_SUBDOMAIN.source).toBe('^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$');
  expect(['a', 'db-0', '0x', 'a'.repeat(63)].filter((s) => isDns1123Label(s))).toEqual(['a', 'db-0', '0x', 'a'.repeat(63)]);
  expect(['', '-a', 'a-', 'A', 'a.b', 'a_b', 'a'.repeat(64)].filter((s) => isDns1123Label(s))).toEqual([]);
  expect(isDns1123Label('a'.repeat(41), 40)).toBe(false);
  expect(isDns1123Label('a'.repeat(40), 40)).toBe(true);
  expect(['svc.ns.svc.cluster.local', 'cluster.local', 'a'].every(isDns1123Subdomain)).toBe(true);
  expect(['.a', 'a..b', 'a.', 'A.b', `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}`].some(isDns1123Subdomain)).toBe(false);
});
