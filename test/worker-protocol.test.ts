import { invocationLine, parseWorkerMessage } from '../src/contracts/worker-protocol';

// The CLI's side; test/contract-parity.test.ts passes each side's lines through the other.
describe('worker protocol', () => {
  test('an invocation is one line with the request ID and the event', () => {
    expect(invocationLine('req-1', '{"path":"/"}')).toBe('{"requestId":"req-1","event":{"path":"/"}}\n');
  });

  test('the worker says ready, then answers each invocation with a result or an error', () => {
    expect(parseWorkerMessage('{"ready":{}}')).toEqual({ ready: {} });
    expect(parseWorkerMessage('{"ready":{"error":"ImportError: x","hint":"install x"}}'))
      .toEqual({ ready: { error: 'ImportError: x', hint: 'install x' } });
    expect(parseWorkerMessage('{"result":{"statusCode":200}}')).toEqual({ result: { statusCode: 200 } });
    expect(parseWorkerMessage('{"error":"ValueError: boom"}')).toEqual({ error: 'ValueError: boom' });
  });

  test.each(['{}', '[]', 'null', '{"ready":true}', '{"error":1}', 'not json'])('throws on %s', line => {
    expect(() => parseWorkerMessage(line)).toThrow();
  });
});
