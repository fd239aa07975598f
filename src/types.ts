import { Duration } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type { WsgiDomain } from './wsgi-domain';
import type { WsgiTask } from './wsgi-task';

/**
 * The front door that sends requests to the WSGI app: an API Gateway API, a Lambda function URL, or a load balancer.
 */
export enum ApiType {
  /**
   * API Gateway REST API (payload format 1.0): binary media types, compression, X-Ray, usage plans.
   *
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-vs-rest.html
   */
  REST = 'REST',

  /**
   * API Gateway HTTP API (payload format 2.0): lower latency and price, fewer features.
   *
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-vs-rest.html
   */
  HTTP = 'HTTP',

  /**
   * A Lambda function URL on the `live` alias (payload format 2.0): no API Gateway and its cost, no 29-second limit
   * (the function's timeout, up to 15 minutes), 6 MB requests and responses, no stage, no custom domain of its own.
   *
   * @see https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html
   */
  FUNCTION_URL = 'FUNCTION_URL',

  /**
   * An Application Load Balancer listener rule forwarding to a Lambda target group on the `live` alias, with
   * multi-value headers: requests and responses up to 1 MB, no stage, the load balancer's own domain and TLS.
   *
   * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html
   */
  ALB = 'ALB',
}

/**
 * A custom domain name for the API: a domain of its own (`domainName` and `certificate`), or a `WsgiDomain` that
 * several apps share, each under its own `basePath`.
 */
export interface WsgiApiDomainOptions {
  /**
   * A domain several apps share: the API is mapped on it at `basePath`, and the domain keeps its own certificate and
   * DNS record (`domainName`, `certificate`, `hostedZone`, `endpointType` and `securityPolicy` are then refused).
   *
   * @default - a domain of the API's own, from `domainName` and `certificate`
   */
  readonly domain?: WsgiDomain;

  /**
   * The custom domain name, e.g. `api.example.com`. Required unless `domain` is given.
   *
   * @default - none; required without `domain`
   */
  readonly domainName?: string;

  /**
   * The ACM certificate for `domainName`. Required unless `domain` is given.
   *
   * An EDGE domain needs a certificate in us-east-1; a REGIONAL domain needs one in the API's Region.
   *
   * @default - none; required without `domain`
   */
  readonly certificate?: acm.ICertificate;

  /**
   * The path under the domain where the API is mapped, without leading or trailing `/`.
   *
   * The app sees it in `SCRIPT_NAME`, so the URLs it builds include it. Multi-level paths (`v1/api`)
   * need a REGIONAL endpoint.
   *
   * @default - the API is mapped at the root of the domain
   */
  readonly basePath?: string;

  /**
   * A Route 53 hosted zone in which to define an alias record for `domainName`.
   *
   * @default - no DNS record is defined; point `domainName` at the API's domain yourself
   */
  readonly hostedZone?: route53.IHostedZone;

  /**
   * The endpoint type of the domain. HTTP APIs support REGIONAL only.
   *
   * @default EndpointType.REGIONAL
   */
  readonly endpointType?: apigateway.EndpointType;

  /**
   * The TLS version and cipher suite of the domain; TLS 1.2 is the minimum. HTTP APIs support TLS_1_2 only.
   *
   * @default SecurityPolicy.TLS_1_2
   */
  readonly securityPolicy?: apigateway.SecurityPolicy;
}

/**
 * Cross-origin requests from browsers: what the front door answers to a preflight `OPTIONS`, in its own way.
 */
export interface WsgiApiCorsOptions {
  /**
   * The origins allowed, e.g. `['https://www.example.com']`, or `['*']` for any (not with `allowCredentials`).
   */
  readonly allowOrigins: string[];

  /**
   * The methods allowed, e.g. `['GET', 'POST']`.
   *
   * @default - every method
   */
  readonly allowMethods?: string[];

  /**
   * The request headers allowed.
   *
   * @default - Content-Type, X-Amz-Date, Authorization, X-Api-Key, X-Amz-Security-Token and X-Amz-User-Agent
   */
  readonly allowHeaders?: string[];

  /**
   * Whether browsers may send cookies and credentials.
   *
   * @default false
   */
  readonly allowCredentials?: boolean;

  /**
   * How long browsers may cache a preflight's answer.
   *
   * @default - the browser's default
   */
  readonly maxAge?: Duration;
}

/**
 * A CloudFront distribution in front of the app's REST API, HTTP API or function URL.
 */
export interface WsgiApiDistributionOptions {
  /**
   * The site's domain name, e.g. `www.example.com`: the distribution answers it, and the app sees it as its host.
   *
   * @default - the distribution's own `*.cloudfront.net` name
   */
  readonly domainName?: string;

  /**
   * The ACM certificate for `domainName`, in us-east-1 (CloudFront takes certificates from there only).
   *
   * @default - required with `domainName`
   */
  readonly certificate?: acm.ICertificate;

  /**
   * A Route 53 hosted zone in which to define `domainName`'s alias records (A and AAAA).
   *
   * @default - no DNS records; point `domainName` at `api.distribution.distributionDomainName` yourself
   */
  readonly hostedZone?: route53.IHostedZone;

  /**
   * The ARN of an AWS WAF web ACL (scope CLOUDFRONT, in us-east-1) to protect the site.
   *
   * @default - none
   */
  readonly webAclId?: string;

  /**
   * The edge locations that serve the site, by price.
   *
   * @default PriceClass.PRICE_CLASS_ALL
   */
  readonly priceClass?: cloudfront.PriceClass;

  /**
   * Whether the app also serves requests that reach its origin's own URL (the execute-api or function URL) without
   * coming through the distribution, as direct requests to that host.
   *
   * With `false`, the adapter answers each such request with a 403 and a short text, logged with what it received,
   * without calling the app; warm-ups, priming, management commands and deploy tasks are unaffected. The origin's URL
   * still answers (the distribution reaches the app through it), so each refused request is still an invocation:
   * with ApiType.FUNCTION_URL, `originAccessControl` has Lambda refuse them before the function runs.
   *
   * @default true
   */
  readonly allowDirectAccess?: boolean;

  /**
   * Whether CloudFront signs its requests to the function URL with origin access control (ApiType.FUNCTION_URL only).
   *
   * The URL's auth type becomes `AWS_IAM`, and only this distribution may invoke it (`lambda:InvokeFunctionUrl` and
   * `lambda:InvokeFunction` for the CloudFront service principal, scoped to the distribution), so Lambda refuses any
   * other caller before the function runs. The secret header is sent too. Lambda does not accept unsigned payloads:
   * a request with a body (`POST`, `PUT`) passes only when the viewer sends the SHA-256 hash of the body in the
   * `x-amz-content-sha256` header, which an HTML form cannot; Lambda answers others 403. CloudFront's signature also
   * replaces a viewer's `Authorization` header. For a site with forms, keep this off and set `allowDirectAccess` to
   * `false` instead.
   *
   * @default false
   * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-lambda.html
   */
  readonly originAccessControl?: boolean;
}

/**
 * Static files (CSS, scripts, images) that the app's CloudFront distribution serves from a private S3 bucket, beside
 * the app, under one URL path: a folder (`directory`), or what Django's `collectstatic` gathers (`django`, most simply
 * through `StaticFiles.django()`).
 */
export interface WsgiApiStaticFilesOptions {
  /**
   * The folder to serve, absolute or relative to the working directory, e.g. Flask's `static/`. A file `css/site.css`
   * in it is served at `${urlPath}/css/site.css`.
   *
   * Files with a lowercase hex hash of 8 or more characters before their extension (`site.3f2a1b9c4d5e.css`, as Django's
   * ManifestStaticFilesStorage writes them; `app.3f2a1b9c.js` or `app-3f2a1b9c.js`, as webpack and Vite do) are
   * cached for a year as immutable, and kept after later deployments so that pages rendered before one still find
   * them; other files are cached for 5 minutes.
   *
   * @default - required unless `django` is set
   */
  readonly directory?: string;

  /**
   * The URL path the files are served under, starting with '/' and not ending with one: Django's `STATIC_URL`
   * without its trailing slash.
   *
   * @default - '/static'; with `django`, the app's `STATIC_URL`
   */
  readonly urlPath?: string;

  /**
   * Gather the files with the app's Django `collectstatic` at synth instead of naming a folder.
   *
   * @default - the files of `directory`
   */
  readonly django?: DjangoStaticFilesOptions;
}

/**
 * How `collectstatic` runs at synth for `StaticFiles.django()`.
 *
 * It runs in the interpreter that has the app's dependencies (CDK_WSGI_PYTHON, else `./.venv/bin/python`, else
 * `python3`), in the app's folder, with the function's plain environment variables, after importing the app's
 * module as Lambda does, so the settings are the app's own. The files are collected into the cloud assembly, never
 * into the app's folder. With hashed storage (ManifestStaticFilesStorage), Django's manifest `staticfiles.json` is
 * written where the app reads it, in its `STATIC_ROOT`, which must be inside `entry`: the function's bundle and
 * `cdk-wsgi serve` then carry the manifest of the files the distribution serves.
 */
export interface DjangoStaticFilesOptions {
  /**
   * The settings module, when importing the app's module does not set `DJANGO_SETTINGS_MODULE` (a `wsgi.py` made by
   * `django-admin startproject` does).
   *
   * @default - the one the app's module sets
   */
  readonly settingsModule?: string;
}

/**
 * Where an ApiType.ALB app is reached: a rule on an Application Load Balancer's listener.
 */
export interface WsgiApiLoadBalancerOptions {
  /**
   * The listener the rule is added to; its load balancer's DNS name, protocol and port make `api.url`.
   */
  readonly listener: elbv2.ApplicationListener;

  /**
   * The rule's priority on the listener, from 1 to 50000, unique per listener; lower is evaluated first.
   */
  readonly priority: number;

  /**
   * Which requests the rule forwards to the app.
   *
   * @default - every request: `ListenerCondition.pathPatterns(['/*'])`
   */
  readonly conditions?: elbv2.ListenerCondition[];

  /**
   * The target group's health checks, which invoke the function with a GET of `path` (Lambda targets have them off
   * unless enabled, and each check is an invocation).
   *
   * @default - no health checks
   */
  readonly healthCheck?: elbv2.HealthCheck;
}

/**
 * A schedule that keeps execution environments of the function initialised.
 */
export interface WsgiApiWarmUpOptions {
  /**
   * How often to send the warm-up event; whole minutes, at least one.
   *
   * @default Duration.minutes(5)
   */
  readonly interval?: Duration;

  /**
   * How many execution environments to keep warm, from 1 to 100.
   *
   * Above 1, the warmed function invokes itself that many times at once (a separate IAM policy allows it),
   * and each invocation lingers briefly so they land in distinct environments.
   *
   * @default 1
   */
  readonly concurrency?: number;
}

/**
 * How the function's dependencies are built.
 */
export enum BundlingMode {
  /**
   * Docker when a container engine answers `docker info` (or `$CDK_DOCKER info`), otherwise local.
   */
  AUTO = 'AUTO',

  /**
   * In a Docker image of the Lambda runtime, with the Python alpha's bundling (as PythonFunction does): builds any
   * package, including native ones without a wheel for Lambda. Needs a container engine (and QEMU for ARM_64 on an
   * x86 machine).
   */
  DOCKER = 'DOCKER',

  /**
   * Without Docker: pip installs wheels for the function's architecture (manylinux x86_64 or aarch64) and
   * CPython version. A package without such a wheel is built locally and accepted only if it is pure Python.
   */
  LOCAL = 'LOCAL',
}

/**
 * Provisioned concurrency on the `live` alias: execution environments initialized before requests arrive.
 */
export interface WsgiApiProvisionedConcurrency {
  /**
   * Environments kept initialized at all times, whole and at least one.
   */
  readonly minimum: number;

  /**
   * With it, Application Auto Scaling moves provisioned concurrency between `minimum` and `maximum` to keep its
   * utilization near `utilizationTarget`.
   *
   * @default - a fixed `minimum`, no scaling
   */
  readonly maximum?: number;

  /**
   * The share of provisioned concurrency in use that scaling aims for, from 0.1 to 0.9 (with `maximum` only).
   *
   * @default 0.7
   */
  readonly utilizationTarget?: number;
}

/**
 * Gradual deployments: CodeDeploy shifts the `live` alias to each new version and rolls back on alarm.
 */
export interface WsgiApiDeploymentOptions {
  /**
   * How traffic moves to a new version.
   *
   * @default LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES
   */
  readonly config?: codedeploy.ILambdaDeploymentConfig;

  /**
   * Alarms that stop a deployment and shift traffic back to the previous version. Given, they replace the WsgiApi's
   * own, which it then does not define.
   *
   * @default - the WsgiApi's own alarms: the API's 5xx rate (`api.serverErrorRateAlarm`), and the live alias's errors
   * (`api.functionErrorsAlarm`) and throttles (`api.throttlesAlarm`)
   */
  readonly alarms?: cloudwatch.IAlarm[];
}

/**
 * A management command run on a schedule: EventBridge Scheduler invokes the function's `manage` alias with the
 * command's event, as `cdk-wsgi schedules run` does.
 */
export interface WsgiSchedule {
  /**
   * The schedule's name among the function's schedules: what `cdk-wsgi schedules` lists and `cdk-wsgi schedules run`
   * takes. 1 to 64 letters, digits, `-`, `_` and `.`, starting with a letter or digit.
   *
   * The schedule's name in AWS derives from the construct's path, so apps and stacks in one account never share one.
   *
   * @default - derived from the task's label, e.g. `manage-clearsessions`, with `-2`, `-3`, ... when two tasks share it
   */
  readonly name?: string;

  /**
   * When the command runs: `ScheduleExpression.cron({ hour: '3', minute: '0', timeZone: TimeZone.EUROPE_PARIS })`,
   * `ScheduleExpression.rate(Duration.hours(1))` or a one-time `ScheduleExpression.at(date)`.
   *
   * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
   */
  readonly schedule: scheduler.ScheduleExpression;

  /**
   * The management command, e.g. `WsgiTask.manage('clearsessions')`. A command that exits non-zero fails the
   * invocation, so that it is retried, counted in the function's errors and, when it keeps failing, kept in the
   * schedules' dead-letter queue.
   */
  readonly task: WsgiTask;

  /**
   * The schedule's description in EventBridge Scheduler (at most 512 characters).
   *
   * @default - the task's label
   */
  readonly description?: string;
}

/**
 * Background tasks: functions of the app decorated with `cdk_wsgi_adapter.task`, queued with `.delay(...)` as
 * asynchronous invocations of the function's own `live` alias.
 */
export interface WsgiBackgroundTasksOptions {
  /**
   * How many times Lambda retries a task that fails (raises, times out), from 0 to 2.
   *
   * @default 2
   * @see https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
   */
  readonly retryAttempts?: number;

  /**
   * How long a queued task may wait for its (next) run before Lambda gives up on it, from 1 minute to 6 hours.
   *
   * @default Duration.hours(6)
   */
  readonly maxEventAge?: Duration;

  /**
   * Where Lambda sends the record of a task that failed all its attempts or expired: the task event, the error and
   * the attempts (an invocation record), e.g. `new SqsDestination(queue)` or `new SnsDestination(topic)` from
   * aws-cdk-lib/aws-lambda-destinations.
   *
   * The `live` alias's asynchronous invocations all share this setting: S3, SNS and EventBridge rule events of
   * `addEventHandler` too.
   *
   * @default - an SQS queue of the function's (`backgroundTasksDeadLetterQueue`): encrypted, TLS only, messages kept
   * 14 days
   * @see https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
   */
  readonly onFailure?: lambda.IDestination;
}
