/**
 * The probe's bounds, driven over 127.0.0.1 by the real client against the sandbox: it stops at its request cap when
 * nothing refuses, and at its time bound while a penalty box still refuses, writing nothing either way.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { PROBE_BOUNDS, probeRate } from '../../src/doctor/probeRate.js';
import { createFluentClient, type FluentClient } from '../../src/fluent/createFluentClient.js';
import { useSandboxes } from '../helpers/sandboxes.js';

const { aSandbox } = useSandboxes();
const clients: FluentClient[] = [];
afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
});

async function clientFor(sandbox: Awaited<ReturnType<typeof aSandbox>>) {
  const client = createFluentClient({
    apiHost: sandbox.url,
    credentials: { kind: 'password', clientId: 'c', clientSecret: 's', username: 'u', password: 'p' },
    ratePerSecond: 'auto',
  });
  clients.push(client);
  return client;
}

describe.concurrent('probeRate', () => {
  it('with no refusal, stops at its request cap and says only how much Fluent took', async () => {
    const sandbox = await aSandbox();
    const probe = await probeRate(await clientFor(sandbox), { bounds: { ...PROBE_BOUNDS, maxRequests: 150 } });
    expect(probe).toMatchObject({ ended: 'requests', limit: undefined, penalty: undefined, refused: 0 });
    expect(probe.rate).toBe(probe.bestPerSecond);
    expect(probe.bestPerSecond).toBeGreaterThanOrEqual(20);
    expect(sandbox.stats().graphql).toBeLessThanOrEqual(150);
    expect(sandbox.stats().mutations).toBe(0);
  });

  it('stops at its time bound while a penalty box still refuses, with the limit learnt and the box named', async () => {
    const sandbox = await aSandbox({
      faults: { rateLimitPerSecond: 20 },
      rateLimitShape: 'penalty',
      penaltyMs: 60_000,
      noRetryAfter: true,
    });
    const started = Date.now();
    const probe = await probeRate(await clientFor(sandbox), { bounds: { ...PROBE_BOUNDS, maxMs: 3_500 } });
    expect(Date.now() - started).toBeLessThan(3_500 + 1_000);
    expect(probe.ended).toBe('time');
    expect(probe.penalty).toBeDefined();
    expect(probe.limit).toBeLessThanOrEqual(20);
    expect(probe.rate).toBeLessThan(20);
    expect(probe.rate).toBeGreaterThanOrEqual(10);
    expect(sandbox.stats().mutations).toBe(0);
  });
});
