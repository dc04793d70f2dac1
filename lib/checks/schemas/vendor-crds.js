#!/usr/bin/env node
/*
 * Vendors strict JSON schemas for the custom resources this library generates into lib/checks/schemas/crds/.
 *
 *   node lib/checks/schemas/vendor-crds.js      (needs the npm registry; then run vendor-schemas.js to compile)
 *
 * Source: the @kubernetes-models packages (github.com/tommy351/kubernetes-models-ts, MIT). Their current majors are
 * generated from the upstream Go API types (argo-cd/v3 pkg/apis/application/v1alpha1, external-secrets
 * apis/externalsecrets/v1 and v1beta1) and ship those types as TypeScript declarations; their bundled validators are
 * not strict (they accept unknown fields), so we convert the declarations instead: every interface becomes an object
 * schema with `additionalProperties: false`, optional `?` members are optional, the rest required. Kubernetes types
 * they reference ($ref `k8s#/definitions/io.k8s...`) resolve against the vendored Kubernetes definitions at compile
 * time; apiextensions JSON / RawExtension (free-form by design) accept anything.
 * Go integers and floats both surface as TypeScript `number`, so numeric fields accept any number.
 *
 * VolumeSnapshot/VolumeSnapshotClass (external-snapshotter, no npm model package) and Argo CD's
 * ConfigManagementPlugin (a config file, not a CRD) are written by hand in crds/ and are not touched here.
 */
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const ts = require('typescript');

const PACKAGES = [
  {
    pkg: '@kubernetes-models/argo-cd@4.0.0',
    dir: 'argoproj.io/v1alpha1',
    prefix: 'IComGithubArgoprojArgoCdV3PkgApisApplicationV1alpha1',
    kinds: ['Application', 'ApplicationSet'],
    group: 'argoproj.io',
    version: 'v1alpha1',
  },
  {
    pkg: '@kubernetes-models/external-secrets@2.0.0',
    dir: 'external-secrets.io/v1beta1',
    prefix: 'IComGithubExternalSecretsExternalSecretsApisExternalsecretsV1beta1',
    kinds: ['ExternalSecret'],
    group: 'external-secrets.io',
    version: 'v1beta1',
  },
  {
    pkg: '@kubernetes-models/external-secrets@2.0.0',
    dir: 'external-secrets.io/v1',
    prefix: 'IComGithubExternalSecretsExternalSecretsApisExternalsecretsV1',
    kinds: ['ExternalSecret'],
    group: 'external-secrets.io',
    version: 'v1',
  },
];

/** Free-form by design upstream (x-kubernetes-preserve-unknown-fields). */
const FREE_FORM = new Set([
  'IIoK8sApiextensionsApiserverPkgApisApiextensionsV1JSON',
  'IIoK8sApimachineryPkgRuntimeRawExtension',
]);

/** `IIoK8sApiCoreV1EnvVar` -> `io.k8s.api.core.v1.EnvVar`, using the vendored Kubernetes definitions. */
function k8sNameIndex() {
  const doc = JSON.parse(fs.readFileSync(path.join(__dirname, 'v1.34.json'), 'utf8'));
  const index = new Map();
  for (const name of Object.keys(doc.definitions)) {
    const camel = 'I' + name.split('.').map((s) => s.charAt(0).toUpperCase() + s.slice(1)).join('');
    index.set(camel, name);
  }
  return index;
}

function unpack(spec, into) {
  const out = execFileSync('npm', ['pack', spec, '--silent', '--pack-destination', into], { encoding: 'utf8' }).trim().split('\n').pop();
  const dir = path.join(into, out.replace(/\.tgz$/, ''));
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('tar', ['xzf', path.join(into, out), '-C', dir]);
  return path.join(dir, 'package');
}

function listDts(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listDts(p));
    else if (e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Collects `local name -> declaration` and the exported long aliases (`export type { IFoo as ILongFoo }`). */
function collectDeclarations(root) {
  const decls = new Map();
  for (const file of listDts(root)) {
    const sf = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const local = new Map();
    for (const st of sf.statements) {
      if (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) local.set(st.name.text, st);
    }
    for (const st of sf.statements) {
      if (ts.isExportDeclaration(st) && st.isTypeOnly && st.exportClause && ts.isNamedExports(st.exportClause)) {
        for (const el of st.exportClause.elements) {
          const from = (el.propertyName || el.name).text;
          if (local.has(from) && el.name.text.startsWith('I')) decls.set(el.name.text, local.get(from));
        }
      }
    }
  }
  return decls;
}

function propName(member) {
  const n = member.name;
  return ts.isStringLiteral(n) || ts.isIdentifier(n) ? n.text : n.getText();
}

function convert(node, ctx) {
  switch (node.kind) {
    case ts.SyntaxKind.StringKeyword: return { type: 'string' };
    case ts.SyntaxKind.NumberKeyword: return { type: 'number' };
    case ts.SyntaxKind.BooleanKeyword: return { type: 'boolean' };
    case ts.SyntaxKind.AnyKeyword:
    case ts.SyntaxKind.UnknownKeyword: return {};
    case ts.SyntaxKind.ParenthesizedType: return convert(node.type, ctx);
    case ts.SyntaxKind.ArrayType: return { type: 'array', items: convert(node.elementType, ctx) };
    case ts.SyntaxKind.LiteralType:
      if (ts.isStringLiteral(node.literal)) return { type: 'string', enum: [node.literal.text] };
      if (node.literal.kind === ts.SyntaxKind.NullKeyword) return { type: 'null' };
      if (node.literal.kind === ts.SyntaxKind.TrueKeyword || node.literal.kind === ts.SyntaxKind.FalseKeyword) return { type: 'boolean' };
      return { type: 'number' };
    case ts.SyntaxKind.UnionType: {
      const parts = node.types.map((t) => convert(t, ctx));
      if (parts.every((p) => p.enum && p.type === 'string')) return { type: 'string', enum: parts.flatMap((p) => p.enum) };
      return { anyOf: parts };
    }
    case ts.SyntaxKind.TypeLiteral: return objectSchema(node.members, ctx);
    case ts.SyntaxKind.TypeReference: {
      const name = node.typeName.getText();
      if (name === 'Array' && node.typeArguments) return { type: 'array', items: convert(node.typeArguments[0], ctx) };
      if (name === 'Record' && node.typeArguments) return { type: 'object', additionalProperties: convert(node.typeArguments[1], ctx) };
      return ref(name, ctx);
    }
    default:
      throw new Error(`unsupported type syntax ${ts.SyntaxKind[node.kind]}: ${node.getText()}`);
  }
}

function objectSchema(members, ctx) {
  const properties = {};
  const required = [];
  let additional = false;
  for (const m of members) {
    if (ts.isPropertySignature(m)) {
      const name = propName(m);
      properties[name] = convert(m.type, ctx);
      if (!m.questionToken) required.push(name);
    } else if (ts.isIndexSignatureDeclaration(m)) {
      additional = convert(m.type, ctx);
    }
  }
  const out = { type: 'object' };
  if (Object.keys(properties).length) out.properties = properties;
  out.additionalProperties = additional;
  if (required.length) out.required = required.sort();
  return out;
}

function ref(name, ctx) {
  if (FREE_FORM.has(name)) return {};
  if (ctx.decls.has(name)) {
    ctx.queue.push(name);
    return { $ref: `#/definitions/${name.slice(1)}` };
  }
  if (ctx.k8s.has(name)) return { $ref: `k8s#/definitions/${ctx.k8s.get(name)}` };
  throw new Error(`unresolved type ${name}`);
}

function definitionOf(decl, ctx) {
  if (ts.isInterfaceDeclaration(decl)) {
    const schema = objectSchema(decl.members, ctx);
    return schema;
  }
  return convert(decl.type, ctx);
}

/** Drops definitions no longer reachable from the root (the status types, once status is removed). */
function prune(definitions, root) {
  const seen = new Set();
  const visit = (node) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && v.startsWith('#/definitions/')) {
        const name = v.slice('#/definitions/'.length);
        if (!seen.has(name)) { seen.add(name); visit(definitions[name]); }
      } else visit(v);
    }
  };
  seen.add(root);
  visit(definitions[root]);
  for (const name of Object.keys(definitions)) if (!seen.has(name)) delete definitions[name];
}

function sortKeys(v) {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!v || typeof v !== 'object') return v;
  const out = {};
  for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k]);
  return out;
}

function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vendor-crds-'));
  const k8s = k8sNameIndex();
  const unpacked = new Map();
  const outDir = path.join(__dirname, 'crds');
  fs.mkdirSync(outDir, { recursive: true });
  for (const p of PACKAGES) {
    if (!unpacked.has(p.pkg)) unpacked.set(p.pkg, unpack(p.pkg, tmp));
    const root = unpacked.get(p.pkg);
    const decls = collectDeclarations(root);
    for (const kind of p.kinds) {
      const ctx = { decls, k8s, queue: [p.prefix + kind] };
      const definitions = {};
      while (ctx.queue.length) {
        const name = ctx.queue.pop();
        const key = name.slice(1);
        if (definitions[key]) continue;
        definitions[key] = true; // reserve: recursive types (nested generators) refer back to themselves
        definitions[key] = definitionOf(decls.get(name), ctx);
      }
      const top = definitions[(p.prefix + kind).slice(1)];
      // Read-only server-side state: never part of a rendered manifest.
      delete top.properties.status;
      top.required = (top.required || []).filter((r) => r !== 'status');
      prune(definitions, (p.prefix + kind).slice(1));
      const doc = sortKeys({
        source: `${p.pkg} (${p.dir}, generated from the upstream Go API types), converted by vendor-crds.js`,
        apiVersion: `${p.group}/${p.version}`,
        kind,
        schema: { $ref: `#/definitions/${(p.prefix + kind).slice(1)}` },
        definitions,
      });
      const file = path.join(outDir, `${p.group}_${p.version}_${kind}.json`);
      fs.writeFileSync(file, JSON.stringify(doc) + '\n');
      console.log(`${path.relative(process.cwd(), file)}: ${Object.keys(definitions).length} definitions, ${fs.statSync(file).size} bytes`);
    }
  }
  fs.rmSync(tmp, { recursive: true, force: true });
}

main();
