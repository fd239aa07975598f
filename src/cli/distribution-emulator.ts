import { GatewayEmulator, GatewayReply, headerValue, LocalRequest } from './gateway-emulator';
import { StaticFolder, staticReply } from './static-files';
import { ORIGIN_SECRET_HEADER, VIEWER_ADDRESS_HEADER, VIEWER_HOST_HEADER, VIEWER_PROTO_HEADER } from '../contracts/adapter-contract';

/** The headers the distribution sets; a client's copies never reach the origin. */
const DISTRIBUTION_HEADERS = [ORIGIN_SECRET_HEADER, VIEWER_HOST_HEADER, VIEWER_ADDRESS_HEADER, VIEWER_PROTO_HEADER];

/**
 * A WsgiApi's CloudFront distribution in front of its emulated front door, at the site's root: each request goes to the
 * origin under its origin path (a REST or named HTTP API stage) with the headers the distribution sends, the viewer's
 * host and address, `http` for this plain local server, and the session's secret, which the worker's adapter holds.
 * Paths under the static files' URL path are answered from their folder, as the distribution's bucket behaviour does.
 */
export class DistributionEmulator implements GatewayEmulator {
  public readonly basePath = '/';
  public readonly description: string;
  public readonly maxBodyBytes?: number;

  constructor(private readonly origin: GatewayEmulator, private readonly originPath: string, private readonly secret: string,
    private readonly staticFiles?: StaticFolder) {
    this.description = `CloudFront distribution in front of ${origin.description}`;
    this.maxBodyBytes = origin.maxBodyBytes;
  }

  public toEvent(request: LocalRequest): { event: object } | { reply: GatewayReply } {
    const reply = this.staticFiles && staticReply(this.staticFiles, request);
    if (reply) return { reply };
    return this.origin.toEvent(this.originRequest(request));
  }

  public toReply(request: LocalRequest, result: unknown): GatewayReply {
    return this.origin.toReply(request, result);
  }

  public failure(request: LocalRequest): GatewayReply {
    return this.origin.failure(request);
  }

  public tooLarge(request: LocalRequest): GatewayReply {
    return this.origin.tooLarge(request);
  }

  private originRequest(request: LocalRequest): LocalRequest {
    const headers = request.headers.filter(([name]) => !DISTRIBUTION_HEADERS.includes(name.toLowerCase()));
    headers.push(
      [VIEWER_HOST_HEADER, headerValue(request.headers, 'host') ?? ''],
      [VIEWER_ADDRESS_HEADER, request.sourceIp],
      [VIEWER_PROTO_HEADER, 'http'],
      [ORIGIN_SECRET_HEADER, this.secret],
    );
    return { ...request, rawPath: `${this.originPath}${request.rawPath}`, headers };
  }
}
