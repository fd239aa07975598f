import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { datedAsZipped, importFrom } from './lambda-files';
import { WsgiAdapterLayer } from '../src';
import { ADAPTER_BYTECODE_DIR, ADAPTER_RUNTIMES, cacheTag } from '../src/private/adapter-layer-asset';

const ROOT = path.join(__dirname, '..');
const ADAPTER_SOURCES = path.join(ROOT, 'lib-python', 'src', 'cdk_wsgi_adapter');
const NEWEST = lambda.Runtime.PYTHON_3_14;
/**
 * The runtimes this machine compiled the adapter for (.ci/adapter-bytecode skips versions it has no interpreter of,
 * and says so); every one of them in CI and the release workflow, which set CDK_WSGI_ALL_PYTHONS=1.
 */
const COMPILED = process.env.CDK_WSGI_ALL_PYTHONS === '1' ? [...ADAPTER_RUNTIMES] : ADAPTER_RUNTIMES.filter(runtime =>
  fs.readdirSync(path.join(ADAPTER_BYTECODE_DIR, 'cdk_wsgi_adapter', '__pycache__'))
    .some(file => file.endsWith(`.${cacheTag(runtime)}.pyc`)));

/** Synthesizes a layer into a real cloud assembly and returns the folder its asset was staged in. */
function stagedLayer(runtime?: lambda.Runtime): { assetDir: string; template: Template } {
  const app = new App({ context: { 'aws:cdk:enable-asset-metadata': true } });
  const stack = new Stack(app, 'LayerStack');
  new WsgiAdapterLayer(stack, 'Layer', { runtime });
  const assembly = app.synth();
  const template = Template.fromStack(stack);
  const [layer] = Object.values(template.findResources('AWS::Lambda::LayerVersion'));
  return { assetDir: path.join(assembly.directory, layer.Metadata['aws:asset:path']), template };
}

/** The layer's asset hash, which names its zip in the bootstrap bucket. */
function assetHash(runtime?: lambda.Runtime): string {
  const [layer] = Object.values(stagedLayer(runtime).template.findResources('AWS::Lambda::LayerVersion'));
  return layer.Metadata['aws:asset:path'];
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter(entry => entry.isFile())
    .map(entry => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

/** The adapter's modules, as paths of .py files relative to its package folder. */
function adapterModules(): string[] {
  return filesUnder(ADAPTER_SOURCES).filter(f => f.endsWith('.py') && !f.includes('__pycache__'));
}

describe('WsgiAdapterLayer', () => {
  test('ships the adapter under python/ so Lambda puts it on sys.path, without Docker', () => {
    const { assetDir } = stagedLayer();
    const shipped = filesUnder(assetDir);
    const sources = filesUnder(ADAPTER_SOURCES).filter(f => !/__pycache__|\.py[co]$/.test(f));
    expect(shipped.filter(f => !f.endsWith('.pyc'))).toEqual(sources.map(f => path.join('python', 'cdk_wsgi_adapter', f)));
    expect(shipped).toContain(path.join('python', 'cdk_wsgi_adapter', '__init__.py'));
    expect(shipped).toContain(path.join('python', 'cdk_wsgi_adapter', 'py.typed'));
  });

  test.each(COMPILED)('ships byte code of every module for %s, its runtime, and nothing else compiled', runtime => {
    // python3 itself is 3.11 or newer: the one interpreter every contributor has.
    expect(COMPILED.length).toBeGreaterThan(0);
    const { assetDir } = stagedLayer(runtime);
    const expected = adapterModules().map(module => path.join(
      'python', 'cdk_wsgi_adapter', path.dirname(module), '__pycache__',
      `${path.basename(module, '.py')}.${cacheTag(runtime)}.pyc`,
    ));
    expect(filesUnder(assetDir).filter(f => f.endsWith('.pyc'))).toEqual(expected.sort());
  });

  test('is for the newest adapter runtime unless told otherwise, and names that runtime alone', () => {
    const { template } = stagedLayer();
    template.hasResourceProperties('AWS::Lambda::LayerVersion', {
      CompatibleRuntimes: [NEWEST.name],
      CompatibleArchitectures: ['arm64', 'x86_64'],
      Description: `cdk-wsgi adapter for ${NEWEST.name}: API Gateway, Function URL and ALB events to WSGI`,
    });
    expect(assetHash()).toEqual(assetHash(NEWEST));
  });

  test.each(ADAPTER_RUNTIMES)('names %s as its one compatible runtime when built for it', runtime => {
    const stack = new Stack();
    const layer = new WsgiAdapterLayer(stack, 'Layer', { runtime });
    expect(layer.compatibleRuntimes).toEqual([runtime]);
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::LayerVersion', { CompatibleRuntimes: [runtime.name] });
  });

  test.each([
    [lambda.Runtime.PYTHON_3_10, "runtime must be python3.11 or newer (older Pythons are deprecated on Lambda), got 'python3.10'; "
      + 'use Runtime.PYTHON_3_14, the default, or Runtime.PYTHON_3_11 at the oldest'],
    [lambda.Runtime.NODEJS_22_X, "runtime must be a Python runtime, got 'nodejs22.x'; use e.g. Runtime.PYTHON_3_14"],
    [new lambda.Runtime('python3.15', lambda.RuntimeFamily.PYTHON), 'runtime must be one the cdk-wsgi adapter is built for, '
      + "python3.11 to python3.14, got 'python3.15'; use Runtime.PYTHON_3_14, or a cdk-wsgi release that supports python3.15"],
  ])('refuses %s, naming the fix', (runtime, message) => {
    expect(() => new WsgiAdapterLayer(new Stack(), 'Layer', { runtime })).toThrow(message);
  });

  test('leaves local byte-code caches out', () => {
    // GIVEN a cache next to the sources, as a local pytest run leaves behind
    const cache = path.join(ADAPTER_SOURCES, '__pycache__');
    const stale = path.join(cache, 'stale.cpython-311.pyc');
    const existed = fs.existsSync(cache);
    fs.mkdirSync(cache, { recursive: true });
    fs.writeFileSync(stale, 'not shipped');
    try {
      // WHEN
      const { assetDir } = stagedLayer();
      // THEN
      expect(filesUnder(assetDir).join('\n')).not.toMatch(/stale/);
    } finally {
      fs.rmSync(existed ? stale : cache, { recursive: true, force: true });
    }
  });

  test('has the same asset hash each time it is staged', () => {
    const first = stagedLayer().template.toJSON();
    const second = stagedLayer().template.toJSON();
    expect(JSON.stringify(first)).toEqual(JSON.stringify(second));
  });

  test('has one asset hash per runtime, whichever other Pythons the building machine compiled for', () => {
    // GIVEN the hash of each runtime's layer, told apart by their bytecode
    const before = ADAPTER_RUNTIMES.map(runtime => assetHash(runtime));
    expect(new Set(COMPILED.map(runtime => assetHash(runtime))).size).toBe(COMPILED.length);
    // WHEN the bytecode folder also holds another version's, as a machine with more Pythons would build it
    const other = path.join(ADAPTER_BYTECODE_DIR, 'cdk_wsgi_adapter', '__pycache__', '__init__.cpython-399.pyc');
    fs.writeFileSync(other, 'another version');
    try {
      // THEN no layer changes
      expect(ADAPTER_RUNTIMES.map(runtime => assetHash(runtime))).toEqual(before);
    } finally {
      fs.rmSync(other);
    }
  });

  test('passes layer options through', () => {
    const stack = new Stack();
    new WsgiAdapterLayer(stack, 'Layer', { layerVersionName: 'wsgi', description: 'mine', license: 'Apache-2.0' });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::LayerVersion', {
      LayerName: 'wsgi',
      Description: 'mine',
      LicenseInfo: 'Apache-2.0',
      CompatibleRuntimes: [NEWEST.name],
    });
  });

  describe.each(COMPILED)('on %s, extracted as Lambda does (read-only, every file dated 1980)', runtime => {
    const python = execFileSync('bash', [path.join(ROOT, '.ci', 'find-python'), runtime.name.replace('python', '')], {
      encoding: 'utf-8',
    }).trim();
    let layer: string;

    beforeAll(() => {
      layer = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-layer-test-'));
      fs.cpSync(path.join(stagedLayer(runtime).assetDir, 'python'), layer, { recursive: true });
    });
    afterAll(() => fs.rmSync(layer, { recursive: true, force: true }));

    /** Imports every module of the adapter; returns module -> the file its code came from. */
    function importAll(): Map<string, string> {
      datedAsZipped(layer);
      const { loadedFrom } = importFrom(python, layer, [
        'import importlib, pkgutil, cdk_wsgi_adapter as package',
        'for module in pkgutil.walk_packages(package.__path__, "cdk_wsgi_adapter."):',
        '    importlib.import_module(module.name)',
      ].join('\n'));
      return new Map(loadedFrom.map(file => [file.replace(/__pycache__[\\/]/, '').replace(/\.(cpython-\d+\.pyc|py)$/, ''), file]));
    }

    test('loads every module from its byte code, compiling none', () => {
      const loaded = importAll();
      const modules = adapterModules().map(f => path.join('cdk_wsgi_adapter', f.replace(/\.py$/, '')));
      expect([...loaded.keys()].sort()).toEqual(modules.sort());
      for (const [module, file] of loaded) {
        expect(file).toEqual(path.join(path.dirname(module), '__pycache__', `${path.basename(module)}.${cacheTag(runtime)}.pyc`));
      }
    });

    test('compiles a module whose source no longer matches its byte code, rather than running the old code', () => {
      fs.appendFileSync(path.join(layer, 'cdk_wsgi_adapter', 'media.py'), '\n# changed\n');
      const loaded = importAll();
      expect(loaded.get(path.join('cdk_wsgi_adapter', 'media'))).toEqual(path.join('cdk_wsgi_adapter', 'media.py'));
      expect(loaded.get(path.join('cdk_wsgi_adapter', 'body'))).toMatch(/\.pyc$/);
    });
  });
});
