import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ADAPTER_RUNTIMES, adapterLayerDir } from './private/adapter-layer-asset';

/**
 * Properties for a WsgiAdapterLayer.
 */
export interface WsgiAdapterLayerProps extends lambda.LayerVersionOptions {}

/**
 * A Lambda layer holding the cdk-wsgi adapter (`cdk_wsgi_adapter`), which turns API Gateway REST, HTTP API,
 * Function URL and ALB events into WSGI calls.
 *
 * WsgiApi defines one for you. Use this construct on its own to put the adapter under a function you define
 * yourself: set the handler to `cdk_wsgi_adapter.handler` and `CDK_WSGI_APP` to `package.module:attr`.
 * The adapter uses the standard library only and needs no bundling.
 */
export class WsgiAdapterLayer extends lambda.LayerVersion {
  constructor(scope: Construct, id: string, props: WsgiAdapterLayerProps = {}) {
    super(scope, id, {
      description: 'cdk-wsgi adapter: API Gateway, Function URL and ALB events to WSGI',
      ...props,
      code: lambda.Code.fromAsset(adapterLayerDir()),
      compatibleRuntimes: [...ADAPTER_RUNTIMES],
      compatibleArchitectures: [lambda.Architecture.ARM_64, lambda.Architecture.X86_64],
    });
  }
}
