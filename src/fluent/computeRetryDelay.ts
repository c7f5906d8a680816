/**
 * How long to wait before the next attempt: Fluent's Retry-After when it sent one (capped, since Fluent does
 * not document its limits and a huge value would stall the run), else exponential back-off with full jitter
 * (AWS Architecture Blog, "Exponential Backoff And Jitter") so concurrent requests do not retry in step.
 */

export interface RetryDelayPolicy {
  baseBackoffMs: number;
  maxBackoffMs: number;
  maxRetryAfterMs: number;
  now: () => number;
  random: () => number;
}

/**
 * @param failedAttempts attempts that failed so far (1 after the first failure)
 * @param retryAfter the response's Retry-After header, if any: delta-seconds or an HTTP-date
 * @returns the delay in ms, never negative
 */
export function computeRetryDelay(failedAttempts: number, retryAfter: string | undefined, policy: RetryDelayPolicy) {
  const retryAfterMs = parseRetryAfter(retryAfter, policy.now);
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxRetryAfterMs);
  const ceiling = Math.min(policy.maxBackoffMs, policy.baseBackoffMs * 2 ** Math.max(0, failedAttempts - 1));
  return Math.floor(policy.random() * ceiling);
}

/** Parses a Retry-After value (RFC 9110 §10.2.3) into ms from now; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: () => number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now());
}
