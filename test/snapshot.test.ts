import { Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { synthWsgiApi, testStack } from './helpers';
import { ApiType } from '../src';

/**
 * Asset hashes change with every edit of the adapter or the fixture app, and so does the hash that names the
 * function's current version; scrub them so the snapshot only moves when the resources do.
 */
function scrubbed(template: Template): unknown {
  return JSON.parse(JSON.stringify(template.toJSON())
    .replace(/[0-9a-f]{64}/g, '<asset-hash>')
    .replace(/(CurrentVersion[0-9A-F]{8})[0-9a-f]{32}/g, '$1<code-hash>'));
}

describe('WsgiApi snapshot', () => {
  test.each([ApiType.REST, ApiType.HTTP])('%s API with custom domain, warm-up and text media types', (apiType) => {
    const stack = testStack();
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:123456789012:certificate/abc');
    const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z123', zoneName: 'example.com' });
    const { template } = synthWsgiApi({
      apiType,
      customDomain: { domainName: 'api.example.com', certificate, basePath: 'v1', hostedZone },
      warmUp: { concurrency: 3 },
      textMediaTypes: ['image/svg+xml'],
    }, stack);
    expect(scrubbed(template)).toMatchSnapshot();
  });
});
