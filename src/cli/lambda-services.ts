import { randomUUID } from 'crypto';
import * as http from 'http';
import { AddressInfo } from 'net';

/**
 * What an emulated function calls of AWS to queue its own background tasks (`.delay()`), on loopback: Lambda's
 * Invoke API for asynchronous invocations, and a container credential provider to sign them with. The adapter finds
 * them as the AWS SDKs do, through AWS_ENDPOINT_URL_LAMBDA and AWS_CONTAINER_CREDENTIALS_FULL_URI
 * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html,
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-container-credentials.html).
 */
export interface LambdaServices {
  /** The variables that point the function at them. */
  readonly environment: Record<string, string>;
  close(): Promise<void>;
}

// Lambda's limit for an asynchronous invocation's payload.
const MAX_ASYNC_BYTES = 1024 * 1024;
const INVOCATIONS = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

/**
 * Starts the services; `queue` receives each asynchronous invocation's payload, which Lambda would run in another
 * environment after answering 202. Credentials are the developer's when exported (the function then signs with them,
 * as with its role), else placeholders that only these services accept.
 */
export async function startLambdaServices(queue: (payload: string, requestId: string) => void): Promise<LambdaServices> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_ASYNC_BYTES) chunks.push(chunk);
    });
    req.on('end', () => answer(req, res, size <= MAX_ASYNC_BYTES ? Buffer.concat(chunks) : undefined, queue));
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const exported = process.env.AWS_ACCESS_KEY_ID && process.env.AWS_SECRET_ACCESS_KEY;
  return {
    environment: {
      AWS_ENDPOINT_URL_LAMBDA: url,
      ...exported ? {} : { AWS_CONTAINER_CREDENTIALS_FULL_URI: `${url}/credentials` },
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise(resolve => server.close(resolve));
    },
  };
}

function answer(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer | undefined,
  queue: (payload: string, requestId: string) => void): void {
  const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(JSON.stringify(value));
  };
  const path = (req.url ?? '').split('?')[0];
  if (req.method === 'GET' && path === '/credentials') {
    json(200, { AccessKeyId: 'EMULATEDACCESSKEY', SecretAccessKey: 'emulated', Token: 'emulated', Expiration: '2999-01-01T00:00:00Z' });
  } else if (req.method === 'POST' && INVOCATIONS.test(path) && req.headers['x-amz-invocation-type'] === 'Event') {
    if (body === undefined) {
      json(413, { Type: 'User', message: `Request must be smaller than ${MAX_ASYNC_BYTES} bytes for the InvokeAsync operation` });
      return;
    }
    const requestId = randomUUID();
    json(202, {}, { 'x-amzn-RequestId': requestId });
    queue(body.toString('utf8'), requestId);
  } else {
    json(400, { Type: 'User', message: `cdk-wsgi emulate stands in for Lambda's asynchronous Invoke of this function only, not ${req.method} ${path}` });
  }
}
