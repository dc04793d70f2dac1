#!/usr/bin/env node
// The package's command (package.json `bin`): init, synth, check-upgrade, secrets. See build/lib/cli/bin.js.
'use strict';
process.exitCode = require('../build/lib/cli/bin.js').run(process.argv.slice(2));
