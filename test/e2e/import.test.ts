import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFluentClient } from '../../src/fluent/createFluentClient.js';
import { loadSeed } from '../../src/sandbox/loadSeed.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/startSandbox.js';
import { runCli, TEST_CREDENTIALS } from '../helpers/runCli.js';
import { fixture, makeWorkspace, readCsv, readReport } from '../helpers/workspace.js';

/**
 * The one-off import story: a messy legacy CRM export, with its mapping, into an OMS that already holds some of
 * those customers (identical, stale, under another retailer). Dry run first, then the real run, then a re-run.
 */
describe('importing the legacy CRM export', () => {
  const ws = makeWorkspace();
  let sandbox: Sandbox;
  const env = () => ({ ...TEST_CREDENTIALS, FLUENT_API_HOST: sandbox.url, FLUENT_RETAILER_ID: '1' });
  const sync = (reportDir: string, ...extra: string[]) =>
    runCli(
      [
        'sync',
        fixture('legacy-crm-export.csv'),
        '--mapping',
        fixture('legacy-crm-mapping.json'),
        '--default-country',
        'AU',
        '--checkpoint',
        ws.path('state', 'checkpoint.sqlite'),
        '--report-dir',
        ws.path(reportDir),
        ...extra,
      ],
      { env: env() },
    );

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: loadSeed(fixture('sandbox-seed.json')) });
  });
  afterAll(async () => {
    await sandbox.close();
    ws.remove();
  });

  const expected: Record<number, [string, string]> = {
    1: ['created', '1_jane.doe@example.com'],
    2: ['created', '1_mark.smith@example.com'],
    3: ['created', '1_zoe.muller@example.com'],
    4: ['created', '1_li.wei@example.com'],
    5: ['unchanged', '1_existing.same@example.com'],
    6: ['updated', '1_existing.stale@example.com'],
    7: ['conflict', '1_taken@example.com'],
    8: ['rejected', ''],
    9: ['rejected', ''],
    10: ['rejected', ''],
    11: ['rejected', ''],
    12: ['rejected', ''],
    13: ['created', '1_dup.same@example.com'],
    14: ['duplicate', '1_dup.same@example.com'],
    15: ['rejected', '1_dup.diff@example.com'],
    16: ['rejected', '1_dup.diff@example.com'],
    17: ['unchanged', '1_dept.only@example.com'],
    18: ['rejected', ''],
    19: ['created', '1_noah.tabs@example.com'],
    20: ['created', '1_gb.local@example.com'],
    21: ['created', '1_nocountry@example.com'],
    22: ['updated', '1_partial.update@example.com'],
    23: ['created', '1_possible.number@example.com'],
  };

  it('a dry run reports what would happen, field by field, and changes nothing', async () => {
    const before = sandbox.customers();
    const result = await sync('dry', '--dry-run');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.code).toBe(1);
    expect(sandbox.customers()).toEqual(before);
    expect(sandbox.stats().mutations).toBe(0);
    const report = readReport(ws.path('dry'));
    expect(report.mode).toBe('dry-run');
    expect(report.totals).toMatchObject({ read: 23, created: 9, updated: 2, unchanged: 2, rejected: 8, conflict: 1 });
    const diff = readCsv(ws.path('dry', 'diff.csv'));
    expect(diff).toContainEqual({
      username: '1_existing.stale@example.com',
      field: 'lastName',
      before: 'Oldname',
      after: 'Newname',
      input: 'Newname',
    });
    expect(diff).toContainEqual({
      username: '1_existing.stale@example.com',
      field: 'primaryPhone',
      before: '+61412000999',
      after: '+61412000222',
      // The cell as the file had it, beside the E.164 form the OMS gets.
      input: '0412 000 222',
    });
    expect(diff.filter((d) => d.username === '1_partial.update@example.com')).toEqual([
      {
        username: '1_partial.update@example.com',
        field: 'lastName',
        before: 'Old',
        after: 'Partial',
        input: 'Partial',
      },
    ]);
  });

  it('the real run leaves the OMS exactly right and the report accounts for every row', async () => {
    const result = await sync('apply');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/9 customers were created/);

    const report = readReport(ws.path('apply'));
    expect(report.mode).toBe('apply');
    expect(report.totals).toEqual({
      read: 23,
      created: 9,
      updated: 2,
      unchanged: 2,
      duplicate: 1,
      rejected: 8,
      conflict: 1,
      failed: 0,
      skipped: 0,
    });
    const outcomes = readCsv(ws.path('apply', 'outcomes.csv'));
    expect(outcomes.map((o) => [Number(o.row), o.outcome])).toEqual(
      Object.entries(expected).map(([row, [outcome]]) => [Number(row), outcome]),
    );
    for (const [row, [, username]] of Object.entries(expected)) {
      if (username) expect(outcomes[Number(row) - 1]?.username).toBe(username);
    }
    // The record with a quoted line break starts on line 5; the rows after it are shifted by one line.
    expect(outcomes.slice(3, 5).map((o) => o.line)).toEqual(['5', '7']);
    expect(outcomes[16]?.reason).toMatch(/department differs/);
    expect(outcomes[6]?.reason).toMatch(/retailer 2/);
    // The values written on an assumption a person should confirm, and what normalising changed, by rule.
    expect(readCsv(ws.path('apply', 'review.csv'))).toContainEqual({
      row: '21',
      username: '1_nocountry@example.com',
      field: 'primaryPhone',
      input: '0412 345 679',
      written: '+61412345679',
      rule: 'phoneAssumedCountry',
    });
    // Nina's phone was read as Australian; emails were lower-cased, country names translated, opt-in words read.
    const normalised = report.normalised as Record<string, number>;
    expect(normalised.phoneAssumedCountry).toBe(1);
    for (const rule of ['emailLowerCased', 'countryTranslated', 'optInWord', 'phoneReformatted', 'textTrimmed']) {
      expect(normalised[rule], rule).toBeGreaterThan(0);
    }
    // customerId: the OMS id of every customer the run created, updated or found unchanged, for an order import.
    const ids = new Map(
      sandbox
        .customers()
        .filter((c) => c.retailerId === '1')
        .map((c) => [c.username, c.id]),
    );
    for (const o of outcomes) {
      const known = ['created', 'updated', 'unchanged'].includes(o.outcome ?? '');
      expect(o.customerId, `row ${o.row}`).toBe(known ? ids.get(o.username ?? '') : '');
    }
    // A rejected row says who it is: its username where one can be formed, else its email or names.
    for (const o of outcomes.filter((row) => row.outcome === 'rejected' && row.username === '')) {
      expect(o.reason, `row ${o.row}`).toMatch(/ \(row (of .+|with no email, name or key)\)$/);
    }

    // The whole OMS, exactly: the seed as it was except for the two updates, plus the nine new customers.
    const customer = (retailerId: string, username: string, fields: Record<string, string | boolean>) => ({
      retailerId,
      username,
      primaryEmail: username.replace(/^\d+_/, ''),
      title: null,
      firstName: null,
      lastName: null,
      primaryPhone: null,
      timezone: null,
      department: null,
      country: null,
      ...fields,
    });
    const expectedState = [
      // seeded, untouched
      customer('1', '1_existing.same@example.com', {
        title: 'Mr',
        firstName: 'Sam',
        lastName: 'Same',
        primaryPhone: '+61412000111',
        timezone: 'Australia/Perth',
        promotionOptIn: false,
        country: 'AU',
      }),
      customer('2', '1_taken@example.com', { firstName: 'Tamsin', lastName: 'Other', promotionOptIn: true }),
      customer('1', '1_dept.only@example.com', {
        title: 'Ms',
        firstName: 'Dora',
        lastName: 'Dept',
        department: 'Finance',
        promotionOptIn: false,
      }),
      customer('1', '1_not.in.file@example.com', { firstName: 'Nora', lastName: 'Untouched', promotionOptIn: false }),
      customer('3', '3_jane.doe@example.com', { firstName: 'Jane', lastName: 'Doe', promotionOptIn: false }),
      // seeded, updated: only the fields the file has a different value for
      customer('1', '1_existing.stale@example.com', {
        title: 'Mrs',
        firstName: 'Stella',
        lastName: 'Newname',
        primaryPhone: '+61412000222',
        timezone: 'Australia/Brisbane',
        promotionOptIn: true,
        country: 'AU',
      }),
      customer('1', '1_partial.update@example.com', { firstName: 'Pat', lastName: 'Partial', promotionOptIn: true }),
      // created
      customer('1', '1_jane.doe@example.com', {
        title: 'Ms',
        firstName: 'Jane',
        lastName: 'Doe',
        primaryPhone: '+61412345678',
        timezone: 'Australia/Sydney',
        promotionOptIn: true,
        country: 'AU',
      }),
      customer('1', '1_mark.smith@example.com', {
        title: 'Mr',
        firstName: 'Mark',
        lastName: 'Smith',
        primaryPhone: '+442079460018',
        timezone: 'Europe/London',
        promotionOptIn: false,
        country: 'GB',
      }),
      customer('1', '1_zoe.muller@example.com', {
        firstName: 'Zoë'.normalize('NFC'),
        lastName: 'Müller'.normalize('NFC'),
        primaryPhone: '+14155550132',
        timezone: 'America/Los_Angeles',
        promotionOptIn: true,
        country: 'US',
      }),
      customer('1', '1_li.wei@example.com', {
        title: 'Dr',
        firstName: 'Li',
        lastName: 'Wei',
        primaryPhone: '+61293744000',
        promotionOptIn: true,
        department: 'Sales',
        country: 'AU',
      }),
      customer('1', '1_dup.same@example.com', { firstName: 'Dee', lastName: 'Same', promotionOptIn: true }),
      customer('1', '1_noah.tabs@example.com', { firstName: 'Noah Tab', lastName: 'Ta bs', promotionOptIn: false }),
      customer('1', '1_gb.local@example.com', {
        firstName: 'Gemma',
        lastName: 'Brown',
        primaryPhone: '+447911123456',
        timezone: 'Europe/London',
        promotionOptIn: false,
        country: 'GB',
      }),
      customer('1', '1_nocountry@example.com', {
        firstName: 'Nina',
        lastName: 'Nocountry',
        primaryPhone: '+61412345679',
        promotionOptIn: true,
      }),
      customer('1', '1_possible.number@example.com', {
        firstName: 'Pia',
        lastName: 'Possible',
        primaryPhone: '+61123456789',
        promotionOptIn: false,
      }),
    ];
    const byKey = (a: { retailerId: string; username: string }, b: { retailerId: string; username: string }) =>
      `${a.retailerId}/${a.username}`.localeCompare(`${b.retailerId}/${b.username}`);
    const actualState = sandbox
      .customers()
      .map(({ id, ref, status, createdOn, updatedOn, ...fields }) => fields)
      .sort(byKey);
    expect(actualState).toEqual(expectedState.sort(byKey));
    expect(sandbox.stats().creates).toBe(9);
    expect(sandbox.stats().updates).toBe(2);

    const rejects = readCsv(ws.path('apply', 'rejects.csv'));
    expect(rejects.map((r) => Number(r._row))).toEqual([7, 8, 9, 10, 11, 12, 15, 16, 18]);
    const formula = rejects.find((r) => r._row === '18');
    expect(formula?.FIRST_NM).toBe('\'=HYPERLINK("http://evil.example","click")');
    expect(fs.statSync(path.join(ws.path('apply'), 'report.json')).mode & 0o777).toBe(0o600);
  });

  it('a re-run of the same file makes no mutation and almost no request', async () => {
    const before = sandbox.stats();
    const result = await sync('again');
    expect(result.code).toBe(1);
    const after = sandbox.stats();
    expect(after.mutations - before.mutations).toBe(0);
    const report = readReport(ws.path('again'));
    expect(report.totals).toMatchObject({ read: 23, created: 0, updated: 0, unchanged: 13, conflict: 1 });
    // The preflight's two questions (the login's roles, the retailer) and one lookup: only the conflicting username
    // is looked up again.
    expect(report.requests.graphql).toBeLessThanOrEqual(3);
  });

  it('--full-compare finds a customer changed in the OMS behind the checkpoint and puts it right', async () => {
    // Someone edits a customer in the OMS directly, through the same API.
    const client = createFluentClient({
      apiHost: sandbox.url,
      credentials: { kind: 'password', clientId: 'ops', clientSecret: 'ops', username: 'ops', password: 'ops' },
      ratePerSecond: 50,
    });
    await client.updateCustomer({ username: '1_jane.doe@example.com', lastName: 'Edited-By-Hand' });
    await client.close();

    const trusting = await sync('trusting');
    expect(trusting.code).toBe(1);
    expect(readReport(ws.path('trusting')).totals).toMatchObject({ unchanged: 13, updated: 0 });

    const full = await sync('full', '--full-compare');
    expect(full.code).toBe(1);
    expect(readReport(ws.path('full')).totals).toMatchObject({ unchanged: 12, updated: 1 });
    expect(readCsv(ws.path('full', 'diff.csv'))).toEqual([
      { username: '1_jane.doe@example.com', field: 'lastName', before: 'Edited-By-Hand', after: 'Doe', input: 'Doe' },
    ]);
    const jane = sandbox.customers().find((c) => c.username === '1_jane.doe@example.com' && c.retailerId === '1');
    expect(jane?.lastName).toBe('Doe');
  });
});
