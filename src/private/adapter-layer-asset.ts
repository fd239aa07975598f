import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { pythonVersionOf } from './lambda-platform';

/**
 * The Python runtimes the adapter supports and ships bytecode for, oldest first; the last is WsgiApi's default.
 * Lambda's supported Pythons: python3.10 and older are deprecated there
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html).
 */
export const ADAPTER_RUNTIMES: readonly lambda.Runtime[] = [
  lambda.Runtime.PYTHON_3_11,
  lambda.Runtime.PYTHON_3_12,
  lambda.Runtime.PYTHON_3_13,
  lambda.Runtime.PYTHON_3_14,
];

/** The newest of them: WsgiApi's and WsgiAdapterLayer's default runtime. */
export const NEWEST_ADAPTER_RUNTIME = ADAPTER_RUNTIMES[ADAPTER_RUNTIMES.length - 1];

/** The adapter's sources; resolved from the compiled file so one path serves npm and PyPI installs alike. */
export const ADAPTER_PACKAGE_DIR = path.join(__dirname, '..', '..', 'lib-python', 'src', 'cdk_wsgi_adapter');

/**
 * The adapter compiled for each adapter runtime by `.ci/adapter-bytecode` (hash-checked `.pyc` files laid
 * out as `cdk_wsgi_adapter/**\/__pycache__/`), built before tests, synths and packaging, and shipped in the
 * package.
 */
export const ADAPTER_BYTECODE_DIR = path.join(__dirname, '..', '..', 'lib-python', 'bytecode');

/** Byte code written next to the sources by a local run: for whatever interpreter ran, and dated. */
const NOT_SHIPPED = /(^|[\\/])__pycache__([\\/]|$)|\.py[co]$/;

/**
 * A folder laid out as a Python Lambda layer for `runtime`: `python/cdk_wsgi_adapter/...`, which Lambda extracts
 * to /opt/python, a directory on the runtime's `sys.path`.
 *
 * The adapter is pure Python with no dependencies, so a plain copy replaces Docker bundling, and it works
 * even when bundling is skipped. Its precompiled byte code for `runtime` alone comes along: Lambda mounts layers
 * read-only, so without it each cold start would compile every module again, and another version's `.pyc` files
 * would only add to every cold start's download. The asset hash covers names and contents only, so it is
 * reproducible.
 */
export function adapterLayerDir(runtime: lambda.Runtime): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-layer-'));
  const target = path.join(dir, 'python');
  fs.cpSync(ADAPTER_PACKAGE_DIR, path.join(target, 'cdk_wsgi_adapter'), {
    recursive: true,
    filter: src => !NOT_SHIPPED.test(path.relative(ADAPTER_PACKAGE_DIR, src)),
  });
  if (fs.existsSync(ADAPTER_BYTECODE_DIR)) {
    const ownVersion = `.${cacheTag(runtime)}.pyc`;
    for (const pyc of fs.readdirSync(ADAPTER_BYTECODE_DIR, { recursive: true, encoding: 'utf-8' })) {
      if (!pyc.endsWith(ownVersion)) continue;
      fs.mkdirSync(path.dirname(path.join(target, pyc)), { recursive: true });
      fs.copyFileSync(path.join(ADAPTER_BYTECODE_DIR, pyc), path.join(target, pyc));
    }
  }
  return dir;
}

/** `python3.13` -> `cpython-313`, the tag CPython puts in the names of its `.pyc` files (`sys.implementation.cache_tag`). */
export function cacheTag(runtime: lambda.Runtime): string {
  return `cpython-${pythonVersionOf(runtime).replace('.', '')}`;
}
