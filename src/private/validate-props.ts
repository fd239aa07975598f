import { Annotations, Duration, SizeRoundingBehavior, Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ENV_PREFIX, isPrimePath, WARM_UP_MAX_CONCURRENCY } from '../contracts/adapter-contract';
import { ApiType, WsgiApiCorsOptions, WsgiApiDomainOptions, WsgiApiProvisionedConcurrency, WsgiBackgroundTasksOptions, WsgiSchedule } from '../types';
import type { WsgiTask } from '../wsgi-task';
import { ADAPTER_RUNTIMES, NEWEST_ADAPTER_RUNTIME } from './adapter-layer-asset';
import {
  DEFAULT_MEMORY_SIZE, DEFAULT_PRIME_TIMEOUT_SECONDS, DEFAULT_UTILIZATION_TARGET, DEFAULT_WARM_UP_INTERVAL_MINUTES, INIT_LIMIT_SECONDS,
  MAX_FUNCTION_TIMEOUT_SECONDS, MAX_INTEGRATION_TIMEOUT_SECONDS, PREINITIALIZED_INIT_LIMIT_SECONDS,
} from '../contracts/defaults';
import { propError } from '../shared/prop-error';

// Characters API Gateway allows in a base path mapping (rest-api-mappings.md), at most 300 of them.
const BASE_PATH = /^[A-Za-z0-9$\-_.+!*'()]+(\/[A-Za-z0-9$\-_.+!*'()]+)*$/;
const MEDIA_TYPE = /^[A-Za-z0-9!#$&^_.+-]+\/(\*|[A-Za-z0-9!#$&^_.+-]+)$/;

const isSet = (value: unknown): boolean => value !== undefined && !Token.isUnresolved(value);

/**
 * The runtime must be one the adapter is built for (ADAPTER_RUNTIMES), compared by name so that a
 * `new Runtime('python3.12', RuntimeFamily.PYTHON)` of the user's counts too. Python 3.10 and older are deprecated
 * on Lambda (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html); a Python newer than the adapter's
 * newest has neither its bytecode nor its tests yet.
 */
export function validateRuntime(runtime: lambda.Runtime): void {
  const [oldest, newest] = [ADAPTER_RUNTIMES[0], NEWEST_ADAPTER_RUNTIME];
  if (runtime.family !== lambda.RuntimeFamily.PYTHON) {
    throw propError('runtime', 'must be a Python runtime', runtime.name, `use e.g. Runtime.${constantOf(newest)}`);
  }
  if (ADAPTER_RUNTIMES.some(supported => supported.name === runtime.name)) return;
  if (versionKey(runtime) < versionKey(oldest)) {
    throw propError('runtime', `must be ${oldest.name} or newer (older Pythons are deprecated on Lambda)`, runtime.name,
      `use Runtime.${constantOf(newest)}, the default, or Runtime.${constantOf(oldest)} at the oldest`);
  }
  throw propError('runtime', `must be one the cdk-wsgi adapter is built for, ${oldest.name} to ${newest.name}`, runtime.name,
    `use Runtime.${constantOf(newest)}, or a cdk-wsgi release that supports ${runtime.name}`);
}

/** `python3.9` -> 3009, `python3.14` -> 3014: versions in the order of their numbers (NaN for another name). */
function versionKey(runtime: lambda.Runtime): number {
  const match = /^python(\d+)\.(\d+)$/.exec(runtime.name);
  return match ? Number(match[1]) * 1000 + Number(match[2]) : NaN;
}

/** `python3.14` -> `PYTHON_3_14`, the name of its `Runtime` constant. */
function constantOf(runtime: lambda.Runtime): string {
  return runtime.name.toUpperCase().replace(/^PYTHON(\d+)\.(\d+)$/, 'PYTHON_$1_$2');
}

export function validateTimeout(timeout: Duration, apiType: ApiType): void {
  if (!Token.isUnresolved(timeout.toSeconds()) && timeout.toSeconds() > MAX_FUNCTION_TIMEOUT_SECONDS) {
    throw propError('timeout', `must be at most ${MAX_FUNCTION_TIMEOUT_SECONDS / 60} minutes, Lambda's limit`, timeout.toHumanString(),
      'lower timeout, and run longer work as a job of its own');
  }
  // A function URL or a load balancer waits as long as the function runs.
  const max = MAX_INTEGRATION_TIMEOUT_SECONDS;
  if ((apiType === ApiType.REST || apiType === ApiType.HTTP) && !Token.isUnresolved(timeout.toSeconds()) && timeout.toSeconds() > max) {
    throw propError('timeout', `must be at most ${max} seconds behind ${apiType === ApiType.REST ? 'a REST' : 'an HTTP'} API`,
      timeout.toHumanString(), `API Gateway answers 504 after ${max} seconds while the function would run on; lower timeout, `
      + 'or use ApiType.FUNCTION_URL');
  }
}

export function validateEnvironment(environment: { [key: string]: string } | undefined): void {
  const reserved = Object.keys(environment ?? {}).find(k => k.startsWith(ENV_PREFIX));
  if (reserved) {
    throw propError('environment', `must not set ${ENV_PREFIX}* variables, which WsgiApi sets for the adapter`, reserved,
      'use the matching WsgiApi prop (module, textMediaTypes, binaryMediaTypes, customDomain) instead');
  }
}

export function validateMediaTypes(prop: string, mediaTypes: string[] | undefined, allowAny: boolean): void {
  for (const mediaType of mediaTypes ?? []) {
    if (!isSet(mediaType)) continue;
    if (mediaType === '*/*' ? !allowAny : !MEDIA_TYPE.test(mediaType)) {
      throw propError(prop, `entries must be 'type/subtype' or 'type/*'${allowAny ? " or '*/*'" : ''}`, mediaType,
        "write a media type without parameters, e.g. 'application/vnd.api+json'");
    }
  }
}

export function validateThrottling(rateLimit: number | undefined, burstLimit: number | undefined): void {
  if (isSet(rateLimit) && !(rateLimit! >= 0)) {
    throw propError('throttlingRateLimit', 'must be zero or more requests per second', rateLimit, 'pass a non-negative number');
  }
  if (isSet(burstLimit) && !(Number.isInteger(burstLimit) && burstLimit! >= 0)) {
    throw propError('throttlingBurstLimit', 'must be a whole number of requests, zero or more', burstLimit, 'pass a non-negative integer');
  }
}

export function validateCustomDomain(domain: WsgiApiDomainOptions, apiType: ApiType): void {
  if (domain.domain) {
    // The shared domain holds these; an app's own would be ignored.
    const own = {
      domainName: domain.domainName,
      certificate: domain.certificate,
      hostedZone: domain.hostedZone,
      endpointType: domain.endpointType,
      securityPolicy: domain.securityPolicy,
    };
    for (const [prop, value] of Object.entries(own)) {
      if (value !== undefined) {
        throw propError(`customDomain.${prop}`, 'belongs to the WsgiDomain given as customDomain.domain', prop === 'certificate' || prop === 'hostedZone' ? `a ${prop}` : value,
          'remove it (set it on the WsgiDomain), or drop customDomain.domain for a domain of this app\'s own');
      }
    }
  } else if (domain.domainName === undefined || domain.certificate === undefined) {
    throw propError(domain.domainName === undefined ? 'customDomain.domainName' : 'customDomain.certificate',
      'is required for a domain of the app\'s own', undefined, 'give domainName and certificate, or a shared WsgiDomain as customDomain.domain');
  }
  const endpointType = domain.endpointType ?? apigateway.EndpointType.REGIONAL;
  if (![apigateway.EndpointType.REGIONAL, apigateway.EndpointType.EDGE].includes(endpointType)) {
    throw propError('customDomain.endpointType', 'must be REGIONAL or EDGE', endpointType, 'use EndpointType.REGIONAL');
  }
  if (apiType === ApiType.HTTP && endpointType !== apigateway.EndpointType.REGIONAL) {
    throw propError('customDomain.endpointType', 'must be REGIONAL for an HTTP API', endpointType,
      'use EndpointType.REGIONAL, or apiType ApiType.REST for an edge-optimized domain');
  }

  const policy = domain.securityPolicy ?? apigateway.SecurityPolicy.TLS_1_2;
  if (policy === apigateway.SecurityPolicy.TLS_1_0) {
    throw propError('customDomain.securityPolicy', 'must be TLS 1.2 or newer', policy, 'use SecurityPolicy.TLS_1_2');
  }
  if (apiType === ApiType.HTTP && policy !== apigateway.SecurityPolicy.TLS_1_2) {
    throw propError('customDomain.securityPolicy', 'must be TLS_1_2 for an HTTP API', policy,
      'use SecurityPolicy.TLS_1_2, or apiType ApiType.REST for the newer policies');
  }

  const basePath = domain.basePath;
  if (basePath === undefined || Token.isUnresolved(basePath)) return;
  if (basePath.startsWith('/') || basePath.endsWith('/')) {
    throw propError('customDomain.basePath', "must not start or end with '/'", basePath, `use '${basePath.replace(/^\/+|\/+$/g, '')}'`);
  }
  if (basePath === '') {
    throw propError('customDomain.basePath', 'must not be empty', basePath, 'omit basePath to map the API at the root of the domain');
  }
  if (basePath.length > 300 || !BASE_PATH.test(basePath)) {
    throw propError('customDomain.basePath', "must be at most 300 letters, digits and $-_.+!*'() separated by single '/'", basePath,
      'choose a base path API Gateway accepts, e.g. v1 or api/v1');
  }
  if (basePath.includes('/') && endpointType !== apigateway.EndpointType.REGIONAL) {
    throw propError('customDomain.basePath', 'can only be multi-level on a REGIONAL domain', basePath,
      'use endpointType EndpointType.REGIONAL or a single-level base path');
  }
}

export function validateWarmUp(interval: Duration, concurrency: number): void {
  const minutes = interval.toSeconds() / 60;
  if (!Token.isUnresolved(interval.toSeconds()) && !(Number.isInteger(minutes) && minutes >= 1)) {
    throw propError('warmUp.interval', 'must be a whole number of minutes, at least one', interval.toHumanString(),
      `use e.g. Duration.minutes(${DEFAULT_WARM_UP_INTERVAL_MINUTES})`);
  }
  if (!Token.isUnresolved(concurrency) && !(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= WARM_UP_MAX_CONCURRENCY)) {
    throw propError('warmUp.concurrency', `must be a whole number from 1 to ${WARM_UP_MAX_CONCURRENCY}`, concurrency,
      'keep more environments ready with provisioned concurrency instead');
  }
}

/** SnapStart where Lambda offers it: Python 3.12 or newer, and never with provisioned concurrency. */
export function validateSnapStart(snapStart: lambda.SnapStartConf | undefined, runtime: lambda.Runtime,
  provisioned: WsgiApiProvisionedConcurrency | undefined): void {
  if (!snapStart) return;
  if (!runtime.supportsSnapStart) {
    throw propError('snapStart', 'needs a runtime with SnapStart, Python 3.12 or newer', runtime.name,
      'use Runtime.PYTHON_3_12 or newer, or leave snapStart out');
  }
  if (provisioned) {
    throw propError('provisionedConcurrency', 'cannot be combined with snapStart (Lambda supports one or the other)',
      provisioned.minimum, 'keep one of them; provisioned concurrency has no restore latency at all');
  }
}

/** Provisioned concurrency belongs on the live alias, in whole environments, scaled within Lambda's target range. */
export function validateProvisionedConcurrency(scope: Construct, provisioned: WsgiApiProvisionedConcurrency | undefined,
  versionOptions: lambda.VersionOptions | undefined, warmUp: unknown): void {
  if (versionOptions?.provisionedConcurrentExecutions !== undefined) {
    throw propError('currentVersionOptions.provisionedConcurrentExecutions', 'would apply to the version, not the live alias',
      versionOptions.provisionedConcurrentExecutions, 'use provisionedConcurrency: { minimum } instead');
  }
  if (!provisioned) return;
  const { minimum, maximum, utilizationTarget } = provisioned;
  if (isSet(minimum) && !(Number.isInteger(minimum) && minimum >= 1)) {
    throw propError('provisionedConcurrency.minimum', 'must be a whole number, at least 1', minimum,
      'leave provisionedConcurrency out for none');
  }
  if (isSet(maximum) && !(Number.isInteger(maximum) && (!isSet(minimum) || maximum! >= minimum))) {
    throw propError('provisionedConcurrency.maximum', `must be a whole number, at least minimum (${minimum})`, maximum,
      'raise maximum, or leave it out for a fixed minimum');
  }
  if (utilizationTarget !== undefined && maximum === undefined) {
    throw propError('provisionedConcurrency.utilizationTarget', 'only steers scaling, which needs maximum', utilizationTarget,
      'set maximum too, or leave utilizationTarget out');
  }
  if (isSet(utilizationTarget) && !(utilizationTarget! >= 0.1 && utilizationTarget! <= 0.9)) {
    throw propError('provisionedConcurrency.utilizationTarget', 'must be from 0.1 to 0.9', utilizationTarget,
      `use e.g. ${DEFAULT_UTILIZATION_TARGET}`);
  }
  if (warmUp) {
    Annotations.of(scope).addWarningV2('cdk-wsgi:warmUpWithProvisionedConcurrency',
      'warmUp and provisionedConcurrency both keep environments initialized, and you pay for both; remove warmUp');
  }
}

/** The function's logs go to the group WsgiApi defines (with functionLogRetention) or to the user's logGroup. */
export function validateFunctionLogs(logRetention: unknown, logGroup: unknown, functionLogRetention: unknown): void {
  if (logRetention !== undefined) {
    throw propError('logRetention', 'is replaced by the log group WsgiApi gives the function', logRetention,
      'use functionLogRetention instead');
  }
  if (logGroup !== undefined && functionLogRetention !== undefined) {
    throw propError('functionLogRetention', 'applies to the log group WsgiApi creates, and logGroup replaces it',
      functionLogRetention, 'set the retention on your logGroup instead');
  }
}

/**
 * Priming's paths, and its time budget within the init limit: Lambda's 10 seconds, or with environments initialized
 * ahead of requests (SnapStart, provisioned concurrency) the longer of 130 seconds and the function's timeout.
 */
export function validatePrime(paths: string[] | undefined, timeout: Duration | undefined, preinitialized: boolean,
  functionTimeout: Duration): void {
  for (const primePath of paths ?? []) {
    if (isSet(primePath) && !isPrimePath(primePath)) {
      throw propError('prime', "entries must be absolute paths of plain URL characters, without query or '%' escapes",
        primePath, "write a path such as '/' or '/health'");
    }
  }
  if (timeout === undefined || Token.isUnresolved(timeout.toMilliseconds())) return;
  const millis = timeout.toMilliseconds();
  const limit = preinitialized ? Math.max(PREINITIALIZED_INIT_LIMIT_SECONDS, functionTimeout.toSeconds()) : INIT_LIMIT_SECONDS;
  if (!(millis > 0 && millis < limit * 1000)) {
    throw propError('primeTimeout', `must be more than 0 and less than Lambda's ${limit}-second init limit`
      + `${preinitialized ? '' : ' (longer with snapStart or provisionedConcurrency)'}, which the app's import shares`,
    timeout.toHumanString(), `use e.g. Duration.seconds(${DEFAULT_PRIME_TIMEOUT_SECONDS})`);
  }
  if (!paths?.length) {
    throw propError('primeTimeout', 'bounds priming, and prime names no paths', timeout.toHumanString(),
      'set prime too, or leave primeTimeout out');
  }
}

/** The numeric FunctionOptions Lambda bounds, checked before CloudFormation would refuse them at deploy time. */
export function validateFunctionSizes(props: lambda.FunctionOptions): void {
  // https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
  const { memorySize, ephemeralStorageSize, reservedConcurrentExecutions, retryAttempts, maxEventAge } = props;
  if (isSet(memorySize) && !(Number.isInteger(memorySize) && memorySize! >= 128 && memorySize! <= 10_240)) {
    throw propError('memorySize', 'must be a whole number of MiB from 128 to 10240', memorySize,
      `use e.g. ${DEFAULT_MEMORY_SIZE}, the default`);
  }
  const storage = ephemeralStorageSize && !ephemeralStorageSize.isUnresolved()
    ? ephemeralStorageSize.toMebibytes({ rounding: SizeRoundingBehavior.NONE }) : undefined;
  if (storage !== undefined && !(Number.isInteger(storage) && storage >= 512 && storage <= 10_240)) {
    throw propError('ephemeralStorageSize', 'must be a whole number of MiB from 512 to 10240', `${storage} MiB`,
      'use e.g. Size.mebibytes(1024), or leave it out for 512');
  }
  if (isSet(reservedConcurrentExecutions) && !(Number.isInteger(reservedConcurrentExecutions) && reservedConcurrentExecutions! >= 0)) {
    throw propError('reservedConcurrentExecutions', 'must be a whole number, zero or more', reservedConcurrentExecutions,
      'use e.g. 10, or leave it out for the account\'s unreserved concurrency');
  }
  if (isSet(retryAttempts) && !(Number.isInteger(retryAttempts) && retryAttempts! >= 0 && retryAttempts! <= 2)) {
    throw propError('retryAttempts', 'must be 0, 1 or 2 (Lambda\'s retries of an asynchronous invocation)', retryAttempts,
      'use e.g. 0');
  }
  const age = maxEventAge && !Token.isUnresolved(maxEventAge.toSeconds()) ? maxEventAge.toSeconds() : undefined;
  if (age !== undefined && !(age >= 60 && age <= 21_600)) {
    throw propError('maxEventAge', 'must be from 1 minute to 6 hours', maxEventAge!.toHumanString(), 'use e.g. Duration.hours(1)');
  }
}

/** Deploy tasks are management commands: the adapter refuses them (exit code 126) when those are turned off. */
export function validateDeployTasks(tasks: WsgiTask[] | undefined, managementCommands: boolean | undefined): void {
  if (tasks?.length && managementCommands === false) {
    throw propError('deployTasks', 'are management commands, which managementCommands: false turns off',
      tasks.map(task => task.label), 'remove managementCommands: false, or the deployTasks');
  }
}

// What EventBridge Scheduler takes (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html): a
// rate in whole minutes, hours or days; a cron of six fields; a one-time at() to the second.
const SCHEDULE_EXPRESSION = /^(rate\([1-9]\d* (minute|minutes|hour|hours|day|days)\)|cron\(\S+( \S+){5}\)|at\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\))$/;
// A name `cdk-wsgi schedules run` takes, in the characters Scheduler allows in its own names.
export const SCHEDULE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const SCHEDULE_DESCRIPTION_LENGTH = 512;

/**
 * Schedules run management commands, so they need them; their names are unique and safe to type, and their expressions
 * are strings Scheduler takes (and `cdk-wsgi schedules` reads), not tokens.
 */
export function validateSchedules(schedules: WsgiSchedule[] | undefined, managementCommands: boolean | undefined): void {
  if (!schedules?.length) return;
  if (managementCommands === false) {
    throw propError('schedules', 'run management commands, which managementCommands: false turns off',
      schedules.map(s => s.task.label), 'remove managementCommands: false, or the schedules');
  }
  const seen = new Set<string>();
  schedules.forEach(({ name, schedule, description }, index) => {
    if (name !== undefined) {
      if (Token.isUnresolved(name) || !SCHEDULE_NAME.test(name)) {
        throw propError(`schedules[${index}].name`, 'must be 1 to 64 letters, digits, \'.\', \'_\' and \'-\', starting with a letter or digit',
          name, "use e.g. 'clearsessions', or leave it out for a name from the task");
      }
      if (seen.has(name)) {
        throw propError(`schedules[${index}].name`, 'must be unique among the function\'s schedules (cdk-wsgi schedules run takes it)',
          name, 'give each schedule a name of its own');
      }
      seen.add(name);
    }
    const expression = schedule.expressionString;
    if (Token.isUnresolved(expression) || !SCHEDULE_EXPRESSION.test(expression)) {
      throw propError(`schedules[${index}].schedule`, 'must be a rate, cron or at expression known at synth', expression,
        'use ScheduleExpression.rate(...), .cron({...}) or .at(date)');
    }
    if (schedule.timeZone !== undefined && Token.isUnresolved(schedule.timeZone.timezoneName)) {
      throw propError(`schedules[${index}].schedule`, 'must have a time zone known at synth', schedule.timeZone.timezoneName,
        'use a TimeZone constant, e.g. TimeZone.EUROPE_PARIS');
    }
    if (isSet(description) && description!.length > SCHEDULE_DESCRIPTION_LENGTH) {
      throw propError(`schedules[${index}].description`, `must be at most ${SCHEDULE_DESCRIPTION_LENGTH} characters, Scheduler's limit`,
        `${description!.length} characters`, 'shorten it');
    }
  });
}

/** Lambda's bounds on an asynchronous invocation's retries and age (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html). */
export function validateBackgroundTasks(options: WsgiBackgroundTasksOptions | undefined): void {
  if (!options) return;
  const { retryAttempts, maxEventAge } = options;
  if (isSet(retryAttempts) && !(Number.isInteger(retryAttempts) && retryAttempts! >= 0 && retryAttempts! <= 2)) {
    throw propError('backgroundTasks.retryAttempts', 'must be 0, 1 or 2 (Lambda\'s retries of an asynchronous invocation)', retryAttempts,
      'use e.g. 2, the default, or 0 not to retry failed tasks');
  }
  const age = maxEventAge && !Token.isUnresolved(maxEventAge.toSeconds()) ? maxEventAge.toSeconds() : undefined;
  if (age !== undefined && !(age >= 60 && age <= 21_600)) {
    throw propError('backgroundTasks.maxEventAge', 'must be from 1 minute to 6 hours', maxEventAge!.toHumanString(),
      'use e.g. Duration.hours(6), the default');
  }
}

/** REST-only props set on an HTTP API do nothing; say so instead of failing or staying silent. */
export function warnRestOnlyProps(scope: Construct, props: Record<string, unknown>): void {
  for (const [prop, value] of Object.entries(props)) {
    if (value !== undefined) {
      Annotations.of(scope).addWarningV2(`cdk-wsgi:${prop}Ignored`,
        `${prop} applies to REST APIs only and is ignored with ApiType.HTTP; remove it or use ApiType.REST`);
    }
  }
}

/**
 * Each front door's own props, refused with the others so that no prop is silently ignored: API Gateway's (stage,
 * throttling, logs, domain) with a function URL or a load balancer, `functionUrlAuthType` without a function URL,
 * and `loadBalancer` without ApiType.ALB, which needs it.
 */
export function validateFrontDoorProps(apiType: ApiType, apiGatewayProps: Record<string, unknown>,
  own: { functionUrlAuthType?: unknown; loadBalancer?: unknown; authorizer?: unknown; httpAuthorizer?: unknown }): void {
  const onlyWith: Array<[keyof typeof own, ApiType]> = [['functionUrlAuthType', ApiType.FUNCTION_URL], ['loadBalancer', ApiType.ALB],
    ['authorizer', ApiType.REST], ['httpAuthorizer', ApiType.HTTP]];
  for (const [prop, type] of onlyWith) {
    if (own[prop] !== undefined && apiType !== type) {
      throw propError(prop, `applies to ApiType.${type} only, not to ApiType.${apiType}`, typeof own[prop] === 'object' ? `a ${prop}` : own[prop],
        `remove it, or use apiType: ApiType.${type}`);
    }
  }
  if (apiType === ApiType.ALB && own.loadBalancer === undefined) {
    throw propError('loadBalancer', 'is required with ApiType.ALB', undefined, 'give loadBalancer: { listener, priority }');
  }
  if (apiType === ApiType.REST || apiType === ApiType.HTTP) return;
  for (const [prop, value] of Object.entries(apiGatewayProps)) {
    if (value !== undefined) {
      throw propError(prop, `configures API Gateway, which ApiType.${apiType} does not use`, value,
        `remove ${prop}, or use ApiType.REST or ApiType.HTTP`);
    }
  }
}

/** Origins browsers accept: `*` alone, and never with credentials (browsers refuse that answer). */
export function validateCors(cors: WsgiApiCorsOptions | undefined, apiType: ApiType): void {
  if (!cors) return;
  if (apiType === ApiType.ALB) {
    throw propError('cors', 'is answered by API Gateway or a function URL, not by a load balancer', 'set',
      'remove cors and answer preflights in the app (flask-cors, django-cors-headers), or use another apiType');
  }
  if (cors.allowOrigins.length === 0) {
    throw propError('cors.allowOrigins', 'must name at least one origin', cors.allowOrigins, "add one, e.g. 'https://www.example.com'");
  }
  if (cors.allowOrigins.includes('*') && (cors.allowOrigins.length > 1 || cors.allowCredentials)) {
    throw propError('cors.allowOrigins', cors.allowCredentials ? "must name origins with allowCredentials (browsers refuse '*' then)"
      : "must be '*' alone or origins", cors.allowOrigins, 'list the origins the app serves');
  }
}
