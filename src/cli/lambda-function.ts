import * as fs from 'fs';
import * as path from 'path';
import { AssemblyFunction, variablesOf } from './assembly';

/** A synthesized Python function as Lambda runs it: its code, its layers and its configuration. */
export interface LambdaFunction {
  /** The WsgiApi's construct path, for messages. */
  readonly label: string;
  readonly logicalId: string;
  readonly handler: string;
  /** The CPython version of its runtime: `3.14` for python3.14. */
  readonly pythonVersion: string;
  /** `x86_64` or `arm64`, as Lambda names them. */
  readonly architecture: 'x86_64' | 'arm64';
  /** What Lambda mounts at /var/task: the function's asset in the cloud assembly. */
  readonly codeDir: string;
  /** What Lambda extracts into /opt: each layer's asset, in order. */
  readonly layerDirs: string[];
  /** Its variables with literal values, CDK_WSGI_* included: the adapter reads those. */
  readonly environment: Record<string, string>;
  /** Variables whose values are only known at deploy time (references to other resources). */
  readonly deployTimeVariables: string[];
  /** Layers that are not assets of the assembly (another account's, a published ARN): they cannot be mounted here. */
  readonly foreignLayers: string[];
  readonly memorySize: number;
  readonly timeoutSeconds: number;
}

/** `fn` as Lambda runs it, from its template and the assets beside it; an error names what is missing. */
export function lambdaFunction(fn: AssemblyFunction): LambdaFunction {
  const { properties, resources } = fn;
  const runtime = String(properties.Runtime ?? '');
  const version = /^python(3\.\d+)$/.exec(runtime)?.[1];
  if (!version) {
    throw new Error(`${fn.name} runs on ${runtime || 'no runtime'}, not a Python runtime that can be emulated here`);
  }
  const codeDir = assetDir(fn, fn.resource, 'its code');
  const layerDirs: string[] = [];
  const foreignLayers: string[] = [];
  for (const layer of properties.Layers ?? []) {
    const resource = typeof layer === 'object' && layer !== null && typeof layer.Ref === 'string' ? resources[layer.Ref] : undefined;
    if (resource?.Type === 'AWS::Lambda::LayerVersion') {
      layerDirs.push(assetDir(fn, resource, `its layer ${layer.Ref}`));
    } else {
      foreignLayers.push(typeof layer === 'string' ? layer : JSON.stringify(layer));
    }
  }
  const { environment, deployTimeVariables } = variablesOf(properties);
  return {
    label: fn.name,
    logicalId: fn.logicalId,
    handler: String(properties.Handler),
    pythonVersion: version,
    architecture: properties.Architectures?.[0] === 'arm64' ? 'arm64' : 'x86_64',
    codeDir,
    layerDirs,
    environment,
    deployTimeVariables,
    foreignLayers,
    // Lambda's own defaults, for functions whose template leaves them out.
    memorySize: typeof properties.MemorySize === 'number' ? properties.MemorySize : 128,
    timeoutSeconds: typeof properties.Timeout === 'number' ? properties.Timeout : 3,
  };
}

/**
 * The folder a resource's asset was staged in. The CDK CLI records it in the resource's metadata (`aws:asset:path`)
 * unless asset metadata is turned off, and a deployed stack's template has none.
 */
function assetDir(fn: AssemblyFunction, resource: any, what: string): string {
  const assetPath: unknown = resource?.Metadata?.['aws:asset:path'];
  if (typeof assetPath !== 'string') {
    throw new Error(`the template does not say where ${fn.name}'s asset for ${what} is; synthesize with asset metadata `
      + '(`cdk synth`, without --no-asset-metadata or "assetMetadata": false in cdk.json)');
  }
  const dir = path.resolve(fn.assemblyDir, assetPath);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new Error(`${fn.name}'s asset for ${what} is not a folder at ${dir}; synthesize again (\`cdk synth\`)`);
  }
  return dir;
}

// ELF e_machine values (the System V ABI's registry) of Lambda's two architectures.
const ELF_MACHINES: Record<number, LambdaFunction['architecture']> = { 0x3e: 'x86_64', 0xb7: 'arm64' };
// A bound on the walk: a function's unzipped code and layers are at most 250 MB.
const MAX_FILES = 100_000;

/**
 * The compiled modules (`.so` files) under `dirs` built for another architecture than `architecture`, relative to
 * their folder: what cannot load when a function of one architecture is emulated on the other.
 */
export function foreignModules(dirs: string[], architecture: LambdaFunction['architecture']): string[] {
  const found: string[] = [];
  let seen = 0;
  const walk = (root: string, dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (++seen > MAX_FILES) return;
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(root, file);
      } else if (entry.isFile() && /\.so(\.|$)/.test(entry.name)) {
        const machine = elfMachine(file);
        if (machine !== undefined && machine !== architecture) found.push(path.relative(root, file));
      }
    }
  };
  for (const dir of dirs) walk(dir, dir);
  return found.sort();
}

/** The architecture an ELF file is built for, from its header's e_machine (little-endian on both). */
function elfMachine(file: string): LambdaFunction['architecture'] | 'other' | undefined {
  const header = Buffer.alloc(20);
  const fd = fs.openSync(file, 'r');
  try {
    if (fs.readSync(fd, header, 0, 20, 0) < 20 || header.readUInt32BE(0) !== 0x7f454c46) return undefined;
  } finally {
    fs.closeSync(fd);
  }
  return ELF_MACHINES[header.readUInt16LE(18)] ?? 'other';
}
