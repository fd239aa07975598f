import * as lambda from 'aws-cdk-lib/aws-lambda';

/** `python3.13` -> `3.13`. */
export function pythonVersionOf(runtime: lambda.Runtime): string {
  const match = /^python(\d+\.\d+)$/.exec(runtime.name);
  if (!match) {
    throw new Error(`cdk-wsgi local bundling needs a Python runtime, got '${runtime.name}'`);
  }
  return match[1];
}

/** The machine name wheels are tagged with for a Lambda architecture. */
export function machineOf(architecture: lambda.Architecture): 'x86_64' | 'aarch64' {
  return architecture.name === lambda.Architecture.X86_64.name ? 'x86_64' : 'aarch64';
}

/**
 * The platform tags pip may pick for Lambda: manylinux wheels up to the glibc of the runtime's OS
 * (Amazon Linux 2023, glibc 2.34, for python3.12 and newer; Amazon Linux 2, glibc 2.26, before).
 */
export function platformTags(architecture: lambda.Architecture, pythonVersion: string): string[] {
  const arch = machineOf(architecture);
  const minor = Number(pythonVersion.split('.')[1]);
  const maxGlibc = minor >= 12 ? 34 : 26;
  const tags: string[] = [];
  for (let glibc = maxGlibc; glibc >= 17; glibc--) {
    tags.push(`manylinux_2_${glibc}_${arch}`);
  }
  tags.push(`manylinux2014_${arch}`);
  if (arch === 'x86_64') {
    tags.push('manylinux_2_12_x86_64', 'manylinux2010_x86_64', 'manylinux_2_5_x86_64', 'manylinux1_x86_64');
  }
  return tags;
}
