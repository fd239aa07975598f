import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The adapter's sources; resolved from the compiled file so one path serves npm and PyPI installs alike. */
export const ADAPTER_PACKAGE_DIR = path.join(__dirname, '..', '..', 'lib-python', 'src', 'cdk_wsgi_adapter');

const NOT_SHIPPED = /(^|[\\/])__pycache__([\\/]|$)|\.py[co]$/;

/**
 * A folder laid out as a Python Lambda layer: `python/cdk_wsgi_adapter/...`, which Lambda extracts to
 * /opt/python, a directory on the runtime's `sys.path`.
 *
 * The adapter is pure Python with no dependencies, so a plain copy replaces Docker bundling, and it works
 * even when bundling is skipped. The asset hash covers names and contents only, so it is reproducible.
 */
export function adapterLayerDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-layer-'));
  fs.cpSync(ADAPTER_PACKAGE_DIR, path.join(dir, 'python', 'cdk_wsgi_adapter'), {
    recursive: true,
    filter: src => !NOT_SHIPPED.test(path.relative(ADAPTER_PACKAGE_DIR, src)),
  });
  return dir;
}
