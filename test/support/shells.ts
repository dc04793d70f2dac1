import { installed, requireIfAsked, skippedFor } from './tools';

/**
 * The POSIX shells our container scripts are run with: Debian's dash (`/bin/sh` on Debian images and
 * on a fresh Debian machine) and busybox sh (Alpine images).
 *
 * `npm test` runs the script suites under every shell that is installed and reports the missing ones as
 * skipped tests (test/support/tools.ts): a fresh machine with only Node.js has no busybox. The integration
 * run re-runs the same suites with REQUIRE_ALL_TOOLS=1, where a missing shell fails.
 */
export interface PosixShell {
  /** `dash`, `busybox sh`: used in test titles. */
  readonly name: string;
  /** The command that runs a script file: `[...argv, script, ...args]`. */
  readonly argv: readonly string[];
  /** Binary to look up on PATH. */
  readonly binary: string;
}

export const POSIX_SHELLS: readonly PosixShell[] = [
  { name: 'dash', argv: ['dash'], binary: 'dash' },
  { name: 'busybox sh', argv: ['busybox', 'sh'], binary: 'busybox' },
];

/** Shells the script suites run under here (REQUIRE_ALL_TOOLS=1 makes a missing one an error). */
export function availableShells(): { present: PosixShell[]; missing: PosixShell[] } {
  for (const shell of POSIX_SHELLS) requireIfAsked(shell.binary);
  const present = POSIX_SHELLS.filter((s) => installed(s.binary));
  return { present, missing: POSIX_SHELLS.filter((s) => !present.includes(s)) };
}

const SHELLS_HERE = availableShells();

/**
 * `describe(title)` once per installed shell, `title` with `%s` replaced by the shell's name; for each
 * missing shell one visible skipped test says why, so a suite that never ran is never counted as passed.
 */
export function describeEachShell(title: string, body: (shell: readonly string[], name: string) => void): void {
  for (const shell of SHELLS_HERE.present) describe(title.replace('%s', shell.name), () => body(shell.argv, shell.name));
  for (const shell of SHELLS_HERE.missing) {
    test.skip(`${title.replace('%s', shell.name)} ${skippedFor(shell.binary)}`, () => undefined);
  }
}
