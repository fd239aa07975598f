import { Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { WsgiApiDomainOptions } from '../types';

/** The URL of a custom domain mapping, always ending in `/` like the execute-api URLs CDK builds. */
export function domainUrl(domainName: string, basePath: string | undefined): string {
  return `https://${domainName}/${basePath ? `${basePath}/` : ''}`;
}

/** The custom domain name of `domain`: the shared WsgiDomain's, or its own. */
export function customDomainName(domain: WsgiApiDomainOptions): string {
  return domain.domain?.domainName ?? domain.domainName!;
}

/** The host of an API's execute-api endpoint, which its requests name when no custom domain fronts it. */
export function executeApiHost(scope: Construct, apiId: string): string {
  const stack = Stack.of(scope);
  return `${apiId}.execute-api.${stack.region}.${stack.urlSuffix}`;
}
