import { spawnSync } from 'child_process';
import * as path from 'path';
import * as vm from 'vm';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ApiType, WsgiApi, WsgiRuleEventSource, WsgiTask } from '../src';
import { adapterEnvironment, APP_ENTRY, synthWsgiApi, testStack } from './helpers';
import { scheduledExitStatus } from '../src/cli/remote-commands';
import * as contract from '../src/contracts/adapter-contract';
import * as defaults from '../src/contracts/defaults';
import { DeployTaskSpec } from '../src/contracts/deploy-task-contract';
import { invocationLine, parseWorkerMessage, PrimedPath, WorkerSettings } from '../src/contracts/worker-protocol';
import { deployTasksJson } from '../src/private/deploy-tasks';
import { VIEWER_REQUEST_FUNCTION_CODE } from '../src/private/viewer-request-function';

/*
 * Each contract between the TypeScript side (the construct, the CLI, the deploy-task runner) and the Python side (the
 * adapter, the serve worker), compared across the two: test/contract-parity.py reads what this side sends as the
 * adapter or the worker would, and reports its own names. A value changed on one side only fails here; one changed on
 * both passes, and is still a breaking change for deployed functions.
 */

const ROOT = path.join(__dirname, '..');

const PRIME_CONFIGS: contract.PrimeConfig[] = Object.values(ApiType).map(apiType => ({
  apiType,
  host: 'api.example.com',
  stage: defaults.DEFAULT_STAGE_NAME[apiType],
  paths: ['/', '/health'],
  timeoutMillis: defaults.DEFAULT_PRIME_TIMEOUT_SECONDS * 1000,
}));

// Accepted and refused alike: pchars, query, fragment, escapes, spaces, non-ASCII, characters URLs must escape.
const PRIME_PATHS = [
  '/', '/health', "/AZaz09-._~!$&'()*+,;=:@/x/", '/a/b/', '//', '/a:b@c',
  '', 'health', '*', '/a?b=1', '/a#top', '/a%20b', '/a b', '/café', '/a\\b', '/a"b', '/<a>', '/a[0]', '/a{b}', '/a|b',
  '/a^b', '/a`b', '/tab\t', '/line\n', '/\u0000',
];

const WORKER_SETTINGS: WorkerSettings = {
  entry: '/app',
  app: 'api:app',
  textMediaTypes: ['image/svg+xml'],
  binaryMediaTypes: null,
  basePaths: { 'api.example.com': 'v1' },
  originSecret: 'local-secret',
  port: 8000,
  functionName: 'MyStack-App',
  memorySize: 512,
  timeoutSeconds: 29,
  prime: PRIME_CONFIGS[0],
};

const PRIMED: PrimedPath[] = [{ path: '/', status: 200, ms: 4 }, { path: '/x', error: 'ValueError: x' }, { path: '/y', skipped: true }];

/**
 * What a REST API's function receives of a visitor's request through the distribution: the viewer-request function run
 * on the visitor's request (a client's forged copies included), then the origin custom header CloudFront adds, and the
 * origin's own Host; the stage is the origin path. `secret` is what the origin header carries.
 */
function throughDistribution(secret: string): object {
  const viewerRequest = vm.runInNewContext(`${VIEWER_REQUEST_FUNCTION_CODE}; handler`);
  const request = viewerRequest({
    viewer: { ip: '203.0.113.9' },
    request: {
      method: 'GET',
      uri: '/login',
      querystring: {},
      headers: {
        host: { value: 'www.example.com' },
        [contract.VIEWER_HOST_HEADER]: { value: 'forged.example' },
        [contract.VIEWER_ADDRESS_HEADER]: { value: '10.0.0.1' },
        [contract.VIEWER_PROTO_HEADER]: { value: 'http' },
      },
    },
  });
  const headers: Record<string, string> = {};
  for (const [name, { value }] of Object.entries<{ value: string }>(request.headers)) headers[name] = value;
  headers[contract.ORIGIN_SECRET_HEADER] = secret;
  headers.host = 'abc123.execute-api.eu-west-1.amazonaws.com';
  return {
    resource: '/{proxy+}',
    path: '/login',
    httpMethod: 'GET',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { proxy: 'login' },
    stageVariables: null,
    requestContext: {
      resourcePath: '/{proxy+}',
      httpMethod: 'GET',
      path: '/prod/login',
      protocol: 'HTTP/1.1',
      stage: 'prod',
      domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
      identity: { sourceIp: '130.176.0.1' },
    },
    body: null,
    isBase64Encoded: false,
  };
}

const DISTRIBUTION_SECRET = 'k3Y9secretGeneratedAtDeploy0000000000000000000000';

/** What the construct tells the adapter with `allowDirectAccess: false`, the secret as CloudFormation resolves it. */
const CLOSED_ENVIRONMENT = {
  [contract.ENV_ORIGIN_SECRET]: DISTRIBUTION_SECRET,
  [contract.ENV_DIRECT_ACCESS]: adapterEnvironment(synthWsgiApi({ distribution: { allowDirectAccess: false } }).template)[contract.ENV_DIRECT_ACCESS],
};

/**
 * CDK_WSGI_EVENT_HANDLERS as a function with a handler of each kind gets it, each reference resolved to an ARN of its
 * own (`arn:aws:test:::<LogicalId>`), as CloudFormation would resolve it.
 */
function eventHandlersVariable(): string {
  const stack = testStack();
  const api = new WsgiApi(stack, 'App', { entry: APP_ENTRY, module: 'api.app' });
  const batch = { startingPosition: lambda.StartingPosition.LATEST, reportBatchItemFailures: true };
  api.addEventHandler('api.queued', new sources.SqsEventSource(new sqs.Queue(stack, 'Jobs'), { reportBatchItemFailures: true }));
  api.addEventHandler('api.clicked', new sources.KinesisEventSource(new kinesis.Stream(stack, 'Clicks'), batch));
  api.addEventHandler('api.ordered', new sources.DynamoEventSource(new dynamodb.Table(stack, 'Orders', {
    partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING }, stream: dynamodb.StreamViewType.NEW_IMAGE,
  }), batch));
  api.addEventHandler('api.uploaded', new sources.S3EventSource(new s3.Bucket(stack, 'Uploads'), { events: [s3.EventType.OBJECT_CREATED] }));
  api.addEventHandler('api.signed_up', new sources.SnsEventSource(new sns.Topic(stack, 'Signups')));
  api.addEventHandler('api:handlers.on_order', new WsgiRuleEventSource(new events.Rule(stack, 'Placed', { eventPattern: { source: ['shop'] } })));
  const resolve = (value: any): string => {
    if (typeof value === 'string') return value;
    if ('Fn::Join' in value) return (value['Fn::Join'][1] as unknown[]).map(resolve).join(value['Fn::Join'][0]);
    const [id] = [value['Fn::GetAtt'] ?? value.Ref].flat();
    return `arn:aws:test:::${id}`;
  };
  return resolve(adapterEnvironment(Template.fromStack(stack))[contract.ENV_EVENT_HANDLERS]);
}

const EVENT_HANDLERS = eventHandlersVariable();

const sent = {
  handler: contract.ADAPTER_HANDLER,
  eventHandlers: EVENT_HANDLERS,
  warmUpEvents: [contract.warmUpEvent(3), contract.warmUpEvent(contract.WARM_UP_MAX_CONCURRENCY),
    contract.warmUpEvent(contract.WARM_UP_MAX_CONCURRENCY + 1)],
  // A deploy task's numbered version, the CLI's alias, and the alias front doors invoke.
  qualifiers: ['1', contract.MANAGE_ALIAS_NAME, defaults.LIVE_ALIAS_NAME],
  primeConfigs: PRIME_CONFIGS,
  primePaths: PRIME_PATHS,
  workerSettings: WORKER_SETTINGS,
  primed: PRIMED,
  invocationLine: invocationLine('req-1', '{"path":"/"}'),
  distribution: {
    secret: DISTRIBUTION_SECRET,
    events: [throughDistribution(DISTRIBUTION_SECRET), throughDistribution('forged')],
    closedEnvironment: CLOSED_ENVIRONMENT,
  },
};

/** The Python side: what test/contract-parity.py reports. */
function pythonSide(): any {
  const run = spawnSync('python3', [path.join(__dirname, 'contract-parity.py')], {
    input: JSON.stringify(sent),
    encoding: 'utf-8',
    env: {
      PATH: process.env.PATH,
      PYTHONPATH: [path.join(ROOT, 'lib-python', 'src'), path.join(ROOT, 'lib-python', 'serve')].join(path.delimiter),
      PYTHONDONTWRITEBYTECODE: '1',
    },
  });
  if (run.status !== 0) throw new Error(`test/contract-parity.py failed (${run.status}):\n${run.stderr}`);
  return JSON.parse(run.stdout);
}

describe('the TypeScript and Python sides agree on', () => {
  const python = pythonSide();

  test('the CDK_WSGI_* variable names, each under the same name (ENV_X and X_VARIABLE)', () => {
    const typescript = Object.fromEntries(Object.entries(contract)
      .filter(([name]) => name.startsWith('ENV_') && name !== 'ENV_PREFIX')
      .map(([name, value]) => [name.slice('ENV_'.length), value]));
    expect(python.variables).toEqual(typescript);
    for (const value of Object.values<string>(python.variables)) expect(value.startsWith(contract.ENV_PREFIX)).toBe(true);
  });

  test('the handler string, which names the adapter\'s callable', () => {
    expect(python.handlerIsCallable).toBe(true);
  });

  test('the warm-up event, and how many environments one keeps warm at most', () => {
    expect(python.warmUp.source).toBe(contract.WARM_UP_SOURCE);
    expect(Object.keys(contract.warmUpEvent(1))).toEqual(['source', python.warmUp.concurrencyKey]);
    expect(python.warmUp.maxConcurrency).toBe(contract.WARM_UP_MAX_CONCURRENCY);
    expect(python.warmUp.concurrencies).toEqual([3, contract.WARM_UP_MAX_CONCURRENCY, contract.WARM_UP_MAX_CONCURRENCY]);
  });

  test('management command events: their source, kinds and the field each kind\'s command is in', () => {
    expect(python.commands.source).toBe(contract.COMMAND_SOURCE);
    expect(python.commands.kinds).toEqual(Object.keys(contract.COMMAND_FIELDS));
    expect(python.commands.fields).toEqual(contract.COMMAND_FIELDS);
    for (const kind of python.commands.kinds as contract.CommandKind[]) {
      expect(contract.commandEvent(kind, kind === 'python' || kind === 'shell' ? 'x' : ['x']))
        .toEqual({ source: python.commands.source, kind, [python.commands.fields[kind]]: expect.anything() });
    }
  });

  test('where commands are accepted: the manage alias and a numbered version, not live', () => {
    expect(python.manageAliasName).toBe(contract.MANAGE_ALIAS_NAME);
    expect(python.accepts).toEqual({ 1: true, [contract.MANAGE_ALIAS_NAME]: true, [defaults.LIVE_ALIAS_NAME]: false });
  });

  test('the deploy-task runner\'s events, which are management commands of the adapter\'s kinds', () => {
    const tasks = [WsgiTask.manage('migrate', '--noinput'), WsgiTask.flask('routes'), WsgiTask.python('print(1)'), WsgiTask.shell('true')];
    const specs: DeployTaskSpec[] = JSON.parse(deployTasksJson(tasks));
    expect(specs.map(spec => spec.event.kind)).toEqual(['manage', 'flask', 'python', 'shell']);
    for (const { event } of specs) {
      const field = python.commands.fields[event.kind as string];
      expect(Object.keys(event).sort()).toEqual(['kind', 'source', field].sort());
      expect(event.source).toBe(python.commands.source);
      expect(typeof event[field]).toBe(field === 'args' ? 'object' : 'string');
    }
  });

  test('Lambda\'s longest timeout, the time a command gets when the context cannot tell', () => {
    expect(python.longestTimeoutMillis).toBe(defaults.MAX_FUNCTION_TIMEOUT_SECONDS * 1000);
  });

  test('the priming config each front door\'s function gets, stage included', () => {
    expect([...python.prime.apiTypes].sort()).toEqual(Object.values(ApiType).sort());
    expect(python.prime.configs).toEqual(PRIME_CONFIGS);
  });

  test('which priming paths are accepted and which refused', () => {
    const typescript = Object.fromEntries(PRIME_PATHS.map(p => [p, contract.isPrimePath(p)]));
    expect(python.prime.paths).toEqual(typescript);
    expect(Object.values(typescript)).toContain(true);
    expect(Object.values(typescript)).toContain(false);
  });

  test('the distribution\'s headers: the visitor\'s host and address reach the app through it, and nothing through the API\'s own URL', () => {
    expect(python.distribution.headers).toEqual([
      contract.ORIGIN_SECRET_HEADER, contract.VIEWER_HOST_HEADER, contract.VIEWER_ADDRESS_HEADER, contract.VIEWER_PROTO_HEADER,
    ]);
    const [trusted, forged] = python.distribution.seen;
    expect(trusted).toEqual({
      HTTP_HOST: 'www.example.com',
      SERVER_NAME: 'www.example.com',
      SERVER_PORT: '443',
      REMOTE_ADDR: '203.0.113.9',
      SCRIPT_NAME: '',
      PATH_INFO: '/login',
      scheme: 'https',
      cdkWsgiHeaders: [],
    });
    expect(forged).toEqual({
      HTTP_HOST: 'abc123.execute-api.eu-west-1.amazonaws.com',
      SERVER_NAME: 'abc123.execute-api.eu-west-1.amazonaws.com',
      SERVER_PORT: '443',
      REMOTE_ADDR: '130.176.0.1',
      SCRIPT_NAME: '/prod',
      PATH_INFO: '/login',
      scheme: 'https',
      cdkWsgiHeaders: [],
    });
  });

  test('turning direct access off: through the distribution the app answers; the forged request is refused', () => {
    expect(CLOSED_ENVIRONMENT[contract.ENV_DIRECT_ACCESS]).toEqual(expect.any(String));
    expect(python.distribution.closedStatuses).toEqual([200, 403]);
  });

  describe('jobs', () => {
    test('a scheduled command is a command event with the schedule\'s name in the same field', () => {
      expect(python.jobs.scheduleField).toBe(contract.SCHEDULE_FIELD);
      const command = WsgiTask.manage('clearsessions')._event;
      expect(contract.scheduledCommandEvent(command, 'nightly')).toEqual({ ...command, [python.jobs.scheduleField]: 'nightly' });
    });

    test('a scheduled command\'s failed invocation names its error type and ends with the status the CLI exits with', () => {
      expect(python.jobs.scheduledFailure.errorType).toBe(contract.SCHEDULED_COMMAND_ERROR);
      expect(scheduledExitStatus(python.jobs.scheduledFailure)).toBe(3);
      expect(scheduledExitStatus({ ...python.jobs.scheduledFailure, errorType: 'RuntimeError' })).toBeUndefined();
    });

    test('task events: their source, fields and alias, and the asynchronous payload limit', () => {
      expect(python.jobs.taskSource).toBe(contract.TASK_SOURCE);
      expect(python.jobs.taskFields).toEqual(contract.TASK_FIELDS);
      expect(python.jobs.taskAliasName).toBe(contract.TASK_ALIAS_NAME);
      expect(python.jobs.taskAliasName).toBe(defaults.LIVE_ALIAS_NAME);
      expect(python.jobs.asyncPayloadLimit).toBe(contract.ASYNC_PAYLOAD_LIMIT);
      expect(Object.keys(contract.taskEvent('jobs:send', [1], { a: 2 })))
        .toEqual(['source', python.jobs.taskFields.name, python.jobs.taskFields.args, python.jobs.taskFields.kwargs]);
    });

    test('event handlers: the kinds, the rule wrapper\'s source and fields', () => {
      expect(python.jobs.eventSourceKinds).toEqual([...contract.EVENT_SOURCE_KINDS]);
      expect(python.jobs.ruleEventSource).toBe(contract.RULE_EVENT_SOURCE);
      expect(python.jobs.ruleEventFields).toEqual(contract.RULE_EVENT_FIELDS);
    });

    test('the handler list addEventHandler writes, read by the adapter: each source finds its handler', () => {
      const entries: contract.EventHandlerEntry[] = JSON.parse(EVENT_HANDLERS);
      expect(entries.map(e => e.source).sort()).toEqual([...contract.EVENT_SOURCE_KINDS].sort());
      expect(python.jobs.eventHandlers).toEqual(entries.map(e => e.handler));
      expect(python.jobs.eventHandlers).toContain('api:handlers.on_order');
    });
  });

  describe('the serve worker protocol', () => {
    test('the settings\' names', () => {
      expect(python.worker.settingsKeys).toEqual(Object.keys(WORKER_SETTINGS).sort());
      expect(python.worker.settings).toEqual(WORKER_SETTINGS);
      expect(python.worker.primeKeys).toEqual(Object.keys(WORKER_SETTINGS.prime!).sort());
    });

    test('the invocation line, read by the worker', () => {
      expect(python.worker.invocation).toEqual(['req-1', { path: '/' }]);
    });

    test('the worker\'s lines, one JSON object each, read by the CLI', () => {
      for (const line of python.worker.lines as string[]) expect(line).toMatch(/^[^\n]+\n$/);
      expect(python.worker.lines.map(parseWorkerMessage)).toEqual([
        { ready: {} },
        { ready: { error: 'ImportError: x', hint: 'install x' } },
        { ready: { primed: PRIMED } },
        { result: { statusCode: 200 } },
        { error: 'ValueError: boom' },
      ]);
    });
  });
});
