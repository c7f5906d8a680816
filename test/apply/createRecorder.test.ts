import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRecorder } from '../../src/apply/createRecorder.js';
import { type Checkpoint, openCheckpoint } from '../../src/checkpoint/openCheckpoint.js';
import type { Send, Settle } from '../../src/plan/decisionTypes.js';

let dir: string;
let checkpoint: Checkpoint;
const scope = { apiHost: 'https://oms.example', retailerId: '1' };
const username = '1_ann@example.com';
const changes = [
  { username, field: 'primaryEmail' as const, before: null, after: 'ann@example.com' },
  { username, field: 'firstName' as const, before: null, after: 'Ann' },
];

/** Two runs of one row: `killed` sent the create and died, `resumed` found it applied. */
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-recorder-'));
  ({ checkpoint } = openCheckpoint(path.join(dir, 'cp.sqlite'), 'resumed'));
  for (const runId of ['killed', 'resumed']) {
    checkpoint.journal.startRun({
      runId,
      mode: 'apply',
      apiHost: scope.apiHost,
      retailerId: '1',
      inputPath: 'f.csv',
      context: { fieldColumns: { primaryEmail: 0, firstName: 1 } },
    });
    const stager = checkpoint.journal.createStager(runId);
    stager.add({ row: 1, line: 2, cells: ['ann@example.com', 'Ann'], customer: { username }, hash: 'h' });
    stager.flush();
  }
});
afterEach(() => {
  checkpoint.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const rowOf = (runId: string) => ({
  row: 1,
  username,
  usernameKey: username,
  hash: 'h',
  sentBefore: runId !== 'killed',
});

describe('the send loop’s recorder over a checkpoint', () => {
  it('marks what a mutation sends before it leaves, and records a killed run’s applied one as that run’s row', () => {
    const { journal, syncState } = checkpoint;
    const send: Send = {
      kind: 'send',
      action: {
        kind: 'create',
        input: { username, primaryEmail: 'ann@example.com', promotionOptIn: false, retailer: { id: '1' } },
        changes,
      },
      why: '',
    };
    createRecorder({ journal, syncState, runId: 'killed', scope }).markSent([{ row: rowOf('killed'), send }]);
    const pending = syncState.pending(scope, username);
    expect(pending).toEqual({ runId: 'killed', kind: 'create', row: 1, changes });

    const settle: Settle = {
      kind: 'settle',
      outcome: 'unchanged',
      reason: 'applied by run killed',
      changes: [],
      record: { kind: 'applied', appliedBy: 'killed', omsId: '9' },
      customerId: '9',
      credit: { runId: 'killed', row: 1, outcome: 'created', changes, customerId: '9' },
    };
    createRecorder({ journal, syncState, runId: 'resumed', scope }).settle(rowOf('resumed'), settle);

    expect(syncState.pending(scope, username)).toBeUndefined();
    expect(syncState.known(scope.apiHost, username)[0]).toMatchObject({ hash: 'h', appliedRun: 'killed', omsId: '9' });
    expect([...journal.outcomes('resumed')]).toMatchObject([{ outcome: 'unchanged', reason: 'applied by run killed' }]);
    expect([...journal.outcomes('killed')]).toMatchObject([
      {
        outcome: 'created',
        customerId: '9',
        changedFields: ['primaryEmail', 'firstName'],
        reason: expect.stringContaining('recorded by run resumed'),
      },
    ]);
    expect([...journal.diffs('killed')].map((d) => [d.field, d.after, d.input])).toEqual([
      ['primaryEmail', 'ann@example.com', 'ann@example.com'],
      ['firstName', 'Ann', 'Ann'],
    ]);
    expect(checkpoint.history.changedCustomers('killed', '', 10)).toEqual([{ username, outcome: 'created', changes }]);
  });
});

describe('recording a row Fluent did not take as sent', () => {
  it('keeps the hash of what Fluent holds and the row’s own as not taken, with the fields, in one go', () => {
    const { journal, syncState } = checkpoint;
    const settle: Settle = {
      kind: 'settle',
      outcome: 'failed',
      reason: 'Fluent did not take every value of the update as sent: firstName holds "An", not "Ann"',
      changes: [{ username, field: 'primaryEmail', before: null, after: 'ann@example.com' }],
      record: { kind: 'notTaken', omsId: '9', heldHash: 'held' },
      customerId: '9',
      notTaken: ['firstName'],
    };
    createRecorder({ journal, syncState, runId: 'resumed', scope }).settle(rowOf('resumed'), settle);
    expect(syncState.known(scope.apiHost, username)).toEqual([
      expect.objectContaining({ omsId: '9', hash: 'held', notTakenHash: 'h', appliedRun: 'resumed' }),
    ]);
    expect([...journal.outcomes('resumed')]).toEqual([
      expect.objectContaining({ outcome: 'failed', changedFields: ['primaryEmail'], customerId: '9' }),
    ]);
    expect(journal.outcomeDetails('resumed').notTakenAsSent).toEqual({ firstName: 1 });
    expect([...journal.diffs('resumed')]).toEqual([expect.objectContaining({ field: 'primaryEmail', row: 1 })]);
  });

  it('leaves such a row for undo to put back: an update as updated, a create (it set the username) as created', () => {
    const { journal, syncState } = checkpoint;
    const recorder = createRecorder({ journal, syncState, runId: 'killed', scope });
    const failed = (field: 'username' | 'lastName', notTaken: 'firstName'): Settle => ({
      kind: 'settle',
      outcome: 'failed',
      reason: 'not taken',
      changes: [
        {
          username,
          field,
          before: field === 'username' ? null : 'Old',
          after: field === 'username' ? username : 'New',
        },
      ],
      record: { kind: 'notTaken', omsId: '9', heldHash: 'held' },
      customerId: '9',
      notTaken: [notTaken],
    });
    recorder.settle(rowOf('killed'), failed('lastName', 'firstName'));
    expect(checkpoint.history.changedCustomers('killed', '', 10)).toEqual([
      { username, outcome: 'updated', changes: [expect.objectContaining({ field: 'lastName', after: 'New' })] },
    ]);
    const resumed = createRecorder({ journal, syncState, runId: 'resumed', scope });
    resumed.settle(rowOf('resumed'), failed('username', 'firstName'));
    expect(checkpoint.history.changedCustomers('resumed', '', 10)).toEqual([
      { username, outcome: 'created', changes: [expect.objectContaining({ field: 'username' })] },
    ]);
  });
});
