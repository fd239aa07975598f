import * as crypto from 'crypto';
import { CfnResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as triggers from 'aws-cdk-lib/triggers';
import { Construct } from 'constructs';
import { functionRole } from './function-role';
import { acknowledgeRunnerFindings } from './nag';
import { RUNNER_ASSET_EXCLUDE, RUNNER_ASSET_ROOT, RUNNER_HANDLER } from './runner-asset';
import { DeployTaskSpec, ENV_DEPLOY_TARGET, ENV_DEPLOY_TASKS } from '../contracts/deploy-task-contract';
import { propError } from '../shared/prop-error';
import type { WsgiTask } from '../wsgi-task';

/** The app's side of the deploy tasks: where they run, and what must wait for them. */
export interface DeployTasksTarget {
  /** The version each deployment of new code publishes: the tasks run in it. */
  readonly version: lambda.IVersion;
  /** The aliases that move to the version only once the tasks succeeded: `live`, and `manage`. */
  readonly aliases: lambda.Alias[];
  /** How long the runner's log group keeps its events: as long as the app function's. */
  readonly logRetention: logs.RetentionDays;
}

// Trigger's provider is a Lambda function with a 15-minute timeout that must answer CloudFormation before it ends.
// Its Invoke of the runner gives up after TRIGGER_TIMEOUT and the SDK retries a request that timed out, which would
// run the tasks again: the runner's own timeout must come first, surfacing as a function error the trigger reports.
// The provider may also spend up to a minute retrying AccessDenied before that Invoke. Each task is bounded by the
// app function's timeout (29 s at most behind API Gateway): 13 minutes hold over 25 tasks that each use all of it.
const RUNNER_TIMEOUT = Duration.minutes(13);
const RUNNER_RUNTIME = lambda.Runtime.NODEJS_24_X;
const TRIGGER_TIMEOUT = Duration.minutes(14);

// Lambda allows a function 4 KB of environment variables in all
// (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html); the target's ARN takes up to ~170.
const MAX_TASKS_BYTES = 3_500;

/** The runner's task list: each task's label and event, in order. */
export function deployTasksJson(tasks: WsgiTask[]): string {
  const specs: DeployTaskSpec[] = tasks.map(task => ({ label: task.label, event: task._event }));
  return JSON.stringify(specs);
}

/**
 * Runs `tasks` in `target.version` after each deployment that publishes one: a Node.js function (the runner, whose
 * code is src/deploy-task-runner) invoked by a CDK Trigger that comes after the version and before the aliases.
 *
 * The trigger runs again whenever its properties change (an Update, which its provider answers by invoking the
 * handler named by HandlerArn). They hold the app version's ARN and a digest of the tasks, and name the runner by an
 * alias rather than by version: a deployment that publishes a new app version or changes the tasks runs them, and one
 * that changes only the runner's code (an upgrade of cdk-wsgi) does not.
 */
export function defineDeployTasks(scope: Construct, tasks: WsgiTask[], target: DeployTasksTarget): triggers.Trigger {
  const json = deployTasksJson(tasks);
  const bytes = Buffer.byteLength(json);
  if (bytes > MAX_TASKS_BYTES) {
    throw propError('deployTasks', `must fit in ${MAX_TASKS_BYTES} bytes of JSON, which the runner function gets in its `
      + 'environment (Lambda allows 4 KB)', `${bytes} bytes`,
    "keep long code in a module of the app and call it, e.g. WsgiTask.python('import tasks; tasks.seed()')");
  }
  const logGroup = new logs.LogGroup(scope, 'DeployTaskLogs', {
    retention: target.logRetention,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const runner = new lambda.Function(scope, 'DeployTaskRunner', {
    description: 'cdk-wsgi: runs the WsgiApi\'s deployTasks in the function version each deployment publishes',
    // Node.js 18 and newer runtimes include the AWS SDK for JavaScript v3, client-lambda with it: the asset holds only
    // the runner's own files (https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html#nodejs-sdk-included).
    runtime: RUNNER_RUNTIME,
    architecture: lambda.Architecture.ARM_64,
    code: lambda.Code.fromAsset(RUNNER_ASSET_ROOT, { exclude: [...RUNNER_ASSET_EXCLUDE] }),
    handler: RUNNER_HANDLER,
    timeout: RUNNER_TIMEOUT,
    environment: { [ENV_DEPLOY_TARGET]: target.version.functionArn, [ENV_DEPLOY_TASKS]: json },
    logGroup,
    role: functionRole(scope, 'DeployTaskRunnerRole', logGroup),
    // The trigger invokes the runner's `tasks` alias, on its current version; replaced versions are never invoked again.
    currentVersionOptions: { removalPolicy: RemovalPolicy.DESTROY },
  });
  target.version.grantInvoke(runner);
  acknowledgeRunnerFindings(runner, RUNNER_RUNTIME);
  const runnerAlias = runner.addAlias('tasks');
  const trigger = new triggers.Trigger(scope, 'DeployTasks', {
    handler: runner,
    timeout: TRIGGER_TIMEOUT,
    executeAfter: [target.version, runnerAlias],
    executeBefore: target.aliases,
  });
  const resource = trigger.node.findChild('Default').node.defaultChild as CfnResource;
  resource.addPropertyOverride('HandlerArn', runnerAlias.functionArn);
  resource.addPropertyOverride('TargetVersion', target.version.functionArn);
  resource.addPropertyOverride('TasksDigest', crypto.createHash('sha256').update(json).digest('hex'));
  retainProviderLogs(trigger, target.logRetention);
  return trigger;
}

// The id under which aws-cdk-lib's triggers define their provider, one function per stack (aws-cdk-lib/triggers).
const TRIGGER_PROVIDER_ID = 'AWSCDK.TriggerCustomResourceProviderCustomResourceProvider';
const PROVIDER_LOGS_ID = 'CdkWsgiTriggerProviderLogs';

/**
 * The triggers' provider logs to /aws/lambda/<its name>, which Lambda creates with no retention: point it at a log
 * group of its own that has one (its role may write any log group). Once per stack, with the first WsgiApi's retention.
 */
function retainProviderLogs(trigger: Construct, retention: logs.RetentionDays): void {
  const stack = Stack.of(trigger);
  const handler = stack.node.tryFindChild(TRIGGER_PROVIDER_ID)?.node.tryFindChild('Handler');
  if (!(handler instanceof CfnResource) || stack.node.tryFindChild(PROVIDER_LOGS_ID)) {
    return;
  }
  const logGroup = new logs.LogGroup(stack, PROVIDER_LOGS_ID, { retention, removalPolicy: RemovalPolicy.DESTROY });
  handler.addPropertyOverride('LoggingConfig', { LogGroup: logGroup.logGroupName });
}
