import * as path from 'path';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { ServeMetadata } from '../contracts/adapter-contract';

/** What a front door (a WsgiApi) tells its WsgiFunction once it exists: how requests reach the app. */
export interface FrontDoor {
  readonly apiType: NonNullable<ServeMetadata['apiType']>;
  /** The host the front door's requests name, for priming. */
  readonly host: string;
  readonly stage: string;
  /** Whether a CloudFront distribution is in front of it. */
  readonly distribution?: boolean;
  /** The folder the distribution serves under `urlPath`, absolute. */
  readonly staticFiles?: { readonly directory: string; readonly urlPath: string };
  /** The alarm on the front door's 5xx rate, which gradual deployments also watch. */
  readonly serverErrorRateAlarm?: cloudwatch.IAlarm;
}

/** `dir` as the CLI finds it: relative to the folder the app is synthesized from, with `/` separators. */
export function cliPath(dir: string): string {
  return path.relative(process.cwd(), path.resolve(dir)).split(path.sep).join('/') || '.';
}
