import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { ManifestObject, Profile } from '../../lib';
import { manifestFile, toYaml, writeManifestFile } from '../../lib/gitops';
import { renderReferenceProfile, synthesize } from '../../apps/main';
import { REFERENCE_GITOPS } from '../../apps/gitops';
import { renderGitOps } from '../../lib';
import { buildPlatform } from '../../apps/platform';
import { referenceProfiles } from '../../apps/profiles';
import { buildLeaky } from '../support/leaky-render';
import { readTree } from '../support/files';

const ROOT = path.resolve(__dirname, '../..');
const LOADER = path.join(ROOT, 'apps/ts-loader.js');

describe('profiles rendered on worker threads', () => {
  let tmp: string;
  beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'parallel-')); });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const run = (outdir: string, workers: number | 'auto' | undefined, build: (app: App, profile: Profile) => unknown = buildPlatform, exportName = 'renderReferenceProfile', module = path.join(ROOT, 'apps/main.ts')) => {
    const lines: string[] = [];
    const code = synthesize({
      outdir,
      profiles: referenceProfiles,
      build,
      extraFolders: (rendered) => [renderGitOps(rendered, REFERENCE_GITOPS)],
      // The log names the folder relative to the working directory (or absolute): both become <out>.
      log: (l) => lines.push(l.split(path.relative(process.cwd(), outdir)).join('<out>').split(outdir).join('<out>')),
      workers: workers === undefined ? undefined : { module: { module, exportName, preload: [LOADER] }, count: workers === 'auto' ? undefined : workers },
    });
    return { code, lines };
  };

  test('one and two workers, and the default (workers when they pay), write the same files and log the same lines as one thread', () => {
    const single = run(path.join(tmp, 'single'), undefined);
    expect(single.code).toBe(0);
    const files = readTree(path.join(tmp, 'single'));
    expect(Object.keys(files).filter((f) => f.endsWith('kustomization.yaml')).sort()).toEqual(['aks', 'argocd', 'eks', 'gke', 'kind'].map((f) => `${f}/kustomization.yaml`));
    for (const workers of [1, 2, 'auto'] as const) {
      const parallel = run(path.join(tmp, `w${workers}`), workers);
      expect(parallel).toEqual(single);
      expect(readTree(path.join(tmp, `w${workers}`))).toEqual(files);
    }
    // And exactly what is committed in dist/.
    expect(files).toEqual(readTree(path.join(ROOT, 'dist')));
  });

  test('a profile failing in a worker fails the synth with the one-thread message; nothing written, no staging left', () => {
    const outdir = path.join(tmp, 'out');
    fs.mkdirSync(path.join(outdir, 'kind'), { recursive: true });
    fs.writeFileSync(path.join(outdir, 'kind', 'platform.k8s.yaml'), 'previous render\n');
    const single = run(outdir, undefined, buildLeaky);
    // gke is profile 1: with one worker it renders in the worker thread.
    const parallel = run(outdir, 1, buildLeaky, 'renderLeaky', path.join(ROOT, 'test/support/leaky-render.ts'));
    expect(single.code).toBe(1);
    expect(single.lines.join('\n')).toMatch(/profile gke: gates failed:\n.*Secret ml-db\/pw/);
    expect(parallel).toEqual(single);
    expect(readTree(outdir)).toEqual({ 'kind/platform.k8s.yaml': 'previous render\n' });
  });

  test('a worker that cannot load its module fails the synth with the reason', () => {
    const outdir = path.join(tmp, 'out');
    const r = run(outdir, 1, buildPlatform, 'renderReferenceProfile', path.join(tmp, 'missing.ts'));
    expect(r.code).toBe(1);
    expect(r.lines.join('\n')).toContain('worker failed to start: Error: Cannot find module');
    expect(readTree(outdir)).toEqual({});
  });

  test('renderReferenceProfile renders one profile by name, as the worker does', () => {
    expect(renderReferenceProfile('eks').objects.length).toBeGreaterThan(40);
    expect(() => renderReferenceProfile('nope')).toThrow("Unknown profile 'nope'");
  });
});

describe('writing manifest files', () => {
  test('writeManifestFile writes exactly the YAML stream, across chunk boundaries', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'write-'));
    try {
      // ~3 MiB of YAML: several 1 MiB chunks, with multi-byte characters across their boundaries.
      const docs: ManifestObject[] = Array.from({ length: 3000 }, (_, i) => ({
        apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}` }, data: { script: `#!/bin/sh\necho "é ${i}"\n`.repeat(20), on: 'yes' },
      }));
      const file = path.join(dir, 'x.yaml');
      writeManifestFile(file, docs, '---\n');
      expect(fs.readFileSync(file, 'utf8')).toBe(`---\n${toYaml(...docs)}`);
      expect(manifestFile('x.yaml', docs).content).toBe(toYaml(...docs));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
