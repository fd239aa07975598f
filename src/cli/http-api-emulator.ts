import {
  decodePath, DomainMapping, GatewayEmulator, GatewayReply, isObject, LOCAL_ACCOUNT, LOCAL_API_ID, LOCAL_DOMAIN, LocalRequest,
  mappingPrefix, messageReply,
} from './gateway-emulator';
import { payloadV2Event, payloadV2Reply } from './payload-v2';

/**
 * An HTTP API with a `$default` route, as WsgiApi defines it: payload 2.0 events. On a named stage the
 * path starts with the stage, and other paths get API Gateway's own 404. With `mapping`, the stage is reached through
 * a custom domain's base path instead.
 */
export class HttpApiEmulator implements GatewayEmulator {
  public readonly basePath: string;
  public readonly description: string;

  constructor(private readonly stage: string, private readonly mapping?: DomainMapping) {
    const named = stage !== '$default';
    this.basePath = mapping ? `${mappingPrefix(mapping)}/` : named ? `/${stage}/` : '/';
    this.description = named ? `HTTP API, stage ${stage}` : 'HTTP API, $default stage';
  }

  public toEvent(request: LocalRequest): { event: object } | { reply: GatewayReply } {
    if (!this.mapping && this.stage !== '$default' && request.rawPath !== `/${this.stage}` && !request.rawPath.startsWith(`/${this.stage}/`)) {
      return { reply: this.gatewayError(request, 404, 'Not Found') };
    }
    // rawPath arrives decoded, despite its name, with a named stage but without a custom domain's base path ("rawPath
    // won't provide the API mapping value": https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html);
    // the Cookie header is moved out into `cookies`.
    const path = decodePath(this.mapping ? request.rawPath.slice(mappingPrefix(this.mapping).length) || '/' : request.rawPath);
    const domainName = this.mapping?.domainName ?? LOCAL_DOMAIN;
    return {
      event: payloadV2Event(request, {
        rawPath: path,
        httpPath: path,
        keepCookieHeader: false,
        context: { accountId: LOCAL_ACCOUNT, apiId: LOCAL_API_ID, domainName, domainPrefix: domainName.split('.', 1)[0], stage: this.stage },
      }),
    };
  }

  public toReply(request: LocalRequest, result: unknown): GatewayReply {
    const reply = isObject(result) ? payloadV2Reply(result, [['Apigw-Requestid', request.requestId]]) : undefined;
    return reply ?? this.failure(request);
  }

  public failure(request: LocalRequest): GatewayReply {
    return this.gatewayError(request, 500, 'Internal Server Error');
  }

  public tooLarge(request: LocalRequest): GatewayReply {
    return this.gatewayError(request, 413, 'Request Entity Too Large');
  }

  private gatewayError(request: LocalRequest, statusCode: number, message: string): GatewayReply {
    return messageReply(statusCode, message, [['Apigw-Requestid', request.requestId]]);
  }
}
