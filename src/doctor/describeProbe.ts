import type { CheckLine } from '../preflight/checkAccount.js';
import type { ProbeBounds, RateProbe } from './probeRate.js';

/** The batch `doctor --probe-rate` suggests when Fluent answers aliased fields one by one (SPEC §5 measures 25). */
export const PROBE_BATCH = 25;

const count = (n: number) => n.toLocaleString('en-US');
const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/**
 * The lines `doctor --probe-rate` prints: what it sent within which bounds, what it found and how sure that is, and
 * the `--rate`/`--batch` to use. A penalty box the probe met is a warning (other clients of the account were refused
 * for as long), as is a limit met but not confirmed within the bounds.
 */
export function describeProbe(
  probe: RateProbe,
  context: {
    bounds: ProbeBounds;
    aliasesAnswered: boolean;
    concurrency: number;
    /** How long one lookup took alone (doctor's `lookup` check): what a request costs a run, queueing aside. */
    lookupMs: number;
  },
): CheckLine[] {
  const { bounds } = context;
  const limits = `bounds: ${seconds(bounds.maxMs)}, ${count(bounds.maxRequests)} requests, ${bounds.inFlight} in flight`;
  const lines: CheckLine[] = [
    {
      check: 'rate probe',
      status: 'ok',
      message: `lookups only, nothing written: ${count(probe.requests)} requests in ${seconds(probe.elapsedMs)}, ${count(probe.refused)} refused for the rate (${limits})`,
    },
  ];
  const held = `at ${probe.rate}/s it then held ${seconds(bounds.holdMs)} without a refusal`;
  if (probe.limit === undefined) {
    const bound =
      probe.ended === 'requests' ? `its ${count(bounds.maxRequests)} requests` : `its ${seconds(bounds.maxMs)}`;
    // 32 lookups in flight at L ms each cannot go faster than 32 000 / L per second.
    const ceiling = (bounds.inFlight * 1000) / Math.max(1, context.lookupMs);
    const bounded =
      probe.bestPerSecond >= 0.7 * ceiling
        ? `; ${bounds.inFlight} lookups in flight at ${context.lookupMs} ms each go no faster, so the limit may be far higher`
        : '';
    lines.push({
      check: 'rate limit',
      status: 'ok',
      message: `no refusal up to ${probe.bestPerSecond} requests/s: the limit is at least ${probe.bestPerSecond} (the probe stopped at ${bound}${bounded})`,
    });
  } else if (probe.penalty) {
    lines.push({
      check: 'rate limit',
      status: 'warn',
      message:
        `a penalty box: once over about ${probe.limit} requests/s Fluent refused everything, the probe for ` +
        `${seconds(probe.penalty.ms)} (met once by this probe; other clients of the account were refused as long); ` +
        (probe.ended === 'held'
          ? held
          : `the probe ended at its bound before a rate held: ${probe.rate}/s is 85% of the limit, not yet confirmed`),
    });
  } else if (probe.ended === 'held') {
    lines.push({
      check: 'rate limit',
      status: 'ok',
      message: `Fluent refused past about ${probe.limit} requests/s; ${held}: the limit is about ${probe.limit}`,
    });
  } else {
    lines.push({
      check: 'rate limit',
      status: 'warn',
      message: `Fluent refused past about ${probe.limit} requests/s, but refusals went on until the probe's bound: ${probe.rate}/s is a guess (run sync with --rate auto)`,
    });
  }
  const batch = context.aliasesAnswered ? PROBE_BATCH : 1;
  const why =
    probe.limit === undefined
      ? 'taken without a refusal'
      : probe.penalty
        ? '85% of the limit found, which a run holds without a second penalty'
        : '90% of the limit found, which a run holds without refusals';
  const batchWhy = context.aliasesAnswered
    ? `up to ${batch} creates/updates per request`
    : 'Fluent did not answer aliased lookups one by one, so one per request';
  // Requests in flight a run needs to send at the rate, with room for slower answers.
  const needed = Math.ceil((probe.rate * Math.max(1, context.lookupMs) * 1.5) / 1000);
  const concurrency = needed > context.concurrency ? ` --concurrency ${needed}` : '';
  lines.push({
    check: 'rate to use',
    status: 'ok',
    message: `--rate ${probe.rate} --batch ${batch}${concurrency} (${why}; ${batchWhy}${
      concurrency ? `; ${context.lookupMs} ms a request needs about ${needed} in flight` : ''
    })`,
  });
  return lines;
}
