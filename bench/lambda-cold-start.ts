import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, AssetStaging, Stack } from 'aws-cdk-lib';
import { BundlingMode, WsgiApi } from '../src';
import { runDriver, writeReport } from './driver';
import { elapsedMs, ratio, summary } from './stats';
import { restEvent } from '../test/example-events';
import { datedAsZipped, importFrom } from '../test/lambda-files';
import { EmulatedFunction, Emulator, localPlatform, pythonFunctions } from '../test/rie';

/**
 * A Flask and a Django app started cold in AWS's Lambda Runtime Interface Emulator on cdk-wsgi's default runtime,
 * packaged three ways side by side: as the usual tools package it (pip install --target, behind serverless-wsgi),
 * the same files with valid bytecode, and as cdk-wsgi bundles it on this machine; and local bundling's time against
 * the plain `pip install --target`. Run through `bash bench/lambda-cold-start`; prints the tables and writes
 * bench/lambda-results.md.
 */
const ROOT = path.join(__dirname, '..');
const RESULTS = path.join(__dirname, 'lambda-results.md');

interface BenchApp {
  readonly name: string;
  readonly entry: string;
  /** WsgiApi's `module`: the app's module and its WSGI callable. */
  readonly module: string;
  /** What its page says, checked in every first response. */
  readonly page: string;
}

const APPS: BenchApp[] = [
  { name: 'Flask', entry: path.join(ROOT, 'examples', 'flask-app'), module: 'api.app', page: 'Hello from Flask' },
  { name: 'Django', entry: path.join(__dirname, 'django-app'), module: 'mysite.wsgi.application', page: 'Hello from Django' },
];
const USUAL = 'usual packaging';
const USUAL_BYTECODE = 'usual packaging + valid bytecode';
const OURS = 'cdk-wsgi';

const USAGE = `usage: bash bench/lambda-cold-start [--rounds N] [--bundling-rounds N]
  --rounds N           cold starts per app and packaging (default 15)
  --bundling-rounds N  timed local bundlings and pip installs of the Flask example each (default 5)`;

function options(argv: string[]): { rounds: number; bundlingRounds: number } {
  const found = { rounds: 15, bundlingRounds: 5 };
  for (let i = 0; i < argv.length; i += 2) {
    const value = Number(argv[i + 1]);
    if (!['--rounds', '--bundling-rounds'].includes(argv[i]) || !Number.isInteger(value) || value < 1) {
      process.stderr.write(`${USAGE}\n`);
      process.exit(argv[i] === '--help' ? 0 : 2);
    }
    found[argv[i] === '--rounds' ? 'rounds' : 'bundlingRounds'] = value;
  }
  return found;
}

// Every folder the run makes, removed at its end.
const WORK = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-bench-'));

function tempDir(what: string): string {
  return fs.mkdtempSync(path.join(WORK, `${what}-`));
}

function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf-8', timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });
  if (result.error || result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed: ${result.error?.message ?? result.stderr}`);
  }
  return result.stdout.trim();
}

const PIP_QUIET = ['--quiet', '--disable-pip-version-check', '--no-input'];

/** A function cdk-wsgi bundled: its folders, the runtime it is for, what the bundler said, and how long it took. */
interface Bundled {
  readonly fn: EmulatedFunction;
  /** The cloud assembly it was synthesized into, which `cdk-wsgi emulate` reads. */
  readonly assemblyDir: string;
  readonly runtime: string;
  readonly said: string[];
  readonly ms: number;
}

/**
 * `cdk synth` of one WsgiApi on `app` with local bundling and the default runtime, into a fresh folder, as on a
 * user's machine: the bundler finds no python3.14 here (python3 is this machine's only Python on PATH).
 */
function synthBundled(app: BenchApp): Bundled {
  // CDK remembers bundled assets per process; forgetting them makes every synth bundle, as a new `cdk synth` does.
  AssetStaging.clearAssetHashCache();
  const said: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: any[]) => {
    said.push(...String(chunk).split('\n').filter(line => line.startsWith('cdk-wsgi: ')));
    return write(chunk, ...rest);
  }) as typeof process.stderr.write;
  try {
    const started = process.hrtime.bigint();
    const cdkApp = new App({ outdir: tempDir('synth'), context: { 'aws:cdk:enable-asset-metadata': true } });
    // CDK bundles an asset while the construct is defined, so the clock runs from here.
    new WsgiApi(new Stack(cdkApp, 'Bench'), 'App', {
      entry: app.entry,
      module: app.module,
      architecture: localPlatform().architecture,
      bundlingMode: BundlingMode.LOCAL,
    });
    const assembly = cdkApp.synth();
    const ms = elapsedMs(started);
    const resources = Object.values<any>(assembly.getStackByName('Bench').template.Resources);
    const runtime = resources.find(r => r.Type === 'AWS::Lambda::Function').Properties.Runtime;
    return { fn: pythonFunctions(assembly, 'Bench')[0], assemblyDir: assembly.directory, runtime, said, ms };
  } finally {
    process.stderr.write = write;
  }
}

/** The interpreter standing in for Lambda's runtime, with what comes with it there. */
interface LambdaPython {
  readonly python: string;
  /** A virtual environment of it: its pip is the one the usual tools run (`sam build` in the runtime's image). */
  readonly venvPython: string;
  /** awslambdaric for it, put on sys.path after the function's own folders as Lambda's /var/runtime is. */
  readonly ricDir: string;
}

/**
 * CPython `version` as Lambda's runtime has it: .ci/find-python's (which fetches Debian's build when there is no
 * other), with its standard library compiled, as Lambda's is. Debian's build ships its standard library without
 * bytecode, which the emulator's PYTHONDONTWRITEBYTECODE would make every cold start compile; so this run compiles
 * a copy of it in its own folder, never the shared one in .tools/ that other runs measure as it is.
 */
function lambdaPython(version: string): LambdaPython {
  let python = run('bash', [path.join(ROOT, '.ci', 'find-python'), '--fetch', version]);
  const stdlib = run(python, ['-c', 'import os, sysconfig; print(sysconfig.get_path("stdlib"))']);
  const compiled = run(python, ['-c', 'import importlib.util, os; print(os.path.exists(importlib.util.cache_from_source(os.__file__)))']);
  if (compiled !== 'True') {
    // The interpreter finds its standard library at ../lib/pythonX.Y from its own folder, the copy included.
    const prefix = path.join(WORK, 'runtime', 'usr');
    fs.mkdirSync(path.join(prefix, 'bin'), { recursive: true });
    fs.copyFileSync(fs.realpathSync(python), path.join(prefix, 'bin', `python${version}`));
    fs.chmodSync(path.join(prefix, 'bin', `python${version}`), 0o755);
    fs.cpSync(stdlib, path.join(prefix, 'lib', path.basename(stdlib)), { recursive: true });
    python = path.join(prefix, 'bin', `python${version}`);
    // One process, no -j: compileall's workers come from a forkserver that outlives it (compile_bundle.py).
    run(python, ['-m', 'compileall', '-q', path.join(prefix, 'lib', path.basename(stdlib))]);
  }
  const venv = path.join(WORK, 'runtime-venv');
  run(python, ['-m', 'venv', venv]);
  const venvPython = path.join(venv, 'bin', 'python');
  // The pins .ci/rie-setup installs for the emulator's own interpreter, here for this one (compiled as pip does).
  const ric = /^RIC=\((.*)\)$/m.exec(fs.readFileSync(path.join(ROOT, '.ci', 'rie-setup'), 'utf-8'))![1].split(' ');
  const ricDir = tempDir('awslambdaric');
  run(venvPython, ['-m', 'pip', 'install', ...PIP_QUIET, '--no-deps', '--only-binary=:all:', '--target', ricDir, ...ric]);
  return { python, venvPython, ricDir };
}

/** The serverless-wsgi pin the other benchmarks use. */
const SLS_PIN = /^serverless-wsgi==\S+$/m.exec(fs.readFileSync(path.join(__dirname, 'requirements.txt'), 'utf-8'))![0];

/** `pip install -r requirements.txt --target` with the runtime's own pip, which compiles (dated) bytecode. */
function pipInstall(venvPython: string, app: BenchApp, target: string, extra: string[] = []): number {
  const started = process.hrtime.bigint();
  run(venvPython, ['-m', 'pip', 'install', ...PIP_QUIET, '--requirement', path.join(app.entry, 'requirements.txt'),
    ...extra, '--target', target]);
  return elapsedMs(started);
}

/**
 * The usual packaging (serverless-wsgi's, SAM's, Zappa's) of the function cdk-wsgi bundled: the app's folder and
 * its requirements with serverless-wsgi, installed by the runtime's pip, and serverless-wsgi's documented handler
 * of your own (bench/serverless_wsgi_handler.py) for the app's module; no layer.
 */
function usualPackaging(app: BenchApp, fn: EmulatedFunction, lambda: LambdaPython): EmulatedFunction {
  const codeDir = path.join(tempDir('usual'), 'task');
  fs.cpSync(app.entry, codeDir, { recursive: true, filter: src => path.basename(src) !== '__pycache__' });
  pipInstall(lambda.venvPython, app, codeDir, [SLS_PIN]);
  const [, from, callable] = /^(.*)\.(\w+)$/.exec(app.module)!;
  const handler = fs.readFileSync(path.join(__dirname, 'serverless_wsgi_handler.py'), 'utf-8')
    .replace('from api import app', `from ${from} import ${callable === 'app' ? 'app' : `${callable} as app`}`);
  fs.writeFileSync(path.join(codeDir, 'serverless_wsgi_handler.py'), handler);
  return { ...fn, handler: 'serverless_wsgi_handler.handler', environment: {}, codeDir, layerDirs: [] };
}

/** A copy of `fn` with its pip-dated bytecode replaced by hash-checked bytecode from the runtime's CPython. */
function withValidBytecode(fn: EmulatedFunction, python: string): EmulatedFunction {
  const codeDir = path.join(tempDir('valid'), 'task');
  fs.cpSync(fn.codeDir, codeDir, { recursive: true, filter: src => path.basename(src) !== '__pycache__' });
  run(python, ['-m', 'compileall', '-q', '--invalidation-mode', 'checked-hash', codeDir]);
  return { ...fn, codeDir };
}

/** The modules an import of the app compiles from source (none when its bytecode is all used), as Lambda imports it. */
function compiledAtImport(fn: EmulatedFunction, python: string, module: string): string[] {
  // The handler's module is in the code, or else it is the adapter, in the layer.
  const modules = [module, ...(fn.layerDirs.length ? [] : [fn.handler])].map(name => name.replace(/\.\w+$/, ''));
  const imports: [string, string][] = [[fn.codeDir, `import ${modules.join(', ')}`],
    ...fn.layerDirs.map(dir => [dir, 'import cdk_wsgi_adapter'] as [string, string])];
  return imports.flatMap(([dir, code]) => importFrom(python, dir, code).loadedFrom.filter(f => f.endsWith('.py')));
}

/** The unzipped and zipped (deflate) size in bytes of a function's code and layers, as Lambda counts them. */
function sizes(fn: EmulatedFunction): { unzipped: number; zipped: number } {
  const [unzipped, zipped] = run('python3', ['-c', `
import io, os, sys, zipfile
unzipped = zipped = 0
for top in sys.argv[1:]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for folder, _, names in os.walk(top):
            for name in names:
                unzipped += os.path.getsize(os.path.join(folder, name))
                archive.write(os.path.join(folder, name), os.path.relpath(os.path.join(folder, name), top))
    zipped += buffer.tell()
print(unzipped, zipped)`, fn.codeDir, ...fn.layerDirs]).split(' ').map(Number);
  return { unzipped, zipped };
}

interface ColdStart {
  /** The init phase as the emulator reports it (runtime start to its first /next): imports included. */
  readonly initMs: number;
  /** The first invocation's own duration, from the emulator's report. */
  readonly invokeMs: number;
  /** What the client of the first request waited, emulator included: init starts with the first invocation. */
  readonly firstRequestMs: number;
}

const EVENT = restEvent('GET', '/', {});

async function coldStart(fn: EmulatedFunction, lambda: LambdaPython, page: string): Promise<ColdStart> {
  const emulator = await Emulator.start({ ...fn, layerDirs: [...fn.layerDirs, lambda.ricDir] }, lambda.python);
  try {
    const started = process.hrtime.bigint();
    const { status, payload } = await emulator.invoke(EVENT);
    const firstRequestMs = elapsedMs(started);
    const body = payload.isBase64Encoded ? Buffer.from(payload.body, 'base64').toString() : String(payload.body);
    if (status !== 200 || payload.statusCode !== 200 || !body.includes(page)) {
      throw new Error(`${fn.handler} answered ${status} ${JSON.stringify(payload).slice(0, 500)}\n${emulator.log}`);
    }
    // The emulator logs both durations as it goes; the lines may trail the response by a moment.
    const init = /INIT REPORT\(durationMs: ([\d.]+)\)/;
    const invoke = /INVOKE RTDONE\(status: success, [^)]*duration: ([\d.]+)ms\)/;
    const deadline = Date.now() + 5_000;
    while (!(init.test(emulator.log) && invoke.test(emulator.log))) {
      if (Date.now() > deadline) throw new Error(`no INIT REPORT or INVOKE RTDONE in the emulator's log:\n${emulator.log}`);
      await new Promise(resolve => setTimeout(resolve, 20));
    }
    return {
      initMs: Number(init.exec(emulator.log)![1]),
      invokeMs: Number(invoke.exec(emulator.log)![1]),
      firstRequestMs,
    };
  } finally {
    await emulator.stop();
  }
}

/**
 * The Init Duration `cdk-wsgi emulate --cold` prints for `rounds` requests of the app's assembly, with the same
 * interpreter as the cold starts above: what a user sees of their cold start before deploying, next to what this
 * benchmark measures of the same asset.
 */
async function emulatedInits(bundled: Bundled, python: string, rounds: number): Promise<number[]> {
  const cli = spawn(process.execPath, ['-r', require.resolve('ts-node/register/transpile-only'), path.join(ROOT, 'src', 'cli', 'main.ts'),
    'emulate', '--cold', '--assembly', bundled.assemblyDir, '--python', python, '--port', '0'], {
    cwd: WORK,
    env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json'), CDK_WSGI_CACHE_DIR: path.join(ROOT, '.tools', 'emulate-cache') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  cli.stdout!.setEncoding('utf8').on('data', text => { out += text; });
  cli.stderr!.setEncoding('utf8').on('data', text => { err += text; });
  try {
    const deadline = Date.now() + 120_000;
    let url: string | undefined;
    while ((url = / at (http:\S+)\n/.exec(out)?.[1]) === undefined) {
      if (cli.exitCode !== null || Date.now() > deadline) throw new Error(`cdk-wsgi emulate did not start:\n${out}${err}`);
      await new Promise(resolve => setTimeout(resolve, 50));
    }
    for (let round = 0; round < rounds; round++) {
      const response = await fetch(url, { signal: AbortSignal.timeout(60_000) });
      // Django's ALLOWED_HOSTS names the API's host, not the local server's: a 400 is its answer after the same init.
      if (response.status >= 500) throw new Error(`cdk-wsgi emulate answered ${response.status}:\n${out}${err}`);
      await response.arrayBuffer();
    }
    const inits = () => [...out.matchAll(/^REPORT .*\tInit Duration: ([\d.]+) ms$/gm)].map(match => Number(match[1]));
    while (inits().length < rounds) {
      if (Date.now() > deadline) throw new Error(`cdk-wsgi emulate printed ${inits().length} REPORT lines with an init:\n${out}`);
      await new Promise(resolve => setTimeout(resolve, 50));
    }
    return inits();
  } finally {
    if (cli.exitCode === null && cli.signalCode === null) {
      const exited = new Promise(resolve => cli.once('exit', resolve));
      cli.kill('SIGINT');
      await exited;
    }
  }
}

function installedVersion(dir: string, distribution: string): string {
  const info = fs.readdirSync(dir).find(f => f.toLowerCase().startsWith(`${distribution}-`) && f.endsWith('.dist-info'));
  return info ? info.slice(distribution.length + 1, -'.dist-info'.length) : 'unknown';
}

async function main() {
  const started = process.hrtime.bigint();
  const { rounds, bundlingRounds } = options(process.argv.slice(2));

  // Ours: each app bundled as a user's `cdk synth` bundles it here (the first synth may fetch the compiler once).
  process.stderr.write('bench: bundling each app with cdk-wsgi (BundlingMode.LOCAL, the default runtime)\n');
  const ours = Object.fromEntries(APPS.map(app => [app.name, synthBundled(app)]));
  const runtime = ours.Flask.runtime;
  const lambda = lambdaPython(runtime.replace('python', ''));

  // Bundling time: the Flask example, local bundling against the runtime's pip alone; one untimed round each
  // (above, and here) fills pip's cache, then the two alternate.
  process.stderr.write(`bench: ${bundlingRounds} timed local bundlings and pip installs of the Flask example\n`);
  pipInstall(lambda.venvPython, APPS[0], tempDir('pip'));
  const bundling: Record<string, number[]> = { local: [], pip: [] };
  for (let round = 0; round < bundlingRounds; round++) {
    bundling.local.push(synthBundled(APPS[0]).ms);
    bundling.pip.push(pipInstall(lambda.venvPython, APPS[0], tempDir('pip')));
  }

  process.stderr.write('bench: packaging each app the usual way, and with valid bytecode\n');
  const contestants: Record<string, Record<string, EmulatedFunction>> = {};
  for (const app of APPS) {
    const usual = usualPackaging(app, ours[app.name].fn, lambda);
    contestants[app.name] = { [USUAL]: usual, [USUAL_BYTECODE]: withValidBytecode(usual, lambda.python), [OURS]: ours[app.name].fn };
    for (const fn of Object.values(contestants[app.name])) [fn.codeDir, ...fn.layerDirs].forEach(datedAsZipped);
  }
  // Each packaging must import as it claims: the usual one compiling its modules, the other two none.
  const compiled: Record<string, Record<string, number>> = {};
  for (const app of APPS) {
    for (const [name, fn] of Object.entries(contestants[app.name])) {
      const files = compiledAtImport(fn, lambda.python, app.module);
      if ((name === USUAL) !== (files.length > 0)) {
        throw new Error(`${app.name}, ${name}: ${files.length} modules compiled from source at import (${files.join(', ')}); ` +
          'the adapter\'s are stale when lib-python/src changed since `npx projen python:bytecode`');
      }
      (compiled[app.name] ??= {})[name] = files.length;
    }
  }

  // Cold starts: every round starts each packaging of each app once, alternating which goes first.
  process.stderr.write(`bench: ${rounds} cold starts per app and packaging\n`);
  const loadBefore = os.loadavg()[0];
  const results: Record<string, Record<string, ColdStart[]>> = {};
  for (let round = 0; round < rounds; round++) {
    for (const app of APPS) {
      const names = Object.keys(contestants[app.name]);
      for (const name of round % 2 ? names.reverse() : names) {
        ((results[app.name] ??= {})[name] ??= []).push(await coldStart(contestants[app.name][name], lambda, app.page));
      }
    }
  }

  process.stderr.write(`bench: ${rounds} requests of each app's assembly under cdk-wsgi emulate --cold\n`);
  const emulated: Record<string, number[]> = {};
  for (const app of APPS) emulated[app.name] = await emulatedInits(ours[app.name], lambda.python, rounds);

  const samCli = /^SAM_CLI=(\S+)$/m.exec(fs.readFileSync(path.join(ROOT, '.ci', 'rie-setup'), 'utf-8'))![1];
  const usualDir = (name: string) => contestants[name][USUAL].codeDir;
  const lines = [
    '# Lambda cold start and bundling',
    '',
    `\`bash bench/lambda-cold-start\`, ${new Date().toISOString().slice(0, 10)}: ${os.cpus().length} cores, ` +
      `load average ${loadBefore.toFixed(1)} before the cold starts and ${os.loadavg()[0].toFixed(1)} after, runtime ${runtime} on CPython ` +
      `${run(lambda.python, ['-c', 'import platform; print(platform.python_version())'])} (standard library compiled), ` +
      `aws-lambda-rie from ${samCli}, awslambdaric ${installedVersion(lambda.ricDir, 'awslambdaric')}, ` +
      `Flask ${installedVersion(usualDir('Flask'), 'flask')}, Django ${installedVersion(usualDir('Django'), 'django')}, ` +
      `Werkzeug ${installedVersion(usualDir('Flask'), 'werkzeug')}, ${SLS_PIN.replace('==', ' ')}. ` +
      `Medians ± half the interquartile range of ${rounds} cold starts each, in AWS's Lambda Runtime Interface ` +
      'Emulator; every file dated 1980 as the CDK CLI zips it; first request: REST `GET /`.',
    '',
    'What cdk-wsgi said as it bundled:',
    '',
    ...APPS.flatMap(app => ours[app.name].said.map(line => `    ${line}`)),
    '',
    '| app | packaging | first request, init included (ms) | / usual | init (ms) | first invoke (ms) | modules compiled at import | code + layers, zipped / unzipped (MB) |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
  for (const app of APPS) {
    for (const [name, fn] of Object.entries(contestants[app.name])) {
      const of = (measure: keyof ColdStart) => results[app.name][name].map(r => r[measure]);
      const size = sizes(fn);
      lines.push(`| ${app.name} | ${name} | ${summary(of('firstRequestMs'), 1)} ` +
        `| ${ratio(of('firstRequestMs'), results[app.name][USUAL].map(r => r.firstRequestMs))} ` +
        `| ${summary(of('initMs'), 1)} | ${summary(of('invokeMs'), 1)} | ${compiled[app.name][name]} ` +
        `| ${mb(size.zipped)} / ${mb(size.unzipped)} |`);
    }
  }
  lines.push(
    '',
    `| app | init as this benchmark measures cdk-wsgi's asset (ms) | Init Duration \`cdk-wsgi emulate --cold\` printed (ms, ${rounds} requests) | ratio |`,
    '|---|---:|---:|---:|',
    ...APPS.map(app => {
      const measured = results[app.name][OURS].map(r => r.initMs);
      return `| ${app.name} | ${summary(measured, 1)} | ${summary(emulated[app.name], 1)} | ${ratio(emulated[app.name], measured)} |`;
    }),
  );
  const seconds = (values: number[]) => values.map(ms => ms / 1000);
  lines.push(
    '',
    `| bundling the Flask example (warm pip cache, ${bundlingRounds} runs) | local bundling (\`cdk synth\` of one WsgiApi) | \`pip install -r requirements.txt --target\` (${runtime}'s pip) | ratio |`,
    '|---|---:|---:|---:|',
    `| seconds | ${summary(seconds(bundling.local), 2)} | ${summary(seconds(bundling.pip), 2)} | ${ratio(bundling.local, bundling.pip)} |`,
    '',
    `The whole run took ${(elapsedMs(started) / 60_000).toFixed(1)} min.`,
    '',
  );
  writeReport(RESULTS, lines);
}

runDriver(main, WORK);
