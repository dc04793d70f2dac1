#!/usr/bin/env node
/*
 * Vendors the Kubernetes OpenAPI definitions that lib/checks needs into lib/checks/schemas/v1.NN.json,
 * so a clone of this repository validates without ../shared.
 *
 *   node lib/checks/schemas/vendor-schemas.js [path/to/k8s-schemas]
 *   node lib/checks/schemas/vendor-schemas.js --compile-only      (after editing crds/*.json)
 *
 * Input: the official swagger v2 definitions as packaged by cdk8s (`kubernetes-schemas/v<ver>/_definitions.json`),
 * by default ../shared/k8s-schemas next to the repository.
 *
 * Only definitions reachable from the top-level kinds of the groups we generate are kept, descriptions and
 * client-only extensions are stripped, and the strictness that `kubeconform -strict` applies is baked in so the
 * runtime does no schema rewriting:
 *   - every object schema that lists `properties` gets `additionalProperties: false` (unknown fields are errors);
 *   - IntOrString becomes `type: [string, integer]`, Quantity `type: [string, number]` (one error message instead
 *     of a oneOf cascade);
 *   - `format` is dropped (int32/int64/double/byte/date-time are not validated by the API server's schema either).
 * Deterministic output: keys are written in sorted order so re-running produces byte-identical files.
 *
 * Then it precompiles validators with ajv standalone into lib/checks/schemas/compiled/: one module per Kubernetes
 * version (every kept kind, plus ObjectMeta for custom resources) and one for the built-in CRD schemas in crds/
 * (see vendor-crds.js). Compiling the PodSpec graph at runtime costs ~100 ms per version, more than a whole synth;
 * loading the precompiled module costs ~15 ms.
 */
'use strict';
const fs = require('fs');
const path = require('path');

const VERSIONS = ['1.27', '1.28', '1.29', '1.30', '1.31', '1.32', '1.33', '1.34', '1.35', '1.36'];
/** The CRD schemas reference Kubernetes meta types (ObjectMeta, LabelSelector), which are stable across versions. */
const CRD_K8S_VERSION = '1.34';
const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/** API groups (and, for autoscaling, the only version) whose top-level kinds we validate. */
const GROUPS = {
  '': null,
  'apps': null,
  'batch': null,
  'policy': null,
  'storage.k8s.io': null,
  'networking.k8s.io': null,
  'rbac.authorization.k8s.io': null,
  'autoscaling': ['v2'],
  'scheduling.k8s.io': null,
  // ValidatingAdmissionPolicy (GA 1.30) scopes what RBAC cannot, e.g. deletes by label.
  'admissionregistration.k8s.io': ['v1'],
};

const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

/** Keys that carry validation meaning; everything else (descriptions, patch strategies, list types) is dropped. */
const KEEP = new Set(['type', 'properties', 'items', 'additionalProperties', 'required', 'enum', '$ref', 'oneOf', 'allOf', 'anyOf', 'x-kubernetes-group-version-kind']);

function isRoot(name, def) {
  const gvks = def['x-kubernetes-group-version-kind'];
  // Meta types (DeleteOptions, WatchEvent, ...) claim every group; they are not objects anyone renders.
  if (!Array.isArray(gvks) || gvks.length !== 1) return false;
  const { group, version, kind } = gvks[0];
  if (kind.endsWith('List') || name.startsWith('io.k8s.apimachinery.')) return false;
  if (!(group in GROUPS)) return false;
  const versions = GROUPS[group];
  return versions === null || versions.includes(version);
}

function refName(ref) {
  return ref.replace('#/definitions/', '');
}

function collectRefs(node, out) {
  if (Array.isArray(node)) {
    for (const x of node) collectRefs(x, out);
  } else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push(refName(v));
      else collectRefs(v, out);
    }
  }
}

function clean(node) {
  if (Array.isArray(node)) return node.map(clean);
  if (!node || typeof node !== 'object') return node;
  const out = {};
  for (const key of Object.keys(node).sort()) {
    if (!KEEP.has(key)) continue;
    const v = node[key];
    if (key === 'properties') {
      out.properties = {};
      for (const p of Object.keys(v).sort()) out.properties[p] = clean(v[p]);
    } else if (key === 'enum' || key === 'required' || key === 'x-kubernetes-group-version-kind') {
      out[key] = v;
    } else {
      out[key] = clean(v);
    }
  }
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

function vendor(srcDir, version) {
  const src = path.join(srcDir, `v${version}.0.json`);
  const all = JSON.parse(fs.readFileSync(src, 'utf8')).definitions;
  const roots = Object.keys(all).filter((n) => isRoot(n, all[n])).sort();
  const keep = new Set();
  const queue = [...roots];
  while (queue.length) {
    const name = queue.pop();
    if (keep.has(name)) continue;
    if (!all[name]) throw new Error(`v${version}: dangling $ref ${name}`);
    keep.add(name);
    collectRefs(all[name], queue);
  }
  const definitions = {};
  for (const name of [...keep].sort()) {
    if (name === INT_OR_STRING) definitions[name] = { type: ['string', 'integer'] };
    else if (name === QUANTITY) definitions[name] = { type: ['string', 'number'] };
    else definitions[name] = clean(all[name]);
  }
  return {
    kubeVersion: version,
    source: `Kubernetes OpenAPI v${version}.0 definitions (cdk8s kubernetes-schemas/v${version}.0/_definitions.json), reduced by vendor-schemas.js`,
    roots,
    definitions,
  };
}

function newAjv() {
  const Ajv = require('ajv').default;
  // allErrors: report every unknown field at once; formats are not part of what the API server enforces here.
  return new Ajv({ allErrors: true, strict: false, validateFormats: false, inlineRefs: false, code: { source: true, lines: false } });
}

function gvkKey(gvk) {
  return `${gvk.group ? gvk.group + '/' : ''}${gvk.version}/${gvk.kind}`;
}

function writeModule(file, ajv, refs, kinds, note) {
  const standalone = require('ajv/dist/standalone').default;
  const code = standalone(ajv, refs);
  const header = `// Generated by lib/checks/schemas/vendor-schemas.js from ${note}. Do not edit.\n`;
  const trailer = `\nexports.kinds = ${JSON.stringify(kinds)};\n`;
  fs.writeFileSync(file, header + code + trailer);
  console.log(`${path.relative(process.cwd(), file)}: ${Object.keys(kinds).length} kinds, ${fs.statSync(file).size} bytes`);
}

function compileVersion(doc, outDir) {
  const ajv = newAjv();
  ajv.addSchema({ $id: 'k8s', definitions: doc.definitions });
  const refs = { [OBJECT_META]: `k8s#/definitions/${OBJECT_META}` };
  const kinds = {};
  for (const root of doc.roots) {
    refs[root] = `k8s#/definitions/${root}`;
    kinds[gvkKey(doc.definitions[root]['x-kubernetes-group-version-kind'][0])] = root;
  }
  writeModule(path.join(outDir, `v${doc.kubeVersion}.js`), ajv, refs, kinds, `v${doc.kubeVersion}.json`);
}

function compileCrds(k8sDoc, outDir) {
  const ajv = newAjv();
  ajv.addSchema({ $id: 'k8s', definitions: k8sDoc.definitions });
  const refs = {};
  const kinds = {};
  const crdDir = path.join(__dirname, 'crds');
  for (const file of fs.readdirSync(crdDir).filter((f) => f.endsWith('.json')).sort()) {
    const crd = JSON.parse(fs.readFileSync(path.join(crdDir, file), 'utf8'));
    const id = `crd-${crd.apiVersion.replace("/", "-")}-${crd.kind}`; // no slash: `k8s#...` must resolve to the k8s document
    ajv.addSchema({ $id: id, ...crd.schema, definitions: crd.definitions || {} });
    refs[id] = id;
    kinds[`${crd.apiVersion}/${crd.kind}`] = id;
  }
  writeModule(path.join(outDir, 'crds.js'), ajv, refs, kinds, `crds/*.json (meta types from v${CRD_K8S_VERSION}.json)`);
}

function main() {
  const args = process.argv.slice(2);
  const compileOnly = args.includes('--compile-only');
  const srcDir = path.resolve(args.find((a) => !a.startsWith('--')) || path.join(__dirname, '..', '..', '..', '..', 'shared', 'k8s-schemas'));
  const outDir = path.join(__dirname, 'compiled');
  fs.mkdirSync(outDir, { recursive: true });
  const docs = {};
  for (const v of VERSIONS) {
    const dest = path.join(__dirname, `v${v}.json`);
    if (compileOnly) {
      docs[v] = JSON.parse(fs.readFileSync(dest, 'utf8'));
    } else {
      docs[v] = vendor(srcDir, v);
      fs.writeFileSync(dest, JSON.stringify(docs[v]) + '\n');
      console.log(`${path.relative(process.cwd(), dest)}: ${docs[v].roots.length} kinds, ${Object.keys(docs[v].definitions).length} definitions, ${fs.statSync(dest).size} bytes`);
    }
    compileVersion(docs[v], outDir);
  }
  compileCrds(docs[CRD_K8S_VERSION], outDir);
}

if (require.main === module) main();
module.exports = { vendor, VERSIONS };
