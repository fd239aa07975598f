import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { WsgiAdapterLayer } from '../src';

const ADAPTER_SOURCES = path.join(__dirname, '..', 'lib-python', 'src', 'cdk_wsgi_adapter');

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

describe('WsgiAdapterLayer', () => {
  test('ships the adapter under python/ so Lambda puts it on sys.path, without Docker', () => {
    const { assetDir } = stagedLayer();
    const shipped = filesUnder(assetDir);
    const sources = filesUnder(ADAPTER_SOURCES).filter(f => !/__pycache__|\.py[co]$/.test(f));
    expect(shipped).toEqual(sources.map(f => path.join('python', 'cdk_wsgi_adapter', f)));
    expect(shipped).toContain(path.join('python', 'cdk_wsgi_adapter', '__init__.py'));
    expect(shipped).toContain(path.join('python', 'cdk_wsgi_adapter', 'py.typed'));
  });

  test('leaves byte-code caches out', () => {
    // GIVEN a stale cache next to the sources, as a local pytest run leaves behind
    const cache = path.join(ADAPTER_SOURCES, '__pycache__');
    const stale = path.join(cache, 'stale.cpython-311.pyc');
    const existed = fs.existsSync(cache);
    fs.mkdirSync(cache, { recursive: true });
    fs.writeFileSync(stale, 'not shipped');
    try {
      // WHEN
      const { assetDir } = stagedLayer();
      // THEN
      expect(filesUnder(assetDir).join('\n')).not.toMatch(/__pycache__|\.pyc$/);
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
      CompatibleRuntimes: ['python3.10', 'python3.11', 'python3.12', 'python3.13', 'python3.14'],
    });
  });
});
