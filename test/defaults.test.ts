import { ApiType } from '../src';
import * as defaults from '../src/contracts/defaults';

// WsgiApi and `cdk-wsgi serve --entry` share these; the props' @default tags and the README quote them.
describe('defaults', () => {
  test('the function waits as long as API Gateway does, with 512 MiB', () => {
    expect(defaults.MAX_INTEGRATION_TIMEOUT_SECONDS).toBe(29);
    expect(defaults.MAX_FUNCTION_TIMEOUT_SECONDS).toBe(900);
    expect(defaults.DEFAULT_TIMEOUT_SECONDS).toBe(29);
    expect(defaults.DEFAULT_MEMORY_SIZE).toBe(512);
  });

  test('a REST API on stage prod, with every media type binary', () => {
    expect(defaults.DEFAULT_API_TYPE).toBe(ApiType.REST);
    expect(defaults.DEFAULT_STAGE_NAME).toEqual({ REST: 'prod', HTTP: '$default', FUNCTION_URL: '$default', ALB: '' });
    expect(defaults.DEFAULT_BINARY_MEDIA_TYPES).toEqual(['*/*']);
  });

  test('the warm-up keeps one environment warm every 5 minutes', () => {
    expect(defaults.DEFAULT_WARM_UP_INTERVAL_MINUTES).toBe(5);
    expect(defaults.DEFAULT_WARM_UP_CONCURRENCY).toBe(1);
  });

  test('front doors invoke the live alias; provisioned concurrency scales to 70% use', () => {
    expect(defaults.LIVE_ALIAS_NAME).toBe('live');
    expect(defaults.DEFAULT_UTILIZATION_TARGET).toBe(0.7);
  });
});
