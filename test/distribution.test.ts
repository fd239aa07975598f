import * as vm from 'vm';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { adapterEnvironment, logicalId, synthWsgiApi, testStack } from './helpers';
import { ApiType, WsgiApiDistributionOptions } from '../src';
import { VIEWER_REQUEST_FUNCTION_CODE } from '../src/private/viewer-request-function';

// IDs of CloudFront's managed policies (using-managed-cache-policies.html, using-managed-origin-request-policies.html).
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

const US_EAST_1_CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/site';

function site(stack: Stack, overrides: Partial<WsgiApiDistributionOptions> = {}): WsgiApiDistributionOptions {
  return {
    domainName: 'www.example.com',
    certificate: acm.Certificate.fromCertificateArn(stack, 'SiteCert', US_EAST_1_CERTIFICATE),
    hostedZone: route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' }),
    ...overrides,
  };
}

/** The one distribution's DistributionConfig. */
function distributionConfig(template: ReturnType<typeof synthWsgiApi>['template']): any {
  const [distribution, ...others] = Object.values(template.findResources('AWS::CloudFront::Distribution'));
  expect(others).toEqual([]);
  return distribution.Properties.DistributionConfig;
}

describe('distribution: CloudFront in front of the app', () => {
  test('REST: the stage as origin path, nothing cached, every method, viewer headers but Host, HTTPS only, the secret header', () => {
    const stack = testStack();
    const { api, template } = synthWsgiApi({ distribution: site(stack) }, stack);
    const config = distributionConfig(template);
    expect(config).toMatchObject({
      Aliases: ['www.example.com'],
      Enabled: true,
      HttpVersion: 'http2and3',
      ViewerCertificate: { AcmCertificateArn: US_EAST_1_CERTIFICATE, MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' },
      DefaultCacheBehavior: {
        AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
        CachePolicyId: CACHING_DISABLED,
        OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
        ViewerProtocolPolicy: 'redirect-to-https',
        Compress: true,
        FunctionAssociations: [{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [expect.stringMatching(/^AppViewerRequest/), 'FunctionARN'] } }],
      },
    });
    const [origin] = config.Origins;
    // `/` and the fourth part of https://<id>.execute-api.<region>.<suffix>/<stage>/: the stage.
    expect(origin.OriginPath).toEqual({ 'Fn::Join': ['', ['/', { 'Fn::Select': [3, { 'Fn::Split': ['/', expect.anything()] }] }]] });
    expect(JSON.stringify(origin.OriginPath)).toContain(`"Ref":"${logicalId(api.restApi!.deploymentStage)}"`);
    expect(stack.resolve(origin.DomainName)['Fn::Select'][0]).toBe(2);
    expect(origin.CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: 'https-only' });

    // One generated secret: its value reaches the origin header and the function only as CloudFormation resolves it.
    const [secretId] = Object.keys(template.findResources('AWS::SecretsManager::Secret', {
      Properties: { GenerateSecretString: { PasswordLength: 48, ExcludePunctuation: true } },
    }));
    const reference = { 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secretId }, ':SecretString:::}}']] };
    expect(origin.OriginCustomHeaders).toEqual([{ HeaderName: 'x-cdk-wsgi-origin-secret', HeaderValue: reference }]);
    expect(adapterEnvironment(template)).toMatchObject({ CDK_WSGI_ORIGIN_SECRET: reference });

    template.hasResourceProperties('AWS::CloudFront::Function', { FunctionConfig: { Runtime: 'cloudfront-js-2.0' } });
    for (const type of ['A', 'AAAA']) {
      template.hasResourceProperties('AWS::Route53::RecordSet', {
        Type: type, Name: 'www.example.com.', AliasTarget: { DNSName: { 'Fn::GetAtt': [logicalId(api.distribution!), 'DomainName'] } },
      });
    }
    expect(api.distribution).toBeInstanceOf(cloudfront.Distribution);
    expect(api.url).toBe('https://www.example.com/');
    template.hasOutput('*', { Value: 'https://www.example.com/' });
  });

  test('HTTP: the API endpoint\'s host as origin, a named stage as origin path; without a domain, the distribution\'s own URL', () => {
    const { api, template, stack } = synthWsgiApi({ apiType: ApiType.HTTP, stageName: 'v1', distribution: {} });
    const config = distributionConfig(template);
    expect(config.Aliases).toBeUndefined();
    const [origin] = config.Origins;
    expect(origin.OriginPath).toBe('/v1');
    expect(origin.DomainName['Fn::Select'][0]).toBe(2);
    expect(stack.resolve(api.url)).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [logicalId(api.distribution!), 'DomainName'] }, '/']] });
    // Nothing for the user to acknowledge: no TLS policy is set on the default certificate, which fixes its own.
    expect(config.ViewerCertificate).toBeUndefined();
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });

  test('function URL: CloudFront waits as long as the function may run, within its default quota', () => {
    const fits = synthWsgiApi({ apiType: ApiType.FUNCTION_URL, timeout: Duration.seconds(90), distribution: {} });
    expect(distributionConfig(fits.template).Origins[0].CustomOriginConfig).toMatchObject({ OriginReadTimeout: 90 });
    const short = synthWsgiApi({ apiType: ApiType.FUNCTION_URL, distribution: {} });
    expect(distributionConfig(short.template).Origins[0].CustomOriginConfig.OriginReadTimeout).toBeUndefined();

    const long = synthWsgiApi({ apiType: ApiType.FUNCTION_URL, timeout: Duration.minutes(5), distribution: {} });
    expect(distributionConfig(long.template).Origins[0].CustomOriginConfig).toMatchObject({ OriginReadTimeout: 120 });
    Annotations.fromStack(long.stack).hasWarning('/TestStack/App', Match.stringLikeRegexp(
      "the function's timeout is 300 s, but CloudFront waits at most 120 s for an origin without a quota increase"));
  });

  test('priming names the site\'s domain, or a cloudfront.net host', () => {
    const stack = testStack();
    const named = synthWsgiApi({ prime: ['/'], distribution: site(stack) }, stack);
    expect(JSON.parse(String(adapterEnvironment(named.template).CDK_WSGI_PRIME))).toMatchObject({ apiType: 'REST', host: 'www.example.com', stage: 'prod' });
    const own = synthWsgiApi({ prime: ['/'], apiType: ApiType.HTTP, distribution: {} });
    expect(JSON.parse(String(adapterEnvironment(own.template).CDK_WSGI_PRIME))).toMatchObject({ host: 'cdk-wsgi-prime.cloudfront.net' });
  });

  test('the viewer-request function passes the visitor\'s host and address, replacing any a client sent', () => {
    const handler = vm.runInNewContext(`${VIEWER_REQUEST_FUNCTION_CODE}; handler`);
    // The event shape CloudFront Functions receive (functions-event-structure.html): lowercase header names.
    const request = {
      method: 'POST',
      uri: '/login',
      querystring: {},
      cookies: {},
      headers: {
        'host': { value: 'www.example.com' },
        'x-cdk-wsgi-viewer-host': { value: 'forged.example' },
        'x-cdk-wsgi-viewer-address': { value: '10.0.0.1' },
        'x-cdk-wsgi-viewer-proto': { value: 'http' },
      },
    };
    const out = handler({ version: '1.0', context: { eventType: 'viewer-request' }, viewer: { ip: '2001:db8::1' }, request });
    expect(out.headers).toEqual({
      'host': { value: 'www.example.com' },
      'x-cdk-wsgi-viewer-host': { value: 'www.example.com' },
      'x-cdk-wsgi-viewer-address': { value: '2001:db8::1' },
      'x-cdk-wsgi-viewer-proto': { value: 'https' },
    });
    expect(handler({ viewer: { ip: '192.0.2.7' }, request: { headers: {} } }).headers['x-cdk-wsgi-viewer-host']).toEqual({ value: '' });
  });

  test('props that do not fit fail the synth naming the prop, the value and the fix', () => {
    // Each attempt in a stack of its own: a failed constructor leaves its construct behind.
    const attempt = (overrides: (stack: Stack) => object) => () => {
      const stack = testStack();
      return synthWsgiApi(overrides(stack), stack);
    };
    const euCertificate = (stack: Stack) => acm.Certificate.fromCertificateArn(stack, 'Eu', 'arn:aws:acm:eu-west-1:123456789012:certificate/eu');
    expect(attempt(() => ({ apiType: ApiType.ALB, distribution: {} }))).toThrow(
      /^distribution puts CloudFront in front of a REST API, HTTP API or function URL/);
    expect(attempt(stack => ({ distribution: { domainName: 'www.example.com', certificate: euCertificate(stack) } }))).toThrow(
      "distribution.certificate must be in us-east-1, where CloudFront takes certificates from, got 'eu-west-1'; request one for "
      + 'www.example.com in us-east-1 (a stack there with crossRegionReferences, or the ACM console) and pass it');
    expect(attempt(() => ({ distribution: { domainName: 'www.example.com' } }))).toThrow(
      'distribution.certificate is required with distribution.domainName, got undefined; give an ACM certificate for www.example.com in us-east-1');
    expect(attempt(stack => ({ distribution: { certificate: euCertificate(stack) } }))).toThrow(/^distribution.domainName is required with distribution.certificate/);
    expect(attempt(() => ({ distribution: { webAclId: 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/site/abc' } }))).toThrow(
      /^distribution.webAclId must be a web ACL of scope CLOUDFRONT/);
    expect(attempt(stack => ({ distribution: {}, customDomain: { domainName: 'api.example.com', certificate: euCertificate(stack) } }))).toThrow(
      /^customDomain would make the API answer a second host beside the distribution/);
    expect(attempt(() => ({ distribution: {}, disableExecuteApiEndpoint: true }))).toThrow(
      'disableExecuteApiEndpoint would cut the distribution off: its origin is the execute-api endpoint, got true; remove it, and set '
      + 'distribution.allowDirectAccess to false to refuse requests that do not come through the distribution');
  });

  describe('allowDirectAccess', () => {
    test.each([ApiType.REST, ApiType.HTTP, ApiType.FUNCTION_URL])('%s: false tells the adapter to refuse requests without the secret', apiType => {
      const { template } = synthWsgiApi({ apiType, distribution: { allowDirectAccess: false } });
      expect(adapterEnvironment(template)).toMatchObject({ CDK_WSGI_DIRECT_ACCESS: '0', CDK_WSGI_ORIGIN_SECRET: expect.anything() });
    });

    test('by default, or true, direct requests are served as such', () => {
      for (const distribution of [{}, { allowDirectAccess: true }]) {
        const { template } = synthWsgiApi({ apiType: ApiType.HTTP, distribution });
        expect(adapterEnvironment(template).CDK_WSGI_DIRECT_ACCESS).toBeUndefined();
      }
    });
  });

  describe('originAccessControl', () => {
    test('function URL: AWS_IAM, signed by CloudFront, which alone may invoke live, through the URL; the secret header stays', () => {
      const { api, template } = synthWsgiApi({ apiType: ApiType.FUNCTION_URL, distribution: { originAccessControl: true } });
      template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'AWS_IAM', Qualifier: 'live' });
      const [oacId] = Object.keys(template.findResources('AWS::CloudFront::OriginAccessControl', {
        Properties: { OriginAccessControlConfig: { OriginAccessControlOriginType: 'lambda', SigningBehavior: 'always', SigningProtocol: 'sigv4' } },
      }));
      const [origin] = distributionConfig(template).Origins;
      expect(origin.OriginAccessControlId).toEqual({ 'Fn::GetAtt': [oacId, 'Id'] });
      expect(origin.OriginCustomHeaders).toEqual([{ HeaderName: 'x-cdk-wsgi-origin-secret', HeaderValue: expect.anything() }]);

      // Both actions new function URLs need, to the CloudFront service principal, for this distribution only; none public.
      const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).map(p => p.Properties);
      expect(permissions).toHaveLength(2);
      const distributionId = logicalId(api.distribution!);
      for (const permission of permissions) {
        expect(permission.Principal).toBe('cloudfront.amazonaws.com');
        expect(JSON.stringify(permission.SourceArn)).toMatch(new RegExp(`:distribution/"?,\\{"Ref":"${distributionId}"\\}`));
      }
      expect(permissions).toEqual(expect.arrayContaining([
        expect.objectContaining({
          Action: 'lambda:InvokeFunctionUrl', FunctionName: { 'Fn::GetAtt': [logicalId(api.functionUrl!), 'FunctionArn'] },
        }),
        expect.objectContaining({ Action: 'lambda:InvokeFunction', InvokedViaFunctionUrl: true }),
      ]));
      // Ours on the alias, or, once aws-cdk-lib grants it (aws/aws-cdk#35872), the origin's on the URL's function.
      const invoke = permissions.find(p => p.Action === 'lambda:InvokeFunction');
      expect([{ Ref: logicalId(api.alias) }, { 'Fn::GetAtt': [logicalId(api.functionUrl!), 'FunctionArn'] }]).toContainEqual(invoke.FunctionName);
    });

    test('CloudFront still waits as long as the function may run, and priming still names a cloudfront.net host', () => {
      const { template } = synthWsgiApi({
        apiType: ApiType.FUNCTION_URL, timeout: Duration.seconds(90), prime: ['/'], distribution: { originAccessControl: true },
      });
      expect(distributionConfig(template).Origins[0].CustomOriginConfig).toMatchObject({ OriginReadTimeout: 90 });
      expect(JSON.parse(String(adapterEnvironment(template).CDK_WSGI_PRIME))).toMatchObject({ apiType: 'FUNCTION_URL', host: 'cdk-wsgi-prime.cloudfront.net' });
    });

    test('an explicit AWS_IAM is taken; without originAccessControl, no access control and no CloudFront permission', () => {
      const iamUrl = synthWsgiApi({
        apiType: ApiType.FUNCTION_URL, functionUrlAuthType: lambda.FunctionUrlAuthType.AWS_IAM, distribution: { originAccessControl: true },
      });
      iamUrl.template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
      const plain = synthWsgiApi({ apiType: ApiType.FUNCTION_URL, distribution: { originAccessControl: false } });
      plain.template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE' });
      plain.template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 0);
      plain.template.resourcePropertiesCountIs('AWS::Lambda::Permission', { Principal: 'cloudfront.amazonaws.com' }, 0);
    });

    test('throws when the front door is not a function URL, or its auth type is NONE', () => {
      expect(() => synthWsgiApi({ distribution: { originAccessControl: true } })).toThrow(
        'distribution.originAccessControl applies to ApiType.FUNCTION_URL only, not to ApiType.REST, got true; remove it, and set '
        + 'distribution.allowDirectAccess to false to refuse requests that do not come through the distribution');
      expect(() => synthWsgiApi({ apiType: ApiType.HTTP, distribution: { originAccessControl: true } })).toThrow(
        /^distribution.originAccessControl applies to ApiType.FUNCTION_URL only, not to ApiType.HTTP/);
      expect(() => synthWsgiApi({
        apiType: ApiType.FUNCTION_URL, functionUrlAuthType: lambda.FunctionUrlAuthType.NONE, distribution: { originAccessControl: true },
      })).toThrow("functionUrlAuthType must be AWS_IAM with distribution.originAccessControl, whose signed requests Lambda checks, got 'NONE'; "
        + 'remove functionUrlAuthType (originAccessControl sets AWS_IAM), or remove distribution.originAccessControl');
    });
  });

  test('a certificate defined in a stack of another Region is refused too; one in us-east-1 is taken', () => {
    const app = new App();
    const east = new Stack(app, 'East', { env: { account: '123456789012', region: 'us-east-1' }, crossRegionReferences: true });
    const westStack = new Stack(app, 'West', { env: { account: '123456789012', region: 'eu-west-1' }, crossRegionReferences: true });
    const eastCertificate = new acm.Certificate(east, 'Cert', { domainName: 'www.example.com' });
    const westCertificate = new acm.Certificate(westStack, 'Cert', { domainName: 'www.example.com' });
    expect(() => synthWsgiApi({ distribution: { domainName: 'www.example.com', certificate: westCertificate } }, westStack))
      .toThrow(/^distribution.certificate must be in us-east-1/);
    const { template } = synthWsgiApi({ distribution: { domainName: 'www.example.com', certificate: eastCertificate } }, new Stack(app, 'Site', {
      env: { account: '123456789012', region: 'eu-west-1' }, crossRegionReferences: true,
    }));
    expect(distributionConfig(template).Aliases).toEqual(['www.example.com']);
  });
});
