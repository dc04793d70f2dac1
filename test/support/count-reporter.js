// Writes the number of passed and failed tests to $TEST_COUNTS_FILE, so .ci/run can print its
// own summary line without parsing jest's human-readable output.
'use strict';
const fs = require('fs');

class CountReporter {
  onRunComplete(_contexts, results) {
    const file = process.env.TEST_COUNTS_FILE;
    if (!file) return;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    fs.writeFileSync(file, JSON.stringify({ passed: results.numPassedTests, failed }) + '\n');
  }
}
module.exports = CountReporter;
