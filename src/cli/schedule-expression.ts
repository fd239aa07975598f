/**
 * EventBridge Scheduler's schedule expressions, read and evaluated as the scheduler does, for `cdk-wsgi schedules`:
 * `rate(value unit)`, `cron(minutes hours day-of-month month day-of-week year)` and `at(yyyy-mm-ddThh:mm:ss)`, the
 * last two in an IANA time zone (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html).
 *
 * Time zones come from the ICU data Node.js carries (Intl), no package of its own. Daylight saving time follows the
 * guide's rules ("Daylight savings time on EventBridge Scheduler"): a cron time the clock skips when it springs forward
 * does not run that day, and a time it repeats when it falls back runs once, at its first occurrence.
 */

/** An expression that EventBridge Scheduler would not take, or a time zone it does not know. */
export class ScheduleExpressionError extends Error {}

/** A date and time on a wall clock, in no particular time zone. */
export interface WallTime {
  readonly year: number;
  /** 1-12 */
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/**
 * `rate(value unit)`: every `value` units, counted from the schedule's start (its creation unless it has a start date),
 * and for days 24 hours after the last run whatever the clock does. Without the schedule's creation time, which the
 * cloud assembly does not hold, it has no times of its own.
 */
export interface RateExpression {
  readonly kind: 'rate';
  readonly value: number;
  readonly unit: 'minute' | 'hour' | 'day';
}

/** `cron(...)`: the wall times its fields name, in the schedule's time zone. */
export interface CronExpression {
  readonly kind: 'cron';
  /** Sorted. */
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly months: readonly number[];
  readonly years: readonly number[];
  /** Which days of a month it runs on: from day-of-month or from day-of-week, whichever is not `?`. */
  readonly days: DaySelector;
}

/** `at(...)`: one wall time in the schedule's time zone. */
export interface AtExpression {
  readonly kind: 'at';
  readonly time: WallTime;
}

export type ScheduleExpression = RateExpression | CronExpression | AtExpression;

/** The days of a month a cron expression runs on. Days of the week are 1 (SUN) to 7 (SAT), as EventBridge numbers them. */
export type DaySelector =
  /** Day-of-month values, ranges, increments, or `*`. */
  | { readonly by: 'day-of-month'; readonly days: readonly number[] }
  /** `L`: the month's last day. */
  | { readonly by: 'last-day' }
  /** `LW`: the month's last weekday (Monday to Friday). */
  | { readonly by: 'last-weekday' }
  /** `15W`: the weekday nearest to that day, within the month. */
  | { readonly by: 'nearest-weekday'; readonly day: number }
  /** Day-of-week values, ranges, or `*`; `L` alone is the week's last day, SAT. */
  | { readonly by: 'day-of-week'; readonly weekdays: readonly number[] }
  /** `6L`: the month's last FRI. */
  | { readonly by: 'last-of-month'; readonly weekday: number }
  /** `2#1`: the month's first MON. */
  | { readonly by: 'nth-of-month'; readonly weekday: number; readonly nth: number };

const FORMS = 'rate(value unit), cron(minutes hours day-of-month month day-of-week year) or at(yyyy-mm-ddThh:mm:ss)';

/** Reads an EventBridge Scheduler expression; throws a ScheduleExpressionError naming what is wrong and the fix. */
export function parseScheduleExpression(expression: string): ScheduleExpression {
  const form = /^(rate|cron|at)\((.*)\)$/s.exec(expression.trim());
  if (!form) {
    throw new ScheduleExpressionError(`${JSON.stringify(expression)} is not an EventBridge Scheduler expression: write ${FORMS}`);
  }
  const [, kind, inner] = form;
  switch (kind) {
    case 'rate': return parseRate(expression, inner);
    case 'at': return { kind: 'at', time: parseAt(expression, inner) };
    default: return parseCron(expression, inner);
  }
}

function parseRate(expression: string, inner: string): RateExpression {
  // The guide's examples write both rate(5 minutes) and rate(1 days); the CDK writes rate(1 day).
  const rate = /^\s*(\d+)\s+(minute|hour|day)s?\s*$/.exec(inner);
  if (!rate || Number(rate[1]) === 0) {
    throw new ScheduleExpressionError(`${expression}: a rate is a positive whole number and a unit, minutes, hours or days, `
      + 'e.g. rate(5 minutes) or rate(1 day)');
  }
  return { kind: 'rate', value: Number(rate[1]), unit: rate[2] as RateExpression['unit'] };
}

function parseAt(expression: string, inner: string): WallTime {
  const at = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(inner);
  const [year, month, day, hour, minute, second] = (at ?? []).slice(1).map(Number);
  if (!at || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    throw new ScheduleExpressionError(`${expression}: an at expression is one date and time, at(yyyy-mm-ddThh:mm:ss), `
      + 'e.g. at(2027-01-01T09:30:00)');
  }
  return { year, month, day, hour, minute, second };
}

/** What a cron field takes: its range, and the names that stand for values. */
interface Field {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** Whether `/` increments are allowed (not in day-of-week). */
  readonly steps: boolean;
  /** Whether a range may run past the end and wrap to the start (`22-2`, `FRI-MON`), as in Quartz, which AWS's cron follows. */
  readonly wraps: boolean;
}

const MINUTES: Field = { name: 'minutes', min: 0, max: 59, steps: true, wraps: true };
const HOURS: Field = { name: 'hours', min: 0, max: 23, steps: true, wraps: true };
const DAY_OF_MONTH: Field = { name: 'day-of-month', min: 1, max: 31, steps: true, wraps: true };
const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const MONTH: Field = { name: 'month', min: 1, max: 12, steps: true, wraps: true, names: MONTH_NAMES };
const DAY_OF_WEEK: Field = { name: 'day-of-week', min: 1, max: 7, steps: false, wraps: true, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] };
const YEAR: Field = { name: 'year', min: 1970, max: 2199, steps: true, wraps: false };

const SATURDAY = 7;
const SUNDAY = 1;

function parseCron(expression: string, inner: string): CronExpression {
  const fields = inner.trim().split(/\s+/);
  // The guide calls the year optional (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#cron-based).
  if (fields.length === 5) fields.push('*');
  if (fields.length !== 6) {
    throw new ScheduleExpressionError(`${expression}: a cron expression has six fields, minutes hours day-of-month month `
      + `day-of-week year, e.g. cron(0 3 * * ? *); this one has ${fields.length}`);
  }
  // Names, L and W in any case, as in Quartz; messages show the fields as written.
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = fields;
  const fail = (problem: string) => new ScheduleExpressionError(`${expression}: ${problem}`);
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    throw fail(dayOfMonth === '?'
      ? 'day-of-month and day-of-week are both ?; give one of them, e.g. cron(0 3 * * ? *) runs every day'
      : `one of day-of-month (${dayOfMonth}) and day-of-week (${dayOfWeek}) must be ?, as EventBridge takes one of them, `
        + `e.g. cron(${minutes} ${hours} ${dayOfMonth} ${month} ? ${year})`);
  }
  return {
    kind: 'cron',
    minutes: parseList(minutes, MINUTES, fail),
    hours: parseList(hours, HOURS, fail),
    months: parseList(month, MONTH, fail),
    years: parseList(year, YEAR, fail),
    days: dayOfMonth === '?' ? parseDayOfWeek(dayOfWeek, fail) : parseDayOfMonth(dayOfMonth, fail),
  };
}

type Fail = (problem: string) => ScheduleExpressionError;

function parseDayOfMonth(text: string, fail: Fail): DaySelector {
  const upper = text.toUpperCase();
  if (upper === 'L') return { by: 'last-day' };
  if (upper === 'LW') return { by: 'last-weekday' };
  const nearest = /^(\d+)W$/.exec(upper);
  if (nearest) return { by: 'nearest-weekday', day: value(nearest[1], DAY_OF_MONTH, fail) };
  if (/[LW]/.test(upper)) {
    throw fail(`day-of-month ${text}: L and W stand alone, as L (the last day), LW (the last weekday) or 15W (the weekday `
      + 'nearest the 15th)');
  }
  return { by: 'day-of-month', days: parseList(text, DAY_OF_MONTH, fail) };
}

function parseDayOfWeek(text: string, fail: Fail): DaySelector {
  // L alone is the week's last day (Saturday), as in Quartz.
  const upper = text.toUpperCase();
  if (upper === 'L') return { by: 'day-of-week', weekdays: [SATURDAY] };
  const last = /^(\w+?)L$/.exec(upper);
  if (last) return { by: 'last-of-month', weekday: value(last[1], DAY_OF_WEEK, fail) };
  const nth = /^(\w+)#(\d+)$/.exec(upper);
  if (nth) {
    const count = Number(nth[2]);
    if (count < 1 || count > 5) throw fail(`day-of-week ${text}: the week of the month after # is 1 to 5`);
    return { by: 'nth-of-month', weekday: value(nth[1], DAY_OF_WEEK, fail), nth: count };
  }
  if (text.includes('#')) {
    throw fail(`day-of-week ${text}: # takes one day and its week of the month, e.g. 2#1 (the first Monday), and no list`);
  }
  if (upper.includes('L')) {
    throw fail(`day-of-week ${text}: L stands alone (Saturday) or after one day, e.g. 6L (the last Friday of the month)`);
  }
  return { by: 'day-of-week', weekdays: parseList(text, DAY_OF_WEEK, fail) };
}

/** The sorted values a field's comma-separated list names: values, ranges, `*`, and increments (`0/15`, `8-17/2`, `*\/5`). */
function parseList(text: string, field: Field, fail: Fail): number[] {
  if (text === '?') {
    throw fail(`? is for day-of-month or day-of-week only, not ${field.name}`);
  }
  const items = text.split(',');
  if (items.length > 1 && items.includes('*')) {
    throw fail(`${field.name} ${text}: * stands alone`);
  }
  const found = new Set<number>();
  for (const item of items) {
    const [base, step, extra] = item.split('/');
    if (extra !== undefined || base === '' || (step !== undefined && !/^\d+$/.test(step))) {
      throw fail(`${field.name} ${text}: ${JSON.stringify(item)} is not a value, a range (a-b), * or an increment (a/n)`);
    }
    if (step !== undefined && !field.steps) {
      throw fail(`${field.name} takes no increments (/), got ${text}; list the days, e.g. MON,WED,FRI`);
    }
    const increment = step === undefined ? 1 : Number(step);
    if (increment === 0) throw fail(`${field.name} ${text}: an increment is 1 or more`);
    const bounds = base === '*' ? [String(field.min), String(field.max)] : base.split('-');
    if (bounds.length > 2) {
      throw fail(`${field.name} ${text}: ${JSON.stringify(item)} is not a value, a range (a-b), * or an increment (a/n)`);
    }
    const start = value(bounds[0], field, fail);
    // `a/n` runs from a to the field's end.
    const end = bounds.length === 2 ? value(bounds[1], field, fail) : step === undefined ? start : field.max;
    if (end < start && !field.wraps) {
      throw fail(`${field.name} ${text}: the range ${base} runs backwards; write it from the smaller value`);
    }
    const span = end >= start ? end - start : end - start + field.max - field.min + 1;
    for (let offset = 0; offset <= span; offset += increment) {
      const wrapped = start + offset > field.max ? start + offset - (field.max - field.min + 1) : start + offset;
      found.add(wrapped);
    }
  }
  return [...found].sort((a, b) => a - b);
}

/** One value of `field`: a number in its range, or one of its names (JAN, MON). */
function value(text: string, field: Field, fail: Fail): number {
  const named = field.names?.indexOf(text.toUpperCase()) ?? -1;
  if (named >= 0) return field.min + named;
  const number = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(number >= field.min && number <= field.max)) {
    const names = field.names ? ` or ${field.names[0]}-${field.names[field.names.length - 1]}` : '';
    throw fail(`${field.name} takes ${field.min}-${field.max}${names}, got ${JSON.stringify(text)}`);
  }
  return number;
}

/** Throws unless Node.js knows `timeZone` as an IANA time zone name. */
export function checkTimeZone(timeZone: string): void {
  // Recent ICU versions also take offsets such as +01:00, which EventBridge Scheduler does not.
  let known = /^[A-Za-z]/.test(timeZone);
  if (known) {
    try {
      formatter(timeZone);
    } catch {
      known = false;
    }
  }
  if (!known) {
    throw new ScheduleExpressionError(`time zone ${JSON.stringify(timeZone)} is not an IANA time zone name (such as `
      + 'Europe/London or America/New_York) that this Node.js knows');
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let found = formatters.get(timeZone);
  if (!found) {
    found = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(timeZone, found);
  }
  return found;
}

/** The wall clock in `timeZone` at `instant` (epoch ms). */
export function wallClock(timeZone: string, instant: number): WallTime {
  const parts: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour, minute: parts.minute, second: parts.second };
}

/** Minutes `timeZone` is ahead of UTC at `instant`. */
export function utcOffsetMinutes(timeZone: string, instant: number): number {
  const whole = Math.floor(instant / 1000) * 1000;
  return (asUtc(wallClock(timeZone, whole)) - whole) / 60_000;
}

/** How a wall time maps to instants in a time zone. */
export interface ResolvedWallTime {
  /** The instant it names; for a skipped time, the one the clock's jump moves it to; for a repeated one, the first. */
  readonly instant: number;
  /** `skipped` when the clock springs forward over it, `repeated` when it falls back over it. */
  readonly kind: 'exact' | 'skipped' | 'repeated';
}

const DAY_MS = 86_400_000;

/** The instants at which `timeZone`'s clock shows `wall`, earliest first: none in a gap, two in an overlap. */
export function instantsOf(timeZone: string, wall: WallTime): number[] {
  const local = asUtc(wall);
  // The offsets around the wall time: a transition near it shows as two.
  const offsets = new Set([local - DAY_MS, local, local + DAY_MS].map(t => utcOffsetMinutes(timeZone, t)));
  const instants = new Set([...offsets].map(offset => local - offset * 60_000).filter(t => asUtc(wallClock(timeZone, t)) === local));
  return [...instants].sort((a, b) => a - b);
}

/**
 * The instant `wall` names in `timeZone`. A repeated time is its first occurrence, as the scheduler runs a cron time
 * once; a skipped one is read with the offset before the jump, which moves it on by the jump (02:30 becomes 03:30 when
 * 02:00 jumps to 03:00), as java.time does: the guide says nothing of an at() expression in a gap.
 */
export function resolveWallTime(timeZone: string, wall: WallTime): ResolvedWallTime {
  const instants = instantsOf(timeZone, wall);
  if (instants.length > 0) return { instant: instants[0], kind: instants.length > 1 ? 'repeated' : 'exact' };
  const local = asUtc(wall);
  return { instant: local - utcOffsetMinutes(timeZone, local - DAY_MS) * 60_000, kind: 'skipped' };
}

/**
 * The first run of `expression` in `timeZone` strictly after `after` (epoch ms), or undefined when there is none: an at()
 * that has passed, or a cron whose years are over. A cron time the clock skips does not run; one it repeats runs at its
 * first occurrence only.
 */
export function nextRun(expression: CronExpression | AtExpression, timeZone: string, after: number): number | undefined {
  if (expression.kind === 'at') {
    const { instant } = resolveWallTime(timeZone, expression.time);
    return instant > after ? instant : undefined;
  }
  const now = wallClock(timeZone, after);
  // Local wall time as a number, ms included. A wall time up to now's has had its first occurrence by `after` (the clock
  // reached it going forward, or it does not exist), so only later ones are tried.
  const nowKey = asUtc(now) + (((after % 1000) + 1000) % 1000);
  for (const year of expression.years) {
    if (year < now.year) continue;
    for (const month of expression.months) {
      if (asUtc({ year, month, day: daysInMonth(year, month), hour: 23, minute: 59, second: 59 }) <= nowKey) continue;
      for (const day of daysOf(expression.days, year, month)) {
        if (asUtc({ year, month, day, hour: 23, minute: 59, second: 59 }) <= nowKey) continue;
        for (const hour of expression.hours) {
          for (const minute of expression.minutes) {
            const wall = { year, month, day, hour, minute, second: 0 };
            if (asUtc(wall) <= nowKey) continue;
            // None in a spring-forward gap: skipped. Two in a fall-back overlap: the first only.
            const [first] = instantsOf(timeZone, wall);
            if (first !== undefined && first > after) return first;
          }
        }
      }
    }
  }
  return undefined;
}

/** The next `count` runs after `after`, fewer when the expression runs out. */
export function nextRuns(expression: CronExpression | AtExpression, timeZone: string, after: number, count: number): number[] {
  const runs: number[] = [];
  let from = after;
  while (runs.length < count) {
    const run = nextRun(expression, timeZone, from);
    if (run === undefined) break;
    runs.push(run);
    from = run;
  }
  return runs;
}

/** The days of `month` in `year` that `days` selects, in order. */
export function daysOf(days: DaySelector, year: number, month: number): number[] {
  const last = daysInMonth(year, month);
  const weekday = (day: number) => new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
  switch (days.by) {
    case 'day-of-month':
      return days.days.filter(day => day <= last);
    case 'last-day':
      return [last];
    case 'last-weekday': {
      const shift = weekday(last) === SATURDAY ? 1 : weekday(last) === SUNDAY ? 2 : 0;
      return [last - shift];
    }
    case 'nearest-weekday': {
      // Quartz's rule: never into another month, so 1W on a Saturday is Monday the 3rd.
      const day = days.day;
      if (day > last) return [];
      if (weekday(day) === SATURDAY) return [day === 1 ? 3 : day - 1];
      if (weekday(day) === SUNDAY) return [day === last ? day - 2 : day + 1];
      return [day];
    }
    case 'day-of-week':
      return range(1, last).filter(day => days.weekdays.includes(weekday(day)));
    case 'last-of-month':
      return [last - ((weekday(last) - days.weekday + 7) % 7)];
    case 'nth-of-month': {
      const day = 1 + ((days.weekday - weekday(1) + 7) % 7) + 7 * (days.nth - 1);
      return day <= last ? [day] : [];
    }
  }
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** A wall time read as if it were UTC: a number that orders wall times. */
function asUtc(wall: WallTime): number {
  return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
}
