/**
 * The request rate as Fluent's answers allow it (AIMD, as TCP finds a path's capacity): Fluent does not document its
 * rate limit, so the client learns it, whatever shape it has (SPEC §1: a token bucket, a fixed or rolling window, a
 * penalty box). A refusal (HTTP 429, or C0011E inside HTTP 200) cuts the rate at once; answers that come through raise
 * it again; it never goes above the most the user allows (`--rate N`). With `--rate auto` there is no such ceiling:
 * the rate starts low and doubles every second until the first refusal shows where the limit is.
 */

export interface AdaptiveRate {
  /** The rate to send at now, requests per second. */
  current(): number;
  /**
   * An answer that was not a refusal. `saturated`: requests had to wait for the rate lately, so a higher rate would be
   * used; without that the rate does not climb, or a run bounded by its concurrency would raise it without limit and
   * burst when the load changes. `sentAt`: when the request went out (default now); only one sent after the last cut
   * says Fluent takes requests again, so an answer that comes late from before an overrun does not hide a penalty box.
   */
  accepted(saturated: boolean, sentAt?: number): void;
  /** A refusal for the rate (429 or C0011E) of a request sent at `sentAt`. */
  refused(sentAt: number): void;
  /** What the refusals so far have taught: the limit learnt, and whether the OMS refused everything for a while. */
  learnt(): RateLearnt;
}

export interface RateLearnt {
  /** Requests/s Fluent took when it last refused (what the rate cruises below); undefined before any refusal counted. */
  limit: number | undefined;
  /** Whether a penalty box was met: refusals with nothing taken in between, past the hold after a cut. */
  penaltyBox: boolean;
}

export interface AdaptiveRateOptions {
  /** The most allowed (`--rate N`), or `auto`: no ceiling, start low and find the limit. */
  max: number | 'auto';
  now: () => number;
}

/** Where `--rate auto` starts: the documented default rate, which a Fluent account takes. */
export const AUTO_START_RATE = 10;
/**
 * Multiplicative decrease, from what the OMS answered in its last window (or from the rate while too few answers say
 * it): the sawtooth between 90% and 100% of the limit uses about 95% of it.
 */
const HEADROOM = 0.9;
/** The decrease while there are too few answers to go by (the first requests of a run): a plain cut. */
const DECREASE = 0.7;
/** Additive increase per second below the limit learnt, as a share of the highest rate Fluent was seen to take. */
const STEP_SHARE = 0.05;
/**
 * Increase per second above 90% of the limit learnt, as a share of it: slow, since past the limit a token bucket's
 * burst hides an overrun for seconds (the rate would climb far above before the first refusal) and each overrun of a
 * penalty box costs the whole penalty.
 */
const PROBE_SHARE = 0.01;
/** Answers in the last second needed before they say how much Fluent takes. */
const MIN_SAMPLES = 5;
/** Refusals in the last second that say something, so that one among many answers is not taken for an overrun. */
const MIN_REFUSALS = 3;
/** The span over which refusals are weighed against answers, so that chance does not make a share of one second. */
const SHARE_WINDOW_MS = 3000;
/** A share of refusals, and a count, too many to have come at random: the OMS is over its limit. */
const CLEAR_SHARE = 0.1;
const CLEAR_REFUSALS = 5;
/** Answers of the last second at this share of the rate or more: the traffic ran at the rate, so it says the limit. */
const RAN_AT_RATE = 0.8;
/**
 * After a decrease, refusals of requests sent before it or within one server window after it are not counted: they
 * meet a count the overrun filled, and counting them would cut the rate again and again for a single overrun. A
 * refusal of a later send says the cut was not enough (a token bucket's burst hid how far over the limit the rate
 * was). It also bounds how far refusals that come at random (an OMS under load from elsewhere) can push the rate down.
 */
const HOLD_MS = 1000;
/**
 * After this long without a refusal the rate doubles per second again, as at the start of `auto` (up to 90% of the
 * limit learnt): a refusal that said little (the first request of a run, another client's burst) must not leave the
 * run crawling up a step at a time.
 */
const RECOVER_MS = 10_000;
/**
 * After a penalty box (refusals with nothing taken in between, past the hold), the rate stays at 90% of the limit
 * learnt this long: probing above it gains at most a tenth and costs a whole penalty each time (20 s of nothing taken
 * every 5 minutes is 6% of a long import; once in 30 minutes, 1%).
 */
const BOX_MEMORY_MS = 30 * 60_000;
/** The window over which answers are counted. */
const WINDOW_MS = 1000;
/** The lowest rate a refusal can bring the client down to (unless the user's maximum is lower still). */
const FLOOR = 1;

/**
 * Creates the adaptive rate. Pure state over an injected clock: the caller reports answers and sets the limiter to
 * `current()`.
 *
 * - Refusals count when they are clear (10% of the answers and 5, over the last second or the last 3 s), or else when
 *   3 came within a second, then once per 10 s at most (they may have come at random, which no cut stops); and only
 *   refusals of requests sent more than HOLD_MS after the last cut (earlier ones met the overrun's count).
 * - A refusal that counts, when the traffic ran at the rate (the last second's answers at 80% of it or more) or the
 *   refusals are clear, cuts the rate to min(rate, answers of the last second) × 0.9 (rate × 0.7 while fewer than 5
 *   answers came): what Fluent answered in its last window is what it takes, so a client far above the limit (`--rate`
 *   4× too high) comes down to it in one step, and one at the limit does not fall further than it must. That count of
 *   answers is the limit learnt. Otherwise (a run bounded by its concurrency) the rate steps down by 10%.
 * - A refusal when Fluent took nothing sent since the last decrease cuts nothing: the OMS refuses everything for a
 *   while (a penalty box, another client's spell), which a lower rate would not help; the wait of the retry loop
 *   does. From then on the rate stays at 90% of the limit learnt for BOX_MEMORY_MS.
 * - Every accepted answer while the rate is saturated raises it, per second elapsed, by 5% of the highest rate Fluent
 *   was seen to take (at least 0.5 requests/s per second) below 90% of the limit learnt, and by 1% of that limit above.
 * - Before the first refusal (`auto`), and once 10 s have passed without one, it doubles per second instead, up to 90%
 *   of the limit learnt.
 */
export function createAdaptiveRate(options: AdaptiveRateOptions): AdaptiveRate {
  const { now } = options;
  const max = options.max === 'auto' ? Number.POSITIVE_INFINITY : options.max;
  if (!(max > 0)) throw new RangeError(`the maximum rate must be positive, got ${max}`);
  const floor = Math.min(FLOOR, max);
  let rate = options.max === 'auto' ? Math.min(AUTO_START_RATE, max) : max;
  let decreasedAt = Number.NEGATIVE_INFINITY;
  let grownAt = now();
  // The highest number of answers seen in one window: what Fluent was seen to take.
  let bestWindow = 0;
  // What Fluent took when it last refused: the limit learnt.
  let limit: number | undefined;
  let acceptedSinceDecrease = 0;
  let boxedAt = Number.NEGATIVE_INFINITY;
  let steppedAt = Number.NEGATIVE_INFINITY;
  const answers = createWindowCount(WINDOW_MS);
  const recentAnswers = createWindowCount(SHARE_WINDOW_MS);
  const refusals = createWindowCount(SHARE_WINDOW_MS);
  const lastRefusals = createWindowCount(WINDOW_MS);

  return {
    current: () => rate,
    learnt: () => ({ limit, penaltyBox: boxedAt > Number.NEGATIVE_INFINITY }),
    accepted(saturated, sentAt) {
      const t = now();
      answers.add(t);
      recentAnswers.add(t);
      if ((sentAt ?? t) >= decreasedAt) acceptedSinceDecrease++;
      bestWindow = Math.max(bestWindow, answers.count(t));
      const elapsed = Math.max(0, t - grownAt);
      grownAt = t;
      if (!saturated || rate >= max) return;
      const cruise = limit === undefined ? Number.POSITIVE_INFINITY : limit * HEADROOM;
      const boxed = t - boxedAt < BOX_MEMORY_MS;
      if (rate >= cruise) {
        if (!boxed) rate = Math.min(max, rate + ((limit as number) * PROBE_SHARE * elapsed) / 1000);
      } else if (t - decreasedAt >= RECOVER_MS) {
        rate = Math.min(max, cruise, rate * 2 ** (elapsed / 1000));
      } else {
        const step = Math.max(0.5, STEP_SHARE * Math.min(bestWindow, max));
        rate = Math.min(max, cruise, rate + (step * elapsed) / 1000);
      }
    },
    refused(sentAt) {
      const t = now();
      refusals.add(t);
      lastRefusals.add(t);
      if (sentAt < decreasedAt + HOLD_MS) return;
      if (decreasedAt > Number.NEGATIVE_INFINITY && acceptedSinceDecrease === 0) {
        boxedAt = t;
        limit ??= rate / HEADROOM;
        return;
      }
      const answered = answers.count(t);
      const refused = refusals.count(t);
      const first = decreasedAt === Number.NEGATIVE_INFINITY && answered < MIN_SAMPLES;
      const share = refused / (refused + recentAnswers.count(t));
      // An overrun shows in the last second before it shows over three: clear there, it counts at once.
      const lastRefused = lastRefusals.count(t);
      const clear =
        (refused >= CLEAR_REFUSALS && share >= CLEAR_SHARE) ||
        (lastRefused >= CLEAR_REFUSALS && lastRefused >= CLEAR_SHARE * (lastRefused + answered));
      if (!first && !clear && lastRefused < MIN_REFUSALS) return;
      // A few refusals may have come at random, which no cut stops: they count once per RECOVER_MS at most.
      if (!first && !clear && t - steppedAt < RECOVER_MS) return;
      // What Fluent took in the last second says where its limit is when the traffic ran at the rate, or when the
      // refusals were clear.
      const telling = answered >= MIN_SAMPLES && (answered >= RAN_AT_RATE * rate || clear);
      if (telling || answered < MIN_SAMPLES) {
        if (telling) limit = Math.min(rate, answered);
        const taken = telling ? answered * HEADROOM : rate * DECREASE;
        rate = Math.max(floor, Math.min(rate * HEADROOM, taken));
        decreasedAt = t;
        steppedAt = t;
        grownAt = t;
        acceptedSinceDecrease = 0;
        return;
      }
      // Refusals while a run bounded by its concurrency sends below the rate: the rate steps down by 10%, without a
      // hold, so a clear overrun right after still cuts to what Fluent takes.
      if (t - steppedAt < HOLD_MS) return;
      steppedAt = t;
      rate = Math.max(floor, rate * HEADROOM);
      grownAt = t;
    },
  };
}

/** Times within the last `windowMs`, oldest first; `head` skips expired ones cheaply. */
function createWindowCount(windowMs: number) {
  let times: number[] = [];
  let head = 0;
  return {
    add(t: number) {
      times.push(t);
    },
    count(t: number): number {
      while (head < times.length && (times[head] as number) <= t - windowMs) head++;
      if (head > 1024 && head * 2 > times.length) {
        times = times.slice(head);
        head = 0;
      }
      return times.length - head;
    },
  };
}
