import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRIC_NAMES } from '../../src/ops/buildMetrics.js';
import { type MetricSample, parseMetricsText } from '../../src/ops/parseMetricsText.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/startSandbox.js';
import { type StubServer, startStubServer } from '../fluent/stubServer.js';
import { generateCustomersCsv } from '../helpers/generateCsv.js';
import { runCli, TEST_CREDENTIALS } from '../helpers/runCli.js';
import { makeWorkspace, readReport } from '../helpers/workspace.js';

/**
 * The ops team's nightly cron job: every run, finished or not, leaves metrics for node_exporter's textfile collector
 * and posts a summary to the team's chat webhook; an alert on the last success keeps working through a failed night.
 */
describe('end-of-run hooks of a nightly run', () => {
  const ws = makeWorkspace();
  let sandbox: Sandbox;
  let hook: StubServer;
  let gateway: StubServer;
  /** Chat webhooks carry their secret in the path: it must never show anywhere. */
  const hookPath = '/services/T0001/B0002/xoxb-hook-secret-51ac';
  const metricsFile = ws.path('textfile', 'customer_sync.prom');
  const file = ws.write('nightly.csv', `${generateCustomersCsv(12)}not-an-email,Bad,Row,,yes\n`);

  const sync = (reportDir: string, env: Record<string, string> = {}) =>
    runCli(
      [
        'sync',
        file,
        '--checkpoint',
        ws.path('state', 'cp.sqlite'),
        '--report-dir',
        ws.path(reportDir),
        '--metrics-file',
        metricsFile,
        '--notify-url',
        `${hook.url}${hookPath}`,
        '--rate',
        '200',
      ],
      {
        env: {
          ...TEST_CREDENTIALS,
          FLUENT_API_HOST: sandbox.url,
          FLUENT_RETAILER_ID: '3',
          FLUENT_PUSHGATEWAY: gateway.url,
          ...env,
        },
      },
    );
  const metrics = (): MetricSample[] => parseMetricsText(fs.readFileSync(metricsFile, 'utf8'));
  const metric = (name: string, outcome?: string) =>
    metrics().find((s) => s.name === name && (outcome === undefined || s.labels.outcome === outcome));

  beforeAll(async () => {
    fs.mkdirSync(ws.path('textfile'));
    sandbox = await startSandbox({
      credentials: {
        clientId: TEST_CREDENTIALS.FLUENT_CLIENT_ID,
        clientSecret: TEST_CREDENTIALS.FLUENT_CLIENT_SECRET,
        username: TEST_CREDENTIALS.FLUENT_USERNAME,
        password: TEST_CREDENTIALS.FLUENT_PASSWORD,
      },
    });
    hook = await startStubServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
    gateway = await startStubServer((_request, response) => {
      response.writeHead(200).end();
    });
  });
  afterAll(async () => {
    await Promise.all([sandbox.close(), hook.close(), gateway.close()]);
    ws.remove();
  });

  it('a finished run: metrics written, and the webhook told the totals and where the report is', async () => {
    const result = await sync('night-1');
    expect(result.code).toBe(1);
    const report = readReport(ws.path('night-1'));

    expect(hook.requests).toHaveLength(1);
    const [request] = hook.requests;
    expect(request?.path).toBe(hookPath);
    const body = JSON.parse(request?.body ?? '{}');
    expect(body).toEqual({
      text: expect.stringContaining('finished, 1 row needs attention (exit 1)'),
      runId: report.runId,
      mode: 'apply',
      status: 'completed',
      exitCode: 1,
      totals: report.totals,
      reportDir: ws.path('night-1'),
    });
    // Counts, never customers: no username or email of the file is in the notification.
    expect(request?.body).not.toMatch(/user\d+@example\.com|not-an-email/);

    expect(fs.statSync(metricsFile).mode & 0o777).toBe(0o644);
    expect(metric(METRIC_NAMES.exitCode)?.value).toBe(1);
    expect(metric(METRIC_NAMES.exitCode)?.labels).toEqual({ retailer: '3', mode: 'apply' });
    expect(metric(METRIC_NAMES.rows, 'created')?.value).toBe(12);
    expect(metric(METRIC_NAMES.rows, 'rejected')?.value).toBe(1);
    expect(metric(METRIC_NAMES.requests)?.value).toBe(report.requests.graphql);
    const lastRun = metric(METRIC_NAMES.lastRun)?.value ?? 0;
    expect(metric(METRIC_NAMES.lastSuccess)?.value).toBe(lastRun);
    expect(lastRun * 1000).toBeGreaterThan(Date.parse(String(report.startedAt)));

    // The Pushgateway got the same metrics, in the group of this job, retailer and mode.
    expect(gateway.requests.map((r) => [r.method, r.path])).toEqual([
      ['POST', '/metrics/job/customer_sync/retailer/3/mode/apply'],
    ]);
    expect(parseMetricsText(gateway.requests[0]?.body ?? '')).toEqual(metrics());

    // The webhook's URL is a credential: masked in report.json's options, absent from every output.
    expect(JSON.stringify(report)).not.toContain('xoxb-hook-secret');
    expect(result.stdout + result.stderr).not.toContain('xoxb-hook-secret');
  });

  it('an aborted run (credentials refused, exit 3): the webhook says so, and the last success survives', async () => {
    const successBefore = metric(METRIC_NAMES.lastSuccess)?.value;
    const requestsBefore = metric(METRIC_NAMES.requests)?.value ?? 0;
    const wrongPassword = 'Wr0ng-password-for-the-hook-test';
    const result = await sync('night-2', { FLUENT_PASSWORD: wrongPassword });
    expect(result.code).toBe(3);
    expect(result.stderr).not.toMatch(/\n\s+at /);

    expect(hook.requests).toHaveLength(2);
    const body = JSON.parse(hook.requests[1]?.body ?? '{}');
    expect(body).toMatchObject({ mode: 'apply', status: 'aborted', exitCode: 3 });
    expect(body.text).toContain('aborted (exit 3)');
    expect(body.text).toMatch(/credentials/);
    expect(hook.requests[1]?.body).not.toContain(wrongPassword);

    expect(metric(METRIC_NAMES.exitCode)?.value).toBe(3);
    expect(metric(METRIC_NAMES.lastSuccess)?.value).toBe(successBefore);
    expect(metric(METRIC_NAMES.lastRun)?.value).toBeGreaterThan(successBefore ?? Number.POSITIVE_INFINITY);
    expect(metric(METRIC_NAMES.requests)?.value).toBeGreaterThanOrEqual(requestsBefore);
    expect(fs.readFileSync(metricsFile, 'utf8')).not.toContain(wrongPassword);
  });

  it('a run refused before it starts (exit 2) still notifies and updates the metrics', async () => {
    const result = await runCli(
      [
        'sync',
        ws.path('no-such-export.csv'),
        '--checkpoint',
        ws.path('state', 'cp.sqlite'),
        '--metrics-file',
        metricsFile,
        '--notify-url',
        `${hook.url}${hookPath}`,
      ],
      { env: { ...TEST_CREDENTIALS, FLUENT_API_HOST: sandbox.url, FLUENT_RETAILER_ID: '3' } },
    );
    expect(result.code).toBe(2);
    expect(hook.requests).toHaveLength(3);
    const body = JSON.parse(hook.requests[2]?.body ?? '{}');
    expect(body).toMatchObject({ status: 'refused', exitCode: 2, totals: null, reportDir: null });
    expect(body.text).toContain('no-such-export.csv');
    expect(metric(METRIC_NAMES.exitCode)?.value).toBe(2);
  });

  it('a metrics folder that does not exist is refused before any request (exit 2)', async () => {
    const before = sandbox.stats().requests;
    const result = await runCli(
      ['sync', file, '--checkpoint', ws.path('state', 'cp.sqlite'), '--metrics-file', ws.path('nowhere', 'm.prom')],
      { env: { ...TEST_CREDENTIALS, FLUENT_API_HOST: sandbox.url, FLUENT_RETAILER_ID: '3' } },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--metrics-file: the folder .*nowhere cannot be used/);
    expect(sandbox.stats().requests).toBe(before);
  });
});
