import { clientConfig, recordingTargets } from './aws-clients';
import { Command, UsageError } from './command';
import * as lazy from './lazy';
import { parse, TARGET_OPTIONS, TARGET_USAGE } from './remote-commands';

const DEFAULT_SINCE = '10m';
// A background task may run a while after it was queued, or be retried hours later (Lambda's asynchronous retries).
const DEFAULT_REQUEST_SINCE = '1d';

const OPTIONS = {
  ...TARGET_OPTIONS,
  follow: { type: 'boolean', short: 'f', default: false },
  since: { type: 'string' },
  request: { type: 'string' },
  task: { type: 'string' },
} as const;

// Lambda's request ids are UUIDs; anything else would not survive the quoted filter pattern they are searched with.
const REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9-]*$/;

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
                         1w) or an ISO 8601 time (2026-12-03T10:00:00Z); default: ${DEFAULT_SINCE},
                         with --request ${DEFAULT_REQUEST_SINCE}
  --request ID           only one invocation's lines: Lambda's START, END and REPORT
                         lines of that request id and what the function wrote between
                         them, retries included
  --task ID              the same, for the id a background task's .delay() returns

${TARGET_USAGE}`,
  run: async argv => {
    const { values } = parse(argv, OPTIONS, false);
    const { parseSince, printLogEvents, printRequestEvents } = lazy.logEvents();
    if (values.request !== undefined && values.task !== undefined && values.request !== values.task) {
      throw new UsageError('--task is another name for --request: give one request id');
    }
    const requestId = values.request ?? values.task;
    if (requestId !== undefined && !REQUEST_ID.test(requestId)) {
      throw new UsageError(`--request ${JSON.stringify(requestId)} is not a request id: give the one Lambda answered, such as `
        + '8f507cfc-1e3a-4697-b07a-ac58fc914c95');
    }
    let startTime: number;
    try {
      startTime = parseSince(values.since ?? (requestId === undefined ? DEFAULT_SINCE : DEFAULT_REQUEST_SINCE), Date.now());
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
        const options = {
          logGroupName: target.logGroupName,
          startTime,
          follow: values.follow,
          write: (line: string) => process.stdout.write(`${line}\n`),
          signal: stop.signal,
        };
        await (requestId === undefined ? printLogEvents(client, options) : printRequestEvents(client, { ...options, requestId }));
        return 0;
      });
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.stdout.off('error', onOutputError);
    }
  },
};
