/**
 * The HTTP side of the client: one undici keep-alive pool to the API host, one POST at a time, answered or lost.
 * It decides nothing about what an answer means (classifyAnswer does).
 */
import { Pool } from 'undici';
import { describeTransportError } from './describeTransportError.js';

/**
 * What became of one request: Fluent's answer, or none. `sent: false` only when the request certainly never left
 * (a mutation may then be sent again); once the answer's headers came, a body that breaks off counts as sent.
 */
export type HttpAnswer =
  | { kind: 'answered'; status: number; retryAfter: string | undefined; text: string }
  | { kind: 'lost'; sent: boolean; message: string };

export interface Transport {
  /** The API host's origin, e.g. `https://acme.sandbox.api.fluentretail.com`, for messages. */
  readonly origin: string;
  /** The API host as given, origin and path prefix, for messages. */
  readonly apiHost: string;
  /** POSTs `body` to `path` (below the API host's path prefix). Never throws for a failed exchange. */
  post(path: string, headers: Readonly<Record<string, string>>, body: string): Promise<HttpAnswer>;
  /** Lets requests in flight finish, then closes the connections. */
  close(): Promise<void>;
}

/**
 * Creates the transport to `apiHost` (a path prefix is kept) with the same timeout for connecting, headers and body.
 *
 * @param options.connections max open connections; undefined for no bound (the caller's concurrency bounds it)
 */
export function createTransport(options: { apiHost: string; timeoutMs: number; connections?: number }): Transport {
  const base = new URL(options.apiHost);
  const basePath = base.pathname.replace(/\/+$/, '');
  const pool = new Pool(base.origin, {
    connections: options.connections ?? null,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    connect: { timeout: options.timeoutMs },
  });
  let closing: Promise<void> | undefined;

  return {
    origin: base.origin,
    apiHost: `${base.origin}${basePath}`,
    async post(path, headers, body) {
      let answered = false;
      try {
        const response = await pool.request({ path: `${basePath}${path}`, method: 'POST', headers, body });
        answered = true;
        const retryAfter = response.headers['retry-after'];
        const text = await response.body.text();
        return {
          kind: 'answered',
          status: response.statusCode,
          retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
          text,
        };
      } catch (error) {
        const failure = describeTransportError(error);
        return { kind: 'lost', sent: answered || failure.sent, message: failure.message };
      }
    },
    close() {
      closing ??= pool.close();
      return closing;
    },
  };
}
