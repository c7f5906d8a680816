/**
 * The adaptive rate in the real client against the real sandbox, in real time: refusals for the rate (429, or C0011E
 * inside HTTP 200) bring the rate down to what the OMS takes, never above `--rate`; `auto` climbs from a low start.
 */
import { describe, expect, it } from 'vitest';
import { AUTO_START_RATE } from '../../src/fluent/createAdaptiveRate.js';
import { useFluentFixtures } from './fixtures.js';

const fx = useFluentFixtures();
/** Real time: the limiter and the sandbox's window run on the clock. */
const realTime = {
  sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

describe('createFluentClient: the rate adapts to what the OMS takes', () => {
  for (const rateLimitAsError of [false, true]) {
    it(`comes down to an OMS limit of 20/s from --rate 80 (refused with ${rateLimitAsError ? 'C0011E' : '429'})`, async () => {
      const sandbox = await fx.sandbox({ rateLimitAsError, faults: { rateLimitPerSecond: 20 } });
      const client = fx.client(sandbox.url, { ...realTime, ratePerSecond: 80, maxRetryAfterMs: 200 });
      const seen: number[] = [];
      const lookups = Array.from({ length: 60 }, (_, i) =>
        client.findCustomers([`u${i}`]).then(() => seen.push(client.stats().allowedRate ?? Number.NaN)),
      );
      await Promise.all(lookups);

      expect(seen).toHaveLength(60);
      expect(Math.max(...seen)).toBeLessThanOrEqual(80);
      // Once refused, the client sends at about what the OMS answered in its window: 20/s, less 10% headroom.
      expect(client.stats().allowedRate).toBeLessThanOrEqual(22);
      expect(client.stats().rateLimited).toBe(sandbox.stats().rateLimited);
      expect(sandbox.stats().rateLimited).toBeGreaterThan(0);
    });
  }

  it('--rate auto starts low and climbs while the OMS takes every request', async () => {
    const sandbox = await fx.sandbox();
    const client = fx.client(sandbox.url, { ...realTime, ratePerSecond: 'auto' });
    expect(client.stats().allowedRate).toBe(AUTO_START_RATE);
    const started = Date.now();
    await Promise.all(Array.from({ length: 60 }, (_, i) => client.findCustomers([`u${i}`])));

    // At a fixed 10/s, 60 lookups would take 6 s; doubling each second they take about 2.5 s.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(client.stats().allowedRate).toBeGreaterThan(2 * AUTO_START_RATE);
    expect(sandbox.stats().rateLimited).toBe(0);
  });
});
