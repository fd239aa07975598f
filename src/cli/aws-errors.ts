import * as lazy from './lazy';
import type { RemoteTarget, TargetOptions } from './remote-target';

/** The fix a refusal of `exec`, `command`, `manage` or `flask` names: the construct's grant for them. */
export const GRANT_MANAGE = 'grant what the commands need with api.grantManage(<role or user>) in the CDK app, and deploy';
/** The fix a refusal of `logs` names. */
export const GRANT_LOGS = 'grant what cdk-wsgi logs needs with api.grantLogs(<role or user>) in the CDK app, and deploy';

/**
 * Finds the function `options` name and runs `work` on it; an AWS SDK failure of either becomes an Error of one
 * readable line (see describeAwsError), in the region the call went to. `grant` is how to allow what was refused.
 */
export async function explainingAwsErrors<T>(options: TargetOptions, grant: string,
  work: (target: RemoteTarget) => Promise<T>): Promise<T> {
  let target: RemoteTarget | undefined;
  try {
    target = await lazy.remoteTarget().findTarget(options);
    return await work(target);
  } catch (error) {
    const region = target?.aws.region ?? options.region ?? process.env.AWS_REGION;
    const described = describeAwsError(error, { region, grant });
    throw described === undefined ? error : new Error(described, { cause: error });
  }
}

/** What describeAwsError needs to know of the call that failed. */
export interface AwsErrorContext {
  /** The region the call went to, when known. */
  readonly region?: string;
  /** How to allow what AWS refused (GRANT_MANAGE, GRANT_LOGS). */
  readonly grant: string;
}

/**
 * One readable line for an AWS SDK failure of a remote command: what went wrong, and what fixes it; undefined for
 * an error that did not come from the SDK. The SDK names each service error by its error code (`error.name`) and
 * gives it `$metadata`; an unrecognised one keeps the SDK's own message.
 */
export function describeAwsError(error: unknown, context: AwsErrorContext): string | undefined {
  const { name, message } = error as { name?: string; message?: string };
  const fromSdk = typeof error === 'object' && error !== null && ('$metadata' in error || name === 'CredentialsProviderError'
    || /Region is missing/.test(message ?? ''));
  if (!fromSdk) return undefined;
  const text = (message ?? String(error)).replace(/\s+/g, ' ').trim();
  const where = context.region ? ` in ${context.region}` : '';
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
      return `${text}; ${context.grant}`;
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
