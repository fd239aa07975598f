/**
 * Turns what AWS's Lambda Runtime Interface Emulator and the function print into the lines Lambda writes to the
 * function's log: INIT_START, the function's own output, START, END and REPORT with the init duration, the timeout
 * and crash messages. The emulator's own `(rapid)` lines are its internals and are dropped, except for what they
 * tell about the life cycle; its REPORT line's Init Duration and Max Memory Used are placeholders, replaced here.
 */
export interface RieLogOptions {
  /** `python:3.14`, then what runs it here: the INIT_START line's runtime version. */
  readonly runtimeVersion: string;
  readonly memorySize: number;
  readonly timeoutSeconds: number;
  /** The runtime process's peak resident memory in MB, while it runs: Max Memory Used. */
  readonly maxMemoryUsedMb: () => number | undefined;
  /** Receives each line, without its newline. */
  readonly write: (line: string) => void;
  /** Told when an init ended: its duration, and whether it failed. */
  readonly onInit?: (init: { durationMs: number; failed: boolean }) => void;
}

// `07 Dec 2026 18:40:15,353 [INFO] (rapid) INIT START(type: on-demand, phase: init)`
const RAPID = /^\d\d \w{3} \d{4} [\d:,]+ \[(\w+)\] \(rapid\) (.*)$/;
// Where a line the emulator writes starts: one of its own, or a request's START, END or REPORT.
const RIE_LINE_START = /\d\d \w{3} \d{4} [\d:,]+ \[\w+\] \(rapid\) |(START|END|REPORT) RequestId: /;

export class RieLog {
  private partial = '';
  /** The request the runtime is working on, from `INVOKE START`. */
  private requestId?: string;
  /** The invocation under way whose end is not written yet: a crash of the runtime is its failure. */
  private inFlight?: string;
  /** The last init's duration, which goes into the next REPORT line as Lambda puts it there. */
  private pendingInitMs?: number;
  private initFailed = false;
  /** After a failed init the emulator runs an init of no duration that starts no runtime: not one to show. */
  private suppressInit = false;
  /** The emulator writes START before the init it runs for the invocation; Lambda writes it after. */
  private pendingStart?: string;

  constructor(private readonly options: RieLogOptions) {}

  /** Takes a chunk of the emulator's output; whole lines are written, the rest waits for its end. */
  public push(chunk: string): void {
    // awslambdaric writes a multi-line message (a traceback) as one record whose line breaks are carriage returns,
    // which CloudWatch shows as lines, the last one included: the emulator's next line would follow on the same one.
    // A carriage return at the end of a chunk may be the first half of a CRLF.
    let text = this.partial + chunk;
    const trailingCr = text.endsWith('\r');
    if (trailingCr) text = text.slice(0, -1);
    const lines = text.replace(/\r\n?/g, '\n').split('\n');
    this.partial = lines.pop()! + (trailingCr ? '\r' : '');
    for (const line of lines) this.line(line);
  }

  /** Writes what is left of an unfinished line, once the emulator has exited. */
  public flush(): void {
    this.partial = this.partial.replace(/\r$/, '');
    if (this.partial !== '') this.line(this.partial);
    this.partial = '';
  }

  private line(line: string): void {
    // The runtime may end a record without a newline; the emulator's next line then follows on the same one.
    const glued = line.slice(1).search(RIE_LINE_START) + 1;
    if (glued > 0) {
      this.line(line.slice(0, glued));
      this.line(line.slice(glued));
      return;
    }
    const rapid = RAPID.exec(line);
    if (rapid) {
      this.rapid(rapid[2]);
    } else if (line.startsWith('START RequestId: ')) {
      this.pendingStart = line;
    } else if (line.startsWith('END RequestId: ')) {
      this.inFlight = undefined;
      this.options.write(line);
    } else if (line.startsWith('REPORT RequestId: ')) {
      this.report(line);
    } else {
      this.options.write(line);
    }
  }

  private rapid(message: string): void {
    const { write } = this.options;
    let match: RegExpExecArray | null;
    if (message.startsWith('INIT START')) {
      if (!this.suppressInit) write(`INIT_START Runtime Version: ${this.options.runtimeVersion}`);
      this.initFailed = false;
    } else if (message.startsWith('INIT RTDONE(status: error')) {
      this.initFailed = true;
    } else if ((match = /^INIT REPORT\(durationMs: ([\d.]+)\)/.exec(message))) {
      const durationMs = Number(match[1]);
      if (this.suppressInit) {
        this.suppressInit = false;
      } else if (this.initFailed) {
        write(`INIT_REPORT Init Duration: ${durationMs.toFixed(2)} ms\tPhase: init\tStatus: error\tError Type: Runtime.ExitError`);
        this.options.onInit?.({ durationMs, failed: true });
      } else {
        this.pendingInitMs = durationMs;
        this.options.onInit?.({ durationMs, failed: false });
      }
    } else if (message.startsWith('Init failed')) {
      this.suppressInit = true;
    } else if ((match = /^INVOKE START\(requestId: ([^)]+)\)/.exec(message))) {
      this.requestId = this.inFlight = match[1];
      this.writeStart();
    } else if (message === 'Reset initiated: Timeout') {
      // Lambda's own words (https://docs.aws.amazon.com/lambda/latest/dg/troubleshooting-invocation.html).
      write(`${new Date().toISOString()} ${this.requestId ?? ''} Task timed out after ${this.options.timeoutSeconds.toFixed(2)} seconds`);
      this.inFlight = undefined;
    } else if ((match = /^Invoke failed error=(Runtime exited[^=]*?) InvokeID=(\S+)$/.exec(message)) && match[2] === this.inFlight) {
      this.crashed(match[1]);
    } else if ((match = /^Process runtime-\d+ exited: (.+)$/.exec(message)) && this.inFlight !== undefined) {
      // Which of the two lines comes first depends on when the emulator notices the exit.
      this.crashed(`Runtime exited with error: ${match[1]}`);
    }
  }

  /** Lambda's lines for an invocation whose runtime exited: the error, then its type. */
  private crashed(error: string): void {
    this.options.write(`RequestId: ${this.inFlight} Error: ${error}`);
    this.options.write('Runtime.ExitError');
    this.inFlight = undefined;
  }

  private writeStart(): void {
    if (this.pendingStart !== undefined) this.options.write(this.pendingStart);
    this.pendingStart = undefined;
  }

  private report(line: string): void {
    this.writeStart();
    const requestId = /^REPORT RequestId: (\S+)/.exec(line)![1];
    const reported = Number(/\tDuration: ([\d.]+) ms/.exec(line)?.[1] ?? 0);
    const initMs = this.pendingInitMs;
    this.pendingInitMs = undefined;
    // The emulator times an invoke that initialised the runtime from before the init; Lambda reports them apart.
    const durationMs = Math.max(0, reported - (initMs ?? 0));
    // Lambda bills the init phase of on-demand functions too, since 1 August 2025
    // (https://aws.amazon.com/blogs/compute/aws-lambda-standardizes-billing-for-init-phase).
    const billedMs = Math.ceil(durationMs + (initMs ?? 0));
    const used = this.options.maxMemoryUsedMb();
    const fields = [
      `REPORT RequestId: ${requestId}`,
      `Duration: ${durationMs.toFixed(2)} ms`,
      `Billed Duration: ${billedMs} ms`,
      `Memory Size: ${this.options.memorySize} MB`,
      `Max Memory Used: ${used === undefined ? '?' : used} MB`,
      ...(initMs === undefined ? [] : [`Init Duration: ${initMs.toFixed(2)} ms`]),
    ];
    this.options.write(fields.join('\t'));
    if (used !== undefined && used > this.options.memorySize) {
      this.options.write(`cdk-wsgi emulate: the function used ${used} MB, over its memorySize of ${this.options.memorySize} MB: `
        + 'Lambda would have stopped it (Runtime.OutOfMemory); raise memorySize');
    }
  }
}
