import { SHARD_RULE } from '../check/shardOfRow.js';
import type { ClientStats } from '../fluent/createFluentClient.js';
import type { Shard } from '../options/index.js';
import type { NormalisationRule, OutcomeKind, RunMode, RunTotals, UniquenessScope } from '../types.js';
import { checkTotals, emptyTotals } from './countOutcomes.js';
import type { ReportSummary } from './reportTypes.js';

/**
 * The summary of a run as report.json holds it, from its parts. Pure. Throws when the recorded outcomes do not
 * account for every row read: that would be a bug, and a report must not hide it.
 */
export function summariseRun(run: {
  runId: string;
  mode: RunMode;
  startedAt: Date;
  finishedAt: Date;
  input: ReportSummary['input'];
  options: Record<string, unknown>;
  read: number;
  outcomeCounts: ReadonlyMap<OutcomeKind, number>;
  client: ClientStats | undefined;
  /** How long the lookups and mutations took, for the effective request rate. */
  applyMs: number;
  abortReason: string | undefined;
  uniqueness?: UniquenessScope | undefined;
  unmappedColumns: string[];
  delimiter: string;
  /** With --report-missing, how many OMS customers the file does not hold, and whether the listing is complete. */
  missing?: ReportSummary['missing'];
  /** How many cells each normalisation rule changed (runs that normalise a file). */
  normalised?: Partial<Record<NormalisationRule, number>> | undefined;
  /** `--shard K/N`. */
  shard?: Shard | undefined;
  /** Conflicts by kind and values not taken as sent by field (runs that talk to the OMS). */
  details?: Pick<ReportSummary, 'conflicts' | 'notTakenAsSent'> | undefined;
}): ReportSummary {
  const totals = countTotals(run.outcomeCounts, run.read);
  const graphql = run.client?.graphql ?? 0;
  return {
    runId: run.runId,
    mode: run.mode,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt.toISOString(),
    input: run.input,
    options: run.options,
    totals,
    requests: {
      graphql,
      retries: run.client?.retries ?? 0,
      rateLimited: run.client?.rateLimited ?? 0,
      effectiveRate: run.applyMs > 0 ? Math.round((graphql * 100_000) / run.applyMs) / 100 : 0,
    },
    durationMs: run.finishedAt.getTime() - run.startedAt.getTime(),
    status: run.abortReason === undefined ? 'completed' : 'aborted',
    ...(run.abortReason === undefined ? {} : { abortReason: run.abortReason }),
    ...(run.uniqueness === undefined ? {} : { uniqueness: run.uniqueness }),
    unmappedColumns: run.unmappedColumns,
    delimiter: run.delimiter,
    ...(run.missing === undefined ? {} : { missing: run.missing }),
    ...(run.normalised === undefined ? {} : { normalised: run.normalised }),
    ...(run.shard === undefined ? {} : { shard: { index: run.shard.index, count: run.shard.count, rule: SHARD_RULE } }),
    ...(run.details?.conflicts === undefined ? {} : { conflicts: run.details.conflicts }),
    ...(run.details?.notTakenAsSent === undefined ? {} : { notTakenAsSent: run.details.notTakenAsSent }),
  };
}

function countTotals(counts: ReadonlyMap<OutcomeKind, number>, read: number): RunTotals {
  const totals = emptyTotals();
  for (const [kind, n] of counts) {
    totals[kind] += n;
    totals.read += n;
  }
  if (totals.read !== read) throw new Error(`broken invariant: ${read} rows read but ${totals.read} outcomes recorded`);
  checkTotals(totals);
  return totals;
}
