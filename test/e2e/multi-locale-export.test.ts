import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFluentClient } from '../../src/fluent/createFluentClient.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/startSandbox.js';
import { type ExpectedCustomer, generateLocaleExport } from '../helpers/generateLocaleExport.js';
import { runCli, TEST_CREDENTIALS } from '../helpers/runCli.js';
import { makeWorkspace, readCsv, readReport } from '../helpers/workspace.js';

// Enough for every kind of value, and over 100 rows a person would refuse (114, of six kinds).
const ROWS = 1_200;

/**
 * A new user's first import of an international CRM export: seven locales, the CRM's own headers, a mapping file with
 * value maps, `--default-country AU`. What lands in the OMS is compared field by field with the generator's truth.
 */
describe('an export of seven locales, synced with --default-country AU', () => {
  const ws = makeWorkspace();
  const generated = generateLocaleExport(ROWS);
  const file = ws.write('crm-export.csv', generated.csv);
  const mapping = ws.write('mapping.json', JSON.stringify(generated.mapping));
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(async () => {
    await sandbox.close();
    ws.remove();
  });

  it('writes no wrong value, and rejects only the rows a person would refuse too', async () => {
    const result = await runCli(
      [
        'sync',
        file,
        '--mapping',
        mapping,
        '--default-country',
        'AU',
        '--checkpoint',
        ws.path('cp.sqlite'),
        '--report-dir',
        ws.path('report'),
        '--rate',
        '2000',
        '--batch',
        '50',
      ],
      { env: { ...TEST_CREDENTIALS, FLUENT_API_HOST: sandbox.url, FLUENT_RETAILER_ID: '1' } },
    );
    expect(result.code, result.stderr).toBe(1);

    // The OMS's final state, read once through its API: every field, attributes included.
    const client = createFluentClient({
      apiHost: sandbox.url,
      credentials: { kind: 'password', clientId: 'ops', clientSecret: 'ops', username: 'ops', password: 'ops' },
      ratePerSecond: 100,
    });
    const usernames = generated.rows.flatMap((truth) => (truth.accept ? [truth.customer.username] : []));
    const held = new Map((await client.findCustomers(usernames)).map((customer) => [customer.username, customer]));
    const outcomes = new Map(readCsv(ws.path('report', 'outcomes.csv')).map((line) => [Number(line.row), line]));
    const wrong: string[] = [];
    const needless: string[] = [];
    let accepted = 0;
    for (const truth of generated.rows) {
      const outcome = outcomes.get(truth.row);
      if (!truth.accept) {
        if (outcome?.outcome !== 'rejected')
          wrong.push(`row ${truth.row} (${truth.why.join(', ')}): ${outcome?.outcome}`);
        continue;
      }
      accepted++;
      if (outcome?.outcome === 'rejected') {
        needless.push(`row ${truth.row}: ${outcome.reason}`);
        continue;
      }
      const customer = held.get(truth.customer.username);
      if (customer === undefined) {
        wrong.push(`row ${truth.row}: ${truth.customer.username} is not in the OMS (${outcome?.outcome})`);
        continue;
      }
      for (const field of Object.keys(truth.customer) as (keyof ExpectedCustomer)[]) {
        const expected = truth.customer[field];
        const actual = field === 'attributes' ? (customer.attributes ?? []) : customer[field];
        if (JSON.stringify(actual) !== JSON.stringify(expected)) {
          wrong.push(`row ${truth.row} ${field}: ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
        }
      }
    }
    expect(wrong.slice(0, 20)).toEqual([]);
    expect(needless.slice(0, 20)).toEqual([]);
    // The export holds every kind of value, acceptable and not, in numbers that mean something.
    expect(accepted).toBeGreaterThan(ROWS * 0.8);
    expect(ROWS - accepted).toBeGreaterThan(100);
    expect(held.size).toBe(accepted);
    expect(sandbox.customers()).toHaveLength(accepted);
    expect(readReport(ws.path('report')).totals).toMatchObject({ read: ROWS, created: accepted });
  });
});
