import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BundlingOptions, FileSystem, IgnoreMode, ILocalBundling } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { compileallArgs } from './bytecode';

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
}

/** `python3.13` -> `3.13`. */
export function pythonVersionOf(runtime: lambda.Runtime): string {
  const match = /^python(\d+\.\d+)$/.exec(runtime.name);
  if (!match) {
    throw new Error(`cdk-wsgi local bundling needs a Python runtime, got '${runtime.name}'`);
  }
  return match[1];
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

function machineOf(architecture: lambda.Architecture): 'x86_64' | 'aarch64' {
  return architecture.name === lambda.Architecture.X86_64.name ? 'x86_64' : 'aarch64';
}

/** How a lock file is turned into a requirements file, with the tool's own exporter. */
const LOCK_EXPORTERS: { [file: string]: { tool: string; args: (out: string) => string[]; install: string } } = {
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

/** The dependency file bundling uses, in PythonFunction's order (requirements.txt wins over uv.lock). */
const DEPENDENCY_ORDER = ['Pipfile.lock', 'poetry.lock', 'requirements.txt', 'uv.lock'];

/**
 * Bundles a Python app without Docker: copies `entry` (minus the excludes) and installs its dependencies
 * with pip's platform selection, so only wheels for Lambda's architecture and CPython version are taken.
 */
export class LocalPythonBundling implements ILocalBundling {
  private readonly target: LocalBundlingTarget;
  private readonly python: string;

  constructor(target: LocalBundlingTarget) {
    this.target = target;
    this.python = process.env.CDK_WSGI_PYTHON || 'python3';
  }

  /** What goes into the asset hash besides the source: the target, never machine-specific paths. */
  public toJSON() {
    return {
      bundler: 'cdk-wsgi-local-pip-v2',
      architecture: this.target.architecture.name,
      runtime: this.target.runtime.name,
      excludes: this.target.excludes,
    };
  }

  public tryBundle(outputDir: string, _options: BundlingOptions): boolean {
    const { entry, architecture, runtime, excludes } = this.target;
    const pythonVersion = pythonVersionOf(runtime);
    const started = Date.now();
    const what = `${path.relative(process.cwd(), entry) || '.'} for linux/${machineOf(architecture)} CPython ${pythonVersion}`;
    process.stderr.write(`cdk-wsgi: bundling ${what} LOCALLY with pip (no Docker)\n`);

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
    this.precompile(outputDir, pythonVersion);
    process.stderr.write(`cdk-wsgi: bundled ${what} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    return true;
  }

  /**
   * Compiles the bundle (compileallArgs) with an interpreter of exactly the runtime's version, since bytecode is
   * specific to it: CDK_WSGI_PYTHON or python3 when it is that version, else `pythonX.Y` on PATH, else the newest
   * pyenv build. Without one the bundle ships without bytecode, as it would from a plain pip install, and says so.
   */
  private precompile(outputDir: string, pythonVersion: string) {
    const compiler = interpreterOf(pythonVersion, [this.python, `python${pythonVersion}`, ...pyenvBuilds(pythonVersion)]);
    if (!compiler) {
      process.stderr.write(`cdk-wsgi: no python${pythonVersion} on PATH or under pyenv to precompile the bundle with; ` +
        'it ships without bytecode, so each cold start compiles the modules it imports\n');
      return;
    }
    const result = spawnSync(compiler, compileallArgs(outputDir), { encoding: 'utf-8', maxBuffer: 64 * 1024 * 1024 });
    if (result.error || result.status !== 0) {
      const output = `${result.stderr ?? ''}${result.stdout ?? ''}`.trim().split('\n').slice(-5).join('\n');
      process.stderr.write(`cdk-wsgi: some files did not compile with ${compiler}; Lambda compiles them on import:\n${output}\n`);
    }
  }

  /** The requirements file to install from, exported from a lock file when that is the dependency file. */
  private requirementsFile(work: string): string | undefined {
    const { entry } = this.target;
    const file = DEPENDENCY_ORDER.find(f => fs.existsSync(path.join(entry, f)));
    if (!file) {
      return undefined;
    }
    if (file === 'requirements.txt') {
      return path.join(entry, file);
    }
    const exporter = LOCK_EXPORTERS[file];
    const out = path.join(work, 'requirements.txt');
    const result = spawnSync(exporter.tool, exporter.args(out), { cwd: entry, encoding: 'utf-8', env: { ...process.env, PIPENV_VERBOSITY: '-1' } });
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
   * `pip install --target` with the target's platform tags and binary wheels only. A requirement without a
   * matching wheel is built locally from its sdist and accepted only when pure Python (`py3-none-any`).
   */
  private pipInstall(requirements: string, outputDir: string, work: string, pythonVersion: string) {
    const { entry, architecture } = this.target;
    const wheels = path.join(work, 'wheels');
    fs.mkdirSync(wheels);
    const built = new Set<string>();
    for (;;) {
      const args = [
        '-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--no-compile',
        '--requirement', requirements, '--target', outputDir, '--upgrade',
        ...platformTags(architecture, pythonVersion).flatMap(tag => ['--platform', tag]),
        '--implementation', 'cp', '--python-version', pythonVersion, '--only-binary=:all:',
        '--find-links', wheels,
      ];
      const result = spawnSync(this.python, args, { cwd: entry, encoding: 'utf-8', maxBuffer: 64 * 1024 * 1024 });
      if (result.error) {
        throw new Error(`cdk-wsgi local bundling could not run '${this.python}' (${result.error.message}); ` +
          'install Python 3 or set CDK_WSGI_PYTHON, or use bundlingMode BundlingMode.DOCKER');
      }
      if (result.status === 0) {
        return;
      }
      const missing = /No matching distribution found for (\S+)/.exec(result.stderr)?.[1];
      if (!missing || built.has(missing)) {
        if (missing) {
          throw noWheelError(missing, architecture, pythonVersion, 'its sdist built a wheel pip could not use');
        }
        check(result, `${this.python} ${args.join(' ')}`);
      }
      built.add(missing!);
      this.buildPureWheel(missing!, wheels, pythonVersion);
    }
  }

  /** Builds `requirement` from its sdist and keeps the wheel only if it is pure Python. */
  private buildPureWheel(requirement: string, wheels: string, pythonVersion: string) {
    const { entry, architecture } = this.target;
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-sdist-'));
    try {
      const result = spawnSync(this.python, ['-m', 'pip', 'wheel', '--disable-pip-version-check', '--no-input', '--no-deps',
        '--no-binary', ':all:', '--wheel-dir', scratch, requirement], { cwd: entry, encoding: 'utf-8', maxBuffer: 64 * 1024 * 1024 });
      if (result.status !== 0) {
        throw noWheelError(requirement, architecture, pythonVersion, 'building it from source here failed');
      }
      const wheel = fs.readdirSync(scratch).find(f => f.endsWith('.whl'));
      if (!wheel || !/-py3?\d*(\.py\d+)*-none-any\.whl$/.test(wheel)) {
        throw noWheelError(requirement, architecture, pythonVersion, `it is not pure Python (built ${wheel ?? 'no wheel'})`);
      }
      fs.copyFileSync(path.join(scratch, wheel), path.join(wheels, wheel));
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }
}

/** The first of `candidates` that runs as CPython `version` (`3.13`). */
function interpreterOf(version: string, candidates: string[]): string | undefined {
  return candidates.find(candidate => {
    const result = spawnSync(candidate, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf-8' });
    return result.status === 0 && result.stdout.trim() === version;
  });
}

/** pyenv's builds of `version`, newest first. */
function pyenvBuilds(version: string): string[] {
  const versions = path.join(process.env.PYENV_ROOT || path.join(os.homedir(), '.pyenv'), 'versions');
  const builds = fs.existsSync(versions) ? fs.readdirSync(versions).filter(v => v.startsWith(`${version}.`)) : [];
  return builds
    .sort((a, b) => b.localeCompare(a, undefined, { numeric: true }))
    .map(build => path.join(versions, build, 'bin', `python${version}`));
}

function noWheelError(requirement: string, architecture: lambda.Architecture, pythonVersion: string, why: string): Error {
  return new Error(`cdk-wsgi local bundling: ${requirement} has no manylinux ${machineOf(architecture)} wheel for ` +
    `CPython ${pythonVersion} and ${why}; pin a version that publishes such wheels, or use bundlingMode BundlingMode.DOCKER ` +
    'to build it in the Lambda image');
}

function check(result: SpawnSyncReturns<string>, command: string) {
  if (result.error || result.status !== 0) {
    const output = `${result.stderr ?? ''}${result.stdout ?? ''}`.trim().split('\n').slice(-20).join('\n');
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

let dockerAnswersCache: { [command: string]: boolean } = {};

/** The container engine CDK uses: `$CDK_DOCKER`, else `docker`. */
export function containerEngine(): string {
  return process.env.CDK_DOCKER || 'docker';
}

/** Whether a container engine answers: `$CDK_DOCKER info` (default `docker`), asked once per process. */
export function containerEngineAnswers(): boolean {
  const command = containerEngine();
  if (!(command in dockerAnswersCache)) {
    const result = spawnSync(command, ['info'], { stdio: 'ignore', timeout: 15_000 });
    dockerAnswersCache[command] = !result.error && result.status === 0;
  }
  return dockerAnswersCache[command];
}

/** For tests: forget what the container engine answered. */
export function resetContainerEngineCache() {
  dockerAnswersCache = {};
}
