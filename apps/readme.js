#!/usr/bin/env node
// `npm run readme`: regenerates the README's storage tier table from the profiles (test/readme.test.ts checks it).
'use strict';
require('./ts-loader').register();
require('./readme.ts').writeReadme();
