import { Template } from 'aws-cdk-lib/assertions';
import { testApp } from './helpers';
import { ExampleStack } from '../examples/example-stack';

describe('example app', () => {
  test('defines the Flask app behind a REST API and an HTTP API', () => {
    const stack = new ExampleStack(testApp(), 'Example');
    const template = Template.fromStack(stack);
    const adapterFunctions = template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'cdk_wsgi_adapter.handler' } });
    expect(Object.values(adapterFunctions).map(fn => fn.Properties.Environment.Variables.CDK_WSGI_APP)).toEqual(['api:app', 'api:app']);
    template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.resourceCountIs('AWS::Events::Rule', 1);
  });
});
