import { Agent, request } from 'undici';
import { describeTransportError } from '../fluent/describeTransportError.js';

/**
 * POSTs `payload` as JSON to a webhook (SPEC §2 `--notify-url`): one attempt, no redirect followed, connect, headers
 * and body each bounded by `timeoutMs` and the whole exchange by twice that, so a hook that hangs cannot hold up the
 * end of a nightly run. The answer's body is read and dropped: only its status matters.
 *
 * @throws Error with a short reason (the status, or what went wrong on the wire); never the URL, which for Slack and
 *   most chat tools is itself the secret
 */
export async function postNotification(url: string, payload: unknown, timeoutMs: number): Promise<void> {
  const agent = new Agent({ connect: { timeout: timeoutMs }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  try {
    const response = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'customer-sync' },
      body: JSON.stringify(payload),
      dispatcher: agent,
      signal: AbortSignal.timeout(2 * timeoutMs),
    }).catch((error: unknown) => {
      throw new Error(describeFailure(error, timeoutMs));
    });
    await response.body.dump();
    if (response.statusCode < 200 || response.statusCode >= 300) {
      throw new Error(`the webhook answered HTTP ${response.statusCode}`);
    }
  } finally {
    await agent.close().catch(() => {});
  }
}

/** undici's own timeouts, each bounded by the timeout given. */
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function describeFailure(error: unknown, timeoutMs: number): string {
  const { name, code } = (error ?? {}) as { name?: string; code?: string };
  if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${2 * timeoutMs} ms`;
  if (code !== undefined && TIMEOUT_CODES.has(code)) return `no answer within ${timeoutMs} ms`;
  return describeTransportError(error).message;
}
