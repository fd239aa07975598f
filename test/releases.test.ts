import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ApiType, WsgiApi } from '../src';
import { adapterEnvironment, APP_ENTRY, logicalId, synthWsgiApi, testStack } from './helpers';

const BOTH = [ApiType.REST, ApiType.HTTP];

/** Every place in `template` that names the function's ARN without a qualifier. */
function unqualifiedUses(template: Template, functionId: string): string[] {
  const uses: string[] = [];
  for (const [id, resource] of Object.entries(template.toJSON().Resources as Record<string, any>)) {
    if (['AWS::Lambda::Version', 'AWS::Lambda::Alias', 'AWS::IAM::Policy'].includes(resource.Type)) continue;
    if (JSON.stringify(resource.Properties ?? {}).includes(`{"Fn::GetAtt":["${functionId}","Arn"]}`)) uses.push(id);
  }
  return uses;
}

describe('releases', () => {
  describe('the live alias', () => {
    test.each(BOTH)('%s: the API and its invoke permission target live, never $LATEST', (apiType) => {
      const { template, api } = synthWsgiApi({ apiType });
      const aliasId = logicalId(api.alias);
      template.hasResourceProperties('AWS::Lambda::Alias', {
        Name: 'live',
        FunctionName: { Ref: logicalId(api.lambdaFunction) },
        FunctionVersion: { 'Fn::GetAtt': [logicalId(api.lambdaFunction.currentVersion), 'Version'] },
      });
      template.allResourcesProperties('AWS::Lambda::Permission', { FunctionName: { Ref: aliasId } });
      expect(unqualifiedUses(template, logicalId(api.lambdaFunction))).toEqual([]);
      if (apiType === ApiType.REST) {
        template.hasResourceProperties('AWS::ApiGateway::Method', {
          Integration: { Uri: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([{ Ref: aliasId }])] }) },
        });
      } else {
        template.hasResourceProperties('AWS::ApiGatewayV2::Integration', { IntegrationUri: { Ref: aliasId } });
      }
    });

    test('replaced versions are deleted unless currentVersionOptions keeps them', () => {
      synthWsgiApi().template.hasResource('AWS::Lambda::Version', { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
      synthWsgiApi({ currentVersionOptions: { removalPolicy: RemovalPolicy.RETAIN } }).template
        .hasResource('AWS::Lambda::Version', { DeletionPolicy: 'Retain' });
    });

    test('a new version is published when the app or its adapter settings change', () => {
      const versionId = (overrides = {}) => logicalId(synthWsgiApi(overrides).api.lambdaFunction.currentVersion);
      expect(versionId()).toBe(versionId());
      expect(versionId({ textMediaTypes: ['application/vnd.a+yaml'] })).not.toBe(versionId());
      expect(versionId({ prime: ['/health'] })).not.toBe(versionId());
    });

    test('a Function URL added to live runs the live version', () => {
      const stack = testStack();
      const api = new WsgiApi(stack, 'App', { entry: APP_ENTRY, module: 'api.app' });
      api.alias.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });
      Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Url', {
        TargetFunctionArn: { 'Fn::GetAtt': [logicalId(api.lambdaFunction), 'Arn'] },
        Qualifier: 'live',
      });
    });

    test('the escape hatches still reach the function', () => {
      const { api } = synthWsgiApi();
      expect(api.alias.version.lambda).toBe(api.lambdaFunction);
      expect(api.alias.aliasName).toBe('live');
    });

    test('refuses provisioned concurrency set on the version', () => {
      expect(() => synthWsgiApi({ currentVersionOptions: { provisionedConcurrentExecutions: 2 } })).toThrow(
        'currentVersionOptions.provisionedConcurrentExecutions would apply to the version, not the live alias, got 2; '
        + 'use provisionedConcurrency: { minimum } instead');
    });
  });

  describe('SnapStart', () => {
    test('applies to the version behind live, tells the adapter, and leaves no CDK warning', () => {
      const { stack, template } = synthWsgiApi({ snapStart: lambda.SnapStartConf.ON_PUBLISHED_VERSIONS });
      template.hasResourceProperties('AWS::Lambda::Function', {
        Handler: 'cdk_wsgi_adapter.handler',
        SnapStart: { ApplyOn: 'PublishedVersions' },
      });
      expect(adapterEnvironment(template).CDK_WSGI_SNAP_START).toBe('1');
      expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('SnapStart'))).toEqual([]);
    });

    test('is off by default', () => {
      const { template } = synthWsgiApi();
      template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'cdk_wsgi_adapter.handler', SnapStart: Match.absent() });
      expect(adapterEnvironment(template).CDK_WSGI_SNAP_START).toBeUndefined();
    });

    test('is refused before Python 3.12', () => {
      expect(() => synthWsgiApi({ snapStart: lambda.SnapStartConf.ON_PUBLISHED_VERSIONS, runtime: lambda.Runtime.PYTHON_3_11 }))
        .toThrow("snapStart needs a runtime with SnapStart, Python 3.12 or newer, got 'python3.11'; "
          + 'use Runtime.PYTHON_3_12 or newer, or leave snapStart out');
    });

    test('is refused together with provisioned concurrency', () => {
      expect(() => synthWsgiApi({ snapStart: lambda.SnapStartConf.ON_PUBLISHED_VERSIONS, provisionedConcurrency: { minimum: 1 } }))
        .toThrow('provisionedConcurrency cannot be combined with snapStart (Lambda supports one or the other), got 1');
    });
  });

  describe('provisioned concurrency', () => {
    test('keeps minimum environments on live, without scaling by default', () => {
      const { template } = synthWsgiApi({ provisionedConcurrency: { minimum: 3 } });
      template.hasResourceProperties('AWS::Lambda::Alias', {
        Name: 'live',
        ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 3 },
      });
      template.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 0);
    });

    test('with maximum, scales on utilization, 0.7 by default', () => {
      const { template } = synthWsgiApi({ provisionedConcurrency: { minimum: 2, maximum: 10 } });
      template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
        MinCapacity: 2,
        MaxCapacity: 10,
        ScalableDimension: 'lambda:function:ProvisionedConcurrency',
        ResourceId: { 'Fn::Join': ['', ['function:', Match.anyValue(), ':live']] },
      });
      template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: {
          TargetValue: 0.7,
          PredefinedMetricSpecification: { PredefinedMetricType: 'LambdaProvisionedConcurrencyUtilization' },
        },
      });
    });

    test('takes a utilization target', () => {
      const { template } = synthWsgiApi({ provisionedConcurrency: { minimum: 1, maximum: 4, utilizationTarget: 0.5 } });
      template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 0.5 }),
      });
    });

    test.each([
      [{ minimum: 0 }, 'provisionedConcurrency.minimum must be a whole number, at least 1, got 0'],
      [{ minimum: 1.5 }, 'provisionedConcurrency.minimum must be a whole number, at least 1, got 1.5'],
      [{ minimum: 4, maximum: 2 }, 'provisionedConcurrency.maximum must be a whole number, at least minimum (4), got 2'],
      [{ minimum: 1, utilizationTarget: 0.5 }, 'provisionedConcurrency.utilizationTarget only steers scaling, which needs maximum'],
      [{ minimum: 1, maximum: 2, utilizationTarget: 0.95 }, 'provisionedConcurrency.utilizationTarget must be from 0.1 to 0.9, got 0.95'],
    ])('refuses %j', (provisionedConcurrency, message) => {
      expect(() => synthWsgiApi({ provisionedConcurrency })).toThrow(message);
    });

    test('with warm-up, warns that both are paid for', () => {
      const { stack } = synthWsgiApi({ provisionedConcurrency: { minimum: 1 }, warmUp: {} });
      Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('warmUp and provisionedConcurrency both keep'));
      const quiet = synthWsgiApi({ provisionedConcurrency: { minimum: 1 } }).stack;
      expect(Annotations.fromStack(quiet).findWarning('*', Match.anyValue())).toEqual([]);
    });
  });

  describe('gradual deployments', () => {
    test.each(BOTH)('%s: CodeDeploy shifts live canary 10%% for 5 minutes, rolling back on the construct\'s alarms', (apiType) => {
      const { template, api } = synthWsgiApi({ apiType, deployment: {} });
      const alarms = [api.functionErrorsAlarm!, api.throttlesAlarm!, api.serverErrorRateAlarm!];
      template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
        DeploymentConfigName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
        AlarmConfiguration: { Enabled: true, Alarms: alarms.map(alarm => ({ Name: { Ref: logicalId(alarm) } })) },
        AutoRollbackConfiguration: {
          Enabled: true,
          Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM'],
        },
      });
      template.hasResource('AWS::Lambda::Alias', {
        UpdatePolicy: {
          CodeDeployLambdaAliasUpdate: {
            ApplicationName: { Ref: logicalId(api.deploymentGroup!.application) },
            DeploymentGroupName: { Ref: logicalId(api.deploymentGroup!) },
          },
        },
      });
    });

    test.each(BOTH)('%s: the 5xx alarm is a rate of the front door\'s requests, the others count live\'s errors and throttles', (apiType) => {
      const { template } = synthWsgiApi({ apiType, deployment: {} });
      const [errors, requests] = apiType === ApiType.REST ? ['5XXError', 'Count'] : ['5xx', 'Count'];
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Threshold: 0.05,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
        Metrics: Match.arrayWith([Match.objectLike({ Expression: 'IF(requests > 0, errors / requests, 0)', ReturnData: true })]),
      });
      for (const [id, metricName] of [['errors', errors], ['requests', requests]]) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Metrics: Match.arrayWith([Match.objectLike({
            Id: id,
            MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: metricName }), Period: 60, Stat: 'Sum' }),
          })]),
        });
      }
      for (const metric of ['Errors', 'Throttles']) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          MetricName: metric,
          Namespace: 'AWS/Lambda',
          Dimensions: Match.arrayWith([Match.objectLike({ Name: 'Resource' })]),
          Period: 60,
          Statistic: 'Sum',
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        });
      }
    });

    test('takes a deployment config and the user\'s alarms', () => {
      const stack = testStack();
      const alarm = new cloudwatch.Alarm(stack, 'Mine', {
        metric: new cloudwatch.Metric({ namespace: 'Mine', metricName: 'Failures' }),
        threshold: 1,
        evaluationPeriods: 1,
      });
      const { template } = synthWsgiApi({
        deployment: { config: codedeploy.LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_1MINUTE, alarms: [alarm] },
      }, stack);
      template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
        DeploymentConfigName: 'CodeDeployDefault.LambdaLinear10PercentEvery1Minute',
        AlarmConfiguration: { Enabled: true, Alarms: [{ Name: { Ref: logicalId(alarm) } }] },
      });
    });

    test('defines no deployment group or alarms by default', () => {
      const { template, api } = synthWsgiApi();
      template.resourceCountIs('AWS::CodeDeploy::DeploymentGroup', 0);
      template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
      expect([api.deploymentGroup, api.serverErrorRateAlarm, api.functionErrorsAlarm, api.throttlesAlarm]).toEqual([
        undefined, undefined, undefined, undefined,
      ]);
    });
  });

  describe('priming', () => {
    test.each([
      [ApiType.REST, 'RestApi', 'prod'],
      [ApiType.HTTP, 'HttpApi', '$default'],
    ])('%s: tells the adapter the paths, the execute-api host and the stage', (apiType, apiId, stage) => {
      const { template, stack } = synthWsgiApi({ apiType, prime: ['/', '/health'] });
      const prime = Stack.of(stack).resolve(adapterEnvironment(template).CDK_WSGI_PRIME);
      const [, parts] = prime['Fn::Join'];
      const text = parts.map((part: unknown) => (typeof part === 'string' ? part : JSON.stringify(part))).join('');
      expect(text).toMatch(new RegExp(`^\\{"apiType":"${apiType}","host":"\\{"Ref":"App${apiId}[0-9A-F]{8}"\\}\\.execute-api\\.eu-west-1\\.\\{"Ref":"AWS::URLSuffix"\\}"`));
      expect(text).toContain(`"stage":"${stage}","paths":["/","/health"],"timeoutMillis":5000}`);
    });

    test('uses the custom domain when there is one', () => {
      const stack = testStack();
      const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:123456789012:certificate/abc');
      const { template } = synthWsgiApi({ prime: ['/'], customDomain: { domainName: 'api.example.com', certificate, basePath: 'v1' } }, stack);
      expect(JSON.parse(adapterEnvironment(template).CDK_WSGI_PRIME as string)).toEqual({
        apiType: 'REST', host: 'api.example.com', stage: 'prod', paths: ['/'], timeoutMillis: 5000,
      });
    });

    test('passes primeTimeout on in milliseconds', () => {
      const { template, stack } = synthWsgiApi({ apiType: ApiType.HTTP, prime: ['/'], primeTimeout: Duration.millis(2500) });
      const [, parts] = stack.resolve(adapterEnvironment(template).CDK_WSGI_PRIME)['Fn::Join'];
      expect(parts[parts.length - 1]).toMatch(/,"timeoutMillis":2500\}$/);
    });

    test.each([
      [{ primeTimeout: Duration.seconds(10) }, /^primeTimeout must be more than 0 and less than Lambda's 10-second init limit \(longer with snapStart or provisionedConcurrency\), which the app's import shares, got '10 seconds'; use e\.g\. Duration\.seconds\(5\)$/],
      [{ primeTimeout: Duration.millis(0) }, /^primeTimeout must be more than 0 .* got '0 millis'/],
      [{ primeTimeout: Duration.minutes(3), provisionedConcurrency: { minimum: 1 } }, /^primeTimeout must be more than 0 and less than Lambda's 130-second init limit, which/],
    ])('refuses a primeTimeout outside the init limit (%#)', (props, message) => {
      expect(() => synthWsgiApi({ prime: ['/'], ...props })).toThrow(message);
    });

    test('accepts a longer primeTimeout where environments initialize ahead of requests', () => {
      expect(() => synthWsgiApi({ prime: ['/'], primeTimeout: Duration.seconds(60), snapStart: lambda.SnapStartConf.ON_PUBLISHED_VERSIONS })).not.toThrow();
    });

    test('refuses primeTimeout without prime', () => {
      expect(() => synthWsgiApi({ primeTimeout: Duration.seconds(2) })).toThrow(
        "primeTimeout bounds priming, and prime names no paths, got '2 seconds'; set prime too, or leave primeTimeout out");
    });

    test('is off by default and with an empty list', () => {
      expect(adapterEnvironment(synthWsgiApi().template).CDK_WSGI_PRIME).toBeUndefined();
      expect(adapterEnvironment(synthWsgiApi({ prime: [] }).template).CDK_WSGI_PRIME).toBeUndefined();
    });

    test.each(['health', '/search?q=x', '/caf%C3%A9', '/a b', 'https://example.com/'])('refuses %s', (entry) => {
      expect(() => synthWsgiApi({ prime: [entry] })).toThrow(
        `prime entries must be absolute paths of plain URL characters, without query or '%' escapes, got '${entry}'`);
    });
  });

  describe('function logs', () => {
    test('go to a log group of the function\'s own, kept a month by default', () => {
      const { template, api } = synthWsgiApi({ accessLogging: false });
      template.hasResourceProperties('AWS::Lambda::Function', {
        Handler: 'cdk_wsgi_adapter.handler',
        LoggingConfig: { LogGroup: { Ref: logicalId(api.logGroup) } },
      });
      expect(template.toJSON().Resources[logicalId(api.logGroup)]).toMatchObject({
        DeletionPolicy: 'Delete', Properties: { RetentionInDays: 30 },
      });
    });

    test('keep events as long as functionLogRetention says', () => {
      const { template } = synthWsgiApi({ accessLogging: false, functionLogRetention: logs.RetentionDays.THREE_MONTHS });
      template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    });

    test('go to the user\'s log group when given', () => {
      const stack = testStack();
      const logGroup = new logs.LogGroup(stack, 'Mine', { retention: logs.RetentionDays.ONE_DAY });
      const { template } = synthWsgiApi({ apiType: ApiType.HTTP, accessLogging: false, logGroup }, stack);
      template.resourceCountIs('AWS::Logs::LogGroup', 1);
      template.hasResourceProperties('AWS::Lambda::Function', { LoggingConfig: { LogGroup: { Ref: logicalId(logGroup) } } });
    });

    test('refuses the deprecated logRetention, and functionLogRetention with logGroup', () => {
      expect(() => synthWsgiApi({ logRetention: logs.RetentionDays.ONE_DAY })).toThrow(
        'logRetention is replaced by the log group WsgiApi gives the function, got 1; use functionLogRetention instead');
      const stack = testStack();
      const logGroup = new logs.LogGroup(stack, 'Mine');
      expect(() => synthWsgiApi({ logGroup, functionLogRetention: logs.RetentionDays.ONE_DAY }, stack)).toThrow(
        'functionLogRetention applies to the log group WsgiApi creates, and logGroup replaces it, got 1');
    });
  });

  test('CDK warns about nothing for a production setup', () => {
    const { stack } = synthWsgiApi({
      provisionedConcurrency: { minimum: 1, maximum: 5 },
      deployment: {},
      prime: ['/'],
      timeout: Duration.seconds(10),
    });
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });
});
