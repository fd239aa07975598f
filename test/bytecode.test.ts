import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { datedAsZipped, importFrom, pycFlags } from './lambda-files';
import { withBytecode } from '../src/private/bytecode';

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
    expect(after[1]).toMatch(/^PYTHONHASHSEED=0 python -m compileall .*--invalidation-mode checked-hash .*\/asset-output \|\| echo /);
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
      datedAsZipped(bundle);
      const { stdout, loadedFrom } = importFrom('python3', bundle, 'import app; print(app.VALUE)');
      expect(stdout).toBe('pkg\n');
      expect(loadedFrom.map(f => f.replace(/cpython-\d+/, 'TAG')).sort()).toEqual([
        path.join('__pycache__', 'app.TAG.pyc'),
        path.join('pkg', '__pycache__', '__init__.TAG.pyc'),
      ]);
    });
  });
});
