// V8 code cache for the synth path on Node 20 (Node ≥ 22.1 has module.enableCompileCache, which
// apps/ts-loader.js uses instead). Loading a module means parsing and compiling its JavaScript:
// cdk8s-plus-27's bindings and the precompiled schema validators are megabytes of it, compiled
// again on every synth. Here each module is compiled through vm.Script with the bytecode V8 produced
// on an earlier run; new bytecode is written when the process exits. An entry is keyed by the
// file's path, size and mtime, so an edited file is compiled afresh; a rejected entry is rewritten.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const Module = require('module');
const path = require('path');
const vm = require('vm');

function enableCodeCache(dir) {
  const compile = Module.prototype._compile;
  const produce = [];
  Module.prototype._compile = function compileWithCodeCache(content, filename) {
    let stat;
    try {
      stat = fs.statSync(filename);
    } catch {
      return compile.call(this, content, filename);
    }
    const key = crypto.createHash('sha1').update(`${filename}\0${stat.size}\0${stat.mtimeMs}\0${content.length}\0${process.version}`).digest('hex');
    const file = path.join(dir, `${key}.bin`);
    let cachedData;
    try {
      cachedData = fs.readFileSync(file);
    } catch {
      // first run for this file
    }
    const script = new vm.Script(Module.wrap(content), { filename, cachedData });
    if (!cachedData || script.cachedDataRejected) produce.push({ script, file });
    const mod = this;
    const require = (id) => mod.require(id);
    require.resolve = (request, options) => Module._resolveFilename(request, mod, false, options);
    require.main = process.mainModule;
    require.extensions = Module._extensions;
    require.cache = Module._cache;
    const wrapper = script.runInThisContext({ displayErrors: true });
    return wrapper.call(mod.exports, mod.exports, require, mod, filename, path.dirname(filename));
  };
  // Bytecode taken at exit includes the functions the run compiled lazily (the validators it used).
  process.once('exit', () => {
    if (!produce.length) return;
    try {
      fs.mkdirSync(dir, { recursive: true });
      for (const { script, file } of produce) {
        const tmp = `${file}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, script.createCachedData());
        fs.renameSync(tmp, file);
      }
    } catch {
      // A read-only checkout still synthesizes, only without the cache.
    }
  });
}

module.exports = { enableCodeCache };
