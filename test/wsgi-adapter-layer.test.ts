import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { datedAsZipped, importFrom, pythonTag } from './lambda-files';
import { WsgiAdapterLayer } from '../src';

const ROOT = path.join(__dirname, '..');
const ADAPTER_SOURCES = path.join(ROOT, 'lib-python', 'src', 'cdk_wsgi_adapter');
const RUNTIMES = ['python3.10', 'python3.11', 'python3.12', 'python3.13', 'python3.14'];
/**
 * The runtimes this machine compiled the adapter for (.ci/adapter-bytecode skips versions it has no interpreter of,
 * and says so); every one of them in CI and the release workflow, which set CDK_WSGI_ALL_PYTHONS=1.
 */
const COMPILED = process.env.CDK_WSGI_ALL_PYTHONS === '1' ? RUNTIMES : RUNTIMES.filter(runtime =>
  fs.readdirSync(path.join(ROOT, 'lib-python', 'bytecode', 'cdk_wsgi_adapter', '__pycache__'))
    .some(file => file.endsWith(`.${cacheTag(runtime)}.pyc`)));

/** `python3.13` -> `cpython-313`, the tag in the names of its .pyc files. */
function cacheTag(runtime: string): string {
  return `cpython-${pythonTag(new lambda.Runtime(runtime, lambda.RuntimeFamily.PYTHON))}`;
}

/** Synthesizes a layer into a real cloud assembly and returns the folder its asset was staged in. */
function stagedLayer(): { assetDir: string; template: Template } {
  const app = new App({ context: { 'aws:cdk:enable-asset-metadata': true } });
  const stack = new Stack(app, 'LayerStack');
  new WsgiAdapterLayer(stack, 'Layer');
  const assembly = app.synth();
  const template = Template.fromStack(stack);
  const [layer] = Object.values(template.findResources('AWS::Lambda::LayerVersion'));
  return { assetDir: path.join(assembly.directory, layer.Metadata['aws:asset:path']), template };
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

  test('ships byte code of every module for every runtime compiled for, and nothing else compiled', () => {
    const { assetDir } = stagedLayer();
    const modules = adapterModules();
    // python3 itself is 3.10 or newer: the one interpreter every contributor has.
    expect(COMPILED.length).toBeGreaterThan(0);
    const expected = modules.flatMap(module => COMPILED.map(runtime => path.join(
      'python', 'cdk_wsgi_adapter', path.dirname(module), '__pycache__',
      `${path.basename(module, '.py')}.${cacheTag(runtime)}.pyc`,
    )));
    expect(filesUnder(assetDir).filter(f => f.endsWith('.pyc'))).toEqual(expected.sort());
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

  test('passes layer options through', () => {
    const stack = new Stack();
    new WsgiAdapterLayer(stack, 'Layer', { layerVersionName: 'wsgi', description: 'mine', license: 'Apache-2.0' });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::LayerVersion', {
      LayerName: 'wsgi',
      Description: 'mine',
      LicenseInfo: 'Apache-2.0',
      CompatibleRuntimes: RUNTIMES,
    });
  });

  describe.each(COMPILED)('on %s, extracted as Lambda does (read-only, every file dated 1980)', runtime => {
    const python = execFileSync('bash', [path.join(ROOT, '.ci', 'find-python'), runtime.replace('python', '')], {
      encoding: 'utf-8',
    }).trim();
    let layer: string;

    beforeAll(() => {
      layer = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-layer-test-'));
      fs.cpSync(path.join(stagedLayer().assetDir, 'python'), layer, { recursive: true });
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
