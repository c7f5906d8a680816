import crypto from 'node:crypto';
import type { FluentClient } from '../fluent/createFluentClient.js';

/**
 * `doctor --probe-rate`: how many requests per second the account takes, found with lookups only (a username no
 * customer has: nothing is written, nobody's data is read) by the client's own adaptive rate, as `--rate auto` finds
 * it: the rate starts at 10/s and doubles each second until Fluent refuses, then cuts to 90% of what Fluent took.
 */

/** The probe's bounds, stated in its output and in docs/operations.md. */
export interface ProbeBounds {
  /** The probe ends by this time whatever happens. */
  maxMs: number;
  /** It sends no more requests than this (retries included). */
  maxRequests: number;
  /** Lookups in flight at once: enough for 640 requests/s at 50 ms each. */
  inFlight: number;
  /** After the last refusal, this long without one says the rate found holds. */
  holdMs: number;
}

export const PROBE_BOUNDS: ProbeBounds = { maxMs: 60_000, maxRequests: 3_000, inFlight: 32, holdMs: 4_000 };

/** The share of the limit found that the printed `--rate` is: the rate `--rate auto` cruises at below it. */
export const PROBE_HEADROOM = 0.9;
/**
 * The share after a penalty box: a box counts requests as they arrive, and a stall anywhere on the way (the client's
 * host, a proxy, the OMS itself) lets a second's sends arrive in less, so one overrun costs a whole penalty again.
 */
export const PENALTY_HEADROOM = 0.85;

export type ProbeEnd = 'held' | 'time' | 'requests';

export interface RateProbe {
  /** Why it ended: the rate held after the last refusal, or a bound was reached first. */
  ended: ProbeEnd;
  elapsedMs: number;
  /** GraphQL requests the probe sent, retries included. */
  requests: number;
  /** Of them, refused for the rate (429 or C0011E). */
  refused: number;
  /** The most lookups answered within one second. */
  bestPerSecond: number;
  /** Requests/s Fluent took when it last refused; undefined when it never refused. */
  limit: number | undefined;
  /** Whether Fluent refused everything for a while once over its limit (a penalty box), and for about how long. */
  penalty: { ms: number } | undefined;
  /** The `--rate` to use: 90% of the limit found (85% after a penalty box), or, with no refusal, the most taken. */
  rate: number;
}

type ProbeClient = Pick<FluentClient, 'findCustomers' | 'stats' | 'rateLearnt'>;

/**
 * Runs the probe on `client`, which must pace at `--rate auto` (a client made for it: the rate it learns is the
 * answer). Lookups go out `inFlight` at a time until the rate has held `holdMs` after the last refusal, or a bound is
 * reached; lookups still waiting then (out of a penalty box) are left behind, the client being closed after.
 */
export async function probeRate(
  client: ProbeClient,
  options: { now?: () => number; bounds?: ProbeBounds } = {},
): Promise<RateProbe> {
  const now = options.now ?? Date.now;
  const bounds = options.bounds ?? PROBE_BOUNDS;
  const started = now();
  const base = client.stats();
  const sent = () => client.stats().graphql - base.graphql;
  const refusedSoFar = () => client.stats().rateLimited - base.rateLimited;
  const answeredAt: number[] = [];
  let bestPerSecond = 0;
  let refused = 0;
  let lastRefusalAt = Number.NEGATIVE_INFINITY;
  // While Fluent refuses everything: when the spell began, and the longest one seen.
  let spellFrom: number | undefined;
  let longestSpell = 0;
  let inFlight = 0;
  let ended: ProbeEnd | undefined;

  const look = () => {
    const count = refusedSoFar();
    const t = now();
    if (count > refused) {
      refused = count;
      lastRefusalAt = t;
      spellFrom ??= t;
    }
    if (t - started >= bounds.maxMs) ended ??= 'time';
    else if (sent() + inFlight >= bounds.maxRequests) ended ??= 'requests';
    else if (client.rateLearnt().limit !== undefined && t - lastRefusalAt >= bounds.holdMs) ended ??= 'held';
  };
  const answered = () => {
    const t = now();
    answeredAt.push(t);
    while ((answeredAt[0] as number) <= t - 1000) answeredAt.shift();
    bestPerSecond = Math.max(bestPerSecond, answeredAt.length);
    if (spellFrom !== undefined) {
      longestSpell = Math.max(longestSpell, t - spellFrom);
      spellFrom = undefined;
    }
  };

  let failure: unknown;
  let wake: () => void = () => {};
  const worker = async () => {
    for (look(); ended === undefined; look()) {
      inFlight++;
      try {
        await client.findCustomers([`customer-sync-probe-${crypto.randomBytes(6).toString('hex')}`]);
        answered();
      } catch (error) {
        // The OMS unreachable, a permission refused: the probe's failure, and the others stop.
        failure ??= error;
        ended ??= 'time';
      } finally {
        inFlight--;
      }
    }
    wake();
  };
  const deadline = new Promise<void>((resolve) => {
    wake = resolve;
    setTimeout(resolve, Math.max(0, started + bounds.maxMs - now())).unref();
  });
  const ticker = setInterval(look, 100);
  try {
    const workers = Array.from({ length: bounds.inFlight }, worker);
    // The first worker to stop (a bound, the rate held, a failure) ends the wait, or the deadline does.
    await deadline;
    look();
    ended ??= 'time';
    // The others finish the lookup they have out; one still waiting out a penalty box is left at the deadline.
    const last = new Promise<void>((resolve) => {
      setTimeout(resolve, Math.max(0, started + bounds.maxMs - now())).unref();
    });
    await Promise.race([last, Promise.all(workers)]);
  } finally {
    clearInterval(ticker);
  }
  if (failure !== undefined) throw failure;
  look();
  if (spellFrom !== undefined) longestSpell = Math.max(longestSpell, now() - spellFrom);
  const { limit, penaltyBox } = client.rateLearnt();
  const allowed = client.stats().allowedRate;
  const rate =
    limit === undefined
      ? Math.max(1, bestPerSecond)
      : Math.max(
          1,
          Math.floor(
            Math.min(
              limit * (penaltyBox ? PENALTY_HEADROOM : PROBE_HEADROOM),
              Number.isFinite(allowed) ? allowed : limit,
            ),
          ),
        );
  return {
    ended,
    elapsedMs: Math.round(now() - started),
    requests: sent(),
    refused,
    bestPerSecond,
    limit: limit === undefined ? undefined : Math.round(limit),
    penalty: penaltyBox ? { ms: Math.round(longestSpell) } : undefined,
    rate,
  };
}
