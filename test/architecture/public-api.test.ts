import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/**
 * The public API is what lib/index.ts exports: what users compose. Every exported name (values and types) is listed
 * in public-api.txt with its kind, so adding, removing or renaming one shows up in review as a change to that list.
 * Run with UPDATE_PUBLIC_API=1 to rewrite the list after a deliberate change.
 */
const ROOT = path.join(__dirname, '..', '..');
const INDEX = path.join(ROOT, 'lib', 'index.ts');
const PRIVATE = path.join(ROOT, 'lib', 'private') + path.sep;
const LIST = path.join(__dirname, 'public-api.txt');

const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'tsconfig.build.json'), {}, {
  ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); },
})!;
const program = ts.createProgram([INDEX], config.options);
const checker = program.getTypeChecker();
const exported = checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(INDEX)!)!).map((symbol) => {
  const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  return { name: symbol.name, target, files: (target.declarations ?? []).map((d) => d.getSourceFile().fileName) };
});

function kindOf(symbol: ts.Symbol): string {
  const F = ts.SymbolFlags;
  if (symbol.flags & F.Class) return 'class';
  if (symbol.flags & F.Enum) return 'enum';
  if (symbol.flags & F.Function) return 'function';
  if (symbol.flags & F.Variable) return 'const';
  if (symbol.flags & F.Interface) return 'interface';
  if (symbol.flags & F.TypeAlias) return 'type';
  return 'other';
}

test('lib/index.ts exports exactly the names in public-api.txt', () => {
  const actual = exported.map((e) => `${e.name} ${kindOf(e.target)}`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).join('\n') + '\n';
  if (process.env.UPDATE_PUBLIC_API) fs.writeFileSync(LIST, actual);
  expect(actual).toBe(fs.readFileSync(LIST, 'utf8'));
});

test('nothing from lib/private is exported', () => {
  const leaked = exported.filter((e) => e.files.some((f) => path.resolve(f).startsWith(PRIVATE))).map((e) => e.name);
  expect(leaked).toEqual([]);
});

test('every type a public signature names is exported too', () => {
  // What typedoc reports as "referenced but not included": a props member, parameter, return or base type that
  // users can receive but cannot name. Walks declared signatures only (not bodies, initializers or private members).
  const LIB = path.join(ROOT, 'lib') + path.sep;
  const publicTargets = new Set(exported.map((e) => e.target));
  const missing = new Set<string>();
  const hidden = (node: ts.Node) => ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) =>
    m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword) ||
    ts.getJSDocTags(node).some((t) => t.tagName.text === 'internal') || (ts.isClassElement(node) && !!node.name && ts.isPrivateIdentifier(node.name));
  const visit = (node: ts.Node, owner: string): void => {
    if (ts.isBlock(node) || hidden(node)) return;
    if (ts.isTypeReferenceNode(node) || ts.isExpressionWithTypeArguments(node)) {
      const at = ts.isTypeReferenceNode(node) ? node.typeName : node.expression;
      let symbol = checker.getSymbolAtLocation(at);
      if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
      const decl = symbol?.declarations?.[0];
      // An alias of `any` (the manifest `Json`) names nothing a user has to spell.
      const anyAlias = !!symbol && !!(symbol.flags & ts.SymbolFlags.TypeAlias) && !!(checker.getDeclaredTypeOfSymbol(symbol).flags & ts.TypeFlags.Any);
      if (symbol && decl && !anyAlias && !(symbol.flags & ts.SymbolFlags.TypeParameter) && decl.getSourceFile().fileName.startsWith(LIB.split(path.sep).join('/'))
        && ts.isSourceFile(decl.parent) && !publicTargets.has(symbol)) {
        missing.add(`${symbol.name} (${path.relative(ROOT, decl.getSourceFile().fileName)}), named by ${owner}`);
      }
    }
    const skip = new Set<ts.Node | undefined>([
      (node as ts.PropertyDeclaration).initializer, (node as ts.VariableDeclaration).initializer, (node as ts.ParameterDeclaration).initializer,
    ]);
    ts.forEachChild(node, (child) => { if (!skip.has(child)) visit(child, owner); });
  };
  for (const e of exported) for (const decl of e.target.declarations ?? []) visit(decl, e.name);
  expect([...missing].sort()).toEqual([]);
});

test('the list holds constructs users compose, not internals', () => {
  // A sample each side of the line, so an accidental `export *` or a dropped construct fails with a clear name.
  const names = new Set(exported.map((e) => e.name));
  expect(['Profile', 'StorageClassPack', 'StatefulDatabase', 'MlflowCluster', 'definePlatform', 'runGates', 'SchemaValidator']
    .filter((n) => !names.has(n))).toEqual([]);
  expect(['buildPodSpec', 'renderServerConfig', 'toYaml', 'checkPodSecurity', 'assertKnownProps', 'describeConstruct']
    .filter((n) => names.has(n))).toEqual([]);
});
