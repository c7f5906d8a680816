import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveDuplicates } from '../../src/check/resolveDuplicates.js';
import { stageRows } from '../../src/check/stageRows.js';
import { type Checkpoint, openCheckpoint, openScratchJournal } from '../../src/checkpoint/openCheckpoint.js';
import type { RunJournal } from '../../src/checkpoint/runJournal.js';
import { hashCustomer } from '../../src/normalise/hashCustomer.js';
import { type NormaliseContext, normaliseRow } from '../../src/normalise/normaliseRow.js';
import type { OnDuplicate } from '../../src/options/index.js';
import type { SettleRows } from '../../src/plan/decideStaging.js';
import { settleFromCheckpoint } from '../../src/plan/settleFromCheckpoint.js';
import { listReviewLines } from '../../src/report/listReviewLines.js';
import type { RawRow } from '../../src/types.js';
import { aContext } from '../normalise/builders.js';

const HEADER = ['primaryEmail', 'firstName', 'lastName'];
const context = aContext(HEADER);
const settleValid: SettleRows = (rows) => rows.map((row) => ({ kind: 'valid', reason: row.notes.join('; ') }));
/** Normalises a row read back, as a run does for the fields duplicates differ in. */
const normaliseWith = (within: NormaliseContext) => (raw: RawRow) => {
  const result = normaliseRow(raw, within);
  return result.ok ? result.customer : undefined;
};
const renormalise = normaliseWith(context);

/** Data rows as the reader yields them: numbered from 1, each record on its own line after the header. */
async function* rowsOf(records: string[][]): AsyncGenerator<RawRow> {
  let row = 0;
  for (const cells of records) {
    row++;
    yield { row, line: row + 1, cells };
  }
}

async function stage(
  journal: RunJournal,
  runId: string,
  records: string[][],
  settle = settleValid,
  within: NormaliseContext = context,
) {
  journal.startRun({ runId, mode: 'validate', apiHost: null, retailerId: '1', inputPath: 'in.csv', context: {} });
  const { read } = await stageRows({
    rows: rowsOf(records),
    context: within,
    shard: undefined,
    journal,
    runId,
    settle,
    signal: new AbortController().signal,
    onRow: () => {},
  });
  return read;
}

const outcomesOf = (journal: RunJournal, runId: string) =>
  [...journal.outcomes(runId)].map((o) => [o.row, o.outcome, o.reason]);

describe('staging for validate', () => {
  let scratch: ReturnType<typeof openScratchJournal>;
  beforeEach(() => {
    scratch = openScratchJournal();
  });
  afterEach(() => scratch.close());

  it('settles every row as it is staged: valid or rejected with its reasons, its line and original cells kept', async () => {
    const { journal } = scratch;
    const read = await stage(journal, 'v', [
      ['ann@example.com', 'Ann', 'Lee'],
      ['not-an-email', '=cmd', 'Roe'],
      ['bob@example.com', 'Bob'],
    ]);
    expect(read).toBe(3);
    expect(journal.countOpenRows('v')).toBe(0);
    expect([...journal.outcomes('v')]).toEqual([
      {
        row: 1,
        line: 2,
        username: '1_ann@example.com',
        outcome: 'valid',
        reason: '',
        changedFields: [],
        customerId: '',
      },
      {
        row: 2,
        line: 3,
        username: '',
        outcome: 'rejected',
        reason: expect.stringMatching(
          /"not-an-email" is not a valid email address.* \(row of primaryEmail "not-an-email", firstName "=cmd", lastName "Roe"\)$/,
        ),
        changedFields: [],
        customerId: '',
      },
      {
        row: 3,
        line: 4,
        username: '',
        outcome: 'rejected',
        reason: 'row has 2 columns; the header has 3 (row of cells "bob@example.com", "Bob")',
        changedFields: [],
        customerId: '',
      },
    ]);
    expect([...journal.rejects('v')].map((r) => [r.row, r.cells])).toEqual([
      [2, ['not-an-email', '=cmd', 'Roe']],
      [3, ['bob@example.com', 'Bob']],
    ]);
  });

  it.each<[OnDuplicate, (string | number)[][]]>([
    [
      'reject',
      [
        [1, 'valid', ''],
        [
          2,
          'rejected',
          'username appears in rows 2, 4, which differ in lastName (pass --on-duplicate first or last to keep one)',
        ],
        [3, 'duplicate', 'same values as row 1'],
        [
          4,
          'rejected',
          'username appears in rows 2, 4, which differ in lastName (pass --on-duplicate first or last to keep one)',
        ],
        [5, 'valid', ''],
      ],
    ],
    [
      'first',
      [
        [1, 'valid', ''],
        [2, 'valid', ''],
        [3, 'duplicate', 'same values as row 1'],
        [4, 'duplicate', 'row 2 is kept (--on-duplicate first); this row differs in lastName'],
        [5, 'valid', ''],
      ],
    ],
    [
      'last',
      [
        [1, 'valid', ''],
        [2, 'duplicate', 'row 4 is kept (--on-duplicate last); this row differs in lastName'],
        [3, 'duplicate', 'same values as row 1'],
        [4, 'valid', ''],
        [5, 'valid', ''],
      ],
    ],
  ])(
    'lets in-file duplicate rules override rows settled as valid (--on-duplicate %s)',
    async (onDuplicate, expected) => {
      const { journal } = scratch;
      await stage(journal, 'v', [
        ['ann@example.com', 'Ann', 'Lee'],
        ['BOB@example.com', 'Bob', 'Old'],
        [' ann@example.com ', 'Ann', 'Lee'],
        ['bob@example.com', 'Bob', 'New'],
        ['cat@example.com', 'Cat', 'Ng'],
      ]);
      resolveDuplicates(journal, 'v', onDuplicate, renormalise);
      expect(outcomesOf(journal, 'v')).toEqual(expected);
    },
  );

  it('names every field rows of one username differ in, attributes too, whatever the order of the rows', async () => {
    const header = ['primaryEmail', 'firstName', 'primaryPhone', 'CRM_ID'];
    const within = aContext(header, {
      mapping: { columns: {}, attributes: { CRM_ID: { name: 'legacyCrmId', type: 'STRING' } } },
    });
    const { journal } = scratch;
    await stage(
      journal,
      'v',
      [
        ['ann@example.com', 'Ann', '+61412345678', 'C-1'],
        ['ann@example.com', 'Ann', '+61412345678', 'C-2'],
        ['ann@example.com', 'Anne', '+61412345678', 'C-1'],
      ],
      settleValid,
      within,
    );
    resolveDuplicates(journal, 'v', 'reject', normaliseWith(within));
    expect(outcomesOf(journal, 'v').map(([, , reason]) => reason)).toEqual(
      Array(3).fill(
        'username appears in rows 1, 2, 3, which differ in firstName, attributes.legacyCrmId (pass --on-duplicate first or last to keep one)',
      ),
    );
  });

  it("gives a rejected row its username where one can be formed, and explain's email and key columns otherwise", async () => {
    const header = ['primaryEmail', 'firstName', 'lastName', 'primaryPhone', 'CRM'];
    const within = aContext(header, { template: '{retailerId}_{primaryEmail}_{column:CRM}' });
    const { journal } = scratch;
    await stage(
      journal,
      'v',
      [
        ['Ann@Example.com', 'Ann', 'Lee', '12', 'C-1'],
        ['', '', '', '', ''],
        ['bob@', 'Bob', '', '+61412345678', 'C-2'],
      ],
      settleValid,
      within,
    );
    expect([...journal.outcomes('v')].map((o) => [o.username, o.reason])).toEqual([
      ['1_ann@example.com_c-1', expect.not.stringContaining('(row of')],
      ['', expect.stringMatching(/ \(row with no email, name or key\)$/)],
      ['', expect.stringMatching(/ \(row of primaryEmail "bob@", firstName "Bob", "CRM" "C-2"\)$/)],
    ]);
  });

  it('counts what normalising changed by rule, keeps the rows to review, and the values that rejected rows', async () => {
    const header = ['primaryEmail', 'firstName', 'primaryPhone', 'country'];
    const within = aContext(header, { defaultCountry: 'AU' });
    const { journal } = scratch;
    journal.startRun({
      runId: 'v',
      mode: 'validate',
      apiHost: null,
      retailerId: '1',
      inputPath: 'in.csv',
      context: {},
    });
    const { read, normalised } = await stageRows({
      rows: rowsOf([
        ['Ann@example.com', ' Ann ', '0412 345 678', ''],
        ['bob@example.com', 'Bob', '+61 412 345 679', 'au'],
        ['cy@example.com', 'Cy', '', 'Atlantis'],
        ['dee@example.com', 'Dee', '', 'Atlantis'],
        ['eve@', 'Eve', '', 'Atlantis'],
      ]),
      context: within,
      shard: undefined,
      journal,
      runId: 'v',
      settle: settleValid,
      signal: new AbortController().signal,
      onRow: () => {},
    });
    expect(read).toBe(5);
    expect(normalised).toMatchObject({
      emailLowerCased: 1,
      textTrimmed: 1,
      phoneAssumedCountry: 1,
      // Bob's phone was written otherwise than in E.164 (Ann's counts as read with the default country).
      phoneReformatted: 1,
      countryTranslated: 1,
      optInWord: 0,
    });
    expect([...listReviewLines(journal.reviewRows('v'))]).toEqual([
      {
        row: 1,
        username: '1_ann@example.com',
        field: 'primaryPhone',
        input: '0412 345 678',
        written: '+61412345678',
        rule: 'phoneAssumedCountry',
      },
    ]);
    expect(journal.rejectedValues('v', 10)).toEqual([
      { field: 'country', value: 'Atlantis', rows: 3, example: 3 },
      { field: 'primaryEmail', value: 'eve@', rows: 1, example: 5 },
    ]);
  });

  it('finds duplicates among thousands of rows and in groups larger than a page, exactly', async () => {
    const { journal } = scratch;
    const records: string[][] = [];
    for (let i = 0; i < 2_500; i++) records.push(['same@example.com', 'Sam', 'Same']);
    for (let i = 0; i < 3_000; i++) records.push([`user${i}@example.com`, 'U', i % 1_000 === 7 ? 'Odd' : 'Even']);
    for (let i = 0; i < 3; i++) records.push(['user7@example.com', 'U', 'Odd']);
    await stage(journal, 'v', records);
    expect(resolveDuplicates(journal, 'v', 'first', renormalise)).toBe(2_499 + 3);
    const counts = journal.outcomeCounts('v');
    expect(Object.fromEntries(counts)).toEqual({ valid: 1 + 3_000, duplicate: 2_502 });
    const sevens = outcomesOf(journal, 'v').filter(([row]) => (row as number) > 5_500);
    expect(sevens).toEqual([
      [5_501, 'duplicate', 'same values as row 2508'],
      [5_502, 'duplicate', 'same values as row 2508'],
      [5_503, 'duplicate', 'same values as row 2508'],
    ]);
  });
});

describe('staging a sync against the checkpoint', () => {
  let dir: string;
  let checkpoint: Checkpoint;
  const scope = { apiHost: 'https://oms.example.invalid', retailerId: '1' };
  const customerOf = (email: string, firstName: string, lastName: string) => ({
    username: `1_${email}`,
    firstName,
    lastName,
    primaryEmail: email,
  });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-stage-'));
    checkpoint = openCheckpoint(path.join(dir, 'cp.sqlite'), 'run-2').checkpoint;
    const { journal, syncState } = checkpoint;
    journal.startRun({
      runId: 'run-1',
      mode: 'apply',
      apiHost: scope.apiHost,
      retailerId: '1',
      inputPath: 'x',
      context: {},
    });
    journal.finishRun('run-1', 'completed', {});
    const remember = (retailerId: string, customer: ReturnType<typeof customerOf>) =>
      syncState.recordApplied(
        { ...scope, retailerId },
        'run-1',
        { username: customer.username, omsId: '1', hash: hashCustomer(customer), appliedBy: 'run-1' },
        { row: 1, outcome: 'created', reason: '' },
      );
    remember('1', customerOf('ann@example.com', 'Ann', 'Lee'));
    remember('1', customerOf('bob@example.com', 'Bob', 'Old'));
    remember('2', customerOf('cat@example.com', 'Cat', 'Ng'));
    remember('1', customerOf('dan@example.com', 'Dan', 'Ito'));
    syncState.markPending(scope, '1_dan@example.com', 'run-0', 'update');
  });
  afterEach(() => {
    checkpoint.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const settleWith = (fullCompare: boolean) =>
    settleFromCheckpoint({ syncState: checkpoint.syncState, scope, runId: 'run-2', mode: 'apply', fullCompare });
  const records = [
    ['ann@example.com', 'Ann', 'Lee'],
    ['bob@example.com', 'Bob', 'New'],
    ['cat@example.com', 'Cat', 'Ng'],
    ['dan@example.com', 'Dan', 'Ito'],
    ['eve@example.com', 'Eve', 'Ray'],
    ['ann@example.com', 'Ann', 'Lee'],
  ];

  it('settles what the checkpoint alone decides and leaves the rest open for a lookup', async () => {
    const { journal } = checkpoint;
    await stage(journal, 'run-2', records, settleWith(false));
    expect(resolveDuplicates(journal, 'run-2', 'reject', renormalise)).toBe(1);
    expect(outcomesOf(journal, 'run-2').filter(([, outcome]) => outcome !== null)).toEqual([
      [1, 'unchanged', 'same as applied by run run-1'],
      [3, 'conflict', 'username is already held by retailer 2 (run run-1 synced it)'],
      [6, 'duplicate', 'same values as row 1'],
    ]);
    // Changed content, a mutation a killed run may have sent, and a new customer all need the OMS.
    expect(journal.openRows('run-2', 0, 10).map((r) => [r.row, r.username, r.customer.lastName])).toEqual([
      [2, '1_bob@example.com', 'New'],
      [4, '1_dan@example.com', 'Ito'],
      [5, '1_eve@example.com', 'Ray'],
    ]);
  });

  it('groups the rows of a run that another process staged over all of them', async () => {
    await stage(checkpoint.journal, 'run-2', records, settleWith(false));
    checkpoint.close();
    checkpoint = openCheckpoint(path.join(dir, 'cp.sqlite'), 'run-3').checkpoint;
    expect([...checkpoint.journal.duplicateGroups('run-2')]).toEqual([
      { key: '1_ann@example.com', rows: [expect.objectContaining({ row: 1 }), expect.objectContaining({ row: 6 })] },
    ]);
  });

  it('with --full-compare trusts no hash: only conflicts are settled before the lookup', async () => {
    const { journal } = checkpoint;
    await stage(journal, 'run-2', records, settleWith(true));
    resolveDuplicates(journal, 'run-2', 'reject', renormalise);
    expect(journal.openRows('run-2', 0, 10).map((r) => r.row)).toEqual([1, 2, 4, 5]);
    expect(Object.fromEntries(journal.outcomeCounts('run-2'))).toEqual({ conflict: 1, duplicate: 1 });
  });
});
