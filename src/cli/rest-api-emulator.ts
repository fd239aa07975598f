import {
  DomainMapping, forwardedHeaders, GatewayEmulator, GatewayReply, groupValues, headerValue, isObject, LOCAL_ACCOUNT, LOCAL_API_ID,
  LOCAL_DOMAIN, LocalRequest, mappingPrefix, matchesMediaTypes, messageReply, requestTime,
} from './gateway-emulator';

/**
 * A REST API with `ANY /` and `ANY /{proxy+}` on one stage, as WsgiApi defines it: Lambda proxy events
 * (payload 1.0) for paths under `/{stage}`, API Gateway's own 403 for any other path. With `mapping`, the stage is
 * reached through a custom domain's base path instead.
 */
export class RestApiEmulator implements GatewayEmulator {
  public readonly basePath: string;
  public readonly description: string;
  private readonly prefix: string;

  constructor(private readonly stage: string, private readonly binaryMediaTypes: string[], private readonly mapping?: DomainMapping) {
    this.prefix = mapping ? mappingPrefix(mapping) : `/${stage}`;
    this.basePath = `${this.prefix}/`;
    this.description = `REST API, stage ${stage}`;
  }

  public toEvent(request: LocalRequest): { event: object } | { reply: GatewayReply } {
    if (!this.mapping && request.rawPath !== this.prefix && !request.rawPath.startsWith(`${this.prefix}/`)) {
      // No such stage: API Gateway answers before any route is matched.
      return { reply: this.gatewayError(request, 403, 'Forbidden', 'ForbiddenException') };
    }
    // The route matched below the stage or base path; `path` drops the stage but keeps a custom domain's base path,
    // and stays percent-encoded. requestContext.path is the path the client sent.
    const routed = request.rawPath.slice(this.prefix.length) || '/';
    const path = this.mapping ? request.rawPath : routed;
    const resource = routed === '/' ? '/' : '/{proxy+}';
    const domainName = this.mapping?.domainName ?? LOCAL_DOMAIN;
    // REST events carry no Content-Length; the adapter counts the body itself.
    const headerPairs = forwardedHeaders(request, ['content-length']);
    // Query values arrive decoded with form semantics (`+` is a space), in no raw form.
    const query = [...new URLSearchParams(request.rawQuery)];
    const hasQuery = query.length > 0;
    // Bodies whose Content-Type matches binaryMediaTypes arrive base64-encoded; API Gateway takes a
    // missing Content-Type for application/json.
    const binary = matchesMediaTypes(this.binaryMediaTypes, headerValue(request.headers, 'content-type') ?? 'application/json');
    const hasBody = request.body.length > 0;
    return {
      event: {
        resource,
        path,
        httpMethod: request.method,
        headers: Object.fromEntries(headerPairs),
        multiValueHeaders: groupValues(headerPairs),
        queryStringParameters: hasQuery ? Object.fromEntries(query) : null,
        multiValueQueryStringParameters: hasQuery ? groupValues(query) : null,
        pathParameters: routed === '/' ? null : { proxy: routed.slice(1) },
        stageVariables: null,
        requestContext: {
          accountId: LOCAL_ACCOUNT,
          apiId: LOCAL_API_ID,
          domainName,
          domainPrefix: domainName.split('.', 1)[0],
          extendedRequestId: request.requestId,
          httpMethod: request.method,
          identity: { sourceIp: request.sourceIp, userAgent: headerValue(request.headers, 'user-agent') ?? null },
          path: request.rawPath,
          protocol: 'HTTP/1.1',
          requestId: request.requestId,
          requestTime: requestTime(request.time),
          requestTimeEpoch: request.time.getTime(),
          resourceId: LOCAL_API_ID,
          resourcePath: resource,
          stage: this.stage,
        },
        body: hasBody ? request.body.toString(binary ? 'base64' : 'utf8') : null,
        isBase64Encoded: hasBody && binary,
      },
    };
  }

  public toReply(request: LocalRequest, result: unknown): GatewayReply {
    if (!isObject(result) || !Number.isInteger(result.statusCode)) {
      return this.failure(request); // "Malformed Lambda proxy response"
    }
    // Both header maps are merged; multiValueHeaders wins for a name it also holds.
    const multi = isObject(result.multiValueHeaders) ? result.multiValueHeaders : {};
    const single = isObject(result.headers) ? result.headers : {};
    const multiNames = new Set(Object.keys(multi).map(name => name.toLowerCase()));
    const headers: Array<[string, string]> = [];
    for (const [name, value] of Object.entries(single)) {
      if (!multiNames.has(name.toLowerCase())) headers.push([name, String(value)]);
    }
    for (const [name, values] of Object.entries(multi)) {
      for (const value of Array.isArray(values) ? values : [values]) headers.push([name, String(value)]);
    }
    if (headerValue(headers, 'content-type') === undefined) {
      headers.push(['Content-Type', 'application/json']);
    }
    headers.push(['x-amzn-RequestId', request.requestId]);
    const body = typeof result.body === 'string' ? result.body : '';
    // API Gateway decodes base64 only when the client's first Accept type is a binary media type;
    // otherwise the client receives the base64 text itself. `*/*` matches any Accept, or none.
    const accept = (headerValue(request.headers, 'accept') ?? '').split(',', 1)[0];
    const decode = result.isBase64Encoded === true && matchesMediaTypes(this.binaryMediaTypes, accept);
    return { statusCode: result.statusCode as number, headers, body: Buffer.from(body, decode ? 'base64' : 'utf8') };
  }

  public failure(request: LocalRequest): GatewayReply {
    // A function that raises, crashes or runs out of time (within the 29 s integration limit) is a 502.
    return this.gatewayError(request, 502, 'Internal server error', 'InternalServerErrorException');
  }

  public tooLarge(request: LocalRequest): GatewayReply {
    return this.gatewayError(request, 413, 'Request Too Long', 'RequestTooLongException');
  }

  private gatewayError(request: LocalRequest, statusCode: number, message: string, errorType: string): GatewayReply {
    return messageReply(statusCode, message, [['x-amzn-RequestId', request.requestId], ['x-amzn-ErrorType', errorType]]);
  }
}
