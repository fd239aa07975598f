import * as python from '@aws-cdk/aws-lambda-python-alpha';
import { Annotations, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as cxapi from 'aws-cdk-lib/cx-api';
import * as triggers from 'aws-cdk-lib/triggers';
import { Construct } from 'constructs';
import * as contract from './contracts/adapter-contract';
import * as defaults from './contracts/defaults';
import { NEWEST_ADAPTER_RUNTIME } from './private/adapter-layer-asset';
import { defineBackgroundTasks } from './private/background-tasks';
import { warnOnBundledAdapter } from './private/bundled-adapter';
import { containerEngine, containerEngineAnswers } from './private/container-engine';
import { defineDeployTasks, deployTasksJson } from './private/deploy-tasks';
import { eventHandlerPath, EventHandlers } from './private/event-handlers';
import { cliPath, FrontDoor } from './private/front-door';
import { functionCode } from './private/function-code';
import { functionRole } from './private/function-role';
import { DEFAULT_LOG_RETENTION } from './private/log-retention';
import { acknowledgeDeadLetterQueueFindings, acknowledgeFunctionFindings } from './private/nag';
import { defineFunctionAlarms, defineGradualDeployment, publishLive } from './private/release';
import { defineSchedules, nameSchedules } from './private/schedules';
import * as validate from './private/validate-props';
import { defineWarmUp } from './private/warm-up';
import { resolveAppSource } from './shared/app-source';
import {
  BundlingMode, WsgiApiDeploymentOptions, WsgiApiProvisionedConcurrency, WsgiApiWarmUpOptions, WsgiBackgroundTasksOptions, WsgiSchedule,
} from './types';
import { WsgiAdapterLayer } from './wsgi-adapter-layer';
import { WsgiRuleEventSource } from './wsgi-rule-event-source';
import { WsgiTask } from './wsgi-task';

/**
 * Properties for a WsgiFunction.
 *
 * Every `lambda.FunctionOptions` prop passes through to the function. Some defaults differ from Lambda's:
 * `architecture` is `Architecture.ARM_64`, `memorySize` is 512 (MiB), `timeout` is 29 seconds, the longest
 * API Gateway waits for the function, the function logs to a log group of its own that keeps events for
 * `functionLogRetention`, and versions replaced behind the `live` alias are deleted
 * (`currentVersionOptions: { removalPolicy: RemovalPolicy.RETAIN }` keeps them). `snapStart` applies to the
 * version behind `live`.
 */
export interface WsgiFunctionProps extends lambda.FunctionOptions {
  /**
   * The folder holding the WSGI app and its dependency file (requirements.txt, Pipfile.lock, poetry.lock or uv.lock).
   *
   * The folder becomes the function's code, with its dependencies built for Lambda. No handler file is needed.
   */
  readonly entry: string;

  /**
   * The WSGI callable, as `package.module.attr` or `package.module:attr`, relative to `entry`.
   *
   * For example `api.app` for `app = Flask(__name__)` in `api.py`, or `mysite.wsgi.application` for Django.
   */
  readonly module: string;

  /**
   * The Python runtime of the function, and of its adapter layer, which carries the adapter's bytecode for it alone.
   *
   * Python 3.11 to 3.14, the Pythons Lambda supports; an older runtime is refused at synth.
   *
   * @default Runtime.PYTHON_3_14
   */
  readonly runtime?: lambda.Runtime;

  /**
   * How the Python alpha's Docker bundling builds `entry` and its dependencies (Docker mode), as for a PythonFunction.
   *
   * In both modes `assetExcludes` patterns (e.g. `tests`) are left out of the asset, in addition to `.venv`, `venv`,
   * `__pycache__`, `*.pyc`, `.git`, `node_modules`, `cdk.out` and tool caches; in local mode the other options do not
   * apply. The asset's hash, and so the function's version, comes from the sources, the runtime, the architecture, the
   * exclusions and these options, never from which mode built it (`assetHash` replaces it; `assetHashType` OUTPUT
   * hashes the bundle instead).
   *
   * Either way the bundle ends up compiled to hash-checked bytecode, so cold starts need not compile it; in Docker
   * mode that runs after your `commandHooks.afterBundling` commands.
   *
   * @default - the alpha's defaults: dependencies installed in a Docker image of the Lambda runtime
   */
  readonly bundling?: python.BundlingOptions;

  /**
   * How the function's dependencies are built: in Docker with the Python alpha's bundling, or locally with pip's
   * platform selection (no Docker), or automatically: Docker when a container engine answers
   * `$CDK_DOCKER info` (default `docker`), otherwise local. The synth says which mode ran.
   *
   * @default BundlingMode.AUTO
   */
  readonly bundlingMode?: BundlingMode;

  /**
   * Response media types the adapter sends as text, in addition to `text/*`, JSON, XML and JavaScript types.
   *
   * Every other response is sent base64-encoded, as is any response with a `Content-Encoding`.
   *
   * @default - the adapter's built-in text types only
   */
  readonly textMediaTypes?: string[];

  /**
   * A schedule that keeps execution environments warm.
   *
   * @default - no warm-up schedule
   */
  readonly warmUp?: WsgiApiWarmUpOptions;

  /**
   * Paths the adapter requests from the app during the function's init, shaped as the front door sends them,
   * so the framework's lazy first-request work (URL routing, templates) is done before a client waits for it
   * and before a SnapStart snapshot. The answers are discarded and their status logged; a failing one is not
   * fatal. Plain absolute paths without a query, e.g. `['/', '/health']`. Needs a front door (a WsgiApi) to shape
   * the requests.
   *
   * @default - no priming
   */
  readonly prime?: string[];

  /**
   * How long priming may take in all. The path in progress when it runs out is stopped and the rest are skipped,
   * with a warning naming them, so that init stays within Lambda's limit: 10 seconds, the app's import included (with
   * `snapStart` or `provisionedConcurrency`, 130 seconds or the function's timeout, whichever is longer).
   *
   * @default Duration.seconds(5)
   */
  readonly primeTimeout?: Duration;

  /**
   * Execution environments initialized ahead of requests on the `live` alias, optionally auto-scaled.
   * Cannot be combined with `snapStart`.
   *
   * @default - none: environments start on demand
   */
  readonly provisionedConcurrency?: WsgiApiProvisionedConcurrency;

  /**
   * Gradual deployments through CodeDeploy: each new version takes traffic step by step, rolled back when an
   * alarm fires.
   *
   * @default - each deployment moves all traffic to the new version at once
   */
  readonly deployment?: WsgiApiDeploymentOptions;

  /**
   * Whether the adapter runs management commands (`cdk-wsgi exec`, `command`, `manage`, `flask`) sent by a direct
   * Invoke of the function with IAM credentials. No API request can send one; anyone allowed to invoke the
   * function can, with its role's permissions.
   *
   * @default true
   */
  readonly managementCommands?: boolean;

  /**
   * Management commands run in the new version after each deployment of new code, in order, before the `live`
   * alias moves to it (and, with `deployment`, before CodeDeploy shifts any traffic), e.g.
   * `[WsgiTask.manage('migrate', '--noinput')]`.
   *
   * A CDK trigger invokes a small Node.js function that runs them through a direct Invoke of the version. A task that
   * exits with a non-zero code, or fails (a timeout), fails the deployment with the end of its output in the stack
   * event's reason (all of it in the runner's log group), and the tasks after it do not run. Each task runs within
   * the function's `timeout`. Deployments that publish no new version run nothing; changing the tasks runs them
   * all again. Write tasks that can run twice: CloudFormation may run the previous ones again during a rollback.
   * Needs `managementCommands`.
   *
   * @default - no tasks
   */
  readonly deployTasks?: WsgiTask[];

  /**
   * Management commands run on a schedule, e.g.
   * `[{ schedule: ScheduleExpression.cron({ hour: '3', minute: '0' }), task: WsgiTask.manage('clearsessions') }]`.
   *
   * Each is an EventBridge Scheduler schedule (flexible time window off) that invokes the function's `manage` alias,
   * on the version `live` serves, with the command's event, as `cdk-wsgi schedules run NAME` does. A command that exits
   * non-zero fails the invocation: Lambda retries it twice, and a run that failed every attempt, or could not start
   * within an hour, lands in `scheduleDeadLetterQueue` (SQS, messages kept 14 days). Scheduler and Lambda deliver at
   * least once: write commands that can run twice. Needs `managementCommands`.
   *
   * @default - no schedules
   * @see https://docs.aws.amazon.com/lambda/latest/dg/with-eventbridge-scheduler.html
   */
  readonly schedules?: WsgiSchedule[];

  /**
   * Lets the app queue background tasks: `@task` functions of `cdk_wsgi_adapter`, run with `.delay(...)` as an
   * asynchronous invocation of the function's own `live` alias. The function may invoke that alias and nothing else
   * of itself; a task that fails all its attempts goes to `onFailure`. Tasks run at least once: write tasks that can
   * run twice.
   *
   * @default - no background tasks: `.delay()` raises on Lambda, naming this prop
   * @see https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html
   */
  readonly backgroundTasks?: WsgiBackgroundTasksOptions;

  /**
   * How long the function's log group keeps its events (when `logGroup` is not given).
   *
   * @default RetentionDays.ONE_MONTH
   */
  readonly functionLogRetention?: logs.RetentionDays;
}

/**
 * A Python WSGI app (Flask, Django, Pyramid, Bottle, Falcon, ...) as a Lambda function: built from `entry` with its
 * dependencies bundled for Lambda, the cdk-wsgi adapter (a layer) as its handler, published behind a `live` alias with
 * its releases, deploy tasks, management commands and warm-up.
 *
 * WsgiApi composes one behind API Gateway. Alone, put `fn.alias` behind a front door you define (an integration, a
 * Function URL, a load balancer target): the adapter recognizes each of their events.
 */
export class WsgiFunction extends Construct {
  /**
   * The Lambda function running the WSGI app.
   */
  public readonly lambdaFunction: lambda.Function;

  /**
   * The `live` alias of the function's current version, which front doors and the warm-up schedule invoke.
   */
  public readonly alias: lambda.Alias;

  /**
   * Conditional: the `manage` alias on the same version as `live`, the only alias through which the function runs
   * management commands, unless `managementCommands` is false. `grantManage` allows invoking it.
   */
  public readonly manageAlias?: lambda.Alias;

  /**
   * The layer holding the cdk-wsgi adapter, built for the function's runtime.
   */
  public readonly layer: WsgiAdapterLayer;

  /**
   * The function's log group: `logGroup` when given, else the one cdk-wsgi defines with `functionLogRetention`.
   */
  public readonly logGroup: logs.ILogGroup;

  /**
   * Conditional: the warm-up schedule, when `warmUp` is set.
   */
  public readonly warmUpRule?: events.Rule;

  /**
   * Conditional: the CodeDeploy deployment group shifting `live` to new versions, when `deployment` is set.
   */
  public readonly deploymentGroup?: codedeploy.LambdaDeploymentGroup;

  /**
   * Conditional, when `deployment` is set without its own `alarms`: an invocation of `live` failed (crash, timeout,
   * out of memory) within a minute.
   */
  public readonly functionErrorsAlarm?: cloudwatch.Alarm;

  /**
   * Conditional, when `deployment` is set without its own `alarms`: Lambda throttled an invocation of `live` within a
   * minute.
   */
  public readonly throttlesAlarm?: cloudwatch.Alarm;

  /**
   * Conditional: the trigger running `deployTasks` in each new version, when there are tasks.
   *
   * Order it after resources the tasks need that the function does not reference, e.g.
   * `fn.deployTasksTrigger?.executeAfter(databaseIngressRule)`.
   */
  public readonly deployTasksTrigger?: triggers.Trigger;

  /**
   * The EventBridge Scheduler schedules of `schedules`, in their order (empty without schedules).
   */
  public readonly commandSchedules: scheduler.Schedule[];

  /**
   * Conditional, when there are `schedules`: where scheduled commands go that Scheduler could not deliver or that
   * failed every attempt (Scheduler's dead-letter events and Lambda's invocation records).
   */
  public readonly scheduleDeadLetterQueue?: sqs.Queue;

  /**
   * Conditional, when there are `schedules`: the role EventBridge Scheduler assumes to invoke the `manage` alias.
   */
  public readonly schedulerRole?: iam.Role;

  /**
   * Conditional, when `backgroundTasks` is set without `onFailure`: the queue of the invocation records of tasks that
   * failed every attempt or expired.
   */
  public readonly backgroundTasksDeadLetterQueue?: sqs.Queue;

  private readonly props: WsgiFunctionProps;
  private frontDoor?: FrontDoor;
  private readonly serveEntry: string;
  private readonly scheduleMetadata: contract.ScheduleMetadata[] = [];
  private eventHandlers?: EventHandlers;

  constructor(scope: Construct, id: string, props: WsgiFunctionProps) {
    super(scope, id);
    // A version's hash leaves its layers out unless this flag is set, so a new adapter would never publish a version
    // and reach `live`. Set for this construct's scope alone, before any child reads it.
    this.node.setContext(cxapi.LAMBDA_RECOGNIZE_LAYER_VERSION, true);
    this.props = props;

    const runtime = props.runtime ?? NEWEST_ADAPTER_RUNTIME;
    const timeout = props.timeout ?? Duration.seconds(defaults.DEFAULT_TIMEOUT_SECONDS);
    const logRetention = props.functionLogRetention ?? DEFAULT_LOG_RETENTION;

    const app = resolveAppSource(props.entry, props.module);
    warnOnBundledAdapter(this, app.entry);
    validate.validateRuntime(runtime);
    validate.validateFunctionSizes(props);
    validate.validateEnvironment(props.environment);
    validate.validateMediaTypes('textMediaTypes', props.textMediaTypes, false);
    validate.validateSnapStart(props.snapStart, runtime, props.provisionedConcurrency);
    validate.validateProvisionedConcurrency(this, props.provisionedConcurrency, props.currentVersionOptions, props.warmUp);
    // logRetention is FunctionOptions' deprecated way to the same end; refused with the replacement named.
    validate.validateFunctionLogs(props.logRetention, props.logGroup, props.functionLogRetention);
    validate.validatePrime(props.prime, props.primeTimeout, !!(props.snapStart || props.provisionedConcurrency), timeout);
    validate.validateDeployTasks(props.deployTasks, props.managementCommands);
    validate.validateSchedules(props.schedules, props.managementCommands);
    validate.validateBackgroundTasks(props.backgroundTasks);

    this.layer = new WsgiAdapterLayer(this, 'AdapterLayer', { runtime });

    this.logGroup = props.logGroup ? logGroupOf(this, props.logGroup) : new logs.LogGroup(this, 'FunctionLogs', {
      retention: logRetention,
      // Logs with a retention are operational data, not state: they go with the stack, as the access logs do.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const architecture = props.architecture ?? lambda.Architecture.ARM_64;
    this.lambdaFunction = new lambda.Function(this, 'Function', {
      ...props,
      memorySize: props.memorySize ?? defaults.DEFAULT_MEMORY_SIZE,
      architecture,
      runtime,
      timeout,
      handler: contract.ADAPTER_HANDLER,
      code: functionCode({
        entry: app.entry,
        runtime,
        architecture,
        bundling: props.bundling,
        ...this.resolveBundlingMode(props.bundlingMode ?? BundlingMode.AUTO),
        bundlingRequired: Stack.of(this).bundlingRequired,
      }),
      role: props.role ?? this.defineRole(props.vpc !== undefined),
      layers: [this.layer, ...(props.layers ?? [])],
      environment: { ...props.environment, ...this.adapterEnvironment(`${app.moduleName}:${app.attribute}`) },
      logGroup: this.logGroup,
      // Each deployment publishes a version; the replaced ones would only pile up in the code storage quota.
      currentVersionOptions: { ...props.currentVersionOptions, removalPolicy: props.currentVersionOptions?.removalPolicy ?? RemovalPolicy.DESTROY },
    });
    if (props.snapStart) {
      Annotations.of(this.lambdaFunction).acknowledgeWarning('@aws-cdk/aws-lambda:snapStartRequirePublish',
        'cdk-wsgi publishes the function\'s version behind the live alias');
    }
    this.alias = publishLive(this, this.lambdaFunction, props.provisionedConcurrency);
    if (props.managementCommands !== false) {
      this.manageAlias = new lambda.Alias(this, 'ManageAlias', {
        aliasName: contract.MANAGE_ALIAS_NAME,
        version: this.lambdaFunction.currentVersion,
        description: 'cdk-wsgi management commands (cdk-wsgi exec, command, manage, flask): only this alias runs them',
      });
    }
    this.commandSchedules = [];
    if (props.schedules?.length && this.manageAlias) {
      const defined = defineSchedules(this, this.manageAlias, nameSchedules(props.schedules));
      this.commandSchedules = defined.schedules;
      this.scheduleDeadLetterQueue = defined.deadLetterQueue;
      this.schedulerRole = defined.role;
      this.scheduleMetadata.push(...defined.metadata);
      acknowledgeDeadLetterQueueFindings(defined.deadLetterQueue);
    }
    if (props.backgroundTasks) {
      this.backgroundTasksDeadLetterQueue = defineBackgroundTasks(this, this.lambdaFunction, this.alias, props.backgroundTasks);
      if (this.backgroundTasksDeadLetterQueue) acknowledgeDeadLetterQueueFindings(this.backgroundTasksDeadLetterQueue);
    }
    if (props.deployTasks?.length) {
      this.deployTasksTrigger = defineDeployTasks(this, props.deployTasks, {
        version: this.lambdaFunction.currentVersion,
        aliases: [this.alias, ...(this.manageAlias ? [this.manageAlias] : [])],
        logRetention,
      });
    }

    if (props.deployment) {
      let alarms = props.deployment.alarms;
      if (!alarms) {
        const defined = defineFunctionAlarms(this, this.alias);
        this.functionErrorsAlarm = defined.functionErrors;
        this.throttlesAlarm = defined.throttles;
        alarms = [defined.functionErrors, defined.throttles];
      }
      this.deploymentGroup = defineGradualDeployment(this, this.alias, alarms, props.deployment);
    }

    if (props.warmUp) {
      const interval = props.warmUp.interval ?? Duration.minutes(defaults.DEFAULT_WARM_UP_INTERVAL_MINUTES);
      const concurrency = props.warmUp.concurrency ?? defaults.DEFAULT_WARM_UP_CONCURRENCY;
      validate.validateWarmUp(interval, concurrency);
      this.warmUpRule = defineWarmUp(this, this.lambdaFunction, this.alias, interval, concurrency);
    }

    acknowledgeFunctionFindings(this, this.lambdaFunction, runtime);
    // `entry` as the user wrote it, relative to where they synthesize: the CLI runs from the same folder.
    this.serveEntry = cliPath(props.entry);
    // The remote commands find every WsgiFunction by this, with a front door or without.
    this.addCliMetadata({ entry: this.serveEntry });
    this.node.addValidation({
      validate: () => props.prime?.length && !this.frontDoor
        ? [`prime needs a front door to shape its requests (${JSON.stringify(props.prime)}): put the function behind a WsgiApi, or remove prime`]
        : [],
    });
  }

  /**
   * Called by the front door (WsgiApi) once it exists: what the adapter and `cdk-wsgi serve` must know of it.
   *
   * @internal
   */
  public _attachFrontDoor(frontDoor: FrontDoor): void {
    if (this.frontDoor) {
      throw new Error(`${userPath(this)} already has a front door; define a WsgiFunction per front door`);
    }
    this.frontDoor = frontDoor;
    const prime = this.props.prime?.length ? {
      paths: this.props.prime,
      timeoutMillis: (this.props.primeTimeout ?? Duration.seconds(defaults.DEFAULT_PRIME_TIMEOUT_SECONDS)).toMilliseconds(),
    } : undefined;
    // Lets `cdk-wsgi serve` run the app from its sources, as this front door would call it.
    this.addCliMetadata({
      entry: this.serveEntry,
      apiType: frontDoor.apiType,
      stageName: frontDoor.stage,
      distribution: frontDoor.distribution || undefined,
      staticFiles: frontDoor.staticFiles && { directory: cliPath(frontDoor.staticFiles.directory), urlPath: frontDoor.staticFiles.urlPath },
      prime,
    });
    if (prime) {
      const config: contract.PrimeConfig = { apiType: frontDoor.apiType, host: frontDoor.host, stage: frontDoor.stage, ...prime };
      this.lambdaFunction.addEnvironment(contract.ENV_PRIME, Stack.of(this).toJsonString(config));
    }
    if (frontDoor.serverErrorRateAlarm && this.deploymentGroup && !this.props.deployment?.alarms) {
      this.deploymentGroup.addAlarm(frontDoor.serverErrorRateAlarm);
    }
  }

  /** Sets the function's ServeMetadata to `metadata` with the schedules and deploy tasks, for `cdk-wsgi schedules` and `tasks`. */
  private addCliMetadata(metadata: contract.ServeMetadata): void {
    const schedules = this.scheduleMetadata.length ? { schedules: this.scheduleMetadata } : {};
    const tasks = this.props.deployTasks?.length ? { deployTasks: JSON.parse(deployTasksJson(this.props.deployTasks)) } : {};
    (this.lambdaFunction.node.defaultChild as lambda.CfnFunction).addMetadata(contract.METADATA_KEY, { ...metadata, ...schedules, ...tasks });
  }

  /**
   * Sends the events of `source` to the app's `handler(event, context)`, in the function, with the app imported and its
   * settings loaded: `fn.addEventHandler('jobs.process', new SqsEventSource(queue, { reportBatchItemFailures: true }))`.
   *
   * `source` is attached to the `live` alias. It is one of aws-cdk-lib's SqsEventSource, KinesisEventSource,
   * DynamoEventSource, S3EventSource (a bucket of this stack) and SnsEventSource, or a WsgiRuleEventSource for an
   * EventBridge rule; each source has one handler. What the handler returns is the invocation's result: for SQS and
   * streams, return `{"batchItemFailures": [{"itemIdentifier": ...}]}` to have only the failed records retried, which
   * needs `reportBatchItemFailures: true` on the source. Events arrive at least once: write handlers that can see one
   * twice.
   *
   * @param handler the function taking the events, as `package.module.function` or `package.module:function` relative
   * to `entry` (its module's file must be there), e.g. `jobs.process`
   * @param source where the events come from
   * @see https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html#services-sqs-batchfailurereporting
   */
  public addEventHandler(handler: string, source: lambda.IEventSource): void {
    const callable = eventHandlerPath(this.props.entry, handler);
    this.eventHandlers ??= new EventHandlers(this.lambdaFunction, this.alias);
    this.eventHandlers.add(callable, source instanceof WsgiRuleEventSource ? source._attachment(callable) : { source });
  }


  /**
   * Lets `grantee` run management commands (`cdk-wsgi exec`, `command`, `manage`, `flask`): invoke the `manage` alias,
   * which alone runs them, and find the function in its stack (`cloudformation:DescribeStackResource`, and
   * `cloudformation:GetTemplate` for `--stack`). Whoever may do this runs code with the function's role.
   */
  public grantManage(grantee: iam.IGrantable): iam.Grant {
    if (!this.manageAlias) {
      throw new Error(`grantManage() grants management commands, which managementCommands: false turns off for ${userPath(this)}; `
        + 'remove managementCommands: false, or the grantManage call');
    }
    return this.manageAlias.grantInvoke(grantee).combine(this.grantStackRead(grantee, ['cloudformation:GetTemplate']));
  }

  /**
   * Lets `grantee` read the function's logs with `cdk-wsgi logs`: `logs:FilterLogEvents` on its log group, and
   * `cloudformation:DescribeStackResource` to find it.
   */
  public grantLogs(grantee: iam.IGrantable): iam.Grant {
    return this.logGroup.grant(grantee, 'logs:FilterLogEvents').combine(this.grantStackRead(grantee, []));
  }

  /** What the CLI reads of this construct's stack to find the function (by its stack name, from any stack). */
  private grantStackRead(grantee: iam.IGrantable, actions: string[]): iam.Grant {
    const stack = Stack.of(this);
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['cloudformation:DescribeStackResource', ...actions],
      resourceArns: [stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${stack.stackName}/*` })],
    });
  }

  /**
   * AUTO becomes DOCKER when a container engine answers, else LOCAL, and says why (the local bundling line, or a
   * line before Docker's output). When bundling is skipped for the stack (unit tests, `cdk ls`), nothing is probed.
   */
  private resolveBundlingMode(requested: BundlingMode): { mode: BundlingMode.DOCKER | BundlingMode.LOCAL; reason?: string } {
    if (requested === BundlingMode.DOCKER || requested === BundlingMode.LOCAL) {
      return { mode: requested };
    }
    if (!Stack.of(this).bundlingRequired) {
      return { mode: BundlingMode.LOCAL };
    }
    const engine = containerEngine();
    if (containerEngineAnswers()) {
      process.stderr.write(`cdk-wsgi: bundling ${userPath(this)} in Docker with the Python alpha's image ('${engine} info' answered)\n`);
      return { mode: BundlingMode.DOCKER };
    }
    return { mode: BundlingMode.LOCAL, reason: `no container engine answered '${engine} info'` };
  }

  /** The function's role when the user brings none: its own log group, and network interfaces in a VPC. */
  private defineRole(inVpc: boolean): iam.Role {
    const role = functionRole(this, 'FunctionRole', this.logGroup);
    if (inVpc) {
      // What Lambda needs to attach the function to the VPC's subnets, as aws-cdk-lib's own default role grants it.
      role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole'));
    }
    return role;
  }

  /** The `CDK_WSGI_*` variables the function itself decides; a front door adds its own. */
  private adapterEnvironment(app: string) {
    const env: { [key: string]: string } = { [contract.ENV_APP]: app };
    if (this.props.textMediaTypes?.length) {
      env[contract.ENV_TEXT_MEDIA_TYPES] = this.props.textMediaTypes.join(',');
    }
    if (this.props.snapStart) {
      env[contract.ENV_SNAP_START] = '1';
    }
    if (this.props.managementCommands === false) {
      env[contract.ENV_MANAGEMENT] = '0';
    }
    if (this.props.backgroundTasks) {
      env[contract.ENV_BACKGROUND_TASKS] = '1';
    }
    return env;
  }
}

/** The construct's path as the user knows it: a WsgiApi's WsgiFunction ('Default') goes by the WsgiApi's. */
function userPath(scope: Construct): string {
  return scope.node.path.replace(/\/Default$/, '');
}

/** The user's `logGroup` as an ILogGroup, which grants need: itself when it is one, else imported by its ARN. */
function logGroupOf(scope: Construct, ref: logs.ILogGroupRef): logs.ILogGroup {
  return 'grantWrite' in ref ? ref as logs.ILogGroup : logs.LogGroup.fromLogGroupArn(scope, 'ImportedLogs', ref.logGroupRef.logGroupArn);
}
