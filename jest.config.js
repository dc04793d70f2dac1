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
  // Says once which script shells (busybox on a fresh machine) this run cannot use.
  globalSetup: '<rootDir>/test/support/shell-banner.js',
  reporters: ['default', '<rootDir>/test/support/count-reporter.js'],
};
