import { spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { BundlingMode, WsgiApi, WsgiTask } from '../src';
import { Emulator, localPlatform, pythonFunctions } from './rie';
import { ENV_DEPLOY_TARGET, ENV_DEPLOY_TASKS } from '../src/contracts/deploy-task-contract';
import { handler, runDeployTasks } from '../src/deploy-task-runner/deploy-task-runner';
import { commandClient } from '../src/deploy-task-runner/run-command';
import { deployTasksJson } from '../src/private/deploy-tasks';
import { RUNNER_HANDLER } from '../src/private/runner-asset';

/**
 * The deploy-task runner's handler, as the trigger invokes it, against a real Django project (a model and its
 * migration, SQLite where /tmp would be) bundled through WsgiApi for this machine and run by AWS's Lambda Runtime
 * Interface Emulator. The AWS SDK reaches the emulator through AWS_ENDPOINT_URL_LAMBDA; the emulator serves one
 * function, under the name `function`, which stands for the version's ARN.
 */
// Local bundling installs Django with pip (cached after the first run).
jest.setTimeout(240_000);

const ROOT = path.join(__dirname, '..');
const DJANGO_PROJECT = path.join(ROOT, 'lib-python', 'tests', 'apps', 'djangoproject');
// The Django the adapter's own tests run with.
const DJANGO = fs.readFileSync(path.join(ROOT, 'lib-python', 'requirements-test.txt'), 'utf-8').match(/^Django==.+$/m)![0];

// What the app's deployTasks run: its migration, then commands that need the table it creates.
const TASKS = [
  WsgiTask.manage('migrate', '--noinput'),
  WsgiTask.manage('addnote', 'from a deploy task'),
  WsgiTask.manage('shell', '-c', 'from notes.models import Note; print([n.text for n in Note.objects.order_by("id")])'),
];

describe('deploy tasks run by the runner in the Lambda Runtime Interface Emulator', () => {
  const platform = localPlatform();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-deploy-tasks-'));
  const savedEnv = { ...process.env };
  let emulator: Emulator;
  let synthesizedTasks: string;
  let runnerAsset: string;
  let logged: string[];

  /** The runner's environment in Lambda, and the SDK's pointed at the emulator with dummy credentials. */
  function runnerEnvironment(tasks: string, endpoint = `http://127.0.0.1:${emulator.port}`) {
    for (const name of Object.keys(process.env).filter(n => n.startsWith('AWS_'))) delete process.env[name];
    Object.assign(process.env, {
      [ENV_DEPLOY_TARGET]: 'function',
      [ENV_DEPLOY_TASKS]: tasks,
      AWS_ENDPOINT_URL_LAMBDA: endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'not-a-secret',
    });
  }

  beforeAll(async () => {
    const entry = path.join(work, 'app');
    fs.cpSync(DJANGO_PROJECT, entry, { recursive: true, filter: source => !source.includes('__pycache__') });
    fs.writeFileSync(path.join(entry, 'requirements.txt'), `${DJANGO}\n`);
    const app = new App({ outdir: path.join(work, 'cdk.out'), context: { 'aws:cdk:enable-asset-metadata': true } });
    const stack = new Stack(app, 'Notes');
    new WsgiApi(stack, 'Notes', {
      entry,
      module: 'djangoproject.wsgi.application',
      runtime: platform.runtime,
      architecture: platform.architecture,
      bundlingMode: BundlingMode.LOCAL,
      environment: { NOTES_DATABASE: path.join(work, 'notes.sqlite3') },
      deployTasks: TASKS,
    });
    const assembly = app.synth();
    const resources: Record<string, any> = assembly.getStackByName('Notes').template.Resources;
    const runner = Object.values(resources).find(r => r.Properties?.Handler === RUNNER_HANDLER);
    synthesizedTasks = runner.Properties.Environment.Variables[ENV_DEPLOY_TASKS];
    runnerAsset = path.join(assembly.directory, runner.Metadata['aws:asset:path']);
    const [fn] = pythonFunctions(assembly, 'Notes');
    // The runner invokes the new version by its number, which the adapter accepts commands through.
    emulator = await Emulator.start(fn, platform.python, { qualifier: '1' });
  });

  beforeEach(() => {
    logged = [];
    jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => { logged.push(args.join(' ')); });
  });

  afterEach(() => {
    jest.restoreAllMocks();
    process.env = { ...savedEnv };
  });

  afterAll(async () => {
    await emulator?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('the synthesized tasks run in order: migrate, then a command writing a note, then one reading the table', async () => {
    runnerEnvironment(synthesizedTasks);
    await handler();

    // Each task's label and exit code, then its output as written (stdout and stderr interleaved).
    const results = logged.filter(line => / exited with /.test(line));
    expect(results).toEqual([
      "deploy task 'manage migrate --noinput' exited with 0:\n"
        + 'Operations to perform:\n  Apply all migrations: notes\nRunning migrations:\n  Applying notes.0001_initial... OK\n',
      "deploy task 'manage addnote from a deploy task' exited with 0:\nadded note 1\n(to stderr)\n",
      expect.stringMatching(/^deploy task 'manage shell -c from notes\.models import Note; .*…' exited with 0:\n/),
    ]);
    expect(results[2]).toMatch(/\n\['from a deploy task'\]\n$/);
    expect(logged.at(-1)).toBe('3 deploy task(s) succeeded in function');
  });

  test('a failing task rejects with its label, exit code and output; the tasks after it do not run', async () => {
    const before = path.join(work, 'before');
    const after = path.join(work, 'after');
    runnerEnvironment(deployTasksJson([
      WsgiTask.python(`open(${JSON.stringify(before)}, "w").write("ran")`),
      WsgiTask.shell(`test -f ${before} && echo boom >&2; exit 3`),
      WsgiTask.python(`open(${JSON.stringify(after)}, "w").write("ran")`),
    ]));

    await expect(handler()).rejects.toThrow(
      new Error(`deploy task 'shell test -f ${before} && echo boom >&2; exit 3' exited with 3:\nboom\n`));
    expect(fs.readFileSync(before, 'utf-8')).toBe('ran');
    expect(fs.existsSync(after)).toBe(false);
    expect(logged.some(line => line.startsWith('deploy task 3/3'))).toBe(false);
  });

  test('the error keeps the end of a long output, within what CloudFormation can report', async () => {
    runnerEnvironment(deployTasksJson([
      WsgiTask.python('import sys\nfor i in range(2000): print(f"line {i} é")\nsys.exit("the end")'),
    ]));

    const error: Error = await handler().then(() => { throw new Error('resolved'); }, e => e);
    expect(error.message.startsWith("deploy task 'python import sys for i in range(2000): print(f\"line {i} é\") sys.exit(\"the end\")' exited with 1:\n…")).toBe(true);
    expect(error.message.endsWith('line 1999 é\nthe end\n')).toBe(true);
    // What the trigger reports: the message and the stack, which repeats only the first line.
    expect(error.stack).toBe(`Error: ${error.message.split(':\n')[0]}`);
    expect(Buffer.byteLength(JSON.stringify(error.message))).toBeLessThan(2_300);
    // The whole output is in the log.
    expect(logged.join('\n')).toContain('line 0 é\nline 1 é\n');
  });

  // Lambda answers a crashed runtime with 200 and a FunctionError (run-command's CommandFailedError); the emulator
  // answers 502, an error of the SDK's. Either way the invocation failed, and the runner says which task it was.
  test('a task whose invocation fails (the runtime exits) rejects with its label', async () => {
    runnerEnvironment(deployTasksJson([WsgiTask.python('import os; os._exit(9)'), WsgiTask.shell('true')]));

    await expect(handler()).rejects.toThrow(/^deploy task 'python import os; os._exit\(9\)' failed: /);
    expect(logged.some(line => line.startsWith('deploy task 2/2'))).toBe(false);
  });

  // Lambda loads the asset's files as they are, with the AWS SDK its Node.js runtime provides: a file the runner
  // requires and the asset lacks fails here. The staged sources run as the package's compiled files would.
  test('the staged asset runs on its own, with nothing of the library but its files', async () => {
    const [file, name] = RUNNER_HANDLER.split(/\.(?=[^.]+$)/);
    const run = await runNode(`require(${JSON.stringify(path.join(runnerAsset, file))}).${name}()`
      + '.catch(error => { console.error(error); process.exitCode = 1; })', {
      [ENV_DEPLOY_TARGET]: 'function',
      [ENV_DEPLOY_TASKS]: deployTasksJson([WsgiTask.shell('echo from the staged runner')]),
      AWS_ENDPOINT_URL_LAMBDA: `http://127.0.0.1:${emulator.port}`,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'not-a-secret',
    });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout).toContain("deploy task 'shell echo from the staged runner' exited with 0:\nfrom the staged runner\n");
    expect(run.stdout).toContain('1 deploy task(s) succeeded in function');
  });

  describe('while IAM has not caught up with the runner\'s permission', () => {
    let proxy: http.Server;
    let denials: number;

    /** Answers the first `denials` invocations as Lambda does without permission, then passes them to the emulator. */
    beforeAll(async () => {
      proxy = http.createServer((request, response) => {
        if (denials > 0) {
          denials--;
          request.resume();
          response.writeHead(403, { 'Content-Type': 'application/json', 'x-amzn-ErrorType': 'AccessDeniedException' });
          response.end(JSON.stringify({ Type: 'User', Message: 'not authorized to perform: lambda:InvokeFunction' }));
          return;
        }
        const target = { host: '127.0.0.1', port: emulator.port, path: request.url, method: request.method };
        const upstream = http.request({ ...target, headers: request.headers, timeout: 60_000 }, answer => {
          response.writeHead(answer.statusCode!, answer.headers);
          answer.pipe(response);
        });
        upstream.on('error', () => response.destroy());
        request.pipe(upstream);
      });
      await new Promise<void>(resolve => proxy.listen(0, '127.0.0.1', resolve));
    });

    afterAll(async () => {
      await new Promise(resolve => proxy.close(resolve));
    });

    const endpoint = () => `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
    const tasks = () => deployTasksJson([WsgiTask.shell('echo once')]);

    test('an AccessDeniedException is retried, and the task runs once', async () => {
      denials = 2;
      runnerEnvironment(tasks(), endpoint());
      await runDeployTasks(commandClient(), process.env, { attempts: 3, delayMs: 10 });
      expect(logged.filter(line => line.includes('access denied, retrying'))).toHaveLength(2);
      expect(logged).toContain("deploy task 'shell echo once' exited with 0:\nonce\n");
    });

    test('until the attempts run out', async () => {
      denials = 3;
      runnerEnvironment(tasks(), endpoint());
      await expect(runDeployTasks(commandClient(), process.env, { attempts: 3, delayMs: 10 })).rejects.toThrow(
        "deploy task 'shell echo once' failed: AccessDeniedException: not authorized to perform: lambda:InvokeFunction");
    });
  });
});

/**
 * Runs `code` in a Node.js process of its own, in an empty folder, that can load TypeScript as Lambda loads JavaScript
 * and resolves packages only from this repository's node_modules, standing in for the runtime's AWS SDK.
 */
function runNode(code: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-runner-'));
  const child = spawn(process.execPath, ['-r', require.resolve('ts-node/register/transpile-only'), '-e', code], {
    cwd,
    env: {
      PATH: process.env.PATH,
      NODE_PATH: path.join(ROOT, 'node_modules'),
      // Compiled as the library is; without the SDK's notice that it will need a newer Node.js than this machine's.
      TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json'),
      NODE_NO_WARNINGS: '1',
      ...env,
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', chunk => { stdout += chunk; });
  child.stderr.on('data', chunk => { stderr += chunk; });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', exitCode => {
      fs.rmSync(cwd, { recursive: true, force: true });
      resolve({ code: exitCode, stdout, stderr });
    });
  });
}
