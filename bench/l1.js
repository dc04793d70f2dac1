// Builds the plain-L1 floor: rendered manifests turned back into props of the typed cdk8s
// bindings (k8s.KubeStatefulSet, KubeService, ...), so the same objects can be built the way a
// hand-written cdk8s app builds them. The shape of every binding type (which prop maps to which
// JSON field, which fields are IntOrString/Quantity wrappers, which are nested types) is read from
// the binding's generated toJson_* converters, so the conversion follows the binding exactly.
// Fields the binding does not have (e.g. volumeClaimTemplates[].apiVersion) are added after
// the binding's serializer, as an L1 app must do; CRDs without a binding become plain ApiObjects.
'use strict';
const fs = require('fs');
const { ApiObject, JsonPatch } = require('cdk8s');
const { k8s } = require('cdk8s-plus-27');

const BINDING = require.resolve('cdk8s-plus-27/lib/imports/k8s.js');
const MAP = /^\(\(obj\.(\w+)\) === undefined\) \? undefined : \(Object\.entries\(obj\.\w+\)\.reduce\(\(r, i\) => \(i\[1\] === undefined\) \? r : \(\{ \.\.\.r, \[i\[0\]\]: (.*) \}\), \{\}\)\)$/;

/** type name -> JSON field -> { prop, shape, type } */
function readShapes() {
  const source = fs.readFileSync(BINDING, 'utf8');
  const shapes = new Map();
  const fn = /^function toJson_(\w+)\(obj\) \{\n[\s\S]*?const result = \{\n([\s\S]*?)\n {4}\};/gm;
  for (let m; (m = fn.exec(source));) {
    const fields = new Map();
    for (const line of m[2].split('\n')) {
      const e = /^\s+'([^']+)': (.*),$/.exec(line);
      if (!e) throw new Error(`bench/l1.js: unexpected converter line in toJson_${m[1]}: ${line.trim()}`);
      const [, key, expr] = e;
      let r;
      if ((r = /^obj\.(\w+)$/.exec(expr))) fields.set(key, { prop: r[1], shape: 'plain' });
      else if ((r = /^toJson_(\w+)\(obj\.(\w+)\)$/.exec(expr))) fields.set(key, { prop: r[2], shape: 'type', type: r[1] });
      else if ((r = /^obj\.(\w+)\?\.map\(y => toJson_(\w+)\(y\)\)$/.exec(expr))) fields.set(key, { prop: r[1], shape: 'types', type: r[2] });
      else if ((r = /^obj\.(\w+)\?\.map\(y => y\)$/.exec(expr))) fields.set(key, { prop: r[1], shape: 'plain' });
      else if ((r = /^obj\.(\w+)\?\.value$/.exec(expr))) fields.set(key, { prop: r[1], shape: 'wrapped' });
      else if ((r = /^obj\.(\w+)\?\.toISOString\(\)$/.exec(expr))) fields.set(key, { prop: r[1], shape: 'date' });
      else if ((r = MAP.exec(expr))) {
        const inner = r[2];
        let t;
        if (inner === 'i[1]' || inner === 'i[1]?.map(y => y)') fields.set(key, { prop: r[1], shape: 'plain' });
        else if (inner === 'i[1]?.value') fields.set(key, { prop: r[1], shape: 'wrappedMap' });
        else if ((t = /^toJson_(\w+)\(i\[1\]\)$/.exec(inner))) fields.set(key, { prop: r[1], shape: 'typeMap', type: t[1] });
        else throw new Error(`bench/l1.js: unexpected map converter in toJson_${m[1]}: ${inner}`);
      } else throw new Error(`bench/l1.js: unexpected converter in toJson_${m[1]}: ${expr}`);
    }
    shapes.set(m[1], fields);
  }
  if (!shapes.has('KubeStatefulSetProps')) throw new Error('bench/l1.js: found no toJson_KubeStatefulSetProps in the binding');
  return shapes;
}

function wrap(value) {
  return typeof value === 'number' ? k8s.IntOrString.fromNumber(value) : k8s.IntOrString.fromString(value);
}

/** An L1 converter: `toProps(manifest)` -> { Class, props, extras } ready to instantiate. */
function createConverter() {
  const shapes = readShapes();
  /** apiVersion/kind -> L1 class name */
  const classes = new Map();
  for (const [name, value] of Object.entries(k8s)) {
    if (typeof value === 'function' && value.GVK && shapes.has(`${name}Props`)) {
      classes.set(`${value.GVK.apiVersion}/${value.GVK.kind}`, name);
    }
  }

  function convert(json, typeName, pointer, extras) {
    const fields = shapes.get(typeName);
    const props = {};
    for (const [key, value] of Object.entries(json)) {
      const field = fields.get(key);
      const here = `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (!field) {
        extras.push(JsonPatch.add(here, value));
        continue;
      }
      switch (field.shape) {
        case 'plain': props[field.prop] = value; break;
        case 'wrapped': props[field.prop] = wrap(value); break;
        case 'date': props[field.prop] = new Date(value); break;
        case 'type': props[field.prop] = convert(value, field.type, here, extras); break;
        case 'types': props[field.prop] = value.map((v, i) => convert(v, field.type, `${here}/${i}`, extras)); break;
        case 'wrappedMap': props[field.prop] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, wrap(v)])); break;
        case 'typeMap': props[field.prop] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convert(v, field.type, `${here}/${k}`, extras)])); break;
        default: throw new Error(`bench/l1.js: shape ${field.shape}`);
      }
    }
    return props;
  }

  return function toProps(manifest) {
    const { apiVersion, kind, ...rest } = manifest;
    const className = classes.get(`${apiVersion}/${kind}`);
    if (!className) return { Class: ApiObject, props: manifest, extras: [] };
    const extras = [];
    const props = convert(rest, `${className}Props`, '', extras);
    return { Class: k8s[className], props, extras };
  };
}

const patchedClasses = new Map();
/** The L1 class with the binding-less fields added after its serializer (as StatefulWorkload does for VCTs). */
function withExtras(Class) {
  let Patched = patchedClasses.get(Class);
  if (!Patched) {
    Patched = class extends Class {
      toJson() {
        const json = super.toJson();
        return this.benchExtras ? JsonPatch.apply(json, ...this.benchExtras) : json;
      }
    };
    patchedClasses.set(Class, Patched);
  }
  return Patched;
}

/** Instantiates one converted object in `scope`. */
function instantiate(scope, id, { Class, props, extras }) {
  if (!extras.length) return new Class(scope, id, props);
  const obj = new (withExtras(Class))(scope, id, props);
  obj.benchExtras = extras;
  return obj;
}

module.exports = { createConverter, instantiate };
