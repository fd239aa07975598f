import { Annotations, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { Construct } from 'constructs';

/**
 * Warns at synth when `certificate` is one this app defines and none of its names covers `domainName`: API Gateway
 * accepts it, and every TLS handshake then fails. An imported certificate's names are unknown here: no warning.
 */
export function checkCertificateHost(scope: Construct, prop: string, certificate: acm.ICertificate, domainName: string): void {
  const names = certificateNames(certificate);
  if (!names || Token.isUnresolved(domainName) || names.some(name => covers(name, domainName))) return;
  Annotations.of(scope).addWarningV2('cdk-wsgi:certificateForAnotherHost',
    `${prop} is for ${names.join(', ')}, which does not cover ${domainName}; browsers will refuse the connection. `
    + `Give it a certificate whose domainName or subjectAlternativeNames include ${domainName}`);
}

/** The names of a certificate defined in this app, or undefined when they are not known at synth. */
function certificateNames(certificate: acm.ICertificate): string[] | undefined {
  const resource = certificate.node.defaultChild;
  if (!(resource instanceof acm.CfnCertificate)) return undefined;
  const names = [resource.domainName, ...(resource.subjectAlternativeNames ?? [])];
  return names.some(name => Token.isUnresolved(name)) ? undefined : names;
}

/** A wildcard covers exactly one label: `*.example.com` covers `www.example.com`, not `example.com` or `a.b.example.com`. */
function covers(name: string, host: string): boolean {
  const [wanted, given] = [name.toLowerCase(), host.toLowerCase()];
  if (!wanted.startsWith('*.')) return wanted === given;
  const dot = given.indexOf('.');
  return dot > 0 && given.slice(dot + 1) === wanted.slice(2);
}
