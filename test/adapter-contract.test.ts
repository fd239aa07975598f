import * as contract from '../src/private/adapter-contract';

// Mirrored by lib-python/tests/test_config.py: the two sides must pin the same literals.
describe('adapter contract', () => {
  test('environment variable names are fixed', () => {
    expect(contract.ENV_APP).toBe('CDK_WSGI_APP');
    expect(contract.ENV_TEXT_MEDIA_TYPES).toBe('CDK_WSGI_TEXT_MEDIA_TYPES');
    expect(contract.ENV_BINARY_MEDIA_TYPES).toBe('CDK_WSGI_BINARY_MEDIA_TYPES');
    expect(contract.ENV_BASE_PATHS).toBe('CDK_WSGI_BASE_PATHS');
    expect(contract.ENV_SNAP_START).toBe('CDK_WSGI_SNAP_START');
    expect(contract.ENV_PRIME).toBe('CDK_WSGI_PRIME');
    expect(contract.ENV_MANAGEMENT).toBe('CDK_WSGI_MANAGEMENT');
    expect(contract.ENV_PREFIX).toBe('CDK_WSGI_');
  });

  test('the function carries serve metadata under a fixed key', () => {
    expect(contract.METADATA_KEY).toBe('cdk-wsgi');
  });

  test('the handler lives in the adapter package', () => {
    expect(contract.ADAPTER_HANDLER).toBe('cdk_wsgi_adapter.handler');
  });

  test('the warm-up event has a fixed shape', () => {
    expect(contract.WARM_UP_SOURCE).toBe('cdk-wsgi.warm-up');
    expect(JSON.stringify(contract.warmUpEvent(3))).toBe('{"source":"cdk-wsgi.warm-up","concurrency":3}');
  });

  test('management command events have a fixed shape', () => {
    expect(contract.commandEvent('python', 'print(1)')).toEqual({ source: 'cdk-wsgi.command', kind: 'python', code: 'print(1)' });
    expect(contract.commandEvent('shell', 'ls')).toEqual({ source: 'cdk-wsgi.command', kind: 'shell', command: 'ls' });
    expect(contract.commandEvent('manage', ['migrate'])).toEqual({ source: 'cdk-wsgi.command', kind: 'manage', args: ['migrate'] });
    expect(contract.commandEvent('flask', ['routes'])).toEqual({ source: 'cdk-wsgi.command', kind: 'flask', args: ['routes'] });
  });

  test('management commands are accepted through an alias of their own', () => {
    expect(contract.MANAGE_ALIAS_NAME).toBe('manage');
  });

  test('one warm-up event keeps at most 100 environments warm', () => {
    expect(contract.WARM_UP_MAX_CONCURRENCY).toBe(100);
  });
});
