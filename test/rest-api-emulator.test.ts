import { eventOf, localRequest, replyHeader } from './local-request';
import { GatewayReply } from '../src/cli/gateway-emulator';
import { RestApiEmulator } from '../src/cli/rest-api-emulator';

describe('RestApiEmulator', () => {
  const rest = new RestApiEmulator('prod', ['*/*']);

  test('paths under the stage become proxy events: stage out of `path`, still encoded, in requestContext.path', () => {
    const event = eventOf(rest.toEvent(localRequest()));
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
      expect(eventOf(rest.toEvent(localRequest({ rawPath })))).toMatchObject({ resource: '/', path: '/', pathParameters: null });
    }
  });

  test('query values are form-decoded, the last one in the single map, all in the multi map', () => {
    const event = eventOf(rest.toEvent(localRequest()));
    expect(event.queryStringParameters).toEqual({ literal: 'a b', encoded: 'a+b', repeat: 'two', empty: '' });
    expect(event.multiValueQueryStringParameters).toEqual({ literal: ['a b'], encoded: ['a+b'], repeat: ['one', 'two'], empty: [''] });
    const bare = eventOf(rest.toEvent(localRequest({ rawQuery: '' })));
    expect(bare.queryStringParameters).toBeNull();
    expect(bare.multiValueQueryStringParameters).toBeNull();
  });

  test('headers keep their spelling, repeats in multiValueHeaders, hop-by-hop dropped, forwarding added', () => {
    const event = eventOf(rest.toEvent(localRequest({ headers: [...localRequest().headers, ['Content-Length', '0'], ['X-Forwarded-For', '203.0.113.9']] })));
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
    const narrow = new RestApiEmulator('prod', ['image/png']);
    const png = eventOf(narrow.toEvent(localRequest({ method: 'POST', body, headers: [['Content-Type', 'image/png']] })));
    expect(png).toMatchObject({ body: body.toString('base64'), isBase64Encoded: true });
    const text = eventOf(narrow.toEvent(localRequest({ method: 'POST', body: Buffer.from('héllo'), headers: [['Content-Type', 'text/plain']] })));
    expect(text).toMatchObject({ body: 'héllo', isBase64Encoded: false });
    // With */* every body is binary, JSON and forms included.
    const json = eventOf(rest.toEvent(localRequest({ method: 'POST', body: Buffer.from('{}'), headers: [['Content-Type', 'application/json']] })));
    expect(json).toMatchObject({ body: Buffer.from('{}').toString('base64'), isBase64Encoded: true });
  });

  test('paths outside the stage get API Gateway\'s 403 without an invocation', () => {
    for (const rawPath of ['/', '/production/x', '/other']) {
      const result = rest.toEvent(localRequest({ rawPath }));
      expect('reply' in result && result.reply.statusCode).toBe(403);
      const reply = (result as { reply: GatewayReply }).reply;
      expect(JSON.parse(reply.body.toString())).toEqual({ message: 'Forbidden' });
      expect(replyHeader(reply, 'x-amzn-ErrorType')).toEqual(['ForbiddenException']);
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
    const reply = rest.toReply(localRequest({ headers: [['Accept', 'image/webp,*/*']] }), result);
    expect(reply.statusCode).toBe(201);
    expect(replyHeader(reply, 'Set-Cookie')).toEqual(['a=1', 'b=2']);
    expect(replyHeader(reply, 'X-Single')).toEqual(['one']);
    expect(replyHeader(reply, 'x-amzn-RequestId')).toEqual(['req-1']);
    expect(reply.body).toEqual(Buffer.from([137, 80, 78, 71]));

    const narrow = new RestApiEmulator('prod', ['image/png']);
    const asText = narrow.toReply(localRequest({ headers: [['Accept', 'text/html,image/png']] }), result);
    expect(asText.body.toString()).toBe(result.body); // the client gets the base64 text, as on AWS
    expect(narrow.toReply(localRequest({ headers: [['Accept', 'image/png']] }), result).body).toEqual(Buffer.from([137, 80, 78, 71]));
  });

  test('a response without Content-Type gets application/json; an invalid one is a 502', () => {
    const reply = rest.toReply(localRequest(), { statusCode: 204, multiValueHeaders: {}, body: '', isBase64Encoded: false });
    expect(replyHeader(reply, 'Content-Type')).toEqual(['application/json']);
    for (const result of [null, 'text', { body: 'no status' }, { statusCode: '200' }]) {
      const failed = rest.toReply(localRequest(), result);
      expect(failed.statusCode).toBe(502);
      expect(JSON.parse(failed.body.toString())).toEqual({ message: 'Internal server error' });
    }
    expect(rest.tooLarge(localRequest()).statusCode).toBe(413);
  });
});
