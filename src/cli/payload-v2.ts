import { forwardedHeaders, GatewayReply, isObject, LocalRequest, mediaEssence, requestTime } from './gateway-emulator';

/*
 * Payload format 2.0, which HTTP APIs and Lambda function URLs both send and both read back, "the same schema"
 * (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads). What differs between the two
 * front doors is passed in: the path as each sends it, the cookie header, and requestContext's identity fields.
 */

// The only request types sent as text; every other body (no Content-Type, forms, files) arrives base64-encoded.
// Function URLs base64-encode "binary" content types the same way (form posts included: LeanerCloud/CUDly#1483).
const TEXT_BODY_TYPES = ['application/json', 'application/xml', 'application/javascript'];

/** How one payload 2.0 front door shapes its events. */
export interface PayloadV2Door {
  /** `rawPath` and `requestContext.http.path` as this front door sends them. */
  readonly rawPath: string;
  readonly httpPath: string;
  /** Whether the Cookie header stays in `headers` besides `cookies` (function URLs), or is moved out (HTTP APIs). */
  readonly keepCookieHeader: boolean;
  /** accountId, apiId, domainName, domainPrefix and stage. */
  readonly context: {
    readonly accountId: string;
    readonly apiId: string;
    readonly domainName: string;
    readonly domainPrefix: string;
    readonly stage: string;
  };
}

/** The payload 2.0 event for `request`: names lowercased, repeats joined by a bare comma, cookies split out. */
export function payloadV2Event(request: LocalRequest, door: PayloadV2Door): object {
  const headers = new Map<string, string>();
  const cookies: string[] = [];
  for (const [name, value] of forwardedHeaders(request)) {
    const lower = name.toLowerCase();
    if (lower === 'cookie') {
      cookies.push(...value.split(';').map(cookie => cookie.trim()).filter(cookie => cookie !== ''));
      if (!door.keepCookieHeader) continue;
    }
    headers.set(lower, headers.has(lower) ? `${headers.get(lower)},${value}` : value);
  }
  const query = new Map<string, string>();
  for (const [key, value] of new URLSearchParams(request.rawQuery)) {
    query.set(key, query.has(key) ? `${query.get(key)},${value}` : value);
  }
  const contentType = mediaEssence(headers.get('content-type') ?? '');
  const binary = !(contentType.startsWith('text/') || TEXT_BODY_TYPES.includes(contentType));
  const hasBody = request.body.length > 0;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: door.rawPath,
    rawQueryString: request.rawQuery,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers: Object.fromEntries(headers),
    ...(query.size > 0 ? { queryStringParameters: Object.fromEntries(query) } : {}),
    requestContext: {
      ...door.context,
      http: {
        method: request.method,
        path: door.httpPath,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp,
        userAgent: headers.get('user-agent') ?? '',
      },
      requestId: request.requestId,
      routeKey: '$default',
      time: requestTime(request.time),
      timeEpoch: request.time.getTime(),
    },
    ...(hasBody ? { body: request.body.toString(binary ? 'base64' : 'utf8') } : {}),
    isBase64Encoded: hasBody && binary,
  };
}

/**
 * The reply for a payload 2.0 result with a `statusCode`: its headers, each of `cookies` as its own Set-Cookie, and
 * the body, base64-decoded whenever `isBase64Encoded` says so (no media-type negotiation). Undefined when the
 * statusCode is not an integer: the front door answers as for a failed function.
 */
export function payloadV2Reply(result: Record<string, unknown>, extraHeaders: Array<[string, string]>): GatewayReply | undefined {
  if (!Number.isInteger(result.statusCode)) return undefined;
  const headers: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(isObject(result.headers) ? result.headers : {})) {
    headers.push([name, String(value)]);
  }
  for (const cookie of Array.isArray(result.cookies) ? result.cookies : []) {
    headers.push(['Set-Cookie', String(cookie)]);
  }
  headers.push(...extraHeaders);
  const body = typeof result.body === 'string' ? result.body : '';
  return {
    statusCode: result.statusCode as number,
    headers,
    body: Buffer.from(body, result.isBase64Encoded === true ? 'base64' : 'utf8'),
  };
}
