import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/sandbox/startSandbox.js';
import { runCli, TEST_CREDENTIALS } from '../helpers/runCli.js';
import { makeWorkspace, readReport } from '../helpers/workspace.js';

/**
 * What a run prints, for the machines and the people that read it (SPEC §2, §4): JSON lines only with
 * --log-format json, nothing but errors with --quiet, each request and decision with --verbose.
 */
describe('run output', () => {
  const ws = makeWorkspace();
  let sandbox: Sandbox;
  // Names and phones that appear in no username, so a leak of personal data into the logs is easy to see.
  const clean = ws.write(
    'clean.csv',
    'E-Mail,First Name,Surname,Mobile\na1@example.com,Zelda,Quixote,+61412000001\na2@example.com,Yorick,Vantablack,+61412000002\n',
  );
  const oneBad = ws.write(
    'one-bad.csv',
    'E-Mail,First Name,Surname,Mobile\nb1@example.com,Zelda,Quixote,+61412000003\nnot-an-email,Yorick,Vantablack,\n',
  );
  let runs = 0;
  const sync = (file: string, ...extra: string[]) => {
    const dir = ws.path(`run-${++runs}`);
    return runCli(['sync', file, '--checkpoint', ws.path(`cp-${runs}.sqlite`), '--report-dir', dir, ...extra], {
      env: { ...TEST_CREDENTIALS, FLUENT_API_HOST: sandbox.url, FLUENT_RETAILER_ID: '1' },
    }).then((result) => ({ ...result, dir }));
  };
  const linesOf = (text: string) => text.split('\n').filter((line) => line !== '');

  beforeAll(async () => {
    // Some lookups are refused for the rate, so --verbose has retries to show.
    sandbox = await startSandbox({ faults: { random429Rate: 0.5, retryAfterSeconds: 0, seed: 7 } });
  });
  afterAll(async () => {
    await sandbox.close();
    ws.remove();
  });

  it('--log-format json: every line on stdout and stderr is JSON, and stdout is the one summary line', async () => {
    for (const extra of [[], ['--verbose'], ['--dry-run']]) {
      const result = await sync(oneBad, '--log-format', 'json', ...extra);
      expect(result.code).toBe(1);
      const err = linesOf(result.stderr).map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(err.length).toBeGreaterThan(0);
      for (const entry of err) {
        expect(entry).toMatchObject({
          time: expect.any(String),
          level: expect.any(String),
          message: expect.any(String),
        });
      }
      expect(err.map((entry) => entry.message)).toContain('reading column "E-Mail" as primaryEmail');
      const out = linesOf(result.stdout);
      expect(out).toHaveLength(1);
      const summary = JSON.parse(out[0] as string) as Record<string, unknown>;
      const report = readReport(result.dir);
      expect(summary).toMatchObject({
        level: 'info',
        event: 'summary',
        runId: report.runId,
        mode: extra.includes('--dry-run') ? 'dry-run' : 'apply',
        status: 'completed',
        exitCode: 1,
        totals: report.totals,
        reportDir: result.dir,
      });
      expect(report.totals).toMatchObject({ read: 2, rejected: 1 });
    }
  });

  it('--quiet prints nothing on success, and only one error line when rows need attention', async () => {
    const ok = await sync(clean, '--quiet');
    expect(ok).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(readReport(ok.dir).totals).toMatchObject({ read: 2, created: 2 });

    const bad = await sync(oneBad, '--quiet');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toBe(`error: 1 row needs attention: see ${bad.dir}\n`);
  });

  it('--verbose logs each lookup, mutation, retry and row decision, with no personal data beyond usernames', async () => {
    const before = sandbox.stats().rateLimited;
    const result = await sync(clean, '--verbose', '--full-compare');
    expect(result.code).toBe(0);
    const debug = linesOf(result.stderr).filter((line) => line.startsWith('debug: '));
    expect(debug).toEqual(
      expect.arrayContaining([expect.stringMatching(/^debug: lookup of 2 usernames: 2 customers found \(\d+ ms\)$/)]),
    );
    expect(debug).toContain('debug: row 1 1_a1@example.com: unchanged');
    expect(debug).toContain('debug: row 2 1_a2@example.com: unchanged');

    const fresh = await sync(
      ws.write('fresh.csv', 'E-Mail,First Name,Surname,Mobile\nc1@example.com,Zelda,Quixote,+61412000009\n'),
      '--verbose',
    );
    const lines = linesOf(fresh.stderr);
    expect(lines).toContain(
      'debug: create 1_c1@example.com (primaryEmail, promotionOptIn, firstName, lastName, primaryPhone)',
    );
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^debug: create 1_c1@example\.com \(.+\): created, customer id \d+ \(\d+ ms\)$/),
        'debug: row 1 1_c1@example.com: created (username, primaryEmail, promotionOptIn, firstName, lastName, primaryPhone)',
      ]),
    );
    expect(sandbox.stats().rateLimited).toBeGreaterThan(before);
    expect(`${result.stderr}${fresh.stderr}`).toMatch(/^debug: retrying a request attempt=\d+ status=429/m);
    for (const text of [result.stderr, fresh.stderr]) {
      for (const personal of ['Zelda', 'Quixote', 'Yorick', 'Vantablack', '+614120000']) {
        expect(text).not.toContain(personal);
      }
    }
  });

  it('without --verbose, a normal run logs no request at all', async () => {
    const result = await sync(clean);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/debug:/);
  });
});
