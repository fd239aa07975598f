import { parseArgs, ParseArgsOptionsConfig } from 'util';
import { clientConfig, recordingTargets } from './aws-clients';
import { Command, ExitStatusError, UsageError } from './command';
import { readText } from './files';
import * as lazy from './lazy';
import { LOCAL_OPTIONS, LOCAL_USAGE, LocalOptions, runLocally } from './local-commands';
import type { RemoteTarget } from './remote-target';
import { CommandAnswer, CommandKind, commandEvent, SCHEDULED_COMMAND_ERROR, SCHEDULED_EXIT } from '../contracts/adapter-contract';

/** The options every command that reaches the deployed function takes; logs-command.ts shares them. */
export const TARGET_OPTIONS = {
  assembly: { type: 'string' },
  function: { type: 'string' },
  stack: { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
} as const;

/** The target options, and --local with its own: what the commands that run a command event take. */
export const COMMAND_OPTIONS = { ...TARGET_OPTIONS, ...LOCAL_OPTIONS } as const;

export const TARGET_USAGE = `The function, from the cloud assembly (run \`cdk synth\` first) or the deployed stack:
  --assembly DIR         the cloud assembly (default: cdk.out)
  --stack NAME           read the deployed stack instead of a cloud assembly
  --function NAME        the WsgiApi when there are several: its construct path
                         (MyStack/App) or its function's logical ID

AWS (the SDK's usual credentials chain, as the AWS CLI uses):
  --region REGION        default: the stack's, else AWS_REGION or the profile's
  --profile NAME         default: AWS_PROFILE, else the default profile
  -h, --help             this text
`;

const INVOKE_NOTE = `It invokes the function's manage alias (the version the API serves) with your AWS
credentials, which api.grantManage(<role or user>) in the CDK app allows; prints the
command's stdout and stderr as they were written, and exits with the command's exit
status. Output past about 6 MB (Lambda's response limit) keeps its start and end,
with a line on stderr saying what was cut.
`;

/** Parses `args` as `options`, a mistake in them being a usage error. */
export function parse<T extends ParseArgsOptionsConfig>(args: string[], options: T, allowPositionals: boolean) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The target options, and what follows them (or a `--` after them): the arguments the command passes on. */
function parsePassOn(argv: string[]) {
  const split = ownArgCount(argv);
  const rest = argv.slice(split);
  return { values: parse(argv.slice(0, split), COMMAND_OPTIONS, false).values, rest: rest[0] === '--' ? rest.slice(1) : rest };
}

/** How many leading arguments are target options (with their values), before what the command passes on. */
function ownArgCount(argv: string[]): number {
  const takesValue = (arg: string) => arg.startsWith('--') && !arg.includes('=')
    && (COMMAND_OPTIONS as Record<string, { type: string }>)[arg.slice(2)]?.type === 'string';
  let i = 0;
  while (i < argv.length && argv[i].startsWith('-') && argv[i] !== '--') {
    i += takesValue(argv[i]) ? 2 : 1;
  }
  return Math.min(i, argv.length);
}

/** Runs `kind` with `command` on the function the options name, and prints what it wrote. */
function runRemote(values: LocalOptions, kind: CommandKind, command: string | string[]): Promise<number> {
  return runEvent(values, () => commandEvent(kind, command));
}

/**
 * Invokes the manage alias of the function the options name with the event `eventFor` makes for it (a command's, or a
 * schedule's: `cdk-wsgi schedules run`), prints what the command wrote and returns its exit status. With `logsHint`, a
 * failed invocation's error ends with the `cdk-wsgi logs --request` line that shows its log.
 */
export async function runEvent(values: LocalOptions, eventFor: (target: RemoteTarget) => Record<string, unknown>,
  logsHint = false): Promise<number> {
  if (values.local) return printed(await locally(values, eventFor));
  const misplaced = (['python', 'architecture'] as const).find(option => values[option] !== undefined);
  if (misplaced) throw new UsageError(`--${misplaced} goes with --local`);
  const { commandClient, runCommand, CommandFailedError } = lazy.runCommand();
  const { explainingAwsErrors, GRANT_MANAGE } = lazy.awsErrors();
  return explainingAwsErrors(values, GRANT_MANAGE, async target => {
    const event = eventFor(target);
    const client = recordingTargets(commandClient(clientConfig(target.aws)));
    // Lambda names the invocation in its answer's x-amzn-RequestId, which the SDK reads into $metadata.
    let requestId: string | undefined;
    if (logsHint) {
      client.middlewareStack.add(next => async args => {
        const result = await next(args);
        requestId = (result.output as { $metadata?: { requestId?: string } }).$metadata?.requestId;
        return result;
      }, { step: 'initialize', name: 'cdkWsgiRequestId' });
    }
    let answer;
    try {
      answer = await runCommand(client, target.functionName, event, target.qualifier);
    } catch (error) {
      if (!(error instanceof CommandFailedError)) throw noSuchAlias(error, target) ?? error;
      const options = (['assembly', 'stack', 'function', 'region', 'profile'] as const)
        .flatMap(option => (values[option] === undefined ? [] : [` --${option} ${values[option]}`])).join('');
      const message = requestId ? `${error.message}; its log: cdk-wsgi logs --request ${requestId}${options}` : error.message;
      // A scheduled command that exits non-zero fails the invocation (so the scheduler retries it): its status
      // is the end of the error's message, and its output is in the log.
      const status = scheduledExitStatus(error.functionError);
      if (status !== undefined) throw new ExitStatusError(message, status, { cause: error });
      throw requestId ? new CommandFailedError(message, { cause: error }) : error;
    }
    return printed(answer);
  });
}

/** Writes what the command wrote, each chunk to its stream, and returns its exit status. */
function printed(answer: CommandAnswer): number {
  for (const [stream, text] of answer.output) {
    (stream === 'stderr' ? process.stderr : process.stdout).write(text);
  }
  return answer.exitCode;
}

/** Runs the event on this machine; a scheduled command that exits non-zero fails the invocation, as deployed. */
async function locally(values: LocalOptions, eventFor: (target: RemoteTarget) => Record<string, unknown>): Promise<CommandAnswer> {
  const { CommandFailedError } = lazy.runCommand();
  try {
    return await runLocally(values, eventFor);
  } catch (error) {
    const status = error instanceof CommandFailedError ? scheduledExitStatus(error.functionError) : undefined;
    if (status !== undefined) throw new ExitStatusError((error as Error).message, status, { cause: error });
    throw error;
  }
}

/** The exit status a scheduled command's failed invocation reports, or undefined for any other function error. */
export function scheduledExitStatus(functionError: { errorType?: string; errorMessage?: string } | undefined): number | undefined {
  if (functionError?.errorType !== SCHEDULED_COMMAND_ERROR || typeof functionError.errorMessage !== 'string') return undefined;
  const at = functionError.errorMessage.lastIndexOf(SCHEDULED_EXIT);
  const status = at < 0 ? NaN : Number(functionError.errorMessage.slice(at + SCHEDULED_EXIT.length));
  return Number.isInteger(status) && status > 0 && status < 256 ? status : undefined;
}

/**
 * CloudFormation knows the function, and Lambda answers that its alias is not found: the app turns commands off
 * (which leaves the alias out), or it was deployed with a cdk-wsgi that gave it no `manage` alias (or the function
 * was deleted behind CloudFormation's back), which a deployment makes.
 */
function noSuchAlias(error: unknown, target: RemoteTarget): Error | undefined {
  if ((error as Error | undefined)?.name !== 'ResourceNotFoundException') return undefined;
  const region = target.aws.region ?? process.env.AWS_REGION;
  const text = `${(error as Error).message.replace(/\s+/g, ' ').trim()}${region ? ` in ${region}` : ''}`;
  const fix = target.commandsOff
    ? `${target.label} turns management commands off (managementCommands: false), so it has no ${target.qualifier} alias; `
      + 'remove that prop and deploy (cdk deploy) to run them'
    : `deploy the app (cdk deploy) with this version of cdk-wsgi, which gives the function the ${target.qualifier} alias `
      + 'that commands run through';
  return new Error(`${text}: ${fix}`, { cause: error });
}

/** A command that takes the target options and passes everything after them on to the remote command. */
function passOnCommand(name: string, kind: 'manage' | 'flask', summary: string, usage: string): Command {
  return {
    name,
    summary,
    usage: `${usage}\n${INVOKE_NOTE}\n${TARGET_USAGE}\n${LOCAL_USAGE}`,
    ownArgs: argv => ownArgCount(argv),
    run: async argv => {
      const { values, rest } = parsePassOn(argv);
      if (rest.length === 0) throw new UsageError(`name the ${kind} command to run`);
      return runRemote(values, kind, rest);
    },
  };
}

export const manageCommand = passOnCommand('manage', 'manage',
  'run a Django manage.py command where the app runs',
  `Usage: cdk-wsgi manage [options] <command> [args...]

Runs Django's manage.py <command> in the deployed function, with the app's settings:
  cdk-wsgi manage migrate --noinput
  cdk-wsgi manage shell -c "from django.contrib.auth.models import User; print(User.objects.count())"
Interactive commands (createsuperuser without --noinput, a bare shell) get no input.
`);

export const flaskCommand = passOnCommand('flask', 'flask',
  'run a Flask CLI command with the app loaded where it runs',
  `Usage: cdk-wsgi flask [options] <command> [args...]

Runs the Flask CLI in the deployed function with the app loaded, as \`flask --app\` would:
  cdk-wsgi flask routes
  cdk-wsgi flask db upgrade
`);

export const execCommand: Command = {
  name: 'exec',
  summary: 'run Python code where the app runs',
  usage: `Usage: cdk-wsgi exec [options] (-c CODE | FILE | -)

Runs Python code in the deployed function, as \`python -c\` would, with the app's
folder importable: from -c, from FILE, or from standard input with -.
  cdk-wsgi exec -c "import api; print(api.app.url_map)"
  cdk-wsgi exec scripts/backfill.py
  -c, --code CODE        the code to run

${INVOKE_NOTE}
${TARGET_USAGE}
${LOCAL_USAGE}`,
  run: async argv => {
    const { values, positionals: rest } = parse(argv, { ...COMMAND_OPTIONS, code: { type: 'string', short: 'c' } }, true);
    if ((values.code === undefined) === (rest.length !== 1)) {
      throw new UsageError('give the code with -c CODE, or one FILE (- for standard input)');
    }
    const code = values.code ?? readCode(rest[0]);
    return runRemote(values, 'python', code);
  },
};

export const commandCommand: Command = {
  name: 'command',
  summary: 'run a shell command where the app runs',
  usage: `Usage: cdk-wsgi command [options] [--] <shell command...>

Runs a shell command in the deployed function with /bin/sh -c, in the app's folder
(Lambda's task root); its words are joined with spaces, as ssh does:
  cdk-wsgi command 'ls -la /tmp && df -h /tmp'
  cdk-wsgi command -- pip list
A command still running 1 s before the function's timeout is stopped (exit 124).

${INVOKE_NOTE}
${TARGET_USAGE}
${LOCAL_USAGE}`,
  ownArgs: argv => ownArgCount(argv),
  run: async argv => {
    const { values, rest } = parsePassOn(argv);
    if (rest.length === 0) throw new UsageError('name the shell command to run');
    return runRemote(values, 'shell', rest.join(' '));
  },
};

/** The code `exec` runs: FILE's, or standard input's with `-`. */
function readCode(file: string): string {
  return readText(file === '-' ? 0 : file, 'name the Python file to run, or give the code with -c CODE or on standard input with -');
}
