/**
 * The rate limit shared by every GraphQL attempt, retries included, so the rate bounds what Fluent sees even
 * while it is answering 429s (no retry storm). The rate can change while requests wait (createAdaptiveRate moves it).
 */

export interface RateLimiter {
  /** Resolves with the send time when one request may be sent; waiters are served first come, first served. */
  take(): Promise<number>;
  /** Changes the rate from now on; waiters already queued are spaced at the new rate. */
  setRate(ratePerSecond: number): void;
  /** The rate in force, requests per second. */
  rate(): number;
  /**
   * Whether a request had to wait for its slot within the last second: the rate, not the callers' concurrency, is
   * what bounds the traffic, so raising it would raise the traffic.
   */
  saturated(): boolean;
}

/**
 * The rolling window, with a 2.5% margin: a server counts requests when they arrive, and network jitter can bring
 * two sends that left 1000 ms apart into one of its 1 s windows. Without the margin, a run at exactly the server's
 * limit gets a few percent of 429s; with it, almost none, for 2.5% of the rate.
 */
const WINDOW_MS = 1025;

/** How long a wait counts towards `saturated()`. */
const SATURATED_MS = 1000;

/**
 * Creates a limiter of `ratePerSecond` requests. Two rules hold together:
 * - a token bucket refilled at the rate, holding at most max(1, rate/10) tokens, so a slot missed by a few ms
 *   under load is not lost while a burst after an idle spell stays a tenth of a second's worth;
 * - a rolling window: no more than floor(rate) sends in any 1 s, since that is how a server counts (the
 *   sandbox does exactly this) and the bucket alone would allow rate + rate/10 after an idle spell. After the rate
 *   is lowered, the sends of the last second still count: a client that overran the server's limit pauses until
 *   the server's own window has room again, instead of meeting more refusals.
 * It starts with a single token so a run does not open with a burst.
 */
export function createRateLimiter(options: {
  ratePerSecond: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}): RateLimiter {
  const { now, sleep } = options;
  let ratePerSecond = checkRate(options.ratePerSecond);
  let capacity = 0;
  let msPerToken = 0;
  let perWindow = 0;
  const applyRate = () => {
    capacity = Math.max(1, ratePerSecond / 10);
    msPerToken = 1000 / ratePerSecond;
    perWindow = Math.max(1, Math.floor(ratePerSecond));
  };
  applyRate();

  // Send times of the last WINDOW_MS, oldest first; `head` skips expired ones cheaply.
  let sent: number[] = [];
  let head = 0;
  let tokens = 1;
  let refilledAt = now();
  let waitedAt = Number.NEGATIVE_INFINITY;
  const waiters: Array<(at: number) => void> = [];
  let serving = false;

  /** How long until the next send is allowed; 0 means now. */
  const waitMs = (t: number): number => {
    if (ratePerSecond === Number.POSITIVE_INFINITY) return 0;
    tokens = Math.min(capacity, tokens + (t - refilledAt) / msPerToken);
    refilledAt = t;
    const bucketWait = tokens >= 1 ? 0 : Math.ceil((1 - tokens) * msPerToken);
    while (head < sent.length && (sent[head] as number) <= t - WINDOW_MS) head++;
    if (head > 1024 && head * 2 > sent.length) {
      sent = sent.slice(head);
      head = 0;
    }
    const inWindow = sent.length - head;
    // The send that must leave the window before another fits: the perWindow-th newest.
    const blocking = inWindow < perWindow ? undefined : sent[sent.length - perWindow];
    const windowWait = blocking === undefined ? 0 : Math.max(0, blocking + WINDOW_MS - t);
    return Math.max(bucketWait, windowWait);
  };

  const recordSend = (t: number): void => {
    if (ratePerSecond === Number.POSITIVE_INFINITY) return;
    tokens -= 1;
    sent.push(t);
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
          waiters.shift()?.(t);
        } else {
          waitedAt = t;
          await sleep(wait);
        }
      }
    } finally {
      serving = false;
    }
  };

  return {
    take: () =>
      new Promise<number>((resolve) => {
        waiters.push(resolve);
        if (!serving) void serve();
      }),
    setRate(next) {
      const t = now();
      // Tokens earned at the old rate stay earned; only what comes next follows the new one.
      waitMs(t);
      ratePerSecond = checkRate(next);
      applyRate();
      tokens = Math.min(tokens, capacity);
    },
    rate: () => ratePerSecond,
    saturated: () => now() - waitedAt <= SATURATED_MS,
  };
}

function checkRate(ratePerSecond: number): number {
  if (!(ratePerSecond > 0)) throw new RangeError(`ratePerSecond must be positive, got ${ratePerSecond}`);
  return ratePerSecond;
}
