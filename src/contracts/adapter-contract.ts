import { ApiType } from '../types';

/**
 * The contract between this construct and the Python adapter (lib-python/src/cdk_wsgi_adapter/config.py).
 *
 * Every value the adapter needs travels as a `CDK_WSGI_*` environment variable known at synth time, and the
 * warm-up schedule sends one fixed event shape. test/contract-parity.test.ts runs the Python side and compares the two:
 * changing a value on both sides passes it, and is still a breaking change.
 */

/** The Lambda handler string: the adapter lives in the layer at /opt/python/cdk_wsgi_adapter. */
export const ADAPTER_HANDLER = 'cdk_wsgi_adapter.handler';

/** The WSGI callable as `package.module:attr` (always the colon form). */
export const ENV_APP = 'CDK_WSGI_APP';

/** Extra media types the adapter returns as text, comma-separated (`type/subtype` or `type/*`). */
export const ENV_TEXT_MEDIA_TYPES = 'CDK_WSGI_TEXT_MEDIA_TYPES';

/** The REST API's binaryMediaTypes, comma-separated; set for REST APIs only. */
export const ENV_BINARY_MEDIA_TYPES = 'CDK_WSGI_BINARY_MEDIA_TYPES';

/** JSON object: custom domain name → base path without slashes (`""` when mapped at the root). */
export const ENV_BASE_PATHS = 'CDK_WSGI_BASE_PATHS';

/** `1` when the function's published versions use SnapStart: the adapter then registers its after-restore hook. */
export const ENV_SNAP_START = 'CDK_WSGI_SNAP_START';

/** JSON PrimeConfig: requests the adapter sends through the app at init, as the front door would. */
export const ENV_PRIME = 'CDK_WSGI_PRIME';

/** What the adapter needs to shape priming requests as `apiType`'s front door sends them to `host`. */
export interface PrimeConfig {
  readonly apiType: ApiType;
  /** The custom domain name when there is one, else the execute-api host. */
  readonly host: string;
  readonly stage: string;
  /** Absolute paths without query or percent-escapes (isPrimePath). */
  readonly paths: string[];
  /**
   * Milliseconds priming may take in all: the path in progress is stopped there and the rest skipped, so that init
   * stays within Lambda's limit.
   */
  readonly timeoutMillis: number;
}

// An absolute path of RFC 3986 pchars: what a priming request can carry without query or escapes to encode, and reads
// the same percent-encoded (REST) and decoded (HTTP APIs).
const PRIME_PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/]*$/;

/** Whether the adapter primes `path`: the construct refuses any other, and the adapter ignores a list holding one. */
export function isPrimePath(path: string): boolean {
  return PRIME_PATH.test(path);
}

/**
 * The per-deployment secret a WsgiApi's CloudFront distribution sends in ORIGIN_SECRET_HEADER: a request that carries
 * it came through the distribution, so the adapter takes the visitor's host and address from the VIEWER_* headers.
 * Resolved by CloudFormation from a generated Secrets Manager secret; unset without a distribution.
 */
export const ENV_ORIGIN_SECRET = 'CDK_WSGI_ORIGIN_SECRET';

/**
 * `0` when the distribution is the app's only way in (`distribution.allowDirectAccess: false`): the adapter answers an
 * HTTP request without the secret of ENV_ORIGIN_SECRET with a 403, never calling the app. Unset (or any other value)
 * serves such a request as a direct one.
 */
export const ENV_DIRECT_ACCESS = 'CDK_WSGI_DIRECT_ACCESS';

/**
 * `1` when the front door is the CLI's local stand-in, which speaks plain HTTP (`cdk-wsgi emulate`): the app then sees
 * http and the local port (X-Forwarded-Port), so the URLs it builds work for the client. Never set on Lambda.
 */
export const ENV_LOCAL_HTTP = 'CDK_WSGI_LOCAL_HTTP';

/** An origin custom header: CloudFront overwrites a viewer's header of the same name. */
export const ORIGIN_SECRET_HEADER = 'x-cdk-wsgi-origin-secret';

/**
 * Set by the distribution's viewer-request function from the visitor's Host (which the origin must not receive: an API
 * Gateway or function URL origin answers only its own host) and address.
 */
export const VIEWER_HOST_HEADER = 'x-cdk-wsgi-viewer-host';
export const VIEWER_ADDRESS_HEADER = 'x-cdk-wsgi-viewer-address';
/** `https` from the distribution, which redirects HTTP first; `http` from `cdk-wsgi serve`, standing in for it. */
export const VIEWER_PROTO_HEADER = 'x-cdk-wsgi-viewer-proto';

/** Every variable name starts with this prefix; user environment variables may not. */
export const ENV_PREFIX = 'CDK_WSGI_';

/** The `source` of the warm-up event; the adapter answers it without calling the app. */
export const WARM_UP_SOURCE = 'cdk-wsgi.warm-up';

/** The most execution environments one warm-up event keeps warm; the adapter caps a larger count at this. */
export const WARM_UP_MAX_CONCURRENCY = 100;

/** The event the warm-up schedule sends: `concurrency` environments are kept warm. */
export function warmUpEvent(concurrency: number): { source: string; concurrency: number } {
  return { source: WARM_UP_SOURCE, concurrency };
}

/** `0` turns the adapter's management commands off (`managementCommands: false`); unset leaves them on. */
export const ENV_MANAGEMENT = 'CDK_WSGI_MANAGEMENT';

/**
 * The alias through which the adapter accepts management commands (besides a numbered version, which deploy tasks
 * invoke): invoke rights on `live`, which front doors and callers of the app hold, never grant a shell.
 */
export const MANAGE_ALIAS_NAME = 'manage';

/** The `source` of a management command event, which only a direct Invoke can send (no front door sets it). */
export const COMMAND_SOURCE = 'cdk-wsgi.command';

/**
 * What a management command runs (Python code, a shell command, Django's manage.py, or the Flask CLI), and the event
 * field holding it: code (python) and command (shell) are strings, args (manage, flask) lists.
 */
export const COMMAND_FIELDS = { python: 'code', shell: 'command', manage: 'args', flask: 'args' } as const;

export type CommandKind = keyof typeof COMMAND_FIELDS;

/** The event that runs `kind`. */
export function commandEvent(kind: CommandKind, command: string | string[]): Record<string, unknown> {
  return { source: COMMAND_SOURCE, kind, [COMMAND_FIELDS[kind]]: command };
}

/** The adapter's answer: the exit status, and the output chunks of each stream in the order written. */
export interface CommandAnswer {
  readonly exitCode: number;
  readonly output: Array<['stdout' | 'stderr', string]>;
  /** True when the middle of the output was cut to fit Lambda's 6 MB response (a stderr chunk says where). */
  readonly truncated: boolean;
}

/**
 * The field a scheduled command's event adds to commandEvent: the schedule's name. The adapter then logs the output
 * and, when the command exits non-zero, fails the invocation, so that the scheduler's retries and the function's
 * error metrics see it.
 */
export const SCHEDULE_FIELD = 'schedule';

/**
 * The errorType of the invocation a scheduled command fails when it exits non-zero (the adapter's exception class);
 * its errorMessage ends with SCHEDULED_EXIT and the exit status.
 */
export const SCHEDULED_COMMAND_ERROR = 'ScheduledCommandError';
export const SCHEDULED_EXIT = 'exited with ';

/** The command event a schedule sends: `commandEvent` plus the schedule's name. */
export function scheduledCommandEvent(command: Record<string, unknown>, schedule: string): Record<string, unknown> {
  return { ...command, [SCHEDULE_FIELD]: schedule };
}

/**
 * The `source` of a background task event, which the function sends itself (an asynchronous Invoke of `live`):
 * `{ source: TASK_SOURCE, task: 'module:qualname', args: [...], kwargs: {...} }`. The adapter runs only a function
 * registered with `cdk_wsgi_adapter.task` under that name, from a module in the function's code.
 */
export const TASK_SOURCE = 'cdk-wsgi.task';

/** The fields of a task event besides `source`: the registered name, the positional and the keyword arguments. */
export const TASK_FIELDS = { name: 'task', args: 'args', kwargs: 'kwargs' } as const;

/** The task event that runs `name` with JSON `args` and `kwargs`. */
export function taskEvent(name: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}): Record<string, unknown> {
  return { source: TASK_SOURCE, [TASK_FIELDS.name]: name, [TASK_FIELDS.args]: args, [TASK_FIELDS.kwargs]: kwargs };
}

/**
 * `1` when the function may queue background tasks (`backgroundTasks`): `.delay()` then invokes the function's own
 * `live` alias asynchronously. Unset, `.delay()` on Lambda raises, naming the prop.
 */
export const ENV_BACKGROUND_TASKS = 'CDK_WSGI_BACKGROUND_TASKS';

/** The alias a background task is queued on: the app's own, where its code and settings are. */
export const TASK_ALIAS_NAME = 'live';

/** Lambda's limit on an asynchronous invocation's payload, in bytes (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html). */
export const ASYNC_PAYLOAD_LIMIT = 1024 * 1024;

/**
 * JSON list of EventHandlerEntry: the callables `addEventHandler` registered, and the events each one takes. The
 * adapter hands a matching event to `handler(event, context)` and returns what it returns (an SQS or stream batch's
 * `batchItemFailures` included); an event no entry matches is logged and fails the invocation.
 */
export const ENV_EVENT_HANDLERS = 'CDK_WSGI_EVENT_HANDLERS';

/**
 * The kinds of event a handler can take, as the event names its source: `Records[0].eventSource` for SQS, Kinesis,
 * DynamoDB streams and S3, `Records[0].EventSource` for SNS; RULE_EVENT_SOURCE for an EventBridge rule's event,
 * which reaches the function wrapped (ruleEvent).
 */
export const EVENT_SOURCE_KINDS = ['aws:sqs', 'aws:kinesis', 'aws:dynamodb', 'aws:s3', 'aws:sns', 'cdk-wsgi.event'] as const;
export type EventSourceKind = typeof EVENT_SOURCE_KINDS[number];

/** One registered event handler. */
export interface EventHandlerEntry {
  /** The callable as `package.module:attr` (always the colon form). */
  readonly handler: string;
  readonly source: EventSourceKind;
  /**
   * Which source of that kind: the queue's, stream's, bucket's or topic's ARN as the event carries it
   * (`Records[0].eventSourceARN`; S3 `Records[0].s3.bucket.arn`; SNS `Records[0].Sns.TopicArn`), or for an EventBridge
   * rule the handler's own name (ruleEvent's `handler`).
   */
  readonly arn: string;
}

/**
 * The `source` of an EventBridge rule's event as `addEventHandler` delivers it: EventBridge events do not name the
 * rule that matched them, so the rule's target wraps each one, naming the handler.
 */
export const RULE_EVENT_SOURCE = 'cdk-wsgi.event';

/** The wrapper around an EventBridge event: `event` is the rule's event as EventBridge sends it. */
export const RULE_EVENT_FIELDS = { handler: 'handler', event: 'event' } as const;

/** CloudFormation metadata key on the function, holding its ServeMetadata. */
export const METADATA_KEY = 'cdk-wsgi';

/**
 * What the CLI reads from the function's metadata, besides its template properties: every WsgiFunction has it (the
 * remote commands find functions by it), and a front door adds its type and stage (for `cdk-wsgi serve`).
 */
export interface ServeMetadata {
  /** `entry` relative to the directory the app was synthesized from, with `/` separators. */
  readonly entry: string;
  /** Undefined for a WsgiFunction without a front door of ours. */
  readonly apiType?: ApiType;
  readonly stageName?: string;
  /** True when the WsgiApi's CloudFront distribution is in front of the front door. */
  readonly distribution?: boolean;
  /** The folder the distribution serves under `urlPath` (as `entry`, relative), when it serves static files. */
  readonly staticFiles?: { readonly directory: string; readonly urlPath: string };
  /** The function's schedules (`schedules`), for `cdk-wsgi schedules`. */
  readonly schedules?: ScheduleMetadata[];
  /** Its `deployTasks`, as the runner gets them (DeployTaskSpec), for `cdk-wsgi tasks`. */
  readonly deployTasks?: Array<{ readonly label: string; readonly event: Record<string, unknown> }>;
  /** Its `prime` paths and timeout, which `cdk-wsgi serve` primes with: ENV_PRIME's host may be a deploy-time token. */
  readonly prime?: { readonly paths: string[]; readonly timeoutMillis: number };
}

/** What `cdk-wsgi schedules` shows of a schedule, and runs: the same event the scheduler sends. */
export interface ScheduleMetadata {
  /** Unique among the function's schedules: the name `cdk-wsgi schedules run` takes. */
  readonly name: string;
  /** As EventBridge Scheduler takes it: `rate(1 day)`, `cron(0 3 * * ? *)` or `at(2027-01-01T00:00:00)`. */
  readonly expression: string;
  /** The IANA time zone of a cron or at expression; UTC when unset. */
  readonly timeZone?: string;
  readonly description?: string;
  /** The task's label (WsgiTask.label). */
  readonly task: string;
  /** The event the scheduler sends to the `manage` alias (scheduledCommandEvent). */
  readonly event: Record<string, unknown>;
}
