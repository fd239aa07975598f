import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { eventually } from './loopback';
import { LocalServer, serve } from '../src/cli/serve';
import { ServeSettings } from '../src/cli/settings';

export const ROOT = path.join(__dirname, '..');
export const PYTHON = path.join(ROOT, '.venv', 'bin', 'python');
export const EXAMPLE_APP = path.join(ROOT, 'examples', 'flask-app');
export const SERVE_APP = path.join(__dirname, 'fixtures', 'serve-app');
const MAIN = path.join(ROOT, 'src', 'cli', 'main.ts');

/** A copy of `dir` in a fresh temporary folder, for tests that edit the app. */
export function copyApp(dir: string): string {
  const copy = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-serve-')), path.basename(dir));
  fs.cpSync(dir, copy, { recursive: true, filter: source => !source.includes('__pycache__') });
  return copy;
}

export interface InProcessServer {
  readonly server: LocalServer;
  /** Request log and reload lines so far. */
  readonly out: string[];
  /** The app's output and tracebacks so far. */
  err(): string;
}

/** `serve()` in the test process on a free loopback port, with the project's .venv. */
export async function startServe(settings: ServeSettings, reload = false): Promise<InProcessServer> {
  const out: string[] = [];
  let err = '';
  const server = await serve(settings, {
    host: '127.0.0.1',
    port: 0,
    python: PYTHON,
    reload,
    out: line => out.push(line),
    err: text => { err += text; },
  });
  return { server, out, err: () => err };
}

export interface RunningCli {
  readonly child: ChildProcess;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
  stdout(): string;
  stderr(): string;
}

/**
 * The real CLI (`cdk-wsgi <args>`), run from its TypeScript sources as jest runs before compilation; `input` is its
 * standard input, which is otherwise closed.
 */
export function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): RunningCli {
  const child = spawn(process.execPath, ['-r', require.resolve('ts-node/register/transpile-only'), MAIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json'), ...options.env },
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  child.stdin?.end(options.input);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', text => { stdout += text; });
  child.stderr!.setEncoding('utf8').on('data', text => { stderr += text; });
  const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Waits for the startup line and returns the URL it names. */
export async function urlOf(cli: RunningCli): Promise<string> {
  let exited = false;
  void cli.exited.then(() => { exited = true; });
  await eventually(() => /at http:\S+\n/.test(cli.stdout()) || exited, 'the startup line', 30_000);
  const match = /at (http:\S+)\n/.exec(cli.stdout());
  if (!match) throw new Error(`cdk-wsgi serve did not start:\n${cli.stdout()}${cli.stderr()}`);
  return match[1];
}

/** Stops the CLI as Ctrl+C would and returns its exit code. */
export async function stopCli(cli: RunningCli): Promise<number | null> {
  cli.child.kill('SIGINT');
  return cli.exited;
}
