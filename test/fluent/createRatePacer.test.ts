import { describe, expect, it } from 'vitest';
import { createRatePacer } from '../../src/fluent/createRatePacer.js';

/** A clock that moves only when slept on, so the gate's waits are counted, not waited. */
function manualTime() {
  let time = 0;
  return {
    now: () => time,
    sleep: async (ms: number) => {
      time += ms;
    },
  };
}
const delays = (now: () => number) => ({
  baseBackoffMs: 250,
  maxBackoffMs: 15_000,
  maxRetryAfterMs: 60_000,
  rateBackoffMs: 1_000,
  maxRateBackoffMs: 60_000,
  now,
  random: () => 0.5,
});

describe('createRatePacer: the gate for spells of refusals', () => {
  it('8 refusals in a row close it for all; after the wait one probe goes, and an answer taken opens it', async () => {
    const clock = manualTime();
    const pacer = createRatePacer({ max: 1000, ...clock, delays: delays(clock.now) });
    const sent = await Promise.all(Array.from({ length: 8 }, () => pacer.take()));
    for (const at of sent) pacer.settle(at, 'refused');
    const before = clock.now();

    // Two want to go: one is the probe, after the closure (0.75 s here); the other waits for its answer.
    let second: number | undefined;
    const probe = await pacer.take();
    expect(probe - before).toBeGreaterThanOrEqual(750);
    const waiting = pacer.take().then((at) => {
      second = at;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(second).toBeUndefined();
    pacer.settle(probe, 'accepted');
    await waiting;
    expect(second).toBeGreaterThanOrEqual(probe);
  });

  it('a refused probe closes it again for longer; a refusal of an attempt sent before does not', async () => {
    const clock = manualTime();
    const pacer = createRatePacer({ max: 1000, ...clock, delays: delays(clock.now) });
    const early = await Promise.all(Array.from({ length: 9 }, () => pacer.take()));
    for (const at of early.slice(0, 8)) pacer.settle(at, 'refused');
    const first = await pacer.take();
    const firstWait = clock.now();
    pacer.settle(first, 'refused');
    // The ninth, sent before the gate shut, comes back refused after the probe: it says nothing new.
    pacer.settle(early[8] as number, 'refused');
    const next = await pacer.take();
    // 0.75 s, then 1.125 s (growing 1.5×, half-jittered).
    expect(firstWait).toBeGreaterThanOrEqual(750);
    expect(next - first).toBeGreaterThanOrEqual(1125);
    expect(next - first).toBeLessThan(1200);
  });

  it('honours a Retry-After for the closure', async () => {
    const clock = manualTime();
    const pacer = createRatePacer({ max: 1000, ...clock, delays: delays(clock.now) });
    const sent = await Promise.all(Array.from({ length: 8 }, () => pacer.take()));
    for (const at of sent) pacer.settle(at, 'refused', '20');
    const probe = await pacer.take();
    expect(probe).toBeGreaterThanOrEqual(20_000);
  });

  it('refusals spread among answers taken never close it', async () => {
    const clock = manualTime();
    const pacer = createRatePacer({ max: 1000, ...clock, delays: delays(clock.now) });
    for (let i = 0; i < 40; i++) {
      const at = await pacer.take();
      pacer.settle(at, i % 4 === 0 ? 'accepted' : 'refused');
    }
    const start = clock.now();
    await pacer.take();
    expect(clock.now() - start).toBeLessThan(100);
  });
});
