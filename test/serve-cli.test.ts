import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Aws, Stack } from 'aws-cdk-lib';
import { ApiType, WsgiApi } from '../src';
import { logicalId } from './helpers';
import { eventually } from './loopback';
import { EXAMPLE_APP, PYTHON, ROOT, runCli, SERVE_APP, stopCli, urlOf } from './serve-helpers';

jest.setTimeout(60_000);

/**
 * A cloud assembly with a REST and an HTTP WsgiApi on the serve fixture, synthesized from the repo root as `cdk synth`
 * would be, and the HTTP API's function's logical ID.
 */
function synthAssembly(): { assembly: string; httpFunctionId: string } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-assembly-'));
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'ServeTest');
  const entry = path.relative(process.cwd(), SERVE_APP);
  new WsgiApi(stack, 'Rest', {
    entry,
    module: 'app.app',
    stageName: 'v1',
    environment: { GREETING: 'hello from the template', REGION_AT_DEPLOY: Aws.REGION },
  });
  const http = new WsgiApi(stack, 'Http', { entry, module: 'app:app', apiType: ApiType.HTTP });
  app.synth();
  return { assembly: outdir, httpFunctionId: logicalId(http.lambdaFunction) };
}

describe('cdk-wsgi serve from a cloud assembly', () => {
  const { assembly, httpFunctionId } = synthAssembly();
  afterAll(() => fs.rmSync(assembly, { recursive: true, force: true }));

  test('serves the function --function names, with its stage and literal environment variables', async () => {
    const cli = runCli(['serve', '--assembly', assembly, '--function', 'ServeTest/Rest', '--port', '0', '--python', PYTHON]);
    try {
      const url = await urlOf(cli);
      expect(cli.stdout()).toMatch(/^cdk-wsgi serve: ServeTest\/Rest \(REST API, stage v1\) at http:\/\/127\.0\.0\.1:\d+\/v1\/\n/);
      await eventually(() => cli.stdout().includes('REGION_AT_DEPLOY get their values at deploy time'), 'the deploy-time warning', 5_000);
      const shown = await (await fetch(`${url}hello`)).json();
      expect(shown).toMatchObject({ script_name: '/v1', path_info: '/hello', greeting: 'hello from the template', cdk_wsgi_variables: [] });
    } finally {
      expect(await stopCli(cli)).toBe(0);
    }
  });

  test('picks a function by logical ID too, and serves an HTTP API', async () => {
    const cli = runCli(['serve', '--assembly', assembly, '--function', httpFunctionId, '--port', '0', '--python', PYTHON, '--no-reload']);
    try {
      const url = await urlOf(cli);
      expect(cli.stdout()).toContain('ServeTest/Http (HTTP API, $default stage)');
      expect(await (await fetch(`${url}x`)).json()).toMatchObject({ script_name: '', path_info: '/x', source: 'http_v2' });
    } finally {
      await stopCli(cli);
    }
  });

  test('with several functions and no --function, lists them and exits 1', async () => {
    const cli = runCli(['serve', '--assembly', assembly]);
    expect(await cli.exited).toBe(1);
    expect(cli.stderr()).toContain('holds 2 WsgiApi functions; pick one with --function:');
    expect(cli.stderr()).toMatch(/ServeTest\/Rest \(RestFunction\w+, REST API\)/);
    expect(cli.stderr()).toMatch(/ServeTest\/Http \(HttpFunction\w+, HTTP API\)/);
  });

  test('without an assembly, says how to make one', async () => {
    const cli = runCli(['serve'], { cwd: os.tmpdir() });
    expect(await cli.exited).toBe(1);
    expect(cli.stderr()).toContain('no cloud assembly in cdk.out: synthesize first (`cdk synth`), or pass --entry and --module');
  });
});

describe('cdk-wsgi serve from flags', () => {
  test('prints the URL, serves the example, and stops cleanly on Ctrl+C', async () => {
    const cli = runCli(['serve', '--entry', path.relative(ROOT, EXAMPLE_APP), '--module', 'api:app', '--api-type', 'http', '--port', '0'],
      { env: { CDK_WSGI_PYTHON: PYTHON } });
    const url = await urlOf(cli);
    expect(cli.stdout()).toMatch(/^cdk-wsgi serve: api:app \(HTTP API, \$default stage\) at http:\/\/127\.0\.0\.1:\d+\/\n/);
    expect(await (await fetch(`${url}echo`)).json()).toMatchObject({ path: '/echo', script_root: '' });
    await fetch(`${url}echo?x=1`);
    expect(await stopCli(cli)).toBe(0);
    expect(cli.stdout()).toMatch(/GET \/echo\?x=1 200 \d+ ms\n/);
  });

  test('mistakes exit with a message: 2 for the command line, 1 for the app or the machine', async () => {
    const cases: Array<[string[], number, string]> = [
      [['serve', '--port', 'eighty'], 2, "--port must be a port number from 0 to 65535, got 'eighty'"],
      [['serve', '--entry', 'x'], 2, '--entry and --module go together'],
      [['serve', '--stage', 'v1'], 2, '--stage needs --entry and --module'],
      [['serve', '--verbose'], 2, "Unknown option '--verbose'"],
      [['deploy'], 2, "unknown command 'deploy'"],
      [['serve', '--entry', 'nowhere', '--module', 'api.app'], 1, 'entry must be an existing folder'],
      [['serve', '--entry', 'examples/flask-app', '--module', 'api.app', '--api-type', 'soap'], 1, "--api-type must be rest, http, function-url or alb, got 'soap'"],
      [['serve', '--entry', 'examples/flask-app', '--module', 'api.app', '--python', '/nonexistent/python3'], 1, 'cannot run /nonexistent/python3'],
    ];
    // Each start of the CLI compiles its sources: run them side by side.
    const results = await Promise.all(cases.map(async ([args]) => {
      const cli = runCli(args);
      return { code: await cli.exited, stderr: cli.stderr() };
    }));
    results.forEach((result, i) => {
      expect({ args: cases[i][0], code: result.code }).toEqual({ args: cases[i][0], code: cases[i][1] });
      expect(result.stderr).toContain(cases[i][2]);
    });
  });

  test('--help describes every option', async () => {
    const cli = runCli(['serve', '--help']);
    expect(await cli.exited).toBe(0);
    for (const option of ['--assembly', '--function', '--entry', '--module', '--api-type', '--stage', '--port', '--host', '--python', '--no-reload']) {
      expect(cli.stdout()).toContain(option);
    }
  });
});

describe('cdk-wsgi', () => {
  test('an unknown or missing command, or a wrong flag, prints the usage and exits 2 without serving', async () => {
    const cases: Array<[string[], string, string]> = [
      [['frobnicate'], "cdk-wsgi: unknown command 'frobnicate'", 'Usage: cdk-wsgi <command>'],
      [[], 'cdk-wsgi: name a command', 'Usage: cdk-wsgi <command>'],
      [['--port', '0'], "cdk-wsgi: unknown command '--port'", 'Usage: cdk-wsgi <command>'],
      [['help', 'frobnicate'], "cdk-wsgi: unknown command 'frobnicate'", 'Usage: cdk-wsgi <command>'],
      [['serve', '--frobnicate'], "cdk-wsgi serve: Unknown option '--frobnicate'", 'Usage: cdk-wsgi serve [options]'],
      [['serve', 'extra'], "cdk-wsgi serve: Unexpected argument 'extra'", 'Usage: cdk-wsgi serve [options]'],
    ];
    const results = await Promise.all(cases.map(async ([args]) => {
      const cli = runCli(args);
      return { code: await cli.exited, stdout: cli.stdout(), stderr: cli.stderr() };
    }));
    results.forEach((result, i) => {
      const [args, message, usage] = cases[i];
      expect({ args, code: result.code, stdout: result.stdout }).toEqual({ args, code: 2, stdout: '' });
      expect(result.stderr).toContain(message);
      expect(result.stderr).toContain(usage);
    });
  });

  test('--help, -h and help [command] print the usage they ask for and exit 0', async () => {
    const cases: Array<[string[], string]> = [
      [['--help'], 'Usage: cdk-wsgi <command>'],
      [['-h'], 'Usage: cdk-wsgi <command>'],
      [['help'], 'Usage: cdk-wsgi <command>'],
      [['help', 'serve'], 'Usage: cdk-wsgi serve [options]'],
      [['serve', '-h'], 'Usage: cdk-wsgi serve [options]'],
      [['serve', '--port', '0', '--help'], 'Usage: cdk-wsgi serve [options]'],
    ];
    const results = await Promise.all(cases.map(async ([args]) => {
      const cli = runCli(args);
      return { code: await cli.exited, stdout: cli.stdout() };
    }));
    results.forEach((result, i) => {
      expect({ args: cases[i][0], code: result.code }).toEqual({ args: cases[i][0], code: 0 });
      expect(result.stdout.startsWith(cases[i][1])).toBe(true);
    });
    expect(results[0].stdout).toMatch(/^ {2}serve {6}run a WsgiApi's app/m);
  });
});
