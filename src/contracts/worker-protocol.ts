/*
 * The protocol between `cdk-wsgi serve` and its Python worker (lib-python/serve/worker.py): the settings as the
 * worker's one argument, then one JSON object per line each way. The worker writes `ready` once the app is imported
 * (and primed), then one `result` or `error` for each invocation it reads. lib-python/serve/cdk_wsgi_serve_protocol.py
 * is the Python side; test/contract-parity.test.ts passes each side's lines through the other.
 */
import type { PrimeConfig } from './adapter-contract';

/** The worker's one argument, as JSON. */
export interface WorkerSettings {
  /** The app's folder: the working directory and first on sys.path, as /var/task is on Lambda. */
  readonly entry: string;
  /** The WSGI callable, `package.module:attr`. */
  readonly app: string;
  readonly textMediaTypes: string[];
  /** null for an HTTP API, which has none. */
  readonly binaryMediaTypes: string[] | null;
  /** Custom domain → base path. */
  readonly basePaths: Record<string, string>;
  /** The secret serve's stand-in distribution sends (CDK_WSGI_ORIGIN_SECRET); null without a distribution. */
  readonly originSecret: string | null;
  /** The local server's port, which the app sees as SERVER_PORT. */
  readonly port: number;
  /** For the Lambda context object, with memorySize and timeoutSeconds; `name:qualifier` when invoked through an alias. */
  readonly functionName: string;
  readonly memorySize: number;
  readonly timeoutSeconds: number;
  /**
   * The function's priming as ENV_PRIME holds it, `host` being the emulated front door's domain (its events'
   * domainName); null without `prime`. The worker primes once the app is imported, with the local server's Host.
   */
  readonly prime: PrimeConfig | null;
}

/** How one priming request went: its status and time, what the adapter raised, or skipped at the prime timeout. */
export interface PrimedPath {
  readonly path: string;
  readonly status?: number;
  readonly ms?: number;
  readonly error?: string;
  readonly skipped?: boolean;
}

/** What the worker reports once the app is imported (or failed to import). */
export interface ReadyInfo {
  /** The import error; the worker then answers every request with a 500. */
  readonly error?: string;
  /** What to do about it, e.g. install a missing package. */
  readonly hint?: string;
  /** Each prime path, in order, when the app imported and the function primes. */
  readonly primed?: PrimedPath[];
}

/** How one invocation ended: the handler's result, or a function error (raised, crashed, timed out). */
export type Outcome = { readonly result: unknown } | { readonly error: string };

/** A line from the worker. */
export type WorkerMessage = { readonly ready: ReadyInfo } | Outcome;

/** The line that sends the worker one event; the event is JSON already (the server measured its size). */
export function invocationLine(requestId: string, eventJson: string): string {
  return `{"requestId":${JSON.stringify(requestId)},"event":${eventJson}}\n`;
}

/** A line from the worker, or an error when it is not a protocol message. */
export function parseWorkerMessage(line: string): WorkerMessage {
  const message: unknown = JSON.parse(line);
  if (typeof message === 'object' && message !== null) {
    if ('ready' in message && typeof message.ready === 'object' && message.ready !== null) return message as WorkerMessage;
    if ('error' in message && typeof message.error === 'string') return message as WorkerMessage;
    if ('result' in message) return message as WorkerMessage;
  }
  throw new Error(`not a worker message: ${line.slice(0, 200)}`);
}
