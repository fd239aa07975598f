import { propError } from '../src/shared/prop-error';

describe('propError', () => {
  test('names the prop and the rule, shows the value and says the fix', () => {
    expect(propError('customDomain.basePath', "must not start or end with '/'", '/v1', "use 'v1'").message)
      .toBe("customDomain.basePath must not start or end with '/', got '/v1'; use 'v1'");
    expect(propError('warmUp.concurrency', 'must be a whole number from 1 to 100', 101, 'use fewer').message)
      .toBe('warmUp.concurrency must be a whole number from 1 to 100, got 101; use fewer');
    expect(propError('deployTasks', 'must be short', ['a', 2], 'shorten them').message)
      .toBe("deployTasks must be short, got ['a', 2]; shorten them");
  });
});
