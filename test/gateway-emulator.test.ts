import { localRequest } from './local-request';
import {
  decodePath, forwardedHeaders, headerValue, isObject, matchesMediaTypes, mediaEssence, messageReply, requestTime,
} from '../src/cli/gateway-emulator';

describe('gateway emulator helpers', () => {
  test('forwarded headers drop hop-by-hop ones and the client\'s X-Forwarded-*, then add API Gateway\'s', () => {
    const headers = forwardedHeaders(localRequest({
      headers: [['Connection', 'close'], ['X-Forwarded-For', '203.0.113.9'], ['X-Forwarded-Proto', 'https'], ['Accept', '*/*'], ['Te', 'x']],
    }), ['accept']);
    expect(headers.map(([name]) => name)).toEqual(['X-Amzn-Trace-Id', 'X-Forwarded-For', 'X-Forwarded-Port', 'X-Forwarded-Proto']);
    expect(headerValue(headers, 'x-forwarded-for')).toBe('203.0.113.9, 127.0.0.1');
    expect(headerValue(headers, 'X-Forwarded-Port')).toBe('8000');
    expect(headerValue(headers, 'X-Forwarded-Proto')).toBe('http');
    // the trace ID's first part is the request time in seconds, in hex
    expect(headerValue(headers, 'X-Amzn-Trace-Id')).toMatch(new RegExp(`^Root=1-${(Date.UTC(2026, 0, 2, 3, 4, 5) / 1000).toString(16)}-[0-9a-f]{24}$`));
  });

  test('a header\'s value is its last, matched in any case', () => {
    expect(headerValue([['Accept', 'a'], ['accept', 'b']], 'ACCEPT')).toBe('b');
    expect(headerValue([], 'Accept')).toBeUndefined();
  });

  test('media types match exactly, by type/* or by */*, without parameters or case', () => {
    expect(mediaEssence(' Text/HTML; charset=utf-8')).toBe('text/html');
    expect(matchesMediaTypes(['image/png'], 'IMAGE/PNG; q=1')).toBe(true);
    expect(matchesMediaTypes(['image/*'], 'image/webp')).toBe(true);
    expect(matchesMediaTypes(['*/*'], '')).toBe(true);
    expect(matchesMediaTypes(['image/png'], 'text/plain')).toBe(false);
  });

  test('API Gateway\'s own replies are a JSON message', () => {
    const reply = messageReply(429, 'Too Many Requests', [['X-Extra', '1']]);
    expect(reply).toEqual({
      statusCode: 429,
      headers: [['Content-Type', 'application/json'], ['X-Extra', '1']],
      body: Buffer.from('{"message":"Too Many Requests"}'),
    });
  });

  test('paths are percent-decoded unless the escapes are not UTF-8', () => {
    expect(decodePath('/a%20b/%C3%A9')).toBe('/a b/é');
    expect(decodePath('/bad%FF')).toBe('/bad%FF');
  });

  test('requestTime is API Gateway\'s format, in UTC', () => {
    expect(requestTime(new Date(Date.UTC(2015, 3, 9, 12, 34, 56)))).toBe('09/Apr/2015:12:34:56 +0000');
  });

  test('only a plain object is an object', () => {
    expect([{}, { a: 1 }].map(isObject)).toEqual([true, true]);
    expect([null, [], 'x', 1].map(isObject)).toEqual([false, false, false, false]);
  });
});
