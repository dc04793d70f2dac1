import { spawnSync } from 'child_process';

/**
 * Programs some unit tests run besides Node.js. A fresh machine with only Node.js may lack them: `npm test`
 * then reports each such test as skipped, naming the program (and test/support/tool-banner.js says so once).
 * The integration run (`npm run test:integration`, after install-servers.sh installed them) re-runs these
 * suites with REQUIRE_ALL_TOOLS=1, where a missing program fails instead of skipping.
 */
export const OPTIONAL_TOOLS = ['dash', 'busybox', 'git', 'python3', 'dot'] as const;
export type OptionalTool = typeof OPTIONAL_TOOLS[number];

/** `true` when `binary` is on PATH. */
export function installed(binary: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', binary], { stdio: 'ignore' }).status === 0;
}

/** Throws when REQUIRE_ALL_TOOLS=1 and `binary` is missing, so the integration run cannot skip. */
export function requireIfAsked(binary: string): void {
  if (process.env.REQUIRE_ALL_TOOLS === '1' && !installed(binary)) {
    throw new Error(`REQUIRE_ALL_TOOLS=1 but ${binary} is not installed; run test/integration/install-servers.sh`);
  }
}

/** Why a test did not run: appended to its title, so the skip is visible in every report. */
export function skippedFor(binary: string): string {
  return `(skipped: ${binary} is not installed; npm run test:integration runs it)`;
}

/** `test` when `binary` is installed; otherwise a test that is reported as skipped, naming `binary`. */
export function testWith(binary: OptionalTool): (name: string, fn: jest.ProvidesCallback, timeout?: number) => void {
  requireIfAsked(binary);
  if (installed(binary)) return test;
  return (name, fn, timeout) => test.skip(`${name} ${skippedFor(binary)}`, fn, timeout);
}

/** `describe` when `binary` is installed; otherwise one skipped test naming `binary` in its place. */
export function describeWith(binary: OptionalTool, title: string, body: () => void): void {
  requireIfAsked(binary);
  if (installed(binary)) describe(title, body);
  else test.skip(`${title} ${skippedFor(binary)}`, () => undefined);
}
