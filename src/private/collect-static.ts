import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Annotations, Stage, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { projectPython } from '../shared/project-python';
import { propError } from '../shared/prop-error';
import { DjangoStaticFilesOptions } from '../types';
import { ADAPTER_PACKAGE_DIR } from './adapter-layer-asset';

/** Runs a Django app's collectstatic into a build folder (the script says how). Shipped in the npm package. */
const COLLECT_STATIC_SCRIPT = path.join(__dirname, '..', '..', 'lib-python', 'bundling', 'collect_static.py');

/** The adapter's sources, on the path as the layer puts them on Lambda's: an app may import cdk_wsgi_adapter. */
const ADAPTER_SOURCES = path.dirname(ADAPTER_PACKAGE_DIR);

/** A settings import and collectstatic take seconds; a synth must not hang on an app that waits for input. */
const TIMEOUT_MS = 5 * 60 * 1000;

/** Exit status of the script for settings StaticFiles.django() cannot serve; its stderr says why and how to fix it. */
const SETTINGS_ERROR = 2;

/** Exit status of the script when the interpreter cannot import Django. */
const NO_DJANGO = 3;

/** The app whose static files are collected. */
export interface DjangoApp {
  /** The app's folder, absolute. */
  readonly entry: string;
  /** The module the function imports, e.g. `mysite.wsgi`. */
  readonly moduleName: string;
  /** The function's environment variables; those known at synth are set for collectstatic. */
  readonly environment?: { [name: string]: string };
}

/** What collectstatic gave: the folder to upload and the app's STATIC_URL. */
export interface CollectedStatic {
  readonly directory: string;
  readonly staticUrl: string;
}

/**
 * Collects the app's static files into a folder of the cloud assembly, one per construct, cleared first: what is
 * uploaded is what this synth collected. A failure fails the synth with collectstatic's own output, before any asset
 * exists to upload.
 */
export function collectDjangoStatic(scope: Construct, app: DjangoApp, options: DjangoStaticFilesOptions): CollectedStatic {
  // Absolute: the CDK CLI gives the app a relative outdir (cdk.out), and the script runs in the app's folder.
  const build = path.resolve(Stage.of(scope)!.outdir, 'cdk-wsgi-static', scope.node.addr);
  fs.rmSync(build, { recursive: true, force: true });
  fs.mkdirSync(build, { recursive: true });
  const result = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-collectstatic-')), 'result.json');
  const python = projectPython();
  try {
    const run = spawnSync(python, [COLLECT_STATIC_SCRIPT, app.entry, app.moduleName, build, result], {
      cwd: app.entry,
      encoding: 'utf-8',
      timeout: TIMEOUT_MS,
      maxBuffer: 64 * 1024 * 1024,
      env: collectEnv(app, options),
    });
    if (run.error) {
      const timedOut = (run.error as NodeJS.ErrnoException).code === 'ETIMEDOUT';
      throw propError('staticFiles.django', timedOut ? 'runs collectstatic, which did not finish within 5 minutes'
        : `runs collectstatic in ${python}, which could not start (${run.error.message})`, python,
      'install Python 3 with the app\'s requirements, or point CDK_WSGI_PYTHON at the interpreter that has them');
    }
    if (run.status === NO_DJANGO) {
      throw propError('staticFiles.django', "runs collectstatic in the app's interpreter, which cannot import django", python,
        "install the app's requirements into it (pip install -r requirements.txt), or point CDK_WSGI_PYTHON at the interpreter that has them");
    }
    if (run.status === SETTINGS_ERROR) {
      throw propError('staticFiles.django', 'needs settings whose static files the distribution can serve', app.moduleName, run.stderr.trim());
    }
    if (run.status !== 0) {
      throw new Error(`${propError('staticFiles.django', 'runs collectstatic, which failed', `exit status ${run.status ?? run.signal}`,
        `fix what it reported, then synth again (${python} collect_static.py in ${app.entry}):`).message}\n${quote(run.stdout + run.stderr)}`);
    }
    const summary = JSON.parse(fs.readFileSync(result, 'utf-8')) as { staticUrl: string; strays: string[] };
    if (summary.strays.length > 0) {
      const shown = summary.strays.slice(0, 3).join(', ') + (summary.strays.length > 3 ? ', …' : '');
      Annotations.of(scope).addWarningV2('cdk-wsgi:staticRootInBundle',
        `The app's STATIC_ROOT holds ${summary.strays.length} files besides the manifest (${shown}), which the function's ` +
        'bundle carries; StaticFiles.django() collects into the cloud assembly, so delete them.');
    }
    return { directory: build, staticUrl: summary.staticUrl };
  } finally {
    fs.rmSync(path.dirname(result), { recursive: true, force: true });
  }
}

/**
 * This process's environment, then the function's variables known at synth, then what the script needs: no bytecode
 * written into the app's folder, and the settings module when given.
 */
function collectEnv(app: DjangoApp, options: DjangoStaticFilesOptions): NodeJS.ProcessEnv {
  const known = Object.entries(app.environment ?? {}).filter(([, value]) => !Token.isUnresolved(value));
  return {
    ...process.env,
    ...Object.fromEntries(known),
    PYTHONDONTWRITEBYTECODE: '1',
    PYTHONPATH: [ADAPTER_SOURCES, process.env.PYTHONPATH].filter(Boolean).join(path.delimiter),
    ...(options.settingsModule ? { DJANGO_SETTINGS_MODULE: options.settingsModule } : {}),
  };
}

/** The tool's output, indented under the error's first line, its last 60 lines when longer. */
function quote(output: string): string {
  const lines = output.trimEnd().split('\n');
  const shown = lines.length > 60 ? ['…', ...lines.slice(-60)] : lines;
  return shown.map(line => `  | ${line}`).join('\n');
}
