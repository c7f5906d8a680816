import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Checkpoint, openCheckpoint } from '../../src/checkpoint/openCheckpoint.js';
import type { RunJournal } from '../../src/checkpoint/runJournal.js';

let dir: string;
let file: string;
const open: Checkpoint[] = [];
const openJournal = (runId: string): RunJournal => {
  const { checkpoint } = openCheckpoint(file, runId);
  open.push(checkpoint);
  return checkpoint.journal;
};
const closeAll = () => {
  for (const cp of open.splice(0)) cp.close();
};

/** A run of three rows read from `email,first name` (column 1 is firstName): the second has a note. */
function stageRun(journal: RunJournal, runId: string) {
  journal.startRun({
    runId,
    mode: 'apply',
    apiHost: 'https://oms.example',
    retailerId: '1',
    inputPath: 'f.csv',
    context: { header: ['email', 'first name'], fieldColumns: { primaryEmail: 0, firstName: 1 } },
  });
  const stager = journal.createStager(runId);
  for (const [row, name] of [
    [1, 'Ann'],
    [2, ' Bob '],
    [3, 'Cat'],
  ] as const) {
    const username = `1_${name.trim().toLowerCase()}@example.com`;
    stager.add({
      row,
      line: row + 1,
      cells: [`${name.trim().toLowerCase()}@example.com`, name],
      customer: { username, firstName: name.trim() },
      hash: `h${row}`,
      notes: row === 2 ? ['firstName trimmed'] : [],
    });
  }
  stager.flush();
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-journal-'));
  file = path.join(dir, 'cp.sqlite');
});
afterEach(() => {
  closeAll();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the run journal: each run’s log', () => {
  it('keeps open rows with their notes until an outcome takes them in; a stop closes the rest, notes after its reason', () => {
    const journal = openJournal('r1');
    stageRun(journal, 'r1');
    expect(journal.countOpenRows('r1')).toBe(3);
    expect(journal.openRows('r1', 1, 10).map((r) => [r.row, r.notes])).toEqual([
      [2, 'firstName trimmed'],
      [3, ''],
    ]);
    journal.setOutcomes('r1', [
      { row: 1, outcome: 'created', reason: '', changedFields: ['firstName'], customerId: '7' },
    ]);
    expect(journal.closeOpenRows('r1', 'not processed: the run stopped (SIGTERM)', 'skipped')).toBe(2);
    expect([...journal.outcomes('r1')].map((o) => [o.row, o.outcome, o.reason, o.changedFields, o.customerId])).toEqual(
      [
        [1, 'created', '', ['firstName'], '7'],
        [2, 'skipped', 'not processed: the run stopped (SIGTERM); firstName trimmed', [], ''],
        [3, 'skipped', 'not processed: the run stopped (SIGTERM)', [], ''],
      ],
    );
    expect(Object.fromEntries(journal.outcomeCounts('r1'))).toEqual({ created: 1, skipped: 2 });
  });

  it('keeps each diff line with the cell its field was read from, in order across a resumed process', () => {
    const first = openJournal('r1');
    stageRun(first, 'r1');
    const change = (username: string, after: string) => ({
      username,
      field: 'firstName' as const,
      before: null,
      after,
    });
    first.addDiffs('r1', [change('1_ann@example.com', 'Ann')], 1);
    closeAll();
    // The process was killed; a later one records more diffs of the same run.
    const second = openJournal('r2');
    second.addDiffs('r1', [change('1_bob@example.com', 'Bob')], 2);
    second.addDiffs('r1', [{ username: '1_cat@example.com', field: 'lastName', before: 'Ng', after: null }]);
    expect([...second.diffs('r1')]).toEqual([
      { username: '1_ann@example.com', field: 'firstName', before: null, after: 'Ann', input: 'Ann', row: 1 },
      { username: '1_bob@example.com', field: 'firstName', before: null, after: 'Bob', input: ' Bob ', row: 2 },
      { username: '1_cat@example.com', field: 'lastName', before: 'Ng', after: null, input: '' },
    ]);
  });

  it('credits a killed run’s row once: only a row of that username still open (or skipped by a stop)', () => {
    const journal = openJournal('r1');
    stageRun(journal, 'r1');
    journal.setOutcomes('r1', [
      { row: 1, outcome: 'created', reason: '' },
      { row: 3, outcome: 'skipped', reason: 'not processed: the run stopped (SIGTERM)' },
    ]);
    const credit = (row: number, key: string) =>
      journal.creditRow(
        'r1',
        key,
        {
          row,
          outcome: 'created',
          reason: 'applied; recorded by run r2',
          changedFields: ['firstName'],
          customerId: '8',
        },
        [{ username: key, field: 'firstName', before: null, after: key.slice(2, 5) }],
      );
    expect(credit(2, '1_someone-else@example.com')).toBe(false);
    expect(credit(1, '1_ann@example.com')).toBe(false);
    expect(credit(2, '1_bob@example.com')).toBe(true);
    expect(credit(2, '1_bob@example.com')).toBe(false);
    expect(credit(3, '1_cat@example.com')).toBe(true);
    expect([...journal.outcomes('r1')].map((o) => [o.row, o.outcome, o.customerId])).toEqual([
      [1, 'created', ''],
      [2, 'created', '8'],
      [3, 'created', '8'],
    ]);
    // Each credited row's diff once, with its cell.
    expect([...journal.diffs('r1')].map((d) => [d.row, d.input])).toEqual([
      [2, ' Bob '],
      [3, 'Cat'],
    ]);
  });

  it('keeps the newest --keep-runs runs, their rows and diffs with them', () => {
    const journal = openJournal('r1');
    for (const runId of ['a', 'b', 'c']) {
      stageRun(journal, runId);
      journal.addDiffs(runId, [{ username: '1_ann@example.com', field: 'firstName', before: null, after: 'Ann' }], 1);
    }
    journal.pruneRuns(2);
    expect([...journal.outcomes('a')]).toEqual([]);
    expect([...journal.diffs('a')]).toEqual([]);
    expect(journal.countOpenRows('b') + journal.countOpenRows('c')).toBe(6);
  });
});
