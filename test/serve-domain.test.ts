import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { ApiType, WsgiApi, WsgiDomain } from '../src';
import { PYTHON, runCli, SERVE_APP, stopCli, urlOf } from './serve-helpers';

jest.setTimeout(60_000);

/**
 * Three apps on example.com, synthesized from the repo root as `cdk synth` would be: a REST API at /shop, an HTTP API
 * with a named stage at /admin/v1 and an HTTP API at the root; and one app on a domain of its own.
 */
function synthAssembly(): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-domain-'));
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Sites', { env: { region: 'eu-west-1' } });
  const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:123456789012:certificate/abc');
  const domain = new WsgiDomain(stack, 'Domain', { domainName: 'example.com', certificate });
  const entry = path.relative(process.cwd(), SERVE_APP);
  new WsgiApi(stack, 'Shop', { entry, module: 'app.app', customDomain: { domain, basePath: 'shop' } });
  new WsgiApi(stack, 'Admin', { entry, module: 'app.app', apiType: ApiType.HTTP, stageName: 'live', customDomain: { domain, basePath: 'admin/v1' } });
  new WsgiApi(stack, 'Site', { entry, module: 'app.app', apiType: ApiType.HTTP, customDomain: { domain } });
  new WsgiApi(stack, 'Other', { entry, module: 'app.app', customDomain: { domainName: 'other.example.org', certificate } });
  app.synth();
  return outdir;
}

describe('cdk-wsgi serve --domain: the apps of one domain on one port', () => {
  const assembly = synthAssembly();
  afterAll(() => fs.rmSync(assembly, { recursive: true, force: true }));

  test('routes each path to the app whose base path matches most of it, as the domain does', async () => {
    const cli = runCli(['serve', '--assembly', assembly, '--domain', 'example.com', '--port', '0', '--python', PYTHON, '--no-reload']);
    try {
      const url = await urlOf(cli);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const lines = cli.stdout().split('\n');
      expect(lines[0]).toBe(`cdk-wsgi serve: example.com at ${url}`);
      expect(lines.slice(1, 4)).toEqual([
        `  ${url}admin/v1/ → Sites/Admin (HTTP API, stage live)`,
        `  ${url}shop/ → Sites/Shop (REST API, stage prod)`,
        `  ${url} → Sites/Site (HTTP API, $default stage)`,
      ]);
      const shown = async (pathAndQuery: string) => (await fetch(`${url}${pathAndQuery}`)).json() as Promise<any>;

      // REST keeps the base path in `path`; the adapter moves it to SCRIPT_NAME.
      const shop = await shown('shop/cart/items?x=1');
      expect(shop).toMatchObject({ script_name: '/shop', path_info: '/cart/items', query_string: 'x=1', source: 'rest_v1' });
      expect(shop.event).toMatchObject({
        path: '/shop/cart/items',
        resource: '/{proxy+}',
        pathParameters: { proxy: 'cart/items' },
        requestContext: { domainName: 'example.com', domainPrefix: 'example', path: '/shop/cart/items', stage: 'prod' },
      });
      expect(shop.host).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(await shown('shop')).toMatchObject({ script_name: '/shop', path_info: '', event: { resource: '/', pathParameters: null } });

      // An HTTP API's rawPath has neither the base path nor the mapped stage.
      const admin = await shown('admin/v1/users');
      expect(admin).toMatchObject({ script_name: '/admin/v1', path_info: '/users', source: 'http_v2' });
      expect(admin.event).toMatchObject({ rawPath: '/users', requestContext: { domainName: 'example.com', stage: 'live' } });

      // Everything else reaches the app mapped at the root, including paths that only start like a base path.
      expect(await shown('shopping')).toMatchObject({ script_name: '', path_info: '/shopping', source: 'http_v2' });
      expect(await shown('admin/v2')).toMatchObject({ script_name: '', path_info: '/admin/v2' });
      expect(await shown('')).toMatchObject({ script_name: '', path_info: '/' });
    } finally {
      expect(await stopCli(cli)).toBe(0);
    }
  });

  test('a path no mapping matches gets the domain\'s 403 when no app is at the root', async () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-domain-'));
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Shops');
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:123456789012:certificate/abc');
    const domain = new WsgiDomain(stack, 'Domain', { domainName: 'shops.example.com', certificate });
    const entry = path.relative(process.cwd(), SERVE_APP);
    new WsgiApi(stack, 'Books', { entry, module: 'app.app', customDomain: { domain, basePath: 'books' } });
    new WsgiApi(stack, 'Music', { entry, module: 'app.app', apiType: ApiType.HTTP, customDomain: { domain, basePath: 'music' } });
    app.synth();
    const cli = runCli(['serve', '--assembly', outdir, '--domain', 'shops.example.com', '--port', '0', '--python', PYTHON, '--no-reload']);
    try {
      const url = await urlOf(cli);
      const response = await fetch(`${url}films/1`);
      expect(response.status).toBe(403);
      expect(response.headers.get('x-amzn-errortype')).toBe('ForbiddenException');
      expect(await response.json()).toEqual({ message: 'Forbidden' });
      expect((await (await fetch(`${url}music/x`)).json())).toMatchObject({ script_name: '/music', path_info: '/x' });
    } finally {
      await stopCli(cli);
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  test('a domain the assembly does not have is refused with the domains it has', async () => {
    const cli = runCli(['serve', '--assembly', assembly, '--domain', 'example.net']);
    expect(await cli.exited).toBe(1);
    expect(cli.stderr()).toContain(`--domain example.net names no custom domain in ${assembly}; the domains are:\n`
      + '  example.com: Sites/Shop at /shop, Sites/Admin at /admin/v1, Sites/Site at /\n'
      + '  other.example.org: Sites/Other at /\n');
  });

  test('with several functions and no --function, the list offers --domain; --domain takes no app flags', async () => {
    const several = runCli(['serve', '--assembly', assembly]);
    expect(await several.exited).toBe(1);
    expect(several.stderr()).toContain('holds 4 WsgiApi functions; pick one with --function:');
    expect(several.stderr()).toContain('or serve the apps of example.com together: --domain example.com');

    const mixed = runCli(['serve', '--assembly', assembly, '--domain', 'example.com', '--function', 'Sites/Shop']);
    expect(await mixed.exited).toBe(2);
    expect(mixed.stderr()).toContain('--domain serves the apps a cloud assembly maps on that domain; leave out --entry, --module and --function');
    const staged = runCli(['serve', '--assembly', assembly, '--domain', 'example.com', '--stage', 'dev']);
    expect(await staged.exited).toBe(2);
    expect(staged.stderr()).toContain('--stage needs --entry and --module');
  });
});
