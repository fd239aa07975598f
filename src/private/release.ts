import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { WsgiApiDeploymentOptions, WsgiApiProvisionedConcurrency } from '../types';
import { DefinedApi } from './api-options';
import { DEFAULT_UTILIZATION_TARGET, LIVE_ALIAS_NAME } from '../contracts/defaults';

/**
 * The `live` alias on the function's current version: what every front door invokes, so that SnapStart and
 * provisioned concurrency (which apply to published versions only) take effect.
 */
export function publishLive(scope: Construct, fn: lambda.Function, provisioned?: WsgiApiProvisionedConcurrency): lambda.Alias {
  const alias = new lambda.Alias(scope, 'LiveAlias', {
    aliasName: LIVE_ALIAS_NAME,
    version: fn.currentVersion,
    provisionedConcurrentExecutions: provisioned?.minimum,
  });
  if (provisioned?.maximum !== undefined) {
    alias.addAutoScaling({ minCapacity: provisioned.minimum, maxCapacity: provisioned.maximum })
      .scaleOnUtilization({ utilizationTarget: provisioned.utilizationTarget ?? DEFAULT_UTILIZATION_TARGET });
  }
  return alias;
}

const MINUTE = Duration.minutes(1);

/** Alarms on `live` that say a release is failing, each on a one-minute period so a canary can react within its interval. */
export interface FunctionAlarms {
  readonly functionErrors: cloudwatch.Alarm;
  readonly throttles: cloudwatch.Alarm;
}

export function defineFunctionAlarms(scope: Construct, alias: lambda.Alias): FunctionAlarms {
  const atLeastOne = (id: string, metric: cloudwatch.IMetric, description: string) => new cloudwatch.Alarm(scope, id, {
    metric,
    alarmDescription: description,
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  return {
    // Invocations that failed outright: a crash of the runtime, a timeout, running out of memory.
    functionErrors: atLeastOne('FunctionErrorsAlarm', alias.metricErrors({ period: MINUTE, statistic: 'Sum' }),
      `The WSGI function's ${LIVE_ALIAS_NAME} alias failed an invocation in a minute`),
    throttles: atLeastOne('ThrottlesAlarm', alias.metricThrottles({ period: MINUTE, statistic: 'Sum' }),
      `The WSGI function's ${LIVE_ALIAS_NAME} alias was throttled in a minute`),
  };
}

/** More than 5% of the front door's requests answered 5xx in a minute, on the same period as the function's alarms. */
export function defineServerErrorRateAlarm(scope: Construct, frontDoor: DefinedApi): cloudwatch.Alarm {
  // The app's own failures come back as 500 responses, not as Lambda errors: only the front door counts them.
  return new cloudwatch.MathExpression({
    expression: 'IF(requests > 0, errors / requests, 0)',
    usingMetrics: { requests: frontDoor.requests, errors: frontDoor.serverErrors },
    period: MINUTE,
    label: '5xx responses / requests',
  }).createAlarm(scope, 'ServerErrorRateAlarm', {
    alarmDescription: 'More than 5% of requests to the WSGI app answered 5xx in a minute',
    threshold: 0.05,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}

/** CodeDeploy moves `live` to each new version as `options.config` says, rolling back when an alarm fires. */
export function defineGradualDeployment(scope: Construct, alias: lambda.Alias, alarms: cloudwatch.IAlarm[],
  options: WsgiApiDeploymentOptions): codedeploy.LambdaDeploymentGroup {
  return new codedeploy.LambdaDeploymentGroup(scope, 'DeploymentGroup', {
    alias,
    deploymentConfig: options.config ?? codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES,
    alarms,
    autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: alarms.length > 0 },
  });
}
