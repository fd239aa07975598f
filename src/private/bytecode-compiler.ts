import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fetchPyodide, pyodideRelease } from './pyodide';

/**
 * Compiles a bundle to hash-checked bytecode (lib-python/bundling/compile_bundle.py says why and how). Shipped in the
 * package beside the adapter.
 */
export const COMPILE_BUNDLE_SCRIPT = path.join(__dirname, '..', '..', 'lib-python', 'bundling', 'compile_bundle.py');

/** An interpreter of the runtime's CPython version, ready to compile a bundle. */
export interface BytecodeCompiler {
  /** What compiles, for the bundling line: a path, or the fetched CPython. */
  readonly name: string;
  /** Compiles `bundle` in place: exit 1 with an `*** Error compiling` line per file that did not compile. */
  compile(bundle: string): SpawnSyncReturns<string>;
}

/**
 * The compiler for CPython `version` (`3.14`): an interpreter of that version on this machine (nativeInterpreter),
 * else the fetchedCompiler; or what the bundling line says instead, with the fix.
 */
export function bytecodeCompiler(version: string, python = localPython()): BytecodeCompiler | string {
  const native = nativeInterpreter(version, python);
  if (native) {
    return {
      name: native,
      compile: bundle => spawnSync(native, [COMPILE_BUNDLE_SCRIPT, bundle], { encoding: 'utf-8', maxBuffer: 64 * 1024 * 1024, env: REPRODUCIBLE }),
    };
  }
  return fetchedCompiler(version);
}

/**
 * CPython `version` for WebAssembly, from the user cache or fetched there once (pyodide.ts), which runs wherever
 * Node.js does; or, when there is none, what the bundling line says instead, with the fix.
 */
export function fetchedCompiler(version: string): BytecodeCompiler | string {
  const install = `install Python ${version} (uv python install ${version}, pyenv install ${version}, or python.org) or set CDK_WSGI_PYTHON`;
  const release = pyodideRelease(version);
  if (!release) {
    return `no python${version} here to precompile it with; ${install}`;
  }
  let dir: string;
  try {
    dir = fetchPyodide(release);
  } catch (e) {
    return `no python${version} here, and fetching CPython ${version} for WebAssembly failed (${(e as Error).message}); ` +
      `reach the npm registry once (the copy is kept for later builds), or ${install}`;
  }
  return {
    name: `CPython ${release.python} for WebAssembly (npm pyodide@${release.version})`,
    compile: bundle => compileInPyodide(dir, bundle),
  };
}

/** Set and frozenset constants are laid out in hash order: a fixed seed makes one bundle compile to one set of bytes. */
const REPRODUCIBLE = { ...process.env, PYTHONHASHSEED: '0' };

/**
 * Runs compile_bundle.py in the fetched release under this Node.js, the bundle and the script's folder mounted
 * into its file system; one worker, as WebAssembly has no processes to fork.
 */
function compileInPyodide(dir: string, bundle: string): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ['-e', PYODIDE_COMPILE, dir, bundle, path.dirname(COMPILE_BUNDLE_SCRIPT)], {
    encoding: 'utf-8', maxBuffer: 64 * 1024 * 1024, env: process.env,
  });
}

/** argv: the release's folder, the bundle, compile_bundle.py's folder. Exits with the script's status. */
const PYODIDE_COMPILE = `
const path = require('path');
const [dir, bundle, scripts] = process.argv.slice(1);
require(path.join(dir, 'pyodide.js')).loadPyodide({
  indexURL: dir + path.sep,
  env: { PYTHONHASHSEED: '0' },
  stdout: line => console.log(line),
  stderr: line => console.error(line),
}).then(py => {
  for (const [at, root] of [['/bundle', bundle], ['/scripts', scripts]]) {
    py.FS.mkdirTree(at);
    py.FS.mount(py.FS.filesystems.NODEFS, { root }, at);
  }
  process.exitCode = py.runPython(\`import sys
sys.dont_write_bytecode = True
sys.path.insert(0, "/scripts")
import compile_bundle
compile_bundle.main("/bundle", 1)\`);
});
`;

/** The interpreter that runs pip for local bundling: CDK_WSGI_PYTHON, else python3. */
export function localPython(): string {
  return process.env.CDK_WSGI_PYTHON || 'python3';
}

/**
 * An interpreter of exactly CPython `version` (`3.13`) on this machine: `python` (CDK_WSGI_PYTHON or python3) when
 * it is that version, else `pythonX.Y` on PATH, else the newest pyenv build, else uv's. Never downloads.
 */
export function nativeInterpreter(version: string, python = localPython()): string | undefined {
  return interpreterOf(version, [python, `python${version}`, ...pyenvBuilds(version)]) ?? uvPython(version);
}

/** The first of `candidates` that runs as CPython `version` (`3.13`). */
function interpreterOf(version: string, candidates: string[]): string | undefined {
  return candidates.find(candidate => {
    const result = spawnSync(candidate, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf-8', env: process.env });
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

/** The interpreter of `version` that uv manages (`uv python install 3.13`), when uv is on PATH. */
function uvPython(version: string): string | undefined {
  const result = spawnSync('uv', ['python', 'find', version], { encoding: 'utf-8', env: process.env });
  const found = result.status === 0 ? result.stdout.trim() : '';
  return found ? interpreterOf(version, [found]) : undefined;
}
