import { parseArgs } from 'util';
import { Command, UsageError } from './command';
import * as lazy from './lazy';
import { TARGET_OPTIONS, TARGET_USAGE } from './remote-commands';

const DEFAULT_SINCE = '10m';

const OPTIONS = {
  ...TARGET_OPTIONS,
  follow: { type: 'boolean', short: 'f', default: false },
  since: { type: 'string', default: DEFAULT_SINCE },
} as const;

/** `cdk-wsgi logs`: the function's log events, from its log group, optionally followed. */
export const logsCommand: Command = {
  name: 'logs',
  summary: 'print the deployed function\'s log events',
  usage: `Usage: cdk-wsgi logs [options]

Prints the log events of the deployed function (its log group in CloudWatch Logs),
oldest first, each as "<time> <message>". Needs logs:FilterLogEvents on the group.
  -f, --follow           keep printing new events until Ctrl+C
  --since WHEN           where to start: a duration back from now (30s, 10m, 2h, 1d,
                         1w) or an ISO 8601 time (2026-12-03T10:00:00Z); default: ${DEFAULT_SINCE}

${TARGET_USAGE}`,
  run: async argv => {
    let values;
    try {
      values = parseArgs({ args: argv, options: OPTIONS }).values;
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const { parseSince, printLogEvents } = lazy.logEvents();
    let startTime: number;
    try {
      startTime = parseSince(values.since, Date.now());
    } catch (error) {
      throw new UsageError(`--since: ${(error as Error).message}`);
    }
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    let region = values.region ?? process.env.AWS_REGION;
    try {
      const target = await lazy.remoteTarget().findTarget(values);
      region = target.aws.region ?? region;
      await printLogEvents(new (lazy.cloudWatchLogs().CloudWatchLogsClient)(target.aws), {
        logGroupName: target.logGroupName,
        startTime,
        follow: values.follow,
        write: line => process.stdout.write(`${line}\n`),
        signal: stop.signal,
      });
      return 0;
    } catch (error) {
      const described = lazy.awsErrors().describeAwsError(error, region);
      throw described === undefined ? error : new Error(described);
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};
