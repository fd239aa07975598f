import { Duration, Size, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { adapterEnvironment, logicalId, synthWsgiApi, testApp } from './helpers';
import { ApiType, WsgiApiProps } from '../src';

const FUNCTION_URL = { apiType: ApiType.FUNCTION_URL };

describe('ApiType.FUNCTION_URL', () => {
  test('a public function URL on live, both permissions new URLs need, and no API Gateway', () => {
    const { api, template, stack } = synthWsgiApi(FUNCTION_URL);
    template.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'NONE',
      Qualifier: 'live',
      TargetFunctionArn: { 'Fn::GetAtt': [logicalId(api.lambdaFunction), 'Arn'] },
    });
    // Since October 2025 a new URL needs both: InvokeFunctionUrl, and InvokeFunction through the URL alone.
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunctionUrl', FunctionUrlAuthType: 'NONE', Principal: '*', FunctionName: { Ref: logicalId(api.alias) },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction', InvokedViaFunctionUrl: true, Principal: '*', FunctionName: { Ref: logicalId(api.alias) },
    });
    template.resourceCountIs('AWS::Lambda::Permission', 2);
    for (const type of ['AWS::ApiGateway::RestApi', 'AWS::ApiGatewayV2::Api', 'AWS::ApiGateway::Account', 'AWS::Logs::LogGroup']) {
      template.resourceCountIs(type, type === 'AWS::Logs::LogGroup' ? 1 : 0);
    }
    expect(api.functionUrl).toBeInstanceOf(lambda.FunctionUrl);
    expect(stack.resolve(api.url)).toEqual({ 'Fn::GetAtt': [logicalId(api.functionUrl!), 'FunctionUrl'] });
    template.hasOutput('*', { Value: { 'Fn::GetAtt': [logicalId(api.functionUrl!), 'FunctionUrl'] } });
    // The adapter decides base64 from the response alone; no media-type list or base path for it.
    expect(adapterEnvironment(template)).toEqual({ CDK_WSGI_APP: 'api:app' });
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'cdk_wsgi_adapter.handler' } }));
    expect(fn.Metadata['cdk-wsgi']).toEqual({ entry: expect.any(String), apiType: 'FUNCTION_URL', stageName: '$default' });
  });

  test('AWS_IAM: signed requests of principals allowed to invoke it, and no public permission', () => {
    const { template } = synthWsgiApi({ ...FUNCTION_URL, functionUrlAuthType: lambda.FunctionUrlAuthType.AWS_IAM });
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'AWS_IAM', Qualifier: 'live' });
    template.resourceCountIs('AWS::Lambda::Permission', 0);
  });

  test('the function may run past API Gateway\'s 29 seconds, up to Lambda\'s 15 minutes', () => {
    const { template } = synthWsgiApi({ ...FUNCTION_URL, timeout: Duration.minutes(15) });
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'cdk_wsgi_adapter.handler', Timeout: 900 });
    expect(() => synthWsgiApi({ ...FUNCTION_URL, timeout: Duration.minutes(16) })).toThrow(
      "timeout must be at most 15 minutes, Lambda's limit, got '16 minutes'; lower timeout, and run longer work as a job of its own");
    expect(() => synthWsgiApi({ timeout: Duration.minutes(1) })).toThrow(
      "timeout must be at most 29 seconds behind a REST API, got '1 minute'; API Gateway answers 504 after 29 seconds while the function "
      + 'would run on; lower timeout, or use ApiType.FUNCTION_URL');
  });

  test('priming requests are shaped as the URL\'s events, naming a host in its domain (its own exists only after the function)', () => {
    const { template, stack } = synthWsgiApi({ ...FUNCTION_URL, prime: ['/'] }, new Stack(testApp(), 'S', { env: { region: 'eu-west-1' } }));
    const prime = JSON.parse(stack.resolve(adapterEnvironment(template).CDK_WSGI_PRIME));
    expect(prime).toEqual({ apiType: 'FUNCTION_URL', host: 'cdk-wsgi-prime.lambda-url.eu-west-1.on.aws', stage: '$default', paths: ['/'], timeoutMillis: 5000 });
  });

  test('gradual deployments also watch the share of the URL\'s requests answered 5xx', () => {
    const { api, template } = synthWsgiApi({ ...FUNCTION_URL, deployment: {} });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([
        Match.objectLike({
          Id: 'requests',
          MetricStat: Match.objectLike({
            Metric: {
              Namespace: 'AWS/Lambda',
              MetricName: 'UrlRequestCount',
              Dimensions: Match.arrayWith([{ Name: 'Resource', Value: Match.anyValue() }]),
            },
          }),
        }),
        Match.objectLike({ Id: 'errors', MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'Url5xxCount' }) }) }),
      ]),
    });
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      AlarmConfiguration: { Alarms: Match.arrayWith([{ Name: { Ref: logicalId(api.serverErrorRateAlarm!) } }]) },
    });
  });

  const apiGatewayProps: Array<[keyof WsgiApiProps, unknown, string]> = [
    ['binaryMediaTypes', ['image/png'], "['image/png']"],
    ['stageName', 'v1', "'v1'"],
    ['throttlingRateLimit', 10, '10'],
    ['minCompressionSize', Size.kibibytes(1), expect.any(String)],
    ['accessLogging', false, 'false'],
    ['apiTracing', true, 'true'],
    ['cloudWatchRole', false, 'false'],
    ['disableExecuteApiEndpoint', true, 'true'],
  ];
  test.each(apiGatewayProps)('refuses %s, which configures API Gateway, naming it and the fix', (prop, value, shown) => {
    expect(() => synthWsgiApi({ ...FUNCTION_URL, [prop]: value })).toThrow(new RegExp(
      `^${prop} configures API Gateway, which ApiType.FUNCTION_URL does not use, got ${typeof shown === 'string' ? escape(shown) : '.+'}; `
      + `remove ${prop}, or use ApiType.REST or ApiType.HTTP$`));
  });

  test.each([ApiType.REST, ApiType.HTTP])('refuses functionUrlAuthType with ApiType.%s', apiType => {
    expect(() => synthWsgiApi({ apiType, functionUrlAuthType: lambda.FunctionUrlAuthType.NONE })).toThrow(
      `functionUrlAuthType applies to ApiType.FUNCTION_URL only, not to ApiType.${apiType}, got 'NONE'; remove it, or use apiType: ApiType.FUNCTION_URL`);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
