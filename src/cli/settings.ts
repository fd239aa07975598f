import * as path from 'path';
import * as defaults from '../contracts/defaults';
import { resolveAppSource } from '../shared/app-source';
import { ApiType } from '../types';
import { StaticFolder } from './static-files';

/** Everything `cdk-wsgi serve` needs to run one app the way its WsgiApi deploys it. */
export interface ServeSettings {
  /** What the startup line calls the app, e.g. `api:app` or a construct path. */
  readonly label: string;
  /** The app's folder, absolute. */
  readonly entry: string;
  /** The WSGI callable, `package.module:attr` (as CDK_WSGI_APP). */
  readonly app: string;
  readonly apiType: ApiType;
  /** The stage; `$default` puts no stage in the URL (and is what a function URL's events name); '' for a load balancer. */
  readonly stageName: string;
  /** Extra media types the adapter answers as text. */
  readonly textMediaTypes: string[];
  /** The REST API's binaryMediaTypes; undefined for the other front doors. */
  readonly binaryMediaTypes?: string[];
  /** Custom domain → base path (CDK_WSGI_BASE_PATHS). */
  readonly basePaths: Record<string, string>;
  /** Whether a CloudFront distribution is in front: the site is then at the root, with the visitor's host. */
  readonly distribution: boolean;
  /** The folder the distribution serves under a URL path, when it serves static files. */
  readonly staticFiles?: StaticFolder;
  /** The function's environment variables with literal values, CDK_WSGI_* excluded. */
  readonly environment: Record<string, string>;
  /** Variables whose values are only known at deploy time (references to other resources). */
  readonly deployTimeVariables: string[];
  readonly timeoutSeconds: number;
  readonly memorySize: number;
  /** The function's `prime` paths, sent through the app at each start as on Lambda at init; none from flags. */
  readonly prime?: { readonly paths: string[]; readonly timeoutMillis: number };
}

/** The flags that describe an app without a cloud assembly. */
export interface AppFlags {
  readonly entry: string;
  readonly module: string;
  readonly apiType?: string;
  readonly stage?: string;
  readonly binaryMediaTypes?: string;
  readonly textMediaTypes?: string;
  readonly timeout?: string;
  readonly distribution?: boolean;
}

const PLURAL: Readonly<Record<ApiType, string>> = {
  [ApiType.REST]: 'REST APIs',
  [ApiType.HTTP]: 'HTTP APIs',
  [ApiType.FUNCTION_URL]: 'function URLs',
  [ApiType.ALB]: 'load balancers',
};

/** WsgiApi's defaults for what flags leave out. */
export function settingsFromFlags(flags: AppFlags): ServeSettings {
  const apiType = parseApiType(flags.apiType ?? defaults.DEFAULT_API_TYPE);
  if (apiType !== ApiType.REST && flags.binaryMediaTypes !== undefined) {
    throw new Error(`--binary-media-types applies to REST APIs only; ${PLURAL[apiType]} have no binary media types`);
  }
  if ((apiType === ApiType.FUNCTION_URL || apiType === ApiType.ALB) && flags.stage !== undefined) {
    throw new Error(`--stage does not apply to ${apiType === ApiType.ALB ? 'a load balancer' : 'a function URL'}, which has no stages`);
  }
  if (apiType === ApiType.ALB && flags.distribution) {
    throw new Error('--distribution puts CloudFront in front of a REST API, HTTP API or function URL, not a load balancer');
  }
  const source = resolveAppSource(flags.entry, flags.module);
  const app = `${source.moduleName}:${source.attribute}`;
  return {
    label: app,
    entry: path.resolve(flags.entry),
    app,
    apiType,
    stageName: flags.stage ?? defaults.DEFAULT_STAGE_NAME[apiType],
    textMediaTypes: splitList(flags.textMediaTypes ?? ''),
    binaryMediaTypes: apiType === ApiType.REST ? splitList(flags.binaryMediaTypes ?? defaults.DEFAULT_BINARY_MEDIA_TYPES.join(',')) : undefined,
    basePaths: {},
    distribution: flags.distribution ?? false,
    environment: {},
    deployTimeVariables: [],
    timeoutSeconds: parseTimeout(flags.timeout ?? String(defaults.DEFAULT_TIMEOUT_SECONDS)),
    memorySize: defaults.DEFAULT_MEMORY_SIZE,
  };
}

/** A comma-separated list, as the CDK_WSGI_*_MEDIA_TYPES variables hold it. */
export function splitList(value: string): string[] {
  return value.split(',').map(item => item.trim()).filter(item => item !== '');
}

/** `rest`, `http`, `function-url` (also `function_url`) or `alb`, in any case. */
function parseApiType(value: string): ApiType {
  const apiType = Object.values(ApiType).find(type => type === value.toUpperCase().replace(/-/g, '_'));
  if (!apiType) {
    throw new Error(`--api-type must be rest, http, function-url or alb, got '${value}'`);
  }
  return apiType;
}

function parseTimeout(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 1 || seconds > 900) {
    throw new Error(`--timeout must be a number of seconds from 1 to 900, got '${value}'`);
  }
  return seconds;
}
