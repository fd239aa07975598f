import {
  decodePath, forwardedHeaders, GatewayEmulator, GatewayReply, isObject, LOCAL_ACCOUNT, LOCAL_API_ID, LOCAL_DOMAIN,
  LocalRequest, mediaEssence, messageReply, requestTime,
} from './gateway-emulator';

// The only request types an HTTP API passes as text; every other body (no Content-Type, forms, files)
// arrives base64-encoded.
const TEXT_BODY_TYPES = ['application/json', 'application/xml', 'application/javascript'];

/**
 * An HTTP API with a `$default` route, as WsgiApi defines it: payload 2.0 events. On a named stage the
 * path starts with the stage, and other paths get API Gateway's own 404.
 */
export class HttpApiEmulator implements GatewayEmulator {
  public readonly basePath: string;
  public readonly description: string;

  constructor(private readonly stage: string) {
    const named = stage !== '$default';
    this.basePath = named ? `/${stage}/` : '/';
    this.description = named ? `HTTP API, stage ${stage}` : 'HTTP API, $default stage';
  }

  public toEvent(request: LocalRequest): { event: object } | { reply: GatewayReply } {
    if (this.stage !== '$default' && request.rawPath !== `/${this.stage}` && !request.rawPath.startsWith(`/${this.stage}/`)) {
      return { reply: this.gatewayError(request, 404, 'Not Found') };
    }
    // Names lowercased, repeats joined by a bare comma, cookies moved out into `cookies`.
    const headers = new Map<string, string>();
    const cookies: string[] = [];
    for (const [name, value] of forwardedHeaders(request)) {
      const lower = name.toLowerCase();
      if (lower === 'cookie') {
        cookies.push(...value.split(';').map(cookie => cookie.trim()).filter(cookie => cookie !== ''));
      } else {
        headers.set(lower, headers.has(lower) ? `${headers.get(lower)},${value}` : value);
      }
    }
    const query = new Map<string, string>();
    for (const [key, value] of new URLSearchParams(request.rawQuery)) {
      query.set(key, query.has(key) ? `${query.get(key)},${value}` : value);
    }
    // rawPath arrives decoded, despite its name, and with the stage.
    const path = decodePath(request.rawPath);
    const contentType = mediaEssence(headers.get('content-type') ?? '');
    const binary = !(contentType.startsWith('text/') || TEXT_BODY_TYPES.includes(contentType));
    const hasBody = request.body.length > 0;
    return {
      event: {
        version: '2.0',
        routeKey: '$default',
        rawPath: path,
        rawQueryString: request.rawQuery,
        ...(cookies.length > 0 ? { cookies } : {}),
        headers: Object.fromEntries(headers),
        ...(query.size > 0 ? { queryStringParameters: Object.fromEntries(query) } : {}),
        requestContext: {
          accountId: LOCAL_ACCOUNT,
          apiId: LOCAL_API_ID,
          domainName: LOCAL_DOMAIN,
          domainPrefix: LOCAL_API_ID,
          http: {
            method: request.method,
            path,
            protocol: 'HTTP/1.1',
            sourceIp: request.sourceIp,
            userAgent: headers.get('user-agent') ?? '',
          },
          requestId: request.requestId,
          routeKey: '$default',
          stage: this.stage,
          time: requestTime(request.time),
          timeEpoch: request.time.getTime(),
        },
        ...(hasBody ? { body: request.body.toString(binary ? 'base64' : 'utf8') } : {}),
        isBase64Encoded: hasBody && binary,
      },
    };
  }

  public toReply(request: LocalRequest, result: unknown): GatewayReply {
    if (!isObject(result) || !Number.isInteger(result.statusCode)) {
      return this.failure(request);
    }
    const headers: Array<[string, string]> = [];
    for (const [name, value] of Object.entries(isObject(result.headers) ? result.headers : {})) {
      headers.push([name, String(value)]);
    }
    // Each entry of `cookies` becomes its own Set-Cookie header.
    for (const cookie of Array.isArray(result.cookies) ? result.cookies : []) {
      headers.push(['Set-Cookie', String(cookie)]);
    }
    headers.push(['Apigw-Requestid', request.requestId]);
    const body = typeof result.body === 'string' ? result.body : '';
    // No media-type negotiation: HTTP APIs always decode a base64 body.
    return {
      statusCode: result.statusCode as number,
      headers,
      body: Buffer.from(body, result.isBase64Encoded === true ? 'base64' : 'utf8'),
    };
  }

  public failure(request: LocalRequest): GatewayReply {
    return this.gatewayError(request, 500, 'Internal Server Error');
  }

  public tooLarge(request: LocalRequest): GatewayReply {
    return this.gatewayError(request, 413, 'Request Entity Too Large');
  }

  private gatewayError(request: LocalRequest, statusCode: number, message: string): GatewayReply {
    return messageReply(statusCode, message, [['Apigw-Requestid', request.requestId]]);
  }
}
