import * as fs from 'fs';
import * as path from 'path';

/**
 * The interpreter that has the app's dependencies, for running the app on this machine (`cdk-wsgi serve`, Django's
 * `collectstatic` at synth): CDK_WSGI_PYTHON, else the project's virtualenv `./.venv`, else `python3` on PATH.
 */
export function projectPython(): string {
  const venv = process.platform === 'win32' ? path.join('.venv', 'Scripts', 'python.exe') : path.join('.venv', 'bin', 'python');
  return process.env.CDK_WSGI_PYTHON || (fs.existsSync(venv) ? path.resolve(venv) : 'python3');
}
