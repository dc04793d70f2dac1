// jest globalSetup of `npm test`: says once, loudly, which script shells this run skips.
'use strict';
const { spawnSync } = require('child_process');

module.exports = async () => {
  const missing = ['dash', 'busybox'].filter((bin) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', bin], { stdio: 'ignore' }).status !== 0);
  if (!missing.length) return;
  const line = '!'.repeat(100);
  process.stderr.write(`\n${line}\n!! SKIPPED: container scripts are NOT run under ${missing.join(', ')} here (not installed).\n` +
    '!! Those runs are reported as skipped tests. test/integration/install-servers.sh installs them and\n' +
    '!! `npm run test:integration` runs every script suite under every shell (REQUIRE_ALL_SHELLS=1).\n' +
    `${line}\n\n`);
};
