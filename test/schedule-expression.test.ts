import {
  AtExpression, checkTimeZone, CronExpression, daysOf, instantsOf, nextRun, nextRuns, parseScheduleExpression, resolveWallTime,
  ScheduleExpressionError, utcOffsetMinutes, wallClock,
} from '../src/cli/schedule-expression';

/*
 * EventBridge Scheduler's expressions and their next runs. The rules: the User Guide's "Schedule types"
 * (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html), whose "Daylight savings time" section
 * says a cron time the clock skips in spring does not run, and one it repeats in the fall runs once, before the shift.
 * The transitions used below, as the system's tz database gives them (`zdump -v -c 2026,2027 America/New_York
 * Europe/London`): New York springs forward at 07:00Z on 2026-03-08 (02:00 EST to 03:00 EDT) and falls back at 06:00Z
 * on 2026-11-01 (02:00 EDT to 01:00 EST); London at 01:00Z on 2026-03-29 (01:00 GMT to 02:00 BST) and 01:00Z on
 * 2026-10-25 (02:00 BST to 01:00 GMT). Weekdays: 2026-01-01 is a Thursday.
 */

const at = (iso: string) => Date.parse(iso);
const iso = (instant: number) => new Date(instant).toISOString().replace('.000Z', 'Z');

function cron(expression: string): CronExpression {
  const parsed = parseScheduleExpression(expression);
  if (parsed.kind !== 'cron') throw new Error(`${expression} is not a cron expression`);
  return parsed;
}

/** The next `count` runs of `expression` in `timeZone` after `after`, as ISO times in UTC. */
function runs(expression: string, timeZone: string, after: string, count = 3): string[] {
  const parsed = parseScheduleExpression(expression) as CronExpression | AtExpression;
  return nextRuns(parsed, timeZone, at(after), count).map(iso);
}

describe('parseScheduleExpression', () => {
  test.each([
    ['rate(5 minutes)', 5, 'minute'],
    ['rate(1 minute)', 1, 'minute'],
    ['rate(2 hours)', 2, 'hour'],
    // The guide's own example writes the plural with 1; the CDK writes rate(1 day).
    ['rate(1 days)', 1, 'day'],
    ['rate(1 day)', 1, 'day'],
    ['rate( 10  minutes )', 10, 'minute'],
  ])('%s is a rate', (expression, value, unit) => {
    expect(parseScheduleExpression(expression)).toEqual({ kind: 'rate', value, unit });
  });

  test('at() is one wall time', () => {
    expect(parseScheduleExpression('at(2027-01-01T09:30:15)')).toEqual({
      kind: 'at', time: { year: 2027, month: 1, day: 1, hour: 9, minute: 30, second: 15 },
    });
  });

  test('cron fields: values, ranges, lists, increments, names in any case, and ranges that wrap', () => {
    expect(cron('cron(0/15 8-17 ? * MON-FRI *)')).toMatchObject({
      minutes: [0, 15, 30, 45],
      hours: [8, 9, 10, 11, 12, 13, 14, 15, 16, 17],
      days: { by: 'day-of-week', weekdays: [2, 3, 4, 5, 6] },
    });
    expect(cron('cron(1/10 */6 1,15 jan,Jul ? 2027/2)')).toMatchObject({
      minutes: [1, 11, 21, 31, 41, 51],
      hours: [0, 6, 12, 18],
      months: [1, 7],
      days: { by: 'day-of-month', days: [1, 15] },
    });
    expect(cron('cron(0 0 1 1 ? 2027/50)').years).toEqual([2027, 2077, 2127, 2177]);
    expect(cron('cron(0 11-23/4 ? * 2-6 *)').hours).toEqual([11, 15, 19, 23]);
    expect(cron('cron(15/65 10 * * ? *)').minutes).toEqual([15]);
    expect(cron('cron(0 1-7/2,11-23/2,10 * * ? *)').hours).toEqual([1, 3, 5, 7, 10, 11, 13, 15, 17, 19, 21, 23]);
    // As in Quartz: a range whose end comes before its start runs past the field's end.
    expect(cron('cron(0 22-2 * * ? *)').hours).toEqual([0, 1, 2, 22, 23]);
    expect(cron('cron(0 22-2/2 * * ? *)').hours).toEqual([0, 2, 22]);
    expect(cron('cron(0 9 ? * FRI-MON *)').days).toEqual({ by: 'day-of-week', weekdays: [1, 2, 6, 7] });
    expect(cron('cron(0 9 28-2 NOV-FEB ? *)')).toMatchObject({ months: [1, 2, 11, 12], days: { days: [1, 2, 28, 29, 30, 31] } });
    expect(cron('cron(05 07/12 ? * 1,5,7 *)')).toMatchObject({ minutes: [5], hours: [7, 19], days: { weekdays: [1, 5, 7] } });
  });

  test('the year is optional, as the guide says: five fields run every year', () => {
    expect(cron('cron(0 3 * * ?)').years).toEqual(cron('cron(0 3 * * ? *)').years);
    expect(cron('cron(0 3 * * ? *)').years).toHaveLength(2199 - 1970 + 1);
  });

  test.each([
    ['L', { by: 'last-day' }],
    ['LW', { by: 'last-weekday' }],
    ['15W', { by: 'nearest-weekday', day: 15 }],
    ['lw', { by: 'last-weekday' }],
  ])('day-of-month %s', (field, days) => {
    expect(cron(`cron(0 10 ${field} * ? *)`).days).toEqual(days);
  });

  test.each([
    ['L', { by: 'day-of-week', weekdays: [7] }],
    ['6L', { by: 'last-of-month', weekday: 6 }],
    ['FRIL', { by: 'last-of-month', weekday: 6 }],
    ['2#1', { by: 'nth-of-month', weekday: 2, nth: 1 }],
    ['MON#3', { by: 'nth-of-month', weekday: 2, nth: 3 }],
    ['*', { by: 'day-of-week', weekdays: [1, 2, 3, 4, 5, 6, 7] }],
  ])('day-of-week %s', (field, days) => {
    expect(cron(`cron(0 10 ? * ${field} *)`).days).toEqual(days);
  });

  test.each([
    ['every day', /^"every day" is not an EventBridge Scheduler expression: write rate\(value unit\), cron\(.*\) or at\(yyyy-mm-ddThh:mm:ss\)$/],
    ['Cron(0 3 * * ? *)', /is not an EventBridge Scheduler expression/],
    ['rate(0 minutes)', /^rate\(0 minutes\): a rate is a positive whole number and a unit, minutes, hours or days, e\.g\. rate\(5 minutes\)/],
    ['rate(1 week)', /a rate is a positive whole number and a unit/],
    ['rate(1.5 hours)', /a rate is a positive whole number and a unit/],
    ['rate(minutes)', /a rate is a positive whole number and a unit/],
    ['at(2026-02-30T00:00:00)', /^at\(2026-02-30T00:00:00\): an at expression is one date and time, at\(yyyy-mm-ddThh:mm:ss\)/],
    ['at(2026-01-01 00:00:00)', /an at expression is one date and time/],
    ['at(2026-01-01T24:00:00)', /an at expression is one date and time/],
    ['at(2026-01-01T09:30)', /an at expression is one date and time/],
    ['cron(0 3 * * * *)', /^cron\(0 3 \* \* \* \*\): one of day-of-month \(\*\) and day-of-week \(\*\) must be \?.*e\.g\. cron\(0 3 \* \* \? \*\)$/],
    ['cron(0 3 1 * MON *)', /one of day-of-month \(1\) and day-of-week \(MON\) must be \?/],
    ['cron(0 3 ? * ? *)', /day-of-month and day-of-week are both \?; give one of them/],
    ['cron(0 3 * *)', /a cron expression has six fields, minutes hours day-of-month month day-of-week year.*this one has 4$/],
    ['cron(0 3 * * ? * *)', /this one has 7$/],
    ['cron(60 3 * * ? *)', /minutes takes 0-59, got "60"$/],
    ['cron(0 24 * * ? *)', /hours takes 0-23, got "24"$/],
    ['cron(0 0 0 * ? *)', /day-of-month takes 1-31, got "0"$/],
    ['cron(0 0 32W * ? *)', /day-of-month takes 1-31, got "32"$/],
    ['cron(0 0 * 13 ? *)', /month takes 1-12 or JAN-DEC, got "13"$/],
    ['cron(0 0 * JANUARY ? *)', /month takes 1-12 or JAN-DEC, got "JANUARY"$/],
    ['cron(0 0 ? * 8 *)', /day-of-week takes 1-7 or SUN-SAT, got "8"$/],
    ['cron(0 0 ? * 0 *)', /day-of-week takes 1-7 or SUN-SAT, got "0"$/],
    ['cron(0 0 * * ? 1969)', /year takes 1970-2199, got "1969"$/],
    ['cron(0 0 * * ? 2200)', /year takes 1970-2199, got "2200"$/],
    ['cron(0 0 * * ? 2030-2025)', /year 2030-2025: the range 2030-2025 runs backwards; write it from the smaller value$/],
    ['cron(0 0 ? * MON/2 *)', /day-of-week takes no increments \(\/\), got MON\/2; list the days, e\.g\. MON,WED,FRI$/],
    ['cron(*/0 0 * * ? *)', /minutes \*\/0: an increment is 1 or more$/],
    ['cron(0 0 1/x * ? *)', /day-of-month 1\/x: "1\/x" is not a value, a range \(a-b\), \* or an increment \(a\/n\)$/],
    ['cron(0 0 1-2-3 * ? *)', /"1-2-3" is not a value, a range/],
    ['cron(0 0 1,,2 * ? *)', /"" is not a value, a range/],
    ['cron(0 0 *,1 * ? *)', /day-of-month \*,1: \* stands alone$/],
    ['cron(? 0 * * ? *)', /\? is for day-of-month or day-of-week only, not minutes$/],
    ['cron(0 0 3L * ? *)', /day-of-month 3L: L and W stand alone, as L \(the last day\), LW \(the last weekday\) or 15W/],
    ['cron(0 0 1-5W * ? *)', /L and W stand alone/],
    ['cron(0 0 ? * 3#6 *)', /day-of-week 3#6: the week of the month after # is 1 to 5$/],
    ['cron(0 0 ? * 3#0 *)', /the week of the month after # is 1 to 5$/],
    ['cron(0 0 ? * 3#1,6#3 *)', /day-of-week 3#1,6#3: # takes one day and its week of the month, e\.g\. 2#1 \(the first Monday\), and no list$/],
    ['cron(0 0 ? * 5-L *)', /L stands alone \(Saturday\) or after one day, e\.g\. 6L/],
    ['cron(0 0 ? * 8L *)', /day-of-week takes 1-7 or SUN-SAT, got "8"$/],
  ])('%s is refused: %s', (expression, message) => {
    expect(() => parseScheduleExpression(expression)).toThrow(ScheduleExpressionError);
    expect(() => parseScheduleExpression(expression)).toThrow(message);
  });
});

describe('checkTimeZone', () => {
  test.each(['UTC', 'Etc/UTC', 'Europe/London', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe'])('%s is known', zone => {
    expect(() => checkTimeZone(zone)).not.toThrow();
  });

  test.each(['Mars/Olympus_Mons', '+01:00', '', 'Europe/Londres'])('%j is not an IANA time zone', zone => {
    expect(() => checkTimeZone(zone)).toThrow(new ScheduleExpressionError(`time zone ${JSON.stringify(zone)} is not an IANA time zone `
      + 'name (such as Europe/London or America/New_York) that this Node.js knows'));
  });
});

describe('wall clocks with Intl', () => {
  test('offsets and wall times around the transitions', () => {
    expect(utcOffsetMinutes('America/New_York', at('2026-03-08T06:59:59Z'))).toBe(-300);
    expect(utcOffsetMinutes('America/New_York', at('2026-03-08T07:00:00Z'))).toBe(-240);
    expect(utcOffsetMinutes('Europe/London', at('2026-10-25T00:59:59Z'))).toBe(60);
    expect(utcOffsetMinutes('Europe/London', at('2026-10-25T01:00:00Z'))).toBe(0);
    expect(utcOffsetMinutes('Asia/Kolkata', at('2026-06-01T00:00:00Z'))).toBe(330);
    expect(wallClock('America/New_York', at('2026-11-01T05:30:00Z'))).toEqual({ year: 2026, month: 11, day: 1, hour: 1, minute: 30, second: 0 });
    expect(wallClock('America/New_York', at('2026-11-01T06:30:00Z'))).toEqual({ year: 2026, month: 11, day: 1, hour: 1, minute: 30, second: 0 });
    expect(wallClock('UTC', at('2026-12-31T23:59:59.999Z'))).toEqual({ year: 2026, month: 12, day: 31, hour: 23, minute: 59, second: 59 });
  });

  test('a wall time the clock skips has no instant, one it repeats has two', () => {
    const wall = (month: number, day: number, hour: number, minute: number) => ({ year: 2026, month, day, hour, minute, second: 0 });
    expect(instantsOf('America/New_York', wall(3, 8, 2, 30))).toEqual([]);
    expect(instantsOf('America/New_York', wall(3, 8, 3, 0)).map(iso)).toEqual(['2026-03-08T07:00:00Z']);
    expect(instantsOf('America/New_York', wall(11, 1, 1, 30)).map(iso)).toEqual(['2026-11-01T05:30:00Z', '2026-11-01T06:30:00Z']);
    expect(instantsOf('Europe/London', wall(3, 29, 1, 30))).toEqual([]);
    expect(instantsOf('Europe/London', wall(10, 25, 1, 30)).map(iso)).toEqual(['2026-10-25T00:30:00Z', '2026-10-25T01:30:00Z']);
    expect(instantsOf('UTC', wall(3, 8, 2, 30)).map(iso)).toEqual(['2026-03-08T02:30:00Z']);
  });
});

describe('nextRun', () => {
  test('known dates in UTC: strictly after the time given', () => {
    expect(runs('cron(0 3 * * ? *)', 'UTC', '2026-05-14T09:12:00Z')).toEqual(['2026-05-15T03:00:00Z', '2026-05-16T03:00:00Z', '2026-05-17T03:00:00Z']);
    expect(runs('cron(0 3 * * ? *)', 'UTC', '2026-05-15T03:00:00Z', 1)).toEqual(['2026-05-16T03:00:00Z']);
    expect(runs('cron(0 3 * * ? *)', 'UTC', '2026-05-15T02:59:59.999Z', 1)).toEqual(['2026-05-15T03:00:00Z']);
    expect(runs('cron(0/15 * * * ? *)', 'UTC', '2026-12-31T23:40:00Z', 3)).toEqual(['2026-12-31T23:45:00Z', '2027-01-01T00:00:00Z', '2027-01-01T00:15:00Z']);
    expect(runs('cron(0 8 ? * MON-FRI *)', 'UTC', '2026-01-01T09:00:00Z', 3)).toEqual(['2026-01-02T08:00:00Z', '2026-01-05T08:00:00Z', '2026-01-06T08:00:00Z']);
    expect(runs('cron(30 0 1 JAN,APR,JUL,OCT ? *)', 'UTC', '2026-02-01T00:00:00Z', 2)).toEqual(['2026-04-01T00:30:00Z', '2026-07-01T00:30:00Z']);
    expect(runs('cron(0 0 29 2 ? *)', 'UTC', '2026-01-01T00:00:00Z', 2)).toEqual(['2028-02-29T00:00:00Z', '2032-02-29T00:00:00Z']);
  });

  test('the guide\'s example: cron(30 2 * * ? *) in America/Los_Angeles skips the day the clock springs forward', () => {
    // 2026-03-08: 02:00 PST jumps to 03:00 PDT, at 10:00Z.
    expect(runs('cron(30 2 * * ? *)', 'America/Los_Angeles', '2026-03-07T00:00:00Z')).toEqual([
      '2026-03-07T10:30:00Z', '2026-03-09T09:30:00Z', '2026-03-10T09:30:00Z',
    ]);
  });

  test('America/New_York: a daily time the clock skips does not run that day; one it repeats runs once, before the shift', () => {
    expect(runs('cron(30 2 * * ? *)', 'America/New_York', '2026-03-07T00:00:00Z')).toEqual([
      '2026-03-07T07:30:00Z', '2026-03-09T06:30:00Z', '2026-03-10T06:30:00Z',
    ]);
    expect(runs('cron(30 1 * * ? *)', 'America/New_York', '2026-10-31T00:00:00Z')).toEqual([
      '2026-10-31T05:30:00Z', '2026-11-01T05:30:00Z', '2026-11-02T06:30:00Z',
    ]);
    // From between the two 01:30s, the second is not a run: the next is the day after.
    expect(runs('cron(30 1 * * ? *)', 'America/New_York', '2026-11-01T05:30:00Z', 1)).toEqual(['2026-11-02T06:30:00Z']);
    expect(runs('cron(30 1 * * ? *)', 'America/New_York', '2026-11-01T06:00:00Z', 1)).toEqual(['2026-11-02T06:30:00Z']);
    // Times outside the transitions keep their wall time: 09:00 is 14:00Z in winter, 13:00Z in summer.
    expect(runs('cron(0 9 * * ? *)', 'America/New_York', '2026-03-07T00:00:00Z')).toEqual([
      '2026-03-07T14:00:00Z', '2026-03-08T13:00:00Z', '2026-03-09T13:00:00Z',
    ]);
  });

  test('America/New_York: every half hour through both transitions', () => {
    // Spring: 01:30 EST is followed by 03:00 EDT, half an hour later.
    expect(runs('cron(0/30 * * * ? *)', 'America/New_York', '2026-03-08T05:45:00Z', 4)).toEqual([
      '2026-03-08T06:00:00Z', '2026-03-08T06:30:00Z', '2026-03-08T07:00:00Z', '2026-03-08T07:30:00Z',
    ]);
    // Fall: 01:00 and 01:30 run once (EDT); the repeated hour does not run again, so 02:00 EST comes 90 minutes later.
    expect(runs('cron(0/30 * * * ? *)', 'America/New_York', '2026-11-01T04:45:00Z', 5)).toEqual([
      '2026-11-01T05:00:00Z', '2026-11-01T05:30:00Z', '2026-11-01T07:00:00Z', '2026-11-01T07:30:00Z', '2026-11-01T08:00:00Z',
    ]);
    // From inside the repeated hour, the next run is 02:00 EST.
    expect(runs('cron(0/30 * * * ? *)', 'America/New_York', '2026-11-01T06:10:00Z', 1)).toEqual(['2026-11-01T07:00:00Z']);
  });

  test('Europe/London: the skipped and repeated 01:xx', () => {
    expect(runs('cron(30 1 * * ? *)', 'Europe/London', '2026-03-28T00:00:00Z')).toEqual([
      '2026-03-28T01:30:00Z', '2026-03-30T00:30:00Z', '2026-03-31T00:30:00Z',
    ]);
    expect(runs('cron(30 1 * * ? *)', 'Europe/London', '2026-10-24T02:00:00Z')).toEqual([
      '2026-10-25T00:30:00Z', '2026-10-26T01:30:00Z', '2026-10-27T01:30:00Z',
    ]);
    expect(runs('cron(0 12 * * ? *)', 'Europe/London', '2026-03-28T00:00:00Z')).toEqual([
      '2026-03-28T12:00:00Z', '2026-03-29T11:00:00Z', '2026-03-30T11:00:00Z',
    ]);
    // Every minute of the skipped hour is skipped: 00:59 GMT is followed by 02:00 BST, one minute later.
    expect(runs('cron(* 0-2 * * ? *)', 'Europe/London', '2026-03-29T00:58:30Z', 3)).toEqual([
      '2026-03-29T00:59:00Z', '2026-03-29T01:00:00Z', '2026-03-29T01:01:00Z',
    ]);
    expect(wallClock('Europe/London', at('2026-03-29T01:00:00Z'))).toMatchObject({ hour: 2, minute: 0 });
  });

  test('a time zone without daylight saving time, and one half an hour off', () => {
    expect(runs('cron(0 9 * * ? *)', 'Asia/Kolkata', '2026-03-07T00:00:00Z', 2)).toEqual(['2026-03-07T03:30:00Z', '2026-03-08T03:30:00Z']);
    // Lord Howe Island moves its clock by 30 minutes: 02:00 becomes 02:30 on 2026-10-04 (15:30Z the day before).
    expect(runs('cron(15 2 * * ? *)', 'Australia/Lord_Howe', '2026-10-02T00:00:00Z', 2)).toEqual(['2026-10-02T15:45:00Z', '2026-10-04T15:15:00Z']);
  });

  test('L, LW, W, #: the month\'s last day, last weekday, nearest weekday, nth and last weekday of a kind', () => {
    expect(runs('cron(0 10 L * ? *)', 'UTC', '2024-02-01T00:00:00Z', 2)).toEqual(['2024-02-29T10:00:00Z', '2024-03-31T10:00:00Z']);
    expect(runs('cron(0 10 L * ? *)', 'UTC', '2026-02-01T00:00:00Z', 1)).toEqual(['2026-02-28T10:00:00Z']);
    // 2026-01-31 and 2026-02-28 are Saturdays, 2026-05-31 a Sunday.
    expect(runs('cron(0 10 LW * ? *)', 'UTC', '2026-01-01T00:00:00Z', 5)).toEqual([
      '2026-01-30T10:00:00Z', '2026-02-27T10:00:00Z', '2026-03-31T10:00:00Z', '2026-04-30T10:00:00Z', '2026-05-29T10:00:00Z',
    ]);
    // 2026-08-15 is a Saturday: the Friday before. 2026-08-01 is a Saturday too, but 1W stays in its month: Monday the
    // 3rd; 2026-11-01 is a Sunday: Monday the 2nd.
    expect(runs('cron(0 0 15W * ? *)', 'UTC', '2026-08-01T00:00:00Z', 1)).toEqual(['2026-08-14T00:00:00Z']);
    expect(runs('cron(0 0 1W * ? *)', 'UTC', '2026-07-15T00:00:00Z', 4)).toEqual([
      '2026-08-03T00:00:00Z', '2026-09-01T00:00:00Z', '2026-10-01T00:00:00Z', '2026-11-02T00:00:00Z',
    ]);
    // 31W on Sunday the 31st, the month's last day: the Friday before. 30W: no 30th in February.
    expect(runs('cron(0 0 31W * ? *)', 'UTC', '2026-05-01T00:00:00Z', 1)).toEqual(['2026-05-29T00:00:00Z']);
    expect(runs('cron(0 0 30W * ? *)', 'UTC', '2026-02-01T00:00:00Z', 1)).toEqual(['2026-03-30T00:00:00Z']);
    // L alone in day-of-week: Saturdays.
    expect(runs('cron(0 0 ? * L *)', 'UTC', '2026-01-01T00:00:00Z', 2)).toEqual(['2026-01-03T00:00:00Z', '2026-01-10T00:00:00Z']);
    expect(runs('cron(0 9 ? * 6L *)', 'UTC', '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-30T09:00:00Z', '2026-02-27T09:00:00Z', '2026-03-27T09:00:00Z',
    ]);
    expect(runs('cron(0 9 ? * MON#1 *)', 'UTC', '2026-01-01T00:00:00Z', 2)).toEqual(['2026-01-05T09:00:00Z', '2026-02-02T09:00:00Z']);
    // A fifth Friday: January, May, July and October of 2026 have one.
    expect(runs('cron(0 9 ? * 6#5 *)', 'UTC', '2026-01-01T00:00:00Z', 4)).toEqual([
      '2026-01-30T09:00:00Z', '2026-05-29T09:00:00Z', '2026-07-31T09:00:00Z', '2026-10-30T09:00:00Z',
    ]);
  });

  test('daysOf: each selector on one month (2026-08: Saturday the 1st, 31 days)', () => {
    expect(daysOf({ by: 'day-of-month', days: [1, 15, 31] }, 2026, 9)).toEqual([1, 15]);
    expect(daysOf({ by: 'last-weekday' }, 2026, 8)).toEqual([31]);
    expect(daysOf({ by: 'day-of-week', weekdays: [1] }, 2026, 8)).toEqual([2, 9, 16, 23, 30]);
    expect(daysOf({ by: 'last-of-month', weekday: 7 }, 2026, 8)).toEqual([29]);
    expect(daysOf({ by: 'nth-of-month', weekday: 7, nth: 5 }, 2026, 8)).toEqual([29]);
    expect(daysOf({ by: 'nth-of-month', weekday: 1, nth: 5 }, 2026, 8)).toEqual([30]);
    expect(daysOf({ by: 'nth-of-month', weekday: 2, nth: 5 }, 2026, 8)).toEqual([31]);
    expect(daysOf({ by: 'nth-of-month', weekday: 3, nth: 5 }, 2026, 8)).toEqual([]);
  });

  test('the year field: runs until its years are over, then none', () => {
    expect(runs('cron(0 0 1 1 ? 2030)', 'UTC', '2026-06-01T00:00:00Z', 3)).toEqual(['2030-01-01T00:00:00Z']);
    expect(runs('cron(15 10 ? * 6L 2022-2023)', 'UTC', '2026-01-01T00:00:00Z')).toEqual([]);
    expect(runs('cron(0 0 1 1 ? 2027/2)', 'UTC', '2026-06-01T00:00:00Z', 3)).toEqual([
      '2027-01-01T00:00:00Z', '2029-01-01T00:00:00Z', '2031-01-01T00:00:00Z',
    ]);
    expect(runs('cron(59 23 31 12 ? 2199)', 'UTC', '2026-06-01T00:00:00Z', 2)).toEqual(['2199-12-31T23:59:00Z']);
    // A day that never comes: searched to 2199 and given up, at once.
    expect(runs('cron(0 0 30 2 ? *)', 'UTC', '2026-06-01T00:00:00Z')).toEqual([]);
    expect(runs('cron(30 2 8 3 ? 2026)', 'America/New_York', '2026-01-01T00:00:00Z')).toEqual([]);
  });

  test('at(): its instant in the time zone while it is ahead, none once passed', () => {
    expect(runs('at(2027-01-01T00:00:00)', 'America/New_York', '2026-06-01T00:00:00Z')).toEqual(['2027-01-01T05:00:00Z']);
    expect(runs('at(2027-07-01T00:00:00)', 'Europe/London', '2026-06-01T00:00:00Z')).toEqual(['2027-06-30T23:00:00Z']);
    expect(runs('at(2027-01-01T00:00:00)', 'UTC', '2027-01-01T00:00:00Z')).toEqual([]);
    expect(nextRun(parseScheduleExpression('at(2020-01-01T00:00:00)') as AtExpression, 'UTC', at('2026-01-01T00:00:00Z'))).toBeUndefined();
  });

  test('at() on a skipped or repeated wall time: moved on by the jump, or the first of the two (the guide says nothing)', () => {
    const wall = (day: number, month: number, hour: number) => ({ year: 2026, month, day, hour, minute: 30, second: 0 });
    expect(resolveWallTime('America/New_York', wall(8, 3, 2))).toEqual({ instant: at('2026-03-08T07:30:00Z'), kind: 'skipped' });
    expect(wallClock('America/New_York', at('2026-03-08T07:30:00Z'))).toMatchObject({ hour: 3, minute: 30 });
    expect(resolveWallTime('America/New_York', wall(1, 11, 1))).toEqual({ instant: at('2026-11-01T05:30:00Z'), kind: 'repeated' });
    expect(resolveWallTime('Europe/London', wall(29, 3, 1))).toEqual({ instant: at('2026-03-29T01:30:00Z'), kind: 'skipped' });
    expect(resolveWallTime('Europe/London', wall(1, 6, 9))).toEqual({ instant: at('2026-06-01T08:30:00Z'), kind: 'exact' });
  });
});
