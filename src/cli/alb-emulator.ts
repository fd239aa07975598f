import {
  forwardedHeaders, GatewayEmulator, GatewayReply, groupValues, isObject, LOCAL_ACCOUNT, LocalRequest, mediaEssence,
} from './gateway-emulator';

/** The target group the local load balancer's events name. */
export const LOCAL_TARGET_GROUP_ARN = `arn:aws:elasticloadbalancing:us-east-1:${LOCAL_ACCOUNT}:targetgroup/cdk-wsgi-local/0123456789abcdef`;

// "The maximum size of the request body that you can send to a Lambda function is 1 MB", and of "the response JSON",
// 1 MB too; the adapter counts that MB as 1024 * 1024 bytes (sources/base.py), and so does the emulator.
// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html
export const ALB_MAX_BODY_BYTES = 1024 * 1024;
export const ALB_MAX_RESPONSE_BYTES = 1024 * 1024;

// Sent as is; every other body, a missing Content-Type included, arrives base64-encoded ("Receive events" in the page
// above), as does any body with a Content-Encoding (semantics.md §1.5).
const TEXT_BODY_TYPES = ['application/json', 'application/javascript', 'application/xml'];

/**
 * An Application Load Balancer listener rule forwarding to a Lambda target group with multi-value headers on, as
 * WsgiApi defines it: every header and query parameter arrives as a list, the path and query as the client sent them.
 * No stage: every path reaches the function, and the app's SCRIPT_NAME is empty.
 */
export class AlbEmulator implements GatewayEmulator {
  public readonly basePath = '/';
  public readonly description = 'Application Load Balancer';
  public readonly maxBodyBytes = ALB_MAX_BODY_BYTES;

  public toEvent(request: LocalRequest): { event: object } | { reply: GatewayReply } {
    const headers = groupValues(forwardedHeaders(request).map(([name, value]): [string, string] => [name.toLowerCase(), value]));
    const contentType = mediaEssence(headers['content-type']?.[headers['content-type'].length - 1] ?? '');
    const binary = headers['content-encoding'] !== undefined
      || !(contentType.startsWith('text/') || TEXT_BODY_TYPES.includes(contentType));
    const hasBody = request.body.length > 0;
    return {
      event: {
        requestContext: { elb: { targetGroupArn: LOCAL_TARGET_GROUP_ARN } },
        httpMethod: request.method,
        // Percent-encoded, as sent.
        path: request.rawPath,
        // "If the query parameters are URL-encoded, the load balancer does not decode them": keys and values as sent,
        // `+` included (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html#multi-value-headers).
        multiValueQueryStringParameters: groupValues(queryPairs(request.rawQuery)),
        multiValueHeaders: headers,
        // A real event without a body carries an empty string (test/fixtures/events/alb-multi-value.json).
        body: hasBody ? request.body.toString(binary ? 'base64' : 'utf8') : '',
        isBase64Encoded: hasBody && binary,
      },
    };
  }

  public toReply(_request: LocalRequest, result: unknown): GatewayReply {
    // A result the load balancer cannot send answers as a failed function.
    return albReply(result) ?? this.failure();
  }

  public failure(): GatewayReply {
    // A function that raised, timed out, answered malformed or over 1 MB: "HTTP 502: Bad gateway"
    // (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-troubleshooting.html#http-502-issues).
    return errorPage(502, 'Bad Gateway');
  }

  public tooLarge(): GatewayReply {
    // "HTTP 413: Payload too large. The target is a Lambda function and the request body exceeds 1 MB"
    // (load-balancer-troubleshooting.html#http-413-issues).
    return errorPage(413, 'Request Entity Too Large');
  }
}

/** The client's reply for a Lambda result, or undefined when the load balancer would refuse it with a 502. */
function albReply(result: unknown): GatewayReply | undefined {
  // Over 1 MB of JSON, or without an integer statusCode (Adyen/adyen-commercetools#1249).
  if (Buffer.byteLength(JSON.stringify(result) ?? 'null') > ALB_MAX_RESPONSE_BYTES) return undefined;
  if (!isObject(result) || !Number.isInteger(result.statusCode)) return undefined;
  // A field present but null fails the response, where a missing one takes a default
  // (awsdocs/elb-application-load-balancers-user-guide#33; aws/aws-lambda-dotnet#507, statusDescription null).
  const nullable = ['statusDescription', 'multiValueHeaders', 'headers', 'body', 'isBase64Encoded'];
  if (nullable.some(key => key in result && result[key] === null)) return undefined;
  // "The statusDescription header must contain the status code and reason phrase, separated by a single space" (#507).
  if ('statusDescription' in result && !(typeof result.statusDescription === 'string' && /^\d{3} /.test(result.statusDescription))) {
    return undefined;
  }
  if ('body' in result && typeof result.body !== 'string') return undefined;
  // With multi-value headers on, only multiValueHeaders counts ("You must use multiValueHeaders if you have enabled
  // multi-value headers", lambda-functions.html#multi-value-headers-response). A value that is not a string, such as
  // a numeric Content-Length, is a malformed response (pwrdrvr/lambda-dispatch#52, jeremydaly/lambda-api#117).
  const headers: Array<[string, string]> = [];
  for (const [name, values] of Object.entries(isObject(result.multiValueHeaders) ? result.multiValueHeaders : {})) {
    if (!Array.isArray(values) || !values.every(value => typeof value === 'string')) return undefined;
    for (const value of values) headers.push([name, value]);
  }
  const body = typeof result.body === 'string' ? result.body : '';
  return {
    statusCode: result.statusCode as number,
    headers,
    body: Buffer.from(body, result.isBase64Encoded === true ? 'base64' : 'utf8'),
  };
}

/** The load balancer's own error page, as clients see it (CodeGenieApp/serverless-express#688). */
function errorPage(statusCode: number, reason: string): GatewayReply {
  const title = `${statusCode} ${reason}`;
  return {
    statusCode,
    headers: [['Server', 'awselb/2.0'], ['Content-Type', 'text/html']],
    body: Buffer.from(`<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`),
  };
}

/** `a=1&b&&c=` → a: 1, b: '', c: '' (an empty piece is no parameter), nothing decoded. */
function queryPairs(rawQuery: string): Array<[string, string]> {
  return rawQuery.split('&').filter(piece => piece !== '').map(piece => {
    const at = piece.indexOf('=');
    return at === -1 ? [piece, ''] : [piece.slice(0, at), piece.slice(at + 1)];
  });
}
