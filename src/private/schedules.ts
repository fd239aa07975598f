import { Duration, Lazy, Names, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ScheduleMetadata, scheduledCommandEvent } from '../contracts/adapter-contract';
import type { WsgiSchedule } from '../types';

/**
 * How often a scheduled command is retried, by EventBridge Scheduler (when it cannot invoke the function: throttled,
 * Lambda unavailable) and by Lambda (when the command fails: it exits non-zero, times out): twice, as Lambda does by
 * default. Scheduler's own default, 185 attempts over 24 hours, would keep a nightly job trying into the next night's.
 */
export const SCHEDULE_RETRY_ATTEMPTS = 2;

/**
 * How late a scheduled command may still start: an hour. A run that could not start by then is stale (a periodic job's
 * next run is near) and goes to the dead-letter queue instead of running at an hour nobody chose.
 */
export const SCHEDULE_MAX_EVENT_AGE = Duration.hours(1);

/** How long a dead-letter queue keeps its messages: SQS's longest, time enough to notice and replay. */
export const DEAD_LETTER_RETENTION = Duration.days(14);

/** What a function's schedules define. */
export interface DefinedSchedules {
  readonly schedules: scheduler.Schedule[];
  readonly deadLetterQueue: sqs.Queue;
  readonly role: iam.Role;
  readonly metadata: ScheduleMetadata[];
}

/** A schedule with its name settled (validateSchedules has checked the names and expressions). */
export interface NamedSchedule extends WsgiSchedule {
  readonly name: string;
}

// A derived name leaves room for a `-N` suffix within the 64 characters a name may have.
const DERIVED_NAME_LENGTH = 56;

/**
 * Each schedule with its name: its own, or one derived from its task's label (`manage clearsessions` →
 * `manage-clearsessions`), with `-2`, `-3`, ... when the name is taken. validateSchedules has checked the given ones.
 */
export function nameSchedules(schedules: WsgiSchedule[]): NamedSchedule[] {
  const taken = new Set(schedules.flatMap(s => s.name === undefined ? [] : [s.name]));
  return schedules.map(s => {
    if (s.name !== undefined) return { ...s, name: s.name };
    const base = s.task.label.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, DERIVED_NAME_LENGTH)
      .replace(/-+$/, '') || 'schedule';
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
    taken.add(name);
    return { ...s, name };
  });
}

/** A queue that keeps what failed for 14 days, encrypted at rest (SQS-managed keys) and reachable over TLS only. */
export function deadLetterQueue(scope: Construct, id: string): sqs.Queue {
  return new sqs.Queue(scope, id, {
    retentionPeriod: DEAD_LETTER_RETENTION,
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
  });
}

/**
 * Each schedule as an EventBridge Scheduler schedule invoking `manage` with its command event.
 *
 * The issue asks for `live`; commands run only through `manage` (the adapter refuses them on `live`), which points at
 * the same version, so a schedule runs the code `live` serves. Scheduler invokes Lambda asynchronously
 * (https://docs.aws.amazon.com/lambda/latest/dg/with-eventbridge-scheduler.html): its retry policy and dead-letter
 * queue cover invocations Lambda did not accept, and the `manage` alias's asynchronous invocation config covers the
 * commands that failed, with the same retries, age and queue. `manage` is otherwise invoked synchronously (the CLI,
 * with RequestResponse), which that config does not touch.
 */
export function defineSchedules(scope: Construct, manage: lambda.Alias, schedules: NamedSchedule[]): DefinedSchedules {
  const stack = Stack.of(scope);
  const queue = deadLetterQueue(scope, 'ScheduleDeadLetterQueue');
  // One role for the function's schedules, which may invoke `manage` and write to the queue, and nothing else; trusted
  // by Scheduler on behalf of this account's default schedule group only, the conditions aws-scheduler-targets puts on
  // the role it defines when given none (that role sits at the stack's root, shared by every target of the same ARN).
  const role = new iam.Role(scope, 'SchedulerRole', {
    description: 'cdk-wsgi: EventBridge Scheduler runs the WSGI function\'s scheduled commands through its manage alias',
    assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
      conditions: {
        StringEquals: {
          'aws:SourceAccount': stack.account,
          'aws:SourceArn': stack.formatArn({ service: 'scheduler', resource: 'schedule-group', resourceName: 'default' }),
        },
      },
    }),
  });
  manage.configureAsyncInvoke({
    retryAttempts: SCHEDULE_RETRY_ATTEMPTS,
    maxEventAge: SCHEDULE_MAX_EVENT_AGE,
    onFailure: new destinations.SqsDestination(queue),
  });

  const container = new Construct(scope, 'Schedules');
  const defined = schedules.map(({ name, schedule, task, description }) => {
    const event = scheduledCommandEvent(task._event, name);
    const resource: scheduler.Schedule = new scheduler.Schedule(container, name, {
      // From the construct's path, stack name included: apps and stacks sharing an account share no schedule.
      scheduleName: Lazy.string({
        produce: () => Names.uniqueResourceName(resource, { maxLength: 64, separator: '-', allowedSpecialCharacters: '-_.' }),
      }),
      schedule,
      description: description ?? task.label,
      timeWindow: scheduler.TimeWindow.off(),
      target: new schedulerTargets.LambdaInvoke(manage, {
        role,
        input: scheduler.ScheduleTargetInput.fromObject(event),
        retryAttempts: SCHEDULE_RETRY_ATTEMPTS,
        maxEventAge: SCHEDULE_MAX_EVENT_AGE,
        deadLetterQueue: queue,
      }),
    });
    const metadata: ScheduleMetadata = {
      name,
      expression: schedule.expressionString,
      // A rate has no time zone; CDK gives every expression one (UTC by default), which only cron and at use.
      timeZone: schedule.expressionString.startsWith('rate(') ? undefined : schedule.timeZone?.timezoneName,
      description,
      task: task.label,
      event,
    };
    return { resource, metadata };
  });
  return { schedules: defined.map(d => d.resource), deadLetterQueue: queue, role, metadata: defined.map(d => d.metadata) };
}
