import { spawnSync } from 'child_process';
import { AssemblyFunction } from './assembly';
import { emulatorTools, EmulatorTools, hostArchitecture } from './emulator-tools';
import { EmulatedEnvironment } from './lambda-environment';
import { foreignModules, LambdaFunction, lambdaFunction } from './lambda-function';

/** A synthesized function ready to run in AWS's runtime emulator here: what it is, and what runs it. */
export interface Emulation {
  readonly fn: LambdaFunction;
  readonly tools: EmulatorTools;
  /** What INIT_START names: `python:3.14 (CPython 3.14.2 in aws-lambda-rie)`. */
  readonly runtimeVersion: string;
  /** What the user should know before the first request: an architecture mismatch let through, missing layers. */
  readonly notes: string[];
}

export interface EmulationOptions {
  /** `--architecture`: the machine's, to run a function built for the other one anyway. */
  readonly architecture?: string;
  /** `--python`: the CPython to run it with. */
  readonly python?: string;
  /** Progress lines: what is fetched, once. */
  readonly say: (line: string) => void;
}

const ARCHITECTURES = ['x86_64', 'arm64'];

/** Checks that `assemblyFunction` can run here and fetches what runs it (once); an error is one line naming the fix. */
export async function prepareEmulation(assemblyFunction: AssemblyFunction, options: EmulationOptions): Promise<Emulation> {
  const fn = lambdaFunction(assemblyFunction);
  const host = hostArchitecture();
  const notes = [...architectureNotes(fn, host, options.architecture)];
  for (const layer of fn.foreignLayers) {
    notes.push(`the layer ${layer} is not in the cloud assembly, so the function runs without it here`);
  }
  const tools = await emulatorTools({ pythonVersion: fn.pythonVersion, python: options.python, say: options.say });
  const version = spawnSync(tools.python, ['-c', 'import platform; print(platform.python_version())'], { encoding: 'utf8' }).stdout?.trim();
  return { fn, tools, runtimeVersion: `python:${fn.pythonVersion} (CPython ${version || fn.pythonVersion} in aws-lambda-rie)`, notes };
}

/** Starts one execution environment of the emulation, invoked through `qualifier` (`live`, or `manage` for commands). */
export function startEnvironment(emulation: Emulation, qualifier: string, log: (line: string) => void,
  environment: Record<string, string> = {}): EmulatedEnvironment {
  return new EmulatedEnvironment({ ...emulation, qualifier, log, environment: { ...deployTimeValues(emulation.fn), ...environment } });
}

/** Values the developer exported for the variables Lambda only learns at deploy time. */
function deployTimeValues(fn: LambdaFunction): Record<string, string> {
  const values: Record<string, string> = {};
  for (const name of fn.deployTimeVariables) {
    if (process.env[name] !== undefined) values[name] = process.env[name]!;
  }
  return values;
}

/**
 * A function built for the other architecture runs here as long as none of its compiled modules is needed: pure
 * Python runs the same on both. One that has some needs a build for this machine, or `--architecture` to try anyway.
 */
function architectureNotes(fn: LambdaFunction, host: string | undefined, requested: string | undefined): string[] {
  if (requested !== undefined && !ARCHITECTURES.includes(requested)) {
    throw new Error(`--architecture must be x86_64 or arm64, got '${requested}'`);
  }
  if (host === undefined || fn.architecture === host) {
    if (requested !== undefined && requested !== fn.architecture) {
      throw new Error(`--architecture ${requested}: ${fn.label} is already built for ${fn.architecture}, this machine's architecture; leave it out`);
    }
    return [];
  }
  if (requested !== undefined && requested !== host) {
    throw new Error(`--architecture ${requested}: this machine runs ${host} only; pass --architecture ${host}`);
  }
  const foreign = foreignModules([fn.codeDir, ...fn.layerDirs], host as LambdaFunction['architecture']);
  if (foreign.length === 0) {
    return [`${fn.label} is built for ${fn.architecture} and runs here on ${host}: its bundle is pure Python`];
  }
  const listed = `${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ` and ${foreign.length - 3} more` : ''}`;
  if (requested === undefined) {
    throw new Error(`${fn.label} is built for ${fn.architecture}, and ${foreign.length} of its compiled modules cannot load on this `
      + `${host} machine (${listed}); synthesize it for ${host} (architecture: Architecture.${host === 'arm64' ? 'ARM_64' : 'X86_64'}), `
      + `or pass --architecture ${host} to run it anyway (packages with a pure-Python fallback work)`);
  }
  const modules = foreign.length === 1 ? '1 compiled module' : `${foreign.length} compiled modules`;
  return [`${fn.label} is built for ${fn.architecture}; on this ${host} machine ${modules} cannot load (${listed}), `
    + 'and their packages run without them, or fail to import'];
}
