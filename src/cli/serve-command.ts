import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { readAssembly, selectFunction, settingsOf } from './assembly';
import { Command, UsageError } from './command';
import { serve } from './serve';
import { ServeSettings, settingsFromFlags } from './settings';
import * as defaults from '../private/defaults';
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

Or from flags:
  --entry DIR            the app's folder
  --module SPEC          its WSGI callable: api.app or api:app
  --api-type TYPE        rest, http, function-url or alb (default: ${defaults.DEFAULT_API_TYPE.toLowerCase()})
  --stage NAME           default: ${defaults.DEFAULT_STAGE_NAME[ApiType.REST]} for REST, ${defaults.DEFAULT_STAGE_NAME[ApiType.HTTP]} for HTTP (no stage in the URL);
                         a function URL or load balancer has none
  --binary-media-types L REST only, comma-separated (default: ${defaults.DEFAULT_BINARY_MEDIA_TYPES.join(',')})
  --text-media-types L   extra media types answered as text, comma-separated
  --timeout SECONDS      the function timeout (default: ${defaults.DEFAULT_TIMEOUT_SECONDS})

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
  'entry': { type: 'string' },
  'module': { type: 'string' },
  'api-type': { type: 'string' },
  'stage': { type: 'string' },
  'binary-media-types': { type: 'string' },
  'text-media-types': { type: 'string' },
  'timeout': { type: 'string' },
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
    const settings = resolveSettings(values);
    const server = await serve(settings, {
      host: values.host,
      port,
      python: values.python ?? defaultPython(),
      reload: !values['no-reload'],
      out: line => process.stdout.write(`${line}\n`),
      err: text => process.stderr.write(text),
    });
    const banner = [`cdk-wsgi serve: ${settings.label} (${server.gateway.description}) at ${server.url}`];
    const unset = settings.deployTimeVariables.filter(name => process.env[name] === undefined);
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
  const appFlags = ['api-type', 'stage', 'binary-media-types', 'text-media-types', 'timeout'] as const;
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
    });
  }
  const misplaced = appFlags.filter(flag => values[flag] !== undefined);
  if (misplaced.length > 0) {
    throw new UsageError(`--${misplaced[0]} needs --entry and --module; with a cloud assembly, the synthesized app decides it`);
  }
  const dir = values.assembly ?? 'cdk.out';
  return settingsOf(selectFunction(readAssembly(dir, 'pass --entry and --module'), dir, values.function));
}

/** The interpreter local bundling uses, else the project's virtualenv, else the one on PATH. */
function defaultPython(): string {
  const venv = process.platform === 'win32' ? path.join('.venv', 'Scripts', 'python.exe') : path.join('.venv', 'bin', 'python');
  return process.env.CDK_WSGI_PYTHON || (fs.existsSync(venv) ? path.resolve(venv) : 'python3');
}
