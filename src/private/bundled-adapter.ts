import * as fs from 'fs';
import * as path from 'path';
import { Annotations } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** The adapter's project on PyPI, in any spelling PEP 503 takes as the same name: cdk-wsgi-adapter, cdk_wsgi.adapter, … */
const ADAPTER_REQUIREMENT = /^\s*cdk[-_.]+wsgi[-_.]+adapter\s*(?:[[<>=!~;@\s]|$)/im;

/**
 * Warns when the app's requirements.txt lists cdk-wsgi-adapter (the PyPI copy, meant for the app's tests and editor):
 * Lambda puts /var/task before the layers on sys.path, so a bundled copy would replace the adapter this cdk-wsgi
 * configures. Lock files are not read: their development groups, where it belongs, are not bundled.
 */
export function warnOnBundledAdapter(scope: Construct, entry: string): void {
  const file = path.join(entry, 'requirements.txt');
  if (!fs.existsSync(file)) return;
  const requirements = fs.readFileSync(file, 'utf-8').replace(/(^|\s)#.*$/gm, '');
  if (ADAPTER_REQUIREMENT.test(requirements)) {
    Annotations.of(scope).addWarningV2('cdk-wsgi:adapterInRequirements',
      `${file} lists cdk-wsgi-adapter, which the function's bundle would then carry in place of the adapter layer `
      + '(Lambda imports /var/task first); list it with your development requirements instead, where tests and editors find it.');
  }
}
