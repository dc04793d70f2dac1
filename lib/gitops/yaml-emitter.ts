/**
 * The YAML writer of rendered manifests: plain JSON values (what `Chart.toJson()` returns) in, block-style YAML
 * out, in one pass over the value with no document tree. cdk8s's `Yaml.stringify` (the `yaml` package) builds a
 * node tree per object and was half of synth time; this writes the same structure about 20× faster.
 *
 * The output reads back equal with YAML 1.2 parsers (`yaml`, `js-yaml`) and with YAML 1.1 parsers (Go's
 * yaml.v2 behind kubectl and Argo CD):
 * - keys keep the object's own order (cdk8s sorts them in `toJson`), so the output is as deterministic as the input;
 * - a string is written plain only when no YAML 1.1 or 1.2 parser could read it as anything else: `on`, `yes`,
 *   `y`, `~`, `null`, `0755`, `1e3`, `0x1f`, `1_000`, `12:30`, `2024-01-01`, `.inf`, `<<` and anything with a
 *   YAML indicator, a leading or trailing space, `: `, ` #` or a character outside printable ASCII is
 *   double-quoted (JSON escapes, plus `\uXXXX` for what YAML treats as a line break or non-printable);
 * - a multi-line string is a block literal (`|` ends with one newline, `|-` with none, `|+` with several), so
 *   scripts diff line by line; one that a literal cannot carry exactly (tabs, trailing spaces, a first line
 *   indented, control characters, `\r`) is double-quoted instead;
 * - numbers as JavaScript prints them (`.inf`, `-.inf`, `.nan` for the non-finite), `true`/`false`, `null`;
 *   `undefined` members are left out, as `JSON.stringify` does.
 */

/** First characters a plain scalar may not start with (YAML indicators and whitespace). */
const BAD_FIRST = new Set([...'-?:,[]{}#&*!|>\'"%@` \t']);
/** Strings every YAML 1.1 or 1.2 parser reads as null or a boolean (compared lowercased). */
const KEYWORDS = new Set(['', '~', 'null', 'true', 'false', 'y', 'n', 'yes', 'no', 'on', 'off', '<<', '=']);
/** The common safe case, checked first: a letter or `/`/`_`, then word characters, dots, slashes and dashes. */
const SIMPLE = /^[A-Za-z_/][A-Za-z0-9_./-]*$/;
/** Printable ASCII only (anything else is quoted, so no parser sees a line break or a non-printable). */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
/**
 * Could be a number in some YAML version: an optional sign, a digit or dot, then only digits, hex digits,
 * base prefixes, `_`, `.`, `:` (YAML 1.1 sexagesimal), exponents and signs. Errs on the side of quoting.
 */
const NUMBER_LIKE = /^[-+]?[0-9.][0-9a-fA-FxXoO_.:+-]*$/;
/** `.inf`, `-.Inf`, `.NaN`, ... */
const INF_NAN = /^[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)$/;
/** A YAML 1.1 timestamp starts with a date. */
const DATE = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}/;
/** Characters JSON.stringify leaves alone that YAML reads as a line break, a BOM or a non-printable. */
const YAML_UNSAFE_IN_JSON = /[\x7f-\x9f\u2028\u2029\ufeff]/g;
/** What a block literal cannot carry exactly: tabs, `\r`, non-printables, a space or tab before a line break or at the end. */
const BAD_IN_LITERAL = /[\t\r\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff]| \n| $/;

/** Whether `s` can be written as a plain (unquoted) scalar and read back as the same string everywhere. */
export function isPlainSafe(s: string): boolean {
  if (SIMPLE.test(s)) return s.length > 5 || !KEYWORDS.has(s.toLowerCase());
  if (s.length === 0 || BAD_FIRST.has(s[0]) && !(s[0] === '-' && s.length > 1 && s[1] !== ' ')) return false;
  if (!PRINTABLE_ASCII.test(s)) return false;
  const last = s[s.length - 1];
  if (last === ' ' || last === ':') return false;
  if (s.includes(': ') || s.includes(' #')) return false;
  // `---` and `...` at the start of a line end a document.
  if (s.startsWith('---') || s.startsWith('...')) return false;
  if (s.length <= 5 && KEYWORDS.has(s.toLowerCase())) return false;
  return !(NUMBER_LIKE.test(s) || INF_NAN.test(s) || DATE.test(s));
}

function quoted(s: string): string {
  const json = JSON.stringify(s);
  return YAML_UNSAFE_IN_JSON.test(json)
    ? json.replace(YAML_UNSAFE_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    : json;
}

function scalarText(s: string): string {
  return isPlainSafe(s) ? s : quoted(s);
}

/**
 * A multi-line string as a block literal at `indent` (the content's indentation), or undefined when a literal
 * cannot carry it exactly. The chomping indicator keeps the trailing newlines: none `|-`, one `|`, more `|+`.
 */
function literal(s: string, indent: string): string | undefined {
  // The same scripts and configuration files recur in every instance of a construct: write each once per indent.
  if (s.length < LITERAL_CACHE_MIN_LENGTH) return writeLiteral(s, indent);
  let byText = literalCache.get(indent.length);
  if (!byText) literalCache.set(indent.length, byText = new Map());
  if (byText.has(s)) return byText.get(s);
  if (byText.size >= LITERAL_CACHE_ENTRIES) byText.clear();
  const out = writeLiteral(s, indent);
  byText.set(s, out);
  return out;
}

const LITERAL_CACHE_MIN_LENGTH = 512;
const LITERAL_CACHE_ENTRIES = 256;
/** indent length -> text -> its block literal */
const literalCache = new Map<number, Map<string, string | undefined>>();

function writeLiteral(s: string, indent: string): string | undefined {
  if (BAD_IN_LITERAL.test(s)) return undefined;
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 10) end--;
  if (end === 0) return undefined; // only newlines: nothing to indent against
  const body = s.slice(0, end);
  // The first non-empty line fixes the block's indentation: it may not start with a space.
  const first = body.search(/[^\n]/);
  if (body.charCodeAt(first) === 32) return undefined;
  const trailing = s.length - end;
  const header = trailing === 0 ? '|-' : trailing === 1 ? '|' : '|+';
  let out = header;
  for (const line of body.split('\n')) out += line ? `\n${indent}${line}` : '\n';
  // Keep: the extra newlines are empty lines of the block.
  for (let i = 1; i < trailing; i++) out += '\n';
  return out;
}

function numberText(n: number): string {
  if (Number.isFinite(n)) return String(n);
  return Number.isNaN(n) ? '.nan' : n > 0 ? '.inf' : '-.inf';
}

function isEmptyObject(o: object): boolean {
  for (const k in o) if (Object.prototype.hasOwnProperty.call(o, k) && (o as Record<string, unknown>)[k] !== undefined) return false;
  return true;
}

/**
 * Text that follows `key:` or `- ` for `value` nested at `indent` (the indentation of the value's own members):
 * ` scalar`, ` |` plus the literal's lines, or a newline and the block collection.
 */
function after(value: unknown, indent: string): string {
  switch (typeof value) {
    case 'string':
      if (value.includes('\n')) {
        const block = literal(value, indent);
        if (block !== undefined) return ` ${block}`;
      }
      return ` ${scalarText(value)}`;
    case 'number':
      return ` ${numberText(value)}`;
    case 'boolean':
      return value ? ' true' : ' false';
    case 'bigint':
      return ` ${value.toString()}`;
    case 'undefined':
      return ' null';
    case 'object': {
      if (value === null) return ' null';
      if (Array.isArray(value)) return value.length ? `\n${sequence(value, indent)}` : ' []';
      if (isEmptyObject(value)) return ' {}';
      return `\n${mapping(value as Record<string, unknown>, indent)}`;
    }
    default:
      throw new TypeError(`toYaml: cannot write a ${typeof value}`);
  }
}

function mapping(o: Record<string, unknown>, indent: string): string {
  let out = '';
  const inner = `${indent}  `;
  for (const key in o) {
    if (!Object.prototype.hasOwnProperty.call(o, key)) continue;
    const v = o[key];
    if (v === undefined) continue;
    // A sequence under a key is indented by two, as the `yaml` package writes it.
    out += `${indent}${scalarText(key)}:${after(v, inner)}\n`;
  }
  // Strip the last newline: the caller joins lines.
  return out.slice(0, -1);
}

function sequence(a: readonly unknown[], indent: string): string {
  let out = '';
  const inner = `${indent}  `;
  for (const v of a) {
    if (v !== null && typeof v === 'object' && !(Array.isArray(v) ? v.length === 0 : isEmptyObject(v))) {
      // `- ` then the collection's first line on the same line, the rest at `inner`.
      const block = Array.isArray(v) ? sequence(v, inner) : mapping(v as Record<string, unknown>, inner);
      out += `${indent}- ${block.slice(inner.length)}\n`;
    } else {
      out += `${indent}-${after(v, inner)}\n`;
    }
  }
  return out.slice(0, -1);
}

/** One YAML document (no `---`), ending with a newline. */
export function toYamlDocument(value: unknown): string {
  if (value !== null && typeof value === 'object') {
    if (Array.isArray(value)) return value.length ? `${sequence(value, '')}\n` : '[]\n';
    if (isEmptyObject(value)) return '{}\n';
    return `${mapping(value as Record<string, unknown>, '')}\n`;
  }
  // A top-level scalar: never a block literal (its lines would sit at column 0, where `---` ends a document).
  if (typeof value === 'string') return `${scalarText(value)}\n`;
  return `${after(value, '').slice(1)}\n`;
}

/**
 * The documents as one YAML stream, separated by `---` lines, as cdk8s's `Yaml.stringify(...docs)` joins them
 * (no leading `---`; empty for no documents).
 */
export function toYaml(...docs: readonly unknown[]): string {
  let out = '';
  for (let i = 0; i < docs.length; i++) out += i ? `---\n${toYamlDocument(docs[i])}` : toYamlDocument(docs[i]);
  return out;
}
