import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readAsset } from '../../lib/assets';

const LIB = path.join(__dirname, '../../lib');

/**
 * A container script of lib/ (`databases/scripts/backup-mysql.sh`) as its ConfigMap carries it: with the
 * prelude functions it names written in (lib/assets.ts). The file in lib/ alone does not run.
 */
export function renderedScript(libPath: string): string {
  return readAsset(path.join(LIB, path.dirname(libPath)), path.basename(libPath));
}

/**
 * The rendered scripts side by side in a new temporary directory, as a pod mounts its ConfigMap (a
 * script that sources another finds it next to itself); returns the directory, removed after the suite.
 */
export function renderedScriptDir(...libPaths: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scripts-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  for (const libPath of libPaths) fs.writeFileSync(path.join(dir, path.basename(libPath)), renderedScript(libPath));
  return dir;
}
