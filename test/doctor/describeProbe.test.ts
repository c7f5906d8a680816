import { describe, expect, it } from 'vitest';
import { describeProbe } from '../../src/doctor/describeProbe.js';
import { PROBE_BOUNDS, type RateProbe } from '../../src/doctor/probeRate.js';

const found: RateProbe = {
  ended: 'held',
  elapsedMs: 7_300,
  requests: 240,
  refused: 5,
  bestPerSecond: 44,
  limit: 40,
  penalty: undefined,
  rate: 36,
};
const context = { bounds: PROBE_BOUNDS, aliasesAnswered: true, concurrency: 8, lookupMs: 50 };
const byCheck = (probe: RateProbe, more: Partial<typeof context> = {}) =>
  Object.fromEntries(describeProbe(probe, { ...context, ...more }).map((line) => [line.check, line]));

describe('describeProbe', () => {
  it('states the bounds, the limit found and how sure, and the --rate and --batch to use', () => {
    const lines = byCheck(found);
    expect(lines['rate probe']?.message).toMatch(
      /lookups only, nothing written: 240 requests in 7.3 s, 5 refused .*60 s, 3,000 requests, 32 in flight/,
    );
    expect(lines['rate limit']).toMatchObject({ status: 'ok' });
    expect(lines['rate limit']?.message).toMatch(
      /refused past about 40 requests\/s; at 36\/s it then held 4 s without a refusal/,
    );
    expect(lines['rate to use']?.message).toMatch(/^--rate 36 --batch 25 \(/);
  });

  it('with no refusal, says only that the limit is at least what was taken, and why the probe stopped', () => {
    const lines = byCheck({ ...found, ended: 'requests', limit: undefined, refused: 0, bestPerSecond: 620, rate: 620 });
    expect(lines['rate limit']?.message).toMatch(
      /^no refusal up to 620 requests\/s: the limit is at least 620 \(the probe stopped at its 3,000 requests; 32 lookups in flight at 50 ms each go no faster/,
    );
    expect(lines['rate to use']?.message).toMatch(/^--rate 620 --batch 25 --concurrency 47 /);
  });

  it('warns of a penalty box met once, and of a limit not confirmed within the bounds', () => {
    const boxed = byCheck({ ...found, penalty: { ms: 21_000 }, rate: 34, limit: 38 });
    expect(boxed['rate limit']).toMatchObject({ status: 'warn' });
    expect(boxed['rate limit']?.message).toMatch(
      /a penalty box: once over about 38 requests\/s .* for 21 s \(met once by this probe/,
    );
    expect(boxed['rate to use']?.message).toMatch(/a run holds without a second penalty/);
    const unsure = byCheck({ ...found, ended: 'time' });
    expect(unsure['rate limit']).toMatchObject({ status: 'warn' });
    expect(unsure['rate limit']?.message).toMatch(/is a guess/);
  });

  it('suggests --batch 1 when Fluent does not answer aliased lookups one by one', () => {
    expect(byCheck(found, { aliasesAnswered: false })['rate to use']?.message).toMatch(/^--rate 36 --batch 1 \(/);
  });
});
