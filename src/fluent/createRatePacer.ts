/**
 * The pace of every GraphQL attempt of the client: the adaptive rate (what Fluent takes), the limiter (sends spaced at
 * that rate) and a gate for spells of refusals. While Fluent refuses everything — a penalty box, another client
 * using the limit — every request waiting out its own back-off would still send, concurrency times over, into the
 * refusals; the gate instead closes for all, then lets one request through to probe, and opens once one is taken.
 */
import { parseRetryAfter, type RetryDelayPolicy } from './computeRetryDelay.js';
import { createAdaptiveRate, type RateLearnt } from './createAdaptiveRate.js';
import { createRateLimiter } from './createRateLimiter.js';

/** How an attempt that went out ended, for the pace: taken, refused for the rate, or no answer to learn from. */
export type PaceOutcome = 'accepted' | 'refused' | 'lost';

export interface RatePacer {
  /** Waits until an attempt may go out; resolves with its send time. */
  take(): Promise<number>;
  /** How the attempt sent at `sentAt` ended; `retryAfter`: the refusal's Retry-After header, if any. */
  settle(sentAt: number, outcome: PaceOutcome, retryAfter?: string): void;
  /** The rate the client allows itself now, requests/s. */
  rate(): number;
  /** What the adaptive rate has learnt of Fluent's limit so far. */
  learnt(): RateLearnt;
}

/**
 * Refusals in a row, with nothing taken in between, that close the gate: more than a rate slightly too high gives
 * (those are spread among answers taken), fewer than the attempts a busy run has in flight.
 */
const CLOSING_STREAK = 8;
/**
 * How much longer each closure lasts than the one before while the probes are refused: the waits grow towards 60 s
 * as Fluent's SDK waits (an OMS whose penalty starts again with every request lets out a client that waits long
 * enough), but slower than one request's back-off, since a probe is a single request and a box that ends between two
 * probes costs the time until the next one.
 */
const CLOSURE_GROWTH = 1.5;

/** The length of the `closures`-th closure in a row: Retry-After when given (capped), else growing, jittered. */
function closureMs(closures: number, retryAfter: string | undefined, delays: RetryDelayPolicy): number {
  const asked = parseRetryAfter(retryAfter, delays.now);
  if (asked !== undefined) return Math.min(asked, delays.maxRetryAfterMs);
  const ceiling = Math.min(delays.maxRateBackoffMs, delays.rateBackoffMs * CLOSURE_GROWTH ** (closures - 1));
  return Math.floor(ceiling / 2 + (delays.random() * ceiling) / 2);
}

/**
 * Creates the pacer. `delays` times the gate's closures as the retry loop times one request's waits: Retry-After
 * when Fluent sends one, else growing towards 60 s.
 */
export function createRatePacer(options: {
  max: number | 'auto';
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  delays: RetryDelayPolicy;
}): RatePacer {
  const { now, sleep } = options;
  const adaptive = createAdaptiveRate({ max: options.max, now });
  const limiter = createRateLimiter({ ratePerSecond: adaptive.current(), now, sleep });
  let streak = 0;
  // Closures since the gate was last open: each waits longer.
  let closures = 0;
  let closedUntil = Number.NEGATIVE_INFINITY;
  let probing = false;
  // The send time of the probe out now; only its refusal says the spell goes on.
  let probeSentAt: number | undefined;
  let changed: { promise: Promise<void>; resolve: () => void } | undefined;

  const notify = () => {
    changed?.resolve();
    changed = undefined;
  };
  const nextChange = () => {
    if (!changed) {
      let resolve = () => {};
      const promise = new Promise<void>((r) => {
        resolve = r;
      });
      changed = { promise, resolve };
    }
    return changed.promise;
  };

  /** Waits for the gate; true when this attempt is the probe. */
  const pass = async (): Promise<boolean> => {
    for (;;) {
      if (closures === 0) return false;
      const wait = closedUntil - now();
      if (wait > 0) await Promise.race([sleep(wait), nextChange()]);
      else if (!probing) {
        probing = true;
        return true;
      } else await nextChange();
    }
  };

  return {
    take: async () => {
      const probe = await pass();
      const sentAt = await limiter.take();
      if (probe) probeSentAt = sentAt;
      return sentAt;
    },
    settle(sentAt, outcome, retryAfter) {
      if (outcome === 'accepted') {
        streak = 0;
        if (closures > 0 || probing) {
          closures = 0;
          probing = false;
          probeSentAt = undefined;
          closedUntil = Number.NEGATIVE_INFINITY;
          notify();
        }
        adaptive.accepted(limiter.saturated(), sentAt);
      } else if (outcome === 'refused') {
        streak++;
        // Once closed, only the probe says the spell goes on: the others were sent into it before the gate closed.
        const closing = closures === 0 ? streak >= CLOSING_STREAK : probing && sentAt === probeSentAt;
        if (closing) {
          closures++;
          closedUntil = Math.max(closedUntil, now() + closureMs(closures, retryAfter, options.delays));
          probing = false;
          probeSentAt = undefined;
          notify();
        }
        adaptive.refused(sentAt);
      } else if (probing && sentAt === probeSentAt) {
        // No answer to the probe: another may go.
        probing = false;
        probeSentAt = undefined;
        notify();
      }
      if (outcome !== 'lost') limiter.setRate(adaptive.current());
    },
    rate: () => adaptive.current(),
    learnt: () => adaptive.learnt(),
  };
}
