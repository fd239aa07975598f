import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { stripAnsi } from './pip-errors';
import { userCacheDir } from '../shared/user-cache';

/**
 * Pyodide, CPython built for WebAssembly, published to npm as one package per CPython version. Node.js runs it on
 * any OS and architecture, so any machine that runs the CDK can compile bytecode for any Lambda Python; bytecode
 * depends only on CPython's minor version (each release's magic number, checked in test/bytecode-compiler.test.ts).
 * Pinned by integrity: what is fetched once and run at every synth is exactly the release checked here.
 */
const RELEASES: readonly PyodideRelease[] = [
  { of: '3.11', version: '0.25.1', python: '3.11.3', megabytes: 5.5, integrity: 'sha512-y0nJ/fLA3bxD2iZRzvVTbP2O+wp4Ewm2wThfV4HF0BytQ6hsoqTJFLNY4usLOcCVBrK8TTWqFqrmsVPzHe4rsw==' },
  { of: '3.12', version: '0.27.7', python: '3.12.7', megabytes: 5.9, integrity: 'sha512-RUSVJlhQdfWfgO9hVHCiXoG+nVZQRS5D9FzgpLJ/VcgGBLSAKoPL8kTiOikxbHQm1kRISeWUBdulEgO26qpSRA==' },
  { of: '3.13', version: '0.29.5', python: '3.13.2', megabytes: 5.6, integrity: 'sha512-TkYrUv9m8QmfImADKRmpwZulL48E0uUaBSO+dvRQKyAJc0qh9gu7jn8btyHPh3NZm1r2IH2YrJhIr7Q2B9urAw==' },
  { of: '3.14', version: '314.0.8', python: '3.14.2', megabytes: 6.5, integrity: 'sha512-74Wq1kXOC+CCEzAfxuRAO701nAcCMLjf8NrwvWpu8S41dVMXwXmLQ05dYB+F4e46AdnGo0oq7YHSVUpHsoarLQ==' },
];

/** One pinned release of the `pyodide` npm package. */
export interface PyodideRelease {
  /** The CPython minor version it serves (`3.14`). */
  readonly of: string;
  /** The npm package's version. */
  readonly version: string;
  /** The CPython it is built from. */
  readonly python: string;
  /** The tarball's size, for the line said before fetching it. */
  readonly megabytes: number;
  /** The tarball's npm integrity (`npm view pyodide@VERSION dist.integrity`). */
  readonly integrity: string;
}

/** The release of CPython `version` (`3.14`), if there is one. */
export function pyodideRelease(pythonVersion: string): PyodideRelease | undefined {
  return RELEASES.find(release => release.of === pythonVersion);
}

/** Where a release lives once fetched. */
export function pyodideDir(release: PyodideRelease): string {
  return path.join(userCacheDir(), `pyodide-${release.version}`);
}

/** How long fetching may take before the build goes on without bytecode. */
const FETCH_TIMEOUT_MS = 5 * 60 * 1000;

/**
 * The release's folder in the user cache, fetched there first when missing: through `npm pack`, so the user's npm
 * configuration (registry mirror, proxy, credentials) applies, checked against the pinned integrity, unpacked with
 * `tar`, and moved into place whole, so a concurrent or interrupted fetch never leaves a half folder behind.
 * Says what and how large on stderr before downloading. Throws, saying why, when it cannot.
 */
export function fetchPyodide(release: PyodideRelease): string {
  const dir = pyodideDir(release);
  if (fs.existsSync(path.join(dir, 'pyodide.js'))) {
    return dir;
  }
  const spec = `pyodide@${release.version}`;
  process.stderr.write(`cdk-wsgi: fetching CPython ${release.python} for WebAssembly (npm package ${spec}, ` +
    `${release.megabytes} MB) into ${dir}, once, to compile bytecode with\n`);
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const work = fs.mkdtempSync(`${dir}.partial-`);
  try {
    // One retry, soon: a machine that cannot reach the registry learns so in seconds, not npm's usual minute.
    const pack = spawnSync('npm', ['pack', spec, '--json', '--ignore-scripts', '--fetch-retries=1',
      '--fetch-retry-mintimeout=1000', '--fetch-retry-maxtimeout=5000', '--pack-destination', work], {
      encoding: 'utf-8', timeout: FETCH_TIMEOUT_MS, env: process.env, shell: process.platform === 'win32',
    });
    const packed = parsePack(pack.stdout);
    if (pack.error || pack.status !== 0 || !packed?.filename) {
      const said = packed?.error?.summary || ((pack.error as NodeJS.ErrnoException)?.code === 'ENOENT' ? 'npm is not on PATH' : pack.error?.message) || lastLine(pack.stderr) || `exit ${pack.status}`;
      throw new Error(`npm pack ${spec} failed: ${said}`);
    }
    if (packed.integrity !== release.integrity) {
      throw new Error(`npm pack ${spec} gave a tarball whose integrity (${packed.integrity}) is not the release's`);
    }
    const unpacked = path.join(work, 'unpacked');
    fs.mkdirSync(unpacked);
    const tar = spawnSync('tar', ['-xzf', path.join(work, packed.filename), '-C', unpacked], { encoding: 'utf-8', env: process.env });
    if (tar.error || tar.status !== 0) {
      throw new Error(`tar could not unpack ${packed.filename}: ${lastLine(tar.stderr) || tar.error?.message}`);
    }
    try {
      fs.renameSync(path.join(unpacked, 'package'), dir);
    } catch (e) {
      // Another synth fetched it meanwhile.
      if (!fs.existsSync(path.join(dir, 'pyodide.js'))) throw e;
    }
    return dir;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** What `npm pack --json` printed: the packed file, or (since npm 7) the error. */
function parsePack(stdout: string | null): { filename?: string; integrity?: string; error?: { summary?: string } } | undefined {
  try {
    const parsed = JSON.parse(stdout ?? '');
    return Array.isArray(parsed) ? parsed[0] : parsed;
  } catch {
    return undefined;
  }
}

function lastLine(text: string | null | undefined): string {
  return stripAnsi(text ?? '').trim().split('\n').filter(line => !/^npm (notice|warn)|A complete log/.test(line)).pop() ?? '';
}
