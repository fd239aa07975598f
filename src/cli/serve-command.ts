import { parseArgs } from 'util';
import { AssemblyFunction, customDomainsOf, readAssembly, selectDomain, selectFunction, settingsOf } from './assembly';
import { Command, UsageError } from './command';
import { serve, serveDomain } from './serve';
import { ServeSettings, settingsFromFlags } from './settings';
import * as defaults from '../contracts/defaults';
import { projectPython } from '../shared/project-python';
import { ApiType } from '../types';

const USAGE = `Usage: cdk-wsgi serve [options]

Runs the app of a WsgiApi on this machine: each request becomes the event its front door
sends (REST API with its stage, HTTP API, Lambda function URL, or Application Load
Balancer), goes through cdk_wsgi_adapter to your WSGI app, and is answered the way the
front door answers. Source changes reload it.

The app, from the cloud assembly (run \`cdk synth\` first):
  --assembly DIR         the cloud assembly (default: cdk.out)
  --function NAME        the WsgiApi to serve when there are several: its construct
                         path (MyStack/App) or its function's logical ID
  --domain NAME          every WsgiApi mapped on custom domain NAME, on one port, each
                         under its base path as the domain routes them

Or from flags:
  --entry DIR            the app's folder
  --module SPEC          its WSGI callable: api.app or api:app
  --api-type TYPE        rest, http, function-url or alb (default: ${defaults.DEFAULT_API_TYPE.toLowerCase()})
  --stage NAME           default: ${defaults.DEFAULT_STAGE_NAME[ApiType.REST]} for REST, ${defaults.DEFAULT_STAGE_NAME[ApiType.HTTP]} for HTTP (no stage in the URL);
                         a function URL or load balancer has none
  --binary-media-types L REST only, comma-separated (default: ${defaults.DEFAULT_BINARY_MEDIA_TYPES.join(',')})
  --text-media-types L   extra media types answered as text, comma-separated
  --timeout SECONDS      the function timeout (default: ${defaults.DEFAULT_TIMEOUT_SECONDS})
  --distribution         behind a CloudFront distribution: the site at the root, with
                         the visitor's host and address (not with alb)

Server:
  --port N               default: 8000; 0 picks a free port
  --host ADDR            default: 127.0.0.1
  --python PATH          the interpreter with the app's dependencies (default:
                         $CDK_WSGI_PYTHON, else ./.venv/bin/python, else python3)
  --no-reload            do not restart the app when its sources change
  -h, --help             this text
`;

const OPTIONS = {
  'assembly': { type: 'string' },
  'function': { type: 'string' },
  'domain': { type: 'string' },
  'entry': { type: 'string' },
  'module': { type: 'string' },
  'api-type': { type: 'string' },
  'stage': { type: 'string' },
  'binary-media-types': { type: 'string' },
  'text-media-types': { type: 'string' },
  'timeout': { type: 'string' },
  'distribution': { type: 'boolean' },
  'port': { type: 'string', default: '8000' },
  'host': { type: 'string', default: '127.0.0.1' },
  'python': { type: 'string' },
  'no-reload': { type: 'boolean', default: false },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

/** `cdk-wsgi serve`: the app behind an emulated front door, until Ctrl+C. */
export const serveCommand: Command = {
  name: 'serve',
  summary: 'run a WsgiApi\'s app on this machine the way its front door calls it',
  usage: USAGE,
  run: async argv => {
    let values: Values;
    try {
      values = parseArgs({ args: argv, options: OPTIONS }).values;
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new UsageError(`--port must be a port number from 0 to 65535, got '${values.port}'`);
    }
    const options = {
      host: values.host,
      port,
      python: values.python ?? projectPython(),
      reload: !values['no-reload'],
      out: (line: string) => process.stdout.write(`${line}\n`),
      err: (text: string) => process.stderr.write(text),
    };
    const banner: string[] = [];
    let server: { close(): Promise<void> };
    let apps: ServeSettings[];
    if (values.domain !== undefined) {
      const domain = values.domain;
      apps = resolveDomain(domain, values);
      const served = await serveDomain(domain, apps, options);
      banner.push(`cdk-wsgi serve: ${domain} at ${served.url}`,
        ...served.apps.map(app => `  ${app.url} → ${app.label} (${app.gateway.description})`));
      server = served;
    } else {
      const settings = resolveSettings(values);
      const served = await serve(settings, options);
      banner.push(`cdk-wsgi serve: ${settings.label} (${served.gateway.description}) at ${served.url}`);
      server = served;
      apps = [settings];
    }
    const unset = [...new Set(apps.flatMap(app => app.deployTimeVariables))].filter(name => process.env[name] === undefined);
    if (unset.length > 0) {
      banner.push(`cdk-wsgi serve: ${unset.join(', ')} get their values at deploy time; export them to give the app one`);
    }
    // One write: a reader that acts on the URL line (a script, a test) sees the warning with it.
    process.stdout.write(`${banner.join('\n')}\n`);
    const stop = () => {
      server.close().then(() => process.exit(0), () => process.exit(1));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  },
};

function resolveSettings(values: Values): ServeSettings {
  if (values.entry !== undefined || values.module !== undefined) {
    if (values.entry === undefined || values.module === undefined) {
      throw new UsageError('--entry and --module go together');
    }
    if (values.assembly !== undefined || values.function !== undefined) {
      throw new UsageError('--assembly and --function read the app from a cloud assembly; leave them out with --entry and --module');
    }
    return settingsFromFlags({
      entry: values.entry,
      module: values.module,
      apiType: values['api-type'],
      stage: values.stage,
      binaryMediaTypes: values['binary-media-types'],
      textMediaTypes: values['text-media-types'],
      timeout: values.timeout,
      distribution: values.distribution,
    });
  }
  rejectAppFlags(values);
  const dir = values.assembly ?? 'cdk.out';
  const functions = assemblyFunctions(values);
  try {
    return settingsOf(selectFunction(functions, dir, values.function));
  } catch (error) {
    const shared = values.function === undefined ? sharedDomain(functions) : undefined;
    if (shared === undefined) throw error;
    throw new Error(`${(error as Error).message}\nor serve the apps of ${shared} together: --domain ${shared}`);
  }
}

function resolveDomain(domain: string, values: Values): ServeSettings[] {
  if (values.entry !== undefined || values.module !== undefined || values.function !== undefined) {
    throw new UsageError('--domain serves the apps a cloud assembly maps on that domain; leave out --entry, --module and --function');
  }
  rejectAppFlags(values);
  return selectDomain(assemblyFunctions(values), values.assembly ?? 'cdk.out', domain).map(fn => settingsOf(fn));
}

/** Flags that describe an app are for --entry and --module only: a synthesized app says all of it. */
function rejectAppFlags(values: Values): void {
  const appFlags = ['api-type', 'stage', 'binary-media-types', 'text-media-types', 'timeout', 'distribution'] as const;
  const misplaced = appFlags.filter(flag => values[flag] !== undefined);
  if (misplaced.length > 0) {
    throw new UsageError(`--${misplaced[0]} needs --entry and --module; with a cloud assembly, the synthesized app decides it`);
  }
}

function assemblyFunctions(values: Values): AssemblyFunction[] {
  return readAssembly(values.assembly ?? 'cdk.out', 'pass --entry and --module');
}

/** A custom domain several of `functions` are mapped on, if any. */
function sharedDomain(functions: AssemblyFunction[]): string | undefined {
  const domains = functions.flatMap(fn => Object.keys(customDomainsOf(fn)));
  return domains.find((domain, i) => domains.indexOf(domain) !== i);
}
