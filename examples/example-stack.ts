import * as path from 'path';
import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ApiType, WsgiApi, WsgiApiProps } from '../src';

export interface ExampleStackProps extends StackProps {
  /**
   * Where both functions run and how they are bundled: this machine's platform lets an emulator import them.
   *
   * @default - WsgiApi's defaults (ARM_64, Python 3.14, BundlingMode.AUTO)
   */
  readonly platform?: Pick<WsgiApiProps, 'architecture' | 'runtime' | 'bundlingMode'>;
}

/** The Flask app in ./flask-app behind a REST API and an HTTP API, warmed every 5 minutes. */
export class ExampleStack extends Stack {
  constructor(scope: Construct, id: string, props: ExampleStackProps = {}) {
    super(scope, id, props);

    new WsgiApi(this, 'RestApp', {
      entry: path.join(__dirname, 'flask-app'),
      module: 'api.app',
      warmUp: { interval: Duration.minutes(5) },
      ...props.platform,
    });

    new WsgiApi(this, 'HttpApp', {
      entry: path.join(__dirname, 'flask-app'),
      module: 'api:app',
      apiType: ApiType.HTTP,
      ...props.platform,
    });
  }
}
