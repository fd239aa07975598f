import { decodePath, GatewayEmulator, GatewayReply, isObject, LOCAL_API_ID, LocalRequest } from './gateway-emulator';
import { payloadV2Event, payloadV2Reply } from './payload-v2';

/**
 * The local function URL's domain. Its `.lambda-url.` is how the adapter tells a function URL's events from an HTTP
 * API's (they differ in rawPath's encoding); the app still sees the Host the client sent.
 */
export const LOCAL_FUNCTION_URL_DOMAIN = `${LOCAL_API_ID}.lambda-url.localhost`;

// A BUFFERED function URL invokes synchronously: 6 MB of request and 6 MB of response payload, the JSON envelope
// (and base64's third more) included. https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html,
// https://docs.aws.amazon.com/lambda/latest/dg/config-rs-invoke-furls.html
const MAX_RESPONSE_BYTES = 6 * 1024 * 1024;
const MAX_REQUEST_BYTES = 6 * 1024 * 1024;

/**
 * A Lambda function URL with auth type NONE, as WsgiApi defines it on `live`: payload 2.0 events with the URL's own
 * requestContext (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads). No stage, no
 * routes: every path reaches the function, and the app's SCRIPT_NAME is empty.
 */
export class FunctionUrlEmulator implements GatewayEmulator {
  public readonly basePath = '/';
  public readonly description = 'Lambda function URL';

  public toEvent(request: LocalRequest): { event: object } | { reply: GatewayReply } {
    return {
      event: payloadV2Event(request, {
        // Unlike an HTTP API's, rawPath stays percent-encoded; http.path is decoded (semantics.md §1.4).
        rawPath: request.rawPath,
        httpPath: decodePath(request.rawPath),
        // The Cookie header stays besides the `cookies` array.
        keepCookieHeader: true,
        // routeKey and stage are `$default` placeholders; accountId is "anonymous" with auth type NONE, and apiId
        // and domainPrefix are the URL ID.
        context: {
          accountId: 'anonymous',
          apiId: LOCAL_API_ID,
          domainName: LOCAL_FUNCTION_URL_DOMAIN,
          domainPrefix: LOCAL_API_ID,
          stage: '$default',
        },
      }),
    };
  }

  public toReply(request: LocalRequest, result: unknown): GatewayReply {
    // Past 6 MB Lambda cannot return the response at all, and the URL answers as for a failed function.
    if (Buffer.byteLength(JSON.stringify(result) ?? 'null') > MAX_RESPONSE_BYTES) {
      return this.failure(request);
    }
    const requestId: [string, string] = ['x-amzn-RequestId', request.requestId];
    if (!isObject(result) || !('statusCode' in result)) {
      // "If your function returns valid JSON and doesn't return a statusCode", Lambda answers 200 with that JSON
      // as an application/json body (urls-invocation.html#urls-response-payload).
      return { statusCode: 200, headers: [['Content-Type', 'application/json'], requestId], body: Buffer.from(JSON.stringify(result)) };
    }
    // A statusCode that is no status is a malformed response: 502 (awsdocs/aws-lambda-developer-guide#430).
    return payloadV2Reply(result, [requestId]) ?? this.failure(request);
  }

  public failure(request: LocalRequest): GatewayReply {
    // A function that raised, timed out or answered with a malformed response: 502 with a plain-text message
    // (middyjs/middy#1137 shows the body as function URLs send it).
    return {
      statusCode: 502,
      headers: [['Content-Type', 'application/json'], ['x-amzn-RequestId', request.requestId]],
      body: Buffer.from('Internal Server Error'),
    };
  }

  public tooLarge(request: LocalRequest): GatewayReply {
    // Lambda refuses an Invoke payload over 6 MB with RequestTooLargeException (HTTP 413), which the URL passes on.
    // https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_Errors
    return {
      statusCode: 413,
      headers: [['Content-Type', 'application/json'], ['x-amzn-RequestId', request.requestId], ['x-amzn-ErrorType', 'RequestTooLargeException']],
      body: Buffer.from(JSON.stringify({ Message: `Request must be smaller than ${MAX_REQUEST_BYTES} bytes for the InvokeFunction operation` })),
    };
  }
}
