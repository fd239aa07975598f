import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { ExampleStack } from '../examples/example-stack';
import { BundlingMode } from '../src';
import { albEvent, functionUrlEvent, httpEvent, restEvent } from './example-events';
import { EmulatedFunction, Emulator, localPlatform, pythonFunctions } from './rie';
import { CommandAnswer, commandEvent } from '../src/contracts/adapter-contract';

/**
 * The example, bundled for this machine's platform, run by AWS's Lambda Runtime Interface Emulator and
 * Python runtime interface client (awslambdaric) the way Lambda runs it: the function asset as /var/task, the
 * adapter layer as /opt/python, the handler, variables, memory and timeout from the template. Real REST,
 * HTTP API, Function URL and ALB events go in through the Invoke API; what comes back is what those services
 * turn into the client's response.
 */
// Local bundling installs the example's wheels with pip (cached after the first run).
jest.setTimeout(240_000);

const ROOT = path.join(__dirname, '..');
const EXAMPLE_APP = path.join(ROOT, 'examples', 'flask-app');
// The example's 1x1 PNG, read from its source: the bytes a client must get back.
const PNG = Buffer.from(/b64decode\(\s*"([^"]+)"/.exec(fs.readFileSync(path.join(EXAMPLE_APP, 'api.py'), 'utf-8'))![1], 'base64');
const COOKIE = (visits: number) => `visits=${visits}; Secure; HttpOnly; Path=/; SameSite=Lax`;

function multipart(boundary: string, filename: string, content: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\n` +
      'Content-Type: image/png\r\n\r\n'),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
}

describe('the bundled example in the Lambda Runtime Interface Emulator', () => {
  const platform = localPlatform();
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-rie-'));
  let functions: Record<'rest' | 'http', EmulatedFunction>;
  // The front doors invoke each function's live alias; management commands, the HTTP function's manage alias.
  const emulators: Partial<Record<'rest' | 'http' | 'manage', Emulator>> = {};

  /** Invokes one function; the emulator must answer 200 with a payload (a function error would be JSON too). */
  async function invoke(which: 'rest' | 'http' | 'manage', event: object): Promise<any> {
    const { status, payload } = await emulators[which]!.invoke(event);
    expect(status).toBe(200);
    expect(payload.errorType).toBeUndefined();
    return payload;
  }

  beforeAll(async () => {
    const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
    new ExampleStack(app, 'Example', {
      platform: { architecture: platform.architecture, runtime: platform.runtime, bundlingMode: BundlingMode.LOCAL },
    });
    const found = pythonFunctions(app.synth(), 'Example');
    functions = {
      rest: found.find(fn => fn.logicalId.startsWith('RestApp'))!,
      http: found.find(fn => fn.logicalId.startsWith('HttpApp'))!,
    };
    // The emulator runs the code the front doors invoke: the version behind the live alias, which the manage alias
    // that management commands go through points to as well.
    expect([functions.rest.aliases, functions.http.aliases]).toEqual([['live', 'manage'], ['live', 'manage']]);
    emulators.rest = await Emulator.start(functions.rest, platform.python, { qualifier: 'live' });
    emulators.http = await Emulator.start(functions.http, platform.python, { qualifier: 'live' });
    emulators.manage = await Emulator.start(functions.http, platform.python, { qualifier: 'manage' });
  });

  afterAll(async () => {
    await Promise.all(Object.values(emulators).map(emulator => emulator.stop()));
    fs.rmSync(outdir, { recursive: true, force: true });
  });

  test('REST API: HTML with the cookie counted on, a PNG byte for byte, a binary upload and a redirect under the stage', async () => {
    const index = await invoke('rest', restEvent('GET', '/', {}, undefined, { Cookie: 'visits=2' }));
    expect(index).toEqual({
      statusCode: 200,
      multiValueHeaders: { 'Content-Type': ['text/html; charset=utf-8'], 'Content-Length': [expect.any(String)], 'Set-Cookie': [COOKIE(3)] },
      body: expect.stringContaining('href="/prod/echo?greeting=hi&tag=a&tag=b"'),
      isBase64Encoded: false,
    });

    const pixel = await invoke('rest', restEvent('GET', '/pixel.png', {}));
    expect(pixel).toMatchObject({ statusCode: 200, isBase64Encoded: true });
    expect(pixel.multiValueHeaders['Content-Type']).toEqual(['image/png']);
    expect(Buffer.from(pixel.body, 'base64')).toEqual(PNG);

    const upload = await invoke('rest', restEvent('POST', '/upload', {}, multipart('b0undary', 'pixel.png', PNG),
      { 'Content-Type': 'multipart/form-data; boundary=b0undary' }));
    expect(upload.statusCode).toBe(200);
    expect(JSON.parse(upload.body)).toEqual({ filename: 'pixel.png', size: PNG.length });

    const redirect = await invoke('rest', restEvent('GET', '/old', {}));
    expect(redirect.statusCode).toBe(302);
    expect(redirect.multiValueHeaders.Location).toEqual(['/prod/']);
  });

  test('HTTP API: cookies in and out through cookies[], headers as single strings, a text POST and a PNG', async () => {
    const index = await invoke('http', httpEvent('GET', '/', undefined, ['visits=4']));
    expect(index).toEqual({
      statusCode: 200,
      headers: { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': expect.any(String) },
      cookies: [COOKIE(5)],
      body: expect.stringContaining('<code>https://id.execute-api.us-east-1.amazonaws.com/</code>'),
      isBase64Encoded: false,
    });

    const echo = await invoke('http', httpEvent('POST', '/echo', 'héllo wörld'));
    expect(JSON.parse(echo.body)).toMatchObject({ method: 'POST', path: '/echo', script_root: '', body: 'héllo wörld' });

    const pixel = await invoke('http', httpEvent('GET', '/pixel.png'));
    expect(pixel).toMatchObject({ statusCode: 200, headers: { 'Content-Type': 'image/png' }, isBase64Encoded: true });
    expect(Buffer.from(pixel.body, 'base64')).toEqual(PNG);
  });

  test("Function URL: a real capture's JSON body, query and cookies reach the app", async () => {
    const echo = await invoke('http', functionUrlEvent('POST', '/echo'));
    expect(echo).toMatchObject({ statusCode: 200, headers: { 'Content-Type': 'application/json' }, cookies: [], isBase64Encoded: false });
    expect(JSON.parse(echo.body)).toEqual({
      method: 'POST',
      path: '/echo',
      script_root: '',
      args: { hello: ['world'], foo: ['bar'] },
      body: '{"hello": "world"}',
      remote_addr: '127.0.0.1',
      url: 'https://lambda-url-id.lambda-url.us-west-2.on.aws/echo?hello=world&foo=bar',
    });

    const index = await invoke('http', functionUrlEvent('GET', '/'));
    expect(index).toMatchObject({ statusCode: 200, cookies: [COOKIE(1)] });
  });

  test('ALB, single-value headers: statusDescription, headers and a PNG as the load balancer needs them', async () => {
    const index = await invoke('http', albEvent('alb.json', '/'));
    expect(index).toMatchObject({ statusCode: 200, statusDescription: '200 OK', isBase64Encoded: false });
    expect(index.multiValueHeaders).toBeUndefined();
    expect(index.headers).toMatchObject({ 'Content-Type': 'text/html; charset=utf-8', 'set-cookie': COOKIE(1) });
    // ALB forwarded plain HTTP on port 80 here, and the app builds its URLs so.
    expect(index.body).toContain('<code>http://lambda-test-alb-1334523864.us-east-1.elb.amazonaws.com/</code>');

    const pixel = await invoke('http', albEvent('alb.json', '/pixel.png'));
    expect(pixel).toMatchObject({ statusCode: 200, statusDescription: '200 OK', headers: { 'Content-Type': 'image/png' }, isBase64Encoded: true });
    expect(Buffer.from(pixel.body, 'base64')).toEqual(PNG);

    const redirect = await invoke('http', albEvent('alb.json', '/old'));
    expect(redirect).toMatchObject({ statusCode: 302, statusDescription: '302 FOUND', headers: { Location: '/' } });
  });

  test('ALB, multi-value headers: the answer uses multiValueHeaders, and the query and client address reach the app', async () => {
    const echo = await invoke('http', albEvent('alb-multi-value.json', '/echo'));
    expect(echo).toMatchObject({ statusCode: 200, statusDescription: '200 OK', isBase64Encoded: false });
    expect(echo.headers).toBeUndefined();
    expect(echo.multiValueHeaders['Content-Type']).toEqual(['application/json']);
    expect(JSON.parse(echo.body)).toMatchObject({
      args: { key: ['hello'] },
      remote_addr: '72.21.198.67',
      url: 'http://lambda-test-alb-1234567.us-east-1.elb.amazonaws.com/echo?key=hello',
    });
  });

  test('management commands through the Invoke API: the Flask CLI, Python and a shell, with their exit status', async () => {
    const routes: CommandAnswer = await invoke('manage', commandEvent('flask', ['routes']));
    expect(routes.exitCode).toBe(0);
    expect(routes.output.map(([stream]) => stream)).toEqual(['stdout']);
    expect(routes.output[0][1]).toMatch(/^Endpoint +Methods +Rule/);
    expect(routes.output[0][1]).toMatch(/^echo +GET, POST +\/echo *$/m);

    const python: CommandAnswer = await invoke('manage', commandEvent('python',
      'import sys, api; print(api.app.name); print("oops", file=sys.stderr); sys.exit(4)'));
    expect(python).toEqual({ exitCode: 4, output: [['stdout', 'api\n'], ['stderr', 'oops\n']], truncated: false });

    // The task root is the asset, as /var/task is on Lambda.
    const shell: CommandAnswer = await invoke('manage', commandEvent('shell', 'test -f api.py && echo found; exit 3'));
    expect(shell).toEqual({ exitCode: 3, output: [['stdout', 'found\n']], truncated: false });
  });

  test('a management command through the live alias is refused: invoking the app is not running code in it', async () => {
    const refused: CommandAnswer = await invoke('rest', commandEvent('shell', 'echo never'));
    expect(refused).toEqual({
      exitCode: 126,
      output: [['stderr', expect.stringMatching(/^cdk-wsgi: management commands run only through the function's 'manage' alias or a numbered version, and this one came through 'live'; .*api\.grantManage\(\)/)]],
      truncated: false,
    });
  });

  test("the runtime imported the asset's own Flask and compiled MarkupSafe, with no site-packages of this machine", () => {
    for (const which of ['rest', 'http'] as const) {
      const pid = emulators[which]!.runtimePid();
      expect(pid).toBeDefined();
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf-8').split('\0').filter(Boolean);
      expect(cmdline).toEqual([platform.python, '-S', '-m', 'awslambdaric', 'cdk_wsgi_adapter.handler']);
      expect(fs.realpathSync(`/proc/${pid}/exe`).startsWith(path.join(ROOT, '.venv'))).toBe(false);
      // The C speedups of MarkupSafe (imported by Flask through Jinja) are mapped from the function's asset.
      const speedups = fs.readFileSync(`/proc/${pid}/maps`, 'utf-8').split('\n')
        .map(line => line.split(/\s+/).slice(5).join(' ')).filter(file => /markupsafe\/_speedups/.test(file));
      expect(speedups.length).toBeGreaterThan(0);
      expect(speedups.every(file => file.startsWith(`${functions[which].codeDir}/`))).toBe(true);
    }
  });
});
