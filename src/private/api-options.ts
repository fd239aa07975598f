import { Size } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigatewayv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { WsgiApiCorsOptions, WsgiApiDomainOptions } from '../types';

/** What the REST and HTTP builders need, already validated and defaulted by WsgiApi. */
export interface ApiOptions {
  readonly handler: lambda.IFunction;
  /** Unique to the construct: REST APIs are known to CloudWatch by name. */
  readonly apiName: string;
  readonly stageName: string;
  readonly throttlingRateLimit?: number;
  readonly throttlingBurstLimit?: number;
  readonly accessLogRetention?: logs.RetentionDays;
  readonly tracingEnabled: boolean;
  readonly customDomain?: WsgiApiDomainOptions;
  readonly disableExecuteApiEndpoint: boolean;
  readonly cors?: WsgiApiCorsOptions;
  // REST only
  readonly authorizer?: apigateway.IAuthorizer;
  // HTTP only
  readonly httpAuthorizer?: apigatewayv2.IHttpRouteAuthorizer;
  // REST only
  readonly binaryMediaTypes: string[];
  readonly minCompressionSize?: Size;
  readonly cloudWatchRole: boolean;
  /** How long the stage's execution log (errors) keeps its events. */
  readonly executionLogRetention: logs.RetentionDays;
}

/** What WsgiApi needs of the front door a builder defined. */
export interface DefinedApi {
  /** The URL clients use: the custom domain's with its base path, else the execute-api URL with the stage. */
  readonly url: string;
  /** The host its requests name: the custom domain's, else the endpoint's own. */
  readonly host: string;
  /** Requests the API received, and those it answered 5xx, summed per period. */
  readonly requests: cloudwatch.IMetric;
  readonly serverErrors: cloudwatch.IMetric;
}
