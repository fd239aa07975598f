import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { accepts, freePorts, sleep } from './loopback';

/**
 * AWS's Lambda Runtime Interface Emulator running one synthesized function with AWS's Python runtime interface
 * client, on loopback. Both live in .tools/, installed by `npx projen rie:setup` (.ci/rie-setup).
 */
const TOOLS = path.join(__dirname, '..', '.tools');
export const RIE = path.join(TOOLS, 'bin', 'aws-lambda-rie');
export const RIC_DIR = path.join(TOOLS, 'awslambdaric');

/** A function of a synthesized template with the folders Lambda mounts for it. */
export interface EmulatedFunction {
  readonly logicalId: string;
  readonly handler: string;
  readonly environment: Record<string, string>;
  readonly memorySize: number;
  readonly timeoutSeconds: number;
  /** What Lambda mounts at /var/task: the function's asset. */
  readonly codeDir: string;
  /** What Lambda puts on sys.path from /opt: each layer's python/ folder, in order. */
  readonly layerDirs: string[];
  /** The aliases whose version is this function's code, by name: what clients invoke it through. */
  readonly aliases: string[];
}

/** The Python functions of a stack in `assembly`, which must be synthesized with asset metadata. */
export function pythonFunctions(assembly: CloudAssembly, stackName: string): EmulatedFunction[] {
  const resources: Record<string, any> = assembly.getStackByName(stackName).template.Resources;
  const assetDir = (resource: any) => path.join(assembly.directory, resource.Metadata['aws:asset:path']);
  // Alias -> Version (FunctionVersion) -> Function (FunctionName): the code an alias runs.
  const aliasesOf = (logicalId: string) => Object.values(resources)
    .filter(r => r.Type === 'AWS::Lambda::Alias'
      && resources[r.Properties.FunctionVersion['Fn::GetAtt']?.[0]]?.Properties.FunctionName.Ref === logicalId)
    .map(r => r.Properties.Name);
  return Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function' && String(r.Properties.Runtime).startsWith('python'))
    .map(([logicalId, fn]) => ({
      logicalId,
      handler: fn.Properties.Handler,
      environment: fn.Properties.Environment?.Variables ?? {},
      memorySize: fn.Properties.MemorySize ?? 128,
      timeoutSeconds: fn.Properties.Timeout ?? 3,
      codeDir: assetDir(fn),
      layerDirs: (fn.Properties.Layers ?? []).map((layer: any) => path.join(assetDir(resources[layer.Ref]), 'python')),
      aliases: aliasesOf(logicalId),
    }));
}

/** This machine's platform as a Lambda target: the interpreter awslambdaric was installed for, its runtime. */
export function localPlatform(): { python: string; runtime: lambda.Runtime; architecture: lambda.Architecture } {
  if (!fs.existsSync(RIE) || !fs.existsSync(path.join(TOOLS, 'python'))) {
    throw new Error('the Lambda emulator is not installed in .tools/; run `npx projen rie:setup`');
  }
  const python = fs.readFileSync(path.join(TOOLS, 'python'), 'utf-8').trim();
  const version = spawnSync(python, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf-8' }).stdout.trim();
  const runtime = lambda.Runtime.ALL.find(r => r.name === `python${version}`);
  if (!runtime) {
    throw new Error(`${python} is not a CPython version Lambda runs (python${version})`);
  }
  const architecture = process.arch === 'arm64' ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64;
  return { python, runtime, architecture };
}

/** How a function is started in the emulator. */
export interface EmulatorOptions {
  /**
   * The alias or version it is invoked through, as the handler's context tells it. The emulator ignores the Invoke
   * API's Qualifier and builds `context.invoked_function_arn` as `arn:aws:lambda:us-east-1:012345678912:function:` plus
   * AWS_LAMBDA_FUNCTION_NAME (aws-lambda-runtime-interface-emulator, cmd/aws-lambda-rie/handlers.go), so the name
   * carries it: `<name>:<qualifier>`.
   *
   * @default - unqualified
   */
  readonly qualifier?: string;

  /**
   * Whether the runtime's AWS_LAMBDA_FUNCTION_NAME is the function's name alone, as Lambda sets it, while the emulator
   * still builds the invoked ARN with `qualifier`: what code that invokes its own function by name needs (the adapter's
   * `.delay()`). The runtime is then started through `/bin/sh`, which drops the `:<qualifier>` and execs it.
   *
   * @default false - the runtime sees `<name>:<qualifier>` as well
   */
  readonly unqualifiedFunctionName?: boolean;
}

/** An invocation under way: its request ID once the emulator has logged its START line, and its outcome. */
export interface Dispatch {
  readonly requestId: Promise<string>;
  readonly result: Promise<Invocation>;
}

/** What an invocation answered: the emulator's HTTP status and the function's payload. */
export interface Invocation {
  readonly status: number;
  readonly payload: any;
}

/** One emulator process (and, once invoked, its Python runtime), from start to stop. */
export class Emulator {
  /**
   * Starts the emulator for `fn` and waits until it accepts invocations. Lambda initialises the function on
   * the first invocation, as the emulator does too: the runtime process starts then, not here.
   */
  public static async start(fn: EmulatedFunction, python: string, options: EmulatorOptions = {}): Promise<Emulator> {
    const [port, runtimeApiPort] = await freePorts(2);
    const env: Record<string, string> = {
      // What Lambda's Python runtime sets, with the function's folders where /var/task and /opt/python would be.
      PATH: '/usr/local/bin:/usr/bin:/bin',
      LANG: 'en_US.UTF-8',
      TZ: ':UTC',
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_LAMBDA_FUNCTION_NAME: options.qualifier === undefined ? fn.logicalId : `${fn.logicalId}:${options.qualifier}`,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
      AWS_LAMBDA_FUNCTION_TIMEOUT: String(fn.timeoutSeconds),
      LAMBDA_TASK_ROOT: fn.codeDir,
      PYTHONPATH: [fn.codeDir, ...fn.layerDirs, RIC_DIR].join(path.delimiter),
      // /var/task and /opt are read-only on Lambda: a module without usable bytecode is compiled on every cold start.
      PYTHONDONTWRITEBYTECODE: '1',
      ...fn.environment,
    };
    // -S: no site-packages of the local interpreter, so the app can only import what its asset and layers bring.
    const args = [
      '--runtime-interface-emulator-address', `127.0.0.1:${port}`,
      // Its own Runtime API port, not the default 9001, so emulators side by side cannot collide.
      '--runtime-api-address', `127.0.0.1:${runtimeApiPort}`,
      ...(options.unqualifiedFunctionName
        ? ['/bin/sh', '-c', 'export AWS_LAMBDA_FUNCTION_NAME="${AWS_LAMBDA_FUNCTION_NAME%%:*}"; exec "$@"', 'sh'] : []),
      python, '-S', '-m', 'awslambdaric', fn.handler,
    ];
    const child = spawn(RIE, args, { cwd: fn.codeDir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const emulator = new Emulator(child, port);
    await emulator.untilListening(10_000);
    return emulator;
  }

  private readonly output: string[] = [];
  private exited = false;

  private constructor(private readonly child: ChildProcess, public readonly port: number) {
    child.stdout!.on('data', chunk => this.output.push(String(chunk)));
    child.stderr!.on('data', chunk => this.output.push(String(chunk)));
    child.on('exit', () => { this.exited = true; });
  }

  /** Everything the emulator and the function printed so far (RIE's log, START/END/REPORT lines, tracebacks). */
  public get log(): string {
    return this.output.join('');
  }

  /** Invokes the function with `event`, as the Lambda Invoke API does. */
  public async invoke(event: unknown, timeoutMs = 60_000): Promise<Invocation> {
    const body = Buffer.from(JSON.stringify(event));
    const response = await new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
      const request = http.request({
        host: '127.0.0.1',
        port: this.port,
        method: 'POST',
        path: '/2015-03-31/functions/function/invocations',
        headers: { 'Content-Type': 'application/json', 'Content-Length': body.length },
        timeout: timeoutMs,
      }, res => {
        const chunks: Buffer[] = [];
        res.on('data', chunk => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      request.on('timeout', () => request.destroy(new Error(`invocation timed out after ${timeoutMs} ms\n${this.log}`)));
      request.on('error', reject);
      request.end(body);
    });
    const text = response.body.toString('utf-8');
    try {
      return { status: response.status, payload: JSON.parse(text) };
    } catch {
      throw new Error(`the emulator answered ${response.status} with a payload that is not JSON: ${text}\n${this.log}`);
    }
  }

  /**
   * Invokes the function with `event` and tells its request ID as soon as the emulator logged its START line (within
   * `timeoutMs`), before the invocation ends: the emulator makes up each invocation's ID, which no request can choose.
   */
  public dispatch(event: unknown, timeoutMs = 60_000): Dispatch {
    const offset = this.log.length;
    const result = this.invoke(event, timeoutMs);
    let settled = false;
    result.then(() => { settled = true; }, () => { settled = true; });
    const requestId = (async () => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const id = /^START RequestId: (\S+)/m.exec(this.log.slice(offset))?.[1];
        if (id !== undefined) return id;
        if (settled || Date.now() > deadline) {
          throw new Error(`the emulator logged no START line for the invocation within ${timeoutMs} ms:\n${this.log.slice(offset)}`);
        }
        await sleep(10);
      }
    })();
    return { requestId, result };
  }

  /**
   * What the emulator and the function printed from `offset` (a length of `log`) on, once the REPORT line of
   * `requestId` is there (within 5 s): one invocation's lines, when the emulator ran nothing else meanwhile.
   */
  public async logOf(requestId: string, offset: number): Promise<string> {
    const deadline = Date.now() + 5_000;
    while (!this.log.slice(offset).includes(`REPORT RequestId: ${requestId}`) && Date.now() < deadline) await sleep(10);
    return this.log.slice(offset);
  }

  /** The runtime process the emulator started (a child of it), once the function is initialised. */
  public runtimePid(): number | undefined {
    const pid = fs.readdirSync('/proc').find(entry => /^\d+$/.test(entry) && procStat(Number(entry))?.[1] === String(this.child.pid));
    return pid === undefined ? undefined : Number(pid);
  }

  /**
   * Stops the emulator: SIGTERM to its process group, SIGKILL after 5 s. The emulator kills the runtime as it
   * shuts down; a runtime that outlives a killed emulator (it leads a process group of its own) is killed too.
   */
  public async stop(): Promise<void> {
    const runtime = this.runtimePid();
    // Its start time tells the same process from a later one that reused its pid.
    const runtimeStart = runtime === undefined ? undefined : procStat(runtime)?.[19];
    for (const [signal, graceMs] of [['SIGTERM', 5_000], ['SIGKILL', 5_000]] as const) {
      if (this.exited) break;
      try {
        process.kill(-this.child.pid!, signal);
      } catch {
        break; // the group is gone
      }
      const deadline = Date.now() + graceMs;
      while (!this.exited && Date.now() < deadline) await sleep(20);
    }
    if (runtime !== undefined && runtimeStart !== undefined && procStat(runtime)?.[19] === runtimeStart) {
      try {
        process.kill(-runtime, 'SIGKILL');
      } catch {
        // it ended meanwhile
      }
    }
  }

  private async untilListening(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await accepts(this.port))) {
      if (this.exited || Date.now() > deadline) {
        await this.stop();
        throw new Error(`aws-lambda-rie did not listen on 127.0.0.1:${this.port} within ${timeoutMs} ms:\n${this.log}`);
      }
      await sleep(20);
    }
  }
}

/** The fields of /proc/<pid>/stat after "pid (comm)": state, ppid, pgrp, … (starttime at 19); undefined once gone. */
function procStat(pid: number): string[] | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf-8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' '); // comm may hold spaces and parentheses
  } catch {
    return undefined;
  }
}
