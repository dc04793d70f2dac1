// The synth path's TypeScript loader (apps/ts-loader.js, as apps/run.js uses it); its stats let
// the bench split module loading into transpiling and evaluation.
'use strict';
const loader = require('../apps/ts-loader');

loader.register();
module.exports = { stats: loader.stats };
