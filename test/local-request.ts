import { GatewayReply, LocalRequest } from '../src/cli/gateway-emulator';

/** A request as the local server hands it over; the shapes the emulators build follow semantics.md §1.2, §1.3 and §1.6. */
export function localRequest(overrides: Partial<LocalRequest> = {}): LocalRequest {
  return {
    method: 'GET',
    rawPath: '/prod/a%20b/c',
    rawQuery: 'literal=a+b&encoded=a%2Bb&repeat=one&repeat=two&empty=',
    headers: [
      ['Host', '127.0.0.1:8000'],
      ['Connection', 'keep-alive'],
      ['User-Agent', 'jest'],
      ['X-Probe', 'first'],
      ['x-probe', 'second'],
      ['X-Probe', 'third'],
      ['Cookie', 'session=abc; theme=dark'],
    ],
    body: Buffer.alloc(0),
    sourceIp: '127.0.0.1',
    port: 8000,
    requestId: 'req-1',
    time: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
    ...overrides,
  };
}

/** The event an emulator built, failing the test when it replied by itself. */
export function eventOf(result: { event: object } | { reply: GatewayReply }): any {
  if (!('event' in result)) throw new Error(`expected an event, got ${result.reply.statusCode}`);
  return result.event;
}

/** Every value of header `name` in the reply (case-insensitive). */
export function replyHeader(reply: GatewayReply, name: string): string[] {
  return reply.headers.filter(([key]) => key.toLowerCase() === name.toLowerCase()).map(([, value]) => value);
}
