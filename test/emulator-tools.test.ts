import { spawn, spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { accepts, freePorts, sleep } from './loopback';
import { emulatorTools, hostArchitecture, ToolsRequest } from '../src/cli/emulator-tools';

/**
 * The tools `cdk-wsgi emulate` runs a function with: fetched from PyPI once into the user's cache, then reused with no
 * network at all; and what goes wrong on the way (altered downloads, no network, the wrong interpreter), each said in
 * one line. The interpreter is this machine's python3, given as --python, so no CPython is fetched.
 */
// The first fetch downloads about 9 MB from PyPI.
jest.setTimeout(240_000);

const PYTHON3 = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf-8' }).stdout.trim();
const VERSION = spawnSync(PYTHON3, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf-8' }).stdout.trim();
const ARCH = hostArchitecture()!;
// Never asked: fetch refuses the port.
const UNREACHABLE_INDEX = 'http://127.0.0.1:1/simple/';
const SAM_CLI_WHEEL = 'aws_sam_cli-1.170.0-py3-none-any.whl';

function tempCache(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-emulator-tools-'));
}

/** `emulatorTools` for python3 with the cache at `cache`, collecting what it says. */
async function tools(cache: string, env: NodeJS.ProcessEnv = {}, request: Partial<ToolsRequest> = {}) {
  const said: string[] = [];
  const result = await emulatorTools({
    pythonVersion: VERSION,
    python: PYTHON3,
    say: line => said.push(line),
    env: { ...process.env, CDK_WSGI_CACHE_DIR: cache, ...env },
    ...request,
  });
  return { ...result, said };
}

/** The message `emulatorTools` fails with, which must be one line. */
async function failure(promise: Promise<unknown>): Promise<string> {
  const error: Error = await promise.then(() => { throw new Error('it did not fail'); }, e => e);
  expect(error.message).not.toContain('\n');
  return error.message;
}

/** Everything under `dir`, as relative paths. */
function contents(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).map(String).sort() : [];
}

describe('fetched from the package index once, then offline', () => {
  const cache = tempCache();
  let fetched: Awaited<ReturnType<typeof tools>>;
  beforeAll(async () => {
    fetched = await tools(cache);
  });
  afterAll(() => fs.rmSync(cache, { recursive: true, force: true }));

  test('says what it fetches, how large, from where and into where before, and how long it took after', () => {
    expect(fetched.said).toEqual([
      expect.stringMatching(new RegExp(`^cdk-wsgi emulate: fetching AWS's Lambda runtime emulator \\(aws-lambda-rie-${ARCH} in the `
        + 'aws-sam-cli 1\\.170\\.0 wheel, 8\\.3 MB\\) from \\S+ into \\S+/emulator \\(once\\)$')),
      expect.stringMatching(/^cdk-wsgi emulate: fetched AWS's Lambda runtime emulator in \d+\.\d s$/),
      expect.stringMatching(new RegExp(`^cdk-wsgi emulate: fetching AWS's Python runtime interface client for CPython ${VERSION} `
        + `\\(awslambdaric 4\\.2\\.2, simplejson 4\\.3\\.0, snapshot-restore-py 1\\.0\\.0 wheels for ${ARCH}, \\d+\\.\\d MB\\) from \\S+ into \\S+ \\(once\\)$`)),
      expect.stringMatching(new RegExp(`^cdk-wsgi emulate: fetched AWS's Python runtime interface client for CPython ${VERSION} in \\d+\\.\\d s$`)),
    ]);
    // Nothing but the tools: no wheel, no partial folder.
    expect(fs.readdirSync(path.join(cache, 'emulator')).sort()).toEqual([path.basename(fetched.rie), path.basename(fetched.ricDir)].sort());
  });

  test('the emulator is an executable for this machine, and the runtime client imports without site-packages', () => {
    const header = Buffer.alloc(4);
    const fd = fs.openSync(fetched.rie, 'r');
    fs.readSync(fd, header, 0, 4, 0);
    fs.closeSync(fd);
    expect(header).toEqual(Buffer.from('\x7fELF', 'latin1'));
    expect(() => fs.accessSync(fetched.rie, fs.constants.X_OK)).not.toThrow();
    expect(fetched.python).toBe(PYTHON3);
    const imported = spawnSync(fetched.python, ['-S', '-c', 'import awslambdaric, simplejson, snapshot_restore_py, simplejson._speedups'],
      { encoding: 'utf-8', env: { ...process.env, PYTHONPATH: fetched.ricDir } });
    expect(imported.stderr).toBe('');
    expect(imported.status).toBe(0);
  });

  test('together they run a handler as Lambda does', async () => {
    const code = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-emulator-function-'));
    fs.writeFileSync(path.join(code, 'app.py'), 'import sys\ndef handler(event, context):\n'
      + '    return {"echo": event, "python": "%d.%d" % sys.version_info[:2], "name": context.function_name}\n');
    const [port, runtimeApiPort] = await freePorts(2);
    const emulator = spawn(fetched.rie, ['--runtime-interface-emulator-address', `127.0.0.1:${port}`,
      '--runtime-api-address', `127.0.0.1:${runtimeApiPort}`, fetched.python, '-S', '-m', 'awslambdaric', 'app.handler'], {
      cwd: code,
      env: { PATH: process.env.PATH, PYTHONPATH: [code, fetched.ricDir].join(path.delimiter), AWS_LAMBDA_FUNCTION_NAME: 'echo' },
      detached: true,
      stdio: 'ignore',
    });
    try {
      const deadline = Date.now() + 10_000;
      while (!(await accepts(port)) && Date.now() < deadline) await sleep(20);
      const response = await fetch(`http://127.0.0.1:${port}/2015-03-31/functions/function/invocations`,
        { method: 'POST', body: JSON.stringify({ hello: 'lambda' }) });
      expect(await response.json()).toEqual({ echo: { hello: 'lambda' }, python: VERSION, name: 'echo' });
    } finally {
      process.kill(-emulator.pid!, 'SIGKILL');
      fs.rmSync(code, { recursive: true, force: true });
    }
  });

  test('a second run finds everything in the cache: the same tools, without a word or the network', async () => {
    const again = await tools(cache, { PIP_INDEX_URL: UNREACHABLE_INDEX });
    expect(again).toEqual({ ...fetched, said: [] });
  });
});

/** A wheel (a zip) holding `files`, built with python3's zipfile. */
function wheel(dir: string, filename: string, files: Record<string, string>): Buffer {
  const file = path.join(dir, filename);
  const made = spawnSync(PYTHON3, ['-c', 'import json, sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], "w") as z:\n'
    + '    for name, text in json.loads(sys.argv[2]).items(): z.writestr(name, text)', file, JSON.stringify(files)], { encoding: 'utf-8' });
  expect(made.stderr).toBe('');
  return fs.readFileSync(file);
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** A simple API on loopback: project pages (`html` for PEP 503 anchors, else PEP 691 JSON) and the files they list. */
class LoopbackIndex {
  public static async start(options: { html?: boolean; credentials?: string } = {}): Promise<LoopbackIndex> {
    const index = new LoopbackIndex(options.html ?? false, options.credentials);
    await new Promise<void>(resolve => index.server.listen(0, '127.0.0.1', resolve));
    return index;
  }

  /** The requests it answered, by path. */
  public readonly requests: string[] = [];
  /** Files whose connection it drops halfway. */
  public readonly cutShort = new Set<string>();
  private readonly server: http.Server;
  private readonly projects = new Map<string, Array<{ filename: string; data: Buffer; sha256: string }>>();

  private constructor(private readonly html: boolean, private readonly credentials?: string) {
    this.server = http.createServer((req, res) => this.answer(req, res));
  }

  public get url(): string {
    const userinfo = this.credentials ? `${this.credentials}@` : '';
    return `http://${userinfo}127.0.0.1:${(this.server.address() as AddressInfo).port}/simple/`;
  }

  /** Lists `filename` under `project`, with `listedSha256` (default: its own). */
  public add(project: string, filename: string, data: Buffer, listedSha256 = sha256(data)): void {
    this.projects.set(project, [...this.projects.get(project) ?? [], { filename, data, sha256: listedSha256 }]);
  }

  public close(): Promise<void> {
    return new Promise(resolve => this.server.close(() => resolve()));
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.requests.push(req.url!);
    // Sent decoded, as pip sends them.
    const expected = this.credentials && `Basic ${Buffer.from(decodeURIComponent(this.credentials)).toString('base64')}`;
    if (expected && req.headers.authorization !== expected) {
      res.writeHead(401).end();
      return;
    }
    const page = /^\/simple\/([^/]+)\/$/.exec(req.url!);
    const files = page && this.projects.get(page[1]);
    if (files) {
      if (this.html) {
        // Relative links, as PEP 503 allows.
        const anchors = files.map(f => `<a href="../../files/${f.filename}#sha256=${f.sha256}">${f.filename}</a><br/>`);
        res.writeHead(200, { 'Content-Type': 'text/html' }).end(`<!DOCTYPE html><html><body>\n${anchors.join('\n')}\n</body></html>`);
      } else {
        const listed = files.map(f => ({ filename: f.filename, url: `/files/${f.filename}`, hashes: { sha256: f.sha256 }, size: f.data.length }));
        res.writeHead(200, { 'Content-Type': 'application/vnd.pypi.simple.v1+json' }).end(JSON.stringify({ meta: { 'api-version': '1.1' }, files: listed }));
      }
      return;
    }
    const file = [...this.projects.values()].flat().find(f => req.url === `/files/${f.filename}`);
    if (file && this.cutShort.has(file.filename)) {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': file.data.length });
      res.write(file.data.subarray(0, file.data.length / 2), () => res.destroy());
      return;
    }
    if (file) {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': file.data.length }).end(file.data);
      return;
    }
    res.writeHead(404).end();
  }
}

describe('from an index on loopback', () => {
  const cpython = `cp${VERSION.replace('.', '')}`;
  const machine = ARCH === 'arm64' ? 'aarch64' : 'x86_64';
  let work: string;
  let cache: string;
  let index: LoopbackIndex | undefined;
  beforeEach(() => {
    work = tempCache();
    cache = path.join(work, 'cache');
  });
  afterEach(async () => {
    await index?.close();
    index = undefined;
    fs.rmSync(work, { recursive: true, force: true });
  });

  /** The wheels of the runtime client, each saying which it is, and decoys of other platforms and interpreters. */
  function runtimeClientWheels(target: LoopbackIndex, wrongSha256For?: string) {
    const add = (project: string, filename: string, module: string) => {
      const data = wheel(work, filename, { [module]: `WHEEL = ${JSON.stringify(filename)}\n` });
      target.add(project, filename, data, filename === wrongSha256For ? '0'.repeat(64) : undefined);
    };
    add('awslambdaric', `awslambdaric-4.2.2-${cpython}-${cpython}-musllinux_1_2_${machine}.whl`, 'awslambdaric/__init__.py');
    add('awslambdaric', `awslambdaric-4.2.2-${cpython}-${cpython}-manylinux2014_${machine}.manylinux_2_17_${machine}.whl`, 'awslambdaric/__init__.py');
    add('awslambdaric', `awslambdaric-4.2.1-${cpython}-${cpython}-manylinux2014_${machine}.whl`, 'awslambdaric/__init__.py');
    add('awslambdaric', 'awslambdaric-4.2.2-cp399-cp399-manylinux2014_x86_64.manylinux2014_aarch64.whl', 'awslambdaric/__init__.py');
    add('simplejson', 'simplejson-4.3.0-py3-none-any.whl', 'simplejson/__init__.py');
    add('simplejson', `simplejson-4.3.0-${cpython}-${cpython}-manylinux_2_28_${machine}.whl`, 'simplejson/__init__.py');
    add('snapshot-restore-py', 'snapshot_restore_py-1.0.0-py3-none-any.whl', 'snapshot_restore_py.py');
  }

  /** The emulator, as if fetched before: the runtime client alone is fetched. */
  function cachedEmulator(): void {
    fs.mkdirSync(path.join(cache, 'emulator'), { recursive: true });
    fs.writeFileSync(path.join(cache, 'emulator', `aws-lambda-rie-1.170.0-${ARCH}`), '#!/bin/sh\n', { mode: 0o755 });
  }

  const wheelOf = (dir: string, module: string) => /WHEEL = "(.*)"/.exec(fs.readFileSync(path.join(dir, module), 'utf-8'))?.[1];

  test('PEP 503 HTML with credentials in PIP_INDEX_URL: the manylinux wheel of each pinned version for this Python', async () => {
    index = await LoopbackIndex.start({ html: true, credentials: 'user:p%40ss' });
    runtimeClientWheels(index);
    cachedEmulator();
    // What a run killed mid-fetch left an hour ago, and what one fetching now writes to.
    const abandoned = path.join(cache, 'emulator', `.awslambdaric-4.2.2-simplejson-4.3.0-snapshot-restore-py-1.0.0-${cpython}-${ARCH}.partial-killed`);
    const current = `${abandoned.slice(0, -'killed'.length)}current`;
    fs.mkdirSync(abandoned);
    fs.mkdirSync(current);
    const anHourAgo = new Date(Date.now() - 3_600_000);
    fs.utimesSync(abandoned, anHourAgo, anHourAgo);
    const { ricDir, said } = await tools(cache, { PIP_INDEX_URL: index.url });
    expect(fs.existsSync(abandoned)).toBe(false);
    expect(fs.existsSync(current)).toBe(true);
    expect(wheelOf(ricDir, 'awslambdaric/__init__.py')).toBe(`awslambdaric-4.2.2-${cpython}-${cpython}-manylinux2014_${machine}.manylinux_2_17_${machine}.whl`);
    expect(wheelOf(ricDir, 'simplejson/__init__.py')).toBe(`simplejson-4.3.0-${cpython}-${cpython}-manylinux_2_28_${machine}.whl`);
    expect(wheelOf(ricDir, 'snapshot_restore_py.py')).toBe('snapshot_restore_py-1.0.0-py3-none-any.whl');
    // The size comes from the responses when the index gives none; the credentials are not said.
    expect(said[0]).toMatch(/ wheels for \S+, 0\.0 MB\) from http:\/\/127\.0\.0\.1:\d+\/simple\/ into /);
    expect(said).toHaveLength(2);
  });

  test('a wheel whose sha256 is not the index\'s: one line saying so, and nothing left in the cache', async () => {
    index = await LoopbackIndex.start();
    runtimeClientWheels(index, `simplejson-4.3.0-${cpython}-${cpython}-manylinux_2_28_${machine}.whl`);
    cachedEmulator();
    const message = await failure(tools(cache, { PIP_INDEX_URL: index.url }));
    expect(message).toMatch(new RegExp(`^simplejson-4\\.3\\.0-${cpython}-\\S+\\.whl from http://127\\.0\\.0\\.1:\\d+/files/\\S+ has sha256 [0-9a-f]{64}, `
      + 'not the expected 0{64}: it was altered or cut short on the way; retry, or set PIP_INDEX_URL to an index that serves it intact$'));
    expect(contents(path.join(cache, 'emulator'))).toEqual([`aws-lambda-rie-1.170.0-${ARCH}`]);
  });

  test('a download cut short: one line saying so, and nothing left in the cache', async () => {
    index = await LoopbackIndex.start();
    runtimeClientWheels(index);
    index.cutShort.add('snapshot_restore_py-1.0.0-py3-none-any.whl');
    cachedEmulator();
    const message = await failure(tools(cache, { PIP_INDEX_URL: index.url }));
    expect(message).toMatch(/^cannot download snapshot_restore_py-1\.0\.0-py3-none-any\.whl from http:\/\/127\.0\.0\.1:\d+\/files\/\S+ \(.+\); retry when the connection is back$/);
    expect(contents(path.join(cache, 'emulator'))).toEqual([`aws-lambda-rie-1.170.0-${ARCH}`]);
  });

  test('a SAM CLI wheel that is not the pinned one: one line saying so, and nothing left in the cache', async () => {
    index = await LoopbackIndex.start();
    index.add('aws-sam-cli', SAM_CLI_WHEEL, wheel(work, SAM_CLI_WHEEL, { 'samcli/local/rapid/aws-lambda-rie-x86_64': 'not it' }));
    const message = await failure(tools(cache, { PIP_INDEX_URL: index.url }));
    expect(message).toMatch(/^aws_sam_cli-1\.170\.0-py3-none-any\.whl from \S+ has sha256 [0-9a-f]{64}, not the expected 24ebaf5e[0-9a-f]{56}: /);
    expect(contents(path.join(cache, 'emulator'))).toEqual([]);
  });

  test('an index without the project: one line naming the index', async () => {
    index = await LoopbackIndex.start();
    const message = await failure(tools(cache, { PIP_INDEX_URL: index.url }));
    expect(message).toMatch(/^cannot download AWS's Lambda runtime emulator from http:\/\/127\.0\.0\.1:\d+\/simple\/aws-sam-cli\/ \(HTTP 404 Not Found\); check PIP_INDEX_URL/);
  });

  test('no network and nothing cached: one line saying to connect once or use a cache that has the tools', async () => {
    // A port nothing listens on (fetch refuses port 1 outright, as a bad port).
    const [port] = await freePorts(1);
    const unreachable = `http://127.0.0.1:${port}/simple/`;
    const message = await failure(tools(cache, { PIP_INDEX_URL: unreachable }));
    expect(message).toBe(`cannot download AWS's Lambda runtime emulator from ${unreachable}aws-sam-cli/ (connect ECONNREFUSED 127.0.0.1:${port}); `
      + 'connect once to fetch it, after which emulate works offline, or point CDK_WSGI_CACHE_DIR at a cache that has it');
    expect(contents(path.join(cache, 'emulator'))).toEqual([]);
  });
});

describe('the interpreter', () => {
  let cache: string;
  beforeEach(() => {
    cache = tempCache();
  });
  afterEach(() => fs.rmSync(cache, { recursive: true, force: true }));
  // Checked before anything is fetched: the index is never asked.
  const offline = { PIP_INDEX_URL: UNREACHABLE_INDEX };

  test('--python of another version: one line saying what it is', async () => {
    const other = VERSION === '3.12' ? '3.13' : '3.12';
    const message = await failure(tools(cache, offline, { pythonVersion: other }));
    expect(message).toBe(`--python ${PYTHON3} is CPython ${VERSION}, not the CPython ${other} of the function's runtime python${other}; `
      + `pass a CPython ${other}, or leave --python out to find or fetch one`);
  });

  test('--python that does not run: one line saying why', async () => {
    const missing = path.join(cache, 'no-such-python');
    const message = await failure(tools(cache, offline, { python: missing }));
    expect(message).toBe(`--python ${missing} cannot run (ENOENT); pass a CPython ${VERSION}, or leave --python out to find or fetch one`);
  });

  /**
   * The tools without --python, on a PATH of `onPath` alone (links to python3) and a pyenv root holding `pyenvBuilds`
   * (each a link to python3), with the emulator and the runtime client cached as fetched before.
   */
  async function found(onPath: string[], pyenvBuilds: string[]): Promise<string> {
    const bin = path.join(cache, 'bin');
    const pyenvRoot = path.join(cache, 'pyenv');
    fs.mkdirSync(bin);
    onPath.forEach(name => fs.symlinkSync(PYTHON3, path.join(bin, name)));
    for (const build of pyenvBuilds) {
      fs.mkdirSync(path.join(pyenvRoot, 'versions', build, 'bin'), { recursive: true });
      fs.symlinkSync(PYTHON3, path.join(pyenvRoot, 'versions', build, 'bin', `python${VERSION}`));
    }
    const emulator = path.join(cache, 'emulator');
    fs.mkdirSync(path.join(emulator, `awslambdaric-4.2.2-simplejson-4.3.0-snapshot-restore-py-1.0.0-cp${VERSION.replace('.', '')}-${ARCH}`, 'awslambdaric'),
      { recursive: true });
    fs.writeFileSync(path.join(emulator, `aws-lambda-rie-1.170.0-${ARCH}`), '#!/bin/sh\n', { mode: 0o755 });
    const result = await tools(cache, { ...offline, PATH: bin, PYENV_ROOT: pyenvRoot }, { python: undefined });
    expect(result.said).toEqual([]);
    return path.relative(cache, result.python);
  }

  test('pythonX.Y on PATH first', async () => {
    expect(await found([`python${VERSION}`, 'python3'], [`${VERSION}.1`])).toBe(`bin/python${VERSION}`);
  });

  test('python3 on PATH when it is X.Y', async () => {
    expect(await found(['python3'], [`${VERSION}.1`])).toBe('bin/python3');
  });

  test('else pyenv\'s newest build of X.Y', async () => {
    expect(await found([], [`${VERSION}.9`, `${VERSION}.10`, `${VERSION}.2`])).toBe(`pyenv/versions/${VERSION}.10/bin/python${VERSION}`);
  });
});

describe('on a machine the emulator does not run on', () => {
  const platform = Object.getOwnPropertyDescriptor(process, 'platform')!;
  afterEach(() => Object.defineProperty(process, 'platform', platform));

  test('macOS: one line saying what to do instead', async () => {
    Object.defineProperty(process, 'platform', { value: 'darwin' });
    const cache = tempCache();
    const message = await failure(tools(cache));
    fs.rmSync(cache, { recursive: true, force: true });
    expect(message).toBe(`AWS's Lambda runtime emulator runs on Linux only (x86_64 or arm64); on darwin ${process.arch}, deploy or use \`cdk-wsgi serve\``);
  });
});
