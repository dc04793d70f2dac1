/**
 * Strict OpenAPI validation of rendered objects against the Kubernetes version a profile targets, like
 * `kubeconform -strict`: unknown fields, missing required fields and wrong types are errors, and a kind with no
 * schema is an error rather than silently skipped.
 *
 * Validators are precompiled (ajv standalone, see schemas/vendor-schemas.js): compiling the PodSpec graph at runtime
 * costs ~100 ms per version, loading the precompiled module ~15 ms. They are loaded lazily, once per process and
 * vendored version. Only user-supplied custom resource schemas are compiled at runtime.
 */
import * as path from 'path';
import { type Finding, finding } from './finding';
import type { Json, ManifestObject } from './manifest-index';

/** Kubernetes minor versions whose definitions are vendored in schemas/; others use the nearest lower one. */
export const VENDORED_KUBE_VERSIONS: readonly string[] = ['1.27', '1.28', '1.29', '1.30', '1.31', '1.32', '1.33', '1.34', '1.35', '1.36'];

/** A CRD version's schema, for kinds with no built-in schema (or to override a built-in one). */
export interface CustomResourceSchema {
  /** `group/version`, e.g. `monitoring.coreos.com/v1`. */
  readonly apiVersion: string;
  readonly kind: string;
  /** The CRD's `spec.versions[].schema.openAPIV3Schema`; made strict the way the built-in schemas are. */
  readonly openAPIV3Schema: Json;
}

interface AjvError {
  readonly instancePath: string;
  readonly schemaPath: string;
  readonly keyword: string;
  readonly params: Json;
  readonly message?: string;
}

interface ValidateFn {
  (data: unknown, ctx?: { instancePath?: string; parentData?: unknown; parentDataProperty?: string; rootData?: unknown }): boolean;
  errors?: AjvError[] | null;
}

interface CompiledModule {
  readonly kinds: Readonly<Record<string, string>>;
  readonly [exportName: string]: ValidateFn | Readonly<Record<string, string>>;
}

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const SCHEMA_DIR = path.join(__dirname, 'schemas', 'compiled');

/** `1.29`, `v1.29.3`, `1.29.0-gke.1` -> the vendored version to validate against (nearest lower). */
export function resolveKubeVersion(kubeVersion: string): string {
  const m = /^v?(\d+)\.(\d+)/.exec(kubeVersion.trim());
  if (!m) throw new Error(`kubeVersion "${kubeVersion}" is not a Kubernetes version like "1.31"`);
  const minor = Number(m[2]);
  if (Number(m[1]) !== 1) throw new Error(`kubeVersion "${kubeVersion}": only Kubernetes 1.x is supported`);
  let chosen: string | undefined;
  for (const v of VENDORED_KUBE_VERSIONS) {
    if (Number(v.split('.')[1]) <= minor) chosen = v;
  }
  if (!chosen) {
    throw new Error(`kubeVersion "${kubeVersion}" is older than the oldest vendored schema (${VENDORED_KUBE_VERSIONS[0]})`);
  }
  return chosen;
}

let crdModule: CompiledModule | undefined;
function builtinCrds(): CompiledModule {
  crdModule ??= require(path.join(SCHEMA_DIR, 'crds.js')) as CompiledModule;
  return crdModule;
}

/** JSON pointer (`/spec/containers/0/image`) -> `spec.containers[0].image`. */
export function pointerToPath(pointer: string, extra?: string): string {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  let out = '';
  for (const p of parts) {
    if (/^\d+$/.test(p)) out += `[${p}]`;
    else out += out ? `.${p}` : p;
  }
  return out;
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  return `${typeof v} ${JSON.stringify(v)}`;
}

function valueAt(root: unknown, pointer: string): unknown {
  let cur: Json = root;
  for (const p of pointer.split('/').slice(1)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = cur[p.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return cur;
}

/** Turns ajv errors into findings, collapsing the per-branch noise of oneOf/anyOf into one message. */
function toFindings(obj: ManifestObject, errors: readonly AjvError[]): Finding[] {
  const out: Finding[] = [];
  const branchMissing = new Map<string, string[]>();
  for (const e of errors) {
    if (/\/(oneOf|anyOf)\/\d+\//.test(e.schemaPath)) {
      if (e.keyword === 'required') {
        const list = branchMissing.get(e.instancePath) ?? [];
        list.push(e.params.missingProperty);
        branchMissing.set(e.instancePath, list);
      }
    }
  }
  const seen = new Set<string>();
  for (const e of errors) {
    if (/\/(oneOf|anyOf)\/\d+\//.test(e.schemaPath)) continue;
    let f: Finding;
    switch (e.keyword) {
      case 'additionalProperties': {
        const p = pointerToPath(e.instancePath, e.params.additionalProperty);
        f = finding('schema/unknown-field', obj, p, `unknown field ${p}`);
        break;
      }
      case 'required': {
        const p = pointerToPath(e.instancePath, e.params.missingProperty);
        f = finding('schema/missing-field', obj, p, `missing required field ${p}`);
        break;
      }
      case 'type': {
        const p = pointerToPath(e.instancePath);
        const want = String(e.params.type).split(',').join(' or ');
        f = finding('schema/invalid-value', obj, p, `${p || '<root>'}: must be ${want} (got ${describeValue(valueAt(obj, e.instancePath))})`);
        break;
      }
      case 'enum': {
        const p = pointerToPath(e.instancePath);
        const allowed = (e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ');
        f = finding('schema/invalid-value', obj, p, `${p}: must be one of ${allowed} (got ${JSON.stringify(valueAt(obj, e.instancePath))})`);
        break;
      }
      case 'oneOf':
      case 'anyOf': {
        const p = pointerToPath(e.instancePath);
        const missing = branchMissing.get(e.instancePath);
        const what = missing && missing.length > 1 ? `must set exactly one of ${[...new Set(missing)].join(', ')}` : `must match ${e.keyword === 'oneOf' ? 'exactly one' : 'at least one'} allowed shape`;
        f = finding('schema/invalid-value', obj, p, `${p}: ${what}`);
        break;
      }
      default: {
        const p = pointerToPath(e.instancePath);
        f = finding('schema/invalid-value', obj, p, `${p || '<root>'}: ${e.message ?? e.keyword}`);
      }
    }
    const dedupe = `${f.rule}|${f.path}|${f.message}`;
    if (!seen.has(dedupe)) {
      seen.add(dedupe);
      out.push(f);
    }
  }
  return out;
}

const STRIP = new Set(['description', 'format', 'x-kubernetes-validations', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-map-type', 'example', 'default', 'externalDocs']);

/** CRD openAPIV3Schema -> strict JSON schema: unknown fields rejected unless the CRD preserves them. */
export function strictCustomResourceSchema(schema: Json, top = true): Json {
  if (Array.isArray(schema)) return schema.map((s) => strictCustomResourceSchema(s, false));
  if (!schema || typeof schema !== 'object') return schema;
  const out: Json = {};
  for (const [k, v] of Object.entries(schema)) {
    if (STRIP.has(k)) continue;
    if (k === 'properties') {
      out.properties = {};
      for (const [p, s] of Object.entries(v as Json)) out.properties[p] = strictCustomResourceSchema(s, false);
    } else if (k === 'additionalProperties' || k === 'items' || k === 'not') {
      out[k] = typeof v === 'object' ? strictCustomResourceSchema(v, false) : v;
    } else if (k === 'allOf' || k === 'anyOf' || k === 'oneOf') {
      out[k] = (v as Json[]).map((s) => strictCustomResourceSchema(s, false));
    } else if (!k.startsWith('x-kubernetes-') && k !== 'nullable') {
      out[k] = v;
    }
  }
  if (schema['x-kubernetes-int-or-string']) {
    delete out.type;
    out.type = ['integer', 'string'];
  }
  if (schema.nullable && typeof out.type === 'string') out.type = [out.type, 'null'];
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true || schema['x-kubernetes-embedded-resource'] === true;
  if (out.properties && out.additionalProperties === undefined && !preserve) out.additionalProperties = false;
  if (top) {
    // metadata is validated by the precompiled ObjectMeta validator; CRDs usually declare it as a bare object.
    out.type = 'object';
    out.properties = { ...(out.properties ?? {}), apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' } };
    out.required = [...new Set([...(out.required ?? []), 'apiVersion', 'kind', 'metadata'])];
    if (out.additionalProperties === undefined && !preserve) out.additionalProperties = false;
  }
  return out;
}

/** Every served version of a CustomResourceDefinition manifest, ready for `customResourceSchemas`. */
export function customResourceSchemasFromCrd(crd: ManifestObject): CustomResourceSchema[] {
  const spec = (crd as Json).spec;
  if (crd.kind !== 'CustomResourceDefinition' || !spec?.group || !spec?.names?.kind) {
    throw new Error(`${crd.kind} ${crd.metadata?.name}: not a CustomResourceDefinition with spec.group and spec.names.kind`);
  }
  return (spec.versions ?? [])
    .filter((v: Json) => v.served !== false && v.schema?.openAPIV3Schema)
    .map((v: Json) => ({ apiVersion: `${spec.group}/${v.name}`, kind: spec.names.kind, openAPIV3Schema: v.schema.openAPIV3Schema }));
}

let customAjv: Json;
const customCompiled = new WeakMap<object, ValidateFn>();
function compileCustom(schema: CustomResourceSchema): ValidateFn {
  let fn = customCompiled.get(schema.openAPIV3Schema);
  if (!fn) {
    if (!customAjv) {
      // Loaded only when someone registers a custom schema: the built-in path needs no ajv compiler.
      const Ajv = (require('ajv') as typeof import('ajv')).default;
      // CRD patterns are Go RE2 syntax; without the u flag JS accepts more of them.
      customAjv = new Ajv({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false });
    }
    fn = customAjv.compile(strictCustomResourceSchema(schema.openAPIV3Schema)) as ValidateFn;
    customCompiled.set(schema.openAPIV3Schema, fn);
  }
  return fn;
}

export class SchemaValidator {
  private static readonly byVersion = new Map<string, SchemaValidator>();

  /** The validator for a Kubernetes version (`"1.29"` validates against vendored 1.28); cached per process. */
  static forVersion(kubeVersion: string): SchemaValidator {
    const v = resolveKubeVersion(kubeVersion);
    let validator = SchemaValidator.byVersion.get(v);
    if (!validator) {
      validator = new SchemaValidator(v, require(path.join(SCHEMA_DIR, `v${v}.js`)) as CompiledModule, new Map());
      SchemaValidator.byVersion.set(v, validator);
    }
    return validator;
  }

  private constructor(
    /** The vendored version actually validated against. */
    readonly schemaVersion: string,
    private readonly module: CompiledModule,
    private readonly custom: ReadonlyMap<string, CustomResourceSchema>,
  ) {}

  /** A validator that also knows these custom resources (they win over built-in schemas of the same kind). */
  withCustomResources(schemas: readonly CustomResourceSchema[]): SchemaValidator {
    if (schemas.length === 0) return this;
    const custom = new Map(this.custom);
    for (const s of schemas) custom.set(`${s.apiVersion}/${s.kind}`, s);
    return new SchemaValidator(this.schemaVersion, this.module, custom);
  }

  /** Whether objects of this apiVersion/kind can be validated (built-in, built-in CRD or registered). */
  knows(apiVersion: string, kind: string): boolean {
    const gvk = `${apiVersion}/${kind}`;
    return this.custom.has(gvk) || gvk in this.module.kinds || gvk in builtinCrds().kinds;
  }

  validate(obj: ManifestObject): Finding[] {
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
      return [finding('schema/invalid-value', { apiVersion: '', kind: '<not an object>' }, undefined, `manifest must be an object (got ${describeValue(obj)})`)];
    }
    if (typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') {
      const missing = typeof obj.apiVersion !== 'string' ? 'apiVersion' : 'kind';
      return [finding('schema/missing-field', obj, missing, `missing required field ${missing}`)];
    }
    const gvk = `${obj.apiVersion}/${obj.kind}`;
    const custom = this.custom.get(gvk);
    if (custom) {
      const fn = compileCustom(custom);
      const meta = this.module[OBJECT_META] as ValidateFn;
      const errors: AjvError[] = [];
      if (!fn(obj)) errors.push(...(fn.errors ?? []));
      if (obj.metadata !== undefined && !meta(obj.metadata, { instancePath: '/metadata', parentData: obj, parentDataProperty: 'metadata', rootData: obj })) {
        errors.push(...(meta.errors ?? []));
      }
      return toFindings(obj, errors);
    }
    let fn: ValidateFn | undefined;
    const builtin = this.module.kinds[gvk];
    if (builtin) {
      fn = this.module[builtin] as ValidateFn;
    } else {
      const crds = builtinCrds();
      const crd = crds.kinds[gvk];
      if (crd) fn = crds[crd] as ValidateFn;
    }
    if (!fn) {
      return [finding('schema/unknown-kind', obj, undefined,
        `no schema for ${obj.apiVersion} ${obj.kind} in Kubernetes ${this.schemaVersion}; pass customResourceSchemas`)];
    }
    return fn(obj) ? [] : toFindings(obj, fn.errors ?? []);
  }
}
