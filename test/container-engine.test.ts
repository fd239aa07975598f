import * as path from 'path';
import { FIXTURES } from './helpers';
import { containerEngine, containerEngineAnswers, resetContainerEngineCache } from '../src/private/container-engine';

describe('container engine', () => {
  const saved = process.env.CDK_DOCKER;
  afterEach(() => {
    process.env.CDK_DOCKER = saved;
    if (saved === undefined) delete process.env.CDK_DOCKER;
    resetContainerEngineCache();
  });

  test('is docker unless CDK_DOCKER names another', () => {
    delete process.env.CDK_DOCKER;
    expect(containerEngine()).toBe('docker');
    process.env.CDK_DOCKER = 'finch';
    expect(containerEngine()).toBe('finch');
  });

  test('answers when `$CDK_DOCKER info` exits 0', () => {
    process.env.CDK_DOCKER = 'true'; // answers `true info` with exit 0, like a running engine
    expect(containerEngineAnswers()).toBe(true);
    process.env.CDK_DOCKER = path.join(FIXTURES, 'no-such-engine');
    expect(containerEngineAnswers()).toBe(false);
  });

  test('is asked once per engine', () => {
    process.env.CDK_DOCKER = 'true';
    expect(containerEngineAnswers()).toBe(true);
    process.env.CDK_DOCKER = 'false';
    expect(containerEngineAnswers()).toBe(false);
    process.env.CDK_DOCKER = 'true';
    expect(containerEngineAnswers()).toBe(true);
  });
});
