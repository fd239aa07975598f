import * as fs from 'fs';
import * as path from 'path';
import { unreadable } from './files';
import { ServeSettings, splitList } from './settings';
import * as contract from '../contracts/adapter-contract';
import { ApiType } from '../types';

/** A WsgiApi function found in a cloud assembly. */
export interface AssemblyFunction {
  /** The WsgiApi's construct path, e.g. `MyStack/App`, or `MyStack/<logical id>` when the assembly has no paths. */
  readonly name: string;
  /** The stack's name in the assembly (a stage's stacks show as `Stage/Stack`). */
  readonly stackName: string;
  /** Where it is deployed: its CloudFormation stack name, and its region when the stack names one. */
  readonly deployedAs: DeployedStack;
  readonly logicalId: string;
  /** Undefined for a WsgiFunction without a front door of ours. */
  readonly apiType?: ApiType;
  /** Where the stack's template sits: `entry` may be relative to its parent. */
  readonly assemblyDir: string;
  readonly metadata: contract.ServeMetadata;
  /** The function's CloudFormation properties. */
  readonly properties: any;
  /** The resource itself (its Metadata names its asset), and the template's others (its layers, its aliases). */
  readonly resource: any;
  readonly resources: Record<string, any>;
}

// Stages nest assemblies; real apps go one or two levels deep.
const MAX_NESTING = 8;

/**
 * Every function a WsgiApi defined in the assembly at `dir` (and the assemblies of its stages). `otherwise` says
 * how the command can do without one.
 */
export function readAssembly(dir: string, otherwise: string): AssemblyFunction[] {
  if (!fs.existsSync(path.join(dir, 'manifest.json'))) {
    throw new Error(`no cloud assembly in ${dir}: synthesize first (\`cdk synth\`), or ${otherwise}`);
  }
  try {
    return readManifest(path.resolve(dir), 0);
  } catch (error) {
    // A synth that was stopped half-way, a file edited by hand, an assembly of another tool's version.
    throw new Error(`the cloud assembly in ${dir} cannot be read: ${(error as Error).message}; synthesize it again (\`cdk synth\`)`,
      { cause: error });
  }
}

function readManifest(dir: string, depth: number): AssemblyFunction[] {
  const manifest = readJson(path.join(dir, 'manifest.json'));
  const found: AssemblyFunction[] = [];
  for (const [artifactId, artifact] of Object.entries<any>(manifest.artifacts ?? {})) {
    if (artifact.type === 'cdk:cloud-assembly' && depth < MAX_NESTING) {
      found.push(...readManifest(path.join(dir, artifact.properties.directoryName), depth + 1));
    } else if (artifact.type === 'aws:cloudformation:stack') {
      // An environment-agnostic stack says `aws://unknown-account/unknown-region`: the caller's region applies.
      const region = /^aws:\/\/[^/]+\/([a-z0-9-]+)$/.exec(artifact.environment ?? '')?.[1];
      const deployedAs = { stackName: artifact.properties.stackName ?? artifactId, region: region === 'unknown-region' ? undefined : region };
      const template = readJson(path.join(dir, artifact.properties.templateFile));
      found.push(...templateFunctions(template, artifact.displayName ?? artifactId, deployedAs, dir, logicalIdPaths(dir, artifact)));
    }
  }
  return found;
}

/** A stack as CloudFormation knows it. */
export interface DeployedStack {
  readonly stackName: string;
  readonly region?: string;
}

/** The WsgiApi functions of one stack's template: from an assembly, or from the deployed stack (`assemblyDir` '.'). */
export function templateFunctions(template: any, stackName: string, deployedAs: DeployedStack, assemblyDir: string,
  paths = new Map<string, string>()): AssemblyFunction[] {
  const found: AssemblyFunction[] = [];
  for (const [logicalId, resource] of Object.entries<any>(template.Resources ?? {})) {
    const metadata: contract.ServeMetadata | undefined = resource.Metadata?.[contract.METADATA_KEY];
    if (resource.Type !== 'AWS::Lambda::Function' || !metadata) continue;
    const functionPath: string | undefined = resource.Metadata['aws:cdk:path'] ?? paths.get(logicalId);
    // A WsgiApi's function is its WsgiFunction's ('Default'), named by the WsgiApi's path as users wrote it.
    const name = functionPath?.replace(/(\/Default)?\/Function\/Resource$/, '') ?? `${stackName}/${logicalId}`;
    const { apiType } = metadata;
    const { Properties: properties } = resource;
    found.push({ name, stackName, deployedAs, logicalId, apiType, assemblyDir, metadata, properties, resource, resources: template.Resources });
  }
  return found;
}

/** Logical ID → construct path, from the stack's metadata, for assemblies synthesized without path metadata. */
function logicalIdPaths(dir: string, artifact: any): Map<string, string> {
  const entries: Record<string, Array<{ type: string; data: unknown }>> = {
    ...artifact.metadata,
    ...(artifact.additionalMetadataFile ? readJson(path.join(dir, artifact.additionalMetadataFile)) : {}),
  };
  const paths = new Map<string, string>();
  for (const [constructPath, items] of Object.entries(entries)) {
    for (const item of items) {
      if (item.type === 'aws:cdk:logicalId' && typeof item.data === 'string') {
        paths.set(item.data, constructPath.replace(/^\//, ''));
      }
    }
  }
  return paths;
}

/**
 * The settings to serve `fn` with; checks that its app is where the synth found it, unless `sources` is false: what
 * runs the synthesized asset (`emulate`) needs none of them.
 */
export function settingsOf(fn: AssemblyFunction, sources = true): ServeSettings {
  const { name, metadata, properties } = fn;
  const variables: Record<string, unknown> = properties.Environment?.Variables ?? {};
  const { environment, deployTimeVariables } = variablesOf(properties, key => !key.startsWith(contract.ENV_PREFIX));
  const text = (key: string) => (typeof variables[key] === 'string' ? variables[key] as string : undefined);
  const app = text(contract.ENV_APP);
  if (!app) {
    throw new Error(`${name} has no ${contract.ENV_APP} variable; synthesize it again with this version of cdk-wsgi`);
  }
  if (metadata.apiType === undefined) {
    throw new Error(`${name} is a WsgiFunction without a front door of cdk-wsgi's, so serve cannot tell how its requests arrive; `
      + `name the front door with flags: cdk-wsgi serve --entry ${metadata.entry} --module ${app} --api-type rest|http|function-url|alb`);
  }
  if (!Object.values(ApiType).includes(metadata.apiType)) {
    throw new Error(`${name}'s front door (${metadata.apiType}) is not one this version of cdk-wsgi serves; update cdk-wsgi`);
  }
  const binary = text(contract.ENV_BINARY_MEDIA_TYPES);
  return {
    label: name,
    entry: sources ? findFolder(metadata.entry, fn.assemblyDir, 'app\'s entry') : path.resolve(metadata.entry),
    app,
    apiType: metadata.apiType,
    stageName: metadata.stageName ?? '',
    textMediaTypes: splitList(text(contract.ENV_TEXT_MEDIA_TYPES) ?? ''),
    binaryMediaTypes: metadata.apiType === ApiType.REST ? splitList(binary ?? '') : undefined,
    basePaths: customDomainsOf(fn),
    distribution: metadata.distribution === true,
    staticFiles: metadata.staticFiles && {
      directory: findFolder(metadata.staticFiles.directory, fn.assemblyDir, 'static files\' folder'),
      urlPath: metadata.staticFiles.urlPath,
    },
    environment,
    deployTimeVariables,
    // Lambda's own defaults, for functions whose template leaves them out.
    timeoutSeconds: typeof properties.Timeout === 'number' ? properties.Timeout : 3,
    memorySize: typeof properties.MemorySize === 'number' ? properties.MemorySize : 128,
    prime: metadata.prime,
  };
}

/**
 * A function's variables (those `keep` takes): their literal values, and the names of those only known at deploy
 * time (references to other resources).
 */
export function variablesOf(properties: any, keep: (key: string) => boolean = () => true) {
  const environment: Record<string, string> = {};
  const deployTimeVariables: string[] = [];
  for (const [key, value] of Object.entries<unknown>(properties.Environment?.Variables ?? {})) {
    if (!keep(key)) continue;
    if (typeof value === 'string') {
      environment[key] = value;
    } else {
      deployTimeVariables.push(key);
    }
  }
  return { environment, deployTimeVariables };
}

/**
 * A folder (`what`: the app's entry, its static files') recorded relative to the directory the app was synthesized
 * from: normally the current one, else the folder holding the assembly (cdk.out sits next to cdk.json).
 */
function findFolder(folder: string, assemblyDir: string, what: string): string {
  const candidates = [path.resolve(folder), path.resolve(path.dirname(assemblyDir), folder)];
  const found = candidates.find(dir => fs.existsSync(dir) && fs.statSync(dir).isDirectory());
  if (!found) {
    throw new Error(`the ${what} '${folder}' is not a folder here (looked for ${candidates.join(' and ')}); `
      + 'run cdk-wsgi serve from the directory you ran cdk synth in');
  }
  return found;
}

/**
 * The function `query` names (construct path, logical ID or stack/logical ID), or the only one; `source` says where
 * the list came from (the assembly's folder, or a deployed stack).
 */
export function selectFunction(functions: AssemblyFunction[], source: string, query?: string): AssemblyFunction {
  const list = () => functions.map(fn => `  ${fn.name} (${fn.logicalId}, ${frontDoorName(fn.apiType)})`).join('\n');
  if (functions.length === 0) {
    throw new Error(`${source} holds no WsgiApi function`);
  }
  if (query === undefined) {
    if (functions.length === 1) return functions[0];
    throw new Error(`${source} holds ${functions.length} WsgiApi functions; pick one with --function:\n${list()}`);
  }
  const wanted = query.replace(/^\//, '');
  const matches = functions.filter(fn => fn.name === wanted || fn.name.startsWith(`${wanted}/`)
    || fn.logicalId === wanted || `${fn.stackName}/${fn.logicalId}` === wanted);
  if (matches.length === 1) return matches[0];
  const problem = matches.length === 0 ? 'names no WsgiApi function' : `names ${matches.length} WsgiApi functions`;
  throw new Error(`--function ${query} ${problem} in ${source}; the functions are:\n${list()}`);
}

/** Custom domain → base path ('' at the root) of the apps mapped on one, from their CDK_WSGI_BASE_PATHS. */
export function customDomainsOf(fn: AssemblyFunction): Record<string, string> {
  const value = fn.properties.Environment?.Variables?.[contract.ENV_BASE_PATHS];
  // A domain name known only at deploy time leaves a reference here, not JSON: no local domain to serve it under.
  return typeof value === 'string' ? JSON.parse(value) : {};
}

/** The functions mapped on custom domain `domain`; `source` says where the list came from. */
export function selectDomain(functions: AssemblyFunction[], source: string, domain: string): AssemblyFunction[] {
  const mapped = functions.filter(fn => domain in customDomainsOf(fn));
  if (mapped.length > 0) return mapped;
  const domains = new Map<string, string[]>();
  for (const fn of functions) {
    for (const [name, basePath] of Object.entries(customDomainsOf(fn))) {
      domains.set(name, [...domains.get(name) ?? [], `${fn.name} at /${basePath}`]);
    }
  }
  if (domains.size === 0) {
    throw new Error(`--domain ${domain}: no WsgiApi in ${source} has a custom domain (customDomain)`);
  }
  const list = [...domains].map(([name, apps]) => `  ${name}: ${apps.join(', ')}`).join('\n');
  throw new Error(`--domain ${domain} names no custom domain in ${source}; the domains are:\n${list}`);
}

/** `REST API`, `HTTP API`, `function URL`, `load balancer`. */
function frontDoorName(apiType: ApiType | undefined): string {
  switch (apiType) {
    case undefined: return 'no front door';
    case ApiType.FUNCTION_URL: return 'function URL';
    case ApiType.ALB: return 'load balancer';
    default: return `${apiType} API`;
  }
}

function readJson(file: string): any {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(unreadable(error, file));
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not JSON (${(error as Error).message})`);
  }
}
