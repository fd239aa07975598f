import * as fs from 'fs';
import * as path from 'path';
import { eventOf, localRequest, replyHeader } from './local-request';
import { AlbEmulator, LOCAL_TARGET_GROUP_ARN } from '../src/cli/alb-emulator';

// A real event from a target group with multi-value headers (test/fixtures/events/README.md): what ours may hold.
const REAL = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'events', 'alb-multi-value.json'), 'utf8'));
const MB = 1024 * 1024;

describe('AlbEmulator', () => {
  const alb = new AlbEmulator();

  test('no stage: served at /, every path reaches the function; a 1 MB body limit', () => {
    expect(alb.basePath).toBe('/');
    expect(alb.description).toBe('Application Load Balancer');
    expect(alb.maxBodyBytes).toBe(MB);
    expect(eventOf(alb.toEvent(localRequest({ rawPath: '/prod/x' }))).path).toBe('/prod/x');
  });

  test('multi-value event: path and query as sent, header names lowercased, every value kept', () => {
    const event = eventOf(alb.toEvent(localRequest({ rawQuery: 'literal=a+b&encoded=a%2Bb&repeat=one&repeat=two&empty=&flag&&x%20y=1' })));
    expect(event).toEqual({
      requestContext: { elb: { targetGroupArn: LOCAL_TARGET_GROUP_ARN } },
      httpMethod: 'GET',
      path: '/prod/a%20b/c',
      multiValueQueryStringParameters: {
        'literal': ['a+b'],
        'encoded': ['a%2Bb'],
        'repeat': ['one', 'two'],
        'empty': [''],
        'flag': [''],
        'x%20y': ['1'],
      },
      multiValueHeaders: {
        'host': ['127.0.0.1:8000'],
        'user-agent': ['jest'],
        'x-probe': ['first', 'second', 'third'],
        'cookie': ['session=abc; theme=dark'],
        'x-amzn-trace-id': [expect.stringMatching(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/)],
        'x-forwarded-for': ['127.0.0.1'],
        'x-forwarded-port': ['8000'],
        'x-forwarded-proto': ['http'],
      },
      body: '',
      isBase64Encoded: false,
    });
    expect(Object.keys(event).sort()).toEqual(Object.keys(REAL).sort());
  });

  test('no query: an empty map; a parameter named __proto__ stays a parameter', () => {
    expect(eventOf(alb.toEvent(localRequest({ rawQuery: '' }))).multiValueQueryStringParameters).toEqual({});
    const query = eventOf(alb.toEvent(localRequest({ rawQuery: '__proto__=1' }))).multiValueQueryStringParameters;
    expect(Object.keys(query)).toEqual(['__proto__']);
    expect(JSON.stringify(query)).toBe('{"__proto__":["1"]}');
  });

  test('only text, JSON, XML and JavaScript bodies arrive as text, and none with a Content-Encoding', () => {
    const body = Buffer.from([0x61, 0x3d, 0xff]);
    const cases: Array<[Array<[string, string]>, boolean]> = [
      [[['Content-Type', 'text/plain']], false],
      [[['Content-Type', 'application/json; charset=utf-8']], false],
      [[['Content-Type', 'application/xml']], false],
      [[['Content-Type', 'text/plain'], ['Content-Encoding', 'gzip']], true],
      [[['Content-Type', 'application/x-www-form-urlencoded']], true],
      [[['Content-Type', 'image/png']], true],
      [[], true],
    ];
    for (const [headers, base64] of cases) {
      const event = eventOf(alb.toEvent(localRequest({ method: 'POST', body, headers })));
      expect({ headers, isBase64Encoded: event.isBase64Encoded }).toEqual({ headers, isBase64Encoded: base64 });
      expect(Buffer.from(event.body, base64 ? 'base64' : 'utf8')).toEqual(base64 ? body : Buffer.from(body.toString('utf8')));
    }
  });

  test('responses: multiValueHeaders as given, body decoded when isBase64Encoded says so', () => {
    const reply = alb.toReply(localRequest(), {
      statusCode: 201,
      statusDescription: '201 Created',
      multiValueHeaders: { 'Content-Type': ['application/octet-stream'], 'Set-Cookie': ['a=1; Path=/', 'b=2'] },
      body: Buffer.from([0, 255]).toString('base64'),
      isBase64Encoded: true,
    });
    expect(reply).toEqual({
      statusCode: 201,
      headers: [['Content-Type', 'application/octet-stream'], ['Set-Cookie', 'a=1; Path=/'], ['Set-Cookie', 'b=2']],
      body: Buffer.from([0, 255]),
    });
    // Missing fields take their defaults; single-value `headers` mean nothing in multi-value mode.
    expect(alb.toReply(localRequest(), { statusCode: 204, headers: { 'X-Single': 'ignored' } }))
      .toEqual({ statusCode: 204, headers: [], body: Buffer.alloc(0) });
  });

  test.each([
    ['not an object', 'Hello'],
    ['no statusCode', { body: 'hi' }],
    ['a statusCode that is no integer', { statusCode: '200' }],
    ['a null statusDescription', { statusCode: 301, statusDescription: null }],
    ['a statusDescription without the code', { statusCode: 200, statusDescription: 'OK' }],
    ['null multiValueHeaders', { statusCode: 200, multiValueHeaders: null }],
    ['a numeric header value', { statusCode: 200, multiValueHeaders: { 'Content-Length': [2] } }],
    ['a header value that is no list', { statusCode: 200, multiValueHeaders: { 'Content-Type': 'text/plain' } }],
    ['a body that is no string', { statusCode: 200, body: { a: 1 } }],
    ['over 1 MB of JSON', { statusCode: 200, body: 'x'.repeat(MB) }],
  ])('%s: the load balancer\'s own 502 page', (_, result) => {
    const reply = alb.toReply(localRequest(), result);
    expect(reply.statusCode).toBe(502);
    expect(replyHeader(reply, 'Server')).toEqual(['awselb/2.0']);
    expect(replyHeader(reply, 'Content-Type')).toEqual(['text/html']);
    expect(reply.body.toString()).toContain('<title>502 Bad Gateway</title>');
  });

  test('a response of exactly 1 MB of JSON still goes through', () => {
    const frame = JSON.stringify({ statusCode: 200, body: '' }).length;
    expect(alb.toReply(localRequest(), { statusCode: 200, body: 'x'.repeat(MB - frame) }).statusCode).toBe(200);
  });

  test('a failed function, and a request body over 1 MB: 502 and 413 pages', () => {
    expect(alb.failure().statusCode).toBe(502);
    const tooLarge = alb.tooLarge();
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.body.toString()).toContain('<h1>413 Request Entity Too Large</h1>');
  });
});
