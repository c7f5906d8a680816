import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeRunColumns } from '../../src/check/describeRunColumns.js';
import { stageRows } from '../../src/check/stageRows.js';
import { type Checkpoint, openCheckpoint } from '../../src/checkpoint/openCheckpoint.js';
import { explainUsername, formatExplanation } from '../../src/history/explainUsername.js';
import type { RawRow } from '../../src/types.js';
import { aContext } from '../normalise/builders.js';

const HEADER = ['Email', 'First', 'Last', 'Phone', 'CRM'];
const TEMPLATE = '{retailerId}_{primaryEmail}';
const context = aContext(HEADER, {
  template: TEMPLATE,
  mapping: {
    columns: { Email: 'primaryEmail', First: 'firstName', Last: 'lastName', Phone: 'primaryPhone' },
    attributes: { CRM: { name: 'legacyCrmId', type: 'STRING' } },
  },
});

async function* rowsOf(records: string[][]): AsyncGenerator<RawRow> {
  let row = 0;
  for (const cells of records) {
    row++;
    yield { row, line: row + 1, cells };
  }
}

let dir: string;
let checkpoint: Checkpoint;

/** A validate-like run of `records`, recorded as a run records its columns. */
async function run(runId: string, records: string[][]) {
  const { journal } = checkpoint;
  journal.startRun({
    runId,
    mode: 'dry-run',
    apiHost: 'https://oms.example.invalid',
    retailerId: '1',
    inputPath: `${runId}.csv`,
    context: { header: HEADER, ...describeRunColumns(context, TEMPLATE) },
  });
  await stageRows({
    rows: rowsOf(records),
    context,
    shard: undefined,
    journal,
    runId,
    settle: (rows) => rows.map(() => ({ kind: 'unchanged', reason: 'same as applied by run r0' })),
    signal: new AbortController().signal,
    onRow: () => {},
  });
  journal.finishRun(runId, 'completed', { options: { usernameTemplate: TEMPLATE } });
}

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-explain-'));
  checkpoint = openCheckpoint(path.join(dir, 'cp.sqlite'), 'explainer').checkpoint;
  await run('r1', [
    ['ann@example.com', 'Ann', 'Lee', '', 'C-1001'],
    ['Bob@Example.com', 'Bob', 'Ng', '12', 'C-1002'],
    ['not-an-email', 'Cy', 'Ray', '', 'C-1003'],
    ['dee@example.com', 'Dee', 'Fox', '', 'C-100'],
  ]);
});
afterEach(() => {
  checkpoint.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('explain', () => {
  it('finds a row by its username in any case', () => {
    const explanation = explainUsername(checkpoint.history, '1_ANN@example.com');
    expect(explanation.runs.map((r) => [r.row, r.foundBy, r.outcome])).toEqual([[1, 'username', 'unchanged']]);
  });

  it('finds a rejected row by its email, and one with no username by its key column', () => {
    const byEmail = explainUsername(checkpoint.history, ' bob@example.COM ');
    expect(byEmail.runs.map((r) => [r.row, r.spelled, r.foundBy, r.outcome])).toEqual([
      [2, '1_bob@example.com', 'primaryEmail', 'rejected'],
    ]);
    const byKey = explainUsername(checkpoint.history, 'c-1003');
    expect(byKey.runs.map((r) => [r.row, r.spelled, r.foundBy, r.outcome])).toEqual([
      [3, '', 'attributes.legacyCrmId', 'rejected'],
    ]);
    const text = formatExplanation(byKey);
    expect(text).toMatch(
      /run r1 \(dry-run, completed, retailer 1\): row 3 \(line 4\) of r1\.csv with no username \(primaryEmail "not-an-email", firstName "Cy", lastName "Ray"\), found by its attributes\.legacyCrmId: rejected — primaryEmail "not-an-email" is not a valid email address/,
    );
    expect(text).not.toContain('(row of');
  });

  it('matches a whole cell, not a part of one', () => {
    // C-100 is in the cells of rows 1-3 too, as part of their keys.
    expect(explainUsername(checkpoint.history, 'C-100').runs.map((r) => r.row)).toEqual([4]);
    expect(explainUsername(checkpoint.history, 'example.com').runs).toEqual([]);
  });

  it('lists every kept run that saw the customer, newest first', async () => {
    await run('r2', [['ann@example.com', 'Anne', 'Lee', '', 'C-1001']]);
    const explanation = explainUsername(checkpoint.history, 'ann@example.com');
    expect(explanation.runs.map((r) => [r.runId, r.row])).toEqual([
      ['r2', 1],
      ['r1', 1],
    ]);
  });

  it('says how usernames are made when nothing matches, with what the template makes of an email', () => {
    const text = formatExplanation(explainUsername(checkpoint.history, 'Eve@Example.com'));
    expect(text).toBe(
      [
        'no run kept in this checkpoint has a row with the username, email or key "Eve@Example.com" (runs older than --keep-runs are pruned)',
        'usernames for retailer 1 are made by --username-template {retailerId}_{primaryEmail}: {retailerId}_{primaryEmail} → 1_eve@example.com',
        '',
      ].join('\n'),
    );
    expect(formatExplanation(explainUsername(checkpoint.history, 'nobody'))).toContain(
      '{retailerId}_{primaryEmail} → 1_…',
    );
  });
});
