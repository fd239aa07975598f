import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ADAPTER_RUNTIMES } from '../src/private/adapter-layer-asset';
import { localPython, nativeInterpreter } from '../src/private/bytecode-compiler';
import { pythonVersionOf } from '../src/private/lambda-platform';

/** The mtime the CDK CLI gives every file of a zipped asset, and so every file Lambda extracts. */
const ZIP_EPOCH = new Date('1980-01-01T00:00:00Z');

/** Dates every file under `dir` as the CDK CLI's asset zip does, and so Lambda's /var/task and /opt. */
export function datedAsZipped(dir: string): void {
  for (const file of fs.readdirSync(dir, { recursive: true }).map(String)) {
    fs.utimesSync(path.join(dir, file), ZIP_EPOCH, ZIP_EPOCH);
  }
}

/** The flags word of a .pyc header (PEP 552): 0b11 is hash-based and checked against the source. */
export function pycFlags(file: string): number {
  return fs.readFileSync(file).readUInt32LE(4);
}

/**
 * Runs `code` with `python -v` on `dir` as Lambda would (nothing written next to the code, which is read-only
 * there); returns its stdout and the files under `dir`, relative to it, that code objects came from: a `.pyc`
 * when its bytecode was used, the `.py` when the module was compiled.
 */
export function importFrom(python: string, dir: string, code: string): { stdout: string; loadedFrom: string[] } {
  const run = spawnSync(python, ['-v', '-c', code], {
    cwd: dir,
    env: { PATH: process.env.PATH, PYTHONPATH: dir, PYTHONDONTWRITEBYTECODE: '1' },
    encoding: 'utf-8',
  });
  if (run.status !== 0) {
    throw new Error(`${python} -c ${JSON.stringify(code)} failed (${run.error?.message ?? `exit ${run.status}`}):\n${run.stderr.slice(-2000)}`);
  }
  const loadedFrom = [...run.stderr.matchAll(/^# code object from '?(.+?)'?$/gm)]
    .map(([, file]) => path.relative(dir, file))
    .filter(file => !file.startsWith('..'));
  return { stdout: run.stdout, loadedFrom };
}

/**
 * The runtime the real-bundling tests target: Python 3.13 where this machine has that interpreter, which loads the
 * bundle's bytecode in the tests, else python3's own version, so that bytecode is tested wherever one Python is all
 * there is. (The default runtime, python3.14, is bundled by the quick start and test/bytecode-compiler.test.ts.)
 */
export function bundledRuntime(): lambda.Runtime {
  if (nativeInterpreter('3.13')) return lambda.Runtime.PYTHON_3_13;
  const run = spawnSync(localPython(), ['-c', 'import sys; print("python%d.%d" % sys.version_info[:2])'], { encoding: 'utf-8' });
  const runtime = ADAPTER_RUNTIMES.find(r => r.name === run.stdout.trim());
  if (!runtime) throw new Error(`${localPython()} is not a Python the adapter runs on (${run.stdout.trim() || run.stderr}); install Python 3.11 or newer`);
  return runtime;
}

/** `python3.13` -> `313`, as in `cpython-313` .pyc names and `cp313` wheel tags. */
export function pythonTag(runtime: lambda.Runtime): string {
  return pythonVersionOf(runtime).replace('.', '');
}
