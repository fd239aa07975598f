import * as apigatewayv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import { accessLogGroup } from './access-log';
import { ApiOptions, DefinedApi } from './api-options';
import { DEFAULT_CORS_HEADERS } from './cors';
import { domainUrl, executeApiHost } from './domain-url';

/** An HTTP API whose `$default` route (every method and path, `/` included) invokes the function. */
export function defineHttpApi(scope: Construct, options: ApiOptions): DefinedApi & { httpApi: apigatewayv2.HttpApi } {
  const httpApi = new apigatewayv2.HttpApi(scope, 'HttpApi', {
    apiName: options.apiName,
    defaultIntegration: new HttpLambdaIntegration('Integration', options.handler, {
      payloadFormatVersion: apigatewayv2.PayloadFormatVersion.VERSION_2_0,
    }),
    defaultAuthorizer: options.httpAuthorizer,
    // API Gateway answers preflights and adds the headers to every response
    // (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html).
    corsPreflight: options.cors && {
      allowOrigins: options.cors.allowOrigins,
      allowMethods: (options.cors.allowMethods ?? ['*']).map(method => method as apigatewayv2.CorsHttpMethod),
      allowHeaders: options.cors.allowHeaders ?? [...DEFAULT_CORS_HEADERS],
      allowCredentials: options.cors.allowCredentials,
      maxAge: options.cors.maxAge,
    },
    // The stage is ours so that throttling and access logging apply to `$default` too.
    createDefaultStage: false,
    disableExecuteApiEndpoint: options.disableExecuteApiEndpoint,
  });

  const logGroup = accessLogGroup(scope, options.accessLogRetention);
  const throttled = options.throttlingRateLimit !== undefined || options.throttlingBurstLimit !== undefined;
  const stage = httpApi.addStage('Stage', {
    stageName: options.stageName,
    autoDeploy: true,
    throttle: throttled ? { rateLimit: options.throttlingRateLimit, burstLimit: options.throttlingBurstLimit } : undefined,
    detailedMetricsEnabled: true,
    accessLogSettings: logGroup && { destination: new apigatewayv2.LogGroupLogDestination(logGroup) },
  });

  const defined = {
    httpApi,
    host: executeApiHost(scope, httpApi.apiId),
    requests: httpApi.metricCount({ statistic: 'Sum' }),
    serverErrors: httpApi.metricServerError({ statistic: 'Sum' }),
  };
  const domain = options.customDomain;
  if (!domain) {
    return { ...defined, url: stage.url };
  }
  if (domain.domain) {
    domain.domain._mapApi(scope, httpApi.apiId, stage.stageName, domain.basePath);
    return { ...defined, url: domainUrl(domain.domain.domainName, domain.basePath), host: domain.domain.domainName };
  }

  const domainName = new apigatewayv2.DomainName(scope, 'DomainName', {
    domainName: domain.domainName!,
    certificate: domain.certificate!,
    securityPolicy: apigatewayv2.SecurityPolicy.TLS_1_2,
  });
  new apigatewayv2.ApiMapping(scope, 'ApiMapping', {
    api: httpApi,
    domainName,
    stage,
    apiMappingKey: domain.basePath,
  });
  if (domain.hostedZone) {
    new route53.ARecord(scope, 'AliasRecord', {
      zone: domain.hostedZone,
      recordName: domain.domainName!,
      target: route53.RecordTarget.fromAlias(
        new targets.ApiGatewayv2DomainProperties(domainName.regionalDomainName, domainName.regionalHostedZoneId)),
    });
  }
  return { ...defined, url: domainUrl(domain.domainName!, domain.basePath), host: domain.domainName! };
}
