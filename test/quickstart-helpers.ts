import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { sleep } from './loopback';

// What test/quickstart.test.ts needs to run README.md's quick start as a user would: the marked blocks, the
// commands the user-facing sections show, and a shell session that keeps its folder and environment between
// commands the way a terminal does.

export const ROOT = path.join(__dirname, '..');
export const README = path.join(ROOT, 'README.md');

export type Language = 'typescript' | 'python';
export const LANGUAGES: readonly Language[] = ['typescript', 'python'];

/** The sections a newcomer follows; every command they show must run in a test. */
export const USER_SECTIONS = [
  '## Install', '## Quick start', '## Run locally: `cdk-wsgi serve` and `cdk-wsgi emulate`', '## Operate the deployed app: commands, deploy tasks, logs',
];

const SHELL_INFO = new Set(['sh', 'bash', 'shell', 'console']);
const MARKER = /^<!--\s*quickstart(?::(\S+))?((?:\s+[\w-]+=\S+)*)\s*-->$/;

/** A code block of README.md marked `<!-- quickstart[:<language>] [file=<path>] -->` on the line before its fence. */
export interface MarkedBlock {
  /** 1-based line of the opening fence, for messages. */
  readonly line: number;
  /** The sessions that run it: both when the marker names no language. */
  readonly languages: readonly Language[];
  /** With `file=`, the block is that file's content (relative to the session's folder); else shell commands. */
  readonly file?: string;
  readonly info: string;
  readonly text: string;
}

/** A command README.md shows a user: a line of a shell block, or an inline code span that starts with a command. */
export interface ShownCommand {
  readonly line: number;
  readonly command: string;
  readonly inline: boolean;
}

export interface Readme {
  readonly blocks: readonly MarkedBlock[];
  /** Commands shown in USER_SECTIONS, in order. */
  readonly commands: readonly ShownCommand[];
}

const COMMAND_WORDS = /^(npx|npm|pip|pip3|python|python3|cdk|cdk-wsgi|source|mkdir|cd)\s/;
// Inline spans that quote what a command prints rather than a command.
const OUTPUT_SPAN = /^cdk-wsgi (serve|emulate): /;

/** Reads README.md's marked blocks and the commands of its user-facing sections; throws on a malformed marker. */
export function readReadme(file = README): Readme {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const starts = USER_SECTIONS.map(heading => {
    const index = lines.indexOf(heading);
    if (index < 0) throw new Error(`README.md has no heading '${heading}' (test/quickstart.test.ts checks the commands under it)`);
    return index;
  });
  const last = Math.max(...starts);
  const nextHeading = lines.findIndex((text, i) => i > last && text.startsWith('## '));
  const inSections = (i: number) => i >= Math.min(...starts) && i < (nextHeading < 0 ? lines.length : nextHeading);

  const blocks: MarkedBlock[] = [];
  const commands: ShownCommand[] = [];
  let pending: { line: number; languages: Language[]; file?: string } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i];
    const fence = /^(```+|~~~+)\s*(.*)$/.exec(text);
    if (fence) {
      const close = lines.findIndex((candidate, j) => j > i && candidate.startsWith(fence[1]) && candidate.trim() === fence[1]);
      if (close < 0) throw new Error(`README.md:${i + 1}: code block never closes`);
      const info = fence[2].trim();
      const body = lines.slice(i + 1, close);
      if (pending) {
        blocks.push({ line: i + 1, languages: pending.languages, file: pending.file, info, text: `${body.join('\n')}\n` });
        pending = undefined;
      }
      if (inSections(i) && SHELL_INFO.has(info.split(/\s+/)[0])) {
        commands.push(...shellCommands(body).map(c => ({ line: i + 2 + c.offset, command: c.command, inline: false })));
      }
      i = close;
      continue;
    }
    if (/^<!--\s*quickstart/.test(text.trim())) {
      if (pending) throw new Error(`README.md:${pending.line}: quickstart marker is not followed by a code block`);
      pending = { line: i + 1, ...parseMarker(text.trim(), i + 1) };
      continue;
    }
    if (pending && text.trim() !== '') {
      throw new Error(`README.md:${pending.line}: quickstart marker is not followed by a code block`);
    }
    if (inSections(i)) {
      for (const span of text.matchAll(/`([^`]+)`/g)) {
        const command = span[1].trim();
        if (COMMAND_WORDS.test(command) && !OUTPUT_SPAN.test(command)) commands.push({ line: i + 1, command, inline: true });
      }
    }
  }
  if (pending) throw new Error(`README.md:${pending.line}: quickstart marker is not followed by a code block`);
  return { blocks, commands };
}

function parseMarker(text: string, line: number): { languages: Language[]; file?: string } {
  const match = MARKER.exec(text);
  if (!match) throw new Error(`README.md:${line}: malformed marker '${text}'; write <!-- quickstart[:typescript|:python] [file=PATH] -->`);
  const language = match[1];
  if (language !== undefined && !LANGUAGES.includes(language as Language)) {
    throw new Error(`README.md:${line}: unknown language '${language}' in '${text}'; use ${LANGUAGES.join(' or ')}`);
  }
  let file: string | undefined;
  for (const [, key, value] of match[2].matchAll(/([\w-]+)=(\S+)/g)) {
    if (key !== 'file') throw new Error(`README.md:${line}: unknown attribute '${key}' in '${text}'; only file=PATH`);
    file = value;
  }
  return { languages: language ? [language as Language] : [...LANGUAGES], file };
}

/** The commands of a shell block: `\`-continued lines joined, blank and comment lines left out. */
export function shellCommands(body: string[]): Array<{ offset: number; command: string }> {
  const commands: Array<{ offset: number; command: string }> = [];
  for (let i = 0; i < body.length; i++) {
    const offset = i;
    let command = body[i];
    while (command.endsWith('\\') && i + 1 < body.length) command = `${command.slice(0, -1)} ${body[++i].trim()}`;
    command = command.trim();
    if (command !== '' && !command.startsWith('#')) commands.push({ offset, command });
  }
  return commands;
}

/** A command without its trailing comment and with single spaces, to compare what ran with what is shown. */
export function normalizeCommand(command: string): string {
  return command.replace(/\s+#.*$/, '').replace(/\s+/g, ' ').trim();
}

/** The steps of one language's quick start, in README order, checked for what the test relies on. */
export function quickstartSteps(readme: Readme, language: Language): MarkedBlock[] {
  const steps = readme.blocks.filter(block => block.languages.includes(language));
  const files = steps.flatMap(step => step.file ?? []);
  const lines = steps.filter(step => step.file === undefined).flatMap(step => shellCommands(step.text.split('\n')).map(c => c.command));
  const expected = ['app/api.py', 'app/requirements.txt', language === 'typescript' ? 'app.ts' : 'app.py', 'cdk.json'];
  const missing = [
    ...expected.filter(file => !files.includes(file)).map(file => `a block marked <!-- quickstart:${language} file=${file} --> (or <!-- quickstart file=${file} -->)`),
    ...(lines.some(isSynth) ? [] : [`a marked ${language} shell block running \`cdk synth\``]),
    ...(lines.some(isServe) ? [] : [`a marked ${language} shell block running \`cdk-wsgi serve\``]),
    ...(lines.some(line => /\b(npm|pip) install\b/.test(line) && /(^|\s)cdk-wsgi(\s|$)/.test(line))
      ? [] : [`a marked ${language} shell block installing cdk-wsgi (npm install … cdk-wsgi … / pip install cdk-wsgi)`]),
  ];
  if (missing.length > 0) {
    throw new Error(`README.md's ${language} quick start lacks ${missing.join('; ')}. test/quickstart.test.ts runs exactly the marked blocks.`);
  }
  return steps;
}

export const isSynth = (command: string) => /(^|\s)cdk synth(\s|$)/.test(command);
/** A command that serves until Ctrl+C: `cdk-wsgi serve`, or `cdk-wsgi emulate`. */
export const isServe = (command: string) => /(^|\s)cdk-wsgi (serve|emulate)(\s|$)/.test(command) && !/\s(--help|-h)(\s|$)/.test(command);

/** The command with every install of the `cdk-wsgi` package pointed at the packed file instead of the registry. */
export function withPackedPackages(command: string, packages: { tarball: string; wheel: string }): { command: string; replaced: boolean } {
  const installer = /\bpip3? install\b/.test(command) ? 'pip' : /\bnpm (install|i)\b/.test(command) ? 'npm' : undefined;
  if (installer === undefined) return { command, replaced: false };
  const packed = installer === 'pip' ? packages.wheel : packages.tarball;
  let replaced = false;
  const result = command.replace(/(^|\s)cdk-wsgi(?=\s|$)/g, (_, space) => {
    replaced = true;
    return `${space}'${packed}'`;
  });
  if (/(^|\s)['"]?cdk-wsgi[@=<>~!]/.test(result)) {
    throw new Error(`cannot point '${command}' at the packed cdk-wsgi: install it by its bare name, as the test replaces only that`);
  }
  return { command: result, replaced };
}

/**
 * The user's environment: this machine's, without what npm, jest, the repo's .venv and node_modules add to it;
 * global npm installs go to `globalPrefix` and temporary files to `tmpdir`, both the test's own.
 */
export function userEnvironment(globalPrefix: string, tmpdir: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (/^(npm_|INIT_CWD$|NODE_ENV$|NODE_OPTIONS$|NODE_PATH$|JEST_WORKER_ID$|VIRTUAL_ENV$|PYTHONPATH$|PYTHONHOME$|CDK_WSGI_|TS_NODE_|JSII_|AWS_)/i.test(name)) {
      continue;
    }
    env[name] = value;
  }
  const entries = (process.env.PATH ?? '').split(path.delimiter)
    .filter(entry => entry !== '' && !entry.includes(`${path.sep}node_modules${path.sep}`) && !entry.endsWith(`${path.sep}node_modules`)
      && path.relative(ROOT, entry).startsWith('..'));
  // `npm install -g` goes to a prefix of the test's own, whose bin comes first, as a user's global bin is on PATH.
  env.PATH = [path.join(globalPrefix, 'bin'), ...entries].join(path.delimiter);
  env.npm_config_prefix = globalPrefix;
  fs.mkdirSync(tmpdir, { recursive: true });
  env.TMPDIR = tmpdir;
  // This user has no AWS account: commands that need one stop at credentials, and none reaches a developer's own.
  env.AWS_CONFIG_FILE = path.join(tmpdir, 'no-aws-config');
  env.AWS_SHARED_CREDENTIALS_FILE = path.join(tmpdir, 'no-aws-credentials');
  env.AWS_EC2_METADATA_DISABLED = 'true';
  env.npm_config_update_notifier = 'false';
  env.PIP_DISABLE_PIP_VERSION_CHECK = '1';
  // A new user's empty cache for what cdk-wsgi fetches (CPython for WebAssembly), which XDG_CACHE_HOME moves on Linux.
  // pip keeps its own cache, so that wheels are not downloaded again.
  env.PIP_CACHE_DIR = process.env.PIP_CACHE_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'pip');
  env.XDG_CACHE_HOME = path.join(tmpdir, 'cache');
  return env;
}

export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

/** A running `cdk-wsgi serve`. */
export interface RunningServer {
  readonly child: ChildProcess;
  readonly url: string;
  readonly firstLine: string;
  readonly seconds: number;
  stdout(): string;
  stderr(): string;
  /**
   * Ctrl+C, as a terminal sends it: SIGINT to the whole process group. Resolves with how the command ended and
   * whether any process of its group (a Python worker, a Node.js child) outlived it by `timeoutMs`.
   */
  interrupt(timeoutMs?: number): Promise<Ending>;
}

export interface Ending {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly leftRunning: boolean;
}

/**
 * A terminal of its own: each command runs in bash from the folder and with the exported environment the
 * previous one left (`cd my-api`, `source .venv/bin/activate` carry over), in its own process group so a
 * failure or a timeout can end it with all its children.
 */
export class ShellSession {
  cwd: string;
  env: Record<string, string>;
  private readonly children = new Set<ChildProcess>();
  private readonly stateDir: string;

  constructor(readonly root: string, env: Record<string, string>) {
    this.cwd = root;
    this.env = env;
    this.stateDir = fs.mkdtempSync(path.join(root, '.session-'));
  }

  /** Runs `command` like a terminal would; a non-zero exit throws with its output, unless `failing` expects one. */
  async run(command: string, timeoutMs: number, failing = false): Promise<CommandResult> {
    const cwdFile = path.join(this.stateDir, 'cwd');
    const envFile = path.join(this.stateDir, 'env');
    fs.rmSync(cwdFile, { force: true });
    fs.rmSync(envFile, { force: true });
    const script = [
      `trap '__status=$?; pwd > ${quote(cwdFile)}; env -0 > ${quote(envFile)}; exit $__status' EXIT`,
      'set -eo pipefail',
      command,
    ].join('\n');
    const started = Date.now();
    const child = this.spawn(['-c', script]);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', text => { stdout += text; });
    child.stderr!.setEncoding('utf8').on('data', text => { stderr += text; });
    const code = await exitOf(child, timeoutMs, () => this.kill(child));
    const seconds = (Date.now() - started) / 1000;
    if (code === 'timeout') throw new Error(`'${command}' did not finish within ${timeoutMs / 1000} s; output:\n${stdout}${stderr}`);
    if ((code !== 0) !== failing) throw new Error(`'${command}' exited ${code} in ${this.cwd}; output:\n${stdout}${stderr}`);
    if (fs.existsSync(cwdFile)) this.cwd = fs.readFileSync(cwdFile, 'utf8').trim();
    if (fs.existsSync(envFile)) this.env = parseEnv(fs.readFileSync(envFile, 'utf8'));
    return { code, stdout, stderr, seconds };
  }

  /** Starts a long-running command and waits for the `… at http://…` line; throws with its output when none comes. */
  async start(command: string, timeoutMs: number): Promise<RunningServer> {
    const started = Date.now();
    const child = this.spawn(['-c', command]);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', text => { stdout += text; });
    child.stderr!.setEncoding('utf8').on('data', text => { stderr += text; });
    let ending: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    const exited = new Promise<void>(resolve => child.once('exit', (code, signal) => {
      ending = { code, signal };
      resolve();
    }));
    const deadline = Date.now() + timeoutMs;
    while (!stdout.includes('\n') && ending === undefined && Date.now() < deadline) await sleep(50);
    if (!stdout.includes('\n')) {
      this.kill(child);
      throw new Error(`'${command}' printed no line within ${timeoutMs / 1000} s (ended: ${JSON.stringify(ending)}); output:\n${stdout}${stderr}`);
    }
    const seconds = (Date.now() - started) / 1000;
    const firstLine = stdout.slice(0, stdout.indexOf('\n'));
    const url = / at (http:\/\/\S+)$/.exec(firstLine)?.[1];
    if (url === undefined) {
      this.kill(child);
      throw new Error(`'${command}' did not start with its URL line; output:\n${stdout}${stderr}`);
    }
    return {
      child,
      url,
      firstLine,
      seconds,
      stdout: () => stdout,
      stderr: () => stderr,
      interrupt: async (waitMs = 30_000) => {
        if (ending === undefined) {
          process.kill(-child.pid!, 'SIGINT');
          if (!await within(exited, waitMs)) {
            this.kill(child);
            throw new Error(`'${command}' still ran ${waitMs / 1000} s after Ctrl+C; output:\n${stdout}${stderr}`);
          }
        }
        const leftRunning = !await groupGone(child.pid!, waitMs);
        if (leftRunning) this.kill(child);
        return { ...ending!, leftRunning };
      },
    };
  }

  /** Writes a file relative to the session's folder, as a user saves it from an editor. */
  writeFile(relative: string, text: string): void {
    const file = path.resolve(this.cwd, relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }

  /** Ends every process the session started that is still running, with its children. */
  dispose(): void {
    for (const child of this.children) this.kill(child);
  }

  private spawn(args: string[]): ChildProcess {
    const child = spawn('bash', args, { cwd: this.cwd, env: this.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  private kill(child: ChildProcess): void {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

function exitOf(child: ChildProcess, timeoutMs: number, onTimeout: () => void): Promise<number | null | 'timeout'> {
  return new Promise(resolve => {
    const timer = setTimeout(() => {
      onTimeout();
      resolve('timeout');
    }, timeoutMs);
    child.once('close', code => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** Whether `promise` settles within `ms`, without keeping the event loop alive after it does. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>(resolve => { timer = setTimeout(() => resolve(false), ms); });
  try {
    return await Promise.race([promise.then(() => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether every process of the group `pgid` is gone within `ms`. */
async function groupGone(pgid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return true;
    }
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
}

function parseEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of text.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  // bash sets these for each shell itself.
  for (const name of ['_', 'SHLVL', 'PWD', 'OLDPWD']) delete env[name];
  return env;
}

function quote(text: string): string {
  return `'${text.replace(/'/g, '\'\\\'\'')}'`;
}
