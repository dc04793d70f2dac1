import * as fs from 'fs';
import * as path from 'path';

/**
 * Reads a file shipped next to the source that uses it (a shell script, a schema). Compiled
 * code runs from `build/lib/...` while the files stay in `lib/...`, so both places are tried.
 */
export function readAsset(dirname: string, file: string): string {
  const direct = path.join(dirname, file);
  if (fs.existsSync(direct)) return fs.readFileSync(direct, 'utf8');
  const source = path.join(dirname.replace(`${path.sep}build${path.sep}lib`, `${path.sep}lib`), file);
  return fs.readFileSync(source, 'utf8');
}
