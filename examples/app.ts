import { App } from 'aws-cdk-lib';
import { ExampleStack } from './example-stack';

// WsgiApi's default BundlingMode.AUTO builds the app's dependencies in Docker when a container engine answers,
// otherwise locally with pip for the function's architecture; either way the assembly is deployable, and the
// synth says which mode ran.
const app = new App();
new ExampleStack(app, 'CdkWsgiExample');
app.synth();
