/**
 * The retry loop every request of the client runs in: back off between transient failures, wait out refusals for the
 * rate, and give up only when a budget is spent (SPEC §1) — a count of attempts for failures of the network or the
 * server, a span of time for refusals for the rate, since a penalty box may refuse everything for a while.
 */
import { computeRateLimitDelay, computeRetryDelay, type RetryDelayPolicy } from './computeRetryDelay.js';
import { OmsUnreachableError } from './errors.js';
import type { RetryEvent } from './fluentClientTypes.js';

/** One attempt's verdict: its value, a transient failure to wait out, or "resend at once" (after a renewed token). */
export type Attempt<T> =
  | { done: T }
  | { again: true; status: number }
  | { transient: string; rateLimited: boolean; status?: number; retryAfter?: string | undefined };

export interface RetryPolicy {
  /** Where the requests go, for the message when the budget is spent. */
  host: string;
  /** Attempts before giving up on failures other than the rate. */
  maxAttempts: number;
  /** How long one request may go on being refused for the rate, from its first refusal. */
  rateBudgetMs: number;
  delays: RetryDelayPolicy;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  onRetry?: ((event: RetryEvent) => void) | undefined;
}

/**
 * Runs `attempt` until it is done. Each failure other than the rate counts towards `maxAttempts`
 * (OmsUnreachableError once reached); refusals for the rate count towards `rateBudgetMs` instead, with waits that grow
 * towards Fluent's SDK's 60 s when no Retry-After says how long. `onRetried` is called before each resend.
 */
export async function retryAttempts<T>(
  attempt: () => Promise<Attempt<T>>,
  policy: RetryPolicy,
  onRetried: () => void = () => {},
): Promise<T> {
  const { now } = policy;
  let failures = 0;
  let refusals = 0;
  let refusedSince: number | undefined;
  for (;;) {
    const result = await attempt();
    if ('done' in result) return result.done;
    if ('again' in result) {
      onRetried();
      policy.onRetry?.({
        attempt: failures + refusals,
        status: result.status,
        error: `HTTP ${result.status}`,
        delayMs: 0,
      });
      continue;
    }
    let delayMs: number;
    if (result.rateLimited) {
      refusals += 1;
      refusedSince ??= now();
      const refusedForMs = now() - refusedSince;
      if (refusedForMs >= policy.rateBudgetMs) {
        throw new OmsUnreachableError(
          policy.host,
          `${result.transient}, refused for the rate for ${describeSpan(policy.rateBudgetMs)} without letting up`,
          failures + refusals,
          'lower --rate, or run again later to resume (another client may be using the limit)',
        );
      }
      delayMs = computeRateLimitDelay(refusals, result.retryAfter, policy.delays);
    } else {
      failures += 1;
      if (failures >= policy.maxAttempts)
        throw new OmsUnreachableError(policy.host, result.transient, failures + refusals);
      delayMs = computeRetryDelay(failures, result.retryAfter, policy.delays);
    }
    onRetried();
    policy.onRetry?.({ attempt: failures + refusals, status: result.status, error: result.transient, delayMs });
    await policy.sleep(delayMs);
  }
}

function describeSpan(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds < 120 ? `${seconds} s` : `${Math.round(seconds / 60)} min`;
}
