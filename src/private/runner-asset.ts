import * as path from 'path';

/**
 * The deploy-task runner's Lambda code is the library's own files as they are (src when run from the sources by
 * ts-jest, lib in the package), taken from its root: the runner's folder, and the contract it reads its environment
 * with. Whatever the runner requires at run time must be let in here; test/deploy-tasks-rie.test.ts runs the staged
 * asset on its own.
 */
export const RUNNER_ASSET_ROOT = path.join(__dirname, '..');

/** Glob patterns in order, the last one matching a path deciding: everything out, then the runner's files back in. */
export const RUNNER_ASSET_EXCLUDE: readonly string[] = [
  '*',
  '!deploy-task-runner',
  '!deploy-task-runner/*',
  '!contracts',
  '!contracts/deploy-task-contract.*',
  // Declarations only serve compilers.
  '*.d.ts',
];

/** The handler, relative to the asset's root. */
export const RUNNER_HANDLER = 'deploy-task-runner/deploy-task-runner.handler';
