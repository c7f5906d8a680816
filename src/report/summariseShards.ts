import crypto from 'node:crypto';
import type { NormalisationRule, RunTotals } from '../types.js';
import { NORMALISATION_RULES } from '../types.js';
import { describeShard, type ShardReport } from './readShardReport.js';
import type { ReportSummary } from './reportTypes.js';
import { sumOutcomeDetails } from './sumOutcomeDetails.js';

/**
 * The merged report.json: the shards' totals as merged (`totals`), their requests summed (they ran side by side), the
 * span from the first start to the last finish, aborted when any shard's run was. Pure but for hashing the run ids.
 */
export function summariseShards(shards: readonly ShardReport[], totals: RunTotals): ReportSummary {
  const first = (shards[0] as ShardReport).summary;
  const startedAt = shards.map((s) => s.summary.startedAt).sort()[0] ?? first.startedAt;
  const finishedAt =
    shards
      .map((s) => s.summary.finishedAt)
      .sort()
      .at(-1) ?? first.finishedAt;
  const sum = (pick: (s: ReportSummary) => number | undefined) =>
    shards.reduce((total, s) => total + (pick(s.summary) ?? 0), 0);
  const aborted = shards.filter((s) => s.summary.status === 'aborted');
  const { shard: _shard, ...options } = first.options;
  const everyMissing = shards.every((s) => s.summary.missing !== undefined && s.missing !== undefined);
  return {
    runId: mergedRunId(startedAt, shards),
    mode: first.mode,
    startedAt,
    finishedAt,
    input: first.input,
    options,
    totals,
    requests: {
      graphql: sum((s) => s.requests?.graphql),
      retries: sum((s) => s.requests?.retries),
      rateLimited: sum((s) => s.requests?.rateLimited),
      effectiveRate: Math.round(sum((s) => s.requests?.effectiveRate) * 100) / 100,
    },
    durationMs: Math.max(0, Date.parse(finishedAt) - Date.parse(startedAt)),
    status: aborted.length > 0 ? 'aborted' : 'completed',
    ...(aborted.length > 0
      ? {
          abortReason: aborted
            .map((s) => `shard ${describeShard(s.shard)}: ${s.summary.abortReason ?? 'stopped early'}`)
            .join('; '),
        }
      : {}),
    ...(first.uniqueness ? { uniqueness: first.uniqueness } : {}),
    unmappedColumns: Array.isArray(first.unmappedColumns) ? first.unmappedColumns : [],
    delimiter: typeof first.delimiter === 'string' ? first.delimiter : ',',
    ...(everyMissing
      ? {
          missing: {
            count: sum((s) => s.missing?.count),
            complete: shards.every((s) => s.summary.missing?.complete !== false),
          },
        }
      : {}),
    ...sumNormalised(shards),
    ...sumOutcomeDetails(shards.map((s) => s.summary)),
    mergedFrom: shards.map((s) => ({
      shard: describeShard(s.shard),
      runId: s.summary.runId,
      status: s.summary.status,
      reportDir: s.dir,
    })),
  };
}

/** The shards' normalisation counts added up, when every shard has them (a report of an earlier release has none). */
function sumNormalised(shards: readonly ShardReport[]): Pick<ReportSummary, 'normalised'> {
  if (!shards.every((s) => typeof s.summary.normalised === 'object' && s.summary.normalised !== null)) return {};
  const normalised: Partial<Record<NormalisationRule, number>> = {};
  for (const rule of NORMALISATION_RULES) {
    normalised[rule] = shards.reduce((total, s) => {
      const count = s.summary.normalised?.[rule];
      return total + (typeof count === 'number' ? count : 0);
    }, 0);
  }
  return { normalised };
}

/**
 * The merged report's id, in the form of a run's (the first shard's start, then four hex digits), made from the shards'
 * run ids: merging the same reports twice gives the same report, byte for byte, so two merges racing into one folder
 * (the last pods of a Job finishing together) cannot leave a mix of two reports.
 */
function mergedRunId(startedAt: string, shards: readonly ShardReport[]): string {
  const stamp = startedAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const digest = crypto.createHash('sha256');
  for (const report of shards) digest.update(`${report.summary.runId}\n`);
  return `${stamp}-${digest.digest('hex').slice(0, 4)}`;
}
