/**
 * Integration suite: synthesized scripts and configuration run against real servers on loopback
 * addresses, plus every `npm test` suite that needs an optional program (busybox, dash, git, python3,
 * graphviz `dot`: test/support/tools.ts) again with all of them required: `npm test` may skip those
 * tests on a fresh machine; here a missing program fails.
 * `test/integration/install-servers.sh` installs what this needs; a missing server fails the suite
 * with that instruction instead of skipping.
 */
const TOOL_SUITES = [
  'databases/scripts', 'gitops/cmp-kustomize', 'ml/mlflow-schema', 'ml/object-store', 'ml/object-store-users', 'ml/redis', 'ml/trainer-entrypoint',
  'protection/backup-object-store', 'protection/expansion', 'protection/logical-backup', 'protection/snapshot-script',
  'checks/catalogue/upgrades', 'examples/training-on-kind', 'gitops/upgrade-guard', 'report/topology', 'scripts/prelude',
];

module.exports = {
  rootDir: '../..',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['<rootDir>/test/integration/**/*.test.ts', ...TOOL_SUITES.map((s) => `<rootDir>/test/${s}.test.ts`)],
  setupFiles: ['<rootDir>/test/integration/require-all-tools.js'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  moduleNameMapper: { '^cdk8s-stateful-ml$': '<rootDir>/lib/index.ts' },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 120000,
  // One suite at a time: the failover suites time real servers, and two CPUs shared by parallel suites starve them.
  maxWorkers: 1,
  reporters: ['default', '<rootDir>/test/support/count-reporter.js'],
};
