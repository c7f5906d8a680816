/**
 * How long to wait before the next attempt: Fluent's Retry-After when it sent one (capped, since Fluent does
 * not document its limits and a huge value would stall the run), else exponential back-off with jitter
 * (AWS Architecture Blog, "Exponential Backoff And Jitter") so concurrent requests do not retry in step.
 */

export interface RetryDelayPolicy {
  baseBackoffMs: number;
  maxBackoffMs: number;
  maxRetryAfterMs: number;
  /** First ceiling after a refusal for the rate without Retry-After. */
  rateBackoffMs: number;
  /** Where that ceiling stops growing: Fluent's SDK waits 60 s after C0011E. */
  maxRateBackoffMs: number;
  now: () => number;
  random: () => number;
}

/**
 * The wait after a transient failure other than the rate (a 5xx to a query, a network error): full jitter under a
 * ceiling that doubles from `baseBackoffMs` to `maxBackoffMs`.
 *
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

/**
 * The wait after a refusal for the rate (429, C0011E). With Retry-After, that (capped). Without, the OMS may hold a
 * penalty box of unknown length, so the ceiling doubles from `rateBackoffMs` towards `maxRateBackoffMs` and the wait
 * is at least half of it ("equal jitter"): waits spread out, yet never so short that a box is hit again at once.
 *
 * @param refusals refusals for the rate of this request so far (1 after the first)
 */
export function computeRateLimitDelay(refusals: number, retryAfter: string | undefined, policy: RetryDelayPolicy) {
  const retryAfterMs = parseRetryAfter(retryAfter, policy.now);
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxRetryAfterMs);
  const ceiling = Math.min(policy.maxRateBackoffMs, policy.rateBackoffMs * 2 ** Math.max(0, refusals - 1));
  return Math.floor(ceiling / 2 + (policy.random() * ceiling) / 2);
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
