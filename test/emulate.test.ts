import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ExampleStack } from '../examples/example-stack';
import { BundlingMode, WsgiApi, WsgiTask } from '../src';
import { finished } from './cli-helpers';
import { eventually, sleep } from './loopback';
import { ROOT, RunningCli, runCli, stopCli, urlOf } from './serve-helpers';
import { hostArchitecture } from '../src/cli/emulator-tools';

/*
 * `cdk-wsgi emulate` and the commands' `--local`, end to end: apps synthesized with local bundling for this machine's
 * python3 and architecture, run by the real CLI in AWS's Lambda Runtime Interface Emulator with awslambdaric, both
 * fetched once into .tools/emulate-cache (CDK_WSGI_CACHE_DIR), and requested over loopback HTTP.
 */
// Local bundling installs Flask and Django with pip (cached after the first run); the first run fetches the emulator.
jest.setTimeout(300_000);

const FIXTURES = path.join(__dirname, 'fixtures', 'emulate');
const CACHE = path.join(ROOT, '.tools', 'emulate-cache');
const VERSION = spawnSync('python3', ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' }).stdout.trim();
const RUNTIME = lambda.Runtime.ALL.find(runtime => runtime.name === `python${VERSION}`)!;
const ARCHITECTURE = hostArchitecture() === 'arm64' ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64;
const platform = { runtime: RUNTIME, architecture: ARCHITECTURE, bundlingMode: BundlingMode.LOCAL };

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-emulate-'));
const assembly = path.join(work, 'cdk.out');
const databasePath = path.join(work, 'notes.sqlite3');
const clis: RunningCli[] = [];

function cli(args: string[], env: NodeJS.ProcessEnv = {}): RunningCli {
  const started = runCli(args, { env: { CDK_WSGI_CACHE_DIR: CACHE, ...env } });
  clis.push(started);
  return started;
}

/** `cdk-wsgi emulate` of one function of the assembly, with its URL once it listens. */
async function emulate(fn: string, ...flags: string[]): Promise<{ cli: RunningCli; url: string }> {
  const started = cli(['emulate', '--assembly', assembly, '--function', fn, '--port', '0', ...flags]);
  return { cli: started, url: await urlOf(started) };
}

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string | null; body: Buffer }> {
  const response = await fetch(url, { headers, redirect: 'manual', signal: AbortSignal.timeout(60_000) });
  return { status: response.status, type: response.headers.get('content-type'), body: Buffer.from(await response.arrayBuffer()) };
}

/** The pids of the processes whose command line holds `text`: what Ctrl+C must leave none of. */
function processesWith(text: string): number[] {
  return fs.readdirSync('/proc').filter(entry => /^\d+$/.test(entry)).flatMap(pid => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text) ? [Number(pid)] : [];
    } catch {
      return [];
    }
  });
}

beforeAll(() => {
  const app = new App({ outdir: assembly, context: { 'aws:cdk:enable-asset-metadata': true } });
  new ExampleStack(app, 'Example', { platform });
  const stack = new Stack(app, 'Emulated');
  new WsgiApi(stack, 'Lifecycle', {
    entry: path.join(FIXTURES, 'lifecycle'), module: 'app.app', timeout: Duration.seconds(3), backgroundTasks: {}, ...platform,
  });
  new WsgiApi(stack, 'BrokenImport', { entry: path.join(FIXTURES, 'broken-import'), module: 'app.app', ...platform });
  new WsgiApi(stack, 'ExitAtImport', { entry: path.join(FIXTURES, 'exit-at-import'), module: 'app.app', ...platform });
  new WsgiApi(stack, 'Notes', {
    entry: path.join(FIXTURES, 'django'),
    module: 'notes.wsgi.application',
    environment: { DATABASE_PATH: databasePath },
    ...platform,
    deployTasks: [WsgiTask.manage('migrate', '--noinput'), WsgiTask.python('import sys; print("checked"); sys.exit(3)')],
  });
  app.synth();
});

afterAll(async () => {
  await Promise.all(clis.map(started => stopCli(started)));
  fs.rmSync(work, { recursive: true, force: true });
});

describe('cdk-wsgi emulate', () => {
  test('the example answers in the emulator as it does under serve, byte for byte', async () => {
    const served = cli(['serve', '--assembly', assembly, '--function', 'Example/RestApp', '--port', '0', '--python', path.join(ROOT, '.venv', 'bin', 'python')]);
    const [serveUrl, emulated] = await Promise.all([urlOf(served), emulate('Example/RestApp')]);
    expect(emulated.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/prod\/$/);
    expect(emulated.cli.stdout()).toMatch(new RegExp(`^cdk-wsgi emulate: Example/RestApp \\(REST API, stage prod\\) at ${emulated.url}\\n`
      + `  python:${VERSION.replace('.', '\\.')} \\(CPython [\\d.]+ in aws-lambda-rie\\), ${hostArchitecture()}, 512 MB, 29 s timeout; `
      + 'initialised on the first request, as Lambda does\\n'));
    for (const [target, headers] of [
      ['', { Cookie: 'visits=2' }], ['echo?greeting=hi&tag=a&tag=b', {}], ['pixel.png', {}], ['old', {}], ['missing', {}],
    ] as const) {
      const [fromServe, fromEmulator] = await Promise.all([get(`${serveUrl}${target}`, headers), get(`${emulated.url}${target}`, headers)]);
      // The echo names the request's own ID and time, which differ; everything else is the same.
      // Each server has its own port, which the page names.
      const comparable = (body: Buffer) => body.toString('latin1')
        .replace(/"(requestId|requestTime|requestTimeEpoch)": ?("[^"]*"|\d+)/g, '').replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT');
      expect({ target, status: fromEmulator.status, type: fromEmulator.type, body: comparable(fromEmulator.body) })
        .toEqual({ target, status: fromServe.status, type: fromServe.type, body: comparable(fromServe.body) });
    }
    // The first request initialised the function; Lambda's lines, in Lambda's order.
    const log = emulated.cli.stdout();
    expect(log).toMatch(/\nINIT_START Runtime Version: python:3\.\d+ \(CPython [\d.]+ in aws-lambda-rie\)\n(.*\n)*?START RequestId: \S+ Version: \$LATEST\n(.*\n)*?END RequestId: \S+\nREPORT RequestId: \S+\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 512 MB\tMax Memory Used: \d+ MB\tInit Duration: [\d.]+ ms\nGET \/prod\/ 200 \d+ ms\n/);
    expect(log.match(/^INIT_START/gm)).toHaveLength(1);
    expect(log.match(/^REPORT /gm)).toHaveLength(5);
    expect(log).not.toContain('(rapid)');
  });

  test('behind the HTTP API, with its payload 2.0 and no stage in the URL', async () => {
    const { url } = await emulate('Example/HttpApp');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await get(url);
    expect({ status: page.status, type: page.type }).toEqual({ status: 200, type: 'text/html; charset=utf-8' });
    expect(page.body.toString()).toContain(`This page lives at <code>${url}</code>`);
    const pixel = await get(`${url}pixel.png`);
    expect(pixel.body.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  });

  test('a timeout and a crash answer 502 as the front door does, and the next request gets a fresh environment', async () => {
    const { cli: emulated, url } = await emulate('Emulated/Lifecycle');
    const first = await get(url);
    expect(first.status).toBe(200);
    const timedOut = await get(`${url}sleep`);
    // API Gateway answers a function that timed out or failed with 502 (its own 29 s limit would be a 504).
    expect(timedOut.status).toBe(502);
    expect(emulated.stdout()).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z \S+ Task timed out after 3\.00 seconds$/m);
    const afterTimeout = await get(url);
    expect(afterTimeout.status).toBe(200);
    expect(afterTimeout.body.toString()).not.toBe(first.body.toString()); // another runtime process
    const crashed = await get(`${url}exit`);
    expect(crashed.status).toBe(502);
    // The emulator may notice the exit before it learns the status: Lambda's lines say what it knew.
    await eventually(() => /^RequestId: \S+ Error: Runtime exited (with error: exit status 3|without providing a reason)\nRuntime\.ExitError$/m
      .test(emulated.stdout()),
    'Lambda\'s lines for the crash').catch(error => {
      throw new Error(`${error.message} in:\n${emulated.stdout()}`);
    });
    expect((await get(url)).status).toBe(200);
    expect(emulated.stdout().match(/^INIT_START/gm)).toHaveLength(3);
  });

  test('a background task: .delay() queues it with Lambda\'s asynchronous Invoke, and another environment runs it', async () => {
    const { cli: emulated, url } = await emulate('Emulated/Lifecycle');
    const queued = await get(`${url}delay`);
    expect(queued.status).toBe(200);
    const requestId = queued.body.toString();
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    await eventually(() => /task greeted ada in pid \d+/.test(emulated.stdout()), 'the task\'s output');
    expect(emulated.stdout()).toContain(`task app:greet queued (request ${requestId})`);
    // The emulator makes up each invocation's ID, so the task's is not the one Invoke answered, as it is on Lambda.
    expect(emulated.stdout()).toMatch(/task app:greet finished in [\d.]+ s \(request [0-9a-f-]{36}\)/);
    // Two environments: the request's and the task's, each with its init.
    expect(emulated.stdout().match(/^INIT_START/gm)).toHaveLength(2);
  });

  test('--env sets a variable over the template\'s; a malformed one is a usage error', async () => {
    const { url } = await emulate('Emulated/Lifecycle', '--env', 'GREETING=hello=world', '--env', 'OTHER=');
    expect((await get(`${url}greeting`)).body.toString()).toBe('hello=world');
    const ended = await finished(cli(['emulate', '--assembly', assembly, '--function', 'Emulated/Lifecycle', '--env', '1X=2']));
    expect({ code: ended.code, first: ended.stderr.split('\n')[0] })
      .toEqual({ code: 2, first: 'cdk-wsgi emulate: --env takes NAME=VALUE, a variable\'s name and its value, got \'1X=2\'' });
  });

  test('--cold: every request has its init, as a cold start on Lambda', async () => {
    const { cli: emulated, url } = await emulate('Emulated/Lifecycle', '--cold');
    for (let i = 0; i < 3; i++) expect((await get(url)).status).toBe(200);
    await eventually(() => (emulated.stdout().match(/^REPORT /gm) ?? []).length === 3, 'three REPORT lines');
    const reports = emulated.stdout().match(/^REPORT .*$/gm)!;
    expect(reports.every(line => /\tInit Duration: [\d.]+ ms$/.test(line))).toBe(true);
    expect(emulated.stdout()).toContain('every request starts a fresh environment');
  });

  test('an app whose import fails: its traceback in the output, and the adapter\'s 500, as deployed', async () => {
    const { cli: emulated, url } = await emulate('Emulated/BrokenImport');
    const response = await get(url);
    expect({ status: response.status, body: response.body.toString() }).toEqual({ status: 500, body: 'Internal Server Error' });
    await eventually(() => emulated.stdout().includes('REPORT '), 'the REPORT line');
    expect(emulated.stdout()).toMatch(/cannot import the WSGI app CDK_WSGI_APP='app:app'\nTraceback \(most recent call last\):\n(.*\n)*ModuleNotFoundError: No module named 'not_installed_anywhere'\n/);
  });

  test('an app that ends the runtime while it is imported: the init fails, its traceback is shown, and the client gets 502', async () => {
    const { cli: emulated, url } = await emulate('Emulated/ExitAtImport');
    const response = await get(url);
    expect(response.status).toBe(502);
    await eventually(() => /^INIT_REPORT .*Status: error/m.test(emulated.stdout()), 'the INIT_REPORT line');
    expect(emulated.stdout()).toContain('settings are missing: DATABASE_URL');
    expect(emulated.stdout()).toMatch(/^INIT_REPORT Init Duration: [\d.]+ ms\tPhase: init\tStatus: error\tError Type: Runtime\.ExitError$/m);
  });

  test('a killed emulator is one line, and the next request starts a fresh one; Ctrl+C leaves no process behind', async () => {
    const { cli: emulated, url } = await emulate('Emulated/Lifecycle');
    expect((await get(url)).status).toBe(200);
    const emulators = processesWith(path.join(CACHE, 'emulator')).filter(pid => processesWith('aws-lambda-rie').includes(pid));
    const mine = emulators.filter(pid => fs.readFileSync(`/proc/${pid}/environ`, 'utf8').includes('Lifecycle'));
    expect(mine.length).toBeGreaterThan(0);
    for (const pid of mine) process.kill(pid, 'SIGKILL');
    await eventually(() => /^cdk-wsgi emulate: the emulator exited \(SIGKILL\); the next request starts a fresh environment$/m.test(emulated.stdout()),
      'the line about the killed emulator');
    expect((await get(url)).status).toBe(200);
    const pidsBefore = processesWith(`${path.sep}aws-lambda-rie`);
    expect(await stopCli(emulated)).toBe(0);
    await sleep(200);
    expect(processesWith(`${path.sep}aws-lambda-rie`).filter(pid => pidsBefore.includes(pid)
      && fs.readFileSync(`/proc/${pid}/environ`, 'utf8').includes('Lifecycle'))).toEqual([]);
  });
});

describe('commands on this machine: --local', () => {
  test('Django: manage migrate --local, then the emulated function reads the migrated database', async () => {
    const { url } = await emulate('Emulated/Notes');
    expect((await get(url)).status).toBe(500); // no tables yet
    const migrate = await finished(cli(['manage', '--local', '--assembly', assembly, '--function', 'Emulated/Notes', 'migrate', '--noinput']));
    expect(migrate).toEqual({ code: 0, stdout: expect.stringContaining('Applying auth.0001_initial... OK'), stderr: '' });
    const created = await finished(cli(['exec', '--local', '--assembly', assembly, '--function', 'Emulated/Notes',
      '-c', 'from django.contrib.auth.models import User; User.objects.create_user("ada"); print(User.objects.count())']));
    expect(created).toEqual({ code: 0, stdout: '1\n', stderr: '' });
    const response = await get(url);
    expect({ status: response.status, body: response.body.toString() }).toEqual({ status: 200, body: 'users: 1' });
  });

  test('tasks lists the deploy tasks; tasks run --local runs them in order and stops at the first that fails', async () => {
    const listed = await finished(cli(['tasks', '--assembly', assembly, '--function', 'Emulated/Notes']));
    expect(listed).toEqual({ code: 0, stdout: expect.stringMatching(/^Emulated\/Notes's deploy tasks, in the order a deployment runs them:\n {2}1\. manage migrate --noinput\n {2}2\. python .*\n$/), stderr: '' });
    const ran = await finished(cli(['tasks', 'run', '--local', '--assembly', assembly, '--function', 'Emulated/Notes']));
    expect(ran.code).toBe(3);
    expect(ran.stdout).toMatch(/(No migrations to apply\.|Applying auth\.0001_initial\.\.\. OK)[\s\S]*checked\n$/);
    expect(ran.stderr.split('\n')).toEqual([
      'cdk-wsgi tasks: 1/2 \'manage migrate --noinput\' on this machine',
      expect.stringMatching(/^cdk-wsgi tasks: 2\/2 'python .*' on this machine$/),
      expect.stringMatching(/^cdk-wsgi tasks: 'python .*' exited with 3$/),
      '',
    ]);
  });

  test('a shell command\'s output and exit status, as the deployed form prints them; --python runs it with the sources', async () => {
    const shell = await finished(cli(['command', '--local', '--assembly', assembly, '--function', 'Emulated/Lifecycle', '--',
      'echo "$AWS_LAMBDA_FUNCTION_NAME in $PWD"; echo oops >&2; exit 3']));
    // Lambda's name for the function, and the task root: the function's asset.
    expect(shell).toEqual({ code: 3, stdout: expect.stringMatching(/^Lifecycle\w+ in .*asset\.\w+\n$/), stderr: 'oops\n' });
    const worker = await finished(cli(['exec', '--local', '--python', path.join(ROOT, '.venv', 'bin', 'python'), '--assembly', assembly,
      '--function', 'Emulated/Lifecycle', '-c', 'import app, os; print(os.path.basename(os.getcwd()))']));
    expect(worker).toEqual({ code: 0, stdout: 'lifecycle\n', stderr: '' });
  });
});

describe('bad input: one line naming the fix', () => {
  test('no cloud assembly', async () => {
    const ended = await finished(cli(['emulate', '--assembly', path.join(work, 'nowhere')]));
    expect(ended).toEqual({ code: 1, stdout: '', stderr: expect.stringMatching(/^cdk-wsgi emulate: no cloud assembly in .*nowhere: synthesize first \(`cdk synth`\), or pass --assembly DIR\n$/) });
  });

  test('several functions and no --function: the list to pick from', async () => {
    const ended = await finished(cli(['emulate', '--assembly', assembly]));
    expect(ended.code).toBe(1);
    expect(ended.stderr).toMatch(/^cdk-wsgi emulate: .*cdk\.out holds 6 WsgiApi functions; pick one with --function:\n {2}Example\/RestApp /);
  });

  test('a port in use', async () => {
    const server = net.createServer();
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const ended = await finished(cli(['emulate', '--assembly', assembly, '--function', 'Emulated/Lifecycle', '--port', String(port)]));
      expect(ended).toEqual({ code: 1, stdout: '', stderr: `cdk-wsgi emulate: port ${port} on 127.0.0.1 is in use; pick another with --port (0 picks a free one)\n` });
    } finally {
      server.close();
    }
  });

  test('a runtime with no CPython here, and none to fetch', async () => {
    // Python 3.10: neither on this machine nor in Debian unstable; the mirror is unreachable, so nothing is downloaded.
    const template = JSON.parse(fs.readFileSync(path.join(assembly, 'Emulated.template.json'), 'utf8'));
    const old = path.join(work, 'old.out');
    fs.cpSync(assembly, old, { recursive: true });
    for (const resource of Object.values<any>(template.Resources)) {
      if (resource.Type === 'AWS::Lambda::Function' && resource.Properties.Runtime === RUNTIME.name) resource.Properties.Runtime = 'python3.10';
    }
    fs.writeFileSync(path.join(old, 'Emulated.template.json'), JSON.stringify(template));
    // No pyenv (HOME elsewhere), nothing on PATH but the system's python3, an empty cache.
    const home = fs.mkdtempSync(path.join(work, 'home-'));
    const started = cli(['emulate', '--assembly', old, '--function', 'Emulated/Lifecycle', '--port', '0'], {
      HOME: home,
      PYENV_ROOT: '',
      CDK_WSGI_CACHE_DIR: path.join(home, 'cache'),
      CDK_WSGI_DEBIAN_MIRROR: 'http://127.0.0.1:9/debian',
      PATH: '/usr/bin:/bin',
    });
    await eventually(() => started.child.exitCode !== null || /at http/.test(started.stdout()), 'emulate to give up', 120_000);
    const ended = await finished(started);
    expect(ended).toEqual({
      code: 1,
      stdout: '',
      stderr: expect.stringMatching(/^cdk-wsgi emulate: no CPython 3\.10 found \(.*\), and fetching Debian's failed: cannot reach 127\.0\.0\.1 \(.*\): connect once, or install Python 3\.10 another way \(pyenv install 3\.10, uv python install 3\.10, or python\.org\)\n$/),
    });
  });
});
