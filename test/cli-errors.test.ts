import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { finished, LAMBDA_ROLE, writeAssembly } from './cli-helpers';
import { freePorts } from './loopback';
import { asUserWithoutPolicies, createLogGroup, deployStack, MotoServer, putLogEvents, startMoto } from './moto';
import { ROOT, runCli } from './serve-helpers';

/**
 * What the CLI prints when it cannot do what it was asked: one line naming the fix, for each way a remote command
 * fails before, or instead of, running. Everything here is the real CLI, run as a user runs it; AWS is moto's
 * server and, for Lambda, a loopback stand-in that answers Invoke as the service does (moto runs functions only in
 * Docker). test/cli-remote.test.ts runs the commands themselves in AWS's Lambda emulator.
 */
jest.setTimeout(60_000);

const REGION = 'us-east-1';
const FUNCTION_NAME = 'ops-app';
const FUNCTION_ARN = `arn:aws:lambda:${REGION}:123456789012:function:${FUNCTION_NAME}`;

/** The deployed stack, and the template of the assembly that describes it: one WsgiApi function. */
const TEMPLATE = {
  Resources: {
    Role: LAMBDA_ROLE,
    AppFunction: {
      Type: 'AWS::Lambda::Function',
      Metadata: { 'cdk-wsgi': { entry: 'app', apiType: 'REST', stageName: 'prod' }, 'aws:cdk:path': 'Ops/App/Function/Resource' },
      Properties: {
        FunctionName: FUNCTION_NAME,
        Runtime: 'python3.12',
        Handler: 'cdk_wsgi_adapter.handler',
        Role: { 'Fn::GetAtt': ['Role', 'Arn'] },
        Code: { ZipFile: 'def handler(event, context): pass\n' },
      },
    },
  },
};


describe('the CLI fails in one line that names the fix', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-errors-'));
  /**
   * A user with nothing of AWS set up: no AWS_* variables (the tester's own are blanked), a home without ~/.aws, no
   * instance metadata to ask.
   */
  const bare: NodeJS.ProcessEnv = {
    ...Object.fromEntries(Object.keys(process.env).filter(name => name.startsWith('AWS_')).map(name => [name, ''])),
    HOME: work,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  const keys = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' };
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => finished(runCli(args, { cwd: work, env: { ...bare, ...env } }));

  beforeAll(() => writeAssembly(path.join(work, 'cdk.out'), TEMPLATE, REGION));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('--version and -V print the package\'s version; --help says so', async () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf-8'));
    expect(await cli(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    expect(await cli(['-V'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    expect((await cli(['--help'])).stdout).toMatch(/^ {2}-V, --version +print cdk-wsgi's version$/m);
  });

  test('a reader that closes the pipe before the CLI writes: no error', async () => {
    const help = runCli(['--help'], { cwd: work, env: bare });
    help.child.stdout!.destroy();
    expect(await finished(help)).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  test('a profile that is in neither shared file: where it was named, the files looked in, and how to add it', async () => {
    fs.writeFileSync(path.join(work, 'config'), '');
    fs.writeFileSync(path.join(work, 'credentials'), '');
    const files = { AWS_CONFIG_FILE: path.join(work, 'config'), AWS_SHARED_CREDENTIALS_FILE: path.join(work, 'credentials') };
    expect(await cli(['manage', '--profile', 'nope', 'migrate'], files)).toEqual({
      code: 1,
      stdout: '',
      stderr: `cdk-wsgi manage: profile 'nope' (from --profile) is not in ${files.AWS_CONFIG_FILE} (AWS_CONFIG_FILE) or `
        + `${files.AWS_SHARED_CREDENTIALS_FILE} (AWS_SHARED_CREDENTIALS_FILE): add it with \`aws configure --profile nope\` `
        + '(an access key) or `aws configure sso` (IAM Identity Center)\n',
    });

    // From AWS_PROFILE, the files where the SDK looks by default; with no region anywhere (--stack reads no assembly),
    // the profile is still what to fix. The profiles the files do define are named.
    fs.mkdirSync(path.join(work, '.aws'));
    fs.writeFileSync(path.join(work, '.aws', 'config'), '[default]\noutput = json\n\n[profile ops]\nsso_session = corp\n');
    const fromEnvironment = await cli(['logs', '--stack', 'Ops'], { AWS_PROFILE: 'nope' });
    expect(fromEnvironment).toEqual({
      code: 1,
      stdout: '',
      stderr: 'cdk-wsgi logs: profile \'nope\' (from AWS_PROFILE) is not in ~/.aws/config or ~/.aws/credentials: add it with '
        + '`aws configure --profile nope` (an access key) or `aws configure sso` (IAM Identity Center); the files name default, ops\n',
    });
    fs.rmSync(path.join(work, '.aws'), { recursive: true });
  });

  test('a profile that is there but gives no credentials: how to sign in with it, or the SDK\'s reason', async () => {
    fs.writeFileSync(path.join(work, 'config'), '[profile ops]\nregion = us-east-1\n');
    const refused = await cli(['exec', '-c', 'pass'], { AWS_CONFIG_FILE: path.join(work, 'config'), AWS_PROFILE: 'ops' });
    expect(refused).toEqual({
      code: 1,
      stdout: '',
      stderr: 'cdk-wsgi exec: no AWS credentials found in profile \'ops\' (from AWS_PROFILE): sign in with '
        + '`aws sso login --profile ops`, or give it an access key with `aws configure --profile ops`\n',
    });

    // IAM Identity Center without a session: the SDK looks for its token in ~/.aws/sso/cache, and says so.
    fs.writeFileSync(path.join(work, 'config'), '[profile ops]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Ops\n\n'
      + '[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n');
    const signedOut = await cli(['manage', '--profile', 'ops', 'migrate'], { AWS_CONFIG_FILE: path.join(work, 'config') });
    expect(signedOut.code).toBe(1);
    expect(signedOut.stderr).toMatch(/^cdk-wsgi manage: could not get AWS credentials of profile 'ops': [^\n]*aws sso login[^\n]*\n$/);
  });

  test('an endpoint where nothing listens, and a host that does not exist: the host, and the variable that sent the call there', async () => {
    const [closed] = await freePorts(1);
    const refused = await cli(['command', 'ls'], { ...keys, AWS_ENDPOINT_URL_CLOUDFORMATION: `http://127.0.0.1:${closed}` });
    expect(refused).toEqual({
      code: 1,
      stdout: '',
      stderr: `cdk-wsgi command: cannot reach 127.0.0.1:${closed}: nothing accepts connections there (ECONNREFUSED); `
        + `AWS_ENDPOINT_URL_CLOUDFORMATION=http://127.0.0.1:${closed} sends the call there; correct it, or unset it to call AWS\n`,
    });

    // .invalid never resolves (RFC 6761); a machine without a name server says it could not ask.
    const unknown = await cli(['logs'], { ...keys, AWS_ENDPOINT_URL: 'http://nowhere.invalid' });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(new RegExp('^cdk-wsgi logs: cannot reach nowhere\\.invalid: (no such host \\(ENOTFOUND\\)|its name could '
      + 'not be looked up \\(EAI_AGAIN\\)); AWS_ENDPOINT_URL=http://nowhere\\.invalid sends the call there; correct it, or unset it to call AWS\\n$'));
  });

  test('an endpoint variable that is no URL, and a region that is no name', async () => {
    expect(await cli(['flask', 'routes'], { ...keys, AWS_ENDPOINT_URL_CLOUDFORMATION: 'not a url' })).toEqual({
      code: 1,
      stdout: '',
      stderr: 'cdk-wsgi flask: AWS_ENDPOINT_URL_CLOUDFORMATION=not a url is not a URL: give one such as https://host:port, or unset it\n',
    });
    expect(await cli(['logs', '--region', 'eu west 1'], keys)).toEqual({
      code: 1,
      stdout: '',
      stderr: 'cdk-wsgi logs: \'eu west 1\' is not an AWS region name (such as eu-west-1): check --region, AWS_REGION and the profile\'s region\n',
    });
  });

  test('exec with a file that is not there, or is a folder: the path, and what exec takes', async () => {
    expect(await cli(['exec', 'missing.py'])).toEqual({
      code: 1,
      stdout: '',
      stderr: `cdk-wsgi exec: no file missing.py (in ${fs.realpathSync(work)}): name the Python file to run, or give the code with -c CODE or `
        + 'on standard input with -\n',
    });
    expect(await cli(['exec', 'cdk.out'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'cdk-wsgi exec: cdk.out is a folder, not a file: name the Python file to run, or give the code with -c CODE or on standard input with -\n',
    });
  });

  test('a cloud assembly that a synth left half-written: the file, and to synthesize again', async () => {
    const broken = path.join(work, 'broken.out');
    writeAssembly(broken, TEMPLATE, REGION);
    fs.rmSync(path.join(broken, 'Ops.template.json'));
    expect(await cli(['manage', '--assembly', 'broken.out', 'migrate'], keys)).toEqual({
      code: 1,
      stdout: '',
      stderr: `cdk-wsgi manage: the cloud assembly in broken.out cannot be read: no file ${path.join(fs.realpathSync(work), 'broken.out', 'Ops.template.json')}; `
        + 'synthesize it again (`cdk synth`)\n',
    });
    fs.writeFileSync(path.join(broken, 'manifest.json'), '{"version": "48.0.0", "artif');
    const damaged = await cli(['logs', '--assembly', 'broken.out'], keys);
    expect(damaged.code).toBe(1);
    expect(damaged.stderr).toMatch(/^cdk-wsgi logs: the cloud assembly in broken\.out cannot be read: \S+\/broken\.out\/manifest\.json is not JSON \([^\n]+\); synthesize it again \(`cdk synth`\)\n$/);
  });
});

/** What the Lambda stand-in answers an Invoke with. */
interface Answer {
  readonly status: number;
  /** The error code, for an error: Lambda's `X-Amzn-ErrorType` header. */
  readonly errorType?: string;
  readonly body: unknown;
}

interface Invocation {
  readonly path: string;
  readonly qualifier: string | null;
  readonly event: any;
}

/**
 * Lambda's Invoke API on a loopback port (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html): each
 * request is recorded and answered with what `answer` returns.
 */
async function lambdaStandIn(answer: (invocation: Invocation) => Answer) {
  const invocations: Invocation[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', chunk => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const invocation = { path: url.pathname, qualifier: url.searchParams.get('Qualifier'), event: JSON.parse(Buffer.concat(chunks).toString() || 'null') };
      invocations.push(invocation);
      const { status, errorType, body } = answer(invocation);
      response.writeHead(status, { 'Content-Type': 'application/json', ...(errorType ? { 'X-Amzn-ErrorType': errorType } : {}) });
      response.end(JSON.stringify(body));
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    invocations,
    close: () => new Promise(resolve => server.close(resolve)),
  };
}

/** An answer of the adapter: the command's exit status and output. */
const commandAnswer = (exitCode: number, output: Array<['stdout' | 'stderr', string]>): Answer =>
  ({ status: 200, body: { exitCode, output, truncated: false } });

describe('commands and logs against a deployed stack', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-invoke-'));
  let moto: MotoServer;
  let answer: (invocation: Invocation) => Answer;
  let lambda: Awaited<ReturnType<typeof lambdaStandIn>>;
  let env: NodeJS.ProcessEnv;

  const cli = (args: string[], more: NodeJS.ProcessEnv = {}) => finished(runCli(args, { cwd: work, env: { ...env, ...more } }));

  beforeAll(async () => {
    writeAssembly(path.join(work, 'cdk.out'), TEMPLATE, REGION);
    moto = await startMoto();
    await deployStack(moto, 'Ops', TEMPLATE, REGION);
    lambda = await lambdaStandIn(invocation => answer(invocation));
    env = { ...moto.env, HOME: work, AWS_REGION: '', AWS_DEFAULT_REGION: '', AWS_ENDPOINT_URL_LAMBDA: lambda.url };
  });

  afterAll(async () => {
    await lambda?.close();
    await moto?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  beforeEach(() => {
    lambda?.invocations.splice(0);
  });

  test('each command invokes the manage alias, and a refusal of the adapter prints as any command\'s output', async () => {
    // What the adapter answers a command that came through another qualifier than its manage alias.
    const refusal = 'cdk-wsgi: management commands run only through the function\'s \'manage\' alias or a numbered version, and this '
      + 'one came through \'live\'; invoke the \'manage\' alias, which api.grantManage() grants (the cdk-wsgi CLI does)\n';
    answer = () => commandAnswer(126, [['stderr', refusal]]);
    for (const args of [['exec', '-c', 'pass'], ['command', 'ls'], ['manage', 'migrate'], ['flask', 'routes']]) {
      expect(await cli(args)).toEqual({ code: 126, stdout: '', stderr: refusal });
    }
    expect(lambda.invocations.map(({ path: invoked, qualifier, event }) => [invoked, qualifier, event.kind])).toEqual([
      [`/2015-03-31/functions/${FUNCTION_NAME}/invocations`, 'manage', 'python'],
      [`/2015-03-31/functions/${FUNCTION_NAME}/invocations`, 'manage', 'shell'],
      [`/2015-03-31/functions/${FUNCTION_NAME}/invocations`, 'manage', 'manage'],
      [`/2015-03-31/functions/${FUNCTION_NAME}/invocations`, 'manage', 'flask'],
    ]);
  });

  test('a function without the manage alias: deploy with this version of cdk-wsgi, or turn commands back on', async () => {
    // Lambda's answer for a qualifier the function does not have.
    answer = ({ qualifier }) => ({
      status: 404,
      errorType: 'ResourceNotFoundException',
      body: { Type: 'User', Message: `Function not found: ${FUNCTION_ARN}:${qualifier}` },
    });
    expect(await cli(['manage', 'migrate'])).toEqual({
      code: 1,
      stdout: '',
      stderr: `cdk-wsgi manage: Function not found: ${FUNCTION_ARN}:manage in ${REGION}: deploy the app (cdk deploy) with this version of `
        + 'cdk-wsgi, which gives the function the manage alias that commands run through\n',
    });

    // An app that turns commands off has no manage alias either: the prop is what to change.
    const off = structuredClone(TEMPLATE) as any;
    off.Resources.AppFunction.Properties.Environment = { Variables: { CDK_WSGI_APP: 'api.app', CDK_WSGI_MANAGEMENT: '0' } };
    writeAssembly(path.join(work, 'off.out'), off, REGION);
    expect(await cli(['exec', '--assembly', 'off.out', '-c', 'pass'])).toEqual({
      code: 1,
      stdout: '',
      stderr: `cdk-wsgi exec: Function not found: ${FUNCTION_ARN}:manage in ${REGION}: Ops/App turns management commands off `
        + '(managementCommands: false), so it has no manage alias; remove that prop and deploy (cdk deploy) to run them\n',
    });
  });

  test('an Invoke that IAM refuses: api.grantManage', async () => {
    answer = () => ({
      status: 403,
      errorType: 'AccessDeniedException',
      body: {
        Type: 'User',
        Message: `User: arn:aws:iam::123456789012:user/dev is not authorized to perform: lambda:InvokeFunction on resource: ${FUNCTION_ARN}:manage `
          + 'because no identity-based policy allows the lambda:InvokeFunction action',
      },
    });
    expect(await cli(['exec', '-c', 'pass'])).toEqual({
      code: 1,
      stdout: '',
      stderr: `cdk-wsgi exec: User: arn:aws:iam::123456789012:user/dev is not authorized to perform: lambda:InvokeFunction on resource: ${FUNCTION_ARN}:manage `
        + 'because no identity-based policy allows the lambda:InvokeFunction action; grant what the commands need with '
        + 'api.grantManage(<role or user>) in the CDK app, and deploy\n',
    });
  });

  test('a Lambda endpoint that does not exist: the variable that names it', async () => {
    const unknown = await cli(['exec', '-c', 'pass'], { AWS_ENDPOINT_URL_LAMBDA: 'http://nowhere.invalid' });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(new RegExp('^cdk-wsgi exec: cannot reach nowhere\\.invalid: (no such host \\(ENOTFOUND\\)|its name could '
      + 'not be looked up \\(EAI_AGAIN\\)); AWS_ENDPOINT_URL_LAMBDA=http://nowhere\\.invalid sends the call there; correct it, or unset it to call AWS\\n$'));
  });

  test('logs refused: api.grantLogs', async () => {
    const refused = await asUserWithoutPolicies(dev => cli(['logs'], dev));
    expect(refused).toEqual({
      code: 1,
      stdout: '',
      stderr: 'cdk-wsgi logs: User: arn:aws:iam::123456789012:user/dev is not authorized to perform: cloudformation:DescribeStackResource; '
        + 'grant what cdk-wsgi logs needs with api.grantLogs(<role or user>) in the CDK app, and deploy\n',
    });
  });

  test('a reader that closes the pipe early: the command\'s status; logs -f stops', async () => {
    answer = () => commandAnswer(3, [['stdout', 'a line of output\n'.repeat(200_000)]]);
    const exec = runCli(['exec', '-c', 'pass'], { cwd: work, env });
    exec.child.stdout!.destroy();
    expect(await finished(exec)).toEqual({ code: 3, stdout: '', stderr: '' });

    const group = `/aws/lambda/${FUNCTION_NAME}`;
    await createLogGroup(moto, group, REGION);
    await putLogEvents(moto, group, 'stream', ['START RequestId: 1'], undefined, REGION);
    const logs = runCli(['logs', '--follow', '--since', '1h'], { cwd: work, env });
    logs.child.stdout!.destroy();
    expect(await finished(logs)).toEqual({ code: 0, stdout: '', stderr: '' });
  });
});
