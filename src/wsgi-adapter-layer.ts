import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { NEWEST_ADAPTER_RUNTIME, adapterLayerDir } from './private/adapter-layer-asset';
import { validateRuntime } from './private/validate-props';

/**
 * Properties for a WsgiAdapterLayer.
 */
export interface WsgiAdapterLayerProps extends lambda.LayerVersionOptions {
  /**
   * The Python runtime of the functions that use the layer: it carries the adapter's bytecode for this runtime
   * alone, and names it as its one compatible runtime.
   *
   * Python 3.11 to 3.14; functions on different runtimes each take the layer built for theirs.
   *
   * @default Runtime.PYTHON_3_14
   */
  readonly runtime?: lambda.Runtime;
}

/**
 * A Lambda layer holding the cdk-wsgi adapter (`cdk_wsgi_adapter`), which turns API Gateway REST, HTTP API,
 * Function URL and ALB events into WSGI calls.
 *
 * WsgiApi defines one for you, on its function's runtime. Use this construct on its own to put the adapter under a
 * function you define yourself: set the handler to `cdk_wsgi_adapter.handler` and `CDK_WSGI_APP` to
 * `package.module:attr`. The adapter uses the standard library only and needs no bundling. Its sources come with
 * hash-checked bytecode for `runtime` alone, so that cold starts need not compile the adapter and download no other
 * Python's bytecode: about 125 KB zipped, a third of a layer for all four runtimes.
 */
export class WsgiAdapterLayer extends lambda.LayerVersion {
  constructor(scope: Construct, id: string, props: WsgiAdapterLayerProps = {}) {
    const { runtime = NEWEST_ADAPTER_RUNTIME, ...options } = props;
    validateRuntime(runtime);
    super(scope, id, {
      description: `cdk-wsgi adapter for ${runtime.name}: API Gateway, Function URL and ALB events to WSGI`,
      ...options,
      code: lambda.Code.fromAsset(adapterLayerDir(runtime)),
      // Lambda uses this list only to filter ListLayers and ListLayerVersions
      // (https://docs.aws.amazon.com/lambda/latest/api/API_PublishLayerVersion.html): it names the runtime whose
      // bytecode the layer carries, and refuses no function.
      compatibleRuntimes: [runtime],
      compatibleArchitectures: [lambda.Architecture.ARM_64, lambda.Architecture.X86_64],
    });
  }
}
