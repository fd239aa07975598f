import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { adapterEnvironment, APP_ENTRY, logicalId, synthWsgiApi, testStack } from './helpers';
import { WsgiApi } from '../src';

describe('management commands', () => {
  test('are on by default: the adapter is not told otherwise', () => {
    expect(adapterEnvironment(synthWsgiApi().template).CDK_WSGI_MANAGEMENT).toBeUndefined();
    expect(adapterEnvironment(synthWsgiApi({ managementCommands: true }).template).CDK_WSGI_MANAGEMENT).toBeUndefined();
  });

  test('managementCommands: false turns them off in the adapter', () => {
    expect(adapterEnvironment(synthWsgiApi({ managementCommands: false }).template).CDK_WSGI_MANAGEMENT).toBe('0');
  });

  // The statement list is matched whole: one statement, on the alias's ARN alone, not the function's or `:*`.
  test('grantManage allows invoking the live alias and nothing else', () => {
    const stack = testStack();
    const api = new WsgiApi(stack, 'App', { entry: APP_ENTRY, module: 'api.app' });
    const operator = new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
    api.grantManage(operator);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalId(operator) }],
      PolicyDocument: {
        Statement: [{ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { Ref: logicalId(api.alias) } }],
      },
    });
  });
});
