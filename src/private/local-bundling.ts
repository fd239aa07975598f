import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BundlingOptions, FileSystem, IgnoreMode, ILocalBundling } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { bytecodeCompiler, localPython } from './bytecode-compiler';
import { machineOf, platformTags, pythonVersionOf } from './lambda-platform';
import {
  buildFailedMessage, distFiles, fallbackMatches, missingRequirement, noWheelMessage, notPureMessage, pipEnv,
  pipFailedMessage, PipTarget, projectOf, SdistOnly, stripAnsi, VersionMatches,
} from './pip-errors';
import { DEPENDENCY_FILES, DependencyFile } from '../contracts/dependency-files';

/** What never belongs in a Lambda asset; excluded from both its content and its hash. */
export const DEFAULT_ASSET_EXCLUDES = [
  '.venv', 'venv', '__pycache__', '*.pyc', '.git', 'node_modules', 'cdk.out',
  '.pytest_cache', '.mypy_cache', '.ruff_cache', '.tox', '.DS_Store',
];

/** The target a local bundle is built for. */
export interface LocalBundlingTarget {
  /** The folder of the app. */
  readonly entry: string;
  /** The function's architecture. */
  readonly architecture: lambda.Architecture;
  /** The function's (Python) runtime. */
  readonly runtime: lambda.Runtime;
  /** Glob patterns left out of the asset (content and hash). */
  readonly excludes: string[];
  /** Why local bundling runs, for the bundling line (`no container engine answered 'docker info'`); not hashed. */
  readonly reason?: string;
}

/** How a lock file is turned into a requirements file, with the tool's own exporter. */
const LOCK_EXPORTERS: Record<Exclude<DependencyFile, 'requirements.txt'>, { tool: string; args: (out: string) => string[]; install: string }> = {
  'Pipfile.lock': { tool: 'pipenv', args: () => ['requirements'], install: 'pip install pipenv' },
  'poetry.lock': {
    tool: 'poetry',
    args: out => ['export', '--without-hashes', '--with-credentials', '--format', 'requirements.txt', '--output', out],
    install: 'pipx install poetry && poetry self add poetry-plugin-export',
  },
  'uv.lock': {
    tool: 'uv',
    args: out => ['export', '--frozen', '--no-emit-workspace', '--no-dev', '--no-editable', '--no-hashes', '--output-file', out],
    install: 'pip install uv',
  },
};

/**
 * Bundles a Python app without Docker: copies `entry` (minus the excludes) and installs its dependencies
 * with pip's platform selection, so only wheels for Lambda's architecture and CPython version are taken.
 */
export class LocalPythonBundling implements ILocalBundling {
  private readonly target: LocalBundlingTarget;
  private readonly python: string;

  constructor(target: LocalBundlingTarget) {
    this.target = target;
    this.python = localPython();
  }

  public tryBundle(outputDir: string, _options: BundlingOptions): boolean {
    const { entry, architecture, runtime, excludes } = this.target;
    const pythonVersion = pythonVersionOf(runtime);
    const started = Date.now();
    FileSystem.copyDirectory(entry, outputDir, { exclude: excludes, ignoreMode: IgnoreMode.GLOB });
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-bundling-'));
    try {
      const requirements = this.requirementsFile(work);
      if (requirements) {
        this.pipInstall(requirements, outputDir, work, pythonVersion);
      }
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
    removeMatching(outputDir, name => name === '__pycache__' || name.endsWith('.pyc'));
    const bytecode = this.precompile(outputDir, pythonVersion);
    const relative = path.relative(process.cwd(), entry);
    const what = relative.startsWith('..') || path.isAbsolute(relative) ? entry : relative || '.';
    // One line when all went well (CDK prints plenty around it); a failure throws with the whole story instead.
    process.stderr.write(`cdk-wsgi: bundled ${what} for linux/${machineOf(architecture)} CPython ${pythonVersion} ` +
      `locally with pip${this.target.reason ? ` (${this.target.reason})` : ''} in ${((Date.now() - started) / 1000).toFixed(1)} s, ${bytecode}\n`);
    return true;
  }

  /**
   * Compiles the bundle with an interpreter of the runtime's version (bytecodeCompiler), since bytecode is specific
   * to it. Without one the bundle ships without bytecode, as from a plain pip install.
   * Returns how the bundle ended up, for the bundling line.
   */
  private precompile(outputDir: string, pythonVersion: string): string {
    const compiler = bytecodeCompiler(pythonVersion, this.python);
    if (typeof compiler === 'string') {
      return `without bytecode (so each cold start compiles the modules it imports): ${compiler}`;
    }
    const by = compiler.name.startsWith('CPython') ? ` compiled by ${compiler.name}` : '';
    const result = compiler.compile(outputDir);
    if (result.error || result.status !== 0) {
      const failed = (`${result.stdout ?? ''}`.match(/^\*\*\* Error compiling/gm) ?? []).length;
      if (failed) {
        return `with bytecode${by}, except ${failed} file${failed === 1 ? '' : 's'} that did not compile (Lambda compiles those on import)`;
      }
      const said = stripAnsi(`${result.stderr ?? ''}${result.stdout ?? ''}`).trim().split('\n').pop() || result.error?.message;
      return `without bytecode: ${compiler.name} could not compile it ("${said}")`;
    }
    return `with bytecode${by}`;
  }

  /** The requirements file to install from, exported from a lock file when that is the dependency file. */
  private requirementsFile(work: string): string | undefined {
    const { entry } = this.target;
    const file = DEPENDENCY_FILES.find(f => fs.existsSync(path.join(entry, f)));
    if (!file) {
      return undefined;
    }
    if (file === 'requirements.txt') {
      return path.join(entry, file);
    }
    const exporter = LOCK_EXPORTERS[file];
    const out = path.join(work, 'requirements.txt');
    const result = spawnSync(exporter.tool, exporter.args(out), { cwd: entry, encoding: 'utf-8', env: { ...pipEnv(), PIPENV_VERBOSITY: '-1' } });
    if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`cdk-wsgi local bundling: ${file} in ${entry} needs '${exporter.tool}' to export its dependencies, ` +
        `and '${exporter.tool}' is not on PATH; install it (${exporter.install}), add a requirements.txt, ` +
        'or use bundlingMode BundlingMode.DOCKER');
    }
    check(result, `${exporter.tool} ${exporter.args(out).join(' ')}`);
    if (exporter.tool === 'pipenv') {
      fs.writeFileSync(out, result.stdout);
    }
    return out;
  }

  /**
   * `pip install --target` with the target's platform tags and binary wheels only. When pip finds no file for a
   * requirement, a second pip run for it alone says why (pip-errors.ts); a release with only an sdist for Linux
   * is built here and accepted only when pure Python (`py3-none-any`).
   */
  private pipInstall(requirements: string, outputDir: string, work: string, pythonVersion: string) {
    const target = this.pipTarget(pythonVersion);
    const indexArgs = indexOptions(requirements);
    const wheels = path.join(work, 'wheels');
    fs.mkdirSync(wheels);
    const built = new Set<string>();
    for (;;) {
      const result = this.pip(['install', '--no-compile', '--requirement', requirements, '--target', outputDir, '--upgrade',
        ...target.args, '--find-links', wheels]);
      if (result.status === 0) {
        return;
      }
      const output = stripAnsi(`${result.stdout}${result.stderr}`);
      const missing = missingRequirement(output);
      if (!missing || built.has(missing)) {
        throw new Error(pipFailedMessage('pip install', output, target));
      }
      const why = this.whyNoWheel(missing, indexArgs, output, target, work);
      if (typeof why !== 'object') {
        throw new Error(why ?? pipFailedMessage('pip install', output, target));
      }
      built.add(missing);
      this.buildPureWheel(missing, why, indexArgs, wheels, output, target);
    }
  }

  /**
   * Asks pip, for `requirement` alone and the same target, to list every file it sees and why it skips each
   * (`download -vv`), then says why none fit. Going through pip keeps the user's index, proxies and pip.conf.
   */
  private whyNoWheel(requirement: string, indexArgs: string[], pipOutput: string, target: PipRun, work: string) {
    const dest = fs.mkdtempSync(path.join(work, 'download-'));
    const result = this.pip(['download', '--no-deps', '-vv', '--progress-bar', 'off', '--dest', dest, ...target.args, ...indexArgs, requirement]);
    const diagnosis = stripAnsi(`${result.stdout}${result.stderr}`);
    const files = distFiles(diagnosis, projectOf(requirement));
    const versions = this.matchVersions(requirement, files.map(f => f.version));
    return noWheelMessage(requirement, files, versions, target, pipOutput, diagnosis);
  }

  /**
   * Which versions satisfy `requirement`, newest first, by the rules pip applies (its vendored `packaging`);
   * a cruder order and `==` match when that import fails.
   */
  private matchVersions(requirement: string, versions: string[]): VersionMatches {
    const result = spawnSync(this.python, ['-c', MATCH_VERSIONS, requirement, ...new Set(versions)], { encoding: 'utf-8', env: pipEnv() });
    if (result.error || result.status !== 0) {
      return fallbackMatches(requirement, versions);
    }
    return result.stdout.split('\n').filter(Boolean).map(line => ({ version: line.slice(1), matches: line[0] === '+' }));
  }

  /** Builds `requirement` from its sdist and keeps the wheel only if it is pure Python. */
  private buildPureWheel(requirement: string, sdist: SdistOnly, indexArgs: string[], wheels: string, pipOutput: string, target: PipTarget) {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-sdist-'));
    try {
      // Only this project from source: its build dependencies (setuptools, …) may come as wheels.
      const result = this.pip(['wheel', '--no-deps', '--progress-bar', 'off', '--no-binary', projectOf(requirement),
        '--wheel-dir', scratch, ...indexArgs, requirement]);
      if (result.status !== 0) {
        throw new Error(buildFailedMessage(requirement, sdist, `${result.stdout}${result.stderr}`, target, pipOutput));
      }
      const wheel = fs.readdirSync(scratch).find(f => f.endsWith('.whl'));
      if (!wheel) {
        throw new Error(pipFailedMessage(`pip wheel ${requirement} (it built no wheel)`, `${result.stdout}${result.stderr}`, target));
      }
      if (!/-py3?\d*(\.py\d+)*-none-any\.whl$/.test(wheel)) {
        throw new Error(notPureMessage(requirement, sdist, wheel, target, pipOutput));
      }
      fs.copyFileSync(path.join(scratch, wheel), path.join(wheels, wheel));
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }

  /** The target as pip-errors names it, with the pip arguments that select its wheels (binary only). */
  private pipTarget(pythonVersion: string): PipRun {
    const platforms = platformTags(this.target.architecture, pythonVersion);
    return {
      machine: machineOf(this.target.architecture),
      pythonVersion,
      platforms,
      args: [...platforms.flatMap(tag => ['--platform', tag]), '--implementation', 'cp', '--python-version', pythonVersion,
        '--only-binary=:all:'],
    };
  }

  /** Runs pip in `entry` (relative paths in requirements.txt resolve there), never in colour. */
  private pip(args: string[]): SpawnSyncReturns<string> {
    const result = spawnSync(this.python, ['-m', 'pip', ...args, '--no-color', '--disable-pip-version-check', '--no-input'],
      { cwd: this.target.entry, encoding: 'utf-8', maxBuffer: 256 * 1024 * 1024, env: pipEnv() });
    if (result.error) {
      throw new Error(`cdk-wsgi local bundling could not run '${this.python}' (${result.error.message}); ` +
        'install Python 3 or set CDK_WSGI_PYTHON, or use bundlingMode BundlingMode.DOCKER');
    }
    return result;
  }
}

/** A target with the pip arguments that select its wheels. */
type PipRun = PipTarget & { readonly args: string[] };

/** Prints `+version` / `-version` (satisfies or not), newest first. Runs in the interpreter that runs pip. */
const MATCH_VERSIONS = `import sys
from pip._vendor.packaging.requirements import Requirement
from pip._vendor.packaging.version import InvalidVersion, Version
def parse(v):
    try:
        return Version(v)
    except InvalidVersion:
        return None
versions = sorted(((parse(v), v) for v in sys.argv[2:] if parse(v) is not None), reverse=True)
ok = set(Requirement(sys.argv[1]).specifier.filter([p for p, _ in versions]))
for p, v in versions:
    print(("+" if p in ok else "-") + v)
`;

/**
 * The index options of a requirements file (`--extra-index-url` from a poetry export, say), so that pip runs
 * for one of its requirements look in the same places.
 */
function indexOptions(requirements: string): string[] {
  return fs.readFileSync(requirements, 'utf-8').split('\n')
    .map(line => line.replace(/(^|\s)#.*$/, '').trim())
    .filter(line => /^(-i|--index-url|--extra-index-url|--no-index|-f|--find-links|--trusted-host|--pre)(\s|=|$)/.test(line))
    .flatMap(line => /^(\S+?)(?:[=\s]+(.*))?$/.exec(line)!.slice(1).filter((part): part is string => !!part));
}

function check(result: SpawnSyncReturns<string>, command: string) {
  if (result.error || result.status !== 0) {
    const output = stripAnsi(`${result.stderr ?? ''}${result.stdout ?? ''}`).trim().split('\n').slice(-20).join('\n');
    throw new Error(`cdk-wsgi local bundling: '${command}' failed (${result.error?.message ?? `exit ${result.status}`}):\n${output}`);
  }
}

function removeMatching(dir: string, match: (name: string) => boolean) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (match(entry.name)) {
      fs.rmSync(full, { recursive: true, force: true });
    } else if (entry.isDirectory()) {
      removeMatching(full, match);
    }
  }
}
