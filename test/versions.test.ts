import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { APP_ENTRY, FIXTURES, logicalId, synthWsgiApi, testStack } from './helpers';
import { ApiType, BundlingMode, WsgiApi, WsgiApiProps } from '../src';
import { ADAPTER_BYTECODE_DIR, ADAPTER_PACKAGE_DIR } from '../src/private/adapter-layer-asset';
import { resetContainerEngineCache } from '../src/private/container-engine';

// What makes a deployment trustworthy: the same sources publish the same version from any machine, a new adapter
// publishes a new one, and two apps share no name.

/** The function's code and the logical ID of its published version: what decides whether a deployment publishes. */
function published(api: WsgiApi, template: Template) {
  return {
    code: template.toJSON().Resources[logicalId(api.lambdaFunction)].Properties.Code,
    version: logicalId(api.lambdaFunction.currentVersion),
  };
}

/** A synth that bundles (as `cdk synth` does), into a fresh assembly, with `env` set for its duration. */
function bundledSynth(props: Partial<WsgiApiProps>, env: Record<string, string> = {}) {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  resetContainerEngineCache();
  try {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'versions-')) });
    const stack = new Stack(app, 'TestStack', { env: { account: '123456789012', region: 'eu-west-1' } });
    const api = new WsgiApi(stack, 'App', { entry: APP_ENTRY, module: 'api.app', runtime: lambda.Runtime.PYTHON_3_12, ...props });
    return { api, template: Template.fromStack(stack) };
  } finally {
    process.env = saved;
    resetContainerEngineCache();
  }
}

describe('one version per source', () => {
  test('Docker and local bundling give the same asset and the same version', () => {
    // No container engine runs here; a stand-in answers for one (test/fixtures/container-engine). The hash is settled
    // before CDK starts the engine, and the stand-in's log shows that the alpha's Docker bundling ran.
    const engineDir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-'));
    fs.cpSync(path.join(FIXTURES, 'container-engine', 'docker'), path.join(engineDir, 'docker'));
    const docker = bundledSynth({ bundlingMode: BundlingMode.DOCKER }, { CDK_DOCKER: path.join(engineDir, 'docker') });
    const commands = fs.readFileSync(path.join(engineDir, 'commands'), 'utf-8');
    expect(commands).toMatch(/^build .*aws-lambda-python-alpha/m);
    expect(commands).toMatch(/^run .*rsync -rLv .*--exclude='\.venv'/m);

    const local = bundledSynth({ bundlingMode: BundlingMode.LOCAL });
    const auto = bundledSynth({}, { CDK_DOCKER: '/nonexistent/docker' });

    expect(published(local.api, local.template)).toEqual(published(docker.api, docker.template));
    expect(published(auto.api, auto.template)).toEqual(published(docker.api, docker.template));
  });

  test('a synth that skips bundling (cdk ls, tests) names the same asset and version', () => {
    const bundled = bundledSynth({ bundlingMode: BundlingMode.LOCAL });
    const { api, template } = synthWsgiApi({ runtime: lambda.Runtime.PYTHON_3_12 });
    expect(published(api, template)).toEqual(published(bundled.api, bundled.template));
  });

  test('the asset changes with what goes into the bundle, and only with it', () => {
    const base = synthWsgiApi();
    const same = (props: Partial<WsgiApiProps>) => published(synthWsgiApi(props).api, synthWsgiApi(props).template).code;
    expect(same({ bundlingMode: BundlingMode.DOCKER })).toEqual(published(base.api, base.template).code);
    expect(same({ runtime: lambda.Runtime.PYTHON_3_13 })).not.toEqual(published(base.api, base.template).code);
    expect(same({ architecture: lambda.Architecture.X86_64 })).not.toEqual(published(base.api, base.template).code);
    expect(same({ bundling: { assetExcludes: ['tests'] } })).not.toEqual(published(base.api, base.template).code);
    expect(same({ entry: path.join(FIXTURES, 'django-app'), module: 'mysite.wsgi.application' }))
      .not.toEqual(published(base.api, base.template).code);
  });

  test('the folder the sources sit in does not count', () => {
    const copy = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'elsewhere-')), 'app');
    fs.cpSync(APP_ENTRY, copy, { recursive: true });
    const here = synthWsgiApi();
    const there = synthWsgiApi({ entry: copy });
    expect(published(there.api, there.template)).toEqual(published(here.api, here.template));
  });
});

describe('upgrades publish', () => {
  /** The app synthesized with the adapter's files as `adapterDir` holds them, without any feature flag. */
  function withAdapter(adapterDir: string) {
    let result!: ReturnType<typeof published>;
    jest.isolateModules(() => {
      jest.doMock('../src/private/adapter-layer-asset', () => {
        const actual = jest.requireActual('../src/private/adapter-layer-asset');
        return { ...actual, adapterLayerDir: () => adapterDir };
      });
      const { WsgiApi: IsolatedWsgiApi } = jest.requireActual<typeof import('../src')>('../src');
      const stack = testStack();
      const api = new IsolatedWsgiApi(stack, 'App', { entry: APP_ENTRY, module: 'api.app' });
      result = published(api, Template.fromStack(stack));
    });
    return result;
  }

  function adapterCopy(change?: (dir: string) => void): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'adapter-'));
    fs.cpSync(ADAPTER_PACKAGE_DIR, path.join(dir, 'python', 'cdk_wsgi_adapter'), { recursive: true });
    if (fs.existsSync(ADAPTER_BYTECODE_DIR)) {
      fs.cpSync(ADAPTER_BYTECODE_DIR, path.join(dir, 'python'), { recursive: true });
    }
    change?.(path.join(dir, 'python', 'cdk_wsgi_adapter'));
    return dir;
  }

  test('a changed adapter publishes a new version of unchanged app code', () => {
    const before = withAdapter(adapterCopy());
    const again = withAdapter(adapterCopy());
    const after = withAdapter(adapterCopy(dir => fs.appendFileSync(path.join(dir, 'adapter.py'), '\n# a newer adapter\n')));
    expect(again).toEqual(before);
    expect(after.code).toEqual(before.code);
    expect(after.version).not.toEqual(before.version);
  });

  test('the live alias points at the version the current adapter publishes', () => {
    const { api, template } = synthWsgiApi();
    expect(template.toJSON().Resources[logicalId(api.alias)].Properties.FunctionVersion)
      .toEqual({ 'Fn::GetAtt': [logicalId(api.lambdaFunction.currentVersion), 'Version'] });
  });

  test('a changed layer of the user\'s publishes a new version too', () => {
    const versionWith = (layerFile: string) => {
      const stack = testStack();
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-'));
      fs.mkdirSync(path.join(dir, 'python'));
      fs.writeFileSync(path.join(dir, 'python', 'helpers.py'), layerFile);
      const layer = new lambda.LayerVersion(stack, 'Helpers', { code: lambda.Code.fromAsset(dir) });
      return synthWsgiApi({ layers: [layer] }, stack).api.lambdaFunction.currentVersion;
    };
    expect(logicalId(versionWith('A = 2\n'))).not.toEqual(logicalId(versionWith('A = 1\n')));
  });
});

describe('apps share nothing', () => {
  /** Names that live account-wide in a Region, as the resources' literal name properties give them. */
  const ACCOUNT_WIDE_NAMES: Record<string, string> = {
    'AWS::ApiGateway::RestApi': 'Name',
    'AWS::ApiGatewayV2::Api': 'Name',
    'AWS::Lambda::Function': 'FunctionName',
    'AWS::Lambda::LayerVersion': 'LayerName',
    'AWS::IAM::Role': 'RoleName',
    'AWS::Logs::LogGroup': 'LogGroupName',
    'AWS::CloudWatch::Alarm': 'AlarmName',
    'AWS::Events::Rule': 'Name',
    'AWS::CodeDeploy::Application': 'ApplicationName',
  };

  const FULL: Partial<WsgiApiProps> = { deployment: {}, warmUp: { concurrency: 2 }, prime: ['/'] };

  /**
   * Every literal account-wide name in `template`. A name built from another resource's reference (the REST stage's
   * execution log group) is as unique as that resource, whose physical name CloudFormation makes up.
   */
  function names(template: Template): string[] {
    return Object.values<any>(template.toJSON().Resources)
      .map(resource => resource.Properties?.[ACCOUNT_WIDE_NAMES[resource.Type]])
      .filter((name): name is string => typeof name === 'string');
  }

  /** The literal values of the metric dimensions that the alarms with logical IDs starting with `prefix` read. */
  function alarmDimensions(template: Template, prefix = ''): Set<string> {
    const dimensions = new Set<string>();
    for (const [id, alarm] of Object.entries<any>(template.findResources('AWS::CloudWatch::Alarm'))) {
      const metrics = [alarm.Properties, ...(alarm.Properties.Metrics ?? []).map((m: any) => m.MetricStat?.Metric ?? {})];
      for (const dimension of id.startsWith(prefix) ? metrics.flatMap(m => m.Dimensions ?? []) : []) {
        if (typeof dimension.Value === 'string' && dimension.Name !== 'Stage') {
          dimensions.add(`${dimension.Name}=${dimension.Value}`);
        }
      }
    }
    return dimensions;
  }

  function expectDisjoint(...sets: Iterable<string>[]) {
    const all = sets.flatMap(set => [...set]);
    expect(new Set(all).size).toBe(all.length);
  }

  test.each([ApiType.REST, ApiType.HTTP])('two %s apps in one stack', apiType => {
    const stack = testStack();
    new WsgiApi(stack, 'Shop', { entry: APP_ENTRY, module: 'api.app', apiType, ...FULL });
    new WsgiApi(stack, 'Blog', { entry: APP_ENTRY, module: 'api.app', apiType, ...FULL });
    const template = Template.fromStack(stack);
    expect(names(template).length).toBeGreaterThanOrEqual(2);
    expectDisjoint(names(template));
    expectDisjoint(alarmDimensions(template, 'Shop'), alarmDimensions(template, 'Blog'));
  });

  test.each([ApiType.REST, ApiType.HTTP])('the same %s app in two stacks of one account', apiType => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stacks = ['ShopStaging', 'ShopProduction'].map(stackName => {
      const stack = new Stack(app, stackName, { env: { account: '123456789012', region: 'eu-west-1' } });
      new WsgiApi(stack, 'App', { entry: APP_ENTRY, module: 'api.app', apiType, ...FULL });
      return stack;
    });
    const [staging, production] = stacks.map(stack => Template.fromStack(stack));
    expect(names(staging).length).toBeGreaterThanOrEqual(1);
    expectDisjoint(names(staging), names(production));
    expectDisjoint(alarmDimensions(staging), alarmDimensions(production));
  });

  test('the REST API is named for the construct\'s path, and its alarms read its metrics by that name', () => {
    const { api, template } = synthWsgiApi({ deployment: {} });
    const name = template.toJSON().Resources[logicalId(api.restApi!)].Properties.Name;
    expect(name).toMatch(/^TestStack-App-[0-9A-F]{8}$/);
    const alarm = template.toJSON().Resources[logicalId(api.serverErrorRateAlarm!)].Properties;
    for (const { MetricStat } of alarm.Metrics.filter((m: any) => m.MetricStat)) {
      expect(MetricStat.Metric.Dimensions).toEqual([{ Name: 'ApiName', Value: name }]);
    }
  });
});
