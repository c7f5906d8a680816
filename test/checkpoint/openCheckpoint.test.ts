import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Checkpoint, openCheckpoint } from '../../src/checkpoint/openCheckpoint.js';
import { UsageError } from '../../src/errors.js';
import { aCustomer } from '../builders/customers.js';

let dir: string;
let file: string;
const open: Checkpoint[] = [];
const openHere = () => {
  const cp = openCheckpoint(file);
  open.push(cp);
  return cp;
};

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-checkpoint-'));
  file = path.join(dir, 'nested', 'state', 'cp.sqlite');
});
afterEach(() => {
  for (const cp of open.splice(0)) {
    try {
      cp.close();
    } catch {}
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('openCheckpoint', () => {
  it('creates missing folders and the file owner-only', () => {
    openHere();
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(dir, 'nested')).mode & 0o777).toBe(0o700);
  });

  it('refuses a second run while the holder is alive, naming it', () => {
    openHere().acquireLock('run-a');
    const second = openHere();
    expect(() => second.acquireLock('run-b')).toThrow(UsageError);
    expect(() => second.acquireLock('run-b')).toThrow(/in use by run run-a \(pid \d+/);
  });

  it('takes over a lock whose process is gone', () => {
    openHere().acquireLock('run-a', 2 ** 22 + 12345);
    const taken = openHere().acquireLock('run-b');
    expect(taken.takenOverFrom?.runId).toBe('run-a');
  });

  it('keys what was applied by API host and retailer', () => {
    const cp = openHere();
    cp.startRun({ runId: 'r1', mode: 'apply', apiHost: 'https://a', retailerId: '1', inputPath: 'x.csv', context: {} });
    const stager = cp.createStager('r1');
    stager.add({ row: 1, line: 2, cells: ['a'], customer: aCustomer(), hash: 'h1' });
    stager.flush();
    cp.recordApplied(
      { apiHost: 'https://a', retailerId: '1' },
      'r1',
      { username: '1_Jane@example.com', omsId: '9', hash: 'h1', appliedBy: 'r1' },
      { row: 1, outcome: 'created', reason: '' },
    );
    expect(cp.knownCustomers('https://a', '1_jane@example.com')).toEqual([
      expect.objectContaining({
        retailerId: '1',
        omsId: '9',
        hash: 'h1',
        appliedRun: 'r1',
        appliedRunStatus: 'running',
      }),
    ]);
    expect(cp.knownCustomers('https://b', '1_jane@example.com')).toEqual([]);
    expect([...cp.outcomes('r1')]).toEqual([
      { row: 1, line: 2, username: '1_jane@example.com', outcome: 'created', reason: '', changedFields: [] },
    ]);
  });

  it('keeps a pending mutation across a reopen until its outcome is recorded', () => {
    const scope = { apiHost: 'https://a', retailerId: '1' };
    const cp = openHere();
    cp.markPending(scope, '1_jane@example.com', 'r1', 'create');
    cp.close();
    open.pop();
    const again = openHere();
    expect(again.pendingMutation(scope, '1_jane@example.com')).toEqual({ runId: 'r1', kind: 'create' });
  });

  it('keeps only the newest runs', () => {
    const cp = openHere();
    for (const id of ['r1', 'r2', 'r3']) {
      cp.startRun({ runId: id, mode: 'apply', apiHost: 'h', retailerId: '1', inputPath: 'x', context: {} });
      const s = cp.createStager(id);
      s.add({ row: 1, line: 2, cells: [], outcome: { kind: 'rejected', reason: 'x' } });
      s.flush();
    }
    cp.pruneRuns(2);
    expect(
      cp
        .listRuns()
        .map((r) => r.runId)
        .sort(),
    ).toEqual(['r2', 'r3']);
    expect(cp.countRows('r1')).toBe(0);
  });
});
