import { Annotations, Duration, Fn, RemovalPolicy } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigatewayv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ORIGIN_SECRET_HEADER } from '../contracts/adapter-contract';
import { WsgiApiDistributionOptions } from '../types';
import { PRIME_LABEL } from './function-url';
import { acknowledgeDistributionFindings } from './nag';
import { VIEWER_REQUEST_FUNCTION_CODE } from './viewer-request-function';

/** CloudFront waits this long for an origin unless told otherwise; API Gateway's 29 s fit within it. */
const DEFAULT_READ_TIMEOUT_SECONDS = 30;
/** The longest origin response timeout CloudFront's default quota allows (a quota increase allows more). */
const MAX_READ_TIMEOUT_SECONDS = 120;

/** The front door the distribution sends the app's requests to: exactly one is set. */
export interface DistributionOrigin {
  readonly restApi?: apigateway.RestApi;
  readonly httpApi?: apigatewayv2.HttpApi;
  readonly functionUrl?: lambda.FunctionUrl;
  /** The alias the function URL invokes, which origin access control lets CloudFront invoke. */
  readonly alias?: lambda.Alias;
  /** The HTTP API's stage, which a named one puts in the origin path. */
  readonly stageName: string;
  /** The function's timeout: a function URL's request may run that long. */
  readonly timeout: Duration;
}

/** The distribution and what the function must know of it. */
export interface DefinedDistribution {
  readonly distribution: cloudfront.Distribution;
  /** The site's URL: its domain name's, else the distribution's own. */
  readonly url: string;
  /** The value of ORIGIN_SECRET_HEADER, a dynamic reference CloudFormation resolves at deploy time. */
  readonly originSecret: string;
  /**
   * The host priming requests name: the site's domain name, else one under cloudfront.net, since the distribution's
   * own name depends on the function (through its origin), which therefore cannot be told it.
   */
  readonly primeHost: string;
}

/**
 * One CloudFront distribution in front of the app: nothing cached, every method, every viewer header, cookie and query
 * string forwarded but Host (an API Gateway or function URL origin answers only its own host), HTTPS only. The origin
 * custom header carries a secret generated at deploy time, so that the adapter trusts the visitor's host and address
 * only on requests that came through this distribution; with `originAccessControl`, CloudFront also signs its requests
 * to the function URL, whose auth type must then be AWS_IAM. `additionalBehaviors` serve other origins by path pattern.
 */
export function defineDistribution(scope: Construct, origin: DistributionOrigin, options: WsgiApiDistributionOptions,
  additionalBehaviors: Record<string, cloudfront.BehaviorOptions> = {}): DefinedDistribution {
  // Generated once per stack by Secrets Manager: the template names it, never its value, so the same sources give the
  // same template, and no one can derive it from the construct's path.
  const secret = new secretsmanager.Secret(scope, 'OriginSecret', {
    description: `The header value by which ${scope.node.path}'s app knows requests from its CloudFront distribution`,
    generateSecretString: { passwordLength: 48, excludePunctuation: true },
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const originSecret = secret.secretValue.unsafeUnwrap();
  const customHeaders = { [ORIGIN_SECRET_HEADER]: originSecret };

  const viewerRequest = new cloudfront.Function(scope, 'ViewerRequest', {
    code: cloudfront.FunctionCode.fromInline(VIEWER_REQUEST_FUNCTION_CODE),
    runtime: cloudfront.FunctionRuntime.JS_2_0,
    comment: 'Passes the visitor\'s host and address to the WSGI app',
  });
  const distribution = new cloudfront.Distribution(scope, 'Distribution', {
    comment: scope.node.path.slice(0, 128),
    defaultBehavior: {
      origin: appOrigin(scope, origin, customHeaders, options.originAccessControl ?? false),
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      compress: true,
      functionAssociations: [{ function: viewerRequest, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
    },
    additionalBehaviors,
    domainNames: options.domainName ? [options.domainName] : undefined,
    certificate: options.certificate,
    webAclId: options.webAclId,
    priceClass: options.priceClass,
    httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
    // The *.cloudfront.net certificate's policy is CloudFront's to set: TLS 1.2 applies with a certificate of the site's.
    minimumProtocolVersion: options.certificate ? cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 : undefined,
  });
  if (options.originAccessControl && !grantsInvokeFunction(distribution)) {
    // Function URLs created since October 2025 need both lambda:InvokeFunctionUrl and lambda:InvokeFunction
    // (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html); FunctionUrlOrigin.withOriginAccessControl grants
    // CloudFront only the first before aws-cdk-lib fixed https://github.com/aws/aws-cdk/issues/35872. Scoped to this
    // distribution, and to invocations through the URL.
    origin.alias!.addPermission('DistributionInvokeFunction', {
      principal: new iam.ServicePrincipal('cloudfront.amazonaws.com'),
      action: 'lambda:InvokeFunction',
      sourceArn: distribution.distributionArn,
      invokedViaFunctionUrl: true,
    });
  }
  if (options.domainName && options.hostedZone) {
    const target = route53.RecordTarget.fromAlias(new targets.CloudFrontTarget(distribution));
    new route53.ARecord(scope, 'SiteAliasRecord', { zone: options.hostedZone, recordName: options.domainName, target });
    new route53.AaaaRecord(scope, 'SiteAliasRecordIpv6', { zone: options.hostedZone, recordName: options.domainName, target });
  }
  acknowledgeDistributionFindings(scope, options.domainName === undefined);
  const host = options.domainName ?? distribution.distributionDomainName;
  return { distribution, url: `https://${host}/`, originSecret, primeHost: options.domainName ?? `${PRIME_LABEL}.cloudfront.net` };
}

/** Whether the origin's own grants (newer aws-cdk-lib) already let CloudFront invoke the function through its URL. */
function grantsInvokeFunction(distribution: cloudfront.Distribution): boolean {
  return distribution.node.findAll().some(c => c instanceof lambda.CfnPermission && c.action === 'lambda:InvokeFunction'
    && c.principal === 'cloudfront.amazonaws.com');
}

function appOrigin(scope: Construct, origin: DistributionOrigin, customHeaders: Record<string, string>,
  originAccessControl: boolean): cloudfront.IOrigin {
  if (origin.restApi) {
    // The origin path is the stage: the app's URLs start at the site's root.
    return new origins.RestApiOrigin(origin.restApi, { customHeaders });
  }
  if (origin.httpApi) {
    const named = origin.stageName !== '$default';
    return new origins.HttpOrigin(Fn.select(2, Fn.split('/', origin.httpApi.apiEndpoint)), {
      originPath: named ? `/${origin.stageName}` : undefined,
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      customHeaders,
    });
  }
  const props = { customHeaders, readTimeout: readTimeout(scope, origin.timeout) };
  // With origin access control, CloudFront signs each request (SigV4, always) for the URL's AWS_IAM auth, and the
  // origin grants it lambda:InvokeFunctionUrl scoped to the distribution
  // (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-lambda.html).
  return originAccessControl
    ? origins.FunctionUrlOrigin.withOriginAccessControl(origin.functionUrl!, props)
    : new origins.FunctionUrlOrigin(origin.functionUrl!, props);
}

/** How long CloudFront waits for a function URL: the function's timeout, within what CloudFront allows. */
function readTimeout(scope: Construct, timeout: Duration): Duration | undefined {
  const seconds = Math.ceil(timeout.toSeconds());
  if (seconds <= DEFAULT_READ_TIMEOUT_SECONDS) return undefined;
  if (seconds > MAX_READ_TIMEOUT_SECONDS) {
    Annotations.of(scope).addWarningV2('cdk-wsgi:distributionReadTimeout',
      `the function's timeout is ${seconds} s, but CloudFront waits at most ${MAX_READ_TIMEOUT_SECONDS} s for an origin `
      + 'without a quota increase, so requests through the distribution end there; lower the timeout to '
      + `${MAX_READ_TIMEOUT_SECONDS} s, or raise the quota and the origin's OriginReadTimeout (an escape hatch on api.distribution)`);
    return Duration.seconds(MAX_READ_TIMEOUT_SECONDS);
  }
  return Duration.seconds(seconds);
}
