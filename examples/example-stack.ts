import * as path from 'path';
import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ApiType, WsgiApi } from '../src';

/** The Flask app in ./flask-app behind a REST API and an HTTP API, warmed every 5 minutes. */
export class ExampleStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    new WsgiApi(this, 'RestApp', {
      entry: path.join(__dirname, 'flask-app'),
      module: 'api.app',
      warmUp: { interval: Duration.minutes(5) },
    });

    new WsgiApi(this, 'HttpApp', {
      entry: path.join(__dirname, 'flask-app'),
      module: 'api:app',
      apiType: ApiType.HTTP,
    });
  }
}
