import * as path from 'path';
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { IConstruct } from 'constructs';
import { WsgiApi, WsgiApiProps } from '../src';

export const FIXTURES = path.join(__dirname, 'fixtures');
export const APP_ENTRY = path.join(FIXTURES, 'wsgi-app');

/**
 * An app that skips bundling, so PythonFunction never calls Docker in tests, and that fails the synth on
 * any finding of CDK's built-in CloudFormation template validation.
 */
export function testApp(): App {
  return new App({ context: { 'aws:cdk:bundling-stacks': [], '@aws-cdk/core:validateAgainstDefaultRules': true } });
}

/** A stack in a test app, in a fixed account and Region. */
export function testStack(): Stack {
  return new Stack(testApp(), 'TestStack', { env: { account: '123456789012', region: 'eu-west-1' } });
}

/** A WsgiApi on the fixture app with `overrides` applied, and its template. */
export function synthWsgiApi(overrides: Partial<WsgiApiProps> = {}, stack = testStack()) {
  const api = new WsgiApi(stack, 'App', { entry: APP_ENTRY, module: 'api.app', ...overrides });
  return { stack, api, template: Template.fromStack(stack) };
}

/** The environment variables of the (only) function that runs the adapter. */
export function adapterEnvironment(template: Template): Record<string, unknown> {
  const functions = template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'cdk_wsgi_adapter.handler' } });
  const [fn] = Object.values(functions);
  return fn.Properties.Environment.Variables;
}

/** The logical ID of `construct`'s CloudFormation resource (its default child), overrides included (a version's hash). */
export function logicalId(construct: IConstruct): string {
  const element = construct instanceof CfnElement ? construct : construct.node.defaultChild as CfnElement;
  return Stack.of(construct).resolve(element.logicalId);
}

/** Runs `run` with `env` set in process.env (which cdk-wsgi hands its child processes), then puts process.env back. */
export function withEnv<T>(env: NodeJS.ProcessEnv, run: () => T): T {
  const saved = Object.fromEntries(Object.keys(env).map(key => [key, process.env[key]]));
  Object.assign(process.env, env);
  try {
    return run();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}
