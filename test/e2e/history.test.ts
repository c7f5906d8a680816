import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFluentClient } from '../../src/fluent/createFluentClient.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/startSandbox.js';
import { generateCustomersCsv } from '../helpers/generateCsv.js';
import { runCli, TEST_CREDENTIALS } from '../helpers/runCli.js';
import { makeWorkspace, readCsv, readReport } from '../helpers/workspace.js';

/**
 * A support lead's questions after two nightly runs: which runs happened (`runs`), what happened to this customer
 * (`explain`), the report of a past run again (`report --run`), and "put it back" (`undo`), including an undo killed
 * with -9 and run again.
 */
const ws = makeWorkspace('cs-history-');
let sandbox: Sandbox;
const checkpoint = () => ws.path('state', 'cp.sqlite');
const env = () => ({ ...TEST_CREDENTIALS, FLUENT_API_HOST: sandbox.url, FLUENT_RETAILER_ID: '1' });
const cli = (args: string[], onSpawn?: (pid: number) => void) =>
  runCli([...args, '--checkpoint', checkpoint()], { env: env(), onSpawn });
const runIds: string[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ faults: { latencyMs: 2 } });
  const night1 = 'primaryEmail,firstName,lastName\nann@example.com,Ann,Lee\nbob@example.com,Bob,Ng\n';
  const night2 =
    'primaryEmail,firstName,lastName\nann@example.com,Anne,Lee\nbob@example.com,Bob,Nguyen\ncat@example.com,Cat,Ray\n';
  for (const [name, csv] of [
    ['night1', night1],
    ['night2', night2],
  ] as const) {
    const result = await cli(['sync', ws.write(`${name}.csv`, csv), '--report-dir', ws.path(name)]);
    expect(result.code).toBe(0);
    runIds.push(readReport(ws.path(name)).runId);
  }
});
afterAll(async () => {
  await sandbox.close();
  ws.remove();
});

describe('run history', () => {
  it('runs lists both runs, newest first, with their totals, as text and JSON', async () => {
    const text = await cli(['runs']);
    expect(text.code).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines[1]).toContain(runIds[1]);
    expect(lines[2]).toContain(runIds[0]);
    const json = JSON.parse((await cli(['runs', '--json'])).stdout) as {
      runId: string;
      summary: { totals: { created: number } };
    }[];
    expect(json.map((r) => [r.runId, r.summary.totals.created])).toEqual([
      [runIds[1], 1],
      [runIds[0], 2],
    ]);
  });

  it('explain tells what every run did with a customer, with its changes, whatever the case typed', async () => {
    const result = await cli(['explain', '1_ANN@example.com']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`run ${runIds[1]} .*row 1 \\(line 2\\) of .*night2.csv .*: updated`));
    expect(result.stdout).toContain('firstName: "Ann" → "Anne"');
    expect(result.stdout).toMatch(new RegExp(`run ${runIds[0]} .*: created`));
    const json = JSON.parse((await cli(['explain', '1_ann@example.com', '--json'])).stdout) as {
      runs: { outcome: string }[];
    };
    expect(json.runs.map((r) => r.outcome)).toEqual(['updated', 'created']);
    const byEmail = await cli(['explain', 'ANN@example.com']);
    expect(byEmail.stdout).toMatch(
      new RegExp(`run ${runIds[1]} .*as 1_ann@example.com, found by its primaryEmail: updated`),
    );
    const nobody = await cli(['explain', 'zed@example.com']);
    expect(nobody.code).toBe(0);
    expect(nobody.stdout).toContain('{retailerId}_{primaryEmail} → 1_zed@example.com');
  });

  it('report --run writes a past run’s report files again, the same rows as the run wrote', async () => {
    const result = await runCli(['report', checkpoint(), '--run', runIds[0] ?? '', '--report-dir', ws.path('again')], {
      env: env(),
    });
    expect(result.code).toBe(0);
    expect(readCsv(ws.path('again', 'outcomes.csv'))).toEqual(readCsv(ws.path('night1', 'outcomes.csv')));
    for (const name of ['diff.csv', 'review.csv', 'rejects.csv']) {
      expect(readCsv(ws.path('again', name)), name).toEqual(readCsv(ws.path('night1', name)));
    }
    // The cell as the file had it, from the checkpoint alone.
    expect(readCsv(ws.path('again', 'diff.csv'))).toContainEqual({
      username: '1_ann@example.com',
      field: 'firstName',
      before: '',
      after: 'Ann',
      input: 'Ann',
    });
    expect(readReport(ws.path('again')).totals).toEqual(readReport(ws.path('night1')).totals);
  });

  it('report --run of a run the checkpoint does not keep is exit 2 with one line', async () => {
    const result = await cli(['report', '--run', 'no-such-run', '--report-dir', ws.path('none')]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringContaining('run no-such-run is not in this checkpoint'),
    ]);
  });
});

describe('undo', () => {
  it('a dry run sends nothing; the undo puts back what still holds, skips what changed since, lists what it created', async () => {
    // Someone edits Bob by hand after night 2.
    const client = createFluentClient({
      apiHost: sandbox.url,
      credentials: { kind: 'password', clientId: 'ops', clientSecret: 'ops', username: 'ops', password: 'ops' },
      ratePerSecond: 50,
    });
    await client.updateCustomer({ username: '1_bob@example.com', lastName: 'Edited-By-Hand' });
    await client.close();

    const before = sandbox.stats().mutations;
    const dry = await cli(['undo', runIds[1] ?? '', '--dry-run', '--report-dir', ws.path('undo-dry')]);
    expect(dry.code).toBe(1);
    expect(sandbox.stats().mutations).toBe(before);
    expect(readCsv(ws.path('undo-dry', 'diff.csv'))).toEqual([
      { username: '1_ann@example.com', field: 'firstName', before: 'Anne', after: 'Ann', input: '' },
    ]);

    const undo = await cli(['undo', runIds[1] ?? '', '--report-dir', ws.path('undo')]);
    expect(undo.code).toBe(1);
    const byName = Object.fromEntries(sandbox.customers().map((c) => [c.username, c]));
    expect(byName['1_ann@example.com']?.firstName).toBe('Ann');
    expect(byName['1_bob@example.com']?.lastName).toBe('Edited-By-Hand');
    expect(byName['1_cat@example.com']).toBeDefined();
    const outcomes = Object.fromEntries(readCsv(ws.path('undo', 'outcomes.csv')).map((o) => [o.username, o]));
    expect(outcomes['1_ann@example.com']).toMatchObject({ outcome: 'updated' });
    expect(outcomes['1_bob@example.com']).toMatchObject({
      outcome: 'skipped',
      reason: expect.stringContaining('changed since'),
    });
    expect(outcomes['1_cat@example.com']).toMatchObject({
      outcome: 'skipped',
      reason: expect.stringContaining('Fluent cannot delete'),
    });
    expect(readReport(ws.path('undo')).undoOf).toBe(runIds[1]);

    // Undoing the undo is night 2 again, for what the undo changed.
    const again = await cli(['undo', readReport(ws.path('undo')).runId, '--report-dir', ws.path('redo')]);
    expect(again.code).toBe(0);
    expect(sandbox.customers().find((c) => c.username === '1_ann@example.com')?.firstName).toBe('Anne');
  });

  it('an undo killed with -9 is finished by running it again, each customer put back once', async () => {
    const csv = ws.write('bulk.csv', generateCustomersCsv(120));
    const first = await cli(['sync', csv, '--report-dir', ws.path('bulk1'), '--rate', '500']);
    expect(first.code).toBe(0);
    const changed = ws.write('bulk2.csv', generateCustomersCsv(120, { lastName: 'Renamed' }));
    expect((await cli(['sync', changed, '--report-dir', ws.path('bulk2'), '--rate', '500'])).code).toBe(0);
    const target = readReport(ws.path('bulk2')).runId;

    sandbox.setFaults({ latencyMs: 20 });
    const start = sandbox.stats().updates;
    let pid = 0;
    const killed = cli(
      ['undo', target, '--report-dir', ws.path('undo-killed'), '--rate', '500', '--concurrency', '2'],
      (p) => {
        pid = p;
      },
    );
    while (sandbox.stats().updates - start < 15) await new Promise((r) => setTimeout(r, 5));
    process.kill(pid, 'SIGKILL');
    expect((await killed).signal).toBe('SIGKILL');
    sandbox.setFaults({});
    const partway = sandbox.stats().updates - start;
    expect(partway).toBeLessThan(120);

    const resumed = await cli(['undo', target, '--report-dir', ws.path('undo-resumed'), '--rate', '500']);
    expect(resumed.code).toBe(0);
    const bulk = sandbox.customers().filter((c) => c.username.startsWith('1_user'));
    expect(bulk).toHaveLength(120);
    expect(bulk.every((c) => c.lastName?.startsWith('Last'))).toBe(true);
    // Each customer was put back exactly once across the killed undo and its resumption.
    expect(sandbox.stats().updates - start).toBe(120);
    const totals = readReport(ws.path('undo-resumed')).totals;
    expect(totals.updated + totals.unchanged).toBe(120);
    expect(totals.unchanged).toBeGreaterThanOrEqual(partway - 2);
    expect(fs.existsSync(ws.path('undo-killed', 'report.json'))).toBe(false);
  });
});
