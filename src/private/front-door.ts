import { Size } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { WsgiApiDomainOptions } from '../types';

/** What the REST and HTTP builders need, already validated and defaulted by WsgiApi. */
export interface FrontDoorOptions {
  readonly handler: lambda.IFunction;
  readonly stageName?: string;
  readonly throttlingRateLimit?: number;
  readonly throttlingBurstLimit?: number;
  readonly accessLogRetention?: logs.RetentionDays;
  readonly tracingEnabled: boolean;
  readonly customDomain?: WsgiApiDomainOptions;
  readonly disableExecuteApiEndpoint: boolean;
  // REST only
  readonly binaryMediaTypes: string[];
  readonly minCompressionSize?: Size;
  readonly cloudWatchRole: boolean;
}

/** What WsgiApi exposes of the front door it defined. */
export interface FrontDoor {
  /** The URL clients use: the custom domain (with base path) when set, else the execute-api URL with its stage. */
  readonly url: string;
}

/** The URL of a custom domain mapping, always ending in `/` like the execute-api URLs CDK builds. */
export function domainUrl(domain: WsgiApiDomainOptions): string {
  return `https://${domain.domainName}/${domain.basePath ? `${domain.basePath}/` : ''}`;
}
