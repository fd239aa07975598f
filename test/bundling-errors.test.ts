import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { BundlingMode, WsgiApi, WsgiApiProps } from '../src';
import { withEnv } from './helpers';

// Real local bundling against the package index pip is configured with; pip only reads index pages for most
// cases, and downloads small sdists (psycopg2, anyjson) for the build cases.
jest.setTimeout(300_000);

const FLASK_APP = path.join(__dirname, '..', 'examples', 'flask-app');
const TARGET = 'linux/aarch64 CPython 3.13';

function tempDir(prefix: string) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `cdk-wsgi-test-${prefix}-`));
}

/** Bundles an app whose requirements.txt is `requirements` for linux/aarch64 CPython 3.13; returns the error message. */
function bundlingError(requirements: string, props: Partial<WsgiApiProps> = {}): string {
  const entry = tempDir('app');
  fs.copyFileSync(path.join(FLASK_APP, 'api.py'), path.join(entry, 'api.py'));
  fs.writeFileSync(path.join(entry, 'requirements.txt'), requirements);
  const app = new App({ outdir: tempDir('out') });
  const stack = new Stack(app, 'Bundled', { env: { account: '123456789012', region: 'eu-west-1' } });
  try {
    const target = { architecture: lambda.Architecture.ARM_64, runtime: lambda.Runtime.PYTHON_3_13 };
    new WsgiApi(stack, 'App', { entry, module: 'api.app', bundlingMode: BundlingMode.LOCAL, ...target, ...props });
    app.synth();
  } catch (error) {
    const message = (error as Error).message;
    process.stderr.write(`${requirements.trim()}:\n${message}\n\n`);
    return message;
  }
  throw new Error(`bundling ${requirements.trim()} did not fail`);
}

describe('local bundling errors', () => {
  // jest (and many CI systems) set FORCE_COLOR, which turns pip's errors to ANSI even with --no-color.
  const savedForceColor = process.env.FORCE_COLOR;
  beforeAll(() => { process.env.FORCE_COLOR = '1'; });
  afterAll(() => {
    if (savedForceColor === undefined) delete process.env.FORCE_COLOR;
    else process.env.FORCE_COLOR = savedForceColor;
  });

  test('no such project: names the requirement, quotes pip and the index, and suggests checking the name', () => {
    const message = bundlingError('Flaskk==3.1.3\n');
    expect(message).toContain(`cdk-wsgi local bundling for ${TARGET}: Flaskk==3.1.3 names no project on the package index`);
    expect(message).toContain('pip: "ERROR: No matching distribution found for Flaskk==3.1.3"');
    expect(message).toMatch(/the index said "404 Client Error: Not Found for url: \S+\/flaskk\/"/);
    expect(message).toMatch(/; check the name for a typo, and that pip reads the index that has it \(pip config list\)$/);
    expect(message).not.toContain('\x1b');
  });

  test('no such version: names the requirement and the newest release', () => {
    const message = bundlingError('Flask==99.0\n');
    expect(message).toContain(`cdk-wsgi local bundling for ${TARGET}: Flask==99.0 matches no release of Flask`);
    expect(message).toContain('pip: "ERROR: No matching distribution found for Flask==99.0"');
    expect(message).toMatch(/; pin a released version \(newest: \d+\.\d+\.\d+; all: pip index versions Flask\)$/);
    expect(message).not.toContain('\x1b');
  });

  test('no wheel for the CPython version: names the versions that have wheels', () => {
    const message = bundlingError('psycopg2-binary==2.9.9\n');
    expect(message).toContain(`cdk-wsgi local bundling for ${TARGET}: psycopg2-binary==2.9.9 has no wheel for CPython 3.13 ` +
      '(its 2.9.9 wheels are for CPython 3.7 to 3.12)');
    expect(message).toContain('pip: "ERROR: No matching distribution found for psycopg2-binary==2.9.9"');
    expect(message).toMatch(/; pin a version with cp313 wheels, use a runtime its wheels are for, or use bundlingMode BundlingMode\.DOCKER to build it from its sdist$/);
    expect(message).not.toContain('\x1b');
  });

  test('no wheel for the architecture: names the platforms that have wheels and the other architecture', () => {
    // pysqlite3-binary publishes manylinux x86_64 wheels only, and no sdist.
    const message = bundlingError('pysqlite3-binary==0.5.4\n');
    expect(message).toContain(`cdk-wsgi local bundling for ${TARGET}: pysqlite3-binary==0.5.4 has no wheel for linux/aarch64 ` +
      '(its CPython 3.13 wheels for 0.5.4 are for linux/x86_64)');
    expect(message).toContain('pip: "ERROR: No matching distribution found for pysqlite3-binary==0.5.4"');
    expect(message).toMatch(/; pin a version with manylinux aarch64 wheels or set architecture Architecture\.X86_64$/);
    expect(message).not.toContain('\x1b');
  });

  // psycopg2 2.9.10 has Windows wheels and an sdist. Its build gives a platform wheel where pg_config is on PATH and
  // fails early where it is not: native either way.
  const python = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf-8' }).stdout.trim();
  test.each([
    ['as PATH has it', {}],
    // an empty pip cache, or pip reuses the wheel the first case built
    ['without pg_config', { PATH: tempDir('empty-path'), CDK_WSGI_PYTHON: python, PIP_CACHE_DIR: tempDir('pip-cache') }],
  ])('an sdist-only native package (%s): suggests a binary-wheel variant or Docker', (_, env: NodeJS.ProcessEnv) => {
    withEnv(env, () => {
      const message = bundlingError('psycopg2==2.9.10\n');
      expect(message).toContain(`cdk-wsgi local bundling for ${TARGET}: psycopg2==2.9.10 has only an sdist for Linux ` +
        '(its wheels are for Windows), and it builds native code (');
      expect(message).toContain('which must be compiled for linux/aarch64 CPython 3.13');
      expect(message).toContain('pip: "ERROR: No matching distribution found for psycopg2==2.9.10"');
      if (env.PATH) expect(message).toContain('its build here said "Error: pg_config executable not found."');
      expect(message).toMatch(/; use its binary-wheel variant if the project has one \(such as psycopg2-binary, or psycopg\[binary\]\), or use bundlingMode BundlingMode\.DOCKER$/);
      expect(message).not.toContain('\x1b');
    });
  });

  test("a build failure: quotes pip and the build's last lines", () => {
    // anyjson 0.3.3 is pure Python, sdist only, and its setup.py uses use_2to3, which setuptools 58 removed.
    const message = bundlingError('anyjson==0.3.3\n');
    expect(message).toContain(`cdk-wsgi local bundling for ${TARGET}: anyjson==0.3.3 has only an sdist to install from, ` +
      'and building it failed: pip: "');
    // pip's own headline for the failed step: pip 23.2 names the build hook, pip 23.0 (Debian 12's) the metadata step.
    expect(message).toMatch(/ failed: pip: "(Getting requirements to build wheel did not run successfully|Encountered error while generating package metadata)\."; /);
    expect(message).toContain("; fix the build, pin a version that publishes a wheel, or use bundlingMode BundlingMode.DOCKER; the build's last lines:\n");
    expect(message).toMatch(/\n {2}\| error in anyjson setup command: use_2to3 is invalid\.$/m);
    expect(message).not.toContain('\x1b');
  });
});
