import { Lazy, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import { IConstruct } from 'constructs';
import {
  ENV_EVENT_HANDLERS, EventHandlerEntry, EventSourceKind, RULE_EVENT_FIELDS, RULE_EVENT_SOURCE,
} from '../contracts/adapter-contract';
import { resolveAppSource } from '../shared/app-source';
import { propError } from '../shared/prop-error';

/** What addEventHandler takes, for errors that list them. */
export const SUPPORTED_EVENT_SOURCES = 'an SqsEventSource, KinesisEventSource, DynamoEventSource, S3EventSource or SnsEventSource '
  + '(aws-cdk-lib/aws-lambda-event-sources), or a WsgiRuleEventSource (cdk-wsgi) for an EventBridge rule';

/** Which source a registration is: the kind and ARN its events carry, and what makes two registrations the same. */
export interface EventSourceIdentity {
  readonly kind: EventSourceKind;
  /** Undefined until bound when only the event source mapping knows it (a DynamoDB table's stream). */
  readonly arn?: string;
  /** A description of the source for errors, e.g. `the queue TestStack/Jobs`. */
  readonly description: string;
  /** What two registrations of one source share (resolved, so tokens of one resource compare equal). */
  readonly key?: string;
}

/** An event source as addEventHandler attaches it: what binds it to `live`, and which source it is. */
export interface EventSourceAttachment {
  readonly source: lambda.IEventSource;
  readonly identity?: EventSourceIdentity;
}

/**
 * The callable `handler` names, as `package.module:attr`, checked as `module` is: the same forms, and the module's file
 * in `entry`.
 */
export function eventHandlerPath(entry: string, handler: string): string {
  try {
    const source = resolveAppSource(entry, handler);
    return `${source.moduleName}:${source.attribute}`;
  } catch (error) {
    // resolveAppSource words its errors for `module`; the rule it broke is the same for a handler.
    const rule = /^module (.*), got '/s.exec((error as Error).message)?.[1];
    if (!rule) throw error;
    throw propError('addEventHandler(handler)', rule, handler,
      "name the function that takes the events as 'package.module.function' or 'package.module:function', relative to entry, "
      + "e.g. 'jobs.process' for def process(event, context) in jobs.py");
  }
}

/** The EventBridge rule target that sends `handler` each of `rule`'s events, wrapped as the adapter expects them. */
export function ruleTarget(rule: events.IRule, handler: string): lambda.IEventSource {
  return {
    bind: (target: lambda.IFunction) => {
      if (!(rule instanceof events.Rule)) {
        throw propError('addEventHandler(source)', 'must wrap a rule of this app (a rule imported by ARN or name takes no targets here)',
          rule.node.path, 'define the rule with new events.Rule(...) in the app, or add the target to it where it is defined');
      }
      rule.addTarget(new eventsTargets.LambdaFunction(target, {
        event: events.RuleTargetInput.fromObject({
          source: RULE_EVENT_SOURCE,
          [RULE_EVENT_FIELDS.handler]: handler,
          [RULE_EVENT_FIELDS.event]: events.EventField.fromPath('$'),
        }),
      }));
    },
  };
}

/**
 * The handlers registered on one function's `live` alias, and the CDK_WSGI_EVENT_HANDLERS variable that lists them:
 * resolved when the template is, so handlers added after the function was defined are in it (and in its version's hash,
 * so that a new handler publishes a new version).
 */
export class EventHandlers {
  private readonly entries: EventHandlerEntry[] = [];
  /** Source key → the handler it delivers to. */
  private readonly handlerOf = new Map<string, string>();

  constructor(private readonly fn: lambda.Function, private readonly live: lambda.Alias) {}

  public add(handler: string, attachment: EventSourceAttachment): void {
    const identity = attachment.identity ?? identify(attachment.source);
    const stack = Stack.of(this.live);
    if (attachment.source instanceof sources.S3EventSource && Stack.of(attachment.source.bucket) !== stack) {
      // The bucket's notifications would name the alias, and the handler list the bucket: each stack would need the other.
      throw propError('addEventHandler(source)', 'must be a bucket of the function\'s own stack', attachment.source.bucket.node.path,
        'define the bucket in the stack of the function, or have another function of that stack take its events');
    }
    const keyOf = (arn: string) => identity.key ?? `${identity.kind} ${JSON.stringify(stack.resolve(arn))}`;
    if (identity.arn !== undefined) this.checkUnregistered(handler, identity, keyOf(identity.arn));

    const before = new Set(this.live.node.children);
    try {
      this.live.addEventSource(attachment.source);
    } catch (error) {
      // CDK names an event source mapping after its queue, stream or table: a second one on the alias collides.
      if (!/There is already a Construct with name/.test((error as Error).message)) throw error;
      throw propError('addEventHandler(source)', `attaches ${identity.description}, which already has a handler on this function`,
        handler, 'give each source one handler, and let it dispatch within the batch');
    }
    const arn = identity.arn ?? mappingArn(this.live.node.children.filter(child => !before.has(child)), identity);
    if (identity.arn === undefined) this.checkUnregistered(handler, identity, keyOf(arn));
    this.handlerOf.set(keyOf(arn), handler);

    const entry: EventHandlerEntry = { handler, source: identity.kind, arn };
    // The same handler on two rules is one entry: the wrapper names the handler, not the rule.
    if (!this.entries.some(e => e.handler === handler && e.source === entry.source && e.arn === entry.arn)) {
      if (this.entries.length === 0) {
        this.fn.addEnvironment(ENV_EVENT_HANDLERS, Lazy.string({ produce: () => stack.toJsonString(this.entries) }));
      }
      this.entries.push(entry);
    }
  }

  private checkUnregistered(handler: string, identity: EventSourceIdentity, key: string): void {
    const registered = this.handlerOf.get(key);
    if (registered === handler) {
      throw propError('addEventHandler(handler)', `already takes the events of ${identity.description}`, handler,
        'add each handler to a source once');
    }
    if (registered !== undefined) {
      throw propError('addEventHandler(source)', `already delivers ${identity.description}'s events to '${registered}', and the adapter `
        + 'tells handlers apart by the source the event names', handler, `handle them in '${registered}', or send them to another source`);
    }
  }
}

/** Which of the supported sources `source` is, and the ARN its events carry (for a DynamoDB table, once bound). */
function identify(source: lambda.IEventSource): EventSourceIdentity {
  if (source instanceof sources.SqsEventSource) {
    return { kind: 'aws:sqs', arn: source.queue.queueArn, description: `the queue ${source.queue.node.path}` };
  }
  if (source instanceof sources.KinesisEventSource) {
    return { kind: 'aws:kinesis', arn: source.stream.streamArn, description: `the stream ${source.stream.node.path}` };
  }
  if (source instanceof sources.DynamoEventSource) {
    return { kind: 'aws:dynamodb', description: 'the table\'s stream' };
  }
  if (source instanceof sources.S3EventSource) {
    return { kind: 'aws:s3', arn: source.bucket.bucketArn, description: `the bucket ${source.bucket.node.path}` };
  }
  if (source instanceof sources.SnsEventSource) {
    return { kind: 'aws:sns', arn: source.topic.topicArn, description: `the topic ${source.topic.node.path}` };
  }
  throw propError('addEventHandler(source)', `must be ${SUPPORTED_EVENT_SOURCES}`, source.constructor.name,
    'attach another source to fn.alias yourself, with a handler of your own function');
}

/** The stream ARN of the event source mapping a DynamoEventSource added to the alias, which the events carry. */
function mappingArn(added: IConstruct[], identity: EventSourceIdentity): string {
  const mapping = added.find((child): child is lambda.EventSourceMapping => child instanceof lambda.EventSourceMapping);
  const arn = (mapping?.node.defaultChild as lambda.CfnEventSourceMapping | undefined)?.eventSourceArn;
  if (arn === undefined) {
    throw new Error(`cdk-wsgi: ${identity.description} defined no event source mapping with an ARN on the live alias`);
  }
  return arn;
}
