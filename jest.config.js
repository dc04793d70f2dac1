/** Type-checking happens once in `npm test` (tsc --noEmit); ts-jest only transpiles. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/test/integration/'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  // The examples import the library by its package name, as a user's app does.
  moduleNameMapper: { '^cdk8s-stateful-ml$': '<rootDir>/lib/index.ts' },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Says once which optional programs (busybox, git, python3, ... on a fresh machine) this run lacks.
  globalSetup: '<rootDir>/test/support/tool-banner.js',
  reporters: ['default', '<rootDir>/test/support/count-reporter.js'],
};
