import { AppRunner } from './app-runner';
import { readAssembly, selectFunction, settingsOf } from './assembly';
import { Command, UsageError } from './command';
import { prepareEmulation, startEnvironment } from './emulation';
import { startLambdaServices } from './lambda-services';
import { parse } from './remote-commands';
import { serve } from './serve';
import { ENV_LOCAL_HTTP, ENV_ORIGIN_SECRET, ENV_PREFIX } from '../contracts/adapter-contract';
import { LIVE_ALIAS_NAME } from '../contracts/defaults';

const USAGE = `Usage: cdk-wsgi emulate [options]

Runs the function as \`cdk synth\` built it (its asset, the adapter layer, its handler,
environment, memory and timeout) in AWS's Lambda Runtime Interface Emulator with AWS's
Python runtime interface client, behind the same emulated front door as \`serve\`. No
Docker: the emulator, the client and, when this machine has none, a CPython of the
function's version are fetched once into the user's cache (it says what and how large
first); later runs work offline. Linux only, as the emulator is.

It prints the function's log as Lambda writes it: INIT_START, priming, START, END and
REPORT with the init duration. A timeout or crash starts a fresh environment, as on
Lambda. Run \`cdk synth\` again to emulate changed code.

  --assembly DIR         the cloud assembly (default: cdk.out)
  --function NAME        the WsgiApi when there are several: its construct path
                         (MyStack/App) or its function's logical ID
  --cold                 a fresh environment, with its init, for every request
  --architecture ARCH    run a function built for the other architecture on this
                         machine's (x86_64 or arm64): its pure-Python packages work
  --python PATH          the CPython to run it with (default: the function's version
                         found on this machine, else fetched once)
  --env NAME=VALUE       a variable for the function, over the template's (repeat it:
                         --env ALLOWED_HOSTS=127.0.0.1 --env DEBUG=1)
  --port N               default: 8000; 0 picks a free port
  --host ADDR            default: 127.0.0.1
  -h, --help             this text
`;

const OPTIONS = {
  assembly: { type: 'string' },
  function: { type: 'string' },
  cold: { type: 'boolean', default: false },
  architecture: { type: 'string' },
  python: { type: 'string' },
  env: { type: 'string', multiple: true },
  port: { type: 'string', default: '8000' },
  host: { type: 'string', default: '127.0.0.1' },
} as const;

const NAME = 'cdk-wsgi emulate';

/** `cdk-wsgi emulate`: the synthesized function in AWS's runtime emulator, behind its emulated front door. */
export const emulateCommand: Command = {
  name: 'emulate',
  summary: 'run the synthesized function in AWS\'s Lambda runtime emulator, without Docker',
  usage: USAGE,
  run: async argv => {
    const { values } = parse(argv, OPTIONS, false);
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new UsageError(`--port must be a port number from 0 to 65535, got '${values.port}'`);
    }
    const variables = parseVariables(values.env ?? []);
    const dir = values.assembly ?? 'cdk.out';
    const found = selectFunction(readAssembly(dir, 'pass --assembly DIR'), dir, values.function);
    // The asset is the code: the sources need not be here (the static files a distribution serves must be).
    const settings = settingsOf(found, false);
    const say = (line: string) => process.stderr.write(`${line}\n`);
    const emulation = await prepareEmulation(found, { architecture: values.architecture, python: values.python, say });
    const { fn } = emulation;
    const out = (line: string) => process.stdout.write(`${line}\n`);
    // `.delay()` invokes the function asynchronously: Lambda answers 202 and runs the task in another environment,
    // started here on the first one.
    let tasks: AppRunner | undefined;
    const services = await startLambdaServices((payload, requestId) => {
      tasks ??= new AppRunner(() => startEnvironment(emulation, LIVE_ALIAS_NAME, out, environment), out);
      void tasks.invoke(payload, requestId)?.then(outcome => {
        if ('error' in outcome) out(`${NAME}: the asynchronous invocation ${requestId} failed: ${outcome.error}`);
      });
    });
    const environment = { ...variables, ...services.environment, [ENV_LOCAL_HTTP]: '1' };
    const server = await serve(settings, {
      host: values.host,
      port,
      python: emulation.tools.python,
      reload: false,
      cold: values.cold,
      name: NAME,
      out,
      err: text => process.stderr.write(text),
      // The front doors invoke the live alias; behind the stand-in distribution, the adapter trusts its session secret.
      environment: (_settings, _port, originSecret) => startEnvironment(emulation, LIVE_ALIAS_NAME, out, {
        ...environment,
        ...originSecret === undefined ? {} : { [ENV_ORIGIN_SECRET]: originSecret },
      }),
    });
    // cdk-wsgi's own (the distribution's secret, event sources' ARNs) are the CLI's business, not the user's.
    const unset = fn.deployTimeVariables
      .filter(name => !name.startsWith(ENV_PREFIX) && process.env[name] === undefined && variables[name] === undefined);
    process.stdout.write([
      `${NAME}: ${settings.label} (${server.gateway.description}) at ${server.url}`,
      `  ${emulation.runtimeVersion}, ${fn.architecture}, ${fn.memorySize} MB, ${fn.timeoutSeconds} s timeout; `
        + `${values.cold ? 'every request starts a fresh environment' : 'initialised on the first request, as Lambda does'}`,
      ...emulation.notes.map(note => `${NAME}: ${note}`),
      ...(unset.length > 0 ? [`${NAME}: ${unset.join(', ')} get their values at deploy time; export them to give the function one`] : []),
    ].join('\n') + '\n');
    const stop = () => {
      tasks?.close();
      Promise.all([server.close(), services.close()]).then(() => process.exit(0), () => process.exit(1));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    process.once('SIGHUP', stop);
  },
};

/** `--env NAME=VALUE` flags as variables; a malformed one is a usage error. */
function parseVariables(flags: string[]): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const flag of flags) {
    const at = flag.indexOf('=');
    const name = flag.slice(0, at);
    if (at < 1 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new UsageError(`--env takes NAME=VALUE, a variable's name and its value, got '${flag}'`);
    }
    variables[name] = flag.slice(at + 1);
  }
  return variables;
}
