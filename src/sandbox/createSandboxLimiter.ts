/**
 * The sandbox's rate limit in each shape an OMS may count it (sandboxVariants.ts): a rolling window, a fixed window,
 * a token bucket, or a penalty box. Fluent documents no rate limit; the client must hold its targets on all of them.
 */
import type { RateLimitShape } from './sandboxVariants.js';

/** Whether a request may run; when not, how long until one would (the remaining penalty, for a penalty box). */
export type Admission = { admitted: true } | { admitted: false; retryAfterMs: number };

export interface SandboxLimiter {
  /** Decides one GraphQL request as it arrives; an admitted one takes its place in the count. */
  admit(): Admission;
}

const WINDOW_MS = 1000;

/**
 * Creates the limiter. `limit()` is read at every request (the fault settings can change while the sandbox runs);
 * undefined admits everything. A penalty box is not extended by requests that arrive in it.
 */
export function createSandboxLimiter(options: {
  shape: RateLimitShape;
  penaltyMs: number;
  limit: () => number | undefined;
  now: () => number;
}): SandboxLimiter {
  const { shape, penaltyMs, limit, now } = options;
  // Arrival times of admitted requests inside the rolling window, oldest first; `head` skips expired ones cheaply.
  let admitted: number[] = [];
  let head = 0;
  let windowStart = Number.NEGATIVE_INFINITY;
  let inWindow = 0;
  let tokens: number | undefined;
  let refilledAt = now();
  let boxedUntil = Number.NEGATIVE_INFINITY;

  const rolling = (time: number, max: number): Admission => {
    while (head < admitted.length && (admitted[head] as number) <= time - WINDOW_MS) head++;
    if (head > 1024 && head * 2 > admitted.length) {
      admitted = admitted.slice(head);
      head = 0;
    }
    if (admitted.length - head >= max) {
      const oldest = admitted[admitted.length - max] as number;
      return { admitted: false, retryAfterMs: Math.max(1, oldest + WINDOW_MS - time) };
    }
    admitted.push(time);
    return { admitted: true };
  };

  const fixed = (time: number, max: number): Admission => {
    const start = Math.floor(time / WINDOW_MS) * WINDOW_MS;
    if (start !== windowStart) {
      windowStart = start;
      inWindow = 0;
    }
    if (inWindow >= max) return { admitted: false, retryAfterMs: start + WINDOW_MS - time };
    inWindow++;
    return { admitted: true };
  };

  const bucket = (time: number, max: number): Admission => {
    tokens = Math.min(max, (tokens ?? max) + ((time - refilledAt) * max) / WINDOW_MS);
    refilledAt = time;
    if (tokens < 1) return { admitted: false, retryAfterMs: Math.ceil(((1 - tokens) * WINDOW_MS) / max) };
    tokens -= 1;
    return { admitted: true };
  };

  const penalty = (time: number, max: number): Admission => {
    if (time < boxedUntil) return { admitted: false, retryAfterMs: boxedUntil - time };
    const verdict = rolling(time, max);
    if (verdict.admitted) return verdict;
    boxedUntil = time + penaltyMs;
    // The box wipes the slate: once it is over, the window starts empty.
    admitted = [];
    head = 0;
    return { admitted: false, retryAfterMs: penaltyMs };
  };

  const byShape = { rolling, window: fixed, bucket, penalty } as const;
  return {
    admit() {
      const max = limit();
      if (max === undefined) return { admitted: true };
      return byShape[shape](now(), max);
    },
  };
}
