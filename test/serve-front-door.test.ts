import { GatewayReply, LocalRequest } from '../src/cli/front-door';
import { HttpFrontDoor } from '../src/cli/http-front-door';
import { RestFrontDoor } from '../src/cli/rest-front-door';

/** A request as the local server hands it over; the shapes below follow semantics.md §1.2, §1.3 and §1.6. */
function request(overrides: Partial<LocalRequest> = {}): LocalRequest {
  return {
    method: 'GET',
    rawPath: '/prod/a%20b/c',
    rawQuery: 'literal=a+b&encoded=a%2Bb&repeat=one&repeat=two&empty=',
    headers: [
      ['Host', '127.0.0.1:8000'],
      ['Connection', 'keep-alive'],
      ['User-Agent', 'jest'],
      ['X-Probe', 'first'],
      ['x-probe', 'second'],
      ['X-Probe', 'third'],
      ['Cookie', 'session=abc; theme=dark'],
    ],
    body: Buffer.alloc(0),
    sourceIp: '127.0.0.1',
    port: 8000,
    requestId: 'req-1',
    time: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
    ...overrides,
  };
}

function eventOf(result: { event: object } | { reply: GatewayReply }): any {
  if (!('event' in result)) throw new Error(`expected an event, got ${result.reply.statusCode}`);
  return result.event;
}

function header(reply: GatewayReply, name: string): string[] {
  return reply.headers.filter(([key]) => key.toLowerCase() === name.toLowerCase()).map(([, value]) => value);
}

describe('REST API front door', () => {
  const rest = new RestFrontDoor('prod', ['*/*']);

  test('paths under the stage become proxy events: stage out of `path`, still encoded, in requestContext.path', () => {
    const event = eventOf(rest.toEvent(request()));
    expect(event).toMatchObject({
      resource: '/{proxy+}',
      path: '/a%20b/c',
      httpMethod: 'GET',
      pathParameters: { proxy: 'a%20b/c' },
      stageVariables: null,
      body: null,
      isBase64Encoded: false,
      requestContext: {
        path: '/prod/a%20b/c',
        stage: 'prod',
        resourcePath: '/{proxy+}',
        requestId: 'req-1',
        requestTime: '02/Jan/2026:03:04:05 +0000',
        requestTimeEpoch: Date.UTC(2026, 0, 2, 3, 4, 5),
        identity: { sourceIp: '127.0.0.1', userAgent: 'jest' },
      },
    });
    // The adapter puts the stage into SCRIPT_NAME only on an execute-api host.
    expect(event.requestContext.domainName).toContain('.execute-api.');
  });

  test('the stage root is the `/` resource with no path parameters', () => {
    for (const rawPath of ['/prod', '/prod/']) {
      expect(eventOf(rest.toEvent(request({ rawPath })))).toMatchObject({ resource: '/', path: '/', pathParameters: null });
    }
  });

  test('query values are form-decoded, the last one in the single map, all in the multi map', () => {
    const event = eventOf(rest.toEvent(request()));
    expect(event.queryStringParameters).toEqual({ literal: 'a b', encoded: 'a+b', repeat: 'two', empty: '' });
    expect(event.multiValueQueryStringParameters).toEqual({ literal: ['a b'], encoded: ['a+b'], repeat: ['one', 'two'], empty: [''] });
    const bare = eventOf(rest.toEvent(request({ rawQuery: '' })));
    expect(bare.queryStringParameters).toBeNull();
    expect(bare.multiValueQueryStringParameters).toBeNull();
  });

  test('headers keep their spelling, repeats in multiValueHeaders, hop-by-hop dropped, forwarding added', () => {
    const event = eventOf(rest.toEvent(request({ headers: [...request().headers, ['Content-Length', '0'], ['X-Forwarded-For', '203.0.113.9']] })));
    expect(event.multiValueHeaders['X-Probe']).toEqual(['first', 'third']);
    expect(event.multiValueHeaders['x-probe']).toEqual(['second']);
    expect(event.headers['X-Probe']).toBe('third');
    expect(event.headers.Cookie).toBe('session=abc; theme=dark');
    expect(event.headers.Connection).toBeUndefined();
    expect(event.headers['Content-Length']).toBeUndefined(); // REST events carry none
    expect(event.headers['X-Forwarded-For']).toBe('203.0.113.9, 127.0.0.1');
    expect(event.headers['X-Forwarded-Proto']).toBe('http');
    expect(event.headers['X-Forwarded-Port']).toBe('8000');
    expect(event.headers['X-Amzn-Trace-Id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
  });

  test('bodies of a binary media type arrive base64-encoded, others as text', () => {
    const body = Buffer.from([0, 1, 2, 250, 255]);
    const narrow = new RestFrontDoor('prod', ['image/png']);
    const png = eventOf(narrow.toEvent(request({ method: 'POST', body, headers: [['Content-Type', 'image/png']] })));
    expect(png).toMatchObject({ body: body.toString('base64'), isBase64Encoded: true });
    const text = eventOf(narrow.toEvent(request({ method: 'POST', body: Buffer.from('héllo'), headers: [['Content-Type', 'text/plain']] })));
    expect(text).toMatchObject({ body: 'héllo', isBase64Encoded: false });
    // With */* every body is binary, JSON and forms included.
    const json = eventOf(rest.toEvent(request({ method: 'POST', body: Buffer.from('{}'), headers: [['Content-Type', 'application/json']] })));
    expect(json).toMatchObject({ body: Buffer.from('{}').toString('base64'), isBase64Encoded: true });
  });

  test('paths outside the stage get API Gateway\'s 403 without an invocation', () => {
    for (const rawPath of ['/', '/production/x', '/other']) {
      const result = rest.toEvent(request({ rawPath }));
      expect('reply' in result && result.reply.statusCode).toBe(403);
      const reply = (result as { reply: GatewayReply }).reply;
      expect(JSON.parse(reply.body.toString())).toEqual({ message: 'Forbidden' });
      expect(header(reply, 'x-amzn-ErrorType')).toEqual(['ForbiddenException']);
    }
  });

  test('responses merge headers and multiValueHeaders and decode base64 when the first Accept type is binary', () => {
    const result = {
      statusCode: 201,
      headers: { 'X-Single': 'one', 'Set-Cookie': 'ignored=1' },
      multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'], 'Content-Type': ['image/png'] },
      body: Buffer.from([137, 80, 78, 71]).toString('base64'),
      isBase64Encoded: true,
    };
    const reply = rest.toReply(request({ headers: [['Accept', 'image/webp,*/*']] }), result);
    expect(reply.statusCode).toBe(201);
    expect(header(reply, 'Set-Cookie')).toEqual(['a=1', 'b=2']);
    expect(header(reply, 'X-Single')).toEqual(['one']);
    expect(header(reply, 'x-amzn-RequestId')).toEqual(['req-1']);
    expect(reply.body).toEqual(Buffer.from([137, 80, 78, 71]));

    const narrow = new RestFrontDoor('prod', ['image/png']);
    const asText = narrow.toReply(request({ headers: [['Accept', 'text/html,image/png']] }), result);
    expect(asText.body.toString()).toBe(result.body); // the client gets the base64 text, as on AWS
    expect(narrow.toReply(request({ headers: [['Accept', 'image/png']] }), result).body).toEqual(Buffer.from([137, 80, 78, 71]));
  });

  test('a response without Content-Type gets application/json; an invalid one is a 502', () => {
    const reply = rest.toReply(request(), { statusCode: 204, multiValueHeaders: {}, body: '', isBase64Encoded: false });
    expect(header(reply, 'Content-Type')).toEqual(['application/json']);
    for (const result of [null, 'text', { body: 'no status' }, { statusCode: '200' }]) {
      const failed = rest.toReply(request(), result);
      expect(failed.statusCode).toBe(502);
      expect(JSON.parse(failed.body.toString())).toEqual({ message: 'Internal server error' });
    }
    expect(rest.tooLarge(request()).statusCode).toBe(413);
  });
});

describe('HTTP API front door', () => {
  const http = new HttpFrontDoor('$default');

  test('payload 2.0: decoded rawPath, raw query, lowercased comma-joined headers, cookies split out', () => {
    const event = eventOf(http.toEvent(request({ rawPath: '/a%20b/c' })));
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
    const bare = eventOf(http.toEvent(request({ rawQuery: '', headers: [] })));
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
      const event = eventOf(http.toEvent(request({ method: 'POST', body, headers })));
      expect({ contentType, body: event.body, isBase64Encoded: event.isBase64Encoded })
        .toEqual({ contentType, body: base64 ? body.toString('base64') : 'a=1&b=2', isBase64Encoded: base64 });
    }
  });

  test('a named stage stays in rawPath; other paths get a 404', () => {
    const dev = new HttpFrontDoor('dev');
    expect(dev.basePath).toBe('/dev/');
    expect(eventOf(dev.toEvent(request({ rawPath: '/dev/x' }))).rawPath).toBe('/dev/x');
    const missed = dev.toEvent(request({ rawPath: '/x' }));
    expect('reply' in missed && missed.reply.statusCode).toBe(404);
    expect(JSON.parse((missed as { reply: GatewayReply }).reply.body.toString())).toEqual({ message: 'Not Found' });
  });

  test('responses: cookies become Set-Cookie headers, base64 is always decoded, invalid results are a 500', () => {
    const reply = http.toReply(request(), {
      statusCode: 200,
      headers: { 'Content-Type': 'application/octet-stream', 'X-Repeated': 'a, b' },
      cookies: ['a=1; Path=/', 'b=2'],
      body: Buffer.from([0, 255]).toString('base64'),
      isBase64Encoded: true,
    });
    expect(header(reply, 'Set-Cookie')).toEqual(['a=1; Path=/', 'b=2']);
    expect(header(reply, 'X-Repeated')).toEqual(['a, b']);
    expect(header(reply, 'Apigw-Requestid')).toEqual(['req-1']);
    expect(reply.body).toEqual(Buffer.from([0, 255]));
    const failed = http.toReply(request(), { body: 'no status' });
    expect(failed.statusCode).toBe(500);
    expect(JSON.parse(failed.body.toString())).toEqual({ message: 'Internal Server Error' });
  });
});
