import { describe, expect, it } from 'vitest';
import { computeRateLimitDelay } from '../../src/fluent/computeRetryDelay.js';
import { AUTO_START_RATE, createAdaptiveRate } from '../../src/fluent/createAdaptiveRate.js';
import { createRatePacer } from '../../src/fluent/createRatePacer.js';
import { createRandom } from '../../src/sandbox/createRandom.js';
import { createSandboxLimiter } from '../../src/sandbox/createSandboxLimiter.js';
import type { RateLimitShape } from '../../src/sandbox/sandboxVariants.js';

/**
 * A fake clock with timers: `sleep` resolves when `run` moves time to it, so a minute of traffic from many
 * concurrent senders takes no real time and every run is the same.
 */
function virtualTime() {
  let time = 0;
  let order = 0;
  const timers: { at: number; order: number; resolve: () => void }[] = [];
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
  return {
    now: () => time,
    sleep: (ms: number) =>
      new Promise<void>((resolve) => {
        timers.push({ at: time + Math.max(0, ms), order: order++, resolve });
      }),
    /** Moves time from timer to timer until `until` ms, letting every resolved promise run in between. */
    async run(until: number) {
      for (;;) {
        await settle();
        if (timers.length === 0) return;
        timers.sort((a, b) => a.at - b.at || a.order - b.order);
        const next = timers.shift() as (typeof timers)[number];
        if (next.at > until) return;
        time = Math.max(time, next.at);
        next.resolve();
      }
    },
  };
}

/**
 * An OMS with an undisclosed limit, counted by the sandbox's own limiter in any of its shapes. Requests arrive 0-30 ms
 * after they were sent (network jitter, from a seeded generator), so sends spaced exactly by the client can still
 * bunch up at the server.
 */
function limitedOms(limit: number, now: () => number, shape: RateLimitShape, penaltyMs: number) {
  let seed = 7;
  const jitter = () => {
    seed = (seed * 16807) % 2147483647;
    return (seed / 2147483647) * 30;
  };
  let arrival = 0;
  const limiter = createSandboxLimiter({ shape, penaltyMs, limit: () => limit, now: () => arrival });
  return (): boolean => {
    // Arrivals in order of sending: the limiter's clock never runs backwards.
    arrival = Math.max(arrival, now() + jitter());
    return limiter.admit().admitted;
  };
}

/**
 * `senders` loops, each sending one request after another through the pacer for `seconds`, answered after
 * `latencyMs`, and telling it what came back, as the Fluent client does. A refused request waits its own back-off
 * (computeRateLimitDelay) before it goes again, as the retry loop makes it.
 */
async function simulate(options: {
  max: number | 'auto';
  limit: number;
  seconds: number;
  senders?: number;
  latencyMs?: number;
  shape?: RateLimitShape;
  penaltyMs?: number;
}) {
  const clock = virtualTime();
  const delays = {
    baseBackoffMs: 250,
    maxBackoffMs: 15_000,
    maxRetryAfterMs: 60_000,
    rateBackoffMs: 1_000,
    maxRateBackoffMs: 60_000,
    now: clock.now,
    random: createRandom(3),
  };
  const pacer = createRatePacer({ max: options.max, now: clock.now, sleep: clock.sleep, delays });
  const admit = limitedOms(options.limit, clock.now, options.shape ?? 'rolling', options.penaltyMs ?? 20_000);
  const endMs = options.seconds * 1000;
  let accepted = 0;
  let refused = 0;
  let highest = pacer.rate();
  const rates: { at: number; rate: number }[] = [];
  const sender = async () => {
    let refusals = 0;
    while (clock.now() < endMs) {
      const sentAt = await pacer.take();
      if (sentAt >= endMs) return;
      const admitted = admit();
      await clock.sleep(options.latencyMs ?? 50);
      if (admitted) {
        accepted++;
        refusals = 0;
      } else refused++;
      pacer.settle(sentAt, admitted ? 'accepted' : 'refused');
      highest = Math.max(highest, pacer.rate());
      rates.push({ at: clock.now(), rate: pacer.rate() });
      if (!admitted) await clock.sleep(computeRateLimitDelay(++refusals, undefined, delays));
    }
  };
  const senders = Array.from({ length: options.senders ?? 32 }, sender);
  await clock.run(endMs + 5_000);
  await Promise.race([Promise.all(senders), new Promise((resolve) => setImmediate(resolve))]);
  const sent = accepted + refused;
  return {
    acceptedPerSecond: accepted / options.seconds,
    refusedShare: refused / sent,
    highest,
    rateAt: (ms: number) => [...rates].reverse().find((point) => point.at <= ms)?.rate,
  };
}

describe('createAdaptiveRate (AIMD)', () => {
  it('cuts the rate multiplicatively on a refusal and holds it against the refusals of that same overrun', () => {
    let time = 5_000;
    const adaptive = createAdaptiveRate({ max: 100, now: () => time });
    expect(adaptive.current()).toBe(100);
    adaptive.refused(time - 50);
    expect(adaptive.current()).toBeCloseTo(70, 5);
    // Sent before the cut, or answered within the hold: the same overrun, not a new one.
    time += 100;
    adaptive.refused(time - 200);
    adaptive.refused(time - 10);
    expect(adaptive.current()).toBeCloseTo(70, 5);
    // Fluent takes some at the new rate and refuses others: still too high.
    time += 2_500;
    adaptive.accepted(false);
    for (let i = 0; i < 3; i++) adaptive.refused(time - 10);
    expect(adaptive.current()).toBeCloseTo(49, 5);
  });

  it('refusals with nothing taken in between (a penalty box) cut nothing, and the rate then stays under the limit', () => {
    let time = 0;
    const adaptive = createAdaptiveRate({ max: 400, now: () => time });
    for (let i = 0; i < 150; i++) {
      time += 5;
      adaptive.accepted(true);
    }
    for (let i = 0; i < 30; i++) adaptive.refused(time - 1);
    expect(adaptive.current()).toBeCloseTo(135, 5);
    expect(adaptive.learnt()).toEqual({ limit: 150, penaltyBox: false });
    // The box refuses every probe for 20 s: no further cut, whatever the count.
    for (let i = 0; i < 10; i++) {
      time += 2_000;
      adaptive.refused(time - 1);
    }
    expect(adaptive.current()).toBeCloseTo(135, 5);
    expect(adaptive.learnt()).toEqual({ limit: 150, penaltyBox: true });
    // Out of the box: a minute of answers does not push the rate back over the limit.
    for (let i = 0; i < 600; i++) {
      time += 100;
      adaptive.accepted(true);
    }
    expect(adaptive.current()).toBeCloseTo(135, 5);
  });

  it('an answer that comes late from a request sent before the cut does not hide a penalty box', () => {
    let time = 0;
    const adaptive = createAdaptiveRate({ max: 400, now: () => time });
    for (let i = 0; i < 150; i++) {
      time += 5;
      adaptive.accepted(true);
    }
    for (let i = 0; i < 30; i++) adaptive.refused(time - 1);
    // Sent 40 ms before the cut, answered after it: Fluent took it before the box began.
    time += 10;
    adaptive.accepted(true, time - 50);
    time += 2_000;
    adaptive.refused(time - 1);
    expect(adaptive.learnt()).toEqual({ limit: 150, penaltyBox: true });
    // Out of the box, the rate holds at 90% of the limit learnt instead of probing above it.
    for (let i = 0; i < 600; i++) {
      time += 100;
      adaptive.accepted(true);
    }
    expect(adaptive.current()).toBeLessThan(136);
  });

  it('after a refusal at the limit: 90% of what the OMS answered, then back up additively, never above the maximum', () => {
    let time = 0;
    const adaptive = createAdaptiveRate({ max: 200, now: () => time });
    // A second of 100 answers: Fluent takes 100/s, so a step is 5 requests/s per second.
    for (let i = 0; i < 100; i++) {
      time += 10;
      adaptive.accepted(true);
    }
    // Refusals for a tenth of the answers: an overrun, not chance.
    for (let i = 0; i < 20; i++) adaptive.refused(time - 5);
    expect(adaptive.current()).toBeCloseTo(90, 5);
    const climb = (seconds: number) => {
      for (let i = 0; i < seconds * 10; i++) {
        time += 100;
        adaptive.accepted(true);
      }
      return adaptive.current();
    };
    // At 90% of the limit learnt, it probes above slowly: 1% of the limit per second.
    expect(climb(1)).toBeCloseTo(91, 5);
    expect(climb(2)).toBeCloseTo(93, 5);
    // A run bounded by its concurrency does not push the rate up: the rate is not what limits it.
    for (let i = 0; i < 20; i++) {
      time += 100;
      adaptive.accepted(false);
    }
    expect(adaptive.current()).toBeCloseTo(93, 5);
    expect(climb(120)).toBe(200);
  });

  it('below 90% of the limit learnt it climbs 5% of it per second, and doubles again only up to that 90%', () => {
    let time = 0;
    const adaptive = createAdaptiveRate({ max: 1000, now: () => time });
    for (let i = 0; i < 100; i++) {
      time += 10;
      adaptive.accepted(true);
    }
    // Refusals for a tenth of the answers: an overrun, not chance.
    for (let i = 0; i < 20; i++) adaptive.refused(time - 5);
    expect(adaptive.current()).toBeCloseTo(90, 5);
    // A second overrun with few answers: a plain cut, to 63.
    time += 3_000;
    adaptive.accepted(false);
    for (let i = 0; i < 5; i++) adaptive.refused(time - 5);
    expect(adaptive.current()).toBeCloseTo(63, 5);
    for (let i = 0; i < 10; i++) {
      time += 100;
      adaptive.accepted(true);
    }
    expect(adaptive.current()).toBeCloseTo(68, 5);
    // Ten seconds without a refusal: doubling, but only to 90% of the limit learnt, then probing slowly.
    time += 10_000;
    adaptive.accepted(false);
    const seen: number[] = [];
    for (let i = 0; i < 10; i++) {
      time += 100;
      adaptive.accepted(true);
      seen.push(adaptive.current());
    }
    expect(seen[0]).toBeCloseTo(68 * 2 ** 0.1, 5);
    expect(Math.max(...seen)).toBeGreaterThanOrEqual(90);
    expect(Math.max(...seen)).toBeLessThan(100);
  });

  it('after an overrun far above the limit, comes down to what the OMS answered in one step', () => {
    let time = 0;
    const adaptive = createAdaptiveRate({ max: 400, now: () => time });
    // 100 answers in the last second, then refusals: the OMS takes about 100/s, not 400.
    for (let i = 0; i < 100; i++) {
      time += 3;
      adaptive.accepted(true);
    }
    for (let i = 0; i < 20; i++) adaptive.refused(time - 1);
    expect(adaptive.current()).toBeCloseTo(90, 5);
  });

  it('refusals at random, a few percent of the answers, cut nothing: a lower rate would not stop them', () => {
    let time = 0;
    const adaptive = createAdaptiveRate({ max: 150, now: () => time });
    for (let i = 0; i < 3000; i++) {
      time += 10;
      if (i % 25 === 0) adaptive.refused(time - 5);
      else adaptive.accepted(true);
    }
    expect(adaptive.current()).toBe(150);
  });

  it('--rate auto starts low and doubles per second until the first refusal', () => {
    let time = 0;
    const adaptive = createAdaptiveRate({ max: 'auto', now: () => time });
    expect(adaptive.current()).toBe(AUTO_START_RATE);
    for (let i = 0; i < 30; i++) {
      time += 100;
      adaptive.accepted(true);
    }
    expect(adaptive.current()).toBeCloseTo(AUTO_START_RATE * 8, 5);
  });

  it('--rate auto against an undisclosed limit of 150/s: uses at least 75% of it with at most 3% refused', async () => {
    const run = await simulate({ max: 'auto', limit: 150, seconds: 60 });
    expect(run.acceptedPerSecond).toBeGreaterThanOrEqual(0.75 * 150);
    expect(run.acceptedPerSecond).toBeLessThanOrEqual(150);
    expect(run.refusedShare).toBeLessThanOrEqual(0.03);
  });

  it('--rate 4× too high: at most 5% refused, settling under the limit and never above --rate', async () => {
    const run = await simulate({ max: 600, limit: 150, seconds: 60 });
    expect(run.refusedShare).toBeLessThanOrEqual(0.05);
    expect(run.acceptedPerSecond).toBeGreaterThanOrEqual(0.75 * 150);
    expect(run.highest).toBeLessThanOrEqual(600);
    expect(run.rateAt(30_000)).toBeLessThanOrEqual(160);
  });

  for (const shape of ['rolling', 'window', 'bucket', 'penalty'] as const) {
    // A penalty of 5 s; a run pays the first one in full whatever the client does (it finds the limit by going over
    // it), so two minutes of traffic, where that one-time cost weighs as it would in a nightly run of some size.
    const penaltyMs = 5_000;
    it(`on a ${shape} limit of 150/s: auto uses at least 75% with at most 3% refused; 4× too high, at most 5%`, async () => {
      const auto = await simulate({ max: 'auto', limit: 150, seconds: 120, shape, penaltyMs });
      const high = await simulate({ max: 600, limit: 150, seconds: 120, shape, penaltyMs });
      expect(auto.acceptedPerSecond).toBeGreaterThanOrEqual(0.75 * 150);
      expect(auto.acceptedPerSecond).toBeLessThanOrEqual(150 * 1.05);
      expect(auto.refusedShare).toBeLessThanOrEqual(0.03);
      expect(high.refusedShare).toBeLessThanOrEqual(0.05);
      expect(high.acceptedPerSecond).toBeGreaterThanOrEqual(0.75 * 150);
    });
  }

  it('--rate under the limit: stays at --rate with nothing refused', async () => {
    const run = await simulate({ max: 100, limit: 150, seconds: 20 });
    expect(run.refusedShare).toBe(0);
    expect(run.highest).toBe(100);
    expect(run.acceptedPerSecond).toBeGreaterThanOrEqual(95);
  });
});
