import { awscdk, javascript, JsonFile } from 'projen';
import { UpdateSnapshot } from 'projen/lib/javascript';

// The python alpha lags aws-cdk-lib; cdkVersion follows the alpha's base version so the two always resolve together.
const PYTHON_ALPHA_VERSION = '2.269.0-alpha.0';
const CDK_VERSION = PYTHON_ALPHA_VERSION.replace(/-alpha\.\d+$/, '');

// What Python tooling and synths leave in the tree: never committed, never packaged.
const LOCAL_ARTIFACTS = [
  '.venv/',
  '.venv-*/',
  '__pycache__/',
  '*.py[cod]',
  '.pytest_cache/',
  '.hypothesis/',
  '.mypy_cache/',
  '.ruff_cache/',
  '.coverage',
  '.coverage.*',
  'coverage.xml',
  'cdk.out/',
  '*.egg-info/',
  '.tools/',
];

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-wsgi',
  description: 'Run any Python WSGI app (Flask, Django, Pyramid, Bottle, Falcon) on AWS Lambda behind API Gateway with one CDK construct',
  keywords: ['cdk', 'aws-cdk', 'awscdk', 'wsgi', 'flask', 'django', 'lambda', 'api-gateway', 'python', 'serverless'],
  author: 'cdk-wsgi contributors',
  authorAddress: 'cdk-wsgi@users.noreply.github.com',
  repositoryUrl: 'https://github.com/cdk-wsgi/cdk-wsgi.git',
  license: 'Apache-2.0',
  defaultReleaseBranch: 'main',
  projenrcTs: true,
  packageManager: javascript.NodePackageManager.NPM,
  // CI is `.ci/run`. GitHub holds projen's release workflow only: each push to main with releasable conventional
  // commits (fix:, feat:, BREAKING CHANGE) since the last tag vX.Y.Z bumps that version accordingly, runs the full
  // build and tests, tags, and publishes to npm and PyPI with trusted publishing (no tokens: the registries trust this
  // repository's release workflow once a maintainer has registered it with each).
  github: true,
  buildWorkflow: false,
  depsUpgrade: false,
  pullRequestTemplate: false,
  githubOptions: { mergify: false, pullRequestLint: false },
  release: true,
  releaseToNpm: true,
  // 13 needs Node.js 22 (npm warns on every install under 20, which contributors use); 12 computes the same bumps.
  bumpPackage: 'commit-and-tag-version@^12',
  npmTrustedPublishing: true,
  // The full test command needs every Lambda Python version, and a Chromium for the browser test: the runner's Chrome.
  releaseWorkflowSetupSteps: [{
    name: 'Set up Python 3.11 to 3.14',
    uses: 'actions/setup-python@v5',
    with: { 'python-version': '3.11\n3.12\n3.13\n3.14' },
  }],
  // As in CI (.ci/run), every Lambda Python version is required, for the packages' bytecode and the adapter's tests.
  releaseWorkflowEnv: { CDK_WSGI_CHROMIUM: '/usr/bin/google-chrome', CDK_WSGI_ALL_PYTHONS: '1' },

  cdkVersion: CDK_VERSION,
  constructsVersion: '10.5.1',
  jsiiVersion: '~6.0.0',
  stability: 'experimental',
  // A jsii library takes the alpha as a peer, never bundles it; exact because alpha releases break freely.
  peerDeps: [`@aws-cdk/aws-lambda-python-alpha@${PYTHON_ALPHA_VERSION}`],
  // The CLI's remote commands (exec, command, manage, flask, logs) call AWS with the user's credentials. jsii packages
  // take runtime dependencies as bundled ones; the CLI loads them only when a remote command runs.
  bundledDeps: [
    '@aws-sdk/client-cloudformation@^3.1178.0',
    '@aws-sdk/client-cloudwatch-logs@^3.1178.0',
    '@aws-sdk/client-lambda@^3.1178.0',
  ],
  devDeps: [
    `@aws-cdk/aws-lambda-python-alpha@${PYTHON_ALPHA_VERSION}`,
    // `aws-cdk@latest` pointed at an old 3.0.0 build that rejects current cloud assemblies (toolchain.md).
    'aws-cdk@^2.1148.1',
    'cdk-nag@^3.0.2',
    // Drives Debian's Chromium (.ci/browser-setup) in the browser test of `cdk-wsgi serve`; no browser download.
    'playwright-core@^1.65.1',
    // Tests only: makes a user without permissions in moto's IAM (test/moto.ts), whom the remote commands must refuse.
    '@aws-sdk/client-iam@^3.1178.0',
  ],

  publishToPypi: {
    distName: 'cdk-wsgi',
    module: 'cdk_wsgi',
    trustedPublishing: true,
    // The adapter's own distribution, cdk-wsgi-adapter, which package:python builds into dist/adapter beside
    // dist/python (package:adapter below). publib-pypi uploads one folder, so a second run, after cdk-wsgi's, uploads
    // that one, through the same trusted publishing: a maintainer registers release.yml for cdk-wsgi-adapter on PyPI too.
    postPublishSteps: [{
      name: 'Release cdk-wsgi-adapter',
      // projen's own Release step runs publib@latest (its default publibVersion).
      run: 'npx -p publib@latest publib-pypi dist/adapter',
      env: { PYPI_TRUSTED_PUBLISHER: 'true', PUBLIB_DRYRUN: '${{ inputs.dry_run }}' },
    }],
  },

  jestOptions: {
    // A drifted snapshot must fail the run, never be rewritten silently.
    updateSnapshot: UpdateSnapshot.NEVER,
    jestConfig: {
      // It needs the packed npm tarball and wheel: `npx projen test:quickstart` builds them and runs it.
      testPathIgnorePatterns: ['/node_modules/', '/test/quickstart'],
      // jest's default leaves a core idle (cores - 1), and most suites wait on child processes (synths, pip, the CLI):
      // on 2 cores, one worker per core takes the fast loop's suites from 190 to 100 s.
      maxWorkers: '100%',
    },
  },

  gitignore: [
    ...LOCAL_ARTIFACTS,
    'build/',
    '.jsii.tabl.json',
  ],
  npmIgnoreOptions: {
    ignorePatterns: [
      '/.ci/',
      '/CONTRIBUTING.md',
      '/examples/',
      '/bench/',
      '/rosetta/',
      '/lib-python/tests/',
      '/lib-python/requirements-dev.txt',
      '/lib-python/requirements-test.txt',
      // The wheel's console script: .ci/package-python puts it in the Python package, the npm package has no use for it.
      '/lib-python/launcher/',
      // The README's translations, which packaging reads from the repository; thousands of entries no user needs.
      '/.jsii.tabl.json',
      ...LOCAL_ARTIFACTS,
    ],
  },
});

// npm 11 skips dependencies' install scripts unless allowed, and lists the skipped ones after every install. jest's
// file watcher ships prebuilt binaries; its script would only build one from source, which nothing here needs.
project.package.addField('allowScripts', { '@parcel/watcher': false });

// Real AWS sample events are test data that must stay byte-exact (some start with a BOM).
project.gitattributes.addAttributes('/lib-python/tests/events/**', '-text');
project.gitattributes.addAttributes('/test/fixtures/events/**', '-text');

// jsii prints a large end-of-life banner on Node 20; it hides real output.
project.tasks.addEnvironment('JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION', '20');

// Dev TypeScript outside src/ and test/ is linted with the rest; eslint type-checks each folder through its own
// tsconfig: the example app, and the driver of the Lambda cold-start benchmark (bench/lambda-cold-start.ts).
for (const [folder, generated] of [['examples', 'cdk.out'], ['bench', '.venv']]) {
  project.eslint?.addLintPattern(folder);
  new JsonFile(project, `${folder}/tsconfig.json`, {
    obj: {
      extends: '../tsconfig.json',
      compilerOptions: { noEmit: true, rootDir: '..' },
      include: ['**/*.ts'],
      exclude: [generated],
    },
  });
}

// Python tooling runs from a project .venv built from pinned requirements. The stamp file records the
// requirements and the interpreter it was built from, so a re-run is instant and a change to either rebuilds it.
const pythonSetup = project.addTask('python:setup', {
  description: 'Create .venv from lib-python/requirements-dev.txt (skipped when already up to date)',
  exec: 'bash .ci/python-setup',
});

const testPython = project.addTask('test:python', {
  description: 'Lint, type-check and test the WSGI adapter (lib-python)',
  cwd: 'lib-python',
});
testPython.spawn(pythonSetup);
testPython.exec('../.venv/bin/ruff check .');
testPython.exec('../.venv/bin/ruff format --check .');
testPython.exec('../.venv/bin/mypy');
testPython.exec('../.venv/bin/pytest');
// The same tests on the Python versions Lambda runs, fetched when missing and possible (.ci/python-runtimes says so
// first); one that cannot be had is skipped with a line saying so, or fails the run with CDK_WSGI_ALL_PYTHONS=1 (CI).
const testPythonRuntimes = project.addTask('test:python-runtimes', {
  description: 'Run the adapter\'s pytest suite on Python 3.11 to 3.14, each from its own pinned .venv-X.Y',
  exec: 'bash .ci/python-runtimes',
});

// The adapter's byte code for every runtime a layer is built for (lib-python/bytecode); each runtime's layer ships its
// own, so that cold starts need not compile the adapter. Rebuilt (in about a second) before anything that stages a
// layer, for the versions this machine has; CDK_WSGI_ALL_PYTHONS=1 (CI, the release workflow) requires all four
// (.ci/adapter-bytecode).
const adapterBytecode = project.addTask('python:bytecode', {
  description: 'Compile the adapter to hash-checked .pyc files for the Python versions 3.11 to 3.14 found here into lib-python/bytecode',
  exec: 'bash .ci/adapter-bytecode',
});
project.addTask('python:bytecode:all', {
  description: 'Compile the adapter for every Python version 3.11 to 3.14, fetching a missing one from Debian (Linux) or failing',
  env: { CDK_WSGI_ALL_PYTHONS: '1' },
}).spawn(adapterBytecode);
project.preCompileTask.spawn(adapterBytecode);
// Built files, yet shipped: the layer asset reads them from the package.
project.npmignore?.include('/lib-python/bytecode/**');
project.gitignore.exclude('/lib-python/bytecode/');

// `cdk-wsgi serve` runs an app locally behind an emulated front door (src/cli, lib-python/serve).
project.addBins({ 'cdk-wsgi': 'lib/cli/main.js' });
// The wheel's `cdk-wsgi` console script executes this file from the embedded npm tarball (jsii's invokeBinScript),
// not through node: without the execute bit in the tarball it fails with PermissionError. tsc writes it 0644.
project.compileTask.exec('node -e "require(\'fs\').chmodSync(\'lib/cli/main.js\', 0o755)"');
// Packaging reads .jsii and the adapter's bytecode: right after set-up, or after a source change, build them first.
// The wheel's `cdk-wsgi` script is our launcher, not the one jsii-pacmak writes (lib-python/launcher says why).
project.tasks.tryFind('package:python')!.reset('bash .ci/package-python');
// The adapter on PyPI as cdk-wsgi-adapter, for apps' tests and editors (the layer stays the copy Lambda runs): its sdist
// and wheel, with the release's version stamped into a copy of lib-python, never the tree. It goes to dist/adapter, not
// dist/python, which holds the jsii wheel alone (the quick starts, .ci/check-packages and .ci/python-smoke take the one
// wheel there). package:python runs it, so the release workflow's PyPI job, which runs package:python in a checkout
// with the released package.json, builds both; publishToPypi.postPublishSteps above uploads it.
const packageAdapter = project.addTask('package:adapter', {
  description: 'Build the adapter\'s sdist and wheel (cdk-wsgi-adapter) with the release\'s version into dist/adapter, or the folder given',
});
packageAdapter.exec('bash .ci/package-adapter', { receiveArgs: true });
project.tasks.tryFind('package:python')!.spawn(packageAdapter);
const packageAll = project.tasks.tryFind('package-all')!;
packageAll.prependSpawn(project.compileTask, { condition: 'bash .ci/jsii-stale' });
packageAll.prependSpawn(project.preCompileTask, { condition: 'bash .ci/jsii-stale' });

// Set-up for suites that need more than Node.js and python3: Debian's Chromium for the browser test of `cdk-wsgi
// serve`, and AWS's Lambda Runtime Interface Emulator with awslambdaric for the emulator test. Each says what it
// installs before it does, once.
const browserSetup = project.addTask('browser:setup', {
  description: 'Install Chromium for the browser test (skipped when /usr/bin/chromium or $CDK_WSGI_CHROMIUM exists)',
  exec: 'bash .ci/browser-setup',
});
const rieSetup = project.addTask('rie:setup', {
  description: 'Install aws-lambda-rie and awslambdaric into .tools/ (skipped when already up to date)',
  exec: 'bash .ci/rie-setup',
});

// The README's quick starts, run verbatim from the packed npm tarball and wheel (test/quickstart.test.ts).
const QUICKSTART = 'test/quickstart';
const testQuickstart = project.addTask('test:quickstart', {
  description: 'Build the packages, then follow the README\'s TypeScript and Python quick starts with them in temporary folders',
});
testQuickstart.spawn(packageAll);
// The path comes first: jest takes every word after --testPathIgnorePatterns as a pattern.
testQuickstart.exec(`jest ${QUICKSTART} --ci --coverage=false --testPathIgnorePatterns /node_modules/`);

// Suites that need the set-up above, real bundling with pip from PyPI, CPython for WebAssembly from npm, packages, or
// build tools from PyPI (the adapter's distribution): the full test command only.
const FULL_ONLY_SUITES = [
  'bytecode-compiler', 'rie-e2e', 'cli-remote', 'serve-browser', 'serve-django-browser', 'local-bundling', 'bundling-errors', 'entry-paths',
  'deploy-tasks-rie', 'adapter-package', 'jobs-rie', 'emulate', 'emulator-tools',
];

// The contributor's loop: Node.js and python3 only, no downloads after the first .venv.
const testUnit = project.addTask('test:unit', {
  description: 'Fast loop: jest without the emulator, browser, real bundling and quick-start suites, eslint, and the adapter on python3',
});
testUnit.spawn(pythonSetup);
testUnit.spawn(adapterBytecode);
// No coverage report in the loop: nothing reads it there, and collecting it made the suites take 1.42× as long
// (farm-bench, 3 paired runs: 172.6 s against 124.8 s). The full test command keeps it.
// `[.]test` ends each pattern at the suite's name: `/test/cli-remote` alone would leave out cli-remote-args too.
testUnit.exec(['jest --passWithNoTests --ci --coverage=false --testPathIgnorePatterns /node_modules/', QUICKSTART,
  ...FULL_ONLY_SUITES.map(s => `/test/${s}[.]test`)].join(' '));
// ts-jest transpiles the tests without checking their types: this does.
const typecheckTests = project.addTask('typecheck:test', {
  description: 'Type-check the tests (test/tsconfig.json)',
  exec: 'tsc --noEmit -p test/tsconfig.json',
});
testUnit.spawn(project.tasks.tryFind('eslint')!);
testUnit.spawn(typecheckTests);
testUnit.spawn(testPython);

// CONTRIBUTING.md's test command, which CI runs: every suite, the adapter on each Lambda Python version, the quick starts.
// jest runs the synthesized example through the adapter with the .venv's Flask, and lints every example template
// with its cfn-lint, so the venv comes first.
project.testTask.reset();
for (const task of [rieSetup, browserSetup, pythonSetup, adapterBytecode]) {
  project.testTask.spawn(task);
}
project.testTask.exec('jest --passWithNoTests --ci', { receiveArgs: true });
for (const task of [project.tasks.tryFind('eslint')!, typecheckTests, testPython, testPythonRuntimes, testQuickstart]) {
  project.testTask.spawn(task);
}

project.addTask('rosetta:check', {
  description: 'Compile every TypeScript snippet of the README with jsii-rosetta (run after compile)',
  exec: 'jsii-rosetta extract --strict --compile .jsii',
});

project.addTask('synth:example', {
  description: 'Synthesize the example CDK app (examples/) into examples/cdk.out',
  cwd: 'examples',
  exec: 'npx cdk synth --quiet',
}).prependSpawn(adapterBytecode);

project.synth();
