/**
 * What WsgiApi (src/private/deploy-tasks.ts) gives the deploy-task runner (src/deploy-task-runner) in its environment.
 * No imports: the construct reads this file at synth without loading the AWS SDK, and it ships in the runner's asset
 * (src/private/runner-asset.ts).
 */

/** The qualified ARN of the function version the tasks run in: the one the deployment publishes. */
export const ENV_DEPLOY_TARGET = 'CDK_WSGI_DEPLOY_TARGET';

/** JSON array of DeployTaskSpec, in the order the tasks run. */
export const ENV_DEPLOY_TASKS = 'CDK_WSGI_DEPLOY_TASKS';

/** One task as the runner gets it: the name it logs and reports, and the management command event it sends. */
export interface DeployTaskSpec {
  readonly label: string;
  readonly event: Record<string, unknown>;
}
