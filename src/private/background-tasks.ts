import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deadLetterQueue } from './schedules';
import type { WsgiBackgroundTasksOptions } from '../types';

/** Lambda's own defaults for an asynchronous invocation: two retries, six hours in its queue. */
export const DEFAULT_TASK_RETRY_ATTEMPTS = 2;
export const DEFAULT_TASK_MAX_EVENT_AGE = Duration.hours(6);

/**
 * Background tasks (`.delay()` in the app): the function may invoke its own `live` alias, and nothing else of itself;
 * the alias's asynchronous invocation config retries a failed task and sends its invocation record (the event, the
 * error, the attempts) to `options.onFailure`, by default a dead-letter queue of the function's.
 *
 * Lambda sends an on-failure destination the whole invocation record, where a dead-letter queue (the function's
 * DeadLetterConfig) gets the event alone; destinations are set per alias, a dead-letter queue per function
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html).
 *
 * Returns the queue it defined, if any.
 */
export function defineBackgroundTasks(scope: Construct, fn: lambda.Function, live: lambda.Alias,
  options: WsgiBackgroundTasksOptions): sqs.Queue | undefined {
  const queue = options.onFailure ? undefined : deadLetterQueue(scope, 'BackgroundTasksDeadLetterQueue');
  live.configureAsyncInvoke({
    retryAttempts: options.retryAttempts ?? DEFAULT_TASK_RETRY_ATTEMPTS,
    maxEventAge: options.maxEventAge ?? DEFAULT_TASK_MAX_EVENT_AGE,
    onFailure: options.onFailure ?? new destinations.SqsDestination(queue!),
  });
  // A policy of its own: the function depends on its role's default policy, and one naming the alias (which depends on
  // the version, which depends on the function) would close a circular dependency.
  new iam.Policy(scope, 'BackgroundTasksPolicy', {
    roles: [fn.role!],
    statements: [new iam.PolicyStatement({
      actions: ['lambda:InvokeFunction'],
      resources: [live.functionArn],
    })],
  });
  return queue;
}
