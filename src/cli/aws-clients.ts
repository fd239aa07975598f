/**
 * How the remote commands make their AWS clients: with the user's region and profile, a bound on connecting, and a
 * note of the host each failed request went to, which aws-errors.ts names. Types only from the SDK: this module
 * loads with the CLI, the SDK only when a remote command runs.
 */

/** The region and profile a command calls AWS with; unset ones come from the SDK's usual chain. */
export interface AwsSettings {
  readonly region?: string;
  readonly profile?: string;
}

/**
 * How long a connection to AWS may take to open. Without it a network that drops packets (a firewall, a dead VPN)
 * holds each attempt for the operating system's TCP timeout, about two minutes on Linux, and the SDK makes three.
 */
export const CONNECTION_TIMEOUT_MS = 10_000;

/** The configuration every client of the CLI is made with. */
export function clientConfig(aws: AwsSettings) {
  return { ...aws, requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS } };
}

/** A client, as far as adding a middleware to it and naming its service go. */
interface MiddlewareClient {
  readonly config: { readonly serviceId?: string };
  readonly middlewareStack: { add(middleware: any, options: { step: 'build'; name: string }): void };
}

/** Where a failed request went: the origin (`https://host[:port]`) and the service's id (`CloudWatch Logs`). */
export interface RequestTarget {
  readonly origin: string;
  readonly serviceId?: string;
}

const targets = new WeakMap<object, RequestTarget>();

/**
 * `client`, recording where each request that fails went: a refused connection names an address, a connection
 * timeout names nothing, and an endpoint variable may have sent the request elsewhere than AWS.
 */
export function recordingTargets<C extends MiddlewareClient>(client: C): C {
  const serviceId = client.config.serviceId;
  // The build step runs after the endpoint is resolved into the request, and around the retries.
  client.middlewareStack.add((next: (args: any) => Promise<unknown>) => async (args: any) => {
    try {
      return await next(args);
    } catch (error) {
      const { protocol = 'https:', hostname, port } = args.request ?? {};
      if (typeof error === 'object' && error !== null && typeof hostname === 'string') {
        targets.set(error, { origin: `${protocol}//${hostname}${port ? `:${port}` : ''}`, serviceId });
      }
      throw error;
    }
  }, { step: 'build', name: 'cdkWsgiRequestTarget' });
  return client;
}

/** Where the failed request went, when a recording client made it. */
export function requestTarget(error: unknown): RequestTarget | undefined {
  return typeof error === 'object' && error !== null ? targets.get(error) : undefined;
}
