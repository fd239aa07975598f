import { readAssembly, selectFunction } from './assembly';
import { Command, UsageError } from './command';
import { LOCAL_USAGE } from './local-commands';
import { COMMAND_OPTIONS, parse, runEvent, TARGET_OPTIONS, TARGET_USAGE } from './remote-commands';
import {
  checkTimeZone, nextRun, parseScheduleExpression, resolveWallTime, utcOffsetMinutes, wallClock, WallTime,
} from './schedule-expression';
import type { ScheduleMetadata } from '../contracts/adapter-contract';

const UTC_ZONES = ['UTC', 'Etc/UTC'];

const LIST_USAGE = `Usage: cdk-wsgi schedules [--assembly DIR] [--function NAME]
       cdk-wsgi schedules run NAME [options]

Lists the function's schedules (schedules: in the CDK app), as the cloud assembly
says (run \`cdk synth\` first): each one's name, expression, time zone, task,
description, and its next run in its time zone and in UTC. A rate() schedule counts
from when EventBridge Scheduler created it, which the assembly does not know, so it
shows its interval only; an at() schedule that has passed shows "done".
  --assembly DIR         the cloud assembly (default: cdk.out)
  --function NAME        the WsgiApi when there are several: its construct path
                         (MyStack/App) or its function's logical ID
  -h, --help             this text

\`cdk-wsgi schedules run --help\` says how to run one now.
`;

const RUN_USAGE = `Usage: cdk-wsgi schedules run NAME [options]

Runs the schedule NAME now, as EventBridge Scheduler runs it: invokes the function's
manage alias with the schedule's event, with your AWS credentials, which
api.grantManage(<role or user>) in the CDK app allows; prints the command's stdout
and stderr as they were written, and exits with the command's exit status. An
invocation that fails (the adapter fails a scheduled command that exits non-zero,
so that the scheduler's retries see it) is one line on stderr naming the
\`cdk-wsgi logs --request\` that shows its output.

${TARGET_USAGE}
${LOCAL_USAGE}`;

/** `cdk-wsgi schedules`: the function's schedules with their next runs; `schedules run NAME` runs one now. */
export const schedulesCommand: Command = {
  name: 'schedules',
  summary: 'list the function\'s schedules and their next runs, or run one now',
  usage: LIST_USAGE,
  // `schedules run --help` is the run subcommand's help, which it prints itself.
  ownArgs: argv => (argv[0] === 'run' ? 0 : argv.length),
  run: async argv => (argv[0] === 'run' ? runSchedule(argv.slice(1)) : listSchedules(argv)),
};

function listSchedules(argv: string[]): number {
  const { values, positionals } = parse(argv, TARGET_OPTIONS, true);
  if (positionals.length > 0) {
    throw new UsageError(`unknown subcommand '${positionals[0]}': \`schedules\` lists the schedules, \`schedules run NAME\` runs one`);
  }
  for (const option of ['stack', 'region', 'profile'] as const) {
    if (values[option] !== undefined) {
      throw new UsageError(`--${option} is for schedules run; the list comes from the cloud assembly (--assembly)`);
    }
  }
  const dir = values.assembly ?? 'cdk.out';
  const fn = selectFunction(readAssembly(dir, 'name its folder with --assembly'), dir, values.function);
  const { text, problems } = formatSchedules(fn.name, fn.metadata.schedules ?? [], Date.now());
  process.stdout.write(text);
  for (const problem of problems) process.stderr.write(`cdk-wsgi schedules: ${problem}\n`);
  return problems.length > 0 ? 1 : 0;
}

async function runSchedule(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { ...COMMAND_OPTIONS, help: { type: 'boolean', short: 'h' } }, true);
  if (values.help) {
    process.stdout.write(RUN_USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new UsageError(positionals.length === 0 ? 'name the schedule to run: cdk-wsgi schedules run NAME'
      : `schedules run takes one schedule name, got ${positionals.join(' ')}`);
  }
  const [name] = positionals;
  if (values.stack === undefined) {
    // Before any AWS call: a name the assembly does not know needs no credentials to be told.
    const dir = values.assembly ?? 'cdk.out';
    const fn = selectFunction(readAssembly(dir, 'name the deployed stack with --stack'), dir, values.function);
    scheduleNamed(fn.metadata.schedules ?? [], name, fn.name);
  }
  return runEvent(values, target => scheduleNamed(target.schedules, name, target.label).event, true);
}

/** The schedule `name` of the function `label`; else an error listing its schedules. */
export function scheduleNamed(schedules: ScheduleMetadata[], name: string, label: string): ScheduleMetadata {
  const found = schedules.find(schedule => schedule.name === name);
  if (found) return found;
  if (schedules.length === 0) {
    throw new Error(`${label} has no schedules (schedules: in the CDK app), so none named '${name}'`);
  }
  throw new Error(`${label} has no schedule '${name}'; its schedules are: ${schedules.map(schedule => schedule.name).join(', ')}`);
}

/**
 * The listing of `label`'s schedules at `now` (epoch ms), and a line for each schedule whose expression or time zone
 * cannot be read (its entry says so too).
 */
export function formatSchedules(label: string, schedules: ScheduleMetadata[], now: number): { text: string; problems: string[] } {
  if (schedules.length === 0) {
    return { text: `${label} has no schedules; give it some with schedules: [...] in the CDK app\n`, problems: [] };
  }
  const problems: string[] = [];
  const count = `${schedules.length} schedule${schedules.length === 1 ? '' : 's'}`;
  const blocks = schedules.map(schedule => {
    const rows: Array<[string, string]> = [
      ['expression', schedule.expression],
      ['time zone', schedule.timeZone ?? 'UTC'],
      ['task', schedule.task],
    ];
    if (schedule.description) rows.push(['description', schedule.description]);
    let next: string;
    try {
      next = describeNextRun(schedule, now);
    } catch (error) {
      next = `cannot tell: ${(error as Error).message}`;
      problems.push(`schedule ${schedule.name}: ${(error as Error).message}`);
    }
    rows.push(['next run', next]);
    return [schedule.name, ...rows.map(([key, value]) => `  ${key.padEnd(12)} ${value}`)].join('\n');
  });
  return { text: `${label}: ${count}, now ${formatWall(wallClock('UTC', now))} UTC\n\n${blocks.join('\n\n')}\n`, problems };
}

/** When `schedule` runs next after `now`: a time in its zone and in UTC and how far off, "done", or its interval. */
export function describeNextRun(schedule: ScheduleMetadata, now: number): string {
  const expression = parseScheduleExpression(schedule.expression);
  const timeZone = schedule.timeZone ?? 'UTC';
  checkTimeZone(timeZone);
  switch (expression.kind) {
    case 'rate': {
      const { value, unit } = expression;
      return `every ${value} ${unit}${value === 1 ? '' : 's'}, counted from when the scheduler created the schedule (not in the assembly)`;
    }
    case 'at': {
      const { instant, kind } = resolveWallTime(timeZone, expression.time);
      const seconds = expression.time.second !== 0;
      const note = kind === 'skipped'
        ? `; ${formatWall(expression.time, seconds)} does not exist in ${timeZone} (the clock skips it), so it is read as the time after the jump`
        : kind === 'repeated' ? `; the first of the two ${formatWall(expression.time, seconds)} in ${timeZone}` : '';
      return instant <= now ? `done (${formatInstant(instant, timeZone, seconds)}${note})`
        : `${formatInstant(instant, timeZone, seconds)}, ${formatDelay(instant - now)}${note}`;
    }
    case 'cron': {
      const run = nextRun(expression, timeZone, now);
      return run === undefined ? 'none: its year field allows no later run' : `${formatInstant(run, timeZone)}, ${formatDelay(run - now)}`;
    }
  }
}

/** `2026-05-15 03:00 Europe/London (UTC+01:00) = 2026-05-15 02:00 UTC`, or the UTC time alone for a UTC schedule. */
export function formatInstant(instant: number, timeZone: string, seconds = false): string {
  const utc = `${formatWall(wallClock('UTC', instant), seconds)} UTC`;
  if (UTC_ZONES.includes(timeZone)) return utc;
  const offset = utcOffsetMinutes(timeZone, instant);
  const sign = offset < 0 ? '-' : '+';
  const hhmm = `${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  return `${formatWall(wallClock(timeZone, instant), seconds)} ${timeZone} (UTC${sign}${hhmm}) = ${utc}`;
}

/** `in 3 h 12 min`, `in 2 d 4 h`, `in 45 min`, `in less than a minute`. */
export function formatDelay(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'in less than a minute';
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  if (days > 0) return `in ${days} d ${hours} h`;
  return hours > 0 ? `in ${hours} h ${minutes % 60} min` : `in ${minutes} min`;
}

function formatWall(wall: WallTime, seconds = false): string {
  const time = `${pad(wall.hour)}:${pad(wall.minute)}${seconds ? `:${pad(wall.second)}` : ''}`;
  return `${wall.year}-${pad(wall.month)}-${pad(wall.day)} ${time}`;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}
