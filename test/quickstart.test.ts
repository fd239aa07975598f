// README.md's quick start, run verbatim: the marked blocks build a fresh project per language in a temporary
// folder, with the packed npm tarball and wheel installed the way users install packages, the real CDK CLI, and
// `cdk-wsgi serve` as the README starts it. Run by `npx projen test:quickstart`, which packages first; the plain jest run
// leaves it out.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  isServe, isSynth, Language, LANGUAGES, normalizeCommand, quickstartSteps, readReadme, ROOT, RunningServer, shellCommands, ShellSession,
  userEnvironment, withPackedPackages,
} from './quickstart-helpers';

// Installs take a minute or two each on a cold cache; no assertion depends on how long anything takes.
jest.setTimeout(30 * 60_000);
const COMMAND_TIMEOUT_MS = 10 * 60_000;
const SERVE_START_TIMEOUT_MS = 2 * 60_000;

/** The commands that reach a deployed function: here, with no AWS account, they must fail at credentials. */
const NEEDS_AWS = /^(npx )?cdk-wsgi (exec|command|manage|flask|logs)\s/;

/** Commands the README shows that no test can run, and why. */
const NOT_RUN: Record<string, string> = {
  'cdk deploy': 'needs AWS credentials and an account',
  'cdk bootstrap': 'needs AWS credentials and an account',
};

interface Timing {
  readonly language: Language;
  readonly phase: string;
  readonly command: string;
  readonly seconds: number;
}

const readme = readReadme();
const timings: Timing[] = [];
/** Normalized README commands that ran verbatim (apart from the packed packages and `--port 0`). */
const ran = new Set<string>();
const finished = new Set<Language>();
const sessions: ShellSession[] = [];
let workDir: string;

beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-quickstart-'));
});

afterAll(() => {
  // A test that timed out never reached its own clean-up.
  sessions.forEach(session => session.dispose());
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  process.stderr.write(summary());
});

describe('README.md quick start', () => {
  test('marks the app, the CDK app, cdk.json, an install, a synth and a serve for each language', () => {
    for (const language of LANGUAGES) {
      expect(quickstartSteps(readme, language).length).toBeGreaterThan(0);
    }
  });

  test.each(LANGUAGES)('%s: builds the project the README describes from the packed packages, synthesizes it and serves it', async language => {
    const packages = packedPackages();
    const steps = quickstartSteps(readme, language);
    const apiPy = steps.find(step => step.file === 'app/api.py')!.text;
    const root = path.join(workDir, language);
    fs.mkdirSync(root);
    const session = new ShellSession(root, userEnvironment(path.join(root, 'npm-global'), path.join(root, 'tmp')));
    sessions.push(session);
    const problems: string[] = [];
    try {
      let installedPacked = false;
      for (const step of steps) {
        if (step.file !== undefined) {
          session.writeFile(step.file, step.text);
          continue;
        }
        for (const { command } of shellCommands(step.text.split('\n'))) {
          if (isServe(command)) {
            await serveAndFetch(session, language, command, apiPy, problems);
          } else {
            const packed = withPackedPackages(command, packages);
            installedPacked ||= packed.replaced;
            const result = await session.run(packed.command, COMMAND_TIMEOUT_MS);
            record(language, command, result.seconds);
            if (isSynth(command)) checkAssembly(path.join(session.cwd, 'cdk.out'), result.stderr);
          }
          ran.add(normalizeCommand(command));
        }
      }
      expect(installedPacked).toBe(true);

      // The other commands the user-facing sections show inline: `npx …` in the TypeScript project, the rest
      // (the wheel's `cdk-wsgi`, the CDK CLI) in the Python one.
      for (const { command } of readme.commands) {
        const normalized = normalizeCommand(command);
        if (ran.has(normalized) || NOT_RUN[normalized] !== undefined) continue;
        if ((command.startsWith('npx ') ? 'typescript' : 'python') !== language) continue;
        if (isServe(command)) {
          await serveAndFetch(session, language, command, apiPy, problems);
        } else if (NEEDS_AWS.test(command)) {
          // It reads the quick start's cdk.out and loads the packed AWS SDK, then stops where an account is needed:
          // the SDK asks for a region first (the quick start's stack names none), then for credentials.
          const result = await session.run(command, COMMAND_TIMEOUT_MS, true);
          record(language, command, result.seconds);
          expect({ command, code: result.code, stdout: result.stdout, stderr: result.stderr }).toEqual({
            command, code: 1, stdout: '', stderr: expect.stringMatching(/^cdk-wsgi \w+: no AWS (region|credentials found): [^\n]+\n$/),
          });
          // With a region, it gets as far as the credentials.
          const withRegion = await session.run(`AWS_REGION=eu-west-1 ${command}`, COMMAND_TIMEOUT_MS, true);
          expect(withRegion.stderr).toMatch(/^cdk-wsgi \w+: no AWS credentials found: [^\n]+\n$/);
        } else {
          const result = await session.run(command, COMMAND_TIMEOUT_MS);
          record(language, command, result.seconds);
          if (/\s--help$/.test(normalized)) expect(result.stdout).toMatch(/^Usage: cdk-wsgi /);
        }
        ran.add(normalized);
      }
      if (language === 'typescript') {
        await synthWithCdkNag(session, steps.find(step => step.file === 'app.ts')!.text);
      }
      finished.add(language);
      expect(problems).toEqual([]);
    } finally {
      session.dispose();
    }
  });

  test('runs every command the Install, Quick start and Run locally sections show', () => {
    expect({ 'quick starts that ran to the end': [...finished].sort() }).toEqual({ 'quick starts that ran to the end': [...LANGUAGES].sort() });
    const notRun = readme.commands
      .filter(shown => !ran.has(normalizeCommand(shown.command)) && NOT_RUN[normalizeCommand(shown.command)] === undefined)
      .map(shown => `README.md:${shown.line}: ${shown.command}`);
    expect(notRun).toEqual([]);
  });
});

/**
 * The README's word that a WsgiApi adds no cdk-nag finding, checked as a user would: cdk-nag from the npm registry,
 * its AwsSolutions checks added to the quick start's app.ts with the line the README shows, and `cdk synth`, which
 * fails on any finding not acknowledged. The app acknowledges none.
 */
async function synthWithCdkNag(session: ShellSession, appTs: string): Promise<void> {
  const shown = /`(Validations\.of\(app\)\.addPlugins\(new AwsSolutionsChecks\(app\)\))`/.exec(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
  expect(shown).not.toBeNull();
  expect(appTs).toContain('app.synth();');
  session.writeFile('app.ts', [
    "import { Validations } from 'aws-cdk-lib';",
    "import { AwsSolutionsChecks } from 'cdk-nag';",
    appTs.replace('app.synth();', `${shown![1]};\napp.synth();`),
  ].join('\n'));
  await session.run('npm install --save-dev cdk-nag@^3', COMMAND_TIMEOUT_MS);
  const synth = await session.run('npx cdk synth', COMMAND_TIMEOUT_MS);
  record('typescript', 'npx cdk synth (with cdk-nag)', synth.seconds, 'synth');
  expect(`${synth.stdout}${synth.stderr}`).not.toMatch(/AwsSolutions-/);
  session.writeFile('app.ts', appTs);
}

/**
 * Starts `cdk-wsgi serve` as the README says, on a free port, reads the URL from its first line, checks the page
 * is the app's, and stops it with Ctrl+C. How it ends goes into `problems` (so one run reports them all): it must
 * exit 0 with nothing left running and no traceback. The one allowance: behind `npx`, npm (through `sh -c`)
 * re-raises a Ctrl+C that reached it, so the shell sees SIGINT even when cdk-wsgi itself exits 0.
 */
async function serveAndFetch(session: ShellSession, language: Language, shown: string, apiPy: string, problems: string[]): Promise<void> {
  checkCli(session, language, shown);
  const command = await withArchitectureFix(session, shown);
  const withFreePort = /\s--port\s+\S+/.test(command) ? command.replace(/(\s--port\s+)\S+/, '$10') : `${command} --port 0`;
  const tmpdir = session.env.TMPDIR!;
  const tmpBefore = new Set(fs.readdirSync(tmpdir));
  const server = await session.start(withFreePort, SERVE_START_TIMEOUT_MS);
  record(language, command, server.seconds, 'serve start');
  let failure: unknown;
  try {
    expect(server.firstLine).toMatch(/^cdk-wsgi (serve|emulate): .+ at http:\/\/127\.0\.0\.1:\d+\/\S*$/);
    const response = await fetch(server.url, { signal: AbortSignal.timeout(30_000) });
    const body = await response.text();
    expect({ status: response.status, body }).toEqual({ status: 200, body: expect.stringMatching(/\S/) });
    // The page is the one the README's api.py returns.
    expect(apiPy).toContain(body);
  } catch (error) {
    failure = error;
  }
  const stderrBefore = server.stderr().length;
  let ending;
  try {
    ending = await server.interrupt();
  } catch (error) {
    throw failureWithOutput(error, server);
  }
  if (failure) throw failureWithOutput(failure, server);
  const afterCtrlC = server.stderr().slice(stderrBefore);
  const npmReraised = command.startsWith('npx ') && ending.code === null && ending.signal === 'SIGINT';
  if (ending.code !== 0 && !npmReraised) {
    problems.push(`'${withFreePort}' ended with ${ending.code === null ? `signal ${ending.signal}` : `exit code ${ending.code}`} after Ctrl+C, `
      + `not 0; it printed after Ctrl+C:\n${afterCtrlC}`);
  } else if (/Traceback|Error/.test(afterCtrlC)) {
    problems.push(`'${withFreePort}' printed an error after Ctrl+C:\n${afterCtrlC}`);
  }
  if (ending.leftRunning) problems.push(`'${withFreePort}' left processes running after Ctrl+C`);
  const leftBehind = fs.readdirSync(tmpdir).filter(name => !tmpBefore.has(name));
  if (leftBehind.length > 0) {
    problems.push(`'${withFreePort}' left ${leftBehind.map(name => `${name} (${megabytes(path.join(tmpdir, name))} MB)`).join(', ')} in $TMPDIR after Ctrl+C`);
  }
}

/**
 * `cdk-wsgi emulate` as a user on this machine runs it: the quick start's function is built for ARM_64, and Flask's
 * MarkupSafe brings a compiled module; on an x86_64 machine the first run stops with one line naming the fix, and the
 * user runs again with the flag it names. Any other command, or an arm64 machine, runs as shown.
 */
async function withArchitectureFix(session: ShellSession, command: string): Promise<string> {
  if (!/(^|\s)cdk-wsgi emulate(\s|$)/.test(command) || process.arch === 'arm64') return command;
  const stopped = await session.run(command, COMMAND_TIMEOUT_MS, true);
  expect({ code: stopped.code, stdout: stopped.stdout, stderr: stopped.stderr }).toEqual({
    code: 1,
    stdout: '',
    stderr: expect.stringMatching(/^cdk-wsgi emulate: MyWsgiApp\/App is built for arm64, and 1 of its compiled modules cannot load on this x86_64 machine \(markupsafe\/_speedups\.cpython-3\d+-aarch64-linux-gnu\.so\); .* or pass --architecture x86_64 to run it anyway [^\n]*\n$/),
  });
  return `${command} --architecture x86_64`;
}

function megabytes(file: string): number {
  const stat = fs.lstatSync(file);
  const bytes = !stat.isDirectory() ? stat.size
    : fs.readdirSync(file, { recursive: true, withFileTypes: true })
      .filter(entry => entry.isFile())
      .reduce((sum, entry) => sum + fs.statSync(path.join(entry.parentPath, entry.name)).size, 0);
  return Math.round(bytes / 1e6);
}

function failureWithOutput(error: unknown, server: RunningServer): Error {
  const message = error instanceof Error ? error.message : String(error);
  return new Error(`${message}\n--- cdk-wsgi serve output ---\n${server.stdout()}${server.stderr()}`);
}

/** The CLI the README's serve command reaches is the one from the packed package, in the project. */
function checkCli(session: ShellSession, language: Language, command: string): void {
  if (language === 'typescript') {
    expect(command).toMatch(/^npx cdk-wsgi /);
    const manifest = JSON.parse(fs.readFileSync(path.join(session.cwd, 'package.json'), 'utf8'));
    expect(manifest.dependencies['cdk-wsgi']).toMatch(/^file:.*\.tgz$/);
    expect(fs.existsSync(path.join(session.cwd, 'node_modules', '.bin', 'cdk-wsgi'))).toBe(true);
  } else {
    // The wheel's console script, found on the activated venv's PATH; never npx, never the repository's CLI.
    expect(command).toMatch(/^cdk-wsgi /);
    const found = which(session, 'cdk-wsgi');
    expect(found).toBe(path.join(session.env.VIRTUAL_ENV ?? '<no activated venv>', 'bin', 'cdk-wsgi'));
    // Our launcher (lib-python/launcher), which hands over to node, not jsii-pacmak's kernel-based script.
    const launcher = fs.readFileSync(path.join(__dirname, '..', 'lib-python', 'launcher', 'cdk_wsgi_launcher.py'), 'utf8');
    expect(fs.readFileSync(found!, 'utf8').split('\n').slice(1)).toEqual(launcher.split('\n').slice(1));
  }
}

function which(session: ShellSession, name: string): string | undefined {
  for (const dir of (session.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.resolve(session.cwd, dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/**
 * The synthesized function runs the adapter, and its asset holds the app with Flask bundled and compiled for the
 * default runtime, python3.14, which this machine lacks (python3 is 3.11 here): cdk-wsgi compiles with CPython for
 * WebAssembly, fetched into the new user's cache at the first synth.
 */
function checkAssembly(outdir: string, synthOutput: string): void {
  const functions = fs.readdirSync(outdir)
    .filter(file => file.endsWith('.template.json'))
    .flatMap(file => Object.values<any>(JSON.parse(fs.readFileSync(path.join(outdir, file), 'utf8')).Resources))
    .filter(resource => resource.Type === 'AWS::Lambda::Function' && resource.Properties.Handler === 'cdk_wsgi_adapter.handler');
  expect(functions).toHaveLength(1);
  expect(functions[0].Properties.Runtime).toBe('python3.14');
  const asset = path.join(outdir, functions[0].Metadata['aws:asset:path']);
  for (const file of ['api.py', 'requirements.txt', path.join('flask', '__init__.py'),
    path.join('__pycache__', 'api.cpython-314.pyc'), path.join('flask', '__pycache__', '__init__.cpython-314.pyc')]) {
    expect({ asset, file, exists: fs.existsSync(path.join(asset, file)) }).toEqual({ asset, file, exists: true });
  }
  expect(synthOutput).toMatch(/^cdk-wsgi: bundled app for linux\/\w+ CPython 3\.14 locally with pip \([^)]+\) in \d+\.\d s, with bytecode( compiled by .+)?$/m);
}

let packed: { tarball: string; wheel: string } | undefined;

/** dist/'s npm tarball and wheel, or an error saying how to build them when they are missing or older than .jsii. */
function packedPackages(): { tarball: string; wheel: string } {
  if (packed) return packed;
  const build = 'run `npx projen package-all` first (test:quickstart does)';
  const jsii = path.join(ROOT, '.jsii');
  if (!fs.existsSync(jsii)) throw new Error(`no .jsii: the library is not compiled; ${build}`);
  const find = (dir: string, ext: string) => {
    const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter(file => file.endsWith(ext)).map(file => path.join(dir, file)) : [];
    if (files.length !== 1) throw new Error(`expected one *${ext} in ${path.relative(ROOT, dir)}, found ${files.length}; ${build}`);
    const [file] = files;
    if (fs.statSync(file).mtimeMs < fs.statSync(jsii).mtimeMs) {
      throw new Error(`${path.relative(ROOT, file)} is older than .jsii, so it does not hold the compiled library; ${build}`);
    }
    return file;
  };
  packed = { tarball: find(path.join(ROOT, 'dist', 'js'), '.tgz'), wheel: find(path.join(ROOT, 'dist', 'python'), '.whl') };
  return packed;
}

function record(language: Language, command: string, seconds: number, phase = phaseOf(command)): void {
  timings.push({ language, phase, command, seconds });
  process.stderr.write(`quickstart ${language}: ${seconds.toFixed(1)} s  ${command}\n`);
}

function phaseOf(command: string): string {
  if (isSynth(command)) return 'synth';
  if (/\s--help$/.test(normalizeCommand(command))) return '--help';
  if (/\bpip3? install\b/.test(command)) return /\s-m venv\s/.test(command) ? 'venv + pip install' : 'pip install';
  if (/\s-m venv\s/.test(command)) return 'venv';
  if (/\bnpm (install|i)\b/.test(command)) return 'npm install';
  return 'other';
}

function summary(): string {
  const lines = ['', 'quickstart timings (wall seconds):'];
  for (const language of LANGUAGES) {
    const own = timings.filter(timing => timing.language === language);
    if (own.length === 0) continue;
    const phases = [...new Set(own.map(timing => timing.phase))].map(phase => {
      const seconds = own.filter(timing => timing.phase === phase).reduce((sum, timing) => sum + timing.seconds, 0);
      return `${phase} ${seconds.toFixed(1)}`;
    });
    const total = own.reduce((sum, timing) => sum + timing.seconds, 0);
    lines.push(`  ${language}: ${phases.join(', ')}; all commands ${total.toFixed(1)}`);
  }
  return `${lines.join('\n')}\n`;
}
