import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigatewayv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as integrations from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as iam from 'aws-cdk-lib/aws-iam';
import { APP_ENTRY, adapterEnvironment, logicalId, synthWsgiApi, testStack } from './helpers';
import { WsgiFunction, WsgiFunctionProps } from '../src';

function synthWsgiFunction(overrides: Partial<WsgiFunctionProps> = {}, stack = testStack()) {
  const fn = new WsgiFunction(stack, 'Fn', { entry: APP_ENTRY, module: 'api.app', ...overrides });
  return { stack, fn, template: Template.fromStack(stack) };
}

describe('WsgiFunction', () => {
  test('alone: the function with its adapter layer, live and manage aliases and log group, and no front door', () => {
    const { fn, template } = synthWsgiFunction();
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'cdk_wsgi_adapter.handler',
      Runtime: 'python3.14',
      Architectures: ['arm64'],
      MemorySize: 512,
      Timeout: 29,
      Layers: [{ Ref: logicalId(fn.layer) }],
      LoggingConfig: { LogGroup: { Ref: logicalId(fn.logGroup) } },
    });
    expect(adapterEnvironment(template)).toEqual({ CDK_WSGI_APP: 'api:app' });
    template.hasResourceProperties('AWS::Lambda::Alias', { Name: 'live' });
    template.hasResourceProperties('AWS::Lambda::Alias', { Name: 'manage' });
    for (const type of ['AWS::ApiGateway::RestApi', 'AWS::ApiGatewayV2::Api', 'AWS::Lambda::Permission']) {
      template.resourceCountIs(type, 0);
    }
    // The remote commands find it by its entry; a front door would add how requests arrive.
    const [resource] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'cdk_wsgi_adapter.handler' } }));
    expect(resource.Metadata['cdk-wsgi']).toEqual({ entry: 'test/fixtures/wsgi-app' });
  });

  test("fn.alias behind a front door of the user's own: an HTTP API integration invokes live", () => {
    const stack = testStack();
    const fn = new WsgiFunction(stack, 'Fn', { entry: APP_ENTRY, module: 'api.app' });
    new apigatewayv2.HttpApi(stack, 'Api', { defaultIntegration: new integrations.HttpLambdaIntegration('App', fn.alias) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationUri: { Ref: logicalId(fn.alias) },
      PayloadFormatVersion: '2.0',
    });
    template.hasResourceProperties('AWS::Lambda::Permission', { FunctionName: { Ref: logicalId(fn.alias) } });
  });

  test('gradual deployments watch the alias alone, as no front door counts responses', () => {
    const { fn, template } = synthWsgiFunction({ deployment: {} });
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      AlarmConfiguration: {
        Enabled: true,
        Alarms: [{ Name: { Ref: logicalId(fn.functionErrorsAlarm!) } }, { Name: { Ref: logicalId(fn.throttlesAlarm!) } }],
      },
    });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    expect(fn.deploymentGroup).toBeInstanceOf(codedeploy.LambdaDeploymentGroup);
  });

  test('prime without a front door fails the synth naming the prop and the fix', () => {
    const stack = testStack();
    new WsgiFunction(stack, 'Fn', { entry: APP_ENTRY, module: 'api.app', prime: ['/'] });
    expect(() => Template.fromStack(stack)).toThrow(
      'prime needs a front door to shape its requests (["/"]): put the function behind a WsgiApi, or remove prime');
  });

  test('grants management commands and log reading as WsgiApi does', () => {
    const stack = testStack();
    const fn = new WsgiFunction(stack, 'Fn', { entry: APP_ENTRY, module: 'api.app' });
    const role = new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
    fn.grantManage(role);
    fn.grantLogs(role);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'lambda:InvokeFunction', Resource: { Ref: logicalId(fn.manageAlias!) } }),
          Match.objectLike({ Action: 'logs:FilterLogEvents' }),
        ]),
      },
    });
  });
});

describe('WsgiApi composes a WsgiFunction', () => {
  test('its function, aliases, layer and logs are the WsgiFunction\'s, with the same logical IDs as before', () => {
    const { api, template } = synthWsgiApi({ deployment: {}, warmUp: {} });
    const fn = api.wsgiFunction;
    expect([api.lambdaFunction, api.alias, api.manageAlias, api.layer, api.logGroup, api.warmUpRule, api.deploymentGroup,
      api.functionErrorsAlarm, api.throttlesAlarm]).toEqual([fn.lambdaFunction, fn.alias, fn.manageAlias, fn.layer, fn.logGroup,
      fn.warmUpRule, fn.deploymentGroup, fn.functionErrorsAlarm, fn.throttlesAlarm]);
    // 'Default' is left out of logical IDs: an app deployed with an earlier cdk-wsgi keeps its function and aliases.
    expect([api.lambdaFunction, api.alias, api.manageAlias!, api.logGroup].map(logicalId))
      .toEqual(['AppFunction0D24CA27', 'AppLiveAlias3872472E', 'AppManageAliasB33B7794', 'AppFunctionLogs47B4AD31']);
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      AlarmConfiguration: { Alarms: Match.arrayWith([{ Name: { Ref: logicalId(api.serverErrorRateAlarm!) } }]) },
    });
  });
});
