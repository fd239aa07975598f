import { Outcome, ReadyInfo } from '../contracts/worker-protocol';

/**
 * Where invocations run: a Python worker (`serve`), or AWS's runtime emulator (`emulate`). One invocation at a time,
 * as in a Lambda execution environment.
 */
export interface ExecutionEnvironment {
  /** Resolves once invocations can be sent; rejects when the environment could not start. */
  readonly ready: Promise<ReadyInfo>;
  /** Whether it is gone (crashed, timed out, stopped): a later invocation needs a new one. */
  readonly dead: boolean;
  invoke(eventJson: string, requestId: string): Promise<Outcome>;
  stop(): void;
}

/** Requests waiting for the worker beyond this are throttled, which bounds the queue. */
export const MAX_WAITING = 100;

/**
 * Sends invocations to one execution environment in turn and replaces it when it must go: after a crash or a
 * timeout (as Lambda starts a fresh environment), when the sources change, and before every invocation with `cold`.
 */
export class AppRunner {
  private worker: ExecutionEnvironment;
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;
  private reloadQueued = false;
  private used = false;

  constructor(private readonly startWorker: () => ExecutionEnvironment, private readonly say: (line: string) => void,
    private readonly cold = false) {
    this.worker = startWorker();
  }

  /** The first worker's import: rejects when Python could not run at all. */
  public get started(): Promise<ReadyInfo> {
    return this.worker.ready;
  }

  /** Runs the event after every invocation before it; undefined when too many are waiting. */
  public invoke(eventJson: string, requestId: string): Promise<Outcome> | undefined {
    if (this.waiting >= MAX_WAITING) return undefined;
    this.waiting++;
    const run = this.tail.then(() => this.run(eventJson, requestId)).finally(() => this.waiting--);
    this.tail = run;
    return run;
  }

  /** Starts a new worker once the invocation in flight has finished; later requests see the new code. */
  public reload(reason: string): void {
    if (this.reloadQueued) return;
    this.reloadQueued = true;
    this.tail = this.tail.then(() => {
      this.reloadQueued = false;
      this.worker.stop();
      this.worker = this.startWorker();
      const started = Date.now();
      this.worker.ready.then(info => {
        // A failed import is reported by the worker factory, with its hint.
        if (!info.error) this.say(`cdk-wsgi serve: reloaded (${reason}) in ${((Date.now() - started) / 1000).toFixed(2)} s`);
      }, () => undefined); // a worker that cannot start fails the next request, which reports why
    });
  }

  public close(): void {
    this.worker.stop();
  }

  private async run(eventJson: string, requestId: string): Promise<Outcome> {
    if (this.cold && this.used) this.worker.stop();
    if (this.worker.dead) this.worker = this.startWorker();
    this.used = true;
    const worker = this.worker;
    try {
      await worker.ready;
    } catch (error) {
      return { error: (error as Error).message };
    }
    return worker.invoke(eventJson, requestId);
  }
}
