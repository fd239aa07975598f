import { RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The log group both API flavours write access logs to; none when access logging is off (no retention). */
export function accessLogGroup(scope: Construct, retention: logs.RetentionDays | undefined): logs.LogGroup | undefined {
  if (retention === undefined) {
    return undefined;
  }
  return new logs.LogGroup(scope, 'AccessLogs', {
    retention,
    // Access logs are operational data, not state: they go with the stack.
    removalPolicy: RemovalPolicy.DESTROY,
  });
}
