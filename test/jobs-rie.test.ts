import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack, TimeZone } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ApiType, BundlingMode, WsgiApi, WsgiTask } from '../src';
import { httpEvent } from './example-events';
import { AwsCredentials, LambdaInvokeServer, signRequest } from './lambda-invoke-server';
import { sleep } from './loopback';
import { createSchedule, getSchedule, MotoServer, sqsAction, startMoto } from './moto';
import { EmulatedFunction, Emulator, Invocation, localPlatform, pythonFunctions } from './rie';
import { ENV_EVENT_HANDLERS, EventHandlerEntry, taskEvent } from '../src/contracts/adapter-contract';

/**
 * Scheduled commands, background tasks and an SQS batch, end to end: the synthesized function of an app with
 * `schedules`, `backgroundTasks` and `addEventHandler`, bundled for this machine, run by AWS's Lambda Runtime Interface
 * Emulator as rie-e2e.test.ts runs it. What AWS would do around it is done by local servers that speak the real APIs:
 * moto's EventBridge Scheduler keeps the synthesized schedule and moto's SQS the queue, and LambdaInvokeServer takes
 * the adapter's signed asynchronous Invoke and runs the task in a second emulator, as Lambda runs it in an execution
 * environment of its own. The emulator's log of each run goes to test-reports/jobs-rie/transcript.txt.
 */
// Local bundling installs Flask with pip (cached after the first run).
jest.setTimeout(240_000);

const ROOT = path.join(__dirname, '..');
const JOBS_APP = path.join(__dirname, 'fixtures', 'jobs-app');
const TRANSCRIPT = path.join(ROOT, 'test-reports', 'jobs-rie', 'transcript.txt');
// The real SQS event Lambda's event source mapping sends (lib-python/tests/events/README.md): the shape each record has.
const SQS_SAMPLE = JSON.parse(fs.readFileSync(
  path.join(ROOT, 'lib-python', 'tests', 'events', 'powertools-lambda-python', 'sqsEvent.json'), 'utf-8'));

// Where the fakes live: moto's account, and the Region the emulator gives the function.
const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
// The function's execution role, as Lambda hands it over: what the adapter signs its Invoke with.
const CREDENTIALS: AwsCredentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session-token-of-the-execution-role',
};
// Short, so that a failed message is visible again while the test waits.
const VISIBILITY_TIMEOUT_SECONDS = 2;

/**
 * `value` with CloudFormation's intrinsics resolved as the deployed stack would have them, the ARNs made up in the
 * Region and account above: a queue is named by its logical ID (as it is created in moto), a function too.
 */
function fake(value: any, resources: Record<string, any>): any {
  if (Array.isArray(value)) return value.map(v => fake(v, resources));
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === 'Ref') return fakeRef(value.Ref, resources);
  if (keys.length === 1 && keys[0] === 'Fn::GetAtt' && value['Fn::GetAtt'][1] === 'Arn') return fakeArn(value['Fn::GetAtt'][0], resources);
  if (keys.length === 1 && keys[0] === 'Fn::Join') {
    const [separator, parts] = value['Fn::Join'];
    return fake(parts, resources).join(separator);
  }
  if (keys.length === 1 && keys[0].startsWith('Fn::')) throw new Error(`no fake for ${JSON.stringify(value)}`);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fake(v, resources)]));
}

function fakeRef(id: string, resources: Record<string, any>): string {
  const pseudo: Record<string, string> = {
    'AWS::Region': REGION, 'AWS::AccountId': ACCOUNT, 'AWS::Partition': 'aws', 'AWS::URLSuffix': 'amazonaws.com', 'AWS::StackName': 'Jobs',
  };
  if (pseudo[id]) return pseudo[id];
  const resource = resources[id];
  switch (resource?.Type) {
    case 'AWS::Lambda::Alias': return `${fakeArn(resource.Properties.FunctionName.Ref, resources)}:${resource.Properties.Name}`;
    case 'AWS::SQS::Queue': return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${id}`;
    case undefined: throw new Error(`no resource ${id} to fake a Ref to`);
    default: return id;
  }
}

function fakeArn(id: string, resources: Record<string, any>): string {
  switch (resources[id]?.Type) {
    case 'AWS::Lambda::Function': return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${id}`;
    case 'AWS::SQS::Queue': return `arn:aws:sqs:${REGION}:${ACCOUNT}:${id}`;
    case 'AWS::IAM::Role': return `arn:aws:iam::${ACCOUNT}:role/${id}`;
    default: throw new Error(`no fake ARN for ${id} (${resources[id]?.Type})`);
  }
}

/** One run for the transcript: what was sent, the emulator's lines, what it answered. */
interface Run {
  readonly title: string;
  readonly sections: Array<[string, string]>;
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

describe('scheduled commands, background tasks and an SQS batch in the Lambda Runtime Interface Emulator', () => {
  const platform = localPlatform();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-jobs-rie-'));
  // The folder the welcome task writes its marker in (JOBS_MARKER_DIR), under /tmp as the function's only writable place.
  const markers = path.join(work, 'markers');
  const runs: Run[] = [];
  let resources: Record<string, any>;
  let fn: EmulatedFunction;
  let environment: Record<string, string>;
  let moto: MotoServer;
  let invokeServer: LambdaInvokeServer;
  // `manage` runs scheduled commands; `live` takes the HTTP request and the SQS batch; `worker` is the environment
  // Lambda runs a queued task in, a second instance of the function on `live`.
  const emulators: Partial<Record<'manage' | 'live' | 'worker', Emulator>> = {};
  // Where the worker's log stood when each task was delivered, by the task's request ID.
  const workerOffsets = new Map<string, number>();

  beforeAll(async () => {
    fs.mkdirSync(markers);
    const app = new App({ outdir: path.join(work, 'cdk.out'), context: { 'aws:cdk:enable-asset-metadata': true } });
    const stack = new Stack(app, 'Jobs');
    const uploads = new sqs.Queue(stack, 'Uploads');
    const api = new WsgiApi(stack, 'Jobs', {
      entry: JOBS_APP,
      module: 'api.app',
      apiType: ApiType.HTTP,
      runtime: platform.runtime,
      architecture: platform.architecture,
      bundlingMode: BundlingMode.LOCAL,
      environment: { JOBS_MARKER_DIR: markers },
      schedules: [
        {
          name: 'nightly',
          schedule: ScheduleExpression.cron({ hour: '3', minute: '0', timeZone: TimeZone.EUROPE_PARIS }),
          task: WsgiTask.python('import jobs; jobs.nightly()'),
        },
        {
          name: 'disk-check',
          schedule: ScheduleExpression.rate(Duration.hours(1)),
          task: WsgiTask.shell('echo "checking /tmp"; echo "disk full" >&2; exit 3'),
        },
      ],
      backgroundTasks: {},
    });
    api.addEventHandler('jobs.process', new SqsEventSource(uploads, { reportBatchItemFailures: true }));

    const assembly = app.synth();
    resources = assembly.getStackByName('Jobs').template.Resources;
    [fn] = pythonFunctions(assembly, 'Jobs');
    expect(fn.aliases.sort()).toEqual(['live', 'manage']);
    environment = fake(fn.environment, resources);

    moto = await startMoto();
    // The function's own view of AWS: its Region and role (Emulator.start sets AWS_REGION), Lambda at the stand-in.
    const onLambda = (endpoint: string) => ({
      ...fn,
      environment: {
        ...environment,
        AWS_ENDPOINT_URL_LAMBDA: endpoint,
        AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
        AWS_SESSION_TOKEN: CREDENTIALS.sessionToken!,
      },
    });
    invokeServer = await LambdaInvokeServer.start({
      functionName: fn.logicalId,
      qualifier: 'live',
      credentials: CREDENTIALS,
      region: REGION,
      deliver: payload => {
        const offset = emulators.worker!.log.length;
        const dispatch = emulators.worker!.dispatch(payload);
        // Set before the server answers 202 with the ID, which it awaits after this.
        dispatch.requestId.then(id => workerOffsets.set(id, offset), () => undefined);
        return dispatch;
      },
    });
    [emulators.manage, emulators.live, emulators.worker] = await Promise.all([
      Emulator.start({ ...fn, environment }, platform.python, { qualifier: 'manage' }),
      Emulator.start(onLambda(invokeServer.url), platform.python, { qualifier: 'live', unqualifiedFunctionName: true }),
      Emulator.start(onLambda(invokeServer.url), platform.python, { qualifier: 'live', unqualifiedFunctionName: true }),
    ]);
  });

  afterAll(async () => {
    await Promise.all(Object.values(emulators).map(emulator => emulator.stop()));
    await invokeServer?.stop();
    await moto?.stop();
    writeTranscript();
    fs.rmSync(work, { recursive: true, force: true });
  });

  /** Invokes `emulator` with `event`, keeping its log lines of the invocation. */
  async function invoke(which: 'manage' | 'live', event: unknown): Promise<{ invocation: Invocation; log: string }> {
    const emulator = emulators[which]!;
    const offset = emulator.log.length;
    const dispatch = emulator.dispatch(event);
    const [requestId, invocation] = await Promise.all([dispatch.requestId, dispatch.result]);
    return { invocation, log: await emulator.logOf(requestId, offset) };
  }

  function writeTranscript() {
    const header = [
      'cdk-wsgi jobs in AWS\'s Lambda Runtime Interface Emulator (test/jobs-rie.test.ts)',
      `Function ${fn?.logicalId} of stack Jobs (test/fixtures/jobs-app), bundled for ${platform.runtime.name} ${platform.architecture.name}`,
      'Scheduler and SQS: moto\'s server; the asynchronous Invoke: test/lambda-invoke-server.ts; all on 127.0.0.1.',
      'The runtime writes a record\'s lines joined with \\r, one CloudWatch event each; they are shown as lines here.',
      '',
    ];
    const body = runs.map(run => [
      `${'='.repeat(8)} ${run.title} ${'='.repeat(Math.max(8, 100 - run.title.length))}`,
      ...run.sections.flatMap(([label, text]) => [`--- ${label}`, text.replace(/\r/g, '\n').trimEnd(), '']),
    ].join('\n'));
    fs.mkdirSync(path.dirname(TRANSCRIPT), { recursive: true });
    fs.writeFileSync(TRANSCRIPT, [...header, ...body].join('\n'));
  }

  describe('scheduled commands', () => {
    /**
     * Each synthesized schedule created in moto's Scheduler from its template properties, and read back: what
     * Scheduler keeps, and delivers.
     */
    async function storedSchedules(): Promise<Record<string, any>> {
      const stored: Record<string, any> = {};
      for (const resource of Object.values(resources).filter(r => r.Type === 'AWS::Scheduler::Schedule')) {
        const { Name, GroupName, ...input } = fake(resource.Properties, resources);
        await createSchedule(moto, Name, { ...input, ...(GroupName ? { GroupName } : {}) });
        const schedule = await getSchedule(moto, Name, GroupName);
        expect(schedule).toMatchObject({ Name, ...input });
        stored[JSON.parse(schedule.Target.Input).schedule] = schedule;
      }
      return stored;
    }

    let schedules: Record<string, any>;
    beforeAll(async () => {
      schedules = await storedSchedules();
    });

    /** Target.Input to the alias Target.Arn names, as Scheduler invokes it (asynchronously: nobody reads the answer). */
    async function deliver(schedule: any, title: string) {
      const qualifier = /^arn:aws:lambda:[^:]+:\d+:function:[^:]+:([^:]+)$/.exec(schedule.Target.Arn)?.[1];
      expect(qualifier).toBe('manage');
      const ran = await invoke('manage', JSON.parse(schedule.Target.Input));
      runs.push({
        title,
        sections: [
          ['the schedule in moto\'s EventBridge Scheduler (GetSchedule)', json({
            Name: schedule.Name,
            ScheduleExpression: schedule.ScheduleExpression,
            ScheduleExpressionTimezone: schedule.ScheduleExpressionTimezone,
            FlexibleTimeWindow: schedule.FlexibleTimeWindow,
            Target: schedule.Target,
          })],
          [`Scheduler invokes ${schedule.Target.Arn} with Target.Input; the emulator's log`, ran.log],
          ['the function answered', json(ran.invocation.payload)],
        ],
      });
      return ran;
    }

    test('the nightly command runs through manage, and its output is logged with the schedule\'s name', async () => {
      expect(schedules.nightly).toMatchObject({
        ScheduleExpression: 'cron(0 3 * * ? *)',
        ScheduleExpressionTimezone: 'Europe/Paris',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${fn.logicalId}:manage`,
          RoleArn: expect.stringMatching(/^arn:aws:iam::\d+:role\/JobsSchedulerRole/),
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
          DeadLetterConfig: { Arn: expect.stringMatching(/^arn:aws:sqs:.*:JobsScheduleDeadLetterQueue/) },
        },
      });

      const { invocation, log } = await deliver(schedules.nightly, '1a. scheduled command \'nightly\' (exits 0)');

      expect(invocation).toEqual({
        status: 200,
        payload: { exitCode: 0, output: [['stdout', 'nightly clean-up of api: 3 expired sessions removed\n']], truncated: false },
      });
      expect(log).toMatch(/^START RequestId: \S+/m);
      expect(log).toMatch(/\tschedule nightly stdout: nightly clean-up of api: 3 expired sessions removed$/m);
      expect(log).toMatch(/\tschedule nightly: python 'import jobs; jobs\.nightly\(\)' .*\b0$/m);
      expect(log).toMatch(/^REPORT RequestId: /m);
    });

    test('a command that exits non-zero is a function error, ScheduledCommandError, with its output logged', async () => {
      const { invocation, log } = await deliver(schedules['disk-check'], '1b. scheduled command \'disk-check\' (exits 3)');

      expect(invocation.status).toBe(200);
      expect(invocation.payload).toMatchObject({
        errorType: 'ScheduledCommandError',
        errorMessage: expect.stringMatching(/^scheduled command 'disk-check' failed: shell .*\b3$/),
      });
      expect(log).toMatch(/\tschedule disk-check stdout: checking \/tmp$/m);
      expect(log).toMatch(/\tschedule disk-check stderr: disk full$/m);
      expect(log).toMatch(/ScheduledCommandError/);
    });
  });

  describe('background tasks', () => {
    /** POSTs `route` as the HTTP API would (its real sample event): the request ID of the task the app queued. */
    async function queueThrough(route: string, title: string) {
      const ran = await invoke('live', httpEvent('POST', route));
      expect(ran.invocation.status).toBe(200);
      expect(ran.invocation.payload).toMatchObject({ statusCode: 200, headers: { 'Content-Type': 'application/json' } });
      const requestId: string = JSON.parse(ran.invocation.payload.body).requestId;
      const queued = invokeServer.accepted.find(a => a.requestId === requestId);
      expect(queued).toBeDefined();
      const result = await queued!.result;
      const worker = emulators.worker!;
      const taskLog = await worker.logOf(requestId, workerOffsets.get(requestId)!);
      runs.push({
        title,
        sections: [
          [`POST ${route} (the HTTP API sample event) to live; the emulator's log`, ran.log],
          ['the function answered', json(ran.invocation.payload)],
          ['the Invoke API stand-in received (and answered 202 with x-amzn-RequestId ' + requestId + ')', [
            queued!.request,
            ...['content-type', 'x-amz-invocation-type', 'x-amz-date', 'authorization'].map(h => `${h}: ${queued!.headers[h]}`),
            '',
            JSON.stringify(queued!.payload),
          ].join('\n')],
          ['delivered to a second emulator of the function on live; its log', taskLog],
          ['the task\'s invocation answered', json(result.payload)],
        ],
      });
      return { requestId, queued: queued!, result, log: ran.log, taskLog };
    }

    test('.delay() sends a signed asynchronous Invoke of live; the task runs, writes its marker, and logs its request ID', async () => {
      const { requestId, queued, result, log, taskLog } = await queueThrough('/users/42/welcome', '2a. background task jobs:send_welcome');

      expect(invokeServer.refused).toEqual([]);
      expect(queued.request).toBe(`POST /2015-03-31/functions/${fn.logicalId}/invocations?Qualifier=live`);
      expect(queued.headers).toMatchObject({
        'x-amz-invocation-type': 'Event',
        'authorization': expect.stringMatching(`^AWS4-HMAC-SHA256 Credential=${CREDENTIALS.accessKeyId}/\\d{8}/${REGION}/lambda/aws4_request, `),
        'x-amz-security-token': CREDENTIALS.sessionToken,
      });
      expect(queued.payload).toEqual(taskEvent('jobs:send_welcome', [42]));
      expect(log).toContain(`\ttask jobs:send_welcome queued (request ${requestId})`);

      expect(result).toEqual({ status: 200, payload: { task: 'jobs:send_welcome' } });
      expect(fs.readFileSync(path.join(markers, 'welcome-42'), 'utf-8')).toBe('welcomed 42\n');
      expect(taskLog).toMatch(new RegExp(`^START RequestId: ${requestId} `, 'm'));
      expect(taskLog).toContain(`${requestId}\ttask jobs:send_welcome started (request ${requestId})`);
      expect(taskLog).toContain('sending the welcome email to user 42\n');
      expect(taskLog).toMatch(new RegExp(`\ttask jobs:send_welcome finished in \\S+ s \\(request ${requestId}\\)`));
    });

    test('a task that raises is a function error, logged with its request ID', async () => {
      const { requestId, result, taskLog } = await queueThrough('/doomed', '2b. background task jobs:always_fails (raises)');

      expect(result.status).toBe(200);
      expect(result.payload).toMatchObject({ errorType: 'RuntimeError', errorMessage: 'cannot send: the mail server refused' });
      expect(taskLog).toMatch(new RegExp(`\ttask jobs:always_fails failed after \\S+ s \\(request ${requestId}\\)`));
      expect(invokeServer.refused).toEqual([]);
    });
  });

  describe('the Invoke API stand-in', () => {
    /** An Invoke of live signed with `credentials`, as `invocationType`: the status and error type answered. */
    function post(credentials: AwsCredentials, invocationType: string): Promise<[number, unknown]> {
      const { host, hostname, port } = new URL(invokeServer.url);
      const method = 'POST';
      const target = `/2015-03-31/functions/${fn.logicalId}/invocations`;
      const query = 'Qualifier=live';
      const body = Buffer.from(JSON.stringify(taskEvent('jobs:send_welcome', [7])));
      const sent = { 'Host': host, 'Content-Type': 'application/json', 'X-Amz-Invocation-Type': invocationType };
      const headers = signRequest({ method, path: target, query, headers: sent, body, service: 'lambda', region: REGION, credentials });
      return new Promise((resolve, reject) => {
        const request = http.request({ host: hostname, port, method, path: `${target}?${query}`, headers, timeout: 10_000 }, response => {
          response.resume();
          response.on('end', () => resolve([response.statusCode!, response.headers['x-amzn-errortype']]));
        });
        request.on('timeout', () => request.destroy(new Error('no answer within 10 s')));
        request.on('error', reject);
        request.end(body);
      });
    }

    test('refuses what Lambda would: a signature of another secret, a synchronous invocation', async () => {
      const accepted = invokeServer.accepted.length;
      expect(await post({ ...CREDENTIALS, secretAccessKey: 'another secret' }, 'Event')).toEqual([403, 'InvalidSignatureException']);
      expect(await post(CREDENTIALS, 'RequestResponse')).toEqual([400, 'InvalidParameterValueException']);
      expect(invokeServer.accepted).toHaveLength(accepted);
      expect(fs.existsSync(path.join(markers, 'welcome-7'))).toBe(false);
    });
  });

  describe('event handlers', () => {
    test('an SQS batch with one bad message: the handler fails it alone, and only it comes back to the queue', async () => {
      // GIVEN the queue CDK_WSGI_EVENT_HANDLERS names, in moto's SQS, with three messages
      const [entry]: EventHandlerEntry[] = JSON.parse(environment[ENV_EVENT_HANDLERS]);
      expect(entry).toMatchObject({ handler: 'jobs:process', source: 'aws:sqs' });
      const queueName = entry.arn.split(':').pop()!;
      const { QueueUrl } = await sqsAction(moto, 'CreateQueue', {
        QueueName: queueName, Attributes: { VisibilityTimeout: String(VISIBILITY_TIMEOUT_SECONDS) },
      });
      const { Attributes } = await sqsAction(moto, 'GetQueueAttributes', { QueueUrl, AttributeNames: ['QueueArn'] });
      expect(Attributes.QueueArn).toBe(entry.arn);
      for (const [body, attributes] of [['resize upload 1', { uploader: 'ada' }], ['bad', {}], ['resize upload 3', {}]] as const) {
        await sqsAction(moto, 'SendMessage', {
          QueueUrl,
          MessageBody: body,
          MessageAttributes: Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }])),
        });
      }

      // WHEN the event source mapping's work is done: receive, invoke live with the batch, delete what did not fail
      const messages = await receive(QueueUrl, 3);
      expect(messages.map(m => m.Body).sort()).toEqual(['bad', 'resize upload 1', 'resize upload 3']);
      const event = { Records: messages.map(m => sqsRecord(m, entry.arn)) };
      expect(event.Records.map(r => Object.keys(r))).toEqual(messages.map(() => Object.keys(SQS_SAMPLE.Records[0])));
      const ran = await invoke('live', event);
      const failed = new Set((ran.invocation.payload.batchItemFailures ?? []).map((f: any) => f.itemIdentifier));
      const done = messages.filter(m => !failed.has(m.MessageId));
      if (done.length) {
        await sqsAction(moto, 'DeleteMessageBatch', {
          QueueUrl, Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        });
      }
      const bad = messages.find(m => m.Body === 'bad')!;
      runs.push({
        title: '3. SQS batch of 3 messages, one "bad", to the event handler jobs:process',
        sections: [
          ['the event (from ReceiveMessage on moto\'s SQS, shaped as the event source mapping sends it)', json(event)],
          ['the emulator\'s log (live)', ran.log],
          ['the function answered', json(ran.invocation.payload)],
        ],
      });

      // THEN the bad message alone failed, and is the only one left: received again once its visibility timeout ran out
      expect(ran.invocation).toEqual({ status: 200, payload: { batchItemFailures: [{ itemIdentifier: bad.MessageId }] } });
      expect(ran.log).toContain(`cannot process message ${bad.MessageId}\n`);
      expect(ran.log.match(/^processed message \S+: resize upload \d$/gm)).toHaveLength(2);
      const [again] = await receive(QueueUrl, 1);
      expect(again).toMatchObject({ MessageId: bad.MessageId, Body: 'bad', Attributes: { ApproximateReceiveCount: '2' } });
      const counts = await sqsAction(moto, 'GetQueueAttributes', {
        QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      });
      expect(counts.Attributes).toEqual({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '1' });
      runs[runs.length - 1].sections.push(['then, after the visibility timeout: ReceiveMessage and GetQueueAttributes', json({
        received: [{ MessageId: again.MessageId, Body: again.Body, ApproximateReceiveCount: again.Attributes.ApproximateReceiveCount }],
        attributes: counts.Attributes,
      })]);
    });

    /** ReceiveMessage as the event source mapping polls (long polling, every attribute), until `count` came (within 20 s). */
    async function receive(queueUrl: string, count: number): Promise<any[]> {
      const messages: any[] = [];
      const deadline = Date.now() + 20_000;
      while (messages.length < count) {
        if (Date.now() > deadline) throw new Error(`received ${messages.length} of ${count} messages within 20 s`);
        const answer = await sqsAction(moto, 'ReceiveMessage', {
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        });
        messages.push(...answer?.Messages ?? []);
        if (!answer?.Messages?.length) await sleep(100);
      }
      return messages;
    }
  });
});

/**
 * The record Lambda's event source mapping makes of a received SQS message
 * (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html#example-standard-queue-message-event): the message's
 * fields in camel case, its attributes with empty lists for the list values, the queue's ARN and Region.
 */
function sqsRecord(message: any, queueArn: string) {
  return {
    messageId: message.MessageId,
    receiptHandle: message.ReceiptHandle,
    body: message.Body,
    attributes: message.Attributes,
    messageAttributes: Object.fromEntries(Object.entries(message.MessageAttributes ?? {}).map(([name, a]: [string, any]) => [name, {
      ...(a.StringValue !== undefined ? { stringValue: a.StringValue } : {}),
      ...(a.BinaryValue !== undefined ? { binaryValue: a.BinaryValue } : {}),
      stringListValues: a.StringListValues ?? [],
      binaryListValues: a.BinaryListValues ?? [],
      dataType: a.DataType,
    }])),
    md5OfBody: message.MD5OfBody,
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: queueArn.split(':')[3],
  };
}
