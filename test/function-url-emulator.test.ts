import * as fs from 'fs';
import * as path from 'path';
import { eventOf, localRequest, replyHeader } from './local-request';
import { FunctionUrlEmulator, LOCAL_FUNCTION_URL_DOMAIN } from '../src/cli/function-url-emulator';

// A real function URL event (test/fixtures/events/README.md): what ours may hold, key for key.
const REAL = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'events', 'function-url.json'), 'utf8'));

describe('FunctionUrlEmulator', () => {
  const url = new FunctionUrlEmulator();

  test('no stage: served at /, every path reaches the function', () => {
    expect(url.basePath).toBe('/');
    expect(url.description).toBe('Lambda function URL');
    expect(eventOf(url.toEvent(localRequest({ rawPath: '/prod/x' }))).rawPath).toBe('/prod/x');
    expect(eventOf(url.toEvent(localRequest({ rawPath: '/' }))).rawPath).toBe('/');
  });

  test('payload 2.0 as a function URL sends it: encoded rawPath, decoded http.path, the cookie header kept', () => {
    const event = eventOf(url.toEvent(localRequest({ rawPath: '/a%20b/c' })));
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/a%20b/c',
      rawQueryString: 'literal=a+b&encoded=a%2Bb&repeat=one&repeat=two&empty=',
      cookies: ['session=abc', 'theme=dark'],
      queryStringParameters: { literal: 'a b', encoded: 'a+b', repeat: 'one,two', empty: '' },
      isBase64Encoded: false,
      requestContext: {
        accountId: 'anonymous',
        apiId: 'local',
        domainName: LOCAL_FUNCTION_URL_DOMAIN,
        domainPrefix: 'local',
        http: { method: 'GET', path: '/a b/c', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest' },
        requestId: 'req-1',
        routeKey: '$default',
        stage: '$default',
        time: '02/Jan/2026:03:04:05 +0000',
        timeEpoch: Date.UTC(2026, 0, 2, 3, 4, 5),
      },
    });
    // The adapter tells function URL events from HTTP API ones by this domain.
    expect(LOCAL_FUNCTION_URL_DOMAIN).toContain('.lambda-url.');
    expect(event.headers.cookie).toBe('session=abc; theme=dark');
    expect(event.headers['x-probe']).toBe('first,second,third');
    expect(event.headers.host).toBe('127.0.0.1:8000');
    expect(event.headers.connection).toBeUndefined();
    expect(Object.keys(event.headers).every(name => name === name.toLowerCase())).toBe(true);
    expect(event.body).toBeUndefined();
  });

  test('every key of the event and its requestContext is one a real function URL event has', () => {
    const event = eventOf(url.toEvent(localRequest({ method: 'POST', body: Buffer.from('{"a":1}'), headers: [['Content-Type', 'application/json']] })));
    for (const key of Object.keys(event)) expect(REAL).toHaveProperty([key]);
    for (const key of Object.keys(event.requestContext)) expect(REAL.requestContext).toHaveProperty([key]);
    for (const key of Object.keys(event.requestContext.http)) expect(REAL.requestContext.http).toHaveProperty([key]);
    expect(event).toMatchObject({ body: '{"a":1}', isBase64Encoded: false });
  });

  test('only text, JSON, XML and JavaScript bodies arrive as text; forms and files are base64', () => {
    const body = Buffer.from([0x61, 0x3d, 0xff]);
    const cases: Array<[string | undefined, boolean]> = [
      ['text/plain', false],
      ['application/json; charset=utf-8', false],
      ['application/x-www-form-urlencoded', true],
      ['image/png', true],
      [undefined, true],
    ];
    for (const [contentType, base64] of cases) {
      const headers: Array<[string, string]> = contentType ? [['Content-Type', contentType]] : [];
      const event = eventOf(url.toEvent(localRequest({ method: 'POST', body, headers })));
      expect({ contentType, isBase64Encoded: event.isBase64Encoded }).toEqual({ contentType, isBase64Encoded: base64 });
      if (base64) expect(Buffer.from(event.body, 'base64')).toEqual(body);
    }
  });

  test('responses: headers as given, cookies as Set-Cookie headers, base64 always decoded', () => {
    const reply = url.toReply(localRequest(), {
      statusCode: 201,
      headers: { 'Content-Type': 'application/octet-stream', 'Vary': 'Accept, Cookie' },
      cookies: ['a=1; Path=/', 'b=2'],
      body: Buffer.from([0, 255]).toString('base64'),
      isBase64Encoded: true,
    });
    expect(reply.statusCode).toBe(201);
    expect(replyHeader(reply, 'Set-Cookie')).toEqual(['a=1; Path=/', 'b=2']);
    expect(replyHeader(reply, 'Vary')).toEqual(['Accept, Cookie']);
    expect(replyHeader(reply, 'x-amzn-RequestId')).toEqual(['req-1']);
    expect(reply.body).toEqual(Buffer.from([0, 255]));
  });

  test('a result without statusCode is inferred as Lambda does: 200 with the JSON as body', () => {
    for (const result of ['Hello, world!', { message: 'hi' }, { body: 'no status' }]) {
      const reply = url.toReply(localRequest(), result);
      expect(reply.statusCode).toBe(200);
      expect(replyHeader(reply, 'Content-Type')).toEqual(['application/json']);
      expect(reply.body.toString()).toBe(JSON.stringify(result));
    }
  });

  test('a statusCode that is no integer, a failed function, or a response over 6 MB: 502', () => {
    const oversized = { statusCode: 200, body: 'x'.repeat(6 * 1024 * 1024) };
    for (const reply of [
      url.toReply(localRequest(), { statusCode: 'OK', body: '' }),
      url.toReply(localRequest(), oversized),
      url.failure(localRequest()),
    ]) {
      expect(reply.statusCode).toBe(502);
      expect(reply.body.toString()).toBe('Internal Server Error');
      expect(replyHeader(reply, 'x-amzn-RequestId')).toEqual(['req-1']);
    }
    // Just under the limit, once the envelope is counted, still goes through.
    const fits = { statusCode: 200, body: 'x'.repeat(6 * 1024 * 1024 - 100) };
    expect(url.toReply(localRequest(), fits).statusCode).toBe(200);
  });

  test('a request over 6 MB: Lambda\'s 413', () => {
    const reply = url.tooLarge(localRequest());
    expect(reply.statusCode).toBe(413);
    expect(replyHeader(reply, 'x-amzn-ErrorType')).toEqual(['RequestTooLargeException']);
    expect(JSON.parse(reply.body.toString())).toEqual({ Message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation' });
  });
});
