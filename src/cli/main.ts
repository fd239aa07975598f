#!/usr/bin/env node
import { Command, UsageError } from './command';
import { serveCommand } from './serve-command';

const COMMANDS: Command[] = [serveCommand];

const USAGE = `Usage: cdk-wsgi <command> [options]

Commands:
${COMMANDS.map(c => `  ${c.name.padEnd(10)} ${c.summary}`).join('\n')}

Run \`cdk-wsgi <command> --help\` for a command's options.
`;

const isHelp = (arg: string | undefined) => arg === '--help' || arg === '-h';

/** The command `argv` names, or what to print for it: `--help` anywhere prints the usage it asks for. */
function dispatch(argv: string[]): { command?: Command; print?: string } {
  const [name, ...rest] = argv;
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
  return rest.some(isHelp) ? { print: command.usage } : { command };
}

async function main(argv: string[]): Promise<number> {
  let command: Command | undefined;
  try {
    const found = dispatch(argv);
    if (found.print) {
      process.stdout.write(found.print);
      return 0;
    }
    command = found.command!;
    await command.run(argv.slice(1));
    return 0;
  } catch (error) {
    const prefix = command ? `cdk-wsgi ${command.name}` : 'cdk-wsgi';
    if (error instanceof UsageError) {
      process.stderr.write(`${prefix}: ${error.message}\n\n${command?.usage ?? USAGE}`);
      return 2;
    }
    process.stderr.write(`${prefix}: ${(error as Error).message}\n`);
    return 1;
  }
}

// A command that keeps running (serve) leaves the process to its server; only failures and one-shot commands exit.
main(process.argv.slice(2)).then(code => {
  if (code !== 0) process.exit(code);
}, () => process.exit(1));
