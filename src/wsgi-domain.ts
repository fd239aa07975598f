import * as apigatewayv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import { checkCertificateHost } from './private/certificate-host';
import { propError } from './shared/prop-error';

/**
 * Properties for a WsgiDomain.
 */
export interface WsgiDomainProps {
  /**
   * The custom domain name, e.g. `example.com`.
   */
  readonly domainName: string;

  /**
   * The ACM certificate for `domainName`, in the stack's Region (the domain is REGIONAL).
   */
  readonly certificate: acm.ICertificate;

  /**
   * A Route 53 hosted zone in which to define the domain's one alias record.
   *
   * @default - no DNS record is defined; point `domainName` at `apiGatewayDomain.regionalDomainName` yourself
   */
  readonly hostedZone?: route53.IHostedZone;
}

/**
 * A custom domain several WSGI apps share, each under a base path of its own:
 * `new WsgiApi(stack, 'Shop', { ..., customDomain: { domain, basePath: 'shop' } })`.
 *
 * One regional API Gateway domain name (TLS 1.2) with one alias record; each app's REST or HTTP API is mapped on it
 * (API Gateway maps both kinds on one regional domain, the longest matching base path winning, an app without a base
 * path taking the rest: https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-mappings.html). Each
 * app sees its own base path in `SCRIPT_NAME`.
 */
export class WsgiDomain extends Construct {
  /** The custom domain name. */
  public readonly domainName: string;

  /** The API Gateway domain name the apps are mapped on. */
  public readonly apiGatewayDomain: apigatewayv2.DomainName;

  /** Conditional: the alias record, when `hostedZone` is given. */
  public readonly aliasRecord?: route53.ARecord;

  /** Each base path mapped ('' for none) and the app it belongs to. */
  private readonly apps = new Map<string, string>();

  constructor(scope: Construct, id: string, props: WsgiDomainProps) {
    super(scope, id);
    this.domainName = props.domainName;
    checkCertificateHost(this, 'certificate', props.certificate, props.domainName);
    this.apiGatewayDomain = new apigatewayv2.DomainName(this, 'DomainName', {
      domainName: props.domainName,
      certificate: props.certificate,
      securityPolicy: apigatewayv2.SecurityPolicy.TLS_1_2,
    });
    if (props.hostedZone) {
      this.aliasRecord = new route53.ARecord(this, 'AliasRecord', {
        zone: props.hostedZone,
        recordName: props.domainName,
        target: route53.RecordTarget.fromAlias(new targets.ApiGatewayv2DomainProperties(
          this.apiGatewayDomain.regionalDomainName, this.apiGatewayDomain.regionalHostedZoneId)),
      });
    }
  }

  /**
   * Maps the stage `stage` of the API `apiId` (REST or HTTP), which `app` defines, at `basePath`; a base path another
   * app has is refused, naming both.
   *
   * @internal
   */
  public _mapApi(app: Construct, apiId: string, stage: string, basePath: string | undefined): apigatewayv2.CfnApiMapping {
    const key = basePath ?? '';
    const appPath = app.node.path;
    const other = this.apps.get(key);
    if (other !== undefined) {
      throw propError('customDomain.basePath', `is taken on ${this.domainName} by ${other}`, basePath ?? '(none)',
        `give ${appPath} a basePath of its own`);
    }
    this.apps.set(key, appPath);
    return new apigatewayv2.CfnApiMapping(app, 'ApiMapping', {
      apiId,
      domainName: this.apiGatewayDomain.name,
      stage,
      apiMappingKey: basePath,
    });
  }
}
