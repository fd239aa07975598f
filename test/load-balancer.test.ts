import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { adapterEnvironment, APP_ENTRY, logicalId, testStack } from './helpers';
import { ApiType, WsgiApi, WsgiApiProps } from '../src';

function listenerIn(stack: Stack, protocol = elbv2.ApplicationProtocol.HTTP, port = 80): elbv2.ApplicationListener {
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
  const loadBalancer = new elbv2.ApplicationLoadBalancer(stack, 'Lb', { vpc, internetFacing: true });
  return loadBalancer.addListener('Listener', {
    protocol,
    port,
    certificates: protocol === elbv2.ApplicationProtocol.HTTPS ? [elbv2.ListenerCertificate.fromArn('arn:aws:acm:eu-west-1:123456789012:certificate/abc')] : undefined,
    defaultAction: elbv2.ListenerAction.fixedResponse(404),
  });
}

function synthBehindAlb(overrides: Partial<WsgiApiProps> = {}, protocol?: elbv2.ApplicationProtocol, port?: number) {
  const stack = testStack();
  const listener = listenerIn(stack, protocol, port);
  const api = new WsgiApi(stack, 'App', { entry: APP_ENTRY, module: 'api.app', apiType: ApiType.ALB, loadBalancer: { listener, priority: 10 }, ...overrides });
  return { stack, api, listener, template: Template.fromStack(stack) };
}

describe('ApiType.ALB', () => {
  test('live in a Lambda target group with multi-value headers, behind a rule on the listener, and no API Gateway', () => {
    const { api, listener, template, stack } = synthBehindAlb();
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetType: 'lambda',
      Targets: [{ Id: { Ref: logicalId(api.alias) } }],
      HealthCheckEnabled: false,
      TargetGroupAttributes: Match.arrayWith([{ Key: 'lambda.multi_value_headers.enabled', Value: 'true' }]),
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      ListenerArn: { Ref: logicalId(listener) },
      Priority: 10,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }],
      Actions: [{ Type: 'forward', TargetGroupArn: { Ref: logicalId(api.targetGroup!) } }],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction', Principal: 'elasticloadbalancing.amazonaws.com', FunctionName: { Ref: logicalId(api.alias) },
    });
    for (const type of ['AWS::ApiGateway::RestApi', 'AWS::ApiGatewayV2::Api', 'AWS::Lambda::Url']) template.resourceCountIs(type, 0);
    expect(stack.resolve(api.url)).toEqual({ 'Fn::Join': ['', ['http://', { 'Fn::GetAtt': [logicalId(listener.loadBalancer), 'DNSName'] }, '/']] });
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'cdk_wsgi_adapter.handler' } }));
    expect(fn.Metadata['cdk-wsgi']).toEqual({ entry: expect.any(String), apiType: 'ALB', stageName: '' });
    expect(adapterEnvironment(template)).toEqual({ CDK_WSGI_APP: 'api:app' });
  });

  test('an HTTPS listener on another port is in the URL; conditions and health checks are the user\'s', () => {
    const { api, stack, listener } = synthBehindAlb({}, elbv2.ApplicationProtocol.HTTPS, 8443);
    expect(stack.resolve(api.url)).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [logicalId(listener.loadBalancer), 'DNSName'] }, ':8443/']] });
    const custom = testStack();
    const customListener = listenerIn(custom);
    new WsgiApi(custom, 'App', {
      entry: APP_ENTRY,
      module: 'api.app',
      apiType: ApiType.ALB,
      loadBalancer: {
        listener: customListener,
        priority: 5,
        conditions: [elbv2.ListenerCondition.hostHeaders(['shop.example.com'])],
        healthCheck: { enabled: true, path: '/health', interval: Duration.minutes(1) },
      },
    });
    const customTemplate = Template.fromStack(custom);
    customTemplate.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Priority: 5, Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['shop.example.com'] } }],
    });
    customTemplate.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckEnabled: true, HealthCheckPath: '/health', HealthCheckIntervalSeconds: 60,
    });
  });

  test('the function may run past 29 seconds; priming names the load balancer\'s host', () => {
    const { template, stack, listener } = synthBehindAlb({ timeout: Duration.minutes(5), prime: ['/'] });
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'cdk_wsgi_adapter.handler', Timeout: 300 });
    expect(JSON.stringify(stack.resolve(adapterEnvironment(template).CDK_WSGI_PRIME))).toContain(
      JSON.stringify({ 'Fn::GetAtt': [logicalId(listener.loadBalancer), 'DNSName'] }));
  });

  test('bad input names the prop and the fix', () => {
    expect(() => synthBehindAlb({ loadBalancer: undefined })).toThrow(
      'loadBalancer is required with ApiType.ALB, got undefined; give loadBalancer: { listener, priority }');
    const stack = testStack();
    const listener = listenerIn(stack);
    expect(() => new WsgiApi(stack, 'Rest', { entry: APP_ENTRY, module: 'api.app', loadBalancer: { listener, priority: 1 } })).toThrow(
      "loadBalancer applies to ApiType.ALB only, not to ApiType.REST, got 'a loadBalancer'; remove it, or use apiType: ApiType.ALB");
    expect(() => new WsgiApi(stack, 'Zero', { entry: APP_ENTRY, module: 'api.app', apiType: ApiType.ALB, loadBalancer: { listener, priority: 0 } }))
      .toThrow('loadBalancer.priority must be a whole number from 1 to 50000, got 0; choose a priority no other rule of the listener has');
    expect(() => synthBehindAlb({ stageName: 'v1' })).toThrow(
      "stageName configures API Gateway, which ApiType.ALB does not use, got 'v1'; remove stageName, or use ApiType.REST or ApiType.HTTP");
  });
});
