import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { withBytecode } from '../src/private/bytecode';

/** The mtime the CDK CLI gives every file of a zipped asset, and so every file Lambda extracts. */
const ZIP_EPOCH = new Date('1980-01-01T00:00:00Z');

/** The flags word of a .pyc header (PEP 552): 0b11 is hash-based and checked against the source. */
function pycFlags(file: string): number {
  return fs.readFileSync(file).readUInt32LE(4);
}

describe('bytecode for PythonFunction bundles', () => {
  test("keeps the user's bundling options and hooks, and compiles after them", () => {
    const bundling = withBytecode({
      assetExcludes: ['tests'],
      commandHooks: {
        beforeBundling: (input, output) => [`echo before ${input} ${output}`],
        afterBundling: (input, output) => [`echo after ${input} ${output}`],
      },
    });
    expect(bundling.assetExcludes).toEqual(['tests']);
    expect(bundling.commandHooks!.beforeBundling('/asset-input', '/asset-output')).toEqual(['echo before /asset-input /asset-output']);
    const after = bundling.commandHooks!.afterBundling('/asset-input', '/asset-output');
    expect(after[0]).toBe('echo after /asset-input /asset-output');
    expect(after[1]).toMatch(/^python -m compileall .*--invalidation-mode checked-hash .*\/asset-output \|\| echo /);
    expect(withBytecode(undefined).commandHooks!.beforeBundling('/asset-input', '/asset-output')).toEqual([]);
  });

  describe('the compile command, run as the bundling image runs it', () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-bytecode-'));
    const bundle = path.join(work, 'asset-output');
    let run: ReturnType<typeof spawnSync>;

    beforeAll(() => {
      fs.mkdirSync(path.join(bundle, 'pkg'), { recursive: true });
      fs.writeFileSync(path.join(bundle, 'app.py'), 'import pkg\nVALUE = pkg.NAME\n');
      fs.writeFileSync(path.join(bundle, 'pkg', '__init__.py'), 'NAME = "pkg"\n');
      // A template shipped as .py: it must not fail the bundle.
      fs.writeFileSync(path.join(bundle, 'template.py'), 'def {{ name }}():\n');
      // The image's `python` is the runtime's; here it is this machine's python3.
      const bin = path.join(work, 'bin');
      fs.mkdirSync(bin);
      const python3 = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf-8' }).stdout.trim();
      fs.symlinkSync(python3, path.join(bin, 'python'));
      const [command] = withBytecode(undefined).commandHooks!.afterBundling('/asset-input', bundle);
      run = spawnSync('bash', ['-c', command], { encoding: 'utf-8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    });
    afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

    test('compiles every module to hash-checked bytecode, and skips what does not compile without failing', () => {
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/template\.py/);
      expect(run.stdout).toMatch(/cdk-wsgi: some files did not compile; Lambda compiles them on import/);
      const pycs = fs.readdirSync(bundle, { recursive: true }).map(String).filter(f => f.endsWith('.pyc')).sort();
      expect(pycs.map(f => f.replace(/cpython-\d+/, 'TAG'))).toEqual([
        path.join('__pycache__', 'app.TAG.pyc'),
        path.join('pkg', '__pycache__', '__init__.TAG.pyc'),
      ]);
      expect(pycs.map(f => pycFlags(path.join(bundle, f)))).toEqual([3, 3]);
    });

    test('Lambda loads the modules from that bytecode once the files are dated 1980 and read-only', () => {
      for (const file of fs.readdirSync(bundle, { recursive: true }).map(String)) {
        fs.utimesSync(path.join(bundle, file), ZIP_EPOCH, ZIP_EPOCH);
      }
      const imported = spawnSync('python3', ['-v', '-c', 'import app; print(app.VALUE)'], {
        cwd: bundle,
        env: { PATH: process.env.PATH, PYTHONPATH: bundle, PYTHONDONTWRITEBYTECODE: '1' },
        encoding: 'utf-8',
      });
      expect(imported.stdout).toBe('pkg\n');
      const loadedFrom = [...imported.stderr.matchAll(/^# code object from '?(.+?)'?$/gm)]
        .map(([, file]) => path.relative(bundle, file))
        .filter(file => !file.startsWith('..'));
      expect(loadedFrom.map(f => f.replace(/cpython-\d+/, 'TAG')).sort()).toEqual([
        path.join('__pycache__', 'app.TAG.pyc'),
        path.join('pkg', '__pycache__', '__init__.TAG.pyc'),
      ]);
    });
  });
});
