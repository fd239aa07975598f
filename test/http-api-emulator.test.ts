import { eventOf, localRequest, replyHeader } from './local-request';
import { GatewayReply } from '../src/cli/gateway-emulator';
import { HttpApiEmulator } from '../src/cli/http-api-emulator';

describe('HttpApiEmulator', () => {
  const http = new HttpApiEmulator('$default');

  test('payload 2.0: decoded rawPath, raw query, lowercased comma-joined headers, cookies split out', () => {
    const event = eventOf(http.toEvent(localRequest({ rawPath: '/a%20b/c' })));
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/a b/c',
      rawQueryString: 'literal=a+b&encoded=a%2Bb&repeat=one&repeat=two&empty=',
      cookies: ['session=abc', 'theme=dark'],
      queryStringParameters: { literal: 'a b', encoded: 'a+b', repeat: 'one,two', empty: '' },
      isBase64Encoded: false,
      requestContext: {
        http: { method: 'GET', path: '/a b/c', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest' },
        stage: '$default',
        routeKey: '$default',
        requestId: 'req-1',
        timeEpoch: Date.UTC(2026, 0, 2, 3, 4, 5),
      },
    });
    expect(event.headers['x-probe']).toBe('first,second,third');
    expect(event.headers.cookie).toBeUndefined();
    expect(event.headers.connection).toBeUndefined();
    expect(event.body).toBeUndefined();
    const bare = eventOf(http.toEvent(localRequest({ rawQuery: '', headers: [] })));
    expect(bare.cookies).toBeUndefined();
    expect(bare.queryStringParameters).toBeUndefined();
  });

  test('only text, JSON, XML and JavaScript bodies arrive as text', () => {
    const body = Buffer.from('a=1&b=2');
    const cases: Array<[string | undefined, boolean]> = [
      ['text/plain; charset=utf-8', false],
      ['application/json', false],
      ['application/xml', false],
      ['application/javascript', false],
      ['application/x-www-form-urlencoded', true],
      ['multipart/form-data; boundary=x', true],
      [undefined, true],
    ];
    for (const [contentType, base64] of cases) {
      const headers: Array<[string, string]> = contentType ? [['Content-Type', contentType]] : [];
      const event = eventOf(http.toEvent(localRequest({ method: 'POST', body, headers })));
      expect({ contentType, body: event.body, isBase64Encoded: event.isBase64Encoded })
        .toEqual({ contentType, body: base64 ? body.toString('base64') : 'a=1&b=2', isBase64Encoded: base64 });
    }
  });

  test('a named stage stays in rawPath; other paths get a 404', () => {
    const dev = new HttpApiEmulator('dev');
    expect(dev.basePath).toBe('/dev/');
    expect(eventOf(dev.toEvent(localRequest({ rawPath: '/dev/x' }))).rawPath).toBe('/dev/x');
    const missed = dev.toEvent(localRequest({ rawPath: '/x' }));
    expect('reply' in missed && missed.reply.statusCode).toBe(404);
    expect(JSON.parse((missed as { reply: GatewayReply }).reply.body.toString())).toEqual({ message: 'Not Found' });
  });

  test('responses: cookies become Set-Cookie headers, base64 is always decoded, invalid results are a 500', () => {
    const reply = http.toReply(localRequest(), {
      statusCode: 200,
      headers: { 'Content-Type': 'application/octet-stream', 'X-Repeated': 'a, b' },
      cookies: ['a=1; Path=/', 'b=2'],
      body: Buffer.from([0, 255]).toString('base64'),
      isBase64Encoded: true,
    });
    expect(replyHeader(reply, 'Set-Cookie')).toEqual(['a=1; Path=/', 'b=2']);
    expect(replyHeader(reply, 'X-Repeated')).toEqual(['a, b']);
    expect(replyHeader(reply, 'Apigw-Requestid')).toEqual(['req-1']);
    expect(reply.body).toEqual(Buffer.from([0, 255]));
    const failed = http.toReply(localRequest(), { body: 'no status' });
    expect(failed.statusCode).toBe(500);
    expect(JSON.parse(failed.body.toString())).toEqual({ message: 'Internal Server Error' });
  });
});
