import { spawnSync, SpawnSyncOptions } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// Builds with pinned tools from PyPI (pip's cache after the first run) and installs into fresh venvs.
jest.setTimeout(240_000);

const ROOT = path.join(__dirname, '..');
const LIB_PYTHON = path.join(ROOT, 'lib-python');
const PACKAGE_DIR = path.join(LIB_PYTHON, 'src', 'cdk_wsgi_adapter');
// A real REST API (payload 1.0) sample event: AWS SAM CLI's, as tests/events/README.md lists it.
const REST_EVENT = path.join(LIB_PYTHON, 'tests', 'events', 'aws-sam-cli', 'apigateway', 'AwsProxy.json');
// The twine publib-pypi installs (`twine<6.2.0`) for the release workflow's uploads.
const TWINE = 'twine==6.1.0';

interface Built {
  readonly wheel: string;
  readonly sdist: string;
  /** What the wheel and the sdist hold, as INSPECT reads them. */
  readonly contents: Contents;
}

interface Contents {
  readonly wheelFiles: string[];
  readonly metadata: Record<string, string[]>;
  readonly wheelInfo: Record<string, string[]>;
  readonly sdistFiles: string[];
}

function run(command: string, args: string[], options: SpawnSyncOptions = {}): string {
  const result = spawnSync(command, args, { encoding: 'utf-8', ...options });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status ?? result.signal}:\n${result.stdout}\n${result.stderr}`);
  }
  return String(result.stdout);
}

// The wheel's files, METADATA and WHEEL fields (each a list: Classifier and License-File repeat), and the sdist's files.
const INSPECT = `
import email.parser, json, sys, tarfile, zipfile
wheel, sdist = sys.argv[1:]
def fields(text):
    message = email.parser.Parser().parsestr(text)
    return {key: message.get_all(key) for key in set(message.keys())}
with zipfile.ZipFile(wheel) as z:
    names = sorted(z.namelist())
    read = lambda suffix: z.read(next(n for n in names if n.endswith(suffix))).decode()
    metadata, info = fields(read(".dist-info/METADATA")), fields(read(".dist-info/WHEEL"))
with tarfile.open(sdist) as t:
    sdist_files = sorted(m.name for m in t.getmembers() if m.isfile())
print(json.dumps({"wheelFiles": names, "metadata": metadata, "wheelInfo": info, "sdistFiles": sdist_files}))
`;

/** The wheel and sdist the packaging wrote into `out`, with what they hold. */
function builtIn(out: string): Built {
  const files = fs.readdirSync(out).sort();
  const wheel = files.filter(f => f.endsWith('.whl'));
  const sdist = files.filter(f => f.endsWith('.tar.gz'));
  expect({ wheel: wheel.length, sdist: sdist.length, all: files.length }).toEqual({ wheel: 1, sdist: 1, all: 2 });
  const [w, s] = [path.join(out, wheel[0]), path.join(out, sdist[0])];
  return { wheel: w, sdist: s, contents: JSON.parse(run('python3', ['-c', INSPECT, w, s])) };
}

/** The package's files in the tree, as the layer ships them (no byte code), relative to lib-python/src. */
function packageFiles(): string[] {
  return (fs.readdirSync(PACKAGE_DIR, { recursive: true }) as string[])
    .map(f => path.join('cdk_wsgi_adapter', f).split(path.sep).join('/'))
    .filter(f => !f.split('/').includes('__pycache__') && fs.statSync(path.join(LIB_PYTHON, 'src', f)).isFile())
    .sort();
}

function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

describe('cdk-wsgi-adapter, the adapter on PyPI (npx projen package:adapter)', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-test-adapter-package-'));
  // The version projen's bump writes into package.json for a release (0.0.0 between releases).
  const version: string = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf-8')).version;
  const pyproject = path.join(LIB_PYTHON, 'pyproject.toml');
  let pyprojectBefore: string;
  let built: Built;

  beforeAll(() => {
    pyprojectBefore = fs.readFileSync(pyproject, 'utf-8');
    run('npx', ['projen', 'package:adapter', path.join(work, 'out')], { cwd: ROOT });
    built = builtIn(path.join(work, 'out'));
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('builds one wheel and one sdist, named for the version in package.json', () => {
    // Releases are X.Y.Z (no pre-release channel), which PEP 440 spells the same; pre-releases are stamped below.
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(path.basename(built.wheel)).toBe(`cdk_wsgi_adapter-${version}-py3-none-any.whl`);
    expect(path.basename(built.sdist)).toBe(`cdk_wsgi_adapter-${version}.tar.gz`);
  });

  test("declares the name, the version, Python 3.11 and no dependencies in the wheel's metadata", () => {
    const { metadata, wheelInfo } = built.contents;
    expect(metadata).toMatchObject({
      'Name': ['cdk-wsgi-adapter'],
      'Version': [version],
      'Requires-Python': ['>=3.11'],
      'License-Expression': ['Apache-2.0'],
      'License-File': ['LICENSE'],
      'Description-Content-Type': ['text/markdown'],
    });
    expect(metadata['Requires-Dist']).toBeUndefined();
    expect(metadata.Classifier).toEqual(expect.arrayContaining(
      ['3.11', '3.12', '3.13', '3.14'].map(v => `Programming Language :: Python :: ${v}`).concat('Typing :: Typed')));
    expect(wheelInfo).toMatchObject({ 'Root-Is-Purelib': ['true'], 'Tag': ['py3-none-any'] });
  });

  test("holds the package's modules and py.typed, and nothing else but its metadata and licence", () => {
    const distInfo = `cdk_wsgi_adapter-${version}.dist-info`;
    const expected = packageFiles();
    expect(expected).toContain('cdk_wsgi_adapter/py.typed');
    expect(expected.filter(f => !f.endsWith('.py') && f !== 'cdk_wsgi_adapter/py.typed')).toEqual([]);
    expect(built.contents.wheelFiles).toEqual([
      ...expected,
      ...['METADATA', 'RECORD', 'WHEEL', 'licenses/LICENSE'].map(f => `${distInfo}/${f}`),
    ].sort());
  });

  test('ships the same modules in the sdist, with its README and licence, without tests', () => {
    const top = `cdk_wsgi_adapter-${version}`;
    expect(built.contents.sdistFiles).toEqual([
      ...packageFiles().map(f => `${top}/src/${f}`),
      ...['LICENSE', 'PKG-INFO', 'README.md', 'pyproject.toml'].map(f => `${top}/${f}`),
    ].sort());
  });

  test('installs from the wheel alone into a fresh venv, where make_handler answers a real API Gateway event', () => {
    const venv = path.join(work, 'venv');
    run('python3', ['-m', 'venv', venv]);
    const python = path.join(venv, 'bin', 'python');
    run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-index', built.wheel]);
    // -I: nothing from this machine's environment, the working directory or the tree is on the path.
    const answer = JSON.parse(run(python, ['-I', '-c', `
import json, sys
from importlib.metadata import version
import cdk_wsgi_adapter
from cdk_wsgi_adapter import make_handler

def app(environ, start_response):
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
    return [f"{environ['REQUEST_METHOD']} {environ['SCRIPT_NAME']}{environ['PATH_INFO']} ".encode() + body]

class Context:
    """The attributes of https://docs.aws.amazon.com/lambda/latest/dg/python-context.html"""
    function_name = "adapter-package-test"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:adapter-package-test"
    memory_limit_in_mb = 128
    aws_request_id = "6f1b6c6e-0000-4000-8000-000000000000"
    log_group_name = "/aws/lambda/adapter-package-test"
    log_stream_name = "2026/12/07/[$LATEST]0123456789abcdef"
    def get_remaining_time_in_millis(self):
        return 30_000

with open(sys.argv[1], "rb") as f:
    event = json.loads(f.read())
response = make_handler(app)(event, Context())
print(json.dumps({"file": cdk_wsgi_adapter.__file__, "version": version("cdk-wsgi-adapter"), "response": response}))
`, REST_EVENT], { cwd: work }));
    expect(answer.file.startsWith(path.join(venv, 'lib'))).toBe(true);
    expect(answer.version).toBe(version);
    expect(answer.response).toMatchObject({
      statusCode: 200,
      body: 'POST /prod/path/to/resource {"test":"body"}',
      isBase64Encoded: false,
    });
  });

  test('leaves lib-python as it was: the version is stamped into a copy', () => {
    expect(fs.readFileSync(pyproject, 'utf-8')).toBe(pyprojectBefore);
    expect(pyprojectBefore).toMatch(/^version = "0\.0\.0"$/m);
    for (const leftover of ['build', 'dist', path.join('src', 'cdk_wsgi_adapter.egg-info')]) {
      expect(fs.existsSync(path.join(LIB_PYTHON, leftover))).toBe(false);
    }
  });

  /**
   * A release's checkout, as the release workflow's PyPI job has it (package.json with the bumped version), frozen: a
   * copy of the script, the package and its files, and a link to node_modules (jsii-pacmak's version rules).
   */
  function releaseTree(npmVersion: string): string {
    const tree = fs.mkdtempSync(path.join(work, `release-${npmVersion}-`));
    fs.mkdirSync(path.join(tree, '.ci'));
    fs.copyFileSync(path.join(ROOT, '.ci', 'package-adapter'), path.join(tree, '.ci', 'package-adapter'));
    fs.copyFileSync(path.join(ROOT, 'LICENSE'), path.join(tree, 'LICENSE'));
    fs.writeFileSync(path.join(tree, 'package.json'), JSON.stringify({ name: 'cdk-wsgi', version: npmVersion }));
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(tree, 'node_modules'));
    fs.mkdirSync(path.join(tree, 'lib-python', 'src'), { recursive: true });
    for (const file of ['pyproject.toml', 'README.md']) {
      fs.copyFileSync(path.join(LIB_PYTHON, file), path.join(tree, 'lib-python', file));
    }
    fs.cpSync(PACKAGE_DIR, path.join(tree, 'lib-python', 'src', 'cdk_wsgi_adapter'), { recursive: true });
    return tree;
  }

  test.each([
    ['1.4.0', '1.4.0'],
    ['2.0.0-rc.1', '2.0.0rc1'], // jsii-pacmak's form for the cdk-wsgi wheel, normalized as pip and PyPI write it
  ])('stamps the version a release writes into package.json, %s, as %s', (npmVersion, pythonVersion) => {
    const tree = releaseTree(npmVersion);
    run('bash', ['.ci/package-adapter'], { cwd: tree });
    const release = builtIn(path.join(tree, 'dist', 'adapter'));
    expect(path.basename(release.wheel)).toBe(`cdk_wsgi_adapter-${pythonVersion}-py3-none-any.whl`);
    expect(path.basename(release.sdist)).toBe(`cdk_wsgi_adapter-${pythonVersion}.tar.gz`);
    expect(release.contents.metadata.Version).toEqual([pythonVersion]);
    expect(release.contents.wheelFiles).toContain(`cdk_wsgi_adapter-${pythonVersion}.dist-info/METADATA`);
  });

  test('gives the same bytes when built again from the same sources and version', () => {
    const tree = releaseTree('1.4.0');
    const [first, second] = ['first', 'second'].map(name => {
      run('bash', ['.ci/package-adapter', name], { cwd: tree });
      return builtIn(path.join(tree, name));
    });
    expect([sha256(second.wheel), sha256(second.sdist)]).toEqual([sha256(first.wheel), sha256(first.sdist)]);
  });

  test('passes the check of the twine the release workflow uploads it with', () => {
    const venv = path.join(work, 'twine');
    run('python3', ['-m', 'venv', venv]);
    run(path.join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', TWINE]);
    const output = run(path.join(venv, 'bin', 'twine'), ['check', '--strict', built.wheel, built.sdist], { env: { ...process.env, NO_COLOR: '1' } });
    expect(output.match(/PASSED/g)).toHaveLength(2);
  });
});
