import { spawnSync } from 'child_process';

let answers: { [command: string]: boolean } = {};

/** The container engine CDK uses: `$CDK_DOCKER`, else `docker`. */
export function containerEngine(): string {
  return process.env.CDK_DOCKER || 'docker';
}

/** Whether a container engine answers: `$CDK_DOCKER info` (default `docker`), asked once per process. */
export function containerEngineAnswers(): boolean {
  const command = containerEngine();
  if (!(command in answers)) {
    const result = spawnSync(command, ['info'], { stdio: 'ignore', timeout: 15_000 });
    answers[command] = !result.error && result.status === 0;
  }
  return answers[command];
}

/** For tests: forget what the container engine answered. */
export function resetContainerEngineCache() {
  answers = {};
}
