import { spawnSync } from 'child_process';

/**
 * The POSIX shells our container scripts are run with: Debian's dash (`/bin/sh` on Debian images and
 * on a fresh Debian machine) and busybox sh (Alpine images).
 *
 * `npm test` runs the script suites under every shell that is installed and reports the missing ones as
 * skipped tests (and once, in a banner, via test/support/shell-banner.js): a fresh machine with only
 * Node.js has no busybox. The integration suite (`npm run test:integration`, after install-servers.sh
 * installed busybox) runs the same suites with REQUIRE_ALL_SHELLS=1, where a missing shell fails.
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

/** `true` when `binary` is on PATH. */
export function installed(binary: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', binary], { stdio: 'ignore' }).status === 0;
}

/** Shells the script suites run under here; throws when REQUIRE_ALL_SHELLS=1 and one is missing. */
export function availableShells(): { present: PosixShell[]; missing: PosixShell[] } {
  const present = POSIX_SHELLS.filter((s) => installed(s.binary));
  const missing = POSIX_SHELLS.filter((s) => !present.includes(s));
  if (missing.length && process.env.REQUIRE_ALL_SHELLS === '1') {
    throw new Error(`REQUIRE_ALL_SHELLS=1 but ${missing.map((s) => s.binary).join(', ')} is not installed; run test/integration/install-servers.sh`);
  }
  if (!present.length) throw new Error('no POSIX shell (dash or busybox) is installed; the script suites cannot run');
  return { present, missing };
}

const SHELLS_HERE = availableShells();

/**
 * `describe(title)` once per installed shell, `title` with `%s` replaced by the shell's name; for each
 * missing shell one visible skipped test says why, so a suite that never ran is never counted as passed.
 */
export function describeEachShell(title: string, body: (shell: readonly string[], name: string) => void): void {
  for (const shell of SHELLS_HERE.present) describe(title.replace('%s', shell.name), () => body(shell.argv, shell.name));
  for (const shell of SHELLS_HERE.missing) {
    test.skip(`${title.replace('%s', shell.name)} (skipped: ${shell.binary} is not installed; npm run test:integration runs it)`, () => undefined);
  }
}
