import fs from 'node:fs';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import {
  AbortError,
  createSandbox,
  type OutcomeRow,
  type SandboxHandle,
  type SyncFileOptions,
  syncFile,
  UsageError,
  validateFile,
} from '../../src/index.js';
import { TEST_CREDENTIALS } from '../helpers/runCli.js';
import { makeWorkspace } from '../helpers/workspace.js';

const CSV = [
  'email,first_name,phone,country',
  'ann@example.com,Ann,+61 2 9374 4000,AU',
  'not-an-email,Bob,,',
  '=cmd@example.com,Cy,,',
  'dee@example.com,=HYPERLINK("x"),,',
].join('\n');

async function collect(outcomes: AsyncIterable<OutcomeRow>): Promise<OutcomeRow[]> {
  const rows: OutcomeRow[] = [];
  for await (const row of outcomes) rows.push(row);
  return rows;
}

describe('validateFile and syncFile', () => {
  const ws = makeWorkspace('cs-api-');
  const file = ws.write('customers.csv', CSV);
  const sandboxes: SandboxHandle[] = [];
  const aSandbox = async () => {
    const sandbox = await createSandbox();
    sandboxes.push(sandbox);
    return sandbox;
  };
  afterAll(async () => {
    await Promise.all(sandboxes.map((s) => s.stop()));
    ws.remove();
  });
  afterEach(() => vi.restoreAllMocks());

  it('validateFile: the exit code, the report folder, its summary and every row, as the command line gives them', async () => {
    const reportDir = ws.path('validate');
    const result = await validateFile({ file, usernameTemplate: '{primaryEmail}', reportDir, env: {} });
    expect(result.exitCode).toBe(1);
    expect(result.reportDir).toBe(reportDir);
    expect(result.summary).toMatchObject({ mode: 'validate', totals: { read: 4, valid: 2, rejected: 2 } });
    expect(JSON.parse(fs.readFileSync(`${reportDir}/report.json`, 'utf8')).runId).toBe(result.summary.runId);
    const rows = await collect(result.outcomes);
    expect(rows.map((r) => [r.row, r.username, r.outcome])).toEqual([
      [1, 'ann@example.com', 'valid'],
      [2, '', 'rejected'],
      [3, '=cmd@example.com', 'valid'],
      [4, 'dee@example.com', 'rejected'],
    ]);
    expect(rows[1]?.reason).toMatch(/primaryEmail/);
    expect(rows[3]?.reason).toMatch(/formula/);
    // outcomes.csv holds the formula-like username neutralised; the rows give it back as it is.
    expect(fs.readFileSync(`${reportDir}/outcomes.csv`, 'utf8')).toContain(",'=cmd@example.com,");
    // Iterated again, the same rows: read anew from outcomes.csv.
    expect(await collect(result.outcomes)).toEqual(rows);
  });

  it('syncFile: creates, then on a re-run finds every row unchanged with its customer id', async () => {
    const sandbox = await aSandbox();
    const options: SyncFileOptions = {
      file,
      apiHost: sandbox.url,
      retailerId: '1',
      checkpoint: ws.path('sync', 'cp.sqlite'),
      reportDir: ws.path('sync', 'first'),
      credentials: { clientId: 'id', clientSecret: 'secret-1', username: 'user', password: 'password-1' },
      env: {},
    };
    const first = await syncFile(options);
    expect(first.summary.totals).toMatchObject({ created: 2, rejected: 2 });
    const ids = new Map(sandbox.customers().map((c) => [c.username, c.id]));
    const again = await syncFile({ ...options, reportDir: ws.path('sync', 'again') });
    expect(again.exitCode).toBe(1);
    const rows = (await collect(again.outcomes)).filter((r) => r.outcome !== 'rejected');
    expect(rows).toEqual([
      expect.objectContaining({ row: 1, outcome: 'unchanged', customerId: ids.get('1_ann@example.com') }),
      expect.objectContaining({ row: 3, outcome: 'unchanged', customerId: ids.get('1_=cmd@example.com') }),
    ]);
    expect(ids.get('1_ann@example.com')).toEqual(expect.any(String));
    expect(sandbox.stats().creates).toBe(2);
    // Owner-only as on the command line, though the API leaves the process's umask alone.
    for (const made of [String(options.checkpoint), `${again.reportDir}/outcomes.csv`, again.reportDir]) {
      expect(fs.statSync(made).mode & 0o077).toBe(0);
    }
  });

  it('options are named as given in messages; env and a job file layer under them as on the command line', async () => {
    const base = { file, retailerId: 1, env: {} };
    await expect(validateFile({ ...base, limit: 0 })).rejects.toThrow(
      'options.limit must be a whole number of rows from 1 to 9007199254740991, got "0"',
    );
    await expect(validateFile({ ...base, onDuplicate: 'middle' as 'first' })).rejects.toThrow(
      /^options\.onDuplicate must be one of reject, first, last, got "middle"/,
    );
    await expect(validateFile({ ...base, env: { FLUENT_LIMIT: 'none' } })).rejects.toThrow(/^FLUENT_LIMIT must be/);
    const config = ws.write('job.json', JSON.stringify({ limit: 1, 'report-dir': 'from-job' }));
    const fromJob = await validateFile({ ...base, config, reportDir: ws.path('given') });
    expect(fromJob.reportDir).toBe(ws.path('given'));
    expect(fromJob.summary.totals.read).toBe(1);
    await expect(validateFile({ ...base, apiHost: 'x' } as never)).rejects.toThrow(
      'validateFile has no option "apiHost"',
    );
    await expect(validateFile({ env: {} } as never)).rejects.toThrow('validateFile: options.file must name the file');
    const error = await validateFile({ ...base, file: ws.path('missing.csv') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
  });

  it('credentials come from the credentials setting or the environment, never from options', async () => {
    const sandbox = await aSandbox();
    const options = {
      file,
      apiHost: sandbox.url,
      retailerId: 1,
      checkpoint: ws.path('creds', 'cp.sqlite'),
      reportDir: ws.path('creds', 'r'),
    };
    await expect(syncFile({ ...options, env: {} })).rejects.toThrow(/^no Fluent credentials: set FLUENT_CLIENT_ID/);
    await expect(syncFile({ ...options, env: {}, clientSecret: 'x' } as never)).rejects.toThrow(
      'syncFile takes no credential among its options',
    );
    await expect(syncFile({ ...options, env: {}, credentials: { clientId: 'id' } as never })).rejects.toThrow(
      'syncFile: credentials lacks clientSecret, username, password',
    );
    const fromEnv = await syncFile({ ...options, env: { ...TEST_CREDENTIALS } });
    expect(fromEnv.summary.totals.created).toBe(2);
    expect(sandbox.stats().requests).toBeGreaterThan(0);
  });

  it('prints nothing, installs no signal handler and never exits the process; a signal stops the run (AbortError, exit 3)', async () => {
    const sandbox = await aSandbox();
    const writes = [vi.spyOn(process.stdout, 'write'), vi.spyOn(process.stderr, 'write')];
    const exit = vi.spyOn(process, 'exit').mockImplementation(() => {
      throw new Error('process.exit called');
    });
    const listeners = () => process.listenerCount('SIGINT') + process.listenerCount('SIGTERM');
    const before = listeners();
    const options = {
      file,
      apiHost: sandbox.url,
      retailerId: 1,
      checkpoint: ws.path('quiet', 'cp.sqlite'),
      reportDir: ws.path('quiet', 'r'),
      env: { ...TEST_CREDENTIALS },
    };
    // Stopped as the first lookup goes out: it finishes, the partial report is written, the rest is not processed.
    const stop = new AbortController();
    const logger = { debug: (message: string) => message.startsWith('lookup of') && stop.abort('SIGTERM') };
    const error = await syncFile({ ...options, verbose: true, logger, signal: stop.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).exitCode).toBe(3);
    expect((error as Error).message).toBe(
      `stopped by SIGTERM; the partial report is in ${options.reportDir}, and the next run resumes`,
    );
    expect(sandbox.stats().creates).toBe(0);
    const resumed = await syncFile({ ...options, reportDir: ws.path('quiet', 'resumed') });
    expect(resumed.summary.totals.created).toBe(2);
    expect(listeners()).toBe(before);
    for (const write of writes) expect(write).not.toHaveBeenCalled();
    expect(exit).not.toHaveBeenCalled();
  });
});
