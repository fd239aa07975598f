import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { BundlingMode, WsgiApi, WsgiApiProps } from '../src';
import { withEnv } from './helpers';
import { bundledRuntime, pycFlags, pythonTag } from './lambda-files';
import { ADAPTER_RUNTIMES } from '../src/private/adapter-layer-asset';
import { nativeInterpreter } from '../src/private/bytecode-compiler';
import { containerEngineAnswers } from '../src/private/container-engine';
import { pythonVersionOf } from '../src/private/lambda-platform';

// Real local bundling: pip downloads wheels from PyPI (cached after the first run).
jest.setTimeout(240_000);

const FLASK_APP = path.join(__dirname, '..', 'examples', 'flask-app');
const ELF_MACHINE = { [lambda.Architecture.ARM_64.name]: 183, [lambda.Architecture.X86_64.name]: 62 };
const WHEEL_ARCH = { [lambda.Architecture.ARM_64.name]: 'aarch64', [lambda.Architecture.X86_64.name]: 'x86_64' };
// AUTO picks LOCAL where no container engine answers, as on the machines this suite was written on.
const MODE = containerEngineAnswers() ? BundlingMode.LOCAL : BundlingMode.AUTO;
const RUNTIME = bundledRuntime();
const TAG = pythonTag(RUNTIME); // 313
const VERSION = `${TAG[0]}\\.${TAG.slice(1)}`; // 3\.13, for regular expressions

function tempDir(prefix: string) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `cdk-wsgi-test-${prefix}-`));
}

/** The lines cdk-wsgi wrote to a spied stderr. */
function oursIn(stderr: jest.SpyInstance): string[] {
  return stderr.mock.calls.map(([text]) => String(text)).filter(text => text.startsWith('cdk-wsgi'));
}

/**
 * Synthesizes one WsgiApi with real bundling into `outdir`; returns the stack, the function's asset folder and the
 * lines cdk-wsgi wrote to stderr meanwhile.
 */
function synthBundled(outdir: string, props: Partial<WsgiApiProps>) {
  const app = new App({ outdir });
  const stack = new Stack(app, 'Bundled', { env: { account: '123456789012', region: 'eu-west-1' } });
  const stderr = jest.spyOn(process.stderr, 'write');
  try {
    new WsgiApi(stack, 'App', { entry: FLASK_APP, module: 'api.app', bundlingMode: MODE, runtime: RUNTIME, ...props });
    const assembly = app.synth();
    const template = Template.fromStack(stack);
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'cdk_wsgi_adapter.handler' } }));
    const hash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
    return { stack, hash, lines: oursIn(stderr), assetDir: path.join(assembly.directory, `asset.${hash}`) };
  } finally {
    stderr.mockRestore();
  }
}

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? [full, ...walk(full)] : [full];
  });
}

/** e_machine of an ELF file, or undefined when the file is not ELF. */
function elfMachine(file: string): number | undefined {
  const header = Buffer.alloc(20);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, header, 0, 20, 0);
  } finally {
    fs.closeSync(fd);
  }
  return header.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46])) ? header.readUInt16LE(18) : undefined;
}

describe.each([lambda.Architecture.ARM_64, lambda.Architecture.X86_64])('local bundling of the example for %s', architecture => {
  const outdir = tempDir('out');
  let bundled: ReturnType<typeof synthBundled>;
  beforeAll(() => {
    const started = Date.now();
    bundled = synthBundled(outdir, { architecture });
    process.stderr.write(`local bundling of the example for ${architecture.name}: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  });
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test('bundles the app with its dependencies and says the mode that ran', () => {
    const files = walk(bundled.assetDir).map(f => path.relative(bundled.assetDir, f));
    expect(files).toEqual(expect.arrayContaining(['api.py', path.join('flask', '__init__.py'), path.join('markupsafe', '__init__.py')]));
    expect(files.filter(f => /(^|\/)(\.venv|\.git|node_modules|cdk\.out)(\/|$)/.test(f))).toEqual([]);
    // The synth says why it bundled locally in the bundling line alone, never as an annotation the CLI asks to acknowledge.
    expect(Annotations.fromStack(bundled.stack).findInfo('*', Match.anyValue())).toEqual([]);
    if (MODE === BundlingMode.AUTO) {
      expect(bundled.lines).toEqual([expect.stringMatching(new RegExp(`^cdk-wsgi: bundled \\S+ for linux/\\w+ CPython ${VERSION} locally ` +
        "with pip \\(no container engine answered '\\S+ info'\\) in \\d+\\.\\d s, with bytecode\n$"))]);
    }
  });

  test("precompiles every module for the runtime's Python, hash-checked, and ships no other bytecode", () => {
    const files = walk(bundled.assetDir).map(f => path.relative(bundled.assetDir, f));
    const modules = files.filter(f => f.endsWith('.py'));
    const pycs = files.filter(f => f.endsWith('.pyc'));
    expect(modules.length).toBeGreaterThan(100);
    expect(pycs.sort()).toEqual(modules.map(f => path.join(path.dirname(f), '__pycache__', `${path.basename(f, '.py')}.cpython-${TAG}.pyc`)).sort());
    // PEP 552 flags 0b11: valid whatever the mtimes (the CDK CLI zips every file as of 1980), checked against the source
    expect(pycs.filter(f => pycFlags(path.join(bundled.assetDir, f)) !== 3)).toEqual([]);
  });

  test('every shared object is ELF for the target machine', () => {
    const shared = walk(bundled.assetDir).filter(f => f.endsWith('.so') || /\.so\./.test(f));
    expect(shared.length).toBeGreaterThan(0); // MarkupSafe's C speedups
    const machines = shared.map(f => [path.relative(bundled.assetDir, f), elfMachine(f)]);
    process.stderr.write(`${architecture.name} shared objects (file, e_machine): ${JSON.stringify(machines)}\n`);
    expect(machines).toEqual(shared.map(f => [path.relative(bundled.assetDir, f), ELF_MACHINE[architecture.name]]));
  });

  test("every installed wheel's tags fit the target", () => {
    const arch = WHEEL_ARCH[architecture.name];
    const compatible = new RegExp(`^(py3-none-any|py2\\.py3-none-any|cp${TAG}-(cp${TAG}|abi3|none)-(manylinux(2014|2010|1)|manylinux_2_\\d+)_${arch}|cp3(\\d|1[0-${TAG[2]}])-abi3-(manylinux(2014|2010|1)|manylinux_2_\\d+)_${arch})$`);
    const wheels = fs.readdirSync(bundled.assetDir).filter(f => f.endsWith('.dist-info'));
    expect(wheels.length).toBeGreaterThanOrEqual(6);
    const tags = wheels.flatMap(w => fs.readFileSync(path.join(bundled.assetDir, w, 'WHEEL'), 'utf-8')
      .split('\n').filter(line => line.startsWith('Tag:')).map(line => [w, line.slice(4).trim()]));
    process.stderr.write(`${architecture.name} wheel tags: ${JSON.stringify(tags)}\n`);
    expect(tags.filter(([, tag]) => !compatible.test(tag))).toEqual([]);
    expect(tags.some(([w, tag]) => w.startsWith('markupsafe') && tag.startsWith(`cp${TAG}-cp${TAG}-manylinux`))).toBe(true);
  });

  test('the same inputs give the same asset hash', () => {
    // Same outdir: the asset folder exists, so CDK does not bundle again, but it computes the hash again.
    expect(synthBundled(outdir, { architecture }).hash).toBe(bundled.hash);
  });
});

describe('local bundling', () => {
  const outdir = tempDir('out');
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  function appDir(requirements: string, extra: Record<string, string> = {}) {
    const dir = tempDir('app');
    fs.copyFileSync(path.join(FLASK_APP, 'api.py'), path.join(dir, 'api.py'));
    for (const [file, content] of Object.entries({ 'requirements.txt': requirements, ...extra })) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), content);
    }
    return dir;
  }

  test('leaves excluded folders out of the content and the hash', () => {
    const clean = appDir('docopt==0.6.2\n');
    const cluttered = appDir('docopt==0.6.2\n', {
      '.venv/lib/site.py': 'x',
      '__pycache__/api.cpython-313.pyc': 'x',
      '.git/HEAD': 'x',
      'node_modules/a/index.js': 'x',
      'cdk.out/manifest.json': '{}',
      'tests/test_api.py': 'x',
      'pkg/__pycache__/m.pyc': 'x',
    });
    const props = { bundling: { assetExcludes: ['tests'] } };
    const a = synthBundled(tempDir('out'), { ...props, entry: cluttered });
    // One line of ours, when done: what, for which target, why locally, how long, and with bytecode.
    expect(a.lines).toEqual([expect.stringMatching(new RegExp(
      `^cdk-wsgi: bundled \\S+ for linux/aarch64 CPython ${VERSION} locally with pip( \\([^)]+\\))? in \\d+\\.\\d s, with bytecode\n$`))]);
    const shipped = walk(a.assetDir).map(f => path.relative(a.assetDir, f)).filter(f => !f.startsWith('docopt'));
    expect(shipped).toEqual(['__pycache__', path.join('__pycache__', `api.cpython-${TAG}.pyc`),
      path.join('__pycache__', `docopt.cpython-${TAG}.pyc`), 'api.py', 'pkg', 'requirements.txt']);
    // The bundle's own bytecode, not the stray file of the same name.
    expect(fs.readFileSync(path.join(a.assetDir, '__pycache__', `api.cpython-${TAG}.pyc`)).length).toBeGreaterThan(16);
    // docopt 0.6.2 is an sdist only, pure Python: built here and installed.
    expect(fs.existsSync(path.join(a.assetDir, 'docopt.py'))).toBe(true);
    fs.mkdirSync(path.join(clean, 'pkg'));
    expect(synthBundled(tempDir('out'), { ...props, entry: clean }).hash).toBe(a.hash);
  });

  test('without an interpreter of the runtime\'s version, compiles with CPython for WebAssembly, fetched once', () => {
    const entry = appDir('docopt==0.6.2\n');
    const cache = tempDir('cache');
    // A bare PYENV_ROOT hides pyenv's builds (its shims fail for versions it has not got); take a runtime left without one.
    withEnv({ PYENV_ROOT: tempDir('no-pyenv'), CDK_WSGI_CACHE_DIR: cache }, () => {
      const runtime = [...ADAPTER_RUNTIMES].reverse().find(r => !nativeInterpreter(pythonVersionOf(r)));
      if (!runtime) throw new Error('every Lambda Python is on PATH here: nothing to fetch one for');
      const version = pythonVersionOf(runtime).replace('.', '\\.');
      const line = `^cdk-wsgi: bundled \\S+ for linux/aarch64 CPython ${version} locally with pip( \\([^)]+\\))? in \\d+\\.\\d s, with bytecode ` +
        `compiled by CPython ${version}\\.\\d+ for WebAssembly \\(npm pyodide@[\\d.]+\\)\n$`;
      const fetched = synthBundled(tempDir('out'), { entry, runtime });
      expect(fetched.lines).toEqual([expect.stringMatching(/^cdk-wsgi: fetching CPython /), expect.stringMatching(new RegExp(line))]);
      const tag = pythonVersionOf(runtime).replace('.', '');
      expect(walk(fetched.assetDir).filter(f => f.endsWith('.pyc')).map(f => path.relative(fetched.assetDir, f)))
        .toEqual(expect.arrayContaining([path.join('__pycache__', `api.cpython-${tag}.pyc`), path.join('__pycache__', `docopt.cpython-${tag}.pyc`)]));
      // Offline from then on: the cached copy compiles, and nothing is fetched.
      withEnv({ npm_config_registry: 'http://127.0.0.1:9/' }, () => {
        const again = synthBundled(tempDir('out'), { entry, runtime });
        expect(again.lines).toEqual([expect.stringMatching(new RegExp(line))]);
        expect(again.hash).toBe(fetched.hash);
      });
    });
  });

  test('with no interpreter of the runtime\'s version and no registry to fetch one from, ships no bytecode and says so', () => {
    const entry = appDir('docopt==0.6.2\n');
    withEnv({ PYENV_ROOT: tempDir('no-pyenv'), CDK_WSGI_CACHE_DIR: tempDir('cache'), npm_config_registry: 'http://127.0.0.1:9/' }, () => {
      const runtime = [...ADAPTER_RUNTIMES].reverse().find(r => !nativeInterpreter(pythonVersionOf(r)));
      if (!runtime) throw new Error('every Lambda Python is on PATH here: nothing to bundle without bytecode for');
      const version = pythonVersionOf(runtime).replace('.', '\\.');
      const { assetDir, lines } = synthBundled(tempDir('out'), { entry, runtime });
      expect(walk(assetDir).filter(f => f.endsWith('.pyc'))).toEqual([]);
      expect(fs.existsSync(path.join(assetDir, 'docopt.py'))).toBe(true);
      expect(lines).toEqual([expect.stringMatching(/^cdk-wsgi: fetching CPython /), expect.stringMatching(new RegExp(
        `^cdk-wsgi: bundled \\S+ for linux/aarch64 CPython ${version} locally with pip( \\([^)]+\\))? in \\d+\\.\\d s, without bytecode ` +
        `\\(so each cold start compiles the modules it imports\\): no python${version} here, and fetching CPython ${version} for WebAssembly ` +
        'failed \\(npm pack pyodide@[\\d.]+ failed: FetchError: .*ECONNREFUSED.*\\); reach the npm registry once \\(the copy is kept for later ' +
        `builds\\), or install Python ${version} \\(uv python install ${version}, pyenv install ${version}, or python\\.org\\) or set CDK_WSGI_PYTHON\n$`))]);
    });
  });

  test('an sdist that no longer builds fails quoting the build and suggesting Docker', () => {
    const entry = appDir('MarkupSafe==1.0\n');
    // MarkupSafe 1.0 is an sdist only, and its setup.py imports setuptools.Feature, gone since setuptools 46.
    expect(() => synthBundled(outdir, { entry })).toThrow(new RegExp(`cdk-wsgi local bundling for linux/aarch64 CPython ${VERSION}: ` +
      'MarkupSafe==1\\.0 has only an sdist to install from, and building it failed: pip: ".+"; fix the build, pin a version ' +
      "that publishes a wheel, or use bundlingMode BundlingMode\\.DOCKER; the build's last lines:\n(  \\| .*\n)*  \\| ImportError: " +
      "cannot import name 'Feature' from 'setuptools'"));
  });

  test('a lock file whose tool is missing fails naming the tool', () => {
    const entry = appDir('', { 'uv.lock': 'version = 1\n' });
    fs.rmSync(path.join(entry, 'requirements.txt'));
    const savedPath = process.env.PATH;
    process.env.PATH = tempDir('empty-path');
    try {
      expect(() => synthBundled(outdir, { entry, bundlingMode: BundlingMode.LOCAL })).toThrow(
        /uv\.lock in .* needs 'uv' to export its dependencies, and 'uv' is not on PATH; install it \(pip install uv\)/);
    } finally {
      process.env.PATH = savedPath;
    }
  });
});
