import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Browser, chromium } from 'playwright-core';
import { ROOT, runCli, RunningCli, stopCli, urlOf } from './serve-helpers';

jest.setTimeout(120_000);

// Debian's Chromium, installed by `npx projen browser:setup` (.ci/browser-setup), which `npx projen test` runs first;
// elsewhere any Chromium or Chrome that CDK_WSGI_CHROMIUM names.
const CHROMIUM = process.env.CDK_WSGI_CHROMIUM || '/usr/bin/chromium';
const SCREENSHOT = path.join(ROOT, 'test-reports', 'browser', 'serve-cookies.png');

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

describe('cdk-wsgi serve in headless Chromium', () => {
  let cli: RunningCli;
  let url: string;
  let browser: Browser;

  beforeAll(async () => {
    // The default interpreter: ./.venv/bin/python, which has Flask.
    cli = runCli(['serve', '--entry', 'test/fixtures/browser-app', '--module', 'app.app', '--port', '0', '--no-reload'],
      { env: { CDK_WSGI_PYTHON: '' } });
    url = await urlOf(cli);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    if (cli) await stopCli(cli);
  });

  test('a form uploads a binary file that comes back byte-identical; both cookies go back on the next request', async () => {
    // A PNG signature, random bytes and every byte value: any text decoding on the way would show.
    const sent = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(64 * 1024), Buffer.from([...Array(256).keys()])]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-browser-'));
    const file = path.join(dir, 'upload.bin');
    fs.writeFileSync(file, sent);

    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(url);
    expect(await page.title()).toBe('cdk-wsgi serve in a browser');
    expect(await page.getAttribute('form', 'action')).toBe('/prod/upload');
    await page.setInputFiles('#file', file);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#send')]);
    expect(download.url()).toBe(`${url}upload`);
    expect(download.suggestedFilename()).toBe('upload.bin');
    const received = fs.readFileSync(await download.path());
    expect(received.length).toBe(sent.length);
    expect(sha256(received)).toBe(sha256(sent));

    // The browser kept both cookies from the upload's response, the Secure one included (127.0.0.1 is a secure context).
    const cookies = await context.cookies(url);
    expect(cookies.map(cookie => [cookie.name, cookie.value, cookie.httpOnly, cookie.secure]).sort()).toEqual([
      ['session', 's3cr3t', true, true],
      ['theme', 'dark', false, false],
    ]);
    await page.goto(url);
    expect(await page.textContent('#cookie-session')).toBe('s3cr3t');
    expect(await page.textContent('#cookie-theme')).toBe('dark');
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(fs.statSync(SCREENSHOT).size).toBeGreaterThan(1000);
    await context.close();
    fs.rmSync(dir, { recursive: true, force: true });

    expect(cli.stdout()).toMatch(/POST \/prod\/upload 200 \d+ ms\n/);
  });
});
