import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { testStack } from './helpers';
import { domainUrl } from '../src/private/domain-url';

describe('domainUrl', () => {
  const certificate = acm.Certificate.fromCertificateArn(testStack(), 'Cert', 'arn:aws:acm:eu-west-1:123456789012:certificate/abc');

  test('ends in / at the root of the domain and under a base path', () => {
    expect(domainUrl({ domainName: 'www.example.com', certificate })).toBe('https://www.example.com/');
    expect(domainUrl({ domainName: 'api.example.com', certificate, basePath: 'v1/shop' })).toBe('https://api.example.com/v1/shop/');
  });
});
