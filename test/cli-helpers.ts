import * as fs from 'fs';
import * as path from 'path';
import { RunningCli } from './serve-helpers';

/** How a CLI run ended: its exit status and everything it wrote. */
export interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Waits for `cli` to exit. */
export async function finished(cli: RunningCli): Promise<Finished> {
  const code = await cli.exited;
  return { code, stdout: cli.stdout(), stderr: cli.stderr() };
}

/** A cloud assembly in `dir` as `cdk synth` lays it out, holding `template` as stack Ops in account 123456789012. */
export function writeAssembly(dir: string, template: object, region: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({
    version: '48.0.0',
    artifacts: {
      Ops: { type: 'aws:cloudformation:stack', environment: `aws://123456789012/${region}`, properties: { templateFile: 'Ops.template.json' } },
    },
  }));
  fs.writeFileSync(path.join(dir, 'Ops.template.json'), JSON.stringify(template));
}

/** The execution role of the test templates' functions: Lambda may assume it. */
export const LAMBDA_ROLE = {
  Type: 'AWS::IAM::Role',
  Properties: {
    AssumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    },
  },
};
