import { clientConfig, recordingTargets } from './aws-clients';
import { Command, UsageError } from './command';
import * as lazy from './lazy';
import { parse, TARGET_OPTIONS, TARGET_USAGE } from './remote-commands';

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
oldest first, each as "<time> <message>", with your AWS credentials, which
api.grantLogs(<role or user>) in the CDK app allows.
  -f, --follow           keep printing new events until Ctrl+C
  --since WHEN           where to start: a duration back from now (30s, 10m, 2h, 1d,
                         1w) or an ISO 8601 time (2026-12-03T10:00:00Z); default: ${DEFAULT_SINCE}

${TARGET_USAGE}`,
  run: async argv => {
    const { values } = parse(argv, OPTIONS, false);
    const { parseSince, printLogEvents } = lazy.logEvents();
    let startTime: number;
    try {
      startTime = parseSince(values.since, Date.now());
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    // A reader that has had enough (`cdk-wsgi logs -f | head`) closes the pipe: following on would print to nobody.
    const onOutputError = (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') stop.abort();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    process.stdout.on('error', onOutputError);
    try {
      const { explainingAwsErrors, GRANT_LOGS } = lazy.awsErrors();
      return await explainingAwsErrors(values, GRANT_LOGS, async target => {
        const client = recordingTargets(new (lazy.cloudWatchLogs().CloudWatchLogsClient)(clientConfig(target.aws)));
        await printLogEvents(client, {
          logGroupName: target.logGroupName,
          startTime,
          follow: values.follow,
          write: line => process.stdout.write(`${line}\n`),
          signal: stop.signal,
        });
        return 0;
      });
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.stdout.off('error', onOutputError);
    }
  },
};
