import { spawn, spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Readable } from 'stream';
import { pipeline } from 'stream/promises';
import { ReadableStream as WebReadableStream } from 'stream/web';
import { userCacheDir } from '../shared/user-cache';

/** What `cdk-wsgi emulate` runs a Python function with, on this machine. */
export interface EmulatorTools {
  /** AWS's Lambda Runtime Interface Emulator binary for this machine's architecture. */
  readonly rie: string;
  /**
   * A folder holding awslambdaric and its dependencies (simplejson, snapshot-restore-py) for `python`'s version and
   * this machine's architecture: put it on PYTHONPATH.
   */
  readonly ricDir: string;
  /** A CPython of the requested X.Y version. */
  readonly python: string;
}

export interface ToolsRequest {
  /** '3.12', '3.13', '3.14' … from the function's Runtime (python3.14). */
  readonly pythonVersion: string;
  /** An interpreter the user named (--python); checked to be CPython `pythonVersion`, never fetched. */
  readonly python?: string;
  /** One line at a time: what is fetched, how large, from where, into where, before it is; and how long it took after. */
  readonly say: (line: string) => void;
  /** Where CDK_WSGI_CACHE_DIR, PIP_INDEX_URL, PATH and PYENV_ROOT come from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/*
 * The emulator comes from AWS's SAM CLI wheel, which carries its release binaries (samcli/local/rapid/aws-lambda-rie-<arch>):
 * the Go module proxy serves no version of it (see .ci/rie-setup, which pins the same wheel). Pinned by hash, as
 * awslambdaric and its two dependencies are pinned by version, each with a wheel for every Lambda Python on Linux.
 */
const SAM_CLI = {
  project: 'aws-sam-cli',
  version: '1.170.0',
  filename: 'aws_sam_cli-1.170.0-py3-none-any.whl',
  sha256: '24ebaf5ecba38dc1758089968cb89ab61e124b84e92a344fc7a2771a47f4d0bf',
};
const RIC: readonly Pin[] = [
  { project: 'awslambdaric', version: '4.2.2' },
  { project: 'simplejson', version: '4.3.0' },
  { project: 'snapshot-restore-py', version: '1.0.0' },
];

const PYPI = 'https://pypi.org/simple/';
const INDEX_TIMEOUT_MS = 30_000;
const DOWNLOAD_TIMEOUT_MS = 5 * 60_000;
const PROBE_TIMEOUT_MS = 10_000;
/** Fetches CPython X.Y from Debian into a folder, printing its interpreter last; shipped in the package. */
const DEBIAN_CPYTHON_SCRIPT = path.join(__dirname, '..', '..', 'lib-python', 'emulate', 'debian_cpython.py');
const SAY = 'cdk-wsgi emulate:';

interface Pin {
  readonly project: string;
  readonly version: string;
}

/** One file a package index lists. */
interface IndexFile {
  readonly filename: string;
  readonly url: string;
  readonly sha256?: string;
  readonly size?: number;
}

/** The package index: PIP_INDEX_URL's simple API, else PyPI's. */
interface PackageIndex {
  /** Its URL without credentials, ending in '/'. */
  readonly url: string;
  /** Basic authentication from the URL's credentials, which fetch refuses in a URL. */
  readonly authorization?: string;
}

/**
 * The emulator, the runtime interface client and a CPython `pythonVersion` for this machine: each from the user's
 * cache when there, else fetched into it once (saying so), so that later runs need no network at all.
 */
export async function emulatorTools(request: ToolsRequest): Promise<EmulatorTools> {
  const env = request.env ?? process.env;
  const arch = hostArchitecture();
  if (process.platform !== 'linux' || !arch) {
    throw new Error('AWS\'s Lambda runtime emulator runs on Linux only (x86_64 or arm64); '
      + `on ${process.platform} ${process.arch}, deploy or use \`cdk-wsgi serve\``);
  }
  const dir = path.join(userCacheDir(env), 'emulator');
  // The interpreter first: a wrong --python fails before anything is downloaded.
  const python = request.python === undefined
    ? await findPython(request.pythonVersion, arch, dir, env, request.say)
    : givenPython(request.python, request.pythonVersion, env);
  const index = packageIndex(env);
  const rie = await emulatorBinary(index, arch, dir, env, request.say);
  const ricDir = await runtimeClient(index, request.pythonVersion, arch, dir, env, request.say);
  compiled(ricDir, python, env);
  return { rie, ricDir, python };
}

/** This machine as Lambda names architectures: 'x86_64' or 'arm64'; undefined on others. */
export function hostArchitecture(): 'x86_64' | 'arm64' | undefined {
  switch (process.arch) {
    case 'x64':
      return 'x86_64';
    case 'arm64':
      return 'arm64';
    default:
      return undefined;
  }
}

// ---- The emulator and the runtime interface client ----

/** The emulator binary from the SAM CLI wheel: only that member is kept. */
async function emulatorBinary(index: PackageIndex, arch: string, dir: string, env: NodeJS.ProcessEnv,
  say: (line: string) => void): Promise<string> {
  const target = path.join(dir, `aws-lambda-rie-${SAM_CLI.version}-${arch}`);
  if (isExecutable(target)) return target;
  const what = 'AWS\'s Lambda runtime emulator';
  const detail = `aws-lambda-rie-${arch} in the ${SAM_CLI.project} ${SAM_CLI.version} wheel`;
  await install(target, what, async (work, signal) => {
    const listed = (await indexFiles(index, SAM_CLI.project, what, signal)).find(file => file.filename === SAM_CLI.filename);
    if (!listed) throw new Error(`${index.url} lists no ${SAM_CLI.filename}; set PIP_INDEX_URL to an index that mirrors PyPI's ${SAM_CLI.project}`);
    const [wheel] = await download(index, [{ ...listed, sha256: SAM_CLI.sha256 }],
      work, signal, total => say(fetchingLine(what, `${detail}, ${total}`, index, dir)));
    const binary = path.join(work, 'aws-lambda-rie');
    runPython(env, ['-c', [
      'import shutil, sys, zipfile',
      'with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst: shutil.copyfileobj(src, dst)',
    ].join('\n'), wheel, `samcli/local/rapid/aws-lambda-rie-${arch}`, binary], `extract the emulator from ${SAM_CLI.filename}`);
    fs.chmodSync(binary, 0o755);
    return binary;
  }, say);
  return target;
}

/** awslambdaric with its dependencies, each wheel unpacked into one folder, for CPython `pythonVersion` on `arch`. */
async function runtimeClient(index: PackageIndex, pythonVersion: string, arch: string, dir: string, env: NodeJS.ProcessEnv,
  say: (line: string) => void): Promise<string> {
  const tag = `cp${pythonVersion.replace('.', '')}`;
  // Every pin in the name: a new pin of any of them is a new folder, never a stale one.
  const target = path.join(dir, `${RIC.map(pin => `${pin.project}-${pin.version}`).join('-')}-${tag}-${arch}`);
  if (fs.existsSync(path.join(target, 'awslambdaric'))) return target;
  const what = `AWS's Python runtime interface client for CPython ${pythonVersion}`;
  const detail = `${RIC.map(pin => `${pin.project} ${pin.version}`).join(', ')} wheels for ${arch}`;
  await install(target, what, async (work, signal) => {
    const files = await Promise.all(RIC.map(async pin => {
      const chosen = bestWheel(await indexFiles(index, pin.project, what, signal), pin, tag, arch);
      if (!chosen) {
        throw new Error(`${index.url} lists no ${pin.project} ${pin.version} wheel for CPython ${pythonVersion} on manylinux ${arch}; `
          + `set PIP_INDEX_URL to an index that mirrors PyPI's ${pin.project}`);
      }
      if (!chosen.sha256) throw new Error(`${index.url} gives no sha256 for ${chosen.filename}; set PIP_INDEX_URL to an index that does`);
      return chosen;
    }));
    const wheels = await download(index, files, work, signal, total => say(fetchingLine(what, `${detail}, ${total}`, index, dir)));
    const site = path.join(work, 'site');
    runPython(env, ['-c', 'import sys, zipfile\nfor wheel in sys.argv[2:]: zipfile.ZipFile(wheel).extractall(sys.argv[1])',
      site, ...wheels], `unpack ${files.map(file => file.filename).join(', ')}`);
    return site;
  }, say);
  return target;
}

/**
 * Puts what `fetch` builds in a scratch folder at `target`, with one rename: a run that is interrupted or fails
 * leaves no half tool there that a later run would trust. Says how long it took.
 */
async function install(target: string, what: string,
  fetch: (work: string, signal: AbortSignal) => Promise<string>, say: (line: string) => void): Promise<void> {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const scratch = `.${path.basename(target)}.partial-`;
  removeAbandoned(path.dirname(target), scratch);
  const work = fs.mkdtempSync(path.join(path.dirname(target), scratch));
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`not done within ${DOWNLOAD_TIMEOUT_MS / 1000} s`)), DOWNLOAD_TIMEOUT_MS);
  const started = Date.now();
  try {
    const built = await fetch(work, controller.signal);
    try {
      fs.renameSync(built, target);
    } catch (error) {
      // Another run installed it meanwhile.
      if (!fs.existsSync(target)) throw error;
    }
    say(`${SAY} fetched ${what} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    clearTimeout(timer);
    controller.abort(); // responses not read to the end, after a failure
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The scratch folders of runs that were killed while fetching (Ctrl-C ends Node.js without `finally`), once older
 * than any fetch may take: no run still writes to them.
 */
function removeAbandoned(dir: string, prefix: string): void {
  for (const entry of fs.readdirSync(dir).filter(name => name.startsWith(prefix))) {
    const scratch = path.join(dir, entry);
    try {
      if (Date.now() - fs.statSync(scratch).mtimeMs > DOWNLOAD_TIMEOUT_MS) fs.rmSync(scratch, { recursive: true, force: true });
    } catch {
      // Removed meanwhile by another run.
    }
  }
}

function fetchingLine(what: string, detail: string, index: PackageIndex, dir: string): string {
  return `${SAY} fetching ${what} (${detail}) from ${index.url} into ${tildify(dir)} (once)`;
}

/** The wheel of `pin` that suits CPython `tag` (cp314) on manylinux `arch`, as pip would choose it: compiled first. */
function bestWheel(files: IndexFile[], pin: Pin, tag: string, arch: string): IndexFile | undefined {
  const machine = arch === 'arm64' ? 'aarch64' : 'x86_64';
  const manylinux = new RegExp(`^manylinux(1|2010|2014|_\\d+_\\d+)_${machine}$`);
  const minor = Number(tag.slice(3));
  const rank = (file: IndexFile): number => {
    const tags = wheelTags(file.filename);
    if (!tags || normalize(tags.name) !== normalize(pin.project) || tags.version !== pin.version) return 0;
    if (!tags.platforms.some(platform => platform === 'any' || manylinux.test(platform))) return 0;
    if (tags.pythons.includes(tag) && tags.abis.includes(tag)) return 3;
    // The stable ABI of any CPython 3 up to this one.
    if (tags.abis.includes('abi3') && tags.pythons.some(python => /^cp3\d+$/.test(python) && Number(python.slice(3)) <= minor)) return 2;
    if (tags.abis.includes('none') && tags.pythons.some(python => python === 'py3' || python === tag)) return 1;
    return 0;
  };
  const ranked = files.map(file => ({ file, rank: rank(file) })).filter(entry => entry.rank > 0);
  return ranked.sort((a, b) => b.rank - a.rank)[0]?.file;
}

/** A wheel filename's parts (PEP 427): name-version[-build]-python-abi-platform.whl, each tag set split at dots. */
function wheelTags(filename: string) {
  const match = /^([^-]+)-([^-]+)(?:-\d[^-]*)?-([^-]+)-([^-]+)-([^-]+)\.whl$/.exec(filename);
  return match && {
    name: match[1],
    version: match[2],
    pythons: match[3].split('.'),
    abis: match[4].split('.'),
    platforms: match[5].split('.'),
  };
}

/** A project name as the simple API spells it in URLs (PEP 503). */
function normalize(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

// ---- The package index ----

function packageIndex(env: NodeJS.ProcessEnv): PackageIndex {
  const given = env.PIP_INDEX_URL;
  if (!given) return { url: PYPI };
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw new Error(`PIP_INDEX_URL is not a URL (${given}); set it to a simple API such as ${PYPI}, or unset it`);
  }
  const authorization = url.username || url.password
    ? `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`
    : undefined;
  url.username = '';
  url.password = '';
  return { url: url.href.endsWith('/') ? url.href : `${url.href}/`, authorization };
}

/** The files the index lists for `project`: PEP 691 JSON when it speaks it, else PEP 503 HTML. */
async function indexFiles(index: PackageIndex, project: string, what: string, signal: AbortSignal): Promise<IndexFile[]> {
  const page = `${index.url}${normalize(project)}/`;
  const response = await get(index, page, what, signal, 'application/vnd.pypi.simple.v1+json, text/html;q=0.1', INDEX_TIMEOUT_MS);
  const text = await response.text();
  const base = response.url || page;
  if (/json/.test(response.headers.get('content-type') ?? '')) {
    let files: any[];
    try {
      files = JSON.parse(text).files ?? [];
    } catch {
      throw new Error(`${page} answered JSON that is not a simple API page; set PIP_INDEX_URL to a package index's simple API, or unset it`);
    }
    return files.map(file => ({
      filename: String(file.filename),
      url: new URL(file.url, base).href,
      sha256: file.hashes?.sha256,
      size: typeof file.size === 'number' ? file.size : undefined,
    }));
  }
  return [...text.matchAll(/<a\s[^>]*?href\s*=\s*(["'])(.*?)\1[^>]*>([^<]*)<\/a>/gis)].map(([, , href, label]) => {
    const url = new URL(href.replace(/&amp;/g, '&'), base);
    const sha256 = /(?:^#|&)sha256=([0-9a-f]{64})/i.exec(url.hash)?.[1];
    url.hash = '';
    return { filename: label.trim() || decodeURIComponent(url.pathname.split('/').pop() ?? ''), url: url.href, sha256 };
  });
}

/**
 * Downloads `files` into `work`, each checked against its sha256. The responses are opened together first, so the
 * line said before the download (`announce`) tells their size even when the index does not.
 */
async function download(index: PackageIndex, files: IndexFile[], work: string, signal: AbortSignal,
  announce: (total: string) => void): Promise<string[]> {
  const what = files.map(file => file.filename).join(', ');
  const responses = await Promise.all(files.map(file => get(index, file.url, what, signal)));
  const sizes = files.map((file, i) => file.size ?? Number(responses[i].headers.get('content-length') ?? NaN));
  announce(sizes.some(Number.isNaN) ? 'size not given' : `${(sizes.reduce((a, b) => a + b, 0) / 1e6).toFixed(1)} MB`);
  const saved: string[] = [];
  for (const [i, file] of files.entries()) {
    const target = path.join(work, path.basename(file.filename));
    const hash = createHash('sha256');
    const body = Readable.fromWeb(responses[i].body as WebReadableStream<Uint8Array>).on('data', chunk => hash.update(chunk));
    try {
      await pipeline(body, fs.createWriteStream(target));
    } catch (error) {
      throw new Error(`cannot download ${file.filename} from ${file.url} (${causeOf(error)}); retry when the connection is back`);
    }
    const sha256 = hash.digest('hex');
    if (sha256 !== file.sha256?.toLowerCase()) {
      throw new Error(`${file.filename} from ${file.url} has sha256 ${sha256}, not the expected ${file.sha256}: it was altered or cut short `
        + 'on the way; retry, or set PIP_INDEX_URL to an index that serves it intact');
    }
    saved.push(target);
  }
  return saved;
}

/** A successful response for `url`, or an error naming the fix: connect, or use a cache that has the tools. */
async function get(index: PackageIndex, url: string, what: string, signal: AbortSignal, accept?: string, timeoutMs?: number): Promise<Response> {
  const headers: Record<string, string> = accept ? { Accept: accept } : {};
  // The index's credentials go to the index's host alone, as pip sends them.
  if (index.authorization && new URL(url).origin === new URL(index.url).origin) headers.Authorization = index.authorization;
  const cannot = (cause: string) => `cannot download ${what} from ${url} (${cause})`;
  // The install's signal ends the body too; a timeout of its own bounds an index page's answer.
  const controller = new AbortController();
  const abort = () => controller.abort(signal.reason);
  signal.addEventListener('abort', abort, { once: true });
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => controller.abort(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
  let response: Response;
  try {
    response = await fetch(url, { headers, signal: controller.signal, redirect: 'follow' });
  } catch (error) {
    throw new Error(`${cannot(causeOf(error))}; connect once to fetch it, after which emulate works offline, `
      + 'or point CDK_WSGI_CACHE_DIR at a cache that has it');
  } finally {
    clearTimeout(timer);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`${cannot(`HTTP ${response.status} ${response.statusText}`.trim())}; `
      + `check PIP_INDEX_URL (${index.url}), or point CDK_WSGI_CACHE_DIR at a cache that has it`);
  }
  return response;
}

/** Why fetch failed, in a few words: undici hides the system's error (ECONNREFUSED, ENOTFOUND) in `cause`. */
function causeOf(error: unknown): string {
  const cause: any = (error as any)?.cause ?? error;
  const first: any = cause?.errors?.[0] ?? cause; // several addresses, each refused
  return String(first?.message || first?.code || cause?.message || error).split('\n')[0];
}

// ---- CPython X.Y ----

interface Probe {
  readonly implementation: string;
  readonly version: string;
  readonly freeThreaded: boolean;
  readonly executable: string;
}

const PROBE = 'import json, platform, sys, sysconfig; print(json.dumps([platform.python_implementation(), '
  + '"%d.%d" % sys.version_info[:2], bool(sysconfig.get_config_var("Py_GIL_DISABLED")), sys.executable]))';

/** What `candidate` is, when it runs. */
function probe(candidate: string, env: NodeJS.ProcessEnv): Probe | { error: string } {
  // -I: neither PYTHONPATH nor PYTHONHOME of the user's shell changes what it says.
  const result = spawnSync(candidate, ['-I', '-c', PROBE], { encoding: 'utf-8', env, timeout: PROBE_TIMEOUT_MS });
  if (result.error) return { error: (result.error as NodeJS.ErrnoException).code ?? result.error.message };
  if (result.status !== 0) return { error: lastLine(result.stderr) || `exit ${result.status ?? result.signal}` };
  try {
    const [implementation, version, freeThreaded, executable] = JSON.parse(lastLine(result.stdout));
    return { implementation, version, freeThreaded, executable: executable || candidate };
  } catch {
    return { error: `printed ${lastLine(result.stdout) || 'nothing'}` };
  }
}

/** Lambda's runtimes are CPython with the GIL. */
function fits(found: Probe, version: string): boolean {
  return found.implementation === 'CPython' && found.version === version && !found.freeThreaded;
}

/** `candidate`'s own executable (a pyenv shim's build) when it is CPython `version`. */
function interpreterOf(candidate: string, version: string, env: NodeJS.ProcessEnv): string | undefined {
  const found = probe(candidate, env);
  return 'error' in found || !fits(found, version) ? undefined : found.executable;
}

function givenPython(python: string, version: string, env: NodeJS.ProcessEnv): string {
  const found = probe(python, env);
  if ('error' in found) {
    throw new Error(`--python ${python} cannot run (${found.error}); pass a CPython ${version}, or leave --python out to find or fetch one`);
  }
  if (fits(found, version)) return found.executable;
  const is = `${found.implementation} ${found.version}${found.freeThreaded ? ' (free-threaded)' : ''}`;
  throw new Error(`--python ${python} is ${is}, not the CPython ${version} of the function's runtime python${version}; `
    + `pass a CPython ${version}, or leave --python out to find or fetch one`);
}

/**
 * A CPython `version` of this machine (pythonX.Y or python3 on PATH, pyenv's newest build, uv's), else the one fetched
 * earlier into the cache, else one fetched from Debian now.
 */
async function findPython(version: string, arch: string, dir: string, env: NodeJS.ProcessEnv, say: (line: string) => void): Promise<string> {
  for (const candidate of [`python${version}`, 'python3', ...pyenvBuilds(version, env)]) {
    const found = interpreterOf(candidate, version, env);
    if (found) return found;
  }
  return uvPython(version, env) ?? cachedPython(version, arch, dir, env) ?? fetchPython(version, arch, dir, env, say);
}

/** pyenv's builds of `version`, newest first: under PYENV_ROOT, else ~/.pyenv, where `pyenv root` looks too. */
function pyenvBuilds(version: string, env: NodeJS.ProcessEnv): string[] {
  const versions = path.join(env.PYENV_ROOT || path.join(os.homedir(), '.pyenv'), 'versions');
  const builds = fs.existsSync(versions) ? fs.readdirSync(versions).filter(v => v.startsWith(`${version}.`)) : [];
  return builds
    .sort((a, b) => b.localeCompare(a, undefined, { numeric: true }))
    .map(build => path.join(versions, build, 'bin', `python${version}`));
}

/** The interpreter uv knows of: `uv python find` only looks, never downloads. */
function uvPython(version: string, env: NodeJS.ProcessEnv): string | undefined {
  const result = spawnSync('uv', ['python', 'find', version], { encoding: 'utf-8', env, timeout: PROBE_TIMEOUT_MS });
  const found = result.status === 0 ? lastLine(result.stdout) : '';
  return found ? interpreterOf(found, version, env) : undefined;
}

/** Where the Debian CPython goes, and the note of its interpreter, relative to that folder, once it works. */
function pythonHome(version: string, arch: string, dir: string) {
  const home = path.join(dir, `cpython-${version}-${arch}`);
  return { home, note: `${home}.interpreter` };
}

function cachedPython(version: string, arch: string, dir: string, env: NodeJS.ProcessEnv): string | undefined {
  const { home, note } = pythonHome(version, arch, dir);
  let interpreter: string;
  try {
    interpreter = path.resolve(home, fs.readFileSync(note, 'utf-8').trim());
  } catch {
    return undefined;
  }
  return interpreterOf(interpreter, version, env);
}

interface ScriptRun {
  readonly status: number | null;
  readonly stdout: string;
  /** Its last line on stderr: what it says went wrong, when it fails. */
  readonly last?: string;
  readonly error?: Error;
}

/**
 * Runs lib-python/emulate/debian_cpython.py, which says what it downloads and how long that took: its stderr lines go
 * to `say`, as this command's.
 */
async function fetchPython(version: string, arch: string, dir: string, env: NodeJS.ProcessEnv, say: (line: string) => void): Promise<string> {
  const { home, note } = pythonHome(version, arch, dir);
  fs.mkdirSync(dir, { recursive: true });
  const ours = (line: string) => line.trim().replace(/^cdk-wsgi: /, `${SAY} `);
  const { status, stdout, last, error } = await new Promise<ScriptRun>(resolve => {
    const child = spawn('python3', [DEBIAN_CPYTHON_SCRIPT, version, home], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let printed = '';
    let partial = '';
    // Held back until the next one: on failure the last is the error's message, said once.
    let held: string | undefined;
    const hold = (line: string) => {
      if (held !== undefined) say(ours(held));
      held = line;
    };
    child.stdout.setEncoding('utf-8').on('data', (chunk: string) => { printed += chunk; });
    child.stderr.setEncoding('utf-8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      lines.filter(line => line.trim()).forEach(hold);
    });
    child.on('error', spawnError => resolve({ status: null, stdout: printed, error: spawnError }));
    child.on('close', code => {
      if (partial.trim()) hold(partial);
      resolve({ status: code, stdout: printed, last: held });
    });
  });
  const unavailable = `no CPython ${version} found (python${version} or python3 on PATH, pyenv, uv), and fetching Debian's failed`;
  if (error) {
    throw new Error(`${unavailable}: cannot run python3 (${(error as NodeJS.ErrnoException).code ?? error.message}); install CPython ${version}, or pass --python`);
  }
  // The script's message names the fix.
  if (status !== 0) throw new Error(`${unavailable}: ${last?.trim().replace(/^cdk-wsgi: /, '') || `${DEBIAN_CPYTHON_SCRIPT} exited ${status}`}`);
  if (last !== undefined) say(ours(last));
  const interpreter = lastLine(stdout);
  if (!interpreter || !interpreterOf(interpreter, version, env)) {
    throw new Error(`${unavailable}: what it fetched (${interpreter || 'nothing'}) does not run as CPython ${version}; install CPython ${version}, or pass --python`);
  }
  // Noted once it runs, with a rename: a later run trusts only a complete note.
  const partialNote = `${note}.partial-${process.pid}`;
  fs.writeFileSync(partialNote, path.relative(home, interpreter));
  fs.renameSync(partialNote, note);
  return interpreter;
}

// ---- Helpers ----

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * The runtime interface client compiled by `python`, once: Lambda's runtime ships its client compiled, and under the
 * emulator's PYTHONDONTWRITEBYTECODE an uncompiled one would be compiled at every init, adding to Init Duration.
 */
function compiled(ricDir: string, python: string, env: NodeJS.ProcessEnv): void {
  if (fs.existsSync(path.join(ricDir, 'awslambdaric', '__pycache__'))) return;
  const result = spawnSync(python, ['-I', '-m', 'compileall', '-q', ricDir], { encoding: 'utf-8', env });
  if (result.error || result.status !== 0) {
    throw new Error(`${python} could not compile ${ricDir} (${lastLine(result.stderr) || result.error?.message}); delete that folder and run again`);
  }
}

/** Runs the machine's python3 (which zipfile makes a wheel reader); throws its last line when it fails. */
function runPython(env: NodeJS.ProcessEnv, args: string[], what: string): void {
  const result = spawnSync('python3', ['-I', ...args], { encoding: 'utf-8', env });
  if (result.error || result.status !== 0) {
    const why = (result.error as NodeJS.ErrnoException | undefined)?.code ?? (lastLine(result.stderr) || `exit ${result.status}`);
    throw new Error(`python3 could not ${what} (${why}); cdk-wsgi needs python3 on PATH`);
  }
}

function lastLine(text: string | null | undefined): string {
  return (text ?? '').trim().split('\n').pop()!.trim();
}

/** `path` with the home folder as `~`, as the user knows it. */
function tildify(file: string): string {
  const home = os.homedir();
  return file === home || file.startsWith(`${home}${path.sep}`) ? `~${file.slice(home.length)}` : file;
}
