#!/usr/bin/env node
import * as path from 'path';
import { Command, ExitStatusError, UsageError } from './command';
import { emulateCommand } from './emulate-command';
import { readText } from './files';
import { logsCommand } from './logs-command';
import { commandCommand, execCommand, flaskCommand, manageCommand } from './remote-commands';
import { schedulesCommand } from './schedules-command';
import { serveCommand } from './serve-command';
import { tasksCommand } from './tasks-command';

const COMMANDS: Command[] = [
  serveCommand, emulateCommand, execCommand, commandCommand, manageCommand, flaskCommand, logsCommand, schedulesCommand, tasksCommand,
];

const USAGE = `Usage: cdk-wsgi <command> [options]

Commands:
${COMMANDS.map(c => `  ${c.name.padEnd(10)} ${c.summary}`).join('\n')}

Options:
  -V, --version  print cdk-wsgi's version
  -h, --help     this text

Run \`cdk-wsgi <command> --help\` for a command's options.
`;

const isHelp = (arg: string | undefined) => arg === '--help' || arg === '-h';
const isVersion = (arg: string | undefined) => arg === '--version' || arg === '-V';

/**
 * The package's version, from its package.json: two folders up from this file both in the npm package
 * (lib/cli/main.js) and in a source checkout (src/cli/main.ts, version 0.0.0); the wheel runs the npm package's.
 */
function version(): string {
  const file = path.join(__dirname, '..', '..', 'package.json');
  return `${JSON.parse(readText(file, 'reinstall cdk-wsgi')).version}\n`;
}

/** The command `argv` names, or what to print for it: `--help` anywhere prints the usage it asks for. */
function dispatch(argv: string[]): { command?: Command; print?: string } {
  const [name, ...rest] = argv;
  if (isVersion(name)) {
    return { print: version() };
  }
  if (isHelp(name) || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    const command = COMMANDS.find(c => c.name === topic);
    if (topic !== undefined && !command) {
      throw new UsageError(`unknown command '${topic}'`);
    }
    return { print: command?.usage ?? USAGE };
  }
  const command = COMMANDS.find(c => c.name === name);
  if (!command) {
    throw new UsageError(name === undefined ? 'name a command' : `unknown command '${name}'`);
  }
  const own = command.ownArgs ? rest.slice(0, command.ownArgs(rest)) : rest;
  return own.some(isHelp) ? { print: command.usage } : { command };
}

/** The status to exit with, or undefined for a command that keeps running (serve). */
async function main(argv: string[]): Promise<number | undefined> {
  let command: Command | undefined;
  try {
    const found = dispatch(argv);
    if (found.print) {
      process.stdout.write(found.print);
      return 0;
    }
    command = found.command!;
    return await command.run(argv.slice(1)) ?? undefined;
  } catch (error) {
    const prefix = command ? `cdk-wsgi ${command.name}` : 'cdk-wsgi';
    if (error instanceof UsageError) {
      process.stderr.write(`${prefix}: ${error.message}\n\n${command?.usage ?? USAGE}`);
      return 2;
    }
    process.stderr.write(`${prefix}: ${(error as Error).message}\n`);
    return error instanceof ExitStatusError ? error.status : 1;
  }
}

/**
 * A reader that stops early (`cdk-wsgi exec -c ... | head`) closes the pipe, and Node.js reports each write after that
 * as an EPIPE error event, uncaught unless listened for: what is left to print has nowhere to go, which is not a
 * failure of the command, so the CLI ends as it would have (`logs` stops following). Any other failure to write is
 * one line, where the stream still takes one.
 */
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') return;
    if (stream !== process.stderr) process.stderr.write(`cdk-wsgi: cannot write to standard output: ${error.message}\n`);
    process.exit(1);
  });
}

/**
 * Exits with `code` once stdout and stderr have taken everything written: a pipe that is full (a command's 6 MB of
 * output read by a slower process) accepts the rest later, and exiting before then would cut it off.
 */
function exitAfterOutput(code: number): void {
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

// A command that keeps running (serve) leaves the process to its server; the others end it with their status, not
// when whatever they left open closes.
main(process.argv.slice(2)).then(code => {
  if (code !== undefined) exitAfterOutput(code);
}, () => exitAfterOutput(1));
