import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFluentClient, type FluentClient } from '../../src/fluent/createFluentClient.js';
import { FLAG_WORDS } from '../../src/normalise/readFlag.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/startSandbox.js';
import type { OmsAttribute } from '../../src/types.js';
import { runCli, TEST_CREDENTIALS } from '../helpers/runCli.js';
import { makeWorkspace, readCsv, readReport } from '../helpers/workspace.js';

/**
 * Keeping a legacy CRM's columns as Fluent customer attributes (SPEC §3), against the sandbox, which replaces a
 * customer's whole attribute list on update (the strictest reading of Fluent): created with them, unchanged on a
 * re-run, one changed alone, and an attribute the tool does not manage never lost.
 */
describe('customer attributes from a mapping file', () => {
  const ws = makeWorkspace();
  let sandbox: Sandbox;
  let client: FluentClient;
  const mapping = ws.write(
    'mapping.json',
    JSON.stringify({
      attributes: {
        CRM_ID: { name: 'legacyCrmId', type: 'STRING' },
        TIER: { name: 'loyaltyTier', type: 'INTEGER' },
        VIP: { name: 'vip', type: 'BOOLEAN' },
        PREFS: { name: 'contactPrefs', type: 'JSON' },
      },
    }),
  );
  const HEADER = 'Email,First Name,CRM_ID,TIER,VIP,PREFS';
  const ann = 'ann@example.com,Ann,C-1,1,yes,"{""sms"": true}"';
  const bob = 'bob@example.com,Bob,C-2,2,no,';
  const cat = 'cat@example.com,Cat,C-3,3,yes,';
  const sync = (name: string, rows: string[], ...extra: string[]) =>
    runCli(
      [
        'sync',
        ws.write(`${name}.csv`, `${[HEADER, ...rows].join('\n')}\n`),
        '--mapping',
        mapping,
        '--checkpoint',
        ws.path('checkpoint.sqlite'),
        '--report-dir',
        ws.path(name),
        '--rate',
        '200',
        ...extra,
      ],
      { env: { ...TEST_CREDENTIALS, FLUENT_API_HOST: sandbox.url, FLUENT_RETAILER_ID: '1' } },
    );
  const attributesOf = async (email: string): Promise<OmsAttribute[] | null | undefined> => {
    const [customer] = await client.findCustomers([`1_${email}`]);
    return customer?.attributes;
  };

  beforeAll(async () => {
    sandbox = await startSandbox();
    client = createFluentClient({
      apiHost: sandbox.url,
      credentials: { kind: 'password', clientId: 'ops', clientSecret: 'ops', username: 'ops', password: 'ops' },
      ratePerSecond: 100,
    });
    // Cat exists already, with an attribute another system keeps and an old CRM id.
    await client.createCustomer({
      username: '1_cat@example.com',
      primaryEmail: 'cat@example.com',
      firstName: 'Cat',
      promotionOptIn: false,
      retailer: { id: '1' },
      attributes: [
        { name: 'segment', type: 'STRING', value: 'B2B' },
        { name: 'legacyCrmId', type: 'STRING', value: 'OLD-3' },
      ],
    });
  });
  afterAll(async () => {
    await client.close();
    await sandbox.close();
    ws.remove();
  });

  it('creates customers with their attributes, and updates an existing one without losing its own', async () => {
    const result = await sync('first', [ann, bob, cat]);
    expect(result.stderr).toBe('reading column "Email" as primaryEmail\n');
    expect(result.code).toBe(0);
    expect(readReport(ws.path('first')).totals).toMatchObject({ read: 3, created: 2, updated: 1 });
    expect(await attributesOf('ann@example.com')).toEqual([
      { name: 'legacyCrmId', type: 'STRING', value: 'C-1' },
      { name: 'loyaltyTier', type: 'INTEGER', value: 1 },
      { name: 'vip', type: 'BOOLEAN', value: true },
      { name: 'contactPrefs', type: 'JSON', value: { sms: true } },
    ]);
    // Bob's PREFS cell is empty: no such attribute is sent at all.
    expect((await attributesOf('bob@example.com'))?.map((a) => a.name)).toEqual(['legacyCrmId', 'loyaltyTier', 'vip']);
    expect(await attributesOf('cat@example.com')).toEqual([
      { name: 'segment', type: 'STRING', value: 'B2B' },
      { name: 'legacyCrmId', type: 'STRING', value: 'C-3' },
      { name: 'loyaltyTier', type: 'INTEGER', value: 3 },
      { name: 'vip', type: 'BOOLEAN', value: true },
    ]);
    const diff = readCsv(ws.path('first', 'diff.csv'));
    expect(diff.filter((d) => d.username === '1_cat@example.com')).toEqual([
      { username: '1_cat@example.com', field: 'attributes.legacyCrmId', before: 'OLD-3', after: 'C-3', input: 'C-3' },
      { username: '1_cat@example.com', field: 'attributes.loyaltyTier', before: '', after: '3', input: '3' },
      // The attribute's own column as the file had it: `yes`, read as true.
      { username: '1_cat@example.com', field: 'attributes.vip', before: '', after: 'true', input: 'yes' },
    ]);
    expect(diff).toContainEqual({
      username: '1_ann@example.com',
      field: 'attributes.contactPrefs',
      before: '',
      after: '{"sms":true}',
      input: '{"sms": true}',
    });
  });

  it('leaves every customer unchanged on a re-run, from the checkpoint and from a full compare alike', async () => {
    const before = sandbox.stats().mutations;
    const rerun = await sync('rerun', [ann, bob, cat]);
    expect(rerun.code).toBe(0);
    expect(readReport(ws.path('rerun')).totals).toMatchObject({ read: 3, unchanged: 3 });
    const compared = await sync('compared', [ann, bob, cat], '--full-compare');
    expect(compared.code).toBe(0);
    expect(readReport(ws.path('compared')).totals).toMatchObject({ read: 3, unchanged: 3 });
    expect(readCsv(ws.path('compared', 'outcomes.csv')).map((o) => o.reason)).toEqual(
      Array(3).fill('identical to the OMS'),
    );
    expect(sandbox.stats().mutations).toBe(before);
  });

  it('updates one changed attribute alone; an empty cell and an unmanaged attribute are left as they are', async () => {
    const catRaised = 'cat@example.com,Cat,C-3,4,yes,';
    const bobNoId = 'bob@example.com,Bob,,2,no,';
    const result = await sync('raise', [ann, bobNoId, catRaised]);
    expect(result.code).toBe(0);
    expect(readReport(ws.path('raise')).totals).toMatchObject({ read: 3, updated: 1, unchanged: 2 });
    expect(readCsv(ws.path('raise', 'diff.csv'))).toEqual([
      { username: '1_cat@example.com', field: 'attributes.loyaltyTier', before: '3', after: '4', input: '4' },
    ]);
    expect(readCsv(ws.path('raise', 'outcomes.csv'))[2]).toMatchObject({
      outcome: 'updated',
      changedFields: 'attributes.loyaltyTier',
    });
    expect(await attributesOf('cat@example.com')).toEqual([
      { name: 'segment', type: 'STRING', value: 'B2B' },
      { name: 'legacyCrmId', type: 'STRING', value: 'C-3' },
      { name: 'loyaltyTier', type: 'INTEGER', value: 4 },
      { name: 'vip', type: 'BOOLEAN', value: true },
    ]);
    expect((await attributesOf('bob@example.com'))?.find((a) => a.name === 'legacyCrmId')?.value).toBe('C-2');
  });

  it('rejects a row whose attribute value is not of its type, naming it, and sends nothing for it', async () => {
    const before = sandbox.stats().mutations;
    const result = await sync('bad', ['dan@example.com,Dan,C-4,gold,yes,', 'eve@example.com,Eve,C-5,1,perhaps,{x}']);
    expect(result.code).toBe(1);
    const outcomes = readCsv(ws.path('bad', 'outcomes.csv'));
    expect(outcomes.map((o) => o.outcome)).toEqual(['rejected', 'rejected']);
    expect(outcomes[0]?.reason).toBe('attribute loyaltyTier (column "TIER", INTEGER): "gold" is not a whole number');
    expect(outcomes[1]?.reason).toBe(
      `attribute vip (column "VIP", BOOLEAN): "perhaps" is not one of ${FLAG_WORDS}; attribute contactPrefs (column "PREFS", JSON): "{x}" is not JSON`,
    );
    expect(sandbox.stats().mutations).toBe(before);
  });
});
