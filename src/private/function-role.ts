import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/**
 * A role for a Lambda function that writes to `logGroup` and nothing else, where Lambda's default role carries the
 * AWS-managed AWSLambdaBasicExecutionRole, which may create and write any log group in the account. Lambda writes the
 * function's logs to the group its LoggingConfig names, with the function's role
 * (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-loggroups.html).
 */
export function functionRole(scope: Construct, id: string, logGroup: logs.ILogGroup): iam.Role {
  const role = new iam.Role(scope, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  logGroup.grantWrite(role);
  return role;
}
