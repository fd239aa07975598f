import { randomBytes, randomUUID } from 'crypto';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import { AlbEmulator } from './alb-emulator';
import { AppRunner, ExecutionEnvironment } from './app-runner';
import { DistributionEmulator } from './distribution-emulator';
import { FunctionUrlEmulator } from './function-url-emulator';
import { DomainMapping, GatewayEmulator, GatewayReply, LocalRequest, mappingPrefix, messageReply } from './gateway-emulator';
import { HttpApiEmulator } from './http-api-emulator';
import { PythonWorker } from './python-worker';
import { RestApiEmulator } from './rest-api-emulator';
import { ServeSettings } from './settings';
import { ApiType } from '../types';
import { SourceWatcher } from './source-watcher';
import { PrimedPath } from '../contracts/worker-protocol';

export interface ServeOptions {
  /** The address to listen on; loopback unless the app must be reachable from elsewhere. */
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** The Python interpreter with the app's dependencies. */
  readonly python: string;
  /** Whether source changes restart the app. */
  readonly reload: boolean;
  /** One line at a time: requests, reloads. */
  readonly out: (line: string) => void;
  /** The app's own output and tracebacks, and what went wrong. */
  readonly err: (text: string) => void;
  /** What the messages start with: `cdk-wsgi serve`, or the command that serves through this server. */
  readonly name?: string;
  /**
   * Starts where an app's invocations run: by default a Python worker with the app's sources; `emulate` runs the
   * synthesized function in AWS's runtime emulator instead.
   */
  readonly environment?: (settings: ServeSettings, port: number, originSecret?: string) => ExecutionEnvironment;
  /** Whether every request gets a fresh environment, with its init. */
  readonly cold?: boolean;
}

export interface LocalServer {
  /** Where the app is, stage included: `http://127.0.0.1:8000/prod/`. */
  readonly url: string;
  /** The front door in front of the app, emulated. */
  readonly gateway: GatewayEmulator;
  close(): Promise<void>;
}

// API Gateway's payload limit (REST and HTTP APIs), then Lambda's for a synchronous invocation (a function URL's).
const MAX_BODY_BYTES = 10 * 1024 * 1024;
const MAX_EVENT_BYTES = 6 * 1024 * 1024;
// Managed by the local server for its own connection, whatever the app said.
const CONNECTION_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding']);

/** Several apps of one custom domain on one local server, each under its base path. */
export interface LocalDomainServer {
  /** The domain's root on the local server: `http://127.0.0.1:8000/`. */
  readonly url: string;
  /** Each app: its label, its front door, and where it is served. */
  readonly apps: Array<{ readonly label: string; readonly gateway: GatewayEmulator; readonly url: string }>;
  close(): Promise<void>;
}

/** One app on the local server, behind its emulated front door. */
interface Mount {
  readonly settings: ServeSettings;
  readonly gateway: GatewayEmulator;
  /** The path part that selects this app on a shared domain ('' at the root or alone); the longest that matches wins. */
  readonly prefix: string;
  /** The secret the app's stand-in distribution sends, when it has one. */
  readonly originSecret?: string;
  /** The custom domain the app is served on, when several share one. */
  readonly domainName?: string;
  /** Set once the server listens: the worker learns its port. */
  runner?: AppRunner;
}

/**
 * Serves the app on a local HTTP server, each request turned into the event its front door would send, run
 * through cdk_wsgi_adapter in a Python worker, and answered the way the front door answers.
 */
export async function serve(settings: ServeSettings, options: ServeOptions): Promise<LocalServer> {
  // A fresh secret per session: the stand-in distribution sends it, and the worker's adapter trusts it alone.
  const originSecret = settings.distribution ? randomBytes(24).toString('base64url') : undefined;
  const gateway = emulatorFor(settings, undefined, originSecret);
  const { origin, close } = await listen([{ settings, gateway, prefix: '', originSecret }], options);
  return { url: `${origin}${gateway.basePath}`, gateway, close };
}

/**
 * Serves the apps mapped on the custom domain `domainName` together, as that domain answers: a request goes to the app
 * whose base path matches most of its path, through the app's own front door with the domain in its event, so each
 * app sees its base path in SCRIPT_NAME; a path no mapping matches gets API Gateway's 403.
 */
export async function serveDomain(domainName: string, apps: ServeSettings[], options: ServeOptions): Promise<LocalDomainServer> {
  const mounts: Mount[] = apps.map(settings => {
    const mapping = { domainName, basePath: settings.basePaths[domainName] ?? '' };
    return { settings, gateway: emulatorFor(settings, mapping), prefix: mappingPrefix(mapping), domainName };
  });
  mounts.sort((a, b) => b.prefix.length - a.prefix.length);
  const { origin, close } = await listen(mounts, options);
  return {
    url: `${origin}/`,
    apps: mounts.map(({ settings, gateway }) => ({ label: settings.label, gateway, url: `${origin}${gateway.basePath}` })),
    close,
  };
}

/**
 * The front door `settings` names, emulated: REST and HTTP APIs through a custom domain's `mapping` when given, and
 * behind the app's distribution when it has one (`originSecret`, which the worker holds too).
 */
export function emulatorFor(settings: ServeSettings, mapping?: DomainMapping, originSecret?: string): GatewayEmulator {
  const door = frontDoorFor(settings, mapping);
  if (!settings.distribution) return door;
  // The distribution's origin path is the stage of a REST API, or an HTTP API's named one.
  const named = settings.apiType === ApiType.REST || (settings.apiType === ApiType.HTTP && settings.stageName !== '$default');
  return new DistributionEmulator(door, named ? `/${settings.stageName}` : '', originSecret!, settings.staticFiles);
}

function frontDoorFor(settings: ServeSettings, mapping?: DomainMapping): GatewayEmulator {
  switch (settings.apiType) {
    case ApiType.REST: return new RestApiEmulator(settings.stageName, settings.binaryMediaTypes ?? [], mapping);
    case ApiType.HTTP: return new HttpApiEmulator(settings.stageName, mapping);
    case ApiType.FUNCTION_URL: return new FunctionUrlEmulator();
    case ApiType.ALB: return new AlbEmulator();
  }
}

/** Starts the server, then each app's worker (which learns the port), and its source watcher. */
async function listen(mounts: Mount[], options: ServeOptions): Promise<{ origin: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    handle(req, res, mounts, options).catch(error => {
      options.err(`${messagePrefix(options)}: ${req.method} ${req.url}: ${(error as Error).stack}\n`);
      res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', error => reject(listenError(error, options)));
    server.listen(options.port, options.host, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  // On a shared domain, the app's label tells whose import failed or reloaded.
  const named = (settings: ServeSettings, line: string) => (mounts.length > 1 ? line.replace(`${messagePrefix(options)}: `, `$&${settings.label}: `) : line);
  for (const mount of mounts) {
    const { settings } = mount;
    mount.runner = new AppRunner(() => {
      const { originSecret, domainName } = mount;
      const worker = options.environment?.(settings, port, originSecret)
        ?? new PythonWorker({ python: options.python, settings, port, originSecret, domainName, stderr: options.err });
      worker.ready.then(info => {
        if (info.error) {
          options.err(named(settings, `${messagePrefix(options)}: the app failed to import: ${info.error}${info.hint ? `\n  ${info.hint}` : ''}\n`));
        }
        if (info.primed?.length) options.out(named(settings, `${messagePrefix(options)}: primed ${info.primed.map(describePrimed).join(', ')}`));
      }, () => undefined);
      return worker;
    }, line => options.out(named(settings, line)), options.cold);
  }
  // One watcher per folder: apps that share their sources reload together.
  const watchers = options.reload
    ? [...new Set(mounts.map(mount => mount.settings.entry))].map(entry => new SourceWatcher(entry, files => {
      for (const mount of mounts) if (mount.settings.entry === entry) mount.runner!.reload(describeChange(files));
    }, options.out))
    : [];
  const close = async () => {
    for (const watcher of watchers) watcher.close();
    for (const mount of mounts) mount.runner!.close();
    server.closeAllConnections();
    await new Promise(resolve => server.close(resolve));
  };
  try {
    await Promise.all(mounts.map(mount => mount.runner!.started));
  } catch (error) {
    await close();
    throw error;
  }
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return { origin: `http://${host}:${port}`, close };
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse, mounts: Mount[], options: ServeOptions): Promise<void> {
  const started = Date.now();
  const body = await readBody(req);
  const target = req.url ?? '/';
  const queryAt = target.indexOf('?');
  const headers: Array<[string, string]> = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
  const request: LocalRequest = {
    method: req.method ?? 'GET',
    rawPath: queryAt === -1 ? target : target.slice(0, queryAt),
    rawQuery: queryAt === -1 ? '' : target.slice(queryAt + 1),
    headers,
    body: body ?? Buffer.alloc(0),
    sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
    port: (req.socket.localPort ?? 0),
    requestId: randomUUID(),
    time: new Date(started),
  };
  const mount = mounts.find(({ prefix }) => request.rawPath === prefix || request.rawPath.startsWith(`${prefix}/`));
  let reply: GatewayReply;
  if (!mount) {
    // A custom domain answers a path that no API mapping matches itself, before any API sees it.
    reply = messageReply(403, 'Forbidden', [['x-amzn-RequestId', request.requestId], ['x-amzn-ErrorType', 'ForbiddenException']]);
  } else {
    reply = body === undefined ? mount.gateway.tooLarge(request) : await invoke(request, mount.gateway, mount.runner!, options);
  }
  write(res, request, reply, mount?.gateway, options);
  options.out(`${request.method} ${target} ${res.statusCode} ${Date.now() - started} ms`);
}

async function invoke(request: LocalRequest, gateway: GatewayEmulator, runner: AppRunner, options: ServeOptions): Promise<GatewayReply> {
  if (gateway.maxBodyBytes !== undefined && request.body.length > gateway.maxBodyBytes) {
    options.err(`${messagePrefix(options)}: the request body is ${request.body.length} bytes, over the ${gateway.description}'s `
      + `limit of ${gateway.maxBodyBytes} bytes\n`);
    return gateway.tooLarge(request);
  }
  const routed = gateway.toEvent(request);
  if ('reply' in routed) return routed.reply;
  const eventJson = JSON.stringify(routed.event);
  // Lambda counts the payload's UTF-8 bytes, not its characters: a non-ASCII text body weighs more than its length.
  const eventBytes = Buffer.byteLength(eventJson);
  if (eventBytes > MAX_EVENT_BYTES) {
    options.err(`${messagePrefix(options)}: the event is ${eventBytes} bytes, over Lambda's limit of ${MAX_EVENT_BYTES} bytes `
      + 'for a synchronous invocation (base64 makes a body a third larger)\n');
    return gateway.tooLarge(request);
  }
  const invocation = runner.invoke(eventJson, request.requestId);
  if (!invocation) return messageReply(429, 'Too Many Requests');
  const outcome = await invocation;
  if ('error' in outcome) {
    options.err(`${messagePrefix(options)}: ${request.method} ${request.rawPath}: the function failed: ${outcome.error}\n`);
    return gateway.failure(request);
  }
  return gateway.toReply(request, outcome.result);
}

/** The body, or undefined past the payload limit (the rest is read and dropped so the client gets the 413). */
function readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size <= MAX_BODY_BYTES ? Buffer.concat(chunks) : undefined));
    req.on('error', reject);
  });
}

/** Writes `reply`; a reply the front door would reject becomes its failure reply. */
function write(res: http.ServerResponse, request: LocalRequest, reply: GatewayReply, gateway: GatewayEmulator | undefined,
  options: ServeOptions): void {
  const head = request.method === 'HEAD';
  // No body, and so no Content-Length, for 1xx, 204 and 304; a HEAD reply keeps the app's Content-Length.
  const bodyless = reply.statusCode < 200 || reply.statusCode === 204 || reply.statusCode === 304;
  const headers: string[] = [];
  for (const [name, value] of reply.headers) {
    const lower = name.toLowerCase();
    if (CONNECTION_HEADERS.has(lower) || (lower === 'content-length' && !head)) continue;
    // Header values travel as UTF-8 bytes; Node writes a string's code units as latin-1.
    headers.push(name, Buffer.from(value, 'utf8').toString('latin1'));
  }
  if (!head && !bodyless) headers.push('Content-Length', String(reply.body.length));
  try {
    res.writeHead(reply.statusCode, headers);
  } catch (error) {
    if (!gateway) throw error; // the domain's own 403 is always valid
    options.err(`${messagePrefix(options)}: ${request.method} ${request.rawPath}: the front door would reject this response: ${(error as Error).message}\n`);
    write(res, request, gateway.failure(request), gateway, options);
    return;
  }
  res.end(head || bodyless ? undefined : reply.body);
}

function messagePrefix(options: ServeOptions): string {
  return options.name ?? 'cdk-wsgi serve';
}

function listenError(error: NodeJS.ErrnoException, options: ServeOptions): Error {
  if (error.code === 'EADDRINUSE') {
    return new Error(`port ${options.port} on ${options.host} is in use; pick another with --port (0 picks a free one)`);
  }
  return new Error(`cannot listen on ${options.host}:${options.port}: ${error.message}`);
}

/** `GET / 200 (41 ms)`, `GET /x failed: ValueError: …` or `GET /y skipped (prime timeout)`: how one priming request went. */
function describePrimed({ path: primed, status, ms, error, skipped }: PrimedPath): string {
  if (skipped) return `GET ${primed} skipped (prime timeout)`;
  return error === undefined ? `GET ${primed} ${status} (${ms} ms)` : `GET ${primed} failed: ${error}`;
}

function describeChange(files: string[]): string {
  const names = files.map(file => file.split(path.sep).join('/'));
  return names.length <= 3 ? `${names.join(', ')} changed` : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more changed`;
}
