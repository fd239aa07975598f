/** A `cdk-wsgi` command: its name, the line the top-level usage shows, its own usage, and what it does. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  /**
   * Where the command's own options end, for commands that pass the rest on (`manage migrate --help` is Django's
   * help): `--help` counts only before this index.
   */
  ownArgs?(argv: string[]): number;
  /** Runs the command; a number is the exit status the CLI ends with (a server's command returns nothing). */
  run(argv: string[]): Promise<number | void>;
}

/** A mistake in the command line: the CLI prints it with the usage and exits 2. */
/** A failure that ends the command with `status` rather than 1: a scheduled command's own exit status. */
export class ExitStatusError extends Error {
  constructor(message: string, public readonly status: number, options?: ErrorOptions) {
    super(message, options);
  }
}

export class UsageError extends Error {}
