import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { RULE_EVENT_SOURCE } from './contracts/adapter-contract';
import { EventSourceAttachment, ruleTarget } from './private/event-handlers';
import { propError } from './shared/prop-error';

/**
 * An EventBridge rule's events, for `addEventHandler` on a WsgiFunction or WsgiApi:
 * `api.addEventHandler('jobs.on_order', new WsgiRuleEventSource(rule))`.
 *
 * The rule gets a target on the function's `live` alias whose input transformer wraps each event as
 * `{ "source": "cdk-wsgi.event", "handler": "jobs:on_order", "event": <the event> }`: EventBridge events do not name the
 * rule that matched them, so the wrapper names the handler. The handler receives the event as EventBridge sent it.
 * EventBridge invokes the function asynchronously, with its own retry policy (185 attempts over 24 hours by default).
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
 */
export class WsgiRuleEventSource implements lambda.IEventSource {
  /**
   * @param rule a rule defined in this app (`new events.Rule(...)`), whose events the handler takes
   */
  constructor(public readonly rule: events.IRule) {}

  /**
   * Refuses to bind without a handler: the target must name the one `addEventHandler` registers.
   */
  public bind(_target: lambda.IFunction): void {
    throw propError('WsgiRuleEventSource', 'is bound by addEventHandler, which names the handler its events go to', this.rule.node.path,
      "call fn.addEventHandler('package.module.function', source) instead of addEventSource(source)");
  }

  /**
   * What addEventHandler attaches for `handler` (`package.module:attr`): a target of the rule, and its identity.
   *
   * @internal
   */
  public _attachment(handler: string): EventSourceAttachment {
    return {
      source: ruleTarget(this.rule, handler),
      identity: {
        kind: RULE_EVENT_SOURCE,
        arn: handler,
        description: `the rule ${this.rule.node.path}`,
        key: `${RULE_EVENT_SOURCE} ${this.rule.node.path} ${handler}`,
      },
    };
  }
}
