import { type HookBounds, sendHook } from './sendHook.js';

/**
 * POSTs `payload` as JSON to a webhook (SPEC §2 `--notify-url`): one attempt, no redirect followed, bounded as every
 * hook is (sendHook: a total deadline, a few KB of the answer at most, never shown), so a hook that hangs or
 * trickles cannot hold up the end of a nightly run. Only the answer's status matters.
 *
 * @throws Error with a short reason (the status, or what went wrong on the wire); never the URL, which for Slack and
 *   most chat tools is itself the secret
 */
export async function postNotification(url: string, payload: unknown, bounds: HookBounds): Promise<void> {
  const status = await sendHook(
    url,
    { contentType: 'application/json; charset=utf-8', body: JSON.stringify(payload) },
    bounds,
  );
  if (status < 200 || status >= 300) throw new Error(`the webhook answered HTTP ${status}`);
}
