import { Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { WsgiApiCorsOptions } from '../types';
import { DefinedApi } from './api-options';
import { DEFAULT_CORS_HEADERS } from './cors';

/** The first label of the host priming requests name when the function cannot know its front door's. */
export const PRIME_LABEL = 'cdk-wsgi-prime';

/** A function URL and what WsgiApi needs of it. */
export interface DefinedFunctionUrl extends DefinedApi {
  readonly functionUrl: lambda.FunctionUrl;
}

/**
 * A function URL on `live`. With auth type NONE, aws-cdk-lib grants the public both `lambda:InvokeFunctionUrl` and
 * `lambda:InvokeFunction` (the latter only through the URL), which URLs created since October 2025 need
 * (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html).
 */
export function defineFunctionUrl(alias: lambda.Alias, authType: lambda.FunctionUrlAuthType, cors?: WsgiApiCorsOptions): DefinedFunctionUrl {
  const functionUrl = alias.addFunctionUrl({
    authType,
    // Lambda answers preflights and adds the headers to every response
    // (https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html#urls-cors).
    cors: cors && {
      allowedOrigins: cors.allowOrigins,
      allowedMethods: (cors.allowMethods ?? ['*']).map(method => method as lambda.HttpMethod),
      allowedHeaders: cors.allowHeaders ?? [...DEFAULT_CORS_HEADERS],
      allowCredentials: cors.allowCredentials,
      maxAge: cors.maxAge,
    },
  });
  // Lambda counts the URL's requests and 5xx answers per alias (dimension Resource `function:alias`); the app's own
  // 500s are among them (https://docs.aws.amazon.com/lambda/latest/dg/urls-monitoring.html).
  const urlMetric = (name: string) => alias.metric(name, { statistic: 'Sum', period: Duration.minutes(1) });
  return {
    functionUrl,
    url: functionUrl.url,
    // The URL's own host (<url-id>.lambda-url.<region>.on.aws) exists only once the URL does, after the function, so
    // the function cannot be told it: priming requests name a host under the same domain, which an app that allows
    // `.lambda-url.<region>.on.aws` (as it must, not knowing the id either) accepts.
    host: `${PRIME_LABEL}.lambda-url.${Stack.of(alias).region}.on.aws`,
    requests: urlMetric('UrlRequestCount'),
    serverErrors: urlMetric('Url5xxCount'),
  };
}
