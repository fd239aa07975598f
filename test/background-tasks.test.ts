import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as sns from 'aws-cdk-lib/aws-sns';
import { adapterEnvironment, APP_ENTRY, logicalId, synthWsgiApi, testStack } from './helpers';
import { WsgiApi, WsgiFunction } from '../src';
import { ENV_BACKGROUND_TASKS, TASK_ALIAS_NAME } from '../src/contracts/adapter-contract';

describe('backgroundTasks', () => {
  test('tells the adapter that .delay() may queue tasks', () => {
    expect(adapterEnvironment(synthWsgiApi({ backgroundTasks: {} }).template)[ENV_BACKGROUND_TASKS]).toBe('1');
    expect(adapterEnvironment(synthWsgiApi().template)[ENV_BACKGROUND_TASKS]).toBeUndefined();
  });

  test('configures the live alias\'s asynchronous invocations: Lambda\'s defaults, failures to a dead-letter queue', () => {
    const { api, template } = synthWsgiApi({ backgroundTasks: {} });
    const queue = api.wsgiFunction.backgroundTasksDeadLetterQueue!;
    expect(api.alias.aliasName).toBe(TASK_ALIAS_NAME);
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 1);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(api.lambdaFunction) },
      Qualifier: { 'Fn::Select': [7, { 'Fn::Split': [':', { Ref: logicalId(api.alias) }] }] },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 6 * 3600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(queue), 'Arn'] } } },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { MessageRetentionPeriod: 14 * 24 * 3600, SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: logicalId(queue) }],
      PolicyDocument: { Statement: [{ Action: 'sqs:*', Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }] },
    });
    // Lambda sends the record with the function's role.
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalId(api.lambdaFunction.role!) }],
      PolicyDocument: {
        Statement: [
          { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [logicalId(api.logGroup), 'Arn'] } },
          { Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [logicalId(queue), 'Arn'] } },
        ],
      },
    });
  });

  test('retryAttempts, maxEventAge and onFailure are the user\'s to choose; onFailure replaces the queue', () => {
    const stack = testStack();
    const topic = new sns.Topic(stack, 'Failures', { enforceSSL: true });
    const api = new WsgiApi(stack, 'App', {
      entry: APP_ENTRY,
      module: 'api.app',
      backgroundTasks: { retryAttempts: 0, maxEventAge: Duration.minutes(5), onFailure: new destinations.SnsDestination(topic) },
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 300,
      DestinationConfig: { OnFailure: { Destination: { Ref: logicalId(topic) } } },
    });
    template.resourceCountIs('AWS::SQS::Queue', 0);
    expect(api.wsgiFunction.backgroundTasksDeadLetterQueue).toBeUndefined();
  });

  // Matched whole: the alias alone, never the function, `:*` or the manage alias (which runs commands).
  test('the function may invoke its own live alias, and nothing else of itself, through a policy of its own', () => {
    const { api, template } = synthWsgiApi({ backgroundTasks: {} });
    const policy = template.toJSON().Resources[logicalId(api.node.findChild('Default').node.findChild('BackgroundTasksPolicy'))];
    expect(policy).toEqual({
      Type: 'AWS::IAM::Policy',
      Properties: {
        PolicyName: expect.any(String),
        Roles: [{ Ref: logicalId(api.lambdaFunction.role!) }],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { Ref: logicalId(api.alias) } }],
        },
      },
    });
    // No other statement anywhere lets the function's role invoke a Lambda function.
    const invoking = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: logicalId(api.lambdaFunction.role!) }] } }))
      .flatMap(p => p.Properties.PolicyDocument.Statement).filter(s => [s.Action].flat().some((a: string) => a.startsWith('lambda:')));
    expect(invoking).toEqual([{ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { Ref: logicalId(api.alias) } }]);
  });

  // Template.fromStack refuses a template with a dependency cycle, and synthWsgiApi's app runs CloudFormation's own
  // validation at synth, which fails on one (F3004): every template of these tests is free of cycles; the control shows
  // both checks catch the cycle the role's default policy would close.
  test('no circular dependency: the function does not wait for the policy that names its alias', () => {
    const { stack, api } = synthWsgiApi({ backgroundTasks: {} });
    expect(() => Template.fromStack(stack)).not.toThrow();
    const policy = logicalId(api.node.findChild('Default').node.findChild('BackgroundTasksPolicy'));
    expect(Template.fromStack(stack).toJSON().Resources[logicalId(api.lambdaFunction)].DependsOn).not.toContain(policy);
  });

  test('the control: a grant through the role\'s default policy is a cycle both checks catch', () => {
    const selfInvoking = (stack: Stack) => {
      const fn = new WsgiFunction(stack, 'Fn', { entry: APP_ENTRY, module: 'api.app' });
      fn.alias.grantInvoke(fn.lambdaFunction.role!);
    };
    const validated = testStack();
    selfInvoking(validated);
    expect(() => Template.fromStack(validated)).toThrow(/Circular dependency with \[\w+DefaultPolicy\w+ -> \w+LiveAlias\w+ -> \w+Function\w+ -> /);
    const unvalidated = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Unvalidated');
    selfInvoking(unvalidated);
    expect(() => Template.fromStack(unvalidated)).toThrow(/dependency cycle: \w+DefaultPolicy\w+ -> \w+LiveAlias\w+ -> \w+Function\w+ -> /);
  });

  test('with a role of the user\'s, the policy is attached to it', () => {
    const stack = testStack();
    const role = new iam.Role(stack, 'Own', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const fn = new WsgiFunction(stack, 'Fn', { entry: APP_ENTRY, module: 'api.app', role, backgroundTasks: {} });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalId(role) }],
      PolicyDocument: { Statement: [{ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { Ref: logicalId(fn.alias) } }] },
    });
  });

  describe('refuses at synth', () => {
    test.each([-1, 3, 1.5])('retryAttempts %p', retryAttempts => {
      expect(() => synthWsgiApi({ backgroundTasks: { retryAttempts } })).toThrow(
        /^backgroundTasks\.retryAttempts must be 0, 1 or 2 \(Lambda's retries of an asynchronous invocation\), got -?[\d.]+; use e\.g\. 2/);
    });

    test.each([Duration.seconds(59), Duration.hours(7)])('maxEventAge %s', maxEventAge => {
      expect(() => synthWsgiApi({ backgroundTasks: { maxEventAge } })).toThrow(
        /^backgroundTasks\.maxEventAge must be from 1 minute to 6 hours, got '.+'; use e\.g\. Duration\.hours\(6\)/);
    });
  });

  test('the bounds themselves are accepted', () => {
    for (const backgroundTasks of [{ retryAttempts: 0, maxEventAge: Duration.minutes(1) }, { retryAttempts: 2, maxEventAge: Duration.hours(6) }]) {
      expect(() => synthWsgiApi({ backgroundTasks })).not.toThrow();
    }
  });

  test('lambda.IDestination of any kind: a function destination is granted invoke on it', () => {
    const stack = testStack();
    const handler = new lambda.Function(stack, 'OnFailure', {
      runtime: lambda.Runtime.PYTHON_3_13, handler: 'index.handler', code: lambda.Code.fromInline('def handler(e, c): pass'),
    });
    const api = new WsgiApi(stack, 'App', { entry: APP_ENTRY, module: 'api.app', backgroundTasks: { onFailure: new destinations.LambdaDestination(handler) } });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(handler), 'Arn'] } } },
    });
    expect(api.wsgiFunction.backgroundTasksDeadLetterQueue).toBeUndefined();
  });
});
