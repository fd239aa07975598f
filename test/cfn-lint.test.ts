import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack, TimeZone } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ExampleStack } from '../examples/example-stack';
import { ApiType, WsgiApi, WsgiRuleEventSource, WsgiTask } from '../src';

// Every example's template must pass cfn-lint (pinned in lib-python/requirements-dev.txt) without errors.
const CFN_LINT = path.join(__dirname, '..', '.venv', 'bin', 'cfn-lint');
const FLASK_APP = path.join(__dirname, '..', 'examples', 'flask-app');
const STATIC_SITE = path.join(__dirname, 'fixtures', 'static-site');

// cfn-lint takes 1-2 s a template alone, several times that while the other suites run alongside.
jest.setTimeout(60_000);

// aws-cdk-lib's Function always declares DependsOn on its role, which its Role's GetAtt implies already: harmless
// and not the construct's to change. Any other warning fails, so a new one gets looked at.
const ACCEPTED_WARNINGS = ['W3005'];

const EXAMPLES: Record<string, (app: App) => Stack> = {
  'examples/app.ts': app => new ExampleStack(app, 'CdkWsgiExample'),
  // app.py itself needs the built jsii wheel, which exists only after packaging (.ci/python-smoke synthesizes it
  // there, and .ci/cfn-lint lints that output); this is the same stack through the TypeScript API.
  'examples/python/app.py': app => {
    const stack = new Stack(app, 'CdkWsgiPythonExample');
    new WsgiApi(stack, 'App', { entry: FLASK_APP, module: 'api.app', apiType: ApiType.HTTP });
    return stack;
  },
  // Not an example file: the release props together, so their resources are linted too.
  'releases': app => {
    const stack = new Stack(app, 'CdkWsgiReleases');
    new WsgiApi(stack, 'Provisioned', {
      entry: FLASK_APP, module: 'api.app', prime: ['/'], provisionedConcurrency: { minimum: 1, maximum: 4 }, deployment: {},
    });
    new WsgiApi(stack, 'SnapStarted', {
      entry: FLASK_APP,
      module: 'api.app',
      apiType: ApiType.HTTP,
      prime: ['/'],
      deployment: {},
      snapStart: lambda.SnapStartConf.ON_PUBLISHED_VERSIONS,
    });
    return stack;
  },
  // Not an example file either: a function URL that only its distribution may invoke, signed with origin access control.
  'origin-access-control': app => {
    const stack = new Stack(app, 'CdkWsgiSignedSite', { env: { account: '123456789012', region: 'eu-west-1' } });
    new WsgiApi(stack, 'Url', {
      entry: FLASK_APP,
      module: 'api.app',
      apiType: ApiType.FUNCTION_URL,
      prime: ['/'],
      deployment: {},
      distribution: { originAccessControl: true, allowDirectAccess: false },
    });
    return stack;
  },
  // Not an example file either: jobs beside the web app, schedules, background tasks and every kind of event handler.
  'jobs': app => {
    const stack = new Stack(app, 'CdkWsgiJobs', { env: { account: '123456789012', region: 'eu-west-1' } });
    const api = new WsgiApi(stack, 'App', {
      entry: FLASK_APP,
      module: 'api.app',
      schedules: [
        { schedule: scheduler.ScheduleExpression.cron({ hour: '3', minute: '0', timeZone: TimeZone.EUROPE_PARIS }), task: WsgiTask.flask('routes') },
        { name: 'hourly', schedule: scheduler.ScheduleExpression.rate(Duration.hours(1)), task: WsgiTask.python('print(1)'), description: 'Hourly' },
      ],
      backgroundTasks: { retryAttempts: 1 },
    });
    const batch = { startingPosition: lambda.StartingPosition.LATEST, reportBatchItemFailures: true };
    const table = new dynamodb.Table(stack, 'Orders', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING }, stream: dynamodb.StreamViewType.NEW_IMAGE,
    });
    api.addEventHandler('api.process', new sources.SqsEventSource(new sqs.Queue(stack, 'Jobs'), { reportBatchItemFailures: true }));
    api.addEventHandler('api.orders', new sources.DynamoEventSource(table, batch));
    api.addEventHandler('api.uploaded', new sources.S3EventSource(new s3.Bucket(stack, 'Uploads'), { events: [s3.EventType.OBJECT_CREATED] }));
    api.addEventHandler('api.signed_up', new sources.SnsEventSource(new sns.Topic(stack, 'Signups')));
    api.addEventHandler('api.on_order', new WsgiRuleEventSource(new events.Rule(stack, 'Placed', { eventPattern: { source: ['shop'] } })));
    return stack;
  },
  // Not an example file either: each origin behind a CloudFront distribution, one serving static files too.
  'distribution': app => {
    const stack = new Stack(app, 'CdkWsgiSite', { env: { account: '123456789012', region: 'eu-west-1' } });
    new WsgiApi(stack, 'Rest', { entry: FLASK_APP, module: 'api.app', staticFiles: { directory: STATIC_SITE } });
    new WsgiApi(stack, 'Http', { entry: FLASK_APP, module: 'api.app', apiType: ApiType.HTTP, stageName: 'v1', distribution: {} });
    new WsgiApi(stack, 'Url', {
      entry: FLASK_APP,
      module: 'api.app',
      apiType: ApiType.FUNCTION_URL,
      timeout: Duration.minutes(2),
      distribution: {
        domainName: 'www.example.com',
        certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:123456789012:certificate/site'),
      },
    });
    return stack;
  },
};

interface Finding {
  readonly Level: 'Error' | 'Warning' | 'Informational';
  readonly Rule: { readonly Id: string };
  readonly Message: string;
  readonly Location: { readonly Path: ReadonlyArray<string | number> };
}

/** cfn-lint's exit code (2 when it found errors, else 0: warnings alone don't count) and all its findings. */
function cfnLint(templateFile: string): { status: number; findings: Finding[] } {
  const args = ['--format', 'json', '--non-zero-exit-code', 'error', '--', templateFile];
  const run = spawnSync(CFN_LINT, args, { encoding: 'utf8', timeout: 60_000 });
  // Any other exit code is cfn-lint itself failing, with no JSON to read.
  if (run.status !== 0 && run.status !== 2) {
    throw new Error(`cfn-lint failed (${run.error ?? run.signal ?? run.status}): ${run.stderr}`);
  }
  return { status: run.status, findings: JSON.parse(run.stdout) };
}

const describeFinding = (f: Finding) => `${f.Level} ${f.Rule.Id} at ${f.Location.Path.join('/')}: ${f.Message}`;

let outdir: string;
const templates: Record<string, string> = {};

beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-cfn-lint-'));
  for (const [example, define] of Object.entries(EXAMPLES)) {
    const app = new App({ outdir: path.join(outdir, path.dirname(example)), context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = define(app);
    app.synth();
    templates[example] = path.join(app.outdir, stack.templateFile);
  }
});

afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

describe('cfn-lint', () => {
  test.each(Object.keys(EXAMPLES))('reports no errors on the template of %s', example => {
    const { status, findings } = cfnLint(templates[example]);

    expect(findings.filter(f => f.Level === 'Error').map(describeFinding)).toEqual([]);
    expect(status).toBe(0);
    const unexpected = findings.filter(f => f.Level === 'Warning' && !ACCEPTED_WARNINGS.includes(f.Rule.Id));
    expect(unexpected.map(describeFinding)).toEqual([]);
  });

  test('reports an error on a broken copy of a template, so it does read them', () => {
    const template = JSON.parse(fs.readFileSync(templates['examples/app.ts'], 'utf8'));
    const [functionId] = Object.keys(template.Resources).filter(id => template.Resources[id].Type === 'AWS::Lambda::Function');
    delete template.Resources[functionId].Properties.Role;
    const broken = path.join(outdir, 'broken.template.json');
    fs.writeFileSync(broken, JSON.stringify(template, undefined, 1));

    const { status, findings } = cfnLint(broken);

    expect(status).toBe(2);
    expect(findings).toContainEqual(expect.objectContaining({
      Level: 'Error',
      Rule: expect.objectContaining({ Id: 'E3003' }),
      Location: expect.objectContaining({ Path: ['Resources', functionId, 'Properties'] }),
    }));
  });
});
