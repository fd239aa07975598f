import { Size } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { WsgiApiDomainOptions } from '../types';

/** What the REST and HTTP builders need, already validated and defaulted by WsgiApi. */
export interface ApiOptions {
  readonly handler: lambda.IFunction;
  readonly stageName: string;
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
