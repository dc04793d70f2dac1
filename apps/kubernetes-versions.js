#!/usr/bin/env node
// `npm run docs:versions`: writes docs/kubernetes-versions.md from the gate registry (lib/profiles/version-gates.ts).
'use strict';
require('./ts-loader').register();
const fs = require('fs');
const path = require('path');
const { KUBERNETES_VERSIONS_DOC, kubernetesVersionsDoc } = require('./kubernetes-versions.ts');
fs.writeFileSync(KUBERNETES_VERSIONS_DOC, kubernetesVersionsDoc());
process.stdout.write(`wrote ${path.relative(process.cwd(), KUBERNETES_VERSIONS_DOC)}\n`);
