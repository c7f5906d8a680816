import { Counter, Gauge, Registry } from 'prom-client';
import type { Shard } from '../options/index.js';
import { OUTCOME_KINDS } from '../types.js';
import type { RunEnd } from './opsTypes.js';
import type { MetricSample } from './parseMetricsText.js';

/** The metrics of SPEC §4, by name. */
export const METRIC_NAMES = {
  rows: 'customer_sync_rows',
  requests: 'customer_sync_requests_total',
  rateLimited: 'customer_sync_rate_limited_total',
  duration: 'customer_sync_duration_seconds',
  exitCode: 'customer_sync_exit_code',
  lastRun: 'customer_sync_last_run_timestamp_seconds',
  lastSuccess: 'customer_sync_last_success_timestamp_seconds',
} as const;

/**
 * Every metric carries these, so one file or Pushgateway group can hold several jobs' series apart. `shard`
 * (`2-of-4`, as the Pushgateway group is named) only on a run of `--shard K/N`: the shards of one job are that many
 * series, not one the last shard to finish overwrites.
 */
const LABELS = ['retailer', 'mode', 'shard'] as const;

/**
 * The run's metrics (SPEC §4) in a registry of their own, for the textfile collector and the Pushgateway alike.
 * `earlier` holds the samples of the previous metrics file: its values for this retailer and mode carry over
 * what one run cannot know by itself.
 * - `customer_sync_last_success_timestamp_seconds` is when a run last finished (exit 0 or 1; rows needing
 *   attention are counted in `customer_sync_rows`): a refused or aborted run keeps the earlier value, and leaves the
 *   metric out when there is none (or when the earlier value is no time a run could have ended: not a number, or
 *   later than this run's end), so an alert on its age fires whether runs fail or stop running at all.
 * - The two `_total` metrics are counters, as their names say: the earlier value plus this run's requests, so
 *   Prometheus's `increase()` reads requests per day. With no earlier file they start from this run's count.
 * - `customer_sync_rows{outcome}` is the last run's rows by outcome; a run that ended before reading any row has none.
 */
export function buildMetrics(end: RunEnd, earlier: readonly MetricSample[]): Registry {
  const registry = new Registry();
  const labels: Partial<Record<(typeof LABELS)[number], string>> = {
    retailer: end.retailerId ?? '',
    mode: end.mode,
    ...(end.shard ? { shard: describeShardLabel(end.shard) } : {}),
  };
  const previous = (name: string): number | undefined =>
    earlier.find((s) => s.name === name && LABELS.every((label) => s.labels[label] === labels[label]))?.value;
  const gauge = (name: string, help: string, value: number) =>
    new Gauge({ name, help, labelNames: LABELS, registers: [registry] }).set(labels, value);
  const counter = (name: string, help: string, value: number) => {
    const carried = previous(name);
    const start = carried !== undefined && Number.isFinite(carried) && carried >= 0 ? carried : 0;
    new Counter({ name, help, labelNames: LABELS, registers: [registry] }).inc(labels, start + value);
  };
  const endSeconds = end.finishedAt.getTime() / 1000;
  const carriedTime = (value: number | undefined) =>
    value !== undefined && Number.isFinite(value) && value >= 0 && value <= endSeconds ? value : undefined;

  const { summary } = end;
  if (summary) {
    const rows = new Gauge({
      name: METRIC_NAMES.rows,
      help: "Rows of the last run by outcome (the report's totals)",
      labelNames: [...LABELS, 'outcome'],
      registers: [registry],
    });
    const kinds = OUTCOME_KINDS.filter((kind) => kind !== 'valid' || end.mode === 'validate');
    for (const kind of kinds) rows.set({ ...labels, outcome: kind }, summary.totals[kind]);
  }
  counter(METRIC_NAMES.requests, 'GraphQL requests sent to Fluent, retries included', summary?.requests.graphql ?? 0);
  counter(
    METRIC_NAMES.rateLimited,
    'GraphQL requests Fluent refused for the rate (HTTP 429 or C0011E)',
    summary?.requests.rateLimited ?? 0,
  );
  gauge(
    METRIC_NAMES.duration,
    'How long the last run took',
    (end.finishedAt.getTime() - end.startedAt.getTime()) / 1000,
  );
  gauge(
    METRIC_NAMES.exitCode,
    'Exit code of the last run: 0 all good, 1 rows need attention, 2 refused (usage, input, account), 3 aborted',
    end.exitCode,
  );
  gauge(METRIC_NAMES.lastRun, 'When the last run ended, in Unix seconds', endSeconds);
  const lastSuccess =
    end.exitCode === 0 || end.exitCode === 1 ? endSeconds : carriedTime(previous(METRIC_NAMES.lastSuccess));
  if (lastSuccess !== undefined) {
    gauge(METRIC_NAMES.lastSuccess, 'When a run last finished (exit 0 or 1), in Unix seconds', lastSuccess);
  }
  return registry;
}

/** The `shard` label of shard K of N, the same as its Pushgateway group: `2-of-4`. */
export function describeShardLabel(shard: Shard): string {
  return `${shard.index}-of-${shard.count}`;
}
