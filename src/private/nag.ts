import { Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/**
 * The cdk-nag AwsSolutions findings a WsgiApi keeps on purpose, each with its reason. Acknowledged on the construct
 * through CDK's validation API (which cdk-nag 3 reads), so that a user who adds cdk-nag to their app sees only
 * findings about their own resources; an acknowledgement that matches no finding does nothing.
 * https://github.com/cdklabs/cdk-nag/blob/main/RULES.md lists the rules.
 */
const ACKNOWLEDGED: ReadonlyArray<{ id: string; reason: string }> = [
  {
    id: 'AwsSolutions-APIG2',
    reason: 'Every path goes to the WSGI app, which validates its own requests; API Gateway request models cannot describe a proxied app.',
  },
  {
    id: 'AwsSolutions-APIG3',
    reason: 'AWS WAF is a choice with its own cost; associate a web ACL with the stage (api.restApi.deploymentStage) where needed.',
  },
  {
    id: 'AwsSolutions-APIG4',
    reason: 'A web app authenticates its users itself; add an authorizer through api.restApi or api.httpApi where the API needs one.',
  },
  {
    id: 'AwsSolutions-COG4',
    reason: 'As for APIG4: the app, not a Cognito user pool authorizer, decides who may call it.',
  },
  {
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
    reason: 'The account\'s API Gateway logging role (cloudWatchRole) uses the managed policy AWS made for exactly that role.',
  },
  {
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]',
    reason: 'CodeDeploy\'s role for gradual deployments uses the managed policy AWS scoped to Lambda deployments.',
  },
  {
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
    reason: 'In a VPC, the function\'s role needs the network interface permissions AWS keeps in this managed policy.',
  },
];

export function acknowledgeNagFindings(scope: Construct): void {
  for (const acknowledgement of ACKNOWLEDGED) {
    Validations.of(scope).acknowledge(acknowledgement);
  }
}
