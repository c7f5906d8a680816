import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/runCli.js';
import { useSandboxes } from '../helpers/sandboxes.js';

const { aSandbox, envFor } = useSandboxes();

/** The OMS's limit the probe is not told. */
const LIMIT = 40;
const SEEDED = { retailerId: '1', username: '1_ann@example.com', primaryEmail: 'ann@example.com', firstName: 'Ann' };
/** The probe's own bound (60 s), with room for start-up on a loaded machine. */
const TIME_BOUND_MS = 65_000;

/** `doctor --probe-rate` against `sandbox`: the exit code, the --rate it prints, its lines and how long it took. */
async function probe(sandbox: Awaited<ReturnType<typeof aSandbox>>) {
  const started = Date.now();
  const result = await runCli(['doctor', '--probe-rate'], { env: envFor(sandbox) });
  const lines = result.stdout.trim().split('\n');
  const suggested = lines.find((line) => /^ok\s+rate to use\s/.test(line)) ?? '';
  return {
    code: result.code,
    lines,
    stderr: result.stderr,
    rate: Number(/--rate (\d+)/.exec(suggested)?.[1]),
    batch: Number(/--batch (\d+)/.exec(suggested)?.[1]),
    wallMs: Date.now() - started,
  };
}

describe.concurrent('doctor --probe-rate', () => {
  it('finds a rolling limit it is not told with lookups only, and prints a --rate under it', async () => {
    const sandbox = await aSandbox({ seed: [SEEDED], faults: { rateLimitPerSecond: LIMIT } });
    const before = sandbox.customers();
    const run = await probe(sandbox);
    expect(run.code, run.stderr).toBe(0);
    expect(run.rate).toBeGreaterThanOrEqual(0.5 * LIMIT);
    expect(run.rate).toBeLessThanOrEqual(LIMIT);
    expect(run.batch).toBe(25);
    expect(run.lines).toContainEqual(expect.stringMatching(/^ok\s+rate limit\s+Fluent refused past about \d+/));
    expect(run.lines).toContainEqual(expect.stringMatching(/^ok\s+rate probe\s+lookups only.*60 s, 3,000 requests/));
    // Nothing written, and the request cap held.
    expect(sandbox.stats().mutations).toBe(0);
    expect(sandbox.customers()).toEqual(before);
    expect(sandbox.stats().graphql).toBeLessThanOrEqual(3_000 + 40);
    expect(run.wallMs).toBeLessThan(TIME_BOUND_MS);
  });

  it('on a penalty box without Retry-After: says it met the penalty once, and prints a rate under the limit', async () => {
    const sandbox = await aSandbox({
      seed: [SEEDED],
      faults: { rateLimitPerSecond: LIMIT },
      rateLimitShape: 'penalty',
      penaltyMs: 1_500,
      noRetryAfter: true,
      rateLimitAsError: true,
    });
    const before = sandbox.customers();
    const run = await probe(sandbox);
    expect(run.code, run.stderr).toBe(0);
    expect(run.rate).toBeGreaterThanOrEqual(0.5 * LIMIT);
    expect(run.rate).toBeLessThanOrEqual(LIMIT);
    expect(run.lines).toContainEqual(expect.stringMatching(/^warn\s+rate limit\s+a penalty box: .*met once/));
    expect(run.lines.at(-1)).toMatch(/a sync can run safely \(1 warning\)/);
    expect(sandbox.stats().mutations).toBe(0);
    expect(sandbox.customers()).toEqual(before);
    expect(run.wallMs).toBeLessThan(TIME_BOUND_MS);
  });
});
