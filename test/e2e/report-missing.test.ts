import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SeedCustomer } from '../../src/sandbox/sandboxTypes.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/startSandbox.js';
import { runCli, TEST_CREDENTIALS } from '../helpers/runCli.js';
import { makeWorkspace, readCsv, readReport } from '../helpers/workspace.js';

/**
 * The data owner's question after an import: which of our customers in the OMS did the export leave out? The account
 * holds customers of two retailers, more than one page of them, and the file holds only some of retailer 1's.
 */
describe('sync --report-missing', () => {
  const ws = makeWorkspace();
  let sandbox: Sandbox;
  /**
   * Retailer 1's customers beyond the file, enough to take more than one page of the account-wide listing: the client
   * asks for Fluent's largest page (5000), which this account clamps to 100.
   */
  const PAGE = 100;
  const extra = PAGE + 50;
  const seed: SeedCustomer[] = [
    { retailerId: '1', username: '1_kept@example.com', primaryEmail: 'kept@example.com', promotionOptIn: false },
    // The file holds this one in another case: usernames compare case-folded, as everywhere in the tool.
    { retailerId: '1', username: '1_Case@Example.com', primaryEmail: 'case@example.com', promotionOptIn: false },
    { retailerId: '2', username: '2_other@example.com', primaryEmail: 'other@example.com', promotionOptIn: false },
    { retailerId: '2', username: '2_gone2@example.com', primaryEmail: 'gone2@example.com', promotionOptIn: false },
  ];
  for (let i = 1; i <= extra; i++) {
    seed.push({ retailerId: '1', username: `1_gone${i}@example.com`, primaryEmail: `gone${i}@example.com` });
  }
  const csv = [
    'username,primaryEmail,firstName',
    '1_kept@example.com,kept@example.com,Kept',
    '1_case@example.com,case@example.com,Case',
    '1_new@example.com,new@example.com,New',
    ',not-an-email,NoName',
    '',
  ].join('\n');

  const sync = (dir: string, ...extraFlags: string[]) =>
    runCli(
      [
        'sync',
        ws.write('customers.csv', csv),
        '--checkpoint',
        ws.path('state', 'cp.sqlite'),
        '--report-dir',
        ws.path(dir),
        '--rate',
        '200',
        '--report-missing',
        ...extraFlags,
      ],
      { env: { ...TEST_CREDENTIALS, FLUENT_API_HOST: sandbox.url, FLUENT_RETAILER_ID: '1' } },
    );

  beforeAll(async () => {
    sandbox = await startSandbox({ seed, maxFirst: PAGE });
  });
  afterAll(async () => {
    await sandbox.close();
    ws.remove();
  });

  it("lists the retailer's customers the file does not hold, across pages, and none of another retailer's", async () => {
    const result = await sync('apply');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.code).toBe(1);
    const report = readReport(ws.path('apply'));
    // Outside the read sum: the file's four rows are accounted for as always.
    expect(report.totals).toMatchObject({ read: 4, rejected: 1 });
    expect(report.missing).toEqual({ count: extra, complete: true });

    const missing = readCsv(ws.path('apply', 'missing.csv'));
    expect(Object.keys(missing[0] ?? {})).toEqual(['username', 'id', 'primaryEmail']);
    expect(missing).toHaveLength(extra);
    const byUsername = new Map(missing.map((m) => [m.username, m]));
    expect(byUsername.get('1_gone1@example.com')?.primaryEmail).toBe('gone1@example.com');
    expect(byUsername.has(`1_gone${extra}@example.com`)).toBe(true);
    for (const held of ['1_kept@example.com', '1_Case@Example.com', '1_new@example.com', '2_other@example.com']) {
      expect(byUsername.has(held), held).toBe(false);
    }
    expect(missing.some((m) => m.username?.startsWith('2_'))).toBe(false);
    // Each row carries the OMS id of that very customer.
    const ids = new Map(sandbox.customers().map((c) => [c.username, c.id]));
    for (const m of missing) expect(m.id).toBe(ids.get(m.username ?? ''));
    expect(fs.readFileSync(ws.path('apply', 'report.html'), 'utf8')).toContain('href="missing.csv"');
  });

  it('a dry run lists the same customers, and a run without the flag leaves no missing.csv behind', async () => {
    const dry = await sync('dry', '--dry-run');
    expect(dry.code).toBe(1);
    expect(readReport(ws.path('dry')).missing).toEqual({ count: extra, complete: true });
    expect(readCsv(ws.path('dry', 'missing.csv'))).toHaveLength(extra);

    const plain = await runCli(
      [
        'sync',
        ws.path('customers.csv'),
        '--checkpoint',
        ws.path('state', 'cp.sqlite'),
        '--report-dir',
        ws.path('dry'),
        '--dry-run',
      ],
      { env: { ...TEST_CREDENTIALS, FLUENT_API_HOST: sandbox.url, FLUENT_RETAILER_ID: '1' } },
    );
    expect(plain.code).toBe(1);
    expect(readReport(ws.path('dry'))).not.toHaveProperty('missing');
    expect(fs.existsSync(ws.path('dry', 'missing.csv'))).toBe(false);
  });
});
