import * as fs from 'fs';
import * as path from 'path';

/**
 * Real AWS events from test/fixtures/events, aimed at a route of the example Flask app: only the request line,
 * body and the headers a test names change; everything else stays as AWS sent it.
 */
const EVENTS = path.join(__dirname, 'fixtures', 'events');

export function sample(file: string): any {
  return JSON.parse(fs.readFileSync(path.join(EVENTS, file), 'utf8'));
}

/** The real REST sample event with the given method, path, query, body and extra headers. */
export function restEvent(method: string, routePath: string, query: Record<string, string[]>, body?: string | Buffer,
  headers: Record<string, string> = {}): object {
  const event = sample('rest-api-aws-proxy.json');
  const single = Object.fromEntries(Object.entries(query).map(([k, v]) => [k, v[v.length - 1]]));
  return {
    ...event,
    httpMethod: method,
    path: routePath,
    pathParameters: routePath === '/' ? null : { proxy: routePath.slice(1) },
    resource: routePath === '/' ? '/' : '/{proxy+}',
    queryStringParameters: Object.keys(query).length ? single : null,
    multiValueQueryStringParameters: Object.keys(query).length ? query : null,
    headers: { ...event.headers, ...headers },
    multiValueHeaders: { ...event.multiValueHeaders, ...Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])) },
    // binaryMediaTypes */* makes API Gateway base64-encode every request body
    body: body === undefined ? null : Buffer.from(body).toString('base64'),
    isBase64Encoded: body !== undefined,
    requestContext: { ...event.requestContext, httpMethod: method, path: `/prod${routePath}` },
  };
}

/** The real HTTP API sample event with the given method, path, text body and cookies. */
export function httpEvent(method: string, routePath: string, body?: string, cookies?: string[]): object {
  const event = sample('http-api.json');
  return {
    ...event,
    rawPath: routePath,
    rawQueryString: '',
    queryStringParameters: undefined,
    cookies,
    headers: { ...event.headers, 'content-type': 'text/plain; charset=utf-8' },
    body,
    isBase64Encoded: false,
    requestContext: { ...event.requestContext, http: { ...event.requestContext.http, method, path: routePath } },
  };
}

/** A real Function URL capture (POST with a JSON body, a query and two cookies) sent to `routePath`. */
export function functionUrlEvent(method: string, routePath: string): object {
  const event = sample('function-url.json');
  return {
    ...event,
    rawPath: routePath,
    requestContext: { ...event.requestContext, http: { ...event.requestContext.http, method, path: routePath } },
  };
}

/** A real ALB target request, single-value (`alb.json`) or multi-value (`alb-multi-value.json`), sent to `routePath`. */
export function albEvent(file: 'alb.json' | 'alb-multi-value.json', routePath: string): object {
  return { ...sample(file), path: routePath };
}
