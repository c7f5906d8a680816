import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../src/fluent/createRateLimiter.js';

/** A clock that only moves when the limiter sleeps, so seconds of traffic take no real time. */
function fakeClock(start = 0) {
  let time = start;
  return {
    now: () => time,
    // Lets everything already resolved run first, as real time would, then jumps ahead.
    sleep: async (ms: number) => {
      await new Promise((resolve) => setImmediate(resolve));
      time += ms;
    },
    advance: (ms: number) => {
      time += ms;
    },
  };
}

/** The most sends seen in any rolling window (t - windowMs, t]. */
function busiestWindow(times: number[], windowMs: number): number {
  let most = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while ((times[start] as number) <= (times[end] as number) - windowMs) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

describe('createRateLimiter', () => {
  it('keeps any 1 s window at or under the rate while using nearly all of it', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ ratePerSecond: 20, ...clock });
    const times: number[] = [];
    await Promise.all(Array.from({ length: 200 }, () => limiter.take().then(() => times.push(clock.now()))));
    expect(busiestWindow(times, 1000)).toBeLessThanOrEqual(20);
    // 200 sends at 20/s need about 10 s; far longer would mean the limit is wasted.
    expect(clock.now()).toBeGreaterThanOrEqual(9_000);
    expect(clock.now()).toBeLessThanOrEqual(10_500);
  });

  it('allows only a short burst after an idle spell, and still no more than the rate per second', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ ratePerSecond: 100, ...clock });
    await limiter.take();
    clock.advance(60_000);
    const times: number[] = [];
    await Promise.all(Array.from({ length: 300 }, () => limiter.take().then(() => times.push(clock.now()))));
    const atOnce = times.filter((t) => t === times[0]).length;
    expect(atOnce).toBeGreaterThan(1);
    expect(atOnce).toBeLessThanOrEqual(10);
    expect(busiestWindow(times, 1000)).toBeLessThanOrEqual(100);
    expect(busiestWindow(times, 100)).toBeLessThanOrEqual(20);
  });

  it('serves waiters in the order they asked', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ ratePerSecond: 5, ...clock });
    const order: number[] = [];
    await Promise.all(Array.from({ length: 12 }, (_, i) => limiter.take().then(() => order.push(i))));
    expect(order).toEqual([...Array(12).keys()]);
  });

  it('spaces requests at a fractional rate', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ ratePerSecond: 0.5, ...clock });
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      await limiter.take();
      times.push(clock.now());
    }
    expect(times).toEqual([0, 2000, 4000]);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => createRateLimiter({ ratePerSecond: 0, ...fakeClock() })).toThrow(RangeError);
  });
});
