/** `a.b[0].c` from path segments; numeric segments become indices. Findings name fields this way. */
export function joinPath(...segments: ReadonlyArray<string | number | undefined>): string {
  let out = '';
  for (const s of segments) {
    if (s === undefined || s === '') continue;
    if (typeof s === 'number') out += `[${s}]`;
    else out += out ? `.${s}` : s;
  }
  return out;
}
