import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import { eventually } from './loopback';
import { copyApp, EXAMPLE_APP, InProcessServer, PYTHON, SERVE_APP, startServe } from './serve-helpers';
import { serve } from '../src/cli/serve';
import { settingsFromFlags } from '../src/cli/settings';

jest.setTimeout(60_000);

// The example's 1x1 PNG (examples/flask-app/api.py), which must arrive byte for byte.
const PIXEL = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

/** A binary upload with every byte value, as a browser's multipart form sends it. */
function uploadForm(): FormData {
  const form = new FormData();
  form.append('file', new Blob([Buffer.from([...Array(256).keys(), ...PIXEL])], { type: 'application/octet-stream' }), 'all-bytes.bin');
  return form;
}

describe('cdk-wsgi serve: the example Flask app behind a REST API (stage prod)', () => {
  let app: InProcessServer;
  let url: string;
  beforeAll(async () => {
    app = await startServe(settingsFromFlags({ entry: EXAMPLE_APP, module: 'api.app' }));
    url = app.server.url;
  });
  afterAll(() => app.server.close());

  test('serves under the stage, and the app builds its links with it', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/prod\/$/);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain(`This page lives at <code>${url}</code>`);
    expect(page).toContain('href="/prod/echo?greeting=hi&tag=a&tag=b"');
    expect(page).toContain('action="/prod/upload"');
  });

  test('GET with a repeated query key, and POST of a text body', async () => {
    const get = await fetch(`${url}echo?greeting=hi&tag=a&tag=b`);
    expect(await get.json()).toEqual({
      method: 'GET',
      path: '/echo',
      script_root: '/prod',
      args: { greeting: ['hi'], tag: ['a', 'b'] },
      body: '',
      remote_addr: '127.0.0.1',
      url: `${url}echo?greeting=hi&tag=a&tag=b`,
    });
    const post = await fetch(`${url}echo`, { method: 'POST', body: 'héllo wörld', headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
    expect(await post.json()).toMatchObject({ method: 'POST', body: 'héllo wörld', script_root: '/prod' });
  });

  test('a multipart upload reaches the app whole, and the PNG comes back byte for byte', async () => {
    const upload = await fetch(`${url}upload`, { method: 'POST', body: uploadForm() });
    expect(await upload.json()).toEqual({ filename: 'all-bytes.bin', size: 256 + PIXEL.length });
    const pixel = await fetch(`${url}pixel.png`, { headers: { Accept: 'image/avif,image/webp,*/*' } });
    expect(pixel.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await pixel.arrayBuffer())).toEqual(PIXEL);
  });

  test('the cookie is set, sent back and counted; redirects stay under the stage', async () => {
    const first = await fetch(url);
    expect(first.headers.getSetCookie()).toEqual(['visits=1; Secure; HttpOnly; Path=/; SameSite=Lax']);
    const again = await fetch(url, { headers: { Cookie: 'visits=4' } });
    expect(await again.text()).toContain('Visit number 5.');
    expect(again.headers.getSetCookie()).toEqual(['visits=5; Secure; HttpOnly; Path=/; SameSite=Lax']);
    const redirect = await fetch(`${url}old`, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('/prod/');
  });

  test('HEAD answers the headers only', async () => {
    const res = await fetch(`${url}echo`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.text()).toBe('');
  });

  test('outside the stage, API Gateway\'s own 403', async () => {
    for (const outside of ['/', '/echo', '/production/echo']) {
      const res = await fetch(new URL(outside, url));
      expect(res.status).toBe(403);
      expect(res.headers.get('x-amzn-errortype')).toBe('ForbiddenException');
      expect(await res.json()).toEqual({ message: 'Forbidden' });
    }
    expect(app.out.some(line => /^GET \/ 403 \d+ ms$/.test(line))).toBe(true);
  });
});

describe('cdk-wsgi serve: the example Flask app behind an HTTP API', () => {
  let app: InProcessServer;
  beforeAll(async () => {
    app = await startServe(settingsFromFlags({ entry: EXAMPLE_APP, module: 'api:app', apiType: 'http' }));
  });
  afterAll(() => app.server.close());

  test('the $default stage: no stage in the URL or SCRIPT_NAME; cookies, uploads and binaries work', async () => {
    const url = app.server.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const echo = await fetch(`${url}echo?tag=a&tag=b`, { method: 'POST', body: 'héllo', headers: { 'Content-Type': 'text/plain' } });
    expect(await echo.json()).toMatchObject({ path: '/echo', script_root: '', args: { tag: ['a', 'b'] }, body: 'héllo' });
    const index = await fetch(url, { headers: { Cookie: 'visits=1; other=x' } });
    expect(await index.text()).toContain('Visit number 2.');
    expect(index.headers.getSetCookie()).toEqual(['visits=2; Secure; HttpOnly; Path=/; SameSite=Lax']);
    const upload = await fetch(`${url}upload`, { method: 'POST', body: uploadForm() });
    expect(await upload.json()).toEqual({ filename: 'all-bytes.bin', size: 256 + PIXEL.length });
    expect(Buffer.from(await (await fetch(`${url}pixel.png`)).arrayBuffer())).toEqual(PIXEL);
  });
});

describe('cdk-wsgi serve: an HTTP API on a named stage', () => {
  test('the stage is in the URL and SCRIPT_NAME; paths outside it get a 404', async () => {
    const app = await startServe(settingsFromFlags({ entry: EXAMPLE_APP, module: 'api.app', apiType: 'http', stage: 'dev' }));
    try {
      expect(app.server.url).toMatch(/\/dev\/$/);
      expect(await (await fetch(`${app.server.url}echo`)).json()).toMatchObject({ path: '/echo', script_root: '/dev' });
      const outside = await fetch(new URL('/echo', app.server.url));
      expect(outside.status).toBe(404);
      expect(await outside.json()).toEqual({ message: 'Not Found' });
    } finally {
      await app.server.close();
    }
  });
});

describe('cdk-wsgi serve: what the app gets and what happens when it fails', () => {
  let app: InProcessServer;
  let url: string;
  let entry: string;
  beforeAll(async () => {
    entry = copyApp(SERVE_APP);
    app = await startServe(settingsFromFlags({
      entry, module: 'app.app', binaryMediaTypes: 'application/octet-stream', timeout: '2', textMediaTypes: 'application/x-custom',
    }), true);
    url = app.server.url;
  });
  afterAll(async () => {
    await app.server.close();
    fs.rmSync(path.dirname(entry), { recursive: true, force: true });
  });

  test('a Lambda-like environment: context, working directory, no CDK_WSGI_* variables, the local scheme and host', async () => {
    const res = await fetch(`${url}a%20b?x=1`, { headers: { 'X-Probe': 'yes' } });
    const shown: any = await res.json();
    expect(shown).toMatchObject({
      script_name: '/prod',
      path_info: '/a b',
      query_string: 'x=1',
      url_scheme: 'http',
      host: new URL(url).host,
      server_port: new URL(url).port,
      source: 'rest_v1',
      request_id: res.headers.get('x-amzn-requestid'),
      cwd: fs.realpathSync(entry),
      cdk_wsgi_variables: [],
    });
    expect(shown.remaining_ms).toBeGreaterThan(0);
    expect(shown.remaining_ms).toBeLessThanOrEqual(2000);
    expect(shown.event.multiValueHeaders['X-Probe']).toEqual(['yes']);
    expect(res.headers.getSetCookie()).toEqual(['first=1; Path=/', 'second=2; Path=/; HttpOnly']);
    expect(res.headers.get('x-repeated')).toBe('a, b');
  });

  test('request bodies: base64 only for the binary media types, bytes intact either way', async () => {
    const bytes = Buffer.from([...Array(256).keys()]);
    const binary: any = await (await fetch(url, { method: 'POST', body: bytes, headers: { 'Content-Type': 'application/octet-stream' } })).json();
    expect(binary).toMatchObject({ body_hex: bytes.toString('hex'), content_type: 'application/octet-stream' });
    expect(binary.event.isBase64Encoded).toBe(true);
    const text: any = await (await fetch(url, { method: 'POST', body: 'plain', headers: { 'Content-Type': 'text/plain' } })).json();
    expect(text).toMatchObject({ body_hex: Buffer.from('plain').toString('hex') });
    expect(text.event.isBase64Encoded).toBe(false);
  });

  test('binary responses are decoded only when the first Accept type is a binary media type', async () => {
    const bytes = Buffer.from([...Array(256).keys()]);
    const decoded = await fetch(`${url}bytes`, { headers: { Accept: 'application/octet-stream' } });
    expect(Buffer.from(await decoded.arrayBuffer())).toEqual(bytes);
    const asText = await fetch(`${url}bytes`, { headers: { Accept: 'text/html, application/octet-stream' } });
    expect(await asText.text()).toBe(bytes.toString('base64'));
  });

  test('the app\'s prints reach the terminal and never the worker\'s channel', async () => {
    expect((await fetch(`${url}print`)).status).toBe(200);
    await eventually(() => app.err().includes('written to fd 1'), 'the app output');
    expect(app.err()).toContain('printed by the app');
  });

  test('an exception: a 500 page in the browser, the traceback in the terminal', async () => {
    const res = await fetch(`${url}boom`);
    expect(res.status).toBe(500);
    expect(await res.text()).toBe('Internal Server Error');
    await eventually(() => app.err().includes('RuntimeError: boom from the serve fixture'), 'the traceback');
    expect(app.err()).toMatch(/Traceback \(most recent call last\):[\s\S]*app\.py", line \d+, in app/);
  });

  test('past the function timeout: killed like Lambda, a 502, then a fresh worker', async () => {
    const res = await fetch(`${url}sleep/10`);
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({ message: 'Internal server error' });
    expect(app.err()).toContain('Task timed out after 2.00 seconds');
    expect((await fetch(url)).status).toBe(200);
  });

  test('a body over API Gateway\'s 10 MB is refused with a 413', async () => {
    const res = await fetch(url, { method: 'POST', body: Buffer.alloc(10 * 1024 * 1024 + 1), headers: { 'Content-Type': 'text/plain' } });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ message: 'Request Too Long' });
  });

  test('edits reload the app; an import error shows its traceback and a 500 until it is fixed', async () => {
    const source = path.join(entry, 'app.py');
    const original = fs.readFileSync(source, 'utf8');
    const reloads = () => app.out.filter(line => line.startsWith('cdk-wsgi serve: reloaded (app.py changed)')).length;

    fs.writeFileSync(source, original.replace('"cwd": os.getcwd(),', '"cwd": os.getcwd(),\n        "edited": True,'));
    await eventually(() => reloads() === 1, 'the first reload');
    expect(await (await fetch(url)).json()).toMatchObject({ edited: true });

    fs.writeFileSync(source, `${original}\ndef broken(:\n`);
    await eventually(() => app.err().includes('the app failed to import'), 'the import error');
    expect(app.err()).toContain('SyntaxError');
    const failed = await fetch(url);
    expect(failed.status).toBe(500);
    expect(await failed.text()).toBe('Internal Server Error');

    fs.writeFileSync(source, original);
    await eventually(() => reloads() === 2, 'the reload after the fix');
    expect(await (await fetch(url)).json()).not.toHaveProperty('edited');
  });
});

describe('cdk-wsgi serve: a port in use', () => {
  test('is named, with the way out, and no worker is left behind', async () => {
    const taken = http.createServer();
    await new Promise<void>(resolve => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      await expect(serve(settingsFromFlags({ entry: SERVE_APP, module: 'app.app' }), {
        host: '127.0.0.1', port, python: PYTHON, reload: false, out: () => undefined, err: () => undefined,
      })).rejects.toThrow(`port ${port} on 127.0.0.1 is in use; pick another with --port (0 picks a free one)`);
    } finally {
      taken.close();
    }
  });
});
