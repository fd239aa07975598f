import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigatewayv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import { accessLogGroup } from './access-log';
import { ApiOptions, DefinedApi } from './api-options';
import { domainUrl } from './domain-url';

/** A REST API sending `ANY /` and `ANY /{proxy+}` to the function, plus its optional custom domain. */
export function defineRestApi(scope: Construct, options: ApiOptions): DefinedApi & { restApi: apigateway.RestApi } {
  const logGroup = accessLogGroup(scope, options.accessLogRetention);

  const restApi = new apigateway.LambdaRestApi(scope, 'RestApi', {
    handler: options.handler,
    proxy: true,
    integrationOptions: {
      // One permission per API instead of two per method: the resource policy stays small.
      scopePermissionToMethod: false,
    },
    endpointTypes: [apigateway.EndpointType.REGIONAL],
    binaryMediaTypes: options.binaryMediaTypes,
    minCompressionSize: options.minCompressionSize,
    // Stage logging fails to deploy unless the account has an API Gateway CloudWatch role.
    cloudWatchRole: options.cloudWatchRole,
    disableExecuteApiEndpoint: options.disableExecuteApiEndpoint,
    deployOptions: {
      stageName: options.stageName,
      throttlingRateLimit: options.throttlingRateLimit,
      throttlingBurstLimit: options.throttlingBurstLimit,
      tracingEnabled: options.tracingEnabled,
      loggingLevel: apigateway.MethodLoggingLevel.ERROR,
      metricsEnabled: true,
      accessLogDestination: logGroup && new apigateway.LogGroupLogDestination(logGroup),
      accessLogFormat: logGroup && apigateway.AccessLogFormat.jsonWithStandardFields(),
    },
  });

  // WsgiApi outputs the URL clients should use (the custom domain's when there is one); one output, not two.
  restApi.node.tryRemoveChild('Endpoint');

  const defined = {
    restApi,
    apiId: restApi.restApiId,
    requests: restApi.metricCount({ statistic: 'Sum' }),
    serverErrors: restApi.metricServerError({ statistic: 'Sum' }),
  };
  const domain = options.customDomain;
  if (!domain) {
    return { ...defined, url: restApi.url };
  }

  const securityPolicy = domain.securityPolicy ?? apigateway.SecurityPolicy.TLS_1_2;
  const domainName = new apigateway.DomainName(scope, 'DomainName', {
    domainName: domain.domainName,
    certificate: domain.certificate,
    endpointType: domain.endpointType ?? apigateway.EndpointType.REGIONAL,
    securityPolicy,
    // The 2025 policies need an access mode; STRICT also refuses clients that skip the policy (AWS's recommendation).
    endpointAccessMode: securityPolicy.startsWith('SecurityPolicy_') ? apigateway.EndpointAccessMode.STRICT : undefined,
  });
  if (domain.basePath?.includes('/')) {
    // BasePathMapping cannot hold a multi-level path; API Gateway's v2 ApiMapping can, for REST APIs too.
    new apigatewayv2.CfnApiMapping(scope, 'ApiMapping', {
      apiId: restApi.restApiId,
      domainName: domainName.domainName,
      stage: restApi.deploymentStage.stageName,
      apiMappingKey: domain.basePath,
    });
  } else {
    new apigateway.BasePathMapping(scope, 'BasePathMapping', {
      domainName,
      restApi,
      stage: restApi.deploymentStage,
      basePath: domain.basePath,
    });
  }
  if (domain.hostedZone) {
    new route53.ARecord(scope, 'AliasRecord', {
      zone: domain.hostedZone,
      recordName: domain.domainName,
      target: route53.RecordTarget.fromAlias(new targets.ApiGatewayDomain(domainName)),
    });
  }
  return { ...defined, url: domainUrl(domain) };
}
