import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * The README's sample synth log is what a real `npm run synth` prints for gke: this runs the synth
 * entry (as `npm run synth -- --profile gke` would, into a scratch folder) and compares line by line.
 * `UPDATE_README=1 npx jest test/readme-synth-log` rewrites the README block from the run.
 */
const ROOT = path.join(__dirname, '..');
const README = path.join(ROOT, 'README.md');
const FENCE = /(After each profile, synth prints[^\n]*\n[^\n]*\n\n)( *)```\n([\s\S]*?)\n *```/;

test('README sample synth output equals a real synth of the gke profile', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-synth-'));
  try {
    const run = spawnSync(process.execPath, ['apps/run.js', '--profile', 'gke', '--outdir', out, '--no-upgrade-guard'], { cwd: ROOT, encoding: 'utf8' });
    expect(run.status).toBe(0);
    const prefix = `${path.relative(ROOT, out)}/gke:`;
    const log = run.stderr.trimEnd().split('\n');
    const start = log.findIndex((l) => l.startsWith(prefix));
    expect(start).toBeGreaterThanOrEqual(0);
    const real = [log[start].replace(prefix, 'dist/gke:'), ...log.slice(start + 1).filter((l) => l.startsWith('  '))];

    const readme = fs.readFileSync(README, 'utf8');
    const match = FENCE.exec(readme);
    expect(match).not.toBeNull();
    const indent = match![2];
    if (process.env.UPDATE_README === '1') {
      const block = `${indent}\`\`\`\n${real.map((l) => indent + l).join('\n')}\n${indent}\`\`\``;
      fs.writeFileSync(README, readme.replace(FENCE, (_all, lead: string) => lead + block));
      return;
    }
    const documented = match![3].split('\n').map((l) => l.slice(indent.length));
    expect(documented).toEqual(real);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
