import { afterAll, describe, expect, it } from 'vitest';
import { type Sandbox, type SandboxOptions, startSandbox } from '../../src/sandbox/startSandbox.js';
import { generateCustomersCsv } from '../helpers/generateCsv.js';
import { runCli, TEST_CREDENTIALS } from '../helpers/runCli.js';
import { makeWorkspace, readCsv, readReport } from '../helpers/workspace.js';

/**
 * `--batch N` end to end: the real CLI against the sandbox, creates and updates aliased N to a request. Whatever the
 * OMS does to a batch — cuts the connection or answers 5xx after applying it, refuses one alias by a data rule,
 * refuses the whole request, denies a permission — every customer is written exactly once and the report accounts
 * for every row.
 */
const ws = makeWorkspace('cs-batch-');
const sandboxes: Sandbox[] = [];
afterAll(async () => {
  await Promise.all(sandboxes.map((s) => s.close()));
  ws.remove();
});
const aSandbox = async (options: SandboxOptions = {}) => {
  const sandbox = await startSandbox(options);
  sandboxes.push(sandbox);
  return sandbox;
};
const lines = (text: string) => text.trim().split('\n').filter(Boolean);
let runs = 0;

/** `sync` of `csv` against `sandbox`; a fresh checkpoint unless `checkpoint` names one to reuse. */
async function sync(sandbox: Sandbox, csv: string, args: string[] = [], checkpoint?: string) {
  const name = `run${++runs}`;
  const reportDir = ws.path(name, 'report');
  const result = await runCli(
    [
      'sync',
      ws.write(`${name}.csv`, csv),
      '--checkpoint',
      checkpoint ?? ws.path(name, 'cp.sqlite'),
      '--report-dir',
      reportDir,
      ...args,
    ],
    { env: { ...TEST_CREDENTIALS, FLUENT_API_HOST: sandbox.url, FLUENT_RETAILER_ID: '1' } },
  );
  return { ...result, reportDir };
}

/** The sandbox's customers, each username once: a username held twice would be a customer created twice. */
function usernamesOf(sandbox: Sandbox): string[] {
  const usernames = sandbox.customers().map((c) => c.username);
  expect(new Set(usernames).size).toBe(usernames.length);
  return usernames;
}

/** report.json's totals add up to the rows read, and outcomes.csv holds each row once. */
function expectReconciled(reportDir: string, rows: number) {
  const report = readReport(reportDir);
  const { read, ...outcomes } = report.totals;
  expect(read).toBe(rows);
  expect(Object.values(outcomes).reduce((a, b) => a + b, 0)).toBe(rows);
  const outcomeLines = readCsv(`${reportDir}/outcomes.csv`);
  expect(outcomeLines.map((o) => Number(o.row))).toEqual(Array.from({ length: rows }, (_, i) => i + 1));
  return { report, outcomes: outcomeLines };
}

describe('sync --batch', () => {
  it('imports 400 customers in batches of 25 through cuts and 5xx after commit: each exactly once, report reconciled', async () => {
    const sandbox = await aSandbox({ faults: { cutAfterCommitRate: 0.15, random5xxAfterCommitRate: 0.1, seed: 5 } });
    const csv = generateCustomersCsv(400);
    const checkpoint = ws.path('cuts', 'cp.sqlite');

    const result = await sync(sandbox, csv, ['--batch', '25', '--rate', '500'], checkpoint);

    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.code).toBe(0);
    const { report, outcomes } = expectReconciled(result.reportDir, 400);
    expect(report.totals).toMatchObject({ created: 400, failed: 0 });
    expect(usernamesOf(sandbox)).toHaveLength(400);
    const stats = sandbox.stats();
    expect(stats.cutConnections + stats.serverErrors).toBeGreaterThan(0);
    // Applied before the answer was lost, confirmed by the one lookup, and counted once as created.
    const confirmed = outcomes.filter((o) => /confirmed by lookup after a lost response/.test(o.reason ?? ''));
    expect(confirmed.length).toBeGreaterThan(0);
    expect(confirmed.every((o) => o.outcome === 'created')).toBe(true);
    // Batched: far fewer mutation requests than rows (16 full batches, plus resends of what was not applied).
    expect(stats.graphql - stats.queries).toBeLessThan(60);
    expect(stats.creates).toBe(400);
    // One diff line per field of each new customer, however often its batch was sent.
    const diffUsernames = new Set(readCsv(`${result.reportDir}/diff.csv`).map((d) => d.username));
    expect(diffUsernames.size).toBe(400);

    // The nightly re-run: nothing to send.
    sandbox.setFaults({});
    const before = sandbox.stats();
    const rerun = await sync(sandbox, csv, ['--batch', '25'], checkpoint);
    expect(rerun.code).toBe(0);
    expect(readReport(rerun.reportDir).totals).toMatchObject({ read: 400, unchanged: 400 });
    expect(sandbox.stats().mutations - before.mutations).toBe(0);
  });

  it('updates whose batch answers are lost are confirmed by one lookup per batch and recorded once, as updated', async () => {
    const seed = Array.from({ length: 100 }, (_, i) => ({
      retailerId: '1',
      username: `1_user${i + 1}@example.com`,
      primaryEmail: `user${i + 1}@example.com`,
      firstName: `First${i + 1}`,
      lastName: 'Stale',
      promotionOptIn: (i + 1) % 2 === 0,
    }));
    const sandbox = await aSandbox({
      seed,
      faults: { cutAfterCommitRate: 0.3, random5xxAfterCommitRate: 0.2, seed: 9 },
    });

    const result = await sync(sandbox, generateCustomersCsv(100, { lastName: 'Fresh' }), ['--batch', '10']);

    expect(result.code).toBe(0);
    const { report, outcomes } = expectReconciled(result.reportDir, 100);
    expect(report.totals).toMatchObject({ updated: 100, created: 0, failed: 0 });
    expect(
      outcomes.filter((o) => /confirmed by lookup after a lost response/.test(o.reason ?? '')).length,
    ).toBeGreaterThan(10);
    const diff = readCsv(`${result.reportDir}/diff.csv`);
    expect(diff.filter((d) => d.field === 'lastName')).toHaveLength(100);
    expect(sandbox.customers().every((c) => c.lastName === 'Fresh')).toBe(true);
    expect(usernamesOf(sandbox)).toHaveLength(100);
  });

  it('a data rule refusing some usernames fails those rows alone, with Fluent reason; the rest of each batch is applied', async () => {
    // user3@, user30@ … user39@, user300@…: refused one alias at a time.
    const sandbox = await aSandbox({ faults: { refuseUsernamePattern: '^1_user3\\d*@' } });

    const result = await sync(sandbox, generateCustomersCsv(60), ['--batch', '20']);

    expect(result.code).toBe(1);
    const { report, outcomes } = expectReconciled(result.reportDir, 60);
    const refused = outcomes.filter((o) => /^1_user3\d*@/.test(o.username ?? ''));
    expect(refused).toHaveLength(11);
    for (const row of refused) {
      expect(row.outcome).toBe('failed');
      expect(row.reason).toMatch(/Fluent refused the create: C0160E: .*refused by a data rule/);
    }
    expect(report.totals).toMatchObject({ created: 49, failed: 11 });
    expect(usernamesOf(sandbox)).toHaveLength(49);
    expect(readCsv(`${result.reportDir}/rejects.csv`)).toHaveLength(11);
    // Three requests, not 60: batches are filled from one lookup of the 60 rows (20, 20 and 20), and the refusals did
    // not break them up.
    expect(sandbox.stats().graphql - sandbox.stats().queries).toBe(3);
  });

  it('a lost answer to a batch that was applied in part: the lookup finds what was applied, only the rest is sent again', async () => {
    const seed = Array.from({ length: 40 }, (_, i) => ({
      retailerId: '1',
      username: `1_user${i + 1}@example.com`,
      primaryEmail: `user${i + 1}@example.com`,
      lastName: 'Stale',
    }));
    const sandbox = await aSandbox({
      seed,
      faults: { refuseUsernamePattern: '^1_user(7|17)@', cutAfterCommitRate: 0.5, random5xxRate: 0.1, seed: 21 },
    });

    const result = await sync(sandbox, generateCustomersCsv(40, { lastName: 'Fresh' }), ['--batch', '20']);

    expect(result.code).toBe(1);
    const { report, outcomes } = expectReconciled(result.reportDir, 40);
    expect(report.totals).toMatchObject({ updated: 38, failed: 2 });
    const failed = outcomes.filter((o) => o.outcome === 'failed').map((o) => o.username);
    expect(failed.sort()).toEqual(['1_user17@example.com', '1_user7@example.com']);
    expect(outcomes.filter((o) => /confirmed by lookup/.test(o.reason ?? '')).length).toBeGreaterThan(0);
    expect(sandbox.stats().cutConnections).toBeGreaterThan(0);
    // Each update applied once: the rows a cut batch had applied were confirmed by the lookup, not sent again.
    expect(sandbox.stats().updates).toBe(38);
    expect(sandbox.customers().filter((c) => c.lastName === 'Fresh')).toHaveLength(38);
  });

  it('a batch the OMS refuses as a whole is sent again row by row, and each row ends with its own answer', async () => {
    const sandbox = await aSandbox({ faults: { refuseMutationRate: 0.25, seed: 3 } });

    const result = await sync(sandbox, generateCustomersCsv(80), ['--batch', '10', '--max-error-rate', '1']);

    const { report, outcomes } = expectReconciled(result.reportDir, 80);
    expect(report.totals.created + report.totals.failed).toBe(80);
    expect(usernamesOf(sandbox)).toHaveLength(report.totals.created);
    for (const row of outcomes.filter((o) => o.outcome === 'failed')) expect(row.reason).toMatch(/data rule/);
    // At least one batch was refused whole, and its rows went one by one: more requests than the 8 batches.
    const stats = sandbox.stats();
    expect(stats.refusedMutations).toBeGreaterThan(0);
    expect(stats.graphql - stats.queries).toBeGreaterThan(8);
  });

  it('a permission missing for the updates stops the run (exit 3), with the creates of the same batch recorded', async () => {
    const seed = Array.from({ length: 30 }, (_, i) => ({
      retailerId: '1',
      username: `1_user${2 * i + 2}@example.com`,
      primaryEmail: `user${2 * i + 2}@example.com`,
      lastName: 'Stale',
    }));
    // USER_VIEW missing too, so the preflight cannot see the gap and the first batch meets it.
    const sandbox = await aSandbox({ seed, missingPermissions: ['USER_VIEW', 'CUSTOMER_UPDATE'] });

    const result = await sync(sandbox, generateCustomersCsv(60), ['--batch', '20', '--concurrency', '1']);

    expect(result.code).toBe(3);
    expect(lines(result.stderr).at(-1)).toMatch(/^error: .*lacks the permission CUSTOMER_UPDATE/);
    const { report } = expectReconciled(result.reportDir, 60);
    expect(report.status).toBe('aborted');
    // The batch's creates were applied: each is recorded as created, none left to create twice.
    expect(report.totals.created).toBe(sandbox.stats().creates);
    expect(report.totals.created).toBeGreaterThan(0);
    expect(report.totals).toMatchObject({ updated: 0, failed: 0 });
  });

  it('a dry run with --batch sends no mutation', async () => {
    const sandbox = await aSandbox();
    const result = await sync(sandbox, generateCustomersCsv(30), ['--batch', '10', '--dry-run']);
    expect(result.code).toBe(0);
    expect(readReport(result.reportDir).totals.created).toBe(30);
    expect(sandbox.stats().mutations).toBe(0);
  });

  // A number out of range, and no number at all; 0 and 2.5 are refused by the same check in resolveOptions.test.ts.
  for (const value of ['51', 'many']) {
    it(`--batch ${value} is refused with one line before any request (exit 2)`, async () => {
      const sandbox = await aSandbox();
      const result = await sync(sandbox, generateCustomersCsv(3), ['--batch', value]);
      expect(result.code).toBe(2);
      const allowed =
        value === 'many' ? /^error: --batch must be a / : /^error: --batch must be a whole number from 1 to 50/;
      expect(lines(result.stderr)).toEqual([expect.stringMatching(allowed)]);
      expect(sandbox.stats().graphql).toBe(0);
    });
  }
});

describe('doctor --batch', () => {
  it('tries two aliased lookups in one request and writes nothing', async () => {
    const sandbox = await aSandbox();
    const result = await runCli(['doctor', '--api-host', sandbox.url, '--retailer-id', '1', '--batch', '25'], {
      env: TEST_CREDENTIALS,
    });
    expect(result.code).toBe(0);
    expect(lines(result.stdout)).toContainEqual(
      expect.stringMatching(/^ok\s+batch\s+.*two aliased lookups.*--batch 25/),
    );
    expect(sandbox.stats().mutations).toBe(0);
  });

  it('says nothing of batches without --batch', async () => {
    const sandbox = await aSandbox();
    const result = await runCli(['doctor', '--api-host', sandbox.url, '--retailer-id', '1'], { env: TEST_CREDENTIALS });
    expect(result.stdout).not.toMatch(/batch/);
  });
});
