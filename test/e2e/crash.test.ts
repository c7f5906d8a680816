import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/sandbox/startSandbox.js';
import { generateCustomersCsv } from '../helpers/generateCsv.js';
import { runCli, TEST_CREDENTIALS } from '../helpers/runCli.js';
import { makeWorkspace, readCsv, readReport } from '../helpers/workspace.js';

/**
 * Crash and resume: the CLI is killed with SIGKILL mid-apply, twice, then run again with the same command. Every
 * customer must exist exactly once and the final report must account for the whole file.
 */
describe('kill -9 mid-apply, then the same command again', () => {
  const ws = makeWorkspace();
  const ROWS = 300;
  let sandbox: Sandbox;
  beforeAll(async () => {
    // Latency and a cut now and then keep mutations in flight at the moment of the kill.
    sandbox = await startSandbox({ faults: { latencyMs: 15, cutAfterCommitRate: 0.02, seed: 3 } });
  });
  afterAll(async () => {
    await sandbox.close();
    ws.remove();
  });

  const file = () => ws.write('customers.csv', generateCustomersCsv(ROWS));
  const sync = (name: string, onSpawn?: (pid: number) => void) =>
    runCli(['sync', file(), '--checkpoint', ws.path('cp.sqlite'), '--report-dir', ws.path(name), '--rate', '400'], {
      env: { ...TEST_CREDENTIALS, FLUENT_API_HOST: sandbox.url, FLUENT_RETAILER_ID: '1' },
      onSpawn,
    });

  /** Starts a run and SIGKILLs it once the sandbox has applied `after` more mutations. */
  const killAfter = async (name: string, after: number) => {
    const start = sandbox.stats().mutations;
    let pid = 0;
    const running = sync(name, (p) => {
      pid = p;
    });
    const timer = setInterval(() => {
      if (pid && sandbox.stats().mutations - start >= after) process.kill(pid, 'SIGKILL');
    }, 2);
    const result = await running.finally(() => clearInterval(timer));
    expect(result.signal).toBe('SIGKILL');
  };

  it('finishes the job with every customer exactly once', async () => {
    await killAfter('first', 60);
    await killAfter('second', 80);
    const applied = sandbox.stats().mutations;
    expect(applied).toBeGreaterThanOrEqual(140);
    expect(applied).toBeLessThan(ROWS);

    const result = await sync('final');
    expect(result.code).toBe(0);
    const usernames = sandbox.customers().map((c) => c.username);
    expect(usernames).toHaveLength(ROWS);
    expect(new Set(usernames).size).toBe(ROWS);
    expect(sandbox.stats().creates).toBe(ROWS);

    const report = readReport(ws.path('final'));
    expect(report.totals.read).toBe(ROWS);
    expect(report.totals.created + report.totals.unchanged).toBe(ROWS);
    expect(report.totals.failed).toBe(0);
    const outcomes = readCsv(ws.path('final', 'outcomes.csv'));
    const resumed = outcomes.filter((o) => o.outcome === 'unchanged');
    expect(resumed.length).toBe(applied);
    expect(resumed.every((o) => /^applied by run \S+/.test(o.reason ?? ''))).toBe(true);
    expect(new Set(resumed.map((o) => o.reason)).size).toBe(2);
  });
});
