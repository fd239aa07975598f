import { APP_ENTRY } from './helpers';
import { ApiType } from '../src';
import { settingsFromFlags, splitList } from '../src/cli/settings';

describe('settingsFromFlags', () => {
  test("what the flags leave out is WsgiApi's default", () => {
    expect(settingsFromFlags({ entry: APP_ENTRY, module: 'api.app' })).toEqual({
      label: 'api:app',
      entry: APP_ENTRY,
      app: 'api:app',
      apiType: ApiType.REST,
      stageName: 'prod',
      textMediaTypes: [],
      binaryMediaTypes: ['*/*'],
      basePaths: {},
      distribution: false,
      environment: {},
      deployTimeVariables: [],
      timeoutSeconds: 29,
      memorySize: 512,
    });
  });

  test('an HTTP API, in any case, has the $default stage and no binary media types', () => {
    for (const apiType of ['http', 'HTTP']) {
      expect(settingsFromFlags({ entry: APP_ENTRY, module: 'api:app', apiType }))
        .toMatchObject({ apiType: ApiType.HTTP, stageName: '$default', binaryMediaTypes: undefined });
    }
  });

  test('a function URL, as function-url or function_url: the $default stage, no binary media types', () => {
    for (const apiType of ['function-url', 'FUNCTION_URL']) {
      expect(settingsFromFlags({ entry: APP_ENTRY, module: 'api:app', apiType }))
        .toMatchObject({ apiType: ApiType.FUNCTION_URL, stageName: '$default', binaryMediaTypes: undefined });
    }
  });

  test('a load balancer, as alb in any case: no stage, no binary media types', () => {
    for (const apiType of ['alb', 'ALB']) {
      expect(settingsFromFlags({ entry: APP_ENTRY, module: 'api:app', apiType }))
        .toMatchObject({ apiType: ApiType.ALB, stageName: '', binaryMediaTypes: undefined });
    }
  });

  test('takes the stage, media types and timeout the flags give', () => {
    expect(settingsFromFlags({
      entry: APP_ENTRY, module: 'api.app', stage: 'v1', binaryMediaTypes: 'image/png, application/*', textMediaTypes: 'image/svg+xml', timeout: '2.5',
    })).toMatchObject({ stageName: 'v1', binaryMediaTypes: ['image/png', 'application/*'], textMediaTypes: ['image/svg+xml'], timeoutSeconds: 2.5 });
  });

  test.each([
    [{ apiType: 'websocket' }, "--api-type must be rest, http, function-url or alb, got 'websocket'"],
    [{ apiType: 'http', binaryMediaTypes: '*/*' }, '--binary-media-types applies to REST APIs only; HTTP APIs have'],
    [{ apiType: 'function-url', binaryMediaTypes: '*/*' }, '--binary-media-types applies to REST APIs only; function URLs have'],
    [{ apiType: 'function-url', stage: 'v1' }, '--stage does not apply to a function URL, which has no stages'],
    [{ apiType: 'alb', binaryMediaTypes: '*/*' }, '--binary-media-types applies to REST APIs only; load balancers have'],
    [{ apiType: 'alb', stage: 'v1' }, '--stage does not apply to a load balancer, which has no stages'],
    [{ timeout: '0' }, "--timeout must be a number of seconds from 1 to 900, got '0'"],
    [{ timeout: '901' }, "--timeout must be a number of seconds from 1 to 900, got '901'"],
    [{ timeout: 'soon' }, "--timeout must be a number of seconds from 1 to 900, got 'soon'"],
  ])('throws on %p', (flags, message) => {
    expect(() => settingsFromFlags({ entry: APP_ENTRY, module: 'api.app', ...flags })).toThrow(message);
  });
});

describe('splitList', () => {
  test('splits on commas, trimming and dropping empty items', () => {
    expect(splitList(' a/b, ,c/* ,')).toEqual(['a/b', 'c/*']);
    expect(splitList('')).toEqual([]);
  });
});
