import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AssemblyFunction } from '../src/cli/assembly';
import { outcomeOf } from '../src/cli/lambda-environment';
import { foreignModules, lambdaFunction } from '../src/cli/lambda-function';
import { RieLog } from '../src/cli/rie-log';

/*
 * The parts of `cdk-wsgi emulate` that need no emulator: the emulator's output turned into Lambda's log lines, the
 * function read from a template, the architecture of compiled modules, and what an invocation's answer means.
 * test/fixtures/rie-output holds what aws-lambda-rie (from aws-sam-cli 1.170.0) and awslambdaric 4.2.2 printed for a
 * small handler that prints, raises, sleeps past its 2 s timeout and exits, and for one whose import fails.
 */
const FIXTURES = path.join(__dirname, 'fixtures', 'rie-output');

type Init = { durationMs: number; failed: boolean };

function translate(fixture: string, maxMemoryUsedMb = () => 61 as number | undefined): { lines: string[]; inits: Init[] } {
  const lines: string[] = [];
  const inits: Init[] = [];
  const log = new RieLog({
    runtimeVersion: 'python:3.11 (CPython 3.11.7 in aws-lambda-rie)',
    memorySize: 256,
    timeoutSeconds: 2,
    maxMemoryUsedMb,
    write: line => lines.push(line),
    onInit: init => inits.push(init),
  });
  const text = fs.readFileSync(path.join(FIXTURES, fixture), 'utf8');
  // In uneven chunks, as a pipe delivers them.
  for (let i = 0; i < text.length; i += 97) log.push(text.slice(i, i + 97));
  log.flush();
  return { lines, inits };
}

describe('RieLog: the emulator output as Lambda logs it', () => {
  test('init, invokes, a handler error, a timeout, a crash: INIT_START first, START after the init, REPORT with the init', () => {
    const { lines, inits } = translate('lifecycle.txt');
    // None of the emulator's own lines is left.
    expect(lines.filter(line => line.includes('(rapid)'))).toEqual([]);
    const shape = lines.map(line => line
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'ID')
      .replace(/\d+\.\d\d ms/g, 'N ms').replace(/Billed Duration: \d+ ms/, 'Billed Duration: B ms')
      .replace(/^\d{4}-\d\d-\d\dT[\d:.]+Z/, 'TIME'));
    expect(shape.slice(0, 5)).toEqual([
      'INIT_START Runtime Version: python:3.11 (CPython 3.11.7 in aws-lambda-rie)',
      'init side',
      'START RequestId: ID Version: $LATEST',
      'handling {}',
      'END RequestId: ID',
    ]);
    expect(shape[5]).toMatch(/^REPORT RequestId: ID\tDuration: N ms\tBilled Duration: B ms\tMemory Size: 256 MB\tMax Memory Used: 61 MB\tInit Duration: N ms$/);
    // The handler's exception: awslambdaric's one line with carriage returns becomes the traceback's lines.
    expect(lines).toContainEqual('[ERROR] ValueError: boom');
    expect(lines).toContainEqual('Traceback (most recent call last):');
    // The timeout, in Lambda's words, then a fresh init for the next invoke.
    const timedOut = shape.findIndex(line => line === 'TIME ID Task timed out after 2.00 seconds');
    expect(timedOut).toBeGreaterThan(0);
    expect(shape[timedOut + 3]).toBe('INIT_START Runtime Version: python:3.11 (CPython 3.11.7 in aws-lambda-rie)');
    // The crash: Lambda's two lines, and another init.
    expect(shape).toContainEqual('RequestId: ID Error: Runtime exited with error: exit status 3');
    expect(shape).toContainEqual('Runtime.ExitError');
    expect(shape.filter(line => line.startsWith('INIT_START'))).toHaveLength(3);
    expect(inits.map(init => init.failed)).toEqual([false, false, false]);
    // Only a REPORT after an init carries its duration, and the invoke's own duration excludes it.
    const reports = lines.filter(line => line.startsWith('REPORT'));
    expect(reports.map(line => line.includes('Init Duration'))).toEqual([true, false, false, false, true, true]);
    const first = reports[0];
    const [duration, init] = [/\tDuration: ([\d.]+)/, /Init Duration: ([\d.]+)/].map(re => Number(re.exec(first)![1]));
    expect(duration).toBeLessThan(init);
    expect(Number(/Billed Duration: (\d+)/.exec(first)![1])).toBe(Math.ceil(duration + init));
  });

  test('an init that fails: the traceback, then INIT_REPORT with its status, once per attempt', () => {
    const { lines, inits } = translate('init-error.txt');
    expect(lines.filter(line => line.startsWith('INIT_START'))).toHaveLength(2);
    expect(lines.filter(line => /^INIT_REPORT Init Duration: [\d.]+ ms\tPhase: init\tStatus: error\tError Type: Runtime.ExitError$/.test(line)))
      .toHaveLength(2);
    expect(lines).toContainEqual('[ERROR] Runtime.ImportModuleError: Unable to import module \'h\': no module named nope');
    expect(inits.map(init => init.failed)).toEqual([true, true]);
  });

  test('a crash is written once, whichever of the emulator\'s two lines about it comes first', () => {
    const rapid = (message: string) => `07 Dec 2026 18:40:17,550 [INFO] (rapid) ${message}\n`;
    for (const order of [[0, 1], [1, 0]]) {
      const lines: string[] = [];
      const log = new RieLog({ runtimeVersion: 'python:3.14', memorySize: 128, timeoutSeconds: 3, maxMemoryUsedMb: () => 1, write: line => lines.push(line) });
      log.push(rapid('INVOKE START(requestId: abc)'));
      const crash = [rapid('Invoke failed error=Runtime exited without providing a reason InvokeID=abc'), rapid('Process runtime-2 exited: exit status 3')];
      for (const i of order) log.push(crash[i]);
      log.push(rapid('Process runtime-3 exited: signal: killed')); // no invocation under way: nothing to say
      expect(lines).toEqual([
        order[0] === 0 ? 'RequestId: abc Error: Runtime exited without providing a reason' : 'RequestId: abc Error: Runtime exited with error: exit status 3',
        'Runtime.ExitError',
      ]);
    }
  });

  test('memory over the function\'s memorySize is said, as Lambda would stop it', () => {
    const { lines } = translate('lifecycle.txt', () => 300);
    expect(lines).toContainEqual(expect.stringMatching(/^cdk-wsgi emulate: the function used 300 MB, over its memorySize of 256 MB: .*raise memorySize$/));
  });

  test('an unknown peak memory is a question mark, not a made-up figure', () => {
    const { lines } = translate('lifecycle.txt', () => undefined);
    expect(lines.find(line => line.startsWith('REPORT'))).toContain('Max Memory Used: ? MB');
  });
});

describe('outcomeOf: what the front door makes of the emulator\'s answer', () => {
  test.each([
    [200, '{"statusCode": 200, "body": "hi"}', { result: { statusCode: 200, body: 'hi' } }],
    [200, '{"errorMessage": "boom", "errorType": "ValueError", "stackTrace": []}', { error: 'ValueError: boom' }],
    [200, 'Task timed out after 2.00 seconds', { error: 'Task timed out after 2.00 seconds' }],
    [502, '{"errorType":"Runtime.ExitError","errorMessage":"RequestId: x Error: Runtime exited with error: exit status 3"}',
      { error: 'Runtime.ExitError: RequestId: x Error: Runtime exited with error: exit status 3' }],
    [200, '', { error: 'the emulator answered 200 with no payload' }],
  ])('%d %s', (status, text, outcome) => {
    expect(outcomeOf({ status, text })).toEqual(outcome);
  });
});

describe('the function as Lambda runs it, from the template', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-emulate-units-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.mkdirSync(path.join(dir, 'asset.code'));
  fs.mkdirSync(path.join(dir, 'asset.layer'));

  function fn(properties: object, metadata: object = { 'aws:asset:path': 'asset.code' }, resources: Record<string, any> = {}): AssemblyFunction {
    const resource = { Type: 'AWS::Lambda::Function', Metadata: metadata, Properties: properties };
    return {
      name: 'Stack/App',
      stackName: 'Stack',
      deployedAs: { stackName: 'Stack' },
      logicalId: 'AppFunction',
      assemblyDir: dir,
      metadata: { entry: 'app' },
      properties,
      resource,
      resources: { AppFunction: resource, ...resources },
    };
  }

  test('its asset, its layers in order, its literal variables, and Lambda\'s defaults for what it leaves out', () => {
    const layer = { Type: 'AWS::Lambda::LayerVersion', Metadata: { 'aws:asset:path': 'asset.layer' } };
    const found = lambdaFunction(fn({
      Runtime: 'python3.13',
      Handler: 'cdk_wsgi_adapter.handler',
      Architectures: ['arm64'],
      Layers: [{ Ref: 'Layer' }, 'arn:aws:lambda:eu-west-1:123456789012:layer:other:3'],
      Environment: { Variables: { CDK_WSGI_APP: 'api:app', TABLE: { Ref: 'Table' } } },
    }, undefined, { Layer: layer }));
    expect(found).toEqual({
      label: 'Stack/App',
      logicalId: 'AppFunction',
      handler: 'cdk_wsgi_adapter.handler',
      pythonVersion: '3.13',
      architecture: 'arm64',
      codeDir: path.join(dir, 'asset.code'),
      layerDirs: [path.join(dir, 'asset.layer')],
      environment: { CDK_WSGI_APP: 'api:app' },
      deployTimeVariables: ['TABLE'],
      foreignLayers: ['arn:aws:lambda:eu-west-1:123456789012:layer:other:3'],
      memorySize: 128,
      timeoutSeconds: 3,
    });
  });

  test('a template without asset metadata, a missing asset and a runtime that is not Python each say what to do', () => {
    expect(() => lambdaFunction(fn({ Runtime: 'python3.14' }, {}))).toThrow(
      /^the template does not say where Stack\/App's asset for its code is; synthesize with asset metadata/);
    expect(() => lambdaFunction(fn({ Runtime: 'python3.14' }, { 'aws:asset:path': 'asset.gone' }))).toThrow(
      /^Stack\/App's asset for its code is not a folder at .*asset\.gone; synthesize again \(`cdk synth`\)$/);
    expect(() => lambdaFunction(fn({ Runtime: 'nodejs22.x' }))).toThrow(
      'Stack/App runs on nodejs22.x, not a Python runtime that can be emulated here');
  });

  test('compiled modules for the other architecture are found by their ELF header, whatever their name', () => {
    const elf = (machine: number) => {
      const header = Buffer.alloc(64);
      header.writeUInt32BE(0x7f454c46, 0);
      header.writeUInt16LE(machine, 18);
      return header;
    };
    const code = fs.mkdtempSync(path.join(dir, 'modules-'));
    fs.mkdirSync(path.join(code, 'markupsafe'));
    fs.writeFileSync(path.join(code, 'markupsafe', '_speedups.cpython-314-aarch64-linux-gnu.so'), elf(0xb7));
    fs.writeFileSync(path.join(code, 'x86.so'), elf(0x3e));
    fs.writeFileSync(path.join(code, 'libthing.so.1'), elf(0xb7));
    fs.writeFileSync(path.join(code, 'not-elf.so'), 'text');
    fs.writeFileSync(path.join(code, 'plain.py'), elf(0xb7));
    expect(foreignModules([code], 'x86_64')).toEqual(['libthing.so.1', path.join('markupsafe', '_speedups.cpython-314-aarch64-linux-gnu.so')]);
    expect(foreignModules([code], 'arm64')).toEqual(['x86.so']);
  });
});
