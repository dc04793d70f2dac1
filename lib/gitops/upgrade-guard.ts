import { execFileSync } from 'child_process';
import * as path from 'path';
import { type Finding, type ManifestObject, checkUpgrade } from '../checks';
import { KUSTOMIZATION_FILE } from './kustomization';
import type { RenderedFolder } from './render';

/** Where the render the cluster runs is committed. */
export interface CommittedRenderOptions {
  /** Working directory inside the repository; `distPath` is relative to it. */
  readonly cwd: string;
  /** Commit to compare with, e.g. `origin/main` in CI for a pull request. @default 'HEAD' */
  readonly ref?: string;
  /** Folder of the renders. @default 'dist' */
  readonly distPath?: string;
  /** Renames and namespace moves made deliberately, as the guard names them (`statefulset-renamed/ml-db/postgres`). @default none */
  readonly acknowledge?: readonly string[];
}

/** Findings of one `dist/` folder. */
export interface FolderUpgradeReport {
  /** Folder name inside `dist/`, e.g. `gke`. */
  readonly folder: string;
  /** Changes against the committed render, errors (refused by a live cluster) and warnings (risky). */
  readonly findings: readonly Finding[];
}

/** The guard's verdict: skipped (with why), or findings per compared folder. */
export type UpgradeGuardResult =
  | { readonly skipped: string }
  | { readonly ref: string; readonly reports: readonly FolderUpgradeReport[] };

let yamlModule: { parseAllDocuments(text: string, options: object): Array<{ toJSON(): unknown; errors: unknown[] }> } | undefined;
/** cdk8s's own YAML library (what wrote the files), so the guard needs no extra dependency. */
function yaml() {
  yamlModule ??= require(require.resolve('yaml', { paths: [path.dirname(require.resolve('cdk8s'))] }));
  return yamlModule!;
}

/** The Kubernetes objects of a multi-document YAML text, as cdk8s writes it (YAML 1.1). */
export function parseManifests(text: string, source: string): ManifestObject[] {
  const out: ManifestObject[] = [];
  for (const doc of yaml().parseAllDocuments(text, { version: '1.1' })) {
    if (doc.errors.length) throw new Error(`${source}: not valid YAML: ${String(doc.errors[0])}`);
    const value = doc.toJSON();
    if (value && typeof value === 'object' && !Array.isArray(value)) out.push(value as ManifestObject);
  }
  return out;
}

function git(cwd: string, args: readonly string[], input?: string): Buffer {
  return execFileSync('git', args as string[], { cwd, input, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
}

/** Contents of `paths` at `ref` in one `git cat-file --batch` call. */
function readBlobs(cwd: string, ref: string, paths: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  if (!paths.length) return out;
  const raw = git(cwd, ['cat-file', '--batch'], paths.map((p) => `${ref}:./${p}\n`).join(''));
  let offset = 0;
  for (const p of paths) {
    const newline = raw.indexOf(10, offset);
    const header = raw.subarray(offset, newline).toString();
    const size = Number(header.split(' ')[2]);
    if (!header.includes(' blob ')) throw new Error(`git cat-file ${ref}:${p}: ${header}`);
    out.set(p, raw.subarray(newline + 1, newline + 1 + size).toString('utf8'));
    offset = newline + 1 + size + 1;
  }
  return out;
}

/**
 * Compares each rendered folder with the same folder of `dist/` at `ref` (git HEAD by default) and runs
 * `checkUpgrade` on every folder whose manifest files changed. Skips, with the reason, when there is no git,
 * no repository, no such commit, or no committed `dist/`: there is then nothing the cluster could be running.
 */
export function guardUpgrade(folders: readonly RenderedFolder[], options: CommittedRenderOptions): UpgradeGuardResult {
  const ref = options.ref ?? 'HEAD';
  const dist = (options.distPath ?? 'dist').replace(/\/+$/, '');
  let committed: string[];
  try {
    git(options.cwd, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
    committed = git(options.cwd, ['ls-tree', '-r', '--name-only', ref, '--', `${dist}/`]).toString().split('\n').filter(Boolean);
  } catch (error) {
    const missingGit = (error as NodeJS.ErrnoException).code === 'ENOENT';
    return { skipped: missingGit ? 'git is not installed' : `no git repository or no commit '${ref}' in ${options.cwd}` };
  }
  if (!committed.length) return { skipped: `no ${dist}/ committed at ${ref}` };

  const isManifest = (file: string) => file.endsWith('.yaml') && path.basename(file) !== KUSTOMIZATION_FILE;
  const wanted: { folder: RenderedFolder; paths: string[] }[] = folders.map((folder) => ({
    folder,
    paths: committed.filter((p) => p.startsWith(`${dist}/${folder.folder}/`) && isManifest(p)),
  }));
  const blobs = readBlobs(options.cwd, ref, wanted.flatMap((w) => w.paths));
  const reports: FolderUpgradeReport[] = [];
  for (const { folder, paths } of wanted) {
    if (!paths.length) continue;
    const fresh = new Map(folder.files.filter((f) => isManifest(f.name)).map((f) => [`${dist}/${folder.folder}/${f.name}`, f.content]));
    const unchanged = paths.length === fresh.size && paths.every((p) => fresh.get(p) === blobs.get(p));
    if (unchanged) {
      reports.push({ folder: folder.folder, findings: [] });
      continue;
    }
    const before = paths.flatMap((p) => parseManifests(blobs.get(p)!, `${ref}:${p}`));
    reports.push({ folder: folder.folder, findings: checkUpgrade(before, folder.objects, { acknowledge: options.acknowledge }) });
  }
  return { ref, reports };
}
