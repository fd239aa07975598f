import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { withEnv } from './helpers';
import { importFrom, pycFlags } from './lambda-files';
import { ADAPTER_RUNTIMES } from '../src/private/adapter-layer-asset';
import { BytecodeCompiler, COMPILE_BUNDLE_SCRIPT, fetchedCompiler } from '../src/private/bytecode-compiler';
import { pythonVersionOf } from '../src/private/lambda-platform';
import { fetchPyodide, pyodideDir, pyodideRelease } from '../src/private/pyodide';

// Fetches CPython for WebAssembly from the npm registry (npm's cache after the first run).
jest.setTimeout(300_000);

const ROOT = path.join(__dirname, '..');
const VERSIONS = ADAPTER_RUNTIMES.map(pythonVersionOf);
/** A registry nothing answers on: npm fails at once. */
const OFFLINE = 'http://127.0.0.1:9/';

function tempDir(prefix: string) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `cdk-wsgi-test-${prefix}-`));
}

/** CPython `version` on this machine (PATH, pyenv, uv, or the test set-up's .tools/), as .ci/find-python finds it. */
function installed(version: string): string | undefined {
  const found = spawnSync('bash', [path.join(ROOT, '.ci', 'find-python'), version], { encoding: 'utf-8', env: process.env });
  if (found.status === 2) throw new Error(found.stderr);
  return found.status === 0 ? found.stdout.trim() : undefined;
}

/** A bundle as pip leaves it: a module, a package, and a template shipped as .py that does not compile. */
function bundle(): string {
  const dir = tempDir('bundle');
  fs.mkdirSync(path.join(dir, 'pkg'));
  fs.writeFileSync(path.join(dir, 'app.py'), 'import pkg\nNAMES = {"a", "b", "c", "d"}\n');
  fs.writeFileSync(path.join(dir, 'pkg', '__init__.py'), 'NAME = "pkg"\n');
  fs.writeFileSync(path.join(dir, 'template.py'), 'def {{ name }}():\n');
  return dir;
}

function pycsIn(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true }).map(String).filter(f => f.endsWith('.pyc')).sort();
}

/** What cdk-wsgi wrote on stderr while `run` ran, with its result. */
function saying<T>(run: () => T): { said: string[]; result: T } {
  const stderr = jest.spyOn(process.stderr, 'write');
  try {
    const result = run();
    return { said: stderr.mock.calls.map(([text]) => String(text)).filter(text => text.startsWith('cdk-wsgi')), result };
  } finally {
    stderr.mockRestore();
  }
}

describe('CPython for WebAssembly, fetched once into the user cache', () => {
  const cache = tempDir('cache');
  afterAll(() => fs.rmSync(cache, { recursive: true, force: true }));

  test.each(VERSIONS)('CPython %s: compiles bytecode that the same CPython built for this machine runs', version => {
    const release = pyodideRelease(version)!;
    const first = withEnv({ CDK_WSGI_CACHE_DIR: cache }, () => saying(() => fetchedCompiler(version)));
    expect(first.said).toEqual([`cdk-wsgi: fetching CPython ${release.python} for WebAssembly (npm package pyodide@${release.version}, ` +
      `${release.megabytes} MB) into ${path.join(cache, `pyodide-${release.version}`)}, once, to compile bytecode with\n`]);
    const compiler = first.result as BytecodeCompiler;
    expect(compiler.name).toBe(`CPython ${release.python} for WebAssembly (npm pyodide@${release.version})`);

    const dir = bundle();
    const run = compiler.compile(dir);
    // The template fails alone, named by the path Lambda runs it from; the rest compiles.
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^\*\*\* Error compiling '\/var\/task\/template\.py': /m);
    const tag = version.replace('.', '');
    expect(pycsIn(dir)).toEqual([path.join('__pycache__', `app.cpython-${tag}.pyc`), path.join('pkg', '__pycache__', `__init__.cpython-${tag}.pyc`)]);
    expect(pycsIn(dir).map(f => pycFlags(path.join(dir, f)))).toEqual([3, 3]);
    // The same bundle compiles to the same bytes, set constants included.
    const bytes = pycsIn(dir).map(f => fs.readFileSync(path.join(dir, f)));
    compiler.compile(dir);
    expect(pycsIn(dir).map(f => fs.readFileSync(path.join(dir, f)))).toEqual(bytes);

    // The magic number and the hash check are CPython's own: the native build loads these files without compiling.
    const native = installed(version);
    if (!native) {
      process.stderr.write(`bytecode-compiler.test: no native CPython ${version} here to load the bytecode with (CI has every one)\n`);
      return;
    }
    fs.rmSync(path.join(dir, 'template.py'));
    // The path recorded for tracebacks is the one Lambda runs the source from (import shows the real one here).
    const { stdout, loadedFrom } = importFrom(native, dir, 'import app, importlib.util, marshal; ' +
      'print(marshal.loads(open(importlib.util.cache_from_source(app.__file__), "rb").read()[16:]).co_filename, sorted(app.NAMES), app.pkg.NAME)');
    expect(stdout).toBe("/var/task/app.py ['a', 'b', 'c', 'd'] pkg\n");
    expect(loadedFrom.sort()).toEqual([path.join('__pycache__', `app.cpython-${tag}.pyc`), path.join('pkg', '__pycache__', `__init__.cpython-${tag}.pyc`)]);
  });

  test('once fetched, it is used offline and says nothing', () => {
    const version = VERSIONS[VERSIONS.length - 1];
    withEnv({ CDK_WSGI_CACHE_DIR: cache }, () => fetchedCompiler(version));
    const { said, result } = withEnv({ CDK_WSGI_CACHE_DIR: cache, npm_config_registry: OFFLINE }, () => saying(() => fetchedCompiler(version)));
    expect(said).toEqual([]);
    const dir = bundle();
    fs.rmSync(path.join(dir, 'template.py'));
    expect((result as BytecodeCompiler).compile(dir).status).toBe(0);
  });

  test('without the registry, says why and how to do without it, and leaves nothing half fetched', () => {
    const empty = tempDir('empty-cache');
    const { said, result } = withEnv({ CDK_WSGI_CACHE_DIR: empty, npm_config_registry: OFFLINE }, () => saying(() => fetchedCompiler('3.14')));
    const release = pyodideRelease('3.14')!;
    expect(said).toHaveLength(1);
    expect(result).toBe(`no python3.14 here, and fetching CPython 3.14 for WebAssembly failed (npm pack pyodide@${release.version} failed: ` +
      `FetchError: request to ${OFFLINE}pyodide failed, reason: connect ECONNREFUSED 127.0.0.1:9); reach the npm registry once ` +
      '(the copy is kept for later builds), or install Python 3.14 (uv python install 3.14, pyenv install 3.14, or python.org) or set CDK_WSGI_PYTHON');
    expect(fs.readdirSync(empty)).toEqual([]);
  });

  test('a tarball that is not the pinned release is refused', () => {
    const empty = tempDir('empty-cache');
    const release = { ...pyodideRelease('3.14')!, integrity: 'sha512-not-this-one' };
    withEnv({ CDK_WSGI_CACHE_DIR: empty }, () => {
      expect(() => saying(() => fetchPyodide(release))).toThrow(
        /^npm pack pyodide@314\.0\.8 gave a tarball whose integrity \(sha512-\S+\) is not the release's$/);
      expect(fs.existsSync(pyodideDir(release))).toBe(false);
    });
    expect(fs.readdirSync(empty)).toEqual([]);
  });

  test('a Python version with no release says to install it', () => {
    expect(fetchedCompiler('3.99')).toBe('no python3.99 here to precompile it with; install Python 3.99 (uv python install 3.99, ' +
      'pyenv install 3.99, or python.org) or set CDK_WSGI_PYTHON');
  });
});

describe('compiling with an installed CPython', () => {
  // Python 3.12 and newer: compileall's own workers (-j 0) come from a forkserver that is left for init to reap.
  // Linux's subreaper shows what is left.
  const version = process.platform === 'linux' ? ['3.14', '3.13', '3.12'].find(installed) : undefined;

  (version ? test : test.skip)('leaves no process behind: every worker is reaped before the compiler exits', () => {
    const dir = bundle();
    for (let i = 0; i < 40; i++) fs.writeFileSync(path.join(dir, `m${i}.py`), `X = ${i}\n`);
    // A subreaper inherits the compiler's orphans; it reports each one it reaps after the compiler has exited.
    const reaper = `import ctypes, os, subprocess, sys, time
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
status = subprocess.run(sys.argv[1:], env={**os.environ, "PYTHONHASHSEED": "0"}).returncode
time.sleep(1)
orphans = []
while True:
    try:
        pid, _ = os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        break
    orphans.append(pid)
    if pid == 0:
        break
print(status, orphans)
`;
    const run = spawnSync('python3', ['-c', reaper, installed(version!)!, COMPILE_BUNDLE_SCRIPT, dir], { encoding: 'utf-8' });
    expect(run.stdout.trim().split('\n').pop()).toBe('1 []');
    expect(run.stdout).toMatch(/^\*\*\* Error compiling '\/var\/task\/template\.py': /m);
    expect(pycsIn(dir)).toHaveLength(42);
  });
});
