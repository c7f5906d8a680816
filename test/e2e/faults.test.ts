import { afterEach, describe, expect, it } from 'vitest';
import { loadSeed } from '../../src/sandbox/loadSeed.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/startSandbox.js';
import { generateCustomersCsv } from '../helpers/generateCsv.js';
import { runCli, TEST_CREDENTIALS } from '../helpers/runCli.js';
import { fixture, makeWorkspace, readCsv, readReport } from '../helpers/workspace.js';

/**
 * The nightly job on a bad night: throttling, 5xx answers, connections cut after a mutation was applied and
 * tokens that expire every 2 s. The OMS must still end up exactly right, with no row wrongly `failed`.
 */
const FAULTS = {
  random429Rate: 0.04,
  random5xxRate: 0.04,
  cutAfterCommitRate: 0.03,
  random5xxAfterCommitRate: 0.02,
  tokenLifetimeSeconds: 2,
  issueRefreshTokens: true,
  seed: 7,
};

describe('a sync through a faulty OMS', () => {
  const ws = makeWorkspace();
  let sandbox: Sandbox | undefined;
  afterEach(async () => {
    await sandbox?.close();
  });

  const sync = (url: string, file: string, name: string, ...extra: string[]) =>
    runCli(
      ['sync', file, '--checkpoint', ws.path(name, 'cp.sqlite'), '--report-dir', ws.path(name, 'report'), ...extra],
      { env: { ...TEST_CREDENTIALS, FLUENT_API_HOST: url, FLUENT_RETAILER_ID: '1' } },
    );

  it('the legacy fixture lands exactly as on a good night', async () => {
    const calm = await startSandbox({ seed: loadSeed(fixture('sandbox-seed.json')) });
    const args = ['--mapping', fixture('legacy-crm-mapping.json'), '--default-country', 'AU', '--rate', '100'];
    await sync(calm.url, fixture('legacy-crm-export.csv'), 'calm', ...args);
    const comparable = (list: Sandbox) =>
      list
        .customers()
        .map(({ id, createdOn, updatedOn, ...rest }) => rest)
        .sort((a, b) => `${a.retailerId}/${a.username}`.localeCompare(`${b.retailerId}/${b.username}`));
    const expected = comparable(calm);
    await calm.close();

    sandbox = await startSandbox({ seed: loadSeed(fixture('sandbox-seed.json')), faults: FAULTS });
    const result = await sync(sandbox.url, fixture('legacy-crm-export.csv'), 'stormy', ...args);
    expect(result.code).toBe(1);
    const report = readReport(ws.path('stormy', 'report'));
    expect(report.totals).toMatchObject({ read: 23, created: 9, updated: 2, failed: 0 });
    expect(comparable(sandbox)).toEqual(expected);
  });

  it('400 customers through ~4% 429s, ~4% 5xx, ~3% cuts after commit and 2 s tokens: each exactly once', async () => {
    sandbox = await startSandbox({ faults: { ...FAULTS, latencyMs: 5 } });
    const file = ws.write('many.csv', generateCustomersCsv(400));
    const result = await sync(sandbox.url, file, 'many', '--rate', '150', '--concurrency', '8');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.code).toBe(0);
    const report = readReport(ws.path('many', 'report'));
    expect(report.totals).toMatchObject({ read: 400, created: 400, failed: 0 });
    expect(report.requests.retries).toBeGreaterThan(0);
    expect(report.requests.rateLimited).toBeGreaterThan(0);
    const stats = sandbox.stats();
    expect(stats.cutConnections).toBeGreaterThan(0);
    expect(stats.serverErrors).toBeGreaterThan(0);
    expect(stats.tokenGrants + stats.refreshGrants).toBeGreaterThan(1);
    const usernames = sandbox.customers().map((c) => c.username);
    expect(usernames).toHaveLength(400);
    expect(new Set(usernames).size).toBe(400);
    const confirmed = readCsv(ws.path('many', 'report', 'outcomes.csv')).filter((o) =>
      /lost response/.test(o.reason ?? ''),
    );
    expect(confirmed.length).toBeGreaterThan(0);
    expect(confirmed.every((o) => o.outcome === 'created')).toBe(true);
  });

  it('too many refused rows stop the run with exit 3; once the cause is fixed, the same command finishes the job', async () => {
    sandbox = await startSandbox({ faults: { refuseMutationRate: 0.3, seed: 11 } });
    const file = ws.write('refused.csv', generateCustomersCsv(400));
    const args = ['sync', file, '--checkpoint', ws.path('refused', 'cp.sqlite'), '--rate', '300'];
    const env = { ...TEST_CREDENTIALS, FLUENT_API_HOST: sandbox.url, FLUENT_RETAILER_ID: '1' };
    const first = await runCli([...args, '--report-dir', ws.path('refused', 'first')], { env });
    expect(first.code).toBe(3);
    expect(first.stderr).toMatch(/rows failed .* over --max-error-rate 5\.0%/);
    const partial = readReport(ws.path('refused', 'first'));
    expect(partial.status).toBe('aborted');
    expect(partial.totals.read).toBe(400);
    expect(partial.totals.failed).toBeGreaterThan(0);
    expect(partial.totals.skipped).toBeGreaterThan(0);
    const failedRow = readCsv(ws.path('refused', 'first', 'outcomes.csv')).find((o) => o.outcome === 'failed');
    expect(failedRow?.reason).toMatch(/refused by a data rule/);
    const rejects = readCsv(ws.path('refused', 'first', 'rejects.csv'));
    expect(rejects).toHaveLength(partial.totals.failed);

    sandbox.setFaults({});
    const second = await runCli([...args, '--report-dir', ws.path('refused', 'second')], { env });
    expect(second.code).toBe(0);
    expect(readReport(ws.path('refused', 'second')).totals).toMatchObject({
      read: 400,
      created: 400 - partial.totals.created,
      unchanged: partial.totals.created,
    });
    expect(sandbox.customers()).toHaveLength(400);
  });

  it('updates whose answers are lost are confirmed by lookup and recorded once, as updated', async () => {
    const seed = Array.from({ length: 100 }, (_, i) => ({
      retailerId: '1',
      username: `1_user${i + 1}@example.com`,
      primaryEmail: `user${i + 1}@example.com`,
      firstName: `First${i + 1}`,
      lastName: 'Stale',
      promotionOptIn: (i + 1) % 2 === 0,
    }));
    sandbox = await startSandbox({ seed, faults: { cutAfterCommitRate: 0.3, random5xxAfterCommitRate: 0.2, seed: 9 } });
    const file = ws.write('stale.csv', generateCustomersCsv(100, { lastName: 'Fresh' }));
    const result = await sync(sandbox.url, file, 'stale', '--rate', '200');
    expect(result.code).toBe(0);
    const report = readReport(ws.path('stale', 'report'));
    expect(report.totals).toMatchObject({ read: 100, updated: 100, failed: 0, created: 0 });
    const outcomes = readCsv(ws.path('stale', 'report', 'outcomes.csv'));
    expect(
      outcomes.filter((o) => /confirmed by lookup after a lost response/.test(o.reason ?? '')).length,
    ).toBeGreaterThan(10);
    // One diff line per changed field, however many times the update was sent.
    const diff = readCsv(ws.path('stale', 'report', 'diff.csv'));
    expect(diff.filter((d) => d.field === 'lastName')).toHaveLength(100);
    expect(sandbox.customers().every((c) => c.lastName === 'Fresh')).toBe(true);
    expect(sandbox.customers()).toHaveLength(100);
  });
});
