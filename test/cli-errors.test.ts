import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { deployStack, MotoServer, startMoto, userWithoutPolicies } from './moto';
import { RunningCli, runCli } from './serve-helpers';

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
    Role: {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        },
      },
    },
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

/** A cloud assembly in `dir` as `cdk synth` lays it out, holding TEMPLATE as stack Ops in REGION. */
function writeAssembly(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({
    version: '48.0.0',
    artifacts: {
      Ops: { type: 'aws:cloudformation:stack', environment: `aws://123456789012/${REGION}`, properties: { templateFile: 'Ops.template.json' } },
    },
  }));
  fs.writeFileSync(path.join(dir, 'Ops.template.json'), JSON.stringify(TEMPLATE));
}

interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

async function finished(cli: RunningCli): Promise<Finished> {
  const code = await cli.exited;
  return { code, stdout: cli.stdout(), stderr: cli.stderr() };
}

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
    writeAssembly(path.join(work, 'cdk.out'));
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

  test('a function deployed without the manage alias: deploy with this version of cdk-wsgi', async () => {
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

  test('logs refused: api.grantLogs', async () => {
    // IAM as AWS applies it, from the third request on: the first two make the user and its key.
    const strict = await startMoto({ authorizeAfter: 2 });
    try {
      const key = await userWithoutPolicies(strict, 'dev');
      const refused = await cli(['logs'], {
        AWS_ENDPOINT_URL_CLOUDFORMATION: strict.url,
        AWS_ACCESS_KEY_ID: key.accessKeyId,
        AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
        AWS_SESSION_TOKEN: '',
      });
      expect(refused).toEqual({
        code: 1,
        stdout: '',
        stderr: 'cdk-wsgi logs: User: arn:aws:iam::123456789012:user/dev is not authorized to perform: cloudformation:DescribeStackResource; '
          + 'grant what cdk-wsgi logs needs with api.grantLogs(<role or user>) in the CDK app, and deploy\n',
      });
    } finally {
      await strict.stop();
    }
  });
});
