import { describe, expect, it } from 'vitest';
import { AUTO_START_RATE, createAdaptiveRate } from '../../src/fluent/createAdaptiveRate.js';
import { createRateLimiter } from '../../src/fluent/createRateLimiter.js';

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
 * An OMS with an undisclosed limit, counted as the sandbox counts it: at most `limit` admitted requests in any
 * rolling 1 s; a refused request takes no slot. Requests arrive 0-30 ms after they were sent (network jitter, from a
 * seeded generator), so sends spaced exactly by the client can still bunch up at the server.
 */
function limitedOms(limit: number) {
  const admitted: number[] = [];
  let seed = 7;
  const jitter = () => {
    seed = (seed * 16807) % 2147483647;
    return (seed / 2147483647) * 30;
  };
  return (sentAt: number): boolean => {
    const at = sentAt + jitter();
    while (admitted.length > 0 && (admitted[0] as number) <= at - 1000) admitted.shift();
    if (admitted.length >= limit) return false;
    admitted.push(at);
    return true;
  };
}

/**
 * `senders` loops, each sending one request after another through the limiter for `seconds`, answered after
 * `latencyMs`, and telling the adaptive rate what came back, as the Fluent client does.
 */
async function simulate(options: {
  max: number | 'auto';
  limit: number;
  seconds: number;
  senders?: number;
  latencyMs?: number;
}) {
  const clock = virtualTime();
  const adaptive = createAdaptiveRate({ max: options.max, now: clock.now });
  const limiter = createRateLimiter({ ratePerSecond: adaptive.current(), now: clock.now, sleep: clock.sleep });
  const admit = limitedOms(options.limit);
  const endMs = options.seconds * 1000;
  let accepted = 0;
  let refused = 0;
  let highest = adaptive.current();
  const rates: { at: number; rate: number }[] = [];
  const sender = async () => {
    while (clock.now() < endMs) {
      const sentAt = await limiter.take();
      if (sentAt >= endMs) return;
      const admitted = admit(sentAt);
      await clock.sleep(options.latencyMs ?? 50);
      if (admitted) {
        accepted++;
        adaptive.accepted(limiter.saturated());
      } else {
        refused++;
        adaptive.refused(sentAt);
      }
      limiter.setRate(adaptive.current());
      highest = Math.max(highest, adaptive.current());
      rates.push({ at: clock.now(), rate: adaptive.current() });
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
    time += 2_500;
    adaptive.refused(time - 10);
    expect(adaptive.current()).toBeCloseTo(49, 5);
  });

  it('after a refusal at the limit: 90% of what the OMS answered, then back up additively, never above the maximum', () => {
    let time = 0;
    const adaptive = createAdaptiveRate({ max: 200, now: () => time });
    // A second of 100 answers: Fluent takes 100/s, so a step is 5 requests/s per second.
    for (let i = 0; i < 100; i++) {
      time += 10;
      adaptive.accepted(true);
    }
    adaptive.refused(time - 5);
    expect(adaptive.current()).toBeCloseTo(90, 5);
    const climb = (seconds: number) => {
      for (let i = 0; i < seconds * 10; i++) {
        time += 100;
        adaptive.accepted(true);
      }
      return adaptive.current();
    };
    expect(climb(1)).toBeCloseTo(95, 5);
    expect(climb(2)).toBeCloseTo(105, 5);
    // A run bounded by its concurrency does not push the rate up: the rate is not what limits it.
    for (let i = 0; i < 20; i++) {
      time += 100;
      adaptive.accepted(false);
    }
    expect(adaptive.current()).toBeCloseTo(105, 5);
    expect(climb(60)).toBe(200);
  });

  it('after an overrun far above the limit, comes down to what the OMS answered in one step', () => {
    let time = 0;
    const adaptive = createAdaptiveRate({ max: 400, now: () => time });
    // 100 answers in the last second, then refusals: the OMS takes about 100/s, not 400.
    for (let i = 0; i < 100; i++) {
      time += 3;
      adaptive.accepted(true);
    }
    adaptive.refused(time - 1);
    expect(adaptive.current()).toBeCloseTo(90, 5);
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

  it('--rate under the limit: stays at --rate with nothing refused', async () => {
    const run = await simulate({ max: 100, limit: 150, seconds: 20 });
    expect(run.refusedShare).toBe(0);
    expect(run.highest).toBe(100);
    expect(run.acceptedPerSecond).toBeGreaterThanOrEqual(95);
  });
});
