import { commandEvent, CommandKind } from './contracts/adapter-contract';
import { propError } from './shared/prop-error';

// Labels name a task in logs and errors, where a long script would bury the outcome.
const LABEL_LENGTH = 80;

/**
 * A management command for `deployTasks`: WsgiApi runs it in the function's new version after each deployment of
 * new code, before the `live` alias moves to that version.
 *
 * It runs as `cdk-wsgi manage`, `flask`, `exec` and `command` do: in an execution environment of the function, with
 * its code, role, environment and timeout.
 */
export class WsgiTask {
  /**
   * A Django management command: `manage.py` with `args`, e.g. `WsgiTask.manage('migrate', '--noinput')`.
   *
   * @param args the command's name, then its arguments, each one string as in a shell's argv
   */
  public static manage(...args: string[]): WsgiTask {
    return WsgiTask.withArgs('manage', "WsgiTask.manage('migrate', '--noinput')", args);
  }

  /**
   * A Flask CLI command: `flask` with `args`, e.g. `WsgiTask.flask('db', 'upgrade')`.
   *
   * @param args the command's name, then its arguments, each one string as in a shell's argv
   */
  public static flask(...args: string[]): WsgiTask {
    return WsgiTask.withArgs('flask', "WsgiTask.flask('db', 'upgrade')", args);
  }

  /**
   * Python code, run as `python -c` would in the function's process, where the app is imported; a `SystemExit`
   * sets the exit code. Keep long code in a module of the app and call it, e.g. `WsgiTask.python('import tasks; tasks.seed()')`.
   *
   * @param code the Python source to run
   */
  public static python(code: string): WsgiTask {
    if (!code.trim()) {
      throw propError('WsgiTask.python(code)', 'must be Python code', code, "pass the code to run, e.g. WsgiTask.python('import tasks; tasks.seed()')");
    }
    return new WsgiTask('python', code);
  }

  /**
   * A shell command, run with `/bin/sh -c` in the function's code folder (`/var/task`), e.g.
   * `WsgiTask.shell('python scripts/warm_cache.py')`.
   *
   * @param command the command line for `/bin/sh -c`
   */
  public static shell(command: string): WsgiTask {
    if (!command.trim()) {
      throw propError('WsgiTask.shell(command)', 'must be a shell command', command, "pass the command line to run, e.g. WsgiTask.shell('ls -l')");
    }
    if (command.includes('\0')) {
      throw propError('WsgiTask.shell(command)', 'must not contain NUL characters, which no process takes as an argument',
        command.replace(/\0/g, '\\0'), 'remove them');
    }
    return new WsgiTask('shell', command);
  }

  private static withArgs(kind: 'manage' | 'flask', example: string, args: string[]): WsgiTask {
    if (args.length === 0 || !args[0].trim()) {
      throw propError(`WsgiTask.${kind}(...args)`, 'must start with the name of a command', args, `use e.g. ${example}`);
    }
    return new WsgiTask(kind, args);
  }

  /**
   * How logs and errors name the task: its kind and command on one line, cut at 80 characters, e.g.
   * `manage migrate --noinput`.
   */
  public readonly label: string;

  /** @internal The management command event the adapter answers. */
  public readonly _event: Record<string, unknown>;

  private constructor(kind: CommandKind, command: string | string[]) {
    this._event = commandEvent(kind, Array.isArray(command) ? [...command] : command);
    const text = `${kind} ${Array.isArray(command) ? command.join(' ') : command}`.replace(/\s+/g, ' ').trim();
    this.label = text.length > LABEL_LENGTH ? `${text.slice(0, LABEL_LENGTH - 1)}…` : text;
  }
}
