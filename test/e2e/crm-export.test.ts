import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/sandbox/startSandbox.js';
import { runCli, TEST_CREDENTIALS } from '../helpers/runCli.js';
import { makeWorkspace, readCsv, readReport } from '../helpers/workspace.js';

const ROWS = 3_000;

/** The customers of six locales, as a CRM writes them: its own header names, country codes and names mixed. */
const LOCALES = [
  { country: 'GB', title: 'Mr', first: 'Oliver', last: "O'Brien", phone: (n: string) => `07${n.slice(-9)}` },
  { country: 'Germany', title: 'Frau', first: 'Jürgen', last: 'Müller', phone: (n: string) => `0151 ${n.slice(-8)}` },
  { country: 'fr', title: 'M.', first: 'Élodie', last: 'Lefèvre', phone: (n: string) => `06 ${n.slice(-8)}` },
  { country: 'Australia', title: 'Dr', first: 'Charlotte', last: 'Nguyen', phone: (n: string) => `04${n.slice(-8)}` },
  { country: 'US', title: 'Ms', first: 'María José', last: 'García', phone: (n: string) => `(201) 55${n.slice(-5)}` },
  {
    country: 'JP',
    title: '',
    first: '翔太',
    last: '佐藤',
    phone: (n: string) => `090-1${n.slice(-7, -4)}-${n.slice(-4)}`,
  },
];

/**
 * A realistic export: a BOM, CRLF line ends, the header names a CRM writes (no mapping file), quoted notes with commas
 * and line breaks, e-mails in any case, yes/no/1/0 opt-ins.
 */
function crmExport(rows: number, surname = (_row: number, last: string) => last): string {
  const lines = ['Customer ID,Salutation,First Name,Surname,E-Mail,Phone,Country,Newsletter,Notes'];
  for (let i = 1; i <= rows; i++) {
    const locale = LOCALES[(i - 1) % LOCALES.length] as (typeof LOCALES)[number];
    const digits = String(10_000_000_000 + i * 7);
    const email = i % 5 === 0 ? `Customer.${i}@Example.COM` : `customer.${i}@example.com`;
    const notes = i % 7 === 0 ? `"called back, twice\r\nsee ticket ${i}"` : '';
    const optIn = ['Yes', 'no', '1', '0', 'TRUE'][i % 5];
    lines.push(
      [
        `CRM-${i}`,
        locale.title,
        locale.first,
        surname(i, locale.last),
        email,
        locale.phone(digits),
        locale.country,
        optIn,
        notes,
      ].join(','),
    );
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** Reading what users actually have: a CRM export with no mapping file, a sample run, and runs that only create or only update. */
describe('a real CRM export, no mapping file', () => {
  const ws = makeWorkspace();
  let sandbox: Sandbox;
  const file = ws.write('crm.csv', crmExport(ROWS));
  const env = () => ({ ...TEST_CREDENTIALS, FLUENT_API_HOST: sandbox.url, FLUENT_RETAILER_ID: '1' });
  const sync = (name: string, input: string, ...extra: string[]) =>
    runCli(
      ['sync', input, '--checkpoint', ws.path('cp.sqlite'), '--report-dir', ws.path(name), '--rate', '500', ...extra],
      { env: env() },
    );

  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(async () => {
    await sandbox.close();
    ws.remove();
  });

  it(`validates all ${ROWS} rows, saying once how it reads each column it guessed`, async () => {
    const result = await runCli(['validate', file, '--report-dir', ws.path('validate'), '--retailer-id', '1']);
    expect(result.code).toBe(0);
    expect(result.stderr.split('\n').filter(Boolean)).toEqual([
      'reading column "Salutation" as title',
      'reading column "Surname" as lastName',
      'reading column "E-Mail" as primaryEmail',
      'reading column "Phone" as primaryPhone',
      'reading column "Newsletter" as promotionOptIn',
      'ignoring unmapped columns: Customer ID, Notes',
    ]);
    expect(readReport(ws.path('validate')).totals).toMatchObject({ read: ROWS, valid: ROWS, rejected: 0 });
  });

  it('--limit 100 reads a sample: 100 rows read, 100 customers created, the rest of the file untouched', async () => {
    const result = await sync('sample', file, '--limit', '100');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('100 rows read from');
    expect(result.stdout).toContain('(a sample: the first 100, --limit)');
    const report = readReport(ws.path('sample'));
    expect(report.totals).toMatchObject({ read: 100, created: 100 });
    // Whether the digest covers the whole file depends on how far the reader read ahead of the limit; it says which.
    expect(typeof (report.input as { complete?: unknown }).complete).toBe('boolean');
    expect(readCsv(ws.path('sample', 'outcomes.csv'))).toHaveLength(100);
    expect(sandbox.customers()).toHaveLength(100);
    const jurgen = sandbox.customers().find((c) => c.username === '1_customer.2@example.com');
    expect(jurgen).toMatchObject({ firstName: 'Jürgen', lastName: 'Müller', country: 'DE', title: 'Frau' });
    expect(jurgen?.primaryPhone).toMatch(/^\+49151/);
    expect(sandbox.customers().find((c) => c.username === '1_customer.5@example.com')).toBeDefined();
  });

  it('--mode update-only updates what exists and skips the rest, creating nobody', async () => {
    const renamed = ws.write(
      'renamed.csv',
      crmExport(ROWS, (i, last) => (i <= 10 ? `${last}-Neu` : last)),
    );
    const result = await sync('update-only', renamed, '--mode', 'update-only', '--limit', '150');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Update only: no customer was created (--mode update-only).');
    expect(readReport(ws.path('update-only')).totals).toMatchObject({
      read: 150,
      updated: 10,
      unchanged: 90,
      skipped: 50,
      created: 0,
    });
    const outcomes = readCsv(ws.path('update-only', 'outcomes.csv'));
    expect(outcomes[120]).toMatchObject({
      outcome: 'skipped',
      reason: 'not in the OMS, and --mode update-only creates no customer',
    });
    expect(sandbox.customers()).toHaveLength(100);
    expect(sandbox.customers().find((c) => c.username === '1_customer.3@example.com')?.lastName).toBe('Lefèvre-Neu');
  });

  it('--mode create-only creates what is missing and leaves existing customers as they are, saying so', async () => {
    const renamed = ws.write(
      'renamed-again.csv',
      crmExport(ROWS, (i, last) => (i <= 10 ? `${last}-Alt` : last)),
    );
    const result = await sync('create-only', renamed, '--mode', 'create-only', '--limit', '150');
    expect(result.code).toBe(0);
    expect(readReport(ws.path('create-only')).totals).toMatchObject({
      read: 150,
      created: 50,
      unchanged: 100,
      updated: 0,
    });
    const outcomes = readCsv(ws.path('create-only', 'outcomes.csv'));
    expect(outcomes[2]).toMatchObject({
      outcome: 'unchanged',
      reason:
        'already in the OMS, and --mode create-only leaves existing customers as they are (it differs in lastName)',
    });
    expect(sandbox.customers()).toHaveLength(150);
    expect(sandbox.customers().find((c) => c.username === '1_customer.3@example.com')?.lastName).toBe('Lefèvre-Neu');

    // Nothing was recorded as applied for the rows left alone: the next upsert run compares and updates them.
    const upsert = await sync('upsert', renamed, '--limit', '150');
    expect(upsert.code).toBe(0);
    expect(readReport(ws.path('upsert')).totals).toMatchObject({ read: 150, updated: 10, unchanged: 140 });
    expect(sandbox.customers().find((c) => c.username === '1_customer.3@example.com')?.lastName).toBe('Lefèvre-Alt');
  });
});
