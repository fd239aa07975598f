import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import {
  CloudFormationClient, CreateStackCommand, DescribeStackEventsCommand, DescribeStacksCommand, ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import {
  CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand, ResourceAlreadyExistsException,
} from '@aws-sdk/client-cloudwatch-logs';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { signRequest } from './lambda-invoke-server';
import { accepts, freePorts, sleep } from './loopback';

/**
 * moto's server (lib-python/requirements-dev.txt, in the repo's .venv): a local stand-in that speaks the real AWS
 * APIs, for the CLI's CloudFormation look-ups and CloudWatch Logs. One server holds one in-memory account
 * (123456789012) in every region; it forgets everything when it stops.
 */
const MOTO_SERVER = path.join(__dirname, '..', '.venv', 'bin', 'moto_server');
const REGION = 'us-east-1';
const CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing', sessionToken: 'testing' };
/** Only the end of the server's output is kept for error messages: werkzeug logs one line per request. */
const OUTPUT_TAIL = 64 * 1024;

export interface MotoServer {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /**
   * Variables that point the AWS SDK at this server with dummy credentials: merge them into a test's process.env
   * or a CLI child's env. The service-specific endpoints are what the SDKs read (see
   * https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html: AWS_ENDPOINT_URL_<serviceId>, so
   * CloudWatch Logs is AWS_ENDPOINT_URL_CLOUDWATCH_LOGS); AWS_ENDPOINT_URL sends any other service here too, so a
   * test can never reach real AWS.
   */
  readonly env: Record<string, string>;
  /** What the server printed lately (its request log, tracebacks). */
  readonly output: () => string;
  /** SIGTERM to its process group, SIGKILL after 5 s; resolves once it exited (or 10 s passed). */
  stop(): Promise<void>;
}

/**
 * Starts moto's server on a free loopback port and waits (at most 20 s) until it accepts connections. With
 * `authorizeAfter`, moto checks IAM from that many requests on: each request must be signed by one of its users'
 * access keys and be allowed by their policies, as AWS does.
 */
export async function startMoto(options: { authorizeAfter?: number } = {}): Promise<MotoServer> {
  if (!fs.existsSync(MOTO_SERVER)) {
    throw new Error(`${MOTO_SERVER} is missing; run \`npx projen python:setup\``);
  }
  const [port] = await freePorts(1);
  // Detached: it leads its own process group, so stop() reaches the server and anything it spawned.
  const child = spawn(MOTO_SERVER, ['-H', '127.0.0.1', '-p', String(port)], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      LANG: 'C.UTF-8',
      ...(options.authorizeAfter === undefined ? {} : { INITIAL_NO_AUTH_ACTION_COUNT: String(options.authorizeAfter) }),
    },
  });
  let output = '';
  const capture = (chunk: Buffer) => { output = (output + String(chunk)).slice(-OUTPUT_TAIL); };
  child.stdout!.on('data', capture);
  child.stderr!.on('data', capture);
  let exited = false;
  child.on('exit', () => { exited = true; });
  child.on('error', error => { exited = true; output += `\n${error.message}`; });

  const url = `http://127.0.0.1:${port}`;
  const server: MotoServer = {
    url,
    env: {
      AWS_ENDPOINT_URL: url,
      AWS_ENDPOINT_URL_CLOUDFORMATION: url,
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: url,
      AWS_ENDPOINT_URL_LAMBDA: url,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_SESSION_TOKEN: CREDENTIALS.sessionToken,
      // An inherited AWS_PROFILE would win over the variables above in the SDK's default credential chain.
      AWS_PROFILE: '',
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    output: () => output,
    stop: () => stopGroup(child, () => exited),
  };

  const deadline = Date.now() + 20_000;
  while (!(await accepts(port))) {
    if (exited || Date.now() > deadline) {
      await server.stop();
      throw new Error(`moto_server did not listen on ${url} within 20 s:\n${output}`);
    }
    await sleep(50);
  }
  return server;
}

/** What moto made of a stack. */
export interface DeployedStack {
  readonly stackId: string;
  /**
   * Logical ids of the resources moto skipped: types it cannot create (AWS::Lambda::Alias, AWS::CDK::Metadata,
   * API Gateway stages, …) are left out with a warning while the stack still reaches CREATE_COMPLETE.
   * DescribeStackResource then fails with HTTP 500 for any resource that comes after a skipped one in moto's
   * dependency order, so look-ups in tests should only need resources that the skipped ones depend on.
   */
  readonly skipped: string[];
}

/**
 * CreateStack on moto with `template` (in `region`, us-east-1 unless given: moto keeps each region apart), waiting
 * (at most 30 s) for CREATE_COMPLETE. moto resolves a parameter of type AWS::SSM::Parameter::Value<String> from its
 * own SSM, and fails (HTTP 500) when that parameter is missing: a synthesized CDK template's BootstrapVersion
 * parameter needs `generateBootstrapVersionRule: false` on its synthesizer, or to be taken out with its
 * CheckBootstrapVersion rule.
 */
export async function deployStack(
  moto: MotoServer, stackName: string, template: object, region = REGION,
): Promise<DeployedStack> {
  const client = new CloudFormationClient(clientConfig(moto, region));
  let stackId: string | undefined;
  const outputBefore = moto.output();
  try {
    ({ StackId: stackId } = await client.send(new CreateStackCommand({
      StackName: stackName,
      TemplateBody: JSON.stringify(template),
      Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
    })));
  } catch (error) {
    // moto answers a template it cannot handle with an HTML 500 page: its traceback is the only explanation, and
    // reaches the pipe a moment after the response.
    await sleep(300);
    const output = moto.output();
    const printed = output.startsWith(outputBefore) ? output.slice(outputBefore.length) : output;
    const tail = printed.trimEnd().split('\n').slice(-8).join('\n');
    throw new Error(`CreateStack ${stackName} failed on moto: ${(error as Error).message}\n${tail}`, { cause: error });
  }
  const deadline = Date.now() + 30_000;
  for (;;) {
    const stack = (await client.send(new DescribeStacksCommand({ StackName: stackId }))).Stacks?.[0];
    const status = stack?.StackStatus ?? 'MISSING';
    if (status === 'CREATE_COMPLETE') break;
    if (!status.endsWith('_IN_PROGRESS') || Date.now() > deadline) {
      const events = (await client.send(new DescribeStackEventsCommand({ StackName: stackId }))).StackEvents ?? [];
      const lines = events.reverse().map(e =>
        `  ${e.LogicalResourceId} ${e.ResourceType} ${e.ResourceStatus} ${e.ResourceStatusReason ?? ''}`.trimEnd());
      throw new Error(`stack ${stackName} is ${status}, not CREATE_COMPLETE:\n${lines.join('\n')}`);
    }
    await sleep(100);
  }
  // A skipped resource is listed with no logical id at all, so compare with the template.
  const listed = new Set<string>();
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListStackResourcesCommand({ StackName: stackId, NextToken: nextToken }));
    page.StackResourceSummaries?.forEach(r => r.LogicalResourceId && listed.add(r.LogicalResourceId));
    nextToken = page.NextToken;
  } while (nextToken);
  const resources = Object.keys((template as { Resources?: object }).Resources ?? {});
  return { stackId: stackId!, skipped: resources.filter(id => !listed.has(id)) };
}

/** CreateLogGroup on moto (in `region`, us-east-1 unless given); a group that exists already is fine. */
export async function createLogGroup(moto: MotoServer, group: string, region = REGION): Promise<void> {
  await ignoreExisting(new CloudWatchLogsClient(clientConfig(moto, region)).send(new CreateLogGroupCommand({ logGroupName: group })));
}

/**
 * PutLogEvents of `messages` to `stream` of the existing `group`, creating the stream if needed. Timestamps default
 * to now, 1 ms apart; like CloudWatch Logs, moto rejects a batch out of chronological order and silently drops
 * events older than 14 days or over 2 hours ahead, which throws here
 * (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html).
 */
export async function putLogEvents(
  moto: MotoServer, group: string, stream: string, messages: string[], timestamps?: number[], region = REGION,
): Promise<void> {
  const client = new CloudWatchLogsClient(clientConfig(moto, region));
  await ignoreExisting(client.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream })));
  const now = Date.now();
  const result = await client.send(new PutLogEventsCommand({
    logGroupName: group,
    logStreamName: stream,
    logEvents: messages.map((message, i) => ({ message, timestamp: timestamps?.[i] ?? now + i })),
  }));
  if (result.rejectedLogEventsInfo) {
    throw new Error(`PutLogEvents to ${group}/${stream} rejected events: ${JSON.stringify(result.rejectedLogEventsInfo)}`);
  }
}

/**
 * An SDK client configuration for `moto`, whatever process.env says. One attempt: a retried CreateStack that
 * crashed moto half-way answers "Stack X already exists", which hides the real error.
 */
export function clientConfig(moto: MotoServer, region: string) {
  return { endpoint: moto.url, region, credentials: CREDENTIALS, maxAttempts: 1 };
}

async function ignoreExisting(request: Promise<unknown>): Promise<void> {
  try {
    await request;
  } catch (error) {
    if (!(error instanceof ResourceAlreadyExistsException)) throw error;
  }
}

async function stopGroup(child: ChildProcess, exited: () => boolean): Promise<void> {
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    if (exited()) return;
    try {
      process.kill(-child.pid!, signal);
    } catch {
      return; // the group is gone
    }
    const deadline = Date.now() + 5_000;
    while (!exited() && Date.now() < deadline) await sleep(20);
  }
}

/**
 * Runs `use` with the CLI environment of an IAM user without policies, against a moto server of its own that applies
 * IAM as AWS does from the third request on (the first two make the user and its key): AWS's refusals, for real.
 */
export async function asUserWithoutPolicies<T>(use: (env: Record<string, string>) => Promise<T>): Promise<T> {
  const strict = await startMoto({ authorizeAfter: 2 });
  try {
    const key = await userWithoutPolicies(strict, 'dev');
    return await use({
      AWS_ENDPOINT_URL_CLOUDFORMATION: strict.url,
      AWS_ACCESS_KEY_ID: key.accessKeyId,
      AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
      AWS_SESSION_TOKEN: '',
    });
  } finally {
    await strict.stop();
  }
}

/** A user of moto's IAM with no policy at all, and its access key: what AWS refuses everything. */
export async function userWithoutPolicies(moto: MotoServer, userName: string): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  const iam = new IAMClient(clientConfig(moto, REGION));
  await iam.send(new CreateUserCommand({ UserName: userName }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  return { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
}

/** An AWS error moto answered with: the HTTP status, the error's type and its message. */
export class AwsError extends Error {
  constructor(readonly status: number, readonly errorType: string, message: string) {
    super(`${status} ${errorType}: ${message}`);
  }
}

/** A request to an AWS API that takes and answers JSON. */
export interface AwsJsonRequest {
  /** The signing name: `sqs`, `scheduler`, ... */
  readonly service: string;
  readonly method: string;
  /** As sent: each segment URI-encoded. */
  readonly path: string;
  /** As sent, without `?`. */
  readonly query?: string;
  readonly headers?: Record<string, string>;
  /** The body, sent as JSON. */
  readonly input?: unknown;
  /** @default us-east-1 */
  readonly region?: string;
}

/**
 * One request to moto, signed for `service` with moto's dummy credentials, as the AWS SDKs send it; the JSON it answered
 * (undefined for an empty body). Throws AwsError for an error answer, after at most 10 s without one.
 */
export function awsJsonRequest(moto: MotoServer, request: AwsJsonRequest): Promise<any> {
  const url = new URL(moto.url);
  const body = Buffer.from(request.input === undefined ? '' : JSON.stringify(request.input));
  const headers = signRequest({
    method: request.method,
    path: request.path,
    query: request.query,
    headers: { Host: url.host, ...request.headers, ...(body.length ? { 'Content-Length': String(body.length) } : {}) },
    body,
    service: request.service,
    region: request.region ?? REGION,
    credentials: CREDENTIALS,
  });
  return new Promise((resolve, reject) => {
    const sent = http.request({
      host: url.hostname,
      port: url.port,
      method: request.method,
      path: request.query ? `${request.path}?${request.query}` : request.path,
      headers,
      timeout: 10_000,
    }, response => {
      const chunks: Buffer[] = [];
      response.on('data', chunk => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf-8');
        let answer: any;
        try {
          answer = text ? JSON.parse(text) : undefined;
        } catch {
          reject(new AwsError(response.statusCode ?? 0, 'NotJson', `${request.method} ${request.path}: ${text.slice(0, 500)}`));
          return;
        }
        const status = response.statusCode ?? 0;
        if (status >= 200 && status < 300) {
          resolve(answer);
        } else {
          // AWS JSON protocols name the error in __type (`namespace#Name`) or x-amzn-ErrorType (`Name:url`).
          const errorType = String(answer?.__type ?? response.headers['x-amzn-errortype'] ?? 'unknown').split(/[#:]/).filter(Boolean).pop()!;
          reject(new AwsError(status, errorType, String(answer?.message ?? answer?.Message ?? text)));
        }
      });
    });
    sent.on('timeout', () => sent.destroy(new Error(`moto did not answer ${request.method} ${request.path} within 10 s`)));
    sent.on('error', reject);
    sent.end(body);
  });
}

/**
 * An SQS action over its JSON protocol (AWS JSON 1.0, `X-Amz-Target: AmazonSQS.<action>`), as current SDKs call it
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/sqs-json-faqs.html).
 */
export function sqsAction(moto: MotoServer, action: string, input: object): Promise<any> {
  return awsJsonRequest(moto, {
    service: 'sqs',
    method: 'POST',
    path: '/',
    headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': `AmazonSQS.${action}` },
    input,
  });
}

/**
 * EventBridge Scheduler's CreateSchedule (`POST /schedules/{Name}`, REST-JSON): `input` is the request's body, GroupName
 * and Target included (https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html).
 */
export function createSchedule(moto: MotoServer, name: string, input: object): Promise<{ ScheduleArn: string }> {
  return awsJsonRequest(moto, {
    service: 'scheduler', method: 'POST', path: `/schedules/${encodeURIComponent(name)}`, headers: { 'Content-Type': 'application/json' }, input,
  });
}

/** EventBridge Scheduler's GetSchedule (`GET /schedules/{Name}?groupName=...`): the schedule as Scheduler keeps it. */
export function getSchedule(moto: MotoServer, name: string, groupName = 'default'): Promise<any> {
  return awsJsonRequest(moto, {
    service: 'scheduler', method: 'GET', path: `/schedules/${encodeURIComponent(name)}`, query: `groupName=${encodeURIComponent(groupName)}`,
  });
}
