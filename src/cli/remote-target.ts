import { CloudFormationClient, DescribeStackResourceCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { AssemblyFunction, readAssembly, selectFunction, templateFunctions } from './assembly';
import { AwsSettings, clientConfig, recordingTargets } from './aws-clients';
import { UsageError } from './command';
import { ENV_MANAGEMENT, MANAGE_ALIAS_NAME, ScheduleMetadata } from '../contracts/adapter-contract';

/** Where the remote commands find the function, and the AWS settings they call with. */
export interface TargetOptions {
  readonly assembly?: string;
  readonly function?: string;
  readonly stack?: string;
  readonly region?: string;
  readonly profile?: string;
}

/** A deployed WsgiApi function, as the remote commands address it. */
export interface RemoteTarget {
  /** The WsgiApi's construct path, for messages. */
  readonly label: string;
  /** The function's physical name. */
  readonly functionName: string;
  /**
   * The alias commands invoke: `manage`, the one through which the adapter accepts them, on the version `live`
   * serves. Invoke rights on `live` (the front doors', the app's callers') never run a command.
   */
  readonly qualifier: string;
  /** Whether the template turns management commands off (`managementCommands: false`): it then defines no alias. */
  readonly commandsOff: boolean;
  readonly logGroupName: string;
  /** The function's schedules, as its metadata lists them (`cdk-wsgi schedules run` sends one's event). */
  readonly schedules: ScheduleMetadata[];
  /** The AWS client settings: the stack's region when the assembly names one, else the caller's. */
  readonly aws: AwsSettings;
}

/**
 * The deployed function that `options` names: read from the cloud assembly (default cdk.out), or from the deployed
 * stack's template with --stack, then looked up in the stack with CloudFormation.
 */
export async function findTarget(options: TargetOptions): Promise<RemoteTarget> {
  if (options.stack !== undefined && options.assembly !== undefined) {
    throw new UsageError('--stack reads the deployed stack instead of a cloud assembly; leave out --assembly');
  }
  // Read first when local: a stack the CDK app gives an env is looked up in its own region.
  const local = options.stack === undefined ? localFunction(options) : undefined;
  const aws = { region: options.region ?? local?.deployedAs.region, profile: options.profile };
  const cloudFormation = recordingTargets(new CloudFormationClient(clientConfig(aws)));
  const fn = local ?? await deployedFunction(cloudFormation, options.stack as string, options.function);
  const physicalId = (logicalId: string) => physicalIdOf(cloudFormation, fn.deployedAs.stackName, logicalId);
  const functionName = await physicalId(fn.logicalId);
  // A function without its own log group (LoggingConfig) logs to Lambda's default one.
  const logGroup = fn.properties.LoggingConfig?.LogGroup;
  const logGroupName = typeof logGroup === 'string' ? logGroup
    : logGroup?.Ref ? await physicalId(logGroup.Ref) : `/aws/lambda/${functionName}`;
  const commandsOff = fn.properties.Environment?.Variables?.[ENV_MANAGEMENT] === '0';
  return { label: fn.name, functionName, qualifier: MANAGE_ALIAS_NAME, commandsOff, logGroupName, schedules: fn.metadata.schedules ?? [], aws };
}

function localFunction(options: TargetOptions): AssemblyFunction {
  const dir = options.assembly ?? 'cdk.out';
  return selectFunction(readAssembly(dir, 'name the deployed stack with --stack'), dir, options.function);
}

async function deployedFunction(client: CloudFormationClient, stackName: string, query?: string): Promise<AssemblyFunction> {
  const { TemplateBody } = await client.send(new GetTemplateCommand({ StackName: stackName, TemplateStage: 'Original' }));
  let template: any;
  try {
    template = JSON.parse(TemplateBody ?? '');
  } catch {
    throw new Error(`stack ${stackName}'s template is not JSON, so not one cdk deployed; run from the app's folder after cdk synth instead of --stack`);
  }
  return selectFunction(templateFunctions(template, stackName, { stackName }, '.'), `stack ${stackName}`, query);
}

async function physicalIdOf(client: CloudFormationClient, stackName: string, logicalId: string): Promise<string> {
  const { StackResourceDetail } = await client.send(new DescribeStackResourceCommand({ StackName: stackName, LogicalResourceId: logicalId }));
  const physicalId = StackResourceDetail?.PhysicalResourceId;
  if (!physicalId) {
    throw new Error(`stack ${stackName} has not created ${logicalId} yet (${StackResourceDetail?.ResourceStatus}); wait for its deployment to finish`);
  }
  return physicalId;
}
