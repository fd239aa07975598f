import * as fs from 'fs';
import * as path from 'path';
import { propError } from './prop-error';
import { DEPENDENCY_FILES } from '../contracts/dependency-files';

const IDENTIFIER = '[A-Za-z_][A-Za-z0-9_]*';
const DOTTED = `${IDENTIFIER}(?:\\.${IDENTIFIER})*`;
// `pkg.module.attr` (the last segment is the callable) or `pkg.module:attr` (attr may be dotted, e.g. `app.wsgi_app`).
const MODULE_SPEC = new RegExp(`^(?:(${DOTTED})\\.(${IDENTIFIER})|(${DOTTED}):(${DOTTED}))$`);

/** Where the user's WSGI callable lives. */
export interface AppSource {
  /**
   * `entry` as an absolute path with symlinks resolved: what every bundler copies and hashes. CDK resolves a
   * relative asset path against the working directory, but aws-cdk-lib's `FileSystem.copyDirectory` rejects one
   * (`GlobIgnoreStrategyExpectsAbsolute`), and a symlinked folder would be fingerprinted as the link, not its files.
   */
  readonly entry: string;
  /** The Python module, e.g. `api` or `mysite.wsgi`. */
  readonly moduleName: string;
  /** The attribute of the module holding the WSGI callable. */
  readonly attribute: string;
  /** The module's file relative to `entry`, e.g. `api.py` or `mysite/wsgi.py`. */
  readonly moduleFile: string;
}

/**
 * Checks `entry` and `module` against the file system and resolves the module's file.
 *
 * The module's file must exist in `entry`: a typo fails the synth, not the first cold start. The handler is the
 * adapter, so the user needs no handler file of their own.
 */
export function resolveAppSource(entry: string, moduleSpec: string): AppSource {
  const absEntry = path.resolve(entry);
  if (!fs.existsSync(absEntry) || !fs.statSync(absEntry).isDirectory()) {
    throw propError('entry', 'must be an existing folder', entry,
      `pass the folder that holds your app and its requirements.txt, absolute or relative to ${process.cwd()} (resolved to ${absEntry})`);
  }
  if (!DEPENDENCY_FILES.some(f => fs.existsSync(path.join(absEntry, f)))) {
    throw propError('entry', `must contain a dependency file (${DEPENDENCY_FILES.join(', ')})`, entry,
      'add a requirements.txt listing your app\'s dependencies (it may be empty)');
  }

  const match = MODULE_SPEC.exec(moduleSpec);
  if (!match) {
    throw propError('module', "must be 'package.module.attr' or 'package.module:attr'", moduleSpec,
      "name the module and its WSGI callable, e.g. 'api.app' for the callable app in api.py");
  }
  const moduleName = match[1] ?? match[3];
  const attribute = match[2] ?? match[4];

  const base = moduleName.split('.').join('/');
  const candidates = [`${base}.py`, `${base}/__init__.py`];
  const moduleFile = candidates.find(f => fs.existsSync(path.join(absEntry, f)));
  if (!moduleFile) {
    throw propError('module', `names a module that is not in entry (looked for ${candidates.join(' and ')} in ${entry})`,
      moduleSpec, 'fix the module path or the entry folder');
  }
  return { entry: fs.realpathSync(absEntry), moduleName, attribute, moduleFile };
}
