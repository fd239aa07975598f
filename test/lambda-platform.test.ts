import * as lambda from 'aws-cdk-lib/aws-lambda';
import { machineOf, platformTags, pythonVersionOf } from '../src/private/lambda-platform';

describe('Lambda platform', () => {
  test('the CPython version of a Python runtime', () => {
    expect(pythonVersionOf(lambda.Runtime.PYTHON_3_13)).toBe('3.13');
    expect(() => pythonVersionOf(lambda.Runtime.NODEJS_22_X)).toThrow("needs a Python runtime, got 'nodejs22.x'");
  });

  test('wheels are tagged aarch64 for ARM_64 and x86_64 for X86_64', () => {
    expect(machineOf(lambda.Architecture.ARM_64)).toBe('aarch64');
    expect(machineOf(lambda.Architecture.X86_64)).toBe('x86_64');
  });

  test("platform tags stop at the glibc of the runtime's Amazon Linux", () => {
    expect(platformTags(lambda.Architecture.ARM_64, '3.13')).toEqual(expect.arrayContaining(['manylinux_2_34_aarch64', 'manylinux2014_aarch64']));
    expect(platformTags(lambda.Architecture.ARM_64, '3.13')).not.toContain('manylinux_2_35_aarch64');
    expect(platformTags(lambda.Architecture.X86_64, '3.11')).toEqual(expect.arrayContaining(['manylinux_2_26_x86_64', 'manylinux1_x86_64']));
    expect(platformTags(lambda.Architecture.X86_64, '3.11')).not.toContain('manylinux_2_28_x86_64');
  });
});
