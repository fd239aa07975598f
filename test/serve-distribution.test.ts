import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { ApiType, WsgiApi } from '../src';
import { PYTHON, ROOT, runCli, SERVE_APP, stopCli, urlOf } from './serve-helpers';

jest.setTimeout(60_000);

const STATIC_SITE = path.join(__dirname, 'fixtures', 'static-site');

/**
 * A REST API and an HTTP API on a named stage, each behind its distribution, and one serving static files under
 * /assets, synthesized as `cdk synth` would.
 */
function synthAssembly(): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-site-'));
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Site');
  const entry = path.relative(process.cwd(), SERVE_APP);
  new WsgiApi(stack, 'Rest', { entry, module: 'app.app', distribution: {} });
  new WsgiApi(stack, 'Http', { entry, module: 'app.app', apiType: ApiType.HTTP, stageName: 'beta', distribution: {} });
  new WsgiApi(stack, 'Files', { entry, module: 'app.app', staticFiles: { directory: path.relative(process.cwd(), STATIC_SITE), urlPath: '/assets' } });
  app.synth();
  return outdir;
}

describe('cdk-wsgi serve behind a distribution', () => {
  const assembly = synthAssembly();
  afterAll(() => fs.rmSync(assembly, { recursive: true, force: true }));

  test.each([['Site/Rest', 'REST API, stage prod', '/prod/hello'], ['Site/Http', 'HTTP API, stage beta', '/beta/hello']])(
    '%s: the site at the root, with the visitor\'s host and address, and the origin request the distribution sends',
    async (name, door, originPath) => {
      const cli = runCli(['serve', '--assembly', assembly, '--function', name, '--port', '0', '--python', PYTHON, '--no-reload']);
      try {
        const url = await urlOf(cli);
        expect(cli.stdout()).toContain(`${name} (CloudFront distribution in front of ${door}) at ${url}`);
        expect(url).toMatch(/^http:\/\/127\.0\.0\.1:(\d+)\/$/);
        const port = new URL(url).port;
        // A client's own copies of the distribution's headers change nothing.
        const shown = await (await fetch(`${url}hello?x=1`, {
          headers: { 'x-cdk-wsgi-viewer-host': 'forged.example', 'x-cdk-wsgi-origin-secret': 'guess', 'x-cdk-wsgi-viewer-proto': 'https' },
        })).json() as any;
        expect(shown).toMatchObject({
          script_name: '', path_info: '/hello', query_string: 'x=1', host: `127.0.0.1:${port}`, url_scheme: 'http', server_port: port,
        });
        // The stage is the origin path, as CloudFront's origin request has it.
        const event = shown.event;
        expect(event.requestContext.path ?? event.rawPath).toBe(originPath);
        const sent = Object.fromEntries(Object.entries<string>(event.headers).map(([k, v]) => [k.toLowerCase(), v]));
        expect(sent['x-cdk-wsgi-viewer-host']).toBe(`127.0.0.1:${port}`);
        expect(sent['x-cdk-wsgi-viewer-address']).toBe('127.0.0.1');
        expect(sent['x-cdk-wsgi-origin-secret']).toMatch(/^[\w-]{32}$/);
      } finally {
        expect(await stopCli(cli)).toBe(0);
      }
    });

  test('static files: the folder under its URL path, as the bucket behaviour answers; the app everywhere else', async () => {
    const cli = runCli(['serve', '--assembly', assembly, '--function', 'Site/Files', '--port', '0', '--python', PYTHON, '--no-reload']);
    try {
      const url = await urlOf(cli);
      const css = await fetch(`${url}assets/css/site.3f2a1b9c4d5e.css`);
      expect(css.status).toBe(200);
      expect(css.headers.get('content-type')).toBe('text/css');
      expect(Buffer.from(await css.arrayBuffer())).toEqual(fs.readFileSync(path.join(STATIC_SITE, 'css', 'site.3f2a1b9c4d5e.css')));
      expect((await fetch(`${url}assets/robots.txt`)).headers.get('content-type')).toBe('text/plain');
      expect((await fetch(`${url}assets/missing.css`)).status).toBe(404);
      // Nothing outside the folder, however the path is spelled.
      expect((await fetch(`${url}assets/css%2F..%2F..%2Fserve-app%2Fapp.py`)).status).toBe(404);
      expect((await fetch(`${url}assets/robots.txt`, { method: 'POST', body: 'x' })).status).toBe(403);
      expect(await (await fetch(`${url}assets`)).json()).toMatchObject({ script_name: '', path_info: '/assets' });
      expect(await (await fetch(`${url}hello`)).json()).toMatchObject({ script_name: '', path_info: '/hello' });
    } finally {
      await stopCli(cli);
    }
  });

  test('from flags: --distribution, refused with a load balancer and with a synthesized app', async () => {
    const cli = runCli(['serve', '--entry', path.relative(ROOT, SERVE_APP), '--module', 'app:app', '--distribution', '--port', '0',
      '--python', PYTHON, '--no-reload']);
    try {
      const url = await urlOf(cli);
      expect(cli.stdout()).toContain('app:app (CloudFront distribution in front of REST API, stage prod)');
      expect(await (await fetch(`${url}x`)).json()).toMatchObject({ script_name: '', path_info: '/x', url_scheme: 'http' });
    } finally {
      await stopCli(cli);
    }
    const alb = runCli(['serve', '--entry', path.relative(ROOT, SERVE_APP), '--module', 'app:app', '--api-type', 'alb', '--distribution']);
    expect(await alb.exited).toBe(1);
    expect(alb.stderr()).toContain('--distribution puts CloudFront in front of a REST API, HTTP API or function URL, not a load balancer');
    const assembled = runCli(['serve', '--assembly', assembly, '--function', 'Site/Rest', '--distribution']);
    expect(await assembled.exited).toBe(2);
    expect(assembled.stderr()).toContain('--distribution needs --entry and --module');
  });
});
