import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { run } from '../../lib/cli/bin';

const ROOT = path.resolve(__dirname, '../..');
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const start = readme.indexOf('## Use it in your own repo');
const section = readme.slice(start, readme.indexOf('\n## ', start + 3));
/** The section's fenced blocks: language, the file name after it (if any), the text. */
const blocks = [...section.matchAll(/```(\w+)(?: (\S+))?\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1], file: m[2], text: m[3] }));

describe('README "Use it in your own repo"', () => {
  test('shows main.ts, platform.ts, the snapshot test and cdk8s.yaml, and the commands', () => {
    expect(blocks.map((b) => b.file ?? b.lang)).toEqual(['sh', 'main.ts', 'platform.ts', 'test/platform.test.ts', 'cdk8s.yaml']);
  });

  test('the init command it shows writes exactly the files it shows', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-init-'));
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const command = blocks[0].text.split('\n')[0].split(' ');
      expect(command.slice(0, 3)).toEqual(['npx', 'cdk8s-stateful-ml', 'init']);
      expect(run(command.slice(2), {}, tmp)).toBe(0);
      const dir = path.join(tmp, command[3]);
      for (const block of blocks.filter((b) => b.file)) {
        expect([block.file, fs.readFileSync(path.join(dir, block.file!), 'utf8')]).toEqual([block.file, block.text]);
      }
      expect(blocks[0].text.split('\n')[1]).toBe(`cd ${command[3]} && git init && npm install && npx cdk8s synth && npm test`);
    } finally {
      stderr.mockRestore();
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  test('every TypeScript block compiles against the library (strict, as tsc checks this repository)', () => {
    const parsed = ts.parseJsonConfigFileContent(ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), ts.sys.readFile).config, ts.sys, ROOT);
    // The blocks as files of a folder in this checkout (not on disk): 'cdk8s' etc. resolve from node_modules,
    // 'cdk8s-stateful-ml' through tsconfig's paths to lib/index.ts.
    const dir = path.join(ROOT, '.readme-own-repo');
    const virtual = new Map(blocks.filter((b) => b.lang === 'ts').map((b) => [path.join(dir, b.file!), b.text]));
    const host = ts.createCompilerHost(parsed.options);
    const { fileExists, readFile, getSourceFile } = host;
    host.fileExists = (f) => virtual.has(f) || fileExists.call(host, f);
    host.readFile = (f) => virtual.get(f) ?? readFile.call(host, f);
    const { directoryExists } = host;
    host.directoryExists = (d) => d === dir || d === path.join(dir, 'test') || (directoryExists ? directoryExists.call(host, d) : ts.sys.directoryExists(d));
    host.getSourceFile = (f, language, onError, create) =>
      virtual.has(f) ? ts.createSourceFile(f, virtual.get(f)!, language) : getSourceFile.call(host, f, language, onError, create);
    const program = ts.createProgram([...virtual.keys()], { ...parsed.options, noEmit: true }, host);
    const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => !d.file || virtual.has(d.file.fileName));
    expect(diagnostics.map((d) => `${d.file ? path.relative(dir, d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`)).toEqual([]);
    expect(virtual.size).toBe(3);
  });
});
