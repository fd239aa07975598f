import { randomUUID } from 'crypto';
import { AssemblyFunction, readAssembly, selectFunction, settingsOf } from './assembly';
import { UsageError } from './command';
import { prepareEmulation, startEnvironment } from './emulation';
import { outcomeOf } from './lambda-environment';
import * as lazy from './lazy';
import { PythonWorker } from './python-worker';
import type { RemoteTarget, TargetOptions } from './remote-target';
import { CommandAnswer, ENV_MANAGEMENT, MANAGE_ALIAS_NAME } from '../contracts/adapter-contract';

/** The options of the commands that can run on this machine instead of in the deployed function. */
export const LOCAL_OPTIONS = {
  local: { type: 'boolean' },
  python: { type: 'string' },
  architecture: { type: 'string' },
} as const;

export const LOCAL_USAGE = `On this machine instead (after \`cdk synth\`; no AWS account needed):
  --local                send the same event to the function as synthesized, in AWS's
                         Lambda runtime emulator (as \`cdk-wsgi emulate\` runs it), with
                         its variables from the cloud assembly
  --python PATH          with --local: run it with this interpreter and the app's
                         sources instead (the interpreter with its dependencies)
  --architecture ARCH    with --local: run a function built for the other architecture
                         on this machine's, as \`emulate\` does
`;

export interface LocalOptions extends TargetOptions {
  readonly local?: boolean;
  readonly python?: string;
  readonly architecture?: string;
}

/**
 * Runs the event `eventFor` makes on this machine, through the `manage` alias as the deployed function would be
 * invoked: in the runtime emulator with the synthesized asset, or, with `python`, in a Python worker with the sources.
 * The function's own log goes to stderr only when the invocation fails, where it tells why.
 */
export async function runLocally(options: LocalOptions, eventFor: (target: RemoteTarget) => Record<string, unknown>): Promise<CommandAnswer> {
  const misplaced = (['stack', 'region', 'profile'] as const).find(option => options[option] !== undefined);
  if (misplaced) {
    throw new UsageError(`--${misplaced} reaches the deployed function; --local runs the one in the cloud assembly, so leave it out`);
  }
  const dir = options.assembly ?? 'cdk.out';
  const fn = selectFunction(readAssembly(dir, 'or leave out --local to run it in the deployed function'), dir, options.function);
  const target = localTarget(fn);
  const event = JSON.stringify(eventFor(target));
  const log: string[] = [];
  let text: string;
  let failed: boolean;
  if (options.python !== undefined) {
    if (options.architecture !== undefined) throw new UsageError('--architecture is for the emulator; leave it out with --python');
    // The worker does not pass the function's CDK_WSGI_* variables on, so the adapter cannot see this itself.
    if (target.commandsOff) {
      throw new Error(`${fn.name} turns management commands off (managementCommands: false); remove that prop to run them`);
    }
    ({ text, failed } = await inWorker(fn, options.python, event, chunk => log.push(chunk)));
  } else {
    const say = (line: string) => process.stderr.write(`${line}\n`);
    const emulation = await prepareEmulation(fn, { architecture: options.architecture, say });
    const environment = startEnvironment(emulation, MANAGE_ALIAS_NAME, line => log.push(`${line}\n`));
    try {
      const raw = await environment.invokeRaw(event);
      text = raw.text;
      failed = 'error' in outcomeOf(raw);
    } finally {
      environment.stop();
    }
  }
  try {
    // Lambda reports a handler's exception as an Unhandled FunctionError.
    return lazy.runCommand().answerOf(text, failed ? 'Unhandled' : undefined);
  } catch (error) {
    process.stderr.write(log.join(''));
    throw error;
  }
}

/** Runs the event in a Python worker with `python` and the app's sources, as `serve` runs the app. */
async function inWorker(fn: AssemblyFunction, python: string, event: string,
  log: (text: string) => void): Promise<{ text: string; failed: boolean }> {
  const worker = new PythonWorker({ python, settings: settingsOf(fn), port: 0, stderr: log, qualifier: MANAGE_ALIAS_NAME });
  try {
    const ready = await worker.ready;
    if (ready.error) {
      throw new Error(`the app failed to import with ${python}: ${ready.error}${ready.hint ? `; ${ready.hint}` : ''}`);
    }
    const outcome = await worker.invoke(event, randomUUID());
    return 'error' in outcome
      ? { text: JSON.stringify({ errorType: 'Error', errorMessage: outcome.error }), failed: true }
      : { text: JSON.stringify(outcome.result), failed: false };
  } finally {
    worker.stop();
  }
}

/** What the commands' events are made from, for a function that is not deployed. */
function localTarget(fn: AssemblyFunction): RemoteTarget {
  return {
    label: fn.name,
    functionName: fn.logicalId,
    qualifier: MANAGE_ALIAS_NAME,
    commandsOff: fn.properties.Environment?.Variables?.[ENV_MANAGEMENT] === '0',
    logGroupName: `/aws/lambda/${fn.logicalId}`,
    schedules: fn.metadata.schedules ?? [],
    aws: {},
  };
}
