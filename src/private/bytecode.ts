import * as python from '@aws-cdk/aws-lambda-python-alpha';

/** Where Lambda puts the function's code. */
const TASK_ROOT = '/var/task';

/**
 * `python -m compileall` arguments that compile a bundle in `dir` to bytecode Lambda can use.
 *
 * Lambda's /var/task is read-only, so a module without usable bytecode is compiled again on every cold start
 * (for a Flask app, most of its init). pip's own .pyc files are no use there: they are dated, and the CDK CLI
 * zips assets with every mtime reset to 1980, so Python finds them stale. Hash-checked ones (PEP 552) stay
 * valid, and one that no longer matches its source is ignored rather than run. `-f` replaces pip's; the
 * recorded paths are the ones Lambda runs the code from.
 */
export function compileallArgs(dir: string): string[] {
  return ['-m', 'compileall', '-q', '-f', '-j', '0', '--invalidation-mode', 'checked-hash', '-s', dir, '-p', TASK_ROOT, dir];
}

/**
 * PythonFunction bundling options that compile the bundle last, with the bundling image's Python (the
 * runtime's own), after any `afterBundling` commands of the user's. A file that does not compile (a template
 * shipped as .py, say) is left for Lambda to compile on import, as before.
 */
export function withBytecode(bundling: python.BundlingOptions | undefined): python.BundlingOptions {
  const hooks = bundling?.commandHooks;
  return {
    ...bundling,
    commandHooks: {
      beforeBundling: (inputDir, outputDir) => hooks?.beforeBundling(inputDir, outputDir) ?? [],
      afterBundling: (inputDir, outputDir) => [
        ...hooks?.afterBundling(inputDir, outputDir) ?? [],
        `python ${compileallArgs(outputDir).join(' ')} || echo "cdk-wsgi: some files did not compile; Lambda compiles them on import"`,
      ],
    },
  };
}
