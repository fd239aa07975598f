import { createHash, createHmac } from 'crypto';
import * as http from 'http';
import * as net from 'net';
import type { Dispatch, Invocation } from './rie';

/*
 * A loopback stand-in for Lambda's Invoke API, asynchronous invocations only (InvocationType Event), that checks each
 * request as Lambda does (the path, the qualifier, the invocation type, the SigV4 signature) and hands the event to an
 * emulator, as Lambda's internal queue hands it to an execution environment. And AWS Signature Version 4, written from
 * the spec, which signs the test's own requests to moto and checks the ones the adapter sends.
 */

/** An access key, its secret, and the session token of temporary credentials. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';

/** SigV4's URI encoding: every byte but RFC 3986's unreserved characters (and `/`, when kept) as %XX. */
function uriEncode(text: string, keepSlash: boolean): string {
  let encoded = '';
  for (const byte of Buffer.from(text, 'utf-8')) {
    const char = String.fromCharCode(byte);
    encoded += /[A-Za-z0-9\-._~]/.test(char) || (keepSlash && char === '/') ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}

/** The canonical query string of a query as sent: each name and value decoded, encoded again, sorted. */
function canonicalQuery(query: string): string {
  const decode = (text: string) => decodeURIComponent(text.replace(/\+/g, ' '));
  return query.split('&').filter(Boolean)
    .map(pair => {
      const [name, value = ''] = pair.split(/=(.*)/s);
      return [uriEncode(decode(name), false), uriEncode(decode(value), false)];
    })
    .sort(([a, x], [b, y]) => a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0)
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

/** What a request's signature covers, with the secret it is computed with. */
interface CanonicalRequest {
  readonly method: string;
  /** As sent: each segment URI-encoded once. */
  readonly path: string;
  /** As sent, without `?`. */
  readonly query: string;
  /** By lowercase name. */
  readonly headers: Record<string, string>;
  /** Lowercase, sorted. */
  readonly signedHeaders: string[];
  readonly body: Buffer;
  /** `YYYYMMDDTHHMMSSZ` */
  readonly amzDate: string;
  readonly region: string;
  readonly service: string;
  readonly secretAccessKey: string;
}

/** A request to sign for `service` in `region`. */
export interface RequestToSign {
  readonly method: string;
  /** As sent: each segment URI-encoded once. */
  readonly path: string;
  /** As sent, without `?`. */
  readonly query?: string;
  /** Host among them. */
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  readonly service: string;
  readonly region: string;
  readonly credentials: AwsCredentials;
}

/** Who must have signed a request, for what. */
export interface ExpectedSigner {
  readonly credentials: AwsCredentials;
  readonly region: string;
  readonly service: string;
}

/**
 * The signature of a request (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html),
 * for services other than S3: the path as sent is URI-encoded once more, segment by segment.
 */
function signature(request: CanonicalRequest): string {
  const canonicalHeaders = request.signedHeaders
    .map(name => `${name}:${request.headers[name].trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonicalRequest = [
    request.method,
    uriEncode(request.path || '/', true),
    canonicalQuery(request.query),
    canonicalHeaders,
    request.signedHeaders.join(';'),
    createHash('sha256').update(request.body).digest('hex'),
  ].join('\n');
  const date = request.amzDate.slice(0, 8);
  const scope = `${date}/${request.region}/${request.service}/aws4_request`;
  const stringToSign = [ALGORITHM, request.amzDate, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
  let key: Buffer = Buffer.from(`AWS4${request.secretAccessKey}`);
  for (const part of [date, request.region, request.service, 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

/**
 * The headers to send for a request to `service` in `region`: `headers` (Host among them) with X-Amz-Date, the session
 * token, and an Authorization signing all of them and the body, as the AWS SDKs send it.
 */
export function signRequest(request: RequestToSign): Record<string, string> {
  const amzDate = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
  const headers: Record<string, string> = { ...request.headers, 'X-Amz-Date': amzDate };
  if (request.credentials.sessionToken) headers['X-Amz-Security-Token'] = request.credentials.sessionToken;
  const lower = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  const signedHeaders = Object.keys(lower).sort();
  const signed = signature({
    ...request, query: request.query ?? '', headers: lower, signedHeaders, amzDate, secretAccessKey: request.credentials.secretAccessKey,
  });
  const scope = `${amzDate.slice(0, 8)}/${request.region}/${request.service}/aws4_request`;
  return {
    ...headers,
    Authorization: `${ALGORITHM} Credential=${request.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signed}`,
  };
}

/**
 * Why AWS would refuse the signature of a request received as `request` with `body`, or undefined when it is valid for
 * `credentials`, `region` and `service`: its Authorization header is checked by signing the request again.
 */
export function signatureProblem(request: http.IncomingMessage, body: Buffer, expected: ExpectedSigner): string | undefined {
  const authorization = request.headers.authorization;
  if (!authorization) return 'no Authorization header';
  const parsed = /^AWS4-HMAC-SHA256 Credential=([^/,]+)\/(\d{8})\/([^/,]+)\/([^/,]+)\/aws4_request, ?SignedHeaders=([a-z0-9\-;]+), ?Signature=([0-9a-f]{64})$/
    .exec(authorization);
  if (!parsed) return `an Authorization header that is not SigV4: ${authorization}`;
  const [, accessKeyId, date, region, service, signedHeaderList, given] = parsed;
  const amzDate = String(request.headers['x-amz-date'] ?? '');
  const signedHeaders = signedHeaderList.split(';');
  const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
  const problems = [
    accessKeyId !== expected.credentials.accessKeyId && `access key ${accessKeyId}, not ${expected.credentials.accessKeyId}`,
    region !== expected.region && `region ${region}, not ${expected.region}`,
    service !== expected.service && `service ${service}, not ${expected.service}`,
    !/^\d{8}T\d{6}Z$/.test(amzDate) && `X-Amz-Date ${amzDate || 'missing'}`,
    amzDate.slice(0, 8) !== date && `a credential scope dated ${date} with X-Amz-Date ${amzDate}`,
    !['host', 'x-amz-date'].every(name => signedHeaders.includes(name)) && `SignedHeaders ${signedHeaderList} without host and x-amz-date`,
    signedHeaders.some(name => headers[name] === undefined) && `SignedHeaders ${signedHeaderList} naming a header not sent`,
    expected.credentials.sessionToken && headers['x-amz-security-token'] !== expected.credentials.sessionToken && 'no session token',
    expected.credentials.sessionToken && !signedHeaders.includes('x-amz-security-token') && 'an unsigned session token',
  ].filter(Boolean);
  if (problems.length) return problems.join('; ');
  const [path, query = ''] = (request.url ?? '/').split(/\?(.*)/s);
  const method = request.method ?? '';
  const secretAccessKey = expected.credentials.secretAccessKey;
  const computed = signature({ method, path, query, headers, signedHeaders, body, amzDate, region, service, secretAccessKey });
  return computed === given ? undefined : 'the request signature we calculated does not match the signature you provided';
}

/** An asynchronous invocation the server accepted, and what its delivery to the function gave. */
export interface AcceptedInvocation {
  /** The request line as received: method, then the path and query as sent. */
  readonly request: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly payload: unknown;
  /** What the server answered in x-amzn-RequestId: the ID of the invocation that runs the event. */
  readonly requestId: string;
  readonly result: Promise<Invocation>;
}

/** A request the server refused, as Lambda would: the status, error type and message it answered. */
export interface RefusedInvocation {
  readonly request: string;
  readonly status: number;
  readonly errorType: string;
  readonly message: string;
}

export interface LambdaInvokeServerOptions {
  /** The one function it knows, by name, and the one qualifier it accepts. */
  readonly functionName: string;
  readonly qualifier: string;
  /** What the requests must be signed with. */
  readonly credentials: AwsCredentials;
  readonly region: string;
  /**
   * Runs an accepted event (Emulator.dispatch): the server answers 202 with the request ID of that run once it has one.
   * Deliveries go one at a time, each after the previous one ended, as an emulator runs them.
   */
  readonly deliver: (payload: unknown) => Dispatch;
}

/** Lambda's limit on an asynchronous invocation's payload (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html). */
const ASYNC_PAYLOAD_LIMIT = 1024 * 1024;

/** Lambda's Invoke API for InvocationType Event, on a free loopback port. */
export class LambdaInvokeServer {
  public static async start(options: LambdaInvokeServerOptions): Promise<LambdaInvokeServer> {
    const server = new LambdaInvokeServer(options);
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.server.listen(0, '127.0.0.1', resolve);
    });
    return server;
  }

  public readonly accepted: AcceptedInvocation[] = [];
  public readonly refused: RefusedInvocation[] = [];
  private readonly server: http.Server;
  /** Settles when the last delivery ended. */
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(private readonly options: LambdaInvokeServerOptions) {
    this.server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', chunk => chunks.push(chunk));
      request.on('end', () => {
        this.answer(request, Buffer.concat(chunks), response).catch(error => {
          this.refuse(request, response, 500, 'ServiceException', String(error));
        });
      });
    });
  }

  /** http://127.0.0.1:PORT: what AWS_ENDPOINT_URL_LAMBDA names. */
  public get url(): string {
    return `http://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  /** Stops listening, and waits for the deliveries under way. */
  public async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise(resolve => this.server.close(resolve));
    await this.tail;
  }

  private async answer(request: http.IncomingMessage, body: Buffer, response: http.ServerResponse): Promise<void> {
    const { functionName, qualifier, credentials, region } = this.options;
    const url = new URL(request.url ?? '/', 'http://localhost');
    const name = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(url.pathname)?.[1];
    if (request.method !== 'POST' || name === undefined) {
      return this.refuse(request, response, 404, 'UnknownOperationException', `no operation ${request.method} ${url.pathname}`);
    }
    const problem = signatureProblem(request, body, { credentials, region, service: 'lambda' });
    if (problem) return this.refuse(request, response, 403, 'InvalidSignatureException', problem);
    const functionArn = `arn:aws:lambda:${region}:123456789012:function:${decodeURIComponent(name)}`;
    const asked = url.searchParams.get('Qualifier');
    if (decodeURIComponent(name) !== functionName || asked !== qualifier) {
      return this.refuse(request, response, 404, 'ResourceNotFoundException', `Function not found: ${functionArn}${asked ? `:${asked}` : ''}`);
    }
    const invocationType = request.headers['x-amz-invocation-type'];
    if (invocationType !== 'Event') {
      return this.refuse(request, response, 400, 'InvalidParameterValueException',
        `this stand-in takes InvocationType Event only, got ${invocationType ?? 'none (RequestResponse)'}`);
    }
    if (body.length > ASYNC_PAYLOAD_LIMIT) {
      return this.refuse(request, response, 413, 'RequestEntityTooLargeException',
        `${body.length} byte payload is too large for the Event invocation type (limit ${ASYNC_PAYLOAD_LIMIT} bytes)`);
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString('utf-8'));
    } catch {
      return this.refuse(request, response, 400, 'InvalidRequestContentException', 'Could not parse request body into json');
    }
    const started = this.tail.then(() => this.options.deliver(payload));
    this.tail = started.then(d => d.result, () => undefined).catch(() => undefined);
    const dispatch = await started;
    const requestId = await dispatch.requestId;
    this.accepted.push({ request: `${request.method} ${request.url}`, headers: request.headers, payload, requestId, result: dispatch.result });
    response.writeHead(202, { 'x-amzn-RequestId': requestId, 'Content-Length': 0 });
    response.end();
  }

  private refuse(request: http.IncomingMessage, response: http.ServerResponse, status: number, errorType: string, message: string): void {
    this.refused.push({ request: `${request.method} ${request.url}`, status, errorType, message });
    const body = JSON.stringify({ Type: 'User', message });
    response.writeHead(status, { 'Content-Type': 'application/json', 'x-amzn-ErrorType': errorType, 'Content-Length': Buffer.byteLength(body) });
    response.end(body);
  }
}
