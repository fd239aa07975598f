/**
 * Why a local (pip, no Docker) bundle failed, told from what pip itself printed. No network access of its own:
 * the caller runs pip (so the user's index, proxies and pip.conf apply) and hands the output here.
 */

/** What a bundle is built for, as the messages name it. */
export interface PipTarget {
  /** `x86_64` or `aarch64`. */
  readonly machine: string;
  /** The runtime's CPython version, `3.13`. */
  readonly pythonVersion: string;
  /** The platform tags pip is given, newest glibc first. */
  readonly platforms: string[];
}

/** One file pip saw for a project, from `pip download -vv`. */
export interface DistFile {
  readonly filename: string;
  readonly version: string;
  /** `python-abi-platform` triples; undefined for an sdist. */
  readonly tags?: string[][];
  /** The Requires-Python pip held against it, when that is why it was skipped. */
  readonly requiresPython?: string;
}

/** Release versions newest first, and whether each satisfies the requirement. */
export type VersionMatches = { version: string; matches: boolean }[];

const DOCKER = 'use bundlingMode BundlingMode.DOCKER';

// FORCE_COLOR (jest and many CI systems set it) overrides pip's --no-color for its rich-rendered errors.
/** The environment every pip call runs in: no colours, whatever the parent process asked for. */
export function pipEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', PIP_NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  delete env.CLICOLOR_FORCE;
  return env;
}

/** Text without ANSI escape sequences (CSI and OSC), with plain line ends. */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[@-_]/g, '').replace(/\r\n?/g, '\n');
}

/** The requirement of pip's "No matching distribution found for X" (markers already dropped by pip). */
export function missingRequirement(output: string): string | undefined {
  return /No matching distribution found for (.+?)\s*$/m.exec(output)?.[1];
}

/** `Flask[async]>=3` -> `Flask`. */
export function projectOf(requirement: string): string {
  return /^[A-Za-z0-9][A-Za-z0-9._-]*/.exec(requirement.trim())?.[0] ?? requirement;
}

function canonical(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

const ARCHIVE = /\.(whl|tar\.gz|tgz|tar\.bz2|tar\.xz|tar|zip)$/;

/**
 * The files of `project` that pip listed at `-vv` ("Found link …" / "Skipping link: <why>: <url>"), the
 * same lines in pip 23 to 25. Files of other projects (in a --find-links folder) are left out.
 */
export function distFiles(verboseOutput: string, project: string): DistFile[] {
  const files = new Map<string, DistFile>();
  for (const line of verboseOutput.split('\n')) {
    const url = /(Found link|Skipping link:.*?)\s((?:https?|file):\/\/\S+)/.exec(line)?.[2];
    if (!url) continue;
    const filename = safeDecode(url.split(/[#?]/)[0].split('/').pop() ?? '');
    const parsed = ARCHIVE.test(filename) ? parseFilename(filename, project) : undefined;
    if (!parsed) continue;
    const requiresPython = /Skipping link: \S+ Requires-Python (.+?): (?:https?|file):/.exec(line)?.[1];
    files.set(filename, { ...parsed, ...files.get(filename), ...requiresPython ? { requiresPython } : {} });
  }
  return [...files.values()];
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function parseFilename(filename: string, project: string): DistFile | undefined {
  const base = filename.replace(ARCHIVE, '');
  if (filename.endsWith('.whl')) {
    const parts = base.split('-');
    if ((parts.length !== 5 && parts.length !== 6) || canonical(parts[0]) !== canonical(project)) return undefined;
    const [pythons, abis, platforms] = parts.slice(-3).map(part => part.split('.'));
    const tags = pythons.flatMap(py => abis.flatMap(abi => platforms.map(plat => [py, abi, plat])));
    return { filename, version: parts[1], tags };
  }
  // sdist names predate normalisation (psycopg2-binary-2.7.4.tar.gz), so find where the name ends
  for (let i = base.indexOf('-'); i > 0; i = base.indexOf('-', i + 1)) {
    if (canonical(base.slice(0, i)) === canonical(project)) return { filename, version: base.slice(i + 1) };
  }
  return undefined;
}

/** The version order when the interpreter cannot tell (see matchVersions): numeric-aware, newest first. */
export function fallbackMatches(requirement: string, versions: string[]): VersionMatches {
  const pinned = /===?\s*([^\s,;*]+)\s*(;|$)/.exec(requirement)?.[1];
  return [...new Set(versions)]
    .sort((a, b) => b.localeCompare(a, undefined, { numeric: true }))
    .map(version => ({ version, matches: pinned === undefined || version === pinned }));
}

/** noWheelMessage's answer when the release has an sdist and no wheel for Linux: worth building here. */
export interface SdistOnly {
  /** Where its wheels run instead (`Windows`, `macOS`): a sign of native code, empty when it has none. */
  readonly wheelsFor: string[];
}

/**
 * Why pip found no file for `requirement`; an SdistOnly when its newest matching release has an sdist and no
 * wheel for Linux (a build here may give a pure-Python wheel); undefined when the files do not say.
 */
export function noWheelMessage(requirement: string, files: DistFile[], versions: VersionMatches, target: PipTarget,
  pipOutput: string, diagnosis: string): string | SdistOnly | undefined {
  const where = `${prefix(target)}: ${requirement}`;
  const quote = quotePip(pipOutput, requirement);
  const project = projectOf(requirement);
  if (files.length === 0) {
    const fetch = /Could not fetch URL \S+: (.+?)(?: - skipping)?$/m.exec(diagnosis)?.[1];
    if (fetch && !/\b404\b/.test(fetch)) {
      return `${where} could not be looked up: the package index did not answer: pip: "${clip(fetch)}"; check the network, ` +
        `proxy and index settings pip uses (pip config list), or ${DOCKER}`;
    }
    return `${where} names no project on the package index: pip: "${quote}"${fetch ? ` (the index said "${clip(fetch)}")` : ''}; ` +
      'check the name for a typo, and that pip reads the index that has it (pip config list)';
  }
  const version = versions.find(v => v.matches)?.version;
  if (version === undefined) {
    return `${where} matches no release of ${project}: pip: "${quote}"; pin a released version ` +
      `(newest: ${versions[0]?.version ?? 'none'}; all: pip index versions ${project})`;
  }
  const release = files.filter(f => f.version === version);
  const wheels = release.filter(f => f.tags);
  const hasSdist = release.length > wheels.length;
  const tags = wheels.flatMap(w => w.tags!);
  // psycopg2 publishes Windows wheels and an sdist for everything else: on Linux it is sdist-only.
  if (hasSdist && tags.every(([, , plat]) => plat === 'any' || !/linux/.test(plat))) {
    return { wheelsFor: [...new Set(tags.filter(([, , plat]) => plat !== 'any').map(([, , plat]) => platformLabel(plat, target)))] };
  }
  const docker = hasSdist ? [`${DOCKER} to build it from its sdist`] : [];
  const fitsPython = tags.filter(tag => pythonFits(tag, target));
  const fits = fitsPython.filter(tag => platformFits(tag, target));
  const cp = `cp${target.pythonVersion.replace('.', '')}`;
  if (fits.length) {
    const requires = wheels.find(w => w.requiresPython && w.tags!.some(tag => pythonFits(tag, target) && platformFits(tag, target)));
    if (!requires) return undefined;
    return `${where} does not support CPython ${target.pythonVersion}: its ${version} wheels declare Requires-Python ` +
      `${requires.requiresPython}: pip: "${quote}"; pin a version that supports it, or use a runtime it supports`;
  }
  if (!fitsPython.length) {
    const forPlatform = tags.filter(tag => platformFits(tag, target));
    return `${where} has no wheel for CPython ${target.pythonVersion} (its ${version} wheels are for ` +
      `${pythonsOf(forPlatform.length ? forPlatform : tags)}): pip: "${quote}"; ` +
      anyOf([`pin a version with ${cp} wheels`, 'use a runtime its wheels are for', ...docker]);
  }
  const platforms = [...new Set(fitsPython.map(tag => platformLabel(tag[2], target)))];
  const other = target.machine === 'aarch64' ? ['x86_64', 'X86_64'] : ['aarch64', 'ARM_64'];
  const switchArch = platforms.includes(`linux/${other[0]}`) ? [`set architecture Architecture.${other[1]}`] : [];
  return `${where} has no wheel for linux/${target.machine} (its CPython ${target.pythonVersion} wheels for ${version} are for ` +
    `${platforms.join(', ')}): pip: "${quote}"; ` + anyOf([`pin a version with manylinux ${target.machine} wheels`, ...switchArch, ...docker]);
}

function pythonFits([py, abi]: string[], target: PipTarget): boolean {
  const minor = Number(target.pythonVersion.split('.')[1]);
  const cp = /^cp3(\d+)$/.exec(py);
  const pyx = /^py3(\d*)$/.exec(py);
  if (cp && Number(cp[1]) === minor) return abi === py || abi === 'abi3' || abi === 'none';
  if (cp && Number(cp[1]) < minor) return abi === 'abi3';
  return !!pyx && (pyx[1] === '' || Number(pyx[1]) <= minor) && abi === 'none';
}

function platformFits([, , plat]: string[], target: PipTarget): boolean {
  return plat === 'any' || target.platforms.includes(plat);
}

/** `cp37…cp312` -> `CPython 3.7 to 3.12`; other interpreters by their tag. */
function pythonsOf(tags: string[][]): string {
  const minors = [...new Set(tags.map(([py]) => /^cp3(\d+)$/.exec(py)?.[1]).filter(m => m !== undefined).map(Number))].sort((a, b) => a - b);
  const others = [...new Set(tags.map(([py]) => py).filter(py => !/^cp3\d+$/.test(py)))];
  const contiguous = minors.length > 2 && minors[minors.length - 1] - minors[0] === minors.length - 1;
  const cpython = contiguous ? [`CPython 3.${minors[0]} to 3.${minors[minors.length - 1]}`]
    : minors.length ? [`CPython ${minors.map(m => `3.${m}`).join(', ')}`] : [];
  return [...cpython, ...others].join(', ');
}

/** `manylinux_2_17_x86_64` -> `linux/x86_64`; a glibc newer than Lambda's is named. */
function platformLabel(plat: string, target: PipTarget): string {
  const linux = /^(many|musl)?linux(?:_(\d+)_(\d+)|\d*)_(.+)$/.exec(plat);
  if (!linux) return /^macosx/.test(plat) ? 'macOS' : /^win/.test(plat) ? 'Windows' : plat;
  const [, kind, major, minor, machine] = linux;
  const maxGlibc = Number(/_2_(\d+)_/.exec(target.platforms[0])?.[1]);
  const glibc = kind !== 'musl' && major && machine === target.machine && Number(minor) > maxGlibc
    ? ` with glibc ${major}.${minor} (Lambda has 2.${maxGlibc})` : '';
  return `${kind === 'musl' ? 'musllinux' : 'linux'}/${machine}${glibc}`;
}

/** A wheel built here that is not pure Python: the project has native code and no wheel for the target. */
export function notPureMessage(requirement: string, sdist: SdistOnly, wheel: string, target: PipTarget, pipOutput: string): string {
  return nativeMessage(requirement, sdist, `built ${wheel} here, for this machine`, target, pipOutput);
}

/**
 * A failed sdist build. Native when the project has wheels for other systems, or when the build got as far as
 * compilers, build_ext or a native library's config tool (psycopg2 without pg_config says "build_ext
 * --pg-config"): that needs the target's toolchain, not a fix here. Anything else is the build's own failure,
 * shown with its last lines.
 */
export function buildFailedMessage(requirement: string, sdist: SdistOnly, buildOutput: string, target: PipTarget, pipOutput: string): string {
  const output = stripAnsi(buildOutput);
  const lines = subprocessOutput(output);
  if (sdist.wheelsFor.length || NATIVE_BUILD.test(lines.join('\n'))) {
    const said = lines.find(line => /error/i.test(line)) ?? lines[lines.length - 1] ?? 'nothing';
    return nativeMessage(requirement, sdist, `its build here said "${clip(said)}"`, target, pipOutput);
  }
  const headline = [...output.matchAll(/^\s*×\s*(.+)$/gm)].pop()?.[1] ?? errorLines(output).pop() ?? 'the build failed';
  return `${prefix(target)}: ${requirement} has only an sdist to install from, and building it failed: pip: "${clip(headline)}"; ` +
    `fix the build, pin a version that publishes a wheel, or ${DOCKER}; the build's last lines:\n` +
    lines.slice(-10).map(line => `  | ${redact(line)}`).join('\n');
}

const NATIVE_BUILD = /\bbuild_ext\b|pg_config|mysql_config|Python\.h|error: command '[^']*' failed|\b(gcc|g\+\+|clang|cc1|rustc|cargo|cmake|meson|ninja|Cython)\b|Visual C\+\+/i;

function nativeMessage(requirement: string, sdist: SdistOnly, detail: string, target: PipTarget, pipOutput: string): string {
  const only = sdist.wheelsFor.length ? `for Linux (its wheels are for ${sdist.wheelsFor.join(', ')})` : 'to install from';
  return `${prefix(target)}: ${requirement} has only an sdist ${only}, and it builds native code (${detail}), ` +
    `which must be compiled for linux/${target.machine} CPython ${target.pythonVersion}: pip: "${quotePip(pipOutput, requirement)}"; ` +
    `use its binary-wheel variant if the project has one (such as psycopg2-binary, or psycopg[binary]), or ${DOCKER}`;
}

/** The generic message: pip's own ERROR lines, then its last lines. */
export function pipFailedMessage(what: string, output: string, target: PipTarget): string {
  const clean = stripAnsi(output);
  const errors = errorLines(clean).slice(-3).map(line => `"${clip(line)}"`);
  const tail = redact(clean).trim().split('\n').slice(-15).map(line => `  | ${line}`).join('\n');
  return `${prefix(target)}: ${what} failed: pip: ${errors.join('; ') || '(no ERROR line)'}; fix what pip names, ` +
    `or ${DOCKER}; pip's last lines:\n${tail}`;
}

function prefix(target: PipTarget): string {
  return `cdk-wsgi local bundling for linux/${target.machine} CPython ${target.pythonVersion}`;
}

function quotePip(output: string, requirement: string): string {
  const clean = stripAnsi(output);
  const line = clean.split('\n').find(l => l.includes(`No matching distribution found for ${requirement}`));
  return clip(line?.trim() ?? errorLines(clean).pop() ?? `No matching distribution found for ${requirement}`);
}

function errorLines(output: string): string[] {
  return output.split('\n').map(line => line.trim()).filter(line => line.startsWith('ERROR:'));
}

/** The build's own output: what pip frames between "[N lines of output]" and "[end of output]", dedented. */
function subprocessOutput(output: string): string[] {
  const block = /\[\d+ lines? of output\]\n([\s\S]*?)\n\s*\[end of output\]/.exec(output)?.[1];
  const lines = (block ?? output).split('\n').filter(line => line.trim());
  const indent = Math.min(...lines.map(line => /^\s*/.exec(line)![0].length));
  return lines.map(line => line.slice(indent).trimEnd());
}

/** `a, b, or c`. */
function anyOf(fixes: string[]): string {
  return fixes.length > 2 ? `${fixes.slice(0, -1).join(', ')}, or ${fixes[fixes.length - 1]}` : fixes.join(' or ');
}

/** A quotable line: at most 300 characters, and no password from an index URL. */
function clip(text: string): string {
  const safe = redact(text);
  return safe.length > 300 ? `${safe.slice(0, 300)}…` : safe;
}

function redact(text: string): string {
  return text.replace(/(\/\/[^/\s:@]+:)[^/\s@]+@/g, '$1****@');
}
