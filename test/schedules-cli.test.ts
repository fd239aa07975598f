import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { finished, LAMBDA_ROLE, writeAssembly } from './cli-helpers';
import { deployStack, MotoServer, startMoto } from './moto';
import { runCli } from './serve-helpers';
import { describeNextRun, formatDelay, formatInstant, formatSchedules, scheduleNamed } from '../src/cli/schedules-command';
import { commandEvent, ScheduleMetadata, scheduledCommandEvent } from '../src/contracts/adapter-contract';

/**
 * `cdk-wsgi schedules` and `cdk-wsgi schedules run`, as a user runs them after `cdk synth` and `cdk deploy`. The listing
 * reads the cloud assembly only; `run` looks the function up in the deployed stack (moto's CloudFormation) and invokes
 * its manage alias on a loopback stand-in that answers Lambda's Invoke API as the service does (moto runs functions only
 * in Docker), so what the CLI sends and how it reads each answer are real. Until the construct writes `schedules` into
 * the function's metadata, the assembly is written here by hand, in the contract's shape (ServeMetadata.schedules).
 */
jest.setTimeout(60_000);

const REGION = 'us-east-1';
const FUNCTION_NAME = 'ops-app';

const schedule = (name: string, expression: string, task: string, command: string[], more: Partial<ScheduleMetadata> = {}): ScheduleMetadata =>
  ({ name, expression, task, event: scheduledCommandEvent(commandEvent('manage', command), name), ...more });

const SCHEDULES: ScheduleMetadata[] = [
  schedule('clear-sessions', 'cron(0 3 * * ? *)', 'manage clearsessions', ['clearsessions'],
    { timeZone: 'Europe/London', description: 'Delete expired sessions' }),
  schedule('digest', 'rate(1 day)', 'manage send_digest', ['send_digest']),
  schedule('launch', 'at(2199-01-01T00:00:00)', 'manage launch', ['launch'], { timeZone: 'America/New_York' }),
  schedule('migrated', 'at(2020-01-01T00:00:00)', 'manage migrate', ['migrate']),
  schedule('last-new-year', 'cron(30 0 1 1 ? 2199)', 'manage archive', ['archive'], { timeZone: 'Asia/Kolkata' }),
];

/** A stack with one WsgiApi function, whose metadata lists `schedules`: the deployed template and the assembly's. */
function template(schedules: ScheduleMetadata[] | undefined, functionName = FUNCTION_NAME, id = 'App') {
  return {
    Resources: {
      Role: LAMBDA_ROLE,
      [`${id}Function`]: {
        Type: 'AWS::Lambda::Function',
        Metadata: {
          'cdk-wsgi': { entry: 'app', apiType: 'REST', stageName: 'prod', ...(schedules ? { schedules } : {}) },
          'aws:cdk:path': `Ops/${id}/Function/Resource`,
        },
        Properties: {
          FunctionName: functionName,
          Runtime: 'python3.12',
          Handler: 'cdk_wsgi_adapter.handler',
          Role: { 'Fn::GetAtt': ['Role', 'Arn'] },
          Code: { ZipFile: 'def handler(event, context): pass\n' },
        },
      },
    },
  };
}


/** A user with nothing of AWS set up: no AWS_* variables, a home without ~/.aws, no instance metadata to ask. */
function bareEnv(home: string): NodeJS.ProcessEnv {
  return {
    ...Object.fromEntries(Object.keys(process.env).filter(name => name.startsWith('AWS_')).map(name => [name, ''])),
    HOME: home,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

describe('the schedules listing (pure)', () => {
  const now = Date.parse('2026-05-14T09:12:30Z');

  test('each schedule with its next run in its time zone and in UTC, and how far off', () => {
    expect(formatSchedules('Ops/App', SCHEDULES, now)).toEqual({
      problems: [],
      text: `Ops/App: 5 schedules, now 2026-05-14 09:12 UTC

clear-sessions
  expression   cron(0 3 * * ? *)
  time zone    Europe/London
  task         manage clearsessions
  description  Delete expired sessions
  next run     2026-05-15 03:00 Europe/London (UTC+01:00) = 2026-05-15 02:00 UTC, in 16 h 47 min

digest
  expression   rate(1 day)
  time zone    UTC
  task         manage send_digest
  next run     every 1 day, counted from when the scheduler created the schedule (not in the assembly)

launch
  expression   at(2199-01-01T00:00:00)
  time zone    America/New_York
  task         manage launch
  next run     2199-01-01 00:00 America/New_York (UTC-05:00) = 2199-01-01 05:00 UTC, in 63053 d 19 h

migrated
  expression   at(2020-01-01T00:00:00)
  time zone    UTC
  task         manage migrate
  next run     done (2020-01-01 00:00 UTC)

last-new-year
  expression   cron(30 0 1 1 ? 2199)
  time zone    Asia/Kolkata
  task         manage archive
  next run     2199-01-01 00:30 Asia/Kolkata (UTC+05:30) = 2198-12-31 19:00 UTC, in 63053 d 9 h
`,
    });
  });

  test('what each kind of expression says about its next run', () => {
    const of = (expression: string, timeZone?: string) => describeNextRun({ name: 'n', expression, timeZone, task: 't', event: {} }, now);
    expect(of('rate(5 minutes)')).toBe('every 5 minutes, counted from when the scheduler created the schedule (not in the assembly)');
    expect(of('cron(0/15 * * * ? *)')).toBe('2026-05-14 09:15 UTC, in 2 min');
    expect(of('cron(13 9 * * ? *)')).toBe('2026-05-14 09:13 UTC, in less than a minute');
    expect(of('cron(0 0 1 1 ? 2020-2025)')).toBe('none: its year field allows no later run');
    expect(of('at(2026-05-14T09:12:30)')).toBe('done (2026-05-14 09:12:30 UTC)');
    expect(of('at(2026-05-14T09:12:31)')).toBe('2026-05-14 09:12:31 UTC, in less than a minute');
    expect(of('at(2026-11-01T01:30:00)', 'America/New_York')).toBe('2026-11-01 01:30 America/New_York (UTC-04:00) = 2026-11-01 05:30 UTC, '
      + 'in 170 d 20 h; the first of the two 2026-11-01 01:30 in America/New_York');
    expect(of('at(2027-03-14T02:30:00)', 'America/New_York')).toBe('2027-03-14 03:30 America/New_York (UTC-04:00) = 2027-03-14 07:30 UTC, '
      + 'in 303 d 22 h; 2027-03-14 02:30 does not exist in America/New_York (the clock skips it), so it is read as the time after the jump');
    expect(() => of('cron(0 3 * * ? *)', 'Europe/Londres')).toThrow('time zone "Europe/Londres" is not an IANA time zone name');
  });

  test('an expression or time zone that cannot be read: said in its entry and as a problem', () => {
    const broken = [schedule('broken', 'cron(0 3 * * * *)', 'manage x', ['x'])];
    const { text, problems } = formatSchedules('Ops/App', broken, now);
    expect(text).toContain('  next run     cannot tell: cron(0 3 * * * *): one of day-of-month (*) and day-of-week (*) must be ?');
    expect(problems).toEqual([expect.stringMatching(/^schedule broken: cron\(0 3 \* \* \* \*\): one of day-of-month/)]);
    expect(formatSchedules('Ops/App', [], now)).toEqual({ text: 'Ops/App has no schedules; give it some with schedules: [...] in the CDK app\n', problems: [] });
  });

  test('times and delays', () => {
    const instant = Date.parse('2026-10-25T00:30:00Z');
    expect(formatInstant(instant, 'UTC')).toBe('2026-10-25 00:30 UTC');
    expect(formatInstant(instant, 'Etc/UTC')).toBe('2026-10-25 00:30 UTC');
    expect(formatInstant(instant, 'Europe/London')).toBe('2026-10-25 01:30 Europe/London (UTC+01:00) = 2026-10-25 00:30 UTC');
    expect(formatInstant(instant + 3_600_000, 'Europe/London')).toBe('2026-10-25 01:30 Europe/London (UTC+00:00) = 2026-10-25 01:30 UTC');
    expect(formatInstant(instant, 'America/St_Johns')).toBe('2026-10-24 22:00 America/St_Johns (UTC-02:30) = 2026-10-25 00:30 UTC');
    expect([59_999, 60_000, 45 * 60_000, (3 * 60 + 12) * 60_000 + 59_999, 52 * 3_600_000 + 60_000].map(formatDelay))
      .toEqual(['in less than a minute', 'in 1 min', 'in 45 min', 'in 3 h 12 min', 'in 2 d 4 h']);
  });

  test('a name the function has no schedule of: the names it has', () => {
    expect(scheduleNamed(SCHEDULES, 'digest', 'Ops/App').expression).toBe('rate(1 day)');
    expect(() => scheduleNamed(SCHEDULES, 'nightly', 'Ops/App'))
      .toThrow('Ops/App has no schedule \'nightly\'; its schedules are: clear-sessions, digest, launch, migrated, last-new-year');
    expect(() => scheduleNamed([], 'nightly', 'Ops/App')).toThrow('Ops/App has no schedules (schedules: in the CDK app), so none named \'nightly\'');
  });
});

describe('cdk-wsgi schedules from a cloud assembly', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-schedules-'));
  const cli = (args: string[]) => finished(runCli(args, { cwd: work, env: bareEnv(work) }));

  beforeAll(() => {
    writeAssembly(path.join(work, 'cdk.out'), template(SCHEDULES), REGION);
    const two = template(SCHEDULES);
    Object.assign(two.Resources, template(undefined, 'other', 'Other').Resources);
    writeAssembly(path.join(work, 'two.out'), two, REGION);
    writeAssembly(path.join(work, 'broken.out'), template([schedule('broken', 'rate(1 week)', 'manage x', ['x']), SCHEDULES[1]]), REGION);
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('lists the schedules with their next runs, without AWS', async () => {
    const listed = await cli(['schedules']);
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    const lines = listed.stdout.split('\n');
    expect(lines[0]).toMatch(/^Ops\/App: 5 schedules, now \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    expect(lines.slice(2, 8)).toEqual([
      'clear-sessions',
      '  expression   cron(0 3 * * ? *)',
      '  time zone    Europe/London',
      '  task         manage clearsessions',
      '  description  Delete expired sessions',
      expect.stringMatching(/^ {2}next run {5}\d{4}-\d\d-\d\d 03:00 Europe\/London \(UTC\+0[01]:00\) = \d{4}-\d\d-\d\d 0[23]:00 UTC, in (\d+ h )?\d+ min$/),
    ]);
    expect(listed.stdout).toContain('  next run     every 1 day, counted from when the scheduler created the schedule (not in the assembly)\n');
    expect(listed.stdout).toMatch(/ {2}next run {5}2199-01-01 00:00 America\/New_York \(UTC-05:00\) = 2199-01-01 05:00 UTC, in \d+ d \d+ h\n/);
    expect(listed.stdout).toContain('migrated\n  expression   at(2020-01-01T00:00:00)\n  time zone    UTC\n  task         manage migrate\n  next run     done (2020-01-01 00:00 UTC)\n');
  });

  test('--function picks one of several; a function without schedules says so', async () => {
    const [several, picked, none] = await Promise.all([
      cli(['schedules', '--assembly', 'two.out']),
      cli(['schedules', '--assembly', 'two.out', '--function', 'Ops/App']),
      cli(['schedules', '--assembly', 'two.out', '--function', 'Ops/Other']),
    ]);
    expect(several).toMatchObject({ code: 1, stdout: '' });
    expect(several.stderr).toMatch(/^cdk-wsgi schedules: two\.out holds 2 WsgiApi functions; pick one with --function:\n {2}Ops\/App /);
    expect(picked).toMatchObject({ code: 0, stderr: '', stdout: expect.stringMatching(/^Ops\/App: 5 schedules/) });
    expect(none).toEqual({ code: 0, stdout: 'Ops/Other has no schedules; give it some with schedules: [...] in the CDK app\n', stderr: '' });
  });

  test('an expression it cannot read: listed with the rest, then one line on stderr and status 1', async () => {
    const broken = await cli(['schedules', '--assembly', 'broken.out']);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('  next run     cannot tell: rate(1 week): a rate is a positive whole number and a unit');
    expect(broken.stdout).toContain('digest\n');
    expect(broken.stderr).toBe('cdk-wsgi schedules: schedule broken: rate(1 week): a rate is a positive whole number and a unit, minutes, '
      + 'hours or days, e.g. rate(5 minutes) or rate(1 day)\n');
  });

  test('--help for the listing and for run; an unknown subcommand or a missing NAME is a usage error', async () => {
    const [help, topic, runHelp, unknown, noName, stack] = await Promise.all([
      cli(['schedules', '--help']),
      cli(['help', 'schedules']),
      cli(['schedules', 'run', '--help']),
      cli(['schedules', 'frobnicate']),
      cli(['schedules', 'run']),
      cli(['schedules', '--stack', 'Ops']),
    ]);
    expect(help).toMatchObject({ code: 0, stderr: '', stdout: expect.stringMatching(/^Usage: cdk-wsgi schedules \[--assembly DIR\] \[--function NAME\]\n {7}cdk-wsgi schedules run NAME/) });
    expect(topic).toEqual(help);
    expect(runHelp).toMatchObject({ code: 0, stderr: '', stdout: expect.stringMatching(/^Usage: cdk-wsgi schedules run NAME \[options\]\n\nRuns the schedule NAME now/) });
    expect(runHelp.stdout).toContain('--stack NAME');
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr).toMatch(/^cdk-wsgi schedules: unknown subcommand 'frobnicate': `schedules` lists the schedules, `schedules run NAME` runs one\n\nUsage: cdk-wsgi schedules/);
    expect(noName).toMatchObject({ code: 2, stdout: '' });
    expect(noName.stderr).toMatch(/^cdk-wsgi schedules: name the schedule to run: cdk-wsgi schedules run NAME\n\nUsage: /);
    expect(stack.code).toBe(2);
    expect(stack.stderr).toMatch(/^cdk-wsgi schedules: --stack is for schedules run; the list comes from the cloud assembly \(--assembly\)\n/);
  });

  test('the top-level help lists the command', async () => {
    expect((await cli(['--help'])).stdout).toMatch(/^ {2}schedules {2}list the function's schedules and their next runs, or run one now$/m);
  });

  test('run with a name the function has no schedule of: its schedules, before any AWS call (no credentials here)', async () => {
    expect(await cli(['schedules', 'run', 'nightly'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'cdk-wsgi schedules: Ops/App has no schedule \'nightly\'; its schedules are: clear-sessions, digest, launch, migrated, last-new-year\n',
    });
  });
});

/** What the Lambda stand-in answers an Invoke with. */
interface Answer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body: unknown;
}

interface Invocation {
  readonly path: string;
  readonly qualifier: string | null;
  readonly invocationType: string | undefined;
  readonly event: any;
  readonly requestId: string;
}

/**
 * Lambda's Invoke API on a loopback port (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html): each
 * request is recorded and answered with what `answer` returns, under a fresh request id (x-amzn-RequestId).
 */
async function lambdaStandIn(answer: (invocation: Invocation) => Answer) {
  const invocations: Invocation[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', chunk => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const invocation = {
        path: url.pathname,
        qualifier: url.searchParams.get('Qualifier'),
        invocationType: request.headers['x-amz-invocation-type'] as string | undefined,
        event: JSON.parse(Buffer.concat(chunks).toString() || 'null'),
        requestId: randomUUID(),
      };
      invocations.push(invocation);
      const { status, headers, body } = answer(invocation);
      response.writeHead(status, { 'Content-Type': 'application/json', 'x-amzn-RequestId': invocation.requestId, ...headers });
      response.end(JSON.stringify(body));
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    invocations,
    close: () => new Promise(resolve => server.close(resolve)),
  };
}

describe('cdk-wsgi schedules run against a deployed stack', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-schedules-run-'));
  let moto: MotoServer;
  let answer: (invocation: Invocation) => Answer;
  let lambda: Awaited<ReturnType<typeof lambdaStandIn>>;
  let env: NodeJS.ProcessEnv;

  const cli = (args: string[], cwd = work) => finished(runCli(args, { cwd, env }));

  beforeAll(async () => {
    writeAssembly(path.join(work, 'cdk.out'), template(SCHEDULES), REGION);
    moto = await startMoto();
    await deployStack(moto, 'Ops', template(SCHEDULES), REGION);
    lambda = await lambdaStandIn(invocation => answer(invocation));
    env = { ...moto.env, HOME: work, AWS_REGION: '', AWS_DEFAULT_REGION: '', AWS_ENDPOINT_URL_LAMBDA: lambda.url };
  });

  afterAll(async () => {
    await lambda?.close();
    await moto?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  beforeEach(() => {
    lambda?.invocations.splice(0);
  });

  test('invokes the manage alias with the schedule\'s event, prints the output, exits with the command\'s status', async () => {
    answer = () => ({ status: 200, body: { exitCode: 0, output: [['stdout', 'deleted 3 sessions\n'], ['stderr', 'took 0.2 s\n']], truncated: false } });
    expect(await cli(['schedules', 'run', 'clear-sessions'])).toEqual({ code: 0, stdout: 'deleted 3 sessions\n', stderr: 'took 0.2 s\n' });
    answer = () => ({ status: 200, body: { exitCode: 3, output: [['stderr', 'no digest today\n']], truncated: false } });
    expect(await cli(['schedules', 'run', 'digest', '--function', 'Ops/App'])).toEqual({ code: 3, stdout: '', stderr: 'no digest today\n' });

    expect(lambda.invocations.map(({ path: invoked, qualifier, invocationType, event }) => ({ invoked, qualifier, invocationType, event }))).toEqual([
      {
        invoked: `/2015-03-31/functions/${FUNCTION_NAME}/invocations`,
        qualifier: 'manage',
        // RequestResponse, the SDK's default, which it leaves unsaid.
        invocationType: undefined,
        event: { source: 'cdk-wsgi.command', kind: 'manage', args: ['clearsessions'], schedule: 'clear-sessions' },
      },
      {
        invoked: `/2015-03-31/functions/${FUNCTION_NAME}/invocations`,
        qualifier: 'manage',
        invocationType: undefined,
        event: SCHEDULES[1].event,
      },
    ]);
  });

  test('a scheduled command that exits non-zero fails the invocation: the error, the logs line, and its status', async () => {
    // What Lambda answers when the handler raises (https://docs.aws.amazon.com/lambda/latest/dg/python-exceptions.html);
    // the adapter's message for a scheduled command ends with its status (contract-parity checks the real one).
    const failure = (errorType: string) => (invocation: { requestId: string }) => ({
      status: 200,
      headers: { 'X-Amz-Function-Error': 'Unhandled' },
      body: {
        errorMessage: "scheduled command 'clear-sessions' failed: manage ['clearsessions'] exited with 3",
        errorType,
        requestId: invocation.requestId,
        stackTrace: [],
      },
    });
    answer = failure('ScheduledCommandError');
    const failed = await cli(['schedules', 'run', 'clear-sessions', '--function', 'Ops/App']);
    const [{ requestId }] = lambda.invocations;
    expect(failed).toEqual({
      code: 3,
      stdout: '',
      stderr: "cdk-wsgi schedules: the function failed: ScheduledCommandError: scheduled command 'clear-sessions' failed: "
        + `manage ['clearsessions'] exited with 3; its log: cdk-wsgi logs --request ${requestId} --function Ops/App\n`,
    });

    // Any other error of the function is status 1, whatever its message says.
    answer = failure('RuntimeError');
    expect((await cli(['schedules', 'run', 'clear-sessions', '--function', 'Ops/App'])).code).toBe(1);
  });

  test('--stack reads the schedules from the deployed stack\'s template, in a folder without cdk.out', async () => {
    const elsewhere = fs.mkdtempSync(path.join(work, 'elsewhere-'));
    answer = () => ({ status: 200, body: { exitCode: 0, output: [['stdout', 'archived\n']], truncated: false } });
    expect(await cli(['schedules', 'run', 'last-new-year', '--stack', 'Ops', '--region', REGION], elsewhere))
      .toEqual({ code: 0, stdout: 'archived\n', stderr: '' });
    expect(lambda.invocations.map(invocation => invocation.event)).toEqual([SCHEDULES[4].event]);

    const unknown = await cli(['schedules', 'run', 'nightly', '--stack', 'Ops', '--region', REGION], elsewhere);
    expect(unknown).toEqual({
      code: 1,
      stdout: '',
      stderr: 'cdk-wsgi schedules: Ops/App has no schedule \'nightly\'; its schedules are: clear-sessions, digest, launch, migrated, last-new-year\n',
    });
    expect(lambda.invocations).toHaveLength(1);
  });

  test('a function without the manage alias: the same line as the other commands\' ', async () => {
    answer = ({ qualifier }) => ({
      status: 404,
      headers: { 'X-Amzn-ErrorType': 'ResourceNotFoundException' },
      body: { Type: 'User', Message: `Function not found: arn:aws:lambda:${REGION}:123456789012:function:${FUNCTION_NAME}:${qualifier}` },
    });
    const missing = await cli(['schedules', 'run', 'digest']);
    expect(missing).toEqual({
      code: 1,
      stdout: '',
      stderr: `cdk-wsgi schedules: Function not found: arn:aws:lambda:${REGION}:123456789012:function:${FUNCTION_NAME}:manage in ${REGION}: `
        + 'deploy the app (cdk deploy) with this version of cdk-wsgi, which gives the function the manage alias that commands run through\n',
    });
  });
});
