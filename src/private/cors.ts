import * as apigateway from 'aws-cdk-lib/aws-apigateway';

/** The request headers a preflight allows when `cors.allowHeaders` names none: API Gateway's usual set, for every front door. */
export const DEFAULT_CORS_HEADERS: readonly string[] = apigateway.Cors.DEFAULT_HEADERS;
