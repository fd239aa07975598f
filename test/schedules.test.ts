import { App, Duration, Stack, TimeZone, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { APP_ENTRY, logicalId, synthWsgiApi, testStack } from './helpers';
import { WsgiApi, WsgiFunction, WsgiSchedule, WsgiTask } from '../src';
import { METADATA_KEY, scheduledCommandEvent, ServeMetadata } from '../src/contracts/adapter-contract';

const NIGHTLY = scheduler.ScheduleExpression.cron({ hour: '3', minute: '0', timeZone: TimeZone.EUROPE_PARIS });
const HOURLY = scheduler.ScheduleExpression.rate(Duration.hours(1));

/** The ServeMetadata of the (only) adapter function of `template`. */
function serveMetadata(template: Template): ServeMetadata {
  const [fn] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'cdk_wsgi_adapter.handler' } }));
  return fn.Metadata[METADATA_KEY];
}

function withSchedules(schedules: WsgiSchedule[]) {
  return synthWsgiApi({ schedules });
}

describe('schedules', () => {
  test('each is an EventBridge Scheduler schedule invoking the manage alias with its command event', () => {
    const { api, template } = withSchedules([{ schedule: NIGHTLY, task: WsgiTask.manage('clearsessions'), description: 'Expired sessions' }]);
    const fn = api.wsgiFunction;
    template.resourceCountIs('AWS::Scheduler::Schedule', 1);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      Name: 'TestStack-App-Schedules-manage-clearsessions-F01157F9',
      Description: 'Expired sessions',
      ScheduleExpression: 'cron(0 3 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Paris',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: {
        Arn: { Ref: logicalId(api.manageAlias!) },
        RoleArn: { 'Fn::GetAtt': [logicalId(fn.schedulerRole!), 'Arn'] },
        Input: JSON.stringify({ source: 'cdk-wsgi.command', kind: 'manage', args: ['clearsessions'], schedule: 'manage-clearsessions' }),
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalId(fn.scheduleDeadLetterQueue!), 'Arn'] } },
      },
    });
    expect(fn.commandSchedules).toHaveLength(1);
  });

  test('the event is the contract\'s scheduled command event', () => {
    const task = WsgiTask.python('import jobs; jobs.nightly()');
    const { template } = withSchedules([{ name: 'nightly', schedule: NIGHTLY, task }]);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      Target: { Input: JSON.stringify(scheduledCommandEvent(task._event, 'nightly')) },
    });
  });

  test('one dead-letter queue for all of a function\'s schedules: encrypted, TLS only, 14 days', () => {
    const { api, template } = withSchedules([
      { schedule: NIGHTLY, task: WsgiTask.manage('clearsessions') },
      { schedule: HOURLY, task: WsgiTask.flask('sync') },
    ]);
    const queue = logicalId(api.wsgiFunction.scheduleDeadLetterQueue!);
    template.resourceCountIs('AWS::SQS::Queue', 1);
    template.hasResourceProperties('AWS::SQS::Queue', { MessageRetentionPeriod: 14 * 24 * 3600, SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queue }],
      PolicyDocument: {
        Statement: [{
          Action: 'sqs:*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Resource: { 'Fn::GetAtt': [queue, 'Arn'] },
        }],
      },
    });
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule'));
    expect(schedules.map(s => s.Properties.Target.DeadLetterConfig)).toEqual([
      { Arn: { 'Fn::GetAtt': [queue, 'Arn'] } }, { Arn: { 'Fn::GetAtt': [queue, 'Arn'] } },
    ]);
    expect(schedules.map(s => s.Properties.ScheduleExpression)).toEqual(['cron(0 3 * * ? *)', 'rate(1 hour)']);
  });

  // Scheduler invokes Lambda asynchronously: a command that fails is Lambda's to retry, and to keep.
  test('a command that failed every attempt goes to the same queue, through the manage alias\'s async config', () => {
    const { api, template } = withSchedules([{ schedule: NIGHTLY, task: WsgiTask.manage('clearsessions') }]);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(api.lambdaFunction) },
      Qualifier: { 'Fn::Select': [7, { 'Fn::Split': [':', { Ref: logicalId(api.manageAlias!) }] }] },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 3600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(api.wsgiFunction.scheduleDeadLetterQueue!), 'Arn'] } } },
    });
    // Only the manage alias: live's asynchronous invocations are not the schedules' business.
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 1);
  });

  // Matched whole: LambdaInvoke grants through alias.grantInvoke, which names the alias alone (never live, the
  // function or `:*`), and the dead-letter queue's SendMessage.
  test('the scheduler\'s role may invoke the manage alias and write to the queue, nothing else', () => {
    const { api, template } = withSchedules([
      { schedule: NIGHTLY, task: WsgiTask.manage('clearsessions') },
      { schedule: HOURLY, task: WsgiTask.manage('sync') },
    ]);
    const role = logicalId(api.wsgiFunction.schedulerRole!);
    const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: role }] } });
    expect(Object.values(policies).map(p => p.Properties.PolicyDocument.Statement)).toEqual([[
      { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { Ref: logicalId(api.manageAlias!) } },
      { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: { 'Fn::GetAtt': [logicalId(api.wsgiFunction.scheduleDeadLetterQueue!), 'Arn'] } },
    ]]);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: {
            StringEquals: {
              'aws:SourceAccount': '123456789012',
              'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':scheduler:eu-west-1:123456789012:schedule-group/default']] },
            },
          },
        }],
      },
    });
    // No role of aws-scheduler-targets' own at the stack's root.
    expect(Object.keys(template.findResources('AWS::IAM::Role')).filter(id => id.startsWith('SchedulerRoleForTarget'))).toEqual([]);
  });

  test('names default from the task\'s label, numbered when two tasks share one, around the names given', () => {
    const { api, template } = withSchedules([
      { schedule: NIGHTLY, task: WsgiTask.manage('clearsessions') },
      { schedule: HOURLY, task: WsgiTask.manage('clearsessions') },
      { name: 'manage-clearsessions-2', schedule: HOURLY, task: WsgiTask.shell('true') },
      { schedule: HOURLY, task: WsgiTask.python('import jobs; jobs.run(1)') },
    ]);
    expect(serveMetadata(template).schedules!.map(s => s.name)).toEqual([
      'manage-clearsessions', 'manage-clearsessions-3', 'manage-clearsessions-2', 'python-import-jobs-jobs-run-1',
    ]);
    expect(api.wsgiFunction.commandSchedules.map(s => s.node.id)).toEqual([
      'manage-clearsessions', 'manage-clearsessions-3', 'manage-clearsessions-2', 'python-import-jobs-jobs-run-1',
    ]);
  });

  test('recorded in the function\'s metadata for cdk-wsgi schedules: expression, time zone, description, task and event', () => {
    const { template } = withSchedules([
      { name: 'nightly', schedule: NIGHTLY, task: WsgiTask.manage('clearsessions'), description: 'Expired sessions' },
      { name: 'hourly', schedule: HOURLY, task: WsgiTask.flask('sync') },
      { name: 'launch', schedule: scheduler.ScheduleExpression.at(new Date(Date.UTC(2027, 0, 1, 9))), task: WsgiTask.shell('true') },
    ]);
    expect(serveMetadata(template)).toEqual({
      entry: 'test/fixtures/wsgi-app',
      apiType: 'REST',
      stageName: 'prod',
      schedules: [
        {
          name: 'nightly',
          expression: 'cron(0 3 * * ? *)',
          timeZone: 'Europe/Paris',
          description: 'Expired sessions',
          task: 'manage clearsessions',
          event: { source: 'cdk-wsgi.command', kind: 'manage', args: ['clearsessions'], schedule: 'nightly' },
        },
        {
          name: 'hourly',
          expression: 'rate(1 hour)',
          task: 'flask sync',
          event: { source: 'cdk-wsgi.command', kind: 'flask', args: ['sync'], schedule: 'hourly' },
        },
        {
          name: 'launch',
          expression: 'at(2027-01-01T09:00:00)',
          timeZone: 'Etc/UTC',
          task: 'shell true',
          event: { source: 'cdk-wsgi.command', kind: 'shell', command: 'true', schedule: 'launch' },
        },
      ],
    });
  });

  test('on a WsgiFunction without a front door too, in its metadata', () => {
    const stack = testStack();
    new WsgiFunction(stack, 'Fn', { entry: APP_ENTRY, module: 'api.app', schedules: [{ name: 'nightly', schedule: NIGHTLY, task: WsgiTask.manage('x') }] });
    const template = Template.fromStack(stack);
    expect(serveMetadata(template)).toEqual({ entry: 'test/fixtures/wsgi-app', schedules: [expect.objectContaining({ name: 'nightly' })] });
    template.hasResourceProperties('AWS::Scheduler::Schedule', { Name: Match.stringLikeRegexp('^TestStack-Fn-Schedules-nightly-[0-9A-F]{8}$') });
  });

  test('AWS names derive from the construct\'s path: two apps, and two stacks of one app, share none', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stacks = ['Beta', 'Prod'].map(stackName => new Stack(app, stackName));
    for (const stack of stacks) {
      for (const id of ['Shop', 'Blog']) {
        new WsgiApi(stack, id, { entry: APP_ENTRY, module: 'api.app', schedules: [{ schedule: NIGHTLY, task: WsgiTask.manage('clearsessions') }] });
      }
    }
    const names = stacks.flatMap(stack => Object.values(Template.fromStack(stack).findResources('AWS::Scheduler::Schedule'))
      .map(s => s.Properties.Name as string));
    expect(new Set(names).size).toBe(4);
    for (const name of names) expect(name).toMatch(/^[A-Za-z0-9._-]{1,64}$/);
  });

  test('none by default: no schedule, queue, role or metadata', () => {
    const { api, template } = synthWsgiApi();
    template.resourceCountIs('AWS::Scheduler::Schedule', 0);
    template.resourceCountIs('AWS::SQS::Queue', 0);
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 0);
    expect(serveMetadata(template).schedules).toBeUndefined();
    expect(api.wsgiFunction.commandSchedules).toEqual([]);
    expect(api.wsgiFunction.scheduleDeadLetterQueue).toBeUndefined();
  });

  describe('are refused at synth', () => {
    test('with managementCommands: false', () => {
      expect(() => synthWsgiApi({ managementCommands: false, schedules: [{ schedule: NIGHTLY, task: WsgiTask.manage('clearsessions') }] }))
        .toThrow(/^schedules run management commands, which managementCommands: false turns off, got \['manage clearsessions'\]; remove managementCommands: false, or the schedules$/);
    });

    test('with two of one name', () => {
      expect(() => withSchedules([
        { name: 'nightly', schedule: NIGHTLY, task: WsgiTask.manage('a') },
        { name: 'nightly', schedule: HOURLY, task: WsgiTask.manage('b') },
      ])).toThrow(/^schedules\[1\]\.name must be unique among the function's schedules \(cdk-wsgi schedules run takes it\), got 'nightly'; give each/);
    });

    test.each(['', 'has space', '-leading', 'a/b', 'x'.repeat(65), 'é'])('with the name %p', name => {
      expect(() => withSchedules([{ name, schedule: NIGHTLY, task: WsgiTask.manage('a') }]))
        .toThrow(/^schedules\[0\]\.name must be 1 to 64 letters, digits, '\.', '_' and '-', starting with a letter or digit, got /);
    });

    test.each([
      ['a token', scheduler.ScheduleExpression.expression(Token.asString({ Ref: 'Expression' }))],
      ['free text', scheduler.ScheduleExpression.expression('every night')],
      ['a cron of five fields', scheduler.ScheduleExpression.expression('cron(0 3 * * ?)')],
      ['a rate of seconds', scheduler.ScheduleExpression.expression('rate(30 seconds)')],
    ])('with an expression CDK cannot render: %s', (_, schedule) => {
      expect(() => withSchedules([{ schedule, task: WsgiTask.manage('a') }]))
        .toThrow(/^schedules\[0\]\.schedule must be a rate, cron or at expression known at synth, got .*; use ScheduleExpression\.rate/);
    });

    test('with a time zone that is a token', () => {
      const schedule = scheduler.ScheduleExpression.expression('cron(0 3 * * ? *)', TimeZone.of(Token.asString({ Ref: 'Zone' })));
      expect(() => withSchedules([{ schedule, task: WsgiTask.manage('a') }]))
        .toThrow(/^schedules\[0\]\.schedule must have a time zone known at synth/);
    });

    test('with a description longer than Scheduler takes', () => {
      expect(() => withSchedules([{ schedule: NIGHTLY, task: WsgiTask.manage('a'), description: 'x'.repeat(513) }]))
        .toThrow(/^schedules\[0\]\.description must be at most 512 characters, Scheduler's limit, got '513 characters'; shorten it$/);
    });
  });

  test('an empty list defines nothing, even with managementCommands: false', () => {
    const { template } = synthWsgiApi({ managementCommands: false, schedules: [] });
    template.resourceCountIs('AWS::Scheduler::Schedule', 0);
    template.resourceCountIs('AWS::SQS::Queue', 0);
  });
});
