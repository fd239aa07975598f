import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';
import { LOCAL_FUNCTION_URL_DOMAIN } from './function-url-emulator';
import { LOCAL_DOMAIN } from './gateway-emulator';
import { ServeSettings } from './settings';
import { ENV_PREFIX } from '../contracts/adapter-contract';
import { invocationLine, Outcome, parseWorkerMessage, ReadyInfo, WorkerMessage, WorkerSettings } from '../contracts/worker-protocol';
import { ApiType } from '../types';

/** The Python half, shipped in the package next to the adapter it imports. */
export const WORKER_SCRIPT = path.join(__dirname, '..', '..', 'lib-python', 'serve', 'worker.py');

export interface WorkerOptions {
  readonly python: string;
  readonly settings: ServeSettings;
  /** The local server's port, which the app sees as SERVER_PORT. */
  readonly port: number;
  /** The secret the app's stand-in distribution sends, when it has one. */
  readonly originSecret?: string;
  /** Receives the worker's stderr: the app's output, logs and tracebacks. */
  readonly stderr: (text: string) => void;
  /**
   * The alias the context's ARN names, as Lambda's does when one invokes the function through it: `manage` for the
   * management commands the adapter runs only through that alias. Unqualified otherwise.
   */
  readonly qualifier?: string;
  /** The custom domain the app is served on, which its priming requests name as its front door's requests do. */
  readonly domainName?: string;
}

// Lambda allows 10 s for init, then retries it within the function timeout.
const INIT_SECONDS = 10;
// The adapter caps responses at 6 MB of JSON; anything far beyond is a broken channel.
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** One Python process serving the app: an emulated Lambda execution environment, one invocation at a time. */
export class PythonWorker {
  /** Resolves once the app is imported; rejects when the process could not start or died first. */
  public readonly ready: Promise<ReadyInfo>;
  private readonly child: ChildProcess;
  private readonly timeoutSeconds: number;
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;
  private onReady?: { resolve: (info: ReadyInfo) => void; reject: (error: Error) => void };
  private inFlight?: (outcome: Outcome) => void;
  private exitReason?: string;

  constructor(options: WorkerOptions) {
    const { settings } = options;
    this.timeoutSeconds = settings.timeoutSeconds;
    const workerSettings: WorkerSettings = {
      entry: settings.entry,
      app: settings.app,
      textMediaTypes: settings.textMediaTypes,
      binaryMediaTypes: settings.binaryMediaTypes ?? null,
      basePaths: settings.basePaths,
      originSecret: options.originSecret ?? null,
      port: options.port,
      functionName: `${settings.label.replace(/[^A-Za-z0-9_-]/g, '-')}${options.qualifier ? `:${options.qualifier}` : ''}`,
      memorySize: settings.memorySize,
      timeoutSeconds: settings.timeoutSeconds,
      // The domain the emulated front door's events name (none for a load balancer, whose Host is the local one anyway).
      prime: settings.prime ? {
        apiType: settings.apiType,
        host: options.domainName ?? (settings.apiType === ApiType.FUNCTION_URL ? LOCAL_FUNCTION_URL_DOMAIN : LOCAL_DOMAIN),
        stage: settings.stageName,
        ...settings.prime,
      } : null,
    };
    this.child = spawn(options.python, [WORKER_SCRIPT, JSON.stringify(workerSettings)], {
      env: workerEnvironment(settings.environment),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.ready = new Promise((resolve, reject) => {
      this.onReady = { resolve, reject };
    });
    const initTimer = setTimeout(() => this.kill(`the app did not finish importing within ${INIT_SECONDS + this.timeoutSeconds} s`),
      (INIT_SECONDS + this.timeoutSeconds) * 1000);
    this.ready.then(() => clearTimeout(initTimer), () => clearTimeout(initTimer));
    this.child.stderr!.setEncoding('utf8').on('data', options.stderr);
    this.child.stdout!.on('data', (chunk: Buffer) => this.receive(chunk));
    // Writes after the worker died fail with EPIPE; the exit handler reports that.
    this.child.stdin!.on('error', () => undefined);
    this.child.on('error', error => this.exited(`cannot run ${options.python}: ${error.message}; `
      + 'pass --python or set CDK_WSGI_PYTHON to a Python 3.11+ interpreter'));
    this.child.on('exit', (code, signal) => this.exited(this.exitReason
      ?? `the Python process exited (${signal ?? `code ${code}`})`));
  }

  /** Whether the process is gone: a later invocation needs a new worker. */
  public get dead(): boolean {
    return this.exitReason !== undefined;
  }

  /** Runs one event (as JSON) through the adapter; past the function's timeout the process is killed, as Lambda does. */
  public invoke(eventJson: string, requestId: string): Promise<Outcome> {
    if (this.dead) return Promise.resolve({ error: this.exitReason! });
    return new Promise(resolve => {
      const timer = setTimeout(() => this.kill(`Task timed out after ${this.timeoutSeconds.toFixed(2)} seconds`),
        this.timeoutSeconds * 1000);
      this.inFlight = outcome => {
        clearTimeout(timer);
        this.inFlight = undefined;
        resolve(outcome);
      };
      this.child.stdin!.write(invocationLine(requestId, eventJson));
    });
  }

  /** Ends the process; an invocation in flight ends as a function error. */
  public stop(): void {
    this.kill('stopped');
  }

  private kill(reason: string): void {
    if (this.dead) return;
    this.exitReason = reason;
    this.child.kill('SIGKILL');
  }

  private receive(chunk: Buffer): void {
    let data = chunk;
    for (let newline = data.indexOf(0x0a); newline !== -1; newline = data.indexOf(0x0a)) {
      const line = Buffer.concat([...this.buffered, data.subarray(0, newline)]).toString('utf8');
      this.buffered = [];
      this.bufferedBytes = 0;
      data = data.subarray(newline + 1);
      try {
        this.handle(parseWorkerMessage(line));
      } catch {
        this.kill(`the worker broke the protocol with: ${line.slice(0, 200)}`);
        return;
      }
    }
    this.buffered.push(data);
    this.bufferedBytes += data.length;
    if (this.bufferedBytes > MAX_MESSAGE_BYTES) {
      this.kill(`the worker sent a message over ${MAX_MESSAGE_BYTES} bytes`);
    }
  }

  private handle(message: WorkerMessage): void {
    if ('ready' in message) {
      this.onReady?.resolve(message.ready);
      this.onReady = undefined;
    } else {
      this.inFlight?.(message);
    }
  }

  private exited(reason: string): void {
    this.exitReason ??= reason;
    this.onReady?.reject(new Error(this.exitReason));
    this.onReady = undefined;
    this.inFlight?.({ error: this.exitReason });
  }
}

/** The developer's environment with the function's literal variables over it; no CDK_WSGI_* reaches the app. */
function workerEnvironment(functionEnvironment: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith(ENV_PREFIX)) env[key] = value;
  }
  return { ...env, ...functionEnvironment, PYTHONUNBUFFERED: '1' };
}
