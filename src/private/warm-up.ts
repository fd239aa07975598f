import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { warmUpEvent } from '../contracts/adapter-contract';

/**
 * A schedule sending the warm-up event to the function, which answers it without calling the app.
 *
 * A warm-up that fails or arrives late is pointless, so it is never retried and expires after a minute
 * (EventBridge's defaults are 185 retries over 24 hours).
 */
export function defineWarmUp(scope: Construct, fn: lambda.Function, live: lambda.Alias, interval: Duration,
  concurrency: number): events.Rule {
  const rule = new events.Rule(scope, 'WarmUpRule', {
    description: `Keeps ${concurrency} execution environment(s) of the WSGI function warm`,
    schedule: events.Schedule.rate(interval),
  });
  rule.addTarget(new eventsTargets.LambdaFunction(live, {
    event: events.RuleTargetInput.fromObject(warmUpEvent(concurrency)),
    retryAttempts: 0,
    maxEventAge: Duration.minutes(1),
  }));

  if (concurrency > 1) {
    // The warmed environment invokes what it was invoked as (the live alias) concurrency - 1 times at once. A policy
    // of its own: granting through the role's default policy, which the function depends on, would be a circular
    // dependency.
    new iam.Policy(scope, 'WarmUpSelfInvokePolicy', {
      roles: [fn.role!],
      statements: [new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [live.functionArn],
      })],
    });
  }
  return rule;
}
