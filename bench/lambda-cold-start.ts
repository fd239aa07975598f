import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, AssetStaging, Stack } from 'aws-cdk-lib';
import { BundlingMode, WsgiApi } from '../src';
import { runDriver, writeReport } from './driver';
import { elapsedMs, ratio, summary } from './stats';
import { restEvent } from '../test/example-events';
import { datedAsZipped } from '../test/lambda-files';
import { EmulatedFunction, Emulator, RIC_DIR, localPlatform, pythonFunctions } from '../test/rie';

/**
 * The example app's cold start in AWS's Lambda Runtime Interface Emulator, with cdk-wsgi's adapter layer and
 * behind serverless-wsgi, side by side; and local bundling's time against a plain `pip install --target`.
 * Run through `bash bench/lambda-cold-start`; prints the tables and writes bench/lambda-results.md.
 */
const ROOT = path.join(__dirname, '..');
const EXAMPLE_APP = path.join(ROOT, 'examples', 'flask-app');
const RESULTS = path.join(__dirname, 'lambda-results.md');
const OURS = 'cdk-wsgi layer';
const SLS = 'serverless-wsgi';

const USAGE = `usage: bash bench/lambda-cold-start [--rounds N] [--bundling-rounds N]
  --rounds N           cold starts per contestant and variant (default 15)
  --bundling-rounds N  timed local bundlings and pip installs each (default 5)`;

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

function run(command: string, args: string[]) {
  const result = spawnSync(command, args, { encoding: 'utf-8', timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });
  if (result.error || result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed: ${result.error?.message ?? result.stderr}`);
  }
}

/** `cdk synth` of one WsgiApi on the example with local bundling, into a fresh folder. */
function synthBundled(platform: ReturnType<typeof localPlatform>) {
  // CDK remembers bundled assets per process; forgetting them makes every synth bundle, as a new `cdk synth` does.
  AssetStaging.clearAssetHashCache();
  const started = process.hrtime.bigint();
  const app = new App({ outdir: tempDir('synth'), context: { 'aws:cdk:enable-asset-metadata': true } });
  // CDK bundles an asset while the construct is defined, so the clock runs from here.
  new WsgiApi(new Stack(app, 'Bench'), 'App', {
    entry: EXAMPLE_APP,
    module: 'api.app',
    architecture: platform.architecture,
    runtime: platform.runtime,
    bundlingMode: BundlingMode.LOCAL,
  });
  const assembly = app.synth();
  return { ms: elapsedMs(started), fn: pythonFunctions(assembly, 'Bench')[0] };
}

/** The plain alternative: the example's requirements installed with pip for this machine, no platform flags. */
function pipInstall(python: string): number {
  const started = process.hrtime.bigint();
  run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-input',
    '--requirement', path.join(EXAMPLE_APP, 'requirements.txt'), '--target', tempDir('pip')]);
  return elapsedMs(started);
}

/** The same asset with serverless-wsgi and a handler module of its own instead of the adapter layer. */
function behindServerlessWsgi(fn: EmulatedFunction, python: string): EmulatedFunction {
  const pin = /^serverless-wsgi==\S+$/m.exec(fs.readFileSync(path.join(__dirname, 'requirements.txt'), 'utf-8'))![0];
  const codeDir = path.join(tempDir('sls'), 'task');
  fs.cpSync(fn.codeDir, codeDir, { recursive: true });
  // Its dependency, Werkzeug, is the one Flask brought into the asset.
  run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-input', '--no-deps',
    '--no-compile', '--target', codeDir, pin]);
  fs.copyFileSync(path.join(__dirname, 'serverless_wsgi_handler.py'), path.join(codeDir, 'serverless_wsgi_handler.py'));
  return { ...fn, handler: 'serverless_wsgi_handler.handler', environment: {}, codeDir, layerDirs: [] };
}

/**
 * A copy of the function's folders without bytecode: what ran before cdk-wsgi shipped its own, and what a plain
 * CDK bundle runs (pip's .pyc are dated, so they go stale once the CLI zips the asset; see datedAsZipped).
 */
function withoutBytecode(fn: EmulatedFunction): EmulatedFunction {
  const root = tempDir('nopyc');
  const copy = (dir: string, name: string) => {
    const target = path.join(root, name);
    fs.cpSync(dir, target, { recursive: true, filter: src => path.basename(src) !== '__pycache__' });
    return target;
  };
  return { ...fn, codeDir: copy(fn.codeDir, 'task'), layerDirs: fn.layerDirs.map((dir, i) => copy(dir, `layer${i}`)) };
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

async function coldStart(fn: EmulatedFunction, python: string): Promise<ColdStart> {
  const emulator = await Emulator.start(fn, python);
  try {
    const started = process.hrtime.bigint();
    const { status, payload } = await emulator.invoke(EVENT);
    const firstRequestMs = elapsedMs(started);
    const body = payload.isBase64Encoded ? Buffer.from(payload.body, 'base64').toString() : String(payload.body);
    if (status !== 200 || payload.statusCode !== 200 || !body.includes('Hello from Flask')) {
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

function installedVersion(dir: string, distribution: string): string {
  const info = fs.readdirSync(dir).find(f => f.toLowerCase().startsWith(`${distribution}-`) && f.endsWith('.dist-info'));
  return info ? info.slice(distribution.length + 1, -'.dist-info'.length) : 'unknown';
}

async function main() {
  const { rounds, bundlingRounds } = options(process.argv.slice(2));
  const platform = localPlatform();

  // Bundling: one untimed round each fills pip's cache, then the two alternate.
  process.stderr.write(`bench: ${bundlingRounds + 1} local bundlings and pip installs of the example\n`);
  let { fn } = synthBundled(platform);
  pipInstall(platform.python);
  const bundling: Record<string, number[]> = { local: [], pip: [] };
  for (let round = 0; round < bundlingRounds; round++) {
    const synth = synthBundled(platform);
    fn = synth.fn;
    bundling.local.push(synth.ms);
    bundling.pip.push(pipInstall(platform.python));
  }

  const asBundled = { [OURS]: fn, [SLS]: behindServerlessWsgi(fn, platform.python) };
  for (const contestant of Object.values(asBundled)) {
    [contestant.codeDir, ...contestant.layerDirs].forEach(datedAsZipped);
  }
  const variants: Record<string, Record<string, EmulatedFunction>> = {
    'as bundled (hash-checked bytecode)': asBundled,
    'without bytecode': Object.fromEntries(Object.entries(asBundled).map(([name, f]) => [name, withoutBytecode(f)])),
  };

  // Cold starts: every round starts each contestant of each variant once, alternating who goes first.
  process.stderr.write(`bench: ${rounds} cold starts per contestant and variant\n`);
  const results: Record<string, Record<string, ColdStart[]>> = {};
  for (let round = 0; round < rounds; round++) {
    for (const [variant, contestants] of Object.entries(variants)) {
      const names = Object.keys(contestants);
      for (const name of round % 2 ? names.reverse() : names) {
        ((results[variant] ??= {})[name] ??= []).push(await coldStart(contestants[name], platform.python));
      }
    }
  }

  const samCli = /^SAM_CLI=(\S+)$/m.exec(fs.readFileSync(path.join(ROOT, '.ci', 'rie-setup'), 'utf-8'))![1];
  const lines = [
    '# Lambda cold start and bundling',
    '',
    `\`bash bench/lambda-cold-start\`, ${new Date().toISOString().slice(0, 10)}: ${os.cpus().length} cores, ` +
      `${fs.realpathSync(platform.python).split('/').pop()}, aws-lambda-rie from ${samCli}, ` +
      `awslambdaric ${installedVersion(RIC_DIR, 'awslambdaric')}, ` +
      `Flask ${installedVersion(fn.codeDir, 'flask')}, Werkzeug ${installedVersion(fn.codeDir, 'werkzeug')}, ` +
      `serverless-wsgi ${installedVersion(asBundled[SLS].codeDir, 'serverless_wsgi')}. ` +
      `Medians ± half the interquartile range of ${rounds} cold starts each, in AWS's Lambda Runtime Interface Emulator.`,
    '',
    `| example app, first request (REST \`GET /\`) | ${OURS} | ${SLS} | ${OURS} / ${SLS} |`,
    '|---|---:|---:|---:|',
  ];
  const measures: [keyof ColdStart, string][] = [
    ['initMs', 'init duration (ms)'],
    ['invokeMs', 'first invoke duration (ms)'],
    ['firstRequestMs', 'first request as the client sees it (ms)'],
  ];
  for (const [variant, byName] of Object.entries(results)) {
    for (const [measure, label] of measures) {
      const [ours, sls] = [byName[OURS].map(r => r[measure]), byName[SLS].map(r => r[measure])];
      lines.push(`| ${label}, ${variant} | ${summary(ours, 1)} | ${summary(sls, 1)} | ${ratio(ours, sls)} |`);
    }
  }
  const seconds = (values: number[]) => values.map(ms => ms / 1000);
  lines.push(
    '',
    `| bundling the example (warm pip cache, ${bundlingRounds} runs) | local bundling (\`cdk synth\` of one WsgiApi) | \`pip install -r requirements.txt --target\` | ratio |`,
    '|---|---:|---:|---:|',
    `| seconds | ${summary(seconds(bundling.local), 2)} | ${summary(seconds(bundling.pip), 2)} | ${ratio(bundling.local, bundling.pip)} |`,
    '',
  );
  writeReport(RESULTS, lines);
}

runDriver(main, WORK);
