import { Stack, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { propError } from '../shared/prop-error';
import { ApiType, WsgiApiDistributionOptions } from '../types';

/** CloudFront takes certificates from this Region only. */
const CERTIFICATE_REGION = 'us-east-1';

/**
 * The `distribution` prop fits the front door (origin access control, a function URL's whose auth type it sets), and
 * its domain, certificate and web ACL fit CloudFront.
 */
export function validateDistribution(options: WsgiApiDistributionOptions, apiType: ApiType, hasCustomDomain: boolean,
  disableExecuteApiEndpoint: boolean | undefined, functionUrlAuthType: lambda.FunctionUrlAuthType | undefined): void {
  if (apiType === ApiType.ALB) {
    throw propError('distribution', 'puts CloudFront in front of a REST API, HTTP API or function URL, not a load balancer', 'set',
      'use apiType REST, HTTP or FUNCTION_URL, or put your own distribution in front of the load balancer');
  }
  if (hasCustomDomain) {
    throw propError('customDomain', 'would make the API answer a second host beside the distribution', 'set',
      'give the domain to the distribution instead (distribution.domainName, certificate and hostedZone)');
  }
  if (disableExecuteApiEndpoint) {
    throw propError('disableExecuteApiEndpoint', 'would cut the distribution off: its origin is the execute-api endpoint', true,
      'remove it, and set distribution.allowDirectAccess to false to refuse requests that do not come through the distribution');
  }
  if (options.originAccessControl && apiType !== ApiType.FUNCTION_URL) {
    throw propError('distribution.originAccessControl', `applies to ApiType.FUNCTION_URL only, not to ApiType.${apiType}`, true,
      'remove it, and set distribution.allowDirectAccess to false to refuse requests that do not come through the distribution');
  }
  if (options.originAccessControl && functionUrlAuthType === lambda.FunctionUrlAuthType.NONE) {
    throw propError('functionUrlAuthType', 'must be AWS_IAM with distribution.originAccessControl, whose signed requests Lambda checks',
      functionUrlAuthType, 'remove functionUrlAuthType (originAccessControl sets AWS_IAM), or remove distribution.originAccessControl');
  }
  const { domainName, certificate, hostedZone, webAclId } = options;
  if (domainName !== undefined && certificate === undefined) {
    throw propError('distribution.certificate', 'is required with distribution.domainName', undefined,
      `give an ACM certificate for ${domainName} in ${CERTIFICATE_REGION}`);
  }
  if (certificate !== undefined && domainName === undefined) {
    throw propError('distribution.domainName', 'is required with distribution.certificate', undefined,
      'give the domain name the certificate is for, or remove the certificate');
  }
  if (hostedZone !== undefined && domainName === undefined) {
    throw propError('distribution.domainName', 'is required with distribution.hostedZone', undefined,
      'give the domain name to define the alias records for');
  }
  const region = certificate && certificateRegion(certificate);
  if (region !== undefined && region !== CERTIFICATE_REGION) {
    throw propError('distribution.certificate', `must be in ${CERTIFICATE_REGION}, where CloudFront takes certificates from`, region,
      `request one for ${domainName} in ${CERTIFICATE_REGION} (a stack there with crossRegionReferences, or the ACM console) and pass it`);
  }
  // A WAFv2 web ACL for CloudFront has scope CLOUDFRONT, which puts `global` in its ARN.
  if (webAclId !== undefined && !Token.isUnresolved(webAclId) && webAclId.startsWith('arn:') && !webAclId.includes(':global/webacl/')) {
    throw propError('distribution.webAclId', 'must be a web ACL of scope CLOUDFRONT', webAclId,
      `create the web ACL with scope CLOUDFRONT in ${CERTIFICATE_REGION} and pass its ARN`);
  }
}

/** The Region of `certificate` when synth can tell: from its ARN, else from the stack that defines it. */
function certificateRegion(certificate: acm.ICertificate): string | undefined {
  const arn = certificate.certificateArn;
  if (!Token.isUnresolved(arn)) return arn.split(':')[3];
  const region = Stack.of(certificate).region;
  return Token.isUnresolved(region) ? undefined : region;
}
