import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { type Sandbox, type SandboxOptions, startSandbox } from '../../src/sandbox/startSandbox.js';
import { generateCustomersCsv } from '../helpers/generateCsv.js';
import { runCli, TEST_CREDENTIALS } from '../helpers/runCli.js';
import { makeWorkspace, readReport } from '../helpers/workspace.js';

/**
 * Fluent does not document its rate limit, so a user cannot know the right `--rate`. The real CLI against a sandbox
 * whose limit it is not told: `--rate auto` finds it, a `--rate` set too high comes down to it, and the report's
 * chart shows the rate over the run. Bounds have wide margins: the machine is shared and timing varies.
 */
const ws = makeWorkspace('cs-rate-');
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
let runs = 0;

async function sync(sandbox: Sandbox, rows: number, args: string[], env: Record<string, string> = {}) {
  const name = `run${++runs}`;
  const reportDir = ws.path(name, 'report');
  const result = await runCli(
    [
      'sync',
      ws.write(`${name}.csv`, generateCustomersCsv(rows)),
      '--checkpoint',
      ws.path(name, 'cp.sqlite'),
      '--report-dir',
      reportDir,
      ...args,
    ],
    { env: { ...TEST_CREDENTIALS, FLUENT_API_HOST: sandbox.url, FLUENT_RETAILER_ID: '1', ...env } },
  );
  return { ...result, reportDir };
}

describe('the request rate against an OMS whose limit is not told', () => {
  it('--rate auto (from FLUENT_RATE) finds a limit of 50/s: every customer once, few refusals, the rate in the chart', async () => {
    const sandbox = await aSandbox({ faults: { rateLimitPerSecond: 50 } });

    const result = await sync(sandbox, 200, ['--concurrency', '8'], { FLUENT_RATE: 'auto' });

    expect(result.code).toBe(0);
    const report = readReport(result.reportDir);
    expect((report.options as { rate?: unknown }).rate).toBe('auto');
    expect(report.totals).toMatchObject({ read: 200, created: 200, failed: 0 });
    expect(sandbox.customers()).toHaveLength(200);
    const { graphql, rateLimited, effectiveRate } = report.requests;
    expect(rateLimited).toBe(sandbox.stats().rateLimited);
    expect(rateLimited / graphql).toBeLessThan(0.1);
    // Starting at 10/s it climbs: a run held at its start rate could not average more than 10/s.
    expect(effectiveRate).toBeGreaterThan(15);
    expect(effectiveRate).toBeLessThanOrEqual(51);
    const html = fs.readFileSync(`${result.reportDir}/report.html`, 'utf8');
    expect(html).toContain('requests/s sent');
    expect(html).toContain('rate allowed');
  });

  it('--rate 4× too high comes down to the limit: few refusals, no failed row', async () => {
    const sandbox = await aSandbox({ faults: { rateLimitPerSecond: 30 } });

    const result = await sync(sandbox, 120, ['--rate', '120', '--concurrency', '8']);

    expect(result.code).toBe(0);
    const report = readReport(result.reportDir);
    expect(report.totals).toMatchObject({ read: 120, created: 120, failed: 0 });
    expect(report.requests.rateLimited / report.requests.graphql).toBeLessThan(0.1);
    expect(report.requests.effectiveRate).toBeLessThanOrEqual(31);
  });

  it('--rate fast is refused with one line naming auto (exit 2), before any request', async () => {
    const sandbox = await aSandbox();
    const result = await sync(sandbox, 3, ['--rate', 'fast']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      'error: --rate must be a number of requests per second from 0.01 to 10000 (or auto), got "fast"',
    );
    expect(sandbox.stats().graphql).toBe(0);
  });
});
