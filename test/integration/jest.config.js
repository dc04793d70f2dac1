/**
 * Integration suite: synthesized scripts and configuration run against real servers
 * (PostgreSQL, MariaDB, Redis) on 127.0.0.1. `test/integration/install-servers.sh` installs them;
 * a missing server fails the suite with that instruction instead of skipping.
 */
module.exports = {
  rootDir: '../..',
  testEnvironment: 'node',
  roots: ['<rootDir>/test/integration'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  // Examples import the library by its package name (see examples/run.js).
  moduleNameMapper: { '^cdk8s-stateful-ml$': '<rootDir>/lib/index.ts' },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 120000,
  reporters: ['default', '<rootDir>/test/support/count-reporter.js'],
};
