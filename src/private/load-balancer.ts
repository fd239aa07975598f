import { Duration } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as targets from 'aws-cdk-lib/aws-elasticloadbalancingv2-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { WsgiApiLoadBalancerOptions } from '../types';
import { DefinedApi } from './api-options';
import { propError } from '../shared/prop-error';

/** A Lambda target group behind a listener rule, and what WsgiApi needs of it. */
export interface DefinedLoadBalancerTarget extends DefinedApi {
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  readonly listenerRule: elbv2.ApplicationListenerRule;
}

/**
 * `live` in a Lambda target group with multi-value headers on, so repeated headers and query parameters reach the
 * app whole (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html), behind a rule
 * on the user's listener. The target grants the load balancer's service principal invoke on the alias.
 */
export function defineLoadBalancerTarget(scope: Construct, alias: lambda.Alias, options: WsgiApiLoadBalancerOptions): DefinedLoadBalancerTarget {
  if (!Number.isInteger(options.priority) || options.priority < 1 || options.priority > 50000) {
    throw propError('loadBalancer.priority', 'must be a whole number from 1 to 50000', options.priority, 'choose a priority no other rule of the listener has');
  }
  const targetGroup = new elbv2.ApplicationTargetGroup(scope, 'TargetGroup', {
    targetType: elbv2.TargetType.LAMBDA,
    targets: [new targets.LambdaTarget(alias)],
    multiValueHeadersEnabled: true,
    healthCheck: options.healthCheck ?? { enabled: false },
  });
  const listenerRule = new elbv2.ApplicationListenerRule(scope, 'ListenerRule', {
    listener: options.listener,
    priority: options.priority,
    conditions: options.conditions ?? [elbv2.ListenerCondition.pathPatterns(['/*'])],
    targetGroups: [targetGroup],
  });
  const { listener } = options;
  const https = listener.protocol === elbv2.ApplicationProtocol.HTTPS;
  const defaultPort = https ? 443 : 80;
  const host = listener.loadBalancer.loadBalancerDnsName;
  const metric = { statistic: 'Sum', period: Duration.minutes(1) };
  return {
    targetGroup,
    listenerRule,
    url: `${https ? 'https' : 'http'}://${host}${listener.port === defaultPort ? '' : `:${listener.port}`}/`,
    host,
    requests: targetGroup.metrics.requestCount(metric),
    // The app's own 5xx answers; the load balancer's 502 for a failed invocation counts on the load balancer, and the
    // function errors alarm sees that failure.
    serverErrors: targetGroup.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, metric),
  };
}
