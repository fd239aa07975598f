import { spawnSync } from 'child_process';
import { App } from 'aws-cdk-lib';
import { ExampleStack } from './example-stack';

// PythonFunction builds the app's dependencies in Docker. Without a Docker engine the CLI would fail the
// synth, so bundling is skipped instead: the templates are complete, the function assets are not deployable.
const dockerAnswers = spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 20_000 }).status === 0;
const app = new App(dockerAnswers ? {} : { postCliContext: { 'aws:cdk:bundling-stacks': [] } });
if (!dockerAnswers) {
  process.stderr.write(
    'cdk-wsgi example: no Docker engine answered `docker info`, so Python dependency bundling was SKIPPED.\n' +
    '  Synthesized: every CloudFormation template and the adapter layer asset (the layer needs no Docker).\n' +
    '  Not deployable: the function assets, which hold the app source without its dependencies (Flask).\n' +
    '  Start Docker and synthesize again for a deployable assembly.\n',
  );
}

new ExampleStack(app, 'CdkWsgiExample');
app.synth();
