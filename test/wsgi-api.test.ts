import * as path from 'path';
import { Duration, Lazy, Size } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { adapterEnvironment, APP_ENTRY, FIXTURES, logicalId, synthWsgiApi, testStack } from './helpers';
import { ApiType, WsgiApi } from '../src';

const BOTH = [ApiType.REST, ApiType.HTTP];

function certificate(stack = testStack()) {
  return { stack, certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:123456789012:certificate/abc') };
}

describe('WsgiApi', () => {
  describe('function', () => {
    test('runs the adapter from the layer with the app named in CDK_WSGI_APP', () => {
      const { template, api } = synthWsgiApi();
      template.hasResourceProperties('AWS::Lambda::Function', {
        Handler: 'cdk_wsgi_adapter.handler',
        Runtime: 'python3.14',
        Architectures: ['arm64'],
        MemorySize: 512,
        Timeout: 29,
        Layers: [{ Ref: logicalId(api.layer) }],
        Environment: { Variables: Match.objectLike({ CDK_WSGI_APP: 'api:app' }) },
      });
    });

    test.each([
      ['api.app', 'api:app'],
      ['api:app', 'api:app'],
    ])('accepts module %s as %s', (module, expected) => {
      const { template } = synthWsgiApi({ module });
      expect(adapterEnvironment(template).CDK_WSGI_APP).toBe(expected);
    });

    test('finds a callable in a package module (Django layout)', () => {
      const { template } = synthWsgiApi({ entry: path.join(FIXTURES, 'django-app'), module: 'mysite.wsgi.application' });
      expect(adapterEnvironment(template).CDK_WSGI_APP).toBe('mysite.wsgi:application');
    });

    test('accepts a dotted attribute after the colon', () => {
      const { template } = synthWsgiApi({ module: 'api:app.wsgi_app' });
      expect(adapterEnvironment(template).CDK_WSGI_APP).toBe('api:app.wsgi_app');
    });

    test('passes function options through and keeps the user environment', () => {
      const { template } = synthWsgiApi({
        runtime: lambda.Runtime.PYTHON_3_12,
        architecture: lambda.Architecture.X86_64,
        memorySize: 1024,
        timeout: Duration.seconds(10),
        environment: { DJANGO_SETTINGS_MODULE: 'mysite.settings' },
        tracing: lambda.Tracing.ACTIVE,
        description: 'my app',
      });
      template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'python3.12',
        Architectures: ['x86_64'],
        MemorySize: 1024,
        Timeout: 10,
        TracingConfig: { Mode: 'Active' },
        Description: 'my app',
        Environment: { Variables: Match.objectLike({ DJANGO_SETTINGS_MODULE: 'mysite.settings', CDK_WSGI_APP: 'api:app' }) },
      });
    });

    test('a bundling assetHash names the asset, whatever the sources', () => {
      const codeOf = (entry: string, module: string) => {
        const { template, api } = synthWsgiApi({ entry, module, bundling: { assetHash: 'my-fixed-hash' } });
        return template.toJSON().Resources[logicalId(api.lambdaFunction)].Properties.Code;
      };
      expect(codeOf(path.join(FIXTURES, 'django-app'), 'mysite.wsgi.application')).toEqual(codeOf(APP_ENTRY, 'api.app'));
    });

    test('adds user layers after the adapter layer', () => {
      const stack = testStack();
      const extra = lambda.LayerVersion.fromLayerVersionArn(stack, 'Extra', 'arn:aws:lambda:eu-west-1:123456789012:layer:x:1');
      const { template, api } = synthWsgiApi({ layers: [extra] }, stack);
      template.hasResourceProperties('AWS::Lambda::Function', {
        Layers: [{ Ref: logicalId(api.layer) }, 'arn:aws:lambda:eu-west-1:123456789012:layer:x:1'],
      });
    });

    test.each([
      [ApiType.REST, undefined, 'prod'],
      [ApiType.HTTP, undefined, '$default'],
      [ApiType.HTTP, 'dev', 'dev'],
    ])('records entry, %s API and stage %s for cdk-wsgi serve', (apiType, stageName, expected) => {
      const { template } = synthWsgiApi({ apiType, stageName });
      template.hasResource('AWS::Lambda::Function', {
        Properties: { Handler: 'cdk_wsgi_adapter.handler' },
        Metadata: Match.objectLike({
          'cdk-wsgi': { entry: path.relative(process.cwd(), APP_ENTRY), apiType, stageName: expected },
        }),
      });
    });

    test('exposes the function and the layer', () => {
      const { api } = synthWsgiApi();
      expect(api.lambdaFunction.runtime).toBe(lambda.Runtime.PYTHON_3_14);
      expect(api.layer.compatibleRuntimes).toEqual([lambda.Runtime.PYTHON_3_14]);
    });
  });

  describe('adapter layer', () => {
    test("is a layer for the function's runtime alone, on both architectures", () => {
      const { template } = synthWsgiApi();
      template.hasResourceProperties('AWS::Lambda::LayerVersion', {
        CompatibleRuntimes: ['python3.14'],
        CompatibleArchitectures: ['arm64', 'x86_64'],
      });
    });

    test("follows the function's runtime", () => {
      const { template, api } = synthWsgiApi({ runtime: lambda.Runtime.PYTHON_3_12 });
      expect(api.layer.compatibleRuntimes).toEqual([lambda.Runtime.PYTHON_3_12]);
      template.hasResourceProperties('AWS::Lambda::LayerVersion', { CompatibleRuntimes: ['python3.12'] });
      template.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'python3.12', Layers: [{ Ref: logicalId(api.layer) }] });
    });
  });

  describe('REST API', () => {
    test('routes ANY / and ANY /{proxy+} to the function through a Lambda proxy integration', () => {
      const { template } = synthWsgiApi();
      template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
      template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: '{proxy+}' });
      const methods = template.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'ANY' } });
      expect(Object.keys(methods)).toHaveLength(2);
      for (const method of Object.values(methods)) {
        expect(method.Properties.Integration.Type).toBe('AWS_PROXY');
      }
      template.resourceCountIs('AWS::ApiGatewayV2::Api', 0);
    });

    test('is regional, with the prod stage, access logs, error logging and metrics', () => {
      const { template, api } = synthWsgiApi();
      template.hasResourceProperties('AWS::ApiGateway::RestApi', {
        EndpointConfiguration: { Types: ['REGIONAL'] },
        BinaryMediaTypes: ['*/*'],
      });
      template.hasResourceProperties('AWS::ApiGateway::Stage', {
        StageName: 'prod',
        AccessLogSetting: { DestinationArn: { 'Fn::GetAtt': [logicalId(api.node.findChild('AccessLogs')), 'Arn'] }, Format: Match.anyValue() },
        MethodSettings: [Match.objectLike({ LoggingLevel: 'ERROR', MetricsEnabled: true })],
        TracingEnabled: false,
      });
      template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
      template.resourceCountIs('AWS::ApiGateway::Account', 1);
    });

    test('grants API Gateway one invoke permission per API, not two per method', () => {
      const { template } = synthWsgiApi();
      template.resourceCountIs('AWS::Lambda::Permission', 1);
    });

    test('sets stage name, throttling, compression and tracing', () => {
      const { template } = synthWsgiApi({
        stageName: 'live',
        throttlingRateLimit: 100,
        throttlingBurstLimit: 200,
        minCompressionSize: Size.kibibytes(1),
        apiTracing: true,
      });
      template.hasResourceProperties('AWS::ApiGateway::RestApi', { MinimumCompressionSize: 1024 });
      template.hasResourceProperties('AWS::ApiGateway::Stage', {
        StageName: 'live',
        TracingEnabled: true,
        MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 })],
      });
    });

    test('leaves out access logging and the CloudWatch role when turned off', () => {
      const { template } = synthWsgiApi({ accessLogging: false, cloudWatchRole: false });
      template.hasResourceProperties('AWS::ApiGateway::Stage', { AccessLogSetting: Match.absent() });
      // The function's own, and the stage's execution log (errors), which API Gateway would create without a retention.
      template.resourceCountIs('AWS::Logs::LogGroup', 2);
      template.resourceCountIs('AWS::ApiGateway::Account', 0);
    });

    test('keeps access logs as long as accessLogRetention says', () => {
      const { template } = synthWsgiApi({ accessLogRetention: logs.RetentionDays.ONE_YEAR });
      template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
    });

    test('exposes restApi and the execute-api URL with the stage', () => {
      const { api, stack } = synthWsgiApi();
      expect(api.restApi).toBeDefined();
      expect(api.httpApi).toBeUndefined();
      expect(stack.resolve(api.url)).toEqual(stack.resolve(api.restApi!.url));
    });
  });

  describe('HTTP API', () => {
    test('routes every request through the $default route with payload format 2.0', () => {
      const { template } = synthWsgiApi({ apiType: ApiType.HTTP });
      template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default' });
      template.hasResourceProperties('AWS::ApiGatewayV2::Integration', { IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
      template.resourceCountIs('AWS::ApiGateway::RestApi', 0);
    });

    test('uses the auto-deployed $default stage with access logs by default', () => {
      const { template, api } = synthWsgiApi({ apiType: ApiType.HTTP });
      template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
      template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        AutoDeploy: true,
        AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': [logicalId(api.node.findChild('AccessLogs')), 'Arn'] }, Format: Match.anyValue() },
        DefaultRouteSettings: Match.objectLike({ DetailedMetricsEnabled: true }),
      });
    });

    test('sets a named stage and throttling', () => {
      const { template } = synthWsgiApi({ apiType: ApiType.HTTP, stageName: 'dev', throttlingRateLimit: 10, throttlingBurstLimit: 20 });
      template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: 'dev',
        DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 }),
      });
    });

    test('tells the adapter no REST binary media types', () => {
      const { template } = synthWsgiApi({ apiType: ApiType.HTTP });
      expect(adapterEnvironment(template).CDK_WSGI_BINARY_MEDIA_TYPES).toBeUndefined();
    });

    test('exposes httpApi and the stage URL', () => {
      const { api, stack } = synthWsgiApi({ apiType: ApiType.HTTP });
      expect(api.httpApi).toBeDefined();
      expect(api.restApi).toBeUndefined();
      expect(JSON.stringify(stack.resolve(api.url))).toContain('execute-api');
    });

    test.each([
      ['binaryMediaTypes', { binaryMediaTypes: ['image/png'] }],
      ['minCompressionSize', { minCompressionSize: Size.bytes(0) }],
      ['apiTracing', { apiTracing: true }],
      ['cloudWatchRole', { cloudWatchRole: false }],
    ])('warns that %s is ignored', (prop, overrides) => {
      const { stack } = synthWsgiApi({ apiType: ApiType.HTTP, ...overrides });
      Annotations.fromStack(stack).hasWarning('/TestStack/App', Match.stringLikeRegexp(`^${prop} applies to REST APIs only.*\\[ack: cdk-wsgi:${prop}Ignored\\]`));
    });

    test('gives no warnings by default', () => {
      const { stack } = synthWsgiApi({ apiType: ApiType.HTTP });
      Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
    });
  });

  describe('binary and text media types', () => {
    test('REST defaults to */* on the API and tells the adapter the same list', () => {
      const { template } = synthWsgiApi();
      template.hasResourceProperties('AWS::ApiGateway::RestApi', { BinaryMediaTypes: ['*/*'] });
      expect(adapterEnvironment(template).CDK_WSGI_BINARY_MEDIA_TYPES).toBe('*/*');
    });

    test('one binaryMediaTypes list drives both the API and the adapter', () => {
      const { template } = synthWsgiApi({ binaryMediaTypes: ['image/png', 'application/*'] });
      template.hasResourceProperties('AWS::ApiGateway::RestApi', { BinaryMediaTypes: ['image/png', 'application/*'] });
      expect(adapterEnvironment(template).CDK_WSGI_BINARY_MEDIA_TYPES).toBe('image/png,application/*');
    });

    test.each(BOTH)('%s passes textMediaTypes to the adapter', (apiType) => {
      const { template } = synthWsgiApi({ apiType, textMediaTypes: ['application/vnd.api+json', 'image/svg+xml'] });
      expect(adapterEnvironment(template).CDK_WSGI_TEXT_MEDIA_TYPES).toBe('application/vnd.api+json,image/svg+xml');
    });

    test('sets no text media types variable by default', () => {
      const { template } = synthWsgiApi();
      expect(adapterEnvironment(template).CDK_WSGI_TEXT_MEDIA_TYPES).toBeUndefined();
    });
  });

  describe('custom domain', () => {
    test('REST: defines a regional TLS 1.2 domain, a base path mapping and a Route 53 alias', () => {
      const { stack, certificate: cert } = certificate();
      const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z123', zoneName: 'example.com' });
      const { template, api } = synthWsgiApi({ customDomain: { domainName: 'api.example.com', certificate: cert, basePath: 'v1', hostedZone: zone } }, stack);
      template.hasResourceProperties('AWS::ApiGateway::DomainName', {
        DomainName: 'api.example.com',
        EndpointConfiguration: { Types: ['REGIONAL'] },
        SecurityPolicy: 'TLS_1_2',
      });
      template.hasResourceProperties('AWS::ApiGateway::BasePathMapping', { BasePath: 'v1', Stage: { Ref: logicalId(api.restApi!.deploymentStage) } });
      template.hasResourceProperties('AWS::Route53::RecordSet', {
        Name: 'api.example.com.',
        Type: 'A',
        HostedZoneId: 'Z123',
        AliasTarget: { DNSName: { 'Fn::GetAtt': [logicalId(api.node.findChild('DomainName')), 'RegionalDomainName'] }, HostedZoneId: Match.anyValue() },
      });
      expect(api.url).toBe('https://api.example.com/v1/');
      expect(adapterEnvironment(template).CDK_WSGI_BASE_PATHS).toBe('{"api.example.com":"v1"}');
    });

    test('REST: a multi-level base path becomes an API mapping', () => {
      const { stack, certificate: cert } = certificate();
      const { template, api } = synthWsgiApi({ customDomain: { domainName: 'api.example.com', certificate: cert, basePath: 'v1/shop' } }, stack);
      template.hasResourceProperties('AWS::ApiGatewayV2::ApiMapping', { ApiMappingKey: 'v1/shop', Stage: { Ref: logicalId(api.restApi!.deploymentStage) } });
      template.resourceCountIs('AWS::ApiGateway::BasePathMapping', 0);
      expect(adapterEnvironment(template).CDK_WSGI_BASE_PATHS).toBe('{"api.example.com":"v1/shop"}');
    });

    test('REST: an edge-optimized domain with a newer security policy', () => {
      const { stack, certificate: cert } = certificate();
      const { template } = synthWsgiApi({
        customDomain: {
          domainName: 'api.example.com',
          certificate: cert,
          endpointType: apigateway.EndpointType.EDGE,
          securityPolicy: apigateway.SecurityPolicy.TLS13_2025_EDGE,
        },
      }, stack);
      template.hasResourceProperties('AWS::ApiGateway::DomainName', {
        EndpointConfiguration: { Types: ['EDGE'] },
        CertificateArn: Match.anyValue(),
        SecurityPolicy: 'SecurityPolicy_TLS13_2025_EDGE',
        EndpointAccessMode: 'STRICT',
      });
    });

    test('HTTP: defines a domain, an API mapping to the stage and a Route 53 alias', () => {
      const { stack, certificate: cert } = certificate();
      const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z123', zoneName: 'example.com' });
      const { template, api } = synthWsgiApi({
        apiType: ApiType.HTTP,
        customDomain: { domainName: 'api.example.com', certificate: cert, basePath: 'v1/shop', hostedZone: zone },
      }, stack);
      template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
        DomainName: 'api.example.com',
        DomainNameConfigurations: [Match.objectLike({ EndpointType: 'REGIONAL', SecurityPolicy: 'TLS_1_2' })],
      });
      template.hasResourceProperties('AWS::ApiGatewayV2::ApiMapping', { ApiMappingKey: 'v1/shop', Stage: '$default' });
      template.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'api.example.com.', Type: 'A' });
      expect(api.url).toBe('https://api.example.com/v1/shop/');
    });

    test.each(BOTH)('%s: a root mapping maps the domain to an empty base path', (apiType) => {
      const { stack, certificate: cert } = certificate();
      const { template, api } = synthWsgiApi({ apiType, customDomain: { domainName: 'www.example.com', certificate: cert } }, stack);
      expect(adapterEnvironment(template).CDK_WSGI_BASE_PATHS).toBe('{"www.example.com":""}');
      expect(api.url).toBe('https://www.example.com/');
      template.resourceCountIs('AWS::Route53::RecordSet', 0);
    });

    test.each(BOTH)('%s: disableExecuteApiEndpoint turns the execute-api endpoint off', (apiType) => {
      const { stack, certificate: cert } = certificate();
      const { template } = synthWsgiApi({ apiType, disableExecuteApiEndpoint: true, customDomain: { domainName: 'api.example.com', certificate: cert } }, stack);
      template.hasResourceProperties(apiType === ApiType.REST ? 'AWS::ApiGateway::RestApi' : 'AWS::ApiGatewayV2::Api', { DisableExecuteApiEndpoint: true });
    });

    test('outputs the custom domain URL', () => {
      const { stack, certificate: cert } = certificate();
      const { template } = synthWsgiApi({ customDomain: { domainName: 'api.example.com', certificate: cert, basePath: 'v1' } }, stack);
      template.hasOutput('*', { Value: 'https://api.example.com/v1/' });
    });
  });

  describe('warm-up', () => {
    test('schedules the warm-up event every 5 minutes, never retried and short-lived', () => {
      const { template, api } = synthWsgiApi({ warmUp: {} });
      template.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: 'rate(5 minutes)',
        Targets: [Match.objectLike({
          Arn: { Ref: logicalId(api.alias) },
          Input: '{"source":"cdk-wsgi.warm-up","concurrency":1}',
          RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
        })],
      });
      template.hasResourceProperties('AWS::Lambda::Permission', { Principal: 'events.amazonaws.com', FunctionName: { Ref: logicalId(api.alias) } });
      expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain('lambda:InvokeFunction');
      expect(api.warmUpRule).toBeDefined();
    });

    test('with concurrency, lets the function invoke its live alias, and nothing else, through a separate policy', () => {
      const { template, api } = synthWsgiApi({ warmUp: { interval: Duration.minutes(1), concurrency: 4 } });
      template.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: 'rate(1 minute)',
        Targets: [Match.objectLike({ Input: '{"source":"cdk-wsgi.warm-up","concurrency":4}' })],
      });
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: [{
            Action: 'lambda:InvokeFunction',
            Effect: 'Allow',
            Resource: { Ref: logicalId(api.alias) },
          }],
        },
        Roles: [{ Ref: logicalId(api.lambdaFunction.role!) }],
      });
    });

    test('the self-invoke policy does not make the function depend on itself', () => {
      const { template } = synthWsgiApi({ warmUp: { concurrency: 2 } });
      const [fn] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'cdk_wsgi_adapter.handler' } }));
      expect(JSON.stringify(fn.DependsOn ?? [])).not.toMatch(/WarmUpSelfInvokePolicy/);
    });

    test('defines no schedule by default', () => {
      const { template, api } = synthWsgiApi();
      template.resourceCountIs('AWS::Events::Rule', 0);
      expect(api.warmUpRule).toBeUndefined();
    });
  });

  describe('output', () => {
    test.each(BOTH)('%s outputs the URL', (apiType) => {
      const { template, api } = synthWsgiApi({ apiType });
      const outputs = template.findOutputs('*');
      expect(Object.keys(outputs)).toEqual([logicalId(api.node.findChild('Url'))]);
    });
  });

  describe('validation', () => {
    const cert = () => acm.Certificate.fromCertificateArn(testStack(), 'C', 'arn:aws:acm:us-east-1:123456789012:certificate/x');
    const expectError = (overrides: object, message: string) =>
      expect(() => synthWsgiApi(overrides)).toThrow(message);

    test('throws when entry is not a folder', () => {
      expectError({ entry: path.join(FIXTURES, 'missing') },
        `entry must be an existing folder, got '${path.join(FIXTURES, 'missing')}'; pass the folder that holds your app and its requirements.txt`);
    });

    test('throws when entry has no dependency file', () => {
      expectError({ entry: path.join(FIXTURES, 'no-deps-app') },
        `entry must contain a dependency file (Pipfile.lock, poetry.lock, requirements.txt, uv.lock), got '${path.join(FIXTURES, 'no-deps-app')}'; add a requirements.txt`);
    });

    test.each(['app', 'api.', 'api:', ':app', 'api app', 'api.app:', '1api.app', 'api::app', 'api-x.app'])('throws when module is %p', (module) => {
      expectError({ module }, `module must be 'package.module.attr' or 'package.module:attr', got '${module}'; name the module and its WSGI callable`);
    });

    test('throws when the module file is not in entry', () => {
      expectError({ module: 'missing.app' }, `module names a module that is not in entry (looked for missing.py and missing/__init__.py in ${APP_ENTRY}), got 'missing.app'; fix the module path or the entry folder`);
    });

    test('throws when runtime is not Python', () => {
      expectError({ runtime: lambda.Runtime.NODEJS_22_X }, "runtime must be a Python runtime, got 'nodejs22.x'; use e.g. Runtime.PYTHON_3_14");
    });

    test.each([lambda.Runtime.PYTHON_3_8, lambda.Runtime.PYTHON_3_9, lambda.Runtime.PYTHON_3_10])('throws when runtime is %s, which Lambda deprecates', (runtime) => {
      expectError({ runtime }, `runtime must be python3.11 or newer (older Pythons are deprecated on Lambda), got '${runtime.name}'; `
        + 'use Runtime.PYTHON_3_14, the default, or Runtime.PYTHON_3_11 at the oldest');
    });

    test('throws when runtime is a Python the adapter is not built for yet', () => {
      expectError({ runtime: new lambda.Runtime('python3.15', lambda.RuntimeFamily.PYTHON) },
        "runtime must be one the cdk-wsgi adapter is built for, python3.11 to python3.14, got 'python3.15'; "
        + 'use Runtime.PYTHON_3_14, or a cdk-wsgi release that supports python3.15');
    });

    test("takes a runtime of the user's own making by its name", () => {
      const { template } = synthWsgiApi({ runtime: new lambda.Runtime('python3.11', lambda.RuntimeFamily.PYTHON) });
      template.hasResourceProperties('AWS::Lambda::LayerVersion', { CompatibleRuntimes: ['python3.11'] });
    });

    test.each(BOTH)('throws when timeout is above 29 seconds with %s', (apiType) => {
      expectError({ apiType, timeout: Duration.seconds(30) }, 'timeout must be at most 29 seconds behind');
      expectError({ apiType, timeout: Duration.minutes(1) }, "got '1 minute'; API Gateway answers 504 after 29 seconds while the function would run on; lower timeout");
    });

    test.each([
      [{ memorySize: 1 }, 'memorySize must be a whole number of MiB from 128 to 10240, got 1; use e.g. 512, the default'],
      [{ memorySize: 10_241 }, 'memorySize must be a whole number of MiB from 128 to 10240, got 10241'],
      [{ memorySize: 256.5 }, 'memorySize must be a whole number of MiB from 128 to 10240, got 256.5'],
      [{ ephemeralStorageSize: Size.mebibytes(100) }, "ephemeralStorageSize must be a whole number of MiB from 512 to 10240, got '100 MiB'"],
      [{ ephemeralStorageSize: Size.gibibytes(11) }, "ephemeralStorageSize must be a whole number of MiB from 512 to 10240, got '11264 MiB'"],
      [{ reservedConcurrentExecutions: -1 }, 'reservedConcurrentExecutions must be a whole number, zero or more, got -1'],
      [{ retryAttempts: 3 }, "retryAttempts must be 0, 1 or 2 (Lambda's retries of an asynchronous invocation), got 3; use e.g. 0"],
      [{ maxEventAge: Duration.seconds(30) }, "maxEventAge must be from 1 minute to 6 hours, got '30 seconds'; use e.g. Duration.hours(1)"],
    ])('throws when a function size is out of Lambda\'s range (%#)', (props, message) => {
      expectError(props, message);
    });

    test('accepts function sizes at the ends of Lambda\'s ranges', () => {
      expect(() => synthWsgiApi({ memorySize: 128, ephemeralStorageSize: Size.mebibytes(10_240), reservedConcurrentExecutions: 0 })).not.toThrow();
      expect(() => synthWsgiApi({ memorySize: 10_240, retryAttempts: 2, maxEventAge: Duration.hours(6) })).not.toThrow();
    });

    test('throws when environment sets a CDK_WSGI_ variable', () => {
      expectError({ environment: { CDK_WSGI_APP: 'x:y' } }, "environment must not set CDK_WSGI_* variables, which WsgiApi sets for the adapter, got 'CDK_WSGI_APP'");
    });

    test.each(['image', 'image/png;q=1', 'a,b/c', '*/*'])('throws when textMediaTypes has %p', (mediaType) => {
      expectError({ textMediaTypes: [mediaType] }, `textMediaTypes entries must be 'type/subtype' or 'type/*', got '${mediaType}'`);
    });

    test('throws when binaryMediaTypes has a malformed entry', () => {
      expectError({ binaryMediaTypes: ['png'] }, "binaryMediaTypes entries must be 'type/subtype' or 'type/*' or '*/*', got 'png'");
    });

    test.each([
      [{ throttlingRateLimit: -1 }, 'throttlingRateLimit must be zero or more requests per second, got -1'],
      [{ throttlingBurstLimit: 1.5 }, 'throttlingBurstLimit must be a whole number of requests, zero or more, got 1.5'],
    ])('throws on bad throttling %p', (overrides, message) => {
      expectError(overrides, message);
    });

    test.each([
      ['/v1', "customDomain.basePath must not start or end with '/', got '/v1'; use 'v1'"],
      ['v1/', "customDomain.basePath must not start or end with '/', got 'v1/'; use 'v1'"],
      ['', "customDomain.basePath must not be empty, got ''; omit basePath to map the API at the root of the domain"],
      ['v1//x', 'customDomain.basePath must be at most 300 letters'],
      ['v 1', 'customDomain.basePath must be at most 300 letters'],
      ['a'.repeat(301), 'customDomain.basePath must be at most 300 letters'],
    ])('throws when basePath is %p', (basePath, message) => {
      expectError({ customDomain: { domainName: 'api.example.com', certificate: cert(), basePath } }, message);
    });

    test('throws when a multi-level basePath is on an EDGE domain', () => {
      expectError({ customDomain: { domainName: 'a.example.com', certificate: cert(), basePath: 'v1/x', endpointType: apigateway.EndpointType.EDGE } },
        "customDomain.basePath can only be multi-level on a REGIONAL domain, got 'v1/x'");
    });

    test('throws when an HTTP API has an EDGE domain', () => {
      expectError({ apiType: ApiType.HTTP, customDomain: { domainName: 'a.example.com', certificate: cert(), endpointType: apigateway.EndpointType.EDGE } },
        "customDomain.endpointType must be REGIONAL for an HTTP API, got 'EDGE'; use EndpointType.REGIONAL, or apiType ApiType.REST for an edge-optimized domain");
    });

    test('throws when the domain is PRIVATE', () => {
      expectError({ customDomain: { domainName: 'a.example.com', certificate: cert(), endpointType: apigateway.EndpointType.PRIVATE } },
        "customDomain.endpointType must be REGIONAL or EDGE, got 'PRIVATE'");
    });

    test('throws when the security policy is below TLS 1.2', () => {
      expectError({ customDomain: { domainName: 'a.example.com', certificate: cert(), securityPolicy: apigateway.SecurityPolicy.TLS_1_0 } },
        "customDomain.securityPolicy must be TLS 1.2 or newer, got 'TLS_1_0'; use SecurityPolicy.TLS_1_2");
    });

    test('throws when an HTTP API asks for a newer security policy', () => {
      expectError({ apiType: ApiType.HTTP, customDomain: { domainName: 'a.example.com', certificate: cert(), securityPolicy: apigateway.SecurityPolicy.TLS13_1_3_2025_09 } },
        'customDomain.securityPolicy must be TLS_1_2 for an HTTP API');
    });

    test('throws when disableExecuteApiEndpoint is set without a custom domain', () => {
      expectError({ disableExecuteApiEndpoint: true },
        'disableExecuteApiEndpoint leaves the API unreachable without a custom domain, got true; set customDomain too, or keep the execute-api endpoint');
    });

    test.each([Duration.seconds(30), Duration.seconds(90), Duration.seconds(0)])('throws when the warm-up interval is %s', (interval) => {
      expectError({ warmUp: { interval } }, `warmUp.interval must be a whole number of minutes, at least one, got '${interval.toHumanString()}'; use e.g. Duration.minutes(5)`);
    });

    test.each([0, -1, 1.5, 101])('throws when the warm-up concurrency is %p', (concurrency) => {
      expectError({ warmUp: { concurrency } }, `warmUp.concurrency must be a whole number from 1 to 100, got ${concurrency}`);
    });

    test('does not validate token values', () => {
      const { template } = synthWsgiApi({
        timeout: Duration.seconds(Lazy.number({ produce: () => 60 })),
        customDomain: { domainName: 'api.example.com', certificate: cert(), basePath: Lazy.string({ produce: () => '/v1' }) },
      });
      template.resourceCountIs('AWS::ApiGateway::BasePathMapping', 1);
    });
  });

  test('two apps can live in one stack', () => {
    const stack = testStack();
    new WsgiApi(stack, 'One', { entry: APP_ENTRY, module: 'api.app' });
    new WsgiApi(stack, 'Two', { entry: APP_ENTRY, module: 'api.app', apiType: ApiType.HTTP });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::LayerVersion', 2);
  });
});
