/**
 * The adaptive rate in the real client against the real sandbox, in real time: refusals for the rate (429, or C0011E
 * inside HTTP 200) bring the rate down to what the OMS takes, never above `--rate`; `auto` climbs from a low start.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AUTO_START_RATE } from '../../src/fluent/createAdaptiveRate.js';
import { createFluentClient, type FluentClient } from '../../src/fluent/createFluentClient.js';
import type { Credentials } from '../../src/fluent/credentials.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/startSandbox.js';

const credentials: Credentials = {
  kind: 'password',
  clientId: 'client-R1',
  clientSecret: 'secret-R2',
  username: 'api-R3',
  password: 'pass-R4',
};

let sandbox: Sandbox | undefined;
let client: FluentClient | undefined;
afterEach(async () => {
  await client?.close();
  await sandbox?.close();
  client = undefined;
  sandbox = undefined;
});

describe('createFluentClient: the rate adapts to what the OMS takes', () => {
  for (const rateLimitAsError of [false, true]) {
    it(`comes down to an OMS limit of 20/s from --rate 80 (refused with ${rateLimitAsError ? 'C0011E' : '429'})`, async () => {
      sandbox = await startSandbox({ port: 0, rateLimitAsError, faults: { rateLimitPerSecond: 20 } });
      client = createFluentClient({ apiHost: sandbox.url, credentials, ratePerSecond: 80, maxRetryAfterMs: 200 });
      const seen: number[] = [];
      const lookups = Array.from({ length: 60 }, (_, i) =>
        client?.findCustomers([`u${i}`]).then(() => seen.push(client?.stats().allowedRate ?? Number.NaN)),
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
    sandbox = await startSandbox({ port: 0 });
    client = createFluentClient({ apiHost: sandbox.url, credentials, ratePerSecond: 'auto' });
    expect(client.stats().allowedRate).toBe(AUTO_START_RATE);
    const started = Date.now();
    await Promise.all(Array.from({ length: 60 }, (_, i) => client?.findCustomers([`u${i}`])));

    // At a fixed 10/s, 60 lookups would take 6 s; doubling each second they take about 2.5 s.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(client.stats().allowedRate).toBeGreaterThan(2 * AUTO_START_RATE);
    expect(sandbox.stats().rateLimited).toBe(0);
  });
});
