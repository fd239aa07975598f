import * as lazy from './lazy';
import type { RemoteTarget, TargetOptions } from './remote-target';

/**
 * Finds the function `options` name and runs `work` on it; an AWS SDK failure of either becomes an Error of one
 * readable line (see describeAwsError), in the region the call went to.
 */
export async function explainingAwsErrors<T>(options: TargetOptions, work: (target: RemoteTarget) => Promise<T>): Promise<T> {
  let target: RemoteTarget | undefined;
  try {
    target = await lazy.remoteTarget().findTarget(options);
    return await work(target);
  } catch (error) {
    const described = describeAwsError(error, target?.aws.region ?? options.region ?? process.env.AWS_REGION);
    throw described === undefined ? error : new Error(described);
  }
}

/**
 * One readable line for an AWS SDK failure of a remote command: what went wrong, and what fixes it; undefined for
 * an error that did not come from the SDK. The SDK names each service error by its error code (`error.name`) and
 * gives it `$metadata`; an unrecognised one keeps the SDK's own message.
 */
export function describeAwsError(error: unknown, region: string | undefined): string | undefined {
  const { name, message } = error as { name?: string; message?: string };
  const fromSdk = typeof error === 'object' && error !== null && ('$metadata' in error || name === 'CredentialsProviderError'
    || /Region is missing/.test(message ?? ''));
  if (!fromSdk) return undefined;
  const text = (message ?? String(error)).replace(/\s+/g, ' ').trim();
  const where = region ? ` in ${region}` : '';
  switch (name) {
    case 'CredentialsProviderError':
      return 'no AWS credentials found: set AWS_PROFILE or pass --profile, or sign in (aws sso login, aws configure)';
    case 'UnrecognizedClientException':
    case 'InvalidClientTokenId':
    case 'ExpiredToken':
    case 'ExpiredTokenException':
      return `AWS rejected the credentials (${name}): ${text}; sign in again or pick another --profile`;
    case 'AccessDeniedException':
    case 'AccessDenied':
      // Lambda and CloudFormation name the identity, the action and the resource in the message.
      return `${text}; allow it with api.grantManage(<role or user>) for Invoke on the live alias, `
        + 'plus cloudformation:DescribeStackResource (and GetTemplate for --stack) on the stack';
    case 'ResourceNotFoundException':
      return `${text}${where}: deploy the app (cdk deploy), or pass the --region it is deployed in`;
    case 'ValidationError':
      if (/Stack .* does not exist/.test(text)) {
        return `${text}${where}: deploy it (cdk deploy), or pass the --region it is deployed in`;
      }
      if (/Resource .* does not exist for stack/.test(text)) {
        return `${text}: the deployed stack is older than cdk.out; deploy it (cdk deploy) or synthesize what is deployed`;
      }
      return text;
    case 'TooManyRequestsException':
    case 'Throttling':
      return `AWS throttled the call (${name}): ${text}; try again in a moment`;
    default:
      if (/Region is missing/.test(text)) {
        return 'no AWS region: pass --region, set AWS_REGION, or give the stack an env in the CDK app';
      }
      return text;
  }
}
