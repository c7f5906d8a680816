import { Agent, request } from 'undici';
import { describeTransportError } from '../fluent/describeTransportError.js';

/** What a hook is sent: one POST of one body. */
export interface HookRequest {
  contentType: string;
  body: string;
}

/** How long a hook may take, all of it, and how much of its answer is read before it is dropped. */
export interface HookBounds {
  /** From the first byte sent to the last byte read: connecting, the request, the answer's headers and body. */
  deadlineMs: number;
  /** Bytes of the answer's body read at most; the rest is never read, and the connection is dropped. */
  maxAnswerBytes: number;
}

/** Enough of any answer to end the exchange politely; no answer is ever shown. */
export const MAX_ANSWER_BYTES = 4 * 1024;

/**
 * POSTs one body to a hook URL (the Pushgateway, the webhook) and gives back the status code: nothing else of the
 * answer leaves this function, so a hook that echoes the request (its Authorization header) or answers 400 MB
 * cannot put either into a log line. One attempt, no redirect followed. Credentials written into the URL
 * (`https://user:pass@host/`) go as HTTP Basic authorization, as curl and Prometheus send them.
 *
 * The deadline is total, not idle: a server that trickles a byte every few seconds is cut off at the deadline, and
 * at most `maxAnswerBytes` of its body are read.
 *
 * @throws Error with a short reason (no answer within the deadline, or what went wrong on the wire); never the URL,
 *   which for Slack and most chat tools is itself the secret
 */
export async function sendHook(url: string, payload: HookRequest, bounds: HookBounds): Promise<number> {
  const target = new URL(url);
  const headers: Record<string, string> = { 'content-type': payload.contentType, 'user-agent': 'customer-sync' };
  if (target.username !== '' || target.password !== '') {
    const credentials = `${decodeOrKeep(target.username)}:${decodeOrKeep(target.password)}`;
    headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
    target.username = '';
    target.password = '';
  }
  const deadline = AbortSignal.timeout(bounds.deadlineMs);
  const agent = new Agent({
    connect: { timeout: bounds.deadlineMs },
    headersTimeout: bounds.deadlineMs,
    bodyTimeout: bounds.deadlineMs,
  });
  try {
    const response = await request(target, {
      method: 'POST',
      headers,
      body: payload.body,
      dispatcher: agent,
      signal: deadline,
    });
    let read = 0;
    try {
      for await (const chunk of response.body) {
        read += (chunk as Buffer).length;
        if (read >= bounds.maxAnswerBytes) break;
      }
    } catch {
      // The status has come: an answer cut by the deadline or the wire still tells how the hook took it.
    } finally {
      // Unread, an answer would keep its connection; abandoned, it is dropped.
      response.body.destroy();
    }
    return response.statusCode;
  } catch (error) {
    if (deadline.aborted) throw new Error(`no answer within ${formatDeadline(bounds.deadlineMs)}`);
    throw new Error(describeTransportError(error).message);
  } finally {
    // destroy, not close: close would wait for an answer still trickling in.
    await agent.destroy().catch(() => {});
  }
}

function formatDeadline(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function decodeOrKeep(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
