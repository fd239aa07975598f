import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { adapterEnvironment, APP_ENTRY, logicalId, synthWsgiApi, testStack } from './helpers';
import { ApiType, WsgiApi, WsgiTask } from '../src';
import { ENV_DEPLOY_TARGET, ENV_DEPLOY_TASKS } from '../src/contracts/deploy-task-contract';
import { deployTasksJson } from '../src/private/deploy-tasks';
import { RUNNER_ASSET_ROOT } from '../src/private/runner-asset';

// Management commands on the construct's side, and deployTasks, which runs them at each deployment: one file, so
// the suite pays for loading aws-cdk-lib once.

/** Every stack named TestStack in the test stack's account and Region: what the CLI's stack reads are allowed on. */
const STACK_ARN = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudformation:eu-west-1:123456789012:stack/TestStack/*']] };

describe('management commands', () => {
  test('are on by default: the adapter is not told otherwise', () => {
    expect(adapterEnvironment(synthWsgiApi().template).CDK_WSGI_MANAGEMENT).toBeUndefined();
    expect(adapterEnvironment(synthWsgiApi({ managementCommands: true }).template).CDK_WSGI_MANAGEMENT).toBeUndefined();
  });

  test('managementCommands: false turns them off in the adapter', () => {
    expect(adapterEnvironment(synthWsgiApi({ managementCommands: false }).template).CDK_WSGI_MANAGEMENT).toBe('0');
  });

  test('run only through a manage alias of their own, on the version live points at', () => {
    const { api, template } = synthWsgiApi();
    expect(template.toJSON().Resources[logicalId(api.manageAlias!)]).toMatchObject({
      Type: 'AWS::Lambda::Alias',
      Properties: { Name: 'manage', FunctionVersion: { 'Fn::GetAtt': [logicalId(api.lambdaFunction.currentVersion), 'Version'] } },
    });
  });

  test('managementCommands: false defines no manage alias, and grantManage says why it cannot grant', () => {
    const stack = testStack();
    const api = new WsgiApi(stack, 'App', { entry: APP_ENTRY, module: 'api.app', managementCommands: false });
    expect(api.manageAlias).toBeUndefined();
    Template.fromStack(stack).resourcePropertiesCountIs('AWS::Lambda::Alias', { Name: 'manage' }, 0);
    expect(() => api.grantManage(new iam.User(stack, 'Dev'))).toThrow(
      /^grantManage\(\) grants management commands, which managementCommands: false turns off for TestStack\/App; remove/);
  });

  // Matched whole: invoke on the manage alias alone (never live, the function or `:*`), and the stack's reads the CLI
  // makes, on this stack alone.
  test('grantManage allows invoking the manage alias and finding the function in its stack, nothing else', () => {
    const stack = testStack();
    const api = new WsgiApi(stack, 'App', { entry: APP_ENTRY, module: 'api.app' });
    const operator = new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
    api.grantManage(operator);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalId(operator) }],
      PolicyDocument: {
        Statement: [
          { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { Ref: logicalId(api.manageAlias!) } },
          {
            Action: ['cloudformation:DescribeStackResource', 'cloudformation:GetTemplate'],
            Effect: 'Allow',
            Resource: STACK_ARN,
          },
        ],
      },
    });
  });

  test('grantLogs allows reading the function\'s log group and finding it in its stack, nothing else', () => {
    const stack = testStack();
    const api = new WsgiApi(stack, 'App', { entry: APP_ENTRY, module: 'api.app' });
    const reader = new iam.User(stack, 'Reader');
    api.grantLogs(reader);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Users: [{ Ref: logicalId(reader) }],
      PolicyDocument: {
        Statement: [
          { Action: 'logs:FilterLogEvents', Effect: 'Allow', Resource: { 'Fn::GetAtt': [logicalId(api.logGroup), 'Arn'] } },
          {
            Action: 'cloudformation:DescribeStackResource',
            Effect: 'Allow',
            Resource: STACK_ARN,
          },
        ],
      },
    });
  });
});

const TASKS = [
  WsgiTask.manage('migrate', '--noinput'),
  WsgiTask.python('import tasks; tasks.seed()'),
  WsgiTask.shell('echo done'),
];

/** The deploy-task runner's function resource, by the handler only it has, with its logical ID. */
function runnerOf(template: Template): { id: string; resource: any } {
  const found = Object.entries(template.findResources('AWS::Lambda::Function', {
    Properties: { Handler: 'deploy-task-runner/deploy-task-runner.handler' },
  }));
  expect(found).toHaveLength(1);
  const [[id, resource]] = found;
  return { id, resource };
}

/** The trigger's Custom::Trigger resource, with its logical ID. */
function triggerOf(api: WsgiApi, template: Template): { id: string; resource: any } {
  const id = logicalId(api.deployTasksTrigger!.node.defaultChild!);
  return { id, resource: template.toJSON().Resources[id] };
}

/**
 * The trigger's properties: CloudFormation updates the trigger, which then runs the tasks, exactly when they change.
 * Each reference is to a logical ID, which names the same resource, and so the same value, from one synth to the next
 * (an alias's ARN stays the same as it moves; a version's ID changes with each new version).
 */
function triggerProperties(overrides: Parameters<typeof synthWsgiApi>[0]): string {
  const { api, template } = synthWsgiApi({ deployTasks: TASKS, ...overrides });
  return JSON.stringify(triggerOf(api, template).resource.Properties);
}

describe('deploy tasks', () => {
  test('define nothing without tasks', () => {
    for (const deployTasks of [undefined, []]) {
      const { api, template } = synthWsgiApi({ deployTasks });
      expect(api.deployTasksTrigger).toBeUndefined();
      template.resourceCountIs('Custom::Trigger', 0);
      template.resourceCountIs('AWS::Lambda::Function', 1);
    }
  });

  describe.each([ApiType.REST, ApiType.HTTP])('%s API', (apiType) => {
    test.each([['without', undefined], ['with', {}]])('%s deployment: the trigger runs after the version, before the aliases', (_, deployment) => {
      const { api, template } = synthWsgiApi({ apiType, deployment, deployTasks: TASKS });
      const versionId = logicalId(api.lambdaFunction.currentVersion);
      const trigger = triggerOf(api, template);
      const runner = runnerOf(template);

      expect(trigger.resource.Type).toBe('Custom::Trigger');
      expect(trigger.resource.Properties).toMatchObject({
        InvocationType: 'RequestResponse', ExecuteOnHandlerChange: true, TargetVersion: { Ref: versionId },
      });
      // The runner's alias on its current version: its ARN stays the same whatever the runner's code.
      const runnerAliasId = trigger.resource.Properties.HandlerArn.Ref;
      expect(template.toJSON().Resources[runnerAliasId]).toMatchObject({
        Type: 'AWS::Lambda::Alias', Properties: { FunctionName: { Ref: runner.id } },
      });
      expect(trigger.resource.DependsOn.sort()).toEqual([runnerAliasId, versionId].sort());
      // The aliases, and with live CodeDeploy's traffic shifting (its UpdatePolicy), wait for the tasks.
      for (const alias of [api.alias, api.manageAlias!]) {
        expect(template.toJSON().Resources[logicalId(alias)].DependsOn).toEqual([trigger.id]);
      }
      const alias = template.toJSON().Resources[logicalId(api.alias)];
      if (deployment) {
        expect(alias.UpdatePolicy.CodeDeployLambdaAliasUpdate.DeploymentGroupName).toEqual({ Ref: logicalId(api.deploymentGroup!) });
      }
    });
  });

  test('the runner gets the version ARN and the exact task events, in order', () => {
    const { api, template } = synthWsgiApi({ deployTasks: TASKS });
    const { resource } = runnerOf(template);
    const variables = resource.Properties.Environment.Variables;
    expect(variables[ENV_DEPLOY_TARGET]).toEqual({ Ref: logicalId(api.lambdaFunction.currentVersion) });
    expect(JSON.parse(variables[ENV_DEPLOY_TASKS])).toEqual([
      { label: 'manage migrate --noinput', event: { source: 'cdk-wsgi.command', kind: 'manage', args: ['migrate', '--noinput'] } },
      { label: 'python import tasks; tasks.seed()', event: { source: 'cdk-wsgi.command', kind: 'python', code: 'import tasks; tasks.seed()' } },
      { label: 'shell echo done', event: { source: 'cdk-wsgi.command', kind: 'shell', command: 'echo done' } },
    ]);
    expect(resource.Properties).toMatchObject({ Runtime: 'nodejs24.x', Handler: 'deploy-task-runner/deploy-task-runner.handler', Architectures: ['arm64'] });
  });

  // Lambda loads the files as they are: test/deploy-tasks-rie.test.ts runs the staged asset on its own.
  test('the runner\'s code is its own folder and the contract it loads, nothing else of the library', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-asset-'));
    try {
      const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
      const { template } = synthWsgiApi({ deployTasks: TASKS }, new Stack(app, 'TestStack'));
      const staged = path.join(outdir, `asset.${runnerOf(template).resource.Properties.Code.S3Key.replace(/\.zip$/, '')}`);
      const files = fs.readdirSync(staged, { recursive: true, withFileTypes: true }).filter(entry => entry.isFile())
        .map(entry => path.relative(staged, path.join(entry.parentPath, entry.name)));
      // The sources here (ts-jest), the same files compiled in the package.
      expect(files.map(file => file.replace(/\.ts$/, '')).sort()).toEqual([
        'contracts/deploy-task-contract', 'deploy-task-runner/deploy-task-runner', 'deploy-task-runner/run-command',
      ]);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  test('the runner ends before the trigger stops waiting, and both before the 15 minutes Lambda allows', () => {
    const { api, template } = synthWsgiApi({ deployTasks: TASKS });
    const runnerSeconds = runnerOf(template).resource.Properties.Timeout;
    const triggerSeconds = Number(triggerOf(api, template).resource.Properties.Timeout) / 1000;
    expect(runnerSeconds).toBeLessThan(triggerSeconds);
    expect(triggerSeconds).toBeLessThan(Duration.minutes(15).toSeconds());
  });

  // Matched whole: its own log group, and the version's ARN alone, not the function's, the alias's or `:*`.
  test('the runner may write its log group and invoke the new version, nothing else', () => {
    const { api, template } = synthWsgiApi({ deployTasks: TASKS });
    const runner = runnerOf(template).resource.Properties;
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: runner.Role['Fn::GetAtt'][0] }],
      PolicyDocument: {
        Statement: [
          { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [runner.LoggingConfig.LogGroup.Ref, 'Arn'] } },
          { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { Ref: logicalId(api.lambdaFunction.currentVersion) } },
        ],
      },
    });
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  });

  test('run again when the app publishes a new version or the tasks change, and not otherwise', () => {
    const base = triggerProperties({});
    expect(triggerProperties({})).toBe(base);
    // The API's settings are not the function's: no new version, no new run.
    expect(triggerProperties({ throttlingRateLimit: 10, accessLogging: false })).toBe(base);
    expect(triggerProperties({ textMediaTypes: ['application/vnd.a+yaml'] })).not.toBe(base);
    expect(triggerProperties({ deployTasks: [...TASKS, WsgiTask.flask('routes')] })).not.toBe(base);
  });

  test('do not run again when only the runner\'s code changes (an upgrade of cdk-wsgi)', () => {
    const changedRunner = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-'));
    fs.cpSync(RUNNER_ASSET_ROOT, changedRunner, { recursive: true });
    fs.appendFileSync(path.join(changedRunner, 'deploy-task-runner', 'deploy-task-runner.ts'), '\n// a newer runner\n');
    const synthWithRunner = (dir: string) => {
      let result!: { properties: string; runnerCode: unknown };
      jest.isolateModules(() => {
        jest.doMock('../src/private/runner-asset', () => ({ ...jest.requireActual('../src/private/runner-asset'), RUNNER_ASSET_ROOT: dir }));
        const { WsgiApi: IsolatedWsgiApi, WsgiTask: IsolatedTask } = jest.requireActual<typeof import('../src')>('../src');
        const stack = testStack();
        const api = new IsolatedWsgiApi(stack, 'App', {
          entry: APP_ENTRY, module: 'api.app', deployTasks: [IsolatedTask.manage('migrate')],
        });
        const template = Template.fromStack(stack);
        result = {
          properties: JSON.stringify(triggerOf(api, template).resource.Properties),
          runnerCode: runnerOf(template).resource.Properties.Code,
        };
      });
      return result;
    };
    const before = synthWithRunner(RUNNER_ASSET_ROOT);
    const after = synthWithRunner(changedRunner);
    expect(after.runnerCode).not.toEqual(before.runnerCode);
    expect(after.properties).toBe(before.properties);
  });

  test('the triggers\' provider logs to a group with the function\'s retention, once per stack', () => {
    const stack = testStack();
    new WsgiApi(stack, 'One', { entry: APP_ENTRY, module: 'api.app', deployTasks: TASKS, functionLogRetention: logs.RetentionDays.ONE_WEEK });
    new WsgiApi(stack, 'Two', { entry: APP_ENTRY, module: 'api.app', deployTasks: TASKS });
    const template = Template.fromStack(stack);
    const providers = template.findResources('AWS::Lambda::Function', { Properties: { Handler: '__entrypoint__.handler' } });
    expect(Object.keys(providers)).toHaveLength(1);
    const logGroupId = Object.values(providers)[0].Properties.LoggingConfig.LogGroup.Ref;
    expect(template.toJSON().Resources[logGroupId]).toMatchObject({ Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 7 } });
  });

  test('the runner logs to a group of its own, kept as long as the function\'s', () => {
    const { template } = synthWsgiApi({ deployTasks: TASKS, functionLogRetention: logs.RetentionDays.ONE_WEEK });
    const logGroup = runnerOf(template).resource.Properties.LoggingConfig.LogGroup.Ref;
    expect(template.toJSON().Resources[logGroup]).toMatchObject({
      Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 7 }, DeletionPolicy: 'Delete',
    });
  });

  describe('are refused', () => {
    test('with managementCommands: false, which the adapter would answer with exit code 126', () => {
      expect(() => synthWsgiApi({ managementCommands: false, deployTasks: [WsgiTask.manage('migrate')] })).toThrow(
        "deployTasks are management commands, which managementCommands: false turns off, got ['manage migrate']; "
        + 'remove managementCommands: false, or the deployTasks');
      expect(() => synthWsgiApi({ managementCommands: false, deployTasks: [] })).not.toThrow();
    });

    test('when they would not fit in the runner\'s environment variables', () => {
      const long = WsgiTask.python(`print("${'x'.repeat(4_000)}")`);
      expect(() => synthWsgiApi({ deployTasks: [long] })).toThrow(
        /^deployTasks must fit in 3500 bytes of JSON, which the runner function gets in its environment \(Lambda allows 4 KB\), got '\d+ bytes'; keep long code in a module/);
    });
  });
});

describe('WsgiTask', () => {
  test('manage and flask send their arguments as a list, with the command\'s name first', () => {
    expect(WsgiTask.manage('migrate', '--noinput')._event).toEqual({ source: 'cdk-wsgi.command', kind: 'manage', args: ['migrate', '--noinput'] });
    expect(WsgiTask.flask('db', 'upgrade')._event).toEqual({ source: 'cdk-wsgi.command', kind: 'flask', args: ['db', 'upgrade'] });
    // Arguments stay whole: a space is part of the argument, not a separator.
    expect(WsgiTask.manage('shell', '-c', 'print(1 + 1)')._event.args).toEqual(['shell', '-c', 'print(1 + 1)']);
  });

  test('python sends its code and shell its command line, verbatim', () => {
    const code = 'import sys\nprint(sys.version)\n';
    expect(WsgiTask.python(code)._event).toEqual({ source: 'cdk-wsgi.command', kind: 'python', code });
    expect(WsgiTask.shell('ls -l | wc -l')._event).toEqual({ source: 'cdk-wsgi.command', kind: 'shell', command: 'ls -l | wc -l' });
  });

  test('labels name the kind and the command on one line, cut at 80 characters', () => {
    expect(WsgiTask.manage('migrate', '--noinput').label).toBe('manage migrate --noinput');
    expect(WsgiTask.flask('db', 'upgrade').label).toBe('flask db upgrade');
    expect(WsgiTask.python('import tasks\ntasks.seed()').label).toBe('python import tasks tasks.seed()');
    expect(WsgiTask.shell('echo boom >&2; exit 3').label).toBe('shell echo boom >&2; exit 3');
    const long = WsgiTask.shell(`echo ${'a'.repeat(200)}`).label;
    expect(long).toHaveLength(80);
    expect(long.endsWith('a…')).toBe(true);
  });

  test('refuses a task with nothing to run', () => {
    expect(() => WsgiTask.manage()).toThrow(
      "WsgiTask.manage(...args) must start with the name of a command, got []; use e.g. WsgiTask.manage('migrate', '--noinput')");
    expect(() => WsgiTask.flask(' ', 'upgrade')).toThrow(
      "WsgiTask.flask(...args) must start with the name of a command, got [' ', 'upgrade']; use e.g. WsgiTask.flask('db', 'upgrade')");
    expect(() => WsgiTask.python('\n  ')).toThrow(/^WsgiTask.python\(code\) must be Python code, got '\n {2}'; pass the code to run/);
    expect(() => WsgiTask.shell('')).toThrow("WsgiTask.shell(command) must be a shell command, got ''; pass the command line to run, e.g. WsgiTask.shell('ls -l')");
    expect(() => WsgiTask.shell('echo a\0b')).toThrow(
      "WsgiTask.shell(command) must not contain NUL characters, which no process takes as an argument, got 'echo a\\0b'; remove them");
  });

  test('the runner\'s task list is each task\'s label and event, in order', () => {
    expect(JSON.parse(deployTasksJson([WsgiTask.shell('true'), WsgiTask.manage('check')]))).toEqual([
      { label: 'shell true', event: { source: 'cdk-wsgi.command', kind: 'shell', command: 'true' } },
      { label: 'manage check', event: { source: 'cdk-wsgi.command', kind: 'manage', args: ['check'] } },
    ]);
  });
});
