import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { eventually } from './loopback';
import { createLogGroup, MotoServer, putLogEvents, startMoto } from './moto';
import { parseSince, printLogEvents } from '../src/cli/log-events';

const iso = (timestamp: number) => new Date(timestamp).toISOString();

describe('printLogEvents against moto', () => {
  let moto: MotoServer;
  let savedEnv: NodeJS.ProcessEnv;
  let client: CloudWatchLogsClient;

  beforeAll(async () => {
    moto = await startMoto();
    savedEnv = { ...process.env };
    Object.assign(process.env, moto.env);
    // As the CLI makes it: endpoint, region and credentials all come from the environment.
    client = new CloudWatchLogsClient({});
  }, 30_000);

  afterAll(async () => {
    client?.destroy();
    for (const key of Object.keys(moto?.env ?? {})) {
      if (savedEnv[key] === undefined) delete process.env[key];
      else process.env[key] = savedEnv[key];
    }
    await moto?.stop();
  }, 15_000);

  test('prints the events from --since on, both streams in time order, without trailing newlines', async () => {
    const group = '/aws/lambda/since';
    const now = Date.now();
    const since = parseSince('2m', now);
    await createLogGroup(moto, group);
    await putLogEvents(moto, group, 'a', ['too early\n', 'START\n', 'a second\n'], [since - 60_000, since, since + 20]);
    await putLogEvents(moto, group, 'b', ['b first\n', 'Traceback:\n  line 1\n  line 2\n'], [since + 10, since + 30]);

    const lines: string[] = [];
    await printLogEvents(client, { logGroupName: group, startTime: since, follow: false, write: line => lines.push(line) });

    expect(lines).toEqual([
      `${iso(since)} START`,
      `${iso(since + 10)} b first`,
      `${iso(since + 20)} a second`,
      `${iso(since + 30)} Traceback:\n  line 1\n  line 2`,
    ]);
  }, 30_000);

  test('pages through more events than one FilterLogEvents answer holds', async () => {
    // moto answers 10,000 events a page by default, as CloudWatch Logs does at most: 10,002 events take two pages.
    const group = '/aws/lambda/paging';
    const start = Date.now() - 60_000;
    const count = 5_001;
    await createLogGroup(moto, group);
    await putLogEvents(moto, group, 'even', Array.from({ length: count }, (_, i) => `e${i}`),
      Array.from({ length: count }, (_, i) => start + 2 * i));
    await putLogEvents(moto, group, 'odd', Array.from({ length: count }, (_, i) => `o${i}`),
      Array.from({ length: count }, (_, i) => start + 2 * i + 1));
    const send = jest.spyOn(client, 'send');

    const lines: string[] = [];
    await printLogEvents(client, { logGroupName: group, startTime: start, follow: false, write: line => lines.push(line) });

    const filterCalls = send.mock.calls.filter(([command]) => command instanceof FilterLogEventsCommand);
    send.mockRestore();
    expect(filterCalls.length).toBe(2);
    expect(filterCalls[1][0].input).toMatchObject({ nextToken: expect.any(String) });
    expect(lines).toHaveLength(2 * count);
    expect(lines[0]).toBe(`${iso(start)} e0`);
    expect(lines[1]).toBe(`${iso(start + 1)} o0`);
    expect(lines[lines.length - 1]).toBe(`${iso(start + 2 * count - 1)} o${count - 1}`);
    const timestamps = lines.map(line => Date.parse(line.split(' ')[0]));
    expect(timestamps.every((t, i) => i === 0 || t > timestamps[i - 1])).toBe(true);
  }, 30_000);

  test('following prints a later event exactly once and stops when aborted', async () => {
    const group = '/aws/lambda/follow';
    const start = Date.now() - 10_000;
    await createLogGroup(moto, group);
    await putLogEvents(moto, group, 'first', ['before'], [start]);

    const lines: string[] = [];
    const abort = new AbortController();
    const following = printLogEvents(client, {
      logGroupName: group, startTime: start, follow: true, pollMs: 50, signal: abort.signal, write: line => lines.push(line),
    });
    try {
      await eventually(() => lines.length === 1, 'the first event', 10_000);
      // Two events in one millisecond: each poll from the newest timestamp returns both again.
      const later = Date.now();
      await putLogEvents(moto, group, 'second', ['later one', 'later two'], [later, later]);
      await eventually(() => lines.length >= 3, 'the later events', 10_000);
      const polls = jest.spyOn(client, 'send');
      await eventually(() => polls.mock.calls.length >= 4, 'four more polls', 10_000);
      polls.mockRestore();
      expect(lines).toEqual([`${iso(start)} before`, `${iso(later)} later one`, `${iso(later)} later two`]);
    } finally {
      abort.abort();
    }
    await expect(following).resolves.toBeUndefined();
  }, 30_000);

  test('a log group that does not exist yet is a clear error', async () => {
    await expect(printLogEvents(client, {
      logGroupName: '/aws/lambda/never-invoked', startTime: 0, follow: false, write: () => undefined,
    })).rejects.toThrow('log group /aws/lambda/never-invoked does not exist yet: the function has not logged anything');
  }, 30_000);
});

describe('parseSince', () => {
  const now = Date.parse('2026-12-03T12:00:00Z');

  test.each([
    ['30s', 30_000],
    ['10m', 600_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['1w', 604_800_000],
    ['0s', 0],
  ])('%s is that long before now', (text, ms) => {
    expect(parseSince(text, now)).toBe(now - ms);
  });

  test.each([
    ['2026-12-03T10:00:00Z', '2026-12-03T10:00:00.000Z'],
    ['2026-12-03', '2026-12-03T00:00:00.000Z'],
    ['2026-12-03T10:00Z', '2026-12-03T10:00:00.000Z'],
    ['2026-12-03T10:00:00.25Z', '2026-12-03T10:00:00.250Z'],
    ['2026-12-03T10:00:00+02:00', '2026-12-03T08:00:00.000Z'],
    ['2026-12-03T10:00:00-05:30', '2026-12-03T15:30:00.000Z'],
    ['2026-12-03T10:00:00', '2026-12-03T10:00:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
  ])('%s is an ISO 8601 time (UTC unless it says otherwise)', (text, expected) => {
    expect(iso(parseSince(text, now))).toBe(expected);
  });

  test.each([
    '', '10', 'm', '-5m', '1.5h', '10 m', '10M', '1y', 'yesterday', '2026-02-30', '2026-13-01',
    '2026-12-03T24:00:00Z', '2026-12-03T10:60Z', '2026-12-03 10:00:00Z', '2026-12-03T10:00:00+0200', '12/03/2026',
  ])('%j is refused with the accepted forms', text => {
    expect(() => parseSince(text, now)).toThrow(/neither a duration .* nor an ISO 8601 date or date-time/);
  });
});
