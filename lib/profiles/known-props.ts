/**
 * Runtime check for misspelled props. Synth only transpiles TypeScript (no type-check, to stay fast), and plain
 * JavaScript users have no type-check at all, so an unknown key (`usernameKey` for `username`) would be ignored
 * silently. Each checked props interface lists its keys with `propNames<Props>({...})`, which the compiler holds
 * to exactly the interface's keys, so the list cannot drift.
 */

/** The keys of `T`, spelled out once; a missing or extra key is a compile error. */
export function propNames<T>(names: { readonly [K in keyof Required<T>]: true }): readonly string[] {
  return Object.keys(names);
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

/** `where: unknown prop 'usernameKey' (did you mean 'username'?); known props: ...`, or undefined when every key is known. */
export function unknownPropsProblem(where: string, props: object | undefined, known: readonly string[]): string | undefined {
  if (!props || typeof props !== 'object') return undefined;
  const unknown = Object.keys(props).filter((k) => !known.includes(k));
  if (!unknown.length) return undefined;
  const described = unknown.map((k) => {
    const near = [...known].sort((x, y) => distance(k, x) - distance(k, y))[0];
    const close = near !== undefined && (distance(k, near) <= Math.max(2, Math.floor(k.length / 3)) || k.toLowerCase().includes(near.toLowerCase()) || near.toLowerCase().includes(k.toLowerCase()));
    return `'${k}'${close ? ` (did you mean '${near}'?)` : ''}`;
  });
  return `${where}: unknown prop${unknown.length > 1 ? 's' : ''} ${described.join(', ')}; known props: ${known.join(', ')}.`;
}

/** Throws the one-line `unknownPropsProblem` message, if any. */
export function assertKnownProps(where: string, props: object | undefined, known: readonly string[]): void {
  const problem = unknownPropsProblem(where, props, known);
  if (problem) throw new Error(problem);
}
