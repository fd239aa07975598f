import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CONNECTION_TIMEOUT_MS, requestTarget } from './aws-clients';
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
    const described = describeAwsError(error, { region, profile: options.profile, grant });
    throw described === undefined ? error : new Error(described, { cause: error });
  }
}

/** What describeAwsError needs to know of the call that failed. */
export interface AwsErrorContext {
  /** The region the call went to, when known. */
  readonly region?: string;
  /** --profile, when given; AWS_PROFILE is read from the environment. */
  readonly profile?: string;
  /** How to allow what AWS refused (GRANT_MANAGE, GRANT_LOGS). */
  readonly grant: string;
}

/**
 * One readable line for an AWS SDK failure of a remote command: what went wrong, and what fixes it; undefined for
 * an error that did not come from the SDK. The SDK names each service error by its error code (`error.name`) and
 * gives it `$metadata`; a failure to connect keeps Node's error code; an unrecognised one keeps the SDK's message.
 */
export function describeAwsError(error: unknown, context: AwsErrorContext): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { name, message } = error as { name?: string; message?: string };
  const text = (message ?? String(error)).replace(/\s+/g, ' ').trim();
  const local = describeUnreachable(error) ?? describeSettings(error);
  if (local !== undefined) return local;
  const fromSdk = '$metadata' in error || name === 'CredentialsProviderError' || name === 'TokenProviderError'
    || /Region is missing/.test(text);
  if (!fromSdk) return undefined;
  const where = context.region ? ` in ${context.region}` : '';
  switch (name) {
    case 'CredentialsProviderError':
    case 'TokenProviderError':
      return describeNoCredentials(text, context.profile);
    case 'UnrecognizedClientException':
    case 'InvalidClientTokenId':
    case 'InvalidSignatureException':
    case 'SignatureDoesNotMatch':
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
    case 'RequestTooLargeException':
      return `${text}: a command travels in one Lambda request, at most 6 MB; put long code in the app and call it `
        + '(cdk-wsgi exec -c "import tasks; tasks.run()")';
    default:
      if (/Region is missing/.test(text)) {
        // A profile that does not exist has no region either: that is the mistake to report.
        return unknownProfile(context.profile)
          ?? 'no AWS region: pass --region, set AWS_REGION, or give the stack an env in the CDK app';
      }
      return text;
  }
}

const NO_PROVIDER = /Could not load credentials from any providers/;

function describeNoCredentials(text: string, profile: string | undefined): string {
  const unknown = unknownProfile(profile);
  if (unknown !== undefined) return unknown;
  const named = namedProfile(profile);
  if (!NO_PROVIDER.test(text)) {
    // The SDK's own line says what went wrong with a source it tried (an expired SSO session, a failing process).
    return `could not get AWS credentials${named ? ` of profile '${named.name}'` : ''}: ${text}`;
  }
  if (named) {
    return `no AWS credentials found in profile '${named.name}' (from ${named.from}): sign in with `
      + `\`aws sso login --profile ${named.name}\`, or give it an access key with \`aws configure --profile ${named.name}\``;
  }
  return 'no AWS credentials found: set AWS_PROFILE or pass --profile, or sign in (aws sso login, aws configure)';
}

/** The profile the SDK is told to use, and where it was named; undefined when it falls back to `default`. */
function namedProfile(profile: string | undefined): { name: string; from: string } | undefined {
  if (profile) return { name: profile, from: '--profile' };
  const fromEnvironment = process.env.AWS_PROFILE;
  return fromEnvironment ? { name: fromEnvironment, from: 'AWS_PROFILE' } : undefined;
}

/** A line saying the profile named (by --profile or AWS_PROFILE) is in neither shared file; undefined if it is. */
function unknownProfile(profile: string | undefined): string | undefined {
  const named = namedProfile(profile);
  if (!named) return undefined;
  const files = sharedFiles();
  const known = new Set(files.flatMap(file => file.profiles));
  if (known.has(named.name)) return undefined;
  const others = known.size > 0 ? `; the files name ${[...known].join(', ')}` : '';
  return `profile '${named.name}' (from ${named.from}) is not in ${files.map(file => file.shown).join(' or ')}: add it with `
    + `\`aws configure --profile ${named.name}\` (an access key) or \`aws configure sso\` (IAM Identity Center)${others}`;
}

/**
 * The shared config and credentials files, where the SDK looks for them, and the profiles each defines: a config
 * file's `[default]` and `[profile NAME]` sections, a credentials file's `[NAME]` sections
 * (https://docs.aws.amazon.com/sdkref/latest/guide/file-format.html).
 */
function sharedFiles(): Array<{ shown: string; profiles: string[] }> {
  const home = process.env.HOME || process.env.USERPROFILE || os.homedir();
  const files = [
    { variable: 'AWS_CONFIG_FILE', base: 'config', profile: (section: string) => section === 'default' ? section : /^profile\s+(["']?)(\S+)\1$/.exec(section)?.[2] },
    { variable: 'AWS_SHARED_CREDENTIALS_FILE', base: 'credentials', profile: (section: string) => section },
  ];
  return files.map(({ variable, base, profile }) => {
    const given = process.env[variable];
    const file = given ? given.replace(/^~(?=[/\\])/, home) : path.join(home, '.aws', base);
    let text = '';
    try {
      text = fs.readFileSync(file, 'utf-8');
    } catch {
      // A file that is missing (or unreadable) defines no profile, as the SDK reads it.
    }
    const profiles = [...text.matchAll(/^\s*\[([^\]\r\n]+)\]/gm)].map(match => profile(match[1].trim())).filter(
      (name): name is string => !!name);
    return { shown: given ? `${given} (${variable})` : `~/.aws/${base}`, profiles };
  });
}

/** Node's codes for a connection that could not be made or was lost, and what each means. */
const UNREACHABLE: Record<string, string> = {
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'its name could not be looked up',
  ECONNREFUSED: 'nothing accepts connections there',
  ETIMEDOUT: 'the connection timed out',
  ECONNRESET: 'the connection was cut',
  EHOSTUNREACH: 'no route to it',
  ENETUNREACH: 'no network route to it',
};

/** A line for a request that never reached AWS (or whatever endpoint stands in for it); undefined for others. */
function describeUnreachable(error: object): string | undefined {
  const { code, name, message, hostname, address, port } = error as Record<string, any>;
  let why = typeof code === 'string' ? UNREACHABLE[code] : undefined;
  let fix: string | undefined;
  if (why === undefined && name === 'TimeoutError' && /establish a connection/.test(message ?? '')) {
    why = `no connection within ${CONNECTION_TIMEOUT_MS / 1000} s`;
  }
  if (why === undefined && typeof code === 'string' && /CERT|SELF_SIGNED|TLS/.test(code)) {
    why = 'its TLS certificate is not one Node.js trusts';
    fix = 'if a proxy or firewall inspects TLS, point NODE_EXTRA_CA_CERTS at its CA certificate';
  }
  if (why === undefined) return undefined;
  const target = requestTarget(error);
  const host = target ? new URL(target.origin).host : hostname ?? (address ? `${address}${port ? `:${port}` : ''}` : 'AWS');
  const variable = target && endpointVariables(target.serviceId).find(([, value]) => originOf(value) === new URL(target.origin).origin);
  if (variable) {
    fix = `${variable[0]}=${variable[1]} sends the call there; correct it, or unset it to call AWS`;
  } else if (fix === undefined) {
    // AWS's hosts are <service>.<region>.amazonaws.com: a mistyped region is a host that does not exist.
    const aws = /^[\w-]+\.([\w-]+)\.amazonaws\.com(\.cn)?(:\d+)?$/.exec(host);
    fix = 'check your network connection and proxy';
    if (aws && code === 'ENOTFOUND') fix += `, and that ${aws[1]} is the region you mean (--region)`;
    if (!aws && host !== 'AWS') fix += ', and any endpoint_url in your AWS config file';
  }
  // A connection cut during an invocation may come after the function started the command.
  const ran = code === 'ECONNRESET' ? '; a command may have run all the same (cdk-wsgi logs shows)' : '';
  return `cannot reach ${host}: ${why} (${code ?? name}); ${fix}${ran}`;
}

/** A line for a setting the SDK cannot use at all (an endpoint variable that is no URL, a region that is no name). */
function describeSettings(error: object): string | undefined {
  const { code, input, message } = error as Record<string, any>;
  if (code === 'ERR_INVALID_URL') {
    const variable = endpointVariables().find(([, value]) => value === input);
    if (variable) return `${variable[0]}=${variable[1]} is not a URL: give one such as https://host:port, or unset it`;
  }
  const region = /Region not accepted: region="([^"]*)"/.exec(message ?? '');
  if (region) {
    return `'${region[1]}' is not an AWS region name (such as eu-west-1): check --region, AWS_REGION and the profile's region`;
  }
  return undefined;
}

/**
 * The AWS_ENDPOINT_URL variables that are set, in the order the SDK reads them: the service's own (its id in upper
 * case, spaces as underscores: AWS_ENDPOINT_URL_CLOUDWATCH_LOGS), then the one for all services
 * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html); every one when the service is not known.
 */
function endpointVariables(serviceId?: string): Array<[string, string]> {
  const names = serviceId === undefined
    ? Object.keys(process.env).filter(name => /^AWS_ENDPOINT_URL(_\w+)?$/.test(name)).sort((a, b) => b.length - a.length)
    : [`AWS_ENDPOINT_URL_${serviceId.toUpperCase().replace(/ /g, '_')}`, 'AWS_ENDPOINT_URL'];
  return names.flatMap(name => process.env[name] ? [[name, process.env[name]] as [string, string]] : []);
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
