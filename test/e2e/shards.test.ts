import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/sandbox/startSandbox.js';
import { generateCustomersCsv } from '../helpers/generateCsv.js';
import { runCli, TEST_CREDENTIALS } from '../helpers/runCli.js';
import { makeWorkspace, readCsv, readReport } from '../helpers/workspace.js';

/**
 * One file split across three pods, as the Kubernetes Indexed Job runs it: the shards share one `--rate` budget, a
 * row rejected before it has a username belongs to exactly one shard, and `report --merge` gives one report that
 * reconciles with the whole file.
 */
describe('three shards of one file, merged', () => {
  const ws = makeWorkspace();
  let sandbox: Sandbox;
  /** What the OMS was promised: the sandbox refuses more than this many GraphQL requests in any second. */
  const RATE = 30;
  const GOOD_ROWS = 90;
  // Rows 1-3 have no usable email, so no username: round robin gives one to each shard.
  const csv = generateCustomersCsv(GOOD_ROWS).replace(
    /\n/,
    '\nnot-an-email-1,Bad,One,,yes\nnot-an-email-2,Bad,Two,,yes\nnot-an-email-3,Bad,Three,,yes\n',
  );
  const file = ws.write('customers.csv', csv);
  const ROWS = GOOD_ROWS + 3;
  const seed = ['a', 'b', 'c', 'd', 'e'].map((name) => ({
    retailerId: '1',
    username: `1_left-${name}@example.com`,
    primaryEmail: `left-${name}@example.com`,
  }));
  const shardDir = (k: number) => ws.path('reports', `shard-${k}`);
  const env = () => ({ ...TEST_CREDENTIALS, FLUENT_API_HOST: sandbox.url, FLUENT_RETAILER_ID: '1' });
  const runShard = (k: number) =>
    runCli(
      [
        'sync',
        file,
        '--shard',
        `${k}/3`,
        '--rate',
        String(RATE),
        '--concurrency',
        '4',
        '--checkpoint',
        ws.path('state', `shard-${k}.sqlite`),
        '--report-dir',
        shardDir(k),
        '--report-missing',
      ],
      { env: env() },
    );
  const merge = (dirs: string[], out: string) => runCli(['report', '--merge', ...dirs, '--report-dir', out]);

  const peakPerSecond: number[] = [];
  let results: Awaited<ReturnType<typeof runShard>>[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox({ seed, faults: { rateLimitPerSecond: RATE } });
    // Watch the OMS's request count while the three pods run side by side.
    const counts: { at: number; graphql: number }[] = [];
    const watch = setInterval(() => counts.push({ at: Date.now(), graphql: sandbox.stats().graphql }), 50);
    results = await Promise.all([1, 2, 3].map(runShard));
    clearInterval(watch);
    for (const sample of counts) {
      const before = counts.filter((c) => c.at <= sample.at - 1000).at(-1);
      // Requests per second over the last second or so: a late timer makes the span longer, not the rate higher.
      if (before) peakPerSecond.push((sample.graphql - before.graphql) / ((sample.at - before.at) / 1000));
    }
  }, 120_000);
  afterAll(async () => {
    await sandbox.close();
    ws.remove();
  });

  it('the three pods together stay within --rate: each takes a third, and says so', () => {
    results.forEach((result, i) => {
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toContain(
        `shard ${i + 1}/3: --rate ${RATE} is the budget of all 3 shards, so this one sends at most 10 requests/s`,
      );
    });
    const stats = sandbox.stats();
    expect(stats.graphql).toBeGreaterThan(GOOD_ROWS);
    expect(peakPerSecond.length).toBeGreaterThan(10);
    // A bound with margin for the sampling; three pods at the full rate each get well above it (and many 429s).
    expect(Math.max(...peakPerSecond)).toBeLessThanOrEqual(RATE * 1.15);
    expect(stats.rateLimited / stats.graphql).toBeLessThan(0.03);
  });

  it('a row rejected before it has a username is rejected in one shard and skipped in the others', () => {
    for (const k of [1, 2, 3]) {
      const report = readReport(shardDir(k));
      expect(report.shard).toEqual({ index: k, count: 3, rule: 'fnv1a32-username-else-row' });
      expect(report.totals.read).toBe(ROWS);
      expect(report.totals.rejected).toBe(1);
      const outcomes = readCsv(`${shardDir(k)}/outcomes.csv`);
      expect(outcomes.find((o) => o.row === String(k))?.outcome).toBe('rejected');
      for (const other of [1, 2, 3].filter((n) => n !== k)) {
        expect(outcomes.find((o) => o.row === String(other))).toMatchObject({
          outcome: 'skipped',
          reason: `belongs to shard ${other}/3`,
        });
      }
    }
  });

  it('report --merge gives one report that reconciles with the whole file: every row once, totals that add up', async () => {
    const out = ws.path('reports', 'merged');
    const result = await merge([3, 1, 2].map(shardDir), out);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('merged the reports of 3 shards');

    const report = readReport(out);
    expect(report.totals).toMatchObject({ read: ROWS, created: GOOD_ROWS, rejected: 3, skipped: 0 });
    const sum = Object.entries(report.totals)
      .filter(([kind]) => kind !== 'read')
      .reduce((total, [, n]) => total + n, 0);
    expect(sum).toBe(ROWS);
    expect(report.input).toEqual(readReport(shardDir(1)).input);
    const shardRequests = [1, 2, 3].map((k) => readReport(shardDir(k)).requests.graphql);
    expect(report.requests.graphql).toBe(shardRequests.reduce((a, b) => a + b, 0));

    const outcomes = readCsv(`${out}/outcomes.csv`);
    expect(outcomes.map((o) => Number(o.row))).toEqual(Array.from({ length: ROWS }, (_, i) => i + 1));
    expect(outcomes.some((o) => o.reason?.startsWith('belongs to shard'))).toBe(false);
    expect(new Set(outcomes.filter((o) => o.outcome === 'created').map((o) => o.username)).size).toBe(GOOD_ROWS);

    const rejects = readCsv(`${out}/rejects.csv`);
    expect(rejects.map((r) => r._row)).toEqual(['1', '2', '3']);
    expect(rejects.map((r) => r.primaryEmail)).toEqual(['not-an-email-1', 'not-an-email-2', 'not-an-email-3']);

    // Each shard listed the missing customers of its own usernames: merged, each is there once.
    expect(report.missing).toEqual({ count: seed.length, complete: true });
    const missing = readCsv(`${out}/missing.csv`).map((m) => m.username);
    expect(missing.sort()).toEqual(seed.map((s) => s.username).sort());
    expect(fs.readFileSync(`${out}/report.html`, 'utf8')).toContain('href="missing.csv"');
  });

  it('refuses, naming it, a set with a shard missing, or a shard of another file (exit 2, nothing written)', async () => {
    const partial = await merge([shardDir(1), shardDir(2)], ws.path('reports', 'partial'));
    expect(partial.code).toBe(2);
    expect(partial.stderr).toMatch(/shard 3\/3 is missing/);
    expect(fs.existsSync(ws.path('reports', 'partial'))).toBe(false);

    const other = ws.write('other.csv', generateCustomersCsv(4));
    const odd = ws.path('reports', 'odd');
    const validate = await runCli(['validate', other, '--retailer-id', '1', '--shard', '3/3', '--report-dir', odd]);
    expect(validate.code).toBe(0);
    const mixed = await merge([shardDir(1), shardDir(2), odd], ws.path('reports', 'mixed'));
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain(`${odd} (shard 3/3) is a report of another file`);
    expect(mixed.stderr.trim().split('\n')).toHaveLength(1);
  });
});
