/* eslint-disable @typescript-eslint/no-require-imports */
/**
 * The modules that load the AWS SDK, required when a remote command runs rather than at start-up: the SDK's clients
 * take about 140 ms to load, which `cdk-wsgi serve` would otherwise pay on every start.
 */

// On Node.js 20 the SDK warns on every run that its releases from 2027 need Node.js 22. The SDK here is the one this
// package bundles, so the warning is ours to act on (when we update it), not the user's.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ||= 'true';

export const remoteTarget = (): typeof import('./remote-target') => require('./remote-target');
export const runCommand = (): typeof import('../deploy-task-runner/run-command') => require('../deploy-task-runner/run-command');
export const awsErrors = (): typeof import('./aws-errors') => require('./aws-errors');
export const logEvents = (): typeof import('./log-events') => require('./log-events');
export const cloudWatchLogs = (): typeof import('@aws-sdk/client-cloudwatch-logs') => require('@aws-sdk/client-cloudwatch-logs');
