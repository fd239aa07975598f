import { CfnOutput, Duration, Names, Size, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigatewayv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as triggers from 'aws-cdk-lib/triggers';
import { Construct } from 'constructs';
import * as contract from './contracts/adapter-contract';
import * as defaults from './contracts/defaults';
import { ApiOptions, DefinedApi } from './private/api-options';
import { checkCertificateHost } from './private/certificate-host';
import { defineDistribution } from './private/distribution';
import { customDomainName } from './private/domain-url';
import { defineFunctionUrl } from './private/function-url';
import { defineHttpApi } from './private/http-api';
import { defineLoadBalancerTarget } from './private/load-balancer';
import { DEFAULT_LOG_RETENTION } from './private/log-retention';
import { acknowledgeApiFindings } from './private/nag';
import { defineServerErrorRateAlarm } from './private/release';
import { defineRestApi } from './private/rest-api';
import { defineStaticBucket, deployStaticFiles } from './private/static-files';
import { validateDistribution } from './private/validate-distribution';
import * as validate from './private/validate-props';
import { resolveStaticFiles } from './private/validate-static-files';
import { resolveAppSource } from './shared/app-source';
import { propError } from './shared/prop-error';
import {
  ApiType, WsgiApiCorsOptions, WsgiApiDistributionOptions, WsgiApiDomainOptions, WsgiApiLoadBalancerOptions, WsgiApiStaticFilesOptions,
} from './types';
import { WsgiAdapterLayer } from './wsgi-adapter-layer';
import { WsgiFunction, WsgiFunctionProps } from './wsgi-function';

/**
 * Properties for a WsgiApi: the function's (WsgiFunctionProps), and the API's.
 *
 * The function's `timeout` defaults to 29 seconds, the longest API Gateway waits for it; a longer one is an error.
 */
export interface WsgiApiProps extends WsgiFunctionProps {
  /**
   * The front door of the function: an API Gateway REST or HTTP API, or a function URL.
   *
   * @default ApiType.REST
   */
  readonly apiType?: ApiType;

  /**
   * Who may call the function URL (`ApiType.FUNCTION_URL` only): anyone (`NONE`), or IAM principals allowed
   * `lambda:InvokeFunctionUrl` and `lambda:InvokeFunction`, with signed requests (`AWS_IAM`).
   *
   * @default - FunctionUrlAuthType.NONE; AWS_IAM with `distribution.originAccessControl`
   */
  readonly functionUrlAuthType?: lambda.FunctionUrlAuthType;

  /**
   * Cross-origin requests from browsers, answered by the front door: a preflight `OPTIONS` on every path of a REST API
   * (the app's own responses carry its CORS headers), and both preflight and response headers on an HTTP API or a
   * function URL. Not with `ApiType.ALB`.
   *
   * @default - no CORS: preflights reach the app
   */
  readonly cors?: WsgiApiCorsOptions;

  /**
   * An authorizer every method of the REST API requires (`ApiType.REST` only). The identity reaches the app as
   * `REMOTE_USER` and the authorizer's context, as for any authorizer.
   *
   * @default - none: the app authenticates its users
   */
  readonly authorizer?: apigateway.IAuthorizer;

  /**
   * An authorizer every route of the HTTP API requires (`ApiType.HTTP` only), e.g. `HttpJwtAuthorizer`.
   *
   * @default - none: the app authenticates its users
   */
  readonly httpAuthorizer?: apigatewayv2.IHttpRouteAuthorizer;

  /**
   * The listener rule that sends requests to the app (`ApiType.ALB` only, and required with it).
   *
   * @default - none
   */
  readonly loadBalancer?: WsgiApiLoadBalancerOptions;

  /**
   * Media types API Gateway treats as binary, for request bodies and for responses (REST APIs only).
   *
   * The same list tells the adapter which responses it can send base64-encoded, so the two always agree.
   * With the default, every request body arrives base64-encoded (the adapter decodes it) and responses of
   * any type reach clients byte for byte.
   *
   * @default ['*\/*']
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings.html
   */
  readonly binaryMediaTypes?: string[];

  /**
   * The name of the API's stage, which appears in the execute-api URL and, for the app, in `SCRIPT_NAME`.
   *
   * @default - 'prod' for a REST API; '$default' for an HTTP API, whose URL then has no stage segment
   */
  readonly stageName?: string;

  /**
   * The steady-state request rate limit of the stage, in requests per second.
   *
   * @default - the account-level limit
   */
  readonly throttlingRateLimit?: number;

  /**
   * The burst limit of the stage, in requests.
   *
   * @default - the account-level limit
   */
  readonly throttlingBurstLimit?: number;

  /**
   * The smallest response API Gateway compresses when the client accepts it (REST APIs only).
   *
   * Responses the app already compressed (with a `Content-Encoding`) are passed through as they are.
   *
   * @default - responses are not compressed
   */
  readonly minCompressionSize?: Size;

  /**
   * Whether the stage writes an access log (JSON with the standard fields) to a log group.
   *
   * @default true
   */
  readonly accessLogging?: boolean;

  /**
   * How long the access log group keeps its events, and a REST stage's execution log (its errors), which is kept
   * even with `accessLogging` off.
   *
   * @default RetentionDays.ONE_MONTH
   */
  readonly accessLogRetention?: logs.RetentionDays;

  /**
   * Whether X-Ray traces the REST API stage (HTTP APIs cannot be traced). Set `tracing` for the function.
   *
   * @default false
   */
  readonly apiTracing?: boolean;

  /**
   * Whether to define the account-level role that lets API Gateway write to CloudWatch Logs (REST APIs only).
   *
   * REST stage logging fails to deploy in an account where no such role is set. Turn this off when the
   * account already has one that you manage elsewhere.
   *
   * @default true
   */
  readonly cloudWatchRole?: boolean;

  /**
   * A custom domain name for the API, with an optional base path and Route 53 alias record.
   *
   * @default - no custom domain; the API is reachable on its execute-api URL only
   */
  readonly customDomain?: WsgiApiDomainOptions;

  /**
   * Whether to turn off the API's execute-api endpoint, so clients can only use the custom domain.
   *
   * @default false
   */
  readonly disableExecuteApiEndpoint?: boolean;

  /**
   * A CloudFront distribution in front of the REST API, HTTP API or function URL: nothing cached, HTTPS only, every
   * method and viewer header but Host forwarded. The app sees the visitor's host, address and `https`, with an empty
   * `SCRIPT_NAME`, on requests that come through it; `api.url` becomes its URL.
   *
   * @default - no distribution, unless `staticFiles` is set: then one with the default options
   */
  readonly distribution?: WsgiApiDistributionOptions;

  /**
   * A folder of static files the distribution serves under a URL path (`/static` by default) from a private S3 bucket,
   * cached at the edge, the rest of the site still going to the app. Implies `distribution`. Each deployment uploads
   * the folder as it is at synth and invalidates the path on CloudFront.
   *
   * @default - no static files: the app serves every path
   */
  readonly staticFiles?: WsgiApiStaticFilesOptions;
}

/**
 * A Python WSGI app (Flask, Django, Pyramid, Bottle, Falcon, ...) on AWS Lambda behind API Gateway.
 *
 * Defines a Lambda function built from `entry`, its dependencies bundled for Lambda, whose handler is the cdk-wsgi
 * adapter (shipped as a layer), and a REST API (`ANY /` and `ANY /{proxy+}`) or an HTTP API (`$default` route) sending every request to it.
 */
export class WsgiApi extends Construct {
  /**
   * The Lambda function running the WSGI app.
   */
  public readonly lambdaFunction: lambda.Function;

  /**
   * The `live` alias of the function's current version, which the API and the warm-up schedule invoke.
   */
  public readonly alias: lambda.Alias;

  /**
   * Conditional: the `manage` alias on the same version as `live`, the only alias through which the function runs
   * management commands, unless `managementCommands` is false. `grantManage` allows invoking it.
   */
  public readonly manageAlias?: lambda.Alias;

  /**
   * The layer holding the cdk-wsgi adapter, built for the function's runtime.
   */
  public readonly layer: WsgiAdapterLayer;

  /**
   * The function's log group: `logGroup` when given, else the one WsgiApi defines with `functionLogRetention`.
   */
  public readonly logGroup: logs.ILogGroup;

  /**
   * Conditional: the REST API, when `apiType` is `ApiType.REST`.
   */
  public readonly restApi?: apigateway.RestApi;

  /**
   * Conditional: the HTTP API, when `apiType` is `ApiType.HTTP`.
   */
  public readonly httpApi?: apigatewayv2.HttpApi;

  /**
   * Conditional: the function URL on `live`, when `apiType` is `ApiType.FUNCTION_URL`.
   */
  public readonly functionUrl?: lambda.FunctionUrl;

  /**
   * Conditional: the Lambda target group of `live` behind the listener rule, when `apiType` is `ApiType.ALB`.
   */
  public readonly targetGroup?: elbv2.ApplicationTargetGroup;

  /**
   * Conditional: the CloudFront distribution in front of the app, when `distribution` is set.
   */
  public readonly distribution?: cloudfront.Distribution;

  /**
   * Conditional: the private bucket the distribution serves `staticFiles` from, when `staticFiles` is set.
   */
  public readonly staticBucket?: s3.Bucket;

  /**
   * Conditional: the warm-up schedule, when `warmUp` is set.
   */
  public readonly warmUpRule?: events.Rule;

  /**
   * Conditional: the CodeDeploy deployment group shifting `live` to new versions, when `deployment` is set.
   */
  public readonly deploymentGroup?: codedeploy.LambdaDeploymentGroup;

  /**
   * Conditional, when `deployment` is set without its own `alarms`: more than 5% of the API's requests answered 5xx
   * within a minute.
   */
  public readonly serverErrorRateAlarm?: cloudwatch.Alarm;

  /**
   * Conditional, when `deployment` is set without its own `alarms`: an invocation of `live` failed (crash, timeout,
   * out of memory) within a minute.
   */
  public readonly functionErrorsAlarm?: cloudwatch.Alarm;

  /**
   * Conditional, when `deployment` is set without its own `alarms`: Lambda throttled an invocation of `live` within a
   * minute.
   */
  public readonly throttlesAlarm?: cloudwatch.Alarm;

  /**
   * Conditional: the trigger running `deployTasks` in each new version, when there are tasks.
   *
   * Order it after resources the tasks need that the function does not reference, e.g.
   * `api.deployTasksTrigger?.executeAfter(databaseIngressRule)`.
   */
  public readonly deployTasksTrigger?: triggers.Trigger;

  /**
   * The URL of the app: the custom domain's (with its base path) when set, else the execute-api URL with the stage, or
   * the function URL.
   */
  public readonly url: string;

  /**
   * The WSGI function behind the API: the function, its layer, `live` alias, releases, deploy tasks and warm-up.
   */
  public readonly wsgiFunction: WsgiFunction;

  constructor(scope: Construct, id: string, props: WsgiApiProps) {
    super(scope, id);
    const apiType = props.apiType ?? defaults.DEFAULT_API_TYPE;
    const binaryMediaTypes = props.binaryMediaTypes ?? [...defaults.DEFAULT_BINARY_MEDIA_TYPES];
    const stageName = props.stageName ?? defaults.DEFAULT_STAGE_NAME[apiType];

    validate.validateTimeout(props.timeout ?? Duration.seconds(defaults.DEFAULT_TIMEOUT_SECONDS), apiType);
    validate.validateCors(props.cors, apiType);
    // Before the function: Django's manifest, written into the app's folder, is part of its bundle.
    const staticFiles = props.staticFiles && resolveStaticFiles(this, props.staticFiles, apiType, {
      ...resolveAppSource(props.entry, props.module),
      environment: props.environment,
    });
    const distribution = props.distribution ?? (staticFiles ? {} : undefined);
    if (distribution) {
      validateDistribution(distribution, apiType, props.customDomain !== undefined, props.disableExecuteApiEndpoint, props.functionUrlAuthType);
    }
    validate.validateFrontDoorProps(apiType, {
      binaryMediaTypes: props.binaryMediaTypes,
      stageName: props.stageName,
      throttlingRateLimit: props.throttlingRateLimit,
      throttlingBurstLimit: props.throttlingBurstLimit,
      minCompressionSize: props.minCompressionSize,
      accessLogging: props.accessLogging,
      accessLogRetention: props.accessLogRetention,
      apiTracing: props.apiTracing,
      cloudWatchRole: props.cloudWatchRole,
      customDomain: props.customDomain,
      disableExecuteApiEndpoint: props.disableExecuteApiEndpoint,
    }, {
      functionUrlAuthType: props.functionUrlAuthType,
      loadBalancer: props.loadBalancer,
      authorizer: props.authorizer,
      httpAuthorizer: props.httpAuthorizer,
    });
    validate.validateMediaTypes('binaryMediaTypes', props.binaryMediaTypes, true);
    validate.validateThrottling(props.throttlingRateLimit, props.throttlingBurstLimit);
    if (props.customDomain) {
      validate.validateCustomDomain(props.customDomain, apiType);
      if (props.customDomain.certificate) {
        checkCertificateHost(this, 'customDomain.certificate', props.customDomain.certificate, props.customDomain.domainName!);
      }
    } else if (props.disableExecuteApiEndpoint) {
      throw propError('disableExecuteApiEndpoint', 'leaves the API unreachable without a custom domain', true,
        'set customDomain too, or keep the execute-api endpoint');
    }
    if (apiType === ApiType.HTTP) {
      validate.warnRestOnlyProps(this, {
        binaryMediaTypes: props.binaryMediaTypes,
        minCompressionSize: props.minCompressionSize,
        apiTracing: props.apiTracing,
        cloudWatchRole: props.cloudWatchRole,
      });
    }

    // 'Default' leaves no trace in the logical IDs of what it defines: they are those of a WsgiApi without it.
    const fn = new WsgiFunction(this, 'Default', props);
    this.wsgiFunction = fn;
    this.lambdaFunction = fn.lambdaFunction;
    this.alias = fn.alias;
    this.manageAlias = fn.manageAlias;
    this.layer = fn.layer;
    this.logGroup = fn.logGroup;
    this.warmUpRule = fn.warmUpRule;
    this.deploymentGroup = fn.deploymentGroup;
    this.functionErrorsAlarm = fn.functionErrorsAlarm;
    this.throttlesAlarm = fn.throttlesAlarm;
    this.deployTasksTrigger = fn.deployTasksTrigger;
    // What only the API decides: which media types it passes as binary, and under which base path the app is mapped.
    if (apiType === ApiType.REST) {
      this.lambdaFunction.addEnvironment(contract.ENV_BINARY_MEDIA_TYPES, binaryMediaTypes.join(','));
    }
    if (props.customDomain) {
      this.lambdaFunction.addEnvironment(contract.ENV_BASE_PATHS,
        Stack.of(this).toJsonString({ [customDomainName(props.customDomain)]: props.customDomain.basePath ?? '' }));
    }

    const accessLogRetention = props.accessLogRetention ?? DEFAULT_LOG_RETENTION;
    const apiOptions: ApiOptions = {
      handler: this.alias,
      // API names are the keys of API Gateway's REST metrics, which the release alarms read: unique per construct.
      apiName: Names.uniqueResourceName(this, { maxLength: 128, separator: '-' }),
      stageName,
      throttlingRateLimit: props.throttlingRateLimit,
      throttlingBurstLimit: props.throttlingBurstLimit,
      accessLogRetention: props.accessLogging === false ? undefined : accessLogRetention,
      executionLogRetention: accessLogRetention,
      tracingEnabled: props.apiTracing ?? false,
      customDomain: props.customDomain,
      disableExecuteApiEndpoint: props.disableExecuteApiEndpoint ?? false,
      binaryMediaTypes,
      minCompressionSize: props.minCompressionSize,
      cloudWatchRole: props.cloudWatchRole ?? true,
      cors: props.cors,
      authorizer: props.authorizer,
      httpAuthorizer: props.httpAuthorizer,
    };
    let api: DefinedApi;
    if (apiType === ApiType.REST) {
      const rest = defineRestApi(this, apiOptions);
      this.restApi = rest.restApi;
      api = rest;
    } else if (apiType === ApiType.HTTP) {
      const http = defineHttpApi(this, apiOptions);
      this.httpApi = http.httpApi;
      api = http;
    } else if (apiType === ApiType.ALB) {
      const target = defineLoadBalancerTarget(this, this.alias, props.loadBalancer!);
      this.targetGroup = target.targetGroup;
      api = target;
    } else {
      // Origin access control has CloudFront sign its requests, which only an AWS_IAM URL checks.
      const authType = props.functionUrlAuthType
        ?? (distribution?.originAccessControl ? lambda.FunctionUrlAuthType.AWS_IAM : lambda.FunctionUrlAuthType.NONE);
      const url = defineFunctionUrl(this.alias, authType, props.cors);
      this.functionUrl = url.functionUrl;
      api = url;
    }
    this.url = api.url;
    let primeHost = api.host;
    if (distribution) {
      const staticBucket = staticFiles && defineStaticBucket(this, staticFiles.urlPath);
      const site = defineDistribution(this, {
        restApi: this.restApi,
        httpApi: this.httpApi,
        functionUrl: this.functionUrl,
        alias: this.alias,
        stageName,
        timeout: props.timeout ?? Duration.seconds(defaults.DEFAULT_TIMEOUT_SECONDS),
      }, distribution, staticBucket ? { [staticBucket.pathPattern]: staticBucket.behavior } : {});
      this.distribution = site.distribution;
      if (staticFiles && staticBucket) {
        this.staticBucket = staticBucket.bucket;
        const fingerprinted = deployStaticFiles(this, staticBucket.bucket, site.distribution, staticFiles.directory, staticFiles.urlPath);
        // The new version's pages may name new fingerprinted files: `live` moves to it once they are uploaded.
        if (fingerprinted) this.alias.node.addDependency(fingerprinted);
      }
      this.url = site.url;
      this.lambdaFunction.addEnvironment(contract.ENV_ORIGIN_SECRET, site.originSecret);
      if (distribution.allowDirectAccess === false) this.lambdaFunction.addEnvironment(contract.ENV_DIRECT_ACCESS, '0');
      primeHost = site.primeHost;
    }

    if (props.deployment && !props.deployment.alarms) {
      this.serverErrorRateAlarm = defineServerErrorRateAlarm(this, api);
    }
    fn._attachFrontDoor({
      apiType,
      // The host the adapter's priming requests name.
      host: primeHost,
      distribution: distribution !== undefined,
      staticFiles,
      stage: stageName,
      serverErrorRateAlarm: this.serverErrorRateAlarm,
    });

    acknowledgeApiFindings(this);
    new CfnOutput(this, 'Url', { value: this.url, description: 'URL of the WSGI app' });
  }

  /**
   * Lets `grantee` run management commands (`cdk-wsgi exec`, `command`, `manage`, `flask`): invoke the `manage` alias,
   * which alone runs them, and find the function in its stack (`cloudformation:DescribeStackResource`, and
   * `cloudformation:GetTemplate` for `--stack`). Whoever may do this runs code with the function's role.
   */
  public grantManage(grantee: iam.IGrantable): iam.Grant {
    return this.wsgiFunction.grantManage(grantee);
  }

  /**
   * Lets `grantee` read the function's logs with `cdk-wsgi logs`: `logs:FilterLogEvents` on its log group, and
   * `cloudformation:DescribeStackResource` to find it.
   */
  public grantLogs(grantee: iam.IGrantable): iam.Grant {
    return this.wsgiFunction.grantLogs(grantee);
  }

  /**
   * Sends the events of `source` to the app's `handler(event, context)`, attached to the `live` alias: see
   * WsgiFunction.addEventHandler. Set `reportBatchItemFailures: true` on an SQS or stream source to have only the
   * records the handler reports as failed retried.
   *
   * @param handler the function taking the events, as `package.module.function` or `package.module:function` relative
   * to `entry`, e.g. `jobs.process`
   * @param source an SqsEventSource, KinesisEventSource, DynamoEventSource, S3EventSource, SnsEventSource or
   * WsgiRuleEventSource
   */
  public addEventHandler(handler: string, source: lambda.IEventSource): void {
    this.wsgiFunction.addEventHandler(handler, source);
  }
}
