import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { eventually } from './loopback';
import { InProcessServer, PYTHON, runCli, startServe, stopCli, urlOf } from './serve-helpers';
import { ApiType, WsgiApi } from '../src';
import { settingsFromFlags } from '../src/cli/settings';
import * as contract from '../src/contracts/adapter-contract';

jest.setTimeout(60_000);

// Each request it sees, priming's included: `/` answers them all, `/missing` is a 404 and `/boom` raises.
const APP = `import json

seen = []


def app(environ, start_response):
    seen.append({
        "path": environ["SCRIPT_NAME"] + environ["PATH_INFO"],
        "host": environ.get("HTTP_HOST"),
        "agent": environ.get("HTTP_USER_AGENT"),
    })
    if environ["PATH_INFO"] == "/boom":
        raise ValueError("boom")
    if environ["PATH_INFO"] == "/missing":
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"missing"]
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(seen).encode()]
`;

interface Seen {
  readonly path: string;
  readonly host: string;
  readonly agent: string;
}

/** A folder holding the app as app.py. */
function appFolder(): string {
  const entry = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-prime-'));
  fs.writeFileSync(path.join(entry, 'app.py'), APP);
  fs.writeFileSync(path.join(entry, 'requirements.txt'), '');
  return entry;
}

describe('cdk-wsgi serve primes the function\'s prime paths at each start, as Lambda\'s init does', () => {
  const entry = appFolder();
  let app: InProcessServer;
  const primedLines = () => app.out.filter(line => line.startsWith('cdk-wsgi serve: primed '));
  beforeAll(async () => {
    const settings = { ...settingsFromFlags({ entry, module: 'app.app' }), prime: { paths: ['/', '/missing', '/boom'], timeoutMillis: 5000 } };
    app = await startServe(settings, true);
  });
  afterAll(async () => {
    await app.server.close();
    fs.rmSync(entry, { recursive: true, force: true });
  });

  /** What the app has seen when a client's GET of the stage's root reaches it (that request last). */
  async function seen(): Promise<Seen[]> {
    const res = await fetch(app.server.url);
    expect(res.status).toBe(200);
    return res.json() as Promise<Seen[]>;
  }

  test('one line names each path\'s status; the adapter logs each as on Lambda', () => {
    expect(primedLines()).toEqual([expect.stringMatching(
      /^cdk-wsgi serve: primed GET \/ 200 \(\d+ ms\), GET \/missing 404 \(\d+ ms\), GET \/boom 500 \(\d+ ms\)$/)]);
    expect(app.err()).toMatch(/primed GET \/: 200 in [\d.]+ ms/);
    expect(app.err()).toMatch(/primed GET \/missing: 404 in [\d.]+ ms/);
    expect(app.err()).toContain('ValueError: boom');
  });

  test('the app sees them before the first client request, under the stage, with the local Host', async () => {
    const host = new URL(app.server.url).host;
    const primed = ['/', '/missing', '/boom'].map(p => ({ path: `/prod${p}`, host, agent: 'cdk-wsgi-prime' }));
    const all = await seen();
    expect(all.slice(0, 3)).toEqual(primed);
    expect(all.slice(3)).toEqual([{ path: '/prod/', host, agent: expect.not.stringContaining('cdk-wsgi-prime') }]);
  });

  test('a reload primes the new worker again', async () => {
    fs.appendFileSync(path.join(entry, 'app.py'), '\n# edited\n');
    await eventually(() => primedLines().length === 2 && app.out.some(line => line.startsWith('cdk-wsgi serve: reloaded')),
      'the reload and its priming');
    expect(primedLines()[1]).toMatch(/^cdk-wsgi serve: primed GET \/ 200 \(\d+ ms\), GET \/missing 404 \(\d+ ms\), GET \/boom 500 \(\d+ ms\)$/);
    expect((await seen()).map(request => request.agent === 'cdk-wsgi-prime')).toEqual([true, true, true, false]);
  });
});

describe('cdk-wsgi serve from a cloud assembly: a WsgiApi\'s prime, behind its distribution', () => {
  const entry = appFolder();
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-assembly-'));
  const synth = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(synth, 'Primed');
  new WsgiApi(stack, 'Site', {
    entry: path.relative(process.cwd(), entry),
    module: 'app.app',
    apiType: ApiType.HTTP,
    stageName: 'beta',
    distribution: {},
    prime: ['/', '/missing'],
  });
  synth.synth();
  afterAll(() => {
    fs.rmSync(outdir, { recursive: true, force: true });
    fs.rmSync(entry, { recursive: true, force: true });
  });

  test('the paths are in the function\'s CLI metadata: its CDK_WSGI_PRIME holds deploy-time tokens', () => {
    const template = JSON.parse(fs.readFileSync(path.join(outdir, 'Primed.template.json'), 'utf8'));
    const [fn] = Object.values<any>(template.Resources).filter(resource => resource.Metadata?.[contract.METADATA_KEY]?.apiType);
    expect(fn.Metadata[contract.METADATA_KEY].prime).toEqual({ paths: ['/', '/missing'], timeoutMillis: 5000 });
  });

  test('serve primes them through the stand-in distribution, at the site\'s root with the visitor\'s host', async () => {
    const cli = runCli(['serve', '--assembly', outdir, '--port', '0', '--python', PYTHON, '--no-reload']);
    try {
      const url = await urlOf(cli);
      expect(cli.stdout()).toMatch(/^cdk-wsgi serve: primed GET \/ 200 \(\d+ ms\), GET \/missing 404 \(\d+ ms\)$/m);
      const host = new URL(url).host;
      const all = await (await fetch(url)).json() as Seen[];
      expect(all.slice(0, 2)).toEqual([{ path: '/', host, agent: 'cdk-wsgi-prime' }, { path: '/missing', host, agent: 'cdk-wsgi-prime' }]);
      expect(all).toHaveLength(3);
    } finally {
      expect(await stopCli(cli)).toBe(0);
    }
  });
});
