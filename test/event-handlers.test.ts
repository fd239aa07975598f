import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { adapterEnvironment, APP_ENTRY, logicalId, testStack } from './helpers';
import { WsgiApi, WsgiFunction, WsgiRuleEventSource } from '../src';
import { ENV_EVENT_HANDLERS, EventHandlerEntry, RULE_EVENT_SOURCE } from '../src/contracts/adapter-contract';

/**
 * CDK_WSGI_EVENT_HANDLERS as the adapter reads it once CloudFormation has resolved it, with each reference written as
 * `<LogicalId>` (Ref) or `<LogicalId.Attribute>` (Fn::GetAtt).
 */
function eventHandlers(template: Template): EventHandlerEntry[] {
  const flatten = (value: any): string => {
    if (typeof value === 'string') return value;
    if ('Fn::Join' in value) return (value['Fn::Join'][1] as unknown[]).map(flatten).join(value['Fn::Join'][0]);
    if ('Fn::GetAtt' in value) return `<${value['Fn::GetAtt'].join('.')}>`;
    if ('Ref' in value) return `<${value.Ref}>`;
    throw new Error(`unexpected ${JSON.stringify(value)}`);
  };
  const variable = adapterEnvironment(template)[ENV_EVENT_HANDLERS];
  return variable === undefined ? [] : JSON.parse(flatten(variable));
}

function setup() {
  const stack = testStack();
  const api = new WsgiApi(stack, 'App', { entry: APP_ENTRY, module: 'api.app' });
  return { stack, api };
}

describe('addEventHandler', () => {
  test('SQS: a mapping on the live alias, batch failures as the source says, the queue\'s ARN in the handler list', () => {
    const { stack, api } = setup();
    const queue = new sqs.Queue(stack, 'Jobs');
    api.addEventHandler('api.process', new sources.SqsEventSource(queue, { reportBatchItemFailures: true, batchSize: 5 }));
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [logicalId(queue), 'Arn'] },
      FunctionName: { 'Fn::Join': ['', [{ 'Fn::Select': [6, { 'Fn::Split': [':', { Ref: logicalId(api.alias) }] }] }, ':live']] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 5,
    });
    expect(eventHandlers(template)).toEqual([{ handler: 'api:process', source: 'aws:sqs', arn: `<${logicalId(queue)}.Arn>` }]);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalId(api.lambdaFunction.role!) }],
      PolicyDocument: {
        Statement: [
          { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [logicalId(api.logGroup), 'Arn'] } },
          {
            Action: ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueUrl', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [logicalId(queue), 'Arn'] },
          },
        ],
      },
    });
  });

  test('streams, S3 and SNS: each kind with the ARN its events carry', () => {
    const { stack, api } = setup();
    const stream = new kinesis.Stream(stack, 'Clicks');
    const table = new dynamodb.Table(stack, 'Orders', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING }, stream: dynamodb.StreamViewType.NEW_IMAGE,
    });
    const bucket = new s3.Bucket(stack, 'Uploads');
    const topic = new sns.Topic(stack, 'Signups');
    const position = { startingPosition: lambda.StartingPosition.LATEST, reportBatchItemFailures: true };
    api.addEventHandler('api.clicks', new sources.KinesisEventSource(stream, position));
    api.addEventHandler('api:orders', new sources.DynamoEventSource(table, position));
    api.addEventHandler('api.uploaded', new sources.S3EventSource(bucket, { events: [s3.EventType.OBJECT_CREATED] }));
    api.addEventHandler('api.signed_up', new sources.SnsEventSource(topic));
    const template = Template.fromStack(stack);
    expect(eventHandlers(template)).toEqual([
      { handler: 'api:clicks', source: 'aws:kinesis', arn: `<${logicalId(stream)}.Arn>` },
      { handler: 'api:orders', source: 'aws:dynamodb', arn: `<${logicalId(table)}.StreamArn>` },
      { handler: 'api:uploaded', source: 'aws:s3', arn: `<${logicalId(bucket)}.Arn>` },
      { handler: 'api:signed_up', source: 'aws:sns', arn: `<${logicalId(topic)}>` },
    ]);
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'lambda', Endpoint: { Ref: logicalId(api.alias) } });
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: { LambdaFunctionConfigurations: [{ Events: ['s3:ObjectCreated:*'], LambdaFunctionArn: { Ref: logicalId(api.alias) } }] },
    });
  });

  test('EventBridge: the rule\'s target on live wraps each event, naming the handler; CDK renders $ as the whole event', () => {
    const { stack, api } = setup();
    const rule = new events.Rule(stack, 'Orders', { eventPattern: { source: ['shop.orders'] } });
    api.addEventHandler('api.on_order', new WsgiRuleEventSource(rule));
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [{
        Arn: { Ref: logicalId(api.alias) },
        Id: 'Target0',
        InputTransformer: {
          InputPathsMap: { f1: '$' },
          InputTemplate: '{"source":"cdk-wsgi.event","handler":"api:on_order","event":<f1>}',
        },
      }],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { Ref: logicalId(api.alias) },
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [logicalId(rule), 'Arn'] },
    });
    expect(eventHandlers(template)).toEqual([{ handler: 'api:on_order', source: RULE_EVENT_SOURCE, arn: 'api:on_order' }]);
  });

  test('EventBridge: one handler on two rules is one entry; two handlers on one rule are two targets', () => {
    const { stack, api } = setup();
    const [a, b] = ['A', 'B'].map(id => new events.Rule(stack, id, { eventPattern: { source: [id] } }));
    api.addEventHandler('api.on_event', new WsgiRuleEventSource(a));
    api.addEventHandler('api.on_event', new WsgiRuleEventSource(b));
    api.addEventHandler('api.audit', new WsgiRuleEventSource(a));
    const template = Template.fromStack(stack);
    expect(eventHandlers(template)).toEqual([
      { handler: 'api:on_event', source: RULE_EVENT_SOURCE, arn: 'api:on_event' },
      { handler: 'api:audit', source: RULE_EVENT_SOURCE, arn: 'api:audit' },
    ]);
    expect(template.toJSON().Resources[logicalId(a)].Properties.Targets.map((t: any) => t.InputTransformer.InputTemplate)).toEqual([
      '{"source":"cdk-wsgi.event","handler":"api:on_event","event":<f1>}',
      '{"source":"cdk-wsgi.event","handler":"api:audit","event":<f1>}',
    ]);
  });

  test('handlers added after the function was defined reach its environment, and publish a new version', () => {
    const versionOf = (add: boolean) => {
      const stack = testStack();
      const fn = new WsgiFunction(stack, 'Fn', { entry: APP_ENTRY, module: 'api.app' });
      if (add) fn.addEventHandler('api.process', new sources.SqsEventSource(new sqs.Queue(stack, 'Jobs')));
      return { version: logicalId(fn.lambdaFunction.currentVersion), template: Template.fromStack(stack) };
    };
    const [without, withHandler] = [versionOf(false), versionOf(true)];
    expect(adapterEnvironment(without.template)[ENV_EVENT_HANDLERS]).toBeUndefined();
    expect(eventHandlers(withHandler.template)).toHaveLength(1);
    expect(withHandler.version).not.toBe(without.version);
    withHandler.template.hasResourceProperties('AWS::Lambda::Alias', {
      Name: 'live', FunctionVersion: { 'Fn::GetAtt': [withHandler.version, 'Version'] },
    });
  });

  test('the colon form is kept, a dotted attribute after it too', () => {
    const { stack, api } = setup();
    api.addEventHandler('api:handlers.process', new sources.SqsEventSource(new sqs.Queue(stack, 'Jobs')));
    expect(eventHandlers(Template.fromStack(stack))[0].handler).toBe('api:handlers.process');
  });

  describe('refuses', () => {
    test.each(['api', 'api.', '1api.process', 'api process', 'api::process'])('a handler of another form: %p', handler => {
      const { stack, api } = setup();
      expect(() => api.addEventHandler(handler, new sources.SqsEventSource(new sqs.Queue(stack, 'Jobs')))).toThrow(new RegExp(
        "^addEventHandler\\(handler\\) must be 'package.module.attr' or 'package.module:attr', got '.*'; name the function that takes "
        + "the events as 'package.module.function' or 'package.module:function', relative to entry, e.g. 'jobs.process'"));
    });

    test('a handler whose module is not in entry', () => {
      const { stack, api } = setup();
      expect(() => api.addEventHandler('jobs.tasks:process', new sources.SqsEventSource(new sqs.Queue(stack, 'Jobs')))).toThrow(
        /^addEventHandler\(handler\) names a module that is not in entry \(looked for jobs\/tasks\.py and jobs\/tasks\/__init__\.py in .*\), got 'jobs\.tasks:process'; name the function/);
    });

    test('another event source, naming the supported ones, before attaching anything', () => {
      const { stack, api } = setup();
      const stream = new kinesis.Stream(stack, 'Clicks');
      const consumer = new kinesis.StreamConsumer(stack, 'Consumer', { stream, streamConsumerName: 'app' });
      expect(() => api.addEventHandler('api.process', new sources.KinesisConsumerEventSource(consumer, { startingPosition: lambda.StartingPosition.LATEST })))
        .toThrow(new RegExp('^addEventHandler\\(source\\) must be an SqsEventSource, KinesisEventSource, DynamoEventSource, S3EventSource or '
          + 'SnsEventSource \\(aws-cdk-lib/aws-lambda-event-sources\\), or a WsgiRuleEventSource \\(cdk-wsgi\\) for an EventBridge rule, '
          + "got 'KinesisConsumerEventSource'; attach another source to fn\\.alias yourself"));
      expect(() => api.addEventHandler('api.process', { bind: () => undefined })).toThrow(/^addEventHandler\(source\) must be an SqsEventSource, .*, got 'Object'/);
      Template.fromStack(stack).resourceCountIs('AWS::Lambda::EventSourceMapping', 0);
    });

    test('one handler twice on one source', () => {
      const { stack, api } = setup();
      const queue = new sqs.Queue(stack, 'Jobs');
      api.addEventHandler('api.process', new sources.SqsEventSource(queue));
      expect(() => api.addEventHandler('api:process', new sources.SqsEventSource(queue, { batchSize: 1 }))).toThrow(
        /^addEventHandler\(handler\) already takes the events of the queue TestStack\/Jobs, got 'api:process'; add each handler to a source once$/);
      const rule = new events.Rule(stack, 'Orders', { eventPattern: { source: ['shop'] } });
      api.addEventHandler('api.on_order', new WsgiRuleEventSource(rule));
      expect(() => api.addEventHandler('api.on_order', new WsgiRuleEventSource(rule))).toThrow(
        /^addEventHandler\(handler\) already takes the events of the rule TestStack\/Orders, got 'api:on_order'/);
    });

    test('a second handler on a source: the adapter could not tell them apart', () => {
      const { stack, api } = setup();
      const bucket = new s3.Bucket(stack, 'Uploads');
      api.addEventHandler('api.images', new sources.S3EventSource(bucket, { events: [s3.EventType.OBJECT_CREATED], filters: [{ prefix: 'images/' }] }));
      expect(() => api.addEventHandler('api.videos', new sources.S3EventSource(bucket, { events: [s3.EventType.OBJECT_CREATED], filters: [{ prefix: 'videos/' }] })))
        .toThrow(/^addEventHandler\(source\) already delivers the bucket TestStack\/Uploads's events to 'api:images', and the adapter tells handlers apart by the source the event names, got 'api:videos'; handle them in 'api:images'/);
    });

    test('a DynamoDB table\'s stream twice', () => {
      const { stack, api } = setup();
      const table = new dynamodb.Table(stack, 'Orders', {
        partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING }, stream: dynamodb.StreamViewType.NEW_IMAGE,
      });
      api.addEventHandler('api.orders', new sources.DynamoEventSource(table, { startingPosition: lambda.StartingPosition.LATEST }));
      expect(() => api.addEventHandler('api.audit', new sources.DynamoEventSource(table, { startingPosition: lambda.StartingPosition.TRIM_HORIZON })))
        .toThrow(/^addEventHandler\(source\) attaches the table's stream, which already has a handler on this function, got 'api:audit'/);
    });

    test('a bucket of another stack, whose notifications and the handler list would need each other', () => {
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
      const storage = new Stack(app, 'Storage');
      const bucket = new s3.Bucket(storage, 'Uploads');
      const api = new WsgiApi(new Stack(app, 'Web'), 'App', { entry: APP_ENTRY, module: 'api.app' });
      expect(() => api.addEventHandler('api.uploaded', new sources.S3EventSource(bucket, { events: [s3.EventType.OBJECT_CREATED] })))
        .toThrow(/^addEventHandler\(source\) must be a bucket of the function's own stack, got 'Storage\/Uploads'; define the bucket/);
    });

    test('a rule imported by ARN, which takes no target here', () => {
      const { stack, api } = setup();
      const rule = events.Rule.fromEventRuleArn(stack, 'Imported', 'arn:aws:events:eu-west-1:123456789012:rule/orders');
      expect(() => api.addEventHandler('api.on_order', new WsgiRuleEventSource(rule))).toThrow(
        /^addEventHandler\(source\) must wrap a rule of this app \(a rule imported by ARN or name takes no targets here\), got 'TestStack\/Imported'/);
    });

    test('WsgiRuleEventSource bound without a handler', () => {
      const { stack, api } = setup();
      const rule = new events.Rule(stack, 'Orders', { eventPattern: { source: ['shop'] } });
      expect(() => api.alias.addEventSource(new WsgiRuleEventSource(rule))).toThrow(
        /^WsgiRuleEventSource is bound by addEventHandler, which names the handler its events go to, got 'TestStack\/Orders'; call fn\.addEventHandler/);
    });
  });
});
