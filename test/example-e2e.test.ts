import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { albEvent, functionUrlEvent, httpEvent, restEvent } from './example-events';
import { ExampleStack } from '../examples/example-stack';
import { ApiType, WsgiApi } from '../src';

/**
 * The synthesized example, run the way Lambda runs it: the function asset first on sys.path (/var/task),
 * then the adapter layer's python/ folder (/opt/python), the handler string and CDK_WSGI_* variables taken
 * from the template. The project .venv stands in for the bundled dependencies (Flask).
 */
const PYTHON = path.join(__dirname, '..', '.venv', 'bin', 'python');

const INVOKE = `
import importlib, json, sys, types
module_name, _, attr = sys.argv[1].rpartition(".")
module = importlib.import_module(module_name)
assert module.__file__.startswith(sys.argv[2]), module.__file__  # the adapter comes from the layer
handler = getattr(module, attr)
context = types.SimpleNamespace(function_name="example", aws_request_id="e2e")
print(json.dumps([handler(event, context) for event in json.load(sys.stdin)]))
`;

interface DeployedFunction {
  readonly handler: string;
  readonly environment: Record<string, string>;
  readonly codeDir: string;
  readonly layerDir: string;
}

function synthesizedFunctions(): Record<'rest' | 'http', DeployedFunction> {
  const app = new App({ context: SYNTH_CONTEXT });
  new ExampleStack(app, 'Example');
  return functionsIn(app, 'Example', id => id.startsWith('RestApp') ? 'rest' : 'http');
}

/** Skips bundling (the source folder stands in for the asset) and records where each asset is. */
const SYNTH_CONTEXT = { 'aws:cdk:bundling-stacks': [], 'aws:cdk:enable-asset-metadata': true };

/** The WsgiApi functions of stack `stackName` in `app`, each as Lambda would run it, keyed by `kindOf` their logical ID. */
function functionsIn<K extends string>(app: App, stackName: string, kindOf: (logicalId: string) => K): Record<K, DeployedFunction> {
  const assembly = app.synth();
  const template = assembly.getStackByName(stackName).template;
  const resources: Record<string, any> = template.Resources;
  // Relative to the assembly once staged; the source folder itself when the synth skips bundling (as here).
  const assetDir = (resource: any) => path.resolve(assembly.directory, resource.Metadata['aws:asset:path']);

  const found: Partial<Record<K, DeployedFunction>> = {};
  for (const [id, fn] of Object.entries(resources)) {
    if (fn.Type !== 'AWS::Lambda::Function' || fn.Properties.Handler !== 'cdk_wsgi_adapter.handler') continue;
    const layer = resources[fn.Properties.Layers[0].Ref];
    found[kindOf(id)] = {
      handler: fn.Properties.Handler,
      environment: fn.Properties.Environment.Variables,
      codeDir: assetDir(fn),
      layerDir: path.join(assetDir(layer), 'python'),
    };
  }
  return found as Record<K, DeployedFunction>;
}

function invoke(fn: DeployedFunction, events: object[]): any[] {
  const result = spawnSync(PYTHON, ['-c', INVOKE, fn.handler, fn.layerDir], {
    input: JSON.stringify(events),
    env: { ...fn.environment, PATH: process.env.PATH, PYTHONPATH: [fn.codeDir, fn.layerDir].join(path.delimiter) },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout);
}

describe('example app through the synthesized assembly', () => {
  const functions = synthesizedFunctions();

  test('the functions run the adapter from the layer with the app from the template', () => {
    for (const fn of Object.values(functions)) {
      expect(fn.handler).toBe('cdk_wsgi_adapter.handler');
      expect(fn.environment.CDK_WSGI_APP).toBe('api:app');
      expect(fs.existsSync(path.join(fn.codeDir, 'api.py'))).toBe(true);
      expect(fs.existsSync(path.join(fn.layerDir, 'cdk_wsgi_adapter', '__init__.py'))).toBe(true);
    }
  });

  test('REST API: GET with a repeated query key and POST of a text body, under the stage', () => {
    const [get, post] = invoke(functions.rest, [
      restEvent('GET', '/echo', { greeting: ['hi'], tag: ['a', 'b'] }),
      restEvent('POST', '/echo', {}, 'héllo wörld'),
    ]);
    expect(get.statusCode).toBe(200);
    expect(get.multiValueHeaders['Content-Type']).toEqual(['application/json']);
    expect(get.isBase64Encoded).toBe(false);
    expect(JSON.parse(get.body)).toEqual({
      method: 'GET',
      path: '/echo',
      script_root: '/prod',
      args: { greeting: ['hi'], tag: ['a', 'b'] },
      body: '',
      remote_addr: '127.0.0.1',
      // the sample's multiValueHeaders (what the adapter reads) say 0123456789, its headers 1234567890
      url: 'https://0123456789.execute-api.us-east-1.amazonaws.com/prod/echo?greeting=hi&tag=a&tag=b',
    });
    expect(post.statusCode).toBe(200);
    expect(JSON.parse(post.body)).toMatchObject({ method: 'POST', body: 'héllo wörld', script_root: '/prod' });
  });

  test('REST API: the index sets a cookie and links under the stage; the PNG arrives byte for byte', () => {
    const [index, pixel, redirect] = invoke(functions.rest, [
      restEvent('GET', '/', {}),
      restEvent('GET', '/pixel.png', {}),
      restEvent('GET', '/old', {}),
    ]);
    expect(index.statusCode).toBe(200);
    expect(index.multiValueHeaders['Set-Cookie']).toEqual(['visits=1; Secure; HttpOnly; Path=/; SameSite=Lax']);
    expect(index.body).toContain('href="/prod/echo?greeting=hi&tag=a&tag=b"');
    expect(pixel.isBase64Encoded).toBe(true);
    expect(pixel.multiValueHeaders['Content-Type']).toEqual(['image/png']);
    expect(Buffer.from(pixel.body, 'base64').subarray(0, 8)).toEqual(Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'));
    expect(redirect.statusCode).toBe(302);
    expect(redirect.multiValueHeaders.Location).toEqual(['/prod/']);
  });

  test('HTTP API: GET and POST of a text body on the $default stage, cookies in cookies[]', () => {
    const [get, post] = invoke(functions.http, [httpEvent('GET', '/'), httpEvent('POST', '/echo', 'héllo wörld')]);
    expect(get.statusCode).toBe(200);
    expect(get.cookies).toEqual(['visits=1; Secure; HttpOnly; Path=/; SameSite=Lax']);
    expect(get.headers['Content-Type']).toBe('text/html; charset=utf-8');
    expect(post.statusCode).toBe(200);
    expect(JSON.parse(post.body)).toEqual({
      method: 'POST',
      path: '/echo',
      script_root: '',
      args: {},
      body: 'héllo wörld',
      remote_addr: '192.168.0.1/32',
      url: 'https://id.execute-api.us-east-1.amazonaws.com/echo',
    });
  });
});

describe('example app behind a function URL and a load balancer, with the environment WsgiApi gives it', () => {
  const app = new App({ context: SYNTH_CONTEXT });
  const stack = new Stack(app, 'FrontDoors');
  const entry = path.join(__dirname, '..', 'examples', 'flask-app');
  new WsgiApi(stack, 'UrlApp', { entry, module: 'api:app', apiType: ApiType.FUNCTION_URL });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
  const listener = new elbv2.ApplicationLoadBalancer(stack, 'Lb', { vpc, internetFacing: true })
    .addListener('Listener', { port: 80, defaultAction: elbv2.ListenerAction.fixedResponse(404) });
  new WsgiApi(stack, 'AlbApp', { entry, module: 'api:app', apiType: ApiType.ALB, loadBalancer: { listener, priority: 1 } });
  const functions = functionsIn(app, 'FrontDoors', id => id.startsWith('UrlApp') ? 'url' : 'alb');

  test('function URL: a real capture reaches the app at the root, with its host and cookies', () => {
    const [echo, index] = invoke(functions.url, [functionUrlEvent('GET', '/echo'), functionUrlEvent('GET', '/')]);
    expect(echo.statusCode).toBe(200);
    expect(JSON.parse(echo.body)).toMatchObject({
      method: 'GET',
      path: '/echo',
      script_root: '',
      args: { foo: ['bar'], hello: ['world'] },
      // The query string as the client sent it (rawQueryString), not re-ordered.
      url: 'https://lambda-url-id.lambda-url.us-west-2.on.aws/echo?hello=world&foo=bar',
    });
    expect(index.statusCode).toBe(200);
    expect(index.cookies).toEqual(['visits=1; Secure; HttpOnly; Path=/; SameSite=Lax']);
  });

  test('load balancer: a real multi-value request reaches the app at the root; the answer is multi-value', () => {
    const [echo] = invoke(functions.alb, [albEvent('alb-multi-value.json', '/echo')]);
    expect(echo.statusCode).toBe(200);
    expect(echo.multiValueHeaders['Content-Type']).toEqual(['application/json']);
    expect(JSON.parse(echo.body)).toMatchObject({
      method: 'GET',
      path: '/echo',
      script_root: '',
      args: { key: ['hello'] },
      url: 'http://lambda-test-alb-1234567.us-east-1.elb.amazonaws.com/echo?key=hello',
    });
  });
});
