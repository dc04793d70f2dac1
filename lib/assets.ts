import * as fs from 'fs';
import * as path from 'path';

/**
 * Reads a file shipped next to the source that uses it (a shell script, a schema). Compiled
 * code runs from `build/lib/...` while the files stay in `lib/...`, so both places are tried.
 * A shell script comes with its `# prelude: ...` line expanded (`withPrelude`).
 */
export function readAsset(dirname: string, file: string): string {
  // Shipped files do not change while the process runs, and a platform of N databases reads each script N times.
  const key = path.join(dirname, file);
  let text = assetCache.get(key);
  if (text === undefined) {
    const shipped = readShipped(dirname, file);
    text = file.endsWith('.sh') ? withPrelude(shipped, file) : shipped;
    assetCache.set(key, text);
  }
  return text;
}

const assetCache = new Map<string, string>();

/** `# prelude: log pod_ordinal`: the prelude functions a script uses. */
const PRELUDE_LINE = /^# prelude: (.*)$/m;

/**
 * `script` with its `# prelude: <function>...` line replaced by those functions of
 * lib/scripts/prelude.sh and the ones they call, in the prelude's order: a pod only has the
 * script's ConfigMap, so the rendered script carries what it uses. Unchanged without that line.
 */
export function withPrelude(script: string, file = 'script'): string {
  const line = PRELUDE_LINE.exec(script);
  if (!line) return script;
  const functions = preludeFunctions();
  const wanted = new Set<string>();
  const want = (name: string): void => {
    if (wanted.has(name)) return;
    const body = functions.get(name);
    if (body === undefined) {
      throw new Error(`${file}: lib/scripts/prelude.sh has no function '${name}' (it has: ${[...functions.keys()].join(', ')})`);
    }
    wanted.add(name);
    for (const callee of functions.keys()) if (new RegExp(`(^|[^\\w$])${callee}\\b(?!\\(\\))`).test(body)) want(callee);
  };
  line[1].split(/\s+/).filter(Boolean).forEach(want);
  const text = [...functions].filter(([name]) => wanted.has(name)).map(([, body]) => body).join('\n\n');
  return script.slice(0, line.index) + text + script.slice(line.index + line[0].length);
}

/** The prelude's functions by name, each with the comment above it; the file's header is left out. */
function preludeFunctions(): Map<string, string> {
  const functions = new Map<string, string>();
  for (const block of readShipped(__dirname, 'scripts/prelude.sh').trimEnd().split('\n\n')) {
    const name = /^(\w+)\(\) \{/m.exec(block)?.[1];
    if (name) functions.set(name, block);
  }
  return functions;
}

function readShipped(dirname: string, file: string): string {
  const direct = path.join(dirname, file);
  if (fs.existsSync(direct)) return fs.readFileSync(direct, 'utf8');
  const source = path.join(dirname.replace(`${path.sep}build${path.sep}lib`, `${path.sep}lib`), file);
  return fs.readFileSync(source, 'utf8');
}
