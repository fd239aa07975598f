import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import type { ExecutionEnvironment } from './app-runner';
import type { EmulatorTools } from './emulator-tools';
import { LambdaFunction } from './lambda-function';
import { accepts, freePorts } from './loopback';
import { RieLog } from './rie-log';
import { Outcome, ReadyInfo } from '../contracts/worker-protocol';

export interface EnvironmentOptions {
  readonly fn: LambdaFunction;
  readonly tools: EmulatorTools;
  /** `python:3.14 (…)`: what INIT_START names. */
  readonly runtimeVersion: string;
  /**
   * The alias the invocations come through, which the handler's context names: `live` for the front doors, `manage`
   * for management commands (the adapter runs commands only through it).
   */
  readonly qualifier: string;
  /** Variables over the function's own: what the emulated front door needs, or values for deploy-time ones. */
  readonly environment?: Record<string, string>;
  /** Lambda's log lines, as the function's log group would get them. */
  readonly log: (line: string) => void;
}

/** What the emulator answered an invocation: its HTTP status, and the function's payload as text. */
export interface RawInvocation {
  readonly status: number;
  readonly text: string;
}

// Lambda allows 10 s for init, then retries it within the function timeout; a little more covers the emulator itself.
const INIT_SECONDS = 10;
const GRACE_SECONDS = 5;
const LISTEN_TIMEOUT_MS = 10_000;
// Enough of the emulator's output to tell why it exited.
const TAIL_CHARS = 2_000;

/**
 * One Lambda execution environment on this machine: AWS's Runtime Interface Emulator running the function's
 * handler with awslambdaric and the CPython of its runtime, the function's asset as the task root and its layers
 * where /opt/python would be. Like Lambda, it initialises the function on the first invocation, answers one at a
 * time, and starts the runtime afresh after a timeout or a crash.
 */
export class EmulatedEnvironment implements ExecutionEnvironment {
  public readonly ready: Promise<ReadyInfo>;
  private readonly log: RieLog;
  private child?: ChildProcess;
  private port?: number;
  private tail = '';
  private exitReason?: string;

  constructor(private readonly options: EnvironmentOptions) {
    this.log = new RieLog({
      runtimeVersion: options.runtimeVersion,
      memorySize: options.fn.memorySize,
      timeoutSeconds: options.fn.timeoutSeconds,
      maxMemoryUsedMb: () => this.maxMemoryUsedMb(),
      write: options.log,
    });
    this.ready = this.start();
  }

  public get dead(): boolean {
    return this.exitReason !== undefined;
  }

  /** Runs one event (as JSON); a function error, timeout or crash is an error outcome, as the front door sees it. */
  public async invoke(eventJson: string): Promise<Outcome> {
    let raw: RawInvocation;
    try {
      raw = await this.invokeRaw(eventJson);
    } catch (error) {
      return { error: (error as Error).message };
    }
    return outcomeOf(raw);
  }

  /** Runs one event (as JSON) and returns what the emulator answered, as the Lambda Invoke API would carry it. */
  public async invokeRaw(eventJson: string): Promise<RawInvocation> {
    await this.ready;
    const timeoutMs = (INIT_SECONDS + this.options.fn.timeoutSeconds + GRACE_SECONDS) * 1000;
    return new Promise((resolve, reject) => {
      const request = http.request({
        host: '127.0.0.1',
        port: this.port,
        method: 'POST',
        path: '/2015-03-31/functions/function/invocations',
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(eventJson) },
        timeout: timeoutMs,
      }, res => {
        const chunks: Buffer[] = [];
        res.on('data', chunk => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      request.on('timeout', () => request.destroy(new Error(`the emulator did not answer within ${timeoutMs / 1000} s`)));
      request.on('error', error => reject(new Error(this.exitReason ?? `the emulator stopped answering: ${error.message}`)));
      request.end(eventJson);
    });
  }

  /** Ends the emulator and the runtime it started, at once (Lambda freezes, then discards, an environment). */
  public stop(): void {
    this.exitReason ??= 'stopped';
    const runtime = this.runtimePid();
    for (const pid of [this.child?.pid, runtime]) {
      if (pid === undefined) continue;
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  }

  private async start(): Promise<ReadyInfo> {
    const { fn, tools } = this.options;
    const [port, runtimeApiPort] = await freePorts(2);
    if (this.exitReason) throw new Error(this.exitReason); // stopped meanwhile
    this.port = port;
    // The emulator builds the invoked ARN from AWS_LAMBDA_FUNCTION_NAME (`<name>:<qualifier>`), while Lambda gives
    // the runtime the bare name; a shell between the two drops the qualifier.
    const runtime = ['/bin/sh', '-c', 'export AWS_LAMBDA_FUNCTION_NAME="${AWS_LAMBDA_FUNCTION_NAME%%:*}"; exec "$@"', 'sh',
      tools.python, '-S', '-m', 'awslambdaric', fn.handler];
    // The emulator's output and the runtime's share one pipe, so that the lines keep their order.
    const child = spawn('/bin/sh', ['-c', 'exec "$@" 2>&1', 'sh', tools.rie,
      '--runtime-interface-emulator-address', `127.0.0.1:${port}`,
      // Its own Runtime API port, not the default 9001, so that environments side by side cannot collide.
      '--runtime-api-address', `127.0.0.1:${runtimeApiPort}`,
      ...runtime], {
      cwd: fn.codeDir,
      env: lambdaVariables(this.options),
      // Its own process group: Ctrl+C in the terminal reaches the CLI, which stops it and its runtime itself.
      detached: true,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    this.child = child;
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      this.tail = (this.tail + chunk).slice(-TAIL_CHARS);
      this.log.push(chunk);
    });
    child.on('exit', (code, signal) => {
      this.log.flush();
      if (this.exitReason !== undefined) return; // stopped
      this.exitReason = `the emulator exited (${signal ?? `code ${code}`})`;
      // Killed from outside, or crashed: what a request in flight gets, and what the next one does about it.
      this.options.log(`cdk-wsgi emulate: ${this.exitReason}; the next request starts a fresh environment`);
    });
    child.on('error', error => {
      this.exitReason ??= `cannot run ${tools.rie}: ${error.message}`;
    });
    const deadline = Date.now() + LISTEN_TIMEOUT_MS;
    while (!(await accepts(port))) {
      if (this.exitReason) {
        throw new Error(`${this.exitReason} before it listened${this.tail.trim() ? `: ${this.tail.trim()}` : ''}`);
      }
      if (Date.now() > deadline) {
        this.stop();
        throw new Error(`the emulator did not listen on 127.0.0.1:${port} within ${LISTEN_TIMEOUT_MS / 1000} s: ${this.tail.trim()}`);
      }
      await new Promise(resolve => setTimeout(resolve, 20));
    }
    return {};
  }

  /** The runtime the emulator started (its child, which leads a process group of its own), while it runs. */
  private runtimePid(): number | undefined {
    const parent = this.child?.pid;
    if (parent === undefined) return undefined;
    try {
      // The emulator is a Go program: any of its threads may have started the runtime, and each lists its own.
      const children = fs.readdirSync(`/proc/${parent}/task`)
        .flatMap(task => fs.readFileSync(`/proc/${parent}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean));
      return children.length > 0 ? Number(children[children.length - 1]) : undefined;
    } catch {
      return undefined;
    }
  }

  /** The runtime's peak resident memory (VmHWM), in MB as Lambda's Max Memory Used counts them. */
  private maxMemoryUsedMb(): number | undefined {
    const pid = this.runtimePid();
    if (pid === undefined) return undefined;
    try {
      const kb = Number(/^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
      return Number.isFinite(kb) ? Math.ceil(kb / 1024) : undefined;
    } catch {
      return undefined;
    }
  }
}

/** What the front door makes of an invocation: the handler's result, or a function error. */
export function outcomeOf(raw: RawInvocation): Outcome {
  let payload: any;
  try {
    payload = JSON.parse(raw.text);
  } catch {
    // The emulator answers a timeout as plain text (`Task timed out after 3.00 seconds`).
    return { error: raw.text.trim() || `the emulator answered ${raw.status} with no payload` };
  }
  const failed = raw.status !== 200 || (typeof payload === 'object' && payload !== null
    && typeof payload.errorType === 'string' && typeof payload.errorMessage === 'string');
  return failed ? { error: `${payload?.errorType ?? 'Error'}: ${payload?.errorMessage ?? raw.text}` } : { result: payload };
}

/** The variables Lambda's Python runtime sets, with the function's folders where /var/task and /opt would be. */
function lambdaVariables(options: EnvironmentOptions): NodeJS.ProcessEnv {
  const { fn, tools, qualifier } = options;
  const layerPaths = fn.layerDirs.flatMap(dir => [
    path.join(dir, 'python', 'lib', `python${fn.pythonVersion}`, 'site-packages'),
    path.join(dir, 'python'),
  ]);
  const passed: NodeJS.ProcessEnv = {};
  // The developer's credentials stand in for the function's role; without them, an AWS call fails as unsigned.
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) {
    if (process.env[name]) passed[name] = process.env[name];
  }
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  return {
    ...passed,
    PATH: [path.dirname(tools.python), '/usr/local/bin', '/usr/bin', '/bin'].join(path.delimiter),
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_EXECUTION_ENV: `AWS_Lambda_python${fn.pythonVersion}`,
    AWS_LAMBDA_FUNCTION_NAME: `${fn.logicalId}:${qualifier}`,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
    AWS_LAMBDA_FUNCTION_TIMEOUT: String(fn.timeoutSeconds),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.logicalId}`,
    LAMBDA_TASK_ROOT: fn.codeDir,
    PYTHONPATH: [fn.codeDir, ...layerPaths, tools.ricDir].join(path.delimiter),
    // The task root and /opt are read-only on Lambda, and the asset is what `cdk deploy` uploads: nothing is written.
    PYTHONDONTWRITEBYTECODE: '1',
    ...fn.environment,
    ...options.environment,
  };
}
