import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { eventually } from './loopback';
import { PYTHON, runCli, SERVE_APP, startServe, stopCli, urlOf, InProcessServer } from './serve-helpers';
import { ApiType } from '../src';
import { selectFunction, settingsOf, templateFunctions } from '../src/cli/assembly';
import { settingsFromFlags } from '../src/cli/settings';
import * as contract from '../src/contracts/adapter-contract';

jest.setTimeout(60_000);
const MB = 1024 * 1024;

describe('cdk-wsgi serve: a load balancer in front of the serve fixture, through the real adapter', () => {
  let app: InProcessServer;
  let url: string;
  beforeAll(async () => {
    app = await startServe(settingsFromFlags({ entry: SERVE_APP, module: 'app.app', apiType: 'alb', timeout: '2' }));
    url = app.server.url;
  });
  afterAll(() => app.server.close());

  test('at the root, with an empty SCRIPT_NAME; the adapter sees a multi-value ALB event', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const res = await fetch(`${url}a%20b?literal=a+b&encoded=a%2Bb&r=1&r=2`, { headers: { Cookie: 'session=abc; theme=dark' } });
    expect(res.status).toBe(200);
    const shown: any = await res.json();
    expect(shown).toMatchObject({
      script_name: '',
      path_info: '/a b',
      // As sent: the load balancer decodes nothing, and the adapter re-encodes nothing.
      query_string: 'literal=a+b&encoded=a%2Bb&r=1&r=2',
      url_scheme: 'http',
      host: new URL(url).host,
      source: 'alb',
      cookie: 'session=abc; theme=dark',
    });
    expect(shown.event.path).toBe('/a%20b');
    expect(shown.event.multiValueQueryStringParameters).toEqual({ literal: ['a+b'], encoded: ['a%2Bb'], r: ['1', '2'] });
    expect(shown.event.headers).toBeUndefined();
    expect(shown.event.requestContext.elb.targetGroupArn).toMatch(/^arn:aws:elasticloadbalancing:/);
    // The adapter answers in multi-value mode: both cookies and both values of a repeated header survive.
    expect(res.headers.getSetCookie()).toEqual(['first=1; Path=/', 'second=2; Path=/; HttpOnly']);
    expect(res.headers.get('x-repeated')).toBe('a, b');
  });

  test('binary bodies arrive base64 and intact; binary responses come back decoded', async () => {
    const bytes = Buffer.from([...Array(256).keys()]);
    const upload: any = await (await fetch(url, { method: 'POST', body: bytes, headers: { 'Content-Type': 'application/octet-stream' } })).json();
    expect(upload).toMatchObject({ body_hex: bytes.toString('hex') });
    expect(upload.event.isBase64Encoded).toBe(true);
    const text: any = await (await fetch(url, { method: 'POST', body: 'plain', headers: { 'Content-Type': 'text/plain' } })).json();
    expect(text.event).toMatchObject({ body: 'plain', isBase64Encoded: false });
    expect(Buffer.from(await (await fetch(`${url}bytes`)).arrayBuffer())).toEqual(bytes);
  });

  test('an app that raises is the adapter\'s 500; past the function timeout, the load balancer\'s 502 page', async () => {
    const raised = await fetch(`${url}boom`);
    expect(raised.status).toBe(500);
    expect(raised.headers.get('server')).toBeNull();
    const res = await fetch(`${url}sleep/10`);
    expect(res.status).toBe(502);
    expect(res.headers.get('server')).toBe('awselb/2.0');
    expect(await res.text()).toContain('<h1>502 Bad Gateway</h1>');
    expect(app.err()).toContain('Task timed out after 2.00 seconds');
    expect((await fetch(url)).status).toBe(200);
  });

  test('a request body over 1 MB: 413 without invoking the function, and the terminal says why; 1 MB reaches it', async () => {
    const before = app.out.length;
    const res = await fetch(url, { method: 'POST', body: Buffer.alloc(MB + 1, 'a'), headers: { 'Content-Type': 'text/plain' } });
    expect(res.status).toBe(413);
    expect(await res.text()).toContain('<h1>413 Request Entity Too Large</h1>');
    expect(app.err()).toContain(`the request body is ${MB + 1} bytes, over the Application Load Balancer's limit of ${MB} bytes`);
    await eventually(() => app.out.length > before, 'the request line');
    expect(app.out.slice(before).some(line => /^POST \/ 413 \d+ ms$/.test(line))).toBe(true);
    // The fixture echoes the body in hex, over the 1 MB response limit: the adapter's own 502 shows the app ran.
    const fits = await fetch(url, { method: 'POST', body: Buffer.alloc(MB, 'a'), headers: { 'Content-Type': 'text/plain' } });
    expect(fits.status).toBe(502);
    expect(await fits.text()).toMatch(/^The response is \d+ bytes once encoded for an Application Load Balancer/);
  });
});

describe('cdk-wsgi serve: a load balancer in front of an app answering over 1 MB', () => {
  test('the adapter turns it into a 502 that says why, which the load balancer passes on', async () => {
    const entry = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-big-'));
    fs.writeFileSync(path.join(entry, 'big.py'), [
      'def app(environ, start_response):',
      '    start_response("200 OK", [("Content-Type", "text/plain")])',
      '    return [b"x" * (1024 * 1024)]',
      '',
    ].join('\n'));
    fs.writeFileSync(path.join(entry, 'requirements.txt'), '');
    const big = await startServe(settingsFromFlags({ entry, module: 'big.app', apiType: 'alb' }));
    try {
      const res = await fetch(big.server.url);
      expect(res.status).toBe(502);
      expect(await res.text()).toMatch(/^The response is \d+ bytes once encoded for an Application Load Balancer, over its limit of 1048576 bytes\.$/);
      expect(big.err()).toMatch(/The response is \d+ bytes once encoded for an Application Load Balancer, over its limit of 1048576 bytes\./);
    } finally {
      await big.server.close();
      fs.rmSync(entry, { recursive: true, force: true });
    }
  });
});

describe('cdk-wsgi serve --api-type alb', () => {
  test('names the load balancer on the startup line; --stage is refused', async () => {
    const cli = runCli(['serve', '--entry', SERVE_APP, '--module', 'app.app', '--api-type', 'alb', '--port', '0', '--python', PYTHON, '--no-reload']);
    try {
      const url = await urlOf(cli);
      expect(cli.stdout()).toMatch(/^cdk-wsgi serve: app:app \(Application Load Balancer\) at http:\/\/127\.0\.0\.1:\d+\/\n/);
      expect(await (await fetch(`${url}hello`)).json()).toMatchObject({ script_name: '', path_info: '/hello', source: 'alb' });
    } finally {
      expect(await stopCli(cli)).toBe(0);
    }
    expect(() => settingsFromFlags({ entry: SERVE_APP, module: 'app.app', apiType: 'alb', stage: 'v1' }))
      .toThrow('--stage does not apply to a load balancer, which has no stages');
    expect(() => settingsFromFlags({ entry: SERVE_APP, module: 'app.app', apiType: 'ALB', binaryMediaTypes: '*/*' }))
      .toThrow('--binary-media-types applies to REST APIs only; load balancers have no binary media types');
  });
});

describe('a load balancer function in a template', () => {
  test('is served with no stage and no binary media types, and listed as a load balancer', () => {
    const [fn] = templateFunctions({
      Resources: {
        Fn: {
          Type: 'AWS::Lambda::Function',
          Metadata: { [contract.METADATA_KEY]: { entry: SERVE_APP, apiType: ApiType.ALB, stageName: '' } },
          Properties: { Environment: { Variables: { [contract.ENV_APP]: 'app:app' } } },
        },
      },
    }, 'Stack', { stackName: 'Stack' }, '.');
    expect(settingsOf(fn)).toMatchObject({ apiType: ApiType.ALB, stageName: '', binaryMediaTypes: undefined });
    expect(() => selectFunction([fn, fn], 'cdk.out')).toThrow('  Stack/Fn (Fn, load balancer)');
  });
});
