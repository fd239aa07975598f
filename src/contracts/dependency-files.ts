/**
 * The dependency files an app's folder may hold, in the order PythonFunction's bundling looks for them: the first
 * one found is the one installed from (so requirements.txt wins over uv.lock). Local bundling keeps that order.
 */
export const DEPENDENCY_FILES = ['Pipfile.lock', 'poetry.lock', 'requirements.txt', 'uv.lock'] as const;

export type DependencyFile = typeof DEPENDENCY_FILES[number];
