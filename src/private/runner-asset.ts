import * as path from 'path';

/** The deploy-task runner's code: src/remote when run from the sources (ts-jest), lib/remote in the package. */
export const RUNNER_ASSET_DIR = path.join(__dirname, '..', 'remote');
