import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { BundlingMode, WsgiApi } from '../src';
import { bundledRuntime } from './lambda-files';
import { METADATA_KEY } from '../src/contracts/adapter-contract';

// Local bundling runs for real (pip with an empty requirements file, then compiling bytecode).
jest.setTimeout(120_000);

// A runtime whose bytecode this machine can compile, so that the bundle's __pycache__ is there to compare.
const RUNTIME = bundledRuntime();

/**
 * `entry` as users write it, synthesized from another working directory than the repository's: CDK resolves a
 * relative asset path against the working directory, and so must every bundling mode.
 */
describe('entry as users write it', () => {
  const project = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-entry-')));
  const started = process.cwd();
  fs.mkdirSync(path.join(project, 'app'));
  fs.mkdirSync(path.join(project, 'infra'));
  fs.writeFileSync(path.join(project, 'app', 'api.py'), 'def app(environ, start_response):\n    return []\n');
  fs.writeFileSync(path.join(project, 'app', 'requirements.txt'), '# no dependencies\n');
  fs.symlinkSync(path.join(project, 'app'), path.join(project, 'linked'));

  // [working directory, entry] pairs that all name project/app.
  const spellings: Array<[string, string]> = [
    ['.', './app'],
    ['.', 'app'],
    ['infra', '../app'],
    ['infra', path.join(project, 'app')],
    ['.', './linked'],
    ['infra', '../infra/../linked/'],
  ];

  afterAll(() => {
    process.chdir(started);
    fs.rmSync(project, { recursive: true, force: true });
  });

  /** Synthesizes one WsgiApi from `cwd`; returns its asset folder, hash and `cdk-wsgi serve` metadata. */
  function synthFrom(cwd: string, entry: string, bundlingMode: BundlingMode, bundle: boolean) {
    process.chdir(path.join(project, cwd));
    try {
      const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-entry-out-'));
      const app = new App({ outdir, context: bundle ? {} : { 'aws:cdk:bundling-stacks': [] } });
      const stack = new Stack(app, 'Paths');
      new WsgiApi(stack, 'App', { entry, module: 'api.app', bundlingMode, runtime: RUNTIME });
      const assembly = app.synth();
      const [fn] = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function',
        { Properties: { Handler: 'cdk_wsgi_adapter.handler' } }));
      const hash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
      return { hash, assetDir: path.join(assembly.directory, `asset.${hash}`), metadata: fn.Metadata[METADATA_KEY] };
    } finally {
      process.chdir(started);
    }
  }

  // Each mode's asset hash of the plain spelling, which every other spelling must reproduce.
  const reference = new Map<BundlingMode, string>();
  const referenceHash = (mode: BundlingMode) => {
    if (!reference.has(mode)) reference.set(mode, synthFrom('.', './app', mode, mode === BundlingMode.LOCAL).hash);
    return reference.get(mode);
  };

  test.each(spellings)('local bundling from %s with entry %s bundles the app', (cwd, entry) => {
    const { assetDir, hash, metadata } = synthFrom(cwd, entry, BundlingMode.LOCAL, true);
    expect(fs.readdirSync(assetDir).sort()).toEqual(['__pycache__', 'api.py', 'requirements.txt']);
    expect(hash).toBe(referenceHash(BundlingMode.LOCAL));
    // `cdk-wsgi serve` finds the sources from where the synth ran.
    expect(path.resolve(project, cwd, metadata.entry)).toBe(path.resolve(project, cwd, entry));
  });

  test.each(spellings)('docker mode (bundling skipped) from %s with entry %s fingerprints the same folder', (cwd, entry) => {
    expect(synthFrom(cwd, entry, BundlingMode.DOCKER, false).hash).toBe(referenceHash(BundlingMode.DOCKER));
  });

  test('a relative entry that does not exist names the working directory it was resolved against', () => {
    expect(() => synthFrom('infra', './app', BundlingMode.LOCAL, false)).toThrow(
      `entry must be an existing folder, got './app'; pass the folder that holds your app and its requirements.txt, absolute or relative to ${path.join(project, 'infra')}`);
  });
});
