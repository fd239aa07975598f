import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { APP_ENTRY, logicalId } from './helpers';
import { ApiType, WsgiApi, WsgiApiProps, WsgiTask } from '../src';

/** Findings a default WsgiApi still has, each with the reason it stays. Scoped to the WsgiApi construct. */
const ACKNOWLEDGED: Record<ApiType, Array<{ id: string; reason: string }>> = {
  [ApiType.REST]: [
    { id: 'AwsSolutions-APIG2', reason: 'The WSGI app validates its own requests; API Gateway request models cannot describe a proxied app.' },
    { id: 'AwsSolutions-APIG3', reason: 'WAF is an account-level choice with its own cost; attach a WebACL to the stage where needed.' },
    { id: 'AwsSolutions-APIG4', reason: 'A public web app authenticates in the app itself; add an authorizer through restApi where needed.' },
    { id: 'AwsSolutions-COG4', reason: 'Same as APIG4: the app, not a Cognito authorizer, decides who may call it.' },
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason: 'The account-level API Gateway logging role uses the AWS-managed policy AWS designed for it.',
    },
  ],
  [ApiType.HTTP]: [
    { id: 'AwsSolutions-APIG4', reason: 'A public web app authenticates in the app itself; add an authorizer through httpApi where needed.' },
  ],
};

/** Findings of either API type and setup; the warm-up's is about `api`'s own function. */
function common(api: WsgiApi): Array<{ id: string; reason: string }> {
  return [
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'The function, and the deploy-task runner, only write their own logs; the AWS-managed basic execution policy is exactly that.',
    },
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]',
      reason: 'CodeDeploy\'s role for gradual deployments uses the AWS-managed policy scoped to Lambda deployments.',
    },
    {
      id: `AwsSolutions-IAM5[Resource::<${logicalId(api.lambdaFunction)}.Arn>:*]`,
      reason: 'The warm-up fan-out invokes the function\'s own versions and aliases, whose ARNs end in :<qualifier>.',
    },
  ];
}

/**
 * A warmed app, and one with every release prop: provisioned concurrency (REST) or SnapStart (HTTP), canaries, priming,
 * deploy tasks.
 */
const SETUPS: Record<string, Partial<WsgiApiProps>> = {
  warmed: { warmUp: { concurrency: 2 } },
  released: { prime: ['/'], deployment: {}, deployTasks: [WsgiTask.manage('migrate', '--noinput')] },
};

describe('cdk-nag AwsSolutions', () => {
  test.each(Object.keys(SETUPS).flatMap(setup => [ApiType.REST, ApiType.HTTP].map(apiType => [setup, apiType])))(
    '%s %s WsgiApi has no unacknowledged findings', (setup, apiType) => {
    // GIVEN
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
      const stack = new Stack(app, 'NagStack');
      const releaseProps: Partial<WsgiApiProps> = setup !== 'released' ? {} : apiType === ApiType.REST
        ? { provisionedConcurrency: { minimum: 1, maximum: 3 } }
        : { snapStart: lambda.SnapStartConf.ON_PUBLISHED_VERSIONS };
      const api = new WsgiApi(stack, 'App', {
        entry: APP_ENTRY, module: 'api.app', apiType: apiType as ApiType, ...SETUPS[setup], ...releaseProps,
      });
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
      for (const ack of [...ACKNOWLEDGED[apiType as ApiType], ...common(api)]) {
        Validations.of(api).acknowledge(ack);
      }

      // WHEN
      const assembly = app.synth();

      // THEN
      const reportFile = fs.readdirSync(assembly.directory).find(f => f.includes('validation-report') && f.endsWith('.json'));
      const report = reportFile ? JSON.parse(fs.readFileSync(path.join(assembly.directory, reportFile), 'utf8')) : { pluginReports: [] };
      const violations = report.pluginReports.flatMap((r: any) => r.violations ?? []);
      expect(violations.map((v: any) => v.ruleName)).toEqual([]);
    });
});
