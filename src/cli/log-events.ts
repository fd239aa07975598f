import { setTimeout as delay } from 'timers/promises';
import {
  CloudWatchLogsClient, FilterLogEventsCommand, FilteredLogEvent, ResourceNotFoundException,
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
 * <message>`. Following, it polls again from the newest timestamp printed: that window overlaps the last one at
 * that millisecond, so the ids printed at it are remembered (and only those: memory stays bounded) to print no
 * event twice.
 */
export async function printLogEvents(client: CloudWatchLogsClient, options: PrintLogEventsOptions): Promise<void> {
  const { logGroupName, follow, write, signal } = options;
  let newest = options.startTime;
  let printedAtNewest = new Set<string>();
  try {
    for (;;) {
      // What an earlier poll printed at this poll's start time, which FilterLogEvents returns again.
      const printedBefore = printedAtNewest;
      let nextToken: string | undefined;
      do {
        const page = await client.send(new FilterLogEventsCommand({
          logGroupName,
          startTime: newest,
          nextToken,
          // Ignored by CloudWatch Logs, which interleaves the streams anyway (FilterLogEvents API reference,
          // https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html), but
          // needed by moto, which otherwise returns one stream after the other.
          interleaved: true,
        }), { abortSignal: signal });
        for (const event of page.events ?? []) {
          const id = event.eventId ?? '';
          const timestamp = event.timestamp ?? 0;
          if (printedBefore.has(id) || printedAtNewest.has(id)) continue;
          write(formatEvent(event));
          if (timestamp > newest) {
            newest = timestamp;
            printedAtNewest = new Set();
          }
          if (timestamp === newest) printedAtNewest.add(id);
        }
        // A page may be empty while more follow: only a missing token ends the listing (same API reference).
        nextToken = page.nextToken;
      } while (nextToken);
      if (!follow) return;
      await delay(options.pollMs ?? 2_000, undefined, { signal });
    }
  } catch (error) {
    if (signal?.aborted) return;
    if (error instanceof ResourceNotFoundException) {
      throw new Error(`log group ${logGroupName} does not exist yet: the function has not logged anything`, { cause: error });
    }
    throw error;
  }
}

/** `<ISO timestamp> <message>`, the message without the line end Lambda's runtimes put after it. */
function formatEvent(event: FilteredLogEvent): string {
  return `${new Date(event.timestamp ?? 0).toISOString()} ${(event.message ?? '').replace(/(\r?\n)+$/, '')}`;
}
