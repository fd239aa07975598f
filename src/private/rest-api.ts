import { RemovalPolicy } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigatewayv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import { accessLogGroup } from './access-log';
import { ApiOptions, DefinedApi } from './api-options';
import { domainUrl, executeApiHost } from './domain-url';

/** A REST API sending `ANY /` and `ANY /{proxy+}` to the function, plus its optional custom domain. */
export function defineRestApi(scope: Construct, options: ApiOptions): DefinedApi & { restApi: apigateway.RestApi } {
  const logGroup = accessLogGroup(scope, options.accessLogRetention);

  const restApi = new apigateway.LambdaRestApi(scope, 'RestApi', {
    restApiName: options.apiName,
    handler: options.handler,
    proxy: true,
    integrationOptions: {
      // One permission per API instead of two per method: the resource policy stays small.
      scopePermissionToMethod: false,
    },
    endpointTypes: [apigateway.EndpointType.REGIONAL],
    // Every method the proxy defines requires it; CDK's preflight OPTIONS never does, as browsers send no credentials.
    defaultMethodOptions: options.authorizer && { authorizer: options.authorizer },
    defaultCorsPreflightOptions: options.cors && {
      allowOrigins: options.cors.allowOrigins,
      allowMethods: options.cors.allowMethods,
      allowHeaders: options.cors.allowHeaders,
      allowCredentials: options.cors.allowCredentials,
      maxAge: options.cors.maxAge,
    },
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

  // The stage's execution log: API Gateway creates it on first use, without a retention, under a name of its own
  // (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html). Defined here first, with one.
  const stage = restApi.deploymentStage;
  const executionLogs = new logs.LogGroup(scope, 'ExecutionLogs', {
    logGroupName: `API-Gateway-Execution-Logs_${restApi.restApiId}/${options.stageName}`,
    retention: options.executionLogRetention,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  stage.node.addDependency(executionLogs);

  const defined = {
    restApi,
    host: executeApiHost(scope, restApi.restApiId),
    // Keyed by the API's name, which is the construct's own (the stage's metrics would need the stage's Ref, and the
    // alarms that read them come before the stage: a circular dependency through the deployment group).
    requests: restApi.metricCount({ statistic: 'Sum' }),
    serverErrors: restApi.metricServerError({ statistic: 'Sum' }),
  };
  const domain = options.customDomain;
  if (!domain) {
    return { ...defined, url: restApi.url };
  }
  if (domain.domain) {
    domain.domain._mapApi(scope, restApi.restApiId, restApi.deploymentStage.stageName, domain.basePath);
    return { ...defined, url: domainUrl(domain.domain.domainName, domain.basePath), host: domain.domain.domainName };
  }

  const securityPolicy = domain.securityPolicy ?? apigateway.SecurityPolicy.TLS_1_2;
  const domainName = new apigateway.DomainName(scope, 'DomainName', {
    domainName: domain.domainName!,
    certificate: domain.certificate!,
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
      recordName: domain.domainName!,
      target: route53.RecordTarget.fromAlias(new targets.ApiGatewayDomain(domainName)),
    });
  }
  return { ...defined, url: domainUrl(domain.domainName!, domain.basePath), host: domain.domainName! };
}
