import { invocationLine, parseWorkerMessage, WorkerSettings } from '../src/cli/worker-protocol';

// Mirrored by lib-python/tests/test_serve_protocol.py: the two sides must pin the same literals.
describe('worker protocol', () => {
  test('the settings have fixed names', () => {
    const settings: WorkerSettings = {
      entry: '/app',
      app: 'api:app',
      textMediaTypes: ['image/svg+xml'],
      binaryMediaTypes: null,
      basePaths: { 'api.example.com': 'v1' },
      port: 8000,
      functionName: 'MyStack-App',
      memorySize: 512,
      timeoutSeconds: 29,
    };
    expect(Object.keys(settings).sort()).toEqual([
      'app', 'basePaths', 'binaryMediaTypes', 'entry', 'functionName', 'memorySize', 'port', 'textMediaTypes', 'timeoutSeconds',
    ]);
  });

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
