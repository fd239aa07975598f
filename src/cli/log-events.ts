import { setTimeout as delay } from 'timers/promises';
import {
  CloudWatchLogsClient, FilterLogEventsCommand, FilterLogEventsCommandInput, FilteredLogEvent, ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs';

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const DURATION = /^(\d+)([smhdw])$/;
// A date, or a date and time with optional seconds, fraction and zone (Z or ±hh:mm).
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * The epoch ms a `--since` value starts at: a duration back from `now` (`30s`, `10m`, `2h`, `1d`, `1w`) or an ISO
 * 8601 date or date-time. A date, or a date-time without a zone, is UTC: ECMAScript reads a date-only form as UTC
 * but a zone-less date-time as local time, and one rule for both is less surprising.
 */
export function parseSince(text: string, now: number): number {
  const duration = DURATION.exec(text);
  if (duration) {
    return now - Number(duration[1]) * UNIT_MS[duration[2]];
  }
  const iso = ISO.exec(text);
  if (iso) {
    const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', zone = 'Z'] = iso;
    const [y, mo, d, h, mi, s] = [year, month, day, hour, minute, second].map(Number);
    const utc = Date.UTC(y, mo - 1, d, h, mi, s, Math.round(Number(`0${fraction}`) * 1000));
    const date = new Date(utc);
    // Date.UTC rolls 2026-02-30 over into March: a field out of range shows as a changed field.
    if (date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d
      && h < 24 && mi < 60 && s < 60) {
      const offsetMinutes = zone === 'Z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4)));
      return utc - offsetMinutes * 60_000;
    }
  }
  throw new Error(`--since ${JSON.stringify(text)} is neither a duration (a whole number with s, m, h, d or w, `
    + 'e.g. 10m or 2h) nor an ISO 8601 date or date-time (e.g. 2026-12-03 or 2026-12-03T10:00:00Z)');
}

export interface PrintLogEventsOptions {
  readonly logGroupName: string;
  /** Epoch ms: events before it are left out. */
  readonly startTime: number;
  /** Keep polling for new events until `signal` aborts. */
  readonly follow: boolean;
  /** Called with each event's line, without a newline. */
  readonly write: (line: string) => void;
  /** Stops following (or a listing under way) and makes printLogEvents return. */
  readonly signal?: AbortSignal;
  /** How long to wait between polls when following; 2000 ms unless given. */
  readonly pollMs?: number;
}

/**
 * Prints a log group's events from `startTime` on, all streams together in time order, as `<ISO timestamp>
 * <message>`. Following, it polls again from the newest timestamp printed (see Cursor).
 */
export async function printLogEvents(client: CloudWatchLogsClient, options: PrintLogEventsOptions): Promise<void> {
  const { logGroupName, follow, write, signal } = options;
  const cursor = new Cursor(options.startTime);
  await explainingMissingGroup(logGroupName, signal, async () => {
    for (;;) {
      for await (const event of filterLogEvents(client, { logGroupName, startTime: cursor.poll() }, signal)) {
        if (cursor.advance(event)) write(formatEvent(event));
      }
      if (!follow) return;
      await delay(options.pollMs ?? 2_000, undefined, { signal });
    }
  });
}

/**
 * Where a poll of FilterLogEvents starts: the newest timestamp seen. The next poll's window overlaps the last one at
 * that millisecond, so the ids seen at it are remembered (and only those: memory stays bounded) to take no event twice.
 */
class Cursor {
  private seenAtTime = new Set<string>();
  private seenBefore = new Set<string>();

  constructor(public time: number) {}

  /** Whether `event` is new; it then moves the cursor on. Events come in time order. */
  public advance(event: FilteredLogEvent): boolean {
    const id = event.eventId ?? '';
    const timestamp = event.timestamp ?? 0;
    if (this.seenBefore.has(id) || this.seenAtTime.has(id)) return false;
    if (timestamp > this.time) {
      this.time = timestamp;
      this.seenAtTime = new Set();
    }
    if (timestamp === this.time) this.seenAtTime.add(id);
    return true;
  }

  /** Starts a poll: what was seen at its start time, which FilterLogEvents returns again. */
  public poll(): number {
    this.seenBefore = this.seenAtTime;
    return this.time;
  }
}

/** The events FilterLogEvents returns for `input`, page after page. */
async function* filterLogEvents(client: CloudWatchLogsClient, input: FilterLogEventsCommandInput,
  signal: AbortSignal | undefined): AsyncGenerator<FilteredLogEvent> {
  let nextToken: string | undefined;
  do {
    const page = await client.send(new FilterLogEventsCommand({
      ...input,
      nextToken,
      // Ignored by CloudWatch Logs, which interleaves the streams anyway (FilterLogEvents API reference,
      // https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html), but
      // needed by moto, which otherwise returns one stream after the other.
      interleaved: true,
    }), { abortSignal: signal });
    yield* page.events ?? [];
    // A page may be empty while more follow: only a missing token ends the listing (same API reference).
    nextToken = page.nextToken;
  } while (nextToken);
}

/** Runs `work`; an abort ends it quietly, and a log group that does not exist is one line saying so. */
async function explainingMissingGroup(logGroupName: string, signal: AbortSignal | undefined, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (signal?.aborted) return;
    if (error instanceof ResourceNotFoundException) {
      throw new Error(`log group ${logGroupName} does not exist yet: the function has not logged anything`, { cause: error });
    }
    throw error;
  }
}

export interface PrintRequestEventsOptions extends PrintLogEventsOptions {
  /** The invocation's request id: what Lambda's Invoke answers in x-amzn-RequestId, and a task's `.delay()` returns. */
  readonly requestId: string;
}

/** What printRequestEvents knows of one log stream (one execution environment) that logged the invocation. */
interface StreamState {
  /** Where the next read of the stream starts. */
  cursor: Cursor;
  /** Between the invocation's START line and its REPORT line: lines there are the invocation's. */
  inside: boolean;
  /**
   * Mentions of the request id that the last search found and no read has covered yet: the first's and the last's time,
   * and whether its REPORT line is among them.
   */
  found?: { from: number; to: number; ended: boolean };
  /** When the stream first mentioned the request: streams print in that order. */
  readonly first: number;
}

/**
 * Prints the log lines of one invocation, from `startTime` on: Lambda's START, END and REPORT lines for its request id
 * and every line between them in that execution environment's stream (the app's print() output and tracebacks carry
 * no request id), in text or JSON log format, retries included (each in its own block). Two reads per poll: a search
 * of the group for the quoted request id (a filter pattern, so CloudWatch Logs scans, not the CLI), which finds the
 * streams and times, then each such stream from there. Following, it polls until aborted, printing a queued task's
 * lines once it runs; otherwise an invocation that logged nothing is an error.
 */
export async function printRequestEvents(client: CloudWatchLogsClient, options: PrintRequestEventsOptions): Promise<void> {
  const { logGroupName, follow, write, signal, requestId } = options;
  const search = new Cursor(options.startTime);
  const streams = new Map<string, StreamState>();
  let printed = 0;
  await explainingMissingGroup(logGroupName, signal, async () => {
    for (;;) {
      const input = { logGroupName, startTime: search.poll(), filterPattern: `"${requestId}"` };
      for await (const event of filterLogEvents(client, input, signal)) {
        if (!search.advance(event)) continue;
        const name = event.logStreamName ?? '';
        const time = event.timestamp ?? 0;
        const line = describeLine(event.message ?? '');
        let stream = streams.get(name);
        if (!stream) {
          // A first mention that is not the START line: the invocation started before startTime, and the stream's lines
          // from there are its own (an environment runs one invocation at a time).
          const started = line.requestId === requestId && line.marker === 'start';
          stream = { cursor: new Cursor(started ? time : options.startTime), inside: !started, first: time };
          streams.set(name, stream);
        }
        // Ended by its REPORT line, unless a later START (a retry here) opened another block.
        const marker = line.requestId === requestId ? line.marker : undefined;
        const ended = marker === 'report' || (marker !== 'start' && (stream.found?.ended ?? false));
        stream.found = { from: stream.found?.from ?? time, to: time, ended };
      }
      for (const [logStreamName, stream] of [...streams].sort(([, a], [, b]) => a.first - b.first)) {
        const { found } = stream;
        if (!found && !stream.inside) continue;
        // Between blocks (a retry in the same environment), other invocations' lines need no reading.
        if (found && !stream.inside && found.from > stream.cursor.time) stream.cursor = new Cursor(found.from);
        // Up to the last mention when the invocation has ended; else on to now, for the lines it is still writing.
        const endTime = found?.ended ? found.to : undefined;
        stream.found = undefined;
        const read = { logGroupName, logStreamNames: [logStreamName], startTime: stream.cursor.poll(), endTime };
        for await (const event of filterLogEvents(client, read, signal)) {
          if (!stream.cursor.advance(event)) continue;
          const message = event.message ?? '';
          const line = describeLine(message);
          let ours = stream.inside || message.includes(requestId);
          if (line.requestId !== undefined) {
            // A line that names its request (JSON lines, the runtime's logging lines) is ours by that alone.
            ours = line.requestId === requestId;
            if (ours && line.marker === 'start') stream.inside = true;
            // Another invocation starting in this environment: ours has ended, REPORT line or not.
            if (!ours && line.marker === 'start') stream.inside = false;
          }
          if (ours) {
            write(formatEvent(event));
            printed++;
          }
          if (ours && line.marker === 'report') stream.inside = false;
        }
      }
      if (!follow) break;
      await delay(options.pollMs ?? 2_000, undefined, { signal });
    }
    if (printed === 0) {
      throw new Error(`request ${requestId} logged nothing in ${logGroupName} since ${new Date(options.startTime).toISOString()}: `
        + 'if it ran earlier, pass an earlier --since (e.g. --since 1d); to wait for a task that is queued, add --follow');
    }
  });
}

/** The request a log line names, and whether it is Lambda's START, END or REPORT line for it. */
interface LineRequest {
  readonly requestId?: string;
  readonly marker?: 'start' | 'end' | 'report';
}

// Text format: `START RequestId: <id> Version: $LATEST`, `END RequestId: <id>`, `REPORT RequestId: <id>  Duration: ...`
// (https://docs.aws.amazon.com/lambda/latest/dg/python-logging.html).
const TEXT_MARKER = /^(START|END|REPORT) RequestId: ([\w-]+)/;
// The Python runtime's logging lines in text format: `[LEVEL]\t<time>\t<request id>\t<message>` (awslambdaric's
// LambdaLoggerHandler); the id is empty outside an invocation.
const TEXT_LOGGING = /^\[[A-Z]+\]\t\S+\t([\w-]+)\t/;
// JSON format: platform.start / platform.report with record.requestId; the app's logging lines with requestId.
const JSON_MARKERS: Record<string, LineRequest['marker']> = { 'platform.start': 'start', 'platform.end': 'end', 'platform.report': 'report' };

function describeLine(message: string): LineRequest {
  const text = TEXT_MARKER.exec(message);
  if (text) return { requestId: text[2], marker: text[1].toLowerCase() as LineRequest['marker'] };
  const logging = TEXT_LOGGING.exec(message);
  if (logging) return { requestId: logging[1] };
  if (!message.startsWith('{')) return {};
  let record: any;
  try {
    record = JSON.parse(message);
  } catch {
    return {};
  }
  const requestId = record?.record?.requestId ?? record?.requestId;
  return typeof requestId === 'string' && requestId !== '' ? { requestId, marker: JSON_MARKERS[record.type] } : {};
}

/** `<ISO timestamp> <message>`, the message without the line end Lambda's runtimes put after it. */
function formatEvent(event: FilteredLogEvent): string {
  return `${new Date(event.timestamp ?? 0).toISOString()} ${(event.message ?? '').replace(/(\r?\n)+$/, '')}`;
}
