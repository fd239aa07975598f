import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Aws, Stack, Stage } from 'aws-cdk-lib';
import { APP_ENTRY, logicalId } from './helpers';
import { ApiType, WsgiApi, WsgiFunction } from '../src';
import { AssemblyFunction, readAssembly, selectFunction, settingsOf } from '../src/cli/assembly';
import { settingsFromFlags } from '../src/cli/settings';

/** A cloud assembly as `cdk synth` writes it, with a REST and an HTTP WsgiApi, and one more in a stage. */
function synthAssembly() {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-assembly-'));
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Apps');
  const entry = path.relative(process.cwd(), APP_ENTRY);
  const rest = new WsgiApi(stack, 'Rest', {
    entry,
    module: 'api.app',
    stageName: 'v1',
    binaryMediaTypes: ['image/png'],
    textMediaTypes: ['image/svg+xml'],
    environment: { GREETING: 'hello', REGION_AT_DEPLOY: Aws.REGION },
  });
  const http = new WsgiApi(stack, 'Http', { entry, module: 'api:app', apiType: ApiType.HTTP });
  new WsgiApi(new Stack(new Stage(app, 'Staged'), 'Inner'), 'Default', { entry, module: 'api.app' });
  app.synth();
  return { outdir, restId: logicalId(rest.lambdaFunction), httpId: logicalId(http.lambdaFunction) };
}

describe('cloud assembly', () => {
  const { outdir, restId, httpId } = synthAssembly();
  const functions = readAssembly(outdir, 'pass --entry and --module');
  const named = (name: string) => functions.find(fn => fn.name === name) as AssemblyFunction;
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test('lists every WsgiApi function by construct path, stages included', () => {
    expect(functions.map(fn => [fn.name, fn.logicalId, fn.apiType])).toEqual(expect.arrayContaining([
      ['Apps/Rest', restId, ApiType.REST],
      ['Apps/Http', httpId, ApiType.HTTP],
      ['Staged/Inner/Default', expect.any(String), ApiType.REST],
    ]));
    expect(functions).toHaveLength(3);
  });

  test('selects a function by construct path, logical ID or stack/logical ID', () => {
    for (const query of ['Apps/Rest', '/Apps/Rest', restId, `Apps/${restId}`]) {
      expect(selectFunction(functions, outdir, query).name).toBe('Apps/Rest');
    }
    expect(selectFunction([named('Apps/Http')], outdir).name).toBe('Apps/Http');
  });

  test('throws when the choice is missing or names none or several, listing the functions', () => {
    expect(() => selectFunction(functions, outdir)).toThrow(`${outdir} holds 3 WsgiApi functions; pick one with --function:\n`);
    expect(() => selectFunction(functions, outdir)).toThrow(`\n  Apps/Rest (${restId}, REST API)`);
    expect(() => selectFunction(functions, outdir, 'Apps/Nope')).toThrow('--function Apps/Nope names no WsgiApi function');
    expect(() => selectFunction(functions, outdir, 'Apps')).toThrow('--function Apps names 2 WsgiApi functions');
    expect(() => selectFunction([], outdir)).toThrow(`${outdir} holds no WsgiApi function`);
    expect(() => readAssembly(path.join(outdir, 'missing'), 'pass --stack')).toThrow(`no cloud assembly in ${path.join(outdir, 'missing')}: synthesize first (\`cdk synth\`), or pass --stack`);
  });

  test('serves a function with its stage, media types and literal environment; the rest waits for deploy time', () => {
    expect(settingsOf(named('Apps/Rest'))).toMatchObject({
      label: 'Apps/Rest',
      entry: APP_ENTRY,
      app: 'api:app',
      apiType: ApiType.REST,
      stageName: 'v1',
      binaryMediaTypes: ['image/png'],
      textMediaTypes: ['image/svg+xml'],
      environment: { GREETING: 'hello' },
      deployTimeVariables: ['REGION_AT_DEPLOY'],
    });
  });

  test('a default WsgiApi serves as `cdk-wsgi serve --entry` does without flags', () => {
    const fromAssembly = settingsOf(named('Staged/Inner/Default'));
    const fromFlags = settingsFromFlags({ entry: APP_ENTRY, module: 'api.app' });
    expect({ ...fromAssembly, label: 'app' }).toEqual({ ...fromFlags, label: 'app' });
    expect(settingsOf(named('Apps/Http'))).toMatchObject({ stageName: '$default', binaryMediaTypes: undefined });
  });
});

describe('a WsgiFunction without a front door', () => {
  test('is found, for the remote commands, and serve says which flags describe its front door', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-assembly-'));
    try {
      const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
      const fn = new WsgiFunction(new Stack(app, 'Alone'), 'Worker', { entry: path.relative(process.cwd(), APP_ENTRY), module: 'api.app' });
      app.synth();
      const [found, ...others] = readAssembly(outdir, 'pass --entry and --module');
      expect(others).toEqual([]);
      expect(found).toMatchObject({ name: 'Alone/Worker', logicalId: logicalId(fn.lambdaFunction), apiType: undefined });
      expect(() => selectFunction([found, found], outdir)).toThrow(`  Alone/Worker (${found.logicalId}, no front door)`);
      expect(() => settingsOf(found)).toThrow('Alone/Worker is a WsgiFunction without a front door of cdk-wsgi\'s, so serve cannot tell how its '
        + `requests arrive; name the front door with flags: cdk-wsgi serve --entry ${found.metadata.entry} --module api:app --api-type rest|http|function-url|alb`);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
