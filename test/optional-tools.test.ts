import * as fs from 'fs';
import * as path from 'path';

/** Every suite with tests that need an optional program is also in the integration run that requires them all. */
test('the integration config re-runs every suite that needs an optional program (test/support/tools.ts)', () => {
  const root = path.join(__dirname);
  const suites: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.test.ts') && full !== __filename && /describeEachShell\(|testWith\(|describeWith\(/.test(fs.readFileSync(full, 'utf8'))) {
        suites.push(path.relative(root, full).replace(/\.test\.ts$/, ''));
      }
    }
  };
  walk(root);
  const config = require('./integration/jest.config.js');
  const listed = config.testMatch
    .filter((glob: string) => !glob.includes('/integration/'))
    .map((glob: string) => glob.replace('<rootDir>/test/', '').replace(/\.test\.ts$/, ''));
  expect(listed.sort()).toEqual(suites.sort());
  expect(config.setupFiles).toContain('<rootDir>/test/integration/require-all-tools.js');
});
