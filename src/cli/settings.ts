import * as path from 'path';
import { resolveAppSource } from '../private/app-source';

/** The front door `cdk-wsgi serve` emulates. */
export type ApiKind = 'REST' | 'HTTP';

/** Everything `cdk-wsgi serve` needs to run one app the way its WsgiApi deploys it. */
export interface ServeSettings {
  /** What the startup line calls the app, e.g. `api:app` or a construct path. */
  readonly label: string;
  /** The app's folder, absolute. */
  readonly entry: string;
  /** The WSGI callable, `package.module:attr` (as CDK_WSGI_APP). */
  readonly app: string;
  readonly apiType: ApiKind;
  /** The stage; `$default` puts no stage in the URL. */
  readonly stageName: string;
  /** Extra media types the adapter answers as text. */
  readonly textMediaTypes: string[];
  /** The REST API's binaryMediaTypes; undefined for an HTTP API. */
  readonly binaryMediaTypes?: string[];
  /** Custom domain → base path (CDK_WSGI_BASE_PATHS). */
  readonly basePaths: Record<string, string>;
  /** The function's environment variables with literal values, CDK_WSGI_* excluded. */
  readonly environment: Record<string, string>;
  /** Variables whose values are only known at deploy time (references to other resources). */
  readonly deployTimeVariables: string[];
  readonly timeoutSeconds: number;
  readonly memorySize: number;
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
}

/** The WsgiApi defaults (wsgi-api.ts) for what flags leave out. */
export function settingsFromFlags(flags: AppFlags): ServeSettings {
  const apiType = (flags.apiType ?? 'rest').toUpperCase();
  if (apiType !== 'REST' && apiType !== 'HTTP') {
    throw new Error(`--api-type must be rest or http, got '${flags.apiType}'`);
  }
  if (apiType === 'HTTP' && flags.binaryMediaTypes !== undefined) {
    throw new Error('--binary-media-types applies to REST APIs only; HTTP APIs have no binary media types');
  }
  const source = resolveAppSource(flags.entry, flags.module);
  const app = `${source.moduleName}:${source.attribute}`;
  return {
    label: app,
    entry: path.resolve(flags.entry),
    app,
    apiType,
    stageName: flags.stage ?? (apiType === 'REST' ? 'prod' : '$default'),
    textMediaTypes: splitList(flags.textMediaTypes ?? ''),
    binaryMediaTypes: apiType === 'REST' ? splitList(flags.binaryMediaTypes ?? '*/*') : undefined,
    basePaths: {},
    environment: {},
    deployTimeVariables: [],
    timeoutSeconds: parseTimeout(flags.timeout ?? '29'),
    memorySize: 512,
  };
}

/** A comma-separated list, as the CDK_WSGI_*_MEDIA_TYPES variables hold it. */
export function splitList(value: string): string[] {
  return value.split(',').map(item => item.trim()).filter(item => item !== '');
}

function parseTimeout(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 1 || seconds > 900) {
    throw new Error(`--timeout must be a number of seconds from 1 to 900, got '${value}'`);
  }
  return seconds;
}
