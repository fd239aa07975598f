import * as python from '@aws-cdk/aws-lambda-python-alpha';

/** Where Lambda puts the function's code. */
const TASK_ROOT = '/var/task';

/**
 * `python -m compileall` arguments that compile a bundle in `dir` as lib-python/bundling/compile_bundle.py does (which
 * says why): hash-checked, replacing pip's dated .pyc files, recording the paths Lambda runs the code from. In the
 * bundling container, whose processes end with it, compileall's forkserver workers are no concern.
 */
export function compileallArgs(dir: string): string[] {
  return ['-m', 'compileall', '-q', '-f', '-j', '0', '--invalidation-mode', 'checked-hash', '-s', dir, '-p', TASK_ROOT, dir];
}

/**
 * PythonFunction bundling options that compile the bundle last, with the bundling image's Python (the runtime's own),
 * after any `afterBundling` commands of the user's, with a fixed hash seed (so the same bytes each time). A file that
 * does not compile (a template shipped as .py, say) is left for Lambda to compile on import.
 */
export function withBytecode(bundling: python.BundlingOptions | undefined): python.BundlingOptions {
  const hooks = bundling?.commandHooks;
  return {
    ...bundling,
    commandHooks: {
      beforeBundling: (inputDir, outputDir) => hooks?.beforeBundling(inputDir, outputDir) ?? [],
      afterBundling: (inputDir, outputDir) => [
        ...hooks?.afterBundling(inputDir, outputDir) ?? [],
        `PYTHONHASHSEED=0 python ${compileallArgs(outputDir).join(' ')} || echo "cdk-wsgi: some files did not compile; Lambda compiles them on import"`,
      ],
    },
  };
}
