import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { finished, LAMBDA_ROLE } from './cli-helpers';
import { eventually } from './loopback';
import { createLogGroup, deployStack, MotoServer, putLogEvents, startMoto } from './moto';
import { runCli } from './serve-helpers';
import { printRequestEvents } from '../src/cli/log-events';

/**
 * `cdk-wsgi logs --request ID` (and `--task ID`): one invocation's lines out of a log group where several execution
 * environments log side by side, in Lambda's text and JSON log formats, against moto's CloudWatch Logs. The lines are
 * what Lambda's Python runtime writes: START, END and REPORT lines naming the request id
 * (https://docs.aws.amazon.com/lambda/latest/dg/python-logging.html), the logging module's lines with the request id in
 * their third tab-separated field (text) or a requestId key (JSON; awslambdaric's LambdaLoggerHandler and
 * JsonFormatter), and print() output and tracebacks, which carry no request id.
 */
jest.setTimeout(60_000);

const REGION = 'us-east-1';
const X = '6d68ca91-49c9-448d-89b8-7ca3e6dc66aa';
const OTHER = '0b1c2d3e-1111-4222-8333-944455566677';
const NEXT = 'f00dfeed-2222-4333-8444-a55566677788';
const Z = 'c0ffee00-3333-4444-8555-b66677788899';
const Y = '79b5e81f-9cdd-4145-b1f6-7c50ef8a2a36';

const iso = (timestamp: number) => new Date(timestamp).toISOString();

/** An event of a stream: its time offset (ms from the scenario's base) and its message as Lambda writes it. */
type Line = [number, string];

const report = (id: string, ms: string) => `REPORT RequestId: ${id}\tDuration: ${ms} ms\tBilled Duration: 813 ms\tMemory Size: 512 MB\tMax Memory Used: 98 MB\t\n`;
const logging = (level: string, at: number, id: string, message: string) => `[${level}]\t${iso(at)}\t${id}\t${message}\n`;

/** Text format: environment A runs OTHER, then X (which fails), then NEXT; B runs Z meanwhile; C runs X's retry. */
function textScenario(base: number): Record<string, Line[]> {
  return {
    '2026/12/07/[7]aaaa0000aaaa0000aaaa0000aaaa0000': [
      [0, 'INIT_START Runtime Version: python:3.12.v70\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:0123abcd\n'],
      [1, `START RequestId: ${OTHER} Version: 7\n`],
      [2, logging('INFO', base + 2, OTHER, 'a request for someone else')],
      [3, `END RequestId: ${OTHER}\n`],
      [4, report(OTHER, '1.21')],
      [10, `START RequestId: ${X} Version: 7\n`],
      [11, logging('WARNING', base + 11, X, 'cdk_wsgi_adapter: task jobs:send_welcome(42)')],
      [12, 'sending the welcome email to user 42\n'],
      [13, 'Traceback (most recent call last):\n  File "/var/task/jobs.py", line 3, in send_welcome\nValueError: no such user\n'],
      [14, '{ printed, and not JSON\n'],
      [15, `END RequestId: ${X}\n`],
      [16, report(X, '812.43')],
      [20, `START RequestId: ${NEXT} Version: 7\n`],
      [21, 'a print of the next invocation\n'],
      [22, `END RequestId: ${NEXT}\n`],
      [23, report(NEXT, '0.98')],
    ],
    '2026/12/07/[7]bbbb1111bbbb1111bbbb1111bbbb1111': [
      [9, `START RequestId: ${Z} Version: 7\n`],
      [12, 'z is working\n'],
      [14, `END RequestId: ${Z}\n`],
      [15, report(Z, '5.00')],
    ],
    '2026/12/07/[7]cccc2222cccc2222cccc2222cccc2222': [
      [60_010, `START RequestId: ${X} Version: 7\n`],
      [60_012, 'sending the welcome email to user 42\n'],
      [60_013, `END RequestId: ${X}\n`],
      [60_014, report(X, '20.11')],
    ],
  };
}

const json = (value: object) => `${JSON.stringify(value)}\n`;

/** JSON format: X in one environment; then X and Y at once in another (Lambda Managed Instances run several). */
function jsonScenario(base: number): Record<string, Line[]> {
  const time = (offset: number) => iso(base + offset);
  return {
    '2026/12/07/[7]dddd3333dddd3333dddd3333dddd3333': [
      [0, json({ time: time(0), type: 'platform.initStart', record: { initializationType: 'on-demand', phase: 'init', runtimeVersion: 'python:3.12.v70' } })],
      [1, json({ time: time(1), type: 'platform.start', record: { requestId: X, version: '7' } })],
      [2, json({ timestamp: time(2), level: 'INFO', message: 'running jobs:send_welcome', logger: 'cdk_wsgi_adapter', requestId: X })],
      [3, 'a print() line, which stays text\n'],
      [4, json({ time: time(4), type: 'platform.report', record: { requestId: X, metrics: { durationMs: 3.2, billedDurationMs: 4, memorySizeMB: 512, maxMemoryUsedMB: 90 }, status: 'success' } })],
      [5, json({ time: time(5), type: 'platform.start', record: { requestId: Y, version: '7' } })],
      [6, json({ timestamp: time(6), level: 'INFO', message: 'not ours', logger: 'root', requestId: Y })],
      [7, json({ time: time(7), type: 'platform.report', record: { requestId: Y, metrics: { durationMs: 1 }, status: 'success' } })],
    ],
    '2026/12/07/[7]eeee4444eeee4444eeee4444eeee4444': [
      [100, json({ time: time(100), type: 'platform.start', record: { requestId: X, version: '7' } })],
      [101, json({ time: time(101), type: 'platform.start', record: { requestId: Y, version: '7' } })],
      [102, json({ timestamp: time(102), level: 'INFO', message: 'y at the same time', logger: 'root', requestId: Y })],
      [103, json({ timestamp: time(103), level: 'ERROR', message: 'x failed', logger: 'root', requestId: X, errorType: 'ValueError' })],
      [104, json({ time: time(104), type: 'platform.report', record: { requestId: Y, metrics: { durationMs: 3 }, status: 'success' } })],
      [105, json({ time: time(105), type: 'platform.report', record: { requestId: X, metrics: { durationMs: 5 }, status: 'error' } })],
    ],
  };
}

async function putScenario(moto: MotoServer, group: string, base: number, streams: Record<string, Line[]>): Promise<void> {
  await createLogGroup(moto, group, REGION);
  for (const [stream, lines] of Object.entries(streams)) {
    await putLogEvents(moto, group, stream, lines.map(([, message]) => message), lines.map(([offset]) => base + offset), REGION);
  }
}

/** The lines printRequestEvents prints for the scenario's `[stream, offset]` events, as `<time> <message>`. */
const expected = (base: number, streams: Record<string, Line[]>, picks: Array<[number, number]>) => picks.map(([stream, offset]) => {
  const message = Object.values(streams)[stream].find(([at]) => at === offset)![1];
  return `${iso(base + offset)} ${message.replace(/\n+$/, '')}`;
});

describe('printRequestEvents against moto', () => {
  let moto: MotoServer;
  let client: CloudWatchLogsClient;
  const base = Date.now() - 30 * 60_000;

  beforeAll(async () => {
    moto = await startMoto();
    client = new CloudWatchLogsClient({ endpoint: moto.url, region: REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    await putScenario(moto, '/aws/lambda/text', base, textScenario(base));
    await putScenario(moto, '/aws/lambda/json', base, jsonScenario(base));
  }, 30_000);

  afterAll(async () => {
    client?.destroy();
    await moto?.stop();
  }, 15_000);

  const print = async (logGroupName: string, requestId: string, startTime = base - 60_000) => {
    const lines: string[] = [];
    await printRequestEvents(client, { logGroupName, requestId, startTime, follow: false, write: line => lines.push(line) });
    return lines;
  };

  test('text format: the invocation\'s block with its print() output and traceback, then its retry\'s, nothing of others', async () => {
    const streams = textScenario(base);
    expect(await print('/aws/lambda/text', X)).toEqual(expected(base, streams, [
      [0, 10], [0, 11], [0, 12], [0, 13], [0, 14], [0, 15], [0, 16],
      [2, 60_010], [2, 60_012], [2, 60_013], [2, 60_014],
    ]));
    expect(await print('/aws/lambda/text', Z)).toEqual(expected(base, streams, [[1, 9], [1, 12], [1, 14], [1, 15]]));
    expect(await print('/aws/lambda/text', NEXT)).toEqual(expected(base, streams, [[0, 20], [0, 21], [0, 22], [0, 23]]));
  });

  test('an invocation that started before --since: its lines from there on', async () => {
    const streams = textScenario(base);
    expect(await print('/aws/lambda/text', X, base + 12)).toEqual(expected(base, streams, [
      [0, 12], [0, 13], [0, 14], [0, 15], [0, 16],
      [2, 60_010], [2, 60_012], [2, 60_013], [2, 60_014],
    ]));
  });

  test('JSON format: platform.start to platform.report, and only its own lines where invocations run side by side', async () => {
    const streams = jsonScenario(base);
    expect(await print('/aws/lambda/json', X)).toEqual(expected(base, streams, [
      [0, 1], [0, 2], [0, 3], [0, 4],
      [1, 100], [1, 103], [1, 105],
    ]));
    expect(await print('/aws/lambda/json', Y)).toEqual(expected(base, streams, [
      [0, 5], [0, 6], [0, 7],
      [1, 101], [1, 102], [1, 104],
    ]));
  });

  test('a request that logged nothing since then: the error says what to try', async () => {
    await expect(print('/aws/lambda/text', 'ab12cd34-0000-4000-8000-000000000000')).rejects.toThrow(
      `request ab12cd34-0000-4000-8000-000000000000 logged nothing in /aws/lambda/text since ${iso(base - 60_000)}: if it ran earlier, `
      + 'pass an earlier --since (e.g. --since 1d); to wait for a task that is queued, add --follow');
    await expect(print('/aws/lambda/never-invoked', X)).rejects.toThrow('log group /aws/lambda/never-invoked does not exist yet');
  });

  test('following: a queued task\'s lines once it runs, each once, until aborted', async () => {
    const group = '/aws/lambda/follow';
    await createLogGroup(moto, group, REGION);
    const start = Date.now() - 1_000;
    const lines: string[] = [];
    const abort = new AbortController();
    const following = printRequestEvents(client, {
      logGroupName: group, requestId: X, startTime: start, follow: true, pollMs: 50, signal: abort.signal, write: line => lines.push(line),
    });
    try {
      const stream = '2026/12/07/[7]ffff5555ffff5555ffff5555ffff5555';
      const now = Date.now();
      await putLogEvents(moto, group, stream, [`START RequestId: ${X} Version: 7\n`, 'started\n'], [now, now + 1], REGION);
      await eventually(() => lines.length === 2, 'the first lines', 10_000);
      // The invocation goes on writing: its stream is read on, up to its REPORT line.
      await putLogEvents(moto, group, stream, ['done\n', `END RequestId: ${X}\n`, report(X, '9.00'), `START RequestId: ${NEXT} Version: 7\n`],
        [now + 2, now + 3, now + 4, now + 5], REGION);
      await eventually(() => lines.length >= 5, 'the rest of the invocation', 10_000);
      const polls = jest.spyOn(client, 'send');
      await eventually(() => polls.mock.calls.length >= 6, 'three more polls', 10_000);
      polls.mockRestore();
      expect(lines.map(line => line.replace(/^\S+ /, ''))).toEqual([
        `START RequestId: ${X} Version: 7`, 'started', 'done', `END RequestId: ${X}`, report(X, '9.00').replace(/\n$/, ''),
      ]);
    } finally {
      abort.abort();
    }
    await expect(following).resolves.toBeUndefined();
  });
});


describe('cdk-wsgi logs --request', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-logs-request-'));
  const base = Date.now() - 30 * 60_000;
  let moto: MotoServer;
  let env: NodeJS.ProcessEnv;
  const cli = (args: string[]) => finished(runCli(['logs', ...args], { cwd: work, env }));

  beforeAll(async () => {
    // The deployed stack: a function without a log group of its own, which logs to /aws/lambda/<name>.
    const stack = {
      Resources: {
        Role: LAMBDA_ROLE,
        AppFunction: {
          Type: 'AWS::Lambda::Function',
          Metadata: { 'cdk-wsgi': { entry: 'app', apiType: 'REST', stageName: 'prod' }, 'aws:cdk:path': 'Ops/App/Function/Resource' },
          Properties: {
            FunctionName: 'ops-app',
            Runtime: 'python3.12',
            Handler: 'cdk_wsgi_adapter.handler',
            Role: { 'Fn::GetAtt': ['Role', 'Arn'] },
            Code: { ZipFile: 'def handler(event, context): pass\n' },
          },
        },
      },
    };
    const dir = path.join(work, 'cdk.out');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({
      version: '48.0.0',
      artifacts: {
        Ops: { type: 'aws:cloudformation:stack', environment: `aws://123456789012/${REGION}`, properties: { templateFile: 'Ops.template.json' } },
      },
    }));
    fs.writeFileSync(path.join(dir, 'Ops.template.json'), JSON.stringify(stack));
    moto = await startMoto();
    await deployStack(moto, 'Ops', stack, REGION);
    await putScenario(moto, '/aws/lambda/ops-app', base, textScenario(base));
    env = { ...moto.env, HOME: work, AWS_REGION: '', AWS_DEFAULT_REGION: '' };
  });

  afterAll(async () => {
    await moto?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('prints the invocation\'s lines; --task is the same', async () => {
    const streams = textScenario(base);
    const lines = expected(base, streams, [
      [0, 10], [0, 11], [0, 12], [0, 13], [0, 14], [0, 15], [0, 16], [2, 60_010], [2, 60_012], [2, 60_013], [2, 60_014],
    ]);
    const [byRequest, byTask] = await Promise.all([cli(['--request', X]), cli(['--task', X, '--since', '1h'])]);
    expect(byRequest).toEqual({ code: 0, stdout: `${lines.join('\n')}\n`, stderr: '' });
    expect(byTask).toEqual(byRequest);
  });

  test('nothing logged since --since: status 1 and what to try', async () => {
    const none = await cli(['--request', X, '--since', '5m']);
    expect(none.code).toBe(1);
    expect(none.stdout).toBe('');
    expect(none.stderr).toMatch(new RegExp(`^cdk-wsgi logs: request ${X} logged nothing in /aws/lambda/ops-app since \\S+: if it ran earlier, `
      + 'pass an earlier --since \\(e\\.g\\. --since 1d\\); to wait for a task that is queued, add --follow\\n$'));
  });

  test('a request id that is none, or two different ones: usage errors', async () => {
    const [bad, two] = await Promise.all([cli(['--request', 'x" OR "y']), cli(['--request', X, '--task', Z])]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^cdk-wsgi logs: --request "x\\" OR \\"y" is not a request id: give the one Lambda answered, such as [\w-]+\n\nUsage: cdk-wsgi logs/);
    expect(two.code).toBe(2);
    expect(two.stderr).toMatch(/^cdk-wsgi logs: --task is another name for --request: give one request id\n/);
  });
});
