export { accepts, freePorts } from '../src/cli/loopback';

/*
 * Ports and waits for the local servers and processes tests start (the Lambda emulator, moto, the CLI). No
 * aws-cdk-lib here: a test file that imports it pays about 10 s.
 */

export function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}

/** Polls `check` every 50 ms until it holds, failing after `timeoutMs` with `what`. */
export async function eventually(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
