import { spawnSync } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Browser, BrowserContext, chromium, Page, Response } from 'playwright-core';
import { freePorts } from './loopback';
import { copyApp, PYTHON, ROOT, runCli, RunningCli, stopCli, urlOf } from './serve-helpers';
import { StaticFiles, WsgiApi } from '../src';
import { readAssembly, settingsOf } from '../src/cli/assembly';

jest.setTimeout(180_000);

// Debian's Chromium, installed by `npx projen browser:setup` (.ci/browser-setup); elsewhere whatever CDK_WSGI_CHROMIUM names.
const CHROMIUM = process.env.CDK_WSGI_CHROMIUM || '/usr/bin/chromium';
const SCREENSHOT = path.join(ROOT, 'test-reports', 'browser', 'serve-django-admin.png');
const DJANGO_SITE = path.join(ROOT, 'examples', 'django-site');
const USERNAME = 'admin';
// Long and random enough for Django's password validators.
const PASSWORD = `${randomBytes(12).toString('base64url')}-Aa1`;
// Every wait is bounded: a page, a form post, a manage.py command.
const PAGE_TIMEOUT_MS = 30_000;
const MANAGE_TIMEOUT_MS = 120_000;
// ManifestStaticFilesStorage's name: the file's own, then the first 12 hex digits of its MD5.
const HASHED = '[0-9a-f]{12}';

/** `python manage.py <args>` in the copied project, failing with its output. */
function manage(site: string, args: string[], env: NodeJS.ProcessEnv): void {
  const result = spawnSync(PYTHON, ['manage.py', ...args], {
    cwd: site, env: { ...process.env, ...env }, encoding: 'utf8', timeout: MANAGE_TIMEOUT_MS,
  });
  if (result.status !== 0) {
    throw new Error(`manage.py ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}):\n${result.stdout}${result.stderr}`);
  }
}

/** The site as `cdk synth` makes it, the entry written relative to the current directory as a user writes it. */
function synthAssembly(site: string): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-django-'));
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Django');
  new WsgiApi(stack, 'Site', { entry: path.relative(process.cwd(), site), module: 'mysite.wsgi.application', staticFiles: StaticFiles.django() });
  app.synth();
  return outdir;
}

/** Every response under /static/ the page receives, by path. */
function staticResponses(page: Page): Map<string, Response> {
  const seen = new Map<string, Response>();
  page.on('response', response => {
    const { pathname } = new URL(response.url());
    if (pathname.startsWith('/static/')) seen.set(pathname, response);
  });
  return seen;
}

function stylesheets(page: Page): Promise<string[]> {
  return page.$$eval('link[rel="stylesheet"]', links => links.map(link => link.getAttribute('href') ?? ''));
}

describe('a Django site behind cdk-wsgi serve with a distribution and its static files, in headless Chromium', () => {
  const examplesCollected = fs.existsSync(path.join(DJANGO_SITE, 'staticfiles'));
  let site: string;
  let assembly: string;
  let staticDir: string;
  let manifest: Record<string, string>;
  let url: string;
  let cli: RunningCli;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    // GIVEN the example in a folder of its own, migrated, with a superuser
    site = copyApp(DJANGO_SITE);
    fs.rmSync(path.join(site, 'staticfiles'), { recursive: true, force: true });
    const db = { SQLITE_PATH: path.join(path.dirname(site), 'db.sqlite3') };
    manage(site, ['migrate', '--noinput'], db);
    manage(site, ['createsuperuser', '--noinput'], {
      ...db, DJANGO_SUPERUSER_USERNAME: USERNAME, DJANGO_SUPERUSER_PASSWORD: PASSWORD, DJANGO_SUPERUSER_EMAIL: 'admin@example.com',
    });
    // synthesized, which collects the static files and leaves Django's manifest in the site's STATIC_ROOT
    assembly = synthAssembly(site);
    const [fn] = readAssembly(assembly, 'synthesize the site');
    staticDir = settingsOf(fn).staticFiles!.directory;
    // The files are uploaded from a build folder in the assembly; the site keeps the manifest alone, for the function.
    expect(path.relative(assembly, staticDir)).not.toMatch(/^\.\./);
    expect(fs.readdirSync(path.join(site, 'staticfiles'))).toEqual(['staticfiles.json']);
    manifest = JSON.parse(fs.readFileSync(path.join(site, 'staticfiles', 'staticfiles.json'), 'utf8')).paths;

    // and served on a port known up front, which CSRF_TRUSTED_ORIGINS names
    const [port] = await freePorts(1);
    cli = runCli(['serve', '--assembly', assembly, '--port', String(port), '--python', PYTHON, '--no-reload'], {
      env: { ...db, ALLOWED_HOSTS: '127.0.0.1', CSRF_TRUSTED_ORIGINS: `http://127.0.0.1:${port}`, CDK_WSGI_PYTHON: '' },
    });
    url = await urlOf(cli);
    expect(url).toBe(`http://127.0.0.1:${port}/`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
      timeout: PAGE_TIMEOUT_MS,
    });
    context = await browser.newContext();
    context.setDefaultTimeout(PAGE_TIMEOUT_MS);
    context.setDefaultNavigationTimeout(PAGE_TIMEOUT_MS);
  });

  afterAll(async () => {
    await browser?.close();
    if (cli) await stopCli(cli);
    for (const dir of [site && path.dirname(site), assembly]) {
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  /** Each stylesheet came through serve's static route: 200, CSS, the bytes collectstatic wrote. */
  function expectServedAsCollected(hrefs: string[], seen: Map<string, Response>): Promise<void[]> {
    return Promise.all(hrefs.map(async href => {
      const response = seen.get(href);
      expect(response).toBeDefined();
      expect(response!.status()).toBe(200);
      expect(response!.headers()['content-type']).toBe('text/css');
      expect(await response!.body()).toEqual(fs.readFileSync(path.join(staticDir, href.slice('/static/'.length))));
    }));
  }

  test('the admin login page loads its CSS by hashed name, the login passes CSRF, and the redirect stays on the site', async () => {
    const page = await context.newPage();
    const seen = staticResponses(page);

    // WHEN the visitor opens /admin/
    const login = await page.goto(`${url}admin/`);

    // THEN the app sends them to the login page, on the same host and port, without a stage
    const redirect = login!.request().redirectedFrom();
    expect(redirect?.url()).toBe(`${url}admin/`);
    expect((await redirect!.response())!.status()).toBe(302);
    expect(login!.status()).toBe(200);
    expect(page.url()).toBe(`${url}admin/login/?next=/admin/`);

    // with the admin's stylesheets under their hashed names from Django's manifest
    const hrefs = await stylesheets(page);
    expect(hrefs).toContain(`/static/${manifest['admin/css/base.css']}`);
    expect(hrefs).toContainEqual(expect.stringMatching(new RegExp(`^/static/admin/css/base\\.${HASHED}\\.css$`)));
    for (const href of hrefs) expect(href).toMatch(new RegExp(`^/static/admin/css/[\\w/-]+\\.${HASHED}\\.css$`));
    await expectServedAsCollected(hrefs, seen);

    // WHEN they sign in
    await page.fill('#id_username', USERNAME);
    await page.fill('#id_password', PASSWORD);
    const [posted] = await Promise.all([
      page.waitForResponse(response => response.request().method() === 'POST'),
      page.waitForURL(`${url}admin/`),
      page.click('input[type="submit"]'),
    ]);

    // THEN the form passed CSRF and the app redirected them, still on 127.0.0.1:<port>, to the admin
    // (The form posts to the login page's own URL as the app sees it: a REST API event carries the query string decoded,
    // and the adapter encodes it again, so the slashes in next= come back as %2F.)
    const action = new URL(posted.url());
    expect([action.origin + action.pathname, action.searchParams.get('next')]).toEqual([`${url}admin/login/`, '/admin/']);
    expect(posted.status()).toBe(302);
    expect(await posted.headerValue('location')).toBe('/admin/');
    expect(page.url()).toBe(`${url}admin/`);
    expect(await page.textContent('#content h1')).toBe('Site administration');
    expect(await page.textContent('#user-tools strong')).toBe(USERNAME);
    expect((await context.cookies(url)).map(cookie => cookie.name).sort()).toEqual(['csrftoken', 'sessionid']);
    const adminHrefs = await stylesheets(page);
    expect(adminHrefs).toContain(`/static/${manifest['admin/css/nav_sidebar.css']}`);
    await expectServedAsCollected(adminHrefs, seen);
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(fs.statSync(SCREENSHOT).size).toBeGreaterThan(1000);
    await page.close();

    expect(cli.stdout()).toMatch(/POST \/admin\/login\/\S* 302 \d+ ms\n/);
  });

  test("the site's own page loads its own stylesheet by hashed name", async () => {
    const page = await context.newPage();
    const seen = staticResponses(page);

    const home = await page.goto(url);

    expect(home!.status()).toBe(200);
    const hrefs = await stylesheets(page);
    expect(hrefs).toEqual([`/static/${manifest['pages/site.css']}`]);
    expect(hrefs[0]).toMatch(new RegExp(`^/static/pages/site\\.${HASHED}\\.css$`));
    await expectServedAsCollected(hrefs, seen);
    // The stylesheet applies: site.css colours the heading.
    expect(await page.evaluate("getComputedStyle(document.querySelector('h1')).color")).toBe('rgb(11, 110, 79)');
    await page.close();
  });

  test('nothing was written into the repository\'s example', () => {
    expect(fs.existsSync(path.join(DJANGO_SITE, 'staticfiles'))).toBe(examplesCollected);
  });
});
