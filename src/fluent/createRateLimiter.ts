/**
 * The rate limit shared by every GraphQL attempt, retries included, so `--rate` bounds what Fluent sees even
 * while it is answering 429s (no retry storm).
 */

export interface RateLimiter {
  /** Resolves when one request may be sent; waiters are served first come, first served. */
  take(): Promise<void>;
}

/**
 * The rolling window, with a 2.5% margin: a server counts requests when they arrive, and network jitter can bring
 * two sends that left 1000 ms apart into one of its 1 s windows. Without the margin, a run at exactly the server's
 * limit gets a few percent of 429s; with it, almost none, for 2.5% of the rate.
 */
const WINDOW_MS = 1025;

/**
 * Creates a limiter of `ratePerSecond` requests. Two rules hold together:
 * - a token bucket refilled at the rate, holding at most max(1, rate/10) tokens, so a slot missed by a few ms
 *   under load is not lost while a burst after an idle spell stays a tenth of a second's worth;
 * - a rolling window: no more than floor(rate) sends in any 1 s, since that is how a server counts (the
 *   sandbox does exactly this) and the bucket alone would allow rate + rate/10 after an idle spell.
 * It starts with a single token so a run does not open with a burst.
 */
export function createRateLimiter(options: {
  ratePerSecond: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}): RateLimiter {
  const { ratePerSecond, now, sleep } = options;
  if (!(ratePerSecond > 0)) throw new RangeError(`ratePerSecond must be positive, got ${ratePerSecond}`);
  if (ratePerSecond === Number.POSITIVE_INFINITY) return { take: async () => {} };

  const capacity = Math.max(1, ratePerSecond / 10);
  const msPerToken = 1000 / ratePerSecond;
  const perWindow = Math.max(1, Math.floor(ratePerSecond));
  // The last `perWindow` send times, as a ring: `sent[next]` is the oldest once the ring is full.
  const sent: number[] = [];
  let next = 0;
  let tokens = 1;
  let refilledAt = now();
  const waiters: Array<() => void> = [];
  let serving = false;

  /** How long until the next send is allowed; 0 means now. */
  const waitMs = (t: number): number => {
    tokens = Math.min(capacity, tokens + (t - refilledAt) / msPerToken);
    refilledAt = t;
    const bucketWait = tokens >= 1 ? 0 : Math.ceil((1 - tokens) * msPerToken);
    const oldest = sent.length < perWindow ? undefined : sent[next];
    const windowWait = oldest === undefined ? 0 : Math.max(0, oldest + WINDOW_MS - t);
    return Math.max(bucketWait, windowWait);
  };

  const recordSend = (t: number): void => {
    tokens -= 1;
    if (sent.length < perWindow) sent.push(t);
    else sent[next] = t;
    next = (next + 1) % perWindow;
  };

  // One loop hands slots out in arrival order; a waiter that arrives while it sleeps queues behind the others.
  const serve = async (): Promise<void> => {
    serving = true;
    try {
      while (waiters.length > 0) {
        const t = now();
        const wait = waitMs(t);
        if (wait === 0) {
          recordSend(t);
          waiters.shift()?.();
        } else {
          await sleep(wait);
        }
      }
    } finally {
      serving = false;
    }
  };

  return {
    take: () =>
      new Promise<void>((resolve) => {
        waiters.push(resolve);
        if (!serving) void serve();
      }),
  };
}
