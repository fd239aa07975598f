import { randomBytes } from 'crypto';

/** A request as the local server received it: path, query and headers exactly as sent. */
export interface LocalRequest {
  readonly method: string;
  /** The path before any `?`, still percent-encoded. */
  readonly rawPath: string;
  /** The query after `?`, without it. */
  readonly rawQuery: string;
  /** Header name/value pairs in the order and spelling the client used. */
  readonly headers: Array<[string, string]>;
  readonly body: Buffer;
  readonly sourceIp: string;
  /** The local server's port, for X-Forwarded-Port. */
  readonly port: number;
  readonly requestId: string;
  readonly time: Date;
}

/** What goes back to the client. */
export interface GatewayReply {
  readonly statusCode: number;
  readonly headers: Array<[string, string]>;
  readonly body: Buffer;
}

/** An emulated API Gateway API of one type: turns requests into events and function results into replies. */
export interface GatewayEmulator {
  /** The path the app is served under: `/prod/` for a REST stage, `/` on `$default`. */
  readonly basePath: string;
  /** For the startup line, e.g. `REST API, stage prod`. */
  readonly description: string;
  /** A request body limit of the front door's own, below the local server's 10 MB (a load balancer's 1 MB). */
  readonly maxBodyBytes?: number;
  /** The event for `request`, or the reply API Gateway gives itself without invoking the function. */
  toEvent(request: LocalRequest): { event: object } | { reply: GatewayReply };
  /** The reply built from the function's result; an invalid result answers as a failed function. */
  toReply(request: LocalRequest, result: unknown): GatewayReply;
  /** The reply when the function raised, crashed or timed out. */
  failure(request: LocalRequest): GatewayReply;
  /** The reply to a request body over the API's payload limit. */
  tooLarge(request: LocalRequest): GatewayReply;
}

/**
 * An API mapping on a custom domain: requests to `domainName` under `/basePath` reach the API's stage, the base path
 * deciding (https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-mappings.html).
 */
export interface DomainMapping {
  readonly domainName: string;
  /** Without slashes; '' when mapped at the root. */
  readonly basePath: string;
}

/** `/shop` for a mapping at `shop`, '' at the root: the request path's part that selected the API. */
export function mappingPrefix(mapping: DomainMapping): string {
  return mapping.basePath ? `/${mapping.basePath}` : '';
}

/** The execute-api host the adapter recognises, so the stage goes into SCRIPT_NAME as when deployed. */
export const LOCAL_API_ID = 'local';
export const LOCAL_DOMAIN = `${LOCAL_API_ID}.execute-api.localhost`;
export const LOCAL_ACCOUNT = '123456789012';

// Connection-level headers belong to the local hop, not to the request API Gateway forwards.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);

/**
 * The client's headers without hop-by-hop ones (and without `drop`), then the X-Forwarded-* and trace
 * headers API Gateway adds. The proto is `http`, as the app sees the local server's scheme.
 */
export function forwardedHeaders(request: LocalRequest, drop: string[] = []): Array<[string, string]> {
  const forwardedFor: string[] = [];
  const headers: Array<[string, string]> = [];
  for (const [name, value] of request.headers) {
    const lower = name.toLowerCase();
    if (lower === 'x-forwarded-for') {
      forwardedFor.push(value);
    } else if (!HOP_BY_HOP.has(lower) && !drop.includes(lower) && !lower.startsWith('x-forwarded-') && lower !== 'x-amzn-trace-id') {
      headers.push([name, value]);
    }
  }
  const seconds = Math.floor(request.time.getTime() / 1000).toString(16);
  headers.push(
    ['X-Amzn-Trace-Id', `Root=1-${seconds}-${randomBytes(12).toString('hex')}`],
    ['X-Forwarded-For', [...forwardedFor, request.sourceIp].join(', ')],
    ['X-Forwarded-Port', String(request.port)],
    ['X-Forwarded-Proto', 'http'],
  );
  return headers;
}

/** The last value of header `name` (case-insensitive), or undefined. */
export function headerValue(headers: Array<[string, string]>, name: string): string | undefined {
  const lower = name.toLowerCase();
  let found: string | undefined;
  for (const [key, value] of headers) {
    if (key.toLowerCase() === lower) found = value;
  }
  return found;
}

/** `Text/HTML; charset=utf-8` → `text/html`. */
export function mediaEssence(contentType: string): string {
  return contentType.split(';', 1)[0].trim().toLowerCase();
}

/** Whether `contentType` matches a binaryMediaTypes entry: exact, `type/*` or `*\/*`. */
export function matchesMediaTypes(patterns: string[], contentType: string): boolean {
  const essence = mediaEssence(contentType);
  const major = essence.split('/', 1)[0];
  return patterns.some(pattern => {
    const p = pattern.trim().toLowerCase();
    return p === '*/*' || p === essence || p === `${major}/*`;
  });
}

/** A JSON error body the way API Gateway writes its own replies. */
export function messageReply(statusCode: number, message: string, extraHeaders: Array<[string, string]> = []): GatewayReply {
  return {
    statusCode,
    headers: [['Content-Type', 'application/json'], ...extraHeaders],
    body: Buffer.from(JSON.stringify({ message })),
  };
}

/** The path percent-decoded, as HTTP APIs deliver it; left as is when it is not valid UTF-8 escapes. */
export function decodePath(rawPath: string): string {
  try {
    return decodeURIComponent(rawPath);
  } catch {
    return rawPath;
  }
}

/** `09/Apr/2015:12:34:56 +0000`, API Gateway's requestTime. */
export function requestTime(time: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(time.getUTCDate())}/${months[time.getUTCMonth()]}/${time.getUTCFullYear()}:`
    + `${two(time.getUTCHours())}:${two(time.getUTCMinutes())}:${two(time.getUTCSeconds())} +0000`;
}

/** Whether `value` is a plain object (a JSON object). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Pairs grouped by name, values in the order sent: the multi-value maps of REST and ALB events. A Map first, then own
 * properties, so a name such as `__proto__` stays a name.
 */
export function groupValues(pairs: Array<[string, string]>): Record<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const [name, value] of pairs) {
    const values = groups.get(name);
    if (values) {
      values.push(value);
    } else {
      groups.set(name, [value]);
    }
  }
  return Object.fromEntries(groups);
}
