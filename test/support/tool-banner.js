// jest globalSetup of `npm test`: says once, loudly, which optional programs this run lacks
// (test/support/tools.ts): the tests that need them are reported as skipped.
'use strict';
const { spawnSync } = require('child_process');

const TOOLS = ['dash', 'busybox', 'git', 'python3', 'dot'];

module.exports = async () => {
  const missing = TOOLS.filter((bin) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', bin], { stdio: 'ignore' }).status !== 0);
  if (!missing.length) return;
  const line = '!'.repeat(100);
  process.stderr.write(`\n${line}\n!! SKIPPED: tests that need ${missing.join(', ')} do not run here (not installed).\n` +
    '!! They are reported as skipped tests. test/integration/install-servers.sh installs them and\n' +
    '!! `npm run test:integration` re-runs those suites with every program required (REQUIRE_ALL_TOOLS=1).\n' +
    `${line}\n\n`);
};
