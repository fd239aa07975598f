import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { APP_ENTRY, logicalId, testStack } from './helpers';
import { ApiType, WsgiApi, WsgiApiDomainOptions, WsgiDomain } from '../src';

function sharedDomain(stack: Stack, hostedZone = true): WsgiDomain {
  return new WsgiDomain(stack, 'Domain', {
    domainName: 'example.com',
    certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:123456789012:certificate/abc'),
    hostedZone: hostedZone
      ? route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' })
      : undefined,
  });
}

function app(stack: Stack, id: string, customDomain: WsgiApiDomainOptions, apiType = ApiType.REST): WsgiApi {
  return new WsgiApi(stack, id, { entry: APP_ENTRY, module: 'api.app', apiType, customDomain });
}

function basePathsOf(template: Template, api: WsgiApi): unknown {
  const fn = template.toJSON().Resources[logicalId(api.lambdaFunction)];
  return JSON.parse(Stack.of(api).resolve(fn.Properties.Environment.Variables.CDK_WSGI_BASE_PATHS));
}

describe('WsgiDomain: several apps on one domain', () => {
  test('one domain name and one alias record; each app mapped at its base path, REST and HTTP alike', () => {
    const stack = testStack();
    const domain = sharedDomain(stack);
    const shop = app(stack, 'Shop', { domain, basePath: 'shop' });
    const site = app(stack, 'Site', { domain }, ApiType.HTTP);
    const admin = app(stack, 'Admin', { domain, basePath: 'admin/v1' }, ApiType.HTTP);
    const template = Template.fromStack(stack);

    template.resourceCountIs('AWS::ApiGatewayV2::DomainName', 1);
    template.resourceCountIs('AWS::ApiGateway::DomainName', 0);
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'example.com',
      DomainNameConfigurations: [{ CertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc', EndpointType: 'REGIONAL', SecurityPolicy: 'TLS_1_2' }],
    });
    template.resourceCountIs('AWS::Route53::RecordSet', 1);
    template.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'example.com.', Type: 'A' });

    template.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 3);
    template.hasResourceProperties('AWS::ApiGatewayV2::ApiMapping', {
      ApiId: { Ref: logicalId(shop.restApi!) },
      ApiMappingKey: 'shop',
      DomainName: { Ref: logicalId(domain.apiGatewayDomain) },
      Stage: { Ref: logicalId(shop.restApi!.deploymentStage) },
    });
    const siteMapping = Object.values(template.findResources('AWS::ApiGatewayV2::ApiMapping', { Properties: { ApiId: { Ref: logicalId(site.httpApi!) } } }));
    expect(siteMapping).toHaveLength(1);
    expect(siteMapping[0].Properties.ApiMappingKey).toBeUndefined();
    template.hasResourceProperties('AWS::ApiGatewayV2::ApiMapping', { ApiId: { Ref: logicalId(admin.httpApi!) }, ApiMappingKey: 'admin/v1' });

    // Each app learns its own base path, so its SCRIPT_NAME and links carry it.
    expect(basePathsOf(template, shop)).toEqual({ 'example.com': 'shop' });
    expect(basePathsOf(template, site)).toEqual({ 'example.com': '' });
    expect(basePathsOf(template, admin)).toEqual({ 'example.com': 'admin/v1' });
    expect([shop.url, site.url, admin.url]).toEqual(['https://example.com/shop/', 'https://example.com/', 'https://example.com/admin/v1/']);
  });

  test('a base path another app has is refused, naming both apps', () => {
    const stack = testStack();
    const domain = sharedDomain(stack, false);
    app(stack, 'Shop', { domain, basePath: 'shop' });
    expect(() => app(stack, 'Store', { domain, basePath: 'shop' }, ApiType.HTTP)).toThrow(
      "customDomain.basePath is taken on example.com by TestStack/Shop, got 'shop'; give TestStack/Store a basePath of its own");
    app(stack, 'Site', { domain });
    expect(() => app(stack, 'Home', { domain })).toThrow(
      "customDomain.basePath is taken on example.com by TestStack/Site, got '(none)'; give TestStack/Home a basePath of its own");
  });

  test("the shared domain's settings are refused on the app, and a domain of its own needs a name and a certificate", () => {
    const stack = testStack();
    const domain = sharedDomain(stack, false);
    expect(() => app(stack, 'A', { domain, domainName: 'shop.example.com' })).toThrow(
      "customDomain.domainName belongs to the WsgiDomain given as customDomain.domain, got 'shop.example.com'; remove it (set it on the "
      + "WsgiDomain), or drop customDomain.domain for a domain of this app's own");
    expect(() => app(stack, 'B', { domainName: 'shop.example.com' })).toThrow(
      "customDomain.certificate is required for a domain of the app's own, got undefined; give domainName and certificate, or a shared "
      + 'WsgiDomain as customDomain.domain');
  });

  test('a certificate the app defines for another host is a warning at synth; a matching or imported one is not', () => {
    const stack = testStack();
    const warnings = () => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('certificateForAnotherHost'))
      .map(({ id, entry }) => `${id}: ${entry.data}`);
    const certificate = (id: string, domainName: string, subjectAlternativeNames?: string[]) =>
      new acm.Certificate(stack, id, { domainName, subjectAlternativeNames, validation: acm.CertificateValidation.fromDns() });

    new WsgiDomain(stack, 'Wrong', { domainName: 'example.com', certificate: certificate('ForWww', 'www.example.com') });
    new WsgiDomain(stack, 'TooDeep', { domainName: 'a.b.example.com', certificate: certificate('Wildcard', '*.example.com') });
    app(stack, 'Own', { domainName: 'shop.example.org', certificate: certificate('ForShop', 'shop.example.com') });
    new WsgiDomain(stack, 'Listed', { domainName: 'Example.com', certificate: certificate('WithNames', 'www.example.com', ['example.com']) });
    new WsgiDomain(stack, 'OneLabel', { domainName: 'api.example.com', certificate: certificate('Wildcard2', '*.example.com') });
    new WsgiDomain(stack, 'Imported', {
      domainName: 'example.net', certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:123456789012:certificate/abc'),
    });

    const fix = (host: string) => `browsers will refuse the connection. Give it a certificate whose domainName or subjectAlternativeNames include ${host}`;
    expect(warnings()).toEqual([
      `/TestStack/Wrong: certificate is for www.example.com, which does not cover example.com; ${fix('example.com')} [ack: cdk-wsgi:certificateForAnotherHost]`,
      `/TestStack/TooDeep: certificate is for *.example.com, which does not cover a.b.example.com; ${fix('a.b.example.com')} [ack: cdk-wsgi:certificateForAnotherHost]`,
      `/TestStack/Own: customDomain.certificate is for shop.example.com, which does not cover shop.example.org; ${fix('shop.example.org')} [ack: cdk-wsgi:certificateForAnotherHost]`,
    ]);
  });
});
