import { WsgiApiDomainOptions } from '../types';

/** The URL of a custom domain mapping, always ending in `/` like the execute-api URLs CDK builds. */
export function domainUrl(domain: WsgiApiDomainOptions): string {
  return `https://${domain.domainName}/${domain.basePath ? `${domain.basePath}/` : ''}`;
}
