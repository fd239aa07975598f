import type { LambdaClient } from '@aws-sdk/client-lambda';
import { commandClient, CommandFailedError, outputText, runCommand } from './run-command';
import { DeployTaskSpec, ENV_DEPLOY_TARGET, ENV_DEPLOY_TASKS } from '../contracts/deploy-task-contract';

/**
 * The Lambda handler of WsgiApi's deploy-task runner, which a CDK Trigger invokes (without a payload) once the new
 * version is published and before the `live` alias moves to it. It runs each task in that version, in order, and
 * fails on the first that does not exit with 0, so the trigger fails the deployment and later tasks never run.
 */
export async function handler(): Promise<void> {
  await runDeployTasks(commandClient(), process.env);
}

/** How long a task waits for the runner's new permission to invoke the version (see runTask). */
export interface AccessRetry {
  readonly attempts: number;
  readonly delayMs: number;
}

// What the trigger's own handler allows its invoke of the runner for the same reason (aws-cdk-lib triggers).
const ACCESS_RETRY: AccessRetry = { attempts: 12, delayMs: 5_000 };

/** The tasks `env` names, run one after the other in the version it names; the handler with its parts exposed. */
export async function runDeployTasks(client: LambdaClient, env: NodeJS.ProcessEnv,
  accessRetry: AccessRetry = ACCESS_RETRY): Promise<void> {
  const target = required(env, ENV_DEPLOY_TARGET);
  const tasks = JSON.parse(required(env, ENV_DEPLOY_TASKS)) as DeployTaskSpec[];
  for (const [index, task] of tasks.entries()) {
    console.log(`deploy task ${index + 1}/${tasks.length} '${task.label}' starting in ${target}`);
    const answer = await runTask(client, target, task, accessRetry);
    const output = outputText(answer);
    // The whole output goes to the runner's log group; the error below can only carry its end.
    console.log(`deploy task '${task.label}' exited with ${answer.exitCode}`
      + `${answer.truncated ? ' (the middle of its output was cut to fit the response)' : ''}:\n${output}`);
    if (answer.exitCode !== 0) {
      throw taskError(`deploy task '${task.label}' exited with ${answer.exitCode}`, output);
    }
  }
  console.log(`${tasks.length} deploy task(s) succeeded in ${target}`);
}

/**
 * Runs one task. The runner's permission to invoke the version is an IAM policy created in the same deployment,
 * and IAM changes take a while to apply everywhere
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency):
 * an AccessDeniedException, which Lambda answers before the function runs, is retried for a minute. Nothing else is,
 * as a retried command could run twice.
 */
async function runTask(client: LambdaClient, target: string, task: DeployTaskSpec, retry: AccessRetry) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await runCommand(client, target, task.event);
    } catch (error) {
      if ((error as Error).name === 'AccessDeniedException' && attempt < retry.attempts) {
        console.log(`deploy task '${task.label}': access denied, retrying in ${retry.delayMs} ms (IAM may not have caught up)`);
        await new Promise(resolve => setTimeout(resolve, retry.delayMs));
        continue;
      }
      const reason = error instanceof CommandFailedError ? error.message : `${(error as Error).name}: ${(error as Error).message}`;
      console.log(`deploy task '${task.label}' failed: ${reason}`);
      throw taskError(`deploy task '${task.label}' failed: ${reason}`, '');
    }
  }
}

/**
 * The end of a task's output that the error carries (UTF-8 bytes, as JSON-escaped). The trigger's custom resource
 * fails with the runner's error message followed by its stack trace, and CloudFormation refuses a response body over
 * 4096 bytes in all (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html), where
 * the stack, request and resource IDs take several hundred.
 */
export const ERROR_OUTPUT_BYTES = 2_000;

/** An Error whose stack is its first line only: the stack would repeat the output, and the code's lines help nobody. */
function taskError(headline: string, output: string): Error {
  const end = tail(output, ERROR_OUTPUT_BYTES);
  const error = new Error(end ? `${headline}:\n${end}` : headline);
  error.stack = `Error: ${headline}`;
  return error;
}

/** The longest end of `text` whose JSON escaping takes at most `maxBytes` in UTF-8, marked with … when cut. */
function tail(text: string, maxBytes: number): string {
  // A character takes one byte at least, so the last maxBytes UTF-16 units hold the answer.
  const chars = Array.from(text.slice(-maxBytes));
  let bytes = 0;
  let start = chars.length;
  while (start > 0) {
    const size = Buffer.byteLength(JSON.stringify(chars[start - 1])) - 2;
    if (bytes + size > maxBytes - 3) break; // room for the … (3 bytes)
    bytes += size;
    start--;
  }
  const kept = chars.slice(start).join('');
  return kept.length < text.length ? `…${kept}` : kept;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) {
    throw new Error(`${name} is not set: this function runs the deploy tasks of a cdk-wsgi WsgiApi, which sets it`);
  }
  return value;
}
