import * as fs from 'fs';
import * as path from 'path';
import { App, CfnElement, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { APP_ENTRY, FIXTURES } from './helpers';
import { ApiType, WsgiApiProps, WsgiApi, WsgiDomain, WsgiRuleEventSource, WsgiTask } from '../src';

const STATIC_SITE = path.join(FIXTURES, 'static-site');

/** Every release prop: warm-up, priming, a gradual deployment, deploy tasks. */
const RELEASED: Partial<WsgiApiProps> = {
  warmUp: { concurrency: 2 },
  prime: ['/'],
  primeTimeout: Duration.seconds(3),
  deployment: {},
  deployTasks: [WsgiTask.manage('migrate', '--noinput')],
};

/** The setups a user starts from, each in a stack of its own, as an app would hold them. */
const SETUPS: Record<string, Partial<WsgiApiProps>> = {
  DefaultRest: {},
  DefaultHttp: { apiType: ApiType.HTTP },
  DefaultFunctionUrl: { apiType: ApiType.FUNCTION_URL },
  ReleasedRest: { ...RELEASED, provisionedConcurrency: { minimum: 1, maximum: 3 } },
  ReleasedHttp: { ...RELEASED, apiType: ApiType.HTTP, snapStart: lambda.SnapStartConf.ON_PUBLISHED_VERSIONS },
  ReleasedFunctionUrl: { ...RELEASED, apiType: ApiType.FUNCTION_URL, timeout: Duration.minutes(5) },
};

/** A custom domain, as the README shows it, for the stack `scope` of the app. */
function customDomain(scope: Stack): WsgiApiProps['customDomain'] {
  return {
    domainName: 'api.example.com',
    basePath: 'v1',
    certificate: acm.Certificate.fromCertificateArn(scope, 'Cert', 'arn:aws:acm:eu-west-1:123456789012:certificate/abc'),
    hostedZone: route53.HostedZone.fromHostedZoneAttributes(scope, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' }),
  };
}

/** The findings cdk-nag reports for `app`, as `rule construct-path` lines; none acknowledged by the test. */
function findings(app: App): string[] {
  let directory: string;
  try {
    directory = app.synth().directory;
  } catch (error) {
    // Validation errors fail the synth after the report is written: read it, as a user would.
    directory = app.outdir;
  }
  const reportFile = fs.readdirSync(directory).find(f => f.includes('validation-report') && f.endsWith('.json'));
  const report = reportFile ? JSON.parse(fs.readFileSync(path.join(directory, reportFile), 'utf8')) : { pluginReports: [] };
  return report.pluginReports.flatMap((r: any) => r.violations ?? [])
    .flatMap((v: any) => (v.violatingConstructs ?? v.violatingResources ?? [{}]).map((c: any) => `${v.ruleName} ${c.constructPath ?? ''}`));
}

// cdk-nag as its README shows it, on an app of WsgiApis only: whatever it would find, the construct fixes or
// acknowledges itself, with a reason (src/private/nag.ts); the user acknowledges nothing.
describe('cdk-nag AwsSolutions', () => {
  test.each(Object.keys(SETUPS))('%s: no findings, with no acknowledgement of the user\'s', setup => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    new WsgiApi(new Stack(app, setup), 'App', { entry: APP_ENTRY, module: 'api.app', ...SETUPS[setup] });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(findings(app)).toEqual([]);
  });

  test.each([ApiType.REST, ApiType.HTTP])('%s with a custom domain: no findings', apiType => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'WithDomain', { env: { account: '123456789012', region: 'eu-west-1' } });
    new WsgiApi(stack, 'App', { entry: APP_ENTRY, module: 'api.app', apiType, customDomain: customDomain(stack) });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(findings(app)).toEqual([]);
  });

  test('behind a load balancer: no findings on the WsgiApi (the VPC and load balancer are the user\'s to configure)', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'BehindAlb', { env: { account: '123456789012', region: 'eu-west-1' } });
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
    const listener = new elbv2.ApplicationLoadBalancer(stack, 'Lb', { vpc, internetFacing: true })
      .addListener('Listener', { port: 80, defaultAction: elbv2.ListenerAction.fixedResponse(404) });
    new WsgiApi(stack, 'App', { entry: APP_ENTRY, module: 'api.app', apiType: ApiType.ALB, loadBalancer: { listener, priority: 1 } });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const all = findings(app);
    expect(all.some(f => f.includes('BehindAlb/Lb'))).toBe(true);
    expect(all.filter(f => f.includes('BehindAlb/App/'))).toEqual([]);
  });

  test.each([ApiType.REST, ApiType.HTTP, ApiType.FUNCTION_URL])('%s behind a CloudFront distribution, with and without a domain: no findings', apiType => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Site', { env: { account: '123456789012', region: 'eu-west-1' } });
    new WsgiApi(stack, 'Own', { entry: APP_ENTRY, module: 'api.app', apiType, distribution: {} });
    new WsgiApi(stack, 'Named', {
      entry: APP_ENTRY,
      module: 'api.app',
      apiType,
      distribution: {
        domainName: 'www.example.com',
        certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:123456789012:certificate/site'),
        hostedZone: route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' }),
      },
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(findings(app)).toEqual([]);
  });

  test('a function URL behind a distribution with origin access control and no direct access: no findings', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'SignedSite', { env: { account: '123456789012', region: 'eu-west-1' } });
    new WsgiApi(stack, 'App', {
      entry: APP_ENTRY,
      module: 'api.app',
      apiType: ApiType.FUNCTION_URL,
      ...RELEASED,
      distribution: { originAccessControl: true, allowDirectAccess: false },
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(findings(app)).toEqual([]);
  });

  test.each([ApiType.REST, ApiType.HTTP, ApiType.FUNCTION_URL])('%s serving static files, two apps in a stack: no findings', apiType => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    // Without an environment, the asset bucket's name holds the account and Region as references.
    const stack = new Stack(app, 'StaticSite');
    new WsgiApi(stack, 'Own', { entry: APP_ENTRY, module: 'api.app', apiType, staticFiles: { directory: STATIC_SITE } });
    new WsgiApi(stack, 'Named', {
      entry: APP_ENTRY,
      module: 'api.app',
      apiType,
      distribution: {
        domainName: 'www.example.com',
        certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:123456789012:certificate/site'),
      },
      staticFiles: { directory: STATIC_SITE, urlPath: '/assets' },
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(findings(app)).toEqual([]);
  });

  test('the BucketDeployment function\'s acknowledgements cover only the buckets of the static files', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'OwnDeployment', { env: { account: '123456789012', region: 'eu-west-1' } });
    new WsgiApi(stack, 'App', { entry: APP_ENTRY, module: 'api.app', staticFiles: { directory: STATIC_SITE } });
    // The user's own deployment runs on the same function: its bucket is theirs to see.
    const own = new s3.Bucket(stack, 'Own', { enforceSSL: true, serverAccessLogsPrefix: 'logs/' });
    new s3deploy.BucketDeployment(stack, 'OwnFiles', { sources: [s3deploy.Source.asset(STATIC_SITE)], destinationBucket: own });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(findings(app)).toEqual([
      `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(own.node.defaultChild as CfnElement)}.Arn>/*] `
      + 'OwnDeployment/Custom::CDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C/ServiceRole/DefaultPolicy/Resource',
    ]);
  });

  test('two apps on a shared WsgiDomain: no findings', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'SharedDomain', { env: { account: '123456789012', region: 'eu-west-1' } });
    const { basePath: _, ...own } = customDomain(stack)!;
    const domain = new WsgiDomain(stack, 'Domain', { domainName: own.domainName!, certificate: own.certificate!, hostedZone: own.hostedZone });
    new WsgiApi(stack, 'Shop', { entry: APP_ENTRY, module: 'api.app', customDomain: { domain, basePath: 'shop' } });
    new WsgiApi(stack, 'Site', { entry: APP_ENTRY, module: 'api.app', apiType: ApiType.HTTP, customDomain: { domain } });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(findings(app)).toEqual([]);
  });

  test('in a VPC, the function\'s role has the network permissions, acknowledged', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'InVpc');
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-0123456789abcdef0', availabilityZones: ['eu-west-1a'], privateSubnetIds: ['subnet-0123456789abcdef0'],
    });
    new WsgiApi(stack, 'App', { entry: APP_ENTRY, module: 'api.app', apiType: ApiType.HTTP, vpc });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(findings(app)).toEqual([]);
  });

  test('jobs: schedules, background tasks and event handlers (SQS, an EventBridge rule): no findings', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Jobs', { env: { account: '123456789012', region: 'eu-west-1' } });
    const api = new WsgiApi(stack, 'App', {
      entry: APP_ENTRY,
      module: 'api.app',
      schedules: [{ schedule: scheduler.ScheduleExpression.rate(Duration.hours(1)), task: WsgiTask.manage('clearsessions') }],
      backgroundTasks: {},
    });
    // The user's queue, as cdk-nag wants any queue: its own dead-letter queue, TLS only.
    const dlq = new sqs.Queue(stack, 'JobsDlq', { enforceSSL: true });
    const queue = new sqs.Queue(stack, 'JobsQueue', { enforceSSL: true, deadLetterQueue: { queue: dlq, maxReceiveCount: 3 } });
    api.addEventHandler('api.process', new SqsEventSource(queue, { reportBatchItemFailures: true }));
    api.addEventHandler('api.on_order', new WsgiRuleEventSource(new events.Rule(stack, 'Orders', { eventPattern: { source: ['shop'] } })));
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(findings(app)).toEqual([]);
  });

  test('sees findings on resources that are not the construct\'s: the check itself works', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Mixed');
    new WsgiApi(stack, 'App', { entry: APP_ENTRY, module: 'api.app' });
    new lambda.Function(stack, 'Other', { runtime: lambda.Runtime.PYTHON_3_12, handler: 'index.handler', code: lambda.Code.fromInline('def handler(event, context): pass') });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const found = findings(app);
    expect(found).toEqual(expect.arrayContaining([expect.stringMatching(/^AwsSolutions-IAM4\[.*AWSLambdaBasicExecutionRole\] Mixed\/Other\//)]));
    expect(found.filter(f => f.includes('Mixed/App/'))).toEqual([]);
  });
});

describe('cdk-nag with a newer aws-cdk-lib', () => {
  // aws-cdk-lib lists new runtimes (python3.15 and nodejs26.x in 2.278) before the adapter is built for them, and
  // AwsSolutions-L1 wants the newest one a family lists: stand in for such a release by listing one more of each.
  let newer: lambda.Runtime[] = [];
  beforeEach(() => {
    newer = [new lambda.Runtime('python3.99', lambda.RuntimeFamily.PYTHON), new lambda.Runtime('nodejs99.x', lambda.RuntimeFamily.NODEJS)];
  });
  afterEach(() => {
    lambda.Runtime.ALL.splice(0, lambda.Runtime.ALL.length, ...lambda.Runtime.ALL.filter(runtime => !newer.includes(runtime)));
  });

  test.each(['DefaultRest', 'ReleasedHttp'])('%s on the default runtime: no findings', setup => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    new WsgiApi(new Stack(app, setup), 'App', { entry: APP_ENTRY, module: 'api.app', ...SETUPS[setup] });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(findings(app)).toEqual([]);
  });

  test('an older runtime of the user\'s choice is theirs to see', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    new WsgiApi(new Stack(app, 'Older'), 'App', { entry: APP_ENTRY, module: 'api.app', runtime: lambda.Runtime.PYTHON_3_12 });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(findings(app)).toEqual(['AwsSolutions-L1 Older/App/Default/Function/Resource']);
  });
});

describe('log retention', () => {
  // API Gateway and Lambda create a log group on first use when none exists, without a retention: every log group the
  // app writes to must be one of the template's, with a retention.
  test.each(Object.keys(SETUPS))('%s: every log group has a retention, and every function logs to one of them', setup => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, setup);
    new WsgiApi(stack, 'App', { entry: APP_ENTRY, module: 'api.app', ...SETUPS[setup] });
    const template = Template.fromStack(stack);
    const logGroups = template.findResources('AWS::Logs::LogGroup');
    for (const logGroup of Object.values(logGroups)) {
      expect(logGroup.Properties.RetentionInDays).toBeGreaterThan(0);
    }
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      expect(Object.keys(logGroups)).toContain(fn.Properties.LoggingConfig?.LogGroup?.Ref);
    }
    if ((SETUPS[setup].apiType ?? ApiType.REST) === ApiType.REST) {
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: { 'Fn::Join': ['', ['API-Gateway-Execution-Logs_', { Ref: Match.anyValue() }, '/prod']] },
      });
    }
  });
});
