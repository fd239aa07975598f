import { Stack, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { NEWEST_ADAPTER_RUNTIME } from './adapter-layer-asset';

/**
 * The cdk-nag AwsSolutions findings a WsgiApi's front door keeps on purpose, each with its reason. Acknowledged on the
 * construct through CDK's validation API (which cdk-nag 3 reads), so that a user who adds cdk-nag to their app sees
 * only findings about their own resources; an acknowledgement that matches no finding does nothing.
 * https://github.com/cdklabs/cdk-nag/blob/main/RULES.md lists the rules.
 */
const API_FINDINGS: ReadonlyArray<{ id: string; reason: string }> = [
  {
    id: 'AwsSolutions-APIG2',
    reason: 'Every path goes to the WSGI app, which validates its own requests; API Gateway request models cannot describe a proxied app.',
  },
  {
    id: 'AwsSolutions-APIG3',
    reason: 'AWS WAF is a choice with its own cost; associate a web ACL with the stage (api.restApi.deploymentStage) where needed.',
  },
  {
    id: 'AwsSolutions-APIG4',
    reason: 'A web app authenticates its users itself; set WsgiApi\'s authorizer (REST) or httpAuthorizer (HTTP) where the API needs one.',
  },
  {
    id: 'AwsSolutions-COG4',
    reason: 'As for APIG4: the app, not a Cognito user pool authorizer, decides who may call it.',
  },
  {
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
    reason: 'The account\'s API Gateway logging role (cloudWatchRole) uses the managed policy AWS made for exactly that role.',
  },
];

/** The findings a WsgiFunction keeps on purpose, as API_FINDINGS. */
const FUNCTION_FINDINGS: ReadonlyArray<{ id: string; reason: string }> = [
  {
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]',
    reason: 'CodeDeploy\'s role for gradual deployments uses the managed policy AWS scoped to Lambda deployments.',
  },
  {
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
    reason: 'In a VPC, the function\'s role needs the network interface permissions AWS keeps in this managed policy.',
  },
];

/** The findings a WsgiApi's CloudFront distribution keeps on purpose, as API_FINDINGS. */
const DISTRIBUTION_FINDINGS: ReadonlyArray<{ id: string; reason: string }> = [
  {
    id: 'AwsSolutions-CFR1',
    reason: 'A public site serves every country; add a geo restriction to api.distribution where the law or the business needs one.',
  },
  {
    id: 'AwsSolutions-CFR2',
    reason: 'AWS WAF is a choice with its own cost; distribution.webAclId attaches a web ACL.',
  },
  {
    id: 'AwsSolutions-CFR3',
    reason: 'The function logs every request it serves; CloudFront\'s own access logs need a log destination of the user\'s choice, set on api.distribution.',
  },
  {
    id: 'AwsSolutions-SMG4',
    reason: 'The secret only proves a request came through the distribution; both read it at deploy time, so a new value needs a deployment, not rotation.',
  },
];

/** Without a domain name, the distribution serves the *.cloudfront.net certificate, whose TLS versions CloudFront fixes. */
const DEFAULT_CERTIFICATE_FINDING = {
  id: 'AwsSolutions-CFR4',
  reason: 'The *.cloudfront.net certificate accepts the TLS versions CloudFront decides; a distribution.domainName with its certificate requires TLS 1.2.',
};

/**
 * AwsSolutions-L1 wants each function on the newest runtime its family has in the user's aws-cdk-lib, which lists
 * runtimes before the adapter is built and tested for them.
 */
const NEWEST_ADAPTER_RUNTIME_REASON = `${NEWEST_ADAPTER_RUNTIME.name} is the newest Python runtime the cdk-wsgi adapter is built and tested `
  + 'for (its layer\'s compatible runtimes); a cdk-wsgi release takes up newer ones.';

/** Acknowledges API_FINDINGS on the construct that defines the API. */
export function acknowledgeApiFindings(scope: Construct): void {
  for (const acknowledgement of API_FINDINGS) {
    Validations.of(scope).acknowledge(acknowledgement);
  }
}

/** Acknowledges FUNCTION_FINDINGS on `scope`, and L1 on its app function `fn` when that runs on `runtime`. */
export function acknowledgeFunctionFindings(scope: Construct, fn: lambda.Function, runtime: lambda.Runtime): void {
  for (const acknowledgement of FUNCTION_FINDINGS) {
    Validations.of(scope).acknowledge(acknowledgement);
  }
  // Only on the runtime that is the newest the adapter supports: an older one of the user's choice is theirs to see.
  if (runtime.name === NEWEST_ADAPTER_RUNTIME.name) {
    Validations.of(fn).acknowledge({ id: 'AwsSolutions-L1', reason: NEWEST_ADAPTER_RUNTIME_REASON });
  }
}

/**
 * A dead-letter queue of cdk-wsgi's (of the schedules, of the background tasks) is where Scheduler and Lambda put what
 * failed: AwsSolutions-SQS3 looks for a queue's own dead-letter queue, or for a queue that names it as one, and sees
 * neither, as it cannot see a schedule's DeadLetterConfig or an alias's on-failure destination.
 */
export function acknowledgeDeadLetterQueueFindings(queue: Construct): void {
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: 'This queue is a dead-letter queue: EventBridge Scheduler (a schedule\'s DeadLetterConfig) or Lambda (an alias\'s on-failure '
      + 'destination) sends it what failed, which a queue of its own would only move once more.',
  });
}

/** The deploy-task runner is cdk-wsgi's own code, on the runtime it is tested on. */
export function acknowledgeRunnerFindings(runner: Construct, runtime: lambda.Runtime): void {
  Validations.of(runner).acknowledge({
    id: 'AwsSolutions-L1',
    reason: `The deploy-task runner is cdk-wsgi's own code, tested on ${runtime.name}, whose built-in AWS SDK it uses.`,
  });
}

/** Acknowledges DISTRIBUTION_FINDINGS on `scope`, and the default certificate's TLS versions when it serves one. */
export function acknowledgeDistributionFindings(scope: Construct, defaultCertificate: boolean): void {
  for (const acknowledgement of [...DISTRIBUTION_FINDINGS, ...defaultCertificate ? [DEFAULT_CERTIFICATE_FINDING] : []]) {
    Validations.of(scope).acknowledge(acknowledgement);
  }
}

/** The findings of a WsgiApi's static files bucket kept on purpose, as API_FINDINGS. */
const STATIC_BUCKET_FINDINGS: ReadonlyArray<{ id: string; reason: string }> = [
  {
    id: 'AwsSolutions-S1',
    reason: 'Only the distribution reads the static files bucket: CloudFront\'s access logs (CFR3) record the requests for its files, where '
      + 'S3\'s would need a log bucket of its own, with this finding again.',
  },
];

/**
 * The findings of the stack's BucketDeployment function, which uploads the static files, as API_FINDINGS. Its grants
 * name each bucket by ARN: BUCKET_DEPLOYMENT_OBJECT_REASON covers the wildcards of those buckets' objects.
 */
const BUCKET_DEPLOYMENT_FINDINGS: ReadonlyArray<{ id: string; reason: string }> = [
  {
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: 'aws-cdk-lib\'s BucketDeployment function logs with the managed policy AWS made for a function\'s logs.',
  },
  ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].map(action => ({
    id: `AwsSolutions-IAM5[Action::${action}]`,
    reason: 'aws-cdk-lib\'s BucketDeployment function syncs a folder with a bucket (aws s3 sync), with the actions of its read and write grants.',
  })),
  {
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'CloudFront invalidations have no ARN of their own: the BucketDeployment function creates and waits for them on any.',
  },
  {
    id: 'AwsSolutions-L1',
    reason: 'aws-cdk-lib\'s BucketDeployment function runs on the runtime aws-cdk-lib builds and tests it for.',
  },
];

const BUCKET_DEPLOYMENT_OBJECT_REASON = 'The BucketDeployment function reads the asset\'s objects and writes the static files, whose keys it learns '
  + 'from the folder at deploy time.';

/**
 * Acknowledges STATIC_BUCKET_FINDINGS on `scope`, and BUCKET_DEPLOYMENT_FINDINGS on `deploymentHandler`, the stack's
 * one BucketDeployment function (aws-cdk-lib defines it beside the WsgiApi, in the stack), with the wildcards of the
 * objects of `buckets` it reads or writes.
 */
export function acknowledgeStaticFilesFindings(scope: Construct, deploymentHandler: Construct, buckets: s3.IBucket[]): void {
  for (const acknowledgement of STATIC_BUCKET_FINDINGS) {
    Validations.of(scope).acknowledge(acknowledgement);
  }
  for (const acknowledgement of BUCKET_DEPLOYMENT_FINDINGS) {
    Validations.of(deploymentHandler).acknowledge(acknowledgement);
  }
  for (const bucket of buckets) {
    const evidence = flattenReference(Stack.of(scope).resolve(bucket.arnForObjects('*')));
    Validations.of(deploymentHandler).acknowledge({ id: `AwsSolutions-IAM5[Resource::${evidence}]`, reason: BUCKET_DEPLOYMENT_OBJECT_REASON });
  }
}

/**
 * A resolved value as cdk-nag writes it in a finding's ID: `<Logical.Attribute>` for Fn::GetAtt, `<Name>` for a Ref or a
 * `${Name}` in Fn::Sub, the items of Fn::Join joined.
 */
function flattenReference(value: unknown): string {
  if (typeof value === 'string') return value.replace(/\$\{([^}]*)\}/g, '<$1>');
  const [fn, args] = Object.entries(value as Record<string, any>)[0];
  switch (fn) {
    case 'Fn::Join': return (args[1] as unknown[]).map(flattenReference).join(args[0]);
    case 'Fn::Sub': return flattenReference(args);
    case 'Fn::GetAtt': return `<${args[0]}.${args[1]}>`;
    case 'Ref': return `<${args}>`;
    default: return JSON.stringify(value);
  }
}
