#!/usr/bin/env node
/*
 * Vendors the JobSet CRD's schema (jobset.x-k8s.io/v1alpha2 JobSet) into crds/, strict like the built-in schemas.
 *
 *   git -C <jobset clone> show v0.9.1:config/components/crd/bases/jobset.x-k8s.io_jobsets.yaml > /tmp/jobsets.yaml
 *   node lib/checks/schemas/vendor-jobset.js /tmp/jobsets.yaml v0.9.1
 *   node lib/checks/schemas/vendor-schemas.js --compile-only
 *
 * Source: github.com/kubernetes-sigs/jobset (Apache-2.0), the CRD controller-gen writes from its Go API types.
 * The CRD's openAPIV3Schema is kept as the API server validates it, with the strictness of kubeconform -strict:
 *   - every object schema that lists `properties` (and does not preserve unknown fields) gets
 *     `additionalProperties: false`;
 *   - `x-kubernetes-int-or-string` becomes `type: [integer, string]` (Quantity and IntOrString fields);
 *   - descriptions, defaults, formats and CEL rules (`x-kubernetes-validations`, which the API server evaluates
 *     and a JSON schema cannot) are dropped; the root `metadata` is the Kubernetes ObjectMeta.
 * Keys are sorted, so re-running produces a byte-identical file.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const yaml = require('yaml');

const KEEP = new Set(['type', 'properties', 'items', 'additionalProperties', 'required', 'enum', 'anyOf', 'oneOf', 'allOf',
  'minimum', 'maximum', 'minItems', 'maxItems', 'minLength', 'maxLength', 'pattern']);

function strict(schema) {
  if (Array.isArray(schema)) return schema.map(strict);
  if (!schema || typeof schema !== 'object') return schema;
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (!KEEP.has(key)) continue;
    if (key === 'properties') out.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, strict(v)]));
    else if (key === 'enum' || key === 'required') out[key] = value;
    else out[key] = strict(value);
  }
  if (schema['x-kubernetes-int-or-string']) {
    delete out.anyOf;
    out.type = ['integer', 'string'];
  }
  if (out.properties && !schema['x-kubernetes-preserve-unknown-fields'] && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

function sorted(value) {
  if (Array.isArray(value)) return value.map(sorted);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sorted(value[k])]));
}

function main() {
  const [file, tag] = process.argv.slice(2);
  if (!file || !tag) throw new Error('usage: vendor-jobset.js <jobset.x-k8s.io_jobsets.yaml> <tag>');
  const crd = yaml.parse(fs.readFileSync(file, 'utf8'));
  const version = crd.spec.versions.find((v) => v.name === 'v1alpha2');
  const schema = strict(version.schema.openAPIV3Schema);
  schema.properties.apiVersion = { enum: ['jobset.x-k8s.io/v1alpha2'], type: 'string' };
  schema.properties.kind = { enum: ['JobSet'], type: 'string' };
  schema.properties.metadata = { $ref: 'k8s#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' };
  // status is written by the controller, never rendered.
  delete schema.properties.status;
  schema.required = ['apiVersion', 'kind', 'metadata', 'spec'];
  const out = {
    apiVersion: 'jobset.x-k8s.io/v1alpha2',
    kind: 'JobSet',
    source: `github.com/kubernetes-sigs/jobset ${tag} config/components/crd/bases/jobset.x-k8s.io_jobsets.yaml, made strict by vendor-jobset.js`,
    schema: sorted(schema),
  };
  const dest = path.join(__dirname, 'crds', 'jobset.x-k8s.io_v1alpha2_JobSet.json');
  fs.writeFileSync(dest, JSON.stringify(out) + '\n');
  console.log(`${path.relative(process.cwd(), dest)}: ${fs.statSync(dest).size} bytes`);
}

main();
