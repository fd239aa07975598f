import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { eventually } from './loopback';
import { copyApp, EXAMPLE_APP, InProcessServer, PYTHON, runCli, SERVE_APP, startServe, stopCli, urlOf } from './serve-helpers';
import { ApiType, WsgiApi } from '../src';
import { selectFunction, settingsOf, templateFunctions } from '../src/cli/assembly';
import { settingsFromFlags } from '../src/cli/settings';
import * as contract from '../src/contracts/adapter-contract';

jest.setTimeout(60_000);

describe('cdk-wsgi serve: a function URL in front of the serve fixture, through the real adapter', () => {
  let app: InProcessServer;
  let url: string;
  beforeAll(async () => {
    app = await startServe(settingsFromFlags({ entry: SERVE_APP, module: 'app.app', apiType: 'function-url', timeout: '2' }));
    url = app.server.url;
  });
  afterAll(() => app.server.close());

  test('at the root, with an empty SCRIPT_NAME; the adapter sees a function URL event', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const res = await fetch(`${url}a%20b?x=1`, { headers: { Cookie: 'session=abc; theme=dark' } });
    expect(res.status).toBe(200);
    const shown: any = await res.json();
    expect(shown).toMatchObject({
      script_name: '',
      path_info: '/a b',
      query_string: 'x=1',
      host: new URL(url).host,
      source: 'function_url',
      // From `cookies`, not doubled by the cookie header the event also carries.
      cookie: 'session=abc; theme=dark',
      request_id: res.headers.get('x-amzn-requestid'),
    });
    expect(shown.event.rawPath).toBe('/a%20b');
    expect(shown.event.headers.cookie).toBe('session=abc; theme=dark');
    expect(shown.event.requestContext).toMatchObject({ accountId: 'anonymous', stage: '$default', http: { path: '/a b' } });
    expect(res.headers.getSetCookie()).toEqual(['first=1; Path=/', 'second=2; Path=/; HttpOnly']);
    expect(res.headers.get('x-repeated')).toBe('a, b');
  });

  test('binary bodies arrive base64 and intact; binary responses come back decoded whatever the Accept', async () => {
    const bytes = Buffer.from([...Array(256).keys()]);
    const upload: any = await (await fetch(url, { method: 'POST', body: bytes, headers: { 'Content-Type': 'application/octet-stream' } })).json();
    expect(upload).toMatchObject({ body_hex: bytes.toString('hex') });
    expect(upload.event.isBase64Encoded).toBe(true);
    const text: any = await (await fetch(url, { method: 'POST', body: 'plain', headers: { 'Content-Type': 'text/plain' } })).json();
    expect(text.event).toMatchObject({ body: 'plain', isBase64Encoded: false });
    const download = await fetch(`${url}bytes`, { headers: { Accept: 'text/html' } });
    expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);
  });

  test('past the function timeout: a 502 as a function URL answers, then a fresh worker', async () => {
    const res = await fetch(`${url}sleep/10`);
    expect(res.status).toBe(502);
    expect(await res.text()).toBe('Internal Server Error');
    expect(app.err()).toContain('Task timed out after 2.00 seconds');
    expect((await fetch(url)).status).toBe(200);
  });

  test('a request over Lambda\'s 6 MB: 413, and the terminal says why', async () => {
    const before = app.out.length;
    const res = await fetch(url, { method: 'POST', body: Buffer.alloc(6 * 1024 * 1024, 'a'), headers: { 'Content-Type': 'text/plain' } });
    expect(res.status).toBe(413);
    expect(res.headers.get('x-amzn-errortype')).toBe('RequestTooLargeException');
    expect(app.err()).toContain("over Lambda's limit of 6291456 bytes");
    await eventually(() => app.out.length > before, 'the request line');
    expect(app.out.slice(before).some(line => /^POST \/ 413 \d+ ms$/.test(line))).toBe(true);
  });

  test('the limit counts bytes: a text body of 3.5 million two-byte characters is over it', async () => {
    const res = await fetch(url, { method: 'POST', body: 'é'.repeat(3_500_000), headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
    expect(res.status).toBe(413);
    expect(app.err()).toMatch(/the event is 70\d{5} bytes, over Lambda's limit of 6291456 bytes/);
  });
});

describe('cdk-wsgi serve: a function URL in front of an app answering over 6 MB', () => {
  test('the adapter refuses it with a 502 that says why', async () => {
    const entry = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-big-'));
    fs.writeFileSync(path.join(entry, 'big.py'), [
      'def app(environ, start_response):',
      '    start_response("200 OK", [("Content-Type", "text/plain")])',
      '    return [b"x" * (7 * 1024 * 1024)]',
      '',
    ].join('\n'));
    fs.writeFileSync(path.join(entry, 'requirements.txt'), '');
    const big = await startServe(settingsFromFlags({ entry, module: 'big.app', apiType: 'function-url' }));
    try {
      const res = await fetch(big.server.url);
      expect(res.status).toBe(502);
      expect(await res.text()).toMatch(/^The response is \d+ bytes once encoded for a function URL, over its limit of 6291456 bytes\.$/);
    } finally {
      await big.server.close();
      fs.rmSync(entry, { recursive: true, force: true });
    }
  });
});

describe('cdk-wsgi serve: the example Flask app behind a function URL', () => {
  test('links without a stage; cookies and redirects as on the deployed URL', async () => {
    const example = await startServe(settingsFromFlags({ entry: EXAMPLE_APP, module: 'api:app', apiType: 'FUNCTION_URL' }));
    try {
      const url = example.server.url;
      const page = await (await fetch(url)).text();
      expect(page).toContain(`This page lives at <code>${url}</code>`);
      expect(page).toContain('href="/echo?greeting=hi&tag=a&tag=b"');
      const again = await fetch(url, { headers: { Cookie: 'visits=4' } });
      expect(await again.text()).toContain('Visit number 5.');
      expect(again.headers.getSetCookie()).toEqual(['visits=5; Secure; HttpOnly; Path=/; SameSite=Lax']);
      const redirect = await fetch(`${url}old`, { redirect: 'manual' });
      expect(redirect.status).toBe(302);
      expect(redirect.headers.get('location')).toBe('/');
    } finally {
      await example.server.close();
    }
  });
});

/** A cloud assembly with one WsgiApi behind a function URL, synthesized from the repo root as `cdk synth` would be. */
function functionUrlAssembly(entry: string): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-assembly-'));
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'ServeUrl');
  new WsgiApi(stack, 'Site', { entry: path.relative(process.cwd(), entry), module: 'app.app', apiType: ApiType.FUNCTION_URL });
  app.synth();
  return outdir;
}

describe('cdk-wsgi serve from a cloud assembly with a function URL front door', () => {
  const entry = copyApp(SERVE_APP);
  const assembly = functionUrlAssembly(entry);
  afterAll(() => {
    fs.rmSync(assembly, { recursive: true, force: true });
    fs.rmSync(path.dirname(entry), { recursive: true, force: true });
  });

  test('serves the function at the root, as its function URL calls it', async () => {
    const cli = runCli(['serve', '--assembly', assembly, '--port', '0', '--python', PYTHON, '--no-reload']);
    try {
      const url = await urlOf(cli);
      expect(cli.stdout()).toMatch(/^cdk-wsgi serve: ServeUrl\/Site \(Lambda function URL\) at http:\/\/127\.0\.0\.1:\d+\/\n/);
      expect(await (await fetch(`${url}hello`)).json()).toMatchObject({ script_name: '', path_info: '/hello', source: 'function_url' });
    } finally {
      expect(await stopCli(cli)).toBe(0);
    }
  });
});

describe('a function URL function in a template', () => {
  const functions = (apiType: string) => templateFunctions({
    Resources: {
      Fn: {
        Type: 'AWS::Lambda::Function',
        Metadata: { [contract.METADATA_KEY]: { entry: SERVE_APP, apiType, stageName: '$default' } },
        Properties: { Environment: { Variables: { [contract.ENV_APP]: 'app:app' } } },
      },
    },
  }, 'Stack', { stackName: 'Stack' }, '.');

  test('is served with no stage and no binary media types, and listed as a function URL', () => {
    const [fn] = functions(ApiType.FUNCTION_URL);
    expect(settingsOf(fn)).toMatchObject({ apiType: ApiType.FUNCTION_URL, stageName: '$default', binaryMediaTypes: undefined });
    expect(() => selectFunction([fn, fn], 'cdk.out')).toThrow('  Stack/Fn (Fn, function URL)');
  });

  test('a front door this version of the CLI does not know is refused by name', () => {
    expect(() => settingsOf(functions('WEBSOCKET')[0]))
      .toThrow("Stack/Fn's front door (WEBSOCKET) is not one this version of cdk-wsgi serves; update cdk-wsgi");
  });
});
