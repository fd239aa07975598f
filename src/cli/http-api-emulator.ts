import {
  decodePath, GatewayEmulator, GatewayReply, isObject, LOCAL_ACCOUNT, LOCAL_API_ID, LOCAL_DOMAIN, LocalRequest, messageReply,
} from './gateway-emulator';
import { payloadV2Event, payloadV2Reply } from './payload-v2';

/**
 * An HTTP API with a `$default` route, as WsgiApi defines it: payload 2.0 events. On a named stage the
 * path starts with the stage, and other paths get API Gateway's own 404.
 */
export class HttpApiEmulator implements GatewayEmulator {
  public readonly basePath: string;
  public readonly description: string;

  constructor(private readonly stage: string) {
    const named = stage !== '$default';
    this.basePath = named ? `/${stage}/` : '/';
    this.description = named ? `HTTP API, stage ${stage}` : 'HTTP API, $default stage';
  }

  public toEvent(request: LocalRequest): { event: object } | { reply: GatewayReply } {
    if (this.stage !== '$default' && request.rawPath !== `/${this.stage}` && !request.rawPath.startsWith(`/${this.stage}/`)) {
      return { reply: this.gatewayError(request, 404, 'Not Found') };
    }
    // rawPath arrives decoded, despite its name, and with the stage; the Cookie header is moved out into `cookies`.
    const path = decodePath(request.rawPath);
    return {
      event: payloadV2Event(request, {
        rawPath: path,
        httpPath: path,
        keepCookieHeader: false,
        context: { accountId: LOCAL_ACCOUNT, apiId: LOCAL_API_ID, domainName: LOCAL_DOMAIN, domainPrefix: LOCAL_API_ID, stage: this.stage },
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
