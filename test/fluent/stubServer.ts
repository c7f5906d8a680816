/**
 * A purpose-built HTTP server on 127.0.0.1 for protocol edge cases the sandbox cannot produce
 * (a response that never comes, a refused refresh token, a closed port, Fluent's error codes, a server that echoes
 * what it was sent).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface StubServer {
  url: string;
  requests: StubRequest[];
  close(): Promise<void>;
}

/** Starts a server whose every request (body read in full) goes to `handle`. */
export async function startStubServer(
  handle: (request: StubRequest, response: ServerResponse) => void | Promise<void>,
): Promise<StubServer> {
  const requests: StubRequest[] = [];
  const server = createServer(async (incoming, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const request = {
      method: incoming.method ?? '',
      path: incoming.url ?? '',
      headers: incoming.headers,
      body: Buffer.concat(chunks).toString(),
    };
    requests.push(request);
    await handle(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 that nothing listens on (it was just free). */
export async function findClosedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Answers JSON with the given status. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

/** The form fields of an /oauth/token request. */
export function formOf(request: StubRequest): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(request.body));
}

/** The operationName and variables of a /graphql request. */
export function operationOf(request: StubRequest): { operationName?: string; variables?: Record<string, unknown> } {
  try {
    return JSON.parse(request.body) as { operationName?: string; variables?: Record<string, unknown> };
  } catch {
    return {};
  }
}

/** An /oauth/token answer as Fluent words it. */
export function sendToken(response: ServerResponse, accessToken: string, extra: Record<string, unknown> = {}) {
  sendJson(response, 200, { access_token: accessToken, token_type: 'bearer', expires_in: 3600, ...extra });
}
