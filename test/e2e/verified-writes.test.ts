import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createFluentClient } from '../../src/fluent/createFluentClient.js';
import { canonicalJson } from '../../src/normalise/canonicalJson.js';
import type { Sandbox } from '../../src/sandbox/startSandbox.js';
import type { OmsCustomer } from '../../src/types.js';
import { runCli } from '../helpers/runCli.js';
import { useSandboxes } from '../helpers/sandboxes.js';
import { makeWorkspace, readCsv, readReport } from '../helpers/workspace.js';

/**
 * What Fluent really did (issue 15, items 1 and 6), against a sandbox playing each reading Fluent's docs leave open:
 * every write is checked against Fluent's answer, and after every run the sandbox's final state is held against every
 * outcome the report claims — no row reported created, updated or put back, and no diff line, that the OMS does not
 * hold as claimed.
 */
const ws = makeWorkspace('cs-verified-');
const { aSandbox, envFor } = useSandboxes();
afterAll(() => ws.remove());

const mapping = ws.write(
  'mapping.json',
  JSON.stringify({ columns: { TITLE: 'title' }, attributes: { TIER: { name: 'tier', type: 'STRING' } } }),
);
const csv = (name: string, header: string, rows: string[]) =>
  ws.write(`${name}.csv`, `${[header, ...rows].join('\n')}\n`);
const cli = (sandbox: Sandbox, checkpoint: string, args: string[]) =>
  runCli([...args, '--checkpoint', ws.path(checkpoint), '--rate', '1000'], {
    env: envFor(sandbox),
  });

/** A customer's field or attribute as the OMS holds it, as diff lines show it ('' for none). */
function held(customer: OmsCustomer | undefined, field: string): string {
  if (!customer) return '';
  if (field.startsWith('attributes.')) {
    const name = field.slice('attributes.'.length);
    const attribute = (customer.attributes ?? []).find((a) => a.name === name);
    if (!attribute) return '';
    return typeof attribute.value === 'string' ? attribute.value : canonicalJson(attribute.value);
  }
  const value = customer[field as keyof OmsCustomer];
  return value === null || value === undefined ? '' : String(value);
}

/** A CSV cell as written, without the `'` that neutralises a formula-like start (`'+61 4…`). */
const cellValue = (cell: string | undefined) => (cell ?? '').replace(/^'(?=[=+\-@\t\r])/, '');

/** What the OMS holds of these usernames, read through the real client (a lookup sees attributes too). */
async function lookUp(sandbox: Sandbox, usernames: string[]): Promise<Map<string, OmsCustomer>> {
  const client = createFluentClient({
    apiHost: sandbox.url,
    credentials: { kind: 'password', clientId: 'qa', clientSecret: 'qa', username: 'qa', password: 'qa' },
    ratePerSecond: 100,
  });
  try {
    return new Map((await client.findCustomers(usernames)).map((c) => [c.username, c]));
  } finally {
    await client.close();
  }
}

/**
 * Holds the OMS against the report in `dir`: each row `created`/`updated` (a put-back, in an undo) has a customer of
 * its username, with the id outcomes.csv names, and every diff line's `after` is what the OMS holds (diff lines are
 * what Fluent shows changed, for rows `failed` with values not taken too). Returns the report's outcomes by username.
 */
async function expectReportTrue(sandbox: Sandbox, dir: string): Promise<Map<string, Record<string, string>>> {
  const outcomes = new Map(readCsv(`${dir}/outcomes.csv`).map((o) => [o.username ?? '', o]));
  const customers = await lookUp(
    sandbox,
    [...outcomes.keys()].filter((u) => u !== ''),
  );
  for (const [username, outcome] of outcomes) {
    if (outcome.outcome !== 'created' && outcome.outcome !== 'updated') continue;
    expect(customers.get(username), `${username} is ${outcome.outcome}`).toBeDefined();
    if (outcome.customerId !== '') expect(customers.get(username)?.id).toBe(outcome.customerId);
  }
  for (const line of readCsv(`${dir}/diff.csv`)) {
    const holds = held(customers.get(line.username ?? ''), line.field ?? '');
    expect(holds, `${line.username} ${line.field}`).toBe(cellValue(line.after));
  }
  return outcomes;
}

describe('attributes merged, null ignored: an undo that cannot put back says so', () => {
  it('reports nothing put back that the OMS still holds, and ends 1', async () => {
    const sandbox = await aSandbox({
      attributeUpdates: 'merge',
      nullUpdates: 'ignore',
      seed: [1, 2, 3, 4].map((n) => ({
        retailerId: '1',
        username: `1_c${n}@example.com`,
        primaryEmail: `c${n}@example.com`,
        lastName: 'Old',
      })),
    });
    // The run adds a title and an attribute to c1 and c2, and renames c3 and c4 (which an undo can put back).
    const file = csv('merge', 'email,lastName,TITLE,TIER', [
      'c1@example.com,Old,Dr,gold',
      'c2@example.com,Old,Dr,gold',
      'c3@example.com,New,,',
      'c4@example.com,New,,',
    ]);
    const sync = await cli(sandbox, 'merge.sqlite', [
      'sync',
      file,
      '--mapping',
      mapping,
      '--report-dir',
      ws.path('merge-sync'),
    ]);
    expect(sync.code).toBe(0);
    expect(readReport(ws.path('merge-sync')).totals).toMatchObject({ updated: 4 });
    await expectReportTrue(sandbox, ws.path('merge-sync'));
    const runId = readReport(ws.path('merge-sync')).runId;

    const undo = await cli(sandbox, 'merge.sqlite', ['undo', runId, '--report-dir', ws.path('merge-undo')]);
    expect(undo.code).toBe(1);
    const report = readReport(ws.path('merge-undo'));
    expect(report).toMatchObject({
      totals: { updated: 2, failed: 2 },
      incomplete: 2,
      notTakenAsSent: { title: 2, 'attributes.tier': 2 },
    });
    const outcomes = await expectReportTrue(sandbox, ws.path('merge-undo'));
    for (const username of ['1_c1@example.com', '1_c2@example.com']) {
      expect(outcomes.get(username)).toMatchObject({ outcome: 'failed' });
      expect(outcomes.get(username)?.reason).toMatch(
        /^not put back as before run \S+: Fluent did not take every value as sent: title holds "Dr", not \(none\); attributes\.tier holds "gold", not \(none\)/,
      );
    }
    // Still as the run left them, as the report says; the two renamed back are as before the run.
    const byName = await lookUp(
      sandbox,
      [1, 2, 3, 4].map((n) => `1_c${n}@example.com`),
    );
    expect(held(byName.get('1_c1@example.com'), 'title')).toBe('Dr');
    expect(held(byName.get('1_c2@example.com'), 'attributes.tier')).toBe('gold');
    expect(['1_c3@example.com', '1_c4@example.com'].map((u) => byName.get(u)?.lastName)).toEqual(['Old', 'Old']);
    expect(undo.stdout).toContain('2 rows could not be saved');
  });
});

describe('a write Fluent keeps otherwise than sent, and the nights after', () => {
  let sandbox: Sandbox;
  const cp = 'stored.sqlite';
  const header = 'email,firstName,lastName,phone';
  const night1 = [
    'ann@example.com,Ann,Lee,+61412345678',
    'bob@example.com,Bob,Bartholomew,',
    'cat@example.com,Cat,Ray,',
  ];

  it('fails each row whose value Fluent reformatted or truncated, each alias of a batch verified on its own', async () => {
    sandbox = await aSandbox({ storedValues: { reformatPhone: true, truncateNames: 8 } });
    const result = await cli(sandbox, cp, [
      'sync',
      csv('night1', header, night1),
      '--report-dir',
      ws.path('n1'),
      '--batch',
      '3',
    ]);
    expect(result.code).toBe(1);
    // One request carried the three creates.
    expect(sandbox.stats()).toMatchObject({ creates: 3 });
    const report = readReport(ws.path('n1'));
    expect(report).toMatchObject({
      totals: { created: 1, failed: 2 },
      notTakenAsSent: { lastName: 1, primaryPhone: 1 },
    });
    const outcomes = await expectReportTrue(sandbox, ws.path('n1'));
    const ann = outcomes.get('1_ann@example.com');
    expect(ann).toMatchObject({ outcome: 'failed', changedFields: expect.stringContaining('primaryPhone') });
    expect(ann?.reason).toBe(
      `created (customer id ${ann?.customerId}), but Fluent did not take every value as sent: primaryPhone holds "+61 412 345 678", not "+61412345678"`,
    );
    expect(outcomes.get('1_bob@example.com')?.reason).toMatch(/lastName holds "Bartholo", not "Bartholomew"$/);
    expect(outcomes.get('1_cat@example.com')).toMatchObject({ outcome: 'created' });
    expect(result.stdout).toContain('2 rows could not be saved');
  });

  it('the next night is failed again, naming the run, and sends nothing: neither unchanged nor flapping', async () => {
    const first = readReport(ws.path('n1')).runId;
    const before = sandbox.stats();
    const result = await cli(sandbox, cp, ['sync', csv('night2', header, night1), '--report-dir', ws.path('n2')]);
    expect(result.code).toBe(1);
    expect(sandbox.stats().mutations).toBe(before.mutations);
    const report = readReport(ws.path('n2'));
    expect(report).toMatchObject({
      totals: { unchanged: 1, failed: 2 },
      notTakenAsSent: { lastName: 1, primaryPhone: 1 },
    });
    // The created row is unchanged by hash, with no request.
    expect(readCsv(ws.path('n2', 'outcomes.csv'))[2]?.reason).toMatch(/^same as applied by run /);
    const outcomes = await expectReportTrue(sandbox, ws.path('n2'));
    expect(outcomes.get('1_ann@example.com')?.reason).toBe(
      `Fluent did not take every value as sent by run ${first}, and still holds what it held then (not sent again while the file and the OMS stay so; --full-compare sends it again): primaryPhone holds "+61 412 345 678", not "+61412345678"`,
    );
  });

  it('--full-compare sends it again; a file changed to what Fluent holds is unchanged with no request', async () => {
    const before = sandbox.stats().mutations;
    const again = await cli(sandbox, cp, [
      'sync',
      csv('night3', header, night1),
      '--report-dir',
      ws.path('n3'),
      '--full-compare',
    ]);
    expect(again.code).toBe(1);
    expect(sandbox.stats().mutations).toBe(before + 2);
    expect(readCsv(ws.path('n3', 'outcomes.csv')).map((o) => o.reason?.split(':')[0])).toEqual([
      'Fluent did not take every value of the update as sent',
      'Fluent did not take every value of the update as sent',
      'identical to the OMS',
    ]);
    await expectReportTrue(sandbox, ws.path('n3'));

    const fixed = [night1[0] as string, 'bob@example.com,Bob,Bartholo,', night1[2] as string];
    const result = await cli(sandbox, cp, ['sync', csv('night4', header, fixed), '--report-dir', ws.path('n4')]);
    expect(readCsv(ws.path('n4', 'outcomes.csv')).map((o) => o.outcome)).toEqual(['failed', 'unchanged', 'unchanged']);
    expect(result.code).toBe(1);
    // Bob's file now says what Fluent holds: unchanged by the checkpoint's hash of it, with no request.
    expect(readCsv(ws.path('n4', 'outcomes.csv'))[1]?.reason).toMatch(/^same as applied by run /);
  });
});

describe('labels: a case variant of this retailer, and an INACTIVE customer', () => {
  it('summarises and shows the case variant as one, creates nothing beside it, and says INACTIVE', async () => {
    const sandbox = await aSandbox({
      lookupMatch: 'ci',
      seed: [
        { retailerId: '1', username: '1_Jane@example.com', primaryEmail: 'jane@example.com' },
        { retailerId: '1', username: '1_ina@example.com', primaryEmail: 'ina@example.com', status: 'INACTIVE' },
      ],
    });
    const file = csv('labels', 'email,lastName', ['jane@example.com,Doe', 'ina@example.com,Active']);
    const result = await cli(sandbox, 'labels.sqlite', ['sync', file, '--report-dir', ws.path('labels')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('  1 row has a username this retailer holds in another case\n');
    expect(result.stdout).not.toContain('another retailer');
    const report = readReport(ws.path('labels'));
    expect(report).toMatchObject({
      totals: { conflict: 1, updated: 1 },
      conflicts: { otherRetailer: 0, caseVariant: 1, concurrent: 0, unseen: 0 },
    });
    const html = fs.readFileSync(ws.path('labels', 'report.html'), 'utf8');
    expect(html).toContain('row has a username this retailer holds in another case');
    expect(html).not.toContain('taken by another retailer');
    const outcomes = await expectReportTrue(sandbox, ws.path('labels'));
    expect(outcomes.get('1_ina@example.com')?.reason).toBe(
      'the OMS holds the customer as "INACTIVE"; updated all the same, its status left as it is',
    );
    expect(sandbox.customers().map((c) => c.username)).toEqual(['1_Jane@example.com', '1_ina@example.com']);
  });
});
