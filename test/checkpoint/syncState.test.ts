import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Checkpoint, openCheckpoint } from '../../src/checkpoint/openCheckpoint.js';

let dir: string;
let checkpoint: Checkpoint;
const scope = { apiHost: 'https://oms.example', retailerId: '1' };
const other = { apiHost: 'https://oms.example', retailerId: '2' };

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-sync-state-'));
  ({ checkpoint } = openCheckpoint(path.join(dir, 'cp.sqlite'), 'r1'));
  checkpoint.journal.startRun({
    runId: 'r1',
    mode: 'apply',
    apiHost: scope.apiHost,
    retailerId: '1',
    inputPath: 'f.csv',
    context: {},
  });
  const stager = checkpoint.journal.createStager('r1');
  for (const row of [1, 2]) {
    stager.add({ row, line: row + 1, cells: [], customer: { username: `1_u${row}@example.com` }, hash: `h${row}` });
  }
  stager.flush();
});
afterEach(() => {
  checkpoint.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const outcomeOf = (row: number) => [...checkpoint.journal.outcomes('r1')].find((o) => o.row === row);

describe('the sync state: what the OMS holds as far as we know', () => {
  it('a pending mark is kept per retailer until the row is recorded, with what it sends', () => {
    const { syncState } = checkpoint;
    const change = { username: '1_u1@example.com', field: 'firstName' as const, before: null, after: 'Ann' };
    syncState.markPending(scope, '1_u1@example.com', 'r1', 'create', { row: 1, changes: [change] });
    expect(syncState.pending(scope, '1_u1@example.com')).toEqual({
      runId: 'r1',
      kind: 'create',
      row: 1,
      changes: [change],
    });
    expect(syncState.pending(other, '1_u1@example.com')).toBeUndefined();

    syncState.recordApplied(
      scope,
      'r1',
      { username: '1_u1@example.com', omsId: '9', hash: 'h1', appliedBy: 'r1' },
      { row: 1, outcome: 'created', reason: '' },
    );
    expect(syncState.pending(scope, '1_u1@example.com')).toBeUndefined();
    expect(syncState.known(scope.apiHost, '1_u1@example.com')).toEqual([
      {
        retailerId: '1',
        username: '1_u1@example.com',
        omsId: '9',
        hash: 'h1',
        appliedRun: 'r1',
        appliedRunStatus: 'running',
        notTakenHash: null,
      },
    ]);
    expect(outcomeOf(1)).toMatchObject({ outcome: 'created', customerId: '' });
  });

  it('a doubted entry forgets its hash but keeps who applied it and the OMS id; unapplied leaves the entry alone', () => {
    const { syncState } = checkpoint;
    const entry = { username: '1_u1@example.com', omsId: '9', hash: 'h1', appliedBy: 'r0' };
    syncState.recordApplied(scope, 'r1', entry, { row: 1, outcome: 'unchanged', reason: '' });
    syncState.markPending(scope, '1_u1@example.com', 'r1', 'update');
    syncState.recordUnapplied(scope, 'r1', '1_u1@example.com', { row: 1, outcome: 'failed', reason: 'refused' });
    expect(syncState.known(scope.apiHost, '1_u1@example.com')[0]).toMatchObject({ hash: 'h1', appliedRun: 'r0' });
    expect(syncState.pending(scope, '1_u1@example.com')).toBeUndefined();

    syncState.markPending(scope, '1_u1@example.com', 'r1', 'update');
    syncState.recordDoubted(scope, 'r1', '1_u1@example.com', { row: 1, outcome: 'updated', reason: 'put back' });
    expect(syncState.known(scope.apiHost, '1_u1@example.com')[0]).toMatchObject({
      hash: '',
      appliedRun: 'r0',
      omsId: '9',
    });
    expect(syncState.pending(scope, '1_u1@example.com')).toBeUndefined();
    expect(outcomeOf(1)).toMatchObject({ outcome: 'updated', reason: 'put back' });
  });

  it('reads many usernames’ entries and marks in one query each, every retailer’s entry on the host', () => {
    const { syncState } = checkpoint;
    syncState.recordApplied(
      scope,
      'r1',
      { username: '1_u1@example.com', omsId: '9', hash: 'h1', appliedBy: 'r1' },
      {
        row: 1,
        outcome: 'created',
        reason: '',
      },
    );
    syncState.recordApplied(
      other,
      'r1',
      { username: '1_U1@example.com', omsId: '10', hash: 'x', appliedBy: 'r1' },
      {
        row: 2,
        outcome: 'created',
        reason: '',
      },
    );
    syncState.markPending(scope, '1_u2@example.com', 'r1', 'create');
    const known = syncState.knownOf(scope.apiHost, ['1_u1@example.com', '1_u2@example.com']);
    expect(known.get('1_u1@example.com')?.map((k) => [k.retailerId, k.username])).toEqual([
      ['1', '1_u1@example.com'],
      ['2', '1_U1@example.com'],
    ]);
    expect(known.has('1_u2@example.com')).toBe(false);
    expect([...syncState.pendingOf(scope, ['1_u1@example.com', '1_u2@example.com']).keys()]).toEqual([
      '1_u2@example.com',
    ]);
  });

  it('a transaction that throws writes nothing of its work', () => {
    const { syncState } = checkpoint;
    expect(() =>
      syncState.inTransaction(() => {
        syncState.markPending(scope, '1_u1@example.com', 'r1', 'create');
        syncState.recordUnapplied(scope, 'r1', '1_u2@example.com', { row: 2, outcome: 'failed', reason: 'x' });
        throw new Error('killed here');
      }),
    ).toThrow('killed here');
    expect(syncState.pending(scope, '1_u1@example.com')).toBeUndefined();
    expect(outcomeOf(2)?.outcome).toBeNull();
  });
});
