import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { BundlingMode, WsgiApi } from '../src';
import { runDriver, writeReport } from './driver';
import { elapsedMs, quantile, ratio, summary } from './stats';
import { restEvent } from '../test/example-events';
import { datedAsZipped } from '../test/lambda-files';
import { EmulatedFunction, Emulator, localPlatform, pythonFunctions } from '../test/rie';

/**
 * A Django project (admin, the standard middleware, templates) started cold in AWS's Lambda Runtime Interface
 * Emulator, with and without `prime`: init, the first request and warm requests. Run through
 * `bash bench/prime-cold-start`; prints the table and writes bench/prime-results.md.
 */
const DJANGO_APP = path.join(__dirname, 'django-app');
const RESULTS = path.join(__dirname, 'prime-results.md');
const PRIME = ['/', '/admin/login/'];
const WARM_REQUESTS = 5;
// The REST sample event's API: its execute-api host is the one the app lists in ALLOWED_HOSTS.
const API_ID = '1234567890';
const REGION = 'us-east-1';

const USAGE = `usage: bash bench/prime-cold-start [--rounds N]
  --rounds N  cold starts per variant (default 12)`;

function rounds(argv: string[]): number {
  const value = Number(argv[1]);
  if (argv.length === 0) return 12;
  if (argv.length !== 2 || argv[0] !== '--rounds' || !Number.isInteger(value) || value < 1) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(argv[0] === '--help' ? 0 : 2);
  }
  return value;
}

const WORK = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-prime-bench-'));

/**
 * The environment as Lambda would resolve it once deployed: the priming variable names the API's host through
 * references to the API and the partition's URL suffix.
 */
function deployed(value: unknown): string {
  if (typeof value === 'string') return value;
  const ref = (value as any).Ref;
  if (ref !== undefined) return ref === 'AWS::URLSuffix' ? 'amazonaws.com' : API_ID;
  const [separator, parts] = (value as any)['Fn::Join'];
  return parts.map(deployed).join(separator);
}

/** The Django app bundled locally for this machine's platform, as a WsgiApi with `prime` would deploy it. */
function bundled(prime: string[] | undefined, platform: ReturnType<typeof localPlatform>): EmulatedFunction {
  const app = new App({ outdir: fs.mkdtempSync(path.join(WORK, 'synth-')), context: { 'aws:cdk:enable-asset-metadata': true } });
  new WsgiApi(new Stack(app, 'Bench', { env: { account: '123456789012', region: REGION } }), 'App', {
    entry: DJANGO_APP,
    module: 'mysite.wsgi.application',
    architecture: platform.architecture,
    runtime: platform.runtime,
    bundlingMode: BundlingMode.LOCAL,
    prime,
  });
  const [fn] = pythonFunctions(app.synth(), 'Bench');
  [fn.codeDir, ...fn.layerDirs].forEach(datedAsZipped);
  const environment = Object.fromEntries(Object.entries(fn.environment).map(([key, value]) => [key, deployed(value)]));
  // INFO shows the adapter's priming lines, which the run checks; Lambda's runtime logs WARNING and up by default.
  return { ...fn, environment: { ...environment, AWS_LAMBDA_LOG_LEVEL: 'INFO' } };
}

interface ColdStart {
  readonly initMs: number;
  /** The first request's invoke duration, from the emulator's report. */
  readonly firstInvokeMs: number;
  /** What the first client waited, init included. */
  readonly firstRequestMs: number;
  /** The median invoke duration of the warm requests that follow. */
  readonly warmInvokeMs: number;
}

const EVENT = restEvent('GET', '/', {});

async function coldStart(fn: EmulatedFunction, python: string, primed: boolean): Promise<ColdStart> {
  const emulator = await Emulator.start(fn, python);
  try {
    const requestMs: number[] = [];
    for (let i = 0; i <= WARM_REQUESTS; i++) {
      const started = process.hrtime.bigint();
      const { status, payload } = await emulator.invoke(EVENT);
      requestMs.push(elapsedMs(started));
      const body = payload.isBase64Encoded ? Buffer.from(payload.body, 'base64').toString() : String(payload.body);
      if (status !== 200 || payload.statusCode !== 200 || !body.includes('Hello from Django')) {
        throw new Error(`the app answered ${status} ${JSON.stringify(payload).slice(0, 500)}\n${emulator.log}`);
      }
    }
    // The emulator logs durations as it goes; the last lines may trail the last response by a moment.
    const init = /INIT REPORT\(durationMs: ([\d.]+)\)/;
    const invoke = /INVOKE RTDONE\(status: success, [^)]*duration: ([\d.]+)ms\)/g;
    const deadline = Date.now() + 5_000;
    while (!(init.test(emulator.log) && [...emulator.log.matchAll(invoke)].length > WARM_REQUESTS)) {
      if (Date.now() > deadline) throw new Error(`no INIT REPORT or INVOKE RTDONE lines in the emulator's log:\n${emulator.log}`);
      await new Promise(resolve => setTimeout(resolve, 20));
    }
    const primedPaths = PRIME.filter(primePath => emulator.log.includes(`GET ${primePath}: 200`));
    if (primedPaths.length !== (primed ? PRIME.length : 0)) {
      throw new Error(`expected ${primed ? 'both' : 'no'} priming lines in the log:\n${emulator.log}`);
    }
    const [first, ...warm] = [...emulator.log.matchAll(invoke)].map(match => Number(match[1]));
    return {
      initMs: Number(init.exec(emulator.log)![1]),
      firstInvokeMs: first,
      firstRequestMs: requestMs[0],
      warmInvokeMs: quantile(warm, 0.5),
    };
  } finally {
    await emulator.stop();
  }
}

async function main() {
  const count = rounds(process.argv.slice(2));
  const platform = localPlatform();
  process.stderr.write('bench: bundling the Django app twice, without and with prime\n');
  const variants: Record<string, EmulatedFunction> = {
    'not primed': bundled(undefined, platform),
    [`prime: ${JSON.stringify(PRIME)}`]: bundled(PRIME, platform),
  };
  process.stderr.write(`bench: ${count} cold starts per variant, each followed by ${WARM_REQUESTS} warm requests\n`);
  const results: Record<string, ColdStart[]> = {};
  for (let round = 0; round < count; round++) {
    const names = Object.keys(variants);
    for (const name of round % 2 ? names.reverse() : names) {
      (results[name] ??= []).push(await coldStart(variants[name], platform.python, name !== 'not primed'));
    }
  }

  const codeDir = Object.values(variants)[0].codeDir;
  const django = fs.readdirSync(codeDir).find(f => /^django-.*\.dist-info$/i.test(f))?.slice(7, -10) ?? 'unknown';
  const [plain, primed] = Object.keys(variants);
  const measures: [keyof ColdStart, string][] = [
    ['initMs', 'init duration (ms)'],
    ['firstInvokeMs', 'first request: invoke duration (ms)'],
    ['firstRequestMs', 'first request as the client sees it, init included (ms)'],
    ['warmInvokeMs', `warm request: invoke duration (ms, median of the ${WARM_REQUESTS} after the first)`],
  ];
  const of = (name: string, measure: keyof ColdStart) => results[name].map(r => r[measure]);
  const lines = [
    '# Priming a Django app',
    '',
    `\`bash bench/prime-cold-start\`, ${new Date().toISOString().slice(0, 10)}: ${os.cpus().length} cores, ` +
      `${fs.realpathSync(platform.python).split('/').pop()}, Django ${django} (bench/django-app: admin, the standard ` +
      'middleware, a template), bundled locally with bytecode, in AWS\'s Lambda Runtime Interface Emulator. ' +
      `Medians ± half the interquartile range of ${count} cold starts each; every request is REST \`GET /\`.`,
    '',
    `| | ${plain} | ${primed} | primed / not primed |`,
    '|---|---:|---:|---:|',
    ...measures.map(([measure, label]) =>
      `| ${label} | ${summary(of(plain, measure), 1)} | ${summary(of(primed, measure), 1)} | ${ratio(of(primed, measure), of(plain, measure))} |`),
    `| first / warm invoke duration | ${ratio(of(plain, 'firstInvokeMs'), of(plain, 'warmInvokeMs'))} ` +
      `| ${ratio(of(primed, 'firstInvokeMs'), of(primed, 'warmInvokeMs'))} | |`,
    '',
  ];
  writeReport(RESULTS, lines);
}

runDriver(main, WORK);
