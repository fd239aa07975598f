import { readAssembly, selectFunction } from './assembly';
import { Command, UsageError } from './command';
import { LOCAL_USAGE } from './local-commands';
import { COMMAND_OPTIONS, parse, runEvent, TARGET_OPTIONS, TARGET_USAGE } from './remote-commands';

const LIST_USAGE = `Usage: cdk-wsgi tasks [--assembly DIR] [--function NAME]
       cdk-wsgi tasks run [options]

Lists the function's deploy tasks (deployTasks: in the CDK app) in the order each
deployment runs them, as the cloud assembly says (run \`cdk synth\` first).
  --assembly DIR         the cloud assembly (default: cdk.out)
  --function NAME        the WsgiApi when there are several: its construct path
                         (MyStack/App) or its function's logical ID
  -h, --help             this text

\`cdk-wsgi tasks run --help\` says how to run them now.
`;

const RUN_USAGE = `Usage: cdk-wsgi tasks run [options]

Runs the function's deploy tasks now, in order, as a deployment runs them: each one's
event goes to the function's manage alias, its output is printed as written, and the
first that exits non-zero stops the rest, its status being the exit status. With
--local, they run on this machine, in the function as synthesized: a database
migration before \`cdk deploy\`, against the database the function's variables name.

${TARGET_USAGE}
${LOCAL_USAGE}`;

/** `cdk-wsgi tasks`: the function's deploy tasks; `tasks run` runs them now, in the deployed function or here. */
export const tasksCommand: Command = {
  name: 'tasks',
  summary: 'list the function\'s deploy tasks, or run them now (--local: on this machine)',
  usage: LIST_USAGE,
  ownArgs: argv => (argv[0] === 'run' ? 0 : argv.length),
  run: async argv => (argv[0] === 'run' ? runTasks(argv.slice(1)) : listTasks(argv)),
};

function listTasks(argv: string[]): number {
  const { values, positionals } = parse(argv, TARGET_OPTIONS, true);
  if (positionals.length > 0) {
    throw new UsageError(`unknown subcommand '${positionals[0]}': \`tasks\` lists the deploy tasks, \`tasks run\` runs them`);
  }
  const tasks = assemblyTasks(values);
  process.stdout.write(tasks.tasks.length === 0 ? `${tasks.label} has no deploy tasks\n`
    : `${tasks.label}'s deploy tasks, in the order a deployment runs them:\n${tasks.tasks.map((task, i) => `  ${i + 1}. ${task.label}\n`).join('')}`);
  return 0;
}

async function runTasks(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { ...COMMAND_OPTIONS, help: { type: 'boolean', short: 'h' } }, true);
  if (values.help) {
    process.stdout.write(RUN_USAGE);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`tasks run takes no arguments, got ${positionals.join(' ')}`);
  if (values.stack !== undefined) throw new UsageError('tasks run reads the tasks from the cloud assembly; leave out --stack');
  const { label, tasks } = assemblyTasks(values);
  if (tasks.length === 0) {
    process.stderr.write(`cdk-wsgi tasks: ${label} has no deploy tasks\n`);
    return 0;
  }
  const where = values.local ? 'on this machine' : 'in the deployed function';
  for (const [index, task] of tasks.entries()) {
    process.stderr.write(`cdk-wsgi tasks: ${index + 1}/${tasks.length} '${task.label}' ${where}\n`);
    const status = await runEvent(values, () => task.event);
    if (status !== 0) {
      const skipped = tasks.length - index - 1;
      process.stderr.write(`cdk-wsgi tasks: '${task.label}' exited with ${status}${skipped > 0 ? `; the ${skipped} after it did not run` : ''}\n`);
      return status;
    }
  }
  process.stderr.write(`cdk-wsgi tasks: ${tasks.length} deploy task(s) succeeded ${where}\n`);
  return 0;
}

function assemblyTasks(values: { assembly?: string; function?: string; region?: string; profile?: string }) {
  const dir = values.assembly ?? 'cdk.out';
  const fn = selectFunction(readAssembly(dir, 'name its folder with --assembly'), dir, values.function);
  return { label: fn.name, tasks: fn.metadata.deployTasks ?? [] };
}
