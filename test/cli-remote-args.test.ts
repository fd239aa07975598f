import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LambdaServiceException, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { writeAssembly } from './cli-helpers';
import { runCli } from './serve-helpers';
import { describeAwsError, GRANT_LOGS, GRANT_MANAGE } from '../src/cli/aws-errors';
import { UsageError } from '../src/cli/command';
import { logsCommand } from '../src/cli/logs-command';
import { commandCommand, execCommand, flaskCommand, manageCommand } from '../src/cli/remote-commands';

/** The remote commands' command lines and error lines, without AWS: test/cli-remote.test.ts runs them end to end. */
describe('remote command lines', () => {
  test('the command\'s own options end where the passed-on command starts; --help after that is the command\'s', () => {
    expect(manageCommand.ownArgs!(['migrate', '--help'])).toBe(0);
    expect(manageCommand.ownArgs!(['--function', 'Stack/App', '--region=eu-west-1', 'migrate', '--noinput'])).toBe(3);
    expect(flaskCommand.ownArgs!(['--stack', 'S', '--', 'routes'])).toBe(2);
    expect(commandCommand.ownArgs!(['--profile', 'ops', 'ls', '-la'])).toBe(2);
  });

  test.each([
    [manageCommand, [], 'name the manage command to run'],
    [manageCommand, ['--function'], 'Option \'--function <value>\' argument missing'],
    [flaskCommand, ['--bogus', 'routes'], 'Unknown option \'--bogus\''],
    [commandCommand, ['--'], 'name the shell command to run'],
    [execCommand, [], 'give the code with -c CODE, or one FILE (- for standard input)'],
    [execCommand, ['-c', 'pass', 'file.py'], 'give the code with -c CODE, or one FILE (- for standard input)'],
    [execCommand, ['a.py', 'b.py'], 'give the code with -c CODE, or one FILE (- for standard input)'],
    [execCommand, ['--stack', 'S', '--assembly', 'cdk.out', '-c', 'pass'], '--stack reads the deployed stack instead of a cloud assembly; leave out --assembly'],
    [logsCommand, ['--since', 'yesterday'], '--since "yesterday" is neither a duration'],
  ])('%#: bad command lines are usage errors', async (command, argv, message) => {
    const run = command.run(argv as string[]);
    await expect(run).rejects.toThrow(UsageError);
    await expect(run).rejects.toThrow(message as string);
  });

  test('AWS failures read as one line with the fix', () => {
    const $metadata = { httpStatusCode: 404 };
    const context = { region: 'eu-west-1', grant: GRANT_MANAGE };
    expect(describeAwsError(new ResourceNotFoundException({ message: 'Function not found: arn:aws:lambda:eu-west-1:1:function:f', $metadata }), context))
      .toBe('Function not found: arn:aws:lambda:eu-west-1:1:function:f in eu-west-1: deploy the app (cdk deploy), or pass the --region it is deployed in');
    // Lambda has no class for it: IAM's refusal arrives as a plain service error with this name.
    const denied = (grant: string) => describeAwsError(new LambdaServiceException({
      name: 'AccessDeniedException',
      $fault: 'client',
      message: 'User: arn:aws:iam::1:user/dev is not authorized to perform: lambda:InvokeFunction on resource: f:manage\nbecause no identity-based policy allows it',
      $metadata,
    }), { ...context, grant });
    expect(denied(GRANT_MANAGE)).toBe('User: arn:aws:iam::1:user/dev is not authorized to perform: lambda:InvokeFunction on resource: f:manage because no identity-based policy allows it; '
      + 'grant what the commands need with api.grantManage(<role or user>) in the CDK app, and deploy');
    expect(denied(GRANT_LOGS)).toMatch(/; grant what cdk-wsgi logs needs with api\.grantLogs\(<role or user>\) in the CDK app, and deploy$/);
    expect(describeAwsError(new LambdaServiceException({
      name: 'RequestTooLargeException',
      $fault: 'client',
      message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation',
      $metadata,
    }), context)).toMatch(/^Request must be smaller than 6291456 bytes for the InvokeFunction operation: a command travels in one Lambda request, at most 6 MB; put long code in the app/);
    // Not an AWS failure: the caller keeps it as it is.
    expect(describeAwsError(new Error('no cloud assembly in cdk.out'), context)).toBeUndefined();
  });

  // test/cli-errors.test.ts runs a refused connection and an unknown host through the CLI; these need the network.
  test.each([
    ['an unknown region is a host that does not exist',
      { code: 'ENOTFOUND', hostname: 'cloudformation.eu-wst-1.amazonaws.com', message: 'getaddrinfo ENOTFOUND cloudformation.eu-wst-1.amazonaws.com' },
      'cannot reach cloudformation.eu-wst-1.amazonaws.com: no such host (ENOTFOUND); check your network connection and proxy, '
        + 'and that eu-wst-1 is the region you mean (--region)'],
    ['offline: no name server answers',
      { code: 'EAI_AGAIN', hostname: 'lambda.eu-west-1.amazonaws.com', message: 'getaddrinfo EAI_AGAIN lambda.eu-west-1.amazonaws.com' },
      'cannot reach lambda.eu-west-1.amazonaws.com: its name could not be looked up (EAI_AGAIN); check your network connection and proxy'],
    ['a firewall that drops packets, past the operating system\'s timeout',
      { code: 'ETIMEDOUT', address: '52.94.0.1', port: 443, message: 'connect ETIMEDOUT 52.94.0.1:443' },
      'cannot reach 52.94.0.1:443: the connection timed out (ETIMEDOUT); check your network connection and proxy, and any endpoint_url in your AWS config file'],
    ['past the SDK\'s connection timeout',
      { name: 'TimeoutError', message: '@smithy/node-http-handler - the request socket did not establish a connection with the server within the configured timeout of 10000 ms.' },
      'cannot reach AWS: no connection within 10 s (TimeoutError); check your network connection and proxy'],
    ['a connection cut during an invocation',
      { code: 'ECONNRESET', message: 'socket hang up' },
      'cannot reach AWS: the connection was cut (ECONNRESET); check your network connection and proxy; a command may have run all the same (cdk-wsgi logs shows)'],
    ['a proxy that inspects TLS',
      { code: 'SELF_SIGNED_CERT_IN_CHAIN', message: 'self-signed certificate in certificate chain' },
      'cannot reach AWS: its TLS certificate is not one Node.js trusts (SELF_SIGNED_CERT_IN_CHAIN); if a proxy or firewall inspects TLS, point NODE_EXTRA_CA_CERTS at its CA certificate'],
  ])('%s: one line naming the host and the fix', (_, fields, line) => {
    const error = Object.assign(new Error(fields.message), fields, { $metadata: { attempts: 3 } });
    expect(describeAwsError(error, { region: 'eu-west-1', grant: GRANT_MANAGE })).toBe(line);
  });

  test('without credentials: one line, before anything is invoked', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-nocreds-'));
    try {
      writeFunctionAssembly(path.join(dir, 'cdk.out'));
      // An empty home: no ~/.aws, no instance metadata to ask.
      const unset = Object.fromEntries(Object.keys(process.env).filter(name => name.startsWith('AWS_')).map(name => [name, '']));
      const cli = runCli(['manage', 'migrate'], { cwd: dir, env: { ...unset, HOME: dir, AWS_EC2_METADATA_DISABLED: 'true' } });
      expect(await cli.exited).toBe(1);
      expect(cli.stdout()).toBe('');
      expect(cli.stderr()).toBe('cdk-wsgi manage: no AWS credentials found: set AWS_PROFILE or pass --profile, or sign in (aws sso login, aws configure)\n');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** The smallest cloud assembly with one WsgiApi function, in eu-west-1, as `cdk synth` lays it out. */
function writeFunctionAssembly(dir: string) {
  writeAssembly(dir, {
    Resources: {
      AppFunction: {
        Type: 'AWS::Lambda::Function',
        Metadata: { 'cdk-wsgi': { entry: 'app', apiType: 'REST', stageName: 'prod' }, 'aws:cdk:path': 'Ops/App/Function/Resource' },
        Properties: { Handler: 'cdk_wsgi_adapter.handler' },
      },
    },
  }, 'eu-west-1');
}
