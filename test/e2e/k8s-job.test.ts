import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/sandbox/startSandbox.js';
import { CLI, type CliResult, PROJECT_ROOT, TEST_CREDENTIALS } from '../helpers/runCli.js';
import { makeWorkspace, readCsv, readReport } from '../helpers/workspace.js';

const ENTRYPOINT = path.join(PROJECT_ROOT, 'jobs', 'k8s-entrypoint.sh');

/**
 * The pods of jobs/k8s-indexed-job.yaml, run as Kubernetes would run them (the entrypoint with JOB_COMPLETION_INDEX
 * set) against the sandbox, with the job file and mapping of jobs/: the exit codes the Job counts, and the merged report
 * the last shard leaves.
 */
describe('the Kubernetes Indexed Job entrypoint', () => {
  const ws = makeWorkspace();
  let sandbox: Sandbox;
  const JOB_NAME = 'customer-sync-x7k2p';
  // The data-warehouse dump's columns, as jobs/nightly-mapping.json names them.
  const header =
    'customer_email,title,given_name,family_name,mobile_phone,country_code,time_zone,marketing_opt_in,department';
  const rows = Array.from(
    { length: 24 },
    (_, i) => `dw${i + 1}@example.com,Ms,Given${i + 1},Family,,AU,Australia/Sydney,no,Retail`,
  );
  const file = ws.write('dump.csv', [header, 'not-an-email,,No,Email,,AU,,yes,', ...rows, ''].join('\n'));

  const runPod = (
    index: number,
    options: { input?: string; extraArgs?: string[]; onSpawn?: (pid: number) => void } = {},
  ): Promise<CliResult> =>
    new Promise((resolve, reject) => {
      const child = spawn('sh', [ENTRYPOINT, '--rate', '300', ...(options.extraArgs ?? [])], {
        cwd: ws.dir,
        env: {
          PATH: process.env.PATH ?? '',
          ...TEST_CREDENTIALS,
          FLUENT_API_HOST: sandbox.url,
          JOB_COMPLETION_INDEX: String(index),
          SHARDS: '3',
          INPUT: options.input ?? file,
          JOB_NAME,
          CUSTOMER_SYNC: CLI,
          JOB_CONFIG: path.join(PROJECT_ROOT, 'jobs', 'nightly.json'),
          STATE_DIR: ws.path('state'),
          REPORTS_DIR: ws.path('reports'),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
      });
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      if (child.pid !== undefined) options.onSpawn?.(child.pid);
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    });
  const runDir = (...parts: string[]) => ws.path('reports', JOB_NAME, ...parts);

  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(async () => {
    await sandbox.close();
    ws.remove();
  });

  it('a shard with a rejected row finishes with exit 0 for the Job; the last shard merges the three reports', async () => {
    const first = await runPod(0);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain('shard 1/3 finished with rows that need attention (exit 1');
    expect(readReport(runDir('shard-1')).totals).toMatchObject({ read: 25, rejected: 1 });
    expect(fs.existsSync(ws.path('state', 'shard-1.sqlite'))).toBe(true);

    const second = await runPod(1);
    expect(second.code, second.stderr).toBe(0);
    expect(fs.existsSync(runDir('merged'))).toBe(false);

    const third = await runPod(2);
    expect(third.code, third.stderr).toBe(0);
    expect(third.stdout).toContain('merged the reports of 3 shards');
    const merged = readReport(runDir('merged'));
    expect(merged.totals).toMatchObject({ read: 25, created: 24, rejected: 1, skipped: 0 });
    expect(readCsv(runDir('merged', 'outcomes.csv'))).toHaveLength(25);
    expect(sandbox.customers().map((c) => c.username)).toContain('1_dw24@example.com');
  });

  it('a bad input is exit 2, which the Job fails on at once', async () => {
    const result = await runPod(0, { input: ws.path('no-such-dump.csv') });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no-such-dump.csv');
  });

  it('SIGTERM to the pod reaches the run: it writes its partial report and exits 3, which the Job retries', async () => {
    sandbox.setFaults({ latencyMs: 300 });
    let pid = 0;
    const pod = runPod(1, { extraArgs: ['--full-compare', '--concurrency', '1'], onSpawn: (p) => (pid = p) });
    const deadline = Date.now() + 20_000;
    const before = sandbox.stats().graphql;
    while (sandbox.stats().graphql < before + 3 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    process.kill(pid, 'SIGTERM');
    const result = await pod;
    sandbox.setFaults({});
    expect(result.code, result.stderr).toBe(3);
    expect(readReport(runDir('shard-2')).status).toBe('aborted');
  });
});
