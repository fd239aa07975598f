import { InvokeCommand, LambdaClient, LambdaClientConfig } from '@aws-sdk/client-lambda';
// Types only: the runner's Lambda asset holds the one contract it loads at run time (src/private/runner-asset.ts).
import type { CommandAnswer } from '../contracts/adapter-contract';

/** A command the function ran but could not answer: it timed out, crashed, or is not a cdk-wsgi function. */
export class CommandFailedError extends Error {
  /** The function's error as Lambda answered it (a FunctionError's payload), when there is one. */
  public readonly functionError?: { readonly errorType?: string; readonly errorMessage?: string };

  constructor(message: string, options?: ErrorOptions & { functionError?: CommandFailedError['functionError'] }) {
    super(message, options);
    this.functionError = options?.functionError;
  }
}

/**
 * A Lambda client for management commands. One attempt only: the SDK retries an invocation that timed out or lost
 * its connection, and a retried `migrate` or shell command would run twice.
 */
export function commandClient(config: LambdaClientConfig = {}): LambdaClient {
  return new LambdaClient({ ...config, maxAttempts: 1 });
}

/**
 * Invokes `functionName` (an ARN, or a name with `qualifier`) with a management command event and returns the
 * adapter's answer. A Lambda-level failure (FunctionError) becomes a CommandFailedError saying what happened.
 */
export async function runCommand(client: LambdaClient, functionName: string, event: Record<string, unknown>,
  qualifier?: string): Promise<CommandAnswer> {
  const response = await client.send(new InvokeCommand({
    FunctionName: functionName,
    Qualifier: qualifier,
    Payload: new TextEncoder().encode(JSON.stringify(event)),
  }));
  return answerOf(response.Payload ? new TextDecoder().decode(response.Payload) : '', response.FunctionError);
}

/**
 * The adapter's answer to a command event, from the invocation's payload as text and the FunctionError Lambda
 * reported (from AWS's runtime emulator too, which runs commands on this machine).
 */
export function answerOf(text: string, functionErrorType?: string): CommandAnswer {
  const payload = parseJson(text);
  if (functionErrorType || !isAnswer(payload)) {
    const functionError = functionErrorType && typeof payload === 'object' && payload !== null
      ? { errorType: (payload as any).errorType, errorMessage: (payload as any).errorMessage } : undefined;
    throw new CommandFailedError(describeFailure(payload, text, functionErrorType), { functionError });
  }
  return payload;
}

/** The command's output as one text, each chunk as written: for logs and error messages. */
export function outputText(answer: CommandAnswer): string {
  return answer.output.map(([, text]) => text).join('');
}

// Lambda ends a run that reaches the function's timeout with this message (errorType Sandbox.Timedout, see
// https://docs.aws.amazon.com/lambda/latest/dg/troubleshooting-invocation.html); AWS's Runtime Interface Emulator
// answers it as plain text, without a FunctionError.
const TIMED_OUT = /Task timed out after ([\d.]+) seconds/;

function describeFailure(payload: any, text: string, functionError: string | undefined): string {
  const message = typeof payload?.errorMessage === 'string' ? payload.errorMessage : clip(text);
  const timedOut = TIMED_OUT.exec(message);
  if (timedOut) {
    return `the command was stopped at the function's ${Number(timedOut[1])} s timeout; split the work into shorter `
      + 'commands (behind API Gateway, a WsgiApi\'s timeout is at most 29 s)';
  }
  if (functionError) {
    const type = typeof payload?.errorType === 'string' ? `${payload.errorType}: ` : '';
    return `the function failed: ${type}${message}`;
  }
  return `the function answered ${clip(text)}, not a command's result; is it a WsgiApi function deployed with this `
    + 'version of cdk-wsgi?';
}

function isAnswer(payload: any): payload is CommandAnswer {
  return typeof payload === 'object' && payload !== null && Number.isInteger(payload.exitCode)
    && Array.isArray(payload.output) && typeof payload.truncated === 'boolean';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
