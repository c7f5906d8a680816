import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { type Sandbox, type SandboxOptions, type SeedCustomer, startSandbox } from '../../src/sandbox/startSandbox.js';
import { generateCustomersCsv } from '../helpers/generateCsv.js';
import { runCli, TEST_CREDENTIALS } from '../helpers/runCli.js';
import { makeWorkspace, readCsv, readReport } from '../helpers/workspace.js';

/**
 * An OMS that behaves as Fluent's documentation allows but does not say (SPEC §1, §6), tried as a new user would: the
 * real CLI against a sandbox set to behave that way. Each run must end right, and every outcome the report claims
 * must be what the sandbox holds.
 */
const ws = makeWorkspace('cs-variants-');
const sandboxes: Sandbox[] = [];
afterAll(async () => {
  await Promise.all(sandboxes.map((s) => s.close()));
  ws.remove();
});
const aSandbox = async (options: SandboxOptions) => {
  const sandbox = await startSandbox(options);
  sandboxes.push(sandbox);
  return sandbox;
};
let runs = 0;

async function sync(sandbox: Sandbox, file: string, args: string[], env: Record<string, string> = {}) {
  const name = `run${++runs}`;
  const reportDir = ws.path(name, 'report');
  const started = Date.now();
  const result = await runCli(
    ['sync', file, '--checkpoint', ws.path(name, 'cp.sqlite'), '--report-dir', reportDir, ...args],
    { env: { ...TEST_CREDENTIALS, FLUENT_API_HOST: sandbox.url, FLUENT_RETAILER_ID: '1', ...env } },
  );
  return { ...result, reportDir, ms: Date.now() - started };
}

/** Every row the report says was created is held by the sandbox as the file gave it, and nothing else was made. */
function expectCreatedAsClaimed(sandbox: Sandbox, reportDir: string, rows: number) {
  const outcomes = readCsv(`${reportDir}/outcomes.csv`);
  expect(outcomes.filter((o) => o.outcome === 'created')).toHaveLength(rows);
  const held = new Map(sandbox.customers().map((c) => [c.username, c]));
  expect(held.size).toBe(rows);
  for (const outcome of outcomes) {
    const i = Number(outcome.row);
    expect(held.get(outcome.username ?? ''), outcome.username).toMatchObject({
      retailerId: '1',
      primaryEmail: `user${i}@example.com`,
      firstName: `First${i}`,
    });
  }
}

describe('refusals for the rate, whatever their shape', () => {
  it('a penalty box without Retry-After, --rate 200: every customer created, not exit 3, in bounded time', async () => {
    // Once over 40 req/s, everything is refused for 2 s (the box lasted 20 s: the client's budget is minutes).
    const sandbox = await aSandbox({
      faults: { rateLimitPerSecond: 40 },
      rateLimitShape: 'penalty',
      penaltyMs: 2_000,
      noRetryAfter: true,
    });
    const file = ws.write('penalty.csv', generateCustomersCsv(150));

    const result = await sync(sandbox, file, ['--rate', '200', '--concurrency', '8']);

    expect(result.stderr).not.toMatch(/could not be reached|unexpected error/);
    expect(result.code).toBe(0);
    const report = readReport(result.reportDir);
    expect(report.totals).toMatchObject({ read: 150, created: 150, failed: 0, skipped: 0 });
    expectCreatedAsClaimed(sandbox, result.reportDir, 150);
    expect(sandbox.stats().rateLimited).toBeGreaterThan(0);
    expect(report.requests.rateLimited).toBe(sandbox.stats().rateLimited);
    // The box is met by the requests in flight when it shut (8) and a few probes, not by each request's own retries,
    // and the rate learnt keeps the run out of it afterwards.
    expect(report.requests.rateLimited).toBeLessThanOrEqual(24);
    // ~4 s at 36/s, plus at least one box; far from the 10 minutes a run gives refusals.
    expect(result.ms).toBeLessThan(45_000);
  });

  it('the code only at the start of the message ("C0011E Rate limit exceeded", HTTP 200): retried, all created', async () => {
    const sandbox = await aSandbox({
      faults: { rateLimitPerSecond: 30 },
      rateLimitAsError: true,
      bareErrorCodes: true,
    });
    const file = ws.write('bare.csv', generateCustomersCsv(80));

    const result = await sync(sandbox, file, ['--rate', '120', '--concurrency', '8']);

    expect(result.stderr).not.toMatch(/unexpected error|please report/);
    expect(result.code).toBe(0);
    const report = readReport(result.reportDir);
    expect(report.totals).toMatchObject({ read: 80, created: 80, failed: 0, skipped: 0 });
    expectCreatedAsClaimed(sandbox, result.reportDir, 80);
    expect(sandbox.stats().rateLimited).toBeGreaterThan(0);
    expect(report.requests.rateLimited).toBe(sandbox.stats().rateLimited);
  });

  it('--rate auto against a token bucket of 50/s (burst 50): few refusals, every customer once', async () => {
    const sandbox = await aSandbox({ faults: { rateLimitPerSecond: 50 }, rateLimitShape: 'bucket' });
    const file = ws.write('bucket.csv', generateCustomersCsv(250));

    const result = await sync(sandbox, file, ['--concurrency', '8'], { FLUENT_RATE: 'auto' });

    expect(result.code).toBe(0);
    const report = readReport(result.reportDir);
    expect(report.totals).toMatchObject({ read: 250, created: 250, failed: 0 });
    expectCreatedAsClaimed(sandbox, result.reportDir, 250);
    const { graphql, rateLimited } = report.requests;
    expect(rateLimited).toBe(sandbox.stats().rateLimited);
    // SPEC §5's goal, 3%, is for a long run (npm run bench measures it); a run this short is mostly the climb to the
    // limit, whose one overrun a bucket's burst hides for a while, and the machine is shared.
    expect(rateLimited / graphql).toBeLessThan(0.1);
    expect(report.requests.effectiveRate).toBeLessThanOrEqual(51);
  });
});

describe('paging as the real API may answer, with --report-missing', () => {
  // Three pages of the account-wide listing and more, so the third page can misbehave. The client asks for Fluent's
  // largest page (5000); an account that clamps `first` to 100 plays the same pages with a small seed.
  const PAGE = 100;
  const extra = 3 * PAGE + 40;
  const seed: SeedCustomer[] = [
    { retailerId: '1', username: '1_user1@example.com', primaryEmail: 'user1@example.com', firstName: 'First1' },
    { retailerId: '1', username: '1_user2@example.com', primaryEmail: 'user2@example.com', firstName: 'First2' },
  ];
  for (let i = 1; i <= extra; i++) seed.push({ retailerId: '1', username: `1_gone${i}@example.com` });
  const missingOf = (reportDir: string) => readCsv(`${reportDir}/missing.csv`).map((m) => m.username ?? '');

  it('repeated edges are listed once; a cursor that does not advance ends the list, marked incomplete, not failed', async () => {
    const file = ws.write('paged.csv', generateCustomersCsv(3));

    const repeating = await aSandbox({ seed, pageFaults: 'repeat', maxFirst: PAGE });
    const whole = await sync(repeating, file, ['--rate', '500', '--report-missing']);
    expect(whole.code).toBe(0);
    expect(readReport(whole.reportDir).missing).toEqual({ count: extra, complete: true });
    const listed = missingOf(whole.reportDir);
    expect(listed).toHaveLength(extra);
    expect(new Set(listed).size).toBe(extra);

    const stalling = await aSandbox({ seed, pageFaults: 'stall', maxFirst: PAGE });
    const cut = await sync(stalling, file, ['--rate', '500', '--report-missing']);
    expect(cut.code).toBe(0);
    expect(cut.stderr).toContain(
      'missing.csv may be incomplete: Fluent said more customers follow but gave no new cursor',
    );
    const report = readReport(cut.reportDir);
    expect(report.status).toBe('completed');
    expect(report.totals).toMatchObject({ read: 3, unchanged: 0, updated: 2, created: 1, failed: 0 });
    const partial = missingOf(cut.reportDir);
    expect(report.missing).toEqual({
      count: partial.length,
      complete: false,
      reason: 'Fluent said more customers follow but gave no new cursor to page with',
    });
    // What it lists is right: each once, each held by the OMS and by no row of the file.
    expect(new Set(partial).size).toBe(partial.length);
    expect(partial.length).toBeGreaterThan(2 * PAGE);
    expect(partial.length).toBeLessThan(extra);
    const held = new Set(stalling.customers().map((c) => c.username));
    for (const username of partial) {
      expect(held.has(username)).toBe(true);
      expect(username).toMatch(/^1_gone\d+@example\.com$/);
    }
    expect(fs.readFileSync(`${cut.reportDir}/report.html`, 'utf8')).toContain('the listing ended early');
  });
});
