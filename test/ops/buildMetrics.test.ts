import { describe, expect, it } from 'vitest';
import { buildMetrics, METRIC_NAMES } from '../../src/ops/buildMetrics.js';
import type { RunEnd } from '../../src/ops/opsTypes.js';
import { type MetricSample, parseMetricsText } from '../../src/ops/parseMetricsText.js';
import { aSummary, someTotals } from '../report/reportBuilders.js';

const startedAt = new Date('2026-03-01T02:15:00.000Z');
const finishedAt = new Date('2026-03-01T02:17:30.000Z');

function anEnd(overrides: Partial<RunEnd> = {}): RunEnd {
  return {
    runId: '20260301T021500Z-ab12',
    mode: 'apply',
    retailerId: '7',
    shard: undefined,
    exitCode: 1,
    startedAt,
    finishedAt,
    summary: aSummary({
      mode: 'apply',
      totals: someTotals({ created: 40, updated: 5, unchanged: 900, rejected: 3, skipped: 2 }),
      requests: { graphql: 120, retries: 4, rateLimited: 6, effectiveRate: 9.5 },
    }),
    reportDir: 'reports/x',
    error: undefined,
    ...overrides,
  };
}

/** The run's metrics as node_exporter would read them: the text exposition, parsed back. */
async function exposition(end: RunEnd, earlier: MetricSample[] = []): Promise<MetricSample[]> {
  return parseMetricsText(await buildMetrics(end, earlier).metrics());
}

function sampleValue(samples: MetricSample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

describe('buildMetrics', () => {
  it('exposes every metric of SPEC §4 by its name, labelled with the retailer and the mode', async () => {
    const samples = await exposition(anEnd());
    expect(new Set(samples.map((s) => s.name))).toEqual(new Set(Object.values(METRIC_NAMES)));
    for (const sample of samples) expect(sample.labels).toMatchObject({ retailer: '7', mode: 'apply' });
    expect(sampleValue(samples, METRIC_NAMES.rows, { outcome: 'created' })).toBe(40);
    expect(sampleValue(samples, METRIC_NAMES.rows, { outcome: 'unchanged' })).toBe(900);
    expect(sampleValue(samples, METRIC_NAMES.rows, { outcome: 'failed' })).toBe(0);
    // A sync has no `valid` outcome; the rows add up to those read.
    expect(sampleValue(samples, METRIC_NAMES.rows, { outcome: 'valid' })).toBeUndefined();
    const rows = samples.filter((s) => s.name === METRIC_NAMES.rows).reduce((sum, s) => sum + s.value, 0);
    expect(rows).toBe(950);
    expect(sampleValue(samples, METRIC_NAMES.requests)).toBe(120);
    expect(sampleValue(samples, METRIC_NAMES.rateLimited)).toBe(6);
    expect(sampleValue(samples, METRIC_NAMES.duration)).toBe(150);
    expect(sampleValue(samples, METRIC_NAMES.exitCode)).toBe(1);
    expect(sampleValue(samples, METRIC_NAMES.lastRun)).toBe(finishedAt.getTime() / 1000);
    expect(sampleValue(samples, METRIC_NAMES.lastSuccess)).toBe(finishedAt.getTime() / 1000);
  });

  it('declares the _total metrics as counters and the others as gauges', async () => {
    const text = await buildMetrics(anEnd(), []).metrics();
    expect(text).toContain(`# TYPE ${METRIC_NAMES.requests} counter`);
    expect(text).toContain(`# TYPE ${METRIC_NAMES.rateLimited} counter`);
    for (const name of [METRIC_NAMES.rows, METRIC_NAMES.exitCode, METRIC_NAMES.lastSuccess, METRIC_NAMES.duration]) {
      expect(text).toContain(`# TYPE ${name} gauge`);
    }
  });

  it('keeps the last success of the earlier file through an aborted run, and counts the requests on', async () => {
    const first = await exposition(anEnd({ exitCode: 0 }));
    const aborted = anEnd({
      exitCode: 3,
      finishedAt: new Date('2026-03-02T02:20:00.000Z'),
      summary: aSummary({
        mode: 'apply',
        status: 'aborted',
        totals: someTotals({ created: 10, skipped: 940 }),
        requests: { graphql: 30, retries: 0, rateLimited: 2, effectiveRate: 5 },
      }),
    });
    const second = await exposition(aborted, first);
    expect(sampleValue(second, METRIC_NAMES.exitCode)).toBe(3);
    expect(sampleValue(second, METRIC_NAMES.lastRun)).toBe(Date.parse('2026-03-02T02:20:00.000Z') / 1000);
    expect(sampleValue(second, METRIC_NAMES.lastSuccess)).toBe(finishedAt.getTime() / 1000);
    expect(sampleValue(second, METRIC_NAMES.requests)).toBe(150);
    expect(sampleValue(second, METRIC_NAMES.rateLimited)).toBe(8);
    expect(sampleValue(second, METRIC_NAMES.rows, { outcome: 'skipped' })).toBe(940);
  });

  it('a refused run without an earlier success has no last-success sample and no rows, but says exit 2', async () => {
    const samples = await exposition(anEnd({ exitCode: 2, summary: undefined }));
    expect(sampleValue(samples, METRIC_NAMES.lastSuccess)).toBeUndefined();
    expect(samples.some((s) => s.name === METRIC_NAMES.rows)).toBe(false);
    expect(sampleValue(samples, METRIC_NAMES.exitCode)).toBe(2);
    expect(sampleValue(samples, METRIC_NAMES.requests)).toBe(0);
  });

  it("carries over only the earlier values of the same retailer and mode, never another job's", async () => {
    const earlier = await exposition(anEnd({ exitCode: 0, retailerId: '8' }));
    const samples = await exposition(anEnd({ exitCode: 3, summary: undefined }), earlier);
    expect(sampleValue(samples, METRIC_NAMES.lastSuccess)).toBeUndefined();
    expect(sampleValue(samples, METRIC_NAMES.requests)).toBe(0);
  });

  it('labels every series of a shard with it, so the shards of one job stay apart and carry over only their own', async () => {
    const shard = (index: number) => ({ index, count: 4 });
    const samples = await exposition(anEnd({ shard: shard(2) }));
    for (const sample of samples)
      expect(sample.labels).toMatchObject({ retailer: '7', mode: 'apply', shard: '2-of-4' });
    // Not sharded: no shard label at all.
    expect((await exposition(anEnd())).some((s) => 'shard' in s.labels)).toBe(false);

    const aborted = anEnd({ exitCode: 3, summary: undefined, finishedAt: new Date('2026-03-02T00:00:00.000Z') });
    const fromOtherShard = await exposition({ ...aborted, shard: shard(3) }, samples);
    expect(sampleValue(fromOtherShard, METRIC_NAMES.lastSuccess)).toBeUndefined();
    const fromSameShard = await exposition({ ...aborted, shard: shard(2) }, samples);
    expect(sampleValue(fromSameShard, METRIC_NAMES.lastSuccess)).toBe(finishedAt.getTime() / 1000);
  });

  it('carries over no last success that no run could have had: later than this run, or not a number', async () => {
    const end = anEnd({ exitCode: 2, summary: undefined });
    const planted = (value: number) => [
      { name: METRIC_NAMES.lastSuccess, labels: { retailer: '7', mode: 'apply' }, value },
    ];
    for (const value of [9_999_999_999, Number.NaN, Number.POSITIVE_INFINITY, -1]) {
      expect(
        sampleValue(await exposition(end, planted(value)), METRIC_NAMES.lastSuccess),
        String(value),
      ).toBeUndefined();
    }
    expect(sampleValue(await exposition(end, planted(1_700_000_000)), METRIC_NAMES.lastSuccess)).toBe(1_700_000_000);
  });

  it('labels a validate run without a retailer with an empty retailer, and counts valid rows', async () => {
    const end = anEnd({
      mode: 'validate',
      retailerId: undefined,
      exitCode: 0,
      summary: aSummary({ mode: 'validate', totals: someTotals({ valid: 12 }) }),
    });
    const samples = await exposition(end);
    expect(sampleValue(samples, METRIC_NAMES.rows, { outcome: 'valid', mode: 'validate' })).toBe(12);
    expect(samples.every((s) => s.labels.retailer === '')).toBe(true);
  });
});

describe('parseMetricsText', () => {
  it('reads samples with escaped label values, timestamps and special values, and skips what is not a sample', () => {
    const text = [
      '# HELP a_metric Some help',
      '# TYPE a_metric gauge',
      'a_metric{path="C:\\\\dir",quote="say \\"hi\\"",nl="a\\nb"} 12.5 1700000000000',
      'plain_metric 3',
      'inf_metric{x="y"} +Inf',
      'broken{x="unterminated} 1',
      'no_value{x="y"}',
      '',
    ].join('\n');
    expect(parseMetricsText(text)).toEqual([
      { name: 'a_metric', labels: { path: 'C:\\dir', quote: 'say "hi"', nl: 'a\nb' }, value: 12.5 },
      { name: 'plain_metric', labels: {}, value: 3 },
      { name: 'inf_metric', labels: { x: 'y' }, value: Number.POSITIVE_INFINITY },
    ]);
  });
});
