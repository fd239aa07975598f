import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DeleteFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { finished, LAMBDA_ROLE } from './cli-helpers';
import { eventually } from './loopback';
import { asUserWithoutPolicies, clientConfig, deployStack, MotoServer, putLogEvents, startMoto } from './moto';
import { Emulator, localPlatform, pythonFunctions } from './rie';
import { EXAMPLE_APP, ROOT, runCli } from './serve-helpers';
import { BundlingMode, WsgiApi } from '../src';

/**
 * `cdk-wsgi exec`, `command`, `manage`, `flask` and `logs` end to end, as a user runs them after `cdk synth` and
 * `cdk deploy`: the CLI reads cdk.out, looks the function up in the deployed stack (CloudFormation), invokes its
 * manage alias (Lambda) and reads its log group (CloudWatch Logs). Lambda is AWS's Runtime Interface Emulator running
 * the bundled function; CloudFormation and CloudWatch Logs are moto's server, holding the stacks as deployed.
 */
// Local bundling installs Django and Flask with pip (cached after the first run).
jest.setTimeout(240_000);

const DJANGO_PROJECT = path.join(ROOT, 'lib-python', 'tests', 'apps', 'djangoproject');
const DJANGO_VERSION = /^Django==(\S+)$/m.exec(fs.readFileSync(path.join(ROOT, 'lib-python', 'requirements-test.txt'), 'utf-8'))![1];
const FUNCTIONS = { django: 'Notes/Api', flask: 'Site/Web' };
// The RIE serves one function, under this name only.
const RIE_FUNCTION_NAME = 'function';

/** The deployed form of a synthesized function's stack, as much as moto's CloudFormation can create without Docker. */
function deployedForm(assembly: CloudAssembly, stackName: string): { template: any; logGroupName: string } {
  const template = assembly.getStackByName(stackName).template;
  const [logicalId, fn] = Object.entries<any>(template.Resources).find(([, r]) => r.Type === 'AWS::Lambda::Function' && r.Metadata?.['cdk-wsgi'])!;
  const logGroupId: string = fn.Properties.LoggingConfig.LogGroup.Ref;
  const logGroupName = `/cdk-wsgi-test/${stackName}`;
  return {
    logGroupName,
    template: {
      Resources: {
        Role: LAMBDA_ROLE,
        [logGroupId]: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: logGroupName } },
        [logicalId]: {
          Type: 'AWS::Lambda::Function',
          Metadata: fn.Metadata,
          Properties: {
            FunctionName: RIE_FUNCTION_NAME,
            Runtime: fn.Properties.Runtime,
            Handler: fn.Properties.Handler,
            Role: { 'Fn::GetAtt': ['Role', 'Arn'] },
            Code: { ZipFile: 'def handler(event, context): pass\n' },
            LoggingConfig: { LogGroup: { Ref: logGroupId } },
          },
        },
      },
    },
  };
}


describe('remote commands against the emulated function and a deployed stack', () => {
  const platform = localPlatform();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-remote-'));
  const outdir = path.join(work, 'cdk.out');
  const database = path.join(work, 'notes.sqlite3');
  let moto: MotoServer;
  const emulators: Emulator[] = [];
  let env: Record<'django' | 'flask', NodeJS.ProcessEnv>;
  let logGroupName: string;

  /** `cdk-wsgi <command> --function <which> <args>` in the folder holding cdk.out, as after `cdk synth`. */
  const cli = (which: 'django' | 'flask', [command, ...args]: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}) =>
    finished(runCli([command, '--function', FUNCTIONS[which], ...args], { cwd: work, env: { ...env[which], ...options.env }, input: options.input }));

  beforeAll(async () => {
    const entry = path.join(work, 'django-app');
    fs.cpSync(DJANGO_PROJECT, entry, { recursive: true });
    fs.writeFileSync(path.join(entry, 'requirements.txt'), `Django==${DJANGO_VERSION}\n`);
    // Path metadata as `cdk synth` and `cdk deploy` write it: the deployed template names each construct.
    const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true, 'aws:cdk:enable-path-metadata': true } });
    // Built for this machine's Python, which runs it in the emulator.
    const functionPlatform = { architecture: platform.architecture, runtime: platform.runtime, bundlingMode: BundlingMode.LOCAL };
    // Two regions, so that each stack's function can have the one name the emulator serves.
    new WsgiApi(new Stack(app, 'Notes', { env: { account: '123456789012', region: 'us-east-1' } }), 'Api', {
      entry,
      module: 'djangoproject.wsgi.application',
      ...functionPlatform,
      environment: { NOTES_DATABASE: database },
    });
    new WsgiApi(new Stack(app, 'Site', { env: { account: '123456789012', region: 'us-west-2' } }), 'Web', {
      entry: EXAMPLE_APP,
      module: 'api.app',
      ...functionPlatform,
      timeout: Duration.seconds(3),
    });
    const assembly = app.synth();

    moto = await startMoto();
    const notes = deployedForm(assembly, 'Notes');
    logGroupName = notes.logGroupName;
    await deployStack(moto, 'Notes', notes.template, 'us-east-1');
    await deployStack(moto, 'Site', deployedForm(assembly, 'Site').template, 'us-west-2');

    const lambdaEndpoint = async (stack: string) => {
      // The CLI invokes the manage alias, the one qualifier besides a version number the adapter runs commands for.
      const emulator = await Emulator.start(pythonFunctions(assembly, stack)[0], platform.python, { qualifier: 'manage' });
      emulators.push(emulator);
      return `http://127.0.0.1:${emulator.port}`;
    };
    // The user's environment: credentials, and no region (each stack names its own).
    const base = { ...moto.env, AWS_REGION: '', AWS_DEFAULT_REGION: '' };
    env = {
      django: { ...base, AWS_ENDPOINT_URL_LAMBDA: await lambdaEndpoint('Notes') },
      flask: { ...base, AWS_ENDPOINT_URL_LAMBDA: await lambdaEndpoint('Site') },
    };
  });

  afterAll(async () => {
    await Promise.all(emulators.map(emulator => emulator.stop()));
    await moto?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('manage migrate, then a management command and manage shell read the table back', async () => {
    const migrate = await cli('django', ['manage', 'migrate', '--noinput']);
    expect(migrate).toMatchObject({ code: 0, stderr: '' });
    expect(migrate.stdout).toMatch(/Applying notes\.0001_initial\.\.\. OK/);
    expect(fs.existsSync(database)).toBe(true);

    expect(await cli('django', ['manage', 'addnote', 'first light'])).toEqual({ code: 0, stdout: 'added note 1\n', stderr: '(to stderr)\n' });
    const empty = await cli('django', ['manage', 'addnote', ' ']);
    expect(empty).toMatchObject({ code: 3, stdout: '' });
    expect(empty.stderr).toContain('a note needs some text');

    const read = await cli('django', ['manage', 'shell', '--no-imports', '-c', 'from notes.models import Note; print(list(Note.objects.values_list("text", flat=True)))']);
    expect(read).toEqual({ code: 0, stdout: "['first light']\n", stderr: '' });
  });

  test('manage passes --help on to Django', async () => {
    const help = await cli('django', ['manage', 'migrate', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Updates database schema');
  });

  test('flask routes, with the app loaded', async () => {
    const routes = await cli('flask', ['flask', 'routes']);
    expect(routes.code).toBe(0);
    expect(routes.stdout).toMatch(/^Endpoint\s+Methods\s+Rule/);
    expect(routes.stdout).toMatch(/echo\s+GET, POST\s+\/echo/);
  });

  test('exec: the code\'s streams in order, its exit status, from -c, a file or standard input', async () => {
    const code = 'import sys\nprint("to out")\nprint("to err", file=sys.stderr)\nsys.exit(3)\n';
    expect(await cli('django', ['exec', '-c', code])).toEqual({ code: 3, stdout: 'to out\n', stderr: 'to err\n' });
    fs.writeFileSync(path.join(work, 'script.py'), 'import django\nprint(django.get_version())\n');
    expect(await cli('django', ['exec', 'script.py'])).toEqual({ code: 0, stdout: `${DJANGO_VERSION}\n`, stderr: '' });
    expect(await cli('django', ['exec', '-'], { input: 'raise SystemExit("bye")\n' })).toEqual({ code: 1, stdout: '', stderr: 'bye\n' });
  });

  test('command: a shell command in the app\'s folder, with its exit status', async () => {
    expect(await cli('django', ['command', 'test -f djangoproject/settings.py && echo found; exit 5']))
      .toEqual({ code: 5, stdout: 'found\n', stderr: '' });
    expect(await cli('django', ['command', '--', 'echo', 'one', 'two', '>&2'])).toEqual({ code: 0, stdout: '', stderr: 'one two\n' });
  });

  test('output past Lambda\'s response limit keeps its start and end and says what was cut', async () => {
    const big = await cli('django', ['exec', '-c', 'import sys\nsys.stdout.write("a" * 7_000_000)\nprint("end")']);
    expect(big.code).toBe(0);
    expect(big.stdout.startsWith('a'.repeat(1000))).toBe(true);
    expect(big.stdout.endsWith('aend\n')).toBe(true);
    const cut = Number(/^\n\[cdk-wsgi: (\d+) bytes of output cut here, to fit Lambda's 6 MB response limit\]\n$/.exec(big.stderr)?.[1]);
    // All of it arrives, but for what was cut: nothing is lost between the function and the terminal.
    expect(big.stdout.length).toBe(7_000_004 - cut);
    expect(big.stdout.length).toBeLessThan(6 * 1024 * 1024);
  });

  test('--stack reads the deployed stack\'s template instead of cdk.out', async () => {
    fs.renameSync(outdir, `${outdir}.away`);
    try {
      expect(await cli('django', ['exec', '--stack', 'Notes', '--region', 'us-east-1', '-c', 'print("hi")']))
        .toEqual({ code: 0, stdout: 'hi\n', stderr: '' });
      const none = await cli('django', ['exec', '-c', 'print("hi")']);
      expect(none.code).toBe(1);
      expect(none.stderr).toBe('cdk-wsgi exec: no cloud assembly in cdk.out: synthesize first (`cdk synth`), or name the deployed stack with --stack\n');
    } finally {
      fs.renameSync(`${outdir}.away`, outdir);
    }
  });

  test('a command past the function\'s timeout: the adapter stops it a second before, keeping its output', async () => {
    const slow = await cli('flask', ['exec', '-c', 'import time\nprint("started", flush=True)\ntime.sleep(10)']);
    expect(slow).toEqual({
      code: 124,
      stdout: 'started\n',
      stderr: expect.stringMatching(/^\ncdk-wsgi: stopped the command after \d+\.\d s, as the function was about to time out\n$/),
    });
  });

  test('a command that outlives the adapter\'s deadline, reaching the function\'s timeout: one line saying so', async () => {
    // It swallows the adapter's interruption, so Lambda's timeout ends the invocation (bounded: 100 naps at most).
    const code = 'import time\nfor _ in range(100):\n    try:\n        time.sleep(10)\n    except BaseException:\n        pass';
    const slow = await cli('flask', ['exec', '-c', code]);
    expect(slow).toEqual({ code: 1, stdout: '', stderr: expect.stringMatching(/^cdk-wsgi exec: the command was stopped at the function's 3 s timeout; [^\n]+\n$/) });
  });

  test('a stack that is not deployed, and a function without its live alias: one line each', async () => {
    const missing = await cli('django', ['exec', '--stack', 'Nowhere', '--region', 'us-east-1', '-c', 'pass']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^cdk-wsgi exec: Stack with id Nowhere does not exist in us-east-1: deploy it \(cdk deploy\)[^\n]*\n$/);

    // The stack still names the function, but it was deleted behind CloudFormation's back.
    await new LambdaClient(clientConfig(moto, 'us-east-1')).send(new DeleteFunctionCommand({ FunctionName: RIE_FUNCTION_NAME }));
    const deleted = await cli('django', ['exec', '-c', 'pass'], { env: { AWS_ENDPOINT_URL_LAMBDA: moto.url } });
    expect(deleted.code).toBe(1);
    expect(deleted.stderr).toMatch(/^cdk-wsgi exec: [^\n]*not found[^\n]* in us-east-1: deploy the app \(cdk deploy\)[^\n]*\n$/i);
  });

  test('a user whose policies allow nothing: one line naming what was refused and the fix', async () => {
    const refused = await asUserWithoutPolicies(dev => cli('django', ['manage', 'migrate'], { env: dev }));
    expect(refused).toEqual({
      code: 1,
      stdout: '',
      stderr: 'cdk-wsgi manage: User: arn:aws:iam::123456789012:user/dev is not authorized to perform: cloudformation:DescribeStackResource; '
        + 'grant what the commands need with api.grantManage(<role or user>) in the CDK app, and deploy\n',
    });
  });

  test('logs prints the log group\'s events since a time, and follows new ones', async () => {
    const now = Date.now();
    await putLogEvents(moto, logGroupName, 'stream-a', ['START RequestId: 1', 'hello from the app'], [now - 60_000, now - 59_000], 'us-east-1');
    await putLogEvents(moto, logGroupName, 'stream-b', ['an older line'], [now - 3 * 3600_000], 'us-east-1');
    const recent = await cli('django', ['logs', '--since', '1h']);
    expect(recent.code).toBe(0);
    expect(recent.stdout.split('\n').filter(Boolean).map(line => line.replace(/^\S+ /, ''))).toEqual(['START RequestId: 1', 'hello from the app']);

    // The line is put once the follower has printed the older ones, however long the CLI takes to start: a new event.
    const follow = runCli(['logs', '--function', FUNCTIONS.django, '--follow', '--since', '10m'], { cwd: work, env: env.django });
    await eventually(() => follow.stdout().includes('hello from the app'), 'the first poll', 30_000);
    await putLogEvents(moto, logGroupName, 'stream-a', ['a new line'], [Date.now()], 'us-east-1');
    await eventually(() => follow.stdout().includes('a new line'), 'the followed event', 30_000);
    follow.child.kill('SIGINT');
    expect(await follow.exited).toBe(0);
    expect(follow.stdout().match(/a new line/g)).toEqual(['a new line']);
  });
});
